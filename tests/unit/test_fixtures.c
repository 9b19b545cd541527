// SPDX-License-Identifier: GPL-2.0
/*
 * compare on real run directories, without root and without pinning
 * anything: the fixtures in tests/data (tests/data/README.md says how each
 * was cut from a real run). Two kinds of check:
 *  - what the comparisons must say: an icount A/A is unchanged on every
 *    point, Debian 6.1 against 6.12 finds io_uring's improvement and
 *    vmsplice's regression and warns about the kernel, separately started
 *    host runs are judged on their invocations;
 *  - every format's whole output against tests/data/expected/, so a
 *    change that moves one character of text, Markdown, CSV or JSON is
 *    seen. When a change means to move them, GUPBENCH_UPDATE_EXPECTED=1
 *    rewrites the files, and the diff goes into the commit for review.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compare.h"

#define near(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

/* The checkout: this binary is <top>/<build>/tests/unit/test_fixtures. */
static int to_top(void **state)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		return -1;
	exe[n] = '\0';
	for (int i = 0; i < 3; i++)
		dirname(exe);
	return chdir(dirname(exe)) || access("tests/data/icount-aa/a/results.csv", R_OK);
}

static void run(const char *base, const char *new, struct compare_result *r)
{
	struct compare_opts o;
	char err[512] = "";

	compare_opts_default(&o);
	if (compare_runs(base, new, &o, r, err, sizeof(err)))
		fail_msg("compare %s %s: %s", base, new, err);
}

static const struct compare_point *point(const struct compare_result *r, const char *label,
					 const char *op)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->pt[i].label, label) && !strcmp(r->pt[i].op, op))
			return &r->pt[i];
	fail_msg("no point \"%s\" %s", label, op);
	return NULL;
}

static void test_icount_aa(void **state)
{
	struct compare_result r;
	size_t bare = 0;

	run("tests/data/icount-aa/a", "tests/data/icount-aa/b", &r);
	assert_int_equal(r.metric, CMP_METRIC_CPU);
	assert_int_equal(r.n, 6);
	assert_int_equal(r.count[CMP_UNCHANGED], 6);
	assert_int_equal(compare_exit_status(&r), 0);
	assert_int_equal(r.nwarn, 0);
	for (size_t i = 0; i < r.n; i++) {
		near(r.pt[i].ratio, 1, 0.001);
		assert_true(r.pt[i].floor < 0.01);
		bare += r.pt[i].model == CMP_MODEL_BARE;
	}
	assert_int_equal(bare, 5);
	compare_result_free(&r);
}

static void test_kernels(void **state)
{
	struct compare_result r;
	const struct compare_point *p;
	int release = 0, clocksource = 0;

	run("tests/data/kernels/6.1", "tests/data/kernels/6.12", &r);
	assert_int_equal(r.n, 8);
	p = point(&r, "iouring anon 64M order=0 zero=0", "pin");
	assert_int_equal(p->verdict, CMP_IMPROVEMENT);
	near(p->ratio, 0.551, 0.001);
	p = point(&r, "vmsplice anon 64M order=0 zero=0", "pin");
	assert_int_equal(p->verdict, CMP_REGRESSION);
	near(p->ratio, 1.262, 0.001);
	p = point(&r, "iouring anon 64M order=9 zero=0", "unpin");
	assert_int_equal(p->verdict, CMP_IMPROVEMENT);
	assert_true(p->ratio < 0.01);
	assert_int_equal(compare_exit_status(&r), 1);
	for (size_t i = 0; i < r.nwarn; i++) {
		release += !strcmp(r.warn[i].what, "[kernel] release") && r.warn[i].expected;
		clocksource += !strcmp(r.warn[i].what, "[kernel] clocksource") &&
			       !r.warn[i].expected;
	}
	assert_int_equal(release, 1);
	assert_int_equal(clocksource, 1);
	compare_result_free(&r);
}

