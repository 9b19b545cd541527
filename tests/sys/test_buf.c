// SPDX-License-Identifier: GPL-2.0
/*
 * System test of benches/buf.c: build real buffers on the running kernel
 * and check that pagemap/kpageflags read back what was asked for.
 * Needs root (PFNs, kpageflags, THP knobs); without it the tests skip.
 * THP knobs a test turns are saved in its setup and restored in its
 * teardown, which cmocka runs even when an assertion fails.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <linux/capability.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "need.h"
#include "util.h"

#define MiB (1ULL << 20)
#define THP_DIR "/sys/kernel/mm/transparent_hugepage"
#define KNOBS_MAX 32

struct knob {
	char path[160];
	char saved[32];
};

/* Per-test state: the knobs we changed, and why we cannot run if so. */
struct thp_state {
	struct knob knobs[KNOBS_MAX];
	int n;
	char why[160];	/* non-empty: skip the test with this reason */
};

#define SKIP_WHY(...) do {					\
	print_message("# SKIP: " __VA_ARGS__);			\
	print_message("\n");					\
	skip();							\
} while (0)

#define NEED_ROOT() do {					\
	if (geteuid() != 0)					\
		SKIP_WHY("needs root (pagemap PFNs, kpageflags)");	\
} while (0)

static void thp_restore(struct thp_state *st)
{
	int i;

	/* in reverse, so a knob saved twice ends at its first value */
	for (i = st->n - 1; i >= 0; i--)
		file_write_str(st->knobs[i].path, st->knobs[i].saved);
	st->n = 0;
}

static int thp_set(struct thp_state *st, const char *path, const char *val)
{
	struct knob *k;
	int ret;

	if (st->n == KNOBS_MAX)
		return -ENOSPC;
	k = &st->knobs[st->n];
	fmt(k->path, sizeof(k->path), "%s", path);
	ret = sysfs_choice(path, k->saved, sizeof(k->saved));
	if (ret)
		return ret;
	st->n++;
	return file_write_str(path, val);
}

/*
 * Leave exactly one anonymous THP size usable under MADV_HUGEPAGE: the
 * fault handler takes the largest enabled order, so any other size left
 * on (say by an earlier crashed run) would shadow the one under test.
 */
static int thp_only(void **state, unsigned int kb)
{
	struct thp_state *st = calloc(1, sizeof(*st));
	char want[192], path[192];
	struct dirent *d;
	unsigned int n;
	DIR *dir;
	int ret;

	if (!st)
		return -1;
	*state = st;
	if (geteuid() != 0)
		return 0;	/* the test skips */
	fmt(want, sizeof(want), THP_DIR "/hugepages-%ukB/enabled", kb);
	if (access(want, W_OK)) {
		fmt(st->why, sizeof(st->why), "%s: %s", want, strerror(errno));
		return 0;
	}
	dir = opendir(THP_DIR);
	if (!dir) {
		fmt(st->why, sizeof(st->why), THP_DIR ": %s", strerror(errno));
		return 0;
	}
	while ((d = readdir(dir))) {
		if (sscanf(d->d_name, "hugepages-%ukB", &n) != 1 || n == kb)
			continue;
		fmt(path, sizeof(path), THP_DIR "/%s/enabled", d->d_name);
		/* order 1 (8kB) has only shmem_enabled: anon can't use it */
		if (access(path, F_OK))
			continue;
		ret = thp_set(st, path, "never");
		if (ret)
			fmt(st->why, sizeof(st->why), "%s: %s", path,
			    strerror(-ret));
	}
	closedir(dir);
	ret = thp_set(st, want, "madvise");
	if (ret)
		fmt(st->why, sizeof(st->why), "%s: %s", want, strerror(-ret));
	return 0;
}

static int setup_pmd(void **state)
{
	return thp_only(state, 2048);
}

static int setup_64k(void **state)
{
	return thp_only(state, 64);
}

static int teardown_thp(void **state)
{
	struct thp_state *st = *state;

	if (st) {
		thp_restore(st);
		free(st);
	}
	return 0;
}

static void thp_check(void **state)
{
	struct thp_state *st = *state;

	NEED_ROOT();
	if (st->why[0])
		SKIP_WHY("%s", st->why);
}

static void build(struct buf *b, uint64_t size, int order, double zero,
		  int populate)
{
	struct buf_spec s = {
		.size = size, .order = order, .zero = zero,
		.populate = populate,
	};
	int ret = buf_build(b, &s);

	if (ret)
		print_message("# buf_build: %s\n", strerror(-ret));
	assert_int_equal(ret, 0);
	print_message("# size=%llu order=%d zero=%.2f populate=%d: pages=%llu "
		      "present=%llu zero_pages=%llu order=%d hist=\"%s\" "
		      "exact=%d\n", (unsigned long long)size, order, zero,
		      populate, (unsigned long long)b->got.pages,
		      (unsigned long long)b->got.present,
		      (unsigned long long)b->got.zero_pages, b->got.order,
		      b->got.hist, b->got.exact);
	assert_int_equal(b->got.exact, 1);
	assert_int_equal(b->got.pages, size / PAGE_SZ);
	assert_int_equal((uintptr_t)b->addr % (2 * MiB), 0);
	assert_int_equal((uintptr_t)b->addr % (PAGE_SZ << order), 0);
}

