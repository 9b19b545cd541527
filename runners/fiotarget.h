/* SPDX-License-Identifier: GPL-2.0 */
/* The targets fio scenarios do their I/O on (fiotarget.c). */
#ifndef GUPBENCH_FIOTARGET_H
#define GUPBENCH_FIOTARGET_H

#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

struct fio_targets {
	int zram_id;		/* our zram device, -1: none made yet */
	uint64_t zram_size;
	char zram_dev[64];
};

void fio_targets_init(struct fio_targets *t);
/*
 * At config time: can the scenario's target be used here? 0, or -errno
 * with the reason (a real device needs allow_device; one in use never).
 */
int fio_target_check(const struct scenario *sc, int allow_device, char *why, size_t len);
/* Before the scenario: make or empty the target; its path into path. 0 or -errno (+why). */
int fio_target_prepare(struct fio_targets *t, const struct scenario *sc, uint64_t zram_size,
		       char *path, size_t plen, char *why, size_t len);
/* After it: a target file goes (zram stays for the next scenario, until the knobs are restored). */
void fio_target_done(const struct scenario *sc, const char *path);

#endif
