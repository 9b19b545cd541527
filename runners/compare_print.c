// SPDX-License-Identifier: GPL-2.0
/*
 * compare: the result for a reader. The text table (terminal, or plain
 * within 80 columns for a mail), Markdown, and compare_print(), which
 * picks the format; the method's text is shared with JSON.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare_int.h"
#include "point.h"
#include "stats.h"
#include "util.h"

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

static int both_skip(const struct compare_point *p)
{
	return p->verdict == CMP_NOT_COMPARED && !strcmp(cmp_side_state(&p->base), "skip") &&
	       !strcmp(cmp_side_state(&p->new), "skip");
}

/*
 * first, then the words of text, continuation lines indented by indent,
 * no line past width (a word longer than a line stands alone).
 */
void cmp_wrap(FILE *f, const char *first, int indent, const char *text, int width)
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
					off ? ", " : " rows: ", run->rows[i], cmp_status_names[i]);
	}
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

void cmp_summary_text(char *buf, size_t len, const struct compare_result *r)
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

void cmp_print_warnings_text(FILE *f, const struct compare_result *r, int expected)
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
		cmp_wrap(f, first, 6, text, TEXT_WIDTH);
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
		cmp_wrap(f, "  ", 4, buf, TEXT_WIDTH);
	}
}

/* Items no point could judge, and why (the first point's reason): "mmap_lock ... (not counted ...)". */
static void behave_uncounted(char *buf, size_t len, const struct compare_result *r)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int item = BH_PINS; item < BH_N; item++) {
		const char *why = NULL;

		if (r->bh_counted[item] || item == BH_ZERO_PINNED)
			continue;
		for (size_t i = 0; i < r->n && !why; i++)
			why = r->pt[i].bh[item].why;
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%s%s (%s)",
					off ? ", " : "", compare_behave_words[item], why ? why : "-");
	}
}

/* The points' behaviour changes, above the timing: the news, and why a number moved. */
static void print_behave_text(FILE *f, const struct compare_result *r)
{
	char buf[4096], one[700];
	const char *last = "";
	int opw = 2;
	size_t off = 0;

	for (size_t i = 0; i < r->n; i++)
		if (r->pt[i].bh_changed && (int)strlen(r->pt[i].op) > opw)
			opw = (int)strlen(r->pt[i].op);
	if (!r->bh_points) {
		fmt(buf, sizeof(buf), "Behaviour: the same on all %zu points (what the kernel did: "
		    "pins, zero pages, folios, faults, allocations, mmap_lock, migrations, "
		    "switches, status).", r->n);
	} else {
		fmt(buf, sizeof(buf), "Behaviour: %zu of %zu points changed what the kernel did "
		    "(base -> new, per op):", r->bh_points, r->n);
	}
	cmp_wrap(f, "", 0, buf, TEXT_WIDTH);
	for (size_t i = 0; i < r->n; i++) {
		const struct compare_point *p = &r->pt[i];
		int first = 1;

		if (!p->bh_changed)
			continue;
		if (strcmp(last, p->label))
			cmp_wrap(f, "", 4, p->label, TEXT_WIDTH);
		last = p->label;
		for (int item = 0; item < BH_N; item++) {
			char lead[64];

			if (p->bh[item].verdict != BH_CHANGED)
				continue;
			compare_behave_change(one, sizeof(one), p, item, "->");
			fmt(lead, sizeof(lead), "  %-*s ", opw, first ? p->op : "");
			cmp_wrap(f, lead, opw + 5, one, TEXT_WIDTH);
			first = 0;
		}
	}
	if (r->bh_points) {
		off = (size_t)snprintf(buf, sizeof(buf), "Changed:");
		for (int item = 0; item < BH_N; item++)
			if (r->bh_count[item])
				off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s %s on %zu of "
							"%zu", off > 8 ? "," : "", compare_behave_names[item],
							r->bh_count[item], r->bh_counted[item]);
		fmt(buf + off, sizeof(buf) - off, "; every other item the same where counted.");
		cmp_wrap(f, "  ", 2, buf, TEXT_WIDTH);
	}
	behave_uncounted(one, sizeof(one), r);
	if (one[0]) {
		fmt(buf, sizeof(buf), "Not judged on any point: %s.", one);
		cmp_wrap(f, "  ", 2, buf, TEXT_WIDTH);
	}
	fputc('\n', f);
}

