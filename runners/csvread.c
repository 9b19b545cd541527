// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "util.h"

/* Split one record; returns the number of fields, -1 on an open quote. */
static int parse_record(FILE *f, char ***out, int *lines)
{
	size_t cap = 256, len = 0, nf = 0;
	char *cell = malloc(cap), **fields = NULL;
	int c, quoted = 0, any = 0;

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
				for (size_t i = 0; i < nf; i++)
					free(fields[i]);
				free(fields);
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
			cell[len] = '\0';
			fields = realloc(fields, (nf + 1) * sizeof(*fields));
			fields[nf++] = strdup(cell);
			len = 0;
			if (c != ',') {
				(*lines)++;
				break;
			}
			continue;
		} else if (c == '\r') {
			continue;
		}
		if (len + 2 > cap)
			cell = realloc(cell, cap *= 2);
		cell[len++] = (char)c;
	}
	free(cell);
	*out = fields;
	return (int)nf;
}

int csv_table_load(struct csv_table *t, const char *path, char *err, size_t len)
{
	FILE *f = fopen(path, "re");
	int line = 0, n;
	char **rec;

	memset(t, 0, sizeof(*t));
	if (!f) {
		fmt(err, len, "%s: %s", path, strerror(errno));
		return -errno;
	}
	n = parse_record(f, &t->head, &line);
	if (n <= 0) {
		fmt(err, len, "%s:1: no header", path);
		fclose(f);
		return -EINVAL;
	}
	t->ncols = (size_t)n;
	while ((n = parse_record(f, &rec, &line)) != 0) {
		if (n < 0) {
			fmt(err, len, "%s:%d: unterminated quote", path, line);
			fclose(f);
			csv_table_free(t);
			return -EINVAL;
		}
		if (n == 1 && !rec[0][0]) {	/* blank line */
			free(rec[0]);
			free(rec);
			continue;
		}
		/* a short row (a torn last line) gets empty cells, never garbage */
		rec = realloc(rec, (t->ncols > (size_t)n ? t->ncols : (size_t)n) * sizeof(*rec));
		for (size_t i = (size_t)n; i < t->ncols; i++)
			rec[i] = strdup("");
		for (size_t i = t->ncols; i < (size_t)n; i++)
			free(rec[i]);
		t->rows = realloc(t->rows, (t->nrows + 1) * sizeof(*t->rows));
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
