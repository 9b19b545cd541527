// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/PID/mem: pread(2) / pwrite(2) at the buffer's address, one page
 * of GUP at a time.
 *
 * Kernel path (6.x, fs/proc/base.c and mm/memory.c):
 *   pread/pwrite -> mem_read/mem_write -> mem_rw(file, buf, count, ppos, write)
 *     __get_free_page(): a one-page kernel bounce buffer
 *     mmget_not_zero(mm)
 *     flags = FOLL_FORCE (unless proc_mem.force_override=never, or =ptrace
 *             without an attached tracer; 6.12+) | FOLL_WRITE for writes
 *     per PAGE_SIZE piece:
 *       write: copy_from_user(bounce, user buf)
 *       access_remote_vm(mm, addr, bounce, <= PAGE_SIZE, flags)
 *         -> __access_remote_vm(): mmap_read_lock_killable(mm)
 *              get_user_page_vma_remote() -> get_user_pages_remote(mm,
 *                addr, 1, flags): FOLL_GET, one page, slow path
 *              kmap; copy_to_user_page (write: then set_page_dirty_lock)
 *                or copy_from_user_page; unmap and put_page()
 *            mmap_read_unlock(mm)
 *       read: copy_to_user(user buf, bounce)
 * So every 4 KiB page costs one mmap_lock round trip, one single-page GUP
 * (a VMA lookup and a page-table walk from the top) and a put, whatever
 * the folio size. Checked against the 6.12+ mem_rw(); the only change
 * across 6.x is the FOLL_FORCE override.
 *
 * The worker reads its own /proc/self/mem: the buffer's mm is the caller's,
 * but mem_rw() goes through access_remote_vm() all the same. The other
 * side of the copy is a second buffer of the same size in the worker
 * (mem_factor 2), made and written in init() so it is populated: procmem-
 * read copies the buffer under test into it, procmem-write copies it into
 * the buffer under test.
 *
 * Timed: the pread/pwrite calls over the whole buffer, summed, one per
 * GiB (under MAX_RW_COUNT). ns[0] is the whole transfer, op "pin+unpin".
 *
 * What the numbers include besides GUP: two copies of every byte (target
 * page <-> kernel bounce page <-> user buffer), the mmap_lock per page,
 * kmap, and for procmem-write set_page_dirty_lock() per page. FOLL_GET:
 * nr_foll_pin_* do not move. procmem-write has FOLL_WRITE and so breaks
 * COW on zero pages (a fresh buffer per sample then).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "method.h"
#include "util.h"

#define PROCMEM_PIECE	(1ULL << 30)	/* bytes per syscall */
#define PROCMEM_FILL	0x5a		/* the second buffer's content */

struct procmem_priv {
	int fd;			/* /proc/self/mem, O_RDWR */
	char *bounce;		/* the other side of the copy, populated */
	size_t len;
};

static int procmem_open(int *fd, char *why, size_t len)
{
	*fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	if (*fd < 0) {
		int err = errno;

		fmt(why, len, "open /proc/self/mem: %s", strerror(err));
		return -err;
	}
	return 0;
}

static int procmem_probe(char *why, size_t len)
{
	volatile uint64_t word = 0x67757062656e6368ULL;
	uint64_t v = 0;
	int fd, ret = 0;
	ssize_t n;

	ret = procmem_open(&fd, why, len);
	if (ret)
		return ret;
	n = pread(fd, &v, sizeof(v), (off_t)(uintptr_t)&word);
	if (n != sizeof(v) || v != word) {
		ret = n < 0 ? -errno : -EIO;
		fmt(why, len, "pread of /proc/self/mem: %s", n < 0 ? strerror(errno) :
		    "short or wrong data");
	} else if ((n = pwrite(fd, &v, sizeof(v), (off_t)(uintptr_t)&word)) != sizeof(v)) {
		ret = n < 0 ? -errno : -EIO;
		fmt(why, len, "pwrite of /proc/self/mem: %s (writes forbidden by an LSM?)",
		    n < 0 ? strerror(errno) : "short");
	}
	close(fd);
	return ret;
}

