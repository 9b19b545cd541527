/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `gupbench compare BASE NEW`: the same scenario points of two runs side
 * by side, with a verdict per point and op (regression, improvement,
 * unchanged, inconclusive) that CI and `git bisect run` can act on.
 *
 * compare_runs() does the work and fills a struct compare_result;
 * compare_print() writes it in one of the formats; compare_exit_status()
 * turns it into 0 / 1 / 125. Later commands (report, bisect-check) call
 * these three and never parse the printed output.
 */
#ifndef GUPBENCH_COMPARE_H
#define GUPBENCH_COMPARE_H

#include <stddef.h>
#include <stdio.h>

/*
 * Defaults. Threshold: see README "Comparing runs" for the A/A runs of
 * configs/quick.ini on this VM it is based on (steady points vary up to
 * ~5% from run to run; a threshold at twice that keeps them quiet).
 * Alpha is the false-discovery rate over all points of a comparison.
 */
#define COMPARE_THRESHOLD	0.10
#define COMPARE_ALPHA		0.05
#define COMPARE_MIN_SAMPLES	5
#define COMPARE_CONF		0.95	/* the ratio's confidence interval */
#define COMPARE_MAX_IGNORE	8

enum compare_verdict {
	CMP_REGRESSION,
	CMP_IMPROVEMENT,
	CMP_UNCHANGED,
	CMP_INCONCLUSIVE,
	CMP_NOT_COMPARED,	/* no ok samples on at least one side */
	CMP_NVERDICT
};

/* What a point's value is: elapsed time (ns) or on-CPU time (cpu_ns). */
enum compare_metric {
	CMP_METRIC_AUTO,	/* cpu when both sides ran under icount, else elapsed */
	CMP_METRIC_ELAPSED,
	CMP_METRIC_CPU,
};

/* How a point is tested. */
enum compare_model {
	CMP_MODEL_SAMPLES,	/* one run a side: the samples, by ranks */
	CMP_MODEL_RUNS,		/* several runs: each run's median, Welch t on their logs */
	CMP_MODEL_BARE,		/* icount, cpu: the samples of bare work alone, by ranks */
	CMP_MODEL_INVOCATIONS,	/* several runs of several rounds: each run's mean log round median */
};

/*
 * The bare model. Under icount a sample's on-CPU count is the work itself,
 * to the instruction, plus whatever landed on the thread while it ran: a
 * timer interrupt adds thousands of instructions to some samples and to
 * none of the others. The samples within COMPARE_BARE_TOL of a side's
 * lowest are the bare work; when both sides have at least min_samples of
 * them, the point is judged on those alone and the rest are set aside
 * (counted in compare_side.bare, said in every output).
 */
#define COMPARE_BARE_TOL	0.001
#define BARE_TOL_TEXT		"0.1%"	/* COMPARE_BARE_TOL, for the text that explains it */

enum compare_format {
	CMP_FMT_TERMINAL,	/* the text table, coloured when the output is a tty */
	CMP_FMT_TEXT,		/* plain, every line at most 80 columns: for a mail */
	CMP_FMT_MARKDOWN,
	CMP_FMT_CSV,
	CMP_FMT_JSON,
};

/* Row status counts, in results.csv's status order. */
enum { CMP_ST_OK, CMP_ST_WARMUP, CMP_ST_SKIP, CMP_ST_ERROR, CMP_ST_INTERRUPTED, CMP_NST };

/*
 * Behaviour: what the kernel did in a point's ok samples, beside how long
 * it took (compare_behave.c; README "Behaviour changes"). Each item gets a
 * verdict of its own, never folded into the timing verdict.
 */
enum compare_behave {
	BH_STATUS,		/* the side's state: ok, skip and its reason, error */
	BH_PINS,		/* pins_acquired per 4 KiB page */
	BH_UNPINS,		/* pins_released per 4 KiB page */
	BH_ZERO_PINNED,		/* zero pages the op's pins counted, per op */
	BH_ZERO_GOT,		/* zero_pages_got per op */
	BH_ORDER_GOT,		/* order_got, categorical */
	BH_ORDER_HIST,		/* order_hist, categorical */
	BH_FAULTS,		/* c_page_faults per op */
	BH_ALLOCS,		/* c_page_allocs per op */
	BH_MMAP_LOCKS,		/* c_mmap_locks per op */
	BH_MIGRATE,		/* c_migrate_calls per op */
	BH_CTX,			/* c_ctx_switches per op */
	BH_CPU_MIGR,		/* c_cpu_migrations per op */
	BH_N
};

enum behave_verdict {
	BH_SAME,
	BH_CHANGED,
	BH_NA,			/* not counted on a side (unsupported, empty, no ok sample) */
};

/* How an item was judged. */
enum behave_rule {
	BH_RULE_NONE,		/* n/a */
	BH_RULE_EXACT,		/* every sample of each side the same value: any difference counts */
	BH_RULE_NOISY,		/* samples vary: a whole event, a factor, medians apart, Mann-Whitney + BH */
	BH_RULE_VALUES,		/* categorical: the values each side took */
};

