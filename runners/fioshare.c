// SPDX-License-Identifier: GPL-2.0
/*
 * GUP's share of an I/O (fioshare.h). Every pair of fio points that
 * differs only in fixedbufs is one line: the medians of on-CPU time per I/O (all of fio's threads, schedstat)
 * and of the mean completion latency with fixedbufs off and on, their
 * difference, and the pins per I/O of each side, which show that one side
 * pinned per I/O and the other did not. With fixedbufs the buffer was
 * pinned once at registration, so the difference is what the per-I/O
 * pin and unpin cost (and what registered buffers save besides: io_uring
 * skips building the iov_iter from user memory too; the note says so).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "csvread.h"
#include "fioshare.h"
#include "plot.h"
#include "stats.h"
#include "util.h"

/* The columns that make a pair, besides fixedbufs. */
static const char *const pair_cols[] = {
	"fio_engine", "rw", "backing", "folio_order", "bs", "iodepth", "target", "size_bytes",
	"mem_node", "cpu_node",
};
#define NPAIR ARRAY_SIZE(pair_cols)

struct vals {
	double *v;
	size_t n, cap;
};

struct side {
	struct vals cpu, lat, pins;
};

struct group {
	char *key[NPAIR];
	struct side s[2];	/* fixedbufs 0, 1 */
};

static void push(struct vals *a, const char *cell)
{
	char *end;
	double v = strtod(cell, &end);

	if (!*cell || *end || !isfinite(v))
		return;
	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 16;
		double *g = realloc(a->v, cap * sizeof(*g));

		if (!g)
			return;
		a->v = g;
		a->cap = cap;
	}
	a->v[a->n++] = v;
}

static double median_of(struct vals *a)
{
	if (!a->n)
		return NAN;
	stats_sort(a->v, a->n);
	return stats_quantile(a->v, a->n, 0.5);
}

static int key_cmp(const void *a, const void *b)
{
	const struct fio_share_line *x = a, *y = b;
	int c = strcmp(x->engine, y->engine);

	if (!c)
		c = strcmp(x->rw, y->rw);
	if (!c)
		c = strcmp(x->backing, y->backing);
	if (!c)
		c = x->order - y->order;
	if (!c)
		c = x->iodepth - y->iodepth;
	if (!c)
		c = x->bs < y->bs ? -1 : x->bs > y->bs;
	return c;
}

int fio_share_load(struct fio_share *fs, const char *results, char *err, size_t len)
{
	struct csv_table t;
	int col[NPAIR], c_m, c_fb, c_st, c_cpu, c_ns, c_pins, ret;
	struct group *g = NULL;
	size_t ng = 0;

	memset(fs, 0, sizeof(*fs));
	ret = csv_table_load(&t, results, err, len);
	if (ret)
		return ret;
	c_m = csv_table_col(&t, "method");
	c_fb = csv_table_col(&t, "fixedbufs");
	c_st = csv_table_col(&t, "status");
	c_cpu = csv_table_col(&t, "cpu_ns");
	c_ns = csv_table_col(&t, "ns");
	c_pins = csv_table_col(&t, "pins_per_io");
	for (size_t k = 0; k < NPAIR; k++)
		col[k] = csv_table_col(&t, pair_cols[k]);
	for (size_t k = 0; k < NPAIR; k++)
		if (col[k] < 0)
			c_m = -1;
	if (c_m < 0 || c_fb < 0 || c_st < 0 || c_cpu < 0 || c_ns < 0 || c_pins < 0) {
		csv_table_free(&t);
		return 0;	/* a run from before fio rows: nothing to pair */
	}
	for (size_t i = 0; i < t.nrows; i++) {
		char **r = t.rows[i];
		size_t j;
		int fb;

		if (strcmp(r[c_m], "fio") || strcmp(r[c_st], "ok"))
			continue;
		fb = atoi(r[c_fb]) ? 1 : 0;
		for (j = 0; j < ng; j++) {
			size_t k = 0;

			while (k < NPAIR && !strcmp(g[j].key[k], r[col[k]]))
				k++;
			if (k == NPAIR)
				break;
		}
		if (j == ng) {
			struct group *n = realloc(g, (ng + 1) * sizeof(*g));

			if (!n)
				break;
			g = n;
			memset(&g[ng], 0, sizeof(g[ng]));
			for (size_t k = 0; k < NPAIR; k++)
				g[ng].key[k] = r[col[k]];
			ng++;
		}
		push(&g[j].s[fb].cpu, r[c_cpu]);
		push(&g[j].s[fb].lat, r[c_ns]);
		push(&g[j].s[fb].pins, r[c_pins]);
	}
	fs->line = calloc(ng ? ng : 1, sizeof(*fs->line));
	for (size_t j = 0; j < ng && fs->line; j++) {
		struct fio_share_line *l;

		if (!g[j].s[0].lat.n || !g[j].s[1].lat.n)
			continue;	/* only one side measured: no pair */
		l = &fs->line[fs->n++];
		fmt(l->engine, sizeof(l->engine), "%s", g[j].key[0]);
		fmt(l->rw, sizeof(l->rw), "%s", g[j].key[1]);
		fmt(l->backing, sizeof(l->backing), "%s", g[j].key[2]);
		l->order = atoi(g[j].key[3]);
		l->bs = strtoull(g[j].key[4], NULL, 10);
		l->iodepth = atoi(g[j].key[5]);
		fmt(l->target, sizeof(l->target), "%s", g[j].key[6]);
		for (int s = 0; s < 2; s++) {
			l->n[s] = g[j].s[s].lat.n;
			l->cpu[s] = median_of(&g[j].s[s].cpu);
			l->lat[s] = median_of(&g[j].s[s].lat);
			l->pins[s] = median_of(&g[j].s[s].pins);
		}
	}
	for (size_t j = 0; j < ng; j++)
		for (int s = 0; s < 2; s++) {
			free(g[j].s[s].cpu.v);
			free(g[j].s[s].lat.v);
			free(g[j].s[s].pins.v);
		}
	free(g);
	csv_table_free(&t);
	if (fs->n)
		qsort(fs->line, fs->n, sizeof(*fs->line), key_cmp);
	return 0;
}

