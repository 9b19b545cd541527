// SPDX-License-Identifier: GPL-2.0
/*
 * Per-op kernel counters through libperf (the kernel's tools/lib/perf,
 * built from linux-source-6.1 into .deps/).
 *
 * Every counter is opened for the calling thread (pid 0, any CPU), with
 * nothing excluded: the point is the kernel's work on behalf of the op.
 * They start disabled, and opwin_begin()/opwin_end() enable and disable
 * them, so they count exactly the timed windows: the enable happens
 * before the clock starts and the disable after it stops.
 *
 * Groups: the software events and tracepoints form one group and the
 * hardware events another (a hardware group the PMU must multiplex would
 * otherwise take the software counts down with it). Only a group's
 * leader is created disabled; the siblings are enabled but cannot count
 * while their leader is off, so one PERF_EVENT_IOC_ENABLE on the leader
 * (perf_evsel__enable()) switches the whole group. Measured here (kernel
 * 6.18, Firecracker VM, 2 vCPUs; seven software/tracepoint counters; a
 * loop of 20000-100000 enable+disable pairs on raw fds, and the
 * enable_disable_cost case of tests/sys/test_counters.c through
 * libperf):
 *	group leader only			~3.3-3.8 us per enable+disable
 *	leader with PERF_IOC_FLAG_GROUP		~6.6-8.2 us
 *	prctl(PR_TASK_PERF_EVENTS_ENABLE/DISABLE) ~7.1 us
 *	one ioctl per counter (7 counters)	~14.5-17.3 us
 * None of it is inside the clock, but part of it is inside the counters:
 * an empty window counts ~1.2 us (raw fds) to ~2.3 us (through libperf
 * and the hooks) of task-clock, the return from the enable ioctl and the
 * entry into the disable one; a context switch in ~1 of 2000 windows;
 * no page faults.
 *
 * What counts and what does not (checked in mm/memory.c and
 * arch/x86/mm/fault.c of 6.1 and 6.18, and by tests/sys/test_counters.c
 * on 6.18):
 *  - page-faults (PERF_COUNT_SW_PAGE_FAULTS) is raised by the arch fault
 *    handler (do_user_addr_fault()), i.e. only for faults taken by the
 *    CPU. Faults that GUP takes for the caller (faultin_page() ->
 *    handle_mm_fault(regs = NULL): MADV_POPULATE_*, io_uring
 *    registration of an unpopulated buffer, process_vm_* of a remote
 *    one) are not perf events at all: mm_account_fault() counts them in
 *    the task's min_flt/maj_flt and returns before perf_sw_event() when
 *    regs is NULL ("it's not really the fault of the process which
 *    called GUP"). Measured: a MADV_POPULATE_WRITE of 4096 fresh pages
 *    counts 0 page-faults and 4104 kmem:mm_page_alloc.
 *  - kmem:mm_page_alloc fires once per allocation of any order: a PMD
 *    THP is one event, and page tables, slab pages and the like count
 *    too. It is the closest per-task count of "pages the kernel had to
 *    find" that the kernel offers.
 *  - mmap_lock:mmap_lock_start_locking fires on every mmap_lock read or
 *    write lock attempt by this thread (trylocks included, on any mm:
 *    the remote mm for process_vm_*), contended or not; there is no
 *    per-task "waited for mmap_lock" event, and lock:contention_begin
 *    does not say which lock. Page faults on 6.18 take per-VMA locks
 *    and do not count here, except the first fault of a fresh anonymous
 *    VMA, which falls back to mmap_lock to set up its anon_vma.
 *  - migrate:mm_migrate_pages fires once per migrate_pages() call (not
 *    per page): FOLL_LONGTERM moving pages out of movable zones/CMA,
 *    compaction in the caller's context.
 *  - Work done by other tasks is not counted: a kworker's deferred
 *    release (xdp-umem unpin), RCU callbacks.
 *
 * Per-op deltas: perf_op_start() takes a snapshot (reads, no reset
 * ioctl), perf_op_read() the difference. A SHAPE_PAIRED cycle() opens each
 * op's windows with opwin_begin_op(): when the slot changes the counts
 * so far are read and credited to the previous slot (outside the clock).
 *
 * Tracepoint ids: 6.1's libperf has no tracepoint helper, so the id is
 * read from tracefs (events/<sys>/<event>/id). Where tracefs is not
 * mounted at /sys/kernel/tracing, a child of ours mounts it in a mount
 * namespace of its own, reads the ids and exits: nobody else ever sees
 * the mount, and it goes with the namespace however the child ends (a
 * SIGKILL of the worker included), so the machine is left as it was.
 *
 * fork(): the child keeps the parent's fds, which control the parent's
 * counters. A pthread_atfork() child handler makes them inert in the
 * child (no syscalls in the handler, so forks that are themselves
 * measured do not pay); a child that wants counters calls perf_open()
 * (the pvm peer does). A child made by a raw clone() must not open
 * windows.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <perf/core.h>
#include <perf/evlist.h>
#include <perf/evsel.h>
#include <perf/threadmap.h>

#include "perf.h"
#include "util.h"

#define TRACEFS_DIR	"/sys/kernel/tracing"
#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC	0x74726163
#endif

enum perf_group { PERF_GRP_SW, PERF_GRP_HW, PERF_GROUPS };

struct perf_ctr_def {
	const char *name;
	uint32_t type;		/* PERF_TYPE_* */
	uint64_t config;	/* for software and hardware events */
	const char *tp;		/* "sys:event" for tracepoints */
	enum perf_group group;
};

