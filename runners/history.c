// SPDX-License-Identifier: GPL-2.0
/*
 * `gupbench history --kernels SPEC... CONFIG...`: the same configs on a row
 * of kernels, each booted under QEMU by `gupbench vm` (under icount where
 * the host runs TCG: deterministic, one host thread a guest), one ordinary
 * run directory per kernel in DIR/runs/LABEL; then the trend, the change
 * points between neighbouring kernels, charts and a report
 * (history_report.c).
 *
 * The sweep is resumable: a kernel whose run directory exists was measured
 * and is kept; a guest runs into DIR/runs/.LABEL.part, renamed into place
 * only when it completed, so an interrupted sweep loses no finished kernel
 * and leaves no half run that a later one takes for finished. A kernel that
 * cannot be fetched, booted or run is recorded with the reason
 * (DIR/kernels.csv, the report) and the sweep goes on. DIR/sweep records the
 * options and the configs' text: resuming with other ones is refused, since
 * the kept kernels measured something else.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "csv.h"
#include "history.h"
#include "history_int.h"
#include "outdir.h"
#include "proc.h"
#include "util.h"

static volatile sig_atomic_t history_sig;

static void history_on_signal(int sig)
{
	history_sig = sig;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gupbench history --kernels SPEC[,SPEC...] [-o DIR] [-j N] [--report]\n"
		"         [--notes FILE] [compare options] [vm options] CONFIG...\n"
		"  runs CONFIG... on each kernel under QEMU (`gupbench vm`, one run directory\n"
		"  per kernel in DIR/runs/), then writes DIR/trend.csv, DIR/history.md and\n"
		"  history.txt (the trend table, the change points between neighbouring\n"
		"  kernels, largest first) and a chart per method in DIR/plots/.\n"
		"  SPEC: debian:VERSION (as `gupbench kernels` lists: 7.3, 6.16.12, 6.1.0-57,\n"
		"  latest); debian:A..B a range, the newest release of each series, or\n"
		"  debian:A..B/ends (oldest and newest of each) or /all (every release);\n"
		"  build:SRC, built by scripts/kbuild.sh with GUP_TEST (linux-source-7.3, a\n"
		"  tree); an image path. Kernels stay in the order given (ranges oldest first);\n"
		"  neighbours in that order are compared.\n"
		"  -o DIR        default results/history-<date>; an existing DIR is resumed:\n"
		"                kernels measured there are kept, the others run\n"
		"  -j N          guests at once (default: the host's CPUs; under icount a\n"
		"                guest keeps one host CPU busy and its numbers do not\n"
		"                depend on what runs beside it)\n"
		"  --report      measure nothing: the report of what DIR holds\n"
		"  --notes FILE  explanations for change points: sections [A..B REGEX]\n"
		"                (REGEX on \"point op\") followed by the text\n"
		"  compare options: --threshold P, --alpha A, --min-samples N, --metric M,\n"
		"                --only RE, --ignore KEY (see gupbench compare --help)\n"
		"  vm options, passed to every boot: --clock C, --runs N, --mem SIZE,\n"
		"                --timeout S, --boot-timeout S, --append ARGS, --cpus N,\n"
		"                --cache DIR, --force\n"
		"  exit status: 0 the report was written (kernels that failed are in it),\n"
		"  1 no kernel could be measured, 2 bad options, 130 interrupted\n");
}

/* ---- the kernels ---- */

/*
 * The start of a scripts/kernels.sh command line in argv: the script of
 * the checkout at top, and --cache DIR when one was given. Returns the
 * words written (at most 3); the caller adds the command.
 */
static int kernels_argv(const char *top, const char *cache, char *script, size_t len,
			char **argv)
{
	int n = 0;

	fmt(script, len, "%s/scripts/kernels.sh", top);
	argv[n++] = script;
	if (cache) {
		argv[n++] = "--cache";
		argv[n++] = (char *)cache;
	}
	return n;
}

