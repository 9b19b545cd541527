// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "csvread.h"
#include "point.h"
#include "stats.h"
#include "strindex.h"
#include "util.h"

static int group_cmp(const void *a, const void *b)
{
	const struct agg_group *x = a, *y = b;
	int c = strcmp(x->op, y->op);

	if (!c)
		c = strcmp(x->method, y->method);
	if (!c)
		c = strcmp(x->backing, y->backing);
	if (!c)
		c = strcmp(x->vkey, y->vkey);
	if (!c)
		c = (x->order > y->order) - (x->order < y->order);
	if (!c)
		c = (x->zero > y->zero) - (x->zero < y->zero);
	if (!c)
		c = (x->size > y->size) - (x->size < y->size);
	if (!c)
		c = strcmp(x->share, y->share);
	if (!c)
		c = (x->threads > y->threads) - (x->threads < y->threads);
	return c;
}

/* The point keys agg_group has no field of its own for (point.h). */
static int is_variant_key(size_t k)
{
	return k != PK_METHOD && k != PK_BACKING && k != PK_SIZE && k != PK_ORDER && k != PK_ZERO &&
	       k != PK_THREADS && k != PK_SHARE;
}

/* "populate=1 mem_node=local ..." : every variant key, as the join sees it */
static void variant_key(char **row, const int *kcol, const char *method, int threads, char *dst,
			size_t len)
{
	size_t n = 0;

	dst[0] = '\0';
	for (size_t k = 0; k < POINT_NKEYS; k++) {
		char v[64];

		if (!is_variant_key(k))
			continue;
		point_key_value(k, kcol[k] >= 0 ? row[kcol[k]] : "", method, threads, v, sizeof(v));
		n += snprintf(dst + n, n < len ? len - n : 0, "%s%s=%s", n ? " " : "",
			      point_keys[k].name, v);
	}
}

/*
 * A group's label names only the variant keys that vary between groups of
 * the same method (write, say, is a function of the method otherwise).
 */
static void variant_labels(struct agg *a)
{
	enum { MAX_METHODS = 64 };
	struct { const char *method; const char *vkey; } seen[MAX_METHODS];
	size_t nseen = 0;
	int varies[POINT_NKEYS] = { 0 };

	for (size_t i = 0; i < a->n; i++) {
		const struct agg_group *g = &a->g[i];
		size_t m = 0;

		while (m < nseen && strcmp(seen[m].method, g->method))
			m++;
		if (m == nseen) {
			if (nseen == MAX_METHODS)
				continue;
			seen[nseen].method = g->method;
			seen[nseen++].vkey = g->vkey;
			continue;
		}
		/* the same keys in the same order: compare word by word */
		{
			const char *x = seen[m].vkey, *y = g->vkey;

			for (size_t k = 0; *x && *y; k++) {
				size_t lx = strcspn(x, " "), ly = strcspn(y, " ");

				if (lx != ly || strncmp(x, y, lx))
					varies[k] = 1;
				x += lx + !!x[lx];
				y += ly + !!y[ly];
			}
		}
	}
	for (size_t i = 0; i < a->n; i++) {
		struct agg_group *g = &a->g[i];
		const char *w = g->vkey;
		size_t n = 0;

		g->variant[0] = '\0';
		for (size_t k = 0; *w; k++) {
			size_t l = strcspn(w, " ");

			if (varies[k])
				n += snprintf(g->variant + n, n < sizeof(g->variant) ?
					      sizeof(g->variant) - n : 0, "%s%.*s", n ? " " : "", (int)l, w);
			w += l + !!w[l];
		}
	}
}

enum {
	C_OP, C_METHOD, C_BACKING, C_ORDER, C_ZERO, C_SIZE, C_NS, C_PAGES, C_STATUS,
	C_THREADS, C_SHARE, C_THREAD, C_ROUND, C_MISMATCH, C_NR
};

/*
 * The group of key, made if new; NULL: out of memory. Found through a
 * string index of what group_cmp() compares (a million rows of a hundred
 * thousand points: no linear search).
 */
