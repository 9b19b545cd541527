/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GUPBENCH_REPORT_H
#define GUPBENCH_REPORT_H

/* gupbench report [compare options] [-o OUT] BASE NEW */
int report_main(int argc, char **argv);

#endif
