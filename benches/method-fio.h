/* SPDX-License-Identifier: GPL-2.0 */
/* fio workloads (method-fio.c): the hooks fio runs around its I/O phase. */
#ifndef GUPBENCH_METHOD_FIO_H
#define GUPBENCH_METHOD_FIO_H

/* `gupbench __fio-mark pre|post`: the counters (and, post, fio's buffer) on stdout. */
int fio_mark_main(int argc, char **argv);

#endif
