// SPDX-License-Identifier: GPL-2.0
/*
 * The statistics of `gupbench compare` on samples with known answers:
 * Mann-Whitney U and its p-values against tables and R's wilcox.test, the
 * Hodges-Lehmann interval, Benjamini-Hochberg, a 5% shift at realistic
 * noise, the false-positive rate over many same-distribution draws, and
 * the verdict rule. Random samples come from a fixed seed: every run
 * draws the same numbers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "stats.h"
#include "util.h"

#define near(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

/* splitmix64: a small, well-mixed generator, fixed seed per test */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* uniform in (0, 1): never 0, so log() below is safe */
static double rng_uniform(void)
{
	return ((double)(rng_next() >> 11) + 0.5) / 9007199254740992.0;
}

/* Box-Muller */
static double rng_normal(void)
{
	return sqrt(-2 * log(rng_uniform())) * cos(2 * M_PI * rng_uniform());
}

/* lognormal with median m and coefficient of variation cv: how GUP ns spread */
static void draw_lognormal(double *v, size_t n, double m, double cv)
{
	double sigma = sqrt(log(1 + cv * cv));

	for (size_t i = 0; i < n; i++)
		v[i] = m * exp(sigma * rng_normal());
}

static void test_normal(void **state)
{
	near(stats_norm_cdf(0), 0.5, 1e-15);
	near(stats_norm_cdf(1.959963984540054), 0.975, 1e-12);
	near(stats_norm_quantile(0.975), 1.959963984540054, 1e-9);
	near(stats_norm_quantile(0.5), 0, 1e-9);
	near(stats_norm_quantile(0.001), -3.090232306167813, 1e-9);
}

/*
 * Critical values of U for a two-sided test at 0.05, n1 = n2 = n, as
 * printed in the usual Mann-Whitney tables: the largest U whose exact
 * two-sided p is at most 0.05.
 */
static void test_mw_critical_values(void **state)
{
	static const int crit[] = {
		[5] = 2, [6] = 5, [7] = 8, [8] = 13, [9] = 17, [10] = 23, [11] = 30,
		[12] = 37, [13] = 45, [14] = 55, [15] = 64, [16] = 75, [17] = 87,
		[18] = 99, [19] = 113, [20] = 127,
	};

	for (size_t n = 5; n <= 20; n++) {
		double at = 2 * stats_mw_cdf(n, n, crit[n]);
		double above = 2 * stats_mw_cdf(n, n, crit[n] + 1);

		if (!(at <= 0.05 && above > 0.05))
			fail_msg("n=%zu: p(U<=%d)=%g, p(U<=%d)=%g", n, crit[n], at, crit[n] + 1, above);
	}
	/* the distribution is a distribution: P(U <= mn) = 1, symmetric */
	near(stats_mw_cdf(7, 4, 28), 1, 1e-12);
	near(stats_mw_cdf(7, 4, 13), 1 - stats_mw_cdf(7, 4, 14), 1e-12);
	assert_true(isnan(stats_mw_cdf(51, 10, 3)));
}

/* Samples whose ranks are given: value = rank, so U is known exactly. */
static void test_mw_statistic_and_exact_p(void **state)
{
	/* x at ranks 1..7,15,17,18 of 1..20: rank sum 78, U = 78 - 55 = 23 */
	double x23[] = { 1, 2, 3, 4, 5, 6, 7, 15, 17, 18 };
	double y23[] = { 8, 9, 10, 11, 12, 13, 14, 16, 19, 20 };
	double x24[] = { 1, 2, 3, 4, 5, 6, 7, 16, 17, 18 };
	double y24[] = { 8, 9, 10, 11, 12, 13, 14, 15, 19, 20 };
	double a[10], b[10];
	struct stats_mw r, s;

	assert_int_equal(stats_mann_whitney(x23, 10, y23, 10, &r), 0);
	assert_true(r.exact);
	near(r.u, 23, 0);
	/* 2 * 5598 / 184756 (counts of U <= 23 over C(20, 10)) */
	near(r.p, 0.04325705254497824, 1e-12);
	assert_true(r.p < 0.05);
	assert_int_equal(stats_mann_whitney(x24, 10, y24, 10, &r), 0);
	near(r.u, 24, 0);
	near(r.p, 0.05242590227110351, 1e-12);
	assert_true(r.p > 0.05);
	/* U of x and of y add up to m n; the p-value does not care which is which */
	assert_int_equal(stats_mann_whitney(y24, 10, x24, 10, &s), 0);
	near(r.u + s.u, 100, 0);
	near(r.p, s.p, 1e-15);

	/* R: wilcox.test(1:10, 11:20) gives W = 0, p-value = 1.083e-05 (2 / C(20, 10)) */
	for (int i = 0; i < 10; i++) {
		a[i] = i + 1;
		b[i] = i + 11;
	}
	assert_int_equal(stats_mann_whitney(a, 10, b, 10, &r), 0);
	near(r.u, 0, 0);
	near(r.p, 2.0 / 184756, 1e-15);
}

