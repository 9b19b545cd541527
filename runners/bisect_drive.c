// SPDX-License-Identifier: GPL-2.0
/*
 * `gupbench bisect`: find the first kernel that is slower than a good one.
 *
 * Two searches share one step, kernel_try(): build (tree mode), boot under
 * QEMU (--boot, by default `gupbench vm`), compare the run with the good
 * kernel's run (compare_runs()), and give a verdict with its numbers.
 *  - --tree DIR --good REV --bad REV: revisions of a kernel git tree.
 *    `git bisect run` walks them and runs the hidden `gupbench
 *    __bisect-step` at each, which answers 0 good, 1 bad, 125 skip,
 *    128 abort.
 *  - --images K1..Kn: an ordered list of kernels, searched here.
 *
 * Before either search both ends are measured: the good end's run is the
 * baseline every step is compared with, and the bad end must be bad
 * against it, or there is nothing to look for (and no point in building
 * a dozen kernels to find that out).
 *
 * With --boots N every measurement is a pair instead: the good kernel and
 * the candidate booted N times each, interleaved (`gupbench vm --boots N
 * --kernel GOOD --kernel CANDIDATE`), and the candidate is judged against
 * the good kernel's boots of the same minutes, not against a baseline
 * taken at the start. That is for wall-clock work, where the host drifts
 * between boots; under icount one boot of each is already exact.
 *
 * OUT/bisect.log gets a header and one line per measured kernel. The step
 * appends its own line (it runs under git, whose output goes to
 * OUT/logs/git-bisect-run.log); the driver echoes the log to stdout as it
 * grows, so the terminal shows the same lines as the file.
 *
 * The tree is left as it was found: `git bisect reset` on every way out,
 * SIGINT/SIGTERM/SIGHUP included. Children run in their own process group
 * with stdin on /dev/null (QEMU must not take the terminal), and the
 * driver forwards those signals to the group it waits on, so a Ctrl-C
 * stops the build or the guest, then the tree is reset.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bisect_int.h"
#include "meta.h"
#include "outdir.h"
#include "util.h"

/* ---- The driver ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gupbench bisect --tree DIR --good REV --bad REV [--build CMD]\n"
		"         [--boot CMD] [--boots N] [-o OUT] [compare options] CONFIG...\n"
		"       gupbench bisect --images K1 K2 ... Kn [--boot CMD] [--boots N]\n"
		"         [-o OUT] [compare options] CONFIG...\n"
		"  finds the first kernel slower than the good one: each kernel is booted\n"
		"  under QEMU, runs CONFIG... and is compared with the good kernel's run.\n"
		"  --tree: the revisions of a kernel git tree from --good to --bad (git bisect\n"
		"    run). The tree must be clean and not mid-bisect; it is left as found.\n"
		"  --images: kernels oldest first (bzImage paths, debian:VERSION); K1 is\n"
		"    good, Kn must be bad. Arguments ending in .ini are configs, the others\n"
		"    images, in order.\n"
		"  --build CMD: run in the tree, prints the image path as its last line\n"
		"    (default: <gupbench>/scripts/kbuild.sh DIR); failure skips the revision\n"
		"  --boot CMD: sh command with {image} {out} {configs} {gupbench}, quoted\n"
		"    (default: " BOOT_DEFAULT ");\n"
		"    exit 0/1 with ok rows: compared; 2: abort; else: skip\n"
		"  --boots N: at every try boot the good kernel and the candidate N times each,\n"
		"    interleaved, and judge the candidate against those good boots (for the\n"
		"    wall clock, where the host drifts). Its default --boot: vm --boots {boots}\n"
		"    --kernel {good} --kernel {image}, the rest as above; a --boot of one's\n"
		"    own must take {good} and write {out}/a and {out}/b as vm --boots does\n"
		"  compare options: --threshold T --alpha A --min-samples N --only RE --ignore K\n"
		"                   --metric elapsed|cpu (default: cpu under icount, the vm\n"
		"                   default under TCG), or a behaviour item (pins_per_page,\n"
		"                   page_allocs, ...: gupbench compare --help): bad is then the\n"
		"                   first kernel where that item changed, whatever the time did\n"
		"  OUT (default results/bisect-<date>): bisect.log, runs/ (a run per kernel,\n"
		"    named by verdict), logs/ (build, boot and comparison output)\n"
		"  exit: 0 first bad found, 125 undecided (skipped kernels hide it), 2 usage\n"
		"    error or nothing to bisect (an end cannot be measured, bad is not bad),\n"
		"    128 abort (a config refused), 128+N stopped by signal N\n");
}

struct git_ends {
	char good[64], bad[64];		/* full commit ids */
	char gshort[32], bshort[32];
	char gsubj[512], bsubj[512];
	char head[256];			/* where the tree was: branch or commit */
};

