// SPDX-License-Identifier: GPL-2.0
/*
 * compare: the result for a program. CSV, one row per point and op, and
 * JSON, the whole document (method, warnings, points with their samples,
 * summary).
 */

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>

#include "compare_int.h"
#include "csv.h"

static void csv_num(FILE *f, double v)
{
	if (isnan(v))
		fputs(",", f);
	else
		fprintf(f, ",%.6g", v);
}

static const char *behave_verdict_name(enum behave_verdict v)
{
	return v == BH_CHANGED ? "changed" : v == BH_SAME ? "same" : "n/a";
}

void cmp_print_csv(FILE *f, const struct compare_result *r)
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
		"bare_base,bare_new,invocations_base,invocations_new,sd_rounds_base,sd_rounds_new,"
		"behaviour_changed");
	/* per behaviour item: each side's value as the text says it, and the verdict */
	for (int item = 0; item < BH_N; item++)
		fprintf(f, ",%s_base,%s_new,%s", compare_behave_names[item],
			compare_behave_names[item], compare_behave_names[item]);
	fputc('\n', f);
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
		fprintf(f, ",%s,%s,%zu,%zu,%zu,%zu", cmp_side_state(&p->base), cmp_side_state(&p->new),
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
			cmp_model_name(p->model));
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
		fprintf(f, ",%zu", p->bh_changed);
		for (int item = 0; item < BH_N; item++) {
			char v[300];

			for (int side = 0; side < 2; side++) {
				cmp_behave_value(v, sizeof(v), p, item, side);
				fputc(',', f);
				csv_quote(f, v);
			}
			fprintf(f, ",%s", behave_verdict_name(p->bh[item].verdict));
		}
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

	json_object_set_new(o, "state", json_string(cmp_side_state(s)));
	json_object_set_new(o, "n", json_integer((json_int_t)s->n));
	json_object_set_new(o, "median", jnum(s->median));
	json_object_set_new(o, "scenarios", json_integer((json_int_t)s->scenarios));
	json_object_set_new(o, "runs", json_integer((json_int_t)s->runs));
	json_object_set_new(o, "invocations", json_integer((json_int_t)s->invocations));
	json_object_set_new(o, "sd_between_rounds", jnum(s->sd_rounds));
	json_object_set_new(o, "runs_given", json_integer((json_int_t)s->runs_given));
	json_object_set_new(o, "repeat_spread", jnum(s->repeat_spread));
	json_object_set_new(o, "sd_between_runs", jnum(s->sd_between));
	json_object_set_new(o, "sd_within_run", jnum(s->sd_within));
	for (int i = 0; i < CMP_NST; i++)
		json_object_set_new(rows, cmp_status_names[i], json_integer((json_int_t)s->rows[i]));
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

static json_t *json_behave_side(const struct behave_side *b, int item)
{
	json_t *o = json_object(), *vals;

	if (b->nval) {
		vals = json_object();
		for (size_t i = 0; i < b->nval; i++)
			json_object_set_new(vals, b->val[i], json_integer((json_int_t)b->valn[i]));
		json_object_set_new(o, "values", vals);
	} else {
		json_object_set_new(o, "n", json_integer((json_int_t)b->n));
		json_object_set_new(o, "median", b->n ? jnum(b->median) : json_null());
		json_object_set_new(o, "q1", b->n ? jnum(b->q1) : json_null());
		json_object_set_new(o, "q3", b->n ? jnum(b->q3) : json_null());
		if (item == BH_ZERO_PINNED)
			json_object_set_new(o, "of", b->n ? jnum(b->of) : json_null());
	}
	json_object_set_new(o, "uncounted", json_integer((json_int_t)b->uncounted));
	return o;
}

