// SPDX-License-Identifier: GPL-2.0
/*
 * The measurement worker: one fresh process per scenario (the runner
 * execs `gupbench __worker`), so one scenario's address space,
 * fragmentation or crash cannot touch the next.
 *
 * It builds the buffer, runs the warm-up samples, then lets Google
 * Benchmark run the measured repetitions: one benchmark per op, one
 * sample per repetition. Every sample goes to the runner as soon as it
 * exists. Around each op it reads /proc/vmstat (after folding per-CPU
 * deltas) so every row says how many pins the kernel counted, and takes
 * the deltas of the per-op kernel counters (perf.c), which count only
 * inside the method's timed windows.
 *
 * threads > 1 (CPU scaling, in the style of will-it-scale): one lane per
 * thread, each bound to its own CPU, with its own method context (ring,
 * socket, peer) and its own buffer, or all on one shared buffer. A round
 * is: every lane prepares (rebuild, untimed partner op), a barrier, every
 * lane runs the op at once, a barrier, the partner op. Each lane's sample
 * is a row; vmstat deltas are the whole round's; counters are per lane;
 * Google Benchmark gets the round's makespan (the slowest lane).
 */
#include <errno.h>
#include <hwloc.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "gbshim.h"
#include "method.h"
#include "perf.h"
#include "placement.h"
#include "sample.h"
#include "scenario.h"
#include "util.h"
#include "vmstat.h"
#include "worker.h"

#define MAX_LANES 256

enum phase { PH_INIT, PH_PREP, PH_OP, PH_POST, PH_EXIT };

struct worker;

/* One pinning thread. Aligned so that lanes never share a cache line. */
struct lane {
	struct worker *w;
	int id;
	int cpu;		/* bound CPU, -1 unbound */
	pthread_t thread;
	struct mctx c;
	struct buf buf;		/* private buffer (share=private) */
	struct buf *b;		/* the buffer this lane pins */
	int dirty, fresh, inited;
	/* the current sample */
	struct sample s;
	uint64_t ns[METHOD_MAX_OPS];
	char why[200];
	int ret;
} __attribute__((aligned(64)));

struct worker {
	struct scenario sc;
	const struct method *m;
	struct lane *lanes;
	int nlanes;
	int shared;		/* one buffer for all lanes */
	struct buf shared_buf;
	int shared_dirty;
	int mem_policy, mem_node;
	int fd;			/* rows go here */
	int writes;		/* ops write to the buffer (break COW) */
	int reps[METHOD_MAX_OPS][5];	/* next rep number per op and status */
	/* threads > 1: the lanes wait here for the next phase */
	pthread_barrier_t start, done;
	enum phase phase;
	int op, status;
	const char *files, *target;	/* SHAPE_WORKLOAD: its directory and target */
};

struct op_case {
	struct worker *w;
	int op;			/* index into the method's ops */
	char name[320];
};

static const char *op_name(const struct worker *w, int op)
{
	return method_op_name(w->m, op);
}

static int op_count(const struct worker *w)
{
	return method_op_count(w->m);
}

/*
 * Test hook: GUPBENCH_TEST_CRASH_AFTER=N makes the worker die by SIGSEGV
 * right after sending its Nth row, so tests can check that the runner
 * keeps finished rows and restores knobs after a crashed worker.
 */
static void crash_hook(void)
{
	static long left = -2;

	if (left == -2) {
		const char *e = getenv("GUPBENCH_TEST_CRASH_AFTER");

		left = e ? atol(e) : -1;
	}
	if (left > 0 && --left == 0)
		raise(SIGSEGV);
}

static void emit(struct worker *w, struct lane *l, struct sample *s, int rep)
{
	ssize_t n;

	if (!s->note[0])
		fmt(s->note, sizeof(s->note), "%s", l->c.note);
	if (!s->pages)
		s->pages = w->sc.size / PAGE_SZ;
	s->rep = rep;
	s->thread = l->id;
	s->threads = w->nlanes;
	s->cpu_bound = l->cpu;
	do {
		n = write(w->fd, s, sizeof(*s));
	} while (n < 0 && errno == EINTR);
	crash_hook();
}

