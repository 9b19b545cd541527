// SPDX-License-Identifier: GPL-2.0
/*
 * bisect: what each measured kernel decided on, as data and as a chart.
 * Every judged kernel appends one row to OUT/steps.csv (role, revision,
 * subject, verdict, metric, value, ci_lo, ci_hi): the deciding point's
 * ratio and its CI, or with --metric ITEM the item's value on that
 * kernel. At the end the driver draws OUT/bisect.png and .svg from it:
 * the value against each kernel's place in the range (oldest first),
 * good and bad in the figures' colours, skips as open circles.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bisect_int.h"
#include "csv.h"
#include "csvread.h"
#include "plot.h"
#include "util.h"

static const char *verdict_name(int v)
{
	return v == BISECT_GOOD ? "good" : v == BISECT_BAD ? "bad" : v == BISECT_SKIP ? "skip" :
	       "abort";
}

static void num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, ",%.6g", v);
	else
		fputc(',', f);
}

void steps_append(const struct bisect *b, const char *role, const char *id, const char *subject,
		  const struct outcome *o)
{
	char path[PATH_MAX + 16];
	int fd, fresh;
	FILE *f;

	fmt(path, sizeof(path), "%s/steps.csv", b->out);
	fresh = access(path, F_OK) != 0;
	/* OUT is ours, made by this bisection: still, never through a link */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	f = fd < 0 ? NULL : fdopen(fd, "a");
	if (!f) {
		if (fd >= 0)
			close(fd);
		return;		/* the log line says it all; the chart will lack this row */
	}
	if (fresh)
		fprintf(f, "role,revision,subject,verdict,metric,value,ci_lo,ci_hi\n");
	csv_quote(f, role);
	fputc(',', f);
	csv_quote(f, id);
	fputc(',', f);
	csv_quote(f, subject);
	fprintf(f, ",%s,", verdict_name(o->verdict));
	csv_quote(f, o->metric);
	num(f, o->value);
	num(f, o->lo);
	num(f, o->hi);
	fputc('\n', f);
	fclose(f);
}

/* The place of revision id ("K3", or a prefix of a full commit id) in pos; -1 if none. */
static long place_of(char *const *pos, size_t npos, const char *id)
{
	size_t n = strlen(id);

	for (size_t i = 0; n && i < npos; i++)
		if (!strcmp(pos[i], id))
			return (long)i;
	/* a short commit id: a prefix of a full one (K3 never matches K30 this way) */
	for (size_t i = 0; n && i < npos; i++)
		if (strlen(pos[i]) == 40 && !strncmp(pos[i], id, n))
			return (long)i;
	return -1;
}

struct chart_row {
	long x;				/* the revision's place in the range */
	double v, lo, hi;
	const char *verdict, *rev;
};

struct chart_data {
	const struct chart_row *rows;
	size_t n;
	double ref;			/* the good end's value: where a skip is drawn */
};

/* One block: x value lo hi verdict "revision"; a skip sits on the good end's value. */
static int chart_write(FILE *f, void *ctx)
{
	const struct chart_data *d = ctx;
	char rev[80];

	fprintf(f, "# gupbench bisect: x value ci_lo ci_hi verdict revision (steps.csv)\n");
	for (size_t i = 0; i < d->n; i++) {
		const struct chart_row *r = &d->rows[i];
		double v = isfinite(r->v) ? r->v : d->ref;

		plot_text(rev, sizeof(rev), r->rev);
		fprintf(f, "%ld %.6g %.6g %.6g %s \"%.12s\"\n", r->x, v,
			isfinite(r->lo) ? r->lo : v, isfinite(r->hi) ? r->hi : v,
			isfinite(r->v) ? r->verdict : "skip", rev);
	}
	return ferror(f) ? -EIO : 1;
}

