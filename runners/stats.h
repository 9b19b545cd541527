/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Statistics over samples. Pure functions: unit-tested on known answers
 * (tests/unit/test_csv.c for the quantiles, tests/unit/test_stats.c for
 * the rest).
 *
 * The comparison of two runs (runners/compare.c) uses rank methods only:
 * GUP timings are skewed, with a long right tail (a preemption, a host
 * steal), so anything built on means and a normal model would let one
 * outlier decide. Ranks do not care how far out the tail is.
 */
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

/* Standard normal distribution function and its inverse (p in (0, 1)). */
double stats_norm_cdf(double z);
double stats_norm_quantile(double p);

/*
 * The exact null distribution of the Mann-Whitney U statistic for samples
 * of m and n values without ties: P(U <= u). Exact up to
 * STATS_MW_EXACT_MAX values per side (the cost grows as m^2 n^2); NAN
 * beyond that.
 */
#define STATS_MW_EXACT_MAX 50
double stats_mw_cdf(size_t m, size_t n, double u);

struct stats_mw {
	double u;	/* U of x: pairs x > y, a tie counting one half (R's W) */
	double p;	/* two-sided p-value */
	double z;	/* the normal approximation's z; 0 when exact */
	int exact;	/* 1: p from the exact distribution of U */
	size_t tied;	/* values that share their rank with another one */
};

/*
 * Two-sided Mann-Whitney U (Wilcoxon rank-sum) test of x against y.
 * Exact when both samples have at most STATS_MW_EXACT_MAX values and no
 * value is tied; otherwise the normal approximation with the tie
 * correction of the variance and a continuity correction: the same
 * p-values as R's wilcox.test(x, y) (whose exact cut-off is 49 a side).
 * 0, or -EINVAL for an empty sample.
 */
int stats_mann_whitney(const double *x, size_t nx, const double *y, size_t ny,
		       struct stats_mw *r);

struct stats_shift {
	double est;	/* Hodges-Lehmann estimate: median of all y_j - x_i */
	double lo, hi;	/* confidence interval of the shift */
	double conf;	/* confidence the interval really has (>= the one asked when
			 * the samples are large enough to reach it) */
	int exact;	/* 1: bounds from the exact distribution of U */
};

/*
 * Shift of y against x (y - x): the Hodges-Lehmann estimate and its
 * distribution-free confidence interval, the order statistics of the m*n
 * pairwise differences whose ranks come from the null distribution of U
 * (Bauer 1972; R's wilcox.test(conf.int = TRUE)). Exact up to
 * STATS_MW_EXACT_MAX values per side, normal approximation with a
 * continuity correction beyond. Fed log(ns), it is the CI of the ratio.
 * 0, or -EINVAL / -ENOMEM.
 */
int stats_hl_shift(const double *x, size_t nx, const double *y, size_t ny, double conf,
		   struct stats_shift *r);

/*
 * Benjamini-Hochberg adjusted p-values: q[i] is the smallest false
 * discovery rate at which p[i] would be rejected. Entries of p that are
 * NAN are not part of the family and get q = NAN.
 */
void stats_bh(const double *p, size_t n, double *q);

/*
 * The regularized incomplete beta function I_x(a, b), and Student's t
 * distribution function and its inverse for df degrees of freedom (df
 * need not be an integer: Welch's df is not).
 */
double stats_beta_inc(double a, double b, double x);
double stats_t_cdf(double t, double df);
double stats_t_quantile(double p, double df);

struct stats_welch {
	double diff;		/* mean(y) - mean(x) */
	double lo, hi;		/* its confidence interval */
	double se, df, t, p;	/* standard error, degrees of freedom, t, two-sided p */
	double sd_x, sd_y;	/* each side's standard deviation (NAN: one value) */
	int pooled;		/* 1: one side had one value and borrowed the other's spread */
};

/*
 * Welch's t test of y against x, with the confidence interval of the
 * difference of the means. When one side has a single value, its variance
 * is taken to be the other side's (Student's test with that side's
 * df). When neither side varies, the difference is exact: p is 1 for
 * equal means and 0 otherwise, and the interval has zero width.
 * 0, or -EINVAL when a side is empty or both have one value.
 */
int stats_welch(const double *x, size_t nx, const double *y, size_t ny, double conf,
		struct stats_welch *r);

/* Geometric mean of positive values; NAN when n is 0. */
double stats_geomean(const double *v, size_t n);

#endif
