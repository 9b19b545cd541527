// SPDX-License-Identifier: GPL-2.0
/*
 * vmsplice(2): the buffer's pages into a pipe by reference, then drained
 * by splice(2) to /dev/null, which drops the references.
 *
 * Kernel path (6.x, fs/splice.c):
 *   vmsplice(pipe write end, iov, 1, flags)
 *     vmsplice_to_pipe(): pipe_lock; wait_for_space()
 *       iter_to_pipe(): per 16 pages
 *         iov_iter_get_pages2() -> __iov_iter_get_pages_alloc()
 *           -> get_user_pages_fast(addr, n, 0): FOLL_GET, no FOLL_WRITE
 *              (the iter is ITER_SOURCE: the pipe only reads the pages)
 *         add_to_pipe(): one pipe_buffer per page (user_page_pipe_buf_ops)
 *   splice(pipe read end, /dev/null)
 *     do_splice() -> do_splice_from() -> splice_write_null() (drivers/char/
 *     mem.c) -> splice_from_pipe() -> __splice_from_pipe():
 *       pipe_to_null() (no copy), then per buffer pipe_buf_release()
 *         -> generic_pipe_buf_release() -> put_page()
 *
 * A pipe holds at most its size in pages (one page per slot), so the
 * buffer goes through in pipe-sized pieces: vmsplice a piece (timed, into
 * ns[0]), splice it out to /dev/null (timed, into ns[1]), next piece.
 * The pipe is as large as F_SETPIPE_SZ allows: 8 MiB and down for root
 * (CAP_SYS_RESOURCE may pass /proc/sys/fs/pipe-max-size), pipe-max-size
 * otherwise; the note says which size a run got.
 *
 * Timed, shape SHAPE_PAIRED: one cycle() gives two times. ns[0], op "pin",
 * is the sum of the vmsplice() calls; ns[1], op "unpin", the sum of the
 * splice() drains. The worker runs one cycle per sample of each op and
 * keeps the matching time, so both rows of a sample come from full
 * cycles of the whole buffer. Nothing is held between the two syscalls of
 * a piece except the pipe's references.
 *
 * What the numbers include besides GUP: pin: the pipe lock, one
 * pipe_buffer per page, the page array in 16-page batches; unpin: the
 * splice machinery (pipe lock, /dev/null's splice_write, one
 * pipe_buf_release per page). Without SPLICE_F_GIFT. References are
 * FOLL_GET: nr_foll_pin_* do not move (rows show 0 for both). A never-
 * written page is the shared zero page, whose refcount FOLL_GET still
 * raises (only FOLL_PIN skips it since 6.5).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* vmsplice, splice, F_SETPIPE_SZ */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "method.h"
#include "util.h"

#define PIPE_MAX_SIZE_PATH	"/proc/sys/fs/pipe-max-size"

/* Pipe sizes asked for, largest first; pipe-max-size is tried after these. */
static const unsigned int vms_pipe_sizes[] = { 8U << 20, 4U << 20, 2U << 20 };

struct vms_priv {
	int pipe[2];		/* [0] read end, [1] write end */
	int null_fd;
	size_t pipe_size;	/* bytes the pipe holds (F_GETPIPE_SZ) */
};

/* The largest pipe this process may have: root may pass pipe-max-size. */
static int vms_pipe_grow(int fd, size_t *got)
{
	char v[32];
	long r;

	for (size_t i = 0; i < ARRAY_SIZE(vms_pipe_sizes); i++)
		if (fcntl(fd, F_SETPIPE_SZ, vms_pipe_sizes[i]) >= 0)
			goto done;
	if (!file_read_str(PIPE_MAX_SIZE_PATH, v, sizeof(v)))
		fcntl(fd, F_SETPIPE_SZ, atoi(v));
done:
	r = fcntl(fd, F_GETPIPE_SZ);
	if (r < (long)PAGE_SZ)
		return r < 0 ? -errno : -EINVAL;
	*got = (size_t)r;
	return 0;
}

static void vms_close(struct vms_priv *p)
{
	if (p->pipe[0] >= 0)
		close(p->pipe[0]);	/* releases whatever the pipe still holds */
	if (p->pipe[1] >= 0)
		close(p->pipe[1]);
	if (p->null_fd >= 0)
		close(p->null_fd);
	p->pipe[0] = p->pipe[1] = p->null_fd = -1;
}

static int vms_open(struct vms_priv *p, char *why, size_t len)
{
	int ret;

	p->pipe[0] = p->pipe[1] = p->null_fd = -1;
	if (pipe2(p->pipe, O_CLOEXEC)) {
		ret = -errno;
		fmt(why, len, "pipe2: %s", strerror(-ret));
		return ret;
	}
	p->null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (p->null_fd < 0) {
		ret = -errno;
		fmt(why, len, "/dev/null: %s", strerror(-ret));
		vms_close(p);
		return ret;
	}
	ret = vms_pipe_grow(p->pipe[1], &p->pipe_size);
	if (ret) {
		fmt(why, len, "F_GETPIPE_SZ: %s", strerror(-ret));
		vms_close(p);
		return ret;
	}
	return 0;
}

