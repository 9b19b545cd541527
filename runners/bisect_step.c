// SPDX-License-Identifier: GPL-2.0
/*
 * bisect: one kernel measured (build, boot, judge), what the driver and
 * the step share (the log, the options), and `gupbench __bisect-step`,
 * which git bisect run calls at each revision. bisect_drive.c has the
 * searches.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bisect_int.h"
#include "util.h"

const char *verdict_word(int v)
{
	return v == BISECT_GOOD ? "good" : v == BISECT_BAD ? "bad" : v == BISECT_SKIP ? "skip" :
	       "abort";
}

void log_echo(struct bisect *b)
{
	char buf[8192];
	ssize_t n, k;
	int fd = open(b->log, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	while ((n = pread(fd, buf, sizeof(buf), b->echoed)) > 0) {
		for (k = n; k > 0 && buf[k - 1] != '\n'; k--)
			;
		if (!k && n < (ssize_t)sizeof(buf))
			break;	/* a line still being written */
		if (!k)
			k = n;
		fwrite(buf, 1, (size_t)k, stdout);
		b->echoed += k;
	}
	fflush(stdout);
	close(fd);
}

void __attribute__((format(printf, 2, 3))) blog(struct bisect *b, const char *f, ...)
{
	char line[4096];
	va_list ap;
	size_t n;
	int fd, ok = 0;

	va_start(ap, f);
	vsnprintf(line, sizeof(line) - 1, f, ap);
	va_end(ap);
	n = strlen(line);
	if (!n || line[n - 1] != '\n') {
		line[n++] = '\n';
		line[n] = '\0';
	}
	fd = open(b->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		ok = write(fd, line, n) == (ssize_t)n;
		close(fd);
	}
	if (!ok)
		fprintf(stderr, "gupbench bisect: %s: %s\n", b->log, strerror(errno));
	if (b->driver && ok) {
		log_echo(b);
	} else {
		fputs(line, stdout);
		fflush(stdout);
	}
}

/* ---- git ---- */

