// SPDX-License-Identifier: GPL-2.0
/* A string-keyed index (open addressing, FNV-1a): compare's points, summary's groups. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strindex.h"

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

size_t *strindex_slot(struct strindex *ix, const char *key, int *found)
{
	size_t i;

	if (ix->n * 2 >= ix->cap) {
		struct strindex big = { 0 };

		big.cap = ix->cap ? ix->cap * 2 : 256;
		big.key = calloc(big.cap, sizeof(*big.key));
		big.val = calloc(big.cap, sizeof(*big.val));
		for (size_t k = 0; k < ix->cap; k++) {
			if (!ix->key[k])
				continue;
			i = fnv1a(ix->key[k]) & (big.cap - 1);
			while (big.key[i])
				i = (i + 1) & (big.cap - 1);
			big.key[i] = ix->key[k];
			big.val[i] = ix->val[k];
		}
		big.n = ix->n;
		free(ix->key);
		free(ix->val);
		*ix = big;
	}
	i = fnv1a(key) & (ix->cap - 1);
	while (ix->key[i] && strcmp(ix->key[i], key))
		i = (i + 1) & (ix->cap - 1);
	*found = !!ix->key[i];
	if (!*found) {
		ix->key[i] = strdup(key);
		ix->n++;
	}
	return &ix->val[i];
}

void strindex_free(struct strindex *ix)
{
	for (size_t i = 0; i < ix->cap; i++)
		free(ix->key[i]);
	free(ix->key);
	free(ix->val);
}
