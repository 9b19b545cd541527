// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of benches/method-gup-test.c without CONFIG_GUP_TEST: the ABI
 * (command numbers, struct layout) against the kernel's mm/gup_test.h,
 * the probe's skip reason, and what cycle() hands the ioctl and makes of
 * its answer, through a fake ioctl and a regular file standing in for
 * the debugfs device.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gup-test.h"
#include "method.h"
#include "util.h"

extern const struct method method_gup_fast, method_pin_fast,
	method_pin_longterm, method_gup_basic, method_pin_basic;

#define MiB (1ULL << 20)
#define FAKE_ADDR 0x7f1234400000ULL	/* never touched: the ioctl is fake */

/* What the fake ioctl saw, and what it answers. */
static struct {
	int calls;
	int fd;
	unsigned long cmd;
	struct gup_test in;
	uint64_t get_usec, put_usec;
	uint64_t size_out;	/* 0: echo the size asked for */
	int ret;
} fake;

static int fake_ioctl(int fd, unsigned long cmd, void *arg)
{
	struct gup_test *g = arg;

	fake.calls++;
	fake.fd = fd;
	fake.cmd = cmd;
	fake.in = *g;
	if (fake.ret)
		return fake.ret;
	g->get_delta_usec = fake.get_usec;
	g->put_delta_usec = fake.put_usec;
	if (fake.size_out)
		g->size = fake.size_out;
	return 0;
}

/* Per-test fixture: a regular file as the device, the fake ioctl. */
struct fix {
	char dev[64];
	struct scenario sc;
	struct buf buf;
	struct mctx c;
};

static int fix_setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	int fd;

	if (!f)
		return -1;
	fmt(f->dev, sizeof(f->dev), "/tmp/gupbench-gup-test-XXXXXX");
	fd = mkstemp(f->dev);
	if (fd < 0) {
		free(f);
		return -1;
	}
	close(fd);
	setenv(GUP_TEST_DEV_ENV, f->dev, 1);

	memset(&fake, 0, sizeof(fake));
	fake.fd = -1;
	gup_test_ioctl_fn = fake_ioctl;

	f->sc.size = 8 * MiB;
	f->buf.spec.size = 8 * MiB;
	f->buf.addr = (void *)(uintptr_t)FAKE_ADDR;
	f->c.sc = &f->sc;
	f->c.buf = &f->buf;
	*state = f;
	return 0;
}

static int fix_teardown(void **state)
{
	struct fix *f = *state;

	unlink(f->dev);
	unsetenv(GUP_TEST_DEV_ENV);
	free(f);
	return 0;
}

/* _IOWR('g', N, 80 bytes) = dir 3 << 30 | 80 << 16 | 'g' << 8 | N */
static void test_cmd_values(void **state)
{
	(void)state;
	assert_int_equal(GUP_FAST_BENCHMARK, 0xc0506701UL);
	assert_int_equal(PIN_FAST_BENCHMARK, 0xc0506702UL);
	assert_int_equal(PIN_LONGTERM_BENCHMARK, 0xc0506703UL);
	assert_int_equal(GUP_BASIC_TEST, 0xc0506704UL);
	assert_int_equal(PIN_BASIC_TEST, 0xc0506705UL);
	assert_int_equal(DUMP_USER_PAGES_TEST, 0xc0506706UL);

	assert_int_equal(gup_test_cmd(&method_gup_fast), 0xc0506701UL);
	assert_int_equal(gup_test_cmd(&method_pin_fast), 0xc0506702UL);
	assert_int_equal(gup_test_cmd(&method_pin_longterm), 0xc0506703UL);
	assert_int_equal(gup_test_cmd(&method_gup_basic), 0xc0506704UL);
	assert_int_equal(gup_test_cmd(&method_pin_basic), 0xc0506705UL);
	assert_int_equal(gup_test_cmd(NULL), 0);
}

