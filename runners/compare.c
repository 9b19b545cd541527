// SPDX-License-Identifier: GPL-2.0
/*
 * `gupbench compare BASE NEW`: join two runs on their scenario points and
 * say, per point and op, whether NEW is slower, faster or the same.
 *
 * What is compared: the ns of the op per 4 KiB page, status=ok rows only.
 * With threads > 1 a round's threads are not independent samples (they
 * contend with each other), so a point gets one sample per round: the
 * round's makespan (round_ns, the slowest thread, what Google Benchmark
 * gets), taken from thread 0's row, per page of one thread.
 *
 * How: ratio = median(new) / median(base); a 95% confidence interval of
 * that ratio from the Hodges-Lehmann interval of the shift of log(ns)
 * (rank-based, distribution-free, exact from the U distribution for small
 * samples: deterministic, no resampling); a two-sided Mann-Whitney U test;
 * Benjamini-Hochberg over every tested point of the comparison; and
 * compare_verdict()'s rule (compare.h). Rank methods because GUP timings
 * have a long right tail: one preempted sample must not decide.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <dirent.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "compare.h"
#include "meta.h"
#include "point.h"
#include "csv.h"
#include "csvread.h"
#include "stats.h"
#include "util.h"

#define TEXT_WIDTH 80

/* The join key is the point key (point.h): one list for compare, summary and plots. */


static const char *const status_names[CMP_NST] = {
	"ok", "warmup", "skip", "error", "interrupted",
};

static const char *const verdict_names[CMP_NVERDICT] = {
	"regression", "improvement", "unchanged", "inconclusive", "not compared",
};

const char *compare_verdict_name(enum compare_verdict v)
{
	return v < CMP_NVERDICT ? verdict_names[v] : "?";
}

void compare_opts_default(struct compare_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->threshold = COMPARE_THRESHOLD;
	o->alpha = COMPARE_ALPHA;
	o->min_samples = COMPARE_MIN_SAMPLES;
}

enum compare_verdict compare_verdict(size_t n_base, size_t n_new, double ratio, double lo,
				     double hi, double q, const struct compare_opts *o,
				     const char **why)
{
	/*
	 * A change of exactly the threshold counts: "--threshold 1%" flags a
	 * ratio of 1.01. The slack is for the rounding of exp(log(x)) and of
	 * 1 + t, a few ulps, not for noise.
	 */
	double up = (1 + o->threshold) * (1 - 1e-9), down = 1 / up;
	const char *dummy;

	if (!why)
		why = &dummy;
	*why = NULL;
	if (n_base < o->min_samples || n_new < o->min_samples) {
		*why = "too few samples";
		return CMP_INCONCLUSIVE;
	}
	if (!(ratio > 0) || !isfinite(ratio) || isnan(lo) || isnan(hi)) {
		*why = "no ratio (times below the clock's resolution)";
		return CMP_INCONCLUSIVE;
	}
	if (q < o->alpha && ratio >= up)
		return CMP_REGRESSION;
	if (q < o->alpha && ratio <= down)
		return CMP_IMPROVEMENT;
	if (lo > down && hi < up) {
		/* significant or not, whatever changed is below the threshold */
		if (q < o->alpha)
			*why = "a real change, smaller than the threshold";
		return CMP_UNCHANGED;
	}
	*why = "too noisy: the CI reaches past the threshold";
	return CMP_INCONCLUSIVE;
}

int compare_exit_status(const struct compare_result *r)
{
	if (r->count[CMP_REGRESSION])
		return 1;
	if (!r->count[CMP_UNCHANGED] && !r->count[CMP_IMPROVEMENT])
		return 125;
	return 0;
}

/* ---- DIR/meta: what must match for the numbers to be comparable ---- */

/* Sections and keys that make two runs' numbers incomparable when they differ. */
static int meta_key_matters(const char *sec, const char *key, int *expected)
{
	*expected = 0;
	if (!strcmp(sec, "gupbench"))
		return !strcmp(key, "revision");
	if (!strcmp(sec, "kernel")) {
		/* a kernel comparison changes these on purpose: shown, not warned about */
		if (!strcmp(key, "release") || !strcmp(key, "version")) {
			*expected = 1;
			return 1;
		}
		return !strcmp(key, "cmdline") || !strcmp(key, "clocksource") ||
		       !strncmp(key, "CONFIG_", 7) || !strcmp(key, "kconfig");
	}
	if (!strcmp(sec, "machine"))
		return !strcmp(key, "cpu_model") || !strcmp(key, "cpus_online");
	/* THP policy, and the policies and workers that move pages behind our back */
	if (!strcmp(sec, "knobs"))
		return !strncmp(key, "thp.", 4) || !strncmp(key, "sysctl.", 7) ||
		       !strncmp(key, "damon", 5) || !strcmp(key, "ksm.run") ||
		       !strcmp(key, "lru_gen.enabled");
	/* a guest's timings are only comparable under the same accelerator and shape */
	if (!strcmp(sec, "vm"))
		return !strcmp(key, "accelerator") || !strcmp(key, "cpus") || !strcmp(key, "mem") ||
		       !strcmp(key, "numa_nodes") || !strcmp(key, "cpu_model");
	return 0;
}


/* "always [madvise] never" -> "madvise": the choice is what matters. */
static char *knob_choice(const char *v)
{
	const char *a = strchr(v, '['), *b = a ? strchr(a, ']') : NULL;

	if (a && b)
		return strndup(a + 1, (size_t)(b - a - 1));
	return strdup(v);
}

/* The words of a that are not words of b (cmdline: what only one side has). */
static char *words_only_in(const char *a, const char *b)
{
	char *out = calloc(1, strlen(a) + 1), *copy = strdup(a), *save = NULL;

	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		const char *p = b;
		size_t wl = strlen(w);
		int found = 0;

		while ((p = strstr(p, w))) {
			if ((p == b || p[-1] == ' ') && (p[wl] == ' ' || !p[wl])) {
				found = 1;
				break;
			}
			p += wl;
		}
		if (!found) {
			if (*out)
				strcat(out, " ");
			strcat(out, w);
		}
	}
	free(copy);
	return out;
}

static void warn_add(struct compare_result *r, const char *sec, const char *key, const char *b,
		     const char *n, int expected)
{
	struct compare_warning *w;

	r->warn = realloc(r->warn, (r->nwarn + 1) * sizeof(*r->warn));
	w = &r->warn[r->nwarn++];
	fmt(w->what, sizeof(w->what), "[%s] %s", sec, key);
	w->expected = expected;
	if (!b || !n) {
		w->base = strdup(b ? b : "(absent)");
		w->new = strdup(n ? n : "(absent)");
	} else if (!strcmp(key, "cmdline")) {
		char *ob = words_only_in(b, n), *on = words_only_in(n, b);

		if (asprintf(&w->base, "only in base: %s", *ob ? ob : "-") < 0)
			w->base = NULL;
		if (asprintf(&w->new, "only in new: %s", *on ? on : "-") < 0)
			w->new = NULL;
		free(ob);
		free(on);
	} else if (!strcmp(sec, "knobs")) {
		w->base = knob_choice(b);
		w->new = knob_choice(n);
	} else {
		w->base = strdup(b);
		w->new = strdup(n);
	}
}

static void meta_diff(struct compare_result *r, const struct meta_file *b, const struct meta_file *n)
{
	int expected;

	for (size_t i = 0; i < b->n; i++) {
		const struct meta_kv *k = &b->kv[i];
		const char *nv;

		if (!meta_key_matters(k->sec, k->key, &expected))
			continue;
		nv = meta_file_get(n, k->sec, k->key);
		/* a knob one kernel has and the other lacks (mTHP sizes before 6.8):
		 * what a kernel comparison changes, not a setting that differs */
		if (!nv && !strcmp(k->sec, "knobs"))
			expected = 1;
		if (!nv || strcmp(nv, k->val))
			warn_add(r, k->sec, k->key, k->val, nv, expected);
	}
	for (size_t i = 0; i < n->n; i++) {
		const struct meta_kv *k = &n->kv[i];

		if (meta_key_matters(k->sec, k->key, &expected) && !meta_file_get(b, k->sec, k->key))
			warn_add(r, k->sec, k->key, NULL, k->val,
				 expected || !strcmp(k->sec, "knobs"));
	}
}

/* DIR -> DIR/results.csv and DIR/meta; FILE -> FILE and meta beside it. */
static void run_paths(struct compare_run *run, const char *arg, char *meta, size_t len)
{
	struct stat st;

	fmt(run->path, sizeof(run->path), "%s", arg);
	if (!stat(arg, &st) && S_ISDIR(st.st_mode)) {
		fmt(run->csv, sizeof(run->csv), "%s/results.csv", arg);
		fmt(meta, len, "%s/meta", arg);
	} else {
		const char *slash = strrchr(arg, '/');

		fmt(run->csv, sizeof(run->csv), "%s", arg);
		if (slash)
			fmt(meta, len, "%.*s/meta", (int)(slash - arg), arg);
		else
			fmt(meta, len, "meta");
	}
}

static void run_info(struct compare_run *run, const struct meta_file *m)
{
	const char *v;

	v = meta_file_get(m, "kernel", "release");
	fmt(run->release, sizeof(run->release), "%s", v ? v : "?");
	v = meta_file_get(m, "vm", "accelerator");
	if (!v)
		fmt(run->where, sizeof(run->where), "host");
	else if (!strcmp(v, "tcg"))
		fmt(run->where, sizeof(run->where), "QEMU/TCG (timings emulated)");
	else
		fmt(run->where, sizeof(run->where), "QEMU/%s", v);
	v = meta_file_get(m, "gupbench", "revision");
	fmt(run->revision, sizeof(run->revision), "%s", v ? v : "?");
}

/* ---- Loading: rows to points ---- */

