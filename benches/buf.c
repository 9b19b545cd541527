// SPDX-License-Identifier: GPL-2.0
/*
 * Buffers under test and the read-back of what the kernel made of them.
 *
 * Building is plain: map, align, madvise, touch. Reading back is where the
 * care goes: pagemap gives PFNs, /proc/kpageflags gives per-PFN flags, and
 * from those we work out folio sizes and zero pages without trusting that
 * the kernel honoured what we asked for.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/mman.h>
#include <sys/mman.h>
#include <unistd.h>

#include <numaif.h>

#include "buf.h"
#include "util.h"

#define PMD_SZ		(2UL << 20)
#define ORDER_MAX	20

/* pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst) */
#define PM_PRESENT	(1ULL << 63)
#define PM_PFN_MASK	((1ULL << 55) - 1)

/*
 * kpageflags bits (include/uapi/linux/kernel-page-flags.h). KPF_THP and
 * KPF_HUGE are not consulted: head/tail counting sizes THP, mTHP and
 * hugetlb folios alike, and the huge zero page sets KPF_THP too.
 */
#define KPF_COMPOUND_HEAD	15
#define KPF_COMPOUND_TAIL	16
#define KPF_ZERO_PAGE		24

/*
 * Entries per pagemap read: 512 KiB of entries, 256 MiB of address space.
 * Large enough that a GiB buffer costs a handful of syscalls, small enough
 * that we never hold an array as big as the buffer.
 */
#define PM_BATCH	65536
/* kpageflags: longest single read, and the PFN gap still read through */
#define KPF_SEG_MAX	65536
#define KPF_GAP		32
/* block read by PFN around a page the batch does not map: 4 KiB */
#define KPF_BLOCK	512

const char *const buf_backing_names[BACK_NR + 1] = {
	"anon", "anon-shared", "memfd", "hugetlb-2M", "hugetlb-1G", "file", NULL,
};

const char *buf_backing_name(int backing)
{
	return backing >= 0 && backing < BACK_NR ? buf_backing_names[backing] : "?";
}

int buf_backing_hugetlb_order(int backing)
{
	if (backing == BACK_HUGETLB_2M)
		return 9;
	if (backing == BACK_HUGETLB_1G)
		return 18;
	return -1;
}

static int spec_check(const struct buf_spec *s)
{
	uint64_t folio;
	int ho = buf_backing_hugetlb_order(s->backing);

	if (s->backing < 0 || s->backing >= BACK_NR)
		return -EINVAL;
	if (s->order < 0 || s->order > ORDER_MAX)
		return -EINVAL;
	/* a hugetlb mapping has one page size and no holes or zero pages */
	if (ho >= 0 && (s->order != ho || s->zero > 0))
		return -EINVAL;
	if (s->backing == BACK_FILE && !s->dir[0])
		return -EINVAL;
	/* written this way so that NaN fails too */
	if (!(s->zero >= 0.0 && s->zero <= 1.0))
		return -EINVAL;
	folio = PAGE_SZ << s->order;
	if (!s->size || s->size % PAGE_SZ || s->size % folio)
		return -EINVAL;
	return 0;
}

/*
 * Evenly spread: the floor of the running count steps up on zero chunks.
 * Both products are >= 0, so truncation is floor (and needs no libm).
 */
static int chunk_is_zero(uint64_t i, double zero)
{
	uint64_t now = (uint64_t)((double)(i + 1) * zero);

	return now > (uint64_t)((double)i * zero);
}

/*
 * Fault the chunks in address order, one chunk completely before the next,
 * so that the fault handler sees each folio-sized region on its own and the
 * first touch of a chunk decides its folio (or the huge zero page).
 */
static uint64_t buf_fault(char *addr, const struct buf_spec *s)
{
	uint64_t chunk = PAGE_SZ << s->order;
	uint64_t n = s->size / chunk, i, off, zc = 0;

	for (i = 0; i < n; i++) {
		char *c = addr + i * chunk;

		if (chunk_is_zero(i, s->zero)) {
			zc++;
			for (off = 0; off < chunk; off += PAGE_SZ)
				(void)*(volatile char *)(c + off);
		} else if (s->populate) {
			/*
			 * Non-zero data: the THP shrinker may split an
			 * underused THP and remap zero-filled subpages to
			 * the zero page; a written 1 keeps every page ours.
			 */
			for (off = 0; off < chunk; off += PAGE_SZ)
				*(volatile char *)(c + off) = 1;
		}
	}
	return zc;
}

