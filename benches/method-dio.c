// SPDX-License-Identifier: GPL-2.0
/*
 * O_DIRECT read / write: pread(2) into the buffer / pwrite(2) from it, on
 * an O_DIRECT file in the scenario's dir (a block-backed fs; ext4 here).
 *
 * Kernel path (6.x, ext4 on a block device):
 *   pread -> ext4_file_read_iter -> ext4_dio_read_iter
 *   pwrite -> ext4_file_write_iter -> ext4_dio_write_iter
 *     iomap_dio_rw() -> __iomap_dio_rw(): per extent iomap_dio_bio_iter()
 *       bio_iov_iter_get_pages() -> __bio_iov_iter_get_pages()
 *         iov_iter_extract_pages() -> iov_iter_extract_user_pages()
 *           pin_user_pages_fast(FOLL_PIN, | FOLL_WRITE for a read: the
 *           device writes into the buffer; R/O pin for a write)
 *       submit_bio(); the syscall sleeps until every bio completes
 *     completion: iomap_dio_bio_end_io() -> bio_release_pages()
 *       -> unpin_user_page(s) (reads re-dirty the pages first; pages that
 *       lost their dirty bit are punted to a workqueue, anon pages keep it)
 *   Before the block layer's switch to iov_iter_extract_pages() (David
 *   Howells' series: bio/iomap in 6.3-6.4, fs/direct-io.c in 6.5; dates
 *   from reading the history, not measured), and so on 6.1, the same
 *   place took FOLL_GET references: iov_iter_get_pages2() ->
 *   get_user_pages_fast(). Which one a row measured is in its vmstat
 *   deltas: pins_acquired == pins_released == pages for FOLL_PIN, 0 for
 *   FOLL_GET. Measured here on 6.18: FOLL_PIN, pins == pages; a R/O pin of
 *   the 4 KiB shared zero page is not counted (since 6.5), so dio-write of
 *   a half-zero order-0 buffer counts half the pages, like pvm-read.
 *
 * The file: made in init() under sc->dir with a unique name and
 * O_CREAT|O_EXCL|O_DIRECT, unlinked at once (a killed worker leaves
 * nothing behind), fallocated to the buffer size and then written in full
 * with O_DIRECT and fdatasync()ed, so every read hits real written blocks
 * (a read of unwritten extents would zero the buffer without any I/O, and
 * without pinning) and every write overwrites allocated blocks (no extent
 * conversion in the timed region). The page cache never holds the file.
 *
 * Timed: the pread/pwrite calls over the whole buffer, summed, one per GiB
 * (a single call is capped at MAX_RW_COUNT, 0x7ffff000). ns[0] is the
 * whole transfer, op "pin+unpin".
 *
 * What the numbers include besides GUP: everything of an O_DIRECT I/O:
 * ext4's extent lookup and i_rwsem, the bio allocation and bvec building
 * (folio coalescing), submission, the device (a virtio disk here: a trip
 * to the host), completion interrupt, wakeup, and the unpins. The device
 * dominates: the pin cost is a small part of the number.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "method.h"
#include "util.h"

#define DIO_PIECE	(1ULL << 30)	/* bytes per syscall, under MAX_RW_COUNT */
#define DIO_FILL_CHUNK	(8ULL << 20)	/* bounce buffer for the initial write */
#define DIO_FILL	0xd1		/* the file's content */
#define DIO_SPACE_SLACK	(64ULL << 20)	/* free space left on dir's fs */
#define DIO_NAME_TRIES	100

#ifndef RAMFS_MAGIC
#define RAMFS_MAGIC	0x858458f6
#endif

struct dio_priv {
	int fd;
	uint64_t size;		/* file size: the buffer size */
};

/*
 * A fresh O_DIRECT file under dir that only the fd names: O_TMPFILE, so no
 * name ever appears in dir (a dry run, or a worker killed at any moment,
 * leaves nothing there); on a filesystem without O_TMPFILE, a named file
 * unlinked at once. 0 or -errno with the reason.
 */