/* A string-keyed index of the points (open addressing, FNV-1a). */
struct index {
	char **key;
	size_t *val;
	size_t cap, n;
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static size_t *index_slot(struct index *ix, const char *key, int *found)
{
	size_t i;

	if (ix->n * 2 >= ix->cap) {
		struct index big = { 0 };

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

static void index_free(struct index *ix)
{
	for (size_t i = 0; i < ix->cap; i++)
		free(ix->key[i]);
	free(ix->key);
	free(ix->val);
}

enum { C_OP, C_NS, C_PAGES, C_STATUS, C_REASON, C_SCENARIO, C_THREAD, C_ROUND, C_MISMATCH,
       C_RUN, C_CPU, C_CLOCK, C_NCOLS };

static const char *const colnames[C_NCOLS] = {
	"op", "ns", "pages", "status", "reason", "scenario", "thread", "round_ns", "mismatch",
	"run", "cpu_ns", "clock",
};

struct side_cols {
	int c[C_NCOLS];
	int key[POINT_NKEYS];
};

/* One results.csv of a side, and the replicates (its run indices) it holds. */
struct source {
	char csv[4200];
	char meta[4200];
};

/* A side's replicates: (source, run index) pairs, numbered in order of appearance. */
struct rep_map {
	struct { size_t src; long run; } *id;
	size_t n;
};

static unsigned rep_of(struct rep_map *m, size_t src, long run)
{
	for (size_t i = m->n; i > 0; i--)
		if (m->id[i - 1].src == src && m->id[i - 1].run == run)
			return (unsigned)(i - 1);
	m->id = realloc(m->id, (m->n + 1) * sizeof(*m->id));
	m->id[m->n].src = src;
	m->id[m->n].run = run;
	return (unsigned)m->n++;
}

/* Per point and side while loading: which scenarios fed it. */
struct scen_set {
	long *id;
	size_t n;
};

struct loader {
	struct compare_result *r;
	const struct compare_opts *o;
	struct index ix;
	int use[POINT_NKEYS];		/* in the join */
	int ign[POINT_NKEYS];		/* index in o->ignore[], -1: not ignored */
	struct scen_set *scen[2];	/* per point, per side */
	size_t cap;
	struct rep_map reps[2];
	enum compare_metric metric;	/* resolved */
};

/* A key cell as the join sees it (point_key_value). */
static void key_value(char **row, const struct side_cols *sc, size_t k, char *dst, size_t len)
{
	const char *v = sc->key[k] >= 0 ? row[sc->key[k]] : "";
	const char *method = sc->key[PK_METHOD] >= 0 ? row[sc->key[PK_METHOD]] : "";
	int threads = sc->key[PK_THREADS] >= 0 ? atoi(row[sc->key[PK_THREADS]]) : 1;

	point_key_value(k, v, method, threads, dst, len);
}

static struct compare_point *point_get(struct loader *l, const char *key, int *created)
{
	int found;
	size_t *slot = index_slot(&l->ix, key, &found);
	struct compare_result *r = l->r;

	*created = !found;
	if (found)
		return &r->pt[*slot];
	if (r->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		r->pt = realloc(r->pt, l->cap * sizeof(*r->pt));
		for (int s = 0; s < 2; s++)
			l->scen[s] = realloc(l->scen[s], l->cap * sizeof(*l->scen[s]));
	}
	*slot = r->n;
	memset(&r->pt[r->n], 0, sizeof(r->pt[r->n]));
	memset(&l->scen[0][r->n], 0, sizeof(l->scen[0][r->n]));
	memset(&l->scen[1][r->n], 0, sizeof(l->scen[1][r->n]));
	return &r->pt[r->n++];
}

/* Count a scenario of the run once per point and side. */
static size_t scen_add(struct scen_set *ss, long scen)
{
	for (size_t k = 0; k < ss->n; k++)
		if (ss->id[k] == scen)
			return ss->n;
	ss->id = realloc(ss->id, (ss->n + 1) * sizeof(*ss->id));
	ss->id[ss->n++] = scen;
	return ss->n;
}

static int status_index(const char *s)
{
	for (int i = 0; i < CMP_NST; i++)
		if (!strcmp(s, status_names[i]))
			return i;
	return -1;
}

static int first_before(const unsigned long long *a, const unsigned long long *b)
{
	for (int k = 0; k < 4; k++)
		if (a[k] != b[k])
			return a[k] < b[k];
	return 0;
}

static int load_side(struct loader *l, const struct csv_table *t, const struct side_cols *sc,
		     int is_new, size_t src, const char *path, char *err, size_t len)
{
	struct compare_run *run = is_new ? &l->r->new : &l->r->base;

	for (size_t ri = 0; ri < t->nrows; ri++) {
		char **row = t->rows[ri];
		char key[1024] = "", v[128];
		size_t off = 0, pi;
		int st = status_index(row[sc->c[C_STATUS]]), created;
		struct compare_point *p;
		struct compare_side *s;
		long scen;
		double ns, pages;

		if (st < 0)
			continue;
		run->rows[st]++;
		for (size_t k = 0; k < POINT_NKEYS; k++) {
			if (!l->use[k])
				continue;
			key_value(row, sc, k, v, sizeof(v));
			off += (size_t)snprintf(key + off, sizeof(key) - off, "%s\x1f", v);
			if (off >= sizeof(key))
				off = sizeof(key) - 1;
		}
		snprintf(key + off, sizeof(key) - off, "%s", row[sc->c[C_OP]]);
		p = point_get(l, key, &created);
		pi = (size_t)(p - l->r->pt);
		if (created) {
			p->key = calloc(POINT_NKEYS, sizeof(*p->key));
			for (size_t k = 0, j = 0; k < POINT_NKEYS; k++) {
				if (!l->use[k])
					continue;
				key_value(row, sc, k, v, sizeof(v));
				p->key[j++] = strdup(v);
			}
			fmt(p->op, sizeof(p->op), "%s", row[sc->c[C_OP]]);
		}
		{
			/* the config's order, whatever order the runs were shuffled in */
			unsigned long long at[4] = {
				(unsigned long long)is_new, src,
				sc->c[C_SCENARIO] >= 0 ? strtoull(row[sc->c[C_SCENARIO]], NULL, 10) : 0, ri,
			};

			if (created || first_before(at, p->first))
				memcpy(p->first, at, sizeof(at));
		}
		s = is_new ? &p->new : &p->base;
		s->rows[st]++;
		if (st >= CMP_ST_SKIP && !s->reason[0] && sc->c[C_REASON] >= 0)
			fmt(s->reason, sizeof(s->reason), "%s", row[sc->c[C_REASON]]);
		/* the ignored columns must hold one value per point and side */
		for (size_t k = 0; k < POINT_NKEYS; k++) {
			int i = l->ign[k];

			if (i < 0 || sc->key[k] < 0)
				continue;
			key_value(row, sc, k, v, sizeof(v));
			if (!s->ignored[i]) {
				s->ignored[i] = strdup(v);
			} else if (strcmp(s->ignored[i], v)) {
				fmt(err, len,
				    "--ignore %s: %s has more than one %s (%s and %s) for one point "
				    "(op %s): the join would pool different points",
				    point_keys[k].name, path, point_keys[k].name, s->ignored[i], v, p->op);
				return -EINVAL;
			}
		}
		scen = sc->c[C_SCENARIO] >= 0 ? atol(row[sc->c[C_SCENARIO]]) : 0;
		/* the same scenario in two files is two scenarios */
		s->scenarios = scen_add(&l->scen[is_new][pi], scen + (long)src * 1000000L);
		if (st != CMP_ST_OK || !row[sc->c[C_NS]][0])
			continue;
		pages = atof(row[sc->c[C_PAGES]]);
		if (pages <= 0)
			continue;
		{
			char *end;

			ns = strtod(row[sc->c[C_NS]], &end);
			if (*end || !isfinite(ns) || ns < 0) {
				/* not a time gupbench writes: left out, and counted */
				run->bad_ns++;
				continue;
			}
		}
		if (l->metric == CMP_METRIC_CPU) {
			/*
			 * On-CPU time of the timed thread: every thread's row is a
			 * sample of the work per page (a round's makespan is elapsed
			 * time, not work).
			 */
			const char *c = row[sc->c[C_CPU]];
			char *end;

			ns = strtod(c, &end);
			if (!*c || *end || !isfinite(ns) || ns < 0) {
				run->no_metric++;
				continue;
			}
		} else if (sc->key[PK_THREADS] >= 0 && atoi(row[sc->key[PK_THREADS]]) > 1) {
			/* one sample per round: thread 0's row carries the makespan */
			if (sc->c[C_THREAD] >= 0 && atoi(row[sc->c[C_THREAD]]) != 0)
				continue;
			if (sc->c[C_ROUND] >= 0 && row[sc->c[C_ROUND]][0])
				ns = atof(row[sc->c[C_ROUND]]);
		}
		if (sc->c[C_MISMATCH] >= 0 && row[sc->c[C_MISMATCH]][0] && !s->mismatch++)
			fmt(s->mismatch_first, sizeof(s->mismatch_first), "%s", row[sc->c[C_MISMATCH]]);
		s->v = realloc(s->v, (s->n + 1) * sizeof(*s->v));
		s->rep = realloc(s->rep, (s->n + 1) * sizeof(*s->rep));
		s->rep[s->n] = rep_of(&l->reps[is_new], src,
				      sc->c[C_RUN] >= 0 ? atol(row[sc->c[C_RUN]]) : 1);
		s->v[s->n++] = ns / pages;
	}
	return 0;
}

static int find_cols(const struct csv_table *t, const char *path, struct side_cols *sc, char *err,
		     size_t len)
{
	static const char *const need[] = {
		"method", "backing", "size_bytes", "folio_order", "zero_ratio", "op", "ns",
		"pages", "status",
	};

	for (size_t i = 0; i < ARRAY_SIZE(need); i++) {
		if (csv_table_col(t, need[i]) < 0) {
			fmt(err, len, "%s: no column %s: not a gupbench results.csv", path, need[i]);
			return -EINVAL;
		}
	}
	for (int i = 0; i < C_NCOLS; i++)
		sc->c[i] = csv_table_col(t, colnames[i]);
	/* schema 2 called the on-CPU time c_task_clock_ns */
	if (sc->c[C_CPU] < 0)
		sc->c[C_CPU] = csv_table_col(t, "c_task_clock_ns");
	for (size_t k = 0; k < POINT_NKEYS; k++)
		sc->key[k] = csv_table_col(t, point_keys[k].col);
	return 0;
}

static void side_free(struct compare_side *s)
{
	free(s->v);
	free(s->rep);
	free(s->run_med);
	free(s->run_src);
	for (size_t i = 0; i < COMPARE_MAX_IGNORE; i++)
		free(s->ignored[i]);
}

static void point_free(struct compare_point *p)
{
	if (p->key)
		for (size_t k = 0; k < POINT_NKEYS && p->key[k]; k++)
			free(p->key[k]);
	free(p->key);
	free(p->label);
	free(p->match);
	side_free(&p->base);
	side_free(&p->new);
}

static int point_order(const void *a, const void *b)
{
	const struct compare_point *x = a, *y = b;

	return first_before(x->first, y->first) ? -1 : first_before(y->first, x->first);
}

/* ---- Labels ---- */

static char *point_text(const struct compare_result *r, const struct compare_point *p,
			const int *show, int for_match)
{
	char buf[1024];
	size_t off = 0;

	buf[0] = '\0';
#define ADD(...)                                                                     \
	do {                                                                         \
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, __VA_ARGS__); \
		if (off >= sizeof(buf))                                              \
			off = sizeof(buf) - 1;                                       \
	} while (0)
	for (size_t j = 0; j < r->nkeys; j++) {
		int k = point_key_find(r->keys[j]);
		const char *sep = off ? " " : "";

		if (for_match || (!point_keys[k].main && show[k]))
			ADD("%s%s=%s", sep, r->keys[j], p->key[j]);
		else if (point_keys[k].main && k < PK_ORDER)	/* method, backing, size say what they are */
			ADD("%s%s", sep, p->key[j]);
		else if (point_keys[k].main)
			ADD("%s%s=%s", sep, r->keys[j], p->key[j]);
	}
	for (size_t i = 0; i < r->nignored; i++)
		ADD("%s%s=%s->%s", off ? " " : "", r->ignored[i],
		    p->base.ignored[i] ? p->base.ignored[i] : "?",
		    p->new.ignored[i] ? p->new.ignored[i] : "?");
	if (for_match)
		ADD(" op=%s", p->op);
#undef ADD
	return strdup(buf);
}

/*
 * An extra key is named only where it tells points of the same method
 * apart: write=1 on every iouring point says nothing, threads=1 and
 * threads=2 of one method do.
 */
static int varies_within_method(const struct compare_result *r, size_t j)
{
	/* method is keys[0] unless --ignore method took it out of the join */
	int m = r->nkeys && !strcmp(r->keys[0], "method");

	for (size_t a = 0; a < r->n; a++)
		for (size_t b = a + 1; b < r->n; b++)
			if ((!m || !strcmp(r->pt[a].key[0], r->pt[b].key[0])) &&
			    strcmp(r->pt[a].key[j], r->pt[b].key[j]))
				return 1;
	return 0;
}

static void make_labels(struct compare_result *r)
{
	int show[POINT_NKEYS];

	for (size_t k = 0; k < POINT_NKEYS; k++)
		show[k] = point_keys[k].main;
	for (size_t j = 0; j < r->nkeys; j++) {
		int k = point_key_find(r->keys[j]);

		if (!show[k])
			show[k] = varies_within_method(r, j);
	}
	for (size_t i = 0; i < r->n; i++) {
		r->pt[i].label = point_text(r, &r->pt[i], show, 0);
		r->pt[i].match = point_text(r, &r->pt[i], show, 1);
	}
}

/* ---- The statistics of each point ---- */

static int cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return (x > y) - (x < y);
}

/*
 * Per run (replicate) of the side: the median of its samples, the
 * results.csv it came from, and the spread of its samples as a robust sd
 * of log(v) (1.4826 MAD: the sd of a normal sample). Then the side's
 * samples are sorted, pooled.
 */
static void side_finish(struct compare_side *s, const struct rep_map *m)
{
	unsigned *ids = malloc((s->n ? s->n : 1) * sizeof(*ids));
	double *w = malloc((s->n ? s->n : 1) * sizeof(*w)), *mads = NULL;
	size_t nid = 0;

	s->sd_between = s->sd_within = NAN;
	if (s->n && ids && w) {
		memcpy(ids, s->rep, s->n * sizeof(*ids));
		qsort(ids, s->n, sizeof(*ids), cmp_unsigned);
		for (size_t i = 0; i < s->n; i++)
			if (!i || ids[i] != ids[nid - 1])
				ids[nid++] = ids[i];
		s->run_med = malloc(nid * sizeof(*s->run_med));
		s->run_src = malloc(nid * sizeof(*s->run_src));
		mads = malloc(nid * sizeof(*mads));
		for (size_t k = 0; k < nid && s->run_med && s->run_src && mads; k++) {
			size_t n = 0, pos = 0;
			double med;

			s->run_src[k] = m->id[ids[k]].src;
			/* reps are numbered in order of appearance: a new source is a higher one */
			if (!k || s->run_src[k] != s->run_src[k - 1])
				s->invocations++;
			for (size_t i = 0; i < s->n; i++)
				if (s->rep[i] == ids[k])
					w[n++] = s->v[i];
			stats_sort(w, n);
			med = s->run_med[k] = stats_quantile(w, n, 0.5);
			for (size_t i = 0; i < n; i++)
				if (w[i] > 0 && med > 0)
					w[pos++] = fabs(log(w[i] / med));
			stats_sort(w, pos);
			mads[k] = pos ? 1.4826 * stats_quantile(w, pos, 0.5) : NAN;
		}
		s->runs = s->run_med && s->run_src && mads ? nid : 0;
		if (!s->runs)
			s->invocations = 0;
		if (s->runs) {
			stats_sort(mads, s->runs);
			s->sd_within = stats_quantile(mads, s->runs, 0.5);
		}
	}
	free(ids);
	free(w);
	free(mads);
	free(s->rep);
	s->rep = NULL;
	stats_sort(s->v, s->n);
	s->median = s->n ? stats_quantile(s->v, s->n, 0.5) : NAN;
}

/*
 * log of the samples for the CI. A kernel-timed op can read 0 us; the
 * logarithm needs a floor: half the smallest positive value of the pair.
 */
static double *logs(const struct compare_side *s, double floor_v)
{
	double *l = malloc((s->n ? s->n : 1) * sizeof(*l));

	for (size_t i = 0; i < s->n; i++)
		l[i] = log(s->v[i] > 0 ? s->v[i] : floor_v);
	return l;
}

/*
 * The run-level model (Kalibera & Jones, ISMM 2013, reduced to two
 * levels): a run's samples share whatever the run drew (its physical
 * pages, their placement, the state of the machine), so the unit of
 * replication is the run. Each run is summed up by its median; the test
 * is Welch's t on the logs of those medians, and its interval is the
 * ratio's. Samples within a run only make the median precise.
 */
static void point_test_runs(struct compare_point *p, double floor_v)
{
	double *lb = malloc(p->base.runs * sizeof(*lb)), *ln = malloc(p->new.runs * sizeof(*ln));
	struct stats_welch w;

	for (size_t i = 0; lb && i < p->base.runs; i++)
		lb[i] = log(p->base.run_med[i] > 0 ? p->base.run_med[i] : floor_v);
	for (size_t i = 0; ln && i < p->new.runs; i++)
		ln[i] = log(p->new.run_med[i] > 0 ? p->new.run_med[i] : floor_v);
	if (lb && ln && !stats_welch(lb, p->base.runs, ln, p->new.runs, COMPARE_CONF, &w)) {
		double between = 0, within = 0, m;
		int nb = 0, nw = 0;

		p->ratio = exp(w.diff);
		p->lo = exp(w.lo);
		p->hi = exp(w.hi);
		p->conf = COMPARE_CONF;
		p->p = w.p;
		p->df = w.df;
		p->pooled_sd = w.pooled;
		p->exact = 0;
		p->base.sd_between = w.sd_x;
		p->new.sd_between = w.sd_y;
		/*
		 * What of the spread between runs the samples explain: a median
		 * of m samples of sd s varies by about sqrt(pi/2) s / sqrt(m).
		 * The rest is the runs' own.
		 */
		if (!isnan(w.sd_x))
			between += w.sd_x * w.sd_x, nb++;
		if (!isnan(w.sd_y))
			between += w.sd_y * w.sd_y, nb++;
		if (!isnan(p->base.sd_within))
			within += p->base.sd_within * p->base.sd_within, nw++;
		if (!isnan(p->new.sd_within))
			within += p->new.sd_within * p->new.sd_within, nw++;
		m = (double)(p->base.n + p->new.n) / (double)(p->base.runs + p->new.runs);
		if (nb && nw) {
			double v = between / nb - M_PI / 2 * (within / nw) / m;

			p->sd_run = v > 0 ? sqrt(v) : 0;
		}
	}
	free(lb);
	free(ln);
}

/*
 * A side's invocations (separately started runs, one results.csv each):
 * each the mean of its rounds' log medians, in inv[] (s->invocations of
 * them). The rounds of one invocation follow each other within seconds
 * and share the host's state of those minutes; separately started runs
 * do not, so the invocation is the unit once each side has two. Also the
 * sd of rounds about their invocation's mean, pooled, and the mean
 * number of rounds an invocation.
 */
static void side_invocations(const struct compare_side *s, double floor_v, double *inv,
			     double *sd_rounds, double *rounds)
{
	double ss = 0;
	size_t df = 0, k = 0;

	for (size_t i = 0; i < s->runs; ) {
		size_t j = i;
		double sum = 0;

		while (j < s->runs && s->run_src[j] == s->run_src[i])
			sum += log(s->run_med[j] > 0 ? s->run_med[j] : floor_v), j++;
		inv[k] = sum / (double)(j - i);
		for (size_t x = i; x < j; x++) {
			double d = log(s->run_med[x] > 0 ? s->run_med[x] : floor_v) - inv[k];

			ss += d * d;
		}
		df += j - i - 1;
		k++;
		i = j;
	}
	*sd_rounds = df ? sqrt(ss / (double)df) : NAN;
	*rounds = k ? (double)s->runs / (double)k : NAN;
}

/*
 * The three-level model: invocation, round, sample. Welch's t on the
 * invocations' means; sd_run is what of the spread between invocations
 * the rounds' own spread does not explain (a mean of r rounds of sd s_r
 * varies by s_r / sqrt(r)).
 */
static void point_test_invocations(struct compare_point *p, double floor_v)
{
	double *ib = malloc(p->base.invocations * sizeof(*ib));
	double *in = malloc(p->new.invocations * sizeof(*in));
	double rb = NAN, rn = NAN;
	struct stats_welch w;

	if (!ib || !in)
		goto out;
	side_invocations(&p->base, floor_v, ib, &p->base.sd_rounds, &rb);
	side_invocations(&p->new, floor_v, in, &p->new.sd_rounds, &rn);
	if (stats_welch(ib, p->base.invocations, in, p->new.invocations, COMPARE_CONF, &w))
		goto out;
	p->ratio = exp(w.diff);
	p->lo = exp(w.lo);
	p->hi = exp(w.hi);
	p->conf = COMPARE_CONF;
	p->p = w.p;
	p->df = w.df;
	p->pooled_sd = w.pooled;
	p->exact = 0;
	p->base.sd_between = w.sd_x;
	p->new.sd_between = w.sd_y;
	{
		double between = 0, rounds = 0, r = (rb + rn) / 2;
		int nb = 0, nr = 0;

		for (int s = 0; s < 2; s++) {
			const struct compare_side *sd = s ? &p->new : &p->base;

			if (!isnan(sd->sd_between))
				between += sd->sd_between * sd->sd_between, nb++;
			if (!isnan(sd->sd_rounds))
				rounds += sd->sd_rounds * sd->sd_rounds, nr++;
		}
		if (nb && nr) {
			double v = between / nb - (rounds / nr) / r;

			p->sd_run = v > 0 ? sqrt(v) : 0;
		}
	}
out:
	free(ib);
	free(in);
}

/* How many of the side's (sorted) samples are bare work: within the tolerance of the lowest. */
static size_t bare_count(const struct compare_side *s)
{
	size_t k = 0;

	if (!s->n || !(s->v[0] > 0))
		return 0;
	while (k < s->n && s->v[k] <= s->v[0] * (1 + COMPARE_BARE_TOL))
		k++;
	return k;
}

static void point_test(struct compare_point *p, const struct compare_opts *o, int bare_ok)
{
	double floor_v = INFINITY, *lb, *ln;
	struct compare_side bb, bn;
	struct stats_mw mw;
	struct stats_shift sh;

	p->p = p->q = p->u = p->lo = p->hi = p->conf = p->floor = p->df = p->sd_run = NAN;
	p->base.sd_rounds = p->new.sd_rounds = NAN;
	p->model = CMP_MODEL_SAMPLES;
	p->ratio = p->base.median > 0 && p->new.median > 0 ? p->new.median / p->base.median : NAN;
	if (p->base.n < o->min_samples || p->new.n < o->min_samples || isnan(p->ratio))
		return;
	for (size_t i = 0; i < p->base.n; i++)
		if (p->base.v[i] > 0 && p->base.v[i] < floor_v)
			floor_v = p->base.v[i];
	for (size_t i = 0; i < p->new.n; i++)
		if (p->new.v[i] > 0 && p->new.v[i] < floor_v)
			floor_v = p->new.v[i];
	floor_v /= 2;
	if (p->base.invocations > 1 && p->new.invocations > 1 &&
	    (p->base.runs > p->base.invocations || p->new.runs > p->new.invocations)) {
		p->model = CMP_MODEL_INVOCATIONS;
		point_test_invocations(p, floor_v);
		goto floor;
	}
	if (p->base.runs && p->new.runs && (p->base.runs > 1 || p->new.runs > 1)) {
		p->model = CMP_MODEL_RUNS;
		p->one_invocation = (p->base.runs > 1 && p->base.invocations == 1) ||
				    (p->new.runs > 1 && p->new.invocations == 1);
		point_test_runs(p, floor_v);
		goto floor;
	}
	bb = p->base;
	bn = p->new;
	if (bare_ok) {
		size_t kb = bare_count(&p->base), kn = bare_count(&p->new);

		if (kb >= o->min_samples && kn >= o->min_samples) {
			/* the sorted prefixes: the bare samples alone */
			p->model = CMP_MODEL_BARE;
			bb.n = p->base.bare = kb;
			bn.n = p->new.bare = kn;
			p->base.median = stats_quantile(bb.v, kb, 0.5);
			p->new.median = stats_quantile(bn.v, kn, 0.5);
			p->ratio = p->new.median / p->base.median;
		}
	}
	/* U of new against base: large when new is slower */
	if (stats_mann_whitney(bn.v, bn.n, bb.v, bb.n, &mw))
		return;
	p->u = mw.u;
	p->p = mw.p;
	p->exact = mw.exact;
	lb = logs(&bb, floor_v);
	ln = logs(&bn, floor_v);
	if (!stats_hl_shift(lb, bb.n, ln, bn.n, COMPARE_CONF, &sh)) {
		p->lo = exp(sh.lo);
		p->hi = exp(sh.hi);
		p->conf = sh.conf;
	}
	free(lb);
	free(ln);
floor:
	/* the smallest change this point could have told from its ratio: the CI's half-width */
	if (p->ratio > 0 && p->lo > 0 && isfinite(p->hi))
		p->floor = fmax(p->hi / p->ratio, p->ratio / p->lo) - 1;
}

static void analyse(struct compare_result *r, const struct compare_opts *o,
		    const struct rep_map reps[2])
{
	double *p = malloc((r->n ? r->n : 1) * sizeof(*p)), *q = malloc((r->n ? r->n : 1) * sizeof(*q));
	double *ratios = malloc((r->n ? r->n : 1) * sizeof(*ratios));
	int bare_ok = r->metric == CMP_METRIC_CPU && !strncmp(r->base.clock, "icount", 6);

	for (size_t i = 0; i < r->n; i++) {
		side_finish(&r->pt[i].base, &reps[0]);
		side_finish(&r->pt[i].new, &reps[1]);
		point_test(&r->pt[i], o, bare_ok);
		p[i] = r->pt[i].p;
	}
	/* the family: every point tested in this comparison */
	stats_bh(p, r->n, q);
	r->tests = 0;
	for (size_t i = 0; i < r->n; i++) {
		struct compare_point *pt = &r->pt[i];

		pt->q = q[i];
		if (!pt->base.n || !pt->new.n) {
			pt->verdict = CMP_NOT_COMPARED;
			pt->why = !pt->base.n && !pt->new.n ? "no ok samples on either side"
			       : !pt->base.n ? "no ok samples in base" : "no ok samples in new";
		} else {
			pt->verdict = compare_verdict(pt->base.n, pt->new.n, pt->ratio, pt->lo,
						      pt->hi, pt->q, o, &pt->why);
		}
		r->count[pt->verdict]++;
		if (!isnan(pt->q))
			ratios[r->tests++] = pt->ratio;
	}
	r->geomean = stats_geomean(ratios, r->tests);
	r->model = r->base.runs > 1 || r->new.runs > 1 ? CMP_MODEL_RUNS : CMP_MODEL_SAMPLES;
	for (size_t i = 0; i < r->n; i++) {
		if (r->pt[i].model == CMP_MODEL_INVOCATIONS)
			r->model = CMP_MODEL_INVOCATIONS;
		r->one_invocation |= r->pt[i].one_invocation;
	}
	free(p);
	free(q);
	free(ratios);
}

/*
 * A side's results.csv files: a run directory or a results.csv is one; a
 * directory without a results.csv of its own, every subdirectory that has
 * one (a directory of runs, in name order).
 */
static int side_sources(const char *arg, struct source **out, size_t *n, char *err, size_t len)
{
	struct stat st;
	struct dirent **de = NULL;
	char probe[4200];
	int nde;

	*out = NULL;
	*n = 0;
	fmt(probe, sizeof(probe), "%s/results.csv", arg);
	if (stat(arg, &st) || !S_ISDIR(st.st_mode) || !stat(probe, &st)) {
		struct compare_run tmp;

		*out = calloc(1, sizeof(**out));
		if (!*out)
			return -ENOMEM;
		run_paths(&tmp, arg, (*out)->meta, sizeof((*out)->meta));
		fmt((*out)->csv, sizeof((*out)->csv), "%s", tmp.csv);
		*n = 1;
		return 0;
	}
	nde = scandir(arg, &de, NULL, alphasort);
	if (nde < 0) {
		fmt(err, len, "%s: %s", arg, strerror(errno));
		return -errno;
	}
	for (int i = 0; i < nde; i++) {
		if (de[i]->d_name[0] != '.') {
			fmt(probe, sizeof(probe), "%s/%s/results.csv", arg, de[i]->d_name);
			if (!stat(probe, &st) && S_ISREG(st.st_mode)) {
				struct source *grown = realloc(*out, (*n + 1) * sizeof(**out));

				if (!grown)
					break;
				*out = grown;
				fmt(grown[*n].csv, sizeof(grown[*n].csv), "%s", probe);
				fmt(grown[*n].meta, sizeof(grown[*n].meta), "%s/%s/meta", arg,
				    de[i]->d_name);
				(*n)++;
			}
		}
		free(de[i]);
	}
	free(de);
	if (!*n) {
		fmt(err, len, "%s: no results.csv in it, nor in any directory in it: not a run "
		    "directory nor a directory of runs", arg);
		return -ENOENT;
	}
	return 0;
}

/* The clock a results.csv was measured with: its meta's [clock], else its clock column. */
static void source_clock(const struct meta_file *m, int has_meta, const struct csv_table *t,
			 const struct side_cols *sc, char *dst, size_t len)
{
	const char *kind = has_meta ? meta_file_get(m, "clock", "kind") : NULL;

	if (kind && !strcmp(kind, "icount")) {
		const char *sh = meta_file_get(m, "clock", "shift");

		run_clock_cell(1, sh ? atoi(sh) : 0, dst, len);
	} else if (kind) {
		fmt(dst, len, "%s", kind);
	} else if (sc->c[C_CLOCK] >= 0 && t->nrows) {
		fmt(dst, len, "%s", t->rows[0][sc->c[C_CLOCK]]);
	} else {
		fmt(dst, len, "real");	/* before schema 3: the host's clock or TCG's */
	}
}

struct side_load {
	struct source *src;
	size_t n;
	struct csv_table *t;
	struct side_cols *c;
	struct meta_file *m;
	int *has_meta;
};

static void side_load_free(struct side_load *sl)
{
	for (size_t i = 0; i < sl->n; i++) {
		if (sl->t)
			csv_table_free(&sl->t[i]);
		if (sl->m)
			meta_file_free(&sl->m[i]);
	}
	free(sl->src);
	free(sl->t);
	free(sl->c);
	free(sl->m);
	free(sl->has_meta);
	memset(sl, 0, sizeof(*sl));
}

/* Read every results.csv of a side, its columns, meta and clock; a side has one clock. */
static int side_read(struct side_load *sl, const char *arg, struct compare_run *run, char *err,
		     size_t len)
{
	int ret = side_sources(arg, &sl->src, &sl->n, err, len);

	if (ret)
		return ret;
	sl->t = calloc(sl->n, sizeof(*sl->t));
	sl->c = calloc(sl->n, sizeof(*sl->c));
	sl->m = calloc(sl->n, sizeof(*sl->m));
	sl->has_meta = calloc(sl->n, sizeof(*sl->has_meta));
	if (!sl->t || !sl->c || !sl->m || !sl->has_meta)
		return -ENOMEM;
	fmt(run->path, sizeof(run->path), "%s", arg);
	fmt(run->csv, sizeof(run->csv), "%s", sl->src[0].csv);
	run->sources = sl->n;
	for (size_t i = 0; i < sl->n; i++) {
		char clock[32];

		ret = csv_table_load(&sl->t[i], sl->src[i].csv, err, len);
		if (!ret)
			ret = find_cols(&sl->t[i], sl->src[i].csv, &sl->c[i], err, len);
		if (ret)
			return ret;
		sl->has_meta[i] = !meta_file_load(sl->src[i].meta, &sl->m[i]);
		source_clock(&sl->m[i], sl->has_meta[i], &sl->t[i], &sl->c[i], clock, sizeof(clock));
		if (!i) {
			fmt(run->clock, sizeof(run->clock), "%s", clock);
		} else if (strcmp(run->clock, clock)) {
			fmt(err, len, "%s and %s were measured with different clocks (%s, %s): "
			    "their numbers are not the same unit", sl->src[0].csv, sl->src[i].csv,
			    run->clock, clock);
			return -EINVAL;
		}
	}
	run->has_meta = sl->has_meta[0];
	run_info(run, &sl->m[0]);
	return 0;
}

int compare_runs(const char *base, const char *new, const struct compare_opts *o,
		 struct compare_result *r, char *err, size_t len)
{
	struct side_load sl[2] = { 0 };
	struct loader l = { .r = r, .o = o };
	regex_t re;
	int ret;

