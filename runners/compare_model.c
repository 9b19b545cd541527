// SPDX-License-Identifier: GPL-2.0
/*
 * compare: the statistics of each point. Per side, each run's median and
 * spread; then one of four models decides how the point is tested (one run
 * a side: the samples by ranks; under icount the bare work; several runs:
 * Welch's t on their medians; several invocations of several rounds:
 * Welch's t on the invocations), and Benjamini-Hochberg over all points
 * turns p into q and the verdict. README: Comparing runs.
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare_int.h"
#include "stats.h"
#include "util.h"

static int cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return (x > y) - (x < y);
}

/*
 * Per run (replicate) of the side: the median of its samples, the
 * results.csv it came from, and the spread of its samples as a robust sd
 * of log(v) (1.4826 MAD: the sd of a normal sample). Then the side's
 * samples are sorted, pooled.
 *
 * Under icount the runs of one kernel are not replicates: each boot
 * executes the same instructions, so they repeat each other, interrupts
 * included (README: two boots agree to 0.1%). Their agreement is not
 * evidence: read as runs it gives a between-run spread of zero and a
 * certainty no second boot earned. So with icount set only the first
 * run's samples are kept, and how far the others' medians were from it
 * is recorded (repeat_spread) for the output to show.
 */
static void first_run_only(struct compare_side *s, const unsigned *ids, size_t nid)
{
	size_t n = 0;

	s->runs_given = nid;
	s->repeat_spread = 0;
	for (size_t k = 1; k < nid; k++)
		if (s->run_med[0] > 0 && s->run_med[k] > 0)
			s->repeat_spread = fmax(s->repeat_spread,
						fabs(log(s->run_med[k] / s->run_med[0])));
	for (size_t i = 0; i < s->n; i++)
		if (s->rep[i] == ids[0])
			s->v[n++] = s->v[i];
	s->n = n;
	s->runs = s->invocations = 1;
}

static void side_finish(struct compare_side *s, const struct rep_map *m, int icount)
{
	unsigned *ids = malloc((s->n ? s->n : 1) * sizeof(*ids));
	double *w = malloc((s->n ? s->n : 1) * sizeof(*w)), *mads = NULL;
	size_t nid = 0;

	s->sd_between = s->sd_within = s->repeat_spread = NAN;
	if (s->n && ids && w) {
		memcpy(ids, s->rep, s->n * sizeof(*ids));
		qsort(ids, s->n, sizeof(*ids), cmp_unsigned);
		for (size_t i = 0; i < s->n; i++)
			if (!i || ids[i] != ids[nid - 1])
				ids[nid++] = ids[i];
		s->run_med = malloc(nid * sizeof(*s->run_med));
		s->run_src = malloc(nid * sizeof(*s->run_src));
		mads = malloc(nid * sizeof(*mads));
		for (size_t k = 0; k < nid && s->run_med && s->run_src && mads; k++) {
			size_t n = 0, pos = 0;
			double med;

			s->run_src[k] = m->id[ids[k]].src;
			/* reps are numbered in order of appearance: a new source is a higher one */
			if (!k || s->run_src[k] != s->run_src[k - 1])
				s->invocations++;
			for (size_t i = 0; i < s->n; i++)
				if (s->rep[i] == ids[k])
					w[n++] = s->v[i];
			stats_sort(w, n);
			med = s->run_med[k] = stats_quantile(w, n, 0.5);
			for (size_t i = 0; i < n; i++)
				if (w[i] > 0 && med > 0)
					w[pos++] = fabs(log(w[i] / med));
			stats_sort(w, pos);
			mads[k] = pos ? 1.4826 * stats_quantile(w, pos, 0.5) : NAN;
		}
		s->runs = s->run_med && s->run_src && mads ? nid : 0;
		s->runs_given = s->runs;
		if (!s->runs)
			s->invocations = 0;
		if (s->runs) {
			stats_sort(mads, s->runs);
			s->sd_within = stats_quantile(mads, s->runs, 0.5);
		}
		if (icount && s->runs > 1)
			first_run_only(s, ids, nid);
	}
	free(ids);
	free(w);
	free(mads);
	free(s->rep);
	s->rep = NULL;
	stats_sort(s->v, s->n);
	s->median = s->n ? stats_quantile(s->v, s->n, 0.5) : NAN;
}