static const struct perf_ctr_def perf_defs[PERF_CTR_NR] = {
	[PERF_CTR_PAGE_FAULTS] = { "page-faults", PERF_TYPE_SOFTWARE,
				   PERF_COUNT_SW_PAGE_FAULTS, NULL, PERF_GRP_SW },
	[PERF_CTR_CTX_SWITCHES] = { "context-switches", PERF_TYPE_SOFTWARE,
				    PERF_COUNT_SW_CONTEXT_SWITCHES, NULL, PERF_GRP_SW },
	[PERF_CTR_CPU_MIGRATIONS] = { "cpu-migrations", PERF_TYPE_SOFTWARE,
				      PERF_COUNT_SW_CPU_MIGRATIONS, NULL, PERF_GRP_SW },
	[PERF_CTR_TASK_CLOCK] = { "task-clock", PERF_TYPE_SOFTWARE,
				  PERF_COUNT_SW_TASK_CLOCK, NULL, PERF_GRP_SW },
	[PERF_CTR_PAGE_ALLOCS] = { "kmem:mm_page_alloc", PERF_TYPE_TRACEPOINT, 0,
				   "kmem:mm_page_alloc", PERF_GRP_SW },
	[PERF_CTR_MMAP_LOCKS] = { "mmap_lock:mmap_lock_start_locking", PERF_TYPE_TRACEPOINT, 0,
				  "mmap_lock:mmap_lock_start_locking", PERF_GRP_SW },
	[PERF_CTR_MIGRATE_PAGES] = { "migrate:mm_migrate_pages", PERF_TYPE_TRACEPOINT, 0,
				     "migrate:mm_migrate_pages", PERF_GRP_SW },
	[PERF_CTR_CYCLES] = { "cycles", PERF_TYPE_HARDWARE,
			      PERF_COUNT_HW_CPU_CYCLES, NULL, PERF_GRP_HW },
	[PERF_CTR_INSTRUCTIONS] = { "instructions", PERF_TYPE_HARDWARE,
				    PERF_COUNT_HW_INSTRUCTIONS, NULL, PERF_GRP_HW },
};