static int backing_flags(const struct buf_spec *s)
{
	switch (s->backing) {
	case BACK_ANON:
		return MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
	case BACK_ANON_SHARED:
		return MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE;
	case BACK_HUGETLB_2M:
		return MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB;
	case BACK_HUGETLB_1G:
		return MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_1GB;
	default:		/* memfd, file */
		return MAP_SHARED;
	}
}

/*
 * The fd behind a memfd or file backing, sized to the buffer and sparse:
 * holes until a chunk is written. The file is unlinked as soon as it
 * exists, so a worker that is killed leaves nothing on disk.
 */
static int backing_open(const struct buf_spec *s, int *fd)
{
	char path[512];
	int ret;

	*fd = -1;
	if (s->backing == BACK_MEMFD) {
		*fd = memfd_create("gupbench", MFD_CLOEXEC);
	} else if (s->backing == BACK_FILE) {
		fmt(path, sizeof(path), "%s/gupbench-buf-XXXXXX", s->dir);
		*fd = mkostemp(path, O_CLOEXEC);
		if (*fd >= 0)
			unlink(path);
	} else {
		return 0;
	}
	if (*fd < 0)
		return -errno;
	if (ftruncate(*fd, (off_t)s->size)) {
		ret = -errno;
		close(*fd);
		*fd = -1;
		return ret;
	}
	return 0;
}

/*
 * A memory policy on the range before anything is faulted: MPOL_BIND to
 * one node, or MPOL_INTERLEAVE over the nodes that have memory. Where the
 * pages really went is read back (buf_nodes), not assumed.
 */
static int buf_bind(const struct buf_spec *s, void *addr)
{
	unsigned long mask[16] = { 0 };
	const unsigned long bits = sizeof(mask) * 8;
	int mode;

	if (s->mem_policy == BUF_MEM_DEFAULT)
		return 0;
	if (s->mem_policy == BUF_MEM_INTERLEAVE) {
		mode = MPOL_INTERLEAVE;
		for (unsigned long n = 0; n < bits; n++)
			mask[n / (8 * sizeof(long))] |= 1UL << (n % (8 * sizeof(long)));
	} else {
		if (s->mem_node < 0 || (unsigned long)s->mem_node >= bits)
			return -EINVAL;
		mode = MPOL_BIND;
		mask[s->mem_node / (8 * sizeof(long))] |= 1UL << (s->mem_node % (8 * sizeof(long)));
	}
	/* the kernel masks the interleave set with the nodes that have memory */
	if (mbind(addr, s->size, mode, mask, bits, 0))
		return -errno;
	return 0;
}

int buf_build(struct buf *b, const struct buf_spec *spec)
{
	struct buf_spec s = *spec;	/* spec may point into b */
	uint64_t folio, align;
	uintptr_t start;
	size_t len;
	void *map;
	int ret;

	memset(b, 0, sizeof(*b));
	ret = spec_check(&s);
	if (ret)
		return ret;

	/*
	 * Align to at least the PMD size even for small orders, so that a
	 * buffer starts at the same offset in a page table whatever the order
	 * and results stay comparable across orders.
	 */
	folio = PAGE_SZ << s.order;
	align = folio > PMD_SZ ? folio : PMD_SZ;
	if (s.size > SIZE_MAX - align)
		return -ENOMEM;
	len = s.size + align;
	b->fd = -1;
	ret = backing_open(&s, &b->fd);
	if (ret)
		return ret;
	map = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (map == MAP_FAILED) {
		ret = -errno;
		goto fail;
	}
	start = ((uintptr_t)map + align - 1) & ~(uintptr_t)(align - 1);
	/*
	 * The reservation above only finds an aligned hole; the buffer itself
	 * is mapped over it, with the backing's own flags.
	 */
	if (mmap((void *)start, s.size, PROT_READ | PROT_WRITE, backing_flags(&s) | MAP_FIXED,
		 b->fd, 0) == MAP_FAILED) {
		ret = -errno;
		munmap(map, len);
		goto fail;
	}

	ret = buf_bind(&s, (void *)start);
	if (ret) {
		munmap(map, len);
		goto fail;
	}
	if (buf_backing_hugetlb_order(s.backing) >= 0) {
		/* hugetlb: the page size is the mapping's; nothing to advise */
	} else if (s.order) {
		if (madvise((void *)start, s.size, MADV_HUGEPAGE)) {
			ret = -errno;
			munmap(map, len);
			goto fail;
		}
	} else {
		/*
		 * Keep THP (PMD or mTHP set to "always") away from an order 0
		 * buffer. EINVAL means a kernel without THP, where small
		 * pages are all there is: not an error.
		 */
		if (madvise((void *)start, s.size, MADV_NOHUGEPAGE) &&
		    errno != EINVAL) {
			ret = -errno;
			munmap(map, len);
			goto fail;
		}
	}

	b->spec = s;
	b->map = map;
	b->map_len = len;
	b->addr = (void *)start;
	b->zero_chunks = buf_fault(b->addr, &s);

	ret = buf_readback(0, b->addr, s.size, &b->got);
	if (ret) {
		buf_free(b);
		return ret;
	}
	b->got.zero_asked = s.backing == BACK_ANON ? b->zero_chunks << s.order : 0;
	b->got.order_asked = s.order;
	b->got.node_asked = s.mem_policy == BUF_MEM_BIND ? s.mem_node : -1;
	return 0;
fail:
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	return ret;
}