/*
 * A noisy counter counts as changed only when its medians differ by at
 * least BEHAVE_MIN_STEP events per op and by a factor of BEHAVE_MIN_FACTOR
 * (0 against anything above is a factor past any), each side's median
 * lies outside the other's 10th-90th percentile range, and Mann-Whitney's
 * q is below alpha over the family of noisy items of the comparison.
 */
#define BEHAVE_MIN_STEP		1.0
#define BEHAVE_MIN_FACTOR	1.5

/* One item on one side of a point. */
struct behave_side {
	double *v;		/* numeric items: per ok sample, per op (per page: BH_PINS, BH_UNPINS) */
	size_t n;
	size_t uncounted;	/* ok samples without the count (unsupported or empty) */
	double median, q1, q3, p10, p90;
	double pages;		/* per-page items: median pages an op covered (for the step rule) */
	double of;		/* BH_ZERO_PINNED: mean zero pages the op covered */
	size_t cow;		/* BH_ZERO_PINNED: write pins left out (COW: no zero page pinned) */
	char **val;		/* categorical items (and BH_STATUS): the distinct values, */
	size_t *valn;		/* how many samples took each, most first */
	size_t nval;
};

struct behave_item {
	enum behave_verdict verdict;
	enum behave_rule rule;
	double p, q;		/* BH_RULE_NOISY */
	const char *why;	/* n/a: which side lacks it */
};

/* The names --metric takes and CSV columns use, and the words for text. */
extern const char *const compare_behave_names[BH_N];
extern const char *const compare_behave_words[BH_N];
/* enum compare_behave by name (a few aliases too), -1 if none. */
int compare_behave_parse(const char *name);
struct compare_point;
/* "pins per page 0 -> 1" of one item of a point (arrow: "->", or "→" for Markdown). */
void compare_behave_change(char *buf, size_t len, const struct compare_point *p, int item,
			   const char *arrow);
/* Every changed item of a point but its status, "; "-separated ("" if none). */
void compare_behave_changes(char *buf, size_t len, const struct compare_point *p,
			    const char *arrow);

struct compare_opts {
	double threshold;	/* a change counts beyond ratio 1 + t or below 1 / (1 + t) */
	double alpha;		/* Benjamini-Hochberg false-discovery rate */
	size_t min_samples;	/* fewer ok samples on a side: inconclusive */
	const char *only;	/* POSIX ERE on a point's "name=value ... op=OP" text; NULL: all */
	const char *ignore[COMPARE_MAX_IGNORE];	/* key columns left out of the join */
	size_t nignore;
	enum compare_metric metric;
	int behave;		/* -1: the exit status is the timing's; else the item it is about */
};

struct compare_side {
	double *v;		/* the metric per ok sample (ns per 4 KiB page), sorted */
	unsigned *rep;		/* while loading: the run (replicate) of each v */
	size_t n;
	double *run_med;	/* each round's median of v, in order of appearance */
	size_t *run_src;	/* the results.csv (invocation) each round came from */
	size_t runs;		/* rounds (results.csv, run index) with ok samples of this point */
	size_t invocations;	/* distinct results.csv among them: separately started runs */
	double sd_between;	/* sd of the units' log medians (NAN below 2 units) */
	double sd_rounds;	/* sd of the log round medians within an invocation, pooled */
	size_t runs_given;	/* icount: the runs there were, before all but the first were set aside */
	double repeat_spread;	/* icount: the largest |log(median of run k / of run 1)|; NAN: one run */
	double sd_within;	/* median over runs of 1.4826 MAD of log(v) */
	double median;		/* the bare model: the bare samples' median */
	size_t bare;		/* the bare model: samples within COMPARE_BARE_TOL of v[0] */
	size_t rows[CMP_NST];	/* rows of this point by status */
	size_t scenarios;	/* distinct scenarios pooled into this point */
	char reason[160];	/* the first skip/error/interrupted row's reason */
	size_t mismatch;	/* ok samples whose buffer was not what was asked */
	char mismatch_first[160];	/* the first one's results.csv mismatch */
	char *ignored[COMPARE_MAX_IGNORE];	/* this side's value of each ignored column */
	struct behave_side bh[BH_N];
};

struct compare_point {
	char **key;		/* values of compare_result.keys[], display form */
	char op[32];
	char *label;		/* "iouring anon 4M order=0 zero=0" (+ what varies) */
	char *match;		/* what --only sees: "method=iouring ... op=pin" */
	struct compare_side base, new;
	double ratio;		/* median(new) / median(base) */
	double lo, hi, conf;	/* CI of the ratio and its real confidence */
	double u, p, q;		/* Mann-Whitney U of new vs base, p, BH q (NAN: not tested) */
	double floor;		/* the noise floor: max(hi/ratio, ratio/lo) - 1 */
	enum compare_model model;
	double df;		/* runs model: Welch's degrees of freedom */
	int pooled_sd;		/* runs model: one side had one run and borrowed the other's sd */
	double sd_run;		/* the unit's own sd, once the noise of the level below is out (log) */
	int one_invocation;	/* runs model, and a side's rounds all came from one invocation */
	unsigned long long first[4];	/* where the point first appears: side, file, scenario, row */
	int exact;		/* p from the exact U distribution */
	enum compare_verdict verdict;
	const char *why;	/* for inconclusive and not compared */
	struct behave_item bh[BH_N];
	size_t bh_changed;	/* items changed */
};

