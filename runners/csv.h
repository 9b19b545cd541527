/* SPDX-License-Identifier: GPL-2.0 */
/*
 * results.csv: one row per sample. The columns live in one table
 * (csv.c); the first column of every row is the schema version, so a
 * reader can tell which table wrote it. Rows are flushed as written.
 */
#ifndef GUPBENCH_CSV_H
#define GUPBENCH_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "clock.h"
#include "method.h"
#include "sample.h"
#include "scenario.h"

/*
 * 3: clock (before: the timer, now `timer`) says what a ns is; cpu_ns (was
 * c_task_clock_ns) and offcpu_ns beside ns; run, the round of the matrix.
 */
#define CSV_SCHEMA 3

struct csv_row {
	unsigned int scenario;		/* index in the run's matrix */
	unsigned int run;		/* round of the matrix, 0.. */
	const struct run_clock *clock;	/* NULL: real */
	const struct scenario *sc;
	const struct method *m;
	const struct sample *s;
};

struct csv {
	FILE *f;
	unsigned long rows;
};

int csv_open(struct csv *c, const char *path);
/* Write and flush one row. 0 or -errno. */
int csv_row_write(struct csv *c, const struct csv_row *r);
int csv_close(struct csv *c);

size_t csv_col_count(void);
const char *csv_col_name(size_t i);
const char *csv_col_help(size_t i);
/* One cell as text, before CSV quoting. */
void csv_cell(size_t col, const struct csv_row *r, char *dst, size_t len);
/* Write s to f quoted as RFC 4180 needs. */
void csv_quote(FILE *f, const char *s);

#endif
