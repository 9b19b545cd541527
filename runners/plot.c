// SPDX-License-Identifier: GPL-2.0
/*
 * The plots of a run, from DIR/results.csv (status=ok rows only: warm-up,
 * skip and error rows are not plotted; the CSV keeps them). Each kind of
 * plot is one entry of a table: which groups it shows, what a series is,
 * and what x and y are; per op, gupbench writes a gnuplot data file (one
 * block per series: "x median p25 p75 n [linear]") and runs
 * plots/series.gp on it for a PNG and an SVG.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <math.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agg.h"
#include "compare.h"
#include "meta.h"
#include "plot.h"
#include "util.h"

/* Where the plots/ gnuplot scripts live: GUPBENCH_PLOTS, else next to the binary's tree. */
static void scripts_dir(char *dst, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n;
	const char *env = getenv("GUPBENCH_PLOTS");

	if (env) {
		fmt(dst, len, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0) {
		fmt(dst, len, "plots");
		return;
	}
	exe[n] = '\0';
	/* build/gupbench -> <top>/plots */
	fmt(dst, len, "%s/../plots", dirname(exe));
}

/* "kernel R, host, CPU" for titles, from DIR/meta. */
static void machine_line(const char *dir, char *dst, size_t len)
{
	struct meta_file m;
	char path[4200];
	const char *rel, *host, *cpu;

	fmt(path, sizeof(path), "%s/meta", dir);
	meta_file_load(path, &m);
	rel = meta_file_get(&m, "kernel", "release");
	host = meta_file_get(&m, "machine", "hostname");
	cpu = meta_file_get(&m, "machine", "cpu_model");
	fmt(dst, len, "kernel %s, %s, %s", rel ? rel : "?", host ? host : "?", cpu ? cpu : "?");
	meta_file_free(&m);
}

/* Run one gnuplot script with its variables (-e); 0 or -errno with err. */
static int gnuplot_run(const char *script, const char *vars, char *err, size_t len)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* gnuplot's range warnings on a one-point series are noise here */
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0)
			dup2(fd, STDERR_FILENO);
		execlp("gnuplot", "gnuplot", "-e", vars, script, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fmt(err, len, "gnuplot %s failed (status %d)%s", script, status,
		    WIFEXITED(status) && WEXITSTATUS(status) == 127 ? ": gnuplot not installed" : "");
		return -EIO;
	}
	return 0;
}

static int gnuplot(const char *script, const char *data, int blocks, const char *out,
		   const char *title, const char *xlabel, const char *ylabel, const char *style,
		   char *err, size_t len)
{
	char vars[3072];

	fmt(vars, sizeof(vars),
	    "datafile='%s'; nblocks=%d; outbase='%s'; plottitle='%s'; xlab='%s'; ylab='%s'; %s",
	    data, blocks, out, title, xlabel, ylabel, style);
	return gnuplot_run(script, vars, err, len);
}

/* ---- the kinds of plot ---- */

struct point {
	const struct agg_group *g;
	char series[160];
	double x, y[3];		/* median, p25, p75 */
	double ref;		/* linear-scaling reference, 0 if none */
	size_t n;
	/* scaling: the 1-thread point every share series starts from */
	double one[3];
	size_t one_n;
};

struct kind {
	const char *stem;	/* file name: <stem>-<op>.png */
	const char *what;	/* title words */
	const char *xlabel;
	const char *ylabel;	/* %s: the op */
	const char *style;	/* gnuplot variables: xlog, xbin, ylog, ref */
	int min_points;		/* a series with fewer x values is not drawn */
	int (*want)(const struct agg_group *g);
	void (*point)(const struct agg *a, const struct agg_group *g, struct point *p);
};

static void series_base(const struct agg_group *g, char *dst, size_t len, int with_size,
			int with_zero, int with_threads)
{
	char sz[32] = "";

	if (with_size)
		size_format(g->size, sz, sizeof(sz));
	fmt(dst, len, "%s%s%s %s order %d%s%s", g->method, g->variant[0] ? " " : "", g->variant,
	    g->backing, g->order, with_size ? " " : "", sz);
	if (with_zero) {
		size_t n = strlen(dst);

		fmt(dst + n, len - n, " zero %g", g->zero);
	}
	if (with_threads && g->threads > 1) {
		size_t n = strlen(dst);

		fmt(dst + n, len - n, " x%d %s", g->threads, g->share);
	}
}

