/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A run's samples grouped per scenario point and op: the status=ok rows of
 * results.csv as ns per 4 KiB page, with their median and quartiles.
 * Warm-up, skip and error rows are not aggregated (the CSV keeps them, and
 * agg counts them so a summary can say how many were left out and why).
 */
#ifndef GUPBENCH_AGG_H
#define GUPBENCH_AGG_H

#include <stddef.h>
#include <stdint.h>

struct agg_group {
	char op[16];
	char method[32];
	char backing[16];
	int threads;		/* lanes */
	char share[16];
	char vkey[256];		/* the other point keys (point.h), "k=v k=v": groups apart */
	char variant[160];	/* those of them that vary within the run: the label */
	int order;		/* asked */
	double zero;		/* asked */
	uint64_t size;
	double *v;		/* ns per page, sorted */
	size_t n, vcap;
	double median, p25, p75;
	double *rate;		/* per round: threads*pages per second (thread 0's row) */
	size_t nrate, ratecap;
	double rate_median, rate_p25, rate_p75;
	/* ok rows of a pinning op (ref=pin; pin, pin+unpin) with an exact
	 * nr_foll_pin count, and those in which the kernel counted no pin for
	 * pages that were not the shared zero page (FOLL_GET on this kernel) */
	size_t pin_rows, pin_none;
	/* ok rows whose buffer was not what was asked (results.csv mismatch),
	 * and those of them short of zero pages */
	size_t mismatch, mismatch_zero;
};

struct agg {
	struct agg_group *g;	/* sorted: op, method, backing, order, zero, size, share, threads */
	size_t n;
	size_t warmup, skipped, errors, interrupted;
	size_t bad_ns;		/* ok rows left out: ns not a number >= 0 */
};

int agg_load(struct agg *a, const char *results_csv, char *err, size_t len);
void agg_free(struct agg *a);

#endif
