/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One scenario: a single point of the expanded matrix. The runner builds
 * it from a config job; the worker gets it back as key=value arguments and
 * parses it with the same option table (scenario.c).
 */
#ifndef GUPBENCH_SCENARIO_H
#define GUPBENCH_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#define CFG_MAX_OPTS 32		/* keys in the option table, at most */

enum rebuild {
	REBUILD_AUTO,	/* fresh buffer per sample when an op changes it */
	REBUILD_EACH,	/* always a fresh buffer per sample */
	REBUILD_ONCE,	/* one buffer for all samples */
};

enum share {
	SHARE_PRIVATE,	/* a buffer per thread */
	SHARE_SHARED,	/* one buffer all threads pin */
};

enum gup_extra {
	GUP_EXTRA_NONE,
	GUP_EXTRA_WRITE,	/* FOLL_WRITE */
};

enum pinned {
	PINNED_YES,
	PINNED_NO,
	PINNED_DONTFORK,	/* pinned, and MADV_DONTFORK */
};

/* fio: the engine that does the I/O */
enum fio_engine {
	FIO_IO_URING,
	FIO_LIBAIO,
	FIO_PSYNC,
};

/* fio: the I/O pattern (fio's rw) */
enum fio_rw {
	FIO_RANDREAD,
	FIO_RANDWRITE,
	FIO_READ,
	FIO_WRITE,
};

struct scenario {
	char job[64];		/* config section name */
	char method[32];
	int backing;		/* enum buf_backing (buf.h) */
	uint64_t size;		/* bytes */
	int order;		/* requested folio order */
	double zero;		/* zero-page ratio asked */
	int populate;		/* 1: fault in before pinning */
	int repeat;		/* measured samples per op */
	int warmup;		/* unmeasured-by-GB samples per op, kept as status=warmup */
	int rebuild;		/* enum rebuild */
	int threads;		/* pinning threads; 0 = all CPUs the worker may use */
	int share;		/* enum share: threads > 1, a buffer each or one for all */
	int batch;		/* gup_test nr_pages_per_call; 0 = whole buffer */
	int gup_flags;		/* enum gup_extra: gup_test extra gup flags */
	char dir[256];		/* where file-backed methods and backings make their files */
	int pinned;		/* enum pinned: fork, whether the buffer is pinned */
	char pin_method[32];	/* fork: the method that holds the pin */
	char mem_node[16];	/* any, all (interleave), local, remote, or a node number */
	char cpu_node[16];	/* any, or a node number: the worker runs on its CPUs */
	/* fio: size is the region fio does I/O on; its buffer is bs x iodepth */
	int fio_engine;		/* enum fio_engine */
	int fixedbufs;		/* io_uring registered buffers: pinned once, not per I/O */
	int iodepth;
	uint64_t bs;		/* bytes per I/O */
	int rw;			/* enum fio_rw */
	char target[128];	/* zram, null_blk, file, or a block device (/dev/...) */
	int ios;		/* I/Os per sample */
};

/* The names of the enum keys' values, as configs and CSVs spell them. */
const char *share_name(int share);
const char *gup_extra_name(int gup_flags);
const char *pinned_name(int pinned);
const char *fio_engine_name(int engine);
const char *fio_rw_name(int rw);

/* Option table access. */
size_t opt_count(void);
const char *opt_name(size_t i);
const char *opt_help(size_t i);
const char *opt_default(size_t i);
int opt_index(const char *name);

void scenario_defaults(struct scenario *sc);
/* Set one key from one (non-list) value. 0 or -EINVAL with why. */
int scenario_set(struct scenario *sc, const char *key, const char *val, char *why, size_t len);
/* Format one key of sc back to text that scenario_set() accepts. */
void scenario_get(const struct scenario *sc, size_t opt, char *dst, size_t len);

#endif
