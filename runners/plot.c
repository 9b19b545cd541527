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
#include "fioshare.h"
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
	char vars[32768], t[1024], x[256], y[256], name[300];
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
	{ "scaling", "aggregate rate against threads (dotted: linear)", "threads",
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

/* ---- the look: the same key looks the same in every figure of every run ---- */

void plot_log_ticks(double lo, double hi, int ratio, char *pos, size_t plen, char *lab,
		    size_t llen)
{
	static const double round_ratio[] = {
		0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 0.67, 0.8, 0.9, 0.95, 1, 1.05, 1.1, 1.25, 1.5,
		2, 5, 10, 20, 50, 100,
	};
	size_t po = 0, lo_ = 0;

	pos[0] = lab[0] = '\0';
	/* positions without an exponent (gnuplot's real() refuses "2e+07"), labels short */
#define TICK(v) do {									\
		po += (size_t)snprintf(pos + po, po < plen ? plen - po : 0, "%s%.12f",	\
				       po ? " " : "", (v));				\
		lo_ += (size_t)snprintf(lab + lo_, lo_ < llen ? llen - lo_ : 0, "%s%g",	\
					lo_ ? " " : "", (v));				\
	} while (0)
	if (ratio) {
		for (size_t i = 0; i < ARRAY_SIZE(round_ratio); i++)
			if (round_ratio[i] >= lo && round_ratio[i] <= hi)
				TICK(round_ratio[i]);
	} else if (lo > 0 && hi >= lo) {
		for (int e = (int)floor(log10(lo)); e <= (int)ceil(log10(hi)); e++)
			for (int m = 1; m <= 5; m += m == 1 ? 1 : 3) {	/* 1, 2, 5 */
				double v = m * pow(10, e);

				if (v >= lo && v <= hi)
					TICK(v);
			}
	}
#undef TICK
}

static int cmp_double_asc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Colour = folio order, from Okabe and Ito's colour-blind-safe palette:
 * 4 KiB blue, PMD vermillion, PUD bluish green, the mTHP orders between
 * in the palette's other colours, in order.
 */
unsigned plot_order_colour(int order)
{
	static const unsigned mthp[] = { 0xE69F00, 0x56B4E9, 0xCC79A7, 0xF0E442, 0x000000 };

	if (order <= 0)
		return 0x0072B2;
	if (order == 9)
		return 0xD55E00;
	if (order >= 18)
		return 0x009E73;
	return mthp[(order - 1) % ARRAY_SIZE(mthp)];
}

