/* SPDX-License-Identifier: GPL-2.0 */
/* Statistics over samples. Pure functions: unit-tested on known answers. */
#ifndef GUPBENCH_STATS_H
#define GUPBENCH_STATS_H

#include <stddef.h>

/* Sort v ascending in place. */
void stats_sort(double *v, size_t n);
/*
 * Quantile q (0..1) of sorted v, linear interpolation between closest
 * ranks (Hyndman & Fan type 7, what R and numpy use by default).
 */
double stats_quantile(const double *sorted, size_t n, double q);

#endif
