// SPDX-License-Identifier: GPL-2.0
/* The run's clock, as the kernel command line of a `gupbench vm` guest says it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "clock.h"

static void test_real_without_the_parameter(void **state)
{
	struct run_clock c;
	char why[128];

	assert_int_equal(run_clock_parse("console=ttyS0 quiet", &c, why, sizeof(why)), 0);
	assert_int_equal(c.icount, 0);
	assert_string_equal(c.cell, "real");
	/* a word that only ends in the name is someone else's parameter */
	assert_int_equal(run_clock_parse("xgupbench.clock=icount:0", &c, why, sizeof(why)), 0);
	assert_int_equal(c.icount, 0);
	assert_int_equal(run_clock_parse("gupbench.clock=real", &c, why, sizeof(why)), 0);
	assert_int_equal(c.icount, 0);
}

static void test_icount_and_its_shift(void **state)
{
	struct run_clock c;
	char why[128];

	assert_int_equal(run_clock_parse("console=ttyS0 gupbench.clock=icount:0 rdinit=/init\n", &c,
					 why, sizeof(why)), 0);
	assert_int_equal(c.icount, 1);
	assert_int_equal(c.shift, 0);
	assert_string_equal(c.cell, "icount shift=0");
	assert_string_equal(c.unit, "guest instructions, 1 per virtual ns");
	/* the last one wins, as with the kernel's own parameters */
	assert_int_equal(run_clock_parse("gupbench.clock=icount:0 gupbench.clock=icount:3", &c, why,
					 sizeof(why)), 0);
	assert_int_equal(c.shift, 3);
	assert_string_equal(c.cell, "icount shift=3");
	assert_non_null(strstr(c.unit, "8 ns per guest instruction"));
}

static void test_bad_values_refused(void **state)
{
	static const char *const bad[] = {
		"gupbench.clock=icount", "gupbench.clock=icount:", "gupbench.clock=icount:11",
		"gupbench.clock=icount:-1", "gupbench.clock=icount:1x", "gupbench.clock=tsc",
		"gupbench.clock=",
	};
	struct run_clock c;
	char why[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(run_clock_parse(bad[i], &c, why, sizeof(why)), -22);
		assert_true(why[0]);
		/* refused: the clock stays real */
		assert_int_equal(c.icount, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_without_the_parameter),
		cmocka_unit_test(test_icount_and_its_shift),
		cmocka_unit_test(test_bad_values_refused),
	};

	return cmocka_run_group_tests_name("clock", tests, NULL, NULL);
}
