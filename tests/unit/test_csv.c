// SPDX-License-Identifier: GPL-2.0
/* CSV writing (schema table, quoting, flush) and reading back. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "csv.h"
#include "csvread.h"
#include "stats.h"
#include "util.h"

static char path[] = "/tmp/gupbench-test-csv-XXXXXX";

static void fill(struct scenario *sc, struct sample *s)
{
	char why[128];

	scenario_defaults(sc);
	assert_int_equal(scenario_set(sc, "method", "iouring", why, sizeof(why)), 0);
	assert_int_equal(scenario_set(sc, "size", "2M", why, sizeof(why)), 0);
	fmt(sc->job, sizeof(sc->job), "job, with \"quotes\"");
	memset(s, 0, sizeof(*s));
	fmt(s->op, sizeof(s->op), "pin");
	s->status = SAMPLE_OK;
	s->ns = 123456;
	s->pages = 512;
	s->pins_acquired = 512;
	s->got.exact = 1;
	s->cnt.state[PERF_CTR_PAGE_ALLOCS] = PERF_MEASURED;
	s->cnt.v[PERF_CTR_PAGE_ALLOCS] = 517;
	s->cnt.state[PERF_CTR_PAGE_FAULTS] = PERF_MEASURED;	/* a measured 0 is "0" */
	s->cnt.state[PERF_CTR_CYCLES] = PERF_UNSUPPORTED;
	s->cnt.v[PERF_CTR_CYCLES] = 0;
	s->got.order = 0;
	fmt(s->got.hist, sizeof(s->got.hist), "o0=512");
	fmt(s->note, sizeof(s->note), "a note, with a comma\nand a newline");
}

static void test_write_and_read_back(void **state)
{
	struct scenario sc;
	struct sample s;
	struct csv c;
	struct run_clock clk;
	struct csv_row r = { .scenario = 7, .run = 2, .clock = &clk, .sc = &sc,
			     .m = method_find("iouring"), .s = &s };
	struct csv_table t;
	char err[256];
	int col;

	fill(&sc, &s);
	assert_int_equal(run_clock_parse("console=ttyS0 gupbench.clock=icount:0 quiet", &clk, err,
					 sizeof(err)), 0);
	s.cnt.state[PERF_CTR_TASK_CLOCK] = PERF_MEASURED;
	s.cnt.v[PERF_CTR_TASK_CLOCK] = 100000;
	s.threads = 2;
	unlink(path);
	assert_int_equal(csv_open(&c, path), 0);
	assert_int_equal(csv_row_write(&c, &r), 0);
	/* flushed per row: readable before close */
	assert_int_equal(csv_table_load(&t, path, err, sizeof(err)), 0);
	assert_int_equal(t.nrows, 1);
	csv_table_free(&t);

	s.status = SAMPLE_SKIP;
	fmt(s.reason, sizeof(s.reason), "no device");
	assert_int_equal(csv_row_write(&c, &r), 0);
	assert_int_equal(csv_close(&c), 0);

	assert_int_equal(csv_table_load(&t, path, err, sizeof(err)), 0);
	assert_int_equal(t.ncols, csv_col_count());
	assert_string_equal(t.head[0], "schema");
	for (size_t i = 0; i < t.ncols; i++)
		assert_string_equal(t.head[i], csv_col_name(i));
	assert_int_equal(t.nrows, 2);
	assert_string_equal(t.rows[0][0], "3");
	/* what a ns is, and the on-CPU part of it */
	assert_string_equal(t.rows[0][csv_table_col(&t, "clock")], "icount shift=0");
	assert_string_equal(t.rows[0][csv_table_col(&t, "timer")], "user");
	assert_string_equal(t.rows[0][csv_table_col(&t, "run")], "2");
	assert_string_equal(t.rows[0][csv_table_col(&t, "cpu_ns")], "100000");
	assert_string_equal(t.rows[0][csv_table_col(&t, "offcpu_ns")], "23456");
	/* two threads asked, taking turns under icount: the row says so */
	assert_non_null(strstr(t.rows[0][csv_table_col(&t, "mismatch")],
			       "2 threads took turns on one host thread (icount)"));
	col = csv_table_col(&t, "job");
	assert_string_equal(t.rows[0][col], "job, with \"quotes\"");
	col = csv_table_col(&t, "note");
	assert_string_equal(t.rows[0][col], "a note, with a comma\nand a newline");
	assert_string_equal(t.rows[0][csv_table_col(&t, "ns")], "123456");
	assert_string_equal(t.rows[0][csv_table_col(&t, "scenario")], "7");
	assert_string_equal(t.rows[0][csv_table_col(&t, "size_bytes")], "2097152");
	assert_string_equal(t.rows[0][csv_table_col(&t, "status")], "ok");
	/* counters: the count, "unsupported" (never 0), empty when not measured */
	assert_string_equal(t.rows[0][csv_table_col(&t, "c_page_allocs")], "517");
	assert_string_equal(t.rows[0][csv_table_col(&t, "c_page_faults")], "0");
	assert_string_equal(t.rows[0][csv_table_col(&t, "c_cycles")], "unsupported");
	assert_string_equal(t.rows[0][csv_table_col(&t, "c_instructions")], "");
	/* a skip row has no measurement: ns and pin deltas are empty, not 0 */
	assert_string_equal(t.rows[1][csv_table_col(&t, "status")], "skip");
	assert_string_equal(t.rows[1][csv_table_col(&t, "ns")], "");
	assert_string_equal(t.rows[1][csv_table_col(&t, "pins_acquired")], "");
	assert_string_equal(t.rows[1][csv_table_col(&t, "c_page_allocs")], "");
	assert_string_equal(t.rows[1][csv_table_col(&t, "c_cycles")], "");
	assert_string_equal(t.rows[1][csv_table_col(&t, "cpu_ns")], "");
	assert_string_equal(t.rows[1][csv_table_col(&t, "offcpu_ns")], "");
	assert_string_equal(t.rows[1][csv_table_col(&t, "mismatch")], "");
	assert_string_equal(t.rows[1][csv_table_col(&t, "reason")], "no device");
	csv_table_free(&t);
}

