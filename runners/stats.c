// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void stats_sort(double *v, size_t n)
{
	if (n < 2)	/* v may be NULL for no samples: qsort must not see it */
		return;
	qsort(v, n, sizeof(*v), cmp_double);
}

double stats_quantile(const double *s, size_t n, double q)
{
	double h, lo;
	size_t i;

	if (!n)
		return NAN;
	if (q <= 0)
		return s[0];
	if (q >= 1)
		return s[n - 1];
	h = (double)(n - 1) * q;
	lo = floor(h);
	i = (size_t)lo;
	if (i + 1 >= n)
		return s[n - 1];
	return s[i] + (h - lo) * (s[i + 1] - s[i]);
}

double stats_norm_cdf(double z)
{
	return 0.5 * erfc(-z / M_SQRT2);
}

/*
 * Bisection on the distribution function: slower than a rational
 * approximation, but plainly right to 1e-12, and called a handful of
 * times per comparison.
 */
double stats_norm_quantile(double p)
{
	double lo = -40, hi = 40;

	if (p == 0)
		return -INFINITY;
	if (p == 1)
		return INFINITY;
	if (!(p > 0 && p < 1))
		return NAN;
	while (hi - lo > 1e-12) {
		double mid = (lo + hi) / 2;

		if (stats_norm_cdf(mid) < p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/*
 * The null distribution of U for m and n values, as a cumulative table
 * cdf[0..m*n]. Counting arrangements: of j + k values, the largest is
 * either an x, which then beats all k y's, or a y, so
 *	N(j, k, u) = N(j - 1, k, u - k) + N(j, k - 1, u),  N(j, 0, 0) = 1.
 * Only additions of positive counts, so no cancellation (a double holds
 * C(100, 50) ~ 1e29 to 16 digits). f[j][u] holds N(j, k, u) for the k of
 * the outer loop; rows go j ascending, so row j - 1 is already at k when
 * row j is brought from k - 1 to k.
 *
 * A comparison asks for the same (m, n) over and over (every point ran
 * the same repeat count), so the last table is kept. Not thread-safe;
 * nothing in gupbench compares from two threads.
 */
static struct {
	size_t m, n;
	double *cdf;
} mw_cache;

static const double *mw_table(size_t m, size_t n)
{
	size_t w = m * n + 1;
	double *f, *cdf, total = 0;

	if (mw_cache.cdf && mw_cache.m == m && mw_cache.n == n)
		return mw_cache.cdf;
	f = calloc((m + 1) * w, sizeof(*f));
	cdf = malloc(w * sizeof(*cdf));
	if (!f || !cdf) {
		free(f);
		free(cdf);
		return NULL;
	}
	for (size_t j = 0; j <= m; j++)
		f[j * w] = 1;
	for (size_t k = 1; k <= n; k++)
		for (size_t j = 1; j <= m; j++)
			for (size_t u = k; u <= j * k; u++)
				f[j * w + u] += f[(j - 1) * w + u - k];
	for (size_t u = 0; u < w; u++)
		total += f[m * w + u];
	/* summed from the lower tail up: small p-values keep their digits */
	for (size_t u = 0; u < w; u++)
		cdf[u] = (u ? cdf[u - 1] : 0) + f[m * w + u] / total;
	free(f);
	free(mw_cache.cdf);
	mw_cache.m = m;
	mw_cache.n = n;
	mw_cache.cdf = cdf;
	return cdf;
}

double stats_mw_cdf(size_t m, size_t n, double u)
{
	const double *cdf;

	if (!m || !n || m > STATS_MW_EXACT_MAX || n > STATS_MW_EXACT_MAX)
		return NAN;
	if (u < 0)
		return 0;
	if (u >= (double)(m * n))
		return 1;
	cdf = mw_table(m, n);
	return cdf ? cdf[(size_t)floor(u)] : NAN;
}

struct tagged {
	double v;
	int from_x;
};

static int cmp_tagged(const void *a, const void *b)
{
	return cmp_double(&((const struct tagged *)a)->v, &((const struct tagged *)b)->v);
}

int stats_mann_whitney(const double *x, size_t nx, const double *y, size_t ny,
		       struct stats_mw *r)
{
	size_t N = nx + ny;
	struct tagged *all;
	double rank_x = 0, ties3 = 0, mn = (double)nx * (double)ny;

	if (!nx || !ny)
		return -EINVAL;
	all = malloc(N * sizeof(*all));
	if (!all)
		return -ENOMEM;
	for (size_t i = 0; i < nx; i++)
		all[i] = (struct tagged){ x[i], 1 };
	for (size_t i = 0; i < ny; i++)
		all[nx + i] = (struct tagged){ y[i], 0 };
	qsort(all, N, sizeof(*all), cmp_tagged);
	r->tied = 0;
	/* midranks: a run of t equal values at ranks i+1..i+t all get the mean */
	for (size_t i = 0; i < N;) {
		size_t j = i;
		double t, mid;

		while (j + 1 < N && all[j + 1].v == all[i].v)
			j++;
		t = (double)(j - i + 1);
		mid = (double)(i + j) / 2 + 1;
		for (size_t k = i; k <= j; k++)
			if (all[k].from_x)
				rank_x += mid;
		if (t > 1) {
			ties3 += t * t * t - t;
			r->tied += (size_t)t;
		}
		i = j + 1;
	}
	free(all);
	r->u = rank_x - (double)nx * (double)(nx + 1) / 2;
	r->z = 0;
	r->exact = !r->tied && nx <= STATS_MW_EXACT_MAX && ny <= STATS_MW_EXACT_MAX;
	if (r->exact) {
		/* the distribution is symmetric: the nearer tail, doubled */
		double tail = stats_mw_cdf(nx, ny, fmin(r->u, mn - r->u));

		r->p = fmin(1, 2 * tail);
	} else {
		double d = r->u - mn / 2;
		double var = mn / 12 * ((double)(N + 1) - ties3 / ((double)N * (double)(N - 1)));

		if (var <= 0) {		/* every value equal: no evidence at all */
			r->p = 1;
			return 0;
		}
		/* continuity correction: half a step of U towards the centre */
		d -= d > 0 ? 0.5 : d < 0 ? -0.5 : 0;
		r->z = d / sqrt(var);
		r->p = fmin(1, 2 * stats_norm_cdf(-fabs(r->z)));
	}
	return 0;
}

/*
 * The differences y[j] - x[i] of sorted x and y, never materialised: the
 * nx * ny of them would not fit in memory for large samples (500k a side
 * is 2.5e11). How many are <= t takes one pass of two pointers: with x
 * ascending, the number of j with y[j] - x[i] <= t only grows with i.
 * Floating-point subtraction is monotone, so this counts exactly what
 * sorting the computed differences would order.
 */
static size_t diffs_le(const double *x, size_t nx, const double *y, size_t ny, double t)
{
	size_t count = 0, j = 0;

	for (size_t i = 0; i < nx; i++) {
		while (j < ny && y[j] - x[i] <= t)
			j++;
		count += j;
	}
	return count;
}

/* A double's place in the order of doubles, as an unsigned integer (no NaN here). */
static uint64_t dkey(double v)
{
	uint64_t u;

	memcpy(&u, &v, sizeof(u));
	return u >> 63 ? ~u : u | (1ULL << 63);
}

static double dval(uint64_t k)
{
	uint64_t u = k >> 63 ? k & ~(1ULL << 63) : ~k;
	double v;

	memcpy(&v, &u, sizeof(v));
	return v;
}

/*
 * The k-th smallest difference (1-based): the smallest double t with at
 * least k differences <= t, found by bisecting the doubles between the
 * smallest and the largest difference: at most 64 passes of O(nx + ny).
 */
static double diff_kth(const double *x, size_t nx, const double *y, size_t ny, size_t k)
{
	uint64_t lo = dkey(y[0] - x[nx - 1]), hi = dkey(y[ny - 1] - x[0]);

	if (diffs_le(x, nx, y, ny, dval(lo)) >= k)
		return dval(lo);
	/* count(lo) < k <= count(hi) */
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (diffs_le(x, nx, y, ny, dval(mid)) >= k)
			hi = mid;
		else
			lo = mid;
	}
	return dval(hi);
}

static int sorted(const double *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (v[i] < v[i - 1])
			return 0;
	return 1;
}

/* v itself when sorted, else a sorted copy in *own (freed by the caller). */
static const double *as_sorted(const double *v, size_t n, double **own)
{
	*own = NULL;
	if (sorted(v, n))
		return v;
	*own = malloc(n * sizeof(**own));
	if (!*own)
		return NULL;
	memcpy(*own, v, n * sizeof(**own));
	stats_sort(*own, n);
	return *own;
}

int stats_hl_shift(const double *x, size_t nx, const double *y, size_t ny, double conf,
		   struct stats_shift *r)
{
	size_t mn = nx * ny, k, m;
	double alpha = 1 - conf, *ox, *oy, h;
	const double *sx, *sy;

	if (!nx || !ny || !(conf > 0 && conf < 1))
		return -EINVAL;
	for (size_t i = 0; i < nx; i++)
		if (isnan(x[i]))
			return -EINVAL;
	for (size_t j = 0; j < ny; j++)
		if (isnan(y[j]))
			return -EINVAL;
	sx = as_sorted(x, nx, &ox);
	sy = as_sorted(y, ny, &oy);
	if (!sx || !sy) {
		free(ox);
		free(oy);
		return -ENOMEM;
	}
	/* the median of the differences, as stats_quantile() takes it of sorted ones */
	h = (double)(mn - 1) * 0.5;
	m = (size_t)floor(h);
	r->est = diff_kth(sx, nx, sy, ny, m + 1);
	if (m + 1 < mn && h > (double)m)
		r->est += (h - (double)m) * (diff_kth(sx, nx, sy, ny, m + 2) - r->est);
	/*
	 * The interval [d(k), d(mn + 1 - k)] (1-based order statistics)
	 * covers the true shift unless U falls below k or above mn - k, so
	 * its confidence is 1 - 2 P(U <= k - 1): k is the smallest u with
	 * P(U <= u) >= alpha / 2 (R's qwilcox), at least 1.
	 */
	r->exact = nx <= STATS_MW_EXACT_MAX && ny <= STATS_MW_EXACT_MAX;
	if (r->exact) {
		for (k = 0; k < mn && stats_mw_cdf(nx, ny, (double)k) < alpha / 2; k++)
			;
	} else {
		double sd = sqrt((double)mn * (double)(nx + ny + 1) / 12);
		double kk = ceil((double)mn / 2 - 0.5 - stats_norm_quantile(1 - alpha / 2) * sd);

		k = kk > 0 ? (size_t)kk : 0;
	}
	if (k < 1)
		k = 1;
	if (k > (mn + 1) / 2)
		k = (mn + 1) / 2;
	r->lo = diff_kth(sx, nx, sy, ny, k);
	r->hi = diff_kth(sx, nx, sy, ny, mn + 1 - k);
	if (r->exact)
		r->conf = 1 - 2 * stats_mw_cdf(nx, ny, (double)k - 1);
	else
		r->conf = 1 - 2 * stats_norm_cdf(((double)k - 0.5 - (double)mn / 2) /
					     sqrt((double)mn * (double)(nx + ny + 1) / 12));
	free(ox);
	free(oy);
	return 0;
}

struct pidx {
	double p;
	size_t i;
};

static int cmp_pidx(const void *a, const void *b)
{
	return cmp_double(&((const struct pidx *)a)->p, &((const struct pidx *)b)->p);
}

void stats_bh(const double *p, size_t n, double *q)
{
	struct pidx *s = malloc((n ? n : 1) * sizeof(*s));
	size_t m = 0;
	double run = 1;

	for (size_t i = 0; i < n; i++) {
		q[i] = NAN;
		if (!isnan(p[i]) && s)
			s[m++] = (struct pidx){ p[i], i };
	}
	if (!s)
		return;
	qsort(s, m, sizeof(*s), cmp_pidx);
	/* q(i) = min over j >= i of p(j) m / j: a running minimum from the top */
	for (size_t j = m; j > 0; j--) {
		double v = s[j - 1].p * (double)m / (double)j;

		if (v < run)
			run = v;
		q[s[j - 1].i] = run;
	}
	free(s);
}

double stats_geomean(const double *v, size_t n)
{
	double sum = 0;

	if (!n)
		return NAN;
	for (size_t i = 0; i < n; i++)
		sum += log(v[i]);
	return exp(sum / (double)n);
}

/*
 * The regularized incomplete beta function I_x(a, b), by its continued
 * fraction evaluated with the modified Lentz method; the fraction
 * converges fast for x < (a + 1) / (a + b + 2), and the symmetry
 * I_x(a, b) = 1 - I_{1-x}(b, a) covers the other side.
 */
static double beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double c = 1, d = 1 - (a + b) * x / (a + 1), f;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	f = d;
	for (int m = 1; m <= 500; m++) {
		double m2 = 2.0 * m, num, delta;

		/* the even step, then the odd one */
		num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
		d = 1 + num * d;
		d = fabs(d) < tiny ? 1 / tiny : 1 / d;
		c = 1 + num / c;
		if (fabs(c) < tiny)
			c = tiny;
		f *= d * c;
		num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
		d = 1 + num * d;
		d = fabs(d) < tiny ? 1 / tiny : 1 / d;
		c = 1 + num / c;
		if (fabs(c) < tiny)
			c = tiny;
		delta = d * c;
		f *= delta;
		if (fabs(delta - 1) < 1e-15)
			break;
	}
	return f;
}

double stats_beta_inc(double a, double b, double x)
{
	double front;

	if (!(a > 0 && b > 0) || isnan(x))
		return NAN;
	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return front * beta_cf(a, b, x) / a;
	return 1 - front * beta_cf(b, a, 1 - x) / b;
}

double stats_t_cdf(double t, double df)
{
	double tail;

	if (isnan(t) || !(df > 0))
		return NAN;
	if (isinf(t))
		return t > 0 ? 1 : 0;
	/* P(|T| > |t|) = I_{df/(df+t^2)}(df/2, 1/2) */
	tail = stats_beta_inc(df / 2, 0.5, df / (df + t * t));
	return t > 0 ? 1 - tail / 2 : tail / 2;
}

double stats_t_quantile(double p, double df)
{
	double lo = -1e6, hi = 1e6;

	if (!(p > 0 && p < 1) || !(df > 0))
		return p == 0 ? -INFINITY : p == 1 ? INFINITY : NAN;
	for (int i = 0; i < 200 && hi - lo > 1e-12 * (1 + fabs(lo)); i++) {
		double mid = (lo + hi) / 2;

		if (stats_t_cdf(mid, df) < p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

static void mean_var(const double *v, size_t n, double *mean, double *var)
{
	double s = 0, ss = 0;

	for (size_t i = 0; i < n; i++)
		s += v[i];
	*mean = s / (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (v[i] - *mean) * (v[i] - *mean);
	*var = n > 1 ? ss / (double)(n - 1) : NAN;
}

int stats_welch(const double *x, size_t nx, const double *y, size_t ny, double conf,
		struct stats_welch *r)
{
	double mx, my, vx, vy, se2, tq;

	if (!nx || !ny || (nx < 2 && ny < 2))
		return -EINVAL;
	mean_var(x, nx, &mx, &vx);
	mean_var(y, ny, &my, &vy);
	r->diff = my - mx;
	r->sd_x = nx > 1 ? sqrt(vx) : NAN;
	r->sd_y = ny > 1 ? sqrt(vy) : NAN;
	r->pooled = nx < 2 || ny < 2;
	if (r->pooled) {
		/* one side has a single value: its spread is taken to be the other's */
		double v = nx > 1 ? vx : vy;

		se2 = v * (1.0 / (double)nx + 1.0 / (double)ny);
		r->df = (double)(nx > 1 ? nx : ny) - 1;
	} else {
		double a = vx / (double)nx, b = vy / (double)ny;

		se2 = a + b;
		/* Welch-Satterthwaite; 0/0 when both sides are constant */
		r->df = se2 > 0 ? se2 * se2 / (a * a / (double)(nx - 1) + b * b / (double)(ny - 1))
				: (double)(nx + ny - 2);
	}
	r->se = sqrt(se2);
	if (r->se > 0) {
		tq = stats_t_quantile(0.5 + conf / 2, r->df);
		r->t = r->diff / r->se;
		r->p = 2 * stats_t_cdf(-fabs(r->t), r->df);
	} else {
		/* no spread at all: the difference is exactly what was seen */
		tq = 0;
		r->t = r->diff == 0 ? 0 : r->diff > 0 ? INFINITY : -INFINITY;
		r->p = r->diff == 0 ? 1 : 0;
	}
	r->lo = r->diff - tq * r->se;
	r->hi = r->diff + tq * r->se;
	return 0;
}
