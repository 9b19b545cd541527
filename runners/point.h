/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What makes a point of the matrix: the one list of results.csv columns
 * that identify it. compare's join, summary's and the plots' grouping
 * (agg) all derive from it; tests/unit/test_point.c fails when a config
 * key is in neither this list nor point_not_keys[].
 */
#ifndef GUPBENCH_POINT_H
#define GUPBENCH_POINT_H

#include <stddef.h>

struct point_key {
	const char *col;	/* results.csv column */
	const char *name;	/* the config key: what --ignore, --only and labels use */
	const char *opt;	/* the config key that sets it */
	int main;		/* always named in a label; the others only where they vary */
};

#define POINT_NKEYS 20
extern const struct point_key point_keys[POINT_NKEYS];
/* the entries code reads by position */
enum { PK_METHOD = 0, PK_BACKING = 1, PK_SIZE = 2, PK_ORDER = 3, PK_ZERO = 4, PK_THREADS = 6,
       PK_SHARE = 7 };

/* Config keys that do not identify a point, each with why. */
struct point_not_key {
	const char *name;
	const char *why;
};
extern const struct point_not_key point_not_keys[];
extern const size_t point_not_nkeys;

/* Index of a key by config name or column, -1 if none. */
int point_key_find(const char *name);

/*
 * A key cell as a point sees it: a key the row's method does not read
 * (fork's pinned and pin_method, method.h keys) and share for one thread
 * mean nothing and must not split points (the CSV carries their defaults
 * on every row); sizes in the config's form (4M).
 */
void point_key_value(size_t k, const char *v, const char *method, int threads, char *dst,
		     size_t len);

#endif
