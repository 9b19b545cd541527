// SPDX-License-Identifier: GPL-2.0
/*
 * Config parsing, matrix expansion and size parsing: pure logic, on
 * config files written to a temporary directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "knobs.h"
#include "util.h"

static char tmpdir[] = "/tmp/gupbench-test-config-XXXXXX";

static const char *write_cfg(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static const char *write_cfg_path(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

/* Load and expand; returns the error text ("" when it worked). */
static const char *load(const char *text, struct cfg *c, struct plan *p)
{
	static char err[1024];
	const char *path = write_cfg("t.ini", text);

	memset(c, 0, sizeof(*c));
	memset(p, 0, sizeof(*p));
	err[0] = '\0';
	if (cfg_load(c, path, err, sizeof(err)) == 0)
		cfg_expand(c, p, err, sizeof(err));
	return err;
}

static void expect_error(const char *text, const char *want)
{
	struct cfg c;
	struct plan p;
	const char *err = load(text, &c, &p);

	if (!strstr(err, want))
		fail_msg("config:\n%s\nwanted an error containing \"%s\", got \"%s\"", text, want, err);
	plan_free(&p);
	cfg_free(&c);
}

static void test_size_parse(void **state)
{
	static const struct {
		const char *s;
		uint64_t v;
	} good[] = {
		{ "4096", 4096 }, { "4k", 4096 }, { "4K", 4096 }, { "2M", 2 << 20 },
		{ "2MiB", 2 << 20 }, { "2mb", 2 << 20 }, { "1G", 1ULL << 30 },
		{ "1T", 1ULL << 40 }, { " 8k ", 8192 },
	};
	static const char *const bad[] = { "", "k", "12Q", "-4k", "4kk", "1.5M", "99999999999999999999" };
	char out[32];
	uint64_t v;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		assert_int_equal(size_parse(good[i].s, &v), 0);
		assert_int_equal(v, good[i].v);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (size_parse(bad[i], &v) == 0)
			fail_msg("\"%s\" parsed as %llu", bad[i], (unsigned long long)v);
	size_format(2 << 20, out, sizeof(out));
	assert_string_equal(out, "2M");
	size_format(12288, out, sizeof(out));
	assert_string_equal(out, "12k");
	size_format(4097, out, sizeof(out));
	assert_string_equal(out, "4097");
}

static void test_defaults_and_global(void **state)
{
	struct cfg c;
	struct plan p;
	const char *err = load("[global]\nsize = 64k\nrepeat = 3\n"
			       "[a]\nmethod = iouring\n"
			       "[b]\nmethod = pvm-read\nrepeat = 5\n", &c, &p);

	assert_string_equal(err, "");
	assert_int_equal(p.n, 2);
	assert_string_equal(p.items[0].sc.job, "a");
	assert_int_equal(p.items[0].sc.size, 65536);
	assert_int_equal(p.items[0].sc.repeat, 3);
	assert_int_equal(p.items[0].sc.order, 0);
	assert_int_equal(p.items[0].sc.populate, 1);
	assert_int_equal(p.items[0].sc.warmup, 1);
	assert_int_equal(p.items[0].sc.rebuild, REBUILD_AUTO);
	assert_int_equal(p.items[0].sc.backing, BACK_ANON);
	assert_int_equal(p.items[1].sc.repeat, 5);
	plan_free(&p);
	cfg_free(&c);
}

/* fio semantics: [global] applies to the jobs after it, not before. */
static void test_global_applies_forward(void **state)
{
	struct cfg c;
	struct plan p;
	const char *err = load("[a]\nmethod = iouring\nsize = 8k\n"
			       "[global]\nrepeat = 7\n"
			       "[b]\nmethod = iouring\nsize = 8k\n", &c, &p);

	assert_string_equal(err, "");
	assert_int_equal(p.n, 2);
	assert_int_equal(p.items[0].sc.repeat, 10);
	assert_int_equal(p.items[1].sc.repeat, 7);
	plan_free(&p);
	cfg_free(&c);
	/* two [global] sections: the second changes the default for what follows */
	err = load("[global]\nrepeat = 5\n[a]\nmethod = iouring\nsize = 8k\n"
		   "[global]\nrepeat = 7\n[b]\nmethod = iouring\nsize = 8k\n", &c, &p);
	assert_string_equal(err, "");
	assert_int_equal(p.items[0].sc.repeat, 5);
	assert_int_equal(p.items[1].sc.repeat, 7);
	plan_free(&p);
	cfg_free(&c);
}

