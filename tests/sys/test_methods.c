// SPDX-License-Identifier: GPL-2.0
/*
 * System test of the pin methods that work without special hardware or
 * CONFIG_GUP_TEST: iouring, xdp-umem, pvm-read, pvm-write. Each really
 * pins an 8 MiB order-0 buffer on the running kernel and checks what the
 * kernel says about it: nr_foll_pin_acquired must rise by exactly the
 * page count on pin and nr_foll_pin_released by the same on unpin (for
 * the combined methods, both across one cycle). Plus the zero page:
 * pvm-read of a never-written buffer pins the shared zero page, which
 * since 6.5 is not counted at all.
 *
 * Needs root (exact vmstat through stat_refresh, AF_XDP); a method whose
 * probe fails here is skipped with its reason. No timing is asserted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "method.h"
#include "scenario.h"
#include "util.h"
#include "vmstat.h"

extern const struct method method_iouring, method_xdp_umem,
	method_pvm_read, method_pvm_write;

#define MiB		(1ULL << 20)
#define BUF_SIZE	(8 * MiB)
#define BUF_PAGES	(BUF_SIZE / PAGE_SZ)
#define ROUNDS		2	/* a second sample reuses ring, peer, buffer */

#define SKIP_WHY(...) do {					\
	print_message("# SKIP: " __VA_ARGS__);			\
	print_message("\n");					\
	skip();							\
} while (0)

struct fix {
	const struct method *m;
	struct scenario sc;
	struct buf buf;
	struct mctx c;
	int inited;
};

struct delta {
	int64_t acq;
	int64_t rel;
};

static void pin_counters(struct vmstat *s)
{
	assert_int_equal(vmstat_read(s, 1), 0);
	assert_true(s->have & (1u << VM_nr_foll_pin_acquired));
	assert_true(s->have & (1u << VM_nr_foll_pin_released));
}

static struct delta pin_delta(const struct vmstat *a, const struct vmstat *b)
{
	struct delta d = {
		.acq = b->v[VM_nr_foll_pin_acquired] - a->v[VM_nr_foll_pin_acquired],
		.rel = b->v[VM_nr_foll_pin_released] - a->v[VM_nr_foll_pin_released],
	};

	return d;
}

/*
 * Root, exact counters, the method's probe, a buffer, init: whatever is
 * missing skips the test with the reason.
 */
static void fix_start(struct fix *f, const struct method *m, double zero)
{
	struct buf_spec spec = {
		.size = BUF_SIZE, .order = 0, .zero = zero, .populate = 1,
	};
	char why[160] = "";
	int ret;

	f->m = m;
	if (geteuid() != 0)
		SKIP_WHY("%s: needs root (exact vmstat via stat_refresh)", m->name);
	if (!vmstat_exact())
		SKIP_WHY("%s: /proc/sys/vm/stat_refresh not writable: deltas would not be exact",
			 m->name);
	ret = m->probe(why, sizeof(why));
	if (ret)
		SKIP_WHY("%s: probe: %s", m->name, why);

	fmt(f->sc.method, sizeof(f->sc.method), "%s", m->name);
	fmt(f->sc.backing, sizeof(f->sc.backing), "anon");
	f->sc.size = BUF_SIZE;
	f->sc.order = 0;
	f->sc.zero = zero;
	f->sc.populate = 1;
	f->sc.repeat = ROUNDS;
	f->sc.threads = 1;

	ret = buf_build(&f->buf, &spec);
	assert_int_equal(ret, 0);
	if (f->buf.got.exact) {
		assert_int_equal(f->buf.got.present, BUF_PAGES);
		assert_int_equal(f->buf.got.zero_pages, zero == 1.0 ? BUF_PAGES : 0);
	}

	f->c.sc = &f->sc;
	f->c.buf = &f->buf;
	ret = m->init(&f->c, why, sizeof(why));
	if (ret)
		print_message("# %s: init: %s\n", m->name, why);
	assert_int_equal(ret, 0);
	f->inited = 1;
	if (f->c.note[0])
		print_message("# %s: note: %s\n", m->name, f->c.note);
}

static int fix_setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	*state = f;
	return f ? 0 : -1;
}

/* Runs even after a failed assertion: no pinned buffer, no peer left. */
static int fix_teardown(void **state)
{
	struct fix *f = *state;

	if (f->inited)
		f->m->fini(&f->c);
	buf_free(&f->buf);
	free(f);
	return 0;
}

/*
 * The counters are machine-wide: another process pinning at the same time
 * (a benchmark run, io_uring users) adds to them. A wrong count would be
 * wrong every time, noise is not there every time, so each round gets a
 * few attempts and must come out exact in one of them. If none does and
 * the counters move while we do nothing, the check cannot be made here:
 * skip with that reason rather than fail (or pass).
 */
#define ATTEMPTS	20

static int counters_moving(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	struct vmstat a, b;
	struct delta d;

	pin_counters(&a);
	nanosleep(&ts, NULL);
	pin_counters(&b);
	d = pin_delta(&a, &b);
	return d.acq || d.rel;
}

#define SKIP_IF_NOISY(m) do {						\
	if (counters_moving())						\
		SKIP_WHY("%s: nr_foll_pin_* move with nothing of ours running: "	\
			 "another pinner on the machine, exact deltas not checkable", \
			 (m)->name);					\
} while (0)