int git(const char *top, enum proc_group g, char *out, size_t len, ...)
{
	char *argv[16] = { "git", "-C", (char *)top };
	struct capture c = { out, len, 0 };
	struct proc p = {
		.argv = argv, .out_fd = -1, .err_fd = -1, .group = g, .c_locale = 1,
		.line = capture_line, .ctx = &c,
	};
	size_t n = 3;
	va_list ap;

	va_start(ap, len);
	while (n < ARRAY_SIZE(argv) - 1 && (argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	if (len)
		out[0] = '\0';
	return proc_run(&p);
}

/* ---- One kernel: build, boot, judge ---- */

struct build_out {
	int fd;			/* the build log */
	struct last_line l;	/* the last non-empty stdout line: the image */
};

static void build_line(void *ctx, char *line)
{
	struct build_out *bo = ctx;

	if (dprintf(bo->fd, "%s\n", line) < 0)
		return;
	last_line_keep(&bo->l, line);
}

/* Build the checked-out revision; 0 and the image, or -1 with o said. */
static int kernel_build(struct bisect *b, const char *name, char *img, size_t len,
			struct outcome *o)
{
	char log[PATH_MAX + 64], *argv[] = { "sh", "-c", (char *)b->build, NULL };
	struct build_out bo = { .l.last = "" };
	struct proc p = {
		.argv = argv, .cwd = b->tree, .out_fd = -1, .group = PROC_FORWARD,
		.line = build_line, .ctx = &bo,
	};
	struct stat st;
	int ret;

	if (!b->driver)
		p.group = PROC_SAME;
	fmt(log, sizeof(log), "%s/logs/%s.build.log", b->out, name);
	bo.fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (bo.fd < 0) {
		o->verdict = BISECT_ABORT;
		fmt(o->why, sizeof(o->why), "%s: %s", log, strerror(errno));
		return -1;
	}
	p.err_fd = bo.fd;
	dprintf(bo.fd, "$ cd %s && %s\n", b->tree, b->build);
	ret = proc_run(&p);
	close(bo.fd);
	o->verdict = BISECT_SKIP;
	if (ret < 0) {
		o->verdict = BISECT_ABORT;
		fmt(o->why, sizeof(o->why), "cannot run the build command: %s", strerror(-ret));
		return -1;
	}
	if (b->driver && proc_signal) {
		o->verdict = BISECT_ABORT;
		fmt(o->why, sizeof(o->why), "interrupted while building");
		return -1;
	}
	if (ret) {
		fmt(o->why, sizeof(o->why), "build failed (exit %d; logs/%s.build.log)", ret, name);
		return -1;
	}
	if (!bo.l.last[0]) {
		fmt(o->why, sizeof(o->why), "the build printed no image path (logs/%s.build.log)",
		    name);
		return -1;
	}
	if (bo.l.last[0] == '/')
		fmt(img, len, "%s", bo.l.last);
	else
		fmt(img, len, "%s/%s", b->tree, bo.l.last);
	if (stat(img, &st) || !S_ISREG(st.st_mode)) {
		fmt(o->why, sizeof(o->why), "the build's image %s is not a file "
		    "(logs/%s.build.log)", img, name);
		return -1;
	}
	return 0;
}

static const struct compare_point *largest_ratio(const struct compare_result *r,
						 enum compare_verdict only)
{
	const struct compare_point *best = NULL;

	for (size_t i = 0; i < r->n; i++) {
		const struct compare_point *p = &r->pt[i];

		if (p->verdict == CMP_NOT_COMPARED || isnan(p->ratio))
			continue;
		if (only != CMP_NVERDICT && p->verdict != only)
			continue;
		if (!best || p->ratio > best->ratio)
			best = p;
	}
	return best;
}

/*
 * The verdict and the numbers behind it. Bad: the worst regressed point
 * (a reader wants the size of the step, and where). Good: the largest
 * ratio of all, to show how far from the threshold the kernel stayed.
 */
/*
 * --metric ITEM: a behaviour bisection. Bad: the item changed on a point
 * (the first one, with both values); good: the same on every point that
 * could judge it; skip: no point could.
 */
static void judge_behaviour(const struct compare_result *r, int boot_status, struct outcome *o)
{
	int item = r->behave - 1;
	const char *name = compare_behave_names[item], *why = NULL;
	const struct compare_point *first = NULL;
	char change[600];
	size_t used;

	for (size_t i = 0; i < r->n; i++) {
		if (!first && r->pt[i].bh[item].verdict == BH_CHANGED)
			first = &r->pt[i];
		if (!why)
			why = r->pt[i].bh[item].why;
	}
	fmt(o->metric, sizeof(o->metric), "%s", name);
	if (first) {
		o->value = first->new.bh[item].nval ? NAN : first->new.bh[item].median;
		compare_behave_change(change, sizeof(change), first, item, "->");
		o->verdict = BISECT_BAD;
		fmt(o->why, sizeof(o->why), "%s %s: %s; %s changed on %zu of %zu points judged",
		    first->label, first->op, change, name, r->bh_count[item], r->bh_counted[item]);
	} else if (r->bh_counted[item]) {
		const struct compare_point *p = NULL;

		for (size_t i = 0; i < r->n && !p; i++)
			if (r->pt[i].bh[item].verdict == BH_SAME)
				p = &r->pt[i];
		o->value = p->new.bh[item].nval ? NAN : p->new.bh[item].median;
		compare_behave_change(change, sizeof(change), p, item, "->");
		o->verdict = BISECT_GOOD;
		fmt(o->why, sizeof(o->why), "%s the same on all %zu points judged (e.g. %s %s: %s)",
		    name, r->bh_counted[item], p->label, p->op, change);
	} else {
		o->verdict = BISECT_SKIP;
		fmt(o->why, sizeof(o->why), "undecided: %s judged on no point (%s)", name,
		    why ? why : "no points");
	}
	used = strlen(o->why);
	if (boot_status == 1)
		fmt(o->why + used, sizeof(o->why) - used, "; some scenarios failed");
}

static void judge(const struct compare_result *r, int boot_status, struct outcome *o)
{
	size_t compared = r->n - r->count[CMP_NOT_COMPARED], used;
	const struct compare_point *p;
	int st = compare_exit_status(r);

	if (r->behave) {
		judge_behaviour(r, boot_status, o);
		return;
	}

	if (!compared) {
		o->verdict = BISECT_SKIP;
		fmt(o->why, sizeof(o->why),
		    "no point to compare: none has ok samples on both sides");
		return;
	}
	p = largest_ratio(r, st == 1 ? CMP_REGRESSION : CMP_NVERDICT);
	if (!p) {
		/* every compared point without a ratio: nothing to weigh */
		o->verdict = BISECT_SKIP;
		fmt(o->why, sizeof(o->why), "undecided: no point with a ratio; %zu points compared",
		    compared);
		return;
	}
	fmt(o->metric, sizeof(o->metric), "ratio");
	o->value = p->ratio;
	o->lo = p->lo;
	o->hi = p->hi;
	if (st == 1) {
		o->verdict = BISECT_BAD;
		fmt(o->why, sizeof(o->why),
		    "%s %s: ratio %.3f, 95%% CI [%.3f, %.3f], q %.2g; "
		    "%zu of %zu points compared regressed", p->label, p->op, p->ratio, p->lo,
		    p->hi, p->q, r->count[CMP_REGRESSION], compared);
	} else {
		o->verdict = st == 0 ? BISECT_GOOD : BISECT_SKIP;
		fmt(o->why, sizeof(o->why),
		    "%slargest ratio %.3f, 95%% CI [%.3f, %.3f] (%s %s); %zu points compared: "
		    "%zu unchanged, %zu improved, %zu inconclusive", st ? "undecided: " : "",
		    p->ratio, p->lo, p->hi, p->label, p->op, compared, r->count[CMP_UNCHANGED],
		    r->count[CMP_IMPROVEMENT], r->count[CMP_INCONCLUSIVE]);
	}
	used = strlen(o->why);
	if (boot_status == 1)
		fmt(o->why + used, sizeof(o->why) - used, "; some scenarios failed");
}

/*
 * --boots in tree mode: the good end's image is booted again at every
 * step, but the build directory it came from is rebuilt for each
 * revision, so a copy is kept as OUT/images/NAME.bzImage (a new file, never
 * through a symlink). 0 or -errno.
 */
static int keep_image(struct bisect *b, const char *name, const char *img)
{
	char dir[PATH_MAX + 16], dst[PATH_MAX + 160], buf[1 << 16];
	int in = -1, out = -1, ret = 0;
	ssize_t n;

	fmt(dir, sizeof(dir), "%s/images", b->out);
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	fmt(dst, sizeof(dst), "%s/%s.bzImage", dir, name);
	in = open(img, O_RDONLY | O_CLOEXEC);
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (in < 0 || out < 0)
		ret = -errno;
	while (!ret && (n = read(in, buf, sizeof(buf))) != 0) {
		for (ssize_t off = 0, w; !ret && n > 0 && off < n; off += w)
			if ((w = write(out, buf + off, (size_t)(n - off))) <= 0)
				ret = w < 0 ? -errno : -EIO;
		if (n < 0)
			ret = -errno;
	}
	if (out >= 0 && close(out) && !ret)
		ret = -errno;
	if (in >= 0)
		close(in);
	if (!ret)
		fmt(b->good_image, sizeof(b->good_image), "%s", dst);
	return ret;
}

/* The boot command for image into run: --boot with its {names} filled in, quoted; NULL: ENOMEM. */
static char *boot_command(const struct bisect *b, const char *image, const char *run)
{
	char *qi = sh_quote(image), *qo = sh_quote(run), *qe = sh_quote(b->exe);
	char *qg = sh_quote(b->boots ? b->good_image : image), *cmd = NULL, boots[16];

	fmt(boots, sizeof(boots), "%u", b->boots ? b->boots : 1);
	if (qi && qo && qe && qg) {
		const struct tpl_var v[] = {
			{ "image", qi }, { "out", qo }, { "configs", b->configs },
			{ "gupbench", qe }, { "good", qg }, { "boots", boots },
		};

		cmd = tpl_expand(b->boot, v, ARRAY_SIZE(v));
	}
	free(qi);
	free(qo);
	free(qe);
	free(qg);
	return cmd;
}

/* The boot's exit status as a verdict: 0 when it ran (exit 0 or 1), else -1 with o filled. */
static int boot_ran(const struct bisect *b, int st, const char *name, struct outcome *o)
{
	o->verdict = BISECT_SKIP;
	if (st < 0) {
		o->verdict = BISECT_ABORT;
		fmt(o->why, sizeof(o->why), "cannot run the boot command: %s", strerror(-st));
	} else if (b->driver && proc_signal) {
		o->verdict = BISECT_ABORT;
		fmt(o->why, sizeof(o->why), "interrupted while booting");
	} else if (st == 2) {
		/* gupbench vm refused a config or an option: it will on every kernel */
		o->verdict = BISECT_ABORT;
		fmt(o->why, sizeof(o->why), "the boot command refused a config or option "
		    "(exit 2; logs/%s.boot.log)", name);
	} else if (st == 3) {
		fmt(o->why, sizeof(o->why), "not bootable here: the image lacks options the "
		    "guest needs (exit 3; logs/%s.boot.log)", name);
	} else if (st == 4) {
		fmt(o->why, sizeof(o->why), "boot failed: the guest did not complete "
		    "(exit 4; logs/%s.boot.log)", name);
	} else if (st > 128) {
		fmt(o->why, sizeof(o->why), "boot command killed by signal %d (logs/%s.boot.log)",
		    st - 128, name);
	} else if (st != 0 && st != 1) {
		fmt(o->why, sizeof(o->why), "boot command failed (exit %d; logs/%s.boot.log)",
		    st, name);
	} else {
		return 0;
	}
	return -1;
}

/*
 * The run compared: the candidate against the baseline, or with --boots
 * against the good kernel's boots of the same try (vm wrote those to a/,
 * the candidate's to b/). Against itself, the baseline shows its points
 * and checks --only and --ignore; with --boots it is the good kernel's A/A.
 */
static void kernel_judge(struct bisect *b, const char *name, const char *run, int baseline,
			 int st, struct outcome *o)
{
	char side_a[PATH_MAX + 8], side_b[PATH_MAX + 8], csv[PATH_MAX + 16], err[1024];
	struct compare_result r;

	fmt(side_a, sizeof(side_a), "%s%s", run, b->boots ? "/a" : "");
	fmt(side_b, sizeof(side_b), "%s%s", run, b->boots ? "/b" : "");
	fmt(csv, sizeof(csv), "%s%s", side_b, b->boots ? "/boot-1/results.csv" : "/results.csv");
	if (access(csv, R_OK)) {
		fmt(o->why, sizeof(o->why), "the boot command wrote no results.csv "
		    "(exit %d; logs/%s.boot.log)", st, name);
		return;
	}
	if (compare_runs(b->boots ? side_a : baseline ? run : b->baseline, side_b, &b->cmp, &r,
			 err, sizeof(err))) {
		fmt(o->why, sizeof(o->why), "cannot compare: %s", err);
		return;
	}
	if (!r.new.rows[CMP_ST_OK]) {
		fmt(o->why, sizeof(o->why), "no ok rows (boot exit %d; logs/%s.boot.log)", st,
		    name);
	} else if (baseline) {
		size_t n = r.n - r.count[CMP_NOT_COMPARED];

		o->verdict = n ? BISECT_GOOD : BISECT_SKIP;
		fmt(o->why, sizeof(o->why), "%zu points with ok samples%s", n,
		    st == 1 ? "; some scenarios failed" : "");
		/* the good end is the reference: ratio 1, or its own value of the item */
		if (b->cmp.behave >= 0) {
			fmt(o->metric, sizeof(o->metric), "%s", compare_behave_names[b->cmp.behave]);
			for (size_t i = 0; i < r.n && isnan(o->value); i++)
				if (r.pt[i].bh[b->cmp.behave].verdict != BH_NA &&
				    !r.pt[i].base.bh[b->cmp.behave].nval)
					o->value = r.pt[i].base.bh[b->cmp.behave].median;
		} else {
			fmt(o->metric, sizeof(o->metric), "ratio");
			o->value = o->lo = o->hi = 1;
		}
		if (b->boots) {
			size_t used = strlen(o->why);

			/* what the same kernel against itself says: the floor of every step */
			fmt(o->why + used, sizeof(o->why) - used, "; against itself (%u boot%s a "
			    "side): %zu regressed, %zu improved, %zu unchanged, %zu inconclusive",
			    b->boots, b->boots == 1 ? "" : "s", r.count[CMP_REGRESSION],
			    r.count[CMP_IMPROVEMENT], r.count[CMP_UNCHANGED],
			    r.count[CMP_INCONCLUSIVE]);
		}
	} else {
		judge(&r, st, o);
	}
	if (r.new.rows[CMP_ST_OK] && (!baseline || b->boots)) {
		char cmp[PATH_MAX + 64];
		FILE *f;

		/* the whole comparison, for when one line is not enough */
		fmt(cmp, sizeof(cmp), "%s/logs/%s.compare.txt", b->out, name);
		f = fopen(cmp, "we");
		if (f) {
			compare_print(f, f, &r, &b->cmp, CMP_FMT_TEXT, 0);
			fclose(f);
		}
	}
	compare_result_free(&r);
}

void kernel_try(struct bisect *b, const char *name, const char *image, int baseline,
		struct outcome *o)
{
	char img[PATH_MAX], run[PATH_MAX], log[PATH_MAX + 64];
	char *argv[] = { "sh", "-c", NULL, NULL };
	struct proc p = { .argv = argv, .cwd = b->cwd, .err_fd = -1, .group = PROC_FORWARD };
	struct stat sb;
	int st, fd;

	memset(o, 0, sizeof(*o));
	o->value = o->lo = o->hi = NAN;
	if (!b->driver)
		p.group = PROC_SAME;
	if (!image) {
		if (kernel_build(b, name, img, sizeof(img), o))
			return;
		image = img;
	}
	if (b->boots && baseline) {
		/* {good} is this image at every try from now on */
		int e = b->tree[0] ? keep_image(b, name, image) : 0;

		if (e) {
			o->verdict = BISECT_ABORT;
			fmt(o->why, sizeof(o->why), "keeping the good image %s in %s/images: %s",
			    image, b->out, strerror(-e));
			return;
		}
		if (!b->tree[0])
			fmt(b->good_image, sizeof(b->good_image), "%s", image);
		image = b->good_image;
	}

	/* a run directory is never overwritten (gupbench run refuses) */
	fmt(run, sizeof(run), "%s/runs/%s", b->out, name);
	for (int i = 2; !lstat(run, &sb) && i < 100; i++)
		fmt(run, sizeof(run), "%s/runs/%s.%d", b->out, name, i);
	argv[2] = boot_command(b, image, run);
	fmt(log, sizeof(log), "%s/logs/%s.boot.log", b->out, name);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (!argv[2] || fd < 0) {
		o->verdict = BISECT_ABORT;
		fmt(o->why, sizeof(o->why), "%s: %s", fd < 0 ? log : "boot command",
		    strerror(fd < 0 ? errno : ENOMEM));
		if (fd >= 0)
			close(fd);
		free(argv[2]);
		return;
	}
	dprintf(fd, "$ cd %s && %s\n", b->cwd, argv[2]);
	p.out_fd = fd;
	st = proc_run(&p);
	close(fd);
	free(argv[2]);
	/* whatever the boot left (partial rows of a guest that died) is kept */
	if (!lstat(run, &sb))
		fmt(o->run, sizeof(o->run), "%s", run);
	if (!boot_ran(b, st, name, o))
		kernel_judge(b, name, run, baseline, st, o);
	if (o->run[0] && o->verdict != BISECT_ABORT) {
		char to[PATH_MAX + 16];

		/* runs/<name>-<verdict>: the directory listing reads like the log */
		fmt(to, sizeof(to), "%s-%s", o->run, verdict_word(o->verdict));
		if (!rename(o->run, to))
			fmt(o->run, sizeof(o->run), "%s", to);
	}
}

void log_outcome(struct bisect *b, const char *role, const char *id, const char *subject,
		 int baseline, const struct outcome *o)
{
	blog(b, "%-7s %s \"%s\": %s%s: %s", role, id, subject, verdict_word(o->verdict),
	     baseline && o->verdict == BISECT_GOOD ? " (baseline)" : "", o->why);
	steps_append(b, role, id, subject, o);
}
/* ---- Options both the driver and the step take ---- */

int boots_parse(struct bisect *b, const char *cmd, const char *arg)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || v < 1 || v > MAX_BOOTS || arg[0] == '-') {
		fprintf(stderr, "gupbench %s: --boots: \"%s\" is not a number of boots from 1 to "
			"%d\n", cmd, arg, MAX_BOOTS);
		return -1;
	}
	b->boots = (unsigned)v;
	return 0;
}

