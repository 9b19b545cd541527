/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GUP's share of an I/O, from a run's fio rows (fioshare.c): pairs of
 * points that differ only in fixedbufs, for summary, report and a chart.
 */
#ifndef GUPBENCH_FIOSHARE_H
#define GUPBENCH_FIOSHARE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct fio_share_line {
	char engine[16], rw[16], backing[16], target[128];
	int order, iodepth;
	uint64_t bs;
	size_t n[2];			/* ok samples: fixedbufs off, on */
	double cpu[2], lat[2], pins[2];	/* medians per I/O: on-CPU ns, latency ns, pins */
};

struct fio_share {
	struct fio_share_line *line;
	size_t n;
};

/* 0 (no fio rows: n = 0), or -errno with err. */
int fio_share_load(struct fio_share *fs, const char *results_csv, char *err, size_t len);
void fio_share_free(struct fio_share *fs);
void fio_share_text(FILE *f, const struct fio_share *fs);
void fio_share_md(FILE *f, const struct fio_share *fs);
int fio_share_write_csv(const struct fio_share *fs, FILE *f);
/* outdir/fio-share.{dat,png,svg}; 0 when there is nothing to draw. */
int fio_share_plot(const struct fio_share *fs, const char *outdir, char *err, size_t len);

#endif
