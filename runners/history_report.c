// SPDX-License-Identifier: GPL-2.0
/*
 * What a history sweep is made into: each measured kernel is compared
 * with the measured kernel before it (compare_runs(), the same model,
 * metric and thresholds as `gupbench compare`), which gives every point's
 * value on each kernel (the side's median) and the verdict of each step.
 * Written to the sweep's directory: trend.csv (one row per point and
 * kernel), history.md and history.txt (kernels, trend table, change points
 * largest first, explanations from --notes), plots/<method>.png.
 */
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "csv.h"
#include "history_int.h"
#include "meta.h"
#include "outdir.h"
#include "plot.h"
#include "proc.h"
#include "strindex.h"
#include "util.h"

struct hpoint {
	char *match;		/* compare's full key text: the point's identity */
	char *label;		/* "iouring anon 64M order=0 zero=0" */
	char op[32];
	char method[64];
	double *val;		/* per kernel (NAN: no value) */
	char **note;		/* per kernel: why there is no value */
	/* the step from the measured kernel before to this one */
	double *ratio, *lo, *hi;
	enum compare_verdict *verdict;	/* CMP_NVERDICT: no step */
	char **bh;		/* per kernel: what it did differently from the one before (NULL: same) */
};

struct hnote {
	char from[96], to[96];
	regex_t re;
	int has_re;
	char *text;
	int used;
};

struct hrep {
	struct history *h;
	struct hpoint *p;
	size_t np;
	struct strindex ix;
	size_t *measured;	/* indices into h->k, in order */
	size_t nm;
	enum compare_metric metric;
	char clock[32];
	char pair_err[4][512];	/* the first few pairs compare refused */
	size_t npair_err;
	struct hnote *notes;
	size_t nnotes;
	char (*cc)[64];		/* per kernel: the compiler that built it ("" unknown) */
	size_t all_skip;	/* points no kernel could run: out of the trend table */
};

struct change {
	size_t p, k;		/* the point, the later kernel */
	double mag;		/* |log ratio| */
};

static int hpoint_init(struct hrep *r, struct hpoint *p, const struct compare_point *cp)
{
	size_t nk = r->h->nk;
	const char *m = strstr(cp->match, "method=");

	memset(p, 0, sizeof(*p));
	p->match = strdup(cp->match);
	p->label = strdup(cp->label);
	fmt(p->op, sizeof(p->op), "%s", cp->op);
	fmt(p->method, sizeof(p->method), "%.*s", m ? (int)strcspn(m + 7, " ") : 5,
	    m ? m + 7 : "other");
	p->val = malloc(nk * sizeof(*p->val));
	p->note = calloc(nk, sizeof(*p->note));
	p->ratio = malloc(nk * sizeof(double));
	p->lo = malloc(nk * sizeof(double));
	p->hi = malloc(nk * sizeof(double));
	p->verdict = malloc(nk * sizeof(*p->verdict));
	p->bh = calloc(nk, sizeof(*p->bh));
	if (!p->match || !p->label || !p->val || !p->note || !p->ratio || !p->lo || !p->hi ||
	    !p->verdict || !p->bh)
		return -ENOMEM;
	for (size_t i = 0; i < nk; i++) {
		p->val[i] = p->ratio[i] = p->lo[i] = p->hi[i] = NAN;
		p->verdict[i] = CMP_NVERDICT;
	}
	return 0;
}

static struct hpoint *point_of(struct hrep *r, const struct compare_point *cp)
{
	int found;
	size_t *slot = strindex_slot(&r->ix, cp->match, &found);

	if (!slot)
		return NULL;
	if (!found) {
		struct hpoint *n = realloc(r->p, (r->np + 1) * sizeof(*n));

		if (!n)
			return NULL;
		r->p = n;
		*slot = r->np;
		if (hpoint_init(r, &r->p[r->np], cp))
			return NULL;
		r->np++;
	}
	return &r->p[*slot];
}

static void side_take(struct hpoint *p, size_t k, const struct compare_side *s)
{
	if (s->n) {
		p->val[k] = s->median;
		return;
	}
	if (!p->note[k] && (s->rows[CMP_ST_SKIP] || s->rows[CMP_ST_ERROR]))
		p->note[k] = strdup(s->reason[0] ? s->reason : "skipped");
}