void fio_share_free(struct fio_share *fs)
{
	free(fs->line);
	memset(fs, 0, sizeof(*fs));
}

static double pct(double part, double whole)
{
	return whole > 0 && isfinite(part) ? 100 * part / whole : NAN;
}

static void cell(FILE *f, const char *spec, double v)
{
	const char *w = spec;

	if (isfinite(v)) {
		fprintf(f, spec, v);
		return;
	}
	while (*w == ' ')
		fputc(*w++, f);
	fprintf(f, "%*s", atoi(w + 1), "-");
}

void fio_share_text(FILE *f, const struct fio_share *fs)
{
	char bs[32];

	if (!fs->n)
		return;
	fprintf(f, "\nGUP's share of an I/O (fio: fixedbufs off against on, medians of ok samples)\n");
	fprintf(f, "%-9s %-9s %-11s %5s %5s %6s  %9s %9s %9s %5s  %9s %9s %9s %5s  %7s %7s\n",
		"engine", "rw", "backing", "order", "depth", "bs", "cpu/IO", "fixed", "GUP", "%",
		"lat", "fixed", "GUP", "%", "pins/IO", "fixed");
	for (size_t i = 0; i < fs->n; i++) {
		const struct fio_share_line *l = &fs->line[i];
		double ds = l->cpu[0] - l->cpu[1], dl = l->lat[0] - l->lat[1];

		size_format(l->bs, bs, sizeof(bs));
		fprintf(f, "%-9s %-9s %-11s %5d %5d %6s  ", l->engine, l->rw, l->backing, l->order,
			l->iodepth, bs);
		cell(f, "%9.0f", l->cpu[0]);
		cell(f, " %9.0f", l->cpu[1]);
		cell(f, " %9.0f", ds);
		cell(f, " %5.0f", pct(ds, l->cpu[0]));
		cell(f, "  %9.0f", l->lat[0]);
		cell(f, " %9.0f", l->lat[1]);
		cell(f, " %9.0f", dl);
		cell(f, " %5.0f", pct(dl, l->lat[0]));
		cell(f, "  %7.2f", l->pins[0]);
		cell(f, " %7.2f", l->pins[1]);
		fputc('\n', f);
	}
	fprintf(f, "(ns per I/O: on-CPU time of fio's threads and mean completion latency; GUP = without "
		   "fixedbufs - with; registered buffers also skip io_uring's per-I/O import of the "
		   "user iovec, so GUP is an upper bound)\n");
}