void cmp_print_text(FILE *f, FILE *wf, const struct compare_result *r,
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
		cmp_wrap(f, "        ", 8, buf, TEXT_WIDTH);
	}
	cmp_method_text(buf, sizeof(buf), r, o);
	cmp_wrap(f, "", 0, buf, TEXT_WIDTH);
	fputc('\n', f);
	cmp_print_warnings_text(f, r, 1);
	cmp_print_warnings_text(warnings_apart ? wf : f, r, 0);
	if (r->nwarn && !warnings_apart)
		fputc('\n', f);
	print_behave_text(f, r);

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
			cmp_wrap(f, "", 4, p->label, TEXT_WIDTH);
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
		if ((p->verdict == CMP_REGRESSION || p->verdict == CMP_IMPROVEMENT) &&
		    p->bh_changed) {
			char why[2048], size[32];

			/* the time moved and so did what the kernel did: say both together */
			cmp_behave_timing(size, sizeof(size), p);
			compare_behave_changes(why, sizeof(why), p, "->");
			if (why[0]) {
				fmt(buf, sizeof(buf), "%s; %s", size, why);
				cmp_wrap(f, "    = ", 6, buf, TEXT_WIDTH);
			}
		}
	}
	if (bare_pts) {
		char line[512];

		fmt(line, sizeof(line), "+ bare work: %zu points judged on their samples within "
		    "%s of the side's lowest alone; %zu of their %zu samples set aside (a timer "
		    "interrupt or other work landed on them). n counts the samples kept.",
		    bare_pts, BARE_TOL_TEXT, bare_all - bare_kept, bare_all);
		cmp_wrap(f, "", 2, line, TEXT_WIDTH);
	}
	if (pooled)
		cmp_wrap(f, "", 2, r->model == CMP_MODEL_RUNS || r->model == CMP_MODEL_INVOCATIONS ?
			 "* pooled: the point ran in more than one scenario of a results.csv (several "
			 "jobs, or several files of a side); each run's samples make its median." :
			 "* pooled: the point ran in more than one scenario of a run "
			 "(the same point in several jobs); their samples are taken together.",
			 TEXT_WIDTH);
	variance_text(buf, sizeof(buf), r);
	if (buf[0]) {
		fputc('\n', f);
		cmp_wrap(f, "", 0, buf, TEXT_WIDTH);
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
		cmp_wrap(f, "  ", 4, buf, TEXT_WIDTH);
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct compare_point *p = &r->pt[i];
		char bs[200], ns[200];

		if (p->verdict != CMP_NOT_COMPARED || both_skip(p))
			continue;
		fmt(bs, sizeof(bs), "%s%s%s", cmp_side_state(&p->base), p->base.reason[0] ? ": " : "",
		    p->base.reason);
		fmt(ns, sizeof(ns), "%s%s%s", cmp_side_state(&p->new), p->new.reason[0] ? ": " : "",
		    p->new.reason);
		fmt(buf, sizeof(buf), "%s %s: base %s; new %s", p->label, p->op, bs, ns);
		cmp_wrap(f, "  ", 4, buf, TEXT_WIDTH);
	}
	fputc('\n', f);
	cmp_summary_text(buf, sizeof(buf), r);
	cmp_wrap(f, "", 0, buf, TEXT_WIDTH);
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

/* The behaviour section: one row per changed item, then what was not judged. */
static void print_behave_markdown(FILE *f, const struct compare_result *r)
{
	char b[300], n[300], un[2048];

	if (!r->bh_points) {
		fprintf(f, "\nBehaviour: the same on all %zu points.\n", r->n);
	} else {
		fprintf(f, "\nBehaviour: %zu of %zu points changed what the kernel did (per op):\n\n"
			"| scenario | op | what | base | new |\n|---|---|---|---|---|\n",
			r->bh_points, r->n);
		for (size_t i = 0; i < r->n; i++) {
			const struct compare_point *p = &r->pt[i];

			for (int item = 0; item < BH_N && p->bh_changed; item++) {
				if (p->bh[item].verdict != BH_CHANGED)
					continue;
				cmp_behave_value(b, sizeof(b), p, item, 0);
				cmp_behave_value(n, sizeof(n), p, item, 1);
				fprintf(f, "| ");
				md_cell(f, p->label);
				fprintf(f, " | %s | %s | ", p->op, compare_behave_words[item]);
				md_cell(f, b);
				fprintf(f, " | ");
				md_cell(f, n);
				fprintf(f, " |\n");
			}
		}
	}
	behave_uncounted(un, sizeof(un), r);
	if (un[0]) {
		fprintf(f, "\nNot judged on any point: ");
		md_cell(f, un);
		fprintf(f, ".\n");
	}
}

void cmp_print_markdown(FILE *f, const struct compare_result *r, const struct compare_opts *o)
{
	char buf[2048], t2[16], t3[16], t4[16], t5[32], t6[16], t7[16], t8[16], nb[48], nn[48];
	char why[2200];
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
	cmp_method_text(buf, sizeof(buf), r, o);
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
	print_behave_markdown(f, r);
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
		why[0] = '\0';
		if (*em && p->bh_changed) {
			char size[32], what[2048];

			/* the time moved and so did what the kernel did: say both together */
			cmp_behave_timing(size, sizeof(size), p);
			compare_behave_changes(what, sizeof(what), p, "→");
			if (what[0])
				fmt(why, sizeof(why), ": %s; %s", size, what);
		}
		fprintf(f, " | %s | %s%s | %s%s | %s | %s | %s | %s | %s | %s | %s | %s%s%s", p->op,
			nb, p->base.scenarios > 1 ? "*" : "", nn,
			p->new.scenarios > 1 ? "*" : "", num(p->base.median, t2, sizeof(t2)),
			num(p->new.median, t3, sizeof(t3)), ratio_str(p->ratio, t4, sizeof(t4)),
			ci_str(p, t5, sizeof(t5)), floor_str(p->floor, t8, sizeof(t8)),
			q_str(p->p, t7, sizeof(t7)),
			q_str(p->q, t6, sizeof(t6)), em, compare_verdict_name(p->verdict), em);
		md_cell(f, why);
		fprintf(f, " |\n");
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
			fprintf(f, " | %s | %s", p->op, cmp_side_state(&p->base));
			if (p->base.reason[0]) {
				fprintf(f, ": ");
				md_cell(f, p->base.reason);
			}
			fprintf(f, " | %s", cmp_side_state(&p->new));
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
	cmp_summary_text(buf, sizeof(buf), r);
	fprintf(f, "\n%s\n", buf);
}