/* mm/gup_test.h: 4 x __u64, 3 x __u32, __u32[8], padded to 8. */
static void test_struct_layout(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct gup_test), 80);
	assert_int_equal(offsetof(struct gup_test, get_delta_usec), 0);
	assert_int_equal(offsetof(struct gup_test, put_delta_usec), 8);
	assert_int_equal(offsetof(struct gup_test, addr), 16);
	assert_int_equal(offsetof(struct gup_test, size), 24);
	assert_int_equal(offsetof(struct gup_test, nr_pages_per_call), 32);
	assert_int_equal(offsetof(struct gup_test, gup_flags), 36);
	assert_int_equal(offsetof(struct gup_test, test_flags), 40);
	assert_int_equal(offsetof(struct gup_test, which_pages), 44);
	assert_int_equal(GUP_TEST_FOLL_WRITE, 0x01);
}

static void test_method_table(void **state)
{
	const struct method *const all[] = {
		&method_gup_fast, &method_pin_fast, &method_pin_longterm,
		&method_gup_basic, &method_pin_basic,
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(all); i++) {
		assert_int_equal(all[i]->shape, SHAPE_PAIRED);
		assert_true(all[i]->flags & M_KERNEL_TIMED);
		assert_non_null(all[i]->cycle);
		assert_null(all[i]->pin);
		assert_null(all[i]->unpin);
	}
	assert_string_equal(method_gup_fast.name, "gup-fast");
	assert_int_equal(method_gup_fast.ref, REF_GET);
	assert_int_equal(method_gup_fast.path, PATH_FAST);
	assert_int_equal(method_pin_fast.ref, REF_PIN);
	assert_int_equal(method_pin_fast.path, PATH_FAST);
	assert_true(method_pin_longterm.flags & M_LONGTERM);
	assert_int_equal(method_pin_longterm.path, PATH_SLOW);
	assert_false(method_pin_basic.flags & M_LONGTERM);
	assert_int_equal(method_gup_basic.ref, REF_GET);
	assert_int_equal(method_pin_basic.ref, REF_PIN);
}

static void test_probe_missing_device(void **state)
{
	char why[160] = "";
	int ret;

	(void)state;
	setenv(GUP_TEST_DEV_ENV, "/nonexistent-gupbench/gup_test", 1);
	ret = method_pin_fast.probe(why, sizeof(why));
	unsetenv(GUP_TEST_DEV_ENV);
	assert_int_equal(ret, -ENODEV);
	assert_non_null(strstr(why, "/nonexistent-gupbench/gup_test"));
	assert_non_null(strstr(why, "CONFIG_GUP_TEST"));
}

static void test_dev_path(void **state)
{
	(void)state;
	unsetenv(GUP_TEST_DEV_ENV);
	assert_string_equal(gup_test_dev_path(), "/sys/kernel/debug/gup_test");
	setenv(GUP_TEST_DEV_ENV, "/tmp/x", 1);
	assert_string_equal(gup_test_dev_path(), "/tmp/x");
	unsetenv(GUP_TEST_DEV_ENV);
}

static void test_flags_parse(void **state)
{
	uint32_t f = 99;

	(void)state;
	assert_int_equal(gup_test_flags_parse("", &f), 0);
	assert_int_equal(f, 0);
	assert_int_equal(gup_test_flags_parse("write", &f), 0);
	assert_int_equal(f, 1);
	assert_int_equal(gup_test_flags_parse("touch", &f), -EINVAL);
}

/* The whole buffer in one call when batch is 0, usec to ns. */
static void test_cycle_whole_buffer(void **state)
{
	struct fix *f = *state;
	char why[160] = "";
	uint64_t ns[2] = { 1, 1 };

	assert_int_equal(method_pin_fast.probe(why, sizeof(why)), 0);
	assert_int_equal(method_pin_fast.init(&f->c, why, sizeof(why)), 0);
	assert_true(f->c.note[0] != '\0');

	fake.get_usec = 1234;
	fake.put_usec = 56;
	assert_int_equal(method_pin_fast.cycle(&f->c, ns, why, sizeof(why)), 0);
	assert_int_equal(fake.calls, 1);
	assert_true(fake.fd >= 0);
	assert_int_equal(fake.cmd, PIN_FAST_BENCHMARK);
	assert_int_equal(fake.in.addr, FAKE_ADDR);
	assert_int_equal(fake.in.size, 8 * MiB);
	assert_int_equal(fake.in.nr_pages_per_call, 8 * MiB / 4096);
	assert_int_equal(fake.in.gup_flags, 0);
	assert_int_equal(fake.in.test_flags, 0);
	assert_int_equal(ns[0], 1234000);
	assert_int_equal(ns[1], 56000);
	method_pin_fast.fini(&f->c);
	assert_null(f->c.priv);
}

