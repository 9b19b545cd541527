// SPDX-License-Identifier: GPL-2.0
/*
 * System test of the pin methods that work without special hardware or
 * CONFIG_GUP_TEST: iouring, xdp-umem, pvm-read, pvm-write, dio-read,
 * dio-write, vmsplice, procmem-read, procmem-write, populate-read,
 * populate-write. Each really runs on an 8 MiB order-0 buffer on the
 * running kernel and checks what the kernel says about it: for FOLL_PIN
 * methods nr_foll_pin_acquired must rise by exactly the page count on pin
 * and nr_foll_pin_released by the same on unpin (for the combined
 * methods, both across one cycle); for FOLL_GET and no-reference methods
 * (vmsplice, procmem, populate) neither may move. Plus the zero page:
 * pvm-read of a never-written buffer and dio-write of a half-zero one pin
 * the shared zero page, which since 6.5 is not counted at all. Data that
 * moved is checked where the test can see it (dio-read, procmem-write),
 * and pagemap says what populate left behind. The config-time check()
 * hooks of dio and populate are tested last.
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
#include <linux/magic.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "need.h"
#include "method.h"
#include "scenario.h"
#include "util.h"
#include "vmstat.h"

extern const struct method method_iouring, method_xdp_umem,
	method_pvm_read, method_pvm_write, method_dio_read, method_dio_write,
	method_vmsplice, method_procmem_read, method_procmem_write,
	method_populate_read, method_populate_write;

#define MiB		(1ULL << 20)
#define BUF_SIZE	(8 * MiB)
#define BUF_PAGES	(BUF_SIZE / PAGE_SZ)
#define ROUNDS		2	/* a second sample reuses ring, peer, buffer */
#define DIO_DIR		"/var/tmp"	/* the config's default dir */
#define DIO_FILL	0xd1	/* what method-dio.c writes into its file */
#define PROCMEM_FILL	0x5a	/* method-procmem.c's second buffer */

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
 * Root, exact counters, the method's probe and check, a buffer, init:
 * whatever is missing skips the test with the reason.
 */
static void fix_start(struct fix *f, const struct method *m, double zero, int populate)
{
	struct buf_spec spec = {
		.size = BUF_SIZE, .order = 0, .zero = zero, .populate = populate,
	};
	char why[256] = "";
	int ret;

	f->m = m;
	if (geteuid() != 0)
		SKIP_WHY("%s: needs root (exact vmstat via stat_refresh)", m->name);
	if (!vmstat_exact())
		SKIP_WHY("%s: /proc/sys/vm/stat_refresh not writable: deltas would not be exact",
			 m->name);
	ret = method_probe(m, why, sizeof(why));
	if (ret)
		SKIP_WHY("%s: probe: %s", m->name, why);

	fmt(f->sc.method, sizeof(f->sc.method), "%s", m->name);
	f->sc.backing = BACK_ANON;
	fmt(f->sc.dir, sizeof(f->sc.dir), "%s", DIO_DIR);
	f->sc.size = BUF_SIZE;
	f->sc.order = 0;
	f->sc.zero = zero;
	f->sc.populate = populate;
	f->sc.repeat = ROUNDS;
	f->sc.threads = 1;
	if (m->check && m->check(&f->sc, why, sizeof(why)))
		SKIP_WHY("%s: check: %s", m->name, why);

	ret = buf_build(&f->buf, &spec);
	assert_int_equal(ret, 0);
	if (f->buf.got.exact) {
		/* order 0: a ratio of 0, 0.5 or 1 is exactly that many pages */
		assert_int_equal(f->buf.got.zero_pages, (uint64_t)(BUF_PAGES * zero));
		assert_int_equal(f->buf.got.present, populate ? BUF_PAGES : f->buf.got.zero_pages);
	}

	f->c.sc = &f->sc;
	f->c.buf = &f->buf;
	ret = method_init(m, &f->c, why, sizeof(why));
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
		method_fini(f->m, &f->c);
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

	fix_start(f, m, 0.0, 1);
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

	fix_start(f, m, zero, 1);
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
			print_message("# %s (zero %g) round %d: cycle %" PRIu64 " + %" PRIu64
				      " ns (acquired +%" PRId64 ", released +%" PRId64
				      ", expected %" PRId64 ")\n",
				      m->name, zero, r, ns[0], ns[1], d.acq, d.rel, expect);
			if (d.acq == expect && d.rel == expect)
				break;
			print_message("# %s: other pinners on the machine? again\n", m->name);
		}
		if (k == ATTEMPTS)
			SKIP_IF_NOISY(m);
		assert_true(ns[0] > 0);
		if (m->shape == SHAPE_PAIRED)
			assert_true(ns[1] > 0);
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

	NEED_KFEAT(KF_ZERO_PAGE);
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

	NEED_KFEAT(KF_ZERO_PAGE);
	run_combined(state, &method_pvm_write, 1.0, BUF_PAGES);
	if (f->buf.got.exact) {
		struct buf_got got;

		assert_int_equal(buf_readback(0, f->buf.addr, BUF_SIZE, &got), 0);
		assert_int_equal(got.zero_pages, 0);
	}
}

