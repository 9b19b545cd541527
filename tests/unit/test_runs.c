// SPDX-License-Identifier: GPL-2.0
/*
 * The run-level model of `gupbench compare` on synthetic runs whose answer
 * is known: runs that drift by a known amount around the same value, with
 * no change between the sides; the same drift with a real 30% change; the
 * drift alone, seen through one run a side, which only the run model
 * keeps from reading as a regression. Also: the two ways of giving several
 * runs (a run column, a directory of runs) agree; --metric; mixed clocks
 * are refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compare.h"
#include "stats.h"

#define near(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

/* Each run's drift (log scale): sd sqrt(0.008) = 0.0894, mean 0 */
static const double drift[6] = { -0.1, 0, 0.1, -0.1, 0, 0.1 };
#define SAMPLES 10

static char dir[64];

/*
 * A results.csv of runs first..first+nruns-1 of one point: every sample of
 * run i is value * exp(drift[i]) (cpu_ns a third of it), so the samples of
 * a run do not vary and all of the spread is between runs.
 */
static void write_runs(const char *path, double value, const int *runs, size_t nruns,
		       const char *clock, int with_run)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f, "schema,scenario,%smethod,backing,size_bytes,folio_order,zero_ratio,op,ns,cpu_ns,"
		"pages,status,clock\n", with_run ? "run," : "");
	for (size_t k = 0; k < nruns; k++) {
		double v = value * exp(drift[runs[k]]);

		for (int s = 0; s < SAMPLES; s++) {
			fprintf(f, "3,0,");
			if (with_run)
				fprintf(f, "%d,", runs[k]);
			fprintf(f, "iouring,anon,4194304,0,0,pin,%.3f,%.3f,1,ok,%s\n", v, v / 3, clock);
		}
	}
	assert_int_equal(fclose(f), 0);
}