static int next_rep(struct worker *w, int op, int status)
{
	return w->reps[op][status]++;
}

/*
 * Does an op leave the buffer different from how it was built? A pin
 * faults in what was not populated, and a pin for write replaces zero
 * pages with new ones (COW). Then the next sample needs a fresh buffer
 * to measure the same thing.
 */
static int op_changes_buffer(const struct worker *w, const struct buf *b)
{
	/* only private anon has zero pages to replace; shmem/file holes are real pages */
	return !w->sc.populate ||
	       (b->zero_chunks && w->writes && b->spec.backing == BACK_ANON);
}

static int need_rebuild(const struct worker *w, int dirty)
{
	return w->sc.rebuild == REBUILD_EACH || (w->sc.rebuild == REBUILD_AUTO && dirty);
}

static int rebuild(struct buf *b, char *why, size_t len)
{
	int ret = buf_rebuild(b);

	if (ret)
		fmt(why, len, "rebuilding the buffer: %s", strerror(-ret));
	return ret;
}

/*
 * The counter slot of an op: a SHAPE_PAIRED cycle() opens each op's windows
 * with opwin_begin_op(op); everything else is slot 0. gup_test is the
 * exception: its one ioctl does get and put, so both rows get the whole
 * call's counts (the note says so).
 */
_Static_assert(PERF_MAX_SLOTS >= METHOD_MAX_OPS, "one counter slot per op");

static int counter_slot(const struct worker *w, int op)
{
	return w->m->shape == SHAPE_PAIRED && !(w->m->flags & M_KERNEL_TIMED) ? op : 0;
}

/* The op's counter deltas: the lane's own, or the peer's that ran it. */
static void counters_take(struct lane *l, int op)
{
	if (l->c.peer_counted)
		l->s.cnt = l->c.peer_cnt;
	else
		perf_op_read(counter_slot(l->w, op), &l->s.cnt);
}

static void prefix_why(struct lane *l, const char *what)
{
	char tmp[200];

	fmt(tmp, sizeof(tmp), "%s: %s", what, l->why);
	fmt(l->why, sizeof(l->why), "%s", tmp);
}

/*
 * The three phases of one sample in one lane. The timed window is inside
 * the method; the buffer rebuild and the untimed partner op (the pin before
 * a measured unpin, the unpin after a measured pin) are in PREP and POST.
 * The counters are snapshot right before the measured call and read right
 * after it, so the partner op's windows are not in them.
 */
static void lane_prep(struct lane *l)
{
	struct worker *w = l->w;
	const struct method *m = w->m;
	int op = w->op;

	memset(&l->s, 0, sizeof(l->s));
	memset(l->ns, 0, sizeof(l->ns));
	l->why[0] = '\0';
	l->ret = 0;
	l->s.status = w->status;
	fmt(l->s.op, sizeof(l->s.op), "%s", op_name(w, op));
	if (!w->shared && need_rebuild(w, l->dirty)) {
		l->ret = rebuild(&l->buf, l->why, sizeof(l->why));
		if (l->ret)
			return;
		l->fresh = 1;
		l->dirty = 0;
	}
	l->s.got = l->b->got;
	l->s.fresh = l->fresh;
	l->s.pins_exact = vmstat_exact();
	l->s.kernel_timed = !!(m->flags & M_KERNEL_TIMED);
	if (m->shape == SHAPE_SEPARATE && op == 1) {
		l->ret = m->pin(&l->c, &l->ns[0], l->why, sizeof(l->why));
		if (l->ret)
			prefix_why(l, "the untimed pin before this unpin failed");
	}
}