/* 0 or -1 with the reason on stderr: everything the bisection relies on. */
static int git_check(struct bisect *b, const char *good, const char *bad, struct git_ends *e)
{
	char msg[4096], rev[PATH_MAX], path[2 * PATH_MAX];
	const char *want[2] = { good, bad };
	char *id[2] = { e->good, e->bad }, *sh[2] = { e->gshort, e->bshort };
	char *subj[2] = { e->gsubj, e->bsubj };

	if (git(b->tree, PROC_SHIELD, msg, sizeof(msg), "rev-parse", "--show-toplevel", NULL)) {
		fprintf(stderr, "gupbench bisect: --tree %s: not a git work tree: %s\n", b->tree,
			msg);
		return -1;
	}
	fmt(b->tree, sizeof(b->tree), "%s", msg);
	for (int i = 0; i < 2; i++) {
		fmt(rev, sizeof(rev), "%s^{commit}", want[i]);
		if (git(b->tree, PROC_SHIELD, id[i], sizeof(e->good), "rev-parse", "--verify", "-q",
			rev, NULL)) {
			fprintf(stderr, "gupbench bisect: --%s %s: not a commit in %s\n",
				i ? "bad" : "good", want[i], b->tree);
			return -1;
		}
		git(b->tree, PROC_SHIELD, sh[i], sizeof(e->gshort), "rev-parse", "--short", id[i],
		    NULL);
		git(b->tree, PROC_SHIELD, subj[i], sizeof(e->gsubj), "log", "-1", "--format=%s",
		    id[i], NULL);
	}
	if (!strcmp(e->good, e->bad)) {
		fprintf(stderr, "gupbench bisect: --good and --bad are the same commit %s\n",
			e->gshort);
		return -1;
	}
	if (!git(b->tree, PROC_SHIELD, msg, sizeof(msg), "merge-base", "--is-ancestor", e->bad,
		 e->good, NULL)) {
		fprintf(stderr, "gupbench bisect: --bad %s is an ancestor of --good %s: swapped?\n",
			e->bshort, e->gshort);
		return -1;
	}
	git(b->tree, PROC_SHIELD, path, sizeof(path), "rev-parse", "--git-path", "BISECT_START",
	    NULL);
	if (path[0] != '/') {
		fmt(rev, sizeof(rev), "%s", path);
		fmt(path, sizeof(path), "%s/%s", b->tree, rev);
	}
	if (!access(path, F_OK)) {
		fprintf(stderr, "gupbench bisect: %s is in the middle of a bisection already "
			"(finish it, or `git -C %s bisect reset`)\n", b->tree, b->tree);
		return -1;
	}
	/* untracked files do not stop a checkout; changes to tracked ones would be lost */
	if (git(b->tree, PROC_SHIELD, msg, sizeof(msg), "status", "--porcelain",
		"--untracked-files=no", NULL) || msg[0]) {
		fprintf(stderr, "gupbench bisect: %s has uncommitted changes (commit or stash "
			"them):\n%s\n", b->tree, msg);
		return -1;
	}
	if (git(b->tree, PROC_SHIELD, e->head, sizeof(e->head), "symbolic-ref", "-q", "--short",
		"HEAD", NULL))
		git(b->tree, PROC_SHIELD, e->head, sizeof(e->head), "rev-parse", "--short", "HEAD",
		    NULL);
	return 0;
}

static int is_sha(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n >= 40 && (!s[n] || s[n] == ' ');
}

/* What `git bisect run` said, read as it runs (LC_ALL=C). */
struct run_scan {
	struct bisect *b;
	int fd;				/* OUT/logs/git-bisect-run.log */
	char first[41];			/* "<sha> is the first bad commit" */
	char cand[MAX_CANDIDATES][41];	/* "only 'skip'ped commits left": could be any of */
	size_t ncand;
	int in_cand;
};

