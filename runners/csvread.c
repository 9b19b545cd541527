// SPDX-License-Identifier: GPL-2.0
/*
 * A CSV file read whole into one buffer and split in place: a quoted cell
 * is unquoted where it lies (its text only ever gets shorter), each cell
 * ends in a NUL where its delimiter was, and the table's cells point into
 * the buffer. One read, no allocation per cell: a million-row results.csv
 * is the file's size plus a pointer a cell.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvread.h"
#include "util.h"

/* A cell longer than this is not a gupbench CSV (a note is a few hundred bytes). */
#define CELL_MAX (1u << 20)

static char empty_cell[1] = "";

static size_t count_lines(const char *from, const char *to)
{
	size_t n = 0;

	for (; from < to; from++)
		n += *from == '\n';
	return n;
}

/* The cells so far, one after another, and where each record starts. */
struct cellvec {
	char **v;
	size_t n, cap;
};

static int cell_push(struct cellvec *c, char *s)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 1024;
		char **grown = realloc(c->v, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		c->v = grown;
		c->cap = cap;
	}
	c->v[c->n++] = s;
	return 0;
}

enum { REC_OK, REC_END, REC_TORN, REC_LONG, REC_NOMEM };

/*
 * One record from *pp (up to end), unquoted in place; its cells pushed on
 * c. *lines counts the newlines passed, quoted ones too.
 */
static int parse_record(char **pp, char *end, struct cellvec *c, size_t *nf, int *lines)
{
	char *p = *pp, *w = p, *cell = p, delim;

	*nf = 0;
	if (p >= end)
		return REC_END;
	for (;;) {
		if (p < end && *p == '"' && w == cell) {
			/* quoted: "" is one quote, the rest as it is, newlines too */
			for (p++;;) {
				if (p >= end) {
					*pp = p;
					return REC_TORN;
				}
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"') {
						*w++ = '"';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				if (*p == '\n')
					(*lines)++;
				*w++ = *p++;
			}
		}
		while (p < end && *p != ',' && *p != '\n') {
			if (*p != '\r')
				*w++ = *p;
			p++;
		}
		if ((size_t)(w - cell) > CELL_MAX)
			return REC_LONG;
		delim = p < end ? *p : '\n';
		/* the delimiter's byte (or the one past the end) becomes the NUL */
		*w = '\0';
		if (cell_push(c, cell))
			return REC_NOMEM;
		(*nf)++;
		if (delim == '\n') {
			(*lines)++;
			*pp = p + 1;
			return REC_OK;
		}
		p++;
		cell = w = p;
	}
}

/* The whole file, NUL-terminated with room for one more byte; *got: its length. */
static int read_all(int fd, size_t size, char **out, size_t *gotp)
{
	char *buf = malloc(size + 2);
	size_t got = 0;

	if (!buf)
		return -ENOMEM;
	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return -errno;
		}
		if (n == 0)
			break;	/* shorter than fstat said: a file still being written */
		got += (size_t)n;
	}
	buf[got] = buf[got + 1] = '\0';
	*out = buf;
	*gotp = got;
	return 0;
}

int csv_table_load(struct csv_table *t, const char *path, char *err, size_t len)
{
	/* O_NONBLOCK: a FIFO planted as results.csv must not hang us before fstat */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), line = 0, ret;
	struct cellvec c = { 0 };
	struct stat st;
	char *p, *end;
	size_t nf, *start = NULL, nstart = 0, capstart = 0, size = 0;

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
	if ((uint64_t)st.st_size > SIZE_MAX / 4) {
		fmt(err, len, "%s: %lld bytes: more than this machine can hold", path,
		    (long long)st.st_size);
		close(fd);
		return -EFBIG;
	}
	ret = read_all(fd, (size_t)st.st_size, &t->buf, &size);
	close(fd);
	if (ret) {
		fmt(err, len, "%s: %s", path, strerror(-ret));
		return ret;
	}
	if (memchr(t->buf, '\0', size)) {
		fmt(err, len, "%s:%zu: a NUL byte: not a gupbench CSV", path,
		    (size_t)1 + (size_t)count_lines(t->buf, (char *)memchr(t->buf, '\0', size)));
		csv_table_free(t);
		return -EINVAL;
	}
	p = t->buf;
	end = p + size;

	ret = parse_record(&p, end, &c, &nf, &line);
	if (ret != REC_OK || !nf) {
		fmt(err, len, "%s:1: %s", path, ret == REC_LONG ? "a cell over 1 MiB: not a "
		    "gupbench CSV" : ret == REC_NOMEM ? "out of memory" : "no header");
		free(c.v);
		csv_table_free(t);
		return ret == REC_NOMEM ? -ENOMEM : -EINVAL;
	}
	t->ncols = nf;
	for (;;) {
		int first = line + 1;
		size_t before = c.n;

		ret = parse_record(&p, end, &c, &nf, &line);
		if (ret == REC_END)
			break;
		if (ret == REC_TORN) {
			/* only the last row can be open at EOF: a run killed mid-write */
			t->torn_line = first;
			fprintf(stderr, "gupbench: %s:%d: last row torn inside a quoted cell (a killed "
				"run?): that row is left out\n", path, t->torn_line);
			c.n = before;
			break;
		}
		if (ret != REC_OK) {
			fmt(err, len, "%s:%d: %s", path, first, ret == REC_LONG ?
			    "a cell over 1 MiB: not a gupbench CSV" : "out of memory");
			free(c.v);
			free(start);
			csv_table_free(t);
			return ret == REC_NOMEM ? -ENOMEM : -EINVAL;
		}
		if (nf == 1 && !c.v[before][0]) {	/* blank line */
			c.n = before;
			continue;
		}
		/* a short row (a torn last line) gets empty cells, never garbage; extra ones go */
		for (; nf < t->ncols; nf++)
			if (cell_push(&c, empty_cell))
				ret = REC_NOMEM;
		c.n = before + t->ncols;
		if (nstart == capstart) {
			size_t cap = capstart ? 2 * capstart : 1024;
			size_t *grown = realloc(start, cap * sizeof(*grown));

			if (!grown)
				ret = REC_NOMEM;
			else
				start = grown, capstart = cap;
		}
		if (ret != REC_OK) {
			fmt(err, len, "%s:%d: out of memory", path, first);
			free(c.v);
			free(start);
			csv_table_free(t);
			return -ENOMEM;
		}
		start[nstart++] = before;
	}
	/* the cells are all in: now their addresses hold still */
	t->cells = c.v;
	t->head = c.v;
	t->nrows = nstart;
	t->rows = malloc((nstart ? nstart : 1) * sizeof(*t->rows));
	if (!t->rows) {
		fmt(err, len, "%s: out of memory", path);
		free(start);
		csv_table_free(t);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nstart; i++)
		t->rows[i] = c.v + start[i];
	free(start);
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
	free(t->rows);
	free(t->cells);
	free(t->buf);
	memset(t, 0, sizeof(*t));
}
