// SPDX-License-Identifier: GPL-2.0
/*
 * compare: behaviour. What the kernel did in a point's ok samples (pins
 * per page, zero pages pinned, the folios the buffer had, faults,
 * allocations, mmap_lock acquisitions, migrations, switches) and its
 * status, per side, and for each item a verdict of its own: changed, the
 * same, or n/a where a side did not count it. README: Behaviour changes.
 *
 * The rules:
 *  - an item is n/a when a side has no ok sample, or an ok sample without
 *    the count (unsupported, empty; pins without pins_exact);
 *  - exact: every sample of each side took one value: changed when the two
 *    values differ at all (counters that do not vary are not noisy, and a
 *    step of one page is news);
 *  - noisy: a side's samples vary: changed only when the medians differ by
 *    a whole event per op (BEHAVE_MIN_STEP) and by a factor of
 *    BEHAVE_MIN_FACTOR, each side's median lies outside the other side's
 *    central 80% (10th to 90th percentile), and the two-sided Mann-Whitney
 *    q (Benjamini-Hochberg over every noisy item of the comparison) is
 *    below alpha. A significant test alone is not enough: a run of zeros
 *    on one side of an A/A gives p < 0.01 now and then, but its median
 *    stays inside the other side's spread;
 *  - categorical (folio orders, status): the values each side took:
 *    changed when they have none in common.
 */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare_int.h"
#include "csvread.h"
#include "stats.h"
#include "util.h"

const char *const compare_behave_names[BH_N] = {
	"status", "pins_per_page", "unpins_per_page", "zero_pins", "zero_pages",
	"order_got", "order_hist", "page_faults", "page_allocs", "mmap_locks",
	"migrate_calls", "ctx_switches", "cpu_migrations",
};

const char *const compare_behave_words[BH_N] = {
	"status", "pins per page", "unpins per page", "zero pages pinned", "zero pages got",
	"folio order got", "folios per order", "page faults per op", "page allocations per op",
	"mmap_lock acquisitions per op", "migrate_pages calls per op",
	"context switches per op", "CPU migrations per op",
};

/* The results.csv column an item reads (the first for derived ones). */
static const char *const item_col[BH_N] = {
	NULL, "pins_acquired", "pins_released", "zero_pages_got", "zero_pages_got",
	"order_got", "order_hist", "c_page_faults", "c_page_allocs", "c_mmap_locks",
	"c_migrate_calls", "c_ctx_switches", "c_cpu_migrations",
};

int compare_behave_parse(const char *name)
{
	static const struct { const char *alias; int item; } alias[] = {
		{ "pins", BH_PINS }, { "pins_acquired", BH_PINS }, { "unpins", BH_UNPINS },
		{ "pins_released", BH_UNPINS }, { "zero_pinned", BH_ZERO_PINNED },
		{ "zero_pages_got", BH_ZERO_GOT }, { "c_page_faults", BH_FAULTS },
		{ "c_page_allocs", BH_ALLOCS }, { "c_mmap_locks", BH_MMAP_LOCKS },
		{ "c_migrate_calls", BH_MIGRATE }, { "c_ctx_switches", BH_CTX },
		{ "c_cpu_migrations", BH_CPU_MIGR },
	};

	for (int i = 0; i < BH_N; i++)
		if (!strcmp(name, compare_behave_names[i]))
			return i;
	for (size_t i = 0; i < ARRAY_SIZE(alias); i++)
		if (!strcmp(name, alias[i].alias))
			return alias[i].item;
	return -1;
}

static int per_page(int item)
{
	return item == BH_PINS || item == BH_UNPINS;
}

static int categorical(int item)
{
	return item == BH_STATUS || item == BH_ORDER_GOT || item == BH_ORDER_HIST;
}

/* ---- Loading ---- */

void cmp_behave_cols(const struct csv_table *t, struct behave_cols *bc)
{
	for (int i = 0; i < BH_N; i++)
		bc->item[i] = item_col[i] ? csv_table_col(t, item_col[i]) : -1;
	bc->pins_exact = csv_table_col(t, "pins_exact");
	bc->acquired = csv_table_col(t, "pins_acquired");
	bc->released = csv_table_col(t, "pins_released");
	bc->write = csv_table_col(t, "write");
}