/*
 * log of the samples for the CI. A kernel-timed op can read 0 us; the
 * logarithm needs a floor: half the smallest positive value of the pair.
 */
static double *logs(const struct compare_side *s, double floor_v)
{
	double *l = malloc((s->n ? s->n : 1) * sizeof(*l));

	for (size_t i = 0; i < s->n; i++)
		l[i] = log(s->v[i] > 0 ? s->v[i] : floor_v);
	return l;
}

/* A Welch test on the units' log values, as the point's ratio, CI, p and spread. */
static void point_from_welch(struct compare_point *p, const struct stats_welch *w)
{
	p->ratio = exp(w->diff);
	p->lo = exp(w->lo);
	p->hi = exp(w->hi);
	p->conf = COMPARE_CONF;
	p->p = w->p;
	p->df = w->df;
	p->pooled_sd = w->pooled;
	p->exact = 0;
	p->base.sd_between = w->sd_x;
	p->new.sd_between = w->sd_y;
}

/*
 * The run-level model (Kalibera & Jones, ISMM 2013, reduced to two
 * levels): a run's samples share whatever the run drew (its physical
 * pages, their placement, the state of the machine), so the unit of
 * replication is the run. Each run is summed up by its median; the test
 * is Welch's t on the logs of those medians, and its interval is the
 * ratio's. Samples within a run only make the median precise.
 */
static void point_test_runs(struct compare_point *p, double floor_v)
{
	double *lb = malloc(p->base.runs * sizeof(*lb)), *ln = malloc(p->new.runs * sizeof(*ln));
	struct stats_welch w;

	for (size_t i = 0; lb && i < p->base.runs; i++)
		lb[i] = log(p->base.run_med[i] > 0 ? p->base.run_med[i] : floor_v);
	for (size_t i = 0; ln && i < p->new.runs; i++)
		ln[i] = log(p->new.run_med[i] > 0 ? p->new.run_med[i] : floor_v);
	if (lb && ln && !stats_welch(lb, p->base.runs, ln, p->new.runs, COMPARE_CONF, &w)) {
		double between = 0, within = 0, m;
		int nb = 0, nw = 0;

		point_from_welch(p, &w);
		/*
		 * What of the spread between runs the samples explain: a median
		 * of m samples of sd s varies by about sqrt(pi/2) s / sqrt(m).
		 * The rest is the runs' own.
		 */
		if (!isnan(w.sd_x))
			between += w.sd_x * w.sd_x, nb++;
		if (!isnan(w.sd_y))
			between += w.sd_y * w.sd_y, nb++;
		if (!isnan(p->base.sd_within))
			within += p->base.sd_within * p->base.sd_within, nw++;
		if (!isnan(p->new.sd_within))
			within += p->new.sd_within * p->new.sd_within, nw++;
		m = (double)(p->base.n + p->new.n) / (double)(p->base.runs + p->new.runs);
		if (nb && nw) {
			double v = between / nb - M_PI / 2 * (within / nw) / m;

			p->sd_run = v > 0 ? sqrt(v) : 0;
		}
	}
	free(lb);
	free(ln);
}

/*
 * A side's invocations (separately started runs, one results.csv each):
 * each the mean of its rounds' log medians, in inv[] (s->invocations of
 * them). The rounds of one invocation follow each other within seconds
 * and share the host's state of those minutes; separately started runs
 * do not, so the invocation is the unit once each side has two. Also the
 * sd of rounds about their invocation's mean, pooled, and the mean
 * number of rounds an invocation.
 */