/* One step a -> b (a == b: the only kernel, for its values). */
static int step(struct hrep *r, size_t a, size_t b)
{
	struct history *h = r->h;
	char da[PATH_MAX + 160], db[PATH_MAX + 160], err[512];
	struct compare_result res;

	fmt(da, sizeof(da), "%s/runs/%s", h->out, h->k[a].label);
	fmt(db, sizeof(db), "%s/runs/%s", h->out, h->k[b].label);
	memset(&res, 0, sizeof(res));
	if (compare_runs(da, db, &h->co, &res, err, sizeof(err))) {
		if (r->npair_err < ARRAY_SIZE(r->pair_err))
			fmt(r->pair_err[r->npair_err++], sizeof(r->pair_err[0]), "%s -> %s: %s",
			    h->k[a].label, h->k[b].label, err);
		compare_result_free(&res);
		return -EINVAL;
	}
	if (!r->clock[0]) {
		r->metric = res.metric;
		fmt(r->clock, sizeof(r->clock), "%s", res.new.clock);
	}
	for (size_t i = 0; i < res.n; i++) {
		const struct compare_point *cp = &res.pt[i];
		struct hpoint *p = point_of(r, cp);

		if (!p) {
			compare_result_free(&res);
			return -ENOMEM;
		}
		side_take(p, a, &cp->base);
		side_take(p, b, &cp->new);
		if (a != b && cp->bh_changed && !p->bh[b]) {
			char what[2048];

			compare_behave_changes(what, sizeof(what), cp, "->");
			if (what[0])
				p->bh[b] = strdup(what);
		}
		if (a != b && !isnan(cp->q)) {
			p->ratio[b] = cp->ratio;
			p->lo[b] = cp->lo;
			p->hi[b] = cp->hi;
			p->verdict[b] = cp->verdict;
		}
	}
	compare_result_free(&res);
	return 0;
}

/*
 * "gcc 14.2.0" from the guest's /proc/version ("... (x86_64-linux-gnu-gcc-14
 * (Debian 14.2.0-19) 14.2.0, GNU ld ..."): the compiler is part of what
 * changes between two builds, often with the kernel itself.
 */
static void compiler_of(const char *dir, char *dst, size_t len)
{
	char path[PATH_MAX + 16];
	struct meta_file m;
	const char *v, *g, *end;

	dst[0] = '\0';
	fmt(path, sizeof(path), "%s/meta", dir);
	if (meta_file_load(path, &m))
		return;
	v = meta_file_get(&m, "kernel", "proc_version");
	g = v ? strstr(v, "gcc") : NULL;
	end = g ? strstr(g, ", GNU ld") : NULL;
	if (!end && g)
		end = strchr(g, ',');
	if (g && end) {
		/* the last word before ", GNU ld": the version */
		const char *w = end;

		while (w > g && w[-1] != ' ')
			w--;
		fmt(dst, len, "gcc %.*s", (int)(end - w), w);
	} else if (v && (g = strstr(v, "clang version "))) {
		fmt(dst, len, "clang %.*s", (int)strcspn(g + 14, " ,)"), g + 14);
	}
	meta_file_free(&m);
}

/* ---- --notes ---- */

static char *strip(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/*
 * [FROM..TO REGEX] then text, up to the next section. FROM and TO are
 * kernel labels; REGEX (POSIX ERE, optional) is matched against "point op".
 */
static int notes_load(struct hrep *r, const char *path)
{
	FILE *f = fopen(path, "re");
	char *line = NULL, *s;
	size_t cap = 0, lineno = 0;
	struct hnote *cur = NULL;
	struct sbuf text = { 0 };
	int ret = 0;

	if (!f) {
		fprintf(stderr, "gupbench history: --notes %s: %s\n", path, strerror(errno));
		return 2;
	}
	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		s = strip(line);
		if (*s == '[') {
			char *end = strrchr(s, ']'), *dots, *sp;
			struct hnote *n;

			if (cur)
				cur->text = sbuf_take(&text);
			memset(&text, 0, sizeof(text));
			dots = strstr(s, "..");
			if (!end || !dots || dots > end) {
				fprintf(stderr, "gupbench history: %s:%zu: a section is [FROM..TO REGEX]\n",
					path, lineno);
				ret = 2;
				break;
			}
			*end = '\0';
			n = realloc(r->notes, (r->nnotes + 1) * sizeof(*n));
			if (!n) {
				ret = 2;
				break;
			}
			r->notes = n;
			cur = &n[r->nnotes++];
			memset(cur, 0, sizeof(*cur));
			*dots = '\0';
			fmt(cur->from, sizeof(cur->from), "%s", strip(s + 1));
			sp = strpbrk(dots + 2, " \t");
			if (sp)
				*sp++ = '\0';
			fmt(cur->to, sizeof(cur->to), "%s", strip(dots + 2));
			if (sp && *strip(sp)) {
				if (regcomp(&cur->re, strip(sp), REG_EXTENDED | REG_NOSUB)) {
					fprintf(stderr, "gupbench history: %s:%zu: bad regular expression \"%s\"\n",
						path, lineno, strip(sp));
					ret = 2;
					break;
				}
				cur->has_re = 1;
			}
		} else if (cur) {
			if (text.len || *s) {
				sbuf_add(&text, s);
				sbuf_add(&text, "\n");
			}
		} else if (*s && *s != '#') {
			fprintf(stderr, "gupbench history: %s:%zu: text before the first [FROM..TO] section\n",
				path, lineno);
			ret = 2;
			break;
		}
	}
	if (cur && !cur->text)
		cur->text = sbuf_take(&text);
	else
		free(sbuf_take(&text));
	free(line);
	fclose(f);
	return ret;
}

