// SPDX-License-Identifier: GPL-2.0
/*
 * The CSV schema. Adding a column: one CELL() line below; bump CSV_SCHEMA
 * when a column changes meaning or goes away.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "util.h"

const char *sample_status_name(int status)
{
	static const char *const n[] = { "ok", "warmup", "skip", "error", "interrupted" };

	return status >= 0 && status < (int)ARRAY_SIZE(n) ? n[status] : "?";
}

#define SC (r->sc)
#define S (r->s)
#define M (r->m)

/*
 * CELL(name, help, format, args...): the columns, in order. Cells that
 * have no value for a row (ns of a skip row) are written empty.
 *
 * The c_* columns are kernel counters (benches/perf.h) over the op's
 * timed windows only: the count; "unsupported" where this machine or
 * kernel cannot count it (never 0); empty where not measured (skip and
 * error rows, no permission, an op with no window in this process).
 * gup_test rows both carry the one ioctl's counts (get and put); pvm
 * rows carry the peer process's.
 */
#define CSV_COLUMNS(CELL)									\
	CELL(schema, "schema version of this row's columns", "%d", CSV_SCHEMA)			\
	CELL(scenario, "index of the scenario in the run's matrix", "%u", r->scenario)		\
	CELL(run, "round of the matrix (gupbench run --runs N: 0..N-1), each in a fresh "	\
	     "worker with fresh memory", "%u", r->run)						\
	CELL(job, "config section the scenario came from", "%s", SC->job)			\
	CELL(method, "pin method (gupbench list)", "%s", SC->method)				\
	CELL(path, "GUP path class: fast, slow, remote, or none (fork)", "%s",			\
	     method_path_name(M->path))								\
	CELL(ref, "reference taken: pin (FOLL_PIN), get (FOLL_GET) or none", "%s",		\
	     method_ref_name(M->ref))								\
	CELL(longterm, "1 if FOLL_LONGTERM", "%d", !!(M->flags & M_LONGTERM))			\
	CELL(write, "1 if the pin is for write (FOLL_WRITE)", "%d", write_flag(r))		\
	CELL(backing, "memory kind", "%s", buf_backing_name(SC->backing))						\
	CELL(size_bytes, "buffer size asked", "%" PRIu64, SC->size)				\
	CELL(folio_order, "folio order asked", "%d", SC->order)					\
	CELL(order_got, "folio order covering most present pages (-1: none present)", "%s",	\
	     got_order(r, tmp, sizeof(tmp)))							\
	CELL(order_hist, "folios per order the buffer really had, o<order>=<count>;...", "%s",	\
	     S->got.hist)									\
	CELL(zero_ratio, "zero-page ratio asked", "%g", SC->zero)				\
	CELL(zero_pages_got, "pages that were the shared (or huge) zero page", "%s",		\
	     got_u64(r, S->got.zero_pages, tmp, sizeof(tmp)))					\
	CELL(pages_present, "pages present before the op", "%" PRIu64, S->got.present)		\
	CELL(populate, "1 if the buffer was faulted in before the op", "%d", SC->populate)	\
	CELL(mem_node, "NUMA node asked for the buffer: any, all, local, remote or N", "%s",	\
	     SC->mem_node)									\
	CELL(cpu_node, "NUMA node whose CPUs ran the worker: any or N", "%s", SC->cpu_node)	\
	CELL(node_got, "NUMA node holding most present pages (move_pages; -1: none)", "%s",	\
	     S->got.pages ? i64(S->got.node, tmp, sizeof(tmp)) : "")				\
	CELL(node_hist, "present pages per NUMA node, n<node>=<pages>;...", "%s",		\
	     S->got.node_hist)									\
	CELL(mismatch, "what the buffer got that differs from what was asked (zero pages, "	\
	     "order, node); empty: as asked", "%s", got_mismatch(r, tmp, sizeof(tmp)))		\
	CELL(pinned, "fork: buffer pinned (yes), not (no), or pinned + MADV_DONTFORK", "%s",	\
	     pinned_name(SC->pinned))										\
	CELL(pin_method, "fork: the method holding the pin", "%s", SC->pin_method)		\
	CELL(batch, "gup_test nr_pages_per_call (0: the whole buffer in one call)", "%d",	\
	     SC->batch)										\
	CELL(fio_engine, "fio: the I/O engine (io_uring, libaio, psync)", "%s",		\
	     fio_engine_name(SC->fio_engine))							\
	CELL(fixedbufs, "fio io_uring: 1 if registered buffers (pinned once, not per I/O)", "%d",	\
	     SC->fixedbufs)									\
	CELL(iodepth, "fio: I/Os in flight", "%d", SC->iodepth)					\
	CELL(bs, "fio: bytes per I/O", "%" PRIu64, SC->bs)					\
	CELL(rw, "fio: randread, randwrite, read or write", "%s", fio_rw_name(SC->rw))		\
	CELL(target, "fio: what the I/O went to (zram, null_blk, file, /dev/...)", "%s",		\
	     SC->target)									\
	CELL(threads, "pinning threads (lanes) in the round", "%d", S->threads ? S->threads : SC->threads) \
	CELL(share, "threads > 1: private buffer per thread or one shared buffer", "%s",		\
	     share_name(SC->share))										\
	CELL(thread, "the thread (lane) this row's sample ran in, 0..", "%d", S->thread)		\
	CELL(cpu_bound, "CPU the thread was bound to (-1: the process binding only)", "%d",	\
	     S->cpu_bound)									\
	CELL(cpu_start, "CPU the op started on (sched_getcpu)", "%s",				\
	     measured(r) ? i64(S->cpu_start, tmp, sizeof(tmp)) : "")				\
	CELL(cpu_end, "CPU the op ended on", "%s", measured(r) ? i64(S->cpu_end, tmp, sizeof(tmp)) : "") \
	CELL(round_ns, "the round's makespan (slowest thread), ns; the aggregate rate is "	\
	     "threads*pages/round_ns", "%s", measured(r) ? u64(S->round_ns, tmp, sizeof(tmp)) : "")	\
	CELL(op, "pin, unpin, or pin+unpin for a call that does both", "%s", S->op)		\
	CELL(rep, "sample number within op and status", "%d", S->rep)				\
	CELL(ns, "duration of the op alone, nanoseconds (empty: not measured)", "%s",		\
	     measured(r) ? u64(S->ns, tmp, sizeof(tmp)) : "")					\
	CELL(timer, "user (CLOCK_MONOTONIC around the syscall) or kernel (gup_test usec)", "%s", \
	     S->kernel_timed ? "kernel" : "user")						\
	CELL(clock, "what a ns is: real, or icount shift=S (a QEMU guest's instruction "	\
	     "counter, 2^S virtual ns per guest instruction)", "%s", r->clock ? r->clock->cell : "real") \
	CELL(cpu_ns, "on-CPU time of the timed thread over the op's windows, ns (task-clock; "	\
	     "~1-2 us per window is the counters' own enable/disable; pvm rows: the peer "	\
	     "process's; fio rows: on-CPU time of all fio's threads per I/O over the I/O phase (schedstat); empty: not measured)", "%s",						\
	     counter(r, PERF_CTR_TASK_CLOCK, tmp, sizeof(tmp)))					\
	CELL(offcpu_ns, "ns - cpu_ns: the op's time off this CPU (waits, sleeps, preemption); "	\
	     "slightly negative for a short op, by the counters' overhead", "%s",		\
	     offcpu(r, tmp, sizeof(tmp)))							\
	CELL(pages, "4 KiB pages the op covered", "%" PRIu64, S->pages)				\
	CELL(pins_acquired, "nr_foll_pin_acquired delta around the op", "%s",			\
	     measured(r) ? i64(S->pins_acquired, tmp, sizeof(tmp)) : "")			\
	CELL(pins_released, "nr_foll_pin_released delta around the op", "%s",			\
	     measured(r) ? i64(S->pins_released, tmp, sizeof(tmp)) : "")			\
	CELL(pins_exact, "1 if per-CPU vmstat deltas were folded before reading", "%d",		\
	     S->pins_exact)									\
	CELL(c_page_faults, "page-faults (software event) in the op's windows: faults the CPU "	\
	     "took; faults GUP takes for the caller are not perf events", "%s",			\
	     counter(r, PERF_CTR_PAGE_FAULTS, tmp, sizeof(tmp)))				\
	CELL(c_ctx_switches, "context-switches (software event) in the op's windows", "%s",	\
	     counter(r, PERF_CTR_CTX_SWITCHES, tmp, sizeof(tmp)))				\
	CELL(c_cpu_migrations, "cpu-migrations (software event) in the op's windows", "%s",	\
	     counter(r, PERF_CTR_CPU_MIGRATIONS, tmp, sizeof(tmp)))				\
	CELL(c_page_allocs, "kmem:mm_page_alloc events: page allocations of any order (a PMD "	\
	     "THP is 1; page tables and slab pages too)", "%s",					\
	     counter(r, PERF_CTR_PAGE_ALLOCS, tmp, sizeof(tmp)))				\
	CELL(c_mmap_locks, "mmap_lock:mmap_lock_start_locking events: mmap_lock lock attempts "	\
	     "(read/write/trylock, any mm), contended or not", "%s",				\
	     counter(r, PERF_CTR_MMAP_LOCKS, tmp, sizeof(tmp)))					\
	CELL(c_migrate_calls, "migrate:mm_migrate_pages events: migrate_pages() calls, not "	\
	     "pages (e.g. FOLL_LONGTERM moving pages out of movable/CMA)", "%s",		\
	     counter(r, PERF_CTR_MIGRATE_PAGES, tmp, sizeof(tmp)))				\
	CELL(c_cycles, "cycles (hardware event) in the op's windows", "%s",			\
	     counter(r, PERF_CTR_CYCLES, tmp, sizeof(tmp)))					\
	CELL(c_instructions, "instructions (hardware event) in the op's windows", "%s",		\
	     counter(r, PERF_CTR_INSTRUCTIONS, tmp, sizeof(tmp)))				\
	CELL(io_count, "fio rows: I/Os in the sample (both directions)", "%s",			\
	     io_cell(r, IO_COUNT, tmp, sizeof(tmp)))						\
	CELL(iops, "fio rows: I/Os per second, fio's own", "%s", io_cell(r, IO_IOPS, tmp, sizeof(tmp))) \
	CELL(clat_p50_ns, "fio rows: median completion latency, ns", "%s",			\
	     io_cell(r, IO_P50, tmp, sizeof(tmp)))						\
	CELL(clat_p99_ns, "fio rows: 99th percentile completion latency, ns", "%s",		\
	     io_cell(r, IO_P99, tmp, sizeof(tmp)))						\
	CELL(usr_ns_per_io, "fio rows: the job's user CPU time per I/O, ns (getrusage)", "%s",	\
	     io_cell(r, IO_USR, tmp, sizeof(tmp)))						\
	CELL(sys_ns_per_io, "fio rows: the job's system CPU time per I/O, ns: GUP is in here", "%s", \
	     io_cell(r, IO_SYS, tmp, sizeof(tmp)))						\
	CELL(pins_per_io, "fio rows: pins_acquired / io_count over the I/O phase (fixedbufs "	\
	     "pins at registration, before it)", "%s", io_cell(r, IO_PINS, tmp, sizeof(tmp)))	\
	CELL(faults_per_io, "fio rows: the job thread's page faults per I/O (getrusage)", "%s",	\
	     io_cell(r, IO_FAULTS, tmp, sizeof(tmp)))						\
	CELL(allocs_per_io, "fio rows: page allocations per I/O over the I/O phase, machine-wide " \
	     "(vmstat pgalloc_*; includes the end hook's own start)", "%s",			\
	     io_cell(r, IO_ALLOCS, tmp, sizeof(tmp)))						\
	CELL(fresh, "1 if the buffer was built anew for this sample", "%d", S->fresh)		\
	CELL(status, "ok, warmup, skip, error or interrupted", "%s",				\
	     sample_status_name(S->status))							\
	CELL(reason, "why a row is skip, error or interrupted", "%s", S->reason)		\
	CELL(note, "what else the number includes, per method", "%s", S->note)

