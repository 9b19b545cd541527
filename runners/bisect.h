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

/*
 * `gupbench bisect`: the first bad kernel among revisions of a git tree
 * (through git bisect run) or an ordered list of images, each booted
 * under QEMU and compared with the good end's run (bisect_drive.c).
 * Exits 0 found, 125 undecided (skips), 2 usage or nothing to bisect,
 * 128 abort, 128 + N stopped by signal N.
 */
int bisect_main(int argc, char **argv);
/* `gupbench __bisect-step`: one revision under git bisect run, 0/1/125/128. */
int bisect_step_main(int argc, char **argv);

#endif