/*
 * O_DIRECT pins with FOLL_PIN since the block layer moved to
 * iov_iter_extract_pages() (complete in 6.5; 6.1 took FOLL_GET). In
 * between, which one depends on the exact version: not asserted.
 */
static int64_t dio_expect(int64_t pinned)
{
	unsigned int v = kernel_version();

	if (v >= 0x060500)
		return pinned;
	if (v < 0x060300)
		return 0;
	print_message("# SKIP: dio: kernel %x is between FOLL_GET (6.1) and FOLL_PIN (6.5+) for O_DIRECT\n",
		      v);
	skip();
	return -1;
}

/* Every page of the buffer starts and ends with byte c. */
static void assert_filled(const struct buf *b, unsigned char c)
{
	const unsigned char *p = b->addr;

	for (uint64_t off = 0; off < b->spec.size; off += PAGE_SZ) {
		if (p[off] != c || p[off + PAGE_SZ - 1] != c)
			print_message("# page at +%" PRIu64 ": %#x..%#x, expected %#x\n", off,
				      p[off], p[off + PAGE_SZ - 1], c);
		assert_int_equal(p[off], c);
		assert_int_equal(p[off + PAGE_SZ - 1], c);
	}
}

/* The device writes into the buffer: a write pin per page, the file's data after. */
static void test_dio_read(void **state)
{
	struct fix *f = *state;

	run_combined(state, &method_dio_read, 0.0, dio_expect(BUF_PAGES));
	assert_filled(&f->buf, DIO_FILL);
}

static void test_dio_write(void **state)
{
	run_combined(state, &method_dio_write, 0.0, dio_expect(BUF_PAGES));
}

/*
 * Every other page the shared zero page: the R/O pins of those are not
 * counted (since 6.5), and the write leaves them zero pages.
 */
static void test_dio_write_zero_page(void **state)
{
	struct fix *f = *state;

	NEED_KFEAT(KF_ZERO_PAGE);
	run_combined(state, &method_dio_write, 0.5, dio_expect(BUF_PAGES / 2));
	if (f->buf.got.exact) {
		struct buf_got got;

		assert_int_equal(buf_readback(0, f->buf.addr, BUF_SIZE, &got), 0);
		assert_int_equal(got.zero_pages, BUF_PAGES / 2);
	}
}

/* FOLL_GET references held by the pipe: no pin counted either way. */
static void test_vmsplice(void **state)
{
	run_combined(state, &method_vmsplice, 0.0, 0);
}

static void test_procmem_read(void **state)
{
	run_combined(state, &method_procmem_read, 0.0, 0);
}

/* FOLL_GET|FOLL_WRITE one page at a time: no pin, the data arrived. */
static void test_procmem_write(void **state)
{
	struct fix *f = *state;

	run_combined(state, &method_procmem_write, 0.0, 0);
	assert_filled(&f->buf, PROCMEM_FILL);
}

/*
 * madvise(MADV_POPULATE_*) on a buffer nothing touched yet: no reference,
 * so no counter moves, and afterwards every page is present: the shared
 * zero page for a read populate of private anon, a page of its own for a
 * write populate. Each round gets a fresh buffer, as the worker's
 * rebuild=auto gives it.
 */