int configs_set(struct bisect *b, char **names, int n, const char *cmd)
{
	struct sbuf q = { 0 };

	b->config = calloc((size_t)n, sizeof(*b->config));
	if (!b->config)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		b->config[i] = realpath(names[i], NULL);
		b->nconfig = i + 1;
		if (!b->config[i] || access(b->config[i], R_OK)) {
			int e = errno;

			fprintf(stderr, "gupbench %s: %s: %s\n", cmd, names[i], strerror(e));
			return -e;
		}
		if (i)
			sbuf_add(&q, " ");
		sbuf_quote(&q, b->config[i]);
	}
	b->configs = sbuf_take(&q);
	return b->configs ? 0 : -ENOMEM;
}

int exe_path(struct bisect *b)
{
	int ret = self_exe(b->exe, sizeof(b->exe));

	if (ret)
		return ret;
	if (!getcwd(b->cwd, sizeof(b->cwd)))
		return -errno;
	return 0;
}
/* ---- __bisect-step: one revision, under git bisect run ---- */

static void step_usage(void)
{
	fprintf(stderr, "usage: gupbench __bisect-step --tree DIR --out OUT --baseline RUN "
		"--build CMD --boot CMD --cwd DIR [--boots N --good-image IMG] [compare options] "
		"CONFIG...\n"
		"  (run by `gupbench bisect` through git bisect run; not for direct use)\n");
}