/* kernels.sh CMD ARG: its stdout lines into buf (joined by '\n'). */
static int kernels_sh(struct history *h, const char *cmd, const char *arg, char *buf, size_t len)
{
	char script[PATH_MAX + 32];
	char *argv[8];
	int n = kernels_argv(h->top, h->cache, script, sizeof(script), argv);
	struct capture c = { .buf = buf, .len = len };
	struct proc p = { .argv = argv, .out_fd = -1, .err_fd = STDERR_FILENO,
			  .group = PROC_SAME, .line = capture_line, .ctx = &c };

	buf[0] = '\0';
	argv[n++] = (char *)cmd;
	argv[n++] = (char *)arg;
	argv[n] = NULL;
	return proc_run(&p);
}

static struct hk *hk_add(struct history *h)
{
	struct hk *k = realloc(h->k, (h->nk + 1) * sizeof(*k));

	if (!k)
		return NULL;
	h->k = k;
	k = &h->k[h->nk++];
	memset(k, 0, sizeof(*k));
	return k;
}

/* One catalogue line of kernels.sh: upstream abi flavour layout version suites. */
static int hk_from_line(struct history *h, char *line)
{
	char *f[6] = { 0 }, *save = NULL, *t = strtok_r(line, "\t", &save);
	struct hk *k;
	int n = 0;

	for (; t && n < 6; t = strtok_r(NULL, "\t", &save))
		f[n++] = t;
	if (n < 6)
		return -EINVAL;
	k = hk_add(h);
	if (!k)
		return -ENOMEM;
	fmt(k->upstream, sizeof(k->upstream), "%s", f[0]);
	fmt(k->abi, sizeof(k->abi), "%s", f[1]);
	fmt(k->suites, sizeof(k->suites), "%s", f[5]);
	/* "=ABI": exactly this build, whatever else the name could mean */
	fmt(k->spec, sizeof(k->spec), "debian:=%s", f[1]);
	fmt(k->label, sizeof(k->label), "%s", f[0]);
	return 0;
}

/* An image path's label: its name, or its directory's for vmlinuz/bzImage. */
static void path_label(char *dst, size_t len, const char *path)
{
	char tmp[PATH_MAX];
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (!strcmp(base, "vmlinuz") || !strcmp(base, "bzImage")) {
		const char *d;

		fmt(tmp, sizeof(tmp), "%.*s", (int)(base - path > 0 ? base - path - 1 : 0), path);
		d = strrchr(tmp, '/');
		base = d ? d + 1 : tmp;
	}
	outdir_safe_name(dst, len, *base ? base : "image");
}

static int add_spec(struct history *h, const char *spec)
{
	static char buf[1 << 16];
	char *save = NULL, *line;
	struct stat st;
	int ret;

	if (!strncmp(spec, "debian:", 7)) {
		const char *v = spec + 7;

		ret = kernels_sh(h, strstr(v, "..") ? "range" : "resolve", v, buf, sizeof(buf));
		if (ret) {
			fprintf(stderr, "gupbench history: --kernels %s: no such kernel (above)\n",
				spec);
			return 2;
		}
		for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			if (hk_from_line(h, line)) {
				fprintf(stderr, "gupbench history: %s: kernels.sh said \"%s\"\n",
					spec, line);
				return 2;
			}
		return 0;
	}
	if (!strncmp(spec, "build:", 6)) {
		/* vm builds it (scripts/kbuild.sh), reused while its source stays */
		struct hk *k = hk_add(h);

		if (!k)
			return 2;
		fmt(k->spec, sizeof(k->spec), "%s", spec);
		outdir_safe_name(k->label, sizeof(k->label), spec + 6);
		return 0;
	}
	if (stat(spec, &st) || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "gupbench history: --kernels %s: %s\n", spec,
			errno ? strerror(errno) : "not a file");
		return 2;
	}
	{
		struct hk *k = hk_add(h);
		char *abs = realpath(spec, NULL);

		if (!k || !abs) {
			free(abs);
			return 2;
		}
		fmt(k->spec, sizeof(k->spec), "%s", abs);
		path_label(k->label, sizeof(k->label), abs);
		free(abs);
	}
	return 0;
}

/*
 * Labels name the runs' directories and the columns: unique, file-safe. Two
 * builds of one upstream version (6.12.118+deb12, +deb13) take their ABI
 * names; the same build given twice is refused.
 */
