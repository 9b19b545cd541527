/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Read a CSV file (RFC 4180 quoting) whole: the header and the rows as
 * strings, all pointing into one copy of the file. For gupbench's own
 * results.csv and scenarios.csv. The cells may be written to in place
 * (each is its own NUL-terminated string) but not freed one by one.
 */
#ifndef GUPBENCH_CSVREAD_H
#define GUPBENCH_CSVREAD_H

#include <stddef.h>

struct csv_table {
	char **head;		/* column names */
	size_t ncols;
	char ***rows;		/* rows[i][col], "" for a missing cell */
	size_t nrows;
	int torn_line;		/* >0: the last row, from this line, was torn in a quote and left out */
	char *buf;		/* the file: every cell points into it */
	char **cells;		/* head, then each row's cells */
};

/* 0, or -errno / -EINVAL with "file:line: reason" in err. */
int csv_table_load(struct csv_table *t, const char *path, char *err, size_t len);
/* Column index by name, -1 if absent. */
int csv_table_col(const struct csv_table *t, const char *name);
void csv_table_free(struct csv_table *t);

#endif