	memset(r, 0, sizeof(*r));
	for (size_t k = 0; k < POINT_NKEYS; k++)
		l.ign[k] = -1;
	for (size_t i = 0; i < o->nignore; i++) {
		int k = point_key_find(o->ignore[i]);

		if (k < 0) {
			fmt(err, len, "--ignore %s: not a scenario key (one of: method backing size "
			    "order zero populate threads share mem_node cpu_node pinned pin_method "
			    "write)", o->ignore[i]);
			return -EINVAL;
		}
		if (l.ign[k] < 0) {
			l.ign[k] = (int)r->nignored;
			r->ignored[r->nignored++] = point_keys[k].name;
		}
	}
	if (o->only && regcomp(&re, o->only, REG_EXTENDED | REG_NOSUB)) {
		fmt(err, len, "--only: \"%s\" is not an extended regular expression", o->only);
		return -EINVAL;
	}
	ret = side_read(&sl[0], base, &r->base, err, len);
	if (!ret)
		ret = side_read(&sl[1], new, &r->new, err, len);
	if (ret)
		goto out;
	/* the unit: a real ns and an instruction are not comparable */
	if (strcmp(r->base.clock, r->new.clock)) {
		fmt(err, len, "the runs were measured with different clocks: base %s (%s), new %s "
		    "(%s); a real nanosecond and a virtual one are not the same unit: compare runs "
		    "of one clock (gupbench vm --clock)", r->base.clock, base, r->new.clock, new);
		ret = -EINVAL;
		goto out;
	}
	l.metric = o->metric;
	if (l.metric == CMP_METRIC_AUTO)
		l.metric = !strncmp(r->base.clock, "icount", 6) ? CMP_METRIC_CPU : CMP_METRIC_ELAPSED;
	r->metric = l.metric;
	for (int s = 0; s < 2 && l.metric == CMP_METRIC_CPU; s++)
		for (size_t i = 0; i < sl[s].n; i++)
			if (sl[s].c[i].c[C_CPU] < 0) {
				fmt(err, len, "--metric cpu: %s has no on-CPU time (no cpu_ns column: "
				    "a run before schema 3 without libperf's task-clock); use --metric "
				    "elapsed", sl[s].src[i].csv);
				ret = -EINVAL;
				goto out;
			}

