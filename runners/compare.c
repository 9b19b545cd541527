// SPDX-License-Identifier: GPL-2.0
/*
 * `gupbench compare BASE NEW`: join two runs on their scenario points and
 * say, per point and op, whether NEW is slower, faster or the same.
 *
 * What is compared: the ns of the op per 4 KiB page, status=ok rows only.
 * With threads > 1 a round's threads are not independent samples (they
 * contend with each other), so a point gets one sample per round: the
 * round's makespan (round_ns, the slowest thread, what Google Benchmark
 * gets), taken from thread 0's row, per page of one thread.
 *
 * How: ratio = median(new) / median(base); a 95% confidence interval of
 * that ratio from the Hodges-Lehmann interval of the shift of log(ns)
 * (rank-based, distribution-free, exact from the U distribution for small
 * samples: deterministic, no resampling); a two-sided Mann-Whitney U test;
 * Benjamini-Hochberg over every tested point of the comparison; and
 * compare_verdict()'s rule (compare.h). Rank methods because GUP timings
 * have a long right tail: one preempted sample must not decide.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "compare.h"

static const char *const verdict_names[CMP_NVERDICT] = {
	"regression", "improvement", "unchanged", "inconclusive", "not compared",
};

const char *compare_verdict_name(enum compare_verdict v)
{
	return v < CMP_NVERDICT ? verdict_names[v] : "?";
}

void compare_opts_default(struct compare_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->threshold = COMPARE_THRESHOLD;
	o->alpha = COMPARE_ALPHA;
	o->min_samples = COMPARE_MIN_SAMPLES;
	o->behave = -1;
}

enum compare_verdict compare_verdict(size_t n_base, size_t n_new, double ratio, double lo,
				     double hi, double q, const struct compare_opts *o,
				     const char **why)
{
	/*
	 * A change of exactly the threshold counts: "--threshold 1%" flags a
	 * ratio of 1.01. The slack is for the rounding of exp(log(x)) and of
	 * 1 + t, a few ulps, not for noise.
	 */
	double up = (1 + o->threshold) * (1 - 1e-9), down = 1 / up;
	const char *dummy;

	if (!why)
		why = &dummy;
	*why = NULL;
	if (n_base < o->min_samples || n_new < o->min_samples) {
		*why = "too few samples";
		return CMP_INCONCLUSIVE;
	}
	if (!(ratio > 0) || !isfinite(ratio) || isnan(lo) || isnan(hi)) {
		*why = "no ratio (times below the clock's resolution)";
		return CMP_INCONCLUSIVE;
	}
	if (q < o->alpha && ratio >= up)
		return CMP_REGRESSION;
	if (q < o->alpha && ratio <= down)
		return CMP_IMPROVEMENT;
	if (lo > down && hi < up) {
		/* significant or not, whatever changed is below the threshold */
		if (q < o->alpha)
			*why = "a real change, smaller than the threshold";
		return CMP_UNCHANGED;
	}
	*why = "too noisy: the CI reaches past the threshold";
	return CMP_INCONCLUSIVE;
}

int compare_exit_status(const struct compare_result *r)
{
	if (r->behave) {
		if (r->bh_count[r->behave - 1])
			return 1;
		return r->bh_counted[r->behave - 1] ? 0 : 125;
	}
	if (r->count[CMP_REGRESSION])
		return 1;
	if (!r->count[CMP_UNCHANGED] && !r->count[CMP_IMPROVEMENT])
		return 125;
	return 0;
}
