/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Plots of a run: gupbench writes gnuplot data files into DIR/plots/ and
 * runs the gnuplot scripts in plots/ on them (PNG and SVG).
 */
#ifndef GUPBENCH_PLOT_H
#define GUPBENCH_PLOT_H

#include <stddef.h>

struct compare_result;
struct compare_opts;

/*
 * The ratio chart of a comparison: every tested point's ratio with its
 * confidence interval, coloured by verdict, to outdir/base.png/.svg (data
 * in base.dat), never written through a symlink. 0, or -ENODATA when no point was tested, or -errno.
 */
int plot_ratio(const struct compare_result *r, const struct compare_opts *o, const char *outdir,
	       const char *base, char *err, size_t len);

/* 0 or -errno with err set. quiet: don't list what was drawn. */
int plot_run(const char *dir, int quiet, char *err, size_t len);
int plot_main(int argc, char **argv);

#endif