static void run_line(void *ctx, char *line)
{
	struct run_scan *s = ctx;

	if (s->fd >= 0)
		dprintf(s->fd, "%s\n", line);
	if (is_sha(line) && strstr(line, " is the first bad commit")) {
		fmt(s->first, sizeof(s->first), "%.40s", line);
	} else if (strstr(line, "only 'skip'ped commits left")) {
		s->in_cand = 1;
		s->ncand = 0;
	} else if (s->in_cand && is_sha(line)) {
		if (s->ncand < MAX_CANDIDATES)
			fmt(s->cand[s->ncand++], sizeof(s->cand[0]), "%.40s", line);
	} else if (s->in_cand && !strstr(line, "could be any of")) {
		s->in_cand = 0;
	}
	log_echo(s->b);
}

/* git bisect run <self> __bisect-step ...: the search, one step per revision. */
static int git_bisect_run(struct bisect *b, struct run_scan *s)
{
	char log[PATH_MAX + 32], boots[16];
	char **argv = calloc((size_t)(b->nconfig + b->ncmp_arg + 24), sizeof(*argv));
	struct proc p = { .out_fd = -1, .err_fd = -1, .group = PROC_FORWARD, .c_locale = 1,
			  .line = run_line, .ctx = s };
	int n = 0, ret;

	if (!argv)
		return -ENOMEM;
	argv[n++] = "git";
	argv[n++] = "-C";
	argv[n++] = b->tree;
	argv[n++] = "bisect";
	argv[n++] = "run";
	argv[n++] = b->exe;
	argv[n++] = "__bisect-step";
	argv[n++] = "--tree";
	argv[n++] = b->tree;
	argv[n++] = "--out";
	argv[n++] = b->out;
	argv[n++] = "--baseline";
	argv[n++] = b->baseline;
	argv[n++] = "--build";
	argv[n++] = (char *)b->build;
	argv[n++] = "--boot";
	argv[n++] = (char *)b->boot;
	argv[n++] = "--cwd";
	argv[n++] = b->cwd;
	if (b->boots) {
		fmt(boots, sizeof(boots), "%u", b->boots);
		argv[n++] = "--boots";
		argv[n++] = boots;
		argv[n++] = "--good-image";
		argv[n++] = b->good_image;
	}
	for (int i = 0; i < b->ncmp_arg; i++)
		argv[n++] = b->cmp_arg[i];
	argv[n++] = "--";
	for (int i = 0; i < b->nconfig; i++)
		argv[n++] = b->config[i];
	p.argv = argv;
	fmt(log, sizeof(log), "%s/logs/git-bisect-run.log", b->out);
	s->b = b;
	s->fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	ret = proc_run(&p);
	if (s->fd >= 0)
		close(s->fd);
	log_echo(b);
	free(argv);
	return ret;
}

/* The subject of a commit, for the log; "" if git cannot say. */
static void commit_subject(struct bisect *b, const char *sha, char *dst, size_t len)
{
	if (git(b->tree, PROC_SHIELD, dst, len, "log", "-1", "--format=%s", sha, NULL))
		dst[0] = '\0';
}

/*
 * Measure one end of the range: the good end becomes the baseline, the bad
 * end must be bad against it. 0, the exit status that ends the bisection,
 * or -1 when a signal stopped it (the caller's way out reports that).
 */
static int end_measure(struct bisect *b, int good, const char *name, const char *image,
		       const char *role, const char *id, const char *subject, const char *what,
		       const char *against)
{
	struct outcome o;

	kernel_try(b, name, image, good, &o);
	log_outcome(b, role, id, subject, good, &o);
	if (proc_signal)
		return -1;
	if (o.verdict == (good ? BISECT_GOOD : BISECT_BAD)) {
		if (good)
			fmt(b->baseline, sizeof(b->baseline), "%s", o.run);
		return 0;
	}
	if (good)
		fprintf(stderr, "gupbench bisect: %s cannot be measured (%s): nothing to compare "
			"with\n", what, o.why);
	else
		fprintf(stderr, "gupbench bisect: %s is not bad against %s (%s: %s): nothing to "
			"bisect\n", what, against, verdict_word(o.verdict), o.why);
	return o.verdict == BISECT_ABORT ? BISECT_ABORT : 2;
}

