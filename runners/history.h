/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `gupbench history`: configs on a row of kernels under QEMU, the trend and
 * its change points (history.c, history_report.c); `gupbench kernels`:
 * the Debian kernels it can boot (scripts/kernels.sh).
 */
#ifndef GUPBENCH_HISTORY_H
#define GUPBENCH_HISTORY_H

int history_main(int argc, char **argv);
int kernels_main(int argc, char **argv);

#endif
