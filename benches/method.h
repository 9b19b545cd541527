/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A pin method: one user-space door into GUP. Each method is one file under
 * benches/ that fills one struct method and is listed once in methods.h.
 *
 * The method times its own operation, and only it: the syscall that pins
 * or unpins, between opwin_begin() and opwin_end() (util.h), which also
 * switch the per-op kernel counters (perf.c) on and off; KERNEL_TIMED
 * methods take the kernel's own delta, but still bracket their call with
 * a window so the counters see it. Everything else (rings, sockets,
 * peers, waiting for deferred work) happens outside the windows.
 */
#ifndef GUPBENCH_METHOD_H
#define GUPBENCH_METHOD_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "perf.h"
#include "sample.h"
#include "scenario.h"

/* Method flags. */
#define M_LONGTERM	(1u << 0)	/* FOLL_LONGTERM */
#define M_WRITE		(1u << 1)	/* FOLL_WRITE: breaks COW, replaces zero pages */
#define M_NEEDS_ROOT	(1u << 2)	/* probe fails without root */
#define M_KERNEL_TIMED	(1u << 3)	/* ns come from the kernel, usec resolution */
#define M_MEMLOCK	(1u << 4)	/* accounted to RLIMIT_MEMLOCK without CAP_IPC_LOCK */
#define M_NO_FILE_OLD	(1u << 8)	/* refuses page-cache file memory itself before 6.5 */
#define M_WHOLE_OP	(1u << 9)	/* its ops act on the process, not a pin per page (fork):
					 * plotted as the whole op's time against size */

/* How the kernel path is classified in the CSV (path, ref columns). */
enum gup_path { PATH_FAST, PATH_SLOW, PATH_REMOTE, PATH_NONE };
enum gup_ref { REF_PIN, REF_GET, REF_NONE };

struct mctx {
	const struct scenario *sc;
	struct buf *buf;	/* the buffer under test, in this process */
	void *priv;		/* method-private state from init() */
	char note[160];		/* said on every row of this method, e.g. caveats */
	/*
	 * An op made by another process (pvm's peer) is not seen by the
	 * worker's counters: the method puts that process's counts here
	 * and sets peer_counted, and the worker uses them for the sample.
	 */
	struct perf_counts peer_cnt;
	int peer_counted;
	int write;		/* the method's write_op: which twin of a read/write pair */
	/* SHAPE_WORKLOAD: where its files go, and the target the runner set up */
	const char *files;	/* a directory of the run, this scenario's own */
	const char *target;	/* resolved: /dev/zram1, a file path, ... */
};

#define METHOD_MAX_OPS 4
/*
 * A cycle() may set ns[i] to this for an op that does not apply to the
 * scenario (the child of a MADV_DONTFORK fork has no buffer to write); the
 * row is then a skip, with the reason cycle() put in why.
 */
#define OP_NOT_APPLICABLE UINT64_MAX

/* What a method times, and through which callbacks. */
enum method_shape {
	SHAPE_SEPARATE,	/* pin() and unpin() each time their own call: ops pin, unpin */
	SHAPE_PIN_ONLY,	/* only pin() is measured (no reference kept: populate) */
	SHAPE_COMBINED,	/* cycle(): one call pins, uses and unpins: op "pin+unpin" */
	SHAPE_PAIRED,	/* cycle(): one cycle, a time per op (pin, unpin): gup_test, vmsplice */
	SHAPE_WORKLOAD,	/* workload(): another program does the I/O (fio); one row per run of it */
};

struct method {
	const char *name;
	const char *syscall;	/* what user space calls */
	const char *kpath;	/* the kernel path it reaches (6.x) */
	enum gup_path path;
	enum gup_ref ref;
	enum method_shape shape;
	unsigned int flags;
	/*
	 * A read/write pair (pvm, procmem, dio, populate) is one set of
	 * callbacks and two descriptors: the write twin sets write_op, which
	 * the callbacks read as c->write. Not FOLL_WRITE: dio-write writes
	 * the file from the buffer, so its pin is read-only (no M_WRITE).
	 */
	int write_op;
	unsigned int mem_factor;	/* buffers of the scenario size it needs (pvm: 2) */
	/*
	 * Names of the ops a SHAPE_PAIRED cycle() times, in ns[] order, NULL
	 * terminated (fork: "fork", "child-write", "fork-exit-wait"). NULL:
	 * the default names, pin/unpin or pin+unpin, from the flags.
	 */
	const char *const *ops;