/* OUT/bisect.png: the kernels in the range's order (good, then good..bad oldest first). */
static void tree_chart(struct bisect *b, const struct git_ends *e)
{
	size_t cap = 1 << 20, n = 0;
	char *out = malloc(cap), range[160], err[512];
	char **pos = NULL;

	fmt(range, sizeof(range), "%s..%s", e->good, e->bad);
	if (out && !git(b->tree, PROC_SAME, out, cap, "rev-list", "--reverse", "--topo-order", range,
			NULL)) {
		size_t lines = 1;

		for (char *c = out; *c; c++)
			lines += *c == '\n';
		pos = calloc(lines + 1, sizeof(*pos));
		if (pos) {
			char *save = NULL;

			pos[n++] = (char *)e->good;
			for (char *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
				pos[n++] = l;
		}
	}
	if (pos && steps_chart(b, pos, n, err, sizeof(err)))
		fprintf(stderr, "gupbench bisect: chart: %s\n", err);
	free(pos);
	free(out);
}

static int bisect_git(struct bisect *b, const struct git_ends *e)
{
	char msg[8192], subj[512], what[256], against[256];
	struct run_scan *scan = NULL;
	int ret = 2, st;

	st = git(b->tree, PROC_FORWARD, msg, sizeof(msg), "bisect", "start", NULL);
	if (st) {
		fprintf(stderr, "gupbench bisect: git bisect start in %s failed: %s\n", b->tree,
			msg);
		return 2;
	}
	/* from here on every way out goes through the reset */

	if (git(b->tree, PROC_FORWARD, msg, sizeof(msg), "checkout", "-q", "--detach", e->good,
		NULL)) {
		fprintf(stderr, "gupbench bisect: git checkout %s: %s\n", e->gshort, msg);
		goto reset;
	}
	snprintf(what, sizeof(what), "the --good revision %s", e->gshort);
	st = end_measure(b, 1, e->gshort, NULL, "--good", e->gshort, e->gsubj, what, NULL);
	if (st) {
		ret = st < 0 ? ret : st;
		goto reset;
	}

	if (git(b->tree, PROC_FORWARD, msg, sizeof(msg), "checkout", "-q", "--detach", e->bad,
		NULL)) {
		fprintf(stderr, "gupbench bisect: git checkout %s: %s\n", e->bshort, msg);
		goto reset;
	}
	snprintf(what, sizeof(what), "the --bad revision %s", e->bshort);
	snprintf(against, sizeof(against), "--good %s", e->gshort);
	st = end_measure(b, 0, e->bshort, NULL, "--bad", e->bshort, e->bsubj, what, against);
	if (st) {
		ret = st < 0 ? ret : st;
		goto reset;
	}

	scan = calloc(1, sizeof(*scan));
	if (!scan) {
		ret = BISECT_ABORT;
		goto reset;
	}
	/* both ends known: git checks out the first revision to test, or is done */
	st = git(b->tree, PROC_FORWARD, msg, sizeof(msg), "bisect", "bad", e->bad, NULL);
	if (!st)
		st = git(b->tree, PROC_FORWARD, msg, sizeof(msg), "bisect", "good", e->good, NULL);
	if (st) {
		fprintf(stderr, "gupbench bisect: git bisect good/bad: %s\n", msg);
		ret = BISECT_ABORT;
		goto reset;
	}
	/* adjacent ends: git names the first bad commit at once, nothing to run */
	scan->b = b;
	scan->fd = -1;
	for (char *sp = NULL, *l = strtok_r(msg, "\n", &sp); l; l = strtok_r(NULL, "\n", &sp))
		run_line(scan, l);
	if (!scan->first[0])
		st = git_bisect_run(b, scan);
	if (proc_signal)
		goto reset;
	if (scan->first[0]) {
		commit_subject(b, scan->first, subj, sizeof(subj));
		blog(b, "first bad commit: %s %s", scan->first, subj);
		ret = 0;
	} else if (scan->ncand) {
		blog(b, "first bad commit: undecided: only skipped commits left; it is one of:");
		for (size_t i = 0; i < scan->ncand; i++) {
			commit_subject(b, scan->cand[i], subj, sizeof(subj));
			blog(b, "candidate: %s %s", scan->cand[i], subj);
		}
		ret = BISECT_SKIP;
	} else {
		blog(b, "first bad commit: none: git bisect run stopped (exit %d; "
		     "logs/git-bisect-run.log)", st);
		ret = BISECT_ABORT;
	}
	tree_chart(b, e);
reset:
	free(scan);
	if (git(b->tree, PROC_SHIELD, msg, sizeof(msg), "bisect", "reset", NULL))
		fprintf(stderr, "gupbench bisect: git bisect reset failed, %s is still mid-bisect "
			"(`git -C %s bisect reset`): %s\n", b->tree, b->tree, msg);
	return ret;
}

/* "K3-bzImage-6.1": a run directory name from an image spec. */
static void image_name(char *dst, size_t len, int i, const char *spec)
{
	const char *base = strrchr(spec, '/');
	size_t n;

	fmt(dst, len, "K%d-%.48s", i + 1, base && base[1] ? base + 1 : spec);
	for (n = 0; dst[n]; n++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-",
			    dst[n]))
			dst[n] = '_';
}