/* Point type = backing; a backing gupbench does not know gets the last. */
static int backing_point(const char *backing)
{
	static const struct { const char *name; int pt; } map[] = {
		{ "anon", 7 }, { "anon-shared", 5 }, { "memfd", 9 }, { "file", 13 },
		{ "hugetlb-2M", 11 }, { "hugetlb-1G", 15 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (!strcmp(backing, map[i].name))
			return map[i].pt;
	return 3;
}

/* What a kind's series differ in besides the panel (method). */
enum { SK_BACKING, SK_ORDER, SK_ZERO, SK_SIZE, SK_THREADS, SK_VARIANT, SK_N };

/* A series' legend title: the keys that vary within the figure, nothing else. */
static void series_label(const struct kind *k, const struct agg_group *g, const int *varies,
			 char *dst, size_t len)
{
	size_t off = 0;

	dst[0] = '\0';
#define ADDL(...) (off += (size_t)snprintf(dst + off, off < len ? len - off : 0, __VA_ARGS__))
	if (varies[SK_BACKING])
		ADDL("%s%s", off ? " " : "", g->backing);
	if (varies[SK_ORDER])
		ADDL("%sorder %d", off ? " " : "", g->order);
	if (varies[SK_SIZE]) {
		char sz[32];

		size_format(g->size, sz, sizeof(sz));
		ADDL("%s%s", off ? " " : "", sz);
	}
	if (varies[SK_ZERO])
		ADDL("%szero %g", off ? " " : "", g->zero);
	if (varies[SK_THREADS] && !strcmp(k->stem, "scaling"))
		ADDL("%s%s", off ? " " : "", g->share);
	else if (varies[SK_THREADS] && g->threads > 1)
		ADDL("%s%d threads %s", off ? " " : "", g->threads, g->share);
	else if (varies[SK_THREADS])
		ADDL("%s1 thread", off ? " " : "");
	if (varies[SK_VARIANT] && g->variant[0])
		ADDL("%s%s", off ? " " : "", g->variant);
	if (!off)
		ADDL("%s", "all");
#undef ADDL
}

/* The keys the series of a figure share: the subtitle says them once. */
static void constant_keys(const struct kind *k, const struct agg_group *g, const int *varies,
			  char *dst, size_t len)
{
	size_t off = 0;

	dst[0] = '\0';
#define ADDC(...) (off += (size_t)snprintf(dst + off, off < len ? len - off : 0, __VA_ARGS__))
	if (!varies[SK_BACKING])
		ADDC("%s", g->backing);
	if (!varies[SK_ORDER])
		ADDC("%sorder %d", off ? ", " : "", g->order);
	if (!varies[SK_SIZE] && strcmp(k->stem, "ns-per-page") && strcmp(k->stem, "fork")) {
		char sz[32];

		size_format(g->size, sz, sizeof(sz));
		ADDC("%s%s", off ? ", " : "", sz);
	}
	if (!varies[SK_ZERO] && strcmp(k->stem, "zero-ratio"))
		ADDC("%szero %g", off ? ", " : "", g->zero);
	if (!varies[SK_THREADS] && strcmp(k->stem, "scaling"))
		ADDC("%s%d thread%s", off ? ", " : "", g->threads, g->threads == 1 ? "" : "s");
#undef ADDC
}

/* One series of a figure: its points pts[s..e) and how it looks. */
struct block {
	size_t s, e;
	const struct agg_group *g;
	char label[200];
	unsigned colour;
	int dash, pt;
};

static int block_cmp(const void *x, const void *y)
{
	const struct agg_group *a = ((const struct block *)x)->g, *b = ((const struct block *)y)->g;
	int c = strcmp(a->method, b->method);

	if (!c)
		c = strcmp(a->backing, b->backing);
	if (!c)
		c = (a->order > b->order) - (a->order < b->order);
	if (!c)
		c = (a->size > b->size) - (a->size < b->size);
	if (!c)
		c = (a->zero > b->zero) - (a->zero < b->zero);
	if (!c)
		c = strcmp(a->share, b->share);
	if (!c)
		c = (a->threads > b->threads) - (a->threads < b->threads);
	if (!c)
		c = strcmp(a->variant, b->variant);
	return c;
}

/*
 * Dash = what tells series of one order and backing apart: the zero ratio,
 * the size (where x is not the size), the threads and sharing, the variant,
 * whichever of them vary in the figure, ranked among the figure's distinct
 * combinations (solid first).
 */
static void dash_key(const struct agg_group *g, const int *varies, char *dst, size_t len)
{
	fmt(dst, len, "%020.6f|%020llu|%06d %s|%s", varies[SK_ZERO] ? g->zero : 0,
	    varies[SK_SIZE] ? (unsigned long long)g->size : 0ULL,
	    varies[SK_THREADS] ? g->threads : 0, varies[SK_THREADS] ? g->share : "",
	    varies[SK_VARIANT] ? g->variant : "");
}

static int dash_rank(const struct block *bl, int nb, int b, const int *varies)
{
	char mine[300], other[300], prev[300];
	int rank = 0;

	dash_key(bl[b].g, varies, mine, sizeof(mine));
	for (int c = 0; c < nb; c++) {
		int seen = 0;

		dash_key(bl[c].g, varies, other, sizeof(other));
		for (int d = 0; d < c && !seen; d++) {
			dash_key(bl[d].g, varies, prev, sizeof(prev));
			seen = !strcmp(prev, other);
		}
		rank += !seen && strcmp(other, mine) < 0;
	}
	return rank;
}

/* Words for gnuplot: "a b c", or a "|"-joined list; only numbers and plot_text(). */
static void words_add(struct sbuf *b, const char *sep, const char *w)
{
	if (b->len)
		sbuf_add(b, sep);
	sbuf_add(b, w);
}

/* The style variables series.gp reads besides the shared ones. */
static char *figure_style(const struct kind *k, const struct point *pts, size_t i, size_t end,
			  const struct block *bl, int nb)
{
	struct sbuf st = { 0 }, tp = { 0 }, tl = { 0 }, pf = { 0 }, pc = { 0 }, ptl = { 0 };
	struct sbuf col = { 0 }, dt = { 0 }, ptt = { 0 };
	double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
	double *xs = malloc((end - i + 1) * sizeof(*xs));
	size_t nx = 0;
	int npanels = 0, ylog = !!strstr(k->style, "ylog=1"), xlog = !!strstr(k->style, "xlog=1");
	char w[256], *out;

	for (int b = 0, first = 0; b < nb; b++) {
		/* a new panel where the method changes; the one before ends there */
		if (!b || strcmp(bl[b].g->method, bl[b - 1].g->method)) {
			char t[160];

			if (b) {
				fmt(w, sizeof(w), "%d", b - first);
				words_add(&pc, " ", w);
			}
			first = b;
			fmt(w, sizeof(w), "%d", b);
			words_add(&pf, " ", w);
			plot_text(t, sizeof(t), bl[b].g->method);
			words_add(&ptl, "|", t);
			npanels++;
		}
		if (b == nb - 1) {
			fmt(w, sizeof(w), "%d", nb - first);
			words_add(&pc, " ", w);
		}
		fmt(w, sizeof(w), "0x%06x", bl[b].colour);
		words_add(&col, " ", w);
		fmt(w, sizeof(w), "%d", bl[b].dash);
		words_add(&dt, " ", w);
		fmt(w, sizeof(w), "%d", bl[b].pt);
		words_add(&ptt, " ", w);
	}
	for (size_t q = i; q < end; q++) {
		const struct point *pt = &pts[q];
		int seen = 0;

		for (int y = 0; y < 3; y++) {
			if (ylog && pt->y[y] <= 0)
				continue;
			ymin = fmin(ymin, pt->y[y]);
			ymax = fmax(ymax, pt->y[y]);
		}
		if (pt->one_n) {
			ymin = fmin(ymin, pt->one[1] > 0 ? pt->one[1] : ymin);
			ymax = fmax(ymax, pt->one[2]);
		}
		if (pt->ref > 0)
			ymax = fmax(ymax, pt->ref);
		xmin = fmin(xmin, pt->one_n ? 1 : pt->x);
		xmax = fmax(xmax, pt->x);
		for (size_t j = 0; j < nx; j++)
			seen |= xs[j] == pt->x;
		if (!seen && xs)
			xs[nx++] = pt->x;
		if (pt->one_n) {
			seen = 0;
			for (size_t j = 0; j < nx; j++)
				seen |= xs[j] == 1;
			if (!seen && xs)
				xs[nx++] = 1;
		}
	}
	/* ticks at the x values that were run (a dozen at most, spread) */
	if (xs && nx > 1)
		qsort(xs, nx, sizeof(*xs), cmp_double_asc);
	for (size_t j = 0; xs && j < nx; j += nx > 12 ? (nx + 11) / 12 : 1) {
		char lab[32];

		if (strstr(k->style, "xbin=1"))
			size_format((uint64_t)xs[j], lab, sizeof(lab));
		else
			fmt(lab, sizeof(lab), "%g", xs[j]);
		fmt(w, sizeof(w), "%.17g", xs[j]);
		words_add(&tp, " ", w);
		words_add(&tl, " ", lab);
	}
	free(xs);
	if (!isfinite(ymin)) {
		ymin = 0.1;
		ymax = 1;
	}
	if (ylog) {
		ymin /= 1.5;
		ymax *= 1.5;
	} else {
		ymin = 0;
		ymax = ymax > 0 ? ymax * 1.15 : 1;
	}
	if (xlog) {
		xmin /= 1.4;
		xmax *= 1.4;
	} else {
		double pad = xmax > xmin ? (xmax - xmin) * 0.05 : 0.5;

		xmin -= pad;
		xmax += pad;
	}
	sbuf_add(&st, k->style);
	fmt(w, sizeof(w), "; xmin=%.17g; xmax=%.17g; ymin=%.17g; ymax=%.17g; npanels=%d; ", xmin,
	    xmax, ymin, ymax, npanels);
	sbuf_add(&st, w);
	{
		char tpos[2048], tlab[1024];

		plot_log_ticks(ymin, ymax, 0, tpos, sizeof(tpos), tlab, sizeof(tlab));
		sbuf_add(&st, "yticpos='");
		sbuf_add(&st, ylog ? tpos : "");
		sbuf_add(&st, "'; yticlab='");
		sbuf_add(&st, ylog ? tlab : "");
		sbuf_add(&st, "'; ");
	}
#define ADDW(name, b) do { sbuf_add(&st, name "='"); sbuf_add(&st, (b).s ? (b).s : ""); \
			     sbuf_add(&st, "'; "); free(sbuf_take(&(b))); } while (0)
	ADDW("xticpos", tp);
	ADDW("xticlab", tl);
	ADDW("ptitle", ptl);
	ADDW("pfirst", pf);
	ADDW("pcount", pc);
	ADDW("colors", col);
	ADDW("dts", dt);
	ADDW("pts", ptt);
#undef ADDW
	out = sbuf_take(&st);
	return out;
}

/* Series with at least k->min_points distinct x values, per op: one figure, a panel per method. */
static int draw_kind(const struct kind *k, const struct agg *a, const char *dir, int pfd,
		     const char *sdir, const char *machine, int quiet, char *err, size_t len)
{
	struct point *pts = calloc(a->n ? a->n : 1, sizeof(*pts));
	struct block *bl = calloc(a->n ? a->n : 1, sizeof(*bl));
	size_t np = 0;
	int ret = 0;

	if (!pts || !bl) {
		free(pts);
		free(bl);
		return -ENOMEM;
	}
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
		char base[300], script[PATH_MAX + 32], opfile[32], ylab[128], title[1024], series[200];
		char consts[300];
		size_t end = i;
		int nb = 0, varies[SK_N] = { 0 };
		struct scratch sc;
		FILE *f;

		while (end < np && !strcmp(pts[end].g->op, op))
			end++;
		/* the series of this op that have enough x values */
		for (size_t s = i; s < end;) {
			size_t e = s, distinct = 0;

			while (e < end && !strcmp(pts[e].series, pts[s].series)) {
				if (e == s || pts[e].x != pts[e - 1].x)
					distinct++;
				e++;
			}
			distinct += pts[s].one_n > 0;
			if (distinct >= (size_t)k->min_points)
				bl[nb++] = (struct block){ .s = s, .e = e, .g = pts[s].g };
			s = e;
		}
		if (!nb) {
			/* nothing of this kind to draw for this op: no empty plot */
			i = end;
			continue;
		}
		/* what varies within the figure */
		for (int b = 0; b < nb; b++) {
			const struct agg_group *g = bl[b].g, *g0 = bl[0].g;

			varies[SK_BACKING] |= !!strcmp(g->backing, g0->backing);
			varies[SK_ORDER] |= g->order != g0->order;
			varies[SK_ZERO] |= g->zero != g0->zero && strcmp(k->stem, "zero-ratio");
			/* the size is x in ns-per-page and fork, a key of its own elsewhere */
			varies[SK_SIZE] |= g->size != g0->size && strcmp(k->stem, "ns-per-page") &&
					   strcmp(k->stem, "fork");
			varies[SK_THREADS] |= !!strcmp(g->share, g0->share) ||
					      (strcmp(k->stem, "scaling") && g->threads != g0->threads);
			varies[SK_VARIANT] |= !!strcmp(g->variant, g0->variant);
		}
		/* panels in method order; within one, by backing, order, size, zero, threads */
		qsort(bl, (size_t)nb, sizeof(*bl), block_cmp);
		for (int b = 0; b < nb; b++) {
			series_label(k, bl[b].g, varies, bl[b].label, sizeof(bl[b].label));
			bl[b].colour = plot_order_colour(bl[b].g->order);
			bl[b].dash = 1 + dash_rank(bl, nb, b, varies) % 5;
			bl[b].pt = backing_point(bl[b].g->backing);
		}
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
		fprintf(f, "# one block per series, a panel per method; columns: x median p25 p75 "
			   "samples linear_reference\n");
		for (int b = 0; b < nb; b++) {
			const struct block *x = &bl[b];

			/* two blank lines end a gnuplot data block */
			if (b)
				fputs("\n\n", f);
			plot_text(series, sizeof(series), x->label);
			fprintf(f, "# panel %s; colour #%06x (order %d), dash %d, point %d (%s)\n",
				x->g->method, x->colour, x->g->order, x->dash, x->pt, x->g->backing);
			fprintf(f, "\"%s\" median p25 p75 n linear\n", series);
			if (pts[x->s].one_n)
				fprintf(f, "1 %.6g %.6g %.6g %zu %.6g\n", pts[x->s].one[0],
					pts[x->s].one[1], pts[x->s].one[2], pts[x->s].one_n,
					pts[x->s].one[0]);
			for (size_t q = x->s; q < x->e; q++)
				fprintf(f, "%.6g %.6g %.6g %.6g %zu %.6g\n", pts[q].x, pts[q].y[0],
					pts[q].y[1], pts[q].y[2], pts[q].n, pts[q].ref);
		}
		fclose(f);
		{
			char *style = figure_style(k, pts, i, end, bl, nb);

			constant_keys(k, bl[0].g, varies, consts, sizeof(consts));
			fmt(title, sizeof(title), "%s: %s, median (bars: quartiles); %s -- %s", op,
			    k->what, consts, machine);
			fmt(ylab, sizeof(ylab), k->ylabel, op);
			fmt(script, sizeof(script), "%s/series.gp", sdir);
			ret = style ? gnuplot_series(&sc, script, nb, base, title, k->xlabel, ylab,
						     style, err, len) : -ENOMEM;
			free(style);
		}
		if (!ret && !quiet)
			fprintf(stderr, "gupbench: plot %s/plots/%s.png, .svg\n", dir, base);
		scratch_remove(&sc);
		i = end;
	}
	free(pts);
	free(bl);
	return ret;
}