static void procmem_fini(struct mctx *c)
{
	struct procmem_priv *p = c->priv;

	if (!p)
		return;
	if (p->fd >= 0)
		close(p->fd);
	if (p->bounce)
		munmap(p->bounce, p->len);
	free(p);
	c->priv = NULL;
}

static int procmem_init(struct mctx *c, char *why, size_t len)
{
	uint64_t size = c->buf && c->buf->spec.size ? c->buf->spec.size :
			c->sc ? c->sc->size : 0;
	struct procmem_priv *p;
	void *m;
	int ret;

	if (!size) {
		fmt(why, len, "no size");
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		fmt(why, len, "out of memory");
		return -ENOMEM;
	}
	p->fd = -1;
	c->priv = p;
	ret = procmem_open(&p->fd, why, len);
	if (ret)
		goto fail;
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		ret = -errno;
		fmt(why, len, "second buffer of %llu bytes: %s", (unsigned long long)size,
		    strerror(-ret));
		goto fail;
	}
	p->bounce = m;
	p->len = size;
	/* written, so the copy never faults it in inside the timing */
	memset(m, PROCMEM_FILL, size);
	fmt(c->note, sizeof(c->note),
	    "per 4 KiB page: mmap_lock, 1-page get_user_pages_remote, 2 copies (page<->kernel bounce<->user buffer), put_page");
	return 0;
fail:
	procmem_fini(c);
	return ret;
}

static int procmem_cycle(struct mctx *c, uint64_t ns[METHOD_MAX_OPS], char *why, size_t len)
{
	struct procmem_priv *p = c->priv;
	uint64_t size, sum = 0;
	int ret;
	uintptr_t addr;

	if (!c->buf || !c->buf->addr || !c->buf->spec.size) {
		fmt(why, len, "no buffer to transfer");
		return -EINVAL;
	}
	addr = (uintptr_t)c->buf->addr;
	size = c->buf->spec.size;
	if (size > p->len) {
		fmt(why, len, "buffer (%llu bytes) larger than the second buffer (%zu)",
		    (unsigned long long)size, p->len);
		return -EINVAL;
	}
	/* the file offset of /proc/PID/mem is the address */
	ret = timed_rw(p->fd, p->bounce, size, addr, c->write, PROCMEM_PIECE, &sum, why, len);
	if (ret) {
		if (ret == -EIO) {
			char hint[256];

			fmt(hint, sizeof(hint), "%s (page not accessible?)", why);
			fmt(why, len, "%s", hint);
		}
		return ret;
	}
	ns[0] = sum;
	ns[1] = 0;
	return 0;
}

const struct method method_procmem_read = {
	.name = "procmem-read",
	.syscall = "pread(2) of /proc/self/mem at the buffer's address",
	.kpath = "mem_rw>access_remote_vm per page>mmap_read_lock+get_user_pages_remote(1 page, FOLL_FORCE)+copy+put_page",
	.path = PATH_REMOTE,
	.ref = REF_GET,
	.shape = SHAPE_COMBINED,
	.mem_factor = 2,
	.probe = procmem_probe,
	.init = procmem_init,
	.cycle = procmem_cycle,
	.fini = procmem_fini,
};

const struct method method_procmem_write = {
	.name = "procmem-write",
	.write_op = 1,
	.syscall = "pwrite(2) of /proc/self/mem at the buffer's address",
	.kpath = "mem_rw>access_remote_vm per page>mmap_read_lock+get_user_pages_remote(1 page, FOLL_FORCE|FOLL_WRITE)+copy+set_page_dirty_lock+put_page",
	.path = PATH_REMOTE,
	.ref = REF_GET,
	.shape = SHAPE_COMBINED,
	.flags = M_WRITE,
	.mem_factor = 2,
	.probe = procmem_probe,
	.init = procmem_init,
	.cycle = procmem_cycle,
	.fini = procmem_fini,
};