static struct agg_group *group_of(struct agg *a, struct strindex *ix, size_t *gcap,
				  const struct agg_group *key)
{
	char k[512];
	size_t *slot;
	int found;

	/* group_cmp's == on zero: 0.0 and -0.0 are one key */
	fmt(k, sizeof(k), "%s|%s|%s|%s|%s|%d|%.17g|%llu|%d", key->op, key->method,
	    key->backing, key->vkey, key->share, key->order, key->zero == 0 ? 0.0 : key->zero,
	    (unsigned long long)key->size, key->threads);
	slot = strindex_slot(ix, k, &found);
	if (found && !group_cmp(&a->g[*slot], key))
		return &a->g[*slot];
	if (found) {
		/* a value holding the separator made two keys one text: look it up the long way */
		for (size_t i = 0; i < a->n; i++)
			if (!group_cmp(&a->g[i], key))
				return &a->g[i];
		slot = NULL;
	}
	if (a->n == *gcap) {
		size_t cap = *gcap ? *gcap * 2 : 64;
		struct agg_group *g = realloc(a->g, cap * sizeof(*g));

		if (!g)
			return NULL;
		a->g = g;
		*gcap = cap;
	}
	if (slot)
		*slot = a->n;
	a->g[a->n] = *key;
	return &a->g[a->n++];
}

/* v[n++] = x, growing v by doubling; -ENOMEM leaves it as it was. */
static int push(double **v, size_t *n, size_t *cap, double x)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		double *p = realloc(*v, c * sizeof(*p));

		if (!p)
			return -ENOMEM;
		*v = p;
		*cap = c;
	}
	(*v)[(*n)++] = x;
	return 0;
}