/* One thread's counters and the op in progress. */
struct perf_thread {
	int opened;			/* perf_open() ran: the states below are known */
	int live;			/* at least one counter counts */
	struct perf_thread_map *threads;
	struct perf_evlist *grp[PERF_GROUPS];	/* owns the live evsels */
	int leader[PERF_GROUPS];	/* counter index of the leader, -1: none */
	struct perf_evsel *ev[PERF_CTR_NR];	/* NULL: not live */
	uint8_t fail[PERF_CTR_NR];	/* enum perf_state when not live */
	char why[PERF_CTR_NR][112];

	/* the op since perf_op_start() */
	uint64_t base[PERF_CTR_NR];
	uint64_t base_ena[PERF_GROUPS], base_run[PERF_GROUPS];
	int64_t acc[PERF_MAX_SLOTS][PERF_CTR_NR];
	uint8_t bad[PERF_MAX_SLOTS][PERF_CTR_NR];	/* read failed or multiplexed */
	int windows[PERF_MAX_SLOTS];
	unsigned int slot;		/* the slot counts since the last fold belong to */
	int pending;			/* windows since the last fold */
};

static __thread struct perf_thread perf_self;

const char *perf_ctr_name(int ctr)
{
	return ctr >= 0 && ctr < PERF_CTR_NR ? perf_defs[ctr].name : "?";
}

const char *perf_ctr_kind(int ctr)
{
	if (ctr < 0 || ctr >= PERF_CTR_NR)
		return "?";
	switch (perf_defs[ctr].type) {
	case PERF_TYPE_SOFTWARE:
		return "software";
	case PERF_TYPE_TRACEPOINT:
		return "tracepoint";
	default:
		return "hardware";
	}
}

static int perf_silent(enum libperf_print_level level, const char *f, va_list ap)
{
	return 0;
}

/* ---- tracepoint ids ---- */

static int tp_id_read(const char *root, const char *tp, uint64_t *id)
{
	const char *colon = strchr(tp, ':');
	char path[256], v[32], *end;
	int ret;

	if (!colon)
		return -EINVAL;
	fmt(path, sizeof(path), "%s/events/%.*s/%s/id", root, (int)(colon - tp), tp, colon + 1);
	ret = file_read_str(path, v, sizeof(v));
	if (ret)
		return ret;
	*id = strtoull(v, &end, 10);
	return *end || end == v ? -EINVAL : 0;
}

static int tracefs_mounted(const char *dir)
{
	struct statfs sf;

	return !statfs(dir, &sf) && sf.f_type == TRACEFS_MAGIC;
}

/*
 * Ids never change while the kernel runs: resolved once per process (a
 * forked child inherits them). tp_err[i] is 0 or why counter i has none.
 */
static uint64_t tp_ids[PERF_CTR_NR];
static int tp_err[PERF_CTR_NR];
static int tp_done;
static pthread_mutex_t tp_lock = PTHREAD_MUTEX_INITIALIZER;

/* What the child of tp_read_private() sends back. */
struct tp_answer {
	int mount_err;			/* 0, or -errno of the mount */
	int err[PERF_CTR_NR];
	uint64_t id[PERF_CTR_NR];
};

static void tp_read_all(const char *root, struct tp_answer *a)
{
	for (int i = 0; i < PERF_CTR_NR; i++)
		if (perf_defs[i].type == PERF_TYPE_TRACEPOINT)
			a->err[i] = tp_id_read(root, perf_defs[i].tp, &a->id[i]);
}

/*
 * tracefs is not mounted: fork a child that unshares its mount namespace,
 * makes every mount private (nothing propagates back), mounts tracefs at
 * TRACEFS_DIR there, reads the ids into a pipe and exits. 0 or -errno.
 */
