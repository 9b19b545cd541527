/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GUPBENCH_STRINDEX_H
#define GUPBENCH_STRINDEX_H

#include <stddef.h>

struct strindex {
	char **key;
	size_t *val;
	size_t cap, n;
};

/*
 * The value slot of key, made (zero, *found 0) if new: a copy of key is
 * kept. The slot stays valid until the next call.
 */
size_t *strindex_slot(struct strindex *ix, const char *key, int *found);
void strindex_free(struct strindex *ix);

#endif