/* ---- the overview: the figure to paste ---- */

/* The ops in the order a reader takes them. */
static int op_rank(const char *op)
{
	return !strcmp(op, "pin") ? 0 : !strcmp(op, "unpin") ? 1 : !strcmp(op, "pin+unpin") ? 2 : 3;
}

/*
 * Whether g is its method's overview point: one thread, the method's
 * smallest zero ratio, anon if the method ran on anon (else its first
 * backing), its largest such size.
 */
static int overview_pick(const struct agg *a, const struct agg_group *g)
{
	const char *backing = NULL;
	double zero = INFINITY;
	uint64_t size = 0;

	if (g->threads != 1 || whole_op(g) || g->variant[0] || !g->n)
		return 0;
	for (size_t i = 0; i < a->n; i++) {
		const struct agg_group *o = &a->g[i];

		if (strcmp(o->method, g->method) || o->threads != 1 || !o->n)
			continue;
		if (!backing || (!strcmp(o->backing, "anon") && strcmp(backing, "anon")))
			backing = o->backing;
	}
	for (size_t i = 0; i < a->n; i++) {
		const struct agg_group *o = &a->g[i];

		if (!strcmp(o->method, g->method) && o->threads == 1 && o->n &&
		    !strcmp(o->backing, backing))
			zero = fmin(zero, o->zero);
	}
	for (size_t i = 0; i < a->n; i++) {
		const struct agg_group *o = &a->g[i];

		if (!strcmp(o->method, g->method) && o->threads == 1 && o->n &&
		    !strcmp(o->backing, backing) && o->zero == zero && o->size > size)
			size = o->size;
	}
	return !strcmp(g->backing, backing) && g->zero == zero && g->size == size;
}

