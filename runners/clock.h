/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a run's nanoseconds are: the machine's real clock, or, in a
 * `gupbench vm` guest booted with QEMU's instruction counter (-icount
 * shift=S), virtual time that advances 2^S ns per guest instruction. The
 * host says which by adding gupbench.clock=icount:S to the guest's kernel
 * command line (runners/vm.c); a guest cannot tell on its own.
 *
 * Under icount two boots of one kernel run the same instructions and read
 * the same clock: samples repeat exactly, and the on-CPU time (cpu_ns) is
 * a count of the work. Elapsed time (ns) still holds the guest's idle
 * waits, which icount skips to the next timer deadline (sleep=off).
 */
#ifndef GUPBENCH_CLOCK_H
#define GUPBENCH_CLOCK_H

#include <stddef.h>

struct run_clock {
	int icount;		/* 1: QEMU's instruction counter */
	int shift;		/* icount: 2^shift virtual ns per instruction */
	char cell[32];		/* results.csv `clock`: "real", "icount shift=0" */
	char unit[96];		/* what one ns of this clock is, in words */
	char source[128];	/* how it was found */
};

/* The clock a kernel command line (the text of /proc/cmdline) says. 0, or -EINVAL with why. */
int run_clock_parse(const char *cmdline, struct run_clock *c, char *why, size_t len);
/*
 * This machine's clock, from /proc/cmdline; real if that cannot be read.
 * -EINVAL for a gupbench.clock= it cannot parse: c is real, source says why.
 */
int run_clock_detect(struct run_clock *c);
/* The cell of a clock: "real" or "icount shift=S". */
void run_clock_cell(int icount, int shift, char *dst, size_t len);

#endif