static int dio_file_open(const char *dir, int *fdp, char *why, size_t len)
{
	static unsigned int seq;
	char path[512];
	int fd = -1, err = 0, i;

	fd = open(dir, O_TMPFILE | O_RDWR | O_DIRECT | O_CLOEXEC, 0600);
	if (fd >= 0) {
		*fdp = fd;
		return 0;
	}
	if (errno == EINVAL) {
		/* O_TMPFILE is known since 3.11: EINVAL here is O_DIRECT's */
		fmt(why, len, "%s: open(O_DIRECT): EINVAL: the filesystem does not support O_DIRECT",
		    dir);
		return -EINVAL;
	}
	if (errno != EOPNOTSUPP && errno != EISDIR) {
		err = errno;
		fmt(why, len, "%s: open(O_TMPFILE|O_DIRECT): %s", dir, strerror(err));
		return -err;
	}
	for (i = 0; i < DIO_NAME_TRIES; i++) {
		fmt(path, sizeof(path), "%s/.gupbench-dio-%d-%u-%llx", dir, (int)getpid(),
		    seq++, (unsigned long long)(now_ns() & 0xffffffffULL));
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_DIRECT | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0) {
		err = errno;
		if (err == EINVAL)
			fmt(why, len, "%s: open(O_DIRECT): EINVAL: the filesystem does not support O_DIRECT",
			    dir);
		else
			fmt(why, len, "%s: open(O_CREAT|O_EXCL|O_DIRECT): %s", dir, strerror(err));
		return -err;
	}
	if (unlink(path)) {
		err = errno;
		fmt(why, len, "%s: unlink: %s", path, strerror(err));
		close(fd);
		return -err;
	}
	*fdp = fd;
	return 0;
}

/*
 * At config time: a directory on a filesystem that does O_DIRECT for
 * real (tmpfs accepts the flag since 6.6 but copies through the page
 * cache, pinning nothing), with room for the file.
 */
static int dio_check(const struct scenario *sc, char *why, size_t len)
{
	struct statfs sfs;
	struct stat st;
	int fd, ret;

	if (sc->backing == BACK_FILE) {
		fmt(why, len, "O_DIRECT into a page-cache-backed mapping of the same fs is not supported");
		return -EINVAL;
	}
	if (stat(sc->dir, &st) || statfs(sc->dir, &sfs)) {
		fmt(why, len, "dir %s: %s", sc->dir, strerror(errno));
		return -EINVAL;
	}
	if (!S_ISDIR(st.st_mode)) {
		fmt(why, len, "dir %s: not a directory", sc->dir);
		return -EINVAL;
	}
	if (sfs.f_type == TMPFS_MAGIC || sfs.f_type == RAMFS_MAGIC ||
	    sfs.f_type == HUGETLBFS_MAGIC) {
		fmt(why, len, "dir %s: a memory filesystem: O_DIRECT there copies, no user page is pinned (use a block-backed fs, e.g. /var/tmp)",
		    sc->dir);
		return -EINVAL;
	}
	if ((uint64_t)sfs.f_bavail * (uint64_t)sfs.f_bsize < sc->size + DIO_SPACE_SLACK) {
		char a[32], b[32];

		size_format(sc->size, a, sizeof(a));
		size_format((uint64_t)sfs.f_bavail * (uint64_t)sfs.f_bsize & ~(PAGE_SZ - 1),
			    b, sizeof(b));
		fmt(why, len, "dir %s: a %s file does not fit (%s free)", sc->dir, a, b);
		return -EINVAL;
	}
	ret = dio_file_open(sc->dir, &fd, why, len);
	if (ret)
		return -EINVAL;
	close(fd);
	return 0;
}

/* Allocate and write the whole file once, with O_DIRECT, then sync. */
static int dio_file_fill(int fd, uint64_t size, char *why, size_t len)
{
	size_t chunk = size < DIO_FILL_CHUNK ? size : DIO_FILL_CHUNK;
	uint64_t off = 0;
	void *m;
	int ret = 0;

	if (fallocate(fd, 0, 0, (off_t)size) && errno != EOPNOTSUPP) {
		ret = -errno;
		fmt(why, len, "fallocate %llu bytes: %s", (unsigned long long)size, strerror(-ret));
		return ret;
	}
	m = mmap(NULL, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		ret = -errno;
		fmt(why, len, "bounce buffer: %s", strerror(-ret));
		return ret;
	}
	memset(m, DIO_FILL, chunk);
	while (off < size) {
		size_t n = size - off < chunk ? (size_t)(size - off) : chunk;
		ssize_t w = pwrite(fd, m, n, (off_t)off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			ret = w < 0 ? -errno : -EIO;
			fmt(why, len, "writing the file at %llu: %s", (unsigned long long)off,
			    strerror(-ret));
			break;
		}
		off += (uint64_t)w;
	}
	munmap(m, chunk);
	if (!ret && fdatasync(fd)) {
		ret = -errno;
		fmt(why, len, "fdatasync: %s", strerror(-ret));
	}
	return ret;
}