struct ocol {
	char op[16];
	int order;
};

static int ocol_cmp(const void *x, const void *y)
{
	const struct ocol *a = x, *b = y;
	int c = op_rank(a->op) - op_rank(b->op);

	if (!c)
		c = strcmp(a->op, b->op);
	return c ? c : a->order - b->order;
}

static int draw_overview(const struct agg *a, const char *dir, int pfd, const char *sdir,
			 const char *machine, int quiet, char *err, size_t len)
{
	struct ocol cols[64];
	const char *methods[128];
	size_t nc = 0, nm = 0;
	double ymin = INFINITY, ymax = 0;
	struct sbuf col = { 0 }, den = { 0 }, tit = { 0 };
	char script[PATH_MAX + 32], vars[8192], t[1024], title[1024], w[64], tpos[2048], tlab[1024];
	char *cs, *ds, *ts;
	struct scratch sc;
	FILE *f;
	int ret;

	for (size_t i = 0; i < a->n; i++) {
		const struct agg_group *g = &a->g[i];
		size_t c = 0, m = 0;

		if (!overview_pick(a, g))
			continue;
		while (c < nc && (strcmp(cols[c].op, g->op) || cols[c].order != g->order))
			c++;
		if (c == nc && nc < ARRAY_SIZE(cols)) {
			fmt(cols[nc].op, sizeof(cols[nc].op), "%s", g->op);
			cols[nc++].order = g->order;
		}
		while (m < nm && strcmp(methods[m], g->method))
			m++;
		if (m == nm && nm < ARRAY_SIZE(methods))
			methods[nm++] = g->method;
		if (g->p25 > 0)
			ymin = fmin(ymin, g->p25);
		ymax = fmax(ymax, g->p75);
	}
	if (!nc || !nm || !(ymax > 0))
		return 0;	/* nothing a bar could show */
	qsort(cols, nc, sizeof(*cols), ocol_cmp);
	ret = scratch_make(&sc, pfd);
	if (ret) {
		fmt(err, len, "%s/plots: scratch directory: %s", dir, strerror(-ret));
		return ret;
	}
	f = scratch_data(&sc);
	if (!f) {
		ret = -errno;
		fmt(err, len, "%s/plots: %s", dir, strerror(errno));
		scratch_remove(&sc);
		return ret;
	}
	fprintf(f, "# gupbench overview: per method, ns per 4 KiB page at its largest size, one "
		   "thread, its smallest zero ratio, anon where it ran on anon\n# method");
	for (size_t c = 0; c < nc; c++) {
		char ct[64];

		fmt(ct, sizeof(ct), "%s %s", cols[c].op, cols[c].order == 0 ? "4 KiB" :
		    cols[c].order == 9 ? "PMD" : cols[c].order >= 18 ? "PUD" : "mTHP");
		if (cols[c].order != 0 && cols[c].order != 9 && cols[c].order < 18) {
			size_t n = strlen(ct);

			fmt(ct + n, sizeof(ct) - n, " order %d", cols[c].order);
		}
		fprintf(f, " \"%s\" p25 p75", ct);
		plot_text(t, sizeof(t), ct);
		words_add(&tit, "|", t);
		fmt(w, sizeof(w), "0x%06x", plot_order_colour(cols[c].order));
		words_add(&col, " ", w);
		words_add(&den, " ", op_rank(cols[c].op) == 0 ? "1.0" : op_rank(cols[c].op) == 1 ?
			  "0.3" : "0.6");
	}
	fputc('\n', f);
	for (size_t m = 0; m < nm; m++) {
		const struct method *me = method_find(methods[m]);
		uint64_t size = 0;
		char label[160], lt[160], sz[32];

		for (size_t c = 0; c < nc; c++)
			for (size_t i = 0; i < a->n; i++)
				if (!strcmp(a->g[i].method, methods[m]) && overview_pick(a, &a->g[i]))
					size = a->g[i].size;
		size_format(size, sz, sizeof(sz));
		fmt(label, sizeof(label), "%s (%s, %s)", methods[m],
		    me ? method_path_name(me->path) : "?", sz);
		plot_text(lt, sizeof(lt), label);
		fprintf(f, "\"%s\"", lt);
		for (size_t c = 0; c < nc; c++) {
			const struct agg_group *hit = NULL;

			for (size_t i = 0; i < a->n && !hit; i++)
				if (!strcmp(a->g[i].method, methods[m]) && !strcmp(a->g[i].op, cols[c].op) &&
				    a->g[i].order == cols[c].order && overview_pick(a, &a->g[i]))
					hit = &a->g[i];
			if (hit)
				fprintf(f, " %.6g %.6g %.6g", hit->median, hit->p25, hit->p75);
			else
				fprintf(f, " ? ? ?");
		}
		fputc('\n', f);
	}
	fclose(f);
	cs = sbuf_take(&col);
	ds = sbuf_take(&den);
	ts = sbuf_take(&tit);
	fmt(title, sizeof(title), "each method at its largest size: median, quartiles -- %s",
	    machine);
	plot_text(t, sizeof(t), title);
	plot_log_ticks(ymin / 1.5, ymax * 1.5, 0, tpos, sizeof(tpos), tlab, sizeof(tlab));
	fmt(vars, sizeof(vars), "datafile='data.dat'; outbase='out'; plottitle='%s'; "
	    "ylab='ns per 4 KiB page'; ncols=%zu; ymin=%.6g; ymax=%.6g; yticpos='%s'; "
	    "yticlab='%s'; colors='%s'; dens='%s'; ctitles='%s'", t, nc, ymin / 1.5, ymax * 1.5,
	    tpos, tlab, cs ? cs : "", ds ? ds : "", ts ? ts : "");
	free(cs);
	free(ds);
	free(ts);
	fmt(script, sizeof(script), "%s/overview.gp", sdir);
	ret = gnuplot_run(&sc, script, vars, err, len);
	for (int i = 0; !ret && i < 3; i++) {
		static const char *const from[] = { "data.dat", "out.png", "out.svg" };
		static const char *const ext[] = { "dat", "png", "svg" };
		char name[64];

		fmt(name, sizeof(name), "overview.%s", ext[i]);
		ret = scratch_publish(&sc, from[i], name);
		if (ret)
			fmt(err, len, "%s/plots/%s: %s", dir, name, strerror(-ret));
	}
	if (!ret && !quiet)
		fprintf(stderr, "gupbench: plot %s/plots/overview.png, .svg\n", dir);
	scratch_remove(&sc);
	return ret;
}