static int tp_read_private(struct tp_answer *a)
{
	int fds[2], st;
	size_t got = 0;
	pid_t pid;

	memset(a, 0, sizeof(*a));
	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		int e = -errno;

		close(fds[0]);
		close(fds[1]);
		return e;
	}
	if (!pid) {
		close(fds[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("nodev", TRACEFS_DIR, "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
			a->mount_err = -errno;
		else
			tp_read_all(TRACEFS_DIR, a);
		/* the mount goes with this namespace: no umount to forget */
		if (write(fds[1], a, sizeof(*a)) != (ssize_t)sizeof(*a))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	while (got < sizeof(*a)) {
		ssize_t n = read(fds[0], (char *)a + got, sizeof(*a) - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fds[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return got == sizeof(*a) ? 0 : -EIO;
}

static void tp_resolve(void)
{
	struct tp_answer a = { 0 };
	int err = 0;

	pthread_mutex_lock(&tp_lock);
	if (tp_done)
		goto out;
	if (tracefs_mounted(TRACEFS_DIR))
		tp_read_all(TRACEFS_DIR, &a);
	else if (!(err = tp_read_private(&a)))
		err = a.mount_err;
	/* -ENOENT says "no such event": a failed mount must not look like one */
	if (err == -ENOENT)
		err = -EIO;
	for (int i = 0; i < PERF_CTR_NR; i++) {
		if (perf_defs[i].type != PERF_TYPE_TRACEPOINT)
			continue;
		tp_err[i] = err ? err : a.err[i];
		tp_ids[i] = a.id[i];
	}
	/* a failed mount (no root) is tried again by the next perf_open() */
	tp_done = !err;
out:
	pthread_mutex_unlock(&tp_lock);
}

/* ---- open and close ---- */

static const char *errno_name(int e)
{
	switch (e) {
	case ENOENT:
		return "ENOENT";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	case ENODEV:
		return "ENODEV";
	case ENOSYS:
		return "ENOSYS";
	default:
		return strerror(e);
	}
}

static void perf_why(struct perf_thread *t, int i, int err)
{
	const struct perf_ctr_def *d = &perf_defs[i];
	char par[16] = "?";

	switch (err) {
	case -ENOENT:
	case -EOPNOTSUPP:
	case -ENODEV:
	case -ENOSYS:
		t->fail[i] = PERF_UNSUPPORTED;
		if (d->type == PERF_TYPE_TRACEPOINT)
			fmt(t->why[i], sizeof(t->why[i]), "no tracepoint %s on this kernel", d->tp);
		else if (d->type == PERF_TYPE_HARDWARE)
			fmt(t->why[i], sizeof(t->why[i]),
			    "not supported: perf_event_open: %s (no such PMU event here; a VM without a vPMU?)",
			    errno_name(-err));
		else
			fmt(t->why[i], sizeof(t->why[i]), "not supported by this kernel (perf_event_open: %s)",
			    errno_name(-err));
		return;
	case -EACCES:
	case -EPERM:
		t->fail[i] = PERF_NOT_MEASURED;
		file_read_str("/proc/sys/kernel/perf_event_paranoid", par, sizeof(par));
		if (d->type == PERF_TYPE_TRACEPOINT && err == -EPERM && tp_err[i])
			fmt(t->why[i], sizeof(t->why[i]),
			    "tracefs not mounted and mounting it needs root");
		else if (d->type == PERF_TYPE_TRACEPOINT && tp_err[i])
			fmt(t->why[i], sizeof(t->why[i]),
			    "tracefs: %s (tracepoint ids need root)", strerror(-err));
		else
			fmt(t->why[i], sizeof(t->why[i]),
			    "no permission: counting kernel work needs root or CAP_PERFMON (perf_event_paranoid=%s)",
			    par);
		return;
	default:
		t->fail[i] = PERF_NOT_MEASURED;
		fmt(t->why[i], sizeof(t->why[i]), "%s: %s",
		    d->type == PERF_TYPE_TRACEPOINT && tp_err[i] ? "tracefs" : "perf_event_open",
		    strerror(-err));
	}
}

static void perf_release(struct perf_thread *t)
{
	for (int g = 0; g < PERF_GROUPS; g++)
		perf_evlist__delete(t->grp[g]);	/* closes the fds, frees the evsels */
	if (t->threads)
		perf_thread_map__put(t->threads);
	memset(t, 0, sizeof(*t));
}

static void perf_win_begin(unsigned int op);
static void perf_win_end(void);

static const struct opwin_hooks perf_hooks = {
	.begin = perf_win_begin,
	.end = perf_win_end,
};

/* In a forked child the inherited fds drive the parent's counters: drop them. */
static void perf_atfork_child(void)
{
	struct perf_thread *t = &perf_self;

	if (!t->opened)
		return;
	t->live = 0;
	for (int i = 0; i < PERF_CTR_NR; i++) {
		if (!t->ev[i])
			continue;
		t->ev[i] = NULL;
		t->fail[i] = PERF_NOT_MEASURED;
		fmt(t->why[i], sizeof(t->why[i]),
		    "the parent's counter (perf_open() not called in this child)");
	}
}

static pthread_once_t perf_once = PTHREAD_ONCE_INIT;

static void perf_init_once(void)
{
	libperf_init(perf_silent);
	pthread_atfork(NULL, NULL, perf_atfork_child);
}

/* Open counter i into its group (the leader if the group has none yet). */
static int perf_ctr_open(struct perf_thread *t, int i)
{
	const struct perf_ctr_def *d = &perf_defs[i];
	int g = d->group, ret;
	struct perf_event_attr attr;
	struct perf_evsel *ev;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = d->type;
	attr.config = d->config;
	if (d->type == PERF_TYPE_TRACEPOINT) {
		if (tp_err[i])
			return tp_err[i];
		attr.config = tp_ids[i];
	}
	/* only the leader starts disabled: the siblings follow it */
	attr.disabled = t->leader[g] < 0;
	attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	/* exclude_user/kernel/hv stay 0: the kernel's work is what we want */

	if (!t->grp[g]) {
		t->grp[g] = perf_evlist__new();
		if (!t->grp[g])
			return -ENOMEM;
	}
	ev = perf_evsel__new(&attr);
	if (!ev)
		return -ENOMEM;
	perf_evlist__add(t->grp[g], ev);
	perf_evlist__set_leader(t->grp[g]);	/* the first in the list leads */
	ret = perf_evsel__open(ev, NULL, t->threads);
	if (ret) {
		perf_evlist__remove(t->grp[g], ev);
		perf_evsel__delete(ev);
		return ret < 0 ? ret : -EINVAL;
	}
	t->ev[i] = ev;
	if (t->leader[g] < 0)
		t->leader[g] = i;
	return 0;
}

int perf_open(void)
{
	struct perf_thread *t = &perf_self;
	pid_t self = 0;		/* the calling thread */
	int first = 0;

	pthread_once(&perf_once, perf_init_once);
	perf_release(t);
	for (int g = 0; g < PERF_GROUPS; g++)
		t->leader[g] = -1;
	t->opened = 1;
	t->threads = perf_thread_map__new_array(1, &self);
	if (!t->threads) {
		for (int i = 0; i < PERF_CTR_NR; i++)
			perf_why(t, i, -ENOMEM);
		return -ENOMEM;
	}
	tp_resolve();
	for (int i = 0; i < PERF_CTR_NR; i++) {
		int ret = perf_ctr_open(t, i);

		if (!ret) {
			t->live = 1;
			continue;
		}
		perf_why(t, i, ret);
		if (!first)
			first = ret;
	}
	if (!t->live)
		return first ? first : -ENODEV;
	opwin_hooks = &perf_hooks;
	return 0;
}

void perf_close(void)
{
	/* The hooks stay: in a thread without counters they do nothing. */
	perf_release(&perf_self);
}

enum perf_state perf_ctr_state(int ctr, char *why, size_t len)
{
	struct perf_thread *t = &perf_self;

	if (ctr < 0 || ctr >= PERF_CTR_NR) {
		fmt(why, len, "no such counter");
		return PERF_NOT_MEASURED;
	}
	if (!t->opened) {
		fmt(why, len, "counters not opened in this thread");
		return PERF_NOT_MEASURED;
	}
	if (t->ev[ctr] && t->live) {
		fmt(why, len, "%s", "");
		return PERF_MEASURED;
	}
	fmt(why, len, "%s", t->why[ctr]);
	return t->fail[ctr];
}

/* ---- windows and ops ---- */

/* Credit what the counters gained since the last fold to the current slot. */
static void perf_fold(struct perf_thread *t)
{
	unsigned int s = t->slot;

	for (int i = 0; i < PERF_CTR_NR; i++) {
		struct perf_counts_values cv = { .val = 0 };
		int g = perf_defs[i].group;

		if (!t->ev[i])
			continue;
		if (perf_evsel__read(t->ev[i], 0, 0, &cv)) {
			t->bad[s][i] = 1;
			continue;
		}
		t->acc[s][i] += (int64_t)(cv.val - t->base[i]);
		t->base[i] = cv.val;
		if (t->leader[g] != i)
			continue;
		/*
		 * The leader is off outside the windows, so its enabled time
		 * is the windows' time: running less means the PMU multiplexed
		 * the group and its counts are partial.
		 */
		if (cv.run - t->base_run[g] < cv.ena - t->base_ena[g])
			for (int j = 0; j < PERF_CTR_NR; j++)
				if ((int)perf_defs[j].group == g)
					t->bad[s][j] = 1;
		t->base_ena[g] = cv.ena;
		t->base_run[g] = cv.run;
	}
	t->pending = 0;
}

static void perf_win_begin(unsigned int op)
{
	struct perf_thread *t = &perf_self;

	if (!t->live)
		return;
	if (op >= PERF_MAX_SLOTS)
		op = PERF_MAX_SLOTS - 1;
	if (op != t->slot) {
		if (t->pending)
			perf_fold(t);
		t->slot = op;
	}
	t->windows[op]++;
	t->pending = 1;
	for (int g = 0; g < PERF_GROUPS; g++)
		if (t->leader[g] >= 0)
			perf_evsel__enable(t->ev[t->leader[g]]);
}

static void perf_win_end(void)
{
	struct perf_thread *t = &perf_self;

	if (!t->live)
		return;
	for (int g = 0; g < PERF_GROUPS; g++)
		if (t->leader[g] >= 0)
			perf_evsel__disable(t->ev[t->leader[g]]);
}

void perf_op_start(void)
{
	struct perf_thread *t = &perf_self;

	memset(t->acc, 0, sizeof(t->acc));
	memset(t->windows, 0, sizeof(t->windows));
	t->slot = 0;
	if (!t->live)
		return;
	/* a snapshot, not a reset: reads are all we need */
	perf_fold(t);
	memset(t->acc, 0, sizeof(t->acc));
	memset(t->bad, 0, sizeof(t->bad));
}

void perf_op_read(int op, struct perf_counts *out)
{
	struct perf_thread *t = &perf_self;

	memset(out, 0, sizeof(*out));
	if (op < 0 || op >= PERF_MAX_SLOTS)
		return;
	if (t->live && t->pending)
		perf_fold(t);
	for (int i = 0; i < PERF_CTR_NR; i++) {
		if (!t->opened)
			out->state[i] = PERF_NOT_MEASURED;
		else if (!t->live || !t->ev[i])
			out->state[i] = t->ev[i] ? PERF_NOT_MEASURED : t->fail[i];
		else if (!t->windows[op] || t->bad[op][i])
			out->state[i] = PERF_NOT_MEASURED;
		else {
			out->state[i] = PERF_MEASURED;
			out->v[i] = t->acc[op][i];
		}
	}
}

const char *perf_counts_cell(const struct perf_counts *c, int ctr, char *tmp, size_t len)
{
	switch (c->state[ctr]) {
	case PERF_MEASURED:
		fmt(tmp, len, "%" PRId64, c->v[ctr]);
		return tmp;
	case PERF_UNSUPPORTED:
		return "unsupported";
	default:
		return "";
	}
}