static void lane_op(struct lane *l)
{
	const struct method *m = l->w->m;
	int op = l->w->op;

	if (l->ret)
		return;
	l->c.peer_counted = 0;
	l->s.cpu_start = sched_getcpu();
	perf_op_start();
	if (method_cycles(m))
		l->ret = m->cycle(&l->c, l->ns, l->why, sizeof(l->why));
	else if (op == 0)
		l->ret = m->pin(&l->c, &l->ns[0], l->why, sizeof(l->why));
	else
		l->ret = m->unpin(&l->c, &l->ns[1], l->why, sizeof(l->why));
	counters_take(l, op);
	l->s.cpu_end = sched_getcpu();
	l->s.ns = method_cycles(m) ? l->ns[op] : l->ns[op ? 1 : 0];
}

static void lane_post(struct lane *l)
{
	struct worker *w = l->w;
	const struct method *m = w->m;

	if (!l->ret && m->shape == SHAPE_SEPARATE && w->op == 0) {
		l->ret = m->unpin(&l->c, &l->ns[1], l->why, sizeof(l->why));
		if (l->ret)
			prefix_why(l, "the untimed unpin after this pin failed");
	}
	l->fresh = 0;
	l->dirty |= op_changes_buffer(w, l->b);
}

static int lane_init(struct lane *l);

/* One phase in one lane, in whichever thread runs the lane. */
static void lane_phase(struct lane *l, enum phase ph)
{
	switch (ph) {
	case PH_INIT:
		l->ret = lane_init(l);
		break;
	case PH_PREP:
		lane_prep(l);
		break;
	case PH_OP:
		lane_op(l);
		break;
	case PH_POST:
		lane_post(l);
		break;
	case PH_EXIT:
		if (l->inited)
			method_fini(l->w->m, &l->c);
		perf_close();
		break;
	}
}

static void *lane_main(void *arg)
{
	struct lane *l = arg;
	struct worker *w = l->w;
	enum phase ph;

	do {
		pthread_barrier_wait(&w->start);
		ph = w->phase;
		lane_phase(l, ph);
		pthread_barrier_wait(&w->done);
	} while (ph != PH_EXIT);
	return NULL;
}

/* Run a phase in every lane: inline for one lane, else all threads at once. */
static void phase_all(struct worker *w, enum phase ph)
{
	if (w->nlanes == 1) {
		lane_phase(&w->lanes[0], ph);
		return;
	}
	w->phase = ph;
	pthread_barrier_wait(&w->start);
	pthread_barrier_wait(&w->done);
}

/*
 * One sample of one op in every lane: one round. Returns 0 with the
 * round's makespan in *ns_out, or -errno when any lane failed (its row
 * says why; the others' rows are written too).
 */
static int sample_run(struct worker *w, int op, int status, uint64_t *ns_out)
{
	struct vmstat before, after;
	uint64_t makespan = 0;
	int ret = 0, na = 0, rep;
	char why[200] = "";

	w->op = op;
	w->status = status;
	if (w->shared && need_rebuild(w, w->shared_dirty)) {
		ret = rebuild(&w->shared_buf, why, sizeof(why));
		w->shared_dirty = 0;
		for (int i = 0; i < w->nlanes; i++)
			w->lanes[i].fresh = !ret;
	}
	phase_all(w, PH_PREP);
	vmstat_read(&before, 1);
	phase_all(w, PH_OP);
	vmstat_read(&after, 1);
	phase_all(w, PH_POST);
	if (w->shared)
		w->shared_dirty |= op_changes_buffer(w, &w->shared_buf);

	for (int i = 0; i < w->nlanes; i++)
		if (!w->lanes[i].ret && w->lanes[i].s.ns > makespan && w->lanes[i].s.ns != OP_NOT_APPLICABLE)
			makespan = w->lanes[i].s.ns;
	rep = next_rep(w, op, status);
	for (int i = 0; i < w->nlanes; i++) {
		struct lane *l = &w->lanes[i];
		struct sample *s = &l->s;
		int lret = ret ? ret : l->ret;

		if (ret && !l->why[0])
			fmt(l->why, sizeof(l->why), "%s", why);
		if (lret) {
			s->status = SAMPLE_ERROR;
			s->ns = 0;
			memset(&s->cnt, 0, sizeof(s->cnt));
			fmt(s->reason, sizeof(s->reason), "%s", l->why[0] ? l->why : strerror(-lret));
			ret = ret ? ret : lret;
		} else if (s->ns == OP_NOT_APPLICABLE) {
			s->status = SAMPLE_SKIP;
			s->ns = 0;
			memset(&s->cnt, 0, sizeof(s->cnt));
			fmt(s->reason, sizeof(s->reason), "not applicable: %s",
			    l->why[0] ? l->why : "(no reason given)");
			na = 1;
		} else {
			/* vmstat is machine-wide: with several lanes, the round's */
			s->pins_acquired = after.v[VM_nr_foll_pin_acquired] -
					   before.v[VM_nr_foll_pin_acquired];
			s->pins_released = after.v[VM_nr_foll_pin_released] -
					   before.v[VM_nr_foll_pin_released];
			s->round_ns = makespan;
		}
		emit(w, l, s, rep);
	}
	*ns_out = makespan;
	if (ret)
		return ret;
	/* Google Benchmark stops this op: one skip row, no zero samples */
	return na ? -ENOTSUP : 0;
}