static char *at(const char *name)
{
	static char p[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/gupbench-test-runs-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
	return system(cmd) ? -1 : 0;
}

static const int all[6] = { 0, 1, 2, 3, 4, 5 };
static const int shuffled[6] = { 4, 2, 0, 5, 1, 3 };

static void run(const char *b, const char *n, double threshold, struct compare_result *r)
{
	struct compare_opts o;
	char err[512];

	compare_opts_default(&o);
	o.threshold = threshold;
	o.metric = CMP_METRIC_ELAPSED;
	assert_int_equal(compare_runs(b, n, &o, r, err, sizeof(err)), 0);
	assert_int_equal(r->n, 1);
}

/* A/A with a known drift between runs: the model finds the drift and says nothing changed */
static void test_drift_known(void **state)
{
	struct compare_result r;
	struct compare_point *p;
	double se = sqrt(0.008) * sqrt(2.0 / 6), half = stats_t_quantile(0.975, 10) * se;

	write_runs(at("aa-base.csv"), 1000, all, 6, "real", 1);
	write_runs(at("aa-new.csv"), 1000, shuffled, 6, "real", 1);
	run(at("aa-base.csv"), at("aa-new.csv"), 0.10, &r);
	p = &r.pt[0];
	assert_int_equal(r.model, CMP_MODEL_RUNS);
	assert_int_equal(p->model, CMP_MODEL_RUNS);
	assert_int_equal(p->base.runs, 6);
	assert_int_equal(p->new.runs, 6);
	near(p->ratio, 1, 1e-9);
	near(p->p, 1, 1e-9);
	/* the drift, recovered: sd of the runs' medians, none of it from the samples */
	near(p->base.sd_between, sqrt(0.008), 1e-6);
	near(p->new.sd_between, sqrt(0.008), 1e-6);
	near(p->base.sd_within, 0, 1e-9);
	near(p->sd_run, sqrt(0.008), 1e-6);
	near(p->df, 10, 1e-9);
	near(log(p->hi), half, 1e-6);
	near(p->floor, exp(half) - 1, 1e-6);
	/* a 12% floor cannot vouch for 10%: inconclusive, not unchanged, never a regression */
	assert_int_equal(p->verdict, CMP_INCONCLUSIVE);
	compare_result_free(&r);
	run(at("aa-base.csv"), at("aa-new.csv"), 0.20, &r);
	assert_int_equal(r.pt[0].verdict, CMP_UNCHANGED);
	compare_result_free(&r);
}

/* The same drift with a real 30% change on the new side: found, at its size */
static void test_drift_with_change(void **state)
{
	struct compare_result r;

	write_runs(at("ch-base.csv"), 1000, all, 6, "real", 1);
	write_runs(at("ch-new.csv"), 1300, shuffled, 6, "real", 1);
	run(at("ch-base.csv"), at("ch-new.csv"), 0.10, &r);
	near(r.pt[0].ratio, 1.3, 1e-6);
	assert_true(r.pt[0].lo > 1.1 && r.pt[0].hi < 1.55);
	assert_true(r.pt[0].p < 0.001);
	assert_int_equal(r.pt[0].verdict, CMP_REGRESSION);
	compare_result_free(&r);
}

/*
 * Drift alone, one run a side: run 1 against run 2 (0 against +0.1, a
 * 10.5% step with no patch). The samples of one run cannot see that the
 * step is the runs' own and call it a regression; the same two runs with
 * the other five of each side beside them are not.
 */
static void test_drift_one_run_a_side(void **state)
{
	static const int one_b[1] = { 1 }, one_n[1] = { 2 };
	static const int five_b[5] = { 1, 0, 3, 4, 5 }, five_n[5] = { 2, 0, 1, 3, 4 };
	struct compare_result r;

	write_runs(at("one-base.csv"), 1000, one_b, 1, "real", 1);
	write_runs(at("one-new.csv"), 1000, one_n, 1, "real", 1);
	run(at("one-base.csv"), at("one-new.csv"), 0.10, &r);
	assert_int_equal(r.pt[0].model, CMP_MODEL_SAMPLES);
	assert_int_equal(r.pt[0].verdict, CMP_REGRESSION);
	compare_result_free(&r);
	write_runs(at("five-base.csv"), 1000, five_b, 5, "real", 1);
	write_runs(at("five-new.csv"), 1000, five_n, 5, "real", 1);
	run(at("five-base.csv"), at("five-new.csv"), 0.10, &r);
	assert_int_equal(r.pt[0].model, CMP_MODEL_RUNS);
	assert_int_not_equal(r.pt[0].verdict, CMP_REGRESSION);
	assert_int_not_equal(r.pt[0].verdict, CMP_IMPROVEMENT);
	compare_result_free(&r);
}

/* A directory of run directories is the same as one file with a run column */
static void test_directory_of_runs(void **state)
{
	struct compare_result a, b;

	assert_int_equal(mkdir(at("runs"), 0700), 0);
	for (int i = 0; i < 6; i++) {
		char d[256], f[300];
		const int one[1] = { i };

		snprintf(d, sizeof(d), "%s/runs/%02d", dir, i);
		assert_int_equal(mkdir(d, 0700), 0);
		snprintf(f, sizeof(f), "%s/results.csv", d);
		write_runs(f, 1000, one, 1, "real", 0);
	}
	write_runs(at("dir-new.csv"), 1100, all, 6, "real", 1);
	run(at("runs"), at("dir-new.csv"), 0.05, &a);
	write_runs(at("dir-base.csv"), 1000, all, 6, "real", 1);
	run(at("dir-base.csv"), at("dir-new.csv"), 0.05, &b);
	assert_int_equal(a.base.sources, 6);
	assert_int_equal(a.base.runs, 6);
	near(a.pt[0].ratio, b.pt[0].ratio, 1e-9);
	near(a.pt[0].lo, b.pt[0].lo, 1e-9);
	near(a.pt[0].p, b.pt[0].p, 1e-12);
	compare_result_free(&a);
	compare_result_free(&b);
}

static void test_metric_and_clocks(void **state)
{
	struct compare_opts o;
	struct compare_result r;
	char err[512];

	write_runs(at("ic-base.csv"), 900, all, 1, "icount shift=0", 1);
	write_runs(at("ic-new.csv"), 900, all, 1, "icount shift=0", 1);
	write_runs(at("real.csv"), 900, all, 1, "real", 1);
	compare_opts_default(&o);
	/* auto: cpu under icount, and the cpu_ns column is what is compared */
	assert_int_equal(compare_runs(at("ic-base.csv"), at("ic-new.csv"), &o, &r, err, sizeof(err)), 0);
	assert_int_equal(r.metric, CMP_METRIC_CPU);
	near(r.pt[0].base.median, 900 * exp(drift[0]) / 3, 1e-2);
	assert_int_equal(r.pt[0].verdict, CMP_UNCHANGED);
	compare_result_free(&r);
	o.metric = CMP_METRIC_ELAPSED;
	assert_int_equal(compare_runs(at("ic-base.csv"), at("ic-new.csv"), &o, &r, err, sizeof(err)), 0);
	near(r.pt[0].base.median, 900 * exp(drift[0]), 1e-2);
	compare_result_free(&r);
	/* a real ns against a virtual one: refused, saying both */
	o.metric = CMP_METRIC_AUTO;
	assert_int_equal(compare_runs(at("ic-base.csv"), at("real.csv"), &o, &r, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "different clocks"));
	assert_non_null(strstr(err, "icount shift=0"));
	assert_non_null(strstr(err, "real"));
	/* and so within one side */
	assert_int_equal(mkdir(at("mixed"), 0700), 0);
	assert_int_equal(mkdir(at("mixed/a"), 0700), 0);
	assert_int_equal(mkdir(at("mixed/b"), 0700), 0);
	write_runs(at("mixed/a/results.csv"), 900, all, 1, "icount shift=0", 0);
	write_runs(at("mixed/b/results.csv"), 900, all, 1, "real", 0);
	assert_int_equal(compare_runs(at("mixed"), at("ic-new.csv"), &o, &r, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "different clocks"));
	/* a directory with no run in it */
	assert_int_equal(mkdir(at("empty"), 0700), 0);
	assert_int_not_equal(compare_runs(at("empty"), at("ic-new.csv"), &o, &r, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "no results.csv"));
}

/*
 * An icount run as seen here: 8 samples of one point, 5 of them the bare
 * work (cpu_ns equal to within an instruction or two) and 3 with a timer
 * interrupt on top (+2.0 to 3.0%), in sample order.
 */
static void write_icount(const char *path, double work)
{
	static const double extra[8] = { 0, 0.025, 0, 0, 0.03, 0, 0.02, 0 };
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f, "schema,scenario,run,method,backing,size_bytes,folio_order,zero_ratio,op,ns,"
		"cpu_ns,pages,status,clock\n");
	for (int s = 0; s < 8; s++) {
		double v = work * (1 + extra[s]) + (s % 2);

		fprintf(f, "3,0,0,iouring,anon,4194304,0,0,pin,%.3f,%.3f,1,ok,icount shift=0\n", v, v);
	}
	assert_int_equal(fclose(f), 0);
}