static void test_cross_product(void **state)
{
	struct cfg c;
	struct plan p;
	const char *err = load("[m]\nmethod = iouring, pvm-read\nsize = 8k, 16k, 32k\n"
			       "zero = 0, 0.5\npopulate = yes\n", &c, &p);

	assert_string_equal(err, "");
	assert_int_equal(p.n, 2 * 3 * 2);
	/* table order: method slowest, zero fastest */
	assert_string_equal(p.items[0].sc.method, "iouring");
	assert_int_equal(p.items[0].sc.size, 8192);
	assert_true(p.items[0].sc.zero == 0.0);
	assert_true(p.items[1].sc.zero == 0.5);
	assert_int_equal(p.items[2].sc.size, 16384);
	assert_string_equal(p.items[6].sc.method, "pvm-read");
	assert_int_equal(p.items[11].sc.size, 32768);
	assert_true(p.items[11].sc.zero == 0.5);
	plan_free(&p);
	cfg_free(&c);
}

/* A list of n values "a, b, ..." over continuation lines. */
static void list_text(char *buf, size_t len, const char *key, int n, const char *fmt_one, int step)
{
	size_t off = (size_t)snprintf(buf, len, "%s = ", key);

	for (int i = 0; i < n && off < len; i++) {
		off += (size_t)snprintf(buf + off, len - off, fmt_one, (i + 1) * step);
		off += (size_t)snprintf(buf + off, len - off, i + 1 == n ? "\n" : i % 10 == 9 ?
					",\n\t" : ", ");
	}
}

static void test_matrix_cap(void **state)
{
	char sizes[2048], reps[3072], text[12000];
	struct cfg c;
	struct plan p;
	const char *err;

	/* 2 x 100 x 400 = 80000: made, in the config's order */
	list_text(sizes, sizeof(sizes), "size", 100, "%dk", 4);
	list_text(reps, sizeof(reps), "repeat", 400, "%d", 1);
	snprintf(text, sizeof(text), "[a]\nmethod = iouring, vmsplice\n%s%s", sizes, reps);
	err = load(text, &c, &p);
	assert_string_equal(err, "");
	assert_int_equal(p.n, 80000);
	assert_true(p.cap >= p.n && p.cap < 2 * p.n);	/* grown by doubling */
	assert_int_equal(p.items[79999].sc.repeat, 400);
	plan_free(&p);
	cfg_free(&c);
	/* a second such job passes the cap: refused before a scenario is made */
	snprintf(text, sizeof(text), "[a]\nmethod = iouring, vmsplice\n%s%s[b]\nmethod = iouring\n%s%s",
		 sizes, reps, sizes, reps);
	expect_error(text, "t.ini:53: [b]: the matrix grows past 100000 scenarios");
}

static void test_continuation_lines(void **state)
{
	struct cfg c;
	struct plan p;
	const char *err = load("[m]\nmethod = iouring,\n\tpvm-read, pvm-write\nsize = 8k\n", &c, &p);

	assert_string_equal(err, "");
	assert_int_equal(p.n, 3);
	assert_string_equal(p.items[2].sc.method, "pvm-write");
	plan_free(&p);
	cfg_free(&c);
	/* a bad element on a continuation line is reported on that line */
	expect_error("[m]\nmethod = iouring,\n\tpvm-raed\nsize = 8k\n", ":3: method: unknown method \"pvm-raed\"");
}

static void test_empty_job_section_counts(void **state)
{
	struct cfg c;
	struct plan p;
	const char *err = load("[global]\nmethod = iouring\nsize = 4k\n[only-globals]\n", &c, &p);

	assert_string_equal(err, "");
	assert_int_equal(p.n, 1);
	plan_free(&p);
	cfg_free(&c);
}