	if (!r->base.has_meta || !r->new.has_meta) {
		warn_add(r, "meta", "file", r->base.has_meta ? sl[0].src[0].meta : "(none: cannot check)",
			 r->new.has_meta ? sl[1].src[0].meta : "(none: cannot check)", 0);
	} else {
		meta_diff(r, &sl[0].m[0], &sl[1].m[0]);
		/* no [end]: the run was killed, and its last scenario may be cut short */
		for (size_t i = 0; i < sl[0].n || i < sl[1].n; i++) {
			const char *eb = i < sl[0].n && sl[0].has_meta[i] ?
					 meta_file_get(&sl[0].m[i], "end", "status") : "";
			const char *en = i < sl[1].n && sl[1].has_meta[i] ?
					 meta_file_get(&sl[1].m[i], "end", "status") : "";

			if (!eb || !en) {
				warn_add(r, "end", "status", eb ?: "(missing: a run was killed?)",
					 en ?: "(missing: a run was killed?)", 0);
				break;
			}
		}
	}
	/* the runs pooled on one side should be of one kernel */
	for (int s = 0; s < 2; s++)
		for (size_t i = 1; i < sl[s].n; i++) {
			const char *a = sl[s].has_meta[0] ? meta_file_get(&sl[s].m[0], "kernel", "release") : NULL;
			const char *b = sl[s].has_meta[i] ? meta_file_get(&sl[s].m[i], "kernel", "release") : NULL;

			if (a && b && strcmp(a, b)) {
				char both[300];

				/* the pooled side names both; the other side is not at fault */
				fmt(both, sizeof(both), "%s and %s pooled", a, b);
				warn_add(r, "kernel", "release within a side", s ? "-" : both,
					 s ? both : "-", 0);
				break;
			}
		}