/* the bare model: interrupted samples set aside, a 2% change in the work found at 1% */
static void test_icount_bare_work(void **state)
{
	struct compare_opts o;
	struct compare_result r;
	char err[512];

	write_icount(at("bare-a.csv"), 300000);
	write_icount(at("bare-b.csv"), 300000);
	write_icount(at("bare-c.csv"), 306000);
	compare_opts_default(&o);
	o.threshold = 0.01;
	assert_int_equal(compare_runs(at("bare-a.csv"), at("bare-b.csv"), &o, &r, err, sizeof(err)), 0);
	assert_int_equal(r.pt[0].model, CMP_MODEL_BARE);
	assert_int_equal(r.pt[0].base.bare, 5);
	assert_int_equal(r.pt[0].new.bare, 5);
	assert_int_equal(r.pt[0].verdict, CMP_UNCHANGED);
	assert_true(r.pt[0].floor < 0.001);
	compare_result_free(&r);
	assert_int_equal(compare_runs(at("bare-a.csv"), at("bare-c.csv"), &o, &r, err, sizeof(err)), 0);
	assert_int_equal(r.pt[0].model, CMP_MODEL_BARE);
	near(r.pt[0].ratio, 1.02, 1e-4);
	assert_int_equal(r.pt[0].verdict, CMP_REGRESSION);
	compare_result_free(&r);
	/* fewer bare samples than --min-samples: all samples, by ranks, as before */
	o.min_samples = 6;
	assert_int_equal(compare_runs(at("bare-a.csv"), at("bare-b.csv"), &o, &r, err, sizeof(err)), 0);
	assert_int_equal(r.pt[0].model, CMP_MODEL_SAMPLES);
	compare_result_free(&r);
	/* the real clock never gets it */
	o.min_samples = 5;
	o.metric = CMP_METRIC_ELAPSED;
	assert_int_equal(compare_runs(at("bare-a.csv"), at("bare-b.csv"), &o, &r, err, sizeof(err)), 0);
	assert_int_equal(r.pt[0].model, CMP_MODEL_SAMPLES);
	compare_result_free(&r);
}