static void per_page(const struct agg_group *g, struct point *p)
{
	p->y[0] = g->median;
	p->y[1] = g->p25;
	p->y[2] = g->p75;
	p->n = g->n;
}

static int want_not_fork(const struct agg_group *g)
{
	return strcmp(g->method, "fork") != 0;
}

static void size_point(const struct agg *a, const struct agg_group *g, struct point *p)
{
	series_base(g, p->series, sizeof(p->series), 0, 1, 1);
	p->x = (double)g->size;
	per_page(g, p);
}

/* No zero-ratio curve from points whose buffers lacked the zero pages asked. */
static int want_zero_curve(const struct agg_group *g)
{
	return want_not_fork(g) && !g->mismatch_zero;
}

static void zero_point(const struct agg *a, const struct agg_group *g, struct point *p)
{
	series_base(g, p->series, sizeof(p->series), 1, 0, 1);
	p->x = g->zero;
	per_page(g, p);
}

/* Several threads; the 1-thread run joins each series as its first point. */
static int want_rates(const struct agg_group *g)
{
	return g->nrate > 0 && g->threads > 1 && strcmp(g->method, "fork") != 0;
}

/* The 1-thread rate of the same point: the linear-scaling reference. */
static void scaling_point(const struct agg *a, const struct agg_group *g, struct point *p)
{
	size_t n;

	series_base(g, p->series, sizeof(p->series), 1, 1, 0);
	n = strlen(p->series);
	fmt(p->series + n, sizeof(p->series) - n, " %s", g->share);
	p->x = g->threads;
	p->y[0] = g->rate_median;
	p->y[1] = g->rate_p25;
	p->y[2] = g->rate_p75;
	p->n = g->nrate;
	for (size_t i = 0; i < a->n; i++) {
		const struct agg_group *o = &a->g[i];

		if (o->threads == 1 && o->nrate && !strcmp(o->op, g->op) &&
		    !strcmp(o->method, g->method) && !strcmp(o->vkey, g->vkey) &&
		    !strcmp(o->backing, g->backing) && o->order == g->order && o->zero == g->zero &&
		    o->size == g->size) {
			p->ref = g->threads * o->rate_median;
			p->one[0] = o->rate_median;
			p->one[1] = o->rate_p25;
			p->one[2] = o->rate_p75;
			p->one_n = o->nrate;
		}
	}
}

static int want_fork(const struct agg_group *g)
{
	return !strcmp(g->method, "fork");
}

/* Whole-op time in ms: the per-page median times the pages of the size. */
static void fork_point(const struct agg *a, const struct agg_group *g, struct point *p)
{
	double pages = (double)g->size / PAGE_SZ;

	series_base(g, p->series, sizeof(p->series), 0, 1, 0);
	p->x = (double)g->size;
	p->y[0] = g->median * pages / 1e6;
	p->y[1] = g->p25 * pages / 1e6;
	p->y[2] = g->p75 * pages / 1e6;
	p->n = g->n;
}

static const struct kind kinds[] = {
	{ "ns-per-page", "ns per page against size", "buffer size (bytes, binary prefixes)",
	  "ns per 4 KiB page (%s)", "xlog=1; xbin=1; ylog=1; ref=0; xint=0", 1, want_not_fork, size_point },
	{ "zero-ratio", "cost against the zero-page ratio", "zero-page ratio (fraction of chunks only read-faulted)",
	  "ns per 4 KiB page (%s)", "xlog=0; xbin=0; ylog=1; ref=0; xint=0", 2, want_zero_curve, zero_point },
	{ "scaling", "aggregate rate against threads (dashed: linear)", "threads",
	  "pages per second, all threads (%s)", "xlog=0; xbin=0; ylog=1; ref=1; xint=1", 2, want_rates,
	  scaling_point },
	{ "fork", "fork cost against buffer size", "buffer size (bytes, binary prefixes)",
	  "ms per op (%s)", "xlog=1; xbin=1; ylog=1; ref=0; xint=0", 1, want_fork, fork_point },
};