int buf_rebuild(struct buf *b)
{
	struct buf_spec s = b->spec;

	if (!b->map)
		return -EINVAL;
	/* unmap first: fresh page tables and folios (and file), not a reuse */
	buf_free(b);
	return buf_build(b, &s);
}

void buf_free(struct buf *b)
{
	if (b->map)
		munmap(b->map, b->map_len);
	if (b->map && b->fd >= 0)
		close(b->fd);
	memset(b, 0, sizeof(*b));
	b->fd = -1;
}

int buf_got_mismatch(const struct buf_got *got, char *dst, size_t len)
{
	size_t n = 0;

	dst[0] = '\0';
	/* without PFNs (not root) zero pages and orders are not known */
	if (got->exact && got->zero_pages < got->zero_asked)
		n += snprintf(dst + n, n < len ? len - n : 0, "zero pages %" PRIu64 " of %" PRIu64
			      " asked", got->zero_pages, got->zero_asked);
	if (got->exact && got->order >= 0 && got->order != got->order_asked)
		n += snprintf(dst + n, n < len ? len - n : 0, "%sorder %d for order %d asked",
			      n ? "; " : "", got->order, got->order_asked);
	if (got->node_asked >= 0 && got->node >= 0 && got->node != got->node_asked)
		n += snprintf(dst + n, n < len ? len - n : 0, "%snode %d for node %d asked",
			      n ? "; " : "", got->node, got->node_asked);
	return n > 0;
}

/* ---- read-back ---- */

/*
 * Flags of the PFNs one pagemap batch maps, sorted and unique. Sorting
 * folds the many mappings of the zero page into one entry and lines up
 * the PFNs of small pages, which the allocator hands out close together,
 * so that kpageflags is read in a few runs rather than page by page.
 */
struct kpf_set {
	uint64_t *in;		/* the batch's PFNs, sorted in place */
	uint64_t *pfn;		/* what was read: PFNs ... */
	uint64_t *flags;	/* ... and their flags, 2 * PM_BATCH room */
	size_t n;
};

/* A window of kpageflags read by PFN: flags of [start, start + n). */
struct kpf_win {
	uint64_t start;
	uint64_t n;
	uint64_t flags[KPF_BLOCK];
};

struct rb {
	int kfd;
	struct kpf_set set;
	uint64_t *seg;		/* read buffer of one run, KPF_SEG_MAX + 1 */
	/*
	 * Pages outside the batch (a folio's tails beyond the range, a head
	 * before it): read by PFN a block at a time.
	 */
	struct kpf_win probe;
	/* the folio last resolved: consecutive pages mostly share it */
	uint64_t f_head;
	uint64_t f_nr;
	int f_order;
	/* heads of large folios seen, packed (order << 56 | pfn) */
	uint64_t *heads;
	size_t nheads;
	size_t cap_heads;
	/* present non-zero pages per folio order, and order 0 folios */
	uint64_t pages_by_order[ORDER_MAX + 1];
	uint64_t small_folios;
};

