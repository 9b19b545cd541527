/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GUPBENCH_GBJSON_H
#define GUPBENCH_GBJSON_H

#include <stddef.h>

/*
 * Merge the per-scenario Google Benchmark JSON files of a run (one per
 * worker, DIR/gbench/NNNN.json) into one file that Google Benchmark's
 * compare.py reads: the first file's context, every file's benchmarks.
 * A file a crashed worker left unfinished is left out and named in err
 * (return 1); 0 when all merged; -errno on failure.
 */
int gbjson_merge(const char *dir, const char *out, char *err, size_t len);

#endif
