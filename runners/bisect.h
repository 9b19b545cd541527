/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GUPBENCH_BISECT_H
#define GUPBENCH_BISECT_H

/*
 * Exit codes of `gupbench bisect-check`, as `git bisect run` reads them:
 * 0 good, 1 bad, 125 skip (this revision cannot be judged), and 128 to
 * stop the bisection (the config or the baseline is broken, which no
 * revision will fix).
 */
#define BISECT_GOOD	0
#define BISECT_BAD	1
#define BISECT_SKIP	125
#define BISECT_ABORT	128

int bisect_check_main(int argc, char **argv);

#endif