static int write_flag(const struct csv_row *r)
{
	return (r->m->flags & M_WRITE) || r->sc->gup_flags == GUP_EXTRA_WRITE;
}

static int measured(const struct csv_row *r)
{
	return r->s->status == SAMPLE_OK || r->s->status == SAMPLE_WARMUP;
}

static const char *got_mismatch(const struct csv_row *r, char *tmp, size_t len)
{
	size_t o;

	if (!measured(r))
		return "";
	tmp[0] = '\0';
	if (r->s->got.pages)
		buf_got_mismatch(&r->s->got, tmp, len);
	/* asked for threads in parallel; under icount the vCPUs take turns */
	if (r->clock && r->clock->icount && r->s->threads > 1) {
		o = strlen(tmp);
		fmt(tmp + o, len - o, "%s%d threads took turns on one host thread (icount)",
		    o ? "; " : "", r->s->threads);
	}
	return tmp;
}

enum { IO_COUNT, IO_IOPS, IO_P50, IO_P99, IO_USR, IO_SYS, IO_PINS, IO_FAULTS, IO_ALLOCS };

/* A workload row's own numbers; empty on every other row. */
static const char *io_cell(const struct csv_row *r, int what, char *tmp, size_t len)
{
	const struct sample_io *io = &r->s->io;
	double v;

	if (!measured(r) || !io->ios)
		return "";
	switch (what) {
	case IO_COUNT:
		fmt(tmp, len, "%" PRIu64, io->ios);
		return tmp;
	case IO_IOPS: v = io->iops; break;
	case IO_P50: v = io->clat_p50_ns; break;
	case IO_P99: v = io->clat_p99_ns; break;
	case IO_USR: v = io->usr_ns; break;
	case IO_SYS: v = io->sys_ns; break;
	case IO_PINS: v = (double)r->s->pins_acquired / (double)io->ios; break;
	case IO_FAULTS: v = io->faults; break;
	default: v = io->allocs; break;
	}
	if (!isfinite(v))
		return "";
	fmt(tmp, len, "%.6g", v);
	return tmp;
}