/*
 * Under icount, boots of one kernel repeat each other, and are no
 * replicates: two boots a side, each the 8 samples of write_icount() but
 * for the second boot of new, whose interrupts landed on other samples
 * (its median 1.1% up: where a timer fires is all that differs). Read as
 * runs, each side's boots agree exactly and that shift would be a
 * regression at 1%; judged on the first boot a side, it is nothing, and a
 * real 2% change in the work is still found.
 */
static void write_icount_boots(const char *side, double work, double moved)
{
	static const double extra[2][8] = {
		{ 0, 0.025, 0, 0, 0.03, 0, 0.02, 0 },
		{ 0.025, 0.025, 0.03, 0, 0.03, 0.02, 0.02, 0 },
	};
	char path[300];

	assert_int_equal(mkdir(side, 0700), 0);
	for (int b = 0; b < 2; b++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/boot-%d", side, b + 1);
		assert_int_equal(mkdir(path, 0700), 0);
		snprintf(path, sizeof(path), "%s/boot-%d/results.csv", side, b + 1);
		f = fopen(path, "w");
		assert_non_null(f);
		fprintf(f, "schema,scenario,run,method,backing,size_bytes,folio_order,zero_ratio,op,"
			"ns,cpu_ns,pages,status,clock\n");
		for (int s = 0; s < 8; s++) {
			double v = work * (1 + extra[b && moved ? 1 : 0][s]);

			fprintf(f, "3,0,0,iouring,anon,4194304,0,0,pin,%.3f,%.3f,1,ok,"
				"icount shift=0\n", v, v);
		}
		assert_int_equal(fclose(f), 0);
	}
}

static void test_icount_boots_repeat(void **state)
{
	struct compare_opts o;
	struct compare_result r;
	char err[512];

	write_icount_boots(at("ib-a"), 300000, 0);
	write_icount_boots(at("ib-b"), 300000, 1);
	write_icount_boots(at("ib-c"), 306000, 0);
	compare_opts_default(&o);
	o.threshold = 0.01;
	assert_int_equal(compare_runs(at("ib-a"), at("ib-b"), &o, &r, err, sizeof(err)), 0);
	assert_true(r.icount_first_run);
	assert_int_equal(r.pt[0].base.runs_given, 2);
	assert_int_equal(r.pt[0].new.runs_given, 2);
	assert_int_equal(r.pt[0].new.n, 8);
	/* the second boot's median: 300000 * 1.025 against 300000 * 1.0125 */
	assert_true(r.pt[0].new.repeat_spread > 0.01);
	assert_int_equal(r.pt[0].model, CMP_MODEL_BARE);
	assert_int_equal(r.pt[0].verdict, CMP_UNCHANGED);
	compare_result_free(&r);
	assert_int_equal(compare_runs(at("ib-a"), at("ib-c"), &o, &r, err, sizeof(err)), 0);
	near(r.pt[0].ratio, 1.02, 1e-4);
	assert_int_equal(r.pt[0].verdict, CMP_REGRESSION);
	compare_result_free(&r);
	/* elapsed under icount: the boots still repeat, the samples are judged by ranks */
	o.metric = CMP_METRIC_ELAPSED;
	assert_int_equal(compare_runs(at("ib-a"), at("ib-b"), &o, &r, err, sizeof(err)), 0);
	assert_true(r.icount_first_run);
	assert_int_equal(r.pt[0].model, CMP_MODEL_SAMPLES);
	assert_int_not_equal(r.pt[0].verdict, CMP_REGRESSION);
	compare_result_free(&r);
}

/*
 * Invocations of rounds: directory side/ with one run directory per
 * invocation, each a results.csv of three rounds. Invocation i sits at
 * value * exp(inv[i]), its rounds at -0.01, 0, +0.01 about it (log), and
 * the samples of a round do not vary: the spread is the invocations'.
 * With flat set, the same rounds go into one results.csv instead, as one
 * `run --runs 6` would write them.
 */
static const double round_off[3] = { -0.01, 0, 0.01 };

