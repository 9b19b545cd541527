// SPDX-License-Identifier: GPL-2.0
/*
 * compare: the join. A side's results.csv files (a run, a directory of
 * runs), their rows folded into points by the point key (point.h: one list
 * for compare, summary and plots), the points' labels, and
 * compare_runs(), which reads both sides, checks what must match, and
 * hands the points to the model.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compare_int.h"
#include "strindex.h"
#include "point.h"
#include "csvread.h"
#include "util.h"

enum { C_OP, C_NS, C_PAGES, C_STATUS, C_REASON, C_SCENARIO, C_THREAD, C_ROUND, C_MISMATCH,
       C_RUN, C_CPU, C_CLOCK, C_NCOLS };

static const char *const colnames[C_NCOLS] = {
	"op", "ns", "pages", "status", "reason", "scenario", "thread", "round_ns", "mismatch",
	"run", "cpu_ns", "clock",
};

struct side_cols {
	int c[C_NCOLS];
	int key[POINT_NKEYS];
	struct behave_cols bh;
};

/* One results.csv of a side, and the replicates (its run indices) it holds. */
struct source {
	char csv[4200];
	char meta[4200];
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
	struct strindex ix;
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
	size_t *slot = strindex_slot(&l->ix, key, &found);
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
		if (!strcmp(s, cmp_status_names[i]))
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
		if (st == CMP_ST_OK)
			cmp_behave_row(s, row, &sc->bh, p->op, atof(row[sc->c[C_PAGES]]),
				       sc->key[PK_THREADS] >= 0 ? atoi(row[sc->key[PK_THREADS]]) : 1,
				       sc->c[C_THREAD] >= 0 ? atoi(row[sc->c[C_THREAD]]) : 0);
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
		if (!(s->n & (s->n - 1)) || !s->n) {
			/* at 0, 1, 2, 4, ...: grown by doubling, room for 2n */
			size_t cap = s->n ? 2 * s->n : 1;
			double *v = realloc(s->v, cap * sizeof(*s->v));
			unsigned *rep = v ? realloc(s->rep, cap * sizeof(*s->rep)) : NULL;

			if (v)
				s->v = v;
			if (!v || !rep) {
				fmt(err, len, "%s: out of memory at %zu samples of one point", path,
				    s->n);
				return -ENOMEM;
			}
			s->rep = rep;
		}
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
	cmp_behave_cols(t, &sc->bh);
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
	cmp_behave_free(s);
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
	/* the first value of key j seen per method: one pass, the methods being few */
	const char **meth = malloc((r->n ? r->n : 1) * sizeof(*meth));
	const char **first = malloc((r->n ? r->n : 1) * sizeof(*first));
	size_t nm = 0;
	int varies = 0;

	for (size_t a = 0; meth && first && a < r->n && !varies; a++) {
		const char *mk = m ? r->pt[a].key[0] : "";
		size_t i = 0;

		while (i < nm && strcmp(meth[i], mk))
			i++;
		if (i == nm) {
			meth[nm] = mk;
			first[nm++] = r->pt[a].key[j];
		} else if (strcmp(first[i], r->pt[a].key[j])) {
			varies = 1;
		}
	}
	free(meth);
	free(first);
	return varies;
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
		cmp_run_paths(&tmp, arg, (*out)->meta, sizeof((*out)->meta));
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
	cmp_run_info(run, &sl->m[0]);
	return 0;
}

/* --ignore: the keys left out of the join, checked; 0 or -EINVAL with the reason. */
static int ignore_keys(struct loader *l, const struct compare_opts *o, char *err, size_t len)
{
	struct compare_result *r = l->r;

	for (size_t k = 0; k < POINT_NKEYS; k++)
		l->ign[k] = -1;
	for (size_t i = 0; i < o->nignore; i++) {
		int k = point_key_find(o->ignore[i]);

		if (k < 0) {
			fmt(err, len, "--ignore %s: not a scenario key (one of: method backing size "
			    "order zero populate threads share mem_node cpu_node pinned pin_method "
			    "write)", o->ignore[i]);
			return -EINVAL;
		}
		if (l->ign[k] < 0) {
			l->ign[k] = (int)r->nignored;
			r->ignored[r->nignored++] = point_keys[k].name;
		}
	}
	return 0;
}