/* fio runs: GUP's share of an I/O, sys CPU per I/O against bs (fioshare.c). */
static int draw_fio_share(const char *dir, int quiet, char *err, size_t len)
{
	char path[4200];
	struct fio_share fs;
	int ret;

	fmt(path, sizeof(path), "%s/results.csv", dir);
	ret = fio_share_load(&fs, path, err, len);
	if (!ret && fs.n) {
		fmt(path, sizeof(path), "%s/plots", dir);
		ret = fio_share_plot(&fs, path, err, len);
		if (!ret && !quiet)
			fprintf(stderr, "gupbench: plot %s/fio-share.png, .svg\n", path);
	}
	fio_share_free(&fs);
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
	if (!ret)
		ret = draw_overview(&a, dir, pfd, sdir, machine, quiet, err, len);
	if (!ret)
		ret = draw_fio_share(dir, quiet, err, len);
	close(pfd);
	agg_free(&a);
	return ret;
}

int plot_ratio(const struct compare_result *r, const struct compare_opts *o, const char *outdir,
	       const char *base, char *err, size_t len)
{
	char sdir[PATH_MAX], script[PATH_MAX + 32], vars[6144], title[1024], t[1024], label[600];
	char tpos[1024], tlab[512];
	char name[300];
	struct scratch sc;
	int n = 0, pfd, ret;
	double xlo = 1, xhi = 1;
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
		/* the axis: every interval, 1 and the threshold band, nothing more */
		for (int e = 0; e < 3; e++) {
			double v = e == 0 ? p->ratio : e == 1 ? p->lo : p->hi;

			if (isfinite(v) && v > 0) {
				xlo = fmin(xlo, v);
				xhi = fmax(xhi, v);
			}
		}
		fmt(both, sizeof(both), "%s %s", p->label, p->op);
		plot_text(label, sizeof(label), both);
		fprintf(f, "%d %.6g %.6g %.6g %s \"%s\"\n", n++, p->ratio, p->lo, p->hi,
			compare_verdict_name(p->verdict), label);
	}
	xlo = fmin(xlo, 1 / (1 + o->threshold));
	xhi = fmax(xhi, 1 + o->threshold);
	/* the axis drawn: every interval, 1 and the band, 5% of the span beyond */
	{
		double pad = pow(xhi / xlo, 0.05);

		xlo /= pad;
		xhi *= pad;
	}
	fprintf(f, "# axis %.6g %.6g\n", xlo, xhi);
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
	plot_log_ticks(xlo, xhi, 1, tpos, sizeof(tpos), tlab, sizeof(tlab));
	fmt(vars, sizeof(vars), "datafile='data.dat'; npoints=%d; outbase='out'; plottitle='%s'; "
	    "lo_t=%g; hi_t=%g; xmin=%.6g; xmax=%.6g; xticpos='%s'; xticlab='%s'", n, t,
	    1 / (1 + o->threshold), 1 + o->threshold, xlo, xhi, tpos, tlab);
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