static void test_errors_name_file_line_key(void **state)
{
	char want[512];

	snprintf(want, sizeof(want), "%s/t.ini:3: sise: unknown key", tmpdir);
	expect_error("[a]\nmethod = iouring\nsise = 4k\n", want);
	snprintf(want, sizeof(want), "%s/t.ini:2: method: unknown method \"iouringg\"", tmpdir);
	expect_error("[a]\nmethod = iouringg\nsize = 4k\n", want);
	snprintf(want, sizeof(want), "%s/t.ini:3: size: \"12Q\" is not a size", tmpdir);
	expect_error("[a]\nmethod = iouring\nsize = 4k, 12Q\n", want);
	snprintf(want, sizeof(want), "%s/t.ini:4: zero: \"1.5\" is not a ratio in 0..1", tmpdir);
	expect_error("[a]\nmethod = iouring\nsize = 4k\nzero = 1.5\n", want);
	expect_error("[a]\nmethod = iouring\nsize = 4k\nzero = -0.1\n", "zero: \"-0.1\" is not a ratio");
	expect_error("[a]\nmethod = iouring\nsize = 6000\n", "size: \"6000\" is not a positive multiple of 4k");
	expect_error("[a]\nmethod = iouring\nsize = 4k\nrepeat = 0\n", "repeat: \"0\" is not a whole number");
	expect_error("[a]\nmethod = iouring\nsize = 4k\npopulate = maybe\n", "populate: \"maybe\" is not yes or no");
	expect_error("[a]\nmethod = iouring\nmethod = pvm-read\nsize = 4k\n", ":3: method: set twice in [a]");
	expect_error("method = iouring\n[a]\nsize = 4k\n", ":1: method: key outside any section");
	expect_error("[global]\nmethod = iouring\nsize = 4k\n", "no jobs");
	expect_error("[a]\nsize = 4k\n", ":1: [a]: method: required key missing");
	expect_error("[a]\nmethod = iouring\n", ":1: [a]: size: required key missing");
	expect_error("[a]\nmethod = iouring\nsize = 4k\n[a]\nmethod = iouring\n", ":4: [a]: duplicate section");
	expect_error("[a]\nmethod = iouring\nsize = 4k\nbackign = anon\n", ":4: backign: unknown key");
	expect_error("[a]\nmethod = iouring\nsize = 4k\nrebuild = sometimes\n",
		     "rebuild: \"sometimes\" is not one of: auto, each, once");
	expect_error("[a\nmethod = iouring\n", ":1: syntax error");
	/* one [global] says a key once; a later one may change it for the jobs after it */
	expect_error("[global]\nrepeat = 5\nrepeat = 7\n[a]\nmethod = iouring\nsize = 4k\n",
		     ":3: repeat: set twice in [global] (first on line 2)");
	/* a section name cut short could become another's */
	expect_error("[aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab]\n"
		     "method = iouring\nsize = 4k\n", ":1: [aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...]: "
		     "a section name has at most 63 characters");
	/* a buffer far beyond this machine's memory */
	expect_error("[a]\nmethod = iouring\nsize = 64T\n", ":3: size: 64T is more than memory allows");
}

/* Lines the INI reader would split, NULs and BOMs: refused with file:line. */
static void test_lines_the_reader_cannot_take(void **state)
{
	char text[600], pad[400];
	struct cfg c;
	struct plan p;
	const char *err;
	FILE *f;

	memset(pad, '0', 196);
	pad[196] = '\0';
	/* a long comment whose tail would have read as "order = pmd" */
	snprintf(text, sizeof(text), "[j]\nmethod=iouring\nsize=4M\n; %s order = pmd\n", pad);
	expect_error(text, "t.ini:4: line longer than 198 characters");
	/* 198 characters still parse, and mean what they say */
	pad[198 - 2 - 5] = '\0';
	snprintf(text, sizeof(text), "[j]\nmethod=iouring\nsize=4M\n; %s tail\n", pad);
	err = load(text, &c, &p);
	assert_string_equal(err, "");
	assert_int_equal(p.n, 1);
	assert_int_equal(p.items[0].sc.order, 0);
	plan_free(&p);
	cfg_free(&c);
	expect_error("\xef\xbb\xbf[j]\nmethod=iouring\nsize=4M\n", ":1: starts with a UTF-8 byte order mark");
	/* a NUL byte */
	f = fopen(write_cfg("t.ini", ""), "w");
	{
		static const char nul[] = "[j]\nmethod=iouring\n\0size=4M\n";

		fwrite(nul, 1, sizeof(nul) - 1, f);
	}
	fclose(f);
	memset(&c, 0, sizeof(c));
	assert_int_not_equal(cfg_load(&c, write_cfg_path("t.ini"), text, sizeof(text)), 0);
	assert_non_null(strstr(text, "t.ini:3: a NUL byte"));
	cfg_free(&c);
}

static void test_order_values(void **state)
{
	unsigned long offered = thp_anon_orders();
	int pmd = thp_pmd_order();
	struct scenario sc;
	char why[256];

	scenario_defaults(&sc);
	assert_int_equal(scenario_set(&sc, "order", "0", why, sizeof(why)), 0);
	assert_int_equal(sc.order, 0);
	assert_int_equal(scenario_set(&sc, "order", "4k", why, sizeof(why)), 0);
	assert_int_equal(sc.order, 0);
	assert_int_not_equal(scenario_set(&sc, "order", "banana", why, sizeof(why)), 0);
	assert_non_null(strstr(why, "not an order"));
	/* an order no backing offers */
	assert_int_not_equal(scenario_set(&sc, "order", "25", why, sizeof(why)), 0);
	assert_non_null(strstr(why, "not offered"));
	if (pmd < 0 || !(offered & (1UL << pmd))) {
		print_message("# no PMD THP on this kernel: pmd/2M cases not checked\n");
		return;
	}
	assert_int_equal(scenario_set(&sc, "order", "pmd", why, sizeof(why)), 0);
	assert_int_equal(sc.order, pmd);
	assert_int_equal(scenario_set(&sc, "order", "2M", why, sizeof(why)), 0);
	assert_int_equal(sc.order, 9);
	/* order 1 is shmem-only on current kernels: anon must refuse it */
	if (!(offered & 2))
		expect_error("[a]\nmethod = iouring\nsize = 8k\norder = 1\n",
			     ":4: order: order 1 is not offered by this kernel for anon memory");
}