static const char *offcpu(const struct csv_row *r, char *tmp, size_t len)
{
	const struct perf_counts *c = &r->s->cnt;

	if (!measured(r) || c->state[PERF_CTR_TASK_CLOCK] != PERF_MEASURED)
		return "";
	fmt(tmp, len, "%" PRId64, (int64_t)r->s->ns - c->v[PERF_CTR_TASK_CLOCK]);
	return tmp;
}

static const char *u64(uint64_t v, char *tmp, size_t len)
{
	fmt(tmp, len, "%" PRIu64, v);
	return tmp;
}

static const char *i64(int64_t v, char *tmp, size_t len)
{
	fmt(tmp, len, "%" PRId64, v);
	return tmp;
}

static const char *counter(const struct csv_row *r, int ctr, char *tmp, size_t len)
{
	return measured(r) ? perf_counts_cell(&r->s->cnt, ctr, tmp, len) : "";
}

/* Without root the PFNs are hidden: say "unknown" by leaving it empty. */
static const char *got_order(const struct csv_row *r, char *tmp, size_t len)
{
	if (!r->s->got.exact)
		return "";
	fmt(tmp, len, "%d", r->s->got.order);
	return tmp;
}

static const char *got_u64(const struct csv_row *r, uint64_t v, char *tmp, size_t len)
{
	return r->s->got.exact ? u64(v, tmp, len) : "";
}