static int gb_iter(void *arg, uint64_t *ns, char *why, size_t len)
{
	struct op_case *oc = arg;
	int ret = sample_run(oc->w, oc->op, SAMPLE_OK, ns);

	if (ret == -ENOTSUP)
		fmt(why, len, "not applicable to this scenario (see the skip row)");
	else if (ret)
		fmt(why, len, "sample failed: %s (see the error row)", strerror(-ret));
	return ret;
}

/* Rows saying the whole scenario failed before any sample. */
static void fail_all(struct worker *w, int status, const char *why)
{
	struct lane none = { .w = w, .cpu = -1 };

	for (int op = 0; op < op_count(w); op++) {
		struct sample s = { .status = status };

		fmt(s.op, sizeof(s.op), "%s", op_name(w, op));
		fmt(s.reason, sizeof(s.reason), "%s", why);
		emit(w, &none, &s, next_rep(w, op, status));
	}
}

/* The buffer the scenario asks for, as buf_build() takes it. */
static void buf_spec_of(const struct worker *w, struct buf_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->backing = w->sc.backing;
	spec->size = w->sc.size;
	spec->order = w->sc.order;
	spec->zero = w->sc.zero;
	spec->populate = w->sc.populate;
	spec->mem_policy = w->mem_policy;
	spec->mem_node = w->mem_node;
	fmt(spec->dir, sizeof(spec->dir), "%s", w->sc.dir);
}

/*
 * Per lane, in its own thread: bind to its CPU, open its counters, set up
 * the method, build its buffer (first touch from its own CPU).
 */
static int lane_init(struct lane *l)
{
	struct worker *w = l->w;
	int ret;

	if (l->cpu >= 0) {
		hwloc_topology_t t;
		hwloc_bitmap_t set = hwloc_bitmap_alloc();

		hwloc_bitmap_only(set, (unsigned int)l->cpu);
		ret = hwloc_topology_init(&t) || hwloc_topology_load(t) ? -EIO : 0;
		if (!ret && hwloc_set_cpubind(t, set, HWLOC_CPUBIND_THREAD | HWLOC_CPUBIND_STRICT))
			ret = -errno;
		hwloc_topology_destroy(t);
		hwloc_bitmap_free(set);
		if (ret) {
			fmt(l->why, sizeof(l->why), "binding thread %d to CPU %d: %s", l->id, l->cpu,
			    strerror(-ret));
			return ret;
		}
	}
	perf_open();
	l->c.sc = &w->sc;
	l->b = w->shared ? &w->shared_buf : &l->buf;
	l->c.buf = l->b;
	l->c.files = w->files;
	l->c.target = w->target;
	ret = method_init(w->m, &l->c, l->why, sizeof(l->why));
	if (ret)
		return ret;
	l->inited = 1;
	/* a workload's buffer is the workload's own */
	if (!w->shared && w->m->shape != SHAPE_WORKLOAD) {
		struct buf_spec spec;

		buf_spec_of(w, &spec);
		ret = buf_build(&l->buf, &spec);
		if (ret) {
			fmt(l->why, sizeof(l->why), "building the buffer: %s", strerror(-ret));
			return ret;
		}
	}
	l->fresh = 1;
	return 0;
}