	/*
	 * Callbacks a method has nothing to do in may be NULL: probe (it runs
	 * wherever it builds), check, init and fini. Call them through
	 * method_probe(), method_init() and method_fini().
	 */
	/* Can it run here? 0, or -errno with a one-line reason in why. */
	int (*probe)(char *why, size_t len);
	/*
	 * Optional, at config time: can it take this scenario (backing,
	 * populate, alignment)? 0, or -EINVAL with the reason; the config
	 * error then names the method key's line.
	 */
	int (*check)(const struct scenario *sc, char *why, size_t len);
	/* Per worker: rings, sockets, peers. 0 or -errno (+why). */
	int (*init)(struct mctx *c, char *why, size_t len);
	/*
	 * Separate ops: pin() and unpin() each time their own call into *ns.
	 * SHAPE_PIN_ONLY: only pin() is measured; unpin() may be NULL.
	 * SHAPE_COMBINED: cycle() times the one call into ns[0].
	 * SHAPE_PAIRED: cycle() returns the pin time in ns[0] and the unpin time
	 * in ns[1] (the kernel's own, with M_KERNEL_TIMED), or one time per
	 * name in ops[].
	 * All return 0 or -errno, with a reason in why.
	 */
	int (*pin)(struct mctx *c, uint64_t *ns, char *why, size_t len);
	int (*unpin)(struct mctx *c, uint64_t *ns, char *why, size_t len);
	int (*cycle)(struct mctx *c, uint64_t ns[METHOD_MAX_OPS], char *why, size_t len);
	void (*fini)(struct mctx *c);
	/*
	 * SHAPE_WORKLOAD: one sample, a whole run of the workload, filled
	 * into *s (ns, pages, pins, got and the workload's own numbers);
	 * the worker sets op, rep and status. 0 or -errno with why.
	 */
	int (*workload)(struct mctx *c, struct sample *s, char *why, size_t len);
	/*
	 * Config keys only this method reads, NULL-terminated (fio's engine
	 * .options): on the rows of other methods they are not part of the
	 * point (the CSV carries their defaults there). NULL: none.
	 */
	const char *const *keys;
};

/* The table of all methods (methods.c, from methods.h). */
const struct method *method_find(const char *name);
static inline int method_probe(const struct method *m, char *why, size_t len)
{
	return m->probe ? m->probe(why, len) : 0;
}

static inline int method_init(const struct method *m, struct mctx *c, char *why, size_t len)
{
	c->write = m->write_op;
	return m->init ? m->init(c, why, len) : 0;
}

static inline void method_fini(const struct method *m, struct mctx *c)
{
	if (m->fini)
		m->fini(c);
}

/* 1 if m is timed through cycle() (combined and paired shapes). */
static inline int method_cycles(const struct method *m)
{
	return m->shape == SHAPE_COMBINED || m->shape == SHAPE_PAIRED;
}
/*
 * 1 if the method named reads the config key: a key no method declares
 * as its own is every method's. A name not in the table reads them all.
 */
int method_reads_key(const char *method, const char *key);
/*
 * 1 if this kernel refuses m's pins of page-cache file memory (a `file`
 * backing), with the reason in why; else 0.
 */
int method_refuses_file(const struct method *m, char *why, size_t len);
const struct method *method_at(size_t i);
size_t method_count(void);
const char *method_path_name(enum gup_path p);
/* The ops a method measures: how many, and their names for op rows. */
int method_op_count(const struct method *m);
const char *method_op_name(const struct method *m, int i);
const char *method_ref_name(enum gup_ref r);

#endif