struct compare_warning {
	char what[96];		/* "[kernel] cmdline" */
	char *base, *new;	/* both values, or what differs (cmdline tokens) */
	int expected;		/* 1: differs by design in a kernel comparison (release) */
};

struct compare_run {
	char path[4096];	/* as given */
	char csv[4200];		/* the results.csv read */
	int has_meta;
	char release[128], revision[64];
	char where[64];		/* "host", or "QEMU/TCG" etc. from [vm] */
	size_t rows[CMP_NST];
	size_t bad_ns;		/* ok rows left out: ns not a number >= 0 */
	size_t no_metric;	/* ok rows without a value of the metric (cpu_ns empty) */
	char clock[32];		/* "real", "icount shift=0" */
	size_t sources;		/* results.csv files read */
	size_t runs;		/* replicates: (file, run index) pairs */
};

struct compare_result {
	struct compare_run base, new;
	const char *keys[24];	/* join key columns in use (display names), op apart */
	size_t nkeys;
	const char *ignored[COMPARE_MAX_IGNORE];
	size_t nignored;
	struct compare_point *pt;
	size_t n;
	size_t count[CMP_NVERDICT];
	size_t tests;		/* the Benjamini-Hochberg family: points tested */
	double geomean;		/* of the ratios of the tested points */
	enum compare_metric metric;	/* resolved: elapsed or cpu */
	enum compare_model model;	/* invocations if any point is, else runs if any, else samples */
	int one_invocation;		/* a runs-model point had a side of one invocation */
	int icount_first_run;		/* icount: a side had several runs; judged on the first */
	double repeat_spread;		/* icount: the largest of the points' repeat_spread */
	struct compare_warning *warn;
	size_t nwarn;
	size_t bh_points;		/* points with a behaviour change */
	size_t bh_count[BH_N];		/* points where each item changed */
	size_t bh_counted[BH_N];	/* points where each item could be judged */
	size_t bh_tests;		/* the BH family of noisy items */
	int behave;			/* 1 + the item the exit status is about; 0: the timing */
};

void compare_opts_default(struct compare_opts *o);
/*
 * Join and test BASE against NEW (run directories or results.csv files).
 * 0, or -errno / -EINVAL with the reason in err: unreadable input, not a
 * results.csv, an --ignore that would pool different points, a bad --only.
 */
int compare_runs(const char *base, const char *new, const struct compare_opts *o,
		 struct compare_result *r, char *err, size_t len);
void compare_result_free(struct compare_result *r);

/*
 * The verdict of one point (pure; unit-tested):
 *  - inconclusive when a side has fewer than min_samples samples;
 *  - regression when q < alpha and ratio >= 1 + t; improvement when
 *    q < alpha and ratio <= 1 / (1 + t) (symmetric in log scale, so
 *    swapping BASE and NEW swaps the two; the threshold is the smallest
 *    change that counts, so a change of exactly t counts);
 *  - unchanged when the CI of the ratio lies within [1 / (1 + t), 1 + t]:
 *    whatever changed is smaller than the threshold;
 *  - inconclusive otherwise: the CI reaches past the threshold without a
 *    significant change beyond it (too noisy to tell).
 */
enum compare_verdict compare_verdict(size_t n_base, size_t n_new, double ratio, double lo,
				     double hi, double q, const struct compare_opts *o,
				     const char **why);
const char *compare_verdict_name(enum compare_verdict v);

/*
 * 1 if any regression; else 125 if no point got a decisive verdict; else 0.
 * With compare_opts.behave an item: 1 if it changed on a point, else 125
 * if no point could judge it, else 0.
 */
int compare_exit_status(const struct compare_result *r);

/* Warnings go into the document (text, markdown, json) or to warn_to. */
int compare_print(FILE *out, FILE *warn_to, const struct compare_result *r,
		  const struct compare_opts *o, enum compare_format f, int colour);

/*
 * The options compare, report and bisect-check share: put
 * COMPARE_LONG_OPTS in the getopt_long table and offer each option to
 * compare_opt(): 1 taken, 0 not one of them, -1 bad value (said on stderr,
 * naming cmd).
 */
#define COMPARE_LONG_OPTS							\
	{ "threshold", required_argument, NULL, 't' },				\
	{ "alpha", required_argument, NULL, 'a' },				\
	{ "min-samples", required_argument, NULL, 'm' },			\
	{ "only", required_argument, NULL, 'O' },				\
	{ "ignore", required_argument, NULL, 'i' },				\
	{ "metric", required_argument, NULL, 'M' }
int compare_opt(int c, const char *arg, const char *cmd, struct compare_opts *o);
/* enum compare_format by name, -1 if none. */
int compare_format_parse(const char *name);

int compare_main(int argc, char **argv);

#endif