/* Read flags of [start, start + n); returns how many came (short past the
 * last PFN) or -errno. */
static ssize_t kpf_read(struct rb *r, uint64_t *dst, uint64_t start,
			uint64_t n)
{
	size_t got;
	int ret;

	ret = pread_full(r->kfd, dst, n * 8, (off_t)(start * 8), &got);
	if (ret)
		return ret;
	return got / 8;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Fill r->set with the flags of every PFN present in pm[0..n), plus the
 * PFN just after each run read: when a folio ends with the run, that is
 * the page that says so (not a tail), and folio_resolve() finds it here
 * instead of reading it on its own.
 */
static int set_load(struct rb *r, const uint64_t *pm, size_t n)
{
	struct kpf_set *s = &r->set;
	size_t i, j, k, u = 0, uniq = 0;
	uint64_t len;
	ssize_t got;

	for (i = 0; i < n; i++)
		if (pm[i] & PM_PRESENT)
			s->in[u++] = pm[i] & PM_PFN_MASK;
	qsort(s->in, u, sizeof(*s->in), u64_cmp);
	for (i = 0; i < u; i++)
		if (!uniq || s->in[uniq - 1] != s->in[i])
			s->in[uniq++] = s->in[i];

	s->n = 0;
	for (i = 0; i < uniq; i = j + 1) {
		/*
		 * One read per run; close PFNs share it when the gap is
		 * cheaper to read (kpageflags costs ~0.1 us an entry here)
		 * than another syscall.
		 */
		for (j = i; j + 1 < uniq; j++)
			if (s->in[j + 1] - s->in[j] > KPF_GAP ||
			    s->in[j + 1] - s->in[i] >= KPF_SEG_MAX)
				break;
		len = s->in[j] - s->in[i] + 1;
		got = kpf_read(r, r->seg, s->in[i], len + 1);
		if (got < 0)
			return (int)got;
		for (k = i; k <= j; k++) {
			uint64_t off = s->in[k] - s->in[i];

			s->pfn[s->n] = s->in[k];
			/* no such PFN: no flags, it reads as a small page */
			s->flags[s->n++] = off < (uint64_t)got ?
					   r->seg[off] : 0;
		}
		/*
		 * Sorted still: the next run starts further on, or (cut at
		 * KPF_SEG_MAX) at this very PFN, with the same flags.
		 */
		if ((uint64_t)got > len) {
			s->pfn[s->n] = s->in[j] + 1;
			s->flags[s->n++] = r->seg[len];
		}
	}
	return 0;
}

static int set_find(const struct kpf_set *s, uint64_t pfn, uint64_t *flags)
{
	size_t lo = 0, hi = s->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->pfn[mid] < pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == s->n || s->pfn[lo] != pfn)
		return 0;
	*flags = s->flags[lo];
	return 1;
}

/* Flags of any PFN: from the batch if mapped there, else by block. */
static int kpf_get(struct rb *r, uint64_t pfn, uint64_t *flags)
{
	struct kpf_win *w = &r->probe;
	ssize_t got;

	if (set_find(&r->set, pfn, flags))
		return 0;
	if (!(pfn >= w->start && pfn - w->start < w->n)) {
		w->start = pfn & ~(uint64_t)(KPF_BLOCK - 1);
		w->n = 0;
		got = kpf_read(r, w->flags, w->start, KPF_BLOCK);
		if (got < 0)
			return (int)got;
		w->n = got;
	}
	*flags = pfn - w->start < w->n ? w->flags[pfn - w->start] : 0;
	return 0;
}

static int floor_log2(uint64_t v)
{
	int n = 0;

	while (v >>= 1)
		n++;
	return n;
}

#define KPF(f, bit) ((f) & (1ULL << (bit)))

/*
 * Resolve the folio a compound page belongs to. Counting the tails after
 * the head goes by PFN, not by address, so a folio only partly mapped in
 * the range (or mapped elsewhere too) still reports its real size.
 */
