/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers shared by the worker, the methods and the runner.
 * Library-style: functions return 0 or -errno; only main() exits.
 */
#ifndef GUPBENCH_UTIL_H
#define GUPBENCH_UTIL_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PAGE_SZ 4096UL

/* The clock every user-space timed region uses (vDSO, no syscall). */
static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * The timed window of an op. A method brackets exactly the syscall it
 * measures with opwin_begin()/opwin_end(), which returns that window's
 * nanoseconds; a method that makes several calls adds the windows up.
 * The per-op counters (perf.c) hook in here, so they count the same
 * windows the clock times and nothing around them: the hooks run before
 * the clock starts and after it stops, and leave errno as the syscall
 * set it.
 *
 * A cycle() that times several ops (SHAPE_PAIRED: vmsplice's fill and
 * drain) opens each op's windows with opwin_begin_op(w, i), i its index
 * in ns[], so the counters of op i are told apart from the others'.
 */
struct opwin {
	uint64_t t0;
};

struct opwin_hooks {
	void (*begin)(unsigned int op);	/* called before the clock starts */
	void (*end)(void);		/* called after it stops */
};

extern const struct opwin_hooks *opwin_hooks;

static inline void opwin_begin_op(struct opwin *w, unsigned int op)
{
	if (opwin_hooks) {
		int e = errno;

		opwin_hooks->begin(op);
		errno = e;
	}
	w->t0 = now_ns();
}

static inline void opwin_begin(struct opwin *w)
{
	opwin_begin_op(w, 0);
}

static inline uint64_t opwin_end(struct opwin *w)
{
	uint64_t t1 = now_ns();

	if (opwin_hooks) {
		int e = errno;

		opwin_hooks->end();
		errno = e;
	}
	return t1 - w->t0;
}

/*
 * pread (write = 0) or pwrite len bytes between mem and fd at file offset
 * foff, in pieces of at most piece bytes, each call in its own timed
 * window; *ns is their sum. 0, or -errno with "pread at +OFF: reason" in
 * why (-EIO for a short transfer).
 */
int timed_rw(int fd, void *mem, uint64_t len, uint64_t foff, int write, uint64_t piece,
	     uint64_t *ns, char *why, size_t wlen);

/* pread until len bytes or EOF; *got says how many came. 0 or -errno. */
int pread_full(int fd, void *dst, size_t len, off_t off, size_t *got);

/* snprintf that never overflows and always terminates. */
void fmt(char *dst, size_t len, const char *f, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Parse "4096", "4k", "2M", "1G", "1T" (binary units, case-insensitive,
 * optional "iB"/"B"). Returns 0 or -EINVAL / -ERANGE.
 */
int size_parse(const char *s, uint64_t *out);
/* Format a size back to the shortest exact suffix form ("2M", "4k"). */
void size_format(uint64_t v, char *dst, size_t len);

/* Whole small file into dst (trailing newline stripped). 0 or -errno. */
int file_read_str(const char *path, char *dst, size_t len);
/* Write a string to a file (sysfs knob). 0 or -errno. */
int file_write_str(const char *path, const char *s);

/* The bracketed choice of a sysfs selector: "always [madvise] never". */
int sysfs_choice(const char *path, char *dst, size_t len);

/* Kernel release as a comparable number: 6.5.0 -> 0x060500. */
unsigned int kernel_version(void);

/* Is the capability in our effective set? (no libcap needed) */
int have_cap(int cap);

/* MemAvailable from /proc/meminfo in bytes, 0 if unknown. */
uint64_t mem_available(void);

/* log2 of a power of two; -1 if v is not one. */
int ilog2_exact(uint64_t v);

#endif