static void run_separate(void **state, const struct method *m)
{
	struct fix *f = *state;
	struct vmstat a, b, c;
	struct delta pin, unpin;
	char why[160];
	int r, k, ret;

	fix_start(f, m, 0.0);
	for (r = 0; r < ROUNDS; r++) {
		uint64_t pin_ns = 0, unpin_ns = 0;

		for (k = 0; k < ATTEMPTS; k++) {
			why[0] = '\0';
			pin_counters(&a);
			ret = m->pin(&f->c, &pin_ns, why, sizeof(why));
			if (ret)
				print_message("# %s: pin: %s\n", m->name, why);
			assert_int_equal(ret, 0);
			pin_counters(&b);
			ret = m->unpin(&f->c, &unpin_ns, why, sizeof(why));
			if (ret)
				print_message("# %s: unpin: %s\n", m->name, why);
			assert_int_equal(ret, 0);
			pin_counters(&c);

			pin = pin_delta(&a, &b);
			unpin = pin_delta(&b, &c);
			print_message("# %s round %d: pin %" PRIu64 " ns (acquired +%" PRId64
				      ", released +%" PRId64 "), unpin %" PRIu64
				      " ns (acquired +%" PRId64 ", released +%" PRId64 ")\n",
				      m->name, r, pin_ns, pin.acq, pin.rel, unpin_ns,
				      unpin.acq, unpin.rel);
			if (pin.acq == (int64_t)BUF_PAGES && pin.rel == 0 &&
			    unpin.acq == 0 && unpin.rel == (int64_t)BUF_PAGES)
				break;
			print_message("# %s: other pinners on the machine? again\n", m->name);
		}
		if (k == ATTEMPTS)
			SKIP_IF_NOISY(m);
		assert_int_equal(pin.acq, BUF_PAGES);
		assert_int_equal(pin.rel, 0);
		assert_int_equal(unpin.acq, 0);
		assert_int_equal(unpin.rel, BUF_PAGES);
	}
}

/*
 * One cycle, expected pins counted on the way in and out. A combined
 * method pins and unpins inside its call, so both counters move by the
 * same amount across it.
 */
static void run_combined(void **state, const struct method *m, double zero,
			 int64_t expect)
{
	struct fix *f = *state;
	struct vmstat a, b;
	struct delta d;
	char why[160];
	int r, k, ret;

	fix_start(f, m, zero);
	for (r = 0; r < ROUNDS; r++) {
		uint64_t ns[2] = { 0, 0 };

		for (k = 0; k < ATTEMPTS; k++) {
			why[0] = '\0';
			pin_counters(&a);
			ret = m->cycle(&f->c, ns, why, sizeof(why));
			if (ret)
				print_message("# %s: cycle: %s\n", m->name, why);
			assert_int_equal(ret, 0);
			pin_counters(&b);
			d = pin_delta(&a, &b);
			print_message("# %s%s round %d: cycle %" PRIu64 " ns (acquired +%"
				      PRId64 ", released +%" PRId64 ", expected %" PRId64 ")\n",
				      m->name, zero == 1.0 ? " (zero pages)" : "", r, ns[0],
				      d.acq, d.rel, expect);
			if (d.acq == expect && d.rel == expect)
				break;
			print_message("# %s: other pinners on the machine? again\n", m->name);
		}
		if (k == ATTEMPTS)
			SKIP_IF_NOISY(m);
		assert_true(ns[0] > 0);
		assert_int_equal(d.acq, expect);
		assert_int_equal(d.rel, expect);
	}
}

static void test_iouring(void **state)
{
	run_separate(state, &method_iouring);
}

static void test_xdp_umem(void **state)
{
	run_separate(state, &method_xdp_umem);
}

static void test_pvm_read(void **state)
{
	run_combined(state, &method_pvm_read, 0.0, BUF_PAGES);
}

static void test_pvm_write(void **state)
{
	run_combined(state, &method_pvm_write, 0.0, BUF_PAGES);
}

/*
 * Never-written buffer: every PTE maps the shared zero page. A R/O remote
 * pin of it is not counted since 6.5 (and took 1024 refs on the zero page
 * each before); the buffer stays zero pages afterwards.
 */
static void test_pvm_read_zero_page(void **state)
{
	struct fix *f = *state;
	int64_t expect = kernel_version() >= 0x060500 ? 0 : (int64_t)BUF_PAGES;

	run_combined(state, &method_pvm_read, 1.0, expect);
	if (f->buf.got.exact) {
		struct buf_got got;

		assert_int_equal(buf_readback(0, f->buf.addr, BUF_SIZE, &got), 0);
		assert_int_equal(got.zero_pages, BUF_PAGES);
	}
}

/*
 * The same buffer written remotely: FOLL_WRITE breaks COW on each zero
 * page first, so every pin lands on a fresh page and is counted.
 */
static void test_pvm_write_zero_page(void **state)
{
	struct fix *f = *state;

	run_combined(state, &method_pvm_write, 1.0, BUF_PAGES);
	if (f->buf.got.exact) {
		struct buf_got got;

		assert_int_equal(buf_readback(0, f->buf.addr, BUF_SIZE, &got), 0);
		assert_int_equal(got.zero_pages, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_iouring, fix_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(test_xdp_umem, fix_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(test_pvm_read, fix_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(test_pvm_write, fix_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(test_pvm_read_zero_page, fix_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(test_pvm_write_zero_page, fix_setup, fix_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