static int point_cmp(const void *x, const void *y)
{
	const struct point *a = x, *b = y;
	int c = strcmp(a->g->op, b->g->op);

	if (!c)
		c = strcmp(a->series, b->series);
	if (!c)
		c = (a->x > b->x) - (a->x < b->x);
	return c;
}

/* Series with at least k->min_points distinct x values, per op. */
static int draw_kind(const struct kind *k, const struct agg *a, const char *dir, const char *pdir,
		     const char *sdir, const char *machine, int quiet, char *err, size_t len)
{
	struct point *pts = calloc(a->n ? a->n : 1, sizeof(*pts));
	size_t np = 0;
	int ret = 0;

	if (!pts)
		return -ENOMEM;
	for (size_t i = 0; i < a->n; i++) {
		if (!k->want(&a->g[i]))
			continue;
		pts[np].g = &a->g[i];
		k->point(a, &a->g[i], &pts[np]);
		np++;
	}
	if (np)
		qsort(pts, np, sizeof(*pts), point_cmp);
	for (size_t i = 0; i < np && !ret;) {
		const char *op = pts[i].g->op;
		char data[4300], base[4300], script[PATH_MAX + 32], opfile[32], ylab[128], title[512];
		int blocks = 0;
		size_t end = i;
		FILE *f;

		while (end < np && !strcmp(pts[end].g->op, op))
			end++;
		/* "pin+unpin" -> "pin-unpin" in file names */
		fmt(opfile, sizeof(opfile), "%s", op);
		for (char *s = opfile; *s; s++)
			if (*s == '+')
				*s = '-';
		fmt(data, sizeof(data), "%s/%s-%s.dat", pdir, k->stem, opfile);
		fmt(base, sizeof(base), "%s/%s-%s", pdir, k->stem, opfile);
		f = fopen(data, "we");
		if (!f) {
			fmt(err, len, "%s: %s", data, strerror(errno));
			ret = -errno;
			break;
		}
		fprintf(f, "# gupbench: %s, op %s, status=ok rows of %s/results.csv\n", k->what, op, dir);
		fprintf(f, "# one block per series; columns: x median p25 p75 samples linear_reference\n");
		for (size_t s = i; s < end;) {
			size_t e = s, distinct = 0;

			while (e < end && !strcmp(pts[e].series, pts[s].series)) {
				if (e == s || pts[e].x != pts[e - 1].x)
					distinct++;
				e++;
			}
			distinct += pts[s].one_n > 0;
			if (distinct >= (size_t)k->min_points) {
				/* two blank lines end a gnuplot data block */
				if (blocks)
					fputs("\n\n", f);
				fprintf(f, "\"%s\" median p25 p75 n linear\n", pts[s].series);
				if (pts[s].one_n)
					fprintf(f, "1 %.6g %.6g %.6g %zu %.6g\n", pts[s].one[0], pts[s].one[1],
						pts[s].one[2], pts[s].one_n, pts[s].one[0]);
				for (size_t q = s; q < e; q++)
					fprintf(f, "%.6g %.6g %.6g %.6g %zu %.6g\n", pts[q].x, pts[q].y[0],
						pts[q].y[1], pts[q].y[2], pts[q].n, pts[q].ref);
				blocks++;
			}
			s = e;
		}
		fclose(f);
		if (!blocks) {
			/* nothing of this kind to draw for this op: no empty plot */
			unlink(data);
			i = end;
			continue;
		}
		fmt(title, sizeof(title), "%s: %s, median (bars: quartiles) -- %s", op, k->what, machine);
		fmt(ylab, sizeof(ylab), k->ylabel, op);
		fmt(script, sizeof(script), "%s/series.gp", sdir);
		ret = gnuplot(script, data, blocks, base, title, k->xlabel, ylab, k->style, err, len);
		if (!ret && !quiet)
			fprintf(stderr, "gupbench: plot %s.png, .svg\n", base);
		i = end;
	}
	free(pts);
	return ret;
}