	/* the join key: every scenario column all files have, less --ignore */
	for (size_t k = 0; k < POINT_NKEYS; k++) {
		int inb = 1, inn = 1;

		for (size_t i = 0; i < sl[0].n; i++)
			inb &= sl[0].c[i].key[k] >= 0;
		for (size_t i = 0; i < sl[1].n; i++)
			inn &= sl[1].c[i].key[k] >= 0;
		if (l.ign[k] >= 0)
			continue;
		if (inb && inn) {
			l.use[k] = 1;
			r->keys[r->nkeys++] = point_keys[k].name;
		} else if (inb || inn) {
			/* an older schema: the column cannot join, say so */
			warn_add(r, "results.csv", point_keys[k].col, inb ? "column present" : "(absent)",
				 inn ? "column present" : "(absent)", 0);
		}
	}
	for (int s = 0; s < 2 && !ret; s++)
		for (size_t i = 0; i < sl[s].n && !ret; i++)
			ret = load_side(&l, &sl[s].t[i], &sl[s].c[i], s, i, sl[s].src[i].csv, err, len);
	if (ret)
		goto out;
	r->base.runs = l.reps[0].n;
	r->new.runs = l.reps[1].n;
	if (r->n > 1)
		qsort(r->pt, r->n, sizeof(*r->pt), point_order);
	make_labels(r);
	if (o->only) {
		size_t keep = 0;
		char example[256];

		fmt(example, sizeof(example), "%s", r->n ? r->pt[0].match : "");
		for (size_t i = 0; i < r->n; i++) {
			if (!regexec(&re, r->pt[i].match, 0, NULL, 0))
				r->pt[keep++] = r->pt[i];
			else
				point_free(&r->pt[i]);
		}
		r->n = keep;
		if (!keep) {
			fmt(err, len, "--only \"%s\" matched no point (a point reads \"%s\")",
			    o->only, example);
			ret = -EINVAL;
			goto out;
		}
	}
	analyse(r, o, l.reps);
out:
	/* l.scen has an entry per point loaded, --only or not */
	for (int s = 0; s < 2; s++) {
		for (size_t i = 0; l.scen[s] && i < l.ix.n; i++)
			free(l.scen[s][i].id);
		free(l.scen[s]);
		free(l.reps[s].id);
		side_load_free(&sl[s]);
	}
	index_free(&l.ix);
	if (o->only)
		regfree(&re);
	if (ret)
		compare_result_free(r);
	return ret;
}

void compare_result_free(struct compare_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		point_free(&r->pt[i]);
	free(r->pt);
	for (size_t i = 0; i < r->nwarn; i++) {
		free(r->warn[i].base);
		free(r->warn[i].new);
	}
	free(r->warn);
	r->pt = NULL;
	r->warn = NULL;
	r->n = r->nwarn = 0;
}

/* ---- Printing ---- */

/* At most 7 characters, about 4 significant digits. */
static const char *num(double v, char *buf, size_t len)
{
	if (isnan(v))
		fmt(buf, len, "-");
	else if (v < 10)
		fmt(buf, len, "%.3f", v);
	else if (v < 100)
		fmt(buf, len, "%.2f", v);
	else if (v < 1000)
		fmt(buf, len, "%.1f", v);
	else if (v < 100000)
		fmt(buf, len, "%.0f", v);
	else
		fmt(buf, len, "%.1e", v);
	return buf;
}

/*
 * 0.924, 1.000, 25.3, 0.040, 0.0058: at most 6 characters from 0.0001 to
 * 99999; a change of 10x or more needs no third digit.
 */
static const char *ratio_str(double v, char *buf, size_t len)
{
	if (isnan(v))
		fmt(buf, len, "-");
	else if (v >= 0.1 && v < 10)
		fmt(buf, len, "%.3f", v);
	else if (v >= 10 && v < 1000)
		fmt(buf, len, "%.1f", v);
	else if (v >= 1000 && v < 100000)
		fmt(buf, len, "%.0f", v);
	else
		fmt(buf, len, "%.2g", v);
	return buf;
}

static const char *ci_str(const struct compare_point *p, char *buf, size_t len)
{
	char a[16], b[16];

	if (isnan(p->lo))
		fmt(buf, len, "-");
	else
		fmt(buf, len, "%s-%s", ratio_str(p->lo, a, sizeof(a)), ratio_str(p->hi, b, sizeof(b)));
	return buf;
}

static const char *q_str(double q, char *buf, size_t len)
{
	if (isnan(q))
		fmt(buf, len, "-");
	else if (q < 0.001)
		fmt(buf, len, "<.001");
	else
		fmt(buf, len, "%.3f", q);
	return buf;
}

/* "0.4%", "12%", "-" */
static const char *floor_str(double v, char *buf, size_t len)
{
	if (isnan(v))
		fmt(buf, len, "-");
	else if (v < 0.1)
		fmt(buf, len, "%.1f%%", 100 * v);
	else if (v < 10)
		fmt(buf, len, "%.0f%%", 100 * v);
	else
		fmt(buf, len, ">999%%");
	return buf;
}

static const char *side_state(const struct compare_side *s)
{
	if (s->n)
		return "ok";
	if (s->rows[CMP_ST_SKIP])
		return "skip";
	if (s->rows[CMP_ST_ERROR])
		return "error";
	if (s->rows[CMP_ST_INTERRUPTED])
		return "interrupted";
	if (s->rows[CMP_ST_WARMUP])
		return "warmup only";
	if (s->rows[CMP_ST_OK])
		return "no time";
	return "absent";
}

static int both_skip(const struct compare_point *p)
{
	return p->verdict == CMP_NOT_COMPARED && !strcmp(side_state(&p->base), "skip") &&
	       !strcmp(side_state(&p->new), "skip");
}

/*
 * first, then the words of text, continuation lines indented by indent,
 * no line past width (a word longer than a line stands alone).
 */
static void wrap(FILE *f, const char *first, int indent, const char *text, int width)
{
	size_t fl = strlen(first);
	int col = fprintf(f, "%s", first), fresh = !fl || first[fl - 1] == ' ';

	for (const char *p = text; *p;) {
		int wl = (int)strcspn(p, " ");

		if (!fresh && col + 1 + wl > width) {
			col = fprintf(f, "\n%*s", indent, "") - 1;
			fresh = 1;
		}
		if (!fresh)
			col += fprintf(f, " ");
		col += fprintf(f, "%.*s", wl, p);
		fresh = 0;
		p += wl;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

/* A path that fits: the end of it, which names the run. */
static const char *tail(const char *s, size_t max, char *buf, size_t len)
{
	size_t n = strlen(s);

	if (n <= max)
		return s;
	fmt(buf, len, "...%s", s + n - (max - 3));
	return buf;
}

/* " rows: 720 ok, 72 warmup, 72 skip": what was and was not compared */
static void rows_text(char *buf, size_t len, const struct compare_run *run)
{
	size_t off = 0;

	for (int i = 0; i < CMP_NST; i++) {
		if (!run->rows[i] && i != CMP_ST_OK)
			continue;
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%s%zu %s",
					off ? ", " : " rows: ", run->rows[i], status_names[i]);
	}
}

/* "cpu (cpu_ns, on-CPU time of the timed thread)" and what its unit is */
static void metric_text(char *buf, size_t len, const struct compare_result *r)
{
	int icount = !strncmp(r->base.clock, "icount", 6);

	fmt(buf, len, "Metric: %s per 4 KiB page; clock: %s%s.",
	    r->metric == CMP_METRIC_CPU ? "cpu (cpu_ns: the timed thread's on-CPU time)"
					 : "elapsed (ns: wall time of the op, waits included)",
	    r->base.clock,
	    icount ? " (guest instructions, 1 per virtual ns: deterministic)" :
	    strcmp(r->base.where, "host") ? " (QEMU's clock: emulated time)" : " (the host's clock)");
}

static void method_text(char *buf, size_t len, const struct compare_result *r,
			const struct compare_opts *o)
{
	int threads = 0, icount = !strncmp(r->base.clock, "icount", 6);
	size_t off;

	for (size_t i = 0; i < r->n; i++)
		for (size_t j = 0; j < r->nkeys; j++)
			if (!strcmp(r->keys[j], "threads") && atoi(r->pt[i].key[j]) > 1)
				threads = 1;
	metric_text(buf, len, r);
	off = strlen(buf);
	if (r->model == CMP_MODEL_INVOCATIONS)
		fmt(buf + off, len - off,
		    " Invocations: %zu base, %zu new (separately started runs, one results.csv "
		    "each), holding %zu and %zu rounds. Values: median of the ok samples%s; ratio = "
		    "new/base as the ratio of the geometric means of the invocations, each the "
		    "geometric mean of its rounds' medians (below 1: new is faster). 95%% CI and p: "
		    "Welch's t on those logs, the invocation being the unit of replication: the "
		    "rounds of one invocation follow each other within seconds and share the "
		    "host's state, so they are not independent (model invocations); a point with "
		    "fewer than two invocations a side is tested on its rounds (model runs) or "
		    "its samples. q: p adjusted by Benjamini-Hochberg over the %zu points tested. "
		    "floor: the CI's half-width, the smallest change the point could tell. "
		    "Verdict: regression or improvement when q < %g and the ratio is at or beyond "
		    "%.4g or %.4g (threshold %g%%); unchanged when the CI lies within them; "
		    "inconclusive with fewer than %zu samples a side or a CI reaching past them.",
		    r->base.sources, r->new.sources, r->base.runs, r->new.runs,
		    threads && r->metric != CMP_METRIC_CPU ? " (threads > 1: the round's makespan "
		    "per page of one thread)" : "", r->tests, o->alpha, 1 + o->threshold,
		    1 / (1 + o->threshold), o->threshold * 100, o->min_samples);
	else if (r->model == CMP_MODEL_RUNS)
		fmt(buf + off, len - off,
		    " Runs: %zu base, %zu new (a run: one results.csv's run index). Values: median "
		    "of the ok samples%s; ratio = new/base as the ratio of the geometric means of "
		    "the runs' medians (below 1: new is faster). 95%% CI and p: Welch's t on the "
		    "log of each run's median, the run being the unit of replication (a point with "
		    "one run on a side takes the other side's spread); a point with one run a side "
		    "falls back to the samples (Mann-Whitney U, Hodges-Lehmann). q: p adjusted by "
		    "Benjamini-Hochberg over the %zu points tested. floor: the CI's half-width, the "
		    "smallest change the point could tell. Verdict: regression or improvement when "
		    "q < %g and the ratio is at or beyond %.4g or %.4g (threshold %g%%); unchanged "
		    "when the CI lies within them; inconclusive with fewer than %zu samples a side "
		    "or a CI reaching past them.%s",
		    r->base.runs, r->new.runs,
		    threads && r->metric != CMP_METRIC_CPU ? " (threads > 1: the round's makespan "
		    "per page of one thread)" : "", r->tests, o->alpha, 1 + o->threshold,
		    1 / (1 + o->threshold), o->threshold * 100, o->min_samples,
		    r->one_invocation && strncmp(r->base.clock, "icount", 6) ?
		    " One invocation on a side: its rounds followed each other within seconds and "
		    "share the host's state of those minutes, so their spread leaves out the drift "
		    "between separately started runs, and a verdict may be the host's; two or "
		    "more invocations a side (a directory of run directories) are the unit then." : "");
	else
		fmt(buf + off, len - off,
		    " Values: median of the ok samples%s; ratio = new/base (below 1: new is "
		    "faster). 95%% CI of the ratio: Hodges-Lehmann interval of the shift of log "
		    "values, from the Mann-Whitney U distribution (exact up to %d samples a side, "
		    "else normal). p: two-sided Mann-Whitney U test (exact without ties up to %d "
		    "samples a side, else normal with tie and continuity correction). q: p adjusted "
		    "by Benjamini-Hochberg over the %zu points tested. floor: the CI's half-width, "
		    "the smallest change the point could tell. Verdict: regression or improvement "
		    "when q < %g and the ratio is at or beyond %.4g or %.4g (threshold %g%%); "
		    "unchanged when the CI lies within them; inconclusive with fewer than %zu "
		    "samples a side or a CI reaching past them. %s",
		    threads && r->metric != CMP_METRIC_CPU ? " (threads > 1: the round's makespan "
		    "per page of one thread)" : "",
		    STATS_MW_EXACT_MAX, STATS_MW_EXACT_MAX, r->tests, o->alpha, 1 + o->threshold,
		    1 / (1 + o->threshold), o->threshold * 100, o->min_samples,
		    icount ? "One run a side: under icount two boots of one kernel repeat, so the "
			     "samples' spread is all there is. Under icount with the cpu metric, a "
			     "point with at least min-samples samples a side within " BARE_TOL_TEXT
			     " of the side's lowest is judged on those alone, the bare work (model "
			     "bare, n marked + or \"k of n\"); the others carry a timer interrupt or "
			     "other work and are set aside." :
			     "One run a side: the CI covers the spread between samples of one run, "
			     "not the drift between runs (up to 30% on a host, more under TCG); "
			     "several runs a side (run --runs N, or a directory of runs) model it.");
}

/* "unchanged within 0.8% (noise floor: median 0.4%, max 0.8% over 12 points)" */
static void floor_text(char *buf, size_t len, const struct compare_result *r)
{
	double *f = malloc((r->n ? r->n : 1) * sizeof(*f));
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; f && i < r->n; i++)
		if (!isnan(r->pt[i].floor) && !isnan(r->pt[i].q))
			f[n++] = r->pt[i].floor;
	if (n) {
		stats_sort(f, n);
		fmt(buf, len, " Noise floor (the smallest change a point could tell): median "
		    "%.2f%%, max %.2f%% over %zu point%s.", 100 * stats_quantile(f, n, 0.5),
		    100 * f[n - 1], n, n == 1 ? "" : "s");
	}
	free(f);
}

/* The root mean square of a point's two sides' values of one sd; NAN when neither has one. */
static double rms_sides(double a, double b)
{
	double sum = 0;
	int k = 0;

	if (!isnan(a))
		sum += a * a, k++;
	if (!isnan(b))
		sum += b * b, k++;
	return k ? sqrt(sum / k) : NAN;
}

static double median_of(double *v, size_t n)
{
	stats_sort(v, n);
	return n ? stats_quantile(v, n, 0.5) : NAN;
}

/*
 * Where the spread is (runs and invocations models): per point, the sd of
 * the units' log medians, of the rounds within an invocation (invocations
 * model), of a round's samples, and what of the first the levels below do
 * not explain; medians over the points of the result's model.
 */
static void variance_text(char *buf, size_t len, const struct compare_result *r)
{
	double *a = malloc((r->n ? r->n : 1) * 4 * sizeof(*a)), *b, *c, *d;
	size_t na = 0, nb = 0, nc = 0, nd = 0;
	int inv = r->model == CMP_MODEL_INVOCATIONS;

	buf[0] = '\0';
	if (!a || (r->model != CMP_MODEL_RUNS && !inv)) {
		free(a);
		return;
	}
	b = a + r->n;
	c = b + r->n;
	d = c + r->n;
	for (size_t i = 0; i < r->n; i++) {
		const struct compare_point *p = &r->pt[i];
		double x;

		if (p->model != r->model)
			continue;
		if (!isnan(x = rms_sides(p->base.sd_between, p->new.sd_between)))
			a[na++] = x;
		if (!isnan(x = rms_sides(p->base.sd_within, p->new.sd_within)))
			b[nb++] = x;
		if (!isnan(p->sd_run))
			c[nc++] = p->sd_run;
		if (inv && !isnan(x = rms_sides(p->base.sd_rounds, p->new.sd_rounds)))
			d[nd++] = x;
	}
	if (inv && na && nb)
		fmt(buf, len, "Spread (median over points, as a fraction of the value): between "
		    "invocations' means %.2f%%, between rounds of an invocation %.2f%%, between "
		    "samples of a round %.2f%%; of the first, %.2f%% is the invocations' own (what "
		    "the rounds' spread does not explain).", 100 * median_of(a, na),
		    100 * median_of(d, nd), 100 * median_of(b, nb), 100 * median_of(c, nc));
	else if (na && nb)
		fmt(buf, len, "Spread (median over points, as a fraction of the value): between "
		    "runs' medians %.2f%%, between samples of a run %.2f%%; of the first, %.2f%% is "
		    "the runs' own (what the samples' noise does not explain).",
		    100 * median_of(a, na), 100 * median_of(b, nb), 100 * median_of(c, nc));
	free(a);
}

static void summary_text(char *buf, size_t len, const struct compare_result *r)
{
	char g[32];

	fmt(g, sizeof(g), "%.3f", r->geomean);
	fmt(buf, len,
	    "Summary: %zu regression%s, %zu improvement%s, %zu unchanged, %zu inconclusive; "
	    "geometric mean ratio %s over %zu tested point%s; %zu not compared.",
	    r->count[CMP_REGRESSION], r->count[CMP_REGRESSION] == 1 ? "" : "s",
	    r->count[CMP_IMPROVEMENT], r->count[CMP_IMPROVEMENT] == 1 ? "" : "s",
	    r->count[CMP_UNCHANGED], r->count[CMP_INCONCLUSIVE], r->tests ? g : "-", r->tests,
	    r->tests == 1 ? "" : "s", r->count[CMP_NOT_COMPARED]);
	floor_text(buf + strlen(buf), len - strlen(buf), r);
}

static void print_warnings_text(FILE *f, const struct compare_result *r, int expected)
{
	int any = 0;

	for (size_t i = 0; i < r->nwarn; i++) {
		const struct compare_warning *w = &r->warn[i];
		char first[160], *text;

		if (w->expected != expected)
			continue;
		if (!any)
			fprintf(f, "%s\n", expected ?
				"The kernels differ (what a kernel comparison changes):" :
				"WARNING: the runs differ in what makes their numbers incomparable:");
		any = 1;
		fmt(first, sizeof(first), "  %s:", w->what);
		if (asprintf(&text, "base %s%s%s; new %s%s%s",
			     strncmp(w->base, "only", 4) ? "\"" : "", w->base,
			     strncmp(w->base, "only", 4) ? "\"" : "",
			     strncmp(w->new, "only", 4) ? "\"" : "", w->new,
			     strncmp(w->new, "only", 4) ? "\"" : "") < 0)
			continue;
		/* "base only in base: x" reads badly: cmdline words say it themselves */
		if (!strncmp(w->base, "only", 4)) {
			free(text);
			if (asprintf(&text, "%s; %s", w->base, w->new) < 0)
				continue;
		}
		wrap(f, first, 6, text, TEXT_WIDTH);
		free(text);
	}
}

static const char *colour_of(enum compare_verdict v)
{
	switch (v) {
	case CMP_REGRESSION:
		return "\033[1;31m";
	case CMP_IMPROVEMENT:
		return "\033[32m";
	case CMP_INCONCLUSIVE:
		return "\033[33m";
	default:
		return "";
	}
}

static const char *model_name(enum compare_model m)
{
	return m == CMP_MODEL_RUNS ? "runs" : m == CMP_MODEL_BARE ? "bare" :
	       m == CMP_MODEL_INVOCATIONS ? "invocations" : "samples";
}

static void n_str(const struct compare_point *p, char *buf, size_t len)
{
	int pooled = p->base.scenarios > 1 || p->new.scenarios > 1;

	if (p->model == CMP_MODEL_BARE)
		fmt(buf, len, "%zu/%zu+%s", p->base.bare, p->new.bare, pooled ? "*" : "");
	else
		fmt(buf, len, "%zu/%zu%s", p->base.n, p->new.n, pooled ? "*" : "");
}

/* terminal and text: a table that fits 80 columns, grouped by scenario */
/* Points apart: some samples measured other memory than the label says. */
static void print_mismatch_text(FILE *f, const struct compare_result *r)
{
	int header = 0;
	char buf[1024];

	for (size_t i = 0; i < r->n; i++) {
		const struct compare_point *p = &r->pt[i];

		if (!p->base.mismatch && !p->new.mismatch)
			continue;
		if (!header++)
			fprintf(f, "\nNot as asked (some samples' buffers differed from the config: "
				   "results.csv mismatch):\n");
		fmt(buf, sizeof(buf), "%s %s: base %zu of %zu samples%s%s; new %zu of %zu%s%s",
		    p->label, p->op, p->base.mismatch, p->base.n, p->base.mismatch ? ", " : "",
		    p->base.mismatch_first, p->new.mismatch, p->new.n, p->new.mismatch ? ", " : "",
		    p->new.mismatch_first);
		wrap(f, "  ", 4, buf, TEXT_WIDTH);
	}
}

static void print_text(FILE *f, FILE *wf, const struct compare_result *r,
		       const struct compare_opts *o, int colour, int warnings_apart)
{
	char buf[2048], t1[64], t2[16], t3[16], t4[16], t5[32], t6[16], t7[16], nb[32];
	int opw = 2, nw = 1, pooled = 0;
	size_t bare_pts = 0, bare_kept = 0, bare_all = 0;
	size_t skip_both = 0, other = 0;
	const char *last = "";

	fprintf(f, "gupbench compare\n");
	for (int s = 0; s < 2; s++) {
		const struct compare_run *run = s ? &r->new : &r->base;

		fprintf(f, "  %s %s\n", s ? "new: " : "base:", tail(run->path, 70, t1, sizeof(t1)));
		if (run->has_meta)
			fmt(buf, sizeof(buf), "kernel %s%s%s, gupbench %s;", run->release,
			    strcmp(run->where, "host") ? " under " : "",
			    strcmp(run->where, "host") ? run->where : "", run->revision);
		else
			fmt(buf, sizeof(buf), "no meta beside %s;", run->csv);
		rows_text(buf + strlen(buf), sizeof(buf) - strlen(buf), run);
		wrap(f, "        ", 8, buf, TEXT_WIDTH);
	}
	method_text(buf, sizeof(buf), r, o);
	wrap(f, "", 0, buf, TEXT_WIDTH);
	fputc('\n', f);
	print_warnings_text(f, r, 1);
	print_warnings_text(warnings_apart ? wf : f, r, 0);
	if (r->nwarn && !warnings_apart)
		fputc('\n', f);

	for (size_t i = 0; i < r->n; i++) {
		const struct compare_point *p = &r->pt[i];

		if (p->verdict == CMP_NOT_COMPARED)
			continue;
		n_str(p, nb, sizeof(nb));
		if ((int)strlen(p->op) > opw)
			opw = (int)strlen(p->op);
		if ((int)strlen(nb) > nw)
			nw = (int)strlen(nb);
	}
	if (r->n - r->count[CMP_NOT_COMPARED]) {
		fprintf(f, "  %-*s %*s %7s %7s %6s %-13s %5s %5s %s\n", opw, "op", nw, "n", "base",
			"new", "ratio", "95% CI", "floor", "q", "verdict");
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct compare_point *p = &r->pt[i];

		if (p->verdict == CMP_NOT_COMPARED) {
			if (both_skip(p))
				skip_both++;
			else
				other++;
			continue;
		}
		if (strcmp(last, p->label))
			wrap(f, "", 4, p->label, TEXT_WIDTH);
		last = p->label;
		n_str(p, nb, sizeof(nb));
		pooled |= !!strchr(nb, '*');
		if (p->model == CMP_MODEL_BARE) {
			bare_pts++;
			bare_kept += p->base.bare + p->new.bare;
			bare_all += p->base.n + p->new.n;
		}
		fprintf(f, "  %-*s %*s %7s %7s %6s %-13s %5s %5s %s%s%s\n", opw, p->op, nw, nb,
			num(p->base.median, t2, sizeof(t2)), num(p->new.median, t3, sizeof(t3)),
			ratio_str(p->ratio, t4, sizeof(t4)), ci_str(p, t5, sizeof(t5)),
			floor_str(p->floor, t7, sizeof(t7)),
			q_str(p->q, t6, sizeof(t6)), colour ? colour_of(p->verdict) : "",
			compare_verdict_name(p->verdict),
			colour && *colour_of(p->verdict) ? "\033[0m" : "");
	}
	if (bare_pts) {
		char line[512];

		fmt(line, sizeof(line), "+ bare work: %zu points judged on their samples within "
		    "%s of the side's lowest alone; %zu of their %zu samples set aside (a timer "
		    "interrupt or other work landed on them). n counts the samples kept.",
		    bare_pts, BARE_TOL_TEXT, bare_all - bare_kept, bare_all);
		wrap(f, "", 2, line, TEXT_WIDTH);
	}
	if (pooled)
		wrap(f, "", 2, r->model == CMP_MODEL_RUNS || r->model == CMP_MODEL_INVOCATIONS ?
		     "* pooled: the point ran in more than one scenario of a results.csv (several "
		     "jobs, or several files of a side); each run's samples make its median." :
		     "* pooled: the point ran in more than one scenario of a run "
		     "(the same point in several jobs); their samples are taken together.",
		     TEXT_WIDTH);
	variance_text(buf, sizeof(buf), r);
	if (buf[0]) {
		fputc('\n', f);
		wrap(f, "", 0, buf, TEXT_WIDTH);
	}
	print_mismatch_text(f, r);
	if (r->base.bad_ns || r->new.bad_ns)
		fprintf(f, "\nLeft out: %zu base and %zu new ok rows whose ns is not a number >= 0\n",
			r->base.bad_ns, r->new.bad_ns);
	if (r->base.no_metric || r->new.no_metric)
		fprintf(f, "\nLeft out: %zu base and %zu new ok rows without a cpu_ns (no task-clock)\n",
			r->base.no_metric, r->new.no_metric);
	if (skip_both || other)
		fprintf(f, "\nNot compared (no ok samples on a side):\n");
	if (skip_both) {
		const char *reason = "";

		for (size_t i = 0; i < r->n; i++)
			if (both_skip(&r->pt[i])) {
				reason = r->pt[i].base.reason;
				break;
			}
		fmt(buf, sizeof(buf), "%zu points skip on both sides (e.g. %s)", skip_both, reason);
		wrap(f, "  ", 4, buf, TEXT_WIDTH);
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct compare_point *p = &r->pt[i];
		char bs[200], ns[200];

		if (p->verdict != CMP_NOT_COMPARED || both_skip(p))
			continue;
		fmt(bs, sizeof(bs), "%s%s%s", side_state(&p->base), p->base.reason[0] ? ": " : "",
		    p->base.reason);
		fmt(ns, sizeof(ns), "%s%s%s", side_state(&p->new), p->new.reason[0] ? ": " : "",
		    p->new.reason);
		fmt(buf, sizeof(buf), "%s %s: base %s; new %s", p->label, p->op, bs, ns);
		wrap(f, "  ", 4, buf, TEXT_WIDTH);
	}
	fputc('\n', f);
	summary_text(buf, sizeof(buf), r);
	wrap(f, "", 0, buf, TEXT_WIDTH);
}

static void md_cell(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '\n')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

static void print_markdown(FILE *f, const struct compare_result *r, const struct compare_opts *o)
{
	char buf[2048], t2[16], t3[16], t4[16], t5[32], t6[16], t7[16], t8[16], nb[48], nn[48];
	int any;

	fprintf(f, "## gupbench compare\n\n| | run | kernel | gupbench | rows |\n|---|---|---|---|---|\n");
	for (int s = 0; s < 2; s++) {
		const struct compare_run *run = s ? &r->new : &r->base;

		fprintf(f, "| %s | `", s ? "new" : "base");
		md_cell(f, run->path);
		rows_text(buf, sizeof(buf), run);
		fprintf(f, "` | %s%s%s | %s | %s |\n", run->release,
			strcmp(run->where, "host") ? " under " : "",
			strcmp(run->where, "host") ? run->where : "", run->revision, buf + 7);
	}
	method_text(buf, sizeof(buf), r, o);
	fprintf(f, "\n%s\n", buf);
	for (int e = 1; e >= 0; e--) {
		any = 0;
		for (size_t i = 0; i < r->nwarn; i++) {
			const struct compare_warning *w = &r->warn[i];

			if (w->expected != e)
				continue;
			if (!any)
				fprintf(f, "\n%s\n\n", e ? "The kernels differ (what a kernel comparison changes):"
				       : "**Warning: the runs differ in what makes their numbers incomparable:**");
			any = 1;
			fprintf(f, "- `%s`: base `", w->what);
			md_cell(f, w->base);
			fprintf(f, "`; new `");
			md_cell(f, w->new);
			fprintf(f, "`\n");
		}
	}
	fprintf(f, "\n| scenario | op | n base | n new | base %s/page | new %s/page | ratio | 95%% CI "
		"| floor | p | q | verdict |\n|---|---|--:|--:|--:|--:|--:|---|--:|--:|--:|---|\n",
		r->metric == CMP_METRIC_CPU ? "cpu_ns" : "ns", r->metric == CMP_METRIC_CPU ? "cpu_ns" : "ns");
	for (size_t i = 0; i < r->n; i++) {
		const struct compare_point *p = &r->pt[i];
		const char *em = p->verdict == CMP_REGRESSION || p->verdict == CMP_IMPROVEMENT ? "**" : "";

		if (p->verdict == CMP_NOT_COMPARED)
			continue;
		fprintf(f, "| ");
		md_cell(f, p->label);
		/* the bare model: "5 of 8", the samples kept of those there were */
		if (p->model == CMP_MODEL_BARE)
			fmt(nb, sizeof(nb), "%zu of %zu", p->base.bare, p->base.n),
			fmt(nn, sizeof(nn), "%zu of %zu", p->new.bare, p->new.n);
		else
			fmt(nb, sizeof(nb), "%zu", p->base.n), fmt(nn, sizeof(nn), "%zu", p->new.n);
		fprintf(f, " | %s | %s%s | %s%s | %s | %s | %s | %s | %s | %s | %s | %s%s%s |\n", p->op,
			nb, p->base.scenarios > 1 ? "*" : "", nn,
			p->new.scenarios > 1 ? "*" : "", num(p->base.median, t2, sizeof(t2)),
			num(p->new.median, t3, sizeof(t3)), ratio_str(p->ratio, t4, sizeof(t4)),
			ci_str(p, t5, sizeof(t5)), floor_str(p->floor, t8, sizeof(t8)),
			q_str(p->p, t7, sizeof(t7)),
			q_str(p->q, t6, sizeof(t6)), em, compare_verdict_name(p->verdict), em);
	}
	if (r->count[CMP_NOT_COMPARED]) {
		fprintf(f, "\nNot compared (no ok samples on a side):\n\n| scenario | op | base | new |\n"
			"|---|---|---|---|\n");
		for (size_t i = 0; i < r->n; i++) {
			const struct compare_point *p = &r->pt[i];

			if (p->verdict != CMP_NOT_COMPARED)
				continue;
			fprintf(f, "| ");
			md_cell(f, p->label);
			fprintf(f, " | %s | %s", p->op, side_state(&p->base));
			if (p->base.reason[0]) {
				fprintf(f, ": ");
				md_cell(f, p->base.reason);
			}
			fprintf(f, " | %s", side_state(&p->new));
			if (p->new.reason[0]) {
				fprintf(f, ": ");
				md_cell(f, p->new.reason);
			}
			fprintf(f, " |\n");
		}
	}
	variance_text(buf, sizeof(buf), r);
	if (buf[0])
		fprintf(f, "\n%s\n", buf);
	summary_text(buf, sizeof(buf), r);
	fprintf(f, "\n%s\n", buf);
}

static void csv_num(FILE *f, double v)
{
	if (isnan(v))
		fputs(",", f);
	else
		fprintf(f, ",%.6g", v);
}

static void print_csv(FILE *f, const struct compare_result *r)
{
	fprintf(f, "schema");
	for (size_t j = 0; j < r->nkeys; j++)
		fprintf(f, ",%s", r->keys[j]);
	for (size_t i = 0; i < r->nignored; i++)
		fprintf(f, ",%s_base,%s_new", r->ignored[i], r->ignored[i]);
	fprintf(f, ",op,label,base_state,new_state,n_base,n_new,scenarios_base,scenarios_new,"
		"median_base,median_new,ratio,ci_lo,ci_hi,ci_conf,u,p,p_exact,q,verdict,why,"
		"base_reason,new_reason,metric,clock,model,floor,runs_base,runs_new,"
		"sd_between_base,sd_between_new,sd_within_base,sd_within_new,sd_run,df,"
		"bare_base,bare_new,invocations_base,invocations_new,sd_rounds_base,sd_rounds_new\n");
	for (size_t i = 0; i < r->n; i++) {
		const struct compare_point *p = &r->pt[i];

		fprintf(f, "2");
		for (size_t j = 0; j < r->nkeys; j++) {
			fputc(',', f);
			csv_quote(f, p->key[j]);
		}
		for (size_t k = 0; k < r->nignored; k++) {
			fputc(',', f);
			csv_quote(f, p->base.ignored[k] ? p->base.ignored[k] : "");
			fputc(',', f);
			csv_quote(f, p->new.ignored[k] ? p->new.ignored[k] : "");
		}
		fputc(',', f);
		csv_quote(f, p->op);
		fputc(',', f);
		csv_quote(f, p->label);
		fprintf(f, ",%s,%s,%zu,%zu,%zu,%zu", side_state(&p->base), side_state(&p->new),
			p->base.n, p->new.n, p->base.scenarios, p->new.scenarios);
		csv_num(f, p->base.median);
		csv_num(f, p->new.median);
		csv_num(f, p->ratio);
		csv_num(f, p->lo);
		csv_num(f, p->hi);
		csv_num(f, p->conf);
		csv_num(f, p->u);
		csv_num(f, p->p);
		fprintf(f, ",%s", isnan(p->p) ? "" : p->exact ? "1" : "0");
		csv_num(f, p->q);
		fprintf(f, ",%s,", compare_verdict_name(p->verdict));
		csv_quote(f, p->why ? p->why : "");
		fputc(',', f);
		csv_quote(f, p->base.reason);
		fputc(',', f);
		csv_quote(f, p->new.reason);
		fprintf(f, ",%s,%s,%s", r->metric == CMP_METRIC_CPU ? "cpu" : "elapsed", r->base.clock,
			model_name(p->model));
		csv_num(f, p->floor);
		fprintf(f, ",%zu,%zu", p->base.runs, p->new.runs);
		csv_num(f, p->base.sd_between);
		csv_num(f, p->new.sd_between);
		csv_num(f, p->base.sd_within);
		csv_num(f, p->new.sd_within);
		csv_num(f, p->sd_run);
		csv_num(f, p->df);
		if (p->model == CMP_MODEL_BARE)
			fprintf(f, ",%zu,%zu", p->base.bare, p->new.bare);
		else
			fputs(",,", f);
		fprintf(f, ",%zu,%zu", p->base.invocations, p->new.invocations);
		csv_num(f, p->base.sd_rounds);
		csv_num(f, p->new.sd_rounds);
		fputc('\n', f);
	}
}

static json_t *jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *json_side(const struct compare_side *s)
{
	json_t *o = json_object(), *rows = json_object(), *v = json_array();

	json_object_set_new(o, "state", json_string(side_state(s)));
	json_object_set_new(o, "n", json_integer((json_int_t)s->n));
	json_object_set_new(o, "median", jnum(s->median));
	json_object_set_new(o, "scenarios", json_integer((json_int_t)s->scenarios));
	json_object_set_new(o, "runs", json_integer((json_int_t)s->runs));
	json_object_set_new(o, "invocations", json_integer((json_int_t)s->invocations));
	json_object_set_new(o, "sd_between_rounds", jnum(s->sd_rounds));
	json_object_set_new(o, "sd_between_runs", jnum(s->sd_between));
	json_object_set_new(o, "sd_within_run", jnum(s->sd_within));
	for (int i = 0; i < CMP_NST; i++)
		json_object_set_new(rows, status_names[i], json_integer((json_int_t)s->rows[i]));
	json_object_set_new(o, "rows", rows);
	for (size_t i = 0; i < s->n; i++)
		json_array_append_new(v, json_real(s->v[i]));
	json_object_set_new(o, "samples", v);
	if (s->reason[0])
		json_object_set_new(o, "reason", json_string(s->reason));
	json_object_set_new(o, "mismatch", json_integer((json_int_t)s->mismatch));
	if (s->mismatch)
		json_object_set_new(o, "mismatch_first", json_string(s->mismatch_first));
	return o;
}

static json_t *json_run(const struct compare_run *run)
{
	json_t *o = json_object(), *rows = json_object();

	json_object_set_new(o, "path", json_string(run->path));
	json_object_set_new(o, "csv", json_string(run->csv));
	json_object_set_new(o, "meta", json_boolean(run->has_meta));
	json_object_set_new(o, "kernel", json_string(run->release));
	json_object_set_new(o, "where", json_string(run->where));
	json_object_set_new(o, "revision", json_string(run->revision));
	for (int i = 0; i < CMP_NST; i++)
		json_object_set_new(rows, status_names[i], json_integer((json_int_t)run->rows[i]));
	json_object_set_new(o, "rows", rows);
	json_object_set_new(o, "bad_ns_rows", json_integer((json_int_t)run->bad_ns));
	json_object_set_new(o, "no_metric_rows", json_integer((json_int_t)run->no_metric));
	json_object_set_new(o, "clock", json_string(run->clock));
	json_object_set_new(o, "files", json_integer((json_int_t)run->sources));
	json_object_set_new(o, "runs", json_integer((json_int_t)run->runs));
	return o;
}

static int print_json(FILE *f, const struct compare_result *r, const struct compare_opts *o)
{
	json_t *doc = json_object(), *m = json_object(), *w = json_array(), *pts = json_array();
	json_t *sum = json_object(), *keys = json_array(), *ign = json_array();
	char buf[2048];
	int ret;

	json_object_set_new(doc, "schema", json_integer(2));
	json_object_set_new(doc, "base", json_run(&r->base));
	json_object_set_new(doc, "new", json_run(&r->new));
	method_text(buf, sizeof(buf), r, o);
	json_object_set_new(m, "text", json_string(buf));
	json_object_set_new(m, "metric", json_string(r->metric == CMP_METRIC_CPU ?
		"cpu: cpu_ns per 4 KiB page" : "elapsed: ns per 4 KiB page"));
	json_object_set_new(m, "clock", json_string(r->base.clock));
	json_object_set_new(m, "model", json_string(model_name(r->model)));
	json_object_set_new(m, "ratio", json_string(
		r->model == CMP_MODEL_INVOCATIONS ? "exp(mean over invocations of the mean log "
		"round median, new - base)" :
		r->model == CMP_MODEL_RUNS ?
		"exp(mean log median(new run) - mean log median(base run))" :
		"median(new) / median(base)"));
	json_object_set_new(m, "ci", json_string(
		r->model == CMP_MODEL_INVOCATIONS ? "Welch t interval of the invocations' means" :
		r->model == CMP_MODEL_RUNS ? "Welch t interval of the mean log run median" :
		"Hodges-Lehmann interval of the log shift"));
	json_object_set_new(m, "ci_confidence", json_real(COMPARE_CONF));
	json_object_set_new(m, "test", json_string(
		r->model == CMP_MODEL_INVOCATIONS ? "Welch t on the invocations' mean log round medians" :
		r->model == CMP_MODEL_RUNS ? "Welch t on log run medians" : "two-sided Mann-Whitney U"));
	json_object_set_new(m, "one_invocation_a_side", json_boolean(r->one_invocation));
	json_object_set_new(m, "fdr", json_string("Benjamini-Hochberg"));
	json_object_set_new(m, "threshold", json_real(o->threshold));
	json_object_set_new(m, "alpha", json_real(o->alpha));
	json_object_set_new(m, "min_samples", json_integer((json_int_t)o->min_samples));
	if (o->only)
		json_object_set_new(m, "only", json_string(o->only));
	json_object_set_new(doc, "method", m);
	for (size_t j = 0; j < r->nkeys; j++)
		json_array_append_new(keys, json_string(r->keys[j]));
	json_object_set_new(doc, "keys", keys);
	for (size_t j = 0; j < r->nignored; j++)
		json_array_append_new(ign, json_string(r->ignored[j]));
	json_object_set_new(doc, "ignored", ign);
	for (size_t i = 0; i < r->nwarn; i++) {
		json_t *x = json_object();

		json_object_set_new(x, "what", json_string(r->warn[i].what));
		json_object_set_new(x, "base", json_string(r->warn[i].base));
		json_object_set_new(x, "new", json_string(r->warn[i].new));
		json_object_set_new(x, "expected", json_boolean(r->warn[i].expected));
		json_array_append_new(w, x);
	}
	json_object_set_new(doc, "warnings", w);
	for (size_t i = 0; i < r->n; i++) {
		const struct compare_point *p = &r->pt[i];
		json_t *x = json_object(), *key = json_object();

		for (size_t j = 0; j < r->nkeys; j++)
			json_object_set_new(key, r->keys[j], json_string(p->key[j]));
		for (size_t k = 0; k < r->nignored; k++) {
			json_t *pair = json_object();

			json_object_set_new(pair, "base", p->base.ignored[k] ?
					    json_string(p->base.ignored[k]) : json_null());
			json_object_set_new(pair, "new", p->new.ignored[k] ?
					    json_string(p->new.ignored[k]) : json_null());
			json_object_set_new(key, r->ignored[k], pair);
		}
		json_object_set_new(x, "key", key);
		json_object_set_new(x, "op", json_string(p->op));
		json_object_set_new(x, "label", json_string(p->label));
		json_object_set_new(x, "base", json_side(&p->base));
		json_object_set_new(x, "new", json_side(&p->new));
		json_object_set_new(x, "ratio", jnum(p->ratio));
		json_object_set_new(x, "ci", isnan(p->lo) ? json_null() :
				    json_pack("[f,f]", p->lo, p->hi));
		json_object_set_new(x, "ci_confidence", jnum(p->conf));
		json_object_set_new(x, "floor", jnum(p->floor));
		json_object_set_new(x, "model", json_string(model_name(p->model)));
		if (p->model == CMP_MODEL_BARE) {
			json_object_set_new(x, "bare_base", json_integer((json_int_t)p->base.bare));
			json_object_set_new(x, "bare_new", json_integer((json_int_t)p->new.bare));
		}
		json_object_set_new(x, "df", jnum(p->df));
		json_object_set_new(x, "sd_run", jnum(p->sd_run));
		json_object_set_new(x, "sd_pooled_from_other_side", json_boolean(p->pooled_sd));
		json_object_set_new(x, "u", jnum(p->u));
		json_object_set_new(x, "p", jnum(p->p));
		json_object_set_new(x, "p_exact", isnan(p->p) ? json_null() : json_boolean(p->exact));
		json_object_set_new(x, "q", jnum(p->q));
		json_object_set_new(x, "verdict", json_string(compare_verdict_name(p->verdict)));
		json_object_set_new(x, "why", p->why ? json_string(p->why) : json_null());
		json_array_append_new(pts, x);
	}
	json_object_set_new(doc, "points", pts);
	for (int v = 0; v < CMP_NVERDICT; v++)
		json_object_set_new(sum, compare_verdict_name(v), json_integer((json_int_t)r->count[v]));
	json_object_set_new(sum, "tested", json_integer((json_int_t)r->tests));
	json_object_set_new(sum, "geomean_ratio", jnum(r->geomean));
	json_object_set_new(sum, "exit_status", json_integer(compare_exit_status(r)));
	json_object_set_new(doc, "summary", sum);
	ret = json_dumpf(doc, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	fputc('\n', f);
	json_decref(doc);
	return ret ? -EIO : 0;
}

int compare_print(FILE *out, FILE *warn_to, const struct compare_result *r,
		  const struct compare_opts *o, enum compare_format f, int colour)
{
	int ret = 0;

	switch (f) {
	case CMP_FMT_TERMINAL:
		print_text(out, warn_to, r, o, colour, 1);
		break;
	case CMP_FMT_TEXT:
		print_text(out, warn_to, r, o, 0, 0);
		break;
	case CMP_FMT_MARKDOWN:
		print_markdown(out, r, o);
		break;
	case CMP_FMT_CSV:
		print_csv(out, r);
		/* a CSV has no room for prose: the warnings and the summary go apart */
		if (warn_to) {
			char buf[1024];

			print_warnings_text(warn_to, r, 0);
			summary_text(buf, sizeof(buf), r);
			wrap(warn_to, "", 0, buf, TEXT_WIDTH);
		}
		break;
	case CMP_FMT_JSON:
		ret = print_json(out, r, o);
		break;
	}
	if (fflush(out) || ferror(out))
		return -EIO;
	return ret;
}

/* ---- The command ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gupbench compare [OPTIONS] BASE NEW\n"
		"  BASE, NEW           run directories (or their results.csv), or directories of\n"
		"                      runs: several runs a side are tested run against run\n"
		"  --metric M          elapsed (ns) or cpu (cpu_ns, on-CPU time); default: cpu\n"
		"                      when both sides ran under icount, else elapsed\n"
		"  --format F          terminal, text (80 columns, for a mail), markdown, csv, json\n"
		"                      (default: terminal on a tty, else text)\n"
		"  --threshold T       smallest change that counts (inclusive), 0.10 or 10%%\n"
		"                      (default %g)\n"
		"  --alpha A           false-discovery rate over the points (default %g)\n"
		"  --min-samples N     fewer ok samples on a side: inconclusive (default %d)\n"
		"  --only REGEX        only points whose \"method=... size=... op=...\" text matches\n"
		"  --ignore KEY        leave a scenario key out of the join (e.g. order: 4 KiB\n"
		"                      against THP); repeatable or comma-separated\n"
		"  -o FILE             write there instead of stdout\n"
		"exit status: 0 no regression, 1 a regression, 125 nothing decided (every point\n"
		"inconclusive or not compared), 2 usage error: fit for CI and `git bisect run`\n",
		COMPARE_THRESHOLD, COMPARE_ALPHA, COMPARE_MIN_SAMPLES);
}

static int parse_fraction(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s)
		return -EINVAL;
	if (*end == '%') {
		v /= 100;
		end++;
	}
	if (*end || !isfinite(v))
		return -EINVAL;
	*out = v;
	return 0;
}

int compare_format_parse(const char *name)
{
	static const char *const formats[] = { "terminal", "text", "markdown", "csv", "json" };

	for (int f = 0; f < (int)ARRAY_SIZE(formats); f++)
		if (!strcmp(name, formats[f]))
			return f;
	return -1;
}

int compare_opt(int c, const char *arg, const char *cmd, struct compare_opts *o)
{
	switch (c) {
	case 't':
		if (parse_fraction(arg, &o->threshold) || o->threshold < 0 || o->threshold >= 100) {
			fprintf(stderr, "gupbench %s: --threshold: \"%s\" is not a fraction "
				"(0.05) or a percentage (5%%)\n", cmd, arg);
			return -1;
		}
		return 1;
	case 'a':
		if (parse_fraction(arg, &o->alpha) || !(o->alpha > 0 && o->alpha < 1)) {
			fprintf(stderr, "gupbench %s: --alpha: \"%s\" is not in (0, 1)\n", cmd, arg);
			return -1;
		}
		return 1;
	case 'm': {
		char *end;
		long v = strtol(arg, &end, 10);

		if (*end || end == arg || v < 1) {
			fprintf(stderr, "gupbench %s: --min-samples: \"%s\" is not a count >= 1\n",
				cmd, arg);
			return -1;
		}
		o->min_samples = (size_t)v;
		return 1;
	}
	case 'O':
		o->only = arg;
		return 1;
	case 'M':
		if (!strcmp(arg, "elapsed") || !strcmp(arg, "ns")) {
			o->metric = CMP_METRIC_ELAPSED;
		} else if (!strcmp(arg, "cpu") || !strcmp(arg, "cpu_ns")) {
			o->metric = CMP_METRIC_CPU;
		} else if (!strcmp(arg, "auto")) {
			o->metric = CMP_METRIC_AUTO;
		} else {
			fprintf(stderr, "gupbench %s: --metric: \"%s\" is not elapsed, cpu or auto\n",
				cmd, arg);
			return -1;
		}
		return 1;
	case 'i': {
		/* the keys live as long as the process: options are parsed once */
		char *copy = strdup(arg), *save = NULL;

		for (char *k = strtok_r(copy, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
			if (o->nignore == COMPARE_MAX_IGNORE) {
				fprintf(stderr, "gupbench %s: --ignore: at most %d keys\n", cmd,
					COMPARE_MAX_IGNORE);
				return -1;
			}
			o->ignore[o->nignore++] = k;
		}
		return 1;
	}
	}
	return 0;
}

