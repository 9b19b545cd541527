// SPDX-License-Identifier: GPL-2.0
/*
 * System test of the per-op kernel counters (benches/perf.c), really
 * counting on the running kernel:
 *  - hardware counters are either counted (non-zero over real work) or
 *    marked unsupported, never a measured 0;
 *  - a window that write-faults N fresh pages counts >= N page-faults
 *    and >= N kmem:mm_page_alloc;
 *  - MADV_POPULATE_WRITE and an io_uring registration of N unpopulated
 *    pages count >= N page allocations, and these GUP-driven faults are
 *    NOT page-fault perf events (mm_account_fault() skips perf_sw_event()
 *    when regs is NULL, and the arch handler never ran): asserted, so a
 *    kernel that changes it is noticed;
 *  - an empty window counts ~0 page faults; faults between windows are
 *    not counted; windows opened for different ops (opwin_begin_op) are
 *    credited to their own op;
 *  - a forked child cannot drive the parent's counters, and can open
 *    its own (what pvm's peer does).
 * Plus, printed and not asserted: what one enable+disable costs here,
 * for the group (one ioctl) and for one ioctl per counter.
 *
 * Needs root (perf_event_paranoid, tracefs): skipped with the reason
 * otherwise. No timing is asserted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <liburing.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <perf/evsel.h>
#include <perf/threadmap.h>

#include "perf.h"
#include "util.h"

#define NPAGES		1024
#define BUF_BYTES	(NPAGES * PAGE_SZ)
#define SMALL		2	/* "about zero" for page faults */

#define SKIP_WHY(...) do {					\
	print_message("# SKIP: " __VA_ARGS__);			\
	print_message("\n");					\
	skip();							\
} while (0)

static int open_ret;

static void need_counters(void)
{
	char why[160];

	if (geteuid())
		SKIP_WHY("needs root (tracefs for tracepoint ids; perf_event_paranoid for kernel work)");
	if (open_ret) {
		perf_ctr_state(PERF_CTR_PAGE_FAULTS, why, sizeof(why));
		SKIP_WHY("perf_open: %s (%s)", strerror(-open_ret), why);
	}
}