/* Splice out exactly want bytes from the pipe to /dev/null; *ns += time. */
static int vms_drain(struct vms_priv *p, size_t want, uint64_t *ns, char *why, size_t len)
{
	size_t done = 0;

	while (done < want) {
		struct opwin win;
		ssize_t n;

		opwin_begin_op(&win, 1);	/* op 1, "unpin": its own counters */
		n = splice(p->pipe[0], NULL, p->null_fd, NULL, want - done, SPLICE_F_NONBLOCK);
		*ns += opwin_end(&win);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fmt(why, len, "splice to /dev/null: %s after %zu of %zu bytes",
			    n < 0 ? strerror(errno) : "pipe empty", done, want);
			return n < 0 ? -errno : -EIO;
		}
		done += (size_t)n;
	}
	return 0;
}

/* vmsplice [addr, addr+want) into the (empty) pipe; *ns += time. */
static int vms_fill(struct vms_priv *p, char *addr, size_t want, uint64_t *ns,
		    char *why, size_t len)
{
	size_t done = 0;

	while (done < want) {
		struct iovec iov = { addr + done, want - done };
		struct opwin win;
		ssize_t n;

		opwin_begin_op(&win, 0);	/* op 0, "pin" */
		n = vmsplice(p->pipe[1], &iov, 1, SPLICE_F_NONBLOCK);
		*ns += opwin_end(&win);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? errno : EIO;

			fmt(why, len, "vmsplice: %s after %zu of %zu bytes%s", strerror(err), done, want,
			    err == EAGAIN ? " (pipe full)" : err == EFAULT ? " (range not mapped)" : "");
			return -err;
		}
		done += (size_t)n;
	}
	return 0;
}

static int vms_probe(char *why, size_t len)
{
	struct vms_priv p;
	struct iovec iov;
	ssize_t n;
	void *m;
	int ret;

	ret = vms_open(&p, why, len);
	if (ret)
		return ret;
	m = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		ret = -errno;
		fmt(why, len, "mmap: %s", strerror(-ret));
		vms_close(&p);
		return ret;
	}
	memset(m, 1, PAGE_SZ);
	iov.iov_base = m;
	iov.iov_len = PAGE_SZ;
	n = vmsplice(p.pipe[1], &iov, 1, SPLICE_F_NONBLOCK);
	if (n != (ssize_t)PAGE_SZ) {
		ret = n < 0 ? -errno : -EIO;
		fmt(why, len, "vmsplice of one page: %s%s", n < 0 ? strerror(errno) : "short",
		    ret == -ENOSYS ? " (kernel without splice)" : "");
	} else if ((n = splice(p.pipe[0], NULL, p.null_fd, NULL, PAGE_SZ, SPLICE_F_NONBLOCK)) !=
		   (ssize_t)PAGE_SZ) {
		ret = n < 0 ? -errno : -EIO;
		fmt(why, len, "splice to /dev/null: %s", n < 0 ? strerror(errno) : "short");
	}
	vms_close(&p);
	munmap(m, PAGE_SZ);
	return ret;
}

static void vms_fini(struct mctx *c)
{
	struct vms_priv *p = c->priv;

	if (!p)
		return;
	vms_close(p);
	free(p);
	c->priv = NULL;
}

static int vms_init(struct mctx *c, char *why, size_t len)
{
	struct vms_priv *p;
	char sz[32];
	int ret;

	p = calloc(1, sizeof(*p));
	if (!p) {
		fmt(why, len, "out of memory");
		return -ENOMEM;
	}
	ret = vms_open(p, why, len);
	if (ret) {
		free(p);
		return ret;
	}
	c->priv = p;
	size_format(p->pipe_size, sz, sizeof(sz));
	fmt(c->note, sizeof(c->note),
	    "FOLL_GET refs in %s pipe-sized pieces: pin = vmsplice calls, unpin = splice to /dev/null (put_page), each summed",
	    sz);
	return 0;
}

static int vms_cycle(struct mctx *c, uint64_t ns[METHOD_MAX_OPS], char *why, size_t len)
{
	struct vms_priv *p = c->priv;
	uint64_t size, off = 0, get = 0, put = 0;
	int ret;

	if (!c->buf || !c->buf->addr || !c->buf->spec.size) {
		fmt(why, len, "no buffer to splice");
		return -EINVAL;
	}
	size = c->buf->spec.size;
	while (off < size) {
		size_t piece = size - off < p->pipe_size ? (size_t)(size - off) : p->pipe_size;

		ret = vms_fill(p, (char *)c->buf->addr + off, piece, &get, why, len);
		if (!ret)
			ret = vms_drain(p, piece, &put, why, len);
		if (ret) {
			char tmp[128];

			/*
			 * Leave no reference behind: closing the pipe releases
			 * what it holds; the next cycle gets an empty one (or
			 * EBADF, if even that fails).
			 */
			vms_close(p);
			vms_open(p, tmp, sizeof(tmp));
			return ret;
		}
		off += piece;
	}
	ns[0] = get;
	ns[1] = put;
	return 0;
}

const struct method method_vmsplice = {
	.name = "vmsplice",
	.syscall = "vmsplice(2) into a pipe, splice(2) out to /dev/null, per pipe-sized piece",
	.kpath = "vmsplice_to_pipe>iter_to_pipe>iov_iter_get_pages2>get_user_pages_fast(0); splice>splice_write_null>pipe_buf_release>put_page",
	.path = PATH_FAST,
	.ref = REF_GET,
	.shape = SHAPE_PAIRED,
	.mem_factor = 1,
	.probe = vms_probe,
	.init = vms_init,
	.cycle = vms_cycle,
	.fini = vms_fini,
};