/* The binary search over K1..Kn, here rather than in git. */
static int bisect_images(struct bisect *b, char **spec, char **given, int n)
{
	enum { UNTESTED, TESTED_GOOD, TESTED_BAD, TESTED_SKIP } *st;
	char name[128], id[16], role[32], what[PATH_MAX + 32];
	int lo = 0, hi = n - 1, step = 0, ret = 2, e;
	struct outcome o;

	st = calloc((size_t)n, sizeof(*st));
	if (!st)
		return BISECT_ABORT;
	image_name(name, sizeof(name), 0, given[0]);
	snprintf(what, sizeof(what), "the first image %s", given[0]);
	e = end_measure(b, 1, name, spec[0], "first", "K1", given[0], what, NULL);
	if (e) {
		ret = e < 0 ? ret : e;
		goto out;
	}

	image_name(name, sizeof(name), n - 1, given[n - 1]);
	fmt(id, sizeof(id), "K%d", n);
	snprintf(what, sizeof(what), "the last image %s", given[n - 1]);
	e = end_measure(b, 0, name, spec[n - 1], "last", id, given[n - 1], what, "the first");
	if (e) {
		ret = e < 0 ? ret : e;
		goto out;
	}

	while (hi - lo > 1) {
		int mid = lo + (hi - lo) / 2, i = -1;

		/* the midpoint, else its nearest untested neighbour: a skip costs little halving */
		for (int d = 0; i < 0 && d < hi - lo; d++) {
			if (mid + d < hi && st[mid + d] == UNTESTED)
				i = mid + d;
			else if (mid - d > lo && st[mid - d] == UNTESTED)
				i = mid - d;
		}
		if (i < 0)
			break;		/* only skipped images left between lo and hi */
		image_name(name, sizeof(name), i, given[i]);
		fmt(id, sizeof(id), "K%d", i + 1);
		fmt(role, sizeof(role), "step %d", ++step);
		kernel_try(b, name, spec[i], 0, &o);
		log_outcome(b, role, id, given[i], 0, &o);
		if (proc_signal)
			goto out;
		if (o.verdict == BISECT_ABORT) {
			blog(b, "first bad image: none: stopped at K%d (%s)", i + 1, o.why);
			ret = BISECT_ABORT;
			goto out;
		}
		if (o.verdict == BISECT_GOOD)
			lo = i;
		else if (o.verdict == BISECT_BAD)
			hi = i;
		st[i] = o.verdict == BISECT_GOOD ? TESTED_GOOD : o.verdict == BISECT_BAD ?
			TESTED_BAD : TESTED_SKIP;
	}
	if (hi - lo == 1) {
		blog(b, "first bad image: K%d %s (last good: K%d %s)", hi + 1, given[hi], lo + 1,
		     given[lo]);
		ret = 0;
	} else {
		blog(b, "first bad image: undecided: one of K%d..K%d (K%d..K%d skipped; "
		     "last good: K%d %s)", lo + 2, hi + 1, lo + 2, hi, lo + 1, given[lo]);
		ret = BISECT_SKIP;
	}
	{
		/* OUT/bisect.png: the images in the order given, K1 first */
		char **pos = calloc((size_t)n, sizeof(*pos)), err[512];
		int made = 0;

		for (int i = 0; pos && i < n; i++, made++) {
			pos[i] = malloc(16);
			if (!pos[i])
				break;
			fmt(pos[i], 16, "K%d", i + 1);
		}
		if (pos && made == n && steps_chart(b, pos, (size_t)n, err, sizeof(err)))
			fprintf(stderr, "gupbench bisect: chart: %s\n", err);
		for (int i = 0; pos && i < made; i++)
			free(pos[i]);
		free(pos);
	}
out:
	free(st);
	return ret;
}

