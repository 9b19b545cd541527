// SPDX-License-Identifier: GPL-2.0
/*
 * One definition of a point: every config key either identifies a point
 * (point_keys[], with its results.csv column) or is listed as not doing
 * so, and summary/plot grouping (agg) and compare's join both split rows
 * that differ in any one point key. Adding a config key without deciding
 * fails here.
 */
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

#include "agg.h"
#include "compare.h"
#include "config.h"
#include "csv.h"
#include "method.h"
#include "point.h"

static void test_every_config_key_decided(void **state)
{
	(void)state;
	for (size_t i = 0; i < opt_count(); i++) {
		int in_key = 0, in_not = 0;

		for (size_t k = 0; k < POINT_NKEYS; k++)
			in_key += !strcmp(point_keys[k].opt, opt_name(i));
		for (size_t k = 0; k < point_not_nkeys; k++)
			in_not += !strcmp(point_not_keys[k].name, opt_name(i));
		if (in_key + in_not != 1)
			print_message("# config key %s: in point_keys %d times, point_not_keys %d\n",
				      opt_name(i), in_key, in_not);
		assert_int_equal(in_key + in_not, 1);
	}
	for (size_t k = 0; k < POINT_NKEYS; k++) {
		int opt = 0, col = 0;

		for (size_t i = 0; i < opt_count(); i++)
			opt += !strcmp(point_keys[k].opt, opt_name(i));
		for (size_t i = 0; i < csv_col_count(); i++)
			col += !strcmp(point_keys[k].col, csv_col_name(i));
		if (opt != 1 || col != 1)
			print_message("# point key %s: config key %s (%d), column %s (%d)\n",
				      point_keys[k].name, point_keys[k].opt, opt, point_keys[k].col, col);
		assert_int_equal(opt, 1);
		assert_int_equal(col, 1);
	}
}

/* A value of column k other than the base row's, that still means something. */
static const char *other_value(size_t k)
{
	static const char *const v[POINT_NKEYS] = {
		[PK_METHOD] = "xdp-umem", [PK_BACKING] = "memfd", [PK_SIZE] = "8388608",
		[PK_ORDER] = "9", [PK_ZERO] = "0.5", [5] = "0", [PK_THREADS] = "4",
		[PK_SHARE] = "shared", [8] = "1", [9] = "1", [10] = "no", [11] = "xdp-umem",
		[12] = "0", [13] = "64", [14] = "libaio", [15] = "1", [16] = "32",
		[17] = "1048576", [18] = "randwrite", [19] = "file",
	};
	return v[k];
}

/*
 * rows: a base point (fork, so pinned/pin_method count; 2 threads, so
 * share counts; fio for the keys only fio reads) and, for key k, the same point with only column k changed.
 */
static void write_fixture(const char *dir, size_t k)
{
	char path[256];
	FILE *f;
	static const char *const cols[] = {
		"schema", "scenario", "op", "method", "backing", "size_bytes", "folio_order",
		"zero_ratio", "populate", "threads", "share", "mem_node", "cpu_node", "pinned",
		"pin_method", "write", "batch", "thread", "round_ns", "ns", "pages", "status",
		"fio_engine", "fixedbufs", "iodepth", "bs", "rw", "target",
	};
	const char *base[] = {
		"2", "0", "fork", "fork", "anon", "4194304", "0", "0", "1", "2", "private", "0",
		"0", "yes", "iouring", "1", "0", "0", "1000", "1000", "1024", "ok",
		"io_uring", "0", "1", "4096", "randread", "zram",
	};
	/* a key only fio reads splits fio's points: the rows are fio's then */
	int fio = !method_reads_key("fork", point_keys[k].opt);

	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/results.csv", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
		fprintf(f, "%s%s", c ? "," : "", cols[c]);
	fputc('\n', f);
	for (int variant = 0; variant < 2; variant++)
		for (int rep = 0; rep < 5; rep++) {
			for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
				const char *v = base[c];

				if (variant && !strcmp(cols[c], point_keys[k].col))
					v = other_value(k);
				if (!strcmp(cols[c], "scenario"))
					v = variant ? "1" : "0";
				if (fio && !strcmp(cols[c], "method"))
					v = "fio";
				if (fio && !strcmp(cols[c], "op"))
					v = "io";
				fprintf(f, "%s%s", c ? "," : "", v);
			}
			fputc('\n', f);
		}
	fclose(f);
}

static void test_every_key_splits_points(void **state)
{
	char dir[] = "/tmp/gupbench-test-point-XXXXXX", csv[300], err[512];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(csv, sizeof(csv), "%s/results.csv", dir);
	for (size_t k = 0; k < POINT_NKEYS; k++) {
		struct compare_opts o;
		struct compare_result r;
		struct agg a;

		write_fixture(dir, k);
		assert_int_equal(agg_load(&a, csv, err, sizeof(err)), 0);
		if (a.n != 2)
			print_message("# agg pooled rows differing in %s\n", point_keys[k].name);
		assert_int_equal(a.n, 2);
		agg_free(&a);
		compare_opts_default(&o);
		assert_int_equal(compare_runs(dir, dir, &o, &r, err, sizeof(err)), 0);
		if (r.n != 2)
			print_message("# compare joined rows differing in %s\n", point_keys[k].name);
		assert_int_equal(r.n, 2);
		compare_result_free(&r);
		unlink(csv);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_config_key_decided),
		cmocka_unit_test(test_every_key_splits_points),
	};

	return cmocka_run_group_tests_name("point", tests, NULL, NULL);
}
