// SPDX-License-Identifier: GPL-2.0
/*
 * `gupbench run CONFIG... [-o DIR]`: expand the configs, check all of it
 * before writing anything, then run each scenario in a fresh worker
 * process and write every sample it sends as one CSV row at once.
 *
 * Knobs are set per scenario and restored at the end, after a failed
 * worker (the run goes on) and on SIGINT/SIGTERM/SIGHUP (the run stops
 * after the current worker is stopped; its finished rows are kept).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "config.h"
#include "csv.h"
#include "fiotarget.h"
#include "gbjson.h"
#include "kfeat.h"
#include "knobs.h"
#include "meta.h"
#include "method.h"
#include "outdir.h"
#include "plot.h"
#include "proc.h"
#include "run.h"
#include "sample.h"
#include "util.h"
#include "vmstat.h"
#include "worker.h"

static volatile sig_atomic_t stop_sig;

static void on_signal(int sig)
{
	stop_sig = sig;
}

static void signals_install(void)
{
	/* no SA_RESTART: a blocked poll() or waitpid() returns EINTR */
	signals_catch(on_signal, 0, NULL);
}

struct runner {
	struct cfg cfg;
	struct plan plan;
	char dir[4096];
	char path[4096 + 64];
	struct csv csv;
	FILE *scen;			/* scenarios.csv */
	unsigned int timeout_s;		/* per scenario */
	unsigned int runs;		/* rounds of the matrix (--runs) */
	unsigned int run;		/* the round running */
	unsigned long long seed;	/* of the rounds' orders */
	struct run_clock clock;
	int quiet;
	int tty;
	uint64_t t0;
	size_t done, skipped, failed;
	size_t not_as_asked;		/* ok scenarios with rows whose buffer differs from the ask */
	int interrupted;
	/* probe results, per method index, cached: 0 unknown, 1 ok, -1 no */
	int probed[64];
	char probe_why[64][200];
	struct fio_targets fio;		/* what fio scenarios do their I/O on */
	uint64_t zram_size;		/* the largest zram scenario's size */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gupbench run [options] CONFIG...\n"
		"  -o, --output DIR   run directory (default results/<date>-<host>-<release>)\n"
		"  -n, --dry-run      print the expanded matrix and exit\n"
		"  -t, --timeout SEC  stop a scenario's worker after SEC seconds (default 900)\n"
		"  -r, --runs N       run the matrix N times, each round in its own shuffled\n"
		"                     order, every scenario in a fresh worker with fresh memory;\n"
		"                     rows say their round in `run` (default 1: config order)\n"
		"      --seed S       seed of the shuffled orders (default: from the time; in meta)\n"
		"  -q, --quiet        no progress line\n"
		"      --no-plot      do not draw the plots\n"
		"      --allow-device fio scenarios may do I/O on a real block device\n"
		"                     (target = /dev/...; never one that is mounted or in use)\n");
}

static void default_dir(char *dst, size_t len)
{
	char host[128] = "host", when[32];
	struct utsname u;
	time_t t = time(NULL);
	struct tm tm;

	gethostname(host, sizeof(host) - 1);
	uname(&u);
	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y%m%d-%H%M%S", &tm);
	fmt(dst, len, "results/%s-%s-%s", when, host, u.release);
}


static void elapsed(uint64_t ns, char *dst, size_t len)
{
	uint64_t s = ns / 1000000000ULL;

	fmt(dst, len, "%" PRIu64 ":%02" PRIu64, s / 60, s % 60);
}

static void progress(struct runner *r, size_t i, size_t total, const struct scenario *sc, int end)
{
	uint64_t t = now_ns() - r->t0;
	char el[32], eta[32] = "?", sz[32], rn[32] = "";

	if (r->quiet)
		return;
	if (i)
		elapsed(t / i * (total - i), eta, sizeof(eta));
	elapsed(t, el, sizeof(el));
	size_format(sc->size, sz, sizeof(sz));
	if (r->runs > 1)
		fmt(rn, sizeof(rn), " run %u", r->run);
	fprintf(stderr, "%s[%zu/%zu]%s %-12s %-5s order %-2d zero %-4g  elapsed %s  ETA %s%s",
		r->tty ? "\r\033[K" : "", i + 1, total, rn, sc->method, sz, sc->order, sc->zero,
		el, eta, r->tty && !end ? "" : "\n");
	fflush(stderr);
}