int compare_main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "format", required_argument, NULL, 'f' },
		COMPARE_LONG_OPTS,
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct compare_opts o;
	struct compare_result r;
	const char *outp = NULL;
	int format = -1, c, ret, colour;
	char err[1024];
	FILE *out = stdout;

	compare_opts_default(&o);
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", lopts, NULL)) != -1) {
		int taken = compare_opt(c, optarg, "compare", &o);

		if (taken < 0)
			return 2;
		if (taken)
			continue;
		switch (c) {
		case 'f':
			format = compare_format_parse(optarg);
			if (format < 0) {
				fprintf(stderr, "gupbench compare: --format: \"%s\" is not one of "
					"terminal, text, markdown, csv, json\n", optarg);
				return 2;
			}
			break;
		case 'o':
			outp = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	ret = compare_runs(argv[optind], argv[optind + 1], &o, &r, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "gupbench compare: %s\n", err);
		return 2;
	}
	if (outp) {
		out = fopen(outp, "we");
		if (!out) {
			fprintf(stderr, "gupbench compare: %s: %s\n", outp, strerror(errno));
			compare_result_free(&r);
				return 2;
		}
	}
	if (format < 0)
		format = !outp && isatty(STDOUT_FILENO) ? CMP_FMT_TERMINAL : CMP_FMT_TEXT;
	/* colour only for a terminal that wants it (https://no-color.org) */
	colour = format == CMP_FMT_TERMINAL && isatty(fileno(out)) &&
		 !(getenv("NO_COLOR") && *getenv("NO_COLOR")) &&
		 !(getenv("TERM") && !strcmp(getenv("TERM"), "dumb"));
	ret = compare_print(out, stderr, &r, &o, format, colour);
	if (out != stdout && fclose(out))
		ret = -errno;
	if (ret) {
		fprintf(stderr, "gupbench compare: writing the output: %s\n", strerror(-ret));
		compare_result_free(&r);
		return 2;
	}
	ret = compare_exit_status(&r);
	compare_result_free(&r);
	return ret;
}
