// SPDX-License-Identifier: GPL-2.0
/*
 * fio's JSON, read on a recorded output: tests/data/fio/io_uring-read-64k.json
 * is `fio --name=t --filename=/var/tmp/fio-t --size=16M --bs=64k --rw=read
 * --direct=1 --ioengine=io_uring --fixedbufs=1 --iodepth=4
 * --output-format=json+ --iomem=mmap` on this VM (fio 3.33, 2026-12-04).
 * The numbers asserted are those in the file. Also: warnings before the
 * JSON, a job's error, output that is no JSON.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fiojson.h"

#define near(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

static char *slurp(const char *path, size_t *len)
{
	char exe[PATH_MAX], full[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	FILE *f;
	char *buf;

	assert_true(n > 0);
	exe[n] = '\0';
	/* <top>/<build>/tests/unit/test_fio */
	for (int i = 0; i < 4; i++)
		dirname(exe);
	snprintf(full, sizeof(full), "%s/%s", exe, path);
	f = fopen(full, "r");
	assert_non_null(f);
	buf = malloc(1 << 20);
	assert_non_null(buf);
	*len = fread(buf, 1, (1 << 20) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static void test_recorded_output(void **state)
{
	struct fio_result r;
	char err[256];
	size_t len;
	char *text = slurp("tests/data/fio/io_uring-read-64k.json", &len);
	double usr, sys;

	(void)state;
	assert_int_equal(fio_json_parse(text, len, &r, err, sizeof(err)), 0);
	assert_string_equal(r.version, "fio-3.33");
	assert_string_equal(r.job, "t");
	near(r.read.iops, 18285.714286, 1e-6);
	assert_int_equal(r.read.ios, 256);		/* 16 MiB in 64 KiB reads */
	near(r.read.clat_mean_ns, 207242.175781, 1e-6);
	near(r.read.clat_p50_ns, 197632, 0);
	near(r.read.clat_p99_ns, 370688, 0);
	near(r.read.bw_bytes, 1198372571, 0);
	assert_int_equal(r.write.ios, 0);
	assert_true(isnan(r.write.clat_mean_ns));	/* no writes: no latency, not 0 */
	near(r.sys_cpu, 23.076923, 1e-6);
	near(r.runtime_ms, 13, 0);
	assert_int_equal(r.ctx, 66);
	fio_cpu_per_io(&r, &usr, &sys);
	near(usr, 0, 0);
	/* 23.08% of 13 ms over 256 I/Os */
	near(sys, 0.23076923 * 13e6 / 256, 1e-3);

	/* fio's warnings before the JSON are not JSON */
	{
		char *warned = malloc(len + 64);

		assert_non_null(warned);
		snprintf(warned, len + 64, "fio: note: a warning\n%s", text);
		assert_int_equal(fio_json_parse(warned, strlen(warned), &r, err, sizeof(err)), 0);
		assert_int_equal(r.read.ios, 256);
		free(warned);
	}
	/* a job that failed: its error number, said */
	{
		char *e = strstr(text, "\"error\" : 0");

		assert_non_null(e);
		memcpy(e, "\"error\" : 5", 11);
		assert_int_not_equal(fio_json_parse(text, len, &r, err, sizeof(err)), 0);
		assert_non_null(strstr(err, "error 5"));
	}
	free(text);
}

static void test_not_json(void **state)
{
	struct fio_result r;
	char err[256];
	const char *msg = "fio: pid=0, err=22/file:filesetup.c:805, func=open, error=Invalid argument\n";

	(void)state;
	assert_int_not_equal(fio_json_parse(msg, strlen(msg), &r, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "no JSON: fio: pid=0"));
	assert_int_not_equal(fio_json_parse("{ \"jobs\" : [ ] }", 16, &r, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "no job"));
	assert_int_not_equal(fio_json_parse("{ \"jobs\" : [ {", 14, &r, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "does not parse"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded_output),
		cmocka_unit_test(test_not_json),
	};

	return cmocka_run_group_tests_name("fio", tests, NULL, NULL);
}