/* "step N": N counts the step lines already in the log. */
static int step_number(const struct bisect *b)
{
	char line[4096];
	int n = 1;
	FILE *f = fopen(b->log, "re");

	while (f && fgets(line, sizeof(line), f))
		n += !strncmp(line, "step ", 5);
	if (f)
		fclose(f);
	return n;
}

int bisect_step_main(int argc, char **argv)
{
	static const struct option lopts[] = {
		COMPARE_LONG_OPTS,
		{ "tree", required_argument, NULL, OPT_TREE },
		{ "out", required_argument, NULL, OPT_OUT },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "build", required_argument, NULL, OPT_BUILD },
		{ "boot", required_argument, NULL, OPT_BOOT },
		{ "cwd", required_argument, NULL, OPT_CWD },
		{ "boots", required_argument, NULL, OPT_BOOTS },
		{ "good-image", required_argument, NULL, OPT_GOOD_IMAGE },
		{ 0 },
	};
	struct bisect b = { .driver = 0 };
	struct outcome o;
	char sha[128], subj[512], role[32];
	const char *cwd = NULL;
	int c;

	compare_opts_default(&b.cmp);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		int taken = compare_opt(c, optarg, "__bisect-step", &b.cmp);

		if (taken < 0)
			return BISECT_ABORT;
		if (taken)
			continue;
		switch (c) {
		case OPT_TREE:
			fmt(b.tree, sizeof(b.tree), "%s", optarg);
			break;
		case OPT_OUT:
			fmt(b.out, sizeof(b.out), "%s", optarg);
			break;
		case OPT_BASELINE:
			fmt(b.baseline, sizeof(b.baseline), "%s", optarg);
			break;
		case OPT_BUILD:
			b.build = optarg;
			break;
		case OPT_BOOT:
			b.boot = optarg;
			break;
		case OPT_CWD:
			cwd = optarg;
			break;
		case OPT_BOOTS:
			if (boots_parse(&b, "__bisect-step", optarg))
				return BISECT_ABORT;
			break;
		case OPT_GOOD_IMAGE:
			fmt(b.good_image, sizeof(b.good_image), "%s", optarg);
			break;
		default:
			step_usage();
			return BISECT_ABORT;
		}
	}
	if (!b.tree[0] || !b.out[0] || !b.baseline[0] || !b.build || !b.boot || !cwd ||
	    optind >= argc || (b.boots && !b.good_image[0])) {
		step_usage();
		return BISECT_ABORT;
	}
	if (exe_path(&b) || configs_set(&b, argv + optind, argc - optind, "__bisect-step"))
		return BISECT_ABORT;
	fmt(b.cwd, sizeof(b.cwd), "%s", cwd);
	fmt(b.log, sizeof(b.log), "%s/bisect.log", b.out);

	if (git(b.tree, PROC_SAME, sha, sizeof(sha), "rev-parse", "--short", "HEAD", NULL) ||
	    git(b.tree, PROC_SAME, subj, sizeof(subj), "log", "-1", "--format=%s", "HEAD", NULL)) {
		fprintf(stderr, "gupbench __bisect-step: %s: no HEAD revision: %s\n", b.tree, sha);
		return BISECT_ABORT;
	}
	fmt(role, sizeof(role), "step %d", step_number(&b));
	kernel_try(&b, sha, NULL, 0, &o);
	log_outcome(&b, role, sha, subj, 0, &o);
	return o.verdict;
}