static void side_invocations(const struct compare_side *s, double floor_v, double *inv,
			     double *sd_rounds, double *rounds)
{
	double ss = 0;
	size_t df = 0, k = 0;

	for (size_t i = 0; i < s->runs; ) {
		size_t j = i;
		double sum = 0;

		while (j < s->runs && s->run_src[j] == s->run_src[i])
			sum += log(s->run_med[j] > 0 ? s->run_med[j] : floor_v), j++;
		inv[k] = sum / (double)(j - i);
		for (size_t x = i; x < j; x++) {
			double d = log(s->run_med[x] > 0 ? s->run_med[x] : floor_v) - inv[k];

			ss += d * d;
		}
		df += j - i - 1;
		k++;
		i = j;
	}
	*sd_rounds = df ? sqrt(ss / (double)df) : NAN;
	*rounds = k ? (double)s->runs / (double)k : NAN;
}

/*
 * The three-level model: invocation, round, sample. Welch's t on the
 * invocations' means; sd_run is what of the spread between invocations
 * the rounds' own spread does not explain (a mean of r rounds of sd s_r
 * varies by s_r / sqrt(r)).
 */
static void point_test_invocations(struct compare_point *p, double floor_v)
{
	double *ib = malloc(p->base.invocations * sizeof(*ib));
	double *in = malloc(p->new.invocations * sizeof(*in));
	double rb = NAN, rn = NAN;
	struct stats_welch w;

	if (!ib || !in)
		goto out;
	side_invocations(&p->base, floor_v, ib, &p->base.sd_rounds, &rb);
	side_invocations(&p->new, floor_v, in, &p->new.sd_rounds, &rn);
	if (stats_welch(ib, p->base.invocations, in, p->new.invocations, COMPARE_CONF, &w))
		goto out;
	point_from_welch(p, &w);
	{
		double between = 0, rounds = 0, r = (rb + rn) / 2;
		int nb = 0, nr = 0;

		for (int s = 0; s < 2; s++) {
			const struct compare_side *sd = s ? &p->new : &p->base;

			if (!isnan(sd->sd_between))
				between += sd->sd_between * sd->sd_between, nb++;
			if (!isnan(sd->sd_rounds))
				rounds += sd->sd_rounds * sd->sd_rounds, nr++;
		}
		if (nb && nr) {
			double v = between / nb - (rounds / nr) / r;

			p->sd_run = v > 0 ? sqrt(v) : 0;
		}
	}
out:
	free(ib);
	free(in);
}

/* How many of the side's (sorted) samples are bare work: within the tolerance of the lowest. */
static size_t bare_count(const struct compare_side *s)
{
	size_t k = 0;

	if (!s->n || !(s->v[0] > 0))
		return 0;
	while (k < s->n && s->v[k] <= s->v[0] * (1 + COMPARE_BARE_TOL))
		k++;
	return k;
}