static void header(struct bisect *b, char **given, int nimg, const struct git_ends *e)
{
	char when[64], line[1024] = "";
	time_t t = time(NULL);
	struct tm tm;
	size_t used;

	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %z", &tm);
	blog(b, "# gupbench bisect, %s, gupbench %s", when, gupbench_rev());
	if (e) {
		blog(b, "# tree:    %s (was at %s)", b->tree, e->head);
		blog(b, "# good:    %s %s", e->good, e->gsubj);
		blog(b, "# bad:     %s %s", e->bad, e->bsubj);
	}
	for (int i = 0; i < nimg; i++)
		blog(b, "# K%-6d %s%s", i + 1, given[i], i == 0 ? " (good)" : i == nimg - 1 ?
		     " (bad)" : "");
	for (int i = 0; i < b->nconfig; i++)
		blog(b, "# config:  %s", b->config[i]);
	for (size_t i = 0; i < b->cmp.nignore; i++) {
		used = strlen(line);
		fmt(line + used, sizeof(line) - used, "%s%s", i ? "," : "", b->cmp.ignore[i]);
	}
	blog(b, "# compare: threshold %g%%, alpha %g, min-samples %zu, only %s, ignore %s, metric %s",
	     b->cmp.threshold * 100, b->cmp.alpha, b->cmp.min_samples,
	     b->cmp.only ? b->cmp.only : "-", line[0] ? line : "-",
	     b->cmp.behave >= 0 ? compare_behave_names[b->cmp.behave] :
	     b->cmp.metric == CMP_METRIC_CPU ? "cpu" : b->cmp.metric == CMP_METRIC_ELAPSED ?
	     "elapsed" : "auto (cpu under icount)");
	if (b->cmp.behave >= 0)
		blog(b, "# verdict: behaviour: bad where %s changed against the good kernel (README, "
		     "Behaviour changes), whatever the time did", compare_behave_names[b->cmp.behave]);
	if (e)
		blog(b, "# build:   %s   (in the tree)", b->build);
	blog(b, "# boot:    %s   (in %s)", b->boot, b->cwd);
	if (b->boots)
		blog(b, "# boots:   %u of the good kernel and %u of each candidate, interleaved, "
		     "at every try: a candidate is judged against the good kernel's boots of the "
		     "same minutes", b->boots, b->boots);
	blog(b, "# output:  %s (runs/: a run per kernel, named by verdict; logs/: build, boot, "
	     "comparison)", b->out);
}

static int has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);

	return n >= k && !strcmp(s + n - k, suf);
}

/* What bisect's command line asks besides struct bisect's own fields. */
struct bisect_args {
	const char *tree, *good, *bad, *out;
	int images;
	char **cfg, **img, **spec;	/* the configs, the images as given, and as the boot gets them */
	int ncfg, nimg;
};

