/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /proc/vmstat counters. Per-CPU counter deltas are folded into the global
 * numbers lazily; vmstat_refresh() asks the kernel to fold them now
 * (/proc/sys/vm/stat_refresh, root only) so that a delta around one op is
 * exact. Without root the deltas can lag by up to the per-CPU threshold,
 * and vmstat_exact() says so.
 */
#ifndef GUPBENCH_VMSTAT_H
#define GUPBENCH_VMSTAT_H

#include <stdint.h>

/*
 * Counters gupbench records around every scenario: pins, THP outcomes,
 * faults, and page movement behind our back (migration, NUMA balancing,
 * compaction stalls, reclaim, swap-out).
 */
#define VMSTAT_COUNTERS(X)		\
	X(nr_foll_pin_acquired)		\
	X(nr_foll_pin_released)		\
	X(thp_fault_alloc)		\
	X(thp_fault_fallback)		\
	X(thp_fault_fallback_charge)	\
	X(thp_split_page)		\
	X(thp_split_pmd)		\
	X(thp_zero_page_alloc)		\
	X(thp_collapse_alloc)		\
	X(pgfault)			\
	X(pgmigrate_success)		\
	X(numa_pages_migrated)		\
	X(compact_stall)		\
	X(pgsteal_kswapd)		\
	X(pgsteal_direct)		\
	X(pswpout)

enum vmstat_id {
#define X(n) VM_##n,
	VMSTAT_COUNTERS(X)
#undef X
	VM_NR
};

struct vmstat {
	int64_t v[VM_NR];
	uint32_t have;		/* bit i set: counter i exists on this kernel */
};

/* Fold per-CPU deltas (best effort); 0 or -errno. */
int vmstat_refresh(void);
/* 1 if vmstat_refresh() works here (the deltas are exact). */
int vmstat_exact(void);
/* Read the counters (after a refresh if refresh is set). 0 or -errno. */
int vmstat_read(struct vmstat *s, int refresh);
const char *vmstat_name(enum vmstat_id id);

#endif