static int folio_resolve(struct rb *r, uint64_t pfn, uint64_t flags)
{
	const uint64_t cap = 1ULL << ORDER_MAX;
	uint64_t head = pfn, f = 0, k;
	int ret;

	if (r->f_nr && pfn >= r->f_head && pfn - r->f_head < r->f_nr)
		return 0;

	if (!KPF(flags, KPF_COMPOUND_HEAD)) {
		/* a tail whose head we have not met: walk back to it */
		for (k = 1; k < cap && head; k++) {
			ret = kpf_get(r, --head, &f);
			if (ret)
				return ret;
			if (KPF(f, KPF_COMPOUND_HEAD))
				break;
			if (!KPF(f, KPF_COMPOUND_TAIL))
				break;	/* split under us */
		}
		if (!KPF(f, KPF_COMPOUND_HEAD))
			head = pfn;
	}

	for (k = 1; k < cap; k++) {
		ret = kpf_get(r, head + k, &f);
		if (ret)
			return ret;
		if (!KPF(f, KPF_COMPOUND_TAIL))
			break;
	}
	if (pfn - head >= k) {
		/* changed under us: take the page on its own */
		head = pfn;
		k = 1;
	}
	r->f_head = head;
	r->f_nr = k;
	r->f_order = floor_log2(k);
	return 0;
}