static int labels_settle(struct history *h)
{
	for (size_t i = 0; i < h->nk; i++)
		for (size_t j = i + 1; j < h->nk; j++) {
			if (!strcmp(h->k[i].spec, h->k[j].spec)) {
				fprintf(stderr, "gupbench history: kernel %s given twice\n",
					h->k[i].label);
				return 2;
			}
			if (strcmp(h->k[i].label, h->k[j].label))
				continue;
			if (!h->k[i].abi[0] || !h->k[j].abi[0]) {
				fprintf(stderr, "gupbench history: two kernels named %s: rename one image\n",
					h->k[i].label);
				return 2;
			}
			fmt(h->k[i].label, sizeof(h->k[i].label), "%s", h->k[i].abi);
			fmt(h->k[j].label, sizeof(h->k[j].label), "%s", h->k[j].abi);
		}
	for (size_t i = 0; i < h->nk; i++) {
		char safe[96];

		outdir_safe_name(safe, sizeof(safe), h->k[i].label);
		fmt(h->k[i].label, sizeof(h->k[i].label), "%s", safe);
	}
	return 0;
}

/* ---- the sweep's directory ---- */

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path);
}

/* path and all below it, symlinks removed as links (never followed) */
static int rm_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) ? -errno : 0;
}

static void run_dir(const struct history *h, const struct hk *k, const char *suffix, char *dst,
		    size_t len)
{
	fmt(dst, len, "%s/runs/%s%s", h->out, k->label, suffix);
}

/*
 * DIR/sweep: the options every boot gets and each config's text. A new
 * sweep writes it; a resumed one must match it.
 */
static int sweep_check(struct history *h)
{
	char path[PATH_MAX + 16], *old = NULL;
	struct sbuf b = { 0 };
	size_t oldlen = 0;
	FILE *f;
	int ret = 0;

	sbuf_add(&b, "# gupbench history: the options of every boot and the configs\n");
	for (int i = 0; i < h->nvmargs; i++) {
		sbuf_add(&b, "vm ");
		sbuf_quote(&b, h->vmargs[i]);
		sbuf_add(&b, "\n");
	}
	for (int i = 0; i < h->nconfigs; i++) {
		char *text = NULL;
		size_t n = 0;
		FILE *c = fopen(h->configs[i], "re");

		if (!c || getdelim(&text, &n, '\0', c) < 0) {
			fprintf(stderr, "gupbench history: %s: %s\n", h->configs[i],
				c ? "empty" : strerror(errno));
			if (c)
				fclose(c);
			free(text);
			free(sbuf_take(&b));
			return 2;
		}
		fclose(c);
		sbuf_add(&b, "config ");
		sbuf_quote(&b, h->configs[i]);
		sbuf_add(&b, "\n");
		sbuf_add(&b, text);
		sbuf_add(&b, "\n# end of config\n");
		free(text);
	}
	{
		char *now = sbuf_take(&b);

		if (!now)
			return 2;
		fmt(path, sizeof(path), "%s/sweep", h->out);
		f = fopen(path, "re");
		if (f && h->report_only && !h->nconfigs) {
			/* --report without configs: the sweep's own, whatever they were */
			fclose(f);
		} else if (f) {
			if (getdelim(&old, &oldlen, '\0', f) < 0 && old)
				old[0] = '\0';
			fclose(f);
			if (!old || strcmp(old, now)) {
				fprintf(stderr,
					"gupbench history: %s was made with other options or configs "
					"(%s): its kernels measured something else; use another -o\n",
					h->out, path);
				ret = 2;
			}
		} else if (h->report_only) {
			fprintf(stderr, "gupbench history: --report: %s has no sweep file: not a history\n",
				h->out);
			ret = 2;
		} else {
			int dfd = outdir_open(h->out);
			struct outfile o;

			if (dfd < 0 || outfile_open(&o, dfd, "sweep")) {
				fprintf(stderr, "gupbench history: %s: cannot write\n", path);
				ret = 2;
			} else {
				fputs(now, o.f);
				if (outfile_commit(&o))
					ret = 2;
			}
			if (dfd >= 0)
				close(dfd);
		}
		free(now);
		free(old);
	}
	return ret;
}

