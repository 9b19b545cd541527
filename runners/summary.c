// SPDX-License-Identifier: GPL-2.0
/*
 * `gupbench summary DIR`: one line per scenario point and op, medians and
 * quartiles of ns per 4 KiB page over the status=ok samples, and how many
 * rows were not aggregated and why. Plain text that fits a mail.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "agg.h"
#include "fioshare.h"
#include "summary.h"
#include "util.h"

/* Same point of the matrix but for threads and share. */
static int same_point(const struct agg_group *a, const struct agg_group *b)
{
	return !strcmp(a->op, b->op) && !strcmp(a->method, b->method) &&
	       !strcmp(a->vkey, b->vkey) &&
	       !strcmp(a->backing, b->backing) && a->order == b->order && a->zero == b->zero &&
	       a->size == b->size;
}

/*
 * Will-it-scale style: aggregate pages per second of a round (all threads'
 * pages over the slowest thread's time), median over rounds, and the
 * efficiency against the one-thread run of the same point:
 * rate(N) / (N * rate(1)), 1.0 being perfect scaling.
 */
static void scaling(const struct agg *a)
{
	int header = 0;

	for (size_t i = 0; i < a->n; i++) {
		const struct agg_group *g = &a->g[i], *one = NULL;
		char sz[32], eff[32] = "-";

		if (g->threads < 2 || !g->nrate)
			continue;
		for (size_t k = 0; k < a->n; k++)
			if (same_point(&a->g[k], g) && a->g[k].threads == 1 && a->g[k].nrate)
				one = &a->g[k];
		if (!header) {
			printf("\nScaling (aggregate pages/s per round, median; efficiency = rate / (threads x 1-thread rate)):\n");
			printf("%-9s %-14s %-11s %5s %4s %6s %-7s %7s %14s %14s %6s\n", "op", "method",
			       "backing", "order", "zero", "size", "share", "threads", "pages/s",
			       "1-thread", "eff");
			header = 1;
		}
		if (one)
			fmt(eff, sizeof(eff), "%.2f", g->rate_median / (g->threads * one->rate_median));
		size_format(g->size, sz, sizeof(sz));
		printf("%-9s %-14s %-11s %5d %4g %6s %-7s %7d %14.0f %14.0f %6s\n", g->op, g->method,
		       g->backing, g->order, g->zero, sz, g->share, g->threads, g->rate_median,
		       one ? one->rate_median : 0.0, eff);
	}
}

/* Points whose path should pin but whose kernel counted no pins. */
static void pins_not_counted(const struct agg *a)
{
	int header = 0;

	for (size_t i = 0; i < a->n; i++) {
		const struct agg_group *g = &a->g[i];
		char sz[32];

		if (!g->pin_none)
			continue;
		if (!header) {
			printf("\nNo FOLL_PIN counted (nr_foll_pin_acquired) for pages other than the "
			       "zero page:\nthis kernel took these references another way (FOLL_GET "
			       "on older kernels).\n");
			header = 1;
		}
		size_format(g->size, sz, sizeof(sz));
		printf("  %-9s %-14s %-11s order %d zero %g %6s: %zu of %zu samples\n", g->op,
		       g->method, g->backing, g->order, g->zero, sz, g->pin_none, g->pin_rows);
	}
}

int summary_main(int argc, char **argv)
{
	char path[4200], err[512], sz[32];
	size_t mismatched = 0;
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
	printf("%-14s %-28s %-11s %5s %4s %6s %3s %-7s %4s %10s %10s %10s\n", "op", "method",
	       "backing", "order", "zero", "size", "thr", "share", "n", "ns/page", "p25", "p75");
	for (size_t i = 0; i < a.n; i++) {
		const struct agg_group *g = &a.g[i];

		size_format(g->size, sz, sizeof(sz));
		char mname[80];

		if (g->variant[0])
			fmt(mname, sizeof(mname), "%s/%s", g->method, g->variant);
		else
			fmt(mname, sizeof(mname), "%s", g->method);
		printf("%-14s %-28s %-11s %5d %4g %6s %3d %-7s %4zu %10.2f %10.2f %10.2f%s\n", g->op,
		       mname, g->backing, g->order, g->zero, sz, g->threads, g->share, g->n,
		       g->median, g->p25, g->p75, g->mismatch ? " !" : "");
		mismatched += !!g->mismatch;
	}
	if (mismatched)
		printf("! %zu points measured other memory than asked in some samples (zero pages, "
		       "order or node: see results.csv mismatch)\n", mismatched);
	scaling(&a);
	pins_not_counted(&a);
	{
		struct fio_share fs;

		if (!fio_share_load(&fs, path, err, sizeof(err)))
			fio_share_text(stdout, &fs);
		fio_share_free(&fs);
	}
	printf("(median and quartiles of status=ok samples; not aggregated: %zu warmup, %zu skip, "
	       "%zu error, %zu interrupted rows%s)\n", a.warmup, a.skipped, a.errors, a.interrupted,
	       a.bad_ns ? "; and ok rows whose ns is not a number >= 0, below" : "");
	if (a.bad_ns)
		printf("left out: %zu ok rows whose ns is not a number >= 0\n", a.bad_ns);
	agg_free(&a);
	return 0;
}