int plot_run(const char *dir, int quiet, char *err, size_t len)
{
	struct agg a;
	char path[4200], pdir[4200], sdir[PATH_MAX], machine[512];
	int ret;

	fmt(path, sizeof(path), "%s/results.csv", dir);
	ret = agg_load(&a, path, err, len);
	if (ret)
		return ret;
	if (!a.n) {
		fmt(err, len, "%s: no ok rows to plot", path);
		agg_free(&a);
		return -ENODATA;
	}
	fmt(pdir, sizeof(pdir), "%s/plots", dir);
	if (mkdir(pdir, 0755) && errno != EEXIST) {
		fmt(err, len, "%s: %s", pdir, strerror(errno));
		agg_free(&a);
		return -errno;
	}
	scripts_dir(sdir, sizeof(sdir));
	machine_line(dir, machine, sizeof(machine));
	for (size_t k = 0; k < ARRAY_SIZE(kinds) && !ret; k++)
		ret = draw_kind(&kinds[k], &a, dir, pdir, sdir, machine, quiet, err, len);
	agg_free(&a);
	return ret;
}

int plot_ratio(const struct compare_result *r, const struct compare_opts *o, const char *outbase,
	       char *err, size_t len)
{
	char data[4300], sdir[PATH_MAX], script[PATH_MAX + 32], vars[6144], title[1024];
	int n = 0;
	FILE *f;

	fmt(data, sizeof(data), "%s.dat", outbase);
	f = fopen(data, "we");
	if (!f) {
		fmt(err, len, "%s: %s", data, strerror(errno));
		return -errno;
	}
	fprintf(f, "# gupbench: ratio new/base per point, %s vs %s\n", r->new.path, r->base.path);
	fprintf(f, "# index ratio ci_lo ci_hi verdict label\n");
	for (size_t i = 0; i < r->n; i++) {
		const struct compare_point *p = &r->pt[i];

		if (isnan(p->q))	/* not tested: no ratio to show */
			continue;
		fprintf(f, "%d %.6g %.6g %.6g %s \"%s %s\"\n", n++, p->ratio, p->lo, p->hi,
			compare_verdict_name(p->verdict), p->label, p->op);
	}
	fclose(f);
	if (!n) {
		fmt(err, len, "no point was tested: no ratio chart");
		return -ENODATA;
	}
	scripts_dir(sdir, sizeof(sdir));
	fmt(script, sizeof(script), "%s/ratio.gp", sdir);
	fmt(title, sizeof(title), "%s vs %s: new/base, 95%% CI; band: threshold %g%%",
	    r->new.release[0] ? r->new.release : r->new.path,
	    r->base.release[0] ? r->base.release : r->base.path, o->threshold * 100);
	fmt(vars, sizeof(vars), "datafile='%s'; npoints=%d; outbase='%s'; plottitle='%s'; "
	    "lo_t=%g; hi_t=%g", data, n, outbase, title, 1 / (1 + o->threshold), 1 + o->threshold);
	return gnuplot_run(script, vars, err, len);
}

/* gupbench plot DIR [BASE]: DIR's plots, and with BASE the ratio chart. */
int plot_main(int argc, char **argv)
{
	struct compare_opts o;
	struct compare_result r;
	char err[1024], base[4200];
	int ret;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: gupbench plot RUN_DIR [BASE_DIR]\n"
				"  RUN_DIR/plots/*.png, *.svg; with BASE_DIR also ratio-vs-base\n");
		return 2;
	}
	if (plot_run(argv[1], 0, err, sizeof(err))) {
		fprintf(stderr, "gupbench: %s\n", err);
		return 1;
	}
	if (argc == 2)
		return 0;
	compare_opts_default(&o);
	if (compare_runs(argv[2], argv[1], &o, &r, err, sizeof(err))) {
		fprintf(stderr, "gupbench: %s\n", err);
		return 1;
	}
	fmt(base, sizeof(base), "%s/plots/ratio-vs-base", argv[1]);
	ret = plot_ratio(&r, &o, base, err, sizeof(err));
	compare_result_free(&r);
	if (ret) {
		fprintf(stderr, "gupbench: %s\n", err);
		return 1;
	}
	fprintf(stderr, "gupbench: plot %s.png, .svg\n", base);
	return 0;
}