/* DIR/command: how the sweep was started, for its report. */
static void sweep_command(struct history *h)
{
	int dfd = outdir_open(h->out);
	struct outfile o;

	if (dfd < 0)
		return;
	if (!outfile_open(&o, dfd, "command")) {
		fprintf(o.f, "%s\n", h->cmdline ? h->cmdline : "history");
		outfile_commit(&o);
	}
	close(dfd);
}

/*
 * --report: the command and configs of the sweep itself, not of this
 * call, unless configs were given (and matched the sweep's, above).
 */
static void sweep_recall(struct history *h)
{
	char path[PATH_MAX + 16], *line = NULL;
	size_t cap = 0;
	FILE *f;

	fmt(path, sizeof(path), "%s/command", h->out);
	f = fopen(path, "re");
	if (f && getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		h->report_cmdline = h->cmdline;
		h->cmdline = strdup(line);
	}
	if (f)
		fclose(f);
	if (h->nconfigs)
		goto out;
	fmt(path, sizeof(path), "%s/sweep", h->out);
	f = fopen(path, "re");
	while (f && getline(&line, &cap, f) > 0) {
		char **n;

		if (strncmp(line, "config ", 7))
			continue;
		n = realloc(h->recalled, (h->nconfigs + 1) * sizeof(*n));
		if (!n)
			break;
		h->recalled = n;
		line[strcspn(line, "\n")] = '\0';
		/* as sh_quote wrote it: '...' with no quote inside, for our paths */
		n[h->nconfigs++] = strndup(line + 8 - (line[7] != '\''),
					  strlen(line + 7) - 2 * (line[7] == '\''));
	}
	if (f)
		fclose(f);
	h->configs = h->recalled;
out:
	free(line);
}

/* What an earlier sweep left: finished kernels are kept, others reset. */
static void sweep_scan(struct history *h)
{
	char path[PATH_MAX + 160];
	struct stat st;

	for (size_t i = 0; i < h->nk; i++) {
		struct hk *k = &h->k[i];

		run_dir(h, k, "/results.csv", path, sizeof(path));
		if (!stat(path, &st)) {
			k->state = HK_KEPT;
			continue;
		}
		run_dir(h, k, ".failed/why", path, sizeof(path));
		if (h->report_only) {
			k->state = HK_FAILED;
			if (file_read_str(path, k->why, sizeof(k->why)))
				fmt(k->why, sizeof(k->why), "not measured");
		}
	}
}

/* DIR/kernels.csv: each kernel and how its measurement ended. */
static void kernels_csv(struct history *h)
{
	static const char *const state[] = { "to do", "running", "kept", "done", "failed" };
	int dfd = outdir_open(h->out);
	struct outfile o;

	if (dfd < 0 || outfile_open(&o, dfd, "kernels.csv")) {
		fprintf(stderr, "gupbench history: %s/kernels.csv: cannot write\n", h->out);
		if (dfd >= 0)
			close(dfd);
		return;
	}
	fprintf(o.f, "kernel,abi,suites,spec,state,status,seconds,why\n");
	for (size_t i = 0; i < h->nk; i++) {
		const struct hk *k = &h->k[i];

		csv_quote(o.f, k->label);
		fputc(',', o.f);
		csv_quote(o.f, k->abi);
		fputc(',', o.f);
		csv_quote(o.f, k->suites);
		fputc(',', o.f);
		csv_quote(o.f, k->spec);
		fprintf(o.f, ",%s,", state[k->state]);
		if (k->state == HK_DONE || k->state == HK_FAILED)
			fprintf(o.f, "%d,%.0f", k->status, k->secs);
		else
			fprintf(o.f, ",");
		fputc(',', o.f);
		csv_quote(o.f, k->why);
		fputc('\n', o.f);
	}
	outfile_commit(&o);
	close(dfd);
}

/* ---- measuring ---- */

/* Fetch every kernel to be measured, one after another, before any boot. */
static void fetch_all(struct history *h)
{
	char buf[PATH_MAX + 64];

	for (size_t i = 0; i < h->nk && !history_sig; i++) {
		struct hk *k = &h->k[i];

		if (k->state != HK_TODO || !k->abi[0])
			continue;
		if (kernels_sh(h, "fetch", k->spec + 7, buf, sizeof(buf))) {
			k->state = HK_FAILED;
			fmt(k->why, sizeof(k->why), "could not be fetched (kernels.sh fetch %s)",
			    k->spec + 7);
		}
	}
}