/* Every item of a point: verdict, rule, both sides. */
static json_t *json_behave(const struct compare_point *p)
{
	static const char *const rule[] = { "none", "exact", "noisy", "values" };
	json_t *o = json_object();

	for (int item = 0; item < BH_N; item++) {
		const struct behave_item *it = &p->bh[item];
		json_t *x = json_object();

		json_object_set_new(x, "verdict", json_string(behave_verdict_name(it->verdict)));
		json_object_set_new(x, "rule", json_string(rule[it->rule]));
		json_object_set_new(x, "base", json_behave_side(&p->base.bh[item], item));
		json_object_set_new(x, "new", json_behave_side(&p->new.bh[item], item));
		if (it->rule == BH_RULE_NOISY) {
			json_object_set_new(x, "p", jnum(it->p));
			json_object_set_new(x, "q", jnum(it->q));
		}
		if (it->why)
			json_object_set_new(x, "why", json_string(it->why));
		json_object_set_new(o, compare_behave_names[item], x);
	}
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
		json_object_set_new(rows, cmp_status_names[i], json_integer((json_int_t)run->rows[i]));
	json_object_set_new(o, "rows", rows);
	json_object_set_new(o, "bad_ns_rows", json_integer((json_int_t)run->bad_ns));
	json_object_set_new(o, "no_metric_rows", json_integer((json_int_t)run->no_metric));
	json_object_set_new(o, "clock", json_string(run->clock));
	json_object_set_new(o, "files", json_integer((json_int_t)run->sources));
	json_object_set_new(o, "runs", json_integer((json_int_t)run->runs));
	return o;
}

int cmp_print_json(FILE *f, const struct compare_result *r, const struct compare_opts *o)
{
	json_t *doc = json_object(), *m = json_object(), *w = json_array(), *pts = json_array();
	json_t *sum = json_object(), *keys = json_array(), *ign = json_array();
	char buf[2048];
	int ret;

	json_object_set_new(doc, "schema", json_integer(2));
	json_object_set_new(doc, "base", json_run(&r->base));
	json_object_set_new(doc, "new", json_run(&r->new));
	cmp_method_text(buf, sizeof(buf), r, o);
	json_object_set_new(m, "text", json_string(buf));
	json_object_set_new(m, "metric", json_string(r->metric == CMP_METRIC_CPU ?
		"cpu: cpu_ns per 4 KiB page" : "elapsed: ns per 4 KiB page"));
	json_object_set_new(m, "clock", json_string(r->base.clock));
	json_object_set_new(m, "model", json_string(cmp_model_name(r->model)));
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
	json_object_set_new(m, "icount_first_run_only", json_boolean(r->icount_first_run));
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
		json_object_set_new(x, "model", json_string(cmp_model_name(p->model)));
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
		json_object_set_new(x, "behaviour_changed", json_integer((json_int_t)p->bh_changed));
		json_object_set_new(x, "behaviour", json_behave(p));
		json_array_append_new(pts, x);
	}
	json_object_set_new(doc, "points", pts);
	for (int v = 0; v < CMP_NVERDICT; v++)
		json_object_set_new(sum, compare_verdict_name(v), json_integer((json_int_t)r->count[v]));
	json_object_set_new(sum, "tested", json_integer((json_int_t)r->tests));
	json_object_set_new(sum, "geomean_ratio", jnum(r->geomean));
	json_object_set_new(sum, "exit_status", json_integer(compare_exit_status(r)));
	{
		json_t *bh = json_object(), *items = json_object();

		json_object_set_new(bh, "points_changed", json_integer((json_int_t)r->bh_points));
		for (int item = 0; item < BH_N; item++)
			json_object_set_new(items, compare_behave_names[item],
					    json_pack("{s:I,s:I}", "changed", (json_int_t)r->bh_count[item],
						      "judged", (json_int_t)r->bh_counted[item]));
		json_object_set_new(bh, "items", items);
		json_object_set_new(bh, "noisy_tests", json_integer((json_int_t)r->bh_tests));
		json_object_set_new(bh, "rule", json_string(cmp_behave_rule_text()));
		if (r->behave)
			json_object_set_new(bh, "exit_status_from", json_string(compare_behave_names[r->behave - 1]));
		json_object_set_new(sum, "behaviour", bh);
	}
	json_object_set_new(doc, "summary", sum);
	ret = json_dumpf(doc, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	fputc('\n', f);
	json_decref(doc);
	return ret ? -EIO : 0;
}
