/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-op kernel counters through libperf: software events, tracepoints
 * and (where the machine has a PMU) hardware events, counted for the
 * calling thread, kernel work included, and only inside the timed windows
 * (opwin_begin()/opwin_end() enable and disable them).
 *
 * Library-style: 0 or -errno, nothing printed. The state is per thread:
 * a thread counts only what perf_open() opened in it.
 */
#ifndef GUPBENCH_PERF_H
#define GUPBENCH_PERF_H

#include <stddef.h>
#include <stdint.h>

/* The counters, in CSV column order (runners/csv.c names the columns). */
enum perf_ctr {
	PERF_CTR_PAGE_FAULTS,		/* software page-faults */
	PERF_CTR_CTX_SWITCHES,		/* software context-switches */
	PERF_CTR_CPU_MIGRATIONS,	/* software cpu-migrations */
	PERF_CTR_TASK_CLOCK,		/* software task-clock, ns */
	PERF_CTR_PAGE_ALLOCS,		/* kmem:mm_page_alloc */
	PERF_CTR_MMAP_LOCKS,		/* mmap_lock:mmap_lock_start_locking */
	PERF_CTR_MIGRATE_PAGES,		/* migrate:mm_migrate_pages */
	PERF_CTR_CYCLES,		/* hardware cycles */
	PERF_CTR_INSTRUCTIONS,		/* hardware instructions */
	PERF_CTR_NR,
};

/* What one counter's value in a sample is. Zero-initialised: not measured. */
enum perf_state {
	PERF_NOT_MEASURED,	/* no value: not opened (no permission), no window, error row */
	PERF_MEASURED,		/* v is the count over the op's windows */
	PERF_UNSUPPORTED,	/* this machine or kernel cannot count it */
};

/* Windows of up to this many ops are told apart (opwin_begin_op()). */
#define PERF_MAX_SLOTS 4

/* One op's counts, as a sample carries them. */
struct perf_counts {
	int64_t v[PERF_CTR_NR];
	uint8_t state[PERF_CTR_NR];	/* enum perf_state */
};

/* "page-faults", "kmem:mm_page_alloc", ... */
const char *perf_ctr_name(int ctr);
/* "software", "tracepoint" or "hardware". */
const char *perf_ctr_kind(int ctr);

/*
 * Open every counter for the calling thread (disabled) and hook them
 * into opwin_begin()/opwin_end(). Counters that cannot open say why in
 * perf_ctr_state(). Returns 0 if at least one counter is live, else the
 * first counter's -errno (-EACCES without root). Call again after fork()
 * in a child that wants its own counters: the parent's are dropped.
 */
int perf_open(void);
/* Close the calling thread's counters. */
void perf_close(void);
/*
 * Is the counter live in this thread? PERF_MEASURED if so, else
 * PERF_UNSUPPORTED or PERF_NOT_MEASURED with the reason in why.
 */
enum perf_state perf_ctr_state(int ctr, char *why, size_t len);

/* Start an op: what is counted from here on is this op's. */
void perf_op_start(void);
/*
 * The counts of the windows opened with slot op (opwin_begin_op(); plain
 * opwin_begin() is slot 0) since perf_op_start(). A slot without windows,
 * or a hardware group the PMU multiplexed, reads as PERF_NOT_MEASURED.
 */
void perf_op_read(int op, struct perf_counts *out);

/* Text of a counts cell: the number, "unsupported", or "" (not measured). */
const char *perf_counts_cell(const struct perf_counts *c, int ctr, char *tmp, size_t len);

#endif
