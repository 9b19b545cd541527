// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "util.h"

/* A cell longer than this is not a gupbench CSV (a note is a few hundred bytes). */
#define CELL_MAX (1u << 20)

static void fields_free(char **fields, size_t nf)
{
	for (size_t i = 0; i < nf; i++)
		free(fields[i]);
	free(fields);
}

/*
 * Split one record; returns the number of fields, -1 on an open quote,
 * -2 on a cell over CELL_MAX, -3 out of memory.
 */
static int parse_record(FILE *f, char ***out, int *lines)
{
	size_t cap = 256, len = 0, nf = 0;
	char *cell = malloc(cap), **fields = NULL;
	int c, quoted = 0, any = 0;

	if (!cell)
		return -3;
	for (;;) {
		c = fgetc(f);
		if (c == EOF && !any) {
			free(cell);
			*out = NULL;
			return 0;
		}
		any = 1;
		if (quoted) {
			if (c == EOF) {
				free(cell);
				fields_free(fields, nf);
				return -1;
			}
			if (c == '"') {
				int d = fgetc(f);

				if (d == '"') {
					c = '"';
				} else {
					quoted = 0;
					ungetc(d, f);
					continue;
				}
			} else if (c == '\n') {
				(*lines)++;
			}
		} else if (c == '"' && len == 0) {
			quoted = 1;
			continue;
		} else if (c == ',' || c == '\n' || c == EOF) {
			char **nfields = realloc(fields, (nf + 1) * sizeof(*fields));

			cell[len] = '\0';
			if (!nfields || !(nfields[nf] = strdup(cell))) {
				free(cell);
				fields_free(nfields ? nfields : fields, nf);
				return -3;
			}
			fields = nfields;
			nf++;
			len = 0;
			if (c != ',') {
				(*lines)++;
				break;
			}
			continue;
		} else if (c == '\r') {
			continue;
		}
		if (len + 2 > cap) {
			char *ncell = cap >= CELL_MAX ? NULL : realloc(cell, cap * 2);

			if (!ncell) {
				free(cell);
				fields_free(fields, nf);
				return cap >= CELL_MAX ? -2 : -3;
			}
			cell = ncell;
			cap *= 2;
		}
		cell[len++] = (char)c;
	}
	free(cell);
	*out = fields;
	return (int)nf;
}

static int grow_row(char ***rec, size_t n, size_t ncols)
{
	size_t want = ncols > n ? ncols : n;
	char **r = realloc(*rec, (want ? want : 1) * sizeof(**rec));

	if (!r)
		return -ENOMEM;
	*rec = r;
	for (size_t i = n; i < ncols; i++)
		if (!(r[i] = strdup("")))
			return -ENOMEM;
	for (size_t i = ncols; i < n; i++)
		free(r[i]);
	return 0;
}

int csv_table_load(struct csv_table *t, const char *path, char *err, size_t len)
{
	/* O_NONBLOCK: a FIFO planted as results.csv must not hang us before fstat */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), line = 0, n;
	struct stat st;
	char **rec;
	FILE *f;

	memset(t, 0, sizeof(*t));
	if (fd < 0) {
		fmt(err, len, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		fmt(err, len, "%s: not a regular file: refused", path);
		close(fd);
		return -EINVAL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	n = parse_record(f, &t->head, &line);
	if (n <= 0) {
		fmt(err, len, "%s:1: %s", path, n == -2 ? "a cell over 1 MiB: not a gupbench CSV" :
		    n == -3 ? "out of memory" : "no header");
		fclose(f);
		return n == -3 ? -ENOMEM : -EINVAL;
	}
	t->ncols = (size_t)n;
	for (int start = line + 1; (n = parse_record(f, &rec, &line)) != 0; start = line + 1) {
		char ***rows;

		if (n == -1) {
			/* only the last row can be open at EOF: a run killed mid-write */
			t->torn_line = start;
			fprintf(stderr, "gupbench: %s:%d: last row torn inside a quoted cell (a killed "
				"run?): that row is left out\n", path, t->torn_line);
			break;
		}
		if (n < 0) {
			fmt(err, len, "%s:%d: %s", path, start, n == -2 ?
			    "a cell over 1 MiB: not a gupbench CSV" : "out of memory");
			fclose(f);
			csv_table_free(t);
			return n == -3 ? -ENOMEM : -EINVAL;
		}
		if (n == 1 && !rec[0][0]) {	/* blank line */
			free(rec[0]);
			free(rec);
			continue;
		}
		/* a short row (a torn last line) gets empty cells, never garbage */
		rows = realloc(t->rows, (t->nrows + 1) * sizeof(*t->rows));
		if (!rows || grow_row(&rec, (size_t)n, t->ncols)) {
			if (rows)
				t->rows = rows;
			fmt(err, len, "%s:%d: out of memory", path, line);
			fclose(f);
			csv_table_free(t);
			return -ENOMEM;
		}
		t->rows = rows;
		t->rows[t->nrows++] = rec;
	}
	fclose(f);
	return 0;
}

int csv_table_col(const struct csv_table *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (!strcmp(t->head[i], name))
			return (int)i;
	return -1;
}

void csv_table_free(struct csv_table *t)
{
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t i = 0; i < t->ncols; i++)
			free(t->rows[r][i]);
		free(t->rows[r]);
	}
	for (size_t i = 0; i < t->ncols; i++)
		free(t->head[i]);
	free(t->rows);
	free(t->head);
	memset(t, 0, sizeof(*t));
}