static void run_populate(void **state, const struct method *m, uint64_t want_zero)
{
	struct fix *f = *state;
	struct vmstat a, b;
	struct delta d;
	struct buf_got got;
	char why[160];
	int r, k, ret;

	fix_start(f, m, 0.0, 0);
	for (r = 0; r < ROUNDS; r++) {
		uint64_t ns = 0;

		for (k = 0; k < ATTEMPTS; k++) {
			if (r || k)
				assert_int_equal(buf_rebuild(&f->buf), 0);
			if (f->buf.got.exact) {
				assert_int_equal(buf_readback(0, f->buf.addr, BUF_SIZE, &got), 0);
				assert_int_equal(got.present, 0);
			}
			why[0] = '\0';
			pin_counters(&a);
			ret = m->pin(&f->c, &ns, why, sizeof(why));
			if (ret)
				print_message("# %s: pin: %s\n", m->name, why);
			assert_int_equal(ret, 0);
			pin_counters(&b);
			d = pin_delta(&a, &b);
			print_message("# %s round %d: %" PRIu64 " ns (acquired +%" PRId64
				      ", released +%" PRId64 ")\n", m->name, r, ns, d.acq, d.rel);
			if (!d.acq && !d.rel)
				break;
			print_message("# %s: other pinners on the machine? again\n", m->name);
		}
		if (k == ATTEMPTS)
			SKIP_IF_NOISY(m);
		assert_true(ns > 0);
		assert_int_equal(d.acq, 0);
		assert_int_equal(d.rel, 0);
		if (f->buf.got.exact) {
			assert_int_equal(buf_readback(0, f->buf.addr, BUF_SIZE, &got), 0);
			print_message("# %s: after: %" PRIu64 " present, %" PRIu64 " zero pages, %s\n",
				      m->name, got.present, got.zero_pages, got.hist);
			assert_int_equal(got.present, BUF_PAGES);
			assert_int_equal(got.zero_pages, want_zero);
		}
	}
}

static void test_populate_read(void **state)
{
	NEED_KFEAT(KF_ZERO_PAGE);
	run_populate(state, &method_populate_read, BUF_PAGES);
}

static void test_populate_write(void **state)
{
	run_populate(state, &method_populate_write, 0);
}

/* The config-time hooks: say no, with a reason, to what cannot work. */
static void test_check(void **state)
{
	struct scenario sc = { 0 };
	struct statfs sfs;
	char why[256];

	(void)state;
	sc.backing = BACK_ANON;
	sc.size = BUF_SIZE;

	sc.populate = 1;
	why[0] = '\0';
	assert_int_not_equal(method_populate_read.check(&sc, why, sizeof(why)), 0);
	print_message("# populate-read, populate=1: %s\n", why);
	assert_non_null(strstr(why, "populate = no"));
	assert_int_not_equal(method_populate_write.check(&sc, why, sizeof(why)), 0);
	sc.populate = 0;
	assert_int_equal(method_populate_read.check(&sc, why, sizeof(why)), 0);
	assert_int_equal(method_populate_write.check(&sc, why, sizeof(why)), 0);

	fmt(sc.dir, sizeof(sc.dir), "/nonexistent-gupbench-%d", (int)getpid());
	why[0] = '\0';
	assert_int_not_equal(method_dio_read.check(&sc, why, sizeof(why)), 0);
	print_message("# dio-read, dir %s: %s\n", sc.dir, why);
	assert_non_null(strstr(why, sc.dir));
	assert_int_not_equal(method_dio_write.check(&sc, why, sizeof(why)), 0);

	if (!statfs("/dev/shm", &sfs) && sfs.f_type == TMPFS_MAGIC) {
		fmt(sc.dir, sizeof(sc.dir), "/dev/shm");
		why[0] = '\0';
		assert_int_not_equal(method_dio_read.check(&sc, why, sizeof(why)), 0);
		print_message("# dio-read, dir /dev/shm (tmpfs): %s\n", why);
	}

	fmt(sc.dir, sizeof(sc.dir), "%s", DIO_DIR);
	sc.backing = BACK_FILE;
	why[0] = '\0';
	assert_int_not_equal(method_dio_write.check(&sc, why, sizeof(why)), 0);
	print_message("# dio-write, backing file: %s\n", why);

	sc.backing = BACK_ANON;
	if (method_dio_read.check(&sc, why, sizeof(why)))
		SKIP_WHY("dio: %s cannot take O_DIRECT here: %s", DIO_DIR, why);
	assert_int_equal(method_dio_write.check(&sc, why, sizeof(why)), 0);
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
		cmocka_unit_test_setup_teardown(test_dio_read, fix_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(test_dio_write, fix_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(test_dio_write_zero_page, fix_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(test_vmsplice, fix_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(test_procmem_read, fix_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(test_procmem_write, fix_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(test_populate_read, fix_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(test_populate_write, fix_setup, fix_teardown),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