/* The note for point p's step into kernel k, numbered from 1; 0: none. */
static size_t note_for(struct hrep *r, const struct hpoint *p, size_t k, size_t prev)
{
	char what[1100];

	fmt(what, sizeof(what), "%s %s", p->label, p->op);
	for (size_t i = 0; i < r->nnotes; i++) {
		struct hnote *n = &r->notes[i];

		if (strcmp(n->from, r->h->k[prev].label) || strcmp(n->to, r->h->k[k].label))
			continue;
		if (n->has_re && regexec(&n->re, what, 0, NULL, 0))
			continue;
		n->used = 1;
		return i + 1;
	}
	return 0;
}

/* ---- output ---- */

static const char *metric_text(const struct hrep *r)
{
	return r->metric == CMP_METRIC_CPU ? "on-CPU time (cpu_ns)" : "elapsed time (ns)";
}

static void num(double v, char *dst, size_t len)
{
	if (isnan(v))
		fmt(dst, len, "-");
	else if (fabs(v) >= 100)
		fmt(dst, len, "%.0f", v);
	else
		fmt(dst, len, "%.3g", v);
}

static size_t prev_measured(const struct hrep *r, size_t k)
{
	size_t prev = k;

	for (size_t i = 0; i < r->nm; i++) {
		if (r->measured[i] == k)
			return prev;
		prev = r->measured[i];
	}
	return k;
}

static int change_cmp(const void *a, const void *b)
{
	const struct change *x = a, *y = b;

	return x->mag < y->mag ? 1 : x->mag > y->mag ? -1 : 0;
}

static struct change *changes(const struct hrep *r, size_t *n)
{
	struct change *c = NULL;
	size_t cap = 0;

	*n = 0;
	for (size_t p = 0; p < r->np; p++)
		for (size_t k = 0; k < r->h->nk; k++) {
			enum compare_verdict v = r->p[p].verdict[k];

			if (v != CMP_REGRESSION && v != CMP_IMPROVEMENT)
				continue;
			if (*n == cap) {
				struct change *m = realloc(c, (cap = cap ? 2 * cap : 64) * sizeof(*c));

				if (!m)
					break;
				c = m;
			}
			c[(*n)++] = (struct change){ p, k, fabs(log(r->p[p].ratio[k])) };
		}
	if (*n)
		qsort(c, *n, sizeof(*c), change_cmp);
	return c;
}

static const char *state_text(const struct hk *k)
{
	switch (k->state) {
	case HK_KEPT:
	case HK_DONE:
		return "measured";
	case HK_FAILED:
		return "not measured";
	default:
		return "not measured (the sweep was stopped)";
	}
}

static int has_value(const struct hrep *r, size_t p)
{
	for (size_t k = 0; k < r->h->nk; k++)
		if (!isnan(r->p[p].val[k]))
			return 1;
	return 0;
}

/* A cell's text: value, and the step's mark (^ regression, v improvement). */
static void cell(const struct hpoint *p, size_t k, int md, char *dst, size_t len)
{
	char v[32];

	if (isnan(p->val[k])) {
		fmt(dst, len, "%s", p->note[k] ? "skip" : "-");
		return;
	}
	num(p->val[k], v, sizeof(v));
	fmt(dst, len, "%s%s", v,
	    p->verdict[k] == CMP_REGRESSION ? (md ? " ▲" : " ^") :
	    p->verdict[k] == CMP_IMPROVEMENT ? (md ? " ▼" : " v") : "");
}