static const struct option bisect_lopts[] = {
	COMPARE_LONG_OPTS,
	{ "tree", required_argument, NULL, OPT_TREE },
	{ "good", required_argument, NULL, OPT_GOOD },
	{ "bad", required_argument, NULL, OPT_BAD },
	{ "images", no_argument, NULL, OPT_IMAGES },
	{ "build", required_argument, NULL, OPT_BUILD },
	{ "boot", required_argument, NULL, OPT_BOOT },
	{ "boots", required_argument, NULL, OPT_BOOTS },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

/* The options into b and a: 0, 2 (said on stderr), or -1 after --help. */
static int bisect_options(struct bisect *b, struct bisect_args *a, int argc, char **argv)
{
	int c, li;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", bisect_lopts, &li)) != -1) {
		int taken = compare_opt(c, optarg, "bisect", &b->cmp);

		if (taken < 0)
			return 2;
		if (taken) {
			/* the step gets them as given (the options live as long as argv) */
			if (b->ncmp_arg == MAX_CMP_ARGS) {
				fprintf(stderr, "gupbench bisect: more than %d compare options\n",
					MAX_CMP_ARGS);
				return 2;
			}
			if (asprintf(&b->cmp_arg[b->ncmp_arg++], "--%s=%s", bisect_lopts[li].name,
				     optarg) < 0)
				return 2;
			continue;
		}
		switch (c) {
		case OPT_TREE:
			a->tree = optarg;
			break;
		case OPT_GOOD:
			a->good = optarg;
			break;
		case OPT_BAD:
			a->bad = optarg;
			break;
		case OPT_IMAGES:
			a->images = 1;
			break;
		case OPT_BUILD:
			b->build = optarg;
			break;
		case OPT_BOOT:
			b->boot = optarg;
			break;
		case OPT_BOOTS:
			if (boots_parse(b, "bisect", optarg))
				return 2;
			break;
		case 'o':
			a->out = optarg;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return 2;
		}
	}
	return 0;
}

/* The arguments after the options, and what must go together: 0, or 2 with the usage said. */
static int bisect_operands(struct bisect *b, struct bisect_args *a, int argc, char **argv)
{
	const char *why = NULL;
	char msg[4608];

	a->cfg = calloc((size_t)argc + 1, sizeof(*a->cfg));
	a->img = calloc((size_t)argc + 1, sizeof(*a->img));
	a->spec = calloc((size_t)argc + 1, sizeof(*a->spec));
	if (!a->cfg || !a->img || !a->spec)
		return 2;
	for (int i = optind; i < argc; i++) {
		if (a->images && !has_suffix(argv[i], ".ini"))
			a->img[a->nimg++] = argv[i];
		else
			a->cfg[a->ncfg++] = argv[i];
	}
	if (a->images && (a->tree || a->good || a->bad || b->build)) {
		why = "--images takes no --tree, --good, --bad or --build";
	} else if (!a->images && (!a->tree || !a->good || !a->bad)) {
		why = "--tree, --good and --bad, or --images";
	} else if (a->images && a->nimg < 2) {
		fmt(msg, sizeof(msg), "--images needs at least two images, the good one first and "
		    "the bad one last (got %d)", a->nimg);
		why = msg;
	} else if (!a->ncfg) {
		fmt(msg, sizeof(msg), "no CONFIG%s",
		    a->images ? " (configs are the arguments ending in .ini)" : "");
		why = msg;
	} else if (b->boots && b->boot && !strstr(b->boot, "{good}")) {
		fmt(msg, sizeof(msg), "--boots: the --boot command must boot the good kernel "
		    "beside the candidate ({good} {image}, writing {out}/a and {out}/b as vm "
		    "--boots does); \"%s\" has no {good}", b->boot);
		why = msg;
	}
	if (why) {
		fprintf(stderr, "gupbench bisect: %s\n", why);
		usage(stderr);
		return 2;
	}
	return 0;
}

/*
 * An image that is a file is passed by absolute path: the boot runs
 * anywhere. A path that is none is a typo, found now rather than halfway
 * through the search; names without a slash may be specs for the boot
 * command (debian:6.1.0-50).
 */
static int bisect_specs(struct bisect_args *a)
{
	struct stat sb;

	for (int i = 0; i < a->nimg; i++) {
		if (!stat(a->img[i], &sb)) {
			a->spec[i] = realpath(a->img[i], NULL);
		} else if (strchr(a->img[i], '/')) {
			fprintf(stderr, "gupbench bisect: --images: %s: %s\n", a->img[i],
				strerror(errno));
			return 2;
		} else {
			a->spec[i] = strdup(a->img[i]);
		}
		if (!a->spec[i])
			return 2;
	}
	return 0;
}