static void test_small_populated(void **state)
{
	struct buf b;
	char hist[32];

	(void)state;
	NEED_ROOT();
	build(&b, 8 * MiB, 0, 0, 1);
	assert_int_equal(b.got.present, b.got.pages);
	assert_int_equal(b.got.zero_pages, 0);
	assert_int_equal(b.got.order, 0);
	assert_int_equal(b.zero_chunks, 0);
	fmt(hist, sizeof(hist), "o0=%llu", (unsigned long long)b.got.pages);
	assert_string_equal(b.got.hist, hist);
	buf_free(&b);
	assert_null(b.map);
}

static void test_small_half_zero(void **state)
{
	struct buf b;
	char hist[32];

	NEED_KFEAT(KF_ZERO_PAGE);
	(void)state;
	NEED_ROOT();
	build(&b, 8 * MiB, 0, 0.5, 1);
	assert_int_equal(b.zero_chunks, b.got.pages / 2);
	assert_int_equal(b.got.zero_pages, b.got.pages / 2);
	assert_int_equal(b.got.present, b.got.pages);
	assert_int_equal(b.got.order, 0);
	fmt(hist, sizeof(hist), "o0=%llu", (unsigned long long)b.got.pages / 2);
	assert_string_equal(b.got.hist, hist);
	buf_free(&b);
}

static void test_all_zero(void **state)
{
	struct buf b;

	NEED_KFEAT(KF_ZERO_PAGE);
	(void)state;
	NEED_ROOT();
	build(&b, 8 * MiB, 0, 1.0, 0);
	assert_int_equal(b.zero_chunks, b.got.pages);
	assert_int_equal(b.got.present, b.got.pages);
	assert_int_equal(b.got.zero_pages, b.got.present);
	assert_int_equal(b.got.order, -1);
	assert_string_equal(b.got.hist, "");
	buf_free(&b);
}

static void test_unpopulated(void **state)
{
	struct buf b;

	(void)state;
	NEED_ROOT();
	build(&b, 8 * MiB, 0, 0, 0);
	assert_int_equal(b.got.present, 0);
	assert_int_equal(b.got.zero_pages, 0);
	assert_int_equal(b.got.order, -1);
	assert_string_equal(b.got.hist, "");
	buf_free(&b);
}

static void test_pmd_thp(void **state)
{
	struct buf_got got;
	struct buf b;

	thp_check(state);
	build(&b, 16 * MiB, 9, 0, 1);
	assert_int_equal(b.got.present, b.got.pages);
	assert_int_equal(b.got.zero_pages, 0);
	assert_int_equal(b.got.order, 9);
	assert_string_equal(b.got.hist, "o9=8");

	/*
	 * Folio size goes by PFN: with half a THP zapped (the PMD split, the
	 * folio not yet) and a range that starts at a tail, it still reads
	 * as order 9.
	 */
	assert_int_equal(madvise((char *)b.addr + MiB, MiB, MADV_DONTNEED), 0);
	assert_int_equal(buf_readback(0, b.addr, b.spec.size, &got), 0);
	assert_int_equal(got.present, got.pages - 256);
	assert_string_equal(got.hist, "o9=8");
	assert_int_equal(buf_readback(0, (char *)b.addr + 3 * MiB, 2 * MiB,
				      &got), 0);
	assert_int_equal(got.present, 512);
	assert_int_equal(got.order, 9);
	assert_string_equal(got.hist, "o9=2");
	buf_free(&b);
}

static void test_pmd_half_zero(void **state)
{
	char zp[16] = "";
	struct buf b;

	thp_check(state);
	NEED_KFEAT(KF_HUGE_ZERO_PAGE);
	build(&b, 16 * MiB, 9, 0.5, 1);
	assert_int_equal(b.zero_chunks, 4);
	assert_int_equal(b.got.present, b.got.pages);
	assert_int_equal(b.got.order, 9);
	assert_string_equal(b.got.hist, "o9=4");
	/*
	 * With use_zero_page=0 a read fault allocates a real THP, so the
	 * zero chunks are folios like the others: nothing to check there.
	 */
	if (file_read_str(THP_DIR "/use_zero_page", zp, sizeof(zp)) ||
	    strcmp(zp, "1"))
		print_message("# use_zero_page is \"%s\": zero page check "
			      "skipped\n", zp);
	else
		assert_int_equal(b.got.zero_pages, b.got.pages / 2);
	buf_free(&b);
}