/* A count as gupbench writes it: a number >= 0; else -1 (unsupported, empty, junk). */
static double count_of(char **row, int col)
{
	const char *c;
	char *end;
	double v;

	if (col < 0)
		return -1;
	c = row[col];
	v = strtod(c, &end);
	if (!*c || *end || !isfinite(v) || v < 0)
		return -1;
	return v;
}

static void add_value(struct behave_side *b, double v)
{
	if (!(b->n & (b->n - 1))) {
		/* at 0, 1, 2, 4, ...: grown by doubling */
		double *grown = realloc(b->v, (b->n ? 2 * b->n : 1) * sizeof(*b->v));

		if (!grown) {
			b->uncounted++;	/* out of memory: said as a sample without the count */
			return;
		}
		b->v = grown;
	}
	b->v[b->n++] = v;
}

static void add_category(struct behave_side *b, const char *v)
{
	for (size_t i = 0; i < b->nval; i++)
		if (!strcmp(b->val[i], v)) {
			b->valn[i]++;
			return;
		}
	b->val = realloc(b->val, (b->nval + 1) * sizeof(*b->val));
	b->valn = realloc(b->valn, (b->nval + 1) * sizeof(*b->valn));
	if (!b->val || !b->valn)
		return;	/* out of memory: the table stays as it was (nval unchanged) */
	b->val[b->nval] = strdup(v);
	b->valn[b->nval++] = 1;
}

/*
 * One ok row. Pins come from machine-wide vmstat around the round: with
 * several threads every lane's row carries the round's count, so only
 * thread 0's row is read and it is divided over the lanes.
 */
void cmp_behave_row(struct compare_side *s, char **row, const struct behave_cols *bc,
		    const char *op, double pages, int threads, int thread)
{
	int exact = bc->pins_exact >= 0 && !strcmp(row[bc->pins_exact], "1");
	int lanes = threads > 1 ? threads : 1;
	double zero = count_of(row, bc->item[BH_ZERO_GOT]);

	for (int i = BH_PINS; i < BH_N; i++) {
		struct behave_side *b = &s->bh[i];
		double v;

		if (i == BH_ORDER_GOT || i == BH_ORDER_HIST) {
			if (bc->item[i] < 0 || !row[bc->item[i]][0])
				b->uncounted++;
			else
				add_category(b, row[bc->item[i]]);
			continue;
		}
		if (i == BH_PINS || i == BH_UNPINS || i == BH_ZERO_PINNED) {
			int pin_op = !strcmp(op, "pin") || !strcmp(op, "pin+unpin");
			int col = i == BH_PINS ? bc->acquired : i == BH_UNPINS ? bc->released :
				  pin_op ? bc->acquired : bc->released;

			if (thread > 0)
				continue;
			if (i == BH_ZERO_PINNED && !pin_op && strcmp(op, "unpin"))
				continue;	/* fork, child-write: no pin of their own */
			if (i == BH_ZERO_PINNED && bc->write >= 0 && !strcmp(row[bc->write], "1")) {
				/* a write pin breaks COW first: it pins new pages, never the zero page */
				b->cow++;
				continue;
			}
			v = exact ? count_of(row, col) : -1;
			if (v >= 0)
				v /= lanes;
			if (v >= 0 && i == BH_ZERO_PINNED) {
				/* the pins beyond the op's other pages: the zero pages' */
				if (zero < 0) {
					v = -1;
				} else {
					v -= pages - zero;
					v = v < 0 ? 0 : v > zero ? zero : v;
				}
			}
			if (v >= 0 && per_page(i))
				v = pages > 0 ? v / pages : -1;
		} else {
			v = count_of(row, bc->item[i]);
		}
		if (v < 0) {
			b->uncounted++;
			continue;
		}
		add_value(b, v);
		if (per_page(i))
			b->pages += pages;	/* summed here, the mean once all are in */
		if (i == BH_ZERO_PINNED)
			b->of += zero;
	}
}