int agg_load(struct agg *a, const char *path, char *err, size_t len)
{
	static const char *const need[C_NR] = {
		"op", "method", "backing", "folio_order", "zero_ratio", "size_bytes", "ns", "pages", "status",
		"threads", "share", "thread", "round_ns", "mismatch",
	};
	enum { P_REF, P_ACQUIRED, P_EXACT, P_ZERO_GOT, P_NR };
	static const char *const pneed[P_NR] = {
		"ref", "pins_acquired", "pins_exact", "zero_pages_got",
	};
	struct csv_table t;
	struct strindex ix = { 0 };
	size_t gcap = 0;
	int col[C_NR], pcol[P_NR], kcol[POINT_NKEYS], have_pins, ret;

	memset(a, 0, sizeof(*a));
	ret = csv_table_load(&t, path, err, len);
	if (ret)
		return ret;
	for (size_t k = 0; k < POINT_NKEYS; k++)
		kcol[k] = csv_table_col(&t, point_keys[k].col);
	for (int i = 0; i < C_NR; i++) {
		col[i] = csv_table_col(&t, need[i]);
		/* older results.csv have no mismatch column: nothing flagged */
		if (col[i] < 0 && i == C_MISMATCH)
			continue;
		if (col[i] < 0) {
			fmt(err, len, "%s: no column %s: not a gupbench results.csv", path, need[i]);
			csv_table_free(&t);
			return -EINVAL;
		}
	}
	/*
	 * What the kernel counted for the ops that should pin: an ok row whose
	 * path is classed ref=pin but whose exact nr_foll_pin_acquired delta
	 * is 0 for pages that are not the shared zero page took its references
	 * another way (FOLL_GET: O_DIRECT before 6.3-6.5). Older results.csv
	 * lack these columns: nothing is counted then.
	 */
	for (int i = 0; i < P_NR; i++)
		pcol[i] = csv_table_col(&t, pneed[i]);
	have_pins = pcol[P_REF] >= 0 && pcol[P_ACQUIRED] >= 0 && pcol[P_EXACT] >= 0 &&
		    pcol[P_ZERO_GOT] >= 0;
	for (size_t r = 0; r < t.nrows; r++) {
		char **row = t.rows[r];
		const char *st = row[col[C_STATUS]];
		struct agg_group key = { 0 }, *g = NULL;
		double pages = atof(row[col[C_PAGES]]);

		if (!strcmp(st, "warmup"))
			a->warmup++;
		else if (!strcmp(st, "skip"))
			a->skipped++;
		else if (!strcmp(st, "error"))
			a->errors++;
		else if (!strcmp(st, "interrupted"))
			a->interrupted++;
		if (strcmp(st, "ok") || !row[col[C_NS]][0] || pages <= 0)
			continue;
		{
			char *end;
			double ns = strtod(row[col[C_NS]], &end);

			if (*end || !isfinite(ns) || ns < 0) {
				/* not a time gupbench writes: left out, and counted */
				a->bad_ns++;
				continue;
			}
		}
		fmt(key.op, sizeof(key.op), "%s", row[col[C_OP]]);
		fmt(key.method, sizeof(key.method), "%s", row[col[C_METHOD]]);
		fmt(key.backing, sizeof(key.backing), "%s", row[col[C_BACKING]]);
		key.order = atoi(row[col[C_ORDER]]);
		key.zero = atof(row[col[C_ZERO]]);
		key.size = strtoull(row[col[C_SIZE]], NULL, 10);
		key.threads = atoi(row[col[C_THREADS]]);
		variant_key(row, kcol, key.method, key.threads, key.vkey, sizeof(key.vkey));
		/* one thread has nothing to share */
		fmt(key.share, sizeof(key.share), "%s", key.threads > 1 ? row[col[C_SHARE]] : "-");
		g = group_of(a, &ix, &gcap, &key);
		if (!g || push(&g->v, &g->n, &g->vcap, atof(row[col[C_NS]]) / pages)) {
			fmt(err, len, "%s: out of memory at row %zu", path, r + 2);
			ret = -ENOMEM;
			break;
		}
		if (col[C_MISMATCH] >= 0 && row[col[C_MISMATCH]][0]) {
			g->mismatch++;
			if (strstr(row[col[C_MISMATCH]], "zero pages"))
				g->mismatch_zero++;
		}
		if (have_pins && !strcmp(row[pcol[P_REF]], "pin") && !strcmp(row[pcol[P_EXACT]], "1") &&
		    (!strcmp(key.op, "pin") || !strcmp(key.op, "pin+unpin"))) {
			g->pin_rows++;
			if (pages > atof(row[pcol[P_ZERO_GOT]]) && atoll(row[pcol[P_ACQUIRED]]) == 0)
				g->pin_none++;
		}
		/* the round's aggregate rate, once per round (thread 0's row) */
		if (atoi(row[col[C_THREAD]]) == 0 && atof(row[col[C_ROUND]]) > 0) {
			if (push(&g->rate, &g->nrate, &g->ratecap,
				 key.threads * pages * 1e9 / atof(row[col[C_ROUND]]))) {
				fmt(err, len, "%s: out of memory at row %zu", path, r + 2);
				ret = -ENOMEM;
				break;
			}
		}
	}
	csv_table_free(&t);
	strindex_free(&ix);
	if (ret) {
		agg_free(a);
		return ret;
	}
	if (a->n)
		qsort(a->g, a->n, sizeof(*a->g), group_cmp);
	variant_labels(a);
	for (size_t i = 0; i < a->n; i++) {
		struct agg_group *g = &a->g[i];

		stats_sort(g->v, g->n);
		g->median = stats_quantile(g->v, g->n, 0.5);
		g->p25 = stats_quantile(g->v, g->n, 0.25);
		g->p75 = stats_quantile(g->v, g->n, 0.75);
		stats_sort(g->rate, g->nrate);
		g->rate_median = stats_quantile(g->rate, g->nrate, 0.5);
		g->rate_p25 = stats_quantile(g->rate, g->nrate, 0.25);
		g->rate_p75 = stats_quantile(g->rate, g->nrate, 0.75);
	}
	return 0;
}

void agg_free(struct agg *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->g[i].v);
		free(a->g[i].rate);
	}
	free(a->g);
	memset(a, 0, sizeof(*a));
}
