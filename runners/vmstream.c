// SPDX-License-Identifier: GPL-2.0
/*
 * The run directory's way out of a QEMU guest (see vmstream.h): the guest
 * sends what each file gained since the last sweep, the host writes it at
 * the same offset. Files only grow while a run writes them (rows are
 * appended and flushed); one that is replaced (a new inode, or shorter than
 * what was sent) is sent again from its start.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outdir.h"
#include "util.h"
#include "vmstream.h"

#define CHUNK (64 * 1024)

static int write_all(int fd, const void *p, size_t len)
{
	const char *c = p;

	while (len) {
		ssize_t n = write(fd, c, len);

		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		c += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Names the stream can carry: no spaces, no "..", nothing absolute. */
static int path_ok(const char *p)
{
	if (!*p || *p == '/' || strstr(p, ".."))
		return 0;
	for (; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return 0;
	return 1;
}

/* ---- guest side ---- */

static struct vmstream_sent *sent_find(struct vmstream_tx *tx, const char *rel)
{
	for (size_t i = 0; i < tx->n; i++)
		if (!strcmp(tx->f[i].path, rel))
			return &tx->f[i];
	if (tx->n == tx->cap) {
		size_t cap = tx->cap ? 2 * tx->cap : 16;
		struct vmstream_sent *f = realloc(tx->f, cap * sizeof(*f));

		if (!f)
			return NULL;
		tx->f = f;
		tx->cap = cap;
	}
	memset(&tx->f[tx->n], 0, sizeof(tx->f[0]));
	fmt(tx->f[tx->n].path, sizeof(tx->f[0].path), "%s", rel);
	tx->f[tx->n].off = -1;	/* never sent */
	return &tx->f[tx->n++];
}

static int send_file(struct vmstream_tx *tx, const char *rel, const char *full,
		     const struct stat *st)
{
	struct vmstream_sent *s = sent_find(tx, rel);
	char head[512], *buf;
	int fd, ret = 0;

	if (!s)
		return -ENOMEM;
	if (s->off < 0 || s->ino != st->st_ino || s->dev != st->st_dev || st->st_size < s->off) {
		int n = snprintf(head, sizeof(head), "T %s\n", rel);

		ret = write_all(tx->fd, head, (size_t)n);
		if (ret)
			return ret;
		s->off = 0;
		s->ino = st->st_ino;
		s->dev = st->st_dev;
	}
	if (st->st_size == s->off)
		return 0;
	fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	buf = malloc(CHUNK);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (!ret) {
		ssize_t got = pread(fd, buf, CHUNK, s->off);
		int n;

		if (got < 0) {
			ret = -errno;
			break;
		}
		if (got == 0)
			break;
		n = snprintf(head, sizeof(head), "D %" PRId64 " %zd %s\n", (int64_t)s->off, got, rel);
		ret = write_all(tx->fd, head, (size_t)n);
		if (!ret)
			ret = write_all(tx->fd, buf, (size_t)got);
		if (!ret)
			s->off += got;
	}
	free(buf);
	close(fd);
	return ret;
}

static int sweep_dir(struct vmstream_tx *tx, const char *sub, int depth)
{
	char full[4096], rel[512];
	struct dirent *e;
	DIR *d;
	int ret = 0;

	fmt(full, sizeof(full), "%s%s%s", tx->dir, *sub ? "/" : "", sub);
	d = opendir(full);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (!ret && (e = readdir(d))) {
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		fmt(rel, sizeof(rel), "%s%s%s", sub, *sub ? "/" : "", e->d_name);
		fmt(full, sizeof(full), "%s/%s", tx->dir, rel);
		if (!path_ok(rel) || lstat(full, &st))
			continue;
		if (S_ISDIR(st.st_mode) && depth < 2)
			ret = sweep_dir(tx, rel, depth + 1);
		else if (S_ISREG(st.st_mode))
			ret = send_file(tx, rel, full, &st);
	}
	closedir(d);
	return ret;
}

int vmstream_tx_sweep(struct vmstream_tx *tx)
{
	return sweep_dir(tx, "", 0);
}

int vmstream_tx_end(struct vmstream_tx *tx, int status)
{
	char line[32];
	int n = snprintf(line, sizeof(line), "E %d\n", status);

	return write_all(tx->fd, line, (size_t)n);
}

void vmstream_tx_free(struct vmstream_tx *tx)
{
	free(tx->f);
	tx->f = NULL;
	tx->n = tx->cap = 0;
}

/* ---- host side ---- */

static int rx_fail(struct vmstream_rx *rx, const char *why, const char *line, size_t len)
{
	if (!rx->err[0])
		snprintf(rx->err, sizeof(rx->err), "record %lu: %s: \"%.*s\"", rx->records + 1,
			 why, (int)(len > 60 ? 60 : len), line);
	return -EPROTO;
}

static int rx_open(struct vmstream_rx *rx, const char *rel, int flags)
{
	char full[4096];
	int fd;

	/* its directory first (gbench/ of a run) */
	fmt(full, sizeof(full), "%s/%s", rx->dir, rel);
	*strrchr(full, '/') = '\0';
	fd = mkdir_p(full, 1);
	if (fd)
		return fd;
	fmt(full, sizeof(full), "%s/%s", rx->dir, rel);
	fd = open(full, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644);
	return fd < 0 ? -errno : fd;
}

/* One record from the front of rx->buf: its length, 0 if incomplete, <0 bad. */
static long rx_record(struct vmstream_rx *rx)
{
	char *nl = memchr(rx->buf, '\n', rx->len), path[256];
	size_t hl;
	int64_t off;
	size_t n;
	int fd, st;

	if (!nl)
		return rx->len > 512 ? rx_fail(rx, "no header line", rx->buf, rx->len) : 0;
	hl = (size_t)(nl - rx->buf) + 1;
	*nl = '\0';
	switch (rx->buf[0]) {
	case 'H':
		if (strcmp(rx->buf, "H gupbench-vm 1"))
			return rx_fail(rx, "unknown protocol", rx->buf, hl - 1);
		rx->hello = 1;
		break;
	case 'E':
		if (sscanf(rx->buf, "E %d", &st) != 1)
			return rx_fail(rx, "bad end record", rx->buf, hl - 1);
		rx->ended = 1;
		rx->status = st;
		break;
	case 'T':
		if (sscanf(rx->buf, "T %255s", path) != 1 || !path_ok(path))
			return rx_fail(rx, "bad truncate record", rx->buf, hl - 1);
		fd = rx_open(rx, path, O_TRUNC);
		if (fd < 0)
			return rx_fail(rx, strerror(-fd), rx->buf, hl - 1);
		close(fd);
		break;
	case 'D':
		if (sscanf(rx->buf, "D %" SCNd64 " %zu %255s", &off, &n, path) != 3 || off < 0 ||
		    n > CHUNK || !path_ok(path))
			return rx_fail(rx, "bad data record", rx->buf, hl - 1);
		if (rx->len < hl + n) {
			*nl = '\n';	/* not all here yet: parse again later */
			return 0;
		}
		fd = rx_open(rx, path, 0);
		if (fd < 0)
			return rx_fail(rx, strerror(-fd), rx->buf, hl - 1);
		if (pwrite(fd, rx->buf + hl, n, off) != (ssize_t)n) {
			int e = errno;

			close(fd);
			return rx_fail(rx, strerror(e), rx->buf, hl - 1);
		}
		close(fd);
		hl += n;
		break;
	default:
		return rx_fail(rx, "unknown record", rx->buf, hl - 1);
	}
	rx->records++;
	return (long)hl;
}

int vmstream_rx_feed(struct vmstream_rx *rx, const char *data, size_t len)
{
	if (rx->err[0])
		return -EPROTO;
	if (rx->len + len > rx->cap) {
		size_t cap = rx->cap ? rx->cap : 4096;
		char *b;

		while (cap < rx->len + len)
			cap *= 2;
		b = realloc(rx->buf, cap);
		if (!b)
			return -ENOMEM;
		rx->buf = b;
		rx->cap = cap;
	}
	memcpy(rx->buf + rx->len, data, len);
	rx->len += len;
	for (;;) {
		long used;

		if (!rx->len)
			return 0;
		used = rx_record(rx);
		if (used < 0)
			return (int)used;
		if (!used)
			return 0;
		memmove(rx->buf, rx->buf + used, rx->len - (size_t)used);
		rx->len -= (size_t)used;
	}
}

size_t vmstream_rx_pending(const struct vmstream_rx *rx)
{
	return rx->len;
}

void vmstream_rx_free(struct vmstream_rx *rx)
{
	free(rx->buf);
	rx->buf = NULL;
	rx->len = rx->cap = 0;
}
