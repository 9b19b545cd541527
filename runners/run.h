/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GUPBENCH_RUN_H
#define GUPBENCH_RUN_H

/* argv[0] is "run"; full_argv is the whole command line, for meta. */
int run_main(int argc, char **argv, int full_argc, char **full_argv);
/* `gupbench restore DIR` */
int restore_main(int argc, char **argv);

#endif