void cmp_behave_free(struct compare_side *s)
{
	for (int i = 0; i < BH_N; i++) {
		struct behave_side *b = &s->bh[i];

		free(b->v);
		for (size_t k = 0; k < b->nval; k++)
			free(b->val[k]);
		free(b->val);
		free(b->valn);
	}
}

/* ---- Judging ---- */

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Values most-taken first (ties: as first seen), so val[0] is the side's usual one. */
static void sort_values(struct behave_side *b)
{
	for (size_t i = 1; i < b->nval; i++)
		for (size_t j = i; j > 0 && b->valn[j] > b->valn[j - 1]; j--) {
			char *v = b->val[j];
			size_t n = b->valn[j];

			b->val[j] = b->val[j - 1];
			b->valn[j] = b->valn[j - 1];
			b->val[j - 1] = v;
			b->valn[j - 1] = n;
		}
}

static void side_summary(struct behave_side *b, int item)
{
	if (!b->n)
		return;
	qsort(b->v, b->n, sizeof(*b->v), cmp_dbl);
	b->median = stats_quantile(b->v, b->n, 0.5);
	b->q1 = stats_quantile(b->v, b->n, 0.25);
	b->q3 = stats_quantile(b->v, b->n, 0.75);
	b->p10 = stats_quantile(b->v, b->n, 0.10);
	b->p90 = stats_quantile(b->v, b->n, 0.90);
	if (per_page(item))
		b->pages /= (double)b->n;
	if (item == BH_ZERO_PINNED)
		b->of /= (double)b->n;
}

/* The state of a side as the status item reads it: "ok", "skip: reason". */
static void status_side(struct compare_side *s)
{
	char v[200];

	fmt(v, sizeof(v), "%s%s%s", cmp_side_state(s), s->reason[0] && !s->n ? ": " : "",
	    s->n ? "" : s->reason);
	add_category(&s->bh[BH_STATUS], v);
}

static int values_meet(const struct behave_side *a, const struct behave_side *b)
{
	for (size_t i = 0; i < a->nval; i++)
		for (size_t j = 0; j < b->nval; j++)
			if (!strcmp(a->val[i], b->val[j]))
				return 1;
	return 0;
}

static int constant(const struct behave_side *b)
{
	return b->n && b->v[0] == b->v[b->n - 1];
}

static const char *na_why(const struct compare_side *bs, const struct compare_side *ns, int item)
{
	const struct behave_side *b = &bs->bh[item], *n = &ns->bh[item];

	if (!bs->rows[CMP_ST_OK] || !ns->rows[CMP_ST_OK])
		return !bs->rows[CMP_ST_OK] ? "no ok samples in base" : "no ok samples in new";
	if (b->uncounted || n->uncounted) {
		if (item == BH_PINS || item == BH_UNPINS || item == BH_ZERO_PINNED)
			return b->uncounted ? "not counted in base (pins_exact 0, or no vmstat)" :
			       "not counted in new (pins_exact 0, or no vmstat)";
		return b->uncounted ? "not counted in base (unsupported or empty)" :
		       "not counted in new (unsupported or empty)";
	}
	if (item == BH_ZERO_PINNED)
		return b->cow || n->cow ? "a write pin: COW gives it new pages, not the zero page" :
		       "no pin op of its own";
	return "not counted";
}

/*
 * One item of one point, before the family's q: the exact and categorical
 * rules decide here; a noisy item that passes the step, factor and
 * spread tests gets its p and waits for BH (rule NOISY, verdict SAME).
 */
