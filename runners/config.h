/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scenario files: INI in the spirit of fio job files. [global] sets
 * defaults for the jobs that follow it in the same file; every other
 * section is a job. A comma list in a value expands to the cross product.
 *
 * One option table (benches/scenario.c) drives the parsing of files, the
 * worker's key=value arguments, `gupbench keys` and the README's key list.
 */
#ifndef GUPBENCH_CONFIG_H
#define GUPBENCH_CONFIG_H

#include <stddef.h>

#include "scenario.h"

struct cfg_val {
	char *raw;	/* value text as written, NULL when not set */
	int line;	/* where it was set */
	int inherited;	/* copied from [global] */
};

struct cfg_job {
	char name[64];
	const char *file;
	int line;				/* the [section] line */
	struct cfg_val vals[CFG_MAX_OPTS];	/* indexed like the option table */
};

struct cfg {
	struct cfg_job *jobs;
	size_t njobs;
	char **paths;		/* files loaded, in order */
	char **texts;		/* their contents, for meta */
	size_t nfiles;
};

/* One point of the matrix and the job it came from. */
struct plan_item {
	struct scenario sc;
	const struct cfg_job *job;
};

struct plan {
	struct plan_item *items;
	size_t n, cap;
};

/*
 * The most scenarios a run's matrix may hold: at well under a second a
 * scenario that is days of measuring, and a list typed wrong must give an
 * error, not a machine out of memory.
 */
#define CFG_MAX_SCENARIOS	100000

/*
 * Load a file into c (appending jobs). On error: -errno/-EINVAL and err
 * holds "file:line: key: reason".
 */
/* run --allow-device: fio scenarios may name a real block device as target */
extern int cfg_allow_device;

int cfg_load(struct cfg *c, const char *path, char *err, size_t len);
/* Expand every job to scenarios and check each; same error format. */
int cfg_expand(const struct cfg *c, struct plan *p, char *err, size_t len);
void cfg_free(struct cfg *c);
void plan_free(struct plan *p);

#endif