/* The tree, its ends checked, and the default build command (<top>/scripts/kbuild.sh). */
static int bisect_tree(struct bisect *b, const struct bisect_args *a, struct git_ends *e)
{
	char path[PATH_MAX + 32], top[PATH_MAX], *q, *qt;

	if (!realpath(a->tree, b->tree)) {
		fprintf(stderr, "gupbench bisect: --tree %s: %s\n", a->tree, strerror(errno));
		return 2;
	}
	if (git_check(b, a->good, a->bad, e))
		return 2;
	if (b->build)
		return 0;
	/* build/gupbench -> <top>/scripts/kbuild.sh */
	if (checkout_dir(top, sizeof(top)))
		return 2;
	fmt(path, sizeof(path), "%s/scripts/kbuild.sh", top);
	q = sh_quote(path);
	qt = sh_quote(b->tree);
	if (q && qt && asprintf(&b->build_default, "%s %s", q, qt) > 0)
		b->build = b->build_default;
	free(q);
	free(qt);
	return b->build ? 0 : 2;
}

/* OUT (default results/bisect-<date>), which must hold no bisection yet, with runs/ and logs/. */
static int bisect_out(struct bisect *b, const char *out)
{
	char path[PATH_MAX + 32];
	int ret;

	if (out) {
		fmt(b->out, sizeof(b->out), "%s%s%s", out[0] == '/' ? "" : b->cwd,
		    out[0] == '/' ? "" : "/", out);
	} else {
		char when[32];
		time_t t = time(NULL);
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y%m%d-%H%M%S", &tm);
		fmt(b->out, sizeof(b->out), "%s/results/bisect-%s", b->cwd, when);
	}
	fmt(b->log, sizeof(b->log), "%s/bisect.log", b->out);
	if (!access(b->log, F_OK)) {
		fprintf(stderr, "gupbench bisect: -o %s holds a bisection already (bisect.log); "
			"choose another\n", b->out);
		return 2;
	}
	fmt(path, sizeof(path), "%s/runs", b->out);
	ret = mkdir_p(path, 1);
	if (!ret) {
		fmt(path, sizeof(path), "%s/logs", b->out);
		ret = mkdir_p(path, 1);
	}
	if (ret) {
		fprintf(stderr, "gupbench bisect: mkdir %s: %s\n", path, strerror(-ret));
		return 2;
	}
	return 0;
}

int bisect_main(int argc, char **argv)
{
	struct bisect b = { .driver = 1, .boot = NULL };
	struct bisect_args a = { 0 };
	struct git_ends e;
	struct sigaction old[3];
	int ret;

	compare_opts_default(&b.cmp);
	ret = bisect_options(&b, &a, argc, argv);
	if (ret) {
		ret = ret < 0 ? 0 : ret;
		goto out;
	}
	ret = bisect_operands(&b, &a, argc, argv);
	if (ret)
		goto out;
	if (!b.boot)
		b.boot = b.boots ? BOOT_PAIRED : BOOT_DEFAULT;
	ret = 2;
	if (exe_path(&b)) {
		fprintf(stderr, "gupbench bisect: /proc/self/exe: %s\n", strerror(errno));
		goto out;
	}
	if (configs_set(&b, a.cfg, a.ncfg, "bisect"))
		goto out;
	ret = bisect_specs(&a);
	if (!ret && !a.images)
		ret = bisect_tree(&b, &a, &e);
	if (!ret)
		ret = bisect_out(&b, a.out);
	if (ret)
		goto out;
	header(&b, a.img, a.nimg, a.images ? NULL : &e);

	if (proc_signals_install(old)) {
		ret = BISECT_ABORT;
		goto out;
	}
	ret = a.images ? bisect_images(&b, a.spec, a.img, a.nimg) : bisect_git(&b, &e);
	proc_signals_restore(old);
	if (proc_signal) {
		blog(&b, "stopped by %s%s", strsignal(proc_signal),
		     a.images ? "" : "; the tree is reset");
		ret = 128 + proc_signal;
	}
out:
	for (int i = 0; i < b.ncmp_arg; i++)
		free(b.cmp_arg[i]);
	for (int i = 0; a.spec && i < a.nimg; i++)
		free(a.spec[i]);
	for (int i = 0; b.config && i < b.nconfig; i++)
		free(b.config[i]);
	free(b.config);
	free(b.configs);
	free(b.build_default);
	free(a.cfg);
	free(a.img);
	free(a.spec);
	return ret;
}