static void judge_item(struct compare_point *p, int item)
{
	struct behave_side *b = &p->base.bh[item], *n = &p->new.bh[item];
	struct behave_item *it = &p->bh[item];
	double lo, hi, step;
	struct stats_mw mw;

	it->p = it->q = NAN;
	it->verdict = BH_NA;
	it->rule = BH_RULE_NONE;
	if (categorical(item)) {
		if (!b->nval || !n->nval || (item != BH_STATUS && (b->uncounted || n->uncounted))) {
			it->why = na_why(&p->base, &p->new, item);
			return;
		}
		sort_values(b);
		sort_values(n);
		if (item == BH_STATUS && (!strcmp(b->val[0], "absent") || !strcmp(n->val[0], "absent"))) {
			/* not run on a side at all: the configs differ, not the kernel */
			it->why = "the point ran on one side only";
			return;
		}
		it->rule = item == BH_STATUS || (b->nval == 1 && n->nval == 1) ? BH_RULE_EXACT :
			   BH_RULE_VALUES;
		if (it->rule == BH_RULE_EXACT)
			it->verdict = strcmp(b->val[0], n->val[0]) ? BH_CHANGED : BH_SAME;
		else
			it->verdict = values_meet(b, n) ? BH_SAME : BH_CHANGED;
		return;
	}
	if (!b->n || !n->n || b->uncounted || n->uncounted ||
	    (item == BH_ZERO_PINNED && b->of == 0 && n->of == 0)) {
		it->why = b->n && n->n && !b->uncounted && !n->uncounted ?
			  "no zero pages in the buffer" : na_why(&p->base, &p->new, item);
		return;
	}
	if (constant(b) && constant(n)) {
		it->rule = BH_RULE_EXACT;
		it->verdict = b->v[0] != n->v[0] ? BH_CHANGED : BH_SAME;
		return;
	}
	it->rule = BH_RULE_NOISY;
	it->verdict = BH_SAME;
	lo = fmin(b->median, n->median);
	hi = fmax(b->median, n->median);
	step = hi - lo;
	if (per_page(item))
		step *= fmax(b->pages, n->pages);	/* back to events per op */
	if (step + 1e-9 < BEHAVE_MIN_STEP || (lo > 0 && hi / lo < BEHAVE_MIN_FACTOR))
		return;
	/* each median outside the other side's central 80%: apart, not just shifted */
	if ((b->median >= n->p10 && b->median <= n->p90) ||
	    (n->median >= b->p10 && n->median <= b->p90))
		return;
	if (!stats_mann_whitney(n->v, n->n, b->v, b->n, &mw))
		it->p = mw.p;
}

void cmp_behave_analyse(struct compare_result *r, const struct compare_opts *o)
{
	size_t np = 0, k = 0;
	double *p, *q;

	for (size_t i = 0; i < r->n; i++) {
		struct compare_point *pt = &r->pt[i];

		status_side(&pt->base);
		status_side(&pt->new);
		for (int item = 0; item < BH_N; item++) {
			side_summary(&pt->base.bh[item], item);
			side_summary(&pt->new.bh[item], item);
			judge_item(pt, item);
			np += !isnan(pt->bh[item].p);
		}
	}
	/* the family: every noisy item that got as far as a test */
	p = malloc((np ? np : 1) * sizeof(*p));
	q = malloc((np ? np : 1) * sizeof(*q));
	for (size_t i = 0; p && i < r->n; i++)
		for (int item = 0; item < BH_N; item++)
			if (!isnan(r->pt[i].bh[item].p))
				p[k++] = r->pt[i].bh[item].p;
	if (p && q)
		stats_bh(p, np, q);
	r->bh_tests = np;
	k = 0;
	for (size_t i = 0; i < r->n; i++) {
		struct compare_point *pt = &r->pt[i];

		for (int item = 0; item < BH_N; item++) {
			struct behave_item *it = &pt->bh[item];

			if (!isnan(it->p)) {
				it->q = p && q ? q[k++] : NAN;
				if (it->q < o->alpha)
					it->verdict = BH_CHANGED;
			}
			if (it->verdict != BH_NA)
				r->bh_counted[item]++;
			if (it->verdict == BH_CHANGED) {
				r->bh_count[item]++;
				pt->bh_changed++;
			}
		}
		r->bh_points += !!pt->bh_changed;
	}
	r->behave = o->behave + 1;	/* -1, timing: 0 */
	free(p);
	free(q);
}