static void test_backing_rules(void **state)
{
	struct cfg c;
	struct plan p;
	const char *err;

	/* hugetlb: the order is the page size, zero pages do not exist */
	err = load("[h]\nmethod = iouring\nbacking = hugetlb-2M\nsize = 4M\n", &c, &p);
	assert_string_equal(err, "");
	assert_int_equal(p.n, 1);
	assert_int_equal(p.items[0].sc.order, 9);
	plan_free(&p);
	cfg_free(&c);
	expect_error("[h]\nmethod = iouring\nbacking = hugetlb-2M\nsize = 4M\norder = 0\n",
		     ":5: order: hugetlb-2M pages are order 9");
	expect_error("[h]\nmethod = iouring\nbacking = hugetlb-2M\nsize = 4M\nzero = 0.5\n",
		     ":5: zero: hugetlb-2M has no zero page");
	expect_error("[h]\nmethod = iouring\nbacking = hugetlb-2M\nsize = 3M\n",
		     "size: 3M is not a multiple of the order-9 folio size 2M");
	expect_error("[f]\nmethod = pvm-read\nbacking = file\nsize = 4M\norder = pmd\n",
		     ":5: order: order 9 is not offered by this kernel for file memory");
	expect_error("[a]\nmethod = iouring\nbacking = tmpfs\nsize = 4M\n",
		     ":3: backing: \"tmpfs\" is not one of");
	if (kernel_version() >= 0x060500)
		expect_error("[f]\nmethod = iouring\nbacking = file\nsize = 4M\n",
			     ":3: backing: iouring cannot pin file memory");
}

static void test_size_vs_order(void **state)
{
	int pmd = thp_pmd_order();

	if (pmd != 9 || !(thp_anon_orders() & (1UL << 9)))
		skip();
	expect_error("[a]\nmethod = iouring\nsize = 4k\norder = pmd\n",
		     ":3: size: 4k is not a multiple of the order-9 folio size 2M");
	expect_error("[a]\nmethod = iouring\nsize = 2M\norder = pmd\nzero = 0.5\n",
		     ":5: zero: 0.5 of 2M in 2M chunks gives no zero chunk");
}

/* The worker gets the scenario back through scenario_get/scenario_set. */
static void test_roundtrip(void **state)
{
	struct scenario a, b;
	char why[256], v[128];

	scenario_defaults(&a);
	assert_int_equal(scenario_set(&a, "method", "pvm-write", why, sizeof(why)), 0);
	assert_int_equal(scenario_set(&a, "size", "12k", why, sizeof(why)), 0);
	assert_int_equal(scenario_set(&a, "zero", "0.3", why, sizeof(why)), 0);
	assert_int_equal(scenario_set(&a, "rebuild", "each", why, sizeof(why)), 0);
	assert_int_equal(scenario_set(&a, "batch", "64", why, sizeof(why)), 0);
	assert_int_equal(scenario_set(&a, "gup_flags", "write", why, sizeof(why)), 0);
	scenario_defaults(&b);
	for (size_t i = 0; i < opt_count(); i++) {
		scenario_get(&a, i, v, sizeof(v));
		if (scenario_set(&b, opt_name(i), v, why, sizeof(why)))
			fail_msg("%s=%s: %s", opt_name(i), v, why);
	}
	assert_memory_equal(&a, &b, sizeof(a));
}

static int setup(void **state)
{
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_parse),
		cmocka_unit_test(test_defaults_and_global),
		cmocka_unit_test(test_global_applies_forward),
		cmocka_unit_test(test_cross_product),
		cmocka_unit_test(test_matrix_cap),
		cmocka_unit_test(test_continuation_lines),
		cmocka_unit_test(test_empty_job_section_counts),
		cmocka_unit_test(test_errors_name_file_line_key),
		cmocka_unit_test(test_lines_the_reader_cannot_take),
		cmocka_unit_test(test_order_values),
		cmocka_unit_test(test_size_vs_order),
		cmocka_unit_test(test_backing_rules),
		cmocka_unit_test(test_roundtrip),
	};

	return cmocka_run_group_tests_name("config", tests, setup, teardown);
}