static void dio_fini(struct mctx *c)
{
	struct dio_priv *p = c->priv;

	if (!p)
		return;
	if (p->fd >= 0)
		close(p->fd);	/* unlinked: the blocks go with it */
	free(p);
	c->priv = NULL;
}

static int dio_init(struct mctx *c, char *why, size_t len)
{
	uint64_t size = c->buf && c->buf->spec.size ? c->buf->spec.size :
			c->sc ? c->sc->size : 0;
	struct dio_priv *p;
	int ret;

	if (!c->sc || !c->sc->dir[0] || !size || size % PAGE_SZ) {
		fmt(why, len, "needs a dir and a size that is a multiple of 4 KiB");
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		fmt(why, len, "out of memory");
		return -ENOMEM;
	}
	p->fd = -1;
	p->size = size;
	c->priv = p;
	ret = dio_file_open(c->sc->dir, &p->fd, why, len);
	if (!ret)
		ret = dio_file_fill(p->fd, size, why, len);
	if (ret) {
		dio_fini(c);
		return ret;
	}
	fmt(c->note, sizeof(c->note),
	    "includes the block I/O (ext4 extent map, bio, virtio disk, completion wait): dominated by the device, not GUP; 1 GiB per call");
	return 0;
}

static int dio_cycle(struct mctx *c, uint64_t ns[METHOD_MAX_OPS], char *why, size_t len)
{
	struct dio_priv *p = c->priv;
	uint64_t size, sum = 0;
	int ret;
	char *addr;

	if (!c->buf || !c->buf->addr || !c->buf->spec.size) {
		fmt(why, len, "no buffer to transfer");
		return -EINVAL;
	}
	addr = c->buf->addr;
	size = c->buf->spec.size;
	if (size > p->size) {
		fmt(why, len, "buffer (%llu bytes) larger than the file (%llu)",
		    (unsigned long long)size, (unsigned long long)p->size);
		return -EINVAL;
	}
	ret = timed_rw(p->fd, addr, size, 0, c->write, DIO_PIECE, &sum, why, len);
	if (ret) {
		char hint[256];

		/* what O_DIRECT's usual refusals mean */
		fmt(hint, sizeof(hint), "%s%s", why,
		    ret == -EINVAL ? " (buffer or offset not aligned to the logical block size?)" :
		    ret == -EFAULT ? " (buffer not mapped, or a mapping GUP refuses)" : "");
		fmt(why, len, "%s", hint);
		return ret;
	}
	ns[0] = sum;
	ns[1] = 0;
	return 0;
}

const struct method method_dio_read = {
	.name = "dio-read",
	.syscall = "pread(2) of an O_DIRECT file in dir into the buffer",
	.kpath = "ext4_dio_read_iter>iomap_dio_rw>bio_iov_iter_get_pages>iov_iter_extract_pages>pin_user_pages_fast(FOLL_WRITE); bio end_io>unpin (FOLL_GET on 6.1)",
	.path = PATH_FAST,
	.ref = REF_PIN,
	.shape = SHAPE_COMBINED,
	.flags = M_WRITE,
	.mem_factor = 1,
	/* no probe: O_DIRECT is a property of the filesystem, checked with the dir */
	.check = dio_check,
	.init = dio_init,
	.cycle = dio_cycle,
	.fini = dio_fini,
};

const struct method method_dio_write = {
	.name = "dio-write",
	.write_op = 1,
	.syscall = "pwrite(2) of the buffer to an O_DIRECT file in dir",
	.kpath = "ext4_dio_write_iter>iomap_dio_rw>bio_iov_iter_get_pages>iov_iter_extract_pages>pin_user_pages_fast(0); bio end_io>unpin (FOLL_GET on 6.1)",
	.path = PATH_FAST,
	.ref = REF_PIN,
	.shape = SHAPE_COMBINED,
	.mem_factor = 1,
	/* no probe: O_DIRECT is a property of the filesystem, checked with the dir */
	.check = dio_check,
	.init = dio_init,
	.cycle = dio_cycle,
	.fini = dio_fini,
};