static void point_test(struct compare_point *p, const struct compare_opts *o, int bare_ok)
{
	double floor_v = INFINITY, *lb, *ln;
	struct compare_side bb, bn;
	struct stats_mw mw;
	struct stats_shift sh;

	p->p = p->q = p->u = p->lo = p->hi = p->conf = p->floor = p->df = p->sd_run = NAN;
	p->base.sd_rounds = p->new.sd_rounds = NAN;
	p->model = CMP_MODEL_SAMPLES;
	p->ratio = p->base.median > 0 && p->new.median > 0 ? p->new.median / p->base.median : NAN;
	if (p->base.n < o->min_samples || p->new.n < o->min_samples || isnan(p->ratio))
		return;
	for (size_t i = 0; i < p->base.n; i++)
		if (p->base.v[i] > 0 && p->base.v[i] < floor_v)
			floor_v = p->base.v[i];
	for (size_t i = 0; i < p->new.n; i++)
		if (p->new.v[i] > 0 && p->new.v[i] < floor_v)
			floor_v = p->new.v[i];
	floor_v /= 2;
	if (p->base.invocations > 1 && p->new.invocations > 1 &&
	    (p->base.runs > p->base.invocations || p->new.runs > p->new.invocations)) {
		p->model = CMP_MODEL_INVOCATIONS;
		point_test_invocations(p, floor_v);
		goto floor;
	}
	if (p->base.runs && p->new.runs && (p->base.runs > 1 || p->new.runs > 1)) {
		p->model = CMP_MODEL_RUNS;
		p->one_invocation = (p->base.runs > 1 && p->base.invocations == 1) ||
				    (p->new.runs > 1 && p->new.invocations == 1);
		point_test_runs(p, floor_v);
		goto floor;
	}
	bb = p->base;
	bn = p->new;
	if (bare_ok) {
		size_t kb = bare_count(&p->base), kn = bare_count(&p->new);

		if (kb >= o->min_samples && kn >= o->min_samples) {
			/* the sorted prefixes: the bare samples alone */
			p->model = CMP_MODEL_BARE;
			bb.n = p->base.bare = kb;
			bn.n = p->new.bare = kn;
			p->base.median = stats_quantile(bb.v, kb, 0.5);
			p->new.median = stats_quantile(bn.v, kn, 0.5);
			p->ratio = p->new.median / p->base.median;
		}
	}
	/* U of new against base: large when new is slower */
	if (stats_mann_whitney(bn.v, bn.n, bb.v, bb.n, &mw))
		return;
	p->u = mw.u;
	p->p = mw.p;
	p->exact = mw.exact;
	lb = logs(&bb, floor_v);
	ln = logs(&bn, floor_v);
	if (!stats_hl_shift(lb, bb.n, ln, bn.n, COMPARE_CONF, &sh)) {
		p->lo = exp(sh.lo);
		p->hi = exp(sh.hi);
		p->conf = sh.conf;
	}
	free(lb);
	free(ln);
floor:
	/* the smallest change this point could have told from its ratio: the CI's half-width */
	if (p->ratio > 0 && p->lo > 0 && isfinite(p->hi))
		p->floor = fmax(p->hi / p->ratio, p->ratio / p->lo) - 1;
}

void cmp_analyse(struct compare_result *r, const struct compare_opts *o,
		 const struct rep_map reps[2])
{
	double *p = malloc((r->n ? r->n : 1) * sizeof(*p)), *q = malloc((r->n ? r->n : 1) * sizeof(*q));
	double *ratios = malloc((r->n ? r->n : 1) * sizeof(*ratios));
	int icount = !strncmp(r->base.clock, "icount", 6);
	int bare_ok = r->metric == CMP_METRIC_CPU && icount;

	for (size_t i = 0; i < r->n; i++) {
		side_finish(&r->pt[i].base, &reps[0], icount);
		side_finish(&r->pt[i].new, &reps[1], icount);
		point_test(&r->pt[i], o, bare_ok);
		p[i] = r->pt[i].p;
	}
	/* the family: every point tested in this comparison */
	stats_bh(p, r->n, q);
	r->tests = 0;
	for (size_t i = 0; i < r->n; i++) {
		struct compare_point *pt = &r->pt[i];

		pt->q = q[i];
		if (!pt->base.n || !pt->new.n) {
			pt->verdict = CMP_NOT_COMPARED;
			pt->why = !pt->base.n && !pt->new.n ? "no ok samples on either side"
			       : !pt->base.n ? "no ok samples in base" : "no ok samples in new";
		} else {
			pt->verdict = compare_verdict(pt->base.n, pt->new.n, pt->ratio, pt->lo,
						      pt->hi, pt->q, o, &pt->why);
		}
		r->count[pt->verdict]++;
		if (!isnan(pt->q))
			ratios[r->tests++] = pt->ratio;
	}
	r->geomean = stats_geomean(ratios, r->tests);
	r->model = CMP_MODEL_SAMPLES;
	r->repeat_spread = NAN;
	for (size_t i = 0; i < r->n; i++) {
		const struct compare_point *pt = &r->pt[i];

		if (pt->model == CMP_MODEL_INVOCATIONS)
			r->model = CMP_MODEL_INVOCATIONS;
		else if (pt->model == CMP_MODEL_RUNS && r->model != CMP_MODEL_INVOCATIONS)
			r->model = CMP_MODEL_RUNS;
		r->one_invocation |= pt->one_invocation;
		for (int s = 0; s < 2; s++) {
			const struct compare_side *sd = s ? &pt->new : &pt->base;

			if (sd->runs_given > 1 && icount) {
				r->icount_first_run = 1;
				if (isnan(r->repeat_spread) || sd->repeat_spread > r->repeat_spread)
					r->repeat_spread = sd->repeat_spread;
			}
		}
	}
	free(p);
	free(q);
	free(ratios);
}

