/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One measured (or skipped, or failed) sample, as the worker sends it to
 * the runner: a fixed-size record written whole to a pipe (smaller than
 * PIPE_BUF, so each write is atomic). The runner adds the scenario
 * columns and writes the CSV row at once, so a worker that dies loses
 * nothing it already measured.
 */
#ifndef GUPBENCH_SAMPLE_H
#define GUPBENCH_SAMPLE_H

#include <stdint.h>

#include "buf.h"
#include "perf.h"

enum sample_status {
	SAMPLE_OK,
	SAMPLE_WARMUP,		/* measured, but before Google Benchmark's repetitions */
	SAMPLE_SKIP,		/* the method cannot run here: reason says why */
	SAMPLE_ERROR,		/* the op or the worker failed: reason says how */
	SAMPLE_INTERRUPTED,	/* SIGINT/SIGTERM stopped the scenario here */
};

/* A workload sample (fio): what the workload itself reported, per I/O. */
struct sample_io {
	uint64_t ios;		/* I/Os done, both directions */
	double iops;
	double clat_p50_ns, clat_p99_ns;	/* completion latency percentiles */
	double usr_ns, sys_ns;	/* the job's usr and sys CPU time per I/O */
	double faults;		/* the job thread's page faults (minor + major) per I/O */
	double allocs;		/* page allocations per I/O, machine-wide (vmstat pgalloc_*) */
};

struct sample {
	char op[16];		/* pin, unpin, pin+unpin */
	int rep;		/* 0.. within the op and status */
	int status;		/* enum sample_status */
	uint64_t ns;		/* duration of the op alone */
	int kernel_timed;	/* ns came from the kernel (usec resolution) */
	uint64_t pages;		/* 4 KiB pages the op covered */
	int64_t pins_acquired;	/* nr_foll_pin_acquired delta around the op */
	int64_t pins_released;	/* nr_foll_pin_released delta around the op */
	int pins_exact;		/* per-CPU deltas were folded before reading */
	int fresh;		/* the buffer was built anew for this sample */
	int thread;		/* lane (thread) that ran the op, 0.. */
	int threads;		/* lanes in the round */
	int cpu_bound;		/* CPU the lane was bound to, -1 unbound */
	int cpu_start;		/* CPU at the start and the end of the op */
	int cpu_end;
	uint64_t round_ns;	/* threads > 1: the round's makespan (slowest lane) */
	struct perf_counts cnt;	/* kernel counters over the op's timed windows */
	struct buf_got got;	/* what the buffer really was */
	struct sample_io io;	/* SHAPE_WORKLOAD rows: the workload's numbers (ios 0: none) */
	char reason[200];
	char note[160];
};

_Static_assert(sizeof(struct sample) < 4096, "a sample must fit in PIPE_BUF");

const char *sample_status_name(int status);

#endif
