/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GUPBENCH_WORKER_H
#define GUPBENCH_WORKER_H

/*
 * Exit codes of `gupbench __worker`: 0 every sample ran (some may be error
 * rows), 2 bad arguments, 3 the scenario failed and said why in its rows.
 * Anything else (a signal, another code) is a crash the runner reports.
 */
#define WORKER_EXIT_USAGE 2
#define WORKER_EXIT_FAILED 3

int worker_main(int argc, char **argv);

#endif