/* ---- Words for the model, shared by the printers ---- */

const char *const cmp_status_names[CMP_NST] = {
	"ok", "warmup", "skip", "error", "interrupted",
};

const char *cmp_side_state(const struct compare_side *s)
{
	if (s->n)
		return "ok";
	if (s->rows[CMP_ST_SKIP])
		return "skip";
	if (s->rows[CMP_ST_ERROR])
		return "error";
	if (s->rows[CMP_ST_INTERRUPTED])
		return "interrupted";
	if (s->rows[CMP_ST_WARMUP])
		return "warmup only";
	if (s->rows[CMP_ST_OK])
		return "no time";
	return "absent";
}

/* "cpu (cpu_ns, on-CPU time of the timed thread)" and what its unit is */
static void metric_text(char *buf, size_t len, const struct compare_result *r)
{
	int icount = !strncmp(r->base.clock, "icount", 6);

	fmt(buf, len, "Metric: %s per 4 KiB page; clock: %s%s.",
	    r->metric == CMP_METRIC_CPU ? "cpu (cpu_ns: the timed thread's on-CPU time)"
					 : "elapsed (ns: wall time of the op, waits included)",
	    r->base.clock,
	    icount ? " (guest instructions, 1 per virtual ns: deterministic)" :
	    strcmp(r->base.where, "host") ? " (QEMU's clock: emulated time)" : " (the host's clock)");
}