int steps_chart(const struct bisect *b, char *const *pos, size_t npos, char *err, size_t len)
{
	char path[PATH_MAX + 16], title[512], style[1024], metric[40] = "";
	struct csv_table t;
	double ymin = INFINITY, ymax = -INFINITY, ref = NAN;
	int c_rev, c_ver, c_met, c_val, c_lo, c_hi, ret, ratio;
	struct chart_row *rows;
	size_t nr = 0;

	fmt(path, sizeof(path), "%s/steps.csv", b->out);
	ret = csv_table_load(&t, path, err, len);
	if (ret)
		return ret;
	c_rev = csv_table_col(&t, "revision");
	c_ver = csv_table_col(&t, "verdict");
	c_met = csv_table_col(&t, "metric");
	c_val = csv_table_col(&t, "value");
	c_lo = csv_table_col(&t, "ci_lo");
	c_hi = csv_table_col(&t, "ci_hi");
	rows = calloc(t.nrows ? t.nrows : 1, sizeof(*rows));
	if (c_rev < 0 || c_ver < 0 || c_met < 0 || c_val < 0 || c_lo < 0 || c_hi < 0 || !rows) {
		fmt(err, len, "%s: not a steps.csv of this bisection", path);
		free(rows);
		csv_table_free(&t);
		return -EINVAL;
	}
	for (size_t i = 0; i < t.nrows; i++) {
		char **r = t.rows[i];
		struct chart_row *c = &rows[nr];

		c->x = place_of(pos, npos, r[c_rev]);
		if (c->x < 0)
			continue;
		c->v = r[c_val][0] ? atof(r[c_val]) : NAN;
		c->lo = r[c_lo][0] ? atof(r[c_lo]) : NAN;
		c->hi = r[c_hi][0] ? atof(r[c_hi]) : NAN;
		c->verdict = r[c_ver];
		c->rev = r[c_rev];
		if (r[c_met][0])
			fmt(metric, sizeof(metric), "%s", r[c_met]);
		if (isnan(ref) && isfinite(c->v) && !strcmp(c->verdict, "good"))
			ref = c->v;
		for (int k = 0; k < 3; k++) {
			double v = k == 0 ? c->v : k == 1 ? c->lo : c->hi;

			if (isfinite(v)) {
				ymin = fmin(ymin, v);
				ymax = fmax(ymax, v);
			}
		}
		nr++;
	}
	if (!nr || !isfinite(ymin)) {
		fmt(err, len, "%s: no measured kernel to draw", path);
		free(rows);
		csv_table_free(&t);
		return -ENODATA;
	}
	ratio = !strcmp(metric, "ratio");
	if (ratio) {
		ymin = fmin(ymin, 1 / (1 + b->cmp.threshold));
		ymax = fmax(ymax, 1 + b->cmp.threshold);
	}
	{
		double pad = ratio ? pow(ymax / ymin, 0.08) : 0;

		if (ratio) {
			ymin /= pad;
			ymax *= pad;
		} else {
			pad = ymax > ymin ? (ymax - ymin) * 0.1 : fmax(fabs(ymax) * 0.1, 0.5);
			ymin -= pad;
			ymax += pad;
		}
	}
	{
		struct chart_data d = { rows, nr, ref };

		fmt(title, sizeof(title), "bisect: %s of each kernel measured%s; good, bad; open: "
		    "skipped", ratio ? "the deciding ratio new/base (95% CI)" : metric,
		    ratio ? ", the threshold shaded" : "");
		char tpos[1024] = "", tlab[512] = "";

		if (ratio)
			plot_log_ticks(ymin, ymax, 1, tpos, sizeof(tpos), tlab, sizeof(tlab));
		fmt(style, sizeof(style), "ylog=%d; ymin=%.6g; ymax=%.6g; lo_t=%.6g; hi_t=%.6g; "
		    "npos=%zu; yticpos='%s'; yticlab='%s'", ratio, ymin, ymax,
		    ratio ? 1 / (1 + b->cmp.threshold) : 0, ratio ? 1 + b->cmp.threshold : 0, npos,
		    tpos, tlab);
		ret = plot_blocks(b->out, "bisect", "bisect.gp", title,
				  "revision, oldest first (its place in the range)",
				  ratio ? "ratio new / base" : metric, style, chart_write, &d, err,
				  len);
	}
	free(rows);
	csv_table_free(&t);
	return ret;
}
