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
#include "outdir.h"
#include "method.h"
#include "plot.h"
#include "proc.h"
#include "util.h"

/* Where the plots/ gnuplot scripts live: GUPBENCH_PLOTS, else next to the binary's tree. */
static void scripts_dir(char *dst, size_t len)
{
	char top[PATH_MAX];
	const char *env = getenv("GUPBENCH_PLOTS");

	if (env) {
		/* gnuplot runs in a scratch directory: the path must not be relative */
		char *abs = realpath(env, NULL);

		fmt(dst, len, "%s", abs ? abs : env);
		free(abs);
		return;
	}
	/* build/gupbench -> <top>/plots */
	if (checkout_dir(top, sizeof(top)))
		fmt(dst, len, "plots");
	else
		fmt(dst, len, "%s/plots", top);
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

/*
 * Text that goes into gnuplot code as a single-quoted string: titles made
 * of meta fields and CSV cells, which come from whoever made the run
 * directory. Anything that could end the string or the command (quotes,
 * backslash, backquote, macros, control characters) becomes '?'.
 */
void plot_text(char *dst, size_t len, const char *src)
{
	size_t i = 0;

	for (; *src && i + 1 < len; src++, i++) {
		unsigned char c = (unsigned char)*src;

		dst[i] = c < 0x20 || c > 0x7e || strchr("'\"\\`@$", c) ? '?' : (char)c;
	}
	if (len)
		dst[i] = '\0';
}

/*
 * A scratch directory inside the output directory, just made and empty:
 * gnuplot runs there and writes nothing else, so a symlink planted in the
 * output directory is never written through; outputs move into place with
 * renameat(), which replaces a link rather than following it.
 */
struct scratch {
	int pfd, sfd;
	char name[64];
};

static int scratch_make(struct scratch *sc, int pfd)
{
	sc->pfd = pfd;
	for (int tries = 0; tries < 100; tries++) {
		fmt(sc->name, sizeof(sc->name), ".gnuplot.%d.%d", (int)getpid(), rand());
		if (!mkdirat(pfd, sc->name, 0700))
			break;
		if (errno != EEXIST)
			return -errno;
	}
	sc->sfd = outdir_openat(pfd, sc->name, 0);
	return sc->sfd < 0 ? sc->sfd : 0;
}

/* Move scratch/from to the output directory's name; 0 or -errno. */
static int scratch_publish(struct scratch *sc, const char *from, const char *name)
{
	return renameat(sc->sfd, from, sc->pfd, name) ? -errno : 0;
}

static void scratch_remove(struct scratch *sc)
{
	static const char *const files[] = { "data.dat", "out.png", "out.svg" };

	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		unlinkat(sc->sfd, files[i], 0);
	close(sc->sfd);
	unlinkat(sc->pfd, sc->name, AT_REMOVEDIR);
}

/* The data file gnuplot reads, in the scratch directory. */
static FILE *scratch_data(struct scratch *sc)
{
	int fd = openat(sc->sfd, "data.dat", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			0644);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");

	if (fd >= 0 && !f)
		close(fd);
	return f;
}

/*
 * Open outdir (no symlink), a scratch directory in it and its data file:
 * 0, or -errno with err set and nothing left open or behind.
 */
static int scratch_open(const char *outdir, struct scratch *sc, FILE **f, char *err, size_t len)
{
	int pfd = outdir_open(outdir), ret;

	if (pfd < 0) {
		fmt(err, len, "%s: %s", outdir, strerror(-pfd));
		return pfd;
	}
	ret = scratch_make(sc, pfd);
	if (ret) {
		fmt(err, len, "%s: scratch directory: %s", outdir, strerror(-ret));
		close(pfd);
		return ret;
	}
	*f = scratch_data(sc);
	if (!*f) {
		ret = -errno;
		fmt(err, len, "%s: %s", outdir, strerror(errno));
		scratch_remove(sc);
		close(pfd);
		return ret;
	}
	return 0;
}

/*
 * Run one gnuplot script in the scratch directory, on its data.dat, for
 * out.png and out.svg; vars hold only numbers and plot_text() strings.
 * 0 or -errno with err.
 */
static int gnuplot_run(const struct scratch *sc, const char *script, const char *vars, char *err,
		       size_t len)
{
	char *argv[] = { "gnuplot", "-e", (char *)vars, (char *)script, NULL };
	/* gnuplot's range warnings on a one-point series are noise here */
	int nul = open("/dev/null", O_WRONLY | O_CLOEXEC), st;
	struct proc p = { .argv = argv, .dir_fd = &sc->sfd, .out_fd = STDOUT_FILENO,
			  .err_fd = nul, .group = PROC_SAME };

	if (nul < 0)
		return -errno;
	st = proc_run(&p);
	close(nul);
	if (st) {
		fmt(err, len, "gnuplot %s failed (%s %d)%s", script, st < 0 ? "error" : "exit",
		    st < 0 ? -st : st, st == 127 ? ": gnuplot not installed" : "");
		return -EIO;
	}
	return 0;
}

/* Draw scratch/data.dat with series.gp and move the three files to <base>.{dat,png,svg}. */
static int gnuplot_series(struct scratch *sc, const char *script, int blocks, const char *base,
			  const char *title, const char *xlabel, const char *ylabel,
			  const char *style, char *err, size_t len)
{
	char vars[3072], t[512], x[256], y[256], name[300];
	int ret;

	plot_text(t, sizeof(t), title);
	plot_text(x, sizeof(x), xlabel);
	plot_text(y, sizeof(y), ylabel);
	fmt(vars, sizeof(vars),
	    "datafile='data.dat'; nblocks=%d; outbase='out'; plottitle='%s'; xlab='%s'; ylab='%s'; %s",
	    blocks, t, x, y, style);
	ret = gnuplot_run(sc, script, vars, err, len);
	for (int i = 0; !ret && i < 3; i++) {
		static const char *const from[] = { "data.dat", "out.png", "out.svg" };
		static const char *const ext[] = { "dat", "png", "svg" };

		fmt(name, sizeof(name), "%s.%s", base, ext[i]);
		ret = scratch_publish(sc, from[i], name);
		if (ret)
			fmt(err, len, "%s: %s", name, strerror(-ret));
	}
	return ret;
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

/* fork's ops act on the process: the whole op's time, its own figure (M_WHOLE_OP) */
static int whole_op(const struct agg_group *g)
{
	const struct method *m = method_find(g->method);

	return m && (m->flags & M_WHOLE_OP);
}

static int want_not_fork(const struct agg_group *g)
{
	return !whole_op(g);
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
	return g->nrate > 0 && g->threads > 1 && !whole_op(g);
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
	return whole_op(g);
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
static int draw_kind(const struct kind *k, const struct agg *a, const char *dir, int pfd,
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
		char base[300], script[PATH_MAX + 32], opfile[32], ylab[128], title[512], series[160];
		struct scratch sc;
		int blocks = 0;
		size_t end = i;
		FILE *f;

		while (end < np && !strcmp(pts[end].g->op, op))
			end++;
		/* "pin+unpin" -> "pin-unpin" in file names; op comes from the CSV */
		outdir_safe_name(opfile, sizeof(opfile), op);
		fmt(base, sizeof(base), "%s-%s", k->stem, opfile);
		ret = scratch_make(&sc, pfd);
		if (ret) {
			fmt(err, len, "%s/plots: scratch directory: %s", dir, strerror(-ret));
			break;
		}
		f = scratch_data(&sc);
		if (!f) {
			ret = -errno;
			fmt(err, len, "%s/plots: %s", dir, strerror(errno));
			scratch_remove(&sc);
			break;
		}
		fprintf(f, "# gupbench: %s, op %s, status=ok rows of results.csv\n", k->what, opfile);
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
				plot_text(series, sizeof(series), pts[s].series);
				fprintf(f, "\"%s\" median p25 p75 n linear\n", series);
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
		if (blocks) {
			fmt(title, sizeof(title), "%s: %s, median (bars: quartiles) -- %s", op, k->what,
			    machine);
			fmt(ylab, sizeof(ylab), k->ylabel, op);
			fmt(script, sizeof(script), "%s/series.gp", sdir);
			ret = gnuplot_series(&sc, script, blocks, base, title, k->xlabel, ylab, k->style,
					     err, len);
			if (!ret && !quiet)
				fprintf(stderr, "gupbench: plot %s/plots/%s.png, .svg\n", dir, base);
		}
		/* nothing of this kind to draw for this op: no empty plot */
		scratch_remove(&sc);
		i = end;
	}
	free(pts);
	return ret;
}

int plot_run(const char *dir, int quiet, char *err, size_t len)
{
	struct agg a;
	char path[4200], sdir[PATH_MAX], machine[512];
	int ret, pfd;

	fmt(path, sizeof(path), "%s/results.csv", dir);
	ret = agg_load(&a, path, err, len);
	if (ret)
		return ret;
	if (!a.n) {
		fmt(err, len, "%s: no ok rows to plot", path);
		agg_free(&a);
		return -ENODATA;
	}
	fmt(path, sizeof(path), "%s/plots", dir);
	pfd = outdir_open(path);
	if (pfd < 0) {
		fmt(err, len, "%s: %s%s", path, strerror(-pfd),
		    pfd == -ENOTDIR ? " (not a directory of its own: a symlink is not followed)" : "");
		agg_free(&a);
		return pfd;
	}
	scripts_dir(sdir, sizeof(sdir));
	machine_line(dir, machine, sizeof(machine));
	for (size_t k = 0; k < ARRAY_SIZE(kinds) && !ret; k++)
		ret = draw_kind(&kinds[k], &a, dir, pfd, sdir, machine, quiet, err, len);
	close(pfd);
	agg_free(&a);
	return ret;
}

int plot_ratio(const struct compare_result *r, const struct compare_opts *o, const char *outdir,
	       const char *base, char *err, size_t len)
{
	char sdir[PATH_MAX], script[PATH_MAX + 32], vars[6144], title[1024], t[1024], label[600];
	char name[300];
	struct scratch sc;
	int n = 0, pfd, ret;
	FILE *f;

	ret = scratch_open(outdir, &sc, &f, err, len);
	if (ret)
		return ret;
	pfd = sc.pfd;
	fprintf(f, "# gupbench: ratio new/base per point\n");
	fprintf(f, "# index ratio ci_lo ci_hi verdict label\n");
	for (size_t i = 0; i < r->n; i++) {
		const struct compare_point *p = &r->pt[i];
		char both[600];

		if (isnan(p->q))	/* not tested: no ratio to show */
			continue;
		fmt(both, sizeof(both), "%s %s", p->label, p->op);
		plot_text(label, sizeof(label), both);
		fprintf(f, "%d %.6g %.6g %.6g %s \"%s\"\n", n++, p->ratio, p->lo, p->hi,
			compare_verdict_name(p->verdict), label);
	}
	fclose(f);
	if (!n) {
		fmt(err, len, "no point was tested: no ratio chart");
		ret = -ENODATA;
		goto out;
	}
	scripts_dir(sdir, sizeof(sdir));
	fmt(script, sizeof(script), "%s/ratio.gp", sdir);
	fmt(title, sizeof(title), "%s vs %s: new/base, 95%% CI; band: threshold %g%%",
	    r->new.release[0] ? r->new.release : r->new.path,
	    r->base.release[0] ? r->base.release : r->base.path, o->threshold * 100);
	plot_text(t, sizeof(t), title);
	fmt(vars, sizeof(vars), "datafile='data.dat'; npoints=%d; outbase='out'; plottitle='%s'; "
	    "lo_t=%g; hi_t=%g", n, t, 1 / (1 + o->threshold), 1 + o->threshold);
	ret = gnuplot_run(&sc, script, vars, err, len);
	for (int i = 0; !ret && i < 3; i++) {
		static const char *const from[] = { "data.dat", "out.png", "out.svg" };
		static const char *const ext[] = { "dat", "png", "svg" };

		fmt(name, sizeof(name), "%s.%s", base, ext[i]);
		ret = scratch_publish(&sc, from[i], name);
		if (ret)
			fmt(err, len, "%s/%s: %s", outdir, name, strerror(-ret));
	}
out:
	scratch_remove(&sc);
	close(pfd);
	return ret;
}

int plot_blocks(const char *outdir, const char *base, const char *script, const char *title,
		const char *xlabel, const char *ylabel, const char *style,
		int (*write)(FILE *f, void *ctx), void *ctx, char *err, size_t len)
{
	char sdir[PATH_MAX], path[PATH_MAX + 64];
	struct scratch sc;
	int pfd, ret, blocks;
	FILE *f;

	ret = scratch_open(outdir, &sc, &f, err, len);
	if (ret)
		return ret;
	pfd = sc.pfd;
	blocks = write(f, ctx);
	ret = blocks < 0 ? blocks : 0;
	if (fclose(f) && !ret)
		ret = -EIO;
	if (ret) {
		fmt(err, len, "%s/%s.dat: %s", outdir, base, strerror(-ret));
		goto out;
	}
	scripts_dir(sdir, sizeof(sdir));
	fmt(path, sizeof(path), "%s/%s", sdir, script);
	ret = gnuplot_series(&sc, path, blocks, base, title, xlabel, ylabel, style, err, len);
out:
	scratch_remove(&sc);
	close(pfd);
	return ret;
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
	fmt(base, sizeof(base), "%s/plots", argv[1]);
	ret = plot_ratio(&r, &o, base, "ratio-vs-base", err, sizeof(err));
	compare_result_free(&r);
	if (ret) {
		fprintf(stderr, "gupbench: %s\n", err);
		return 1;
	}
	fprintf(stderr, "gupbench: plot %s/ratio-vs-base.png, .svg\n", base);
	return 0;
}