static void md_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|' || *s == '\\' || *s == '`' || *s == '*' || *s == '_' || *s == '<' ||
		    *s == '[')
			fputc('\\', f);
		fputc(*s == '\n' ? ' ' : *s, f);
	}
}

static void write_kernels(FILE *f, const struct hrep *r, int md)
{
	const struct history *h = r->h;

	if (md) {
		fprintf(f, "## Kernels\n\n| kernel | ABI | suites | compiler | measurement | seconds | note |\n"
			"|---|---|---|---|---|---|---|\n");
	} else {
		fprintf(f, "Kernels\n\n  %-10s %-16s %-24s %-11s %s\n", "kernel", "ABI", "suites",
			"compiler", "measurement");
	}
	for (size_t i = 0; i < h->nk; i++) {
		const struct hk *k = &h->k[i];

		if (md) {
			fprintf(f, "| %s | %s | %s | %s | %s | ", k->label, k->abi[0] ? k->abi : "-",
				k->suites[0] ? k->suites : "-", r->cc[i][0] ? r->cc[i] : "-",
				state_text(k));
			if (k->state == HK_DONE || k->state == HK_FAILED)
				fprintf(f, "%.0f", k->secs);
			fprintf(f, " | ");
			md_escape(f, k->why);
			fprintf(f, " |\n");
		} else {
			fprintf(f, "  %-10s %-16s %-24s %-11s %s%s%s\n", k->label,
				k->abi[0] ? k->abi : "-", k->suites[0] ? k->suites : "-",
				r->cc[i][0] ? r->cc[i] : "-", state_text(k), k->why[0] ? ": " : "",
				k->why);
		}
	}
	fprintf(f, "\n");
}

static void write_trend(FILE *f, const struct hrep *r, int md)
{
	const struct history *h = r->h;
	char c[48];

	if (md) {
		fprintf(f, "## Trend\n\nMedian %s per 4 KiB page on each kernel; ▲ a regression, ▼ an "
			"improvement against the measured kernel before it (compare's verdict), "
			"skip: the kernel could not run that point (why below).\n\n| point | op |",
			metric_text(r));
		for (size_t k = 0; k < h->nk; k++)
			fprintf(f, " %s |", h->k[k].label);
		fprintf(f, "\n|---|---|");
		for (size_t k = 0; k < h->nk; k++)
			fprintf(f, "---:|");
		fprintf(f, "\n");
		for (size_t p = 0; p < r->np; p++) {
			if (!has_value(r, p))
				continue;
			fprintf(f, "| ");
			md_escape(f, r->p[p].label);
			fprintf(f, " | %s |", r->p[p].op);
			for (size_t k = 0; k < h->nk; k++) {
				cell(&r->p[p], k, 1, c, sizeof(c));
				fprintf(f, " %s |", c);
			}
			fprintf(f, "\n");
		}
		if (r->all_skip)
			fprintf(f, "%zu points ran on no kernel and are left out (\"Not run\" says why).\n\n",
				r->all_skip);
		fprintf(f, "\n");
		return;
	}
	fprintf(f, "Trend: median %s per 4 KiB page; ^ regression, v improvement\n"
		"against the measured kernel before it; skip: not run there (below)\n",
		metric_text(r));
	if (r->all_skip)
		fprintf(f, "(%zu points ran on no kernel and are left out: \"Not run\" says why)\n",
			r->all_skip);
	/* as many kernels a block as keep a line within 110 columns */
	int w = 9, cw = 10;
	size_t per;

	for (size_t p = 0; p < r->np; p++) {
		int l = has_value(r, p) ? (int)(strlen(r->p[p].label) + 1 + strlen(r->p[p].op)) : 0;

		w = l > w ? l : w;
	}
	w = w > 60 ? 60 : w;
	for (size_t k = 0; k < h->nk; k++)
		cw = strlen(h->k[k].label) > (size_t)cw ? (int)strlen(h->k[k].label) : cw;
	cw = cw > 30 ? 30 : cw;
	per = (size_t)((110 - 2 - w) / (cw + 1));
	per = per ? per : 1;
	for (size_t k0 = 0; k0 < h->nk; k0 += per) {
		size_t k1 = k0 + per < h->nk ? k0 + per : h->nk;

		fprintf(f, "\n  %-*s", w, "point op");
		for (size_t k = k0; k < k1; k++)
			fprintf(f, " %*.*s", cw, cw, h->k[k].label);
		fprintf(f, "\n");
		for (size_t p = 0; p < r->np; p++) {
			char name[160];

			if (!has_value(r, p))
				continue;
			fmt(name, sizeof(name), "%s %s", r->p[p].label, r->p[p].op);
			fprintf(f, "  %-*.*s", w, w, name);
			for (size_t k = k0; k < k1; k++) {
				cell(&r->p[p], k, 0, c, sizeof(c));
				fprintf(f, " %*s", cw, c);
			}
			fprintf(f, "\n");
		}
	}
	fprintf(f, "\n");
}

static void write_changes(FILE *f, struct hrep *r, int md)
{
	const struct history *h = r->h;
	size_t n;
	struct change *c = changes(r, &n);

	if (md)
		fprintf(f, "## Change points\n\nEach step between neighbouring measured kernels whose "
			"verdict is a regression or an improvement (threshold %g%%, false-discovery "
			"rate %g), largest first.\n\n", h->co.threshold * 100, h->co.alpha);
	else
		fprintf(f, "Change points (threshold %g%%, FDR %g), largest first\n\n",
			h->co.threshold * 100, h->co.alpha);
	if (!n) {
		fprintf(f, "%sNone: no step between neighbouring kernels changed a point beyond the "
			"threshold.\n\n", md ? "" : "  ");
		free(c);
		return;
	}
	if (md)
		fprintf(f, "| from | to | point | op | before | after | ratio | 95%% CI | verdict | why |\n"
			"|---|---|---|---|---:|---:|---:|---|---|---|\n");
	for (size_t i = 0; i < n; i++) {
		const struct hpoint *p = &r->p[c[i].p];
		size_t k = c[i].k, prev = prev_measured(r, k), note = note_for(r, p, k, prev);
		char a[32], b[32], why[2400] = "";

		num(p->val[prev], a, sizeof(a));
		num(p->val[k], b, sizeof(b));
		if (note)
			fmt(why, sizeof(why), "note %zu", note);
		if (strcmp(r->cc[prev], r->cc[k]))
			fmt(why + strlen(why), sizeof(why) - strlen(why), "%scompiler %s -> %s",
			    note ? "; " : "", r->cc[prev][0] ? r->cc[prev] : "?",
			    r->cc[k][0] ? r->cc[k] : "?");
		/* what the kernel did differently, where it explains the number */
		if (p->bh[k])
			fmt(why + strlen(why), sizeof(why) - strlen(why), "%s%s", why[0] ? "; " : "",
			    p->bh[k]);
		if (md) {
			fprintf(f, "| %s | %s | ", h->k[prev].label, h->k[k].label);
			md_escape(f, p->label);
			fprintf(f, " | %s | %s | %s | %.3g | %.3g-%.3g | %s | ", p->op, a, b,
				p->ratio[k], p->lo[k], p->hi[k], compare_verdict_name(p->verdict[k]));
			md_escape(f, why);
			fprintf(f, " |\n");
		} else {
			fprintf(f, "  %s -> %s  %s %s\n      %s -> %s  ratio %.3g [%.3g, %.3g]  %s%s%s\n",
				h->k[prev].label, h->k[k].label, p->label, p->op, a, b, p->ratio[k],
				p->lo[k], p->hi[k], compare_verdict_name(p->verdict[k]),
				why[0] ? "  " : "", why);
		}
	}
	fprintf(f, "\n");
	free(c);
}

/* Every step where what the kernel did changed: the news, timing or not. */
static void write_behaviour(FILE *f, const struct hrep *r, int md)
{
	const struct history *h = r->h;
	size_t n = 0;

	for (size_t k = 0; k < h->nk; k++)
		for (size_t p = 0; p < r->np; p++)
			n += !!r->p[p].bh[k];
	if (md)
		fprintf(f, "## Behaviour changes\n\nEach step between neighbouring measured kernels "
			"where what the kernel did changed (pins, zero pages, folios, faults, "
			"allocations, mmap_lock, migrations, switches; README: Behaviour changes), in "
			"kernel order.\n\n");
	else
		fprintf(f, "Behaviour changes, in kernel order\n\n");
	if (!n) {
		fprintf(f, "%sNone: every point did the same on each kernel as on the one before.\n\n",
			md ? "" : "  ");
		return;
	}
	if (md)
		fprintf(f, "| from | to | point | op | what changed |\n|---|---|---|---|---|\n");
	for (size_t k = 0; k < h->nk; k++)
		for (size_t p = 0; p < r->np; p++) {
			const struct hpoint *pt = &r->p[p];
			size_t prev = prev_measured(r, k);

			if (!pt->bh[k])
				continue;
			if (md) {
				fprintf(f, "| %s | %s | ", h->k[prev].label, h->k[k].label);
				md_escape(f, pt->label);
				fprintf(f, " | %s | ", pt->op);
				md_escape(f, pt->bh[k]);
				fprintf(f, " |\n");
			} else {
				fprintf(f, "  %s -> %s  %s %s\n      %s\n", h->k[prev].label,
					h->k[k].label, pt->label, pt->op, pt->bh[k]);
			}
		}
	fprintf(f, "\n");
}

static void write_notes(FILE *f, const struct hrep *r, int md)
{
	int any = 0;

	for (size_t i = 0; i < r->nnotes; i++) {
		const struct hnote *n = &r->notes[i];

		if (!n->used)
			continue;
		if (!any++)
			fprintf(f, md ? "## Why: the changes behind the change points\n\n" :
					"Why: the changes behind the change points\n\n");
		fprintf(f, md ? "**Note %zu** (%s to %s):\n\n%s\n" : "  Note %zu (%s to %s):\n%s\n", i + 1,
			n->from, n->to, n->text ? n->text : "");
	}
}

/* Points a kernel could not run, each reason once with the kernels it holds for. */
static void write_skips(FILE *f, const struct hrep *r, int md)
{
	int any = 0;

	for (size_t p = 0; p < r->np; p++) {
		const struct hpoint *pt = &r->p[p];

		for (size_t k = 0; k < r->h->nk; k++) {
			size_t same = 0;
			int first = 1;

			if (!pt->note[k])
				continue;
			for (size_t j = 0; j < k && first; j++)
				first = !(pt->note[j] && !strcmp(pt->note[j], pt->note[k]));
			if (!first)
				continue;
			if (!any++)
				fprintf(f, md ? "## Not run\n\n" : "Not run\n\n");
			fprintf(f, "%s%s %s on ", md ? "- " : "  ", pt->label, pt->op);
			for (size_t j = k; j < r->h->nk; j++)
				same += pt->note[j] && !strcmp(pt->note[j], pt->note[k]);
			if (same == r->nm && same > 1) {
				fprintf(f, "every kernel");
			} else {
				for (size_t j = k, n = 0; j < r->h->nk; j++)
					if (pt->note[j] && !strcmp(pt->note[j], pt->note[k]))
						fprintf(f, "%s%s", n++ ? ", " : "", r->h->k[j].label);
			}
			fprintf(f, ": ");
			if (md)
				md_escape(f, pt->note[k]);
			else
				fputs(pt->note[k], f);
			fprintf(f, "\n");
		}
	}
	if (any)
		fprintf(f, "\n");
	for (size_t i = 0; i < r->npair_err; i++)
		fprintf(f, "%sNot compared: %s\n", md ? "- " : "  ", r->pair_err[i]);
	if (r->npair_err)
		fprintf(f, "\n");
}

static void write_doc(FILE *f, struct hrep *r, int md)
{
	const struct history *h = r->h;
	size_t first = r->measured[0], last = r->measured[r->nm - 1];

	fprintf(f, md ? "# GUP history: %s to %s\n\n" : "GUP history: %s to %s\n\n", h->k[first].label,
		h->k[last].label);
	fprintf(f, "%zu kernels given, %zu measured; clock %s, metric %s; configs:", h->nk, r->nm,
		r->clock[0] ? r->clock : "?", metric_text(r));
	for (int i = 0; i < h->nconfigs; i++)
		fprintf(f, " %s", h->configs[i]);
	fprintf(f, md ? "\n\n```sh\ngupbench %s\n" : "\n\n  gupbench %s\n",
		h->cmdline ? h->cmdline : "history");
	if (h->report_cmdline)
		fprintf(f, md ? "gupbench %s\n" : "  gupbench %s\n", h->report_cmdline);
	fprintf(f, md ? "```\n\n" : "\n");
	write_kernels(f, r, md);
	write_trend(f, r, md);
	write_behaviour(f, r, md);
	write_changes(f, r, md);
	write_notes(f, r, md);
	write_skips(f, r, md);
	fprintf(f, "%sEach kernel's run directory: runs/KERNEL (`gupbench compare runs/A runs/B` "
		"shows one step in full); trend.csv has every value.\n", md ? "" : "  ");
}