/* One clock on both sides, and the metric it implies; 0 or -EINVAL with the reason. */
static int clock_metric(struct loader *l, const struct side_load sl[2], const char *base,
			const char *new, char *err, size_t len)
{
	struct compare_result *r = l->r;

	/* the unit: a real ns and an instruction are not comparable */
	if (strcmp(r->base.clock, r->new.clock)) {
		fmt(err, len, "the runs were measured with different clocks: base %s (%s), new %s "
		    "(%s); a real nanosecond and a virtual one are not the same unit: compare runs "
		    "of one clock (gupbench vm --clock)", r->base.clock, base, r->new.clock, new);
		return -EINVAL;
	}
	l->metric = l->o->metric;
	if (l->metric == CMP_METRIC_AUTO)
		l->metric = !strncmp(r->base.clock, "icount", 6) ? CMP_METRIC_CPU : CMP_METRIC_ELAPSED;
	r->metric = l->metric;
	for (int s = 0; s < 2 && l->metric == CMP_METRIC_CPU; s++)
		for (size_t i = 0; i < sl[s].n; i++)
			if (sl[s].c[i].c[C_CPU] < 0) {
				fmt(err, len, "--metric cpu: %s has no on-CPU time (no cpu_ns column: "
				    "a run before schema 3 without libperf's task-clock); use --metric "
				    "elapsed", sl[s].src[i].csv);
				return -EINVAL;
			}
	return 0;
}

/* What the runs' meta says that makes their numbers incomparable, as warnings. */
static void side_warnings(struct compare_result *r, const struct side_load sl[2])
{
	if (!r->base.has_meta || !r->new.has_meta) {
		cmp_warn_add(r, "meta", "file", r->base.has_meta ? sl[0].src[0].meta : "(none: cannot check)",
			     r->new.has_meta ? sl[1].src[0].meta : "(none: cannot check)", 0);
	} else {
		cmp_meta_diff(r, &sl[0].m[0], &sl[1].m[0]);
		/* no [end]: the run was killed, and its last scenario may be cut short */
		for (size_t i = 0; i < sl[0].n || i < sl[1].n; i++) {
			const char *eb = i < sl[0].n && sl[0].has_meta[i] ?
					 meta_file_get(&sl[0].m[i], "end", "status") : "";
			const char *en = i < sl[1].n && sl[1].has_meta[i] ?
					 meta_file_get(&sl[1].m[i], "end", "status") : "";

			if (!eb || !en) {
				cmp_warn_add(r, "end", "status", eb ?: "(missing: a run was killed?)",
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
				cmp_warn_add(r, "kernel", "release within a side", s ? "-" : both,
					     s ? both : "-", 0);
				break;
			}
		}
}

/* The join key: every scenario column all files have, less --ignore. */
static void join_keys(struct loader *l, const struct side_load sl[2])
{
	struct compare_result *r = l->r;

	for (size_t k = 0; k < POINT_NKEYS; k++) {
		int inb = 1, inn = 1;

		for (size_t i = 0; i < sl[0].n; i++)
			inb &= sl[0].c[i].key[k] >= 0;
		for (size_t i = 0; i < sl[1].n; i++)
			inn &= sl[1].c[i].key[k] >= 0;
		if (l->ign[k] >= 0)
			continue;
		if (inb && inn) {
			l->use[k] = 1;
			r->keys[r->nkeys++] = point_keys[k].name;
		} else if (inb || inn) {
			/* an older schema: the column cannot join, say so */
			cmp_warn_add(r, "results.csv", point_keys[k].col, inb ? "column present" : "(absent)",
				     inn ? "column present" : "(absent)", 0);
		}
	}
}

/* --only: the points whose text matches; 0 or -EINVAL when none does. */
static int keep_only(struct compare_result *r, const regex_t *re, const char *only, char *err,
		     size_t len)
{
	{
		size_t keep = 0;
		char example[256];

		fmt(example, sizeof(example), "%s", r->n ? r->pt[0].match : "");
		for (size_t i = 0; i < r->n; i++) {
			if (!regexec(re, r->pt[i].match, 0, NULL, 0))
				r->pt[keep++] = r->pt[i];
			else
				point_free(&r->pt[i]);
		}
		r->n = keep;
		if (!keep) {
			fmt(err, len, "--only \"%s\" matched no point (a point reads \"%s\")",
			    only, example);
			return -EINVAL;
		}
	}
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
	ret = ignore_keys(&l, o, err, len);
	if (ret)
		return ret;
	if (o->only && regcomp(&re, o->only, REG_EXTENDED | REG_NOSUB)) {
		fmt(err, len, "--only: \"%s\" is not an extended regular expression", o->only);
		return -EINVAL;
	}
	ret = side_read(&sl[0], base, &r->base, err, len);
	if (!ret)
		ret = side_read(&sl[1], new, &r->new, err, len);
	if (ret)
		goto out;
	ret = clock_metric(&l, sl, base, new, err, len);
	if (ret)
		goto out;
	side_warnings(r, sl);
	join_keys(&l, sl);
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
		ret = keep_only(r, &re, o->only, err, len);
		if (ret)
			goto out;
	}
	cmp_analyse(r, o, l.reps);
	cmp_behave_analyse(r, o);
out:
	/* l.scen has an entry per point loaded, --only or not */
	for (int s = 0; s < 2; s++) {
		for (size_t i = 0; l.scen[s] && i < l.ix.n; i++)
			free(l.scen[s][i].id);
		free(l.scen[s]);
		free(l.reps[s].id);
		side_load_free(&sl[s]);
	}
	strindex_free(&l.ix);
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