static const char *ops_of(const struct method *m, int i)
{
	return method_op_name(m, i);
}

/* Rows for a scenario that never got to measure, one per op. */
static void rows_status(struct runner *r, unsigned int idx, const struct scenario *sc,
			const struct method *m, int status, const char *why)
{
	for (int i = 0; ops_of(m, i); i++) {
		struct sample s = { .status = status, .pages = sc->size / PAGE_SZ };
		struct csv_row row = { idx, r->run, &r->clock, sc, m, &s };

		fmt(s.op, sizeof(s.op), "%s", ops_of(m, i));
		fmt(s.reason, sizeof(s.reason), "%s", why);
		csv_row_write(&r->csv, &row);
	}
}

static int read_full(int fd, void *p, size_t len, int timeout_ms)
{
	size_t off = 0;

	while (off < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int pr = poll(&pfd, 1, timeout_ms);
		ssize_t n;

		if (pr < 0)
			return -errno;
		if (pr == 0)
			return -ETIMEDOUT;
		n = read(fd, (char *)p + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return off ? -EPIPE : 0;
		off += n;
	}
	return 1;
}

static void stop_worker(pid_t pid)
{
	/* SIGTERM first so the method can tidy up; then no more waiting */
	kill(-pid, SIGTERM);
	for (int i = 0; i < 50; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		usleep(20000);
	}
	kill(-pid, SIGKILL);
}

static void worker_args(const struct runner *r, const struct scenario *sc, size_t idx, char **argv,
			char store[][160], size_t max, char *const *extra)
{
	size_t n = 0;

	argv[n++] = "gupbench";
	argv[n++] = "__worker";
	argv[n++] = "--fd";
	argv[n++] = "3";
	argv[n++] = "--json";
	if (r->runs > 1)
		fmt(store[0], sizeof(store[0]), "%s/gbench/%04zu-r%u.json", r->dir, idx, r->run);
	else
		fmt(store[0], sizeof(store[0]), "%s/gbench/%04zu.json", r->dir, idx);
	argv[n++] = store[0];
	while (extra && *extra && n + 1 < max)
		argv[n++] = *extra++;
	for (size_t i = 0; i < opt_count() && n + 1 < max; i++) {
		char v[128];

		scenario_get(sc, i, v, sizeof(v));
		fmt(store[i + 1], sizeof(store[i + 1]), "%s=%s", opt_name(i), v);
		argv[n++] = store[i + 1];
	}
	argv[n] = NULL;
}

static void scen_header(FILE *f)
{
	fprintf(f, "schema,scenario,run,job,method,size_bytes,folio_order,zero_ratio,populate,"
		   "status,rows,wall_ms,worker_exit,mismatch_rows,mismatch,vmstat_exact");
	for (int i = 0; i < VM_NR; i++)
		fprintf(f, ",%s", vmstat_name(i));
	fputc('\n', f);
	fflush(f);
}

/* How a scenario's buffers differed from the ask: rows that did, and the first such text. */
struct mismatch {
	unsigned long rows;
	char first[160];
};

static void scen_row(struct runner *r, size_t idx, const struct scenario *sc, const char *status,
		     unsigned long rows, uint64_t wall_ns, const char *exit_desc,
		     const struct mismatch *mm, const struct vmstat *a, const struct vmstat *b)
{
	FILE *f = r->scen;

	fprintf(f, "%d,%zu,%u,", CSV_SCHEMA, idx, r->run);
	csv_quote(f, sc->job);
	fprintf(f, ",%s,%" PRIu64 ",%d,%g,%d,%s,%lu,%.3f,", sc->method, sc->size, sc->order,
		sc->zero, sc->populate, status, rows, wall_ns / 1e6);
	csv_quote(f, exit_desc);
	fprintf(f, ",%lu,", mm ? mm->rows : 0);
	csv_quote(f, mm ? mm->first : "");
	fprintf(f, ",%d", vmstat_exact());
	for (int i = 0; i < VM_NR; i++) {
		if (a && b && (a->have & b->have & (1u << i)))
			fprintf(f, ",%" PRId64, b->v[i] - a->v[i]);
		else
			fputc(',', f);
	}
	fputc('\n', f);
	fflush(f);
}

/* Whether a scenario measured anything, or its worker skipped every op. */
struct skips {
	size_t measured;	/* ok and warm-up rows */
	size_t skipped;
	char why[200];		/* the first skip's reason */
};

static void skip_note(struct skips *sk, const struct sample *s)
{
	if (s->status == SAMPLE_OK || s->status == SAMPLE_WARMUP)
		sk->measured++;
	else if (s->status == SAMPLE_SKIP && !sk->skipped++)
		fmt(sk->why, sizeof(sk->why), "%s", s->reason);
}

static void mismatch_note(struct mismatch *mm, const struct sample *s)
{
	char t[160];

	if (s->status != SAMPLE_OK || !s->got.pages || !buf_got_mismatch(&s->got, t, sizeof(t)))
		return;
	if (!mm->rows++)
		fmt(mm->first, sizeof(mm->first), "%s", t);
}

/*
 * Before the run: scenarios that ask for memory this kernel will not give
 * (zero pages it does not map). They still run, and their rows say what
 * they got in `mismatch`; this says it up front, once per cause.
 */
static void warn_unmet(const struct runner *r)
{
	const struct kfeat *zp = kfeat_get(KF_ZERO_PAGE), *hzp = kfeat_get(KF_HUGE_ZERO_PAGE);
	int pmd = thp_pmd_order();
	size_t small = 0, huge = 0;

	for (size_t i = 0; i < r->plan.n; i++) {
		const struct scenario *sc = &r->plan.items[i].sc;

		if (sc->backing != BACK_ANON || !(sc->zero > 0))
			continue;
		if (pmd > 0 && sc->order == pmd)
			huge++;
		else
			small++;
	}
	if (small && zp->have != KF_YES)
		fprintf(stderr, "gupbench: warning: %zu scenarios ask for zero pages, and the zero page "
			"is %s here (%s): their rows say what the buffer got in `mismatch`\n", small,
			zp->have == KF_NO ? "not mapped" : "not known to be mapped", zp->why);
	if (huge && hzp->have == KF_NO)
		fprintf(stderr, "gupbench: warning: %zu PMD-order scenarios ask for zero pages, and the "
			"huge zero page is not mapped here (%s): their rows say what the buffer got in "
			"`mismatch`\n", huge, hzp->why);
}

/* Under icount, threads > 1 is not what it asks for: say so before the run. */
static void warn_clock(const struct runner *r)
{
	size_t par = 0;

	if (!r->clock.icount)
		return;
	for (size_t i = 0; i < r->plan.n; i++)
		par += r->plan.items[i].sc.threads > 1;
	if (!r->quiet)
		fprintf(stderr, "gupbench: clock: %s (%s)\n", r->clock.cell, r->clock.unit);
	if (par)
		fprintf(stderr, "gupbench: warning: %zu scenarios ask for threads > 1, and under icount "
			"the vCPUs take turns on one host thread: they run, and their rows say so "
			"in `mismatch`\n", par);
}

/*
 * A workload's buffer (fio's) is its own: nobody madvises it, so the
 * order's size goes to always and every other to never; a hugetlb pool
 * holds bs x iodepth and the page fio adds, in whole huge pages.
 */
static int workload_prepare(const struct scenario *sc, char *why, size_t len)
{
	uint64_t hp = 2UL << 20, bytes = sc->bs * (uint64_t)sc->iodepth + PAGE_SZ;

	switch (sc->backing) {
	case BACK_ANON:
		return knobs_for_order_unadvised("enabled", sc->order, why, len);
	case BACK_ANON_SHARED:
		return knobs_for_order_unadvised("shmem_enabled", sc->order, why, len);
	case BACK_HUGETLB_2M:
		if (!hugetlb_size_exists(2048)) {
			fmt(why, len, "no hugetlb pool of 2048 kB pages on this kernel");
			return -ENOENT;
		}
		return hugetlb_reserve(2048, (bytes + hp - 1) / hp, why, len);
	default:
		return 0;
	}
}

/* The knobs (saved, restored at the end) that make a scenario's memory. */
static int backing_prepare(const struct scenario *sc, char *why, size_t len)
{
	int b = sc->backing;

	if (method_find(sc->method)->shape == SHAPE_WORKLOAD)
		return workload_prepare(sc, why, len);

	switch (b) {
	case BACK_ANON:
		return knobs_for_anon_order(sc->order, why, len);
	case BACK_ANON_SHARED:
	case BACK_MEMFD:
		return knobs_for_shmem_order(sc->order, why, len);
	case BACK_HUGETLB_2M:
	case BACK_HUGETLB_1G: {
		unsigned long kb = 4UL << sc->order;

		if (!hugetlb_size_exists(kb)) {
			fmt(why, len, "no hugetlb pool of %lu kB pages on this kernel", kb);
			return -ENOENT;
		}
		return hugetlb_reserve(kb, sc->size / (kb << 10), why, len);
	}
	default:
		return 0;
	}
}

/*
 * A workload scenario's directory of the run (fio/NNNN: its job file, and
 * each run's JSON, log and hook output) and its target, made ready.
 */
static int workload_files(struct runner *r, const struct scenario *sc, size_t idx, char *files,
			  size_t flen, char *target, size_t tlen, char *why, size_t len)
{
	int ret;

	fmt(files, flen, "%s/fio", r->dir);
	if (mkdir(files, 0755) && errno != EEXIST) {
		fmt(why, len, "%s: %s", files, strerror(errno));
		return -EIO;
	}
	if (r->runs > 1)
		fmt(files, flen, "%s/fio/%04zu-r%u", r->dir, idx, r->run);
	else
		fmt(files, flen, "%s/fio/%04zu", r->dir, idx);
	/* a new directory of ours: never one that was there (or a link to elsewhere) */
	if (mkdir(files, 0755)) {
		fmt(why, len, "%s: %s", files, strerror(errno));
		return -EIO;
	}
	if (!r->zram_size)
		for (size_t i = 0; i < r->plan.n; i++) {
			const struct scenario *o = &r->plan.items[i].sc;

			if (!strcmp(o->method, sc->method) && !strcmp(o->target, "zram") &&
			    o->size > r->zram_size)
				r->zram_size = o->size;
		}
	ret = fio_target_prepare(&r->fio, sc, r->zram_size, target, tlen, why, len);
	return ret;
}

static void workload_done(const struct scenario *sc, const char *target)
{
	if (target[0])
		fio_target_done(sc, target);
}

/* Run one scenario in a worker. Returns 0, or 1 if the scenario failed. */
static int run_one(struct runner *r, size_t idx)
{
	const struct scenario *sc = &r->plan.items[idx].sc;
	const struct method *m = method_find(sc->method);
	size_t mi = 0;
	struct vmstat v0, v1;
	char store[CFG_MAX_OPTS + 1][160], *argv[CFG_MAX_OPTS + 12];
	char files[4200] = "", target[512] = "", *extra[5] = { 0 };
	char why[256] = "", exit_desc[128] = "";
	struct mismatch mm = { 0 };
	unsigned long rows = 0;
	uint64_t t0 = now_ns(), deadline;
	int fds[2], wstatus = 0, failed = 0, ret;
	struct skips sk = { 0 };
	pid_t pid, parent;

	while (method_at(mi) != m)
		mi++;
	if (!r->probed[mi]) {
		r->probed[mi] = method_probe(m, r->probe_why[mi], sizeof(r->probe_why[mi])) ? -1 : 1;
	}
	if (r->probed[mi] < 0) {
		rows_status(r, idx, sc, m, SAMPLE_SKIP, r->probe_why[mi]);
		scen_row(r, idx, sc, "skip", 0, 0, "", NULL, NULL, NULL);
		r->skipped++;
		return 0;
	}
	ret = backing_prepare(sc, why, sizeof(why));
	if (ret == -ENOMEM || ret == -ENOENT) {
		/* the kernel cannot provide this memory here: a skip, with why */
		rows_status(r, idx, sc, m, SAMPLE_SKIP, why);
		scen_row(r, idx, sc, "skip", 0, 0, "", NULL, NULL, NULL);
		r->skipped++;
		return 0;
	}
	if (ret) {
		rows_status(r, idx, sc, m, SAMPLE_ERROR, why);
		scen_row(r, idx, sc, "error", 0, 0, "", NULL, NULL, NULL);
		r->failed++;
		return 1;
	}

	if (m->shape == SHAPE_WORKLOAD) {
		ret = workload_files(r, sc, idx, files, sizeof(files), target, sizeof(target), why,
				     sizeof(why));
		if (ret) {
			int skip = ret == -ENOENT || ret == -EBUSY || ret == -EPERM;

			rows_status(r, idx, sc, m, skip ? SAMPLE_SKIP : SAMPLE_ERROR, why);
			scen_row(r, idx, sc, skip ? "skip" : "error", 0, 0, "", NULL, NULL, NULL);
			if (skip)
				r->skipped++;
			else
				r->failed++;
			return skip ? 0 : 1;
		}
		extra[0] = "--files";
		extra[1] = files;
		extra[2] = "--target";
		extra[3] = target;
	}
	worker_args(r, sc, idx, argv, store, ARRAY_SIZE(argv), extra);
	ret = pipe2(fds, O_CLOEXEC) ? -errno : 0;
	if (ret) {
		workload_done(sc, target);
		return ret;
	}
	vmstat_read(&v0, 1);
	parent = getpid();
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -errno;
	}
	if (pid == 0) {
		/* own process group: the terminal's ^C reaches the runner only */
		setpgid(0, 0);
		/* a runner killed with SIGKILL takes its worker along (hugetlb pages, pins) */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		dup2(fds[1], 3);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	setpgid(pid, pid);
	close(fds[1]);

	deadline = t0 + (uint64_t)r->timeout_s * 1000000000ULL;
	for (;;) {
		struct sample s;
		struct csv_row row = { idx, r->run, &r->clock, sc, m, &s };
		uint64_t now = now_ns();
		int wait_ms = now >= deadline ? 0 : (int)((deadline - now) / 1000000ULL);

		if (stop_sig)
			break;
		ret = read_full(fds[0], &s, sizeof(s), wait_ms > 1000 ? 1000 : wait_ms);
		if (ret == -ETIMEDOUT && now_ns() < deadline)
			continue;
		if (ret == -EINTR)
			continue;
		if (ret <= 0) {
			if (ret == -ETIMEDOUT) {
				fmt(exit_desc, sizeof(exit_desc), "timed out after %us", r->timeout_s);
				stop_worker(pid);
			}
			break;
		}
		csv_row_write(&r->csv, &row);
		rows++;
		mismatch_note(&mm, &s);
		skip_note(&sk, &s);
	}
	if (stop_sig) {
		stop_worker(pid);
		/* rows the worker sent before it stopped are still in the pipe */
		for (;;) {
			struct sample s;
			struct csv_row row = { idx, r->run, &r->clock, sc, m, &s };

			if (read_full(fds[0], &s, sizeof(s), 0) <= 0)
				break;
			csv_row_write(&r->csv, &row);
			rows++;
			mismatch_note(&mm, &s);
		}
	}
	close(fds[0]);
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	vmstat_read(&v1, 1);
	workload_done(sc, target);

	if (stop_sig) {
		fmt(exit_desc, sizeof(exit_desc), "stopped by %s", strsignal(stop_sig));
		rows_status(r, idx, sc, m, SAMPLE_INTERRUPTED, exit_desc);
		scen_row(r, idx, sc, "interrupted", rows, now_ns() - t0, exit_desc, &mm, &v0, &v1);
		r->interrupted = 1;
		return 1;
	}
	if (exit_desc[0]) {
		failed = 1;
	} else if (WIFSIGNALED(wstatus)) {
		fmt(exit_desc, sizeof(exit_desc), "worker killed by %s after %lu rows",
		    strsignal(WTERMSIG(wstatus)), rows);
		failed = 1;
	} else if (WEXITSTATUS(wstatus) == WORKER_EXIT_FAILED) {
		fmt(exit_desc, sizeof(exit_desc), "scenario failed (see the error rows)");
		failed = 1;
	} else if (WEXITSTATUS(wstatus)) {
		fmt(exit_desc, sizeof(exit_desc), "worker exited with %d after %lu rows",
		    WEXITSTATUS(wstatus), rows);
		failed = 1;
	}
	/* a crash or timeout has no error row of its own: add one per op */
	if (failed && WEXITSTATUS(wstatus) != WORKER_EXIT_FAILED)
		rows_status(r, idx, sc, m, SAMPLE_ERROR, exit_desc);
	if (!failed && !sk.measured && sk.skipped) {
		/* the worker found the scenario impossible here: every row a skip */
		scen_row(r, idx, sc, "skip", rows, now_ns() - t0, sk.why, &mm, &v0, &v1);
		r->skipped++;
		return 0;
	}
	scen_row(r, idx, sc, failed ? "error" : "ok", rows, now_ns() - t0, exit_desc, &mm, &v0, &v1);
	if (failed)
		r->failed++;
	else
		r->done++;
	if (!failed && mm.rows)
		r->not_as_asked++;
	return failed;
}

/*
 * One run at a time turns the machine's knobs: a second run would journal
 * the first one's THP and hugetlb settings as the originals and restore
 * those. The lock is held until exit (the fd is never closed); without
 * root there is no lock file to take, and no knob to turn either.
 */
#define RUN_LOCK "/run/gupbench.lock"

static void run_lock(void)
{
	int fd = open(RUN_LOCK, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);

	if (fd < 0)
		return;
	if (!flock(fd, LOCK_EX | LOCK_NB))
		return;
	fprintf(stderr, "gupbench: another gupbench run holds %s (it turns THP and hugetlb knobs "
		"too): waiting for it to finish\n", RUN_LOCK);
	while (flock(fd, LOCK_EX) && errno == EINTR)
		;
}

static void dry_run(const struct runner *r)
{
	printf("%zu scenarios\n", r->plan.n);
	for (size_t i = 0; i < r->plan.n; i++) {
		const struct plan_item *it = &r->plan.items[i];

		printf("%4zu %s:%d [%s]", i, it->job->file, it->job->line, it->sc.job);
		for (size_t k = 0; k < opt_count(); k++) {
			char v[128];

			scenario_get(&it->sc, k, v, sizeof(v));
			printf(" %s=%s", opt_name(k), v);
		}
		putchar('\n');
	}
}


/* xorshift64* (Vigna): small, seedable, the same order for the same seed everywhere */
static uint64_t rng_next(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545F4914F6CDD1DULL;
}

/* order[] = 0..n-1 shuffled (Fisher-Yates) */
static void shuffle(size_t *order, size_t n, uint64_t *state)
{
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(rng_next(state) % i), t = order[i - 1];

		order[i - 1] = order[j];
		order[j] = t;
	}
}