#define NAME(n, h, ...) #n,
#define HELP(n, h, ...) h,
static const char *const names[] = { CSV_COLUMNS(NAME) };
static const char *const helps[] = { CSV_COLUMNS(HELP) };

size_t csv_col_count(void)
{
	return ARRAY_SIZE(names);
}

const char *csv_col_name(size_t i)
{
	return names[i];
}

const char *csv_col_help(size_t i)
{
	return helps[i];
}

void csv_cell(size_t col, const struct csv_row *r, char *dst, size_t len)
{
	char tmp[160];
	size_t i = 0;

#define CASE(n, h, ...)				\
	if (col == i++) {			\
		fmt(dst, len, __VA_ARGS__);	\
		return;				\
	}
	CSV_COLUMNS(CASE)
#undef CASE
	(void)tmp;
	dst[0] = '\0';
}

void csv_quote(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

int csv_open(struct csv *c, const char *path)
{
	c->rows = 0;
	c->f = fopen(path, "wxe");
	if (!c->f)
		return -errno;
	for (size_t i = 0; i < csv_col_count(); i++)
		fprintf(c->f, "%s%s", i ? "," : "", names[i]);
	fputc('\n', c->f);
	return fflush(c->f) ? -errno : 0;
}

int csv_row_write(struct csv *c, const struct csv_row *r)
{
	char cell[512];

	for (size_t i = 0; i < csv_col_count(); i++) {
		if (i)
			fputc(',', c->f);
		csv_cell(i, r, cell, sizeof(cell));
		csv_quote(c->f, cell);
	}
	fputc('\n', c->f);
	c->rows++;
	/* flushed per row: a crash of the runner loses nothing measured */
	return fflush(c->f) ? -errno : 0;
}

int csv_close(struct csv *c)
{
	int ret = 0;

	if (c->f && fclose(c->f))
		ret = -errno;
	c->f = NULL;
	return ret;
}