static int start_one(struct history *h, struct hk *k)
{
	char part[PATH_MAX + 160], log[PATH_MAX + 160], *argv[64];
	int n = 0, fd;
	struct proc p = { .argv = argv, .group = PROC_SHIELD };

	fmt(part, sizeof(part), "%s/runs/.%s.part", h->out, k->label);
	fmt(log, sizeof(log), "%s/logs", h->out);
	if (mkdir_p(log, 1))
		return -errno;
	fmt(log, sizeof(log), "%s/logs/%s.log", h->out, k->label);
	/* a guest cut off by an earlier sweep left this: it is not a result */
	rm_tree(part);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	argv[n++] = h->exe;
	argv[n++] = "vm";
	argv[n++] = "--kernel";
	argv[n++] = k->spec;
	argv[n++] = "-o";
	argv[n++] = part;
	argv[n++] = "--no-plot";
	for (int i = 0; i < h->nvmargs; i++)
		argv[n++] = h->vmargs[i];
	argv[n++] = "run";
	for (int i = 0; i < h->nconfigs && n < 63; i++)
		argv[n++] = h->configs[i];
	argv[n] = NULL;
	p.out_fd = fd;
	p.err_fd = fd;
	k->pid = proc_start(&p);
	close(fd);
	if (k->pid < 0)
		return k->pid;
	k->state = HK_RUNNING;
	clock_gettime(CLOCK_MONOTONIC, &k->t0);
	if (!h->quiet)
		fprintf(stderr, "gupbench history: %s: booting (log: %s)\n", k->label, log);
	return 0;
}

/* The guest of k ended with wait status st: its run is kept or set aside. */
static void finish_one(struct history *h, struct hk *k, int st)
{
	char part[PATH_MAX + 160], dst[PATH_MAX + 160], why[PATH_MAX + 160];
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	k->secs = (t.tv_sec - k->t0.tv_sec) + (t.tv_nsec - k->t0.tv_nsec) / 1e9;
	k->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	fmt(part, sizeof(part), "%s/runs/.%s.part", h->out, k->label);
	if (history_sig) {
		/* cut off: its rows stay in the .part directory, not counted */
		k->state = HK_TODO;
		return;
	}
	if (k->status == 0 || k->status == 1) {
		run_dir(h, k, "", dst, sizeof(dst));
		if (!rename(part, dst)) {
			k->state = HK_DONE;
			if (k->status == 1)
				fmt(k->why, sizeof(k->why), "some scenarios failed (their rows say why)");
		} else {
			k->state = HK_FAILED;
			fmt(k->why, sizeof(k->why), "%s: %s", dst, strerror(errno));
		}
	} else {
		static const char *const what[] = {
			[2] = "the configs were refused",
			[3] = "the image's config lacks what the guest needs to boot",
			[4] = "the guest did not complete (no boot, panic or timeout)",
		};

		k->state = HK_FAILED;
		fmt(k->why, sizeof(k->why), "gupbench vm exit %d: %s", k->status,
		    k->status < 5 && what[k->status] ? what[k->status] : "failed");
		/* what arrived stays beside, with the console, for whoever looks */
		run_dir(h, k, ".failed", dst, sizeof(dst));
		rm_tree(dst);
		if (!rename(part, dst)) {
			fmt(why, sizeof(why), "%s/why", dst);
			file_write_str(why, k->why);
		}
	}
	if (!h->quiet)
		fprintf(stderr, "gupbench history: %s: %s after %.0f s%s%s\n", k->label,
			k->state == HK_DONE ? "measured" : "failed", k->secs,
			k->why[0] ? ": " : "", k->why);
}

static struct hk *hk_of_pid(struct history *h, pid_t pid)
{
	for (size_t i = 0; i < h->nk; i++)
		if (h->k[i].state == HK_RUNNING && h->k[i].pid == pid)
			return &h->k[i];
	return NULL;
}

