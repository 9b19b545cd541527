// SPDX-License-Identifier: GPL-2.0
/*
 * System test of the fork method (benches/method-fork.c) on the running
 * kernel: does fork really copy pinned pages and share the others?
 *
 * Through the method's test hook it reads the child's page tables while
 * the child of the "fork" op is alive, before and after the child writes,
 * and compares them with the parent's (/proc/<pid>/pagemap PFNs,
 * /proc/kpageflags, /proc/<pid>/maps and smaps):
 *  - pinned (io_uring, the default pin_method): every page of the child is
 *    a different page from the parent's already at fork, order 0, and the
 *    parent keeps its pinned pages;
 *  - not pinned: the child maps the parent's very pages until it writes,
 *    then none of them;
 *  - pinned + MADV_DONTFORK: the child has no VMA there at all;
 *  - PMD THP, pinned: the child gets 4 KiB copies (no THP), and the first
 *    fork splits the parent's PMD mapping (thp_split_pmd, AnonHugePages
 *    drops) while the folio stays one pinned THP;
 *  - PMD THP, not pinned: the child shares the THP, then its writes leave
 *    it with 4 KiB copies, and the parent keeps its PMD.
 * Also: the pin is held (no pin taken or dropped across a cycle), no child
 * is left behind, a child dies with its worker, and the check() hook
 * refuses what cannot work. Needs root (PFNs); THP knobs are saved and
 * restored around the THP tests. No timing is asserted; the times are
 * printed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "method.h"
#include "method-fork.h"
#include "scenario.h"
#include "util.h"
#include "vmstat.h"

extern const struct method method_fork;

#define MiB		(1ULL << 20)
#define SIZE_4K		(8 * MiB)
#define SIZE_THP	(16 * MiB)
#define ROUNDS		2	/* the second fork meets what the first left */
#define THP_DIR		"/sys/kernel/mm/transparent_hugepage"
#define KNOBS_MAX	32
#define KPF_THP		22
#define PM_PRESENT	(1ULL << 63)
#define PM_PFN		((1ULL << 55) - 1)

#define SKIP_WHY(...) do {					\
	print_message("# SKIP: " __VA_ARGS__);			\
	print_message("\n");					\
	skip();							\
} while (0)

/* ---- reading page tables ---- */

