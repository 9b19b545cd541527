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
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "config.h"
#include "gbshim.h"
#include "method.h"
#include "perf.h"
#include "placement.h"
#include "sample.h"
#include "util.h"
#include "vmstat.h"
#include "worker.h"

struct worker {
	struct scenario sc;
	const struct method *m;
	struct mctx c;
	struct buf buf;
	int fd;			/* rows go here */
	int dirty;		/* the last op changed the buffer */
	int fresh;		/* the buffer is new since the last sample */
	int writes;		/* ops write to the buffer (break COW) */
	int reps[METHOD_MAX_OPS][5];	/* next rep number per op and status */
};

struct op_case {
	struct worker *w;
	int op;			/* 0: pin (or pin+unpin), 1: unpin */
	char name[256];
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

static void emit(struct worker *w, struct sample *s)
{
	ssize_t n;

	fmt(s->note, sizeof(s->note), "%s", w->c.note);
	s->pages = w->sc.size / PAGE_SZ;
	for (int i = 0; i < op_count(w); i++)
		if (!strcmp(s->op, op_name(w, i)))
			s->rep = w->reps[i][s->status]++;
	do {
		n = write(w->fd, s, sizeof(*s));
	} while (n < 0 && errno == EINTR);
	crash_hook();
}

/*
 * Does an op leave the buffer different from how it was built? A pin
 * faults in what was not populated, and a pin for write replaces zero
 * pages with new ones (COW). Then the next sample needs a fresh buffer
 * to measure the same thing.
 */
static int op_changes_buffer(const struct worker *w)
{
	/* only private anon has zero pages to replace; shmem/file holes are real pages */
	return !w->sc.populate ||
	       (w->buf.zero_chunks && w->writes && w->buf.spec.backing == BACK_ANON);
}

static int prepare(struct worker *w, char *why, size_t len)
{
	int need = w->sc.rebuild == REBUILD_EACH ||
		   (w->sc.rebuild == REBUILD_AUTO && w->dirty);
	int ret;

	if (!need)
		return 0;
	ret = buf_rebuild(&w->buf);
	if (ret) {
		fmt(why, len, "rebuilding the buffer: %s", strerror(-ret));
		return ret;
	}
	w->fresh = 1;
	w->dirty = 0;
	return 0;
}

/*
 * The counter slot of an op: a M_PAIRED cycle() opens each op's windows
 * with opwin_begin_op(op); everything else is slot 0. gup_test is the
 * exception: its one ioctl does get and put, so both rows get the whole
 * call's counts (the note says so).
 */
_Static_assert(PERF_MAX_SLOTS >= METHOD_MAX_OPS, "one counter slot per op");

static int counter_slot(const struct worker *w, int op)
{
	return (w->m->flags & M_PAIRED) && !(w->m->flags & M_KERNEL_TIMED) ? op : 0;
}

/* The op's counter deltas: the worker's own, or the peer's that ran it. */
static void counters_take(struct worker *w, int op, struct sample *s)
{
	if (w->c.peer_counted)
		s->cnt = w->c.peer_cnt;
	else
		perf_op_read(counter_slot(w, op), &s->cnt);
}

/*
 * One sample of one op. The timed window is inside the method; the
 * vmstat reads, the buffer rebuild and the untimed partner op (the unpin
 * after a measured pin, the pin before a measured unpin) are outside it.
 * The counters are snapshot right before the measured call and read right
 * after it, so the partner op's windows are not in them.
 */
static int sample_run(struct worker *w, int op, int status, uint64_t *ns_out)
{
	const struct method *m = w->m;
	struct sample s = { .status = status };
	struct vmstat before, after;
	uint64_t ns[METHOD_MAX_OPS] = { 0 };
	char why[200] = "";
	int ret;

	fmt(s.op, sizeof(s.op), "%s", op_name(w, op));
	ret = prepare(w, why, sizeof(why));
	if (ret)
		goto fail;
	s.got = w->buf.got;
	s.fresh = w->fresh;
	s.pins_exact = vmstat_exact();
	s.kernel_timed = !!(m->flags & M_KERNEL_TIMED);

	w->c.peer_counted = 0;
	if (m->flags & (M_COMBINED | M_PAIRED)) {
		vmstat_read(&before, 1);
		perf_op_start();
		ret = m->cycle(&w->c, ns, why, sizeof(why));
		counters_take(w, op, &s);
		vmstat_read(&after, 1);
		s.ns = ns[op];
	} else if (op == 0) {
		vmstat_read(&before, 1);
		perf_op_start();
		ret = m->pin(&w->c, &ns[0], why, sizeof(why));
		counters_take(w, op, &s);
		vmstat_read(&after, 1);
		s.ns = ns[0];
		if (!ret && !(m->flags & M_PIN_ONLY)) {
			ret = m->unpin(&w->c, &ns[1], why, sizeof(why));
			if (ret) {
				char tmp[200];

				fmt(tmp, sizeof(tmp), "the untimed unpin after this pin failed: %s", why);
				fmt(why, sizeof(why), "%s", tmp);
			}
		}
	} else {
		ret = m->pin(&w->c, &ns[0], why, sizeof(why));
		if (ret) {
			char tmp[200];

			fmt(tmp, sizeof(tmp), "the untimed pin before this unpin failed: %s", why);
			fmt(why, sizeof(why), "%s", tmp);
		} else {
			vmstat_read(&before, 1);
			perf_op_start();
			ret = m->unpin(&w->c, &ns[1], why, sizeof(why));
			counters_take(w, op, &s);
			vmstat_read(&after, 1);
			s.ns = ns[1];
		}
	}
	w->fresh = 0;
	w->dirty |= op_changes_buffer(w);
	if (ret)
		goto fail;
	if (s.ns == OP_NOT_APPLICABLE) {
		s.status = SAMPLE_SKIP;
		s.ns = 0;
		memset(&s.cnt, 0, sizeof(s.cnt));
		fmt(s.reason, sizeof(s.reason), "not applicable: %s", why[0] ? why : "(no reason given)");
		emit(w, &s);
		*ns_out = 0;
		/* Google Benchmark stops this op: one skip row, no zero samples */
		return -ENOTSUP;
	}
	s.pins_acquired = after.v[VM_nr_foll_pin_acquired] - before.v[VM_nr_foll_pin_acquired];
	s.pins_released = after.v[VM_nr_foll_pin_released] - before.v[VM_nr_foll_pin_released];
	emit(w, &s);
	*ns_out = s.ns;
	return 0;
fail:
	s.status = SAMPLE_ERROR;
	s.ns = 0;
	memset(&s.cnt, 0, sizeof(s.cnt));
	fmt(s.reason, sizeof(s.reason), "%s", why[0] ? why : strerror(-ret));
	emit(w, &s);
	return ret ? ret : -EIO;
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
	for (int op = 0; op < op_count(w); op++) {
		struct sample s = { .status = status };

		fmt(s.op, sizeof(s.op), "%s", op_name(w, op));
		fmt(s.reason, sizeof(s.reason), "%s", why);
		s.got = w->buf.got;
		emit(w, &s);
	}
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
int worker_main(int argc, char **argv)
{
	struct op_case cases[METHOD_MAX_OPS];
	struct gbshim_case gb[METHOD_MAX_OPS];
	const char *json = NULL;
	struct worker w = { .fd = -1 };
	char why[256];
	int ret, n, mem_node, cpu_node;

	scenario_defaults(&w.sc);
	for (int i = 1; i < argc; i++) {
		char *eq;

		if (!strcmp(argv[i], "--fd") && i + 1 < argc) {
			w.fd = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--json") && i + 1 < argc) {
			json = argv[++i];
		} else if ((eq = strchr(argv[i], '='))) {
			*eq = '\0';
			if (scenario_set(&w.sc, argv[i], eq + 1, why, sizeof(why))) {
				fprintf(stderr, "gupbench worker: %s: %s\n", argv[i], why);
				return WORKER_EXIT_USAGE;
			}
		} else {
			fprintf(stderr, "gupbench worker: unexpected argument \"%s\"\n", argv[i]);
			return WORKER_EXIT_USAGE;
		}
	}
	w.m = method_find(w.sc.method);
	if (w.fd < 0 || !json || !w.m) {
		fprintf(stderr, "gupbench worker: needs --fd, --json and a known method\n");
		return WORKER_EXIT_USAGE;
	}
	/* the runner owns SIGINT; we are stopped with SIGTERM */
	signal(SIGINT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);

	w.writes = (w.m->flags & M_WRITE) || !strcmp(w.sc.gup_flags, "write");
	w.c.sc = &w.sc;
	w.c.buf = &w.buf;

	ret = w.m->probe(why, sizeof(why));
	if (ret) {
		fail_all(&w, SAMPLE_SKIP, why);
		return 0;
	}
	/* placement first: the method's own memory (rings, peers) follows it */
	ret = numa_resolve(w.sc.mem_node, w.sc.cpu_node, &mem_node, &cpu_node, why, sizeof(why));
	if (ret) {
		fail_all(&w, SAMPLE_SKIP, why);
		return 0;
	}
	ret = numa_bind_cpus(cpu_node, why, sizeof(why));
	if (ret) {
		fail_all(&w, SAMPLE_ERROR, why);
		return WORKER_EXIT_FAILED;
	}
	ret = w.m->init(&w.c, why, sizeof(why));
	if (ret) {
		fail_all(&w, SAMPLE_ERROR, why);
		return WORKER_EXIT_FAILED;
	}
	{
		struct buf_spec spec = {
			.backing = buf_backing_parse(w.sc.backing),
			.size = w.sc.size,
			.order = w.sc.order,
			.zero = w.sc.zero,
			.populate = w.sc.populate,
			.mem_policy = mem_node == NODE_INTERLEAVE ? BUF_MEM_INTERLEAVE :
				      mem_node == NODE_ANY ? BUF_MEM_DEFAULT : BUF_MEM_BIND,
			.mem_node = mem_node,
		};

		fmt(spec.dir, sizeof(spec.dir), "%s", w.sc.dir);
		ret = buf_build(&w.buf, &spec);
	}
	if (ret) {
		fmt(why, sizeof(why), "building the buffer: %s", strerror(-ret));
		fail_all(&w, SAMPLE_ERROR, why);
		w.m->fini(&w.c);
		return WORKER_EXIT_FAILED;
	}
	w.fresh = 1;
	/*
	 * The counters of this thread, which runs every op (Google Benchmark
	 * runs a one-thread benchmark on the calling thread). Which of them
	 * are live goes into the JSON context; a counter that is not says so
	 * on every row (unsupported, or empty), so a failure is not fatal.
	 */
	perf_open();

	/* Warm-up samples are real samples too: kept, marked warmup. */
	for (int i = 0; i < w.sc.warmup; i++) {
		for (int op = 0; op < op_count(&w); op++) {
			uint64_t ns;

			sample_run(&w, op, SAMPLE_WARMUP, &ns);
		}
	}

	n = op_count(&w);
	for (int op = 0; op < n; op++) {
		char sz[32];

		size_format(w.sc.size, sz, sizeof(sz));
		cases[op].w = &w;
		cases[op].op = op;
		fmt(cases[op].name, sizeof(cases[op].name),
		    "%s/%s/%s/size:%s/order:%d/zero:%g/populate:%d/op:%s", w.sc.job, w.sc.method,
		    w.sc.backing, sz, w.sc.order, w.sc.zero, w.sc.populate, op_name(&w, op));
		gb[op].name = cases[op].name;
		gb[op].iter = gb_iter;
		gb[op].arg = &cases[op];
		gb[op].repetitions = w.sc.repeat;
	}
	add_context(&w);
	ret = gbshim_run(gb, n, json, why, sizeof(why));
	if (ret)
		fail_all(&w, SAMPLE_ERROR, why);
	w.m->fini(&w.c);
	perf_close();
	buf_free(&w.buf);
	return ret ? WORKER_EXIT_FAILED : 0;
}