/* Up to h->jobs guests at once, in the order given. */
static void measure(struct history *h)
{
	size_t next = 0, running = 0;

	for (;;) {
		int st;
		pid_t pid;
		struct hk *k;

		while (!history_sig && running < (size_t)h->jobs && next < h->nk) {
			k = &h->k[next++];
			if (k->state != HK_TODO)
				continue;
			if (start_one(h, k)) {
				k->state = HK_FAILED;
				fmt(k->why, sizeof(k->why), "could not start gupbench vm: %s",
				    strerror(errno));
				continue;
			}
			running++;
		}
		if (!running)
			break;
		pid = waitpid(-1, &st, 0);
		if (pid < 0) {
			if (errno != EINTR)
				break;
			if (history_sig)	/* stop every guest: vm keeps the rows that arrived */
				for (size_t i = 0; i < h->nk; i++)
					if (h->k[i].state == HK_RUNNING)
						kill(-h->k[i].pid, SIGTERM);
			continue;
		}
		k = hk_of_pid(h, pid);
		if (!k)
			continue;
		running--;
		finish_one(h, k, st);
		kernels_csv(h);
	}
}

/* ---- options ---- */

enum { OPT_KERNELS = 0x100, OPT_REPORT, OPT_NOTES, OPT_NO_PLOT, OPT_VM };

static const struct option history_lopts[] = {
	{ "kernels", required_argument, NULL, OPT_KERNELS },
	{ "report", no_argument, NULL, OPT_REPORT },
	{ "notes", required_argument, NULL, OPT_NOTES },
	{ "no-plot", no_argument, NULL, OPT_NO_PLOT },
	{ "help", no_argument, NULL, 'h' },
	/* passed through to gupbench vm */
	{ "clock", required_argument, NULL, OPT_VM },
	{ "runs", required_argument, NULL, OPT_VM },
	{ "mem", required_argument, NULL, OPT_VM },
	{ "timeout", required_argument, NULL, OPT_VM },
	{ "boot-timeout", required_argument, NULL, OPT_VM },
	{ "append", required_argument, NULL, OPT_VM },
	{ "cpus", required_argument, NULL, OPT_VM },
	{ "cache", required_argument, NULL, OPT_VM },
	{ "force", no_argument, NULL, OPT_VM },
	COMPARE_LONG_OPTS,
	{ 0 }
};

