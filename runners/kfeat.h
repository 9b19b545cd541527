/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the running kernel offers that scenarios and tests lean on, found
 * by trying it where it can be tried (a read fault, then pagemap), never
 * assumed from the version. One table: `gupbench probe`, `gupbench list`,
 * meta's [probe] section and the tests all read the same answers.
 */
#ifndef GUPBENCH_KFEAT_H
#define GUPBENCH_KFEAT_H

#include <stddef.h>
#include <stdio.h>

enum kfeat_id {
	KF_ZERO_PAGE,		/* a private anon read fault maps the shared zero page */
	KF_HUGE_ZERO_PAGE,	/* a PMD-sized one maps the huge zero page */
	KF_PFNS,		/* pagemap shows PFNs and kpageflags reads (orders, zero pages) */
	KF_THP_PMD,		/* PMD-order anonymous THP can be had */
	KF_HUGETLB_2M,		/* a 2 MiB hugetlb pool exists */
	KF_HUGETLB_1G,
	KF_NUMA,		/* more than one node with memory */
	KF_GUP_TEST,		/* CONFIG_GUP_TEST's debugfs file opens */
	KF_NR
};

/* yes, no, or unknown (the probe could not tell, and why) */
enum kfeat_answer { KF_UNKNOWN = -1, KF_NO = 0, KF_YES = 1 };

struct kfeat {
	int have;		/* enum kfeat_answer */
	char why[192];		/* how it was found, or why not */
};

/* The answer for one feature: probed on first use, then remembered. */
const struct kfeat *kfeat_get(enum kfeat_id id);
const char *kfeat_name(enum kfeat_id id);
/* "yes", "no" or "unknown" */
const char *kfeat_answer_name(int have);
/* "key = yes: why" lines, one per feature */
void kfeat_dump(FILE *f);

/*
 * The pure part of the zero-page probe, for unit tests: n pagemap entries
 * of pages that were only read-faulted, and their kpageflags (NULL when
 * PFNs are hidden). KF_YES if every page is the zero page.
 */
int kfeat_zero_verdict(const unsigned long long *pm, const unsigned long long *kpf, size_t n,
		       char *why, size_t len);

#endif
