// SPDX-License-Identifier: GPL-2.0
/*
 * AF_XDP umem registration: setsockopt(SOL_XDP, XDP_UMEM_REG), then close().
 *
 * Kernel path (6.x, net/xdp/xsk.c, net/xdp/xdp_umem.c):
 *   setsockopt(XDP_UMEM_REG)
 *     xsk_setsockopt() -> xdp_umem_create() -> xdp_umem_reg()
 *       xdp_umem_account_pages()	RLIMIT_MEMLOCK unless CAP_IPC_LOCK
 *       xdp_umem_pin_pages()		kvcalloc(page array);
 *         mmap_read_lock(); pin_user_pages(FOLL_WRITE | FOLL_LONGTERM)
 *       xdp_umem_addr_map()		vmap() of every pinned page
 *   close()
 *     xsk_release() -> sock_put(); the socket is SOCK_RCU_FREE, so
 *     xsk_destruct() runs after an RCU grace period and, with no buffer
 *     pool bound, xdp_put_umem(umem, defer_cleanup=true) queues
 *     xdp_umem_release_deferred() on system_wq:
 *       vunmap(); unpin_user_pages_dirty_lock(..., true); unaccount
 *
 * Timed: pin = the setsockopt() only (the socket is created just before,
 * outside the timed region); unpin = close() only.
 *
 * What the numbers include besides GUP: pin includes the page array
 * allocation, the locked_vm accounting (without CAP_IPC_LOCK) and a vmap()
 * of the whole umem, which maps every page into vmalloc space and is not
 * small next to pinning. Unpin is close() alone: the unpinning itself
 * (with set_page_dirty_lock() per page) happens later in a kworker, so
 * unpin times measure socket teardown, not unpinning. After timing close()
 * we wait, outside the timed region, until nr_foll_pin_released has risen
 * by the buffer's page count, so that the worker's vmstat delta around
 * unpin sees the release and the next sample starts with nothing pending.
 *
 * Limits (xdp_umem_reg()): addr page-aligned; with the aligned-chunk mode
 * used here (chunk_size 4096, a power of two) len must be a multiple of
 * the chunk size; at most U32_MAX pages and U32_MAX chunks; headroom 0.
 * A umem whose pin comes up short fails with ENOMEM, an exhausted
 * RLIMIT_MEMLOCK with ENOBUFS.
 */
#include <errno.h>
#include <linux/if_xdp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "method.h"
#include "util.h"
#include "vmstat.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif

#define XDP_CHUNK		4096U
#define XDP_RELEASE_WAIT_NS	(5ULL * 1000000000ULL)
#define XDP_RELEASE_POLL_NS	(1000000L)	/* stat_refresh is not free */

struct xdp_priv {
	int fd;			/* the AF_XDP socket holding the umem, or -1 */
	uint64_t pages;		/* pages the umem pinned */
};

static int xdp_socket(char *why, size_t len)
{
	int fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);

	if (fd >= 0)
		return fd;
	fd = -errno;
	if (fd == -EAFNOSUPPORT)
		fmt(why, len, "socket(AF_XDP): EAFNOSUPPORT: kernel built without CONFIG_XDP_SOCKETS");
	else if (fd == -EPERM)
		fmt(why, len, "socket(AF_XDP): EPERM: needs CAP_NET_RAW");
	else
		fmt(why, len, "socket(AF_XDP): %s", strerror(-fd));
	return fd;
}

