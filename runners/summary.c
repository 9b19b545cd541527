// SPDX-License-Identifier: GPL-2.0
/*
 * `gupbench summary DIR`: one line per scenario point and op, medians and
 * quartiles of ns per 4 KiB page over the status=ok samples, and how many
 * rows were not aggregated and why. Plain text that fits a mail.
 */
#include <inttypes.h>
#include <stdio.h>

#include "agg.h"
#include "summary.h"
#include "util.h"

int summary_main(int argc, char **argv)
{
	char path[4200], err[512], sz[32];
	struct agg a;

	if (argc != 2) {
		fprintf(stderr, "usage: gupbench summary RUN_DIR\n");
		return 2;
	}
	fmt(path, sizeof(path), "%s/results.csv", argv[1]);
	if (agg_load(&a, path, err, sizeof(err))) {
		fprintf(stderr, "gupbench: %s\n", err);
		return 1;
	}
	printf("%-9s %-14s %-11s %5s %4s %6s %4s %10s %10s %10s\n", "op", "method", "backing",
	       "order", "zero", "size", "n", "ns/page", "p25", "p75");
	for (size_t i = 0; i < a.n; i++) {
		const struct agg_group *g = &a.g[i];

		size_format(g->size, sz, sizeof(sz));
		printf("%-9s %-14s %-11s %5d %4g %6s %4zu %10.2f %10.2f %10.2f\n", g->op, g->method,
		       g->backing, g->order, g->zero, sz, g->n, g->median, g->p25, g->p75);
	}
	printf("(median and quartiles of status=ok samples; not aggregated: %zu warmup, %zu skip, "
	       "%zu error, %zu interrupted rows)\n", a.warmup, a.skipped, a.errors, a.interrupted);
	agg_free(&a);
	return 0;
}
