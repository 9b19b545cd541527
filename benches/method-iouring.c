// SPDX-License-Identifier: GPL-2.0
/*
 * io_uring fixed buffers: IORING_REGISTER_BUFFERS / IORING_UNREGISTER_BUFFERS.
 *
 * Kernel path (6.x, io_uring/rsrc.c):
 *   io_uring_register(IORING_REGISTER_BUFFERS)
 *     io_sqe_buffers_register()
 *       per iovec: io_sqe_buffer_register()
 *         io_pin_pages() -> pin_user_pages_fast(FOLL_WRITE | FOLL_LONGTERM)
 *         io_check_coalesce_buffer() / io_coalesce_buffer()
 *         io_buffer_account_pin() -> io_account_mem()
 *   io_uring_register(IORING_UNREGISTER_BUFFERS)
 *     io_sqe_buffers_unregister() -> ... io_buffer_unmap()
 *       -> unpin_user_folio() per bvec
 *
 * Timed: pin = the one io_uring_register_buffers() call; unpin = the one
 * io_uring_unregister_buffers() call. The ring and the iovec array are
 * made outside the timed region.
 *
 * What the numbers include besides GUP:
 *  - the page array (kvmalloc) and the bvec table of each buffer;
 *  - a walk over every pinned page to see whether the buffer can be
 *    coalesced into folio-sized bvecs; on large folios io_coalesce_buffer()
 *    then drops all but one pin per folio, so nr_foll_pin_released rises
 *    during *registration* and unregister releases one pin per folio;
 *  - the accounting: pinned_vm always, plus RLIMIT_MEMLOCK (user locked_vm)
 *    without CAP_IPC_LOCK. On compound pages it looks for an already
 *    accounted head in the current array and in every registered buffer,
 *    which is quadratic in the number of folios per buffer;
 *  - on 6.1 (measured: ~7 ms at HZ=1000 whatever the buffer) unregister
 *    quiesces the rsrc node (percpu_ref kill, RCU grace period, delayed
 *    put work): it does not measure unpinning there. The 6.4 rsrc rework
 *    made node refs plain counters; 6.4 as the cutoff is from reading the
 *    history, not measured (6.18 here unpins synchronously, checked with
 *    nr_foll_pin_released right after the call).
 *
 * io_uring caps one fixed buffer at 1 GiB, so a larger buffer is
 * registered as several consecutive iovecs in the same call.
 */
#include <errno.h>
#include <linux/capability.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/uio.h>

#include "method.h"
#include "util.h"

#define IOURING_BUF_MAX		(1ULL << 30)	/* io_validate_user_buf_range() */
#define IOURING_NR_BUFS_MAX	(1U << 14)	/* IORING_MAX_REG_BUFFERS */
#define IOURING_RING_ENTRIES	4		/* we never submit anything */

struct iouring_priv {
	struct io_uring ring;
	struct iovec *iov;
	unsigned int nr_iov_cap;
	int registered;
};

static void iouring_setup_why(int err, char *why, size_t len)
{
	char knob[16];

	if (err == -ENOSYS) {
		fmt(why, len, "io_uring_setup: ENOSYS: kernel built without CONFIG_IO_URING");
		return;
	}
	if (err == -EPERM &&
	    !file_read_str("/proc/sys/kernel/io_uring_disabled", knob, sizeof(knob)) &&
	    strcmp(knob, "0")) {
		fmt(why, len, "io_uring_setup: EPERM: kernel.io_uring_disabled=%s%s",
		    knob, !strcmp(knob, "1") ? " and not in io_uring_group" : "");
		return;
	}
	fmt(why, len, "io_uring_setup: %s%s", strerror(-err),
	    err == -EPERM ? " (seccomp or LSM?)" : "");
}

static int iouring_probe(char *why, size_t len)
{
	struct io_uring ring;
	int ret;

	ret = io_uring_queue_init(IOURING_RING_ENTRIES, &ring, 0);
	if (ret < 0) {
		iouring_setup_why(ret, why, len);
		return ret;
	}
	io_uring_queue_exit(&ring);
	return 0;
}

/* Caveats that apply to this kernel and this scenario, said on every row. */
static void iouring_note(struct mctx *c)
{
	int order = c->sc ? c->sc->order : (c->buf ? c->buf->spec.order : 0);

	if (kernel_version() < 0x060400)
		fmt(c->note, sizeof(c->note),
		    "unpin: unregister quiesces rsrc nodes (RCU wait, ms) before 6.4: not unpin cost");
	else if (order > 0)
		fmt(c->note, sizeof(c->note),
		    "pin also coalesces: unpins all but 1 ref per folio (released rises) and scans heads O(folios^2) to account");
	else
		fmt(c->note, sizeof(c->note),
		    "pin includes io_uring's page walk (coalesce check) and pinned_vm accounting");
}

