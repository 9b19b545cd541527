/* SPDX-License-Identifier: GPL-2.0 */
/* The THP folio orders this kernel offers (thp.c). */
#ifndef GUPBENCH_THP_H
#define GUPBENCH_THP_H

#define THP_DIR "/sys/kernel/mm/transparent_hugepage"

/* PMD folio order (9 on x86-64), -1 without THP. */
int thp_pmd_order(void);
/* Bit n set: anon folios of order n can be asked for here (bit 0 always). */
unsigned long thp_anon_orders(void);
/* Bit n set: shmem (anon-shared, memfd) folios of order n can be asked for. */
unsigned long thp_shmem_orders(void);

#endif
