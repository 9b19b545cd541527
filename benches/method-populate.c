// SPDX-License-Identifier: GPL-2.0
/*
 * madvise(MADV_POPULATE_READ / MADV_POPULATE_WRITE): GUP without a pages
 * array, used only to fault the range in. No reference is kept.
 *
 * Kernel path (6.x, mm/madvise.c and mm/gup.c; the madvise since 5.14):
 *   madvise() -> madvise_populate()
 *     mmap_read_lock; per round:
 *       faultin_page_range(mm, start, end, write, &locked)	(6.9+; before,
 *       faultin_vma_page_range() per VMA, the same below)
 *         -> __get_user_pages(mm, start, nr_pages, FOLL_TOUCH |
 *              FOLL_HWPOISON | FOLL_UNLOCKABLE | FOLL_MADV_POPULATE
 *              [| FOLL_WRITE], pages = NULL, &locked)
 *           per page follow_page_mask(), and on a miss faultin_page() ->
 *           handle_mm_fault(); with no pages array nothing is grabbed (no
 *           FOLL_GET, no FOLL_PIN)
 *     a VM_FAULT_RETRY drops mmap_lock and the round starts again
 *
 * Only "pin" is measured (SHAPE_PIN_ONLY): there is nothing to unpin. The
 * buffer must not be populated (populate = no, enforced by check()):
 * with rebuild = auto the worker then builds a fresh unpopulated buffer
 * before every sample (fresh=1 on every row), so each sample faults the
 * whole buffer in. (With rebuild = once, only the first sample faults;
 * the others measure __get_user_pages() walking present pages.)
 *
 * Timed: the one madvise() call over the whole buffer.
 *
 * What the numbers include besides GUP: the page faults themselves, which
 * are most of it: page-table allocation, and per folio the allocation and
 * zeroing of a page (populate-write; a whole THP at PMD order) or the
 * mapping of the shared zero page (populate-read of private anon: the 4
 * KiB zero page, or the huge zero page at PMD order). FOLL_TOUCH marks
 * the pages accessed. nr_foll_pin_* do not move.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "method.h"
#include "util.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif

static int populate_probe(char *why, size_t len)
{
	size_t sz = 2 * PAGE_SZ;
	void *m;
	int ret = 0;

	m = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		ret = -errno;
		fmt(why, len, "mmap: %s", strerror(-ret));
		return ret;
	}
	if (madvise(m, sz, MADV_POPULATE_READ) || madvise(m, sz, MADV_POPULATE_WRITE)) {
		ret = -errno;
		if (ret == -EINVAL)
			fmt(why, len, "madvise(MADV_POPULATE_*): EINVAL: kernel older than 5.14");
		else
			fmt(why, len, "madvise(MADV_POPULATE_*): %s", strerror(-ret));
	}
	munmap(m, sz);
	return ret;
}

static int populate_check(const struct scenario *sc, char *why, size_t len)
{
	if (sc->populate) {
		fmt(why, len, "populate needs a buffer that is not populated yet: set populate = no");
		return -EINVAL;
	}
	return 0;
}

static int populate_init(struct mctx *c, char *why, size_t len)
{
	if (c->write)
		fmt(c->note, sizeof(c->note),
		    "faults every page in (allocates and zeroes, whole THP at pmd order) under mmap_lock; no reference kept");
	else
		fmt(c->note, sizeof(c->note),
		    "faults every page in read-only (anon: maps the shared or huge zero page) under mmap_lock; no reference kept");
	return 0;
}

static int populate_pin(struct mctx *c, uint64_t *ns, char *why, size_t len)
{
	int advice = c->write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ;
	struct opwin win;
	uint64_t t;
	int ret;

	if (!c->buf || !c->buf->addr || !c->buf->spec.size) {
		fmt(why, len, "no buffer to populate");
		return -EINVAL;
	}
	opwin_begin(&win);
	ret = madvise(c->buf->addr, c->buf->spec.size, advice);
	t = opwin_end(&win);
	if (ret) {
		int err = errno;

		fmt(why, len, "madvise(%s): %s%s",
		    advice == MADV_POPULATE_WRITE ? "MADV_POPULATE_WRITE" : "MADV_POPULATE_READ",
		    strerror(err),
		    err == ENOMEM ? " (out of memory, or hugetlb pool empty)" :
		    err == EFAULT ? " (a page could not be faulted in)" : "");
		return -err;
	}
	*ns = t;
	return 0;
}

const struct method method_populate_read = {
	.name = "populate-read",
	.syscall = "madvise(MADV_POPULATE_READ) over the unpopulated buffer",
	.kpath = "madvise_populate>faultin_page_range>__get_user_pages(pages=NULL, FOLL_TOUCH|FOLL_MADV_POPULATE)>faultin_page",
	.path = PATH_SLOW,
	.ref = REF_NONE,
	.shape = SHAPE_PIN_ONLY,
	.mem_factor = 1,
	.probe = populate_probe,
	.check = populate_check,
	.init = populate_init,
	.pin = populate_pin,
};

const struct method method_populate_write = {
	.name = "populate-write",
	.write_op = 1,
	.syscall = "madvise(MADV_POPULATE_WRITE) over the unpopulated buffer",
	.kpath = "madvise_populate>faultin_page_range>__get_user_pages(pages=NULL, FOLL_TOUCH|FOLL_MADV_POPULATE|FOLL_WRITE)>faultin_page",
	.path = PATH_SLOW,
	.ref = REF_NONE,
	.shape = SHAPE_PIN_ONLY,
	.flags = M_WRITE,
	.mem_factor = 1,
	.probe = populate_probe,
	.check = populate_check,
	.init = populate_init,
	.pin = populate_pin,
};