static void write_invocations(const char *side, double value, const double *inv, size_t ninv,
			      int flat)
{
	FILE *f = NULL;

	assert_int_equal(mkdir(side, 0700), 0);
	for (size_t i = 0; i < ninv; i++) {
		char path[300];

		if (!flat || !i) {
			snprintf(path, sizeof(path), "%s/%zu", side, i);
			assert_int_equal(mkdir(path, 0700), 0);
			snprintf(path, sizeof(path), "%s/%zu/results.csv", side, i);
			f = fopen(path, "w");
			assert_non_null(f);
			fprintf(f, "schema,scenario,run,method,backing,size_bytes,folio_order,"
				"zero_ratio,op,ns,cpu_ns,pages,status,clock\n");
		}
		for (int k = 0; k < 3; k++) {
			double v = value * exp(inv[i] + round_off[k]);

			for (int s = 0; s < SAMPLES; s++)
				fprintf(f, "3,0,%zu,iouring,anon,4194304,0,0,pin,%.4f,%.4f,1,ok,real\n",
					flat ? 3 * i + k : (size_t)k, v, v / 3);
		}
		if (!flat || i == ninv - 1)
			assert_int_equal(fclose(f), 0);
	}
}

/*
 * The invocation is the unit: two invocations a side that sit 0.1 apart by
 * chance (base -0.1 and 0, new 0 and +0.1: the same spread, shifted),
 * three close rounds each. Taken as six independent rounds a side, the
 * rounds call the shift a regression; taken as what they are, two
 * invocations a side, it is not one, and the levels are recovered.
 */
static void test_invocations(void **state)
{
	static const double ib[2] = { -0.1, 0 }, in[2] = { 0, 0.1 };
	static const double grow_b[3] = { -0.1, 0, 0.1 }, grow_n[3] = { 0.1, -0.1, 0 };
	struct compare_result r;
	struct compare_point *p;

	write_invocations(at("flat-b"), 1000, ib, 2, 1);
	write_invocations(at("flat-n"), 1000, in, 2, 1);
	run(at("flat-b"), at("flat-n"), 0.10, &r);
	p = &r.pt[0];
	assert_int_equal(p->model, CMP_MODEL_RUNS);
	assert_int_equal(p->base.runs, 6);
	assert_int_equal(p->base.invocations, 1);
	assert_true(p->one_invocation && r.one_invocation);
	near(p->ratio, exp(0.1), 1e-6);
	assert_int_equal(p->verdict, CMP_REGRESSION);
	compare_result_free(&r);

	write_invocations(at("inv-b"), 1000, ib, 2, 0);
	write_invocations(at("inv-n"), 1000, in, 2, 0);
	run(at("inv-b"), at("inv-n"), 0.10, &r);
	p = &r.pt[0];
	assert_int_equal(r.model, CMP_MODEL_INVOCATIONS);
	assert_int_equal(p->model, CMP_MODEL_INVOCATIONS);
	assert_int_equal(p->base.runs, 6);
	assert_int_equal(p->base.invocations, 2);
	assert_int_equal(p->new.invocations, 2);
	assert_false(p->one_invocation);
	near(p->ratio, exp(0.1), 1e-6);
	/* the levels: invocations' means sd 0.0707, rounds about them sd 0.01 */
	near(p->base.sd_between, sqrt(0.005), 1e-6);
	near(p->base.sd_rounds, 0.01, 1e-6);
	near(p->new.sd_rounds, 0.01, 1e-6);
	near(p->sd_run, sqrt(0.005 - 0.0001 / 3), 1e-6);
	/* t = 0.1 / 0.0707 = 1.414 on 2 df */
	near(p->df, 2, 1e-9);
	near(p->p, 0.2929, 1e-3);
	assert_int_equal(p->verdict, CMP_INCONCLUSIVE);
	compare_result_free(&r);

	/* a real 30% change through the same kind of drift, three invocations a side: found */
	write_invocations(at("ch-b"), 1000, grow_b, 3, 0);
	write_invocations(at("ch-n"), 1300, grow_n, 3, 0);
	run(at("ch-b"), at("ch-n"), 0.10, &r);
	assert_int_equal(r.pt[0].model, CMP_MODEL_INVOCATIONS);
	near(r.pt[0].ratio, 1.3, 1e-6);
	assert_int_equal(r.pt[0].verdict, CMP_REGRESSION);
	compare_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drift_known),
		cmocka_unit_test(test_drift_with_change),
		cmocka_unit_test(test_drift_one_run_a_side),
		cmocka_unit_test(test_directory_of_runs),
		cmocka_unit_test(test_metric_and_clocks),
		cmocka_unit_test(test_icount_bare_work),
		cmocka_unit_test(test_invocations),
		cmocka_unit_test(test_icount_boots_repeat),
	};

	return cmocka_run_group_tests_name("runs", tests, setup, teardown);
}