static int write_file(struct hrep *r, const char *name, int md)
{
	int dfd = outdir_open(r->h->out), ret;
	struct outfile o;

	if (dfd < 0)
		return dfd;
	ret = outfile_open(&o, dfd, name);
	if (!ret) {
		write_doc(o.f, r, md);
		ret = outfile_commit(&o);
	}
	close(dfd);
	return ret;
}

static int write_trend_csv(struct hrep *r)
{
	const struct history *h = r->h;
	int dfd = outdir_open(h->out), ret;
	struct outfile o;

	if (dfd < 0)
		return dfd;
	ret = outfile_open(&o, dfd, "trend.csv");
	if (ret) {
		close(dfd);
		return ret;
	}
	fprintf(o.f, "point,op,method,kernel,abi,metric,value,vs_previous,ci_lo,ci_hi,verdict,note,"
		"behaviour\n");
	for (size_t p = 0; p < r->np; p++)
		for (size_t k = 0; k < h->nk; k++) {
			const struct hpoint *pt = &r->p[p];

			csv_quote(o.f, pt->label);
			fprintf(o.f, ",%s,%s,%s,%s,%s,", pt->op, pt->method, h->k[k].label, h->k[k].abi,
				r->metric == CMP_METRIC_CPU ? "cpu" : "elapsed");
			if (!isnan(pt->val[k]))
				fprintf(o.f, "%.6g", pt->val[k]);
			if (pt->verdict[k] != CMP_NVERDICT)
				fprintf(o.f, ",%.6g,%.6g,%.6g,%s,", pt->ratio[k], pt->lo[k], pt->hi[k],
					compare_verdict_name(pt->verdict[k]));
			else
				fprintf(o.f, ",,,,,");
			csv_quote(o.f, pt->note[k] ? pt->note[k] :
				      h->k[k].state == HK_FAILED ? h->k[k].why : "");
			fputc(',', o.f);
			csv_quote(o.f, pt->bh[k] ? pt->bh[k] : "");
			fprintf(o.f, "\n");
		}
	ret = outfile_commit(&o);
	close(dfd);
	return ret;
}