void fio_share_md(FILE *f, const struct fio_share *fs)
{
	char bs[32];

	if (!fs->n)
		return;
	fprintf(f, "\n## GUP's share of an I/O (fio)\n\n"
		   "Each line is a pair of fio points that differ only in `fixedbufs`: with it, the "
		   "buffer was pinned once at registration; without, each I/O pinned and unpinned it. "
		   "Medians of ok samples, ns per I/O. Pins per I/O are the proof: about one per page "
		   "of bs without, 0 with.\n\n");
	fprintf(f, "| engine | rw | backing | order | iodepth | bs | CPU/IO | CPU/IO fixed | GUP CPU | "
		   "lat | lat fixed | GUP lat | pins/IO | pins/IO fixed |\n"
		   "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
	for (size_t i = 0; i < fs->n; i++) {
		const struct fio_share_line *l = &fs->line[i];
		double ds = l->cpu[0] - l->cpu[1], dl = l->lat[0] - l->lat[1];

		size_format(l->bs, bs, sizeof(bs));
		fprintf(f, "| %s | %s | %s | %d | %d | %s | %.0f | %.0f | %.0f (%.0f%%) | %.0f | %.0f | "
			"%.0f (%.0f%%) | %.2f | %.2f |\n", l->engine, l->rw, l->backing, l->order,
			l->iodepth, bs, l->cpu[0], l->cpu[1], ds, pct(ds, l->cpu[0]), l->lat[0],
			l->lat[1], dl, pct(dl, l->lat[0]), l->pins[0], l->pins[1]);
	}
}

/* The chart's series: one per (engine, rw, backing, order, iodepth) and side. */
struct share_plot {
	const struct fio_share *fs;
};

static int same_series(const struct fio_share_line *a, const struct fio_share_line *b)
{
	return !strcmp(a->engine, b->engine) && !strcmp(a->rw, b->rw) &&
	       !strcmp(a->backing, b->backing) && a->order == b->order && a->iodepth == b->iodepth;
}

static int share_write(FILE *f, void *ctx)
{
	const struct fio_share *fs = ((struct share_plot *)ctx)->fs;
	int blocks = 0;

	for (size_t i = 0; i < fs->n; i++) {
		const struct fio_share_line *l = &fs->line[i];
		size_t j;

		if (i && same_series(&fs->line[i - 1], l))
			continue;
		for (int s = 0; s < 2; s++) {
			char title[200], t[200];

			fmt(t, sizeof(t), "%s %s order %d depth %d%s", l->engine, l->backing, l->order,
			    l->iodepth, s ? " fixedbufs" : "");
			plot_text(title, sizeof(title), t);
			fprintf(f, "%s\"%s\"\n", blocks ? "\n\n" : "", title);
			for (j = i; j < fs->n && same_series(&fs->line[j], l); j++)
				if (isfinite(fs->line[j].cpu[s]))
					fprintf(f, "%" PRIu64 " %.6g\n", fs->line[j].bs,
						fs->line[j].cpu[s]);
			blocks++;
		}
	}
	return ferror(f) ? -EIO : blocks;
}

int fio_share_plot(const struct fio_share *fs, const char *outdir, char *err, size_t len)
{
	struct share_plot p = { fs };
	double lo = INFINITY, hi = -INFINITY;
	char style[3072];

	if (!fs->n)
		return 0;
	for (size_t i = 0; i < fs->n; i++)
		for (int s = 0; s < 2; s++)
			if (isfinite(fs->line[i].cpu[s]) && fs->line[i].cpu[s] > 0) {
				lo = fmin(lo, fs->line[i].cpu[s]);
				hi = fmax(hi, fs->line[i].cpu[s]);
			}
	if (!isfinite(lo))
		return 0;
	{
		/* each block's colour (its order) and dash (fixedbufs), in share_write's order */
		char colors[2048] = "", dts[512] = "", pts[512] = "";
		size_t oc = 0, od = 0, op = 0;
		int depths[8], nd = 0;

		for (size_t i = 0; i < fs->n; i++) {
			if (i && same_series(&fs->line[i - 1], &fs->line[i]))
				continue;
			/* point type: the iodepth's rank (filled circle, square, triangle, ...) */
			int rank = 0;

			while (rank < nd && depths[rank] != fs->line[i].iodepth)
				rank++;
			if (rank == nd && nd < 8)
				depths[nd++] = fs->line[i].iodepth;
			for (int s = 0; s < 2 && oc + 16 < sizeof(colors) && od + 4 < sizeof(dts) &&
			     op + 4 < sizeof(pts); s++) {
				static const int shape[8] = { 7, 5, 9, 11, 13, 15, 6, 4 };

				op += (size_t)snprintf(pts + op, sizeof(pts) - op, "%s%d", op ? " " : "",
						       shape[rank < 8 ? rank : 7]);
				oc += (size_t)snprintf(colors + oc, sizeof(colors) - oc, "%s0x%06x",
						       oc ? " " : "", plot_order_colour(fs->line[i].order));
				od += (size_t)snprintf(dts + od, sizeof(dts) - od, "%s%d", od ? " " : "",
						       s ? 2 : 1);
			}
		}
		fmt(style, sizeof(style), "ymin=%.6g; ymax=%.6g; colors='%s'; dts='%s'; pts='%s'",
		    lo / 1.3, hi * 1.3, colors, dts, pts);
	}
	return plot_blocks(outdir, "fio-share", "fio-share.gp",
			   "fio: on-CPU time per I/O against block size; fixedbufs dashed (pinned once), "
			   "without solid (pinned per I/O); point shape: iodepth", "bs (bytes per I/O)",
			   "on-CPU time per I/O, ns", style, share_write, &p, err, len);
}

int fio_share_write_csv(const struct fio_share *fs, FILE *f)
{
	fprintf(f, "engine,rw,backing,order,iodepth,bs,target,n_off,n_on,cpu_ns_off,cpu_ns_on,"
		   "gup_cpu_ns,lat_ns_off,lat_ns_on,gup_lat_ns,pins_per_io_off,pins_per_io_on\n");
	for (size_t i = 0; i < fs->n; i++) {
		const struct fio_share_line *l = &fs->line[i];

		fprintf(f, "%s,%s,%s,%d,%d,%" PRIu64 ",", l->engine, l->rw, l->backing, l->order,
			l->iodepth, l->bs);
		csv_quote(f, l->target);
		fprintf(f, ",%zu,%zu,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g\n", l->n[0], l->n[1], l->cpu[0], l->cpu[1], l->cpu[0] - l->cpu[1], l->lat[0],
			l->lat[1], l->lat[0] - l->lat[1], l->pins[0], l->pins[1]);
	}
	return ferror(f) ? -EIO : 0;
}
