/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Buffers under test: ask for a size, a folio order, a zero-page ratio and
 * whether to populate; then read back with pagemap and kpageflags what the
 * kernel really gave, so rows can carry both.
 */
#ifndef GUPBENCH_BUF_H
#define GUPBENCH_BUF_H

#include <stdint.h>
#include <sys/types.h>

/* Memory kinds (the config's backing key). */
enum buf_backing {
	BACK_ANON,		/* private anonymous */
	BACK_ANON_SHARED,	/* MAP_SHARED|MAP_ANONYMOUS: shmem underneath */
	BACK_MEMFD,		/* memfd_create(), mapped shared: shmem */
	BACK_HUGETLB_2M,	/* MAP_HUGETLB|MAP_HUGE_2MB, from the pool */
	BACK_HUGETLB_1G,	/* MAP_HUGETLB|MAP_HUGE_1GB, from the pool */
	BACK_FILE,		/* a page-cache file in spec.dir, mapped shared */
	BACK_NR
};

/* "anon", "anon-shared", ... in enum order, NULL-terminated (the config's spelling). */
extern const char *const buf_backing_names[BACK_NR + 1];
const char *buf_backing_name(int backing);
/* Folio order a hugetlb backing always has, -1 for others. */
int buf_backing_hugetlb_order(int backing);

struct buf_spec {
	int backing;		/* enum buf_backing */
	char dir[256];		/* BACK_FILE: where the file is made */
	uint64_t size;		/* bytes, multiple of 4 KiB */
	int order;		/* requested folio order, 0 = 4 KiB pages */
	double zero;		/* fraction of chunks only read-faulted, 0..1;
				 * private anon: the shared zero page; shmem and
				 * file: holes read, never written (zero-filled
				 * page cache, not the zero page) */
	int populate;		/* fault the non-zero chunks in by writing */
	int mem_policy;		/* enum buf_mem_policy; 0 (default) leaves placement alone */
	int mem_node;		/* BUF_MEM_BIND: the node */
};

enum buf_mem_policy {
	BUF_MEM_DEFAULT,	/* no policy: the kernel's first-touch placement */
	BUF_MEM_BIND,		/* MPOL_BIND to mem_node */
	BUF_MEM_INTERLEAVE,	/* MPOL_INTERLEAVE over the nodes with memory */
};

/* What pagemap/kpageflags say the buffer really is. */
struct buf_got {
	uint64_t pages;		/* 4 KiB pages in the buffer */
	uint64_t present;	/* pages with a PTE/PMD present */
	uint64_t zero_pages;	/* present pages that are the (huge) zero page */
	int order;		/* folio order covering most present pages, -1 if none */
	char hist[96];		/* "o0=12;o9=3": folios per order, present pages only */
	int exact;		/* 0 if PFNs were hidden (not root): counts are 0 */
	int node;		/* NUMA node holding most present pages, -1 if none */
	char node_hist[64];	/* "n0=2048;n1=12": present pages per node */
	/* what was asked, set by buf_build, for buf_got_mismatch() */
	uint64_t zero_asked;	/* pages that should be the (huge) zero page */
	int order_asked;
	int node_asked;		/* -1: no single node asked (default, interleave) */
};

struct buf {
	struct buf_spec spec;
	void *addr;		/* start of the measured region, folio-aligned */
	void *map;		/* the raw mapping (addr rounded inside it) */
	size_t map_len;
	int fd;			/* memfd or file backing it, -1 otherwise */
	uint64_t zero_chunks;	/* chunks that were only read-faulted */
	struct buf_got got;
};

/*
 * Map, advise and fault the buffer as spec says. Zero chunks are spread
 * evenly: chunk i (of 2^order pages) is read-only faulted when
 * floor((i + 1) * zero) > floor(i * zero), so a ratio of 0.5 is every
 * other chunk and 0.25 every fourth. The THP knobs that make the order
 * possible are the runner's job (knobs.c); this only madvises.
 * Returns 0 or -errno.
 */
int buf_build(struct buf *b, const struct buf_spec *spec);

/* Unmap and map again from scratch (a fresh buffer for the next sample). */
int buf_rebuild(struct buf *b);

/* Read back orders and zero pages of [addr, addr+len) in process pid
 * (0 = self) into got. Needs root for PFNs; without it got->exact = 0. */
int buf_readback(pid_t pid, const void *addr, uint64_t len, struct buf_got *got);

void buf_free(struct buf *b);

/*
 * What the buffer got that differs from what was asked, as text such as
 * "zero pages 0 of 512 asked; order 0 for order 9 asked" (empty: as asked,
 * or not knowable without PFNs). Returns 1 if anything differs.
 * Only private anonymous memory asks for zero pages: a zero chunk of
 * shmem or a file is a hole read into zero-filled page cache.
 */
int buf_got_mismatch(const struct buf_got *got, char *dst, size_t len);

#endif