/* ---- charts: one per method ---- */

struct chart {
	struct hrep *r;
	const char *method;
	int blocks;
	double lo, hi;
	char common[256];		/* the words all its points' labels share */
};

/* Whether word w (of length n) is one of the space-separated words of list. */
static int has_word(const char *list, const char *w, size_t n)
{
	for (const char *p = list; *p;) {
		size_t l = strcspn(p, " ");

		if (l == n && !strncmp(p, w, n))
			return 1;
		p += l;
		while (*p == ' ')
			p++;
	}
	return 0;
}

/* label's words that are not in common, space-separated. */
static void legend_words(char *dst, size_t len, const char *label, const char *common)
{
	size_t off = 0;

	dst[0] = '\0';
	for (const char *p = label; *p;) {
		size_t l = strcspn(p, " ");

		if (l && !has_word(common, p, l))
			off += (size_t)snprintf(dst + off, off < len ? len - off : 0, "%s%.*s",
						off ? " " : "", (int)l, p);
		p += l;
		while (*p == ' ')
			p++;
	}
}

/*
 * The words every point of a method's chart shares ("anon 4M zero=0"): the
 * title says them once and the legend leaves them out.
 */
static void common_words(const struct hrep *r, const char *method, char *dst, size_t len)
{
	const char *first = NULL;
	size_t off = 0, ml = strlen(method);

	dst[0] = '\0';
	for (size_t p = 0; p < r->np && !first; p++)
		if (!strcmp(r->p[p].method, method))
			first = r->p[p].label;
	for (const char *w = first; w && *w;) {
		size_t l = strcspn(w, " ");
		int all = l > 0 && !(l == ml && !strncmp(w, method, ml));

		for (size_t p = 0; p < r->np && all; p++)
			if (!strcmp(r->p[p].method, method))
				all = has_word(r->p[p].label, w, l);
		if (all)
			off += (size_t)snprintf(dst + off, off < len ? len - off : 0, "%s%.*s",
						off ? " " : "", (int)l, w);
		w += l;
		while (*w == ' ')
			w++;
	}
}