static int iouring_init(struct mctx *c, char *why, size_t len)
{
	struct iouring_priv *p;
	int ret;

	p = calloc(1, sizeof(*p));
	if (!p) {
		fmt(why, len, "out of memory");
		return -ENOMEM;
	}
	ret = io_uring_queue_init(IOURING_RING_ENTRIES, &p->ring, 0);
	if (ret < 0) {
		iouring_setup_why(ret, why, len);
		free(p);
		return ret;
	}
	c->priv = p;
	iouring_note(c);
	return 0;
}

/* Split the buffer into <= 1 GiB iovecs, reusing the array across samples. */
static int iouring_iov_build(struct iouring_priv *p, const struct buf *b,
			     unsigned int *nr, char *why, size_t len)
{
	uint64_t size = b->spec.size, off;
	uint64_t n = (size + IOURING_BUF_MAX - 1) / IOURING_BUF_MAX;
	unsigned int i;

	if (!size || !b->addr) {
		fmt(why, len, "no buffer to register");
		return -EINVAL;
	}
	if (n > IOURING_NR_BUFS_MAX) {
		fmt(why, len, "buffer needs %llu fixed buffers of 1 GiB, io_uring takes %u",
		    (unsigned long long)n, IOURING_NR_BUFS_MAX);
		return -E2BIG;
	}
	if (n > p->nr_iov_cap) {
		struct iovec *iov = realloc(p->iov, n * sizeof(*iov));

		if (!iov) {
			fmt(why, len, "out of memory");
			return -ENOMEM;
		}
		p->iov = iov;
		p->nr_iov_cap = (unsigned int)n;
	}
	for (i = 0, off = 0; i < n; i++, off += IOURING_BUF_MAX) {
		uint64_t piece = size - off;

		if (piece > IOURING_BUF_MAX)
			piece = IOURING_BUF_MAX;
		p->iov[i].iov_base = (char *)b->addr + off;
		p->iov[i].iov_len = piece;
	}
	*nr = (unsigned int)n;
	return 0;
}

static void iouring_pin_why(int err, char *why, size_t len)
{
	struct rlimit rl;

	if (err == -ENOMEM && !have_cap(CAP_IPC_LOCK) &&
	    !getrlimit(RLIMIT_MEMLOCK, &rl)) {
		fmt(why, len, "register_buffers: ENOMEM: RLIMIT_MEMLOCK %llu bytes without CAP_IPC_LOCK (or out of memory)",
		    (unsigned long long)rl.rlim_cur);
		return;
	}
	if (err == -EFAULT) {
		fmt(why, len, "register_buffers: EFAULT: range not mapped or not long-term pinnable (file-backed?)");
		return;
	}
	fmt(why, len, "register_buffers: %s", strerror(-err));
}

static int iouring_pin(struct mctx *c, uint64_t *ns, char *why, size_t len)
{
	struct iouring_priv *p = c->priv;
	struct opwin win;
	unsigned int nr;
	uint64_t t;
	int ret;

	if (p->registered) {
		fmt(why, len, "buffers already registered (pin without unpin)");
		return -EBUSY;
	}
	ret = iouring_iov_build(p, c->buf, &nr, why, len);
	if (ret)
		return ret;

	opwin_begin(&win);
	ret = io_uring_register_buffers(&p->ring, p->iov, nr);
	t = opwin_end(&win);
	if (ret < 0) {
		iouring_pin_why(ret, why, len);
		return ret;
	}
	p->registered = 1;
	*ns = t;
	return 0;
}

static int iouring_unpin(struct mctx *c, uint64_t *ns, char *why, size_t len)
{
	struct iouring_priv *p = c->priv;
	struct opwin win;
	uint64_t t;
	int ret;

	if (!p->registered) {
		fmt(why, len, "no buffers registered (unpin without pin)");
		return -EINVAL;
	}
	opwin_begin(&win);
	ret = io_uring_unregister_buffers(&p->ring);
	t = opwin_end(&win);
	if (ret < 0) {
		fmt(why, len, "unregister_buffers: %s", strerror(-ret));
		return ret;
	}
	p->registered = 0;
	*ns = t;
	return 0;
}

static void iouring_fini(struct mctx *c)
{
	struct iouring_priv *p = c->priv;

	if (!p)
		return;
	/* Closing the ring would unpin too, but deferred to its exit work. */
	if (p->registered)
		io_uring_unregister_buffers(&p->ring);
	io_uring_queue_exit(&p->ring);
	free(p->iov);
	free(p);
	c->priv = NULL;
}

const struct method method_iouring = {
	.name = "iouring",
	.syscall = "io_uring_register(IORING_REGISTER_BUFFERS/IORING_UNREGISTER_BUFFERS)",
	.kpath = "io_sqe_buffers_register>io_pin_pages>pin_user_pages_fast(FOLL_WRITE|FOLL_LONGTERM); unregister>unpin_user_folio",
	.path = PATH_FAST,
	.ref = REF_PIN,
	.flags = M_LONGTERM | M_WRITE | M_MEMLOCK | M_NO_FILE_OLD,
	.mem_factor = 1,
	.probe = iouring_probe,
	.init = iouring_init,
	.pin = iouring_pin,
	.unpin = iouring_unpin,
	.fini = iouring_fini,
};