/* A batch and "write" reach the kernel as nr_pages_per_call / FOLL_WRITE. */
static void test_cycle_batch_write(void **state)
{
	struct fix *f = *state;
	char why[160] = "";
	uint64_t ns[2];

	f->sc.batch = 16;
	f->sc.gup_flags = GUP_EXTRA_WRITE;
	assert_int_equal(method_gup_basic.init(&f->c, why, sizeof(why)), 0);
	fake.get_usec = 7;
	assert_int_equal(method_gup_basic.cycle(&f->c, ns, why, sizeof(why)), 0);
	assert_int_equal(fake.cmd, GUP_BASIC_TEST);
	assert_int_equal(fake.in.nr_pages_per_call, 16);
	assert_int_equal(fake.in.gup_flags, GUP_TEST_FOLL_WRITE);
	assert_int_equal(ns[0], 7000);
	assert_int_equal(ns[1], 0);
	method_gup_basic.fini(&f->c);
}

/* Each method sends its own command. */
static void test_cycle_commands(void **state)
{
	struct fix *f = *state;
	const struct method *const all[] = {
		&method_gup_fast, &method_pin_fast, &method_pin_longterm,
		&method_gup_basic, &method_pin_basic,
	};
	char why[160] = "";
	uint64_t ns[2];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all); i++) {
		assert_int_equal(all[i]->init(&f->c, why, sizeof(why)), 0);
		assert_int_equal(all[i]->cycle(&f->c, ns, why, sizeof(why)), 0);
		assert_int_equal(fake.cmd, gup_test_cmd(all[i]));
		all[i]->fini(&f->c);
	}
	assert_int_equal(fake.calls, (int)ARRAY_SIZE(all));
}

/* The kernel stops at a short GUP call and reports the bytes covered. */
static void test_cycle_short(void **state)
{
	struct fix *f = *state;
	char why[160] = "";
	uint64_t ns[2];

	assert_int_equal(method_pin_basic.init(&f->c, why, sizeof(why)), 0);
	fake.size_out = 4 * MiB;
	assert_int_equal(method_pin_basic.cycle(&f->c, ns, why, sizeof(why)), -EFAULT);
	assert_non_null(strstr(why, "4194304 of 8388608"));
	method_pin_basic.fini(&f->c);
}

static void test_cycle_errors(void **state)
{
	struct fix *f = *state;
	char why[160] = "";
	uint64_t ns[2];

	assert_int_equal(method_pin_longterm.init(&f->c, why, sizeof(why)), 0);
	fake.ret = -ENOMEM;
	assert_int_equal(method_pin_longterm.cycle(&f->c, ns, why, sizeof(why)), -ENOMEM);
	assert_true(why[0] != '\0');

	fake.ret = 0;
	/* no config can say it (scenario_set refuses the name); a stray value still stops here */
	f->sc.gup_flags = 7;
	why[0] = '\0';
	assert_int_equal(method_pin_longterm.cycle(&f->c, ns, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "gup_flags"));
	assert_int_equal(fake.calls, 1);	/* bad flags never reach the kernel */
	method_pin_longterm.fini(&f->c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmd_values),
		cmocka_unit_test(test_struct_layout),
		cmocka_unit_test(test_method_table),
		cmocka_unit_test(test_probe_missing_device),
		cmocka_unit_test(test_dev_path),
		cmocka_unit_test(test_flags_parse),
		cmocka_unit_test_setup_teardown(test_cycle_whole_buffer, fix_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(test_cycle_batch_write, fix_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(test_cycle_commands, fix_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(test_cycle_short, fix_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(test_cycle_errors, fix_setup, fix_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