static void test_refuses_overwrite(void **state)
{
	struct csv c;

	/* the file from the previous test exists: a run never overwrites */
	assert_int_not_equal(csv_open(&c, path), 0);
}

static void test_schema_has_required_columns(void **state)
{
	static const char *const need[] = {
		"method", "backing", "size_bytes", "folio_order", "order_got", "zero_ratio",
		"zero_pages_got", "threads", "op", "rep", "ns", "pages", "pins_acquired",
		"pins_released", "status", "reason", "c_page_faults", "c_ctx_switches",
		"c_cpu_migrations", "cpu_ns", "offcpu_ns", "clock", "timer", "run", "c_page_allocs", "c_mmap_locks",
		"c_migrate_calls", "c_cycles", "c_instructions",
	};

	for (size_t i = 0; i < ARRAY_SIZE(need); i++) {
		size_t k;

		for (k = 0; k < csv_col_count(); k++)
			if (!strcmp(csv_col_name(k), need[i]))
				break;
		if (k == csv_col_count())
			fail_msg("column %s missing", need[i]);
		assert_true(strlen(csv_col_help(k)) > 0);
	}
}

static void test_torn_last_line(void **state)
{
	struct csv_table t;
	char err[256];
	FILE *f = fopen(path, "w");

	fputs("a,b,c\n1,2,3\n4,5", f);	/* a crash mid-row */
	fclose(f);
	assert_int_equal(csv_table_load(&t, path, err, sizeof(err)), 0);
	assert_int_equal(t.nrows, 2);
	assert_string_equal(t.rows[1][2], "");
	csv_table_free(&t);
	/* killed inside a quoted note: that row alone is left out, and said so */
	f = fopen(path, "w");
	fputs("a,b\n1,2\n3,\"open note\n", f);
	fclose(f);
	assert_int_equal(csv_table_load(&t, path, err, sizeof(err)), 0);
	assert_int_equal(t.nrows, 1);
	assert_int_equal(t.torn_line, 3);
	csv_table_free(&t);
}

/* Split in place: quotes, doubled quotes, newlines in a cell, CRLF, blank and long rows. */
static void test_split_in_place(void **state)
{
	static const char text[] = "a,b,c\r\n\"x,\"\"y\"\"\",\"two\nlines\",\r\n\n1,2,3,4\n,,\n\"\"\n";
	struct csv_table t;
	char err[256];
	FILE *f = fopen(path, "w");

	fwrite(text, 1, sizeof(text) - 1, f);
	fclose(f);
	assert_int_equal(csv_table_load(&t, path, err, sizeof(err)), 0);
	assert_int_equal(t.ncols, 3);
	assert_string_equal(t.head[2], "c");
	assert_int_equal(t.nrows, 3);	/* the blank line and the lone "" are no rows */
	assert_string_equal(t.rows[0][0], "x,\"y\"");
	assert_string_equal(t.rows[0][1], "two\nlines");
	assert_string_equal(t.rows[0][2], "");
	assert_string_equal(t.rows[1][2], "3");		/* a fourth cell goes */
	assert_string_equal(t.rows[2][1], "");
	csv_table_free(&t);
	/* a NUL byte is no CSV of ours: refused with its line */
	f = fopen(path, "w");
	fwrite("a,b\n1,2\n3,\0\n", 1, 13, f);
	fclose(f);
	assert_int_not_equal(csv_table_load(&t, path, err, sizeof(err)), 0);
	assert_non_null(strstr(err, ":3: a NUL byte"));
}

/* Someone's results.csv that is no file: refused at once, never read. */
static void test_not_a_regular_file(void **state)
{
	char dir[] = "/tmp/gupbench-test-fifo-XXXXXX", p[128], err[256];
	struct csv_table t;

	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/results.csv", dir);
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_not_equal(csv_table_load(&t, p, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "not a regular file"));
	unlink(p);
	assert_int_equal(symlink("/dev/zero", p), 0);
	assert_int_not_equal(csv_table_load(&t, p, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "not a regular file"));
	unlink(p);
	rmdir(dir);
}

/* Type-7 quantiles, as R's quantile() and numpy's default compute them. */
static void test_quantiles(void **state)
{
	double v[] = { 7, 1, 3, 5, 9 };
	double w[] = { 10, 20, 30, 40 };

	stats_sort(v, 5);
	assert_true(v[0] == 1 && v[4] == 9);
	assert_true(stats_quantile(v, 5, 0.5) == 5);
	assert_true(stats_quantile(v, 5, 0.25) == 3);
	assert_true(stats_quantile(v, 5, 0.75) == 7);
	assert_true(stats_quantile(w, 4, 0.5) == 25);
	assert_true(stats_quantile(w, 4, 0.25) == 17.5);
	assert_true(stats_quantile(w, 4, 0.9) == 37);
	assert_true(stats_quantile(w, 1, 0.5) == 10);
}

static int setup(void **state)
{
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	return unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_and_read_back),
		cmocka_unit_test(test_refuses_overwrite),
		cmocka_unit_test(test_schema_has_required_columns),
		cmocka_unit_test(test_torn_last_line),
		cmocka_unit_test(test_split_in_place),
		cmocka_unit_test(test_not_a_regular_file),
		cmocka_unit_test(test_quantiles),
	};

	return cmocka_run_group_tests_name("csv", tests, setup, teardown);
}
