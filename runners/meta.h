/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GUPBENCH_META_H
#define GUPBENCH_META_H

#include <stddef.h>

#include "clock.h"
#include "config.h"

struct meta_run {
	const char *command;	/* the exact command line */
	const char *cwd;
	const struct cfg *cfg;	/* the configs, embedded verbatim */
	size_t scenarios;
	unsigned int runs;		/* rounds of the matrix (--runs) */
	unsigned long long seed;	/* of the rounds' shuffled orders (runs > 1) */
	const struct run_clock *clock;
};

struct meta_end {
	const char *status;	/* complete, interrupted, failed */
	unsigned long rows;
	size_t done, skipped, failed;
	size_t not_as_asked;	/* ok scenarios with a mismatch row */
	const char *knobs;	/* how the knob restore went */
};

/* A run's meta, read back: "key = value" under "[section]". */
struct meta_kv {
	char sec[32], key[96];
	char *val;
};

struct meta_file {
	struct meta_kv *kv;
	size_t n;
	char **config_path;	/* the [config] sections: path and verbatim text */
	char **config_text;
	size_t nconfig;
};

/* 0 or -errno. */
int meta_file_load(const char *path, struct meta_file *m);
/* The value of [sec] key, NULL if absent (the first one for repeated sections). */
const char *meta_file_get(const struct meta_file *m, const char *sec, const char *key);
void meta_file_free(struct meta_file *m);

/* gupbench's git revision, as built. */
const char *gupbench_rev(void);
/* Write DIR/meta before the first scenario (refuses to overwrite). */
int meta_write_start(const char *path, const struct meta_run *r);
/* Append the [end] section. */
int meta_write_end(const char *path, const struct meta_end *e);

#endif
