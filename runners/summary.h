/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GUPBENCH_SUMMARY_H
#define GUPBENCH_SUMMARY_H

int summary_main(int argc, char **argv);

#endif
