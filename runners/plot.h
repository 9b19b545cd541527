/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Plots of a run: gupbench writes gnuplot data files into DIR/plots/ and
 * runs the gnuplot scripts in plots/ on them (PNG and SVG).
 */
#ifndef GUPBENCH_PLOT_H
#define GUPBENCH_PLOT_H

#include <stddef.h>
#include <stdio.h>

struct compare_result;
struct compare_opts;

/*
 * The ratio chart of a comparison: every tested point's ratio with its
 * confidence interval, coloured by verdict, to outdir/base.png/.svg (data
 * in base.dat), never written through a symlink. 0, or -ENODATA when no point was tested, or -errno.
 */
int plot_ratio(const struct compare_result *r, const struct compare_opts *o, const char *outdir,
	       const char *base, char *err, size_t len);

/*
 * Text that goes into gnuplot code or data as a double- or single-quoted
 * string (titles from meta fields and CSV cells, someone else's): quotes,
 * backslash, backquote, macro and control characters become '?'.
 */
void plot_text(char *dst, size_t len, const char *src);

/*
 * A chart drawn by plots/SCRIPT from the data write() puts in its data
 * file (blocks of rows, each block's first line a header whose first cell
 * is the series title; it returns how many blocks, or -errno), to
 * outdir/base.{dat,png,svg}, never through a symlink. Titles and labels are
 * made safe for gnuplot here; style holds only gnuplot variables of
 * numbers. 0 or -errno with err set.
 */
int plot_blocks(const char *outdir, const char *base, const char *script, const char *title,
		const char *xlabel, const char *ylabel, const char *style, int (*write)(FILE *f, void *ctx), void *ctx, char *err, size_t len);

/* 0 or -errno with err set. quiet: don't list what was drawn. */
int plot_run(const char *dir, int quiet, char *err, size_t len);
int plot_main(int argc, char **argv);

/*
 * The colour of a folio order in every figure (0xRRGGBB, Okabe and Ito's
 * colour-blind-safe palette): 4 KiB blue, PMD vermillion, PUD green.
 */
unsigned plot_order_colour(int order);

/*
 * Where a log axis over [lo, hi] gets its ticks, for a script: positions
 * (pos) and their labels (lab), as space-separated words; round ratios
 * (0.5, 0.9, 1, 1.1, 2, ...) where ratio, else 1, 2 and 5 of each decade.
 */
void plot_log_ticks(double lo, double hi, int ratio, char *pos, size_t plen, char *lab,
		    size_t llen);

#endif