static int parse_count(const char *opt, const char *arg, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end || errno || *out > max) {
		fprintf(stderr, "gupbench run: %s: \"%s\" is not a number (0..%lu)\n", opt, arg, max);
		return -1;
	}
	return 0;
}

/* What run's command line asks besides the runner's own fields. */
struct run_args {
	const char *out;
	int dry, no_plot, seeded;
};

/* The options into r and a: 0, 2 (said on stderr), or -1 after --help. */
static int run_options(struct runner *r, struct run_args *a, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "no-plot", no_argument, NULL, 'P' },
		{ "allow-device", no_argument, NULL, 'D' },
		{ "runs", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	/* options may come before or after the configs */
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:nt:r:qh", lopts, NULL)) != -1) {
		unsigned long v;
		char *end;

		switch (c) {
		case 'r':
			if (parse_count("--runs", optarg, 1000, &v) || !v) {
				if (!v)
					fprintf(stderr, "gupbench run: --runs: at least 1\n");
				return 2;
			}
			r->runs = (unsigned int)v;
			break;
		case 'S':
			errno = 0;
			r->seed = strtoull(optarg, &end, 0);
			if (*optarg < '0' || *optarg > '9' || *end || errno) {
				fprintf(stderr, "gupbench run: --seed: \"%s\" is not a number\n", optarg);
				return 2;
			}
			a->seeded = 1;
			break;
		case 'o':
			a->out = optarg;
			break;
		case 'n':
			a->dry = 1;
			break;
		case 't':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			r->timeout_s = *optarg >= '1' && *optarg <= '9' && !*end && !errno &&
				       v <= 7 * 86400 ? (unsigned int)v : 0;
			if (!r->timeout_s) {
				fprintf(stderr, "gupbench run: --timeout: \"%s\" is not a number of seconds "
					"(1..604800)\n", optarg);
				return 2;
			}
			break;
		case 'q':
			r->quiet = 1;
			break;
		case 'P':
			a->no_plot = 1;
			break;
		case 'D':
			cfg_allow_device = 1;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	return 0;
}

/* The run directory and what is written from the start: meta, the CSVs, the knob journal. */
static int run_open(struct runner *r, const struct run_args *a, const char *command)
{
	char cwd[4096] = "";
	int ret;

	if (a->out)
		fmt(r->dir, sizeof(r->dir), "%s", a->out);
	else
		default_dir(r->dir, sizeof(r->dir));
	ret = mkdir_p(r->dir, 0);
	if (ret) {
		fprintf(stderr, "gupbench: %s: %s%s\n", r->dir, strerror(-ret),
			ret == -EEXIST ? " (a run directory is never overwritten)" : "");
		return 2;
	}
	fmt(r->path, sizeof(r->path), "%s/gbench", r->dir);
	mkdir(r->path, 0755);
	fmt(r->path, sizeof(r->path), "%s/knobs.saved", r->dir);
	knob_journal(r->path);

	if (!getcwd(cwd, sizeof(cwd)))
		cwd[0] = '\0';
	fmt(r->path, sizeof(r->path), "%s/meta", r->dir);
	{
		struct meta_run mr = { command, cwd, &r->cfg, r->plan.n, r->runs, r->seed, &r->clock };

		ret = meta_write_start(r->path, &mr);
	}
	if (ret) {
		fprintf(stderr, "gupbench: %s: %s\n", r->path, strerror(-ret));
		return 1;
	}
	fmt(r->path, sizeof(r->path), "%s/results.csv", r->dir);
	ret = csv_open(&r->csv, r->path);
	if (ret) {
		fprintf(stderr, "gupbench: %s: %s\n", r->path, strerror(-ret));
		return 1;
	}
	fmt(r->path, sizeof(r->path), "%s/scenarios.csv", r->dir);
	r->scen = fopen(r->path, "wxe");
	if (!r->scen) {
		fprintf(stderr, "gupbench: %s: %s\n", r->path, strerror(errno));
		return 1;
	}
	scen_header(r->scen);
	return 0;
}

/* Every round of the matrix, until done, a signal, or a worker that cannot start. */
static void run_rounds(struct runner *r)
{
	size_t *order = calloc(r->plan.n ? r->plan.n : 1, sizeof(*order));
	size_t total = r->plan.n * r->runs, step = 0;
	int broken = 0, ret;

	for (r->run = 0; r->run < r->runs && !stop_sig && !broken && order; r->run++) {
		uint64_t st = r->seed * 0x9E3779B97F4A7C15ULL + r->run + 1;

		/* one run: config order; several: each round shuffled */
		if (r->runs > 1)
			shuffle(order, r->plan.n, &st);
		else
			for (size_t k = 0; k < r->plan.n; k++)
				order[k] = k;
		for (size_t k = 0; k < r->plan.n && !stop_sig; k++, step++) {
			progress(r, step, total, &r->plan.items[order[k]].sc, 0);
			ret = run_one(r, order[k]);
			if (ret < 0) {
				fprintf(stderr, "\ngupbench: cannot start a worker: %s\n", strerror(-ret));
				r->failed++;
				broken = 1;
				break;
			}
		}
	}
	free(order);
	if (r->tty && !r->quiet)
		fputc('\n', stderr);
}

/*
 * The end: the knobs restored first (before anything else can fail), the
 * files closed, Google Benchmark's JSON merged, meta's [end], the plots,
 * the line that says what the run did. Returns what the knobs' restore said.
 */
static const char *run_finish(struct runner *r, const struct run_args *a)
{
	const char *knob_status = "nothing to restore";
	char err[1024];

	if (knob_saved_count()) {
		char why[256] = "";
		int bad = knob_restore_all(why, sizeof(why));

		knob_status = bad ? "FAILED" : "restored";
		if (bad)
			fprintf(stderr, "gupbench: %d knobs not restored: %s (gupbench restore %s)\n",
				bad, why, r->dir);
	}
	csv_close(&r->csv);
	fclose(r->scen);

	fmt(r->path, sizeof(r->path), "%s/gbench.json", r->dir);
	{
		char gbdir[4200];

		fmt(gbdir, sizeof(gbdir), "%s/gbench", r->dir);
		if (gbjson_merge(gbdir, r->path, err, sizeof(err)))
			fprintf(stderr, "gupbench: merging Google Benchmark JSON: %s\n", err);
	}
	{
		struct meta_end e = {
			.status = stop_sig ? "interrupted" : r->failed ? "failed scenarios" : "complete",
			.rows = r->csv.rows,
			.done = r->done,
			.skipped = r->skipped,
			.failed = r->failed,
			.not_as_asked = r->not_as_asked,
			.knobs = knob_status,
		};

		fmt(r->path, sizeof(r->path), "%s/meta", r->dir);
		meta_write_end(r->path, &e);
	}
	if (!stop_sig && !a->no_plot && plot_run(r->dir, r->quiet, err, sizeof(err)))
		fprintf(stderr, "gupbench: plots: %s\n", err);

	{
		char naa[96] = "";

		if (r->not_as_asked)
			fmt(naa, sizeof(naa), " (%zu not as asked: see results.csv mismatch)",
			    r->not_as_asked);
		fprintf(stderr, "gupbench: %zu ok%s, %zu skipped, %zu failed scenarios, %lu rows in "
			"%s/results.csv%s\n"
			"gupbench: medians: gupbench summary %s\n",
			r->done, naa, r->skipped, r->failed, r->csv.rows, r->dir,
			stop_sig ? " (interrupted)" : "", r->dir);
	}
	return knob_status;
}

int run_main(int argc, char **argv, int full_argc, char **full_argv)
{
	struct runner r = { .timeout_s = 900, .runs = 1 };

	fio_targets_init(&r.fio);
	struct run_args a = { 0 };
	const char *knob_status;
	char err[1024], runs_text[96] = "", *command;
	int ret;

	ret = run_options(&r, &a, argc, argv);
	if (ret)
		return ret < 0 ? 0 : ret;
	/* Everything is checked before anything is written. */
	for (int i = optind; i < argc; i++) {
		if (cfg_load(&r.cfg, argv[i], err, sizeof(err))) {
			fprintf(stderr, "gupbench: %s\n", err);
			return 2;
		}
	}
	if (cfg_expand(&r.cfg, &r.plan, err, sizeof(err))) {
		fprintf(stderr, "gupbench: %s\n", err);
		return 2;
	}
	if (a.dry) {
		dry_run(&r);
		return 0;
	}

	if (run_clock_detect(&r.clock))
		fprintf(stderr, "gupbench: warning: %s: taking the clock as real\n", r.clock.source);
	if (!a.seeded)
		r.seed = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 32);
	if (r.runs > 1)
		fmt(runs_text, sizeof(runs_text), " x %u runs (shuffled, seed %llu)", r.runs, r.seed);

	run_lock();
	command = sh_join(full_argc, full_argv);
	ret = run_open(&r, &a, command);
	if (ret) {
		free(command);
		return ret;
	}
	warn_unmet(&r);
	warn_clock(&r);
	signals_install();
	r.tty = isatty(STDERR_FILENO);
	r.t0 = now_ns();
	if (!r.quiet)
		fprintf(stderr, "gupbench: %zu scenarios%s -> %s\n", r.plan.n, runs_text, r.dir);
	run_rounds(&r);
	knob_status = run_finish(&r, &a);
	free(command);
	plan_free(&r.plan);
	cfg_free(&r.cfg);
	if (stop_sig)
		return 128 + stop_sig;
	/* knobs left changed are a failure, whatever the scenarios did */
	return r.failed || !strcmp(knob_status, "FAILED") ? 1 : 0;
}

int restore_main(int argc, char **argv)
{
	char path[4200], why[512] = "";
	int bad;

	if (argc != 2) {
		fprintf(stderr, "usage: gupbench restore RUN_DIR\n"
				"  write back the knobs a run saved in RUN_DIR/knobs.saved\n");
		return 2;
	}
	fmt(path, sizeof(path), "%s/knobs.saved", argv[1]);
	if (access(path, F_OK)) {
		printf("gupbench: %s: no knobs were changed by that run\n", path);
		return 0;
	}
	bad = knob_restore_journal(path, why, sizeof(why));
	if (bad) {
		fprintf(stderr, "gupbench: %s\n", why);
		return 1;
	}
	printf("gupbench: knobs restored from %s\n", path);
	return 0;
}