/*
 * R's ?wilcox.test example (Hollander & Wolfe, permeability constants):
 * wilcox.test(x, y, alternative = "g") prints W = 35, p-value = 0.1272;
 * two-sided, twice that.
 */
static void test_mw_r_example(void **state)
{
	double x[] = { 0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46 };
	double y[] = { 1.15, 0.88, 0.90, 0.74, 1.21 };
	struct stats_mw r;

	assert_int_equal(stats_mann_whitney(x, 10, y, 5, &r), 0);
	assert_true(r.exact);
	near(r.u, 35, 0);
	near(r.p, 0.2544122544122544, 1e-12);
}

/*
 * With ties: the normal approximation, tie-corrected variance, continuity
 * correction: what R's wilcox.test(c(1,2,2,3,4), c(3,4,5,5,6)) computes
 * ("cannot compute exact p-value with ties"): W = 2, and
 * z = (2 - 12.5 + 0.5) / sqrt(25/12 * (11 - 24/90)), p = 2 Phi(z) = 0.03445.
 */
static void test_mw_ties(void **state)
{
	double x[] = { 1, 2, 2, 3, 4 };
	double y[] = { 3, 4, 5, 5, 6 };
	double same[] = { 7, 7, 7 };
	struct stats_mw r;

	assert_int_equal(stats_mann_whitney(x, 5, y, 5, &r), 0);
	assert_false(r.exact);
	assert_int_equal(r.tied, 8);
	near(r.u, 2, 0);
	near(r.p, 0.03445363703947131, 1e-9);
	/* all equal: no evidence either way */
	assert_int_equal(stats_mann_whitney(same, 3, same, 3, &r), 0);
	near(r.p, 1, 0);
	assert_int_not_equal(stats_mann_whitney(x, 0, y, 5, &r), 0);
}

/* Above 50 a side, no ties: the normal approximation agrees with the table's tail. */
static void test_mw_large(void **state)
{
	double a[60], b[60];
	struct stats_mw r;

	for (int i = 0; i < 60; i++) {
		a[i] = i;
		b[i] = i + 0.5 + 10;	/* b shifted by ten ranks, no ties */
	}
	assert_int_equal(stats_mann_whitney(a, 60, b, 60, &r), 0);
	assert_false(r.exact);
	/* U = pairs a > b: a_i > b_j when i > j + 10: sum over j of (49 - j) = 1225 */
	near(r.u, 1225, 0);
	/* z = (1225 - 1800 + 0.5) / sqrt(3600 * 121 / 12) = -3.01537... */
	near(r.z, (1225 - 1800 + 0.5) / sqrt(3600.0 * 121 / 12), 1e-12);
	near(r.p, 2 * stats_norm_cdf(r.z), 1e-15);
}

/*
 * x = 1..10, y = x + 5: the differences y_j - x_i are 5 + (j - i), 10 - |t|
 * of each 5 + t. HL estimate 5. R's qwilcox(0.025, 10, 10) is 24, so the
 * 95% interval is [d(24), d(77)] = [2, 8] with confidence
 * 1 - 2 P(U <= 23) = 0.95674.
 */