static int xdp_probe(char *why, size_t len)
{
	int fd = xdp_socket(why, len);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

static int xdp_reg(int fd, void *addr, uint64_t size, uint64_t *ns,
		   char *why, size_t len)
{
	struct xdp_umem_reg mr;
	struct rlimit rl;
	struct opwin win;
	uint64_t t;
	int ret;

	/* Zeroed whole: newer kernels read tx_metadata_len from the tail. */
	memset(&mr, 0, sizeof(mr));
	mr.addr = (uintptr_t)addr;
	mr.len = size;
	mr.chunk_size = XDP_CHUNK;
	mr.headroom = 0;
	mr.flags = 0;

	opwin_begin(&win);
	ret = setsockopt(fd, SOL_XDP, XDP_UMEM_REG, &mr, sizeof(mr));
	t = opwin_end(&win);
	if (!ret) {
		if (ns)
			*ns = t;
		return 0;
	}
	ret = -errno;
	if (ret == -ENOBUFS && !getrlimit(RLIMIT_MEMLOCK, &rl))
		fmt(why, len, "XDP_UMEM_REG: ENOBUFS: over RLIMIT_MEMLOCK (%llu bytes) without CAP_IPC_LOCK",
		    (unsigned long long)rl.rlim_cur);
	else if (ret == -ENOMEM)
		fmt(why, len, "XDP_UMEM_REG: ENOMEM: pin came up short or vmap failed");
	else if (ret == -EINVAL)
		fmt(why, len, "XDP_UMEM_REG: EINVAL: addr not page-aligned, len not a multiple of %u or > U32_MAX pages",
		    XDP_CHUNK);
	else if (ret == -EFAULT)
		fmt(why, len, "XDP_UMEM_REG: EFAULT: range not mapped or not long-term pinnable");
	else
		fmt(why, len, "XDP_UMEM_REG: %s", strerror(-ret));
	return ret;
}

static int64_t xdp_released(void)
{
	struct vmstat s;

	if (vmstat_read(&s, 1) || !(s.have & (1u << VM_nr_foll_pin_released)))
		return -1;
	return s.v[VM_nr_foll_pin_released];
}

/*
 * Wait until nr_foll_pin_released has risen by pages since base. Other
 * pinners on the machine can only make this return early, never hang.
 * Returns 1 if the release had already happened at the first look (it
 * was not deferred), 0 after waiting, 2 if the counter cannot be read
 * (nothing to wait on), or -ETIMEDOUT.
 */
static int xdp_release_wait(int64_t base, uint64_t pages)
{
	struct timespec ts = { 0, XDP_RELEASE_POLL_NS };
	uint64_t start = now_ns();
	int first = 1;

	for (;;) {
		int64_t v = xdp_released();

		if (v < 0 || base < 0)
			return 2;
		if ((uint64_t)(v - base) >= pages)
			return first;
		first = 0;
		if (now_ns() - start > XDP_RELEASE_WAIT_NS)
			return -ETIMEDOUT;
		nanosleep(&ts, NULL);
	}
}

#define XDP_NOTE_DEFERRED \
	"unpin = close() only: umem unpin+vunmap deferred (RCU + kworker), waited for untimed; pin includes vmap of the umem"
#define XDP_NOTE_SYNC \
	"unpin = close(); the umem release was seen done at close here; pin includes vmap of the umem"

static int xdp_init(struct mctx *c, char *why, size_t len)
{
	struct xdp_priv *p;

	p = calloc(1, sizeof(*p));
	if (!p) {
		fmt(why, len, "out of memory");
		return -ENOMEM;
	}
	p->fd = -1;
	c->priv = p;
	/*
	 * Deferred in every version read (4.18's schedule_work, 6.1's
	 * defer_cleanup) and seen so on 6.18: nothing released within
	 * close(), all of it ~20 ms later. unpin() corrects the note if this
	 * kernel turns out to release inside close().
	 */
	fmt(c->note, sizeof(c->note), "%s", XDP_NOTE_DEFERRED);
	return 0;
}

static int xdp_pin(struct mctx *c, uint64_t *ns, char *why, size_t len)
{
	struct xdp_priv *p = c->priv;
	uint64_t size = c->buf->spec.size;
	int fd, ret;

	if (p->fd >= 0) {
		fmt(why, len, "umem already registered (pin without unpin)");
		return -EBUSY;
	}
	if (!size || size % XDP_CHUNK || (uintptr_t)c->buf->addr % PAGE_SZ) {
		fmt(why, len, "umem must be page-aligned and a multiple of %u bytes", XDP_CHUNK);
		return -EINVAL;
	}
	if (size / PAGE_SZ > UINT32_MAX) {
		fmt(why, len, "umem over U32_MAX pages");
		return -E2BIG;
	}
	/* A umem is registered once per socket: a fresh socket per sample. */
	fd = xdp_socket(why, len);
	if (fd < 0)
		return fd;
	ret = xdp_reg(fd, c->buf->addr, size, ns, why, len);
	if (ret) {
		close(fd);
		return ret;
	}
	p->fd = fd;
	p->pages = size / PAGE_SZ;
	return 0;
}

static int xdp_unpin(struct mctx *c, uint64_t *ns, char *why, size_t len)
{
	struct xdp_priv *p = c->priv;
	struct opwin win;
	int64_t base;
	uint64_t t;
	int ret;

	if (p->fd < 0) {
		fmt(why, len, "no umem registered (unpin without pin)");
		return -EINVAL;
	}
	base = xdp_released();

	opwin_begin(&win);
	ret = close(p->fd);
	t = opwin_end(&win);
	p->fd = -1;
	if (ret) {
		ret = -errno;
		fmt(why, len, "close(AF_XDP socket): %s", strerror(-ret));
		return ret;
	}
	*ns = t;

	ret = xdp_release_wait(base, p->pages);
	if (ret < 0) {
		fmt(why, len, "umem release of %llu pages not seen in nr_foll_pin_released within 5 s",
		    (unsigned long long)p->pages);
		return ret;
	}
	if (ret == 1)
		fmt(c->note, sizeof(c->note), "%s", XDP_NOTE_SYNC);
	return 0;
}

static void xdp_fini(struct mctx *c)
{
	struct xdp_priv *p = c->priv;

	if (!p)
		return;
	if (p->fd >= 0) {
		int64_t base = xdp_released();

		close(p->fd);
		/* The buffer may be unmapped next: let the kworker finish. */
		xdp_release_wait(base, p->pages);
	}
	free(p);
	c->priv = NULL;
}

const struct method method_xdp_umem = {
	.name = "xdp-umem",
	.syscall = "setsockopt(AF_XDP, SOL_XDP, XDP_UMEM_REG) / close()",
	.kpath = "xdp_umem_reg>xdp_umem_pin_pages>pin_user_pages(FOLL_WRITE|FOLL_LONGTERM)+vmap; close>(RCU, kworker) unpin_user_pages_dirty_lock",
	.path = PATH_SLOW,
	.ref = REF_PIN,
	.flags = M_LONGTERM | M_WRITE | M_MEMLOCK | M_NEEDS_ROOT,
	.mem_factor = 1,
	.probe = xdp_probe,
	.init = xdp_init,
	.pin = xdp_pin,
	.unpin = xdp_unpin,
	.fini = xdp_fini,
};