/* A point's folio order, from its key text ("... order=9 ..."); 0 if none. */
static int point_order(const struct hpoint *p)
{
	const char *o = strstr(p->match, " order=");

	return o ? atoi(o + 7) : 0;
}

/* The dash of an op in a history chart: pin solid, unpin dashed, the rest dotted. */
static int op_dash(const char *op)
{
	return !strcmp(op, "pin") || !strcmp(op, "pin+unpin") ? 1 : !strcmp(op, "unpin") ? 2 : 3;
}

static int chart_data(FILE *f, void *ctx)
{
	struct chart *c = ctx;
	const struct hrep *r = c->r;
	char t[300], label[200];
	size_t ml = strlen(c->method);

	fprintf(f, "# gupbench history: method %s; one block per point: kernel-index value kernel "
		   "change (1: a change point: regression or improvement from the kernel before)\n",
		c->method);
	for (size_t p = 0; p < r->np; p++) {
		const struct hpoint *pt = &r->p[p];
		const char *l = pt->label;

		if (strcmp(pt->method, c->method))
			continue;
		if (c->blocks)
			fputs("\n\n", f);
		/* the chart is one method's: its name goes in the title, not every legend line */
		if (!strncmp(l, c->method, ml) && l[ml] == ' ')
			l += ml + 1;
		legend_words(label, sizeof(label), l, c->common);
		{
			size_t n = strlen(label);

			fmt(label + n, sizeof(label) - n, "%s%s", n ? " " : "", pt->op);
		}
		plot_text(t, sizeof(t), label);
		fprintf(f, "# colour #%06x (order %d), dash %d (%s)\n", plot_order_colour(point_order(pt)),
			point_order(pt), op_dash(pt->op), pt->op);
		fprintf(f, "\"%s\" value kernel change\n", t);
		for (size_t k = 0; k < r->h->nk; k++) {
			if (isnan(pt->val[k]))
				continue;
			plot_text(t, sizeof(t), r->h->k[k].label);
			fprintf(f, "%zu %.6g \"%s\" %d\n", k, pt->val[k], t,
				pt->verdict[k] == CMP_REGRESSION || pt->verdict[k] == CMP_IMPROVEMENT);
		}
		c->blocks++;
	}
	return ferror(f) ? -EIO : c->blocks;
}