/* pagemap entries of n pages from addr in pid (0: self). 0 or -errno. */
static int pagemap_read(pid_t pid, const void *addr, size_t n, uint64_t *out)
{
	char path[64];
	size_t want = n * sizeof(uint64_t);
	ssize_t r;
	int fd;

	if (pid)
		fmt(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	else
		fmt(path, sizeof(path), "/proc/self/pagemap");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = pread(fd, out, want, (off_t)((uintptr_t)addr / PAGE_SZ * sizeof(uint64_t)));
	close(fd);
	if (r < 0)
		return -errno;
	return (size_t)r == want ? 0 : -EIO;
}

/* Pages among present entries whose folio is a THP (KPF_THP). */
static uint64_t count_thp(const uint64_t *pm, size_t n)
{
	uint64_t thp = 0, flags;
	int fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	for (size_t i = 0; i < n; i++) {
		if (!(pm[i] & PM_PRESENT))
			continue;
		if (pread(fd, &flags, sizeof(flags), (off_t)((pm[i] & PM_PFN) * 8)) == sizeof(flags) &&
		    (flags & (1ULL << KPF_THP)))
			thp++;
	}
	close(fd);
	return thp;
}

/* Is addr inside a VMA of pid? 1, 0, or -errno. */
static int vma_has(pid_t pid, const void *addr)
{
	char path[64], line[512];
	unsigned long a = (unsigned long)(uintptr_t)addr, lo, hi;
	int found = 0;
	FILE *f;

	fmt(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && a >= lo && a < hi)
			found = 1;
	fclose(f);
	return found;
}

/* AnonHugePages (kB) of the VMA holding addr in pid (0: self); -1 if none. */
static long anon_huge_kb(pid_t pid, const void *addr)
{
	char path[64], line[512];
	unsigned long a = (unsigned long)(uintptr_t)addr, lo, hi;
	long kb = -1, v;
	int in = 0;
	FILE *f;

	if (pid)
		fmt(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	else
		fmt(path, sizeof(path), "/proc/self/smaps");
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = a >= lo && a < hi;
		else if (in && sscanf(line, "AnonHugePages: %ld kB", &v) == 1)
			kb = v;
	}
	fclose(f);
	return kb;
}

static int64_t vmstat_one(enum vmstat_id id)
{
	struct vmstat s;

	assert_int_equal(vmstat_read(&s, 1), 0);
	return s.v[id];
}

/* ---- what the hook sees ---- */

struct snap {
	int seen;
	int vma;		/* the child has a VMA at the buffer */
	uint64_t present;	/* child pages present */
	uint64_t same;		/* child pages on the parent's PFN */
	uint64_t thp;		/* child pages in a THP */
	long huge_kb;		/* the child's AnonHugePages there */
	int err;
};

struct look {
	const struct buf *b;
	size_t n;
	const uint64_t *parent;	/* parent's pagemap before the cycle */
	uint64_t *tmp;
	struct snap at[2];	/* enum fork_hook_stage */
};

static void look_hook(pid_t child, enum fork_hook_stage stage, void *arg)
{
	struct look *l = arg;
	struct snap *s = &l->at[stage];
	int ret;

	memset(s, 0, sizeof(*s));
	s->seen = 1;
	ret = vma_has(child, l->b->addr);
	if (ret < 0) {
		s->err = ret;
		return;
	}
	s->vma = ret;
	s->huge_kb = anon_huge_kb(child, l->b->addr);
	ret = pagemap_read(child, l->b->addr, l->n, l->tmp);
	if (ret) {
		s->err = ret;
		return;
	}
	for (size_t i = 0; i < l->n; i++) {
		if (!(l->tmp[i] & PM_PRESENT))
			continue;
		s->present++;
		if ((l->parent[i] & PM_PRESENT) &&
		    (l->tmp[i] & PM_PFN) == (l->parent[i] & PM_PFN))
			s->same++;
	}
	s->thp = count_thp(l->tmp, l->n);
}

/* ---- fixture ---- */

struct fix {
	struct scenario sc;
	struct buf buf;
	struct mctx c;
	int inited;
	uint64_t *parent, *after, *tmp;
	size_t n;
	struct look look;
	/* THP knobs this test turned, restored in teardown */
	struct { char path[160]; char saved[32]; } knobs[KNOBS_MAX];
	int nknobs;
	char why[160];
};

static void scenario_fill(struct scenario *sc, const char *pinned, const char *pm,
			  uint64_t size, int order, double zero, int populate)
{
	memset(sc, 0, sizeof(*sc));
	fmt(sc->job, sizeof(sc->job), "test");
	fmt(sc->method, sizeof(sc->method), "fork");
	sc->backing = BACK_ANON;
	fmt(sc->dir, sizeof(sc->dir), "/var/tmp");
	sc->pinned = !strcmp(pinned, "no") ? PINNED_NO : !strcmp(pinned, "dontfork") ?
		     PINNED_DONTFORK : PINNED_YES;
	fmt(sc->pin_method, sizeof(sc->pin_method), "%s", pm);
	sc->size = size;
	sc->order = order;
	sc->zero = zero;
	sc->populate = populate;
	sc->repeat = ROUNDS;
	sc->threads = 1;
}

static int knob_set(struct fix *f, const char *path, const char *val)
{
	int ret;

	if (f->nknobs == KNOBS_MAX)
		return -ENOSPC;
	fmt(f->knobs[f->nknobs].path, sizeof(f->knobs[0].path), "%s", path);
	ret = sysfs_choice(path, f->knobs[f->nknobs].saved, sizeof(f->knobs[0].saved));
	if (ret)
		return ret;
	f->nknobs++;
	return file_write_str(path, val);
}

static int setup_plain(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	*state = f;
	return f ? 0 : -1;
}

/* PMD THP under MADV_HUGEPAGE, every other anon size off (as test_buf.c). */
static int setup_pmd(void **state)
{
	char path[192];
	struct dirent *d;
	struct fix *f;
	unsigned int kb;
	DIR *dir;
	int ret;

	if (setup_plain(state))
		return -1;
	f = *state;
	if (geteuid() != 0)
		return 0;
	dir = opendir(THP_DIR);
	if (!dir) {
		fmt(f->why, sizeof(f->why), THP_DIR ": %s", strerror(errno));
		return 0;
	}
	while ((d = readdir(dir))) {
		if (sscanf(d->d_name, "hugepages-%ukB", &kb) != 1 || kb == 2048)
			continue;
		fmt(path, sizeof(path), THP_DIR "/%s/enabled", d->d_name);
		if (access(path, F_OK))
			continue;
		ret = knob_set(f, path, "never");
		if (ret)
			fmt(f->why, sizeof(f->why), "%s: %s", path, strerror(-ret));
	}
	closedir(dir);
	fmt(path, sizeof(path), THP_DIR "/hugepages-2048kB/enabled");
	if (access(path, W_OK))
		fmt(path, sizeof(path), THP_DIR "/enabled");	/* before 6.8 */
	ret = knob_set(f, path, "madvise");
	if (ret)
		fmt(f->why, sizeof(f->why), "%s: %s", path, strerror(-ret));
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	fork_test_hook = NULL;
	fork_test_hook_arg = NULL;
	if (f->inited)
		method_fork.fini(&f->c);
	buf_free(&f->buf);
	for (int i = f->nknobs - 1; i >= 0; i--)
		file_write_str(f->knobs[i].path, f->knobs[i].saved);
	free(f->parent);
	free(f->after);
	free(f->tmp);
	free(f);
	return 0;
}

/* Root, a buffer of what was asked, the method's check and init (which pins). */
static void fix_start(struct fix *f, const char *pinned, uint64_t size, int order)
{
	struct buf_spec spec = {
		.backing = BACK_ANON, .size = size, .order = order, .zero = 0, .populate = 1,
	};
	char why[256] = "";
	int ret;

	if (geteuid() != 0)
		SKIP_WHY("needs root (pagemap PFNs of another process, kpageflags)");
	if (f->why[0])
		SKIP_WHY("THP knobs: %s", f->why);
	scenario_fill(&f->sc, pinned, "iouring", size, order, 0, 1);
	if (method_fork.check(&f->sc, why, sizeof(why)))
		SKIP_WHY("fork pinned=%s: check: %s", pinned, why);
	fmt(spec.dir, sizeof(spec.dir), "/var/tmp");
	assert_int_equal(buf_build(&f->buf, &spec), 0);
	assert_true(f->buf.got.exact);
	if (order && f->buf.got.order != order)
		SKIP_WHY("asked for order %d, got %d (%s): no THP to test here", order,
			 f->buf.got.order, f->buf.got.hist);
	assert_int_equal(f->buf.got.present, f->buf.got.pages);

	f->c.sc = &f->sc;
	f->c.buf = &f->buf;
	ret = method_fork.init(&f->c, why, sizeof(why));
	if (ret)
		print_message("# fork init: %s\n", why);
	assert_int_equal(ret, 0);
	f->inited = 1;
	print_message("# note: %s\n", f->c.note);

	f->n = size / PAGE_SZ;
	f->parent = calloc(f->n, sizeof(uint64_t));
	f->after = calloc(f->n, sizeof(uint64_t));
	f->tmp = calloc(f->n, sizeof(uint64_t));
	assert_non_null(f->parent);
	assert_non_null(f->after);
	assert_non_null(f->tmp);
	f->look.b = &f->buf;
	f->look.n = f->n;
	f->look.parent = f->parent;
	f->look.tmp = f->tmp;
	fork_test_hook = look_hook;
	fork_test_hook_arg = &f->look;
}

/*
 * One cycle with the hook looking at the child; the parent's PFNs must be
 * the same after it as before (pinned pages stay; unpinned ones too: the
 * child did the copying). Returns the ns of the three ops in ns[].
 */
static void fix_cycle(struct fix *f, int round, uint64_t ns[METHOD_MAX_OPS], char *why, size_t len)
{
	size_t moved = 0;
	int st, ret;

	assert_int_equal(pagemap_read(0, f->buf.addr, f->n, f->parent), 0);
	memset(f->look.at, 0, sizeof(f->look.at));
	why[0] = '\0';
	ret = method_fork.cycle(&f->c, ns, why, len);
	if (ret)
		print_message("# cycle: %s\n", why);
	assert_int_equal(ret, 0);
	assert_int_equal(pagemap_read(0, f->buf.addr, f->n, f->after), 0);
	for (size_t i = 0; i < f->n; i++)
		if ((f->after[i] & PM_PFN) != (f->parent[i] & PM_PFN) || !(f->after[i] & PM_PRESENT))
			moved++;
	for (int s = 0; s < 2; s++) {
		const struct snap *x = &f->look.at[s];

		print_message("# %s round %d, %s: child vma %d, present %" PRIu64 "/%zu, on the parent's "
			      "PFN %" PRIu64 ", in a THP %" PRIu64 ", AnonHugePages %ld kB\n",
			      pinned_name(f->sc.pinned), round, s ? "after its writes" : "at fork", x->vma,
			      x->present, f->n, x->same, x->thp, x->huge_kb);
		assert_true(x->seen);
		assert_int_equal(x->err, 0);
	}
	print_message("# %s round %d: fork %" PRIu64 " ns, child-write %s%" PRIu64 " ns, "
		      "fork-exit-wait %" PRIu64 " ns; parent pages moved: %zu\n", pinned_name(f->sc.pinned),
		      round, ns[0], ns[1] == OP_NOT_APPLICABLE ? "n/a " : "",
		      ns[1] == OP_NOT_APPLICABLE ? 0 : ns[1], ns[2], moved);
	assert_int_equal(moved, 0);
	assert_true(ns[0] > 0);
	assert_true(ns[2] > 0);
	/* nothing left behind: every child was reaped */
	assert_int_equal(waitpid(-1, &st, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void test_pinned_4k_copied(void **state)
{
	struct fix *f = *state;
	uint64_t ns[METHOD_MAX_OPS];
	char why[200];

	fix_start(f, "yes", SIZE_4K, 0);
	for (int r = 0; r < ROUNDS; r++) {
		fix_cycle(f, r, ns, why, sizeof(why));
		/* copied in the parent's fork: every page, none shared */
		assert_int_equal(f->look.at[FORK_HOOK_FORKED].present, f->n);
		assert_int_equal(f->look.at[FORK_HOOK_FORKED].same, 0);
		assert_int_equal(f->look.at[FORK_HOOK_WRITTEN].present, f->n);
		assert_int_equal(f->look.at[FORK_HOOK_WRITTEN].same, 0);
		assert_true(ns[1] != OP_NOT_APPLICABLE);
	}
}

static void test_unpinned_4k_shared(void **state)
{
	struct fix *f = *state;
	uint64_t ns[METHOD_MAX_OPS];
	char why[200];

	fix_start(f, "no", SIZE_4K, 0);
	for (int r = 0; r < ROUNDS; r++) {
		fix_cycle(f, r, ns, why, sizeof(why));
		/* shared until written, then all the child's own */
		assert_int_equal(f->look.at[FORK_HOOK_FORKED].present, f->n);
		assert_int_equal(f->look.at[FORK_HOOK_FORKED].same, f->n);
		assert_int_equal(f->look.at[FORK_HOOK_WRITTEN].present, f->n);
		assert_int_equal(f->look.at[FORK_HOOK_WRITTEN].same, 0);
	}
}

static void test_dontfork_no_vma(void **state)
{
	struct fix *f = *state;
	uint64_t ns[METHOD_MAX_OPS];
	char why[200];

	fix_start(f, "dontfork", SIZE_4K, 0);
	for (int r = 0; r < ROUNDS; r++) {
		fix_cycle(f, r, ns, why, sizeof(why));
		for (int s = 0; s < 2; s++) {
			assert_int_equal(f->look.at[s].vma, 0);
			assert_int_equal(f->look.at[s].present, 0);
		}
		assert_true(ns[1] == OP_NOT_APPLICABLE);
		print_message("# child-write: %s\n", why);
		assert_non_null(strstr(why, "MADV_DONTFORK"));
	}
}

static void test_pinned_thp_copied(void **state)
{
	struct fix *f = *state;
	uint64_t ns[METHOD_MAX_OPS];
	int64_t split0, split1;
	struct buf_got got;
	char why[200];
	long kb0, kb1;

	fix_start(f, "yes", SIZE_THP, 9);
	kb0 = anon_huge_kb(0, f->buf.addr);
	split0 = vmstat_one(VM_thp_split_pmd);
	for (int r = 0; r < ROUNDS; r++) {
		fix_cycle(f, r, ns, why, sizeof(why));
		/* 4 KiB copies of every page, made in the parent's fork */
		assert_int_equal(f->look.at[FORK_HOOK_FORKED].present, f->n);
		assert_int_equal(f->look.at[FORK_HOOK_FORKED].same, 0);
		assert_int_equal(f->look.at[FORK_HOOK_FORKED].thp, 0);
		assert_int_equal(f->look.at[FORK_HOOK_WRITTEN].same, 0);
		if (r == 0) {
			split1 = vmstat_one(VM_thp_split_pmd);
			kb1 = anon_huge_kb(0, f->buf.addr);
			print_message("# parent: AnonHugePages %ld -> %ld kB, thp_split_pmd +%" PRId64
				      " in the first cycle\n", kb0, kb1, split1 - split0);
			/* the first fork split the parent's PMDs: one per THP */
			assert_int_equal(kb0, (long)(SIZE_THP >> 10));
			assert_int_equal(kb1, 0);
			assert_true(split1 - split0 >= (int64_t)(SIZE_THP >> 21));
		}
	}
	/* ...but not the folios: still order-9 THPs, now mapped by PTEs */
	assert_int_equal(buf_readback(0, f->buf.addr, f->buf.spec.size, &got), 0);
	print_message("# parent folios after the forks: order %d (%s)\n", got.order, got.hist);
	assert_int_equal(got.order, 9);
}

static void test_unpinned_thp_shared(void **state)
{
	struct fix *f = *state;
	uint64_t ns[METHOD_MAX_OPS];
	char why[200];

	fix_start(f, "no", SIZE_THP, 9);
	for (int r = 0; r < ROUNDS; r++) {
		fix_cycle(f, r, ns, why, sizeof(why));
		/* the child maps the parent's THPs by PMD ... */
		assert_int_equal(f->look.at[FORK_HOOK_FORKED].same, f->n);
		assert_int_equal(f->look.at[FORK_HOOK_FORKED].thp, f->n);
		assert_int_equal(f->look.at[FORK_HOOK_FORKED].huge_kb, (long)(SIZE_THP >> 10));
		/* ... and its writes leave it with 4 KiB copies */
		assert_int_equal(f->look.at[FORK_HOOK_WRITTEN].present, f->n);
		assert_int_equal(f->look.at[FORK_HOOK_WRITTEN].same, 0);
		assert_int_equal(f->look.at[FORK_HOOK_WRITTEN].thp, 0);
		/* the parent keeps its PMD mappings */
		assert_int_equal(anon_huge_kb(0, f->buf.addr), (long)(SIZE_THP >> 10));
	}
}

/* Across cycles the pin stays: nothing pinned or unpinned by a fork. */
static void test_pin_held(void **state)
{
	struct fix *f = *state;
	uint64_t ns[METHOD_MAX_OPS];
	struct vmstat a, b;
	char why[200];
	int k;

	fix_start(f, "yes", SIZE_4K, 0);
	if (!vmstat_exact())
		SKIP_WHY("/proc/sys/vm/stat_refresh not writable: deltas would not be exact");
	fork_test_hook = NULL;
	for (k = 0; k < 10; k++) {
		assert_int_equal(vmstat_read(&a, 1), 0);
		assert_int_equal(method_fork.cycle(&f->c, ns, why, sizeof(why)), 0);
		assert_int_equal(vmstat_read(&b, 1), 0);
		if (a.v[VM_nr_foll_pin_acquired] == b.v[VM_nr_foll_pin_acquired] &&
		    a.v[VM_nr_foll_pin_released] == b.v[VM_nr_foll_pin_released])
			break;
		print_message("# pin counters moved: other pinners on the machine? again\n");
	}
	if (k == 10)
		SKIP_WHY("nr_foll_pin_* keep moving: another pinner, the check cannot be made here");
}

/*
 * A child must not outlive its worker: a stand-in worker process dies
 * while its "fork" child waits for the go byte; the child must die too
 * (SIGKILL from PR_SET_PDEATHSIG, or its own exit if it saw the worker
 * gone first). We are the subreaper, so the orphan comes back to us.
 */
static int orphan_pipe = -1;

static void die_hook(pid_t child, enum fork_hook_stage stage, void *arg)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	int pid = child;

	if (stage != FORK_HOOK_FORKED)
		return;
	if (write(orphan_pipe, &pid, sizeof(pid)) != sizeof(pid))
		_exit(2);
	nanosleep(&ts, NULL);	/* let the child reach its PDEATHSIG */
	_exit(0);		/* the worker dies with the child waiting */
}

static void test_child_dies_with_worker(void **state)
{
	struct fix *f = *state;
	int p[2], st, child = 0, waited;
	pid_t worker, got;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1))
		SKIP_WHY("PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
	assert_int_equal(pipe(p), 0);
	worker = fork();
	assert_true(worker >= 0);
	if (worker == 0) {
		struct buf_spec spec = { .backing = BACK_ANON, .size = MiB, .populate = 1 };
		uint64_t ns[METHOD_MAX_OPS];
		char why[200];

		close(p[0]);
		orphan_pipe = p[1];
		scenario_fill(&f->sc, "no", "iouring", MiB, 0, 0, 1);
		if (buf_build(&f->buf, &spec))
			_exit(3);
		f->c.sc = &f->sc;
		f->c.buf = &f->buf;
		if (method_fork.init(&f->c, why, sizeof(why)))
			_exit(4);
		fork_test_hook = die_hook;
		method_fork.cycle(&f->c, ns, why, sizeof(why));
		_exit(5);	/* the hook should have ended us */
	}
	close(p[1]);
	assert_int_equal(read(p[0], &child, sizeof(child)), sizeof(child));
	close(p[0]);
	assert_int_equal(waitpid(worker, &st, 0), worker);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	/* the orphan is ours now (or already gone); give it 5 s to die */
	for (waited = 0; waited < 500; waited++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		got = waitpid(child, &st, WNOHANG);
		if (got == child)
			break;
		nanosleep(&ts, NULL);
	}
	if (got != child)
		kill(child, SIGKILL);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	assert_int_equal(got, child);
	if (WIFSIGNALED(st))
		print_message("# orphan %d: killed by signal %d after the worker died\n", child,
			      WTERMSIG(st));
	else
		print_message("# orphan %d: exited %d (saw the worker gone)\n", child,
			      WEXITSTATUS(st));
	/*
	 * SIGKILL (PDEATHSIG), 0 (EOF on the go pipe: the worker's files
	 * close before its death signal goes out) or 3 (FORK_CHILD_ORPHAN:
	 * the worker was gone before the child's prctl): it did not outlive.
	 */
	assert_true((WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) ||
		    (WIFEXITED(st) && (WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 3)));
}

static void expect_refused(const struct scenario *sc, const char *part)
{
	char why[256] = "";

	assert_int_not_equal(method_fork.check(sc, why, sizeof(why)), 0);
	print_message("# refused (%s, pin_method %s): %s\n", pinned_name(sc->pinned), sc->pin_method,
		      why);
	assert_non_null(strstr(why, part));
}

static void test_check(void **state)
{
	struct scenario sc;
	char why[256] = "";

	(void)state;
	scenario_fill(&sc, "yes", "pvm-read", MiB, 0, 0, 1);
	expect_refused(&sc, "does not hold a pin");
	scenario_fill(&sc, "yes", "vmsplice", MiB, 0, 0, 1);
	expect_refused(&sc, "not FOLL_PIN");
	scenario_fill(&sc, "dontfork", "populate-write", MiB, 0, 0, 1);
	expect_refused(&sc, "not FOLL_PIN");
	scenario_fill(&sc, "yes", "fork", MiB, 0, 0, 1);
	expect_refused(&sc, "fork itself");
	scenario_fill(&sc, "yes", "iouring", MiB, 0, 0, 0);
	expect_refused(&sc, "populate=yes");
	scenario_fill(&sc, "dontfork", "iouring", MiB, 0, 0.5, 1);
	expect_refused(&sc, "zero pages");
	scenario_fill(&sc, "no", "iouring", 2 * MiB, 9, 0, 1);
	sc.backing = BACK_HUGETLB_2M;
	expect_refused(&sc, "pool");
	scenario_fill(&sc, "no", "iouring", MiB, 0, 0, 1);
	sc.threads = 2;
	expect_refused(&sc, "threads=1");

	/* not pinned: any zero ratio, populated or not */
	scenario_fill(&sc, "no", "pvm-read", MiB, 0, 0.5, 0);
	assert_int_equal(method_fork.check(&sc, why, sizeof(why)), 0);
	scenario_fill(&sc, "yes", "iouring", MiB, 0, 0, 1);
	if (method_fork.check(&sc, why, sizeof(why)))
		SKIP_WHY("pinned=yes with iouring refused here: %s", why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test_setup_teardown(test_pinned_4k_copied, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_unpinned_4k_shared, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_dontfork_no_vma, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_pinned_thp_copied, setup_pmd, teardown),
		cmocka_unit_test_setup_teardown(test_unpinned_thp_shared, setup_pmd, teardown),
		cmocka_unit_test_setup_teardown(test_pin_held, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_child_dies_with_worker, setup_plain, teardown),
	};

	return cmocka_run_group_tests_name("fork", tests, NULL, NULL);
}