static void test_host_invocations(void **state)
{
	struct compare_result r;

	run("tests/data/host/a", "tests/data/host/b", &r);
	assert_int_equal(r.metric, CMP_METRIC_ELAPSED);
	assert_int_equal(r.model, CMP_MODEL_INVOCATIONS);
	assert_false(r.one_invocation);
	for (size_t i = 0; i < r.n; i++) {
		assert_int_equal(r.pt[i].model, CMP_MODEL_INVOCATIONS);
		assert_int_equal(r.pt[i].base.invocations, 2);
		assert_int_equal(r.pt[i].base.runs, 4);
		assert_int_equal(r.pt[i].new.runs, 4);
	}
	compare_result_free(&r);
	run("tests/data/host/a/1", "tests/data/host/b/1", &r);
	assert_int_equal(r.model, CMP_MODEL_RUNS);
	assert_true(r.one_invocation);
	compare_result_free(&r);
}

/* ---- every format, whole, against tests/data/expected ---- */

static char *render(const char *base, const char *new, enum compare_format f)
{
	struct compare_opts o;
	struct compare_result r;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	assert_non_null(m);
	compare_opts_default(&o);
	run(base, new, &r);
	assert_int_equal(compare_print(m, m, &r, &o, f, 0), 0);
	compare_result_free(&r);
	assert_int_equal(fclose(m), 0);
	return buf;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	do {
		if (n + 4096 + 1 > cap)
			buf = realloc(buf, cap = (n + 4096 + 1) * 2);
		got = fread(buf + n, 1, 4096, f);
		n += got;
	} while (got);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* the first line where they part, for the failure message */
static int first_diff_line(const char *a, const char *b)
{
	int line = 1;

	for (; *a && *a == *b; a++, b++)
		line += *a == '\n';
	return line;
}

static const struct {
	const char *name, *base, *new;
} cases[] = {
	{ "icount-aa", "tests/data/icount-aa/a", "tests/data/icount-aa/b" },
	{ "kernels", "tests/data/kernels/6.1", "tests/data/kernels/6.12" },
	{ "host-invocations", "tests/data/host/a", "tests/data/host/b" },
	{ "host-rounds", "tests/data/host/a/1", "tests/data/host/b/1" },
};

static const struct {
	enum compare_format f;
	const char *ext;
} formats[] = {
	{ CMP_FMT_TEXT, "txt" }, { CMP_FMT_MARKDOWN, "md" }, { CMP_FMT_CSV, "csv" },
	{ CMP_FMT_JSON, "json" },
};

static void test_expected_outputs(void **state)
{
	const char *update = getenv("GUPBENCH_UPDATE_EXPECTED");
	int bad = 0;

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		for (size_t k = 0; k < sizeof(formats) / sizeof(formats[0]); k++) {
			char path[256], *got, *want;

			snprintf(path, sizeof(path), "tests/data/expected/%s.%s", cases[c].name,
				 formats[k].ext);
			got = render(cases[c].base, cases[c].new, formats[k].f);
			if (update && *update == '1') {
				FILE *f = fopen(path, "we");

				assert_non_null(f);
				fputs(got, f);
				assert_int_equal(fclose(f), 0);
			}
			want = slurp(path);
			if (!want || strcmp(got, want)) {
				print_message("# %s differs from compare's output%s%d\n", path,
					      want ? " from line " : " (missing) ",
					      want ? first_diff_line(got, want) : 0);
				bad++;
			}
			free(got);
			free(want);
		}
	}
	assert_int_equal(bad, 0);
}

/* The text format is for a mail: no line past 80 columns. JSON parses. */
static void test_text_width_and_json(void **state)
{
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		char *t = render(cases[c].base, cases[c].new, CMP_FMT_TEXT), *line = t, *nl;
		json_error_t e;
		json_t *doc;

		for (; (nl = strchr(line, '\n')); line = nl + 1)
			if (nl - line > 80)
				fail_msg("%s: a text line of %d columns: %.*s", cases[c].name,
					 (int)(nl - line), (int)(nl - line), line);
		free(t);
		t = render(cases[c].base, cases[c].new, CMP_FMT_JSON);
		doc = json_loads(t, 0, &e);
		if (!doc)
			fail_msg("%s: JSON does not parse: %s (line %d)", cases[c].name, e.text,
				 e.line);
		assert_true(json_array_size(json_object_get(doc, "points")) > 0);
		json_decref(doc);
		free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_icount_aa),
		cmocka_unit_test(test_kernels),
		cmocka_unit_test(test_host_invocations),
		cmocka_unit_test(test_expected_outputs),
		cmocka_unit_test(test_text_width_and_json),
	};

	return cmocka_run_group_tests_name("fixtures", tests, to_top, NULL);
}
