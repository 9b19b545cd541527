/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sysfs knobs gupbench turns (THP sizes today), saved before the first
 * write and restored at the end of a run, after a failed worker and on
 * SIGINT/SIGTERM. Every save is also written to a journal file in the run
 * directory, so `gupbench restore DIR` can undo a run that was killed
 * with SIGKILL or lost its machine half way.
 */
#ifndef GUPBENCH_KNOBS_H
#define GUPBENCH_KNOBS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "thp.h"


/* Where saved values are journaled (NULL: nowhere). */
void knob_journal(const char *path);
/* Write val to a knob, saving the old value first. 0 or -errno (+why). */
int knob_set(const char *path, const char *val, char *why, size_t len);
/*
 * An undo with nothing to save first: a write done at restore (the zram
 * device a run made: hot_remove <id>). Journaled like a saved knob.
 */
int knob_undo_add(const char *path, const char *val);
/* Restore every saved knob (newest first). Returns how many failed. */
int knob_restore_all(char *why, size_t len);
/* Restore from a journal file left by an earlier run. Same return. */
int knob_restore_journal(const char *journal, char *why, size_t len);
/* 1 if path is a knob gupbench turns and val a value it writes there; else 0 and why. */
int knob_allowed(const char *path, const char *val, char *why, size_t len);
/* How many knobs are currently changed from their saved values. */
size_t knob_saved_count(void);

/*
 * Make anon folios of exactly `order` possible in MADV_HUGEPAGE regions:
 * that size to madvise (unless always), every other size to never. Order
 * 0 needs no knob (the buffer is MADV_NOHUGEPAGE).
 */
int knobs_for_anon_order(int order, char *why, size_t len);

/* The same for shmem: hugepages-<N>kB/shmem_enabled, advise for that size. */
int knobs_for_shmem_order(int order, char *why, size_t len);

/*
 * For memory nobody madvises (fio's buffers): that size to always, every
 * other size to never; order 0: every size never. knob is "enabled" (anon)
 * or "shmem_enabled".
 */
int knobs_for_order_unadvised(const char *knob, int order, char *why, size_t len);

/*
 * Make sure the hugetlb pool of page size kb has `pages` free pages,
 * growing nr_hugepages (saved and restored like any knob). -ENOMEM with
 * the reason when the kernel cannot provide them.
 */
int hugetlb_reserve(unsigned long kb, unsigned long pages, char *why, size_t len);
/* Bytes of free pages in the hugetlb pool of page size kb (0: none, or no pool). */
uint64_t hugetlb_free_bytes(unsigned long kb);
/* Does the kernel have a hugetlb pool of this page size? */
int hugetlb_size_exists(unsigned long kb);

/* Every THP knob and its value, one "name = value" line each. */
void knobs_dump(FILE *f);

#endif