static int head_note(struct rb *r, uint64_t head, int order)
{
	uint64_t key = (uint64_t)order << 56 | head;
	uint64_t *n;

	/* consecutive pages of one folio: note it once */
	if (r->nheads && r->heads[r->nheads - 1] == key)
		return 0;
	if (r->nheads == r->cap_heads) {
		size_t cap = r->cap_heads ? r->cap_heads * 2 : 1024;

		n = realloc(r->heads, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		r->heads = n;
		r->cap_heads = cap;
	}
	r->heads[r->nheads++] = key;
	return 0;
}

static int page_account(struct rb *r, uint64_t pfn, struct buf_got *got)
{
	uint64_t flags = 0;
	int ret;

	set_find(&r->set, pfn, &flags);
	/*
	 * Zero pages first: the huge zero page is a compound page too and
	 * reports KPF_ZERO_PAGE on every subpage; it is nobody's folio.
	 */
	if (KPF(flags, KPF_ZERO_PAGE)) {
		got->zero_pages++;
		return 0;
	}
	if (!KPF(flags, KPF_COMPOUND_HEAD) && !KPF(flags, KPF_COMPOUND_TAIL)) {
		r->pages_by_order[0]++;
		r->small_folios++;
		return 0;
	}
	ret = folio_resolve(r, pfn, flags);
	if (ret)
		return ret;
	r->pages_by_order[r->f_order]++;
	if (!r->f_order) {
		r->small_folios++;
		return 0;
	}
	return head_note(r, r->f_head, r->f_order);
}

static void got_finish(struct rb *r, struct buf_got *got)
{
	uint64_t folios[ORDER_MAX + 1] = { 0 }, best = 0;
	size_t i, len = 0;
	int o;

	folios[0] = r->small_folios;
	/* a folio mapped in several places of the range counts once */
	if (r->nheads)
		qsort(r->heads, r->nheads, sizeof(*r->heads), u64_cmp);
	for (i = 0; i < r->nheads; i++)
		if (!i || r->heads[i] != r->heads[i - 1])
			folios[r->heads[i] >> 56]++;

	got->order = -1;
	got->hist[0] = '\0';
	for (o = 0; o <= ORDER_MAX; o++) {
		if (r->pages_by_order[o] > best) {
			best = r->pages_by_order[o];
			got->order = o;
		}
		if (!folios[o])
			continue;
		fmt(got->hist + len, sizeof(got->hist) - len, "%so%d=%" PRIu64,
		    len ? ";" : "", o, folios[o]);
		len += strlen(got->hist + len);
	}
}

/* Which node each present page is on (move_pages with no target nodes). */
static void buf_nodes(pid_t pid, const void *addr, uint64_t len, struct buf_got *got)
{
	enum { BATCH = 4096, MAX_NODES = 64 };
	uint64_t per_node[MAX_NODES] = { 0 }, best = 0;
	void *pages[BATCH];
	int status[BATCH];
	uint64_t n = len / PAGE_SZ;
	size_t off = 0;

	got->node = -1;
	got->node_hist[0] = '\0';
	for (uint64_t i = 0; i < n; i += BATCH) {
		unsigned long k = n - i < BATCH ? (unsigned long)(n - i) : BATCH;

		for (unsigned long j = 0; j < k; j++)
			pages[j] = (char *)addr + (i + j) * PAGE_SZ;
		if (move_pages(pid, k, pages, NULL, status, 0))
			return;		/* no NUMA support: leave it unknown */
		for (unsigned long j = 0; j < k; j++)
			if (status[j] >= 0 && status[j] < MAX_NODES)
				per_node[status[j]]++;
	}
	for (int i = 0; i < MAX_NODES; i++) {
		if (!per_node[i])
			continue;
		off += snprintf(got->node_hist + off, off < sizeof(got->node_hist) ?
				sizeof(got->node_hist) - off : 0, "%sn%d=%llu", off ? ";" : "", i,
				(unsigned long long)per_node[i]);
		if (per_node[i] > best) {
			best = per_node[i];
			got->node = i;
		}
	}
}

int buf_readback(pid_t pid, const void *addr, uint64_t len,
		 struct buf_got *got)
{
	uint64_t vpn = (uintptr_t)addr / PAGE_SZ, done, *pm = NULL;
	struct rb *r;
	char path[64];
	int pfd, ret = 0, hidden = -1;
	size_t n, i, bytes;

	memset(got, 0, sizeof(*got));
	got->order = -1;
	if ((uintptr_t)addr % PAGE_SZ)
		return -EINVAL;
	got->pages = len / PAGE_SZ;

	if (pid)
		fmt(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	else
		fmt(path, sizeof(path), "/proc/self/pagemap");
	pfd = open(path, O_RDONLY | O_CLOEXEC);
	if (pfd < 0)
		return -errno;

	r = calloc(1, sizeof(*r));
	if (!r) {
		close(pfd);
		return -ENOMEM;
	}
	r->kfd = -1;
	pm = malloc(PM_BATCH * sizeof(*pm));
	r->set.in = malloc(PM_BATCH * sizeof(uint64_t));
	r->set.pfn = malloc(2 * PM_BATCH * sizeof(uint64_t));
	r->set.flags = malloc(2 * PM_BATCH * sizeof(uint64_t));
	r->seg = malloc((KPF_SEG_MAX + 1) * sizeof(uint64_t));
	if (!pm || !r->set.in || !r->set.pfn || !r->set.flags || !r->seg) {
		ret = -ENOMEM;
		goto out;
	}

	for (done = 0; done < got->pages; done += n) {
		n = got->pages - done;
		if (n > PM_BATCH)
			n = PM_BATCH;
		ret = pread_full(pfd, pm, n * 8, (off_t)((vpn + done) * 8),
				 &bytes);
		if (ret)
			goto out;
		if (bytes != n * 8) {
			ret = -EIO;
			goto out;
		}
		for (i = 0; i < n && hidden < 0; i++) {
			if (!(pm[i] & PM_PRESENT))
				continue;
			/*
			 * pagemap zeroes PFNs for openers without
			 * CAP_SYS_ADMIN, all or none; PFN 0 is never
			 * anonymous memory, so the first present page
			 * tells. kpageflags is root-only too.
			 */
			hidden = !(pm[i] & PM_PFN_MASK);
			if (!hidden) {
				r->kfd = open("/proc/kpageflags",
					      O_RDONLY | O_CLOEXEC);
				if (r->kfd < 0)
					hidden = 1;
			}
		}
		if (hidden == 0) {
			ret = set_load(r, pm, n);
			if (ret)
				goto out;
		}
		for (i = 0; i < n; i++) {
			if (!(pm[i] & PM_PRESENT))
				continue;
			got->present++;
			if (hidden)
				continue;
			ret = page_account(r, pm[i] & PM_PFN_MASK, got);
			if (ret)
				goto out;
		}
	}

	/*
	 * With nothing present the counts are right either way; still say
	 * whether PFNs would have been visible, as the field promises.
	 */
	if (hidden < 0)
		hidden = !have_cap(CAP_SYS_ADMIN);
	got->exact = !hidden;
	if (got->exact)
		got_finish(r, got);
	buf_nodes(pid, addr, len, got);
out:
	if (r->kfd >= 0)
		close(r->kfd);
	close(pfd);
	free(pm);
	free(r->set.in);
	free(r->set.pfn);
	free(r->set.flags);
	free(r->seg);
	free(r->heads);
	free(r);
	return ret;
}