/* ---- Words ---- */

/* A count, as short as it can be said exactly. */
static void count_str(char *buf, size_t len, double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		fmt(buf, len, "%.0f", v);
	else
		fmt(buf, len, "%.3g", v);
}

/* One side's value of an item: "1024", "3 [2, 5]", "1024 of 1024", "o0=1024". */
void cmp_behave_value(char *buf, size_t len, const struct compare_point *p, int item, int is_new)
{
	const struct behave_side *b = is_new ? &p->new.bh[item] : &p->base.bh[item];
	char m[32], a[32], z[32];

	if (categorical(item)) {
		if (!b->nval)
			fmt(buf, len, "-");
		else if (b->nval == 1)
			fmt(buf, len, "%s", b->val[0]);
		else {
			size_t all = 0;

			for (size_t i = 0; i < b->nval; i++)
				all += b->valn[i];
			fmt(buf, len, "%s (%zu of %zu; %zu other value%s)", b->val[0], b->valn[0],
			    all, b->nval - 1, b->nval == 2 ? "" : "s");
		}
		return;
	}
	if (!b->n) {
		fmt(buf, len, "-");
		return;
	}
	count_str(m, sizeof(m), b->median);
	if (item == BH_ZERO_PINNED) {
		count_str(z, sizeof(z), b->of);
		fmt(buf, len, "%s of %s", m, z);
	} else if (b->v[0] != b->v[b->n - 1]) {
		count_str(a, sizeof(a), b->q1);
		count_str(z, sizeof(z), b->q3);
		fmt(buf, len, "%s [%s, %s]", m, a, z);
	} else {
		fmt(buf, len, "%s", m);
	}
}

/* "pins per page 0 -> 1" (arrow as given: "->" for text, "→" for Markdown). */
void compare_behave_change(char *buf, size_t len, const struct compare_point *p, int item,
		       const char *arrow)
{
	char b[256], n[256];

	cmp_behave_value(b, sizeof(b), p, item, 0);
	cmp_behave_value(n, sizeof(n), p, item, 1);
	fmt(buf, len, "%s %s %s %s", compare_behave_words[item], b, arrow, n);
	/* a statistical call, not a count that moved: say so, with its q */
	if (p->bh[item].verdict == BH_CHANGED && p->bh[item].rule == BH_RULE_NOISY) {
		size_t used = strlen(buf);

		fmt(buf + used, len - used, " (noisy, q %.2g)", p->bh[item].q);
	}
}

/* Every changed item of a point but the status, "; "-separated. */
void compare_behave_changes(char *buf, size_t len, const struct compare_point *p, const char *arrow)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int item = BH_PINS; item < BH_N && off + 1 < len; item++) {
		char one[600];

		if (p->bh[item].verdict != BH_CHANGED)
			continue;
		compare_behave_change(one, sizeof(one), p, item, arrow);
		off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? "; " : "", one);
	}
	if (off >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
}

/* "2.1x slower" / "3.0x faster": a timing verdict's size, for the explanation. */
void cmp_behave_timing(char *buf, size_t len, const struct compare_point *p)
{
	double x = p->ratio >= 1 ? p->ratio : 1 / p->ratio;

	fmt(buf, len, x >= 10 ? "%.0fx %s" : "%.1fx %s", x, p->ratio >= 1 ? "slower" : "faster");
}

/* The rule, once, for every format. */
const char *cmp_behave_rule_text(void)
{
	return "Behaviour: what the kernel did in each point's ok samples, per op, base -> new. "
	       "An item that took one value on every sample of each side changed if the values "
	       "differ at all; a noisy one (samples vary) only if its medians differ by at least "
	       "1 event per op and a factor of 1.5, each median lies outside the other side's "
	       "10th-90th percentile range and "
	       "Mann-Whitney's q < alpha (Benjamini-Hochberg over the noisy items); folio "
	       "orders and status changed if the sides took no value in common. n/a: not "
	       "counted on a side.";
}
