/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GUPBENCH_META_H
#define GUPBENCH_META_H

#include <stddef.h>

#include "config.h"

struct meta_run {
	const char *command;	/* the exact command line */
	const char *cwd;
	const struct cfg *cfg;	/* the configs, embedded verbatim */
	size_t scenarios;
};

struct meta_end {
	const char *status;	/* complete, interrupted, failed */
	unsigned long rows;
	size_t done, skipped, failed;
	const char *knobs;	/* how the knob restore went */
};

/* gupbench's git revision, as built. */
const char *gupbench_rev(void);
/* Write DIR/meta before the first scenario (refuses to overwrite). */
int meta_write_start(const char *path, const struct meta_run *r);
/* Append the [end] section. */
int meta_write_end(const char *path, const struct meta_end *e);

#endif