void cmp_method_text(char *buf, size_t len, const struct compare_result *r,
		     const struct compare_opts *o)
{
	int threads = 0, icount = !strncmp(r->base.clock, "icount", 6);
	size_t off;

	for (size_t i = 0; i < r->n; i++)
		for (size_t j = 0; j < r->nkeys; j++)
			if (!strcmp(r->keys[j], "threads") && atoi(r->pt[i].key[j]) > 1)
				threads = 1;
	metric_text(buf, len, r);
	off = strlen(buf);
	if (r->model == CMP_MODEL_INVOCATIONS)
		fmt(buf + off, len - off,
		    " Invocations: %zu base, %zu new (separately started runs, one results.csv "
		    "each), holding %zu and %zu rounds. Values: median of the ok samples%s; ratio = "
		    "new/base as the ratio of the geometric means of the invocations, each the "
		    "geometric mean of its rounds' medians (below 1: new is faster). 95%% CI and p: "
		    "Welch's t on those logs, the invocation being the unit of replication: the "
		    "rounds of one invocation follow each other within seconds and share the "
		    "host's state, so they are not independent (model invocations); a point with "
		    "fewer than two invocations a side is tested on its rounds (model runs) or "
		    "its samples. q: p adjusted by Benjamini-Hochberg over the %zu points tested. "
		    "floor: the CI's half-width, the smallest change the point could tell. "
		    "Verdict: regression or improvement when q < %g and the ratio is at or beyond "
		    "%.4g or %.4g (threshold %g%%); unchanged when the CI lies within them; "
		    "inconclusive with fewer than %zu samples a side or a CI reaching past them.",
		    r->base.sources, r->new.sources, r->base.runs, r->new.runs,
		    threads && r->metric != CMP_METRIC_CPU ? " (threads > 1: the round's makespan "
		    "per page of one thread)" : "", r->tests, o->alpha, 1 + o->threshold,
		    1 / (1 + o->threshold), o->threshold * 100, o->min_samples);
	else if (r->model == CMP_MODEL_RUNS)
		fmt(buf + off, len - off,
		    " Runs: %zu base, %zu new (a run: one results.csv's run index). Values: median "
		    "of the ok samples%s; ratio = new/base as the ratio of the geometric means of "
		    "the runs' medians (below 1: new is faster). 95%% CI and p: Welch's t on the "
		    "log of each run's median, the run being the unit of replication (a point with "
		    "one run on a side takes the other side's spread); a point with one run a side "
		    "falls back to the samples (Mann-Whitney U, Hodges-Lehmann). q: p adjusted by "
		    "Benjamini-Hochberg over the %zu points tested. floor: the CI's half-width, the "
		    "smallest change the point could tell. Verdict: regression or improvement when "
		    "q < %g and the ratio is at or beyond %.4g or %.4g (threshold %g%%); unchanged "
		    "when the CI lies within them; inconclusive with fewer than %zu samples a side "
		    "or a CI reaching past them.%s",
		    r->base.runs, r->new.runs,
		    threads && r->metric != CMP_METRIC_CPU ? " (threads > 1: the round's makespan "
		    "per page of one thread)" : "", r->tests, o->alpha, 1 + o->threshold,
		    1 / (1 + o->threshold), o->threshold * 100, o->min_samples,
		    r->one_invocation && strncmp(r->base.clock, "icount", 6) ?
		    " One invocation on a side: its rounds followed each other within seconds and "
		    "share the host's state of those minutes, so their spread leaves out the drift "
		    "between separately started runs, and a verdict may be the host's; two or "
		    "more invocations a side (a directory of run directories) are the unit then." : "");
	else
		fmt(buf + off, len - off,
		    " Values: median of the ok samples%s; ratio = new/base (below 1: new is "
		    "faster). 95%% CI of the ratio: Hodges-Lehmann interval of the shift of log "
		    "values, from the Mann-Whitney U distribution (exact up to %d samples a side, "
		    "else normal). p: two-sided Mann-Whitney U test (exact without ties up to %d "
		    "samples a side, else normal with tie and continuity correction). q: p adjusted "
		    "by Benjamini-Hochberg over the %zu points tested. floor: the CI's half-width, "
		    "the smallest change the point could tell. Verdict: regression or improvement "
		    "when q < %g and the ratio is at or beyond %.4g or %.4g (threshold %g%%); "
		    "unchanged when the CI lies within them; inconclusive with fewer than %zu "
		    "samples a side or a CI reaching past them. %s",
		    threads && r->metric != CMP_METRIC_CPU ? " (threads > 1: the round's makespan "
		    "per page of one thread)" : "",
		    STATS_MW_EXACT_MAX, STATS_MW_EXACT_MAX, r->tests, o->alpha, 1 + o->threshold,
		    1 / (1 + o->threshold), o->threshold * 100, o->min_samples,
		    icount ? "Under icount two boots of one kernel repeat, so the samples' "
			     "spread is all there is. Under icount with the cpu metric, a "
			     "point with at least min-samples samples a side within " BARE_TOL_TEXT
			     " of the side's lowest is judged on those alone, the bare work (model "
			     "bare, n marked + or \"k of n\"); the others carry a timer interrupt or "
			     "other work and are set aside." :
			     "One run a side: the CI covers the spread between samples of one run, "
			     "not the drift between runs (up to 30% on a host, more under TCG); "
			     "several runs a side (run --runs N, or a directory of runs) model it.");
	off = strlen(buf);
	if (icount && r->icount_first_run)
		fmt(buf + off, len - off, " Several runs on a side: under icount a kernel's runs "
		    "repeat each other (here every point's medians within %.2f%% of its first "
		    "run's), so each point is judged on the first run a side; read as runs, their "
		    "agreement would pass for a certainty no second boot adds.",
		    100 * (exp(r->repeat_spread) - 1));
}

const char *cmp_model_name(enum compare_model m)
{
	return m == CMP_MODEL_RUNS ? "runs" : m == CMP_MODEL_BARE ? "bare" :
	       m == CMP_MODEL_INVOCATIONS ? "invocations" : "samples";
}