/* The CPUs this process may run on, in order: lane i gets the i-th. */
static int allowed_cpus(int *cpus, int max)
{
	cpu_set_t set;
	int n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;
	for (int c = 0; c < CPU_SETSIZE && n < max; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	return n;
}

static void add_context(const struct worker *w)
{
	struct utsname u;
	char v[128];

	if (!uname(&u)) {
		gbshim_context("kernel_release", u.release);
		gbshim_context("kernel_version", u.version);
	}
	for (size_t i = 0; i < opt_count(); i++) {
		char key[64];

		scenario_get(&w->sc, i, v, sizeof(v));
		fmt(key, sizeof(key), "gupbench_%s", opt_name(i));
		gbshim_context(key, v);
	}
	gbshim_context("gupbench_method_kpath", w->m->kpath);
	/* which counters are live in this worker, and why not */
	for (int i = 0; i < PERF_CTR_NR; i++) {
		char key[96], why[128], val[160];
		enum perf_state st = perf_ctr_state(i, why, sizeof(why));

		fmt(key, sizeof(key), "gupbench_counter_%s", perf_ctr_name(i));
		if (st == PERF_MEASURED)
			fmt(val, sizeof(val), "live");
		else
			fmt(val, sizeof(val), "%s: %s",
			    st == PERF_UNSUPPORTED ? "unsupported" : "not measured", why);
		gbshim_context(key, val);
	}
}

/* argv: --fd N --json PATH key=value... */
/* The scenario and the worker's own arguments: 0, or WORKER_EXIT_USAGE (said on stderr). */
static int worker_args(struct worker *w, const char **json, int argc, char **argv)
{
	char why[256];

	scenario_defaults(&w->sc);
	for (int i = 1; i < argc; i++) {
		char *eq;

		if (!strcmp(argv[i], "--fd") && i + 1 < argc) {
			w->fd = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--json") && i + 1 < argc) {
			*json = argv[++i];
		} else if (!strcmp(argv[i], "--files") && i + 1 < argc) {
			w->files = argv[++i];
		} else if (!strcmp(argv[i], "--target") && i + 1 < argc) {
			w->target = argv[++i];
		} else if ((eq = strchr(argv[i], '='))) {
			*eq = '\0';
			if (scenario_set(&w->sc, argv[i], eq + 1, why, sizeof(why))) {
				fprintf(stderr, "gupbench worker: %s: %s\n", argv[i], why);
				return WORKER_EXIT_USAGE;
			}
		} else {
			fprintf(stderr, "gupbench worker: unexpected argument \"%s\"\n", argv[i]);
			return WORKER_EXIT_USAGE;
		}
	}
	w->m = method_find(w->sc.method);
	if (w->fd < 0 || !*json || !w->m) {
		fprintf(stderr, "gupbench worker: needs --fd, --json and a known method\n");
		return WORKER_EXIT_USAGE;
	}
	return 0;
}

/* What a stage of the set-up came to: go on, or every sample of the scenario a skip or an error. */
enum { SETUP_OK, SETUP_SKIP, SETUP_FAILED };

/* Placement first: the method's own memory (rings, peers) follows it. */
static int worker_place(struct worker *w)
{
	char why[256];
	int mem_node, cpu_node;

	if (numa_resolve(w->sc.mem_node, w->sc.cpu_node, &mem_node, &cpu_node, why, sizeof(why))) {
		fail_all(w, SAMPLE_SKIP, why);
		return SETUP_SKIP;
	}
	if (numa_bind_cpus(cpu_node, why, sizeof(why))) {
		fail_all(w, SAMPLE_ERROR, why);
		return SETUP_FAILED;
	}
	w->mem_policy = mem_node == NODE_INTERLEAVE ? BUF_MEM_INTERLEAVE :
			mem_node == NODE_ANY ? BUF_MEM_DEFAULT : BUF_MEM_BIND;
	w->mem_node = mem_node;
	return SETUP_OK;
}

/* Lanes: one per thread, each on its own CPU of those we may use; the shared buffer. */
static int worker_lanes(struct worker *w)
{
	static struct lane single;
	int cpus[MAX_LANES], ncpus = allowed_cpus(cpus, MAX_LANES);
	char why[256];

	w->nlanes = w->sc.threads ? w->sc.threads : ncpus;
	if (w->nlanes < 1 || w->nlanes > MAX_LANES || (w->nlanes > 1 && w->nlanes > ncpus)) {
		fmt(why, sizeof(why), "threads=%d: this worker may use %d CPUs (one thread per CPU)",
		    w->nlanes, ncpus);
		w->nlanes = 1;
		w->lanes = &single;
		single.w = w;
		single.cpu = -1;
		fail_all(w, SAMPLE_SKIP, why);
		return SETUP_SKIP;
	}
	w->shared = w->nlanes > 1 && w->sc.share == SHARE_SHARED;
	if (w->nlanes == 1) {
		w->lanes = &single;
	} else {
		w->lanes = aligned_alloc(64, sizeof(*w->lanes) * (size_t)w->nlanes);
		if (!w->lanes)
			return SETUP_FAILED;
	}
	memset(w->lanes, 0, sizeof(*w->lanes) * (size_t)w->nlanes);
	for (int i = 0; i < w->nlanes; i++) {
		w->lanes[i].w = w;
		w->lanes[i].id = i;
		/* one thread runs where the process is bound; several get a CPU each */
		w->lanes[i].cpu = w->nlanes > 1 ? cpus[i] : -1;
	}
	if (w->shared) {
		struct buf_spec spec;
		int ret;

		buf_spec_of(w, &spec);
		ret = buf_build(&w->shared_buf, &spec);
		if (ret) {
			fmt(why, sizeof(why), "building the shared buffer: %s", strerror(-ret));
			fail_all(w, SAMPLE_ERROR, why);
			return SETUP_FAILED;
		}
	}
	return SETUP_OK;
}

/* Warm-up samples, then the measured ones through Google Benchmark. 0 or -errno. */
static int worker_measure(struct worker *w, const char *json)
{
	struct op_case cases[METHOD_MAX_OPS];
	struct gbshim_case gb[METHOD_MAX_OPS];
	int n = op_count(w), ret;
	char why[256];

	/* Warm-up samples are real samples too: kept, marked warmup. */
	for (int i = 0; i < w->sc.warmup; i++) {
		for (int op = 0; op < n; op++) {
			uint64_t ns;

			sample_run(w, op, SAMPLE_WARMUP, &ns);
		}
	}
	for (int op = 0; op < n; op++) {
		char sz[32];

		size_format(w->sc.size, sz, sizeof(sz));
		cases[op].w = w;
		cases[op].op = op;
		fmt(cases[op].name, sizeof(cases[op].name),
		    "%s/%s/%s/size:%s/order:%d/zero:%g/populate:%d/threads:%d/share:%s/op:%s",
		    w->sc.job, w->sc.method, buf_backing_name(w->sc.backing), sz, w->sc.order,
		    w->sc.zero, w->sc.populate, w->nlanes, w->shared ? "shared" : "private",
		    op_name(w, op));
		gb[op].name = cases[op].name;
		gb[op].iter = gb_iter;
		gb[op].arg = &cases[op];
		gb[op].repetitions = w->sc.repeat;
	}
	add_context(w);
	ret = gbshim_run(gb, n, json, why, sizeof(why));
	if (ret)
		fail_all(w, SAMPLE_ERROR, why);
	return ret;
}

/*
 * SHAPE_WORKLOAD: a sample is a whole run of the workload (fio), which
 * has its own repetition loop inside; the warm-up runs first, then the
 * measured ones, each row sent as it exists. Google Benchmark is not in
 * this path: its JSON would only repeat the rows. The first failed run
 * ends the scenario with its error row (fio's own message): the runs
 * after it would fail the same way.
 */
static int worker_workload(struct worker *w)
{
	struct lane *l = &w->lanes[0];
	int total = w->sc.warmup + w->sc.repeat;

	for (int i = 0; i < total; i++) {
		int status = i < w->sc.warmup ? SAMPLE_WARMUP : SAMPLE_OK;
		struct sample s = { .status = status, .cpu_bound = -1 };
		char why[200] = "";
		int ret;

		fmt(s.op, sizeof(s.op), "%s", op_name(w, 0));
		s.pins_exact = vmstat_exact();
		ret = w->m->workload(&l->c, &s, why, sizeof(why));
		/* the workload's threads are its own: where they ran is not one CPU */
		s.cpu_start = s.cpu_end = -1;
		if (ret) {
			struct sample e = { .status = SAMPLE_ERROR };

			fmt(e.op, sizeof(e.op), "%s", s.op);
			fmt(e.reason, sizeof(e.reason), "%s", why[0] ? why : strerror(-ret));
			emit(w, l, &e, next_rep(w, 0, SAMPLE_ERROR));
			return ret;
		}
		emit(w, l, &s, next_rep(w, 0, status));
	}
	return 0;
}

int worker_main(int argc, char **argv)
{
	const char *json = NULL;
	struct worker w = { .fd = -1 };
	char why[256];
	int ret;

	ret = worker_args(&w, &json, argc, argv);
	if (ret)
		return ret;
	/* the runner owns SIGINT; we are stopped with SIGTERM */
	signal(SIGINT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);

	w.writes = (w.m->flags & M_WRITE) || w.sc.gup_flags == GUP_EXTRA_WRITE;

	if (method_probe(w.m, why, sizeof(why))) {
		fail_all(&w, SAMPLE_SKIP, why);
		return 0;
	}
	ret = worker_place(&w);
	if (ret == SETUP_OK)
		ret = worker_lanes(&w);
	if (ret != SETUP_OK)
		return ret == SETUP_SKIP ? 0 : WORKER_EXIT_FAILED;
	if (w.nlanes > 1) {
		pthread_barrier_init(&w.start, NULL, (unsigned int)w.nlanes + 1);
		pthread_barrier_init(&w.done, NULL, (unsigned int)w.nlanes + 1);
		for (int i = 0; i < w.nlanes; i++)
			pthread_create(&w.lanes[i].thread, NULL, lane_main, &w.lanes[i]);
		/* the main thread's counters only feed the JSON context */
		perf_open();
	}
	/*
	 * Each lane opens its counters; which are live goes into the JSON
	 * context; a counter that is not says so on every row (unsupported,
	 * or empty), so a failure is not fatal.
	 */
	phase_all(&w, PH_INIT);
	ret = 0;
	for (int i = 0; i < w.nlanes && !ret; i++) {
		if (w.lanes[i].ret) {
			ret = w.lanes[i].ret;
			fail_all(&w, SAMPLE_ERROR, w.lanes[i].why);
		}
	}
	if (!ret)
		ret = w.m->shape == SHAPE_WORKLOAD ? worker_workload(&w) : worker_measure(&w, json);
	phase_all(&w, PH_EXIT);
	if (w.nlanes > 1) {
		for (int i = 0; i < w.nlanes; i++)
			pthread_join(w.lanes[i].thread, NULL);
		perf_close();
	}
	for (int i = 0; i < w.nlanes; i++)
		buf_free(&w.lanes[i].buf);
	if (w.shared)
		buf_free(&w.shared_buf);
	return ret ? WORKER_EXIT_FAILED : 0;
}