static int history_options(struct history *h, int argc, char **argv, char ***specs, int *nspecs)
{
	int c, li;

	while ((c = getopt_long(argc, argv, "+o:j:qh", history_lopts, &li)) != -1) {
		int r = compare_opt(c, optarg, "history", &h->co);

		if (r < 0)
			return 2;
		if (r > 0)
			continue;
		switch (c) {
		case 'o':
			fmt(h->out, sizeof(h->out), "%s", optarg);
			break;
		case 'j':
			h->jobs = atoi(optarg);
			if (h->jobs < 1 || h->jobs > 64) {
				fprintf(stderr, "gupbench history: -j %s: 1 to 64\n", optarg);
				return 2;
			}
			break;
		case 'q':
			h->quiet = 1;
			break;
		case OPT_KERNELS: {
			char *copy = strdup(optarg), *save = NULL;

			for (char *s = strtok_r(copy, ", ", &save); s; s = strtok_r(NULL, ", ", &save)) {
				char **n = realloc(*specs, (*nspecs + 1) * sizeof(*n));

				if (!n)
					return 2;
				*specs = n;
				n[(*nspecs)++] = s;
			}
			break;
		}
		case OPT_REPORT:
			h->report_only = 1;
			break;
		case OPT_NOTES:
			h->notes = optarg;
			break;
		case OPT_NO_PLOT:
			h->no_plot = 1;
			break;
		case OPT_VM: {
			const struct option *o = &history_lopts[li];
			char word[64];

			if (h->nvmargs + 2 > (int)ARRAY_SIZE(h->vmargs))
				return 2;
			fmt(word, sizeof(word), "--%s", o->name);
			h->vmargs[h->nvmargs++] = strdup(word);
			if (o->has_arg)
				h->vmargs[h->nvmargs++] = optarg;
			if (!strcmp(o->name, "cache"))
				h->cache = optarg;
			break;
		}
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	return 0;
}

int history_main(int argc, char **argv)
{
	struct history h = { .jobs = (int)sysconf(_SC_NPROCESSORS_ONLN) };
	struct sigaction old[3];
	char **specs = NULL;
	int nspecs = 0, ret;

	compare_opts_default(&h.co);
	h.cmdline = sh_join(argc, argv);
	ret = history_options(&h, argc, argv, &specs, &nspecs);
	if (ret)
		return ret;
	h.configs = argv + optind;
	h.nconfigs = argc - optind;
	if (!nspecs || (!h.nconfigs && !h.report_only)) {
		fprintf(stderr, "gupbench history: %s\n",
			nspecs ? "no CONFIG" : "--kernels wants at least one kernel");
		usage(stderr);
		return 2;
	}
	if (h.nconfigs > 24) {
		fprintf(stderr, "gupbench history: at most 24 configs\n");
		return 2;
	}
	if (self_exe(h.exe, sizeof(h.exe)) || checkout_dir(h.top, sizeof(h.top))) {
		fprintf(stderr, "gupbench history: cannot find gupbench's own checkout\n");
		return 2;
	}
	if (!h.out[0]) {
		char day[32];
		time_t now = time(NULL);

		strftime(day, sizeof(day), "%Y%m%d-%H%M%S", localtime(&now));
		fmt(h.out, sizeof(h.out), "results/history-%s", day);
	}
	for (int i = 0; i < nspecs; i++)
		if ((ret = add_spec(&h, specs[i])))
			return ret;
	if ((ret = labels_settle(&h)))
		return ret;
	if (!h.report_only && mkdir_p(h.out, 1)) {
		fprintf(stderr, "gupbench history: %s: %s\n", h.out, strerror(errno));
		return 2;
	}
	if (!h.report_only) {
		char runs[PATH_MAX + 8];

		fmt(runs, sizeof(runs), "%s/runs", h.out);
		mkdir_p(runs, 1);
	}
	if ((ret = sweep_check(&h)))
		return ret;
	sweep_scan(&h);
	if (h.report_only)
		sweep_recall(&h);
	else
		sweep_command(&h);
	if (!h.report_only) {
		signals_catch(history_on_signal, 0, old);
		fetch_all(&h);
		kernels_csv(&h);
		measure(&h);
		kernels_csv(&h);
		signals_restore(old);
		if (history_sig) {
			fprintf(stderr, "gupbench history: stopped by signal %d: finished kernels "
				"are kept in %s/runs; run the same command again to go on\n",
				(int)history_sig, h.out);
			return 128 + history_sig;
		}
	}
	return history_report(&h);
}

/* `gupbench kernels [--update] [--cache DIR] [PATTERN]`: scripts/kernels.sh list. */
int kernels_main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "update", no_argument, NULL, 'u' },
		{ "cache", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char top[PATH_MAX], script[PATH_MAX + 32], *av[8];
	const char *cache = NULL;
	int c, n = 0, update = 0;
	struct proc p = { .argv = av, .out_fd = STDOUT_FILENO, .err_fd = STDERR_FILENO,
			  .group = PROC_SAME };

	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			update = 1;
			break;
		case 'c':
			cache = optarg;
			break;
		case 'h':
			printf("usage: gupbench kernels [--update] [--cache DIR] [PATTERN]\n"
			       "  the Debian cloud kernels gupbench can boot (debian:VERSION): version,\n"
			       "  ABI, package layout, cached or not, and the suites that serve it.\n"
			       "  PATTERN: a version or its leading parts (7, 6.12, 6.1.0-57). The package\n"
			       "  lists are gupbench's own (~/.cache/gupbench/apt), fetched on first use;\n"
			       "  --update refreshes them first. More: scripts/kernels.sh --help\n");
			return 0;
		default:
			return 2;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "gupbench kernels: one PATTERN at most\n");
		return 2;
	}
	if (checkout_dir(top, sizeof(top))) {
		fprintf(stderr, "gupbench kernels: cannot find gupbench's own checkout\n");
		return 2;
	}
	n = kernels_argv(top, cache, script, sizeof(script), av);
	if (update) {
		int ret;

		av[n] = "update";
		av[n + 1] = NULL;
		ret = proc_run(&p);
		if (ret)
			return ret < 0 ? 2 : ret;
	}
	av[n++] = "list";
	if (optind < argc)
		av[n++] = argv[optind];
	av[n] = NULL;
	c = proc_run(&p);
	return c < 0 ? 2 : c;
}