/* A fresh private anonymous mapping of 4 KiB pages, nothing faulted in. */
static char *fresh_map(void)
{
	char *p = mmap(NULL, BUF_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	assert_int_equal(madvise(p, BUF_BYTES, MADV_NOHUGEPAGE), 0);
	return p;
}

static void touch_n(char *p, size_t pages)
{
	for (size_t i = 0; i < pages; i++)
		((volatile char *)p)[i * PAGE_SZ] = 1;
}

static void touch(char *p)
{
	touch_n(p, NPAGES);
}

static void show(const char *what, const struct perf_counts *c)
{
	char line[512] = "", tmp[32];
	size_t n = 0;

	for (int i = 0; i < PERF_CTR_NR; i++) {
		const char *cell = perf_counts_cell(c, i, tmp, sizeof(tmp));

		n += snprintf(line + n, sizeof(line) - n, " %s=%s", perf_ctr_name(i),
			      *cell ? cell : "-");
		if (n >= sizeof(line))
			break;
	}
	print_message("# %s:%s\n", what, line);
}

static void assert_measured(const struct perf_counts *c, int ctr)
{
	char why[160];

	if (c->state[ctr] != PERF_MEASURED) {
		perf_ctr_state(ctr, why, sizeof(why));
		fail_msg("%s not measured: %s", perf_ctr_name(ctr), why[0] ? why : "no window");
	}
}

static void test_software_live(void **state)
{
	char why[160];

	need_counters();
	for (int i = 0; i < PERF_CTR_NR; i++) {
		enum perf_state st = perf_ctr_state(i, why, sizeof(why));

		print_message("# %-34s %s%s\n", perf_ctr_name(i),
			      st == PERF_MEASURED ? "live" : st == PERF_UNSUPPORTED ? "unsupported: " :
			      "not measured: ", why);
		if (!strcmp(perf_ctr_kind(i), "software"))
			assert_int_equal(st, PERF_MEASURED);
		/* a tracepoint this kernel lacks is unsupported, with the reason */
		if (!strcmp(perf_ctr_kind(i), "tracepoint"))
			assert_true(st == PERF_MEASURED || st == PERF_UNSUPPORTED);
	}
}

/* (a) counted where the PMU is there (never 0 then), else "unsupported". */
static void test_hardware_marked(void **state)
{
	const int hw[] = { PERF_CTR_CYCLES, PERF_CTR_INSTRUCTIONS };
	struct perf_counts c;
	struct opwin w;
	volatile uint64_t x = 0;
	char tmp[32];

	need_counters();
	perf_op_start();
	opwin_begin(&w);
	for (int i = 0; i < 1000000; i++)
		x += i;
	opwin_end(&w);
	perf_op_read(0, &c);
	show("a million adds", &c);
	for (size_t k = 0; k < ARRAY_SIZE(hw); k++) {
		int i = hw[k];

		if (c.state[i] == PERF_MEASURED) {
			assert_true(c.v[i] > 0);
		} else {
			assert_int_equal(c.state[i], PERF_UNSUPPORTED);
			assert_string_equal(perf_counts_cell(&c, i, tmp, sizeof(tmp)), "unsupported");
		}
	}
}

/* (b) write faults on N fresh pages: >= N page-faults and page allocations. */
static void test_write_faults(void **state)
{
	struct perf_counts c;
	struct opwin w;
	char *p;

	need_counters();
	p = fresh_map();
	perf_op_start();
	opwin_begin(&w);
	touch(p);
	opwin_end(&w);
	perf_op_read(0, &c);
	show("write-fault 1024 pages", &c);
	munmap(p, BUF_BYTES);
	assert_measured(&c, PERF_CTR_PAGE_FAULTS);
	assert_true(c.v[PERF_CTR_PAGE_FAULTS] >= NPAGES);
	assert_measured(&c, PERF_CTR_PAGE_ALLOCS);
	assert_true(c.v[PERF_CTR_PAGE_ALLOCS] >= NPAGES);
	assert_measured(&c, PERF_CTR_TASK_CLOCK);
	assert_true(c.v[PERF_CTR_TASK_CLOCK] > 0);
}

/*
 * (c) MADV_POPULATE_WRITE: GUP faults the pages in (faultin_page_range ->
 * __get_user_pages -> handle_mm_fault(regs = NULL)). The pages are
 * allocated (>= N mm_page_alloc), under mmap_lock (>= 1 lock), but no
 * page-fault perf event is raised.
 */
static void test_populate(void **state)
{
	struct perf_counts c;
	struct opwin w;
	char *p;
	int ret;

	need_counters();
	p = fresh_map();
	perf_op_start();
	opwin_begin(&w);
	ret = madvise(p, BUF_BYTES, MADV_POPULATE_WRITE);
	opwin_end(&w);
	perf_op_read(0, &c);
	munmap(p, BUF_BYTES);
	if (ret && errno == EINVAL)
		SKIP_WHY("MADV_POPULATE_WRITE: EINVAL (kernel before 5.14)");
	assert_int_equal(ret, 0);
	show("MADV_POPULATE_WRITE of 1024 pages", &c);
	assert_measured(&c, PERF_CTR_PAGE_ALLOCS);
	assert_true(c.v[PERF_CTR_PAGE_ALLOCS] >= NPAGES);
	if (c.state[PERF_CTR_MMAP_LOCKS] == PERF_MEASURED)
		assert_true(c.v[PERF_CTR_MMAP_LOCKS] >= 1);
	assert_measured(&c, PERF_CTR_PAGE_FAULTS);
	/* GUP-driven faults are not page-fault perf events */
	assert_true(c.v[PERF_CTR_PAGE_FAULTS] < NPAGES);
}

/* (c) the same for a FOLL_PIN path: io_uring registration of a fresh buffer. */
static void test_iouring_pin_unpopulated(void **state)
{
	struct io_uring ring;
	struct perf_counts c;
	struct iovec iov;
	struct opwin w;
	char *p;
	int ret;

	need_counters();
	ret = io_uring_queue_init(4, &ring, 0);
	if (ret < 0)
		SKIP_WHY("io_uring_queue_init: %s", strerror(-ret));
	p = fresh_map();
	iov.iov_base = p;
	iov.iov_len = BUF_BYTES;
	perf_op_start();
	opwin_begin(&w);
	ret = io_uring_register_buffers(&ring, &iov, 1);
	opwin_end(&w);
	perf_op_read(0, &c);
	if (!ret)
		io_uring_unregister_buffers(&ring);
	io_uring_queue_exit(&ring);
	munmap(p, BUF_BYTES);
	if (ret < 0)
		fail_msg("io_uring_register_buffers: %s", strerror(-ret));
	show("io_uring register of 1024 unpopulated pages", &c);
	assert_measured(&c, PERF_CTR_PAGE_ALLOCS);
	assert_true(c.v[PERF_CTR_PAGE_ALLOCS] >= NPAGES);
	assert_measured(&c, PERF_CTR_PAGE_FAULTS);
	assert_true(c.v[PERF_CTR_PAGE_FAULTS] < NPAGES);
}

/* (d) a window around nothing. */
static void test_empty_window(void **state)
{
	struct perf_counts c;
	struct opwin w;

	need_counters();
	perf_op_start();
	opwin_begin(&w);
	opwin_end(&w);
	perf_op_read(0, &c);
	show("empty window", &c);
	assert_measured(&c, PERF_CTR_PAGE_FAULTS);
	assert_true(c.v[PERF_CTR_PAGE_FAULTS] <= SMALL);
}

/* (e) what happens between windows is not counted. */
static void test_outside_not_counted(void **state)
{
	struct perf_counts c;
	struct opwin w;
	char *p;

	need_counters();
	p = fresh_map();
	perf_op_start();
	opwin_begin(&w);
	opwin_end(&w);
	touch(p);
	opwin_begin(&w);
	opwin_end(&w);
	perf_op_read(0, &c);
	munmap(p, BUF_BYTES);
	show("two empty windows, 1024 faults between them", &c);
	assert_measured(&c, PERF_CTR_PAGE_FAULTS);
	assert_true(c.v[PERF_CTR_PAGE_FAULTS] <= SMALL);
	assert_true(c.v[PERF_CTR_PAGE_ALLOCS] < NPAGES / 8);
}

/* Windows of two ops interleaved, as vmsplice's fill and drain are. */
static void test_slots(void **state)
{
	struct perf_counts c0, c1, c2;
	struct opwin w;
	char *a, *b;

	need_counters();
	a = fresh_map();
	b = fresh_map();
	perf_op_start();
	for (int half = 0; half < 2; half++) {
		opwin_begin_op(&w, 0);
		touch_n(a + half * (BUF_BYTES / 2), NPAGES / 2);
		opwin_end(&w);
		opwin_begin_op(&w, 1);
		touch_n(b + half * (BUF_BYTES / 2), NPAGES / 2);
		opwin_end(&w);
	}
	perf_op_read(0, &c0);
	perf_op_read(1, &c1);
	perf_op_read(2, &c2);
	munmap(a, BUF_BYTES);
	munmap(b, BUF_BYTES);
	show("op 0: 2 windows of 512 faults", &c0);
	show("op 1: 2 windows of 512 faults, between op 0's", &c1);
	assert_measured(&c0, PERF_CTR_PAGE_FAULTS);
	assert_measured(&c1, PERF_CTR_PAGE_FAULTS);
	assert_true(c0.v[PERF_CTR_PAGE_FAULTS] >= NPAGES);
	assert_true(c0.v[PERF_CTR_PAGE_FAULTS] < NPAGES + NPAGES / 2);
	assert_true(c1.v[PERF_CTR_PAGE_FAULTS] >= NPAGES);
	assert_true(c1.v[PERF_CTR_PAGE_FAULTS] < NPAGES + NPAGES / 2);
	/* an op without windows has no value, not 0 */
	assert_int_equal(c2.state[PERF_CTR_PAGE_FAULTS], PERF_NOT_MEASURED);
}

/* A forked child's windows must not switch the parent's counters on. */
static void test_fork_child_inert(void **state)
{
	struct perf_counts c;
	struct opwin w;
	pid_t pid;
	char *p;
	int st;

	need_counters();
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		/* enable and never disable: through inherited fds this would stick */
		opwin_begin(&w);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	p = fresh_map();
	perf_op_start();
	touch(p);		/* outside any window */
	opwin_begin(&w);
	opwin_end(&w);
	perf_op_read(0, &c);
	munmap(p, BUF_BYTES);
	show("parent after a child's stray opwin_begin, 1024 faults outside", &c);
	assert_true(c.v[PERF_CTR_PAGE_FAULTS] <= SMALL);
}

/* A child opens its own counters (pvm's peer) and counts its own work. */
static void test_child_opens_own(void **state)
{
	struct perf_counts c;
	int fds[2], st;
	pid_t pid;

	need_counters();
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct perf_counts cc;
		struct opwin w;
		char *p;

		close(fds[0]);
		memset(&cc, 0, sizeof(cc));
		if (!perf_open()) {
			p = mmap(NULL, BUF_BYTES, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			madvise(p, BUF_BYTES, MADV_NOHUGEPAGE);
			perf_op_start();
			opwin_begin(&w);
			touch(p);
			opwin_end(&w);
			perf_op_read(0, &cc);
		}
		_exit(write(fds[1], &cc, sizeof(cc)) == sizeof(cc) ? 0 : 1);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &c, sizeof(c)), sizeof(c));
	close(fds[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	show("child's own counters, 1024 faults", &c);
	assert_int_equal(c.state[PERF_CTR_PAGE_FAULTS], PERF_MEASURED);
	assert_true(c.v[PERF_CTR_PAGE_FAULTS] >= NPAGES);
}

/*
 * What enable+disable costs: the group as the hooks do it (one ioctl on
 * the leader each way), and one ioctl per counter (seven standalone
 * software counters through libperf). Printed, not asserted.
 */
static void test_enable_disable_cost(void **state)
{
	static const uint64_t sw[] = {
		PERF_COUNT_SW_PAGE_FAULTS, PERF_COUNT_SW_CONTEXT_SWITCHES,
		PERF_COUNT_SW_CPU_MIGRATIONS, PERF_COUNT_SW_TASK_CLOCK,
		PERF_COUNT_SW_PAGE_FAULTS_MIN, PERF_COUNT_SW_PAGE_FAULTS_MAJ,
		PERF_COUNT_SW_CPU_CLOCK,
	};
	struct perf_evsel *ev[ARRAY_SIZE(sw)];
	const struct opwin_hooks *h = opwin_hooks;
	const int n = 20000;
	struct perf_thread_map *tm;
	uint64_t t0, with, without, each;
	struct perf_counts c;
	pid_t self = 0;
	struct opwin w;

	need_counters();
	perf_op_start();
	t0 = now_ns();
	for (int i = 0; i < n; i++) {
		opwin_begin(&w);
		opwin_end(&w);
	}
	with = now_ns() - t0;
	perf_op_read(0, &c);
	opwin_hooks = NULL;
	t0 = now_ns();
	for (int i = 0; i < n; i++) {
		opwin_begin(&w);
		opwin_end(&w);
	}
	without = now_ns() - t0;
	opwin_hooks = h;

	tm = perf_thread_map__new_array(1, &self);
	assert_non_null(tm);
	for (size_t k = 0; k < ARRAY_SIZE(sw); k++) {
		struct perf_event_attr a = {
			.size = sizeof(a), .type = PERF_TYPE_SOFTWARE, .config = sw[k], .disabled = 1,
		};

		ev[k] = perf_evsel__new(&a);
		assert_non_null(ev[k]);
		assert_int_equal(perf_evsel__open(ev[k], NULL, tm), 0);
	}
	t0 = now_ns();
	for (int i = 0; i < n; i++) {
		for (size_t k = 0; k < ARRAY_SIZE(sw); k++)
			perf_evsel__enable(ev[k]);
		for (size_t k = 0; k < ARRAY_SIZE(sw); k++)
			perf_evsel__disable(ev[k]);
	}
	each = now_ns() - t0;
	for (size_t k = 0; k < ARRAY_SIZE(sw); k++) {
		perf_evsel__close(ev[k]);
		perf_evsel__delete(ev[k]);
	}
	perf_thread_map__put(tm);

	print_message("# enable+disable per window: group (1 ioctl each way) %.0f ns; "
		      "one ioctl per counter (%zu counters) %.0f ns; %d windows\n",
		      (double)(with - without) / n, ARRAY_SIZE(sw), (double)each / n, n);
	print_message("# an empty window counts task-clock %.0f ns, context-switches %" PRId64 "\n",
		      (double)c.v[PERF_CTR_TASK_CLOCK] / n, c.v[PERF_CTR_CTX_SWITCHES]);
}

static int setup(void **state)
{
	if (!geteuid())
		open_ret = perf_open();
	return 0;
}

static int teardown(void **state)
{
	perf_close();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_software_live),
		cmocka_unit_test(test_hardware_marked),
		cmocka_unit_test(test_write_faults),
		cmocka_unit_test(test_populate),
		cmocka_unit_test(test_iouring_pin_unpopulated),
		cmocka_unit_test(test_empty_window),
		cmocka_unit_test(test_outside_not_counted),
		cmocka_unit_test(test_slots),
		cmocka_unit_test(test_fork_child_inert),
		cmocka_unit_test(test_child_opens_own),
		cmocka_unit_test(test_enable_disable_cost),
	};

	return cmocka_run_group_tests_name("counters", tests, setup, teardown);
}
