/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A C face for Google Benchmark, which has only a C++ API.
 *
 * Google Benchmark owns the timing loop, the repetitions and the
 * aggregates (mean, median, stddev, cv) and writes its JSON (with its
 * context) for compare.py. The C side owns what one iteration is: it
 * times exactly one operation itself and hands the time back, so the
 * benchmark runs with manual time, one iteration per repetition, and every
 * repetition is one sample.
 */
#ifndef GUPBENCH_GBSHIM_H
#define GUPBENCH_GBSHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * One timed iteration: run the operation once, store its duration in *ns.
 * Return 0, or -errno with a reason in why: the benchmark then stops with
 * that error (Google Benchmark's SkipWithError) and the remaining
 * repetitions are not run.
 */
typedef int (*gbshim_iter_fn)(void *arg, uint64_t *ns, char *why, size_t len);

struct gbshim_case {
	const char *name;	/* benchmark name, unique in the run */
	gbshim_iter_fn iter;
	void *arg;
	int repetitions;	/* samples; each is one iteration */
};

/* Extra key/value pairs for the JSON "context" (kernel, scenario...). */
void gbshim_context(const char *key, const char *value);

/*
 * Run the cases in order and write Google Benchmark's JSON to json_path.
 * Nothing is printed on stdout. Returns 0 or -errno (+why) if Google
 * Benchmark could not be set up; a failing case is not an error here
 * (its iter() already reported it).
 */
int gbshim_run(const struct gbshim_case *cases, size_t n, const char *json_path,
	       char *why, size_t len);

/* "1.7.1": the library version the JSON comes from, for meta. */
const char *gbshim_version(void);

#ifdef __cplusplus
}
#endif

#endif