static void test_hl_interval(void **state)
{
	double x[60], y[60];
	struct stats_shift s;

	for (int i = 0; i < 10; i++) {
		x[i] = i + 1;
		y[i] = i + 6;
	}
	assert_int_equal(stats_hl_shift(x, 10, y, 10, 0.95, &s), 0);
	assert_true(s.exact);
	near(s.est, 5, 0);
	near(s.lo, 2, 0);
	near(s.hi, 8, 0);
	near(s.conf, 1 - 0.04325705254497824, 1e-12);
	/*
	 * 60 a side: normal ranks. k = ceil(1800 - 0.5 - 1.95996 * 190.53) =
	 * 1427; d(1427) = -2 and d(2174) = 12 (counted by hand from 60 - |t|).
	 */
	for (int i = 0; i < 60; i++) {
		x[i] = i + 1;
		y[i] = i + 6;
	}
	assert_int_equal(stats_hl_shift(x, 60, y, 60, 0.95, &s), 0);
	assert_false(s.exact);
	near(s.est, 5, 0);
	near(s.lo, -2, 0);
	near(s.hi, 12, 0);
	near(s.conf, 0.95, 0.001);
	/* too few values to reach 95%: the widest interval, and its true confidence */
	assert_int_equal(stats_hl_shift(x, 2, y, 2, 0.95, &s), 0);
	near(s.lo, y[0] - x[1], 0);
	near(s.hi, y[1] - x[0], 0);
	near(s.conf, 1 - 2.0 / 6, 1e-12);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * The Hodges-Lehmann shift without its nx * ny differences in memory
 * gives what sorting all of them gives, to the bit: random samples with
 * ties, both orders of input, sizes around the exact/normal boundary.
 */
static void test_hl_matches_all_differences(void **state)
{
	static const size_t sizes[][2] = { { 1, 1 }, { 1, 7 }, { 5, 3 }, { 8, 8 }, { 50, 51 },
					   { 37, 120 }, { 200, 3 } };
	unsigned int seed = 12345;

	for (size_t c = 0; c < sizeof(sizes) / sizeof(sizes[0]); c++) {
		size_t nx = sizes[c][0], ny = sizes[c][1], mn = nx * ny, k;
		double *x = malloc(nx * sizeof(*x)), *y = malloc(ny * sizeof(*y));
		double *d = malloc(mn * sizeof(*d)), h;
		struct stats_shift s;

		for (size_t i = 0; i < nx; i++)
			x[i] = log(1 + (double)(rand_r(&seed) % 40));	/* ties */
		for (size_t j = 0; j < ny; j++)
			y[j] = log(1 + (double)(rand_r(&seed) % 50)) + 0.01;
		assert_int_equal(stats_hl_shift(x, nx, y, ny, 0.95, &s), 0);	/* unsorted input */
		for (size_t i = 0; i < nx; i++)
			for (size_t j = 0; j < ny; j++)
				d[i * ny + j] = y[j] - x[i];
		qsort(d, mn, sizeof(*d), cmp_d);
		h = (double)(mn - 1) * 0.5;
		k = (size_t)floor(h);
		assert_true(s.est == (k + 1 < mn ? d[k] + (h - k) * (d[k + 1] - d[k]) : d[k]));
		/* the interval: d(k) and d(mn + 1 - k), k as R's qwilcox or its normal twin */
		if (nx <= STATS_MW_EXACT_MAX && ny <= STATS_MW_EXACT_MAX) {
			for (k = 0; k < mn && stats_mw_cdf(nx, ny, (double)k) < 0.025; k++)
				;
		} else {
			double kk = ceil((double)mn / 2 - 0.5 - stats_norm_quantile(0.975) *
					 sqrt((double)mn * (double)(nx + ny + 1) / 12));

			k = kk > 0 ? (size_t)kk : 0;
		}
		k = k < 1 ? 1 : k > (mn + 1) / 2 ? (mn + 1) / 2 : k;
		assert_true(s.lo == d[k - 1]);
		assert_true(s.hi == d[mn - k]);
		free(x);
		free(y);
		free(d);
	}
}

/* R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "BH") is 0.02 0.04 0.04 0.02 */
static void test_bh(void **state)
{
	double p[] = { 0.01, 0.04, 0.03, 0.005 }, q[4];
	double pn[] = { 0.01, NAN, 0.04, 0.03, 0.005 }, qn[5];
	double one[] = { 0.3 }, q1[1];

	stats_bh(p, 4, q);
	near(q[0], 0.02, 1e-15);
	near(q[1], 0.04, 1e-15);
	near(q[2], 0.04, 1e-15);
	near(q[3], 0.02, 1e-15);
	/* a NAN is not tested: the family is the other four */
	stats_bh(pn, 5, qn);
	assert_true(isnan(qn[1]));
	near(qn[0], 0.02, 1e-15);
	near(qn[4], 0.02, 1e-15);
	stats_bh(one, 1, q1);
	near(q1[0], 0.3, 0);
	near(stats_geomean((double[]){ 1, 4 }, 2), 2, 1e-12);
	near(stats_geomean((double[]){ 0.5, 2, 1 }, 3), 1, 1e-12);
}

/*
 * A 5% slowdown at realistic noise: lognormal samples (cv 2%, as steady
 * large-buffer pins show within a run here), 30 a side. Found with a tiny
 * p, a CI that holds 1.05 and excludes 1, and called a regression at a
 * 3% threshold (at the 10% default it is, rightly, inconclusive or
 * unchanged: smaller than what counts). The same at cv 5%.
 */
static void test_shift_detected(void **state)
{
	double b[30], n[30], lb[30], ln[30];
	struct compare_opts o;
	struct stats_mw mw;
	struct stats_shift sh;
	const double cvs[] = { 0.02, 0.05 };

	compare_opts_default(&o);
	o.threshold = 0.03;
	rng_state = 20261121;
	for (size_t c = 0; c < ARRAY_SIZE(cvs); c++) {
		double ratio;

		draw_lognormal(b, 30, 100, cvs[c]);
		draw_lognormal(n, 30, 105, cvs[c]);
		for (int i = 0; i < 30; i++) {
			lb[i] = log(b[i]);
			ln[i] = log(n[i]);
		}
		assert_int_equal(stats_mann_whitney(n, 30, b, 30, &mw), 0);
		assert_true(mw.exact);
		assert_true(mw.p < (c ? 1e-3 : 1e-6));
		assert_true(mw.u > 450);	/* new mostly above base */
		assert_int_equal(stats_hl_shift(lb, 30, ln, 30, 0.95, &sh), 0);
		if (!(exp(sh.lo) > 1 && exp(sh.lo) < 1.05 && exp(sh.hi) > 1.05))
			fail_msg("cv %g: CI %g-%g", cvs[c], exp(sh.lo), exp(sh.hi));
		stats_sort(b, 30);
		stats_sort(n, 30);
		ratio = stats_quantile(n, 30, 0.5) / stats_quantile(b, 30, 0.5);
		assert_int_equal(compare_verdict(30, 30, ratio, exp(sh.lo), exp(sh.hi), mw.p, &o, NULL),
				 CMP_REGRESSION);
	}
}

/*
 * The false-positive rate. 1000 draws of 10 vs 10 from one lognormal
 * (nothing changed): the raw p < 0.05 rate must be near the nominal level
 * (the exact test at 10 vs 10 has a true size of 0.0433, so between 0.02
 * and 0.071: 0.05 plus three binomial standard errors, sqrt(.05 .95 /
 * 1000) = 0.0069), and after Benjamini-Hochberg at 0.05 the rejected
 * fraction stays at or under 0.05 (under a global null BH holds the
 * family-wise rate at alpha, so it is 0 nearly always).
 *
 * Then the FDR itself: 1000 families of 100 points, 10 of them really 20%
 * slower; the mean over families of false discoveries / discoveries must
 * stay under BH's bound alpha m0/m = 0.045 plus 0.01 (five standard
 * errors of that mean: over seven seeds it was 0.0385 to 0.0445, sd
 * 0.002), and most true changes must be found. About 0.2 s.
 */
static void test_false_positives_fdr(void **state)
{
	enum { DRAWS = 1000, FAM = 1000, M = 100, M1 = 10 };
	static double p[DRAWS], q[DRAWS];
	double x[10], y[10], fdp_sum = 0;
	size_t raw = 0, rejected = 0, found = 0;
	struct stats_mw r;

	rng_state = 42;
	for (int i = 0; i < DRAWS; i++) {
		draw_lognormal(x, 10, 100, 0.05);
		draw_lognormal(y, 10, 100, 0.05);
		assert_int_equal(stats_mann_whitney(y, 10, x, 10, &r), 0);
		p[i] = r.p;
		raw += r.p < 0.05;
	}
	stats_bh(p, DRAWS, q);
	for (int i = 0; i < DRAWS; i++)
		rejected += q[i] < 0.05;
	print_message("# null draws: raw p<0.05 %zu/%d, BH-rejected %zu/%d\n", raw, DRAWS,
		      rejected, DRAWS);
	assert_true(raw >= 20 && raw <= 71);
	assert_true(rejected <= DRAWS * 5 / 100);

	for (int f = 0; f < FAM; f++) {
		size_t disc = 0, false_disc = 0;

		for (int i = 0; i < M; i++) {
			draw_lognormal(x, 10, 100, 0.05);
			draw_lognormal(y, 10, i < M1 ? 120 : 100, 0.05);
			assert_int_equal(stats_mann_whitney(y, 10, x, 10, &r), 0);
			p[i] = r.p;
		}
		stats_bh(p, M, q);
		for (int i = 0; i < M; i++) {
			if (q[i] >= 0.05)
				continue;
			disc++;
			if (i >= M1)
				false_disc++;
			else
				found++;
		}
		fdp_sum += disc ? (double)false_disc / (double)disc : 0;
	}
	print_message("# FDR: mean false discovery proportion %.4f, true changes found %zu/%d\n",
		      fdp_sum / FAM, found, FAM * M1);
	assert_true(fdp_sum / FAM <= 0.045 + 0.01);
	assert_true(found >= FAM * M1 * 9 / 10);
}

static void test_verdict_rule(void **state)
{
	struct compare_opts o;
	const char *why;

	compare_opts_default(&o);
	/* significant and beyond the threshold, either way; symmetric in log scale */
	assert_int_equal(compare_verdict(10, 10, 1.2, 1.15, 1.25, 0.001, &o, &why), CMP_REGRESSION);
	assert_int_equal(compare_verdict(10, 10, 1 / 1.2, 1 / 1.25, 1 / 1.15, 0.001, &o, &why),
			 CMP_IMPROVEMENT);
	/* significant but small: unchanged when the CI stays inside the bounds */
	assert_int_equal(compare_verdict(10, 10, 1.04, 1.02, 1.06, 0.001, &o, &why), CMP_UNCHANGED);
	/* beyond the threshold but not significant after FDR control */
	assert_int_equal(compare_verdict(10, 10, 1.3, 0.9, 1.6, 0.2, &o, &why), CMP_INCONCLUSIVE);
	assert_non_null(why);
	/* the CI reaches past the threshold: cannot say unchanged */
	assert_int_equal(compare_verdict(10, 10, 1.0, 0.95, 1.12, 0.9, &o, &why), CMP_INCONCLUSIVE);
	/* too few samples, whatever the numbers */
	assert_int_equal(compare_verdict(4, 10, 2, 1.9, 2.1, 1e-9, &o, &why), CMP_INCONCLUSIVE);
	assert_string_equal(why, "too few samples");
	assert_int_equal(compare_verdict(10, 10, NAN, NAN, NAN, NAN, &o, &why), CMP_INCONCLUSIVE);
	/* the threshold is the smallest change that counts: 1.1 counts at 10%, 1.099 does not */
	assert_int_equal(compare_verdict(10, 10, 1.1, 1.08, 1.1, 0.001, &o, &why), CMP_REGRESSION);
	assert_int_equal(compare_verdict(10, 10, 1.099, 1.08, 1.0995, 0.001, &o, &why),
			 CMP_UNCHANGED);
	assert_string_equal(why, "a real change, smaller than the threshold");
	assert_int_equal(compare_verdict(10, 10, 1 / 1.1, 1 / 1.1, 1 / 1.08, 0.001, &o, &why),
			 CMP_IMPROVEMENT);
	assert_int_equal(compare_verdict(10, 10, 1.11, 1.09, 1.13, 0.001, &o, &why), CMP_REGRESSION);
	/* a 1% change at --threshold 1%, as the log-scale arithmetic gives it back */
	o.threshold = 0.01;
	assert_int_equal(compare_verdict(8, 8, exp(log(1.01)), exp(log(1.01)), exp(log(1.01)),
					 0.001, &o, &why), CMP_REGRESSION);
	/* a CI touching the threshold is not "unchanged" */
	assert_int_equal(compare_verdict(8, 8, 1.0, 0.995, 1.01, 0.5, &o, &why), CMP_INCONCLUSIVE);
	assert_string_equal(compare_verdict_name(CMP_REGRESSION), "regression");
}

/* Student's t and the incomplete beta against closed forms */
static void test_t_distribution(void **state)
{
	/* I_0.3(2, 5) = P(Binomial(6, 0.3) >= 2) */
	near(stats_beta_inc(2, 5, 0.3), 1 - pow(0.7, 6) - 6 * 0.3 * pow(0.7, 5), 1e-12);
	near(stats_beta_inc(0.5, 0.5, 0.5), 0.5, 1e-12);
	/* df = 1 is Cauchy: F(t) = 1/2 + atan(t)/pi */
	for (double t = -5; t <= 5; t += 0.75)
		near(stats_t_cdf(t, 1), 0.5 + atan(t) / M_PI, 1e-10);
	/* df = 2: F(t) = 1/2 + t / (2 sqrt(2 + t^2)) */
	for (double t = -5; t <= 5; t += 0.75)
		near(stats_t_cdf(t, 2), 0.5 + t / (2 * sqrt(2 + t * t)), 1e-10);
	/* quantiles: tan(pi (p - 1/2)) for df 1; tables for the others */
	near(stats_t_quantile(0.975, 1), tan(M_PI * 0.475), 1e-6);
	near(stats_t_quantile(0.975, 2), 4.302653, 1e-5);
	near(stats_t_quantile(0.975, 10), 2.228139, 1e-5);
	near(stats_t_quantile(0.975, 30), 2.042272, 1e-5);
	/* large df: the normal */
	near(stats_t_quantile(0.975, 1e6), stats_norm_quantile(0.975), 1e-4);
	near(stats_t_cdf(stats_t_quantile(0.9, 4.5), 4.5), 0.9, 1e-9);
	assert_true(isnan(stats_t_cdf(1, 0)));
}

static void test_welch(void **state)
{
	static const double x[] = { 1, 2, 3 }, y[] = { 4, 5, 6 };
	static const double a[] = { 1, 3 }, one[] = { 5 };
	static const double c1[] = { 7, 7, 7 }, c2[] = { 7.07, 7.07 };
	struct stats_welch w;

	/* equal n and variance: df = 2 (n - 1), t = 3 / sqrt(2/3) */
	assert_int_equal(stats_welch(x, 3, y, 3, 0.95, &w), 0);
	near(w.diff, 3, 1e-12);
	near(w.df, 4, 1e-9);
	near(w.t, 3 / sqrt(2.0 / 3), 1e-9);
	near(w.p, 2 * stats_t_cdf(-3 / sqrt(2.0 / 3), 4), 1e-12);
	near(w.hi - w.diff, stats_t_quantile(0.975, 4) * sqrt(2.0 / 3), 1e-6);
	assert_false(w.pooled);
	/* one value on a side borrows the other's variance: se^2 = 2 (1/2 + 1), df 1,
	 * t = 3 / sqrt(3), p = 2 (1/2 - atan(sqrt 3) / pi) = 1/3 */
	assert_int_equal(stats_welch(a, 2, one, 1, 0.95, &w), 0);
	assert_true(w.pooled);
	near(w.df, 1, 1e-12);
	near(w.p, 1.0 / 3, 1e-9);
	/* no spread at all: exact */
	assert_int_equal(stats_welch(c1, 3, c1, 3, 0.95, &w), 0);
	assert_true(w.p == 1 && w.lo == 0 && w.hi == 0);
	assert_int_equal(stats_welch(c1, 3, c2, 2, 0.95, &w), 0);
	assert_true(w.p == 0);
	near(w.lo, 0.07, 1e-12);
	near(w.hi, 0.07, 1e-12);
	assert_int_equal(stats_welch(one, 1, one, 1, 0.95, &w), -EINVAL);
}

/*
 * Deterministic samples (an icount guest): every sample of a point equal.
 * Identical sides: p 1 and an interval of zero width at ratio 1, so
 * "unchanged" at any threshold; a 1% step on every sample: significant
 * and, at --threshold 1%, a regression.
 */
static void test_deterministic(void **state)
{
	double b[8], n[8], lb[8], ln[8];
	struct stats_mw mw;
	struct stats_shift sh;
	struct compare_opts o;

	compare_opts_default(&o);
	for (int i = 0; i < 8; i++) {
		b[i] = 91815;
		n[i] = 91815;
		lb[i] = log(b[i]);
	}
	assert_int_equal(stats_mann_whitney(n, 8, b, 8, &mw), 0);
	assert_true(mw.p == 1);
	for (int i = 0; i < 8; i++)
		ln[i] = log(n[i]);
	assert_int_equal(stats_hl_shift(lb, 8, ln, 8, 0.95, &sh), 0);
	assert_true(sh.lo == 0 && sh.hi == 0);
	o.threshold = 0.001;
	assert_int_equal(compare_verdict(8, 8, 1, exp(sh.lo), exp(sh.hi), mw.p, &o, NULL),
			 CMP_UNCHANGED);
	for (int i = 0; i < 8; i++) {
		n[i] = 91815 * 1.01;
		ln[i] = log(n[i]);
	}
	assert_int_equal(stats_mann_whitney(n, 8, b, 8, &mw), 0);
	assert_true(mw.p < 0.001);
	assert_int_equal(stats_hl_shift(lb, 8, ln, 8, 0.95, &sh), 0);
	o.threshold = 0.01;
	assert_int_equal(compare_verdict(8, 8, n[0] / b[0], exp(sh.lo), exp(sh.hi), mw.p, &o, NULL),
			 CMP_REGRESSION);
	/* 0.5% is real but below 1%: unchanged */
	for (int i = 0; i < 8; i++)
		ln[i] = log(91815 * 1.005);
	assert_int_equal(stats_hl_shift(lb, 8, ln, 8, 0.95, &sh), 0);
	assert_int_equal(compare_verdict(8, 8, 1.005, exp(sh.lo), exp(sh.hi), mw.p, &o, NULL),
			 CMP_UNCHANGED);
}

static void test_exit_status(void **state)
{
	struct compare_result r = { 0 };

	r.count[CMP_UNCHANGED] = 3;
	r.count[CMP_INCONCLUSIVE] = 5;
	assert_int_equal(compare_exit_status(&r), 0);
	r.count[CMP_REGRESSION] = 1;
	assert_int_equal(compare_exit_status(&r), 1);
	memset(r.count, 0, sizeof(r.count));
	r.count[CMP_INCONCLUSIVE] = 5;
	r.count[CMP_NOT_COMPARED] = 2;
	assert_int_equal(compare_exit_status(&r), 125);
	r.count[CMP_IMPROVEMENT] = 1;
	assert_int_equal(compare_exit_status(&r), 0);
	memset(r.count, 0, sizeof(r.count));
	assert_int_equal(compare_exit_status(&r), 125);
	/* --metric ITEM: the item decides, whatever the timing says */
	r.count[CMP_REGRESSION] = 1;
	r.behave = 1 + BH_PINS;
	assert_int_equal(compare_exit_status(&r), 125);		/* judged nowhere */
	r.bh_counted[BH_PINS] = 4;
	assert_int_equal(compare_exit_status(&r), 0);		/* the same on all 4 */
	r.bh_count[BH_PINS] = 1;
	assert_int_equal(compare_exit_status(&r), 1);
	r.bh_count[BH_PINS] = 0;
	r.bh_count[BH_ALLOCS] = 3;				/* another item changed */
	assert_int_equal(compare_exit_status(&r), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normal),
		cmocka_unit_test(test_mw_critical_values),
		cmocka_unit_test(test_mw_statistic_and_exact_p),
		cmocka_unit_test(test_mw_r_example),
		cmocka_unit_test(test_mw_ties),
		cmocka_unit_test(test_mw_large),
		cmocka_unit_test(test_hl_interval),
		cmocka_unit_test(test_hl_matches_all_differences),
		cmocka_unit_test(test_bh),
		cmocka_unit_test(test_shift_detected),
		cmocka_unit_test(test_false_positives_fdr),
		cmocka_unit_test(test_verdict_rule),
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_t_distribution),
		cmocka_unit_test(test_welch),
		cmocka_unit_test(test_deterministic),
	};

	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