static int charts(struct hrep *r)
{
	char dir[PATH_MAX + 8], err[512], title[512], style[8192];
	int ret = 0;

	fmt(dir, sizeof(dir), "%s/plots", r->h->out);
	for (size_t p = 0; p < r->np; p++) {
		struct chart c = { .r = r, .method = r->p[p].method, .lo = INFINITY, .hi = 0 };
		char base[80];
		int seen = 0;

		for (size_t q = 0; q < p && !seen; q++)
			seen = !strcmp(r->p[q].method, c.method);
		if (seen)
			continue;
		for (size_t q = p; q < r->np; q++)
			for (size_t k = 0; !strcmp(r->p[q].method, c.method) && k < r->h->nk; k++)
				if (r->p[q].val[k] > 0) {
					c.lo = fmin(c.lo, r->p[q].val[k]);
					c.hi = fmax(c.hi, r->p[q].val[k]);
				}
		if (!(c.hi > 0))
			continue;
		outdir_safe_name(base, sizeof(base), c.method);
		common_words(r, c.method, c.common, sizeof(c.common));
		fmt(title, sizeof(title), "%s%s%s across kernels (%s); circled: a change point",
		    c.method, c.common[0] ? " " : "", c.common, r->clock);
		{
			/* each block's colour and dash, in chart_data()'s order of blocks */
			struct sbuf colors = { 0 }, dts = { 0 };
			char *cs, *ds, w[32];
			int ylog = c.hi > 20 * c.lo;

			for (size_t q = p; q < r->np; q++) {
				if (strcmp(r->p[q].method, c.method))
					continue;
				fmt(w, sizeof(w), "%s0x%06x", colors.len ? " " : "",
				    plot_order_colour(point_order(&r->p[q])));
				sbuf_add(&colors, w);
				fmt(w, sizeof(w), "%s%d", dts.len ? " " : "", op_dash(r->p[q].op));
				sbuf_add(&dts, w);
			}
			cs = sbuf_take(&colors);
			ds = sbuf_take(&dts);

			char tpos[2048] = "", tlab[1024] = "";

			if (ylog)
				plot_log_ticks(c.lo / 1.5, c.hi * 1.5, 0, tpos, sizeof(tpos), tlab,
					       sizeof(tlab));
			fmt(style, sizeof(style), "ylog=%d; ymin=%.6g; ymax=%.6g; yticpos='%s'; "
			    "yticlab='%s'; colors='%s'; dts='%s'", ylog, ylog ? c.lo / 1.5 : 0,
			    ylog ? c.hi * 1.5 : c.hi * 1.15, tpos, tlab, cs ? cs : "", ds ? ds : "");
			free(cs);
			free(ds);
		}
		ret = plot_blocks(dir, base, "history.gp", title, "kernel",
				  r->metric == CMP_METRIC_CPU ? "on-CPU ns per 4 KiB page" :
								"ns per 4 KiB page",
				  style, chart_data, &c, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "gupbench history: chart %s: %s\n", c.method, err);
			break;
		}
	}
	return ret;
}

int history_report(struct history *h)
{
	struct hrep r = { .h = h };
	int ret = 0;

	r.measured = calloc(h->nk ? h->nk : 1, sizeof(*r.measured));
	if (!r.measured)
		return 2;
	for (size_t i = 0; i < h->nk; i++)
		if (h->k[i].state == HK_KEPT || h->k[i].state == HK_DONE)
			r.measured[r.nm++] = i;
	if (!r.nm) {
		fprintf(stderr, "gupbench history: no kernel was measured (%s/kernels.csv says why)\n",
			h->out);
		free(r.measured);
		return 1;
	}
	if (h->notes && (ret = notes_load(&r, h->notes)))
		return ret;
	r.cc = calloc(h->nk, sizeof(*r.cc));
	if (!r.cc)
		return 2;
	for (size_t i = 0; i < r.nm; i++) {
		char d[PATH_MAX + 160];

		fmt(d, sizeof(d), "%s/runs/%s", h->out, h->k[r.measured[i]].label);
		compiler_of(d, r.cc[r.measured[i]], sizeof(r.cc[0]));
	}
	if (r.nm == 1)
		step(&r, r.measured[0], r.measured[0]);
	for (size_t i = 1; i < r.nm; i++)
		if (step(&r, r.measured[i - 1], r.measured[i]) == -ENOMEM)
			return 2;
	for (size_t p = 0; p < r.np; p++)
		r.all_skip += !has_value(&r, p);
	if (write_trend_csv(&r) || write_file(&r, "history.md", 1) || write_file(&r, "history.txt", 0)) {
		fprintf(stderr, "gupbench history: %s: cannot write the report\n", h->out);
		return 2;
	}
	if (!h->no_plot && charts(&r))
		fprintf(stderr, "gupbench history: the charts are incomplete\n");
	for (size_t i = 0; i < r.nnotes; i++)
		if (!r.notes[i].used)
			fprintf(stderr, "gupbench history: --notes: [%s..%s] matched no change point\n",
				r.notes[i].from, r.notes[i].to);
	if (!h->quiet)
		fprintf(stderr, "gupbench history: %zu of %zu kernels measured; %s/history.md, "
			"history.txt, trend.csv%s\n", r.nm, h->nk, h->out,
			h->no_plot ? "" : ", plots/");
	return 0;
}