static void test_mthp_64k(void **state)
{
	struct buf b;

	thp_check(state);
	build(&b, 4 * MiB, 4, 0, 1);
	assert_int_equal(b.got.present, b.got.pages);
	assert_int_equal(b.got.zero_pages, 0);
	assert_int_equal(b.got.order, 4);
	assert_string_equal(b.got.hist, "o4=64");
	buf_free(&b);
}

/* Pure validation: needs no privilege, so it always runs. */
static void test_bad_spec(void **state)
{
	static const struct buf_spec bad[] = {
		{ .size = 0 },
		{ .size = 4097 },
		{ .size = 3 * 4096, .order = 4 },	/* not whole folios */
		{ .size = 2 * MiB + 4096, .order = 9 },
		{ .size = 4096, .zero = 1.5 },
		{ .size = 4096, .zero = -0.1 },
		{ .size = 4096, .zero = NAN },
		{ .size = 4096, .order = -1 },
		{ .size = 8ULL << 32, .order = 21 },
	};
	struct buf b;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(buf_build(&b, &bad[i]), -EINVAL);
		assert_null(b.map);
	}
}

static void test_rebuild(void **state)
{
	struct buf_got first;
	struct buf b;
	void *old;

	thp_check(state);
	build(&b, 16 * MiB, 9, 0.5, 1);
	first = b.got;
	old = b.addr;
	assert_int_equal(buf_rebuild(&b), 0);
	print_message("# rebuilt: present=%llu zero_pages=%llu order=%d "
		      "hist=\"%s\" (addr %s)\n",
		      (unsigned long long)b.got.present,
		      (unsigned long long)b.got.zero_pages, b.got.order,
		      b.got.hist, b.addr == old ? "reused" : "moved");
	assert_int_equal(b.spec.size, 16 * MiB);
	assert_int_equal(b.spec.order, 9);
	assert_int_equal(b.zero_chunks, 4);
	assert_int_equal(b.got.pages, first.pages);
	assert_int_equal(b.got.present, first.present);
	assert_int_equal(b.got.zero_pages, first.zero_pages);
	assert_int_equal(b.got.order, first.order);
	assert_string_equal(b.got.hist, first.hist);
	buf_free(&b);
	assert_int_equal(buf_rebuild(&b), -EINVAL);
}

/* Another process's pagemap: a forked child shares our pages until COW. */
static void test_remote_pid(void **state)
{
	struct buf_got got;
	struct buf b;
	int p[2], st;
	pid_t pid;
	char c;

	NEED_KFEAT(KF_ZERO_PAGE);
	(void)state;
	NEED_ROOT();
	build(&b, 8 * MiB, 0, 0.25, 1);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		close(p[1]);
		/* wait for the parent to finish reading, without touching b */
		_exit(read(p[0], &c, 1) < 0);
	}
	close(p[0]);
	st = buf_readback(pid, b.addr, b.spec.size, &got);
	close(p[1]);
	waitpid(pid, NULL, 0);
	assert_int_equal(st, 0);
	assert_int_equal(got.exact, 1);
	assert_int_equal(got.present, b.got.present);
	assert_int_equal(got.zero_pages, b.got.zero_pages);
	assert_int_equal(got.zero_pages, b.got.pages / 4);
	assert_string_equal(got.hist, b.got.hist);
	buf_free(&b);
}

/* Without CAP_SYS_ADMIN pagemap hides PFNs: presence only, exact = 0. */
static void test_hidden_pfn(void **state)
{
	int st;
	pid_t pid;

	(void)state;
	NEED_ROOT();
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct __user_cap_header_struct h = {
			_LINUX_CAPABILITY_VERSION_3, 0
		};
		struct __user_cap_data_struct d[2];
		struct buf_spec s = { .size = 2 * MiB, .zero = 0.5,
				      .populate = 1 };
		struct buf b;

		if (syscall(SYS_capget, &h, d))
			_exit(10);
		d[CAP_SYS_ADMIN / 32].effective &=
			~(1u << (CAP_SYS_ADMIN % 32));
		if (syscall(SYS_capset, &h, d))
			_exit(11);
		if (buf_build(&b, &s))
			_exit(12);
		if (b.got.exact != 0 || b.got.present != b.got.pages ||
		    b.got.zero_pages != 0 || b.got.order != -1 ||
		    b.got.hist[0])
			_exit(13);
		buf_free(&b);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_populated),
		cmocka_unit_test(test_small_half_zero),
		cmocka_unit_test(test_all_zero),
		cmocka_unit_test(test_unpopulated),
		cmocka_unit_test_setup_teardown(test_pmd_thp, setup_pmd,
						teardown_thp),
		cmocka_unit_test_setup_teardown(test_pmd_half_zero, setup_pmd,
						teardown_thp),
		cmocka_unit_test_setup_teardown(test_mthp_64k, setup_64k,
						teardown_thp),
		cmocka_unit_test(test_bad_spec),
		cmocka_unit_test_setup_teardown(test_rebuild, setup_pmd,
						teardown_thp),
		cmocka_unit_test(test_remote_pid),
		cmocka_unit_test(test_hidden_pfn),
	};

	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
