// SPDX-License-Identifier: GPL-2.0
/*
 * The pure parts of probing and of "what the buffer got": the zero-page
 * verdict from pagemap/kpageflags entries, and the mismatch text a row
 * carries when the kernel gave other memory than was asked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "buf.h"
#include "kfeat.h"

#define PRESENT		(1ULL << 63)
#define EXCLUSIVE	(1ULL << 56)
#define ZERO_FLAG	(1ULL << 24)
#define N		4

static void test_zero_verdict_with_pfns(void **state)
{
	unsigned long long pm[N], kpf[N];
	char why[192];

	(void)state;
	for (int i = 0; i < N; i++) {
		pm[i] = PRESENT | 0x1234;	/* one PFN for all: the zero page */
		kpf[i] = ZERO_FLAG;
	}
	assert_int_equal(kfeat_zero_verdict(pm, kpf, N, why, sizeof(why)), KF_YES);
	assert_non_null(strstr(why, "KPF_ZERO_PAGE"));
	/* pvm_no_zero_page=1: fresh pages, distinct PFNs, no zero flag */
	for (int i = 0; i < N; i++) {
		pm[i] = PRESENT | EXCLUSIVE | (0x1000 + i);
		kpf[i] = 0;
	}
	assert_int_equal(kfeat_zero_verdict(pm, kpf, N, why, sizeof(why)), KF_NO);
	assert_non_null(strstr(why, "0 of 4"));
	kpf[2] = ZERO_FLAG;
	assert_int_equal(kfeat_zero_verdict(pm, kpf, N, why, sizeof(why)), KF_NO);
	assert_non_null(strstr(why, "1 of 4"));
	/* a page not present after its read fault: cannot tell */
	pm[1] = 0;
	assert_int_equal(kfeat_zero_verdict(pm, kpf, N, why, sizeof(why)), KF_UNKNOWN);
}

static void test_zero_verdict_without_pfns(void **state)
{
	unsigned long long pm[N];
	char why[192];

	(void)state;
	/* not root: PFNs read as 0; the zero page is never mapped exclusively */
	for (int i = 0; i < N; i++)
		pm[i] = PRESENT;
	assert_int_equal(kfeat_zero_verdict(pm, NULL, N, why, sizeof(why)), KF_YES);
	assert_non_null(strstr(why, "bit 56"));
	for (int i = 0; i < N; i++)
		pm[i] = PRESENT | EXCLUSIVE;
	assert_int_equal(kfeat_zero_verdict(pm, NULL, N, why, sizeof(why)), KF_NO);
}

static void test_mismatch_text(void **state)
{
	struct buf_got g = { .pages = 1024, .present = 1024, .exact = 1, .order = 0,
			     .node = 0, .zero_pages = 512, .zero_asked = 512, .node_asked = -1 };
	char t[160];

	(void)state;
	assert_int_equal(buf_got_mismatch(&g, t, sizeof(t)), 0);
	assert_string_equal(t, "");
	g.zero_pages = 0;
	assert_int_equal(buf_got_mismatch(&g, t, sizeof(t)), 1);
	assert_string_equal(t, "zero pages 0 of 512 asked");
	g.order_asked = 9;
	g.node_asked = 1;
	assert_int_equal(buf_got_mismatch(&g, t, sizeof(t)), 1);
	assert_string_equal(t, "zero pages 0 of 512 asked; order 0 for order 9 asked; "
			       "node 0 for node 1 asked");
	/* without PFNs neither zero pages nor orders are known: only the node */
	g.exact = 0;
	assert_int_equal(buf_got_mismatch(&g, t, sizeof(t)), 1);
	assert_string_equal(t, "node 0 for node 1 asked");
	/* nothing present: no order to hold against the ask */
	g.exact = 1;
	g.node_asked = -1;
	g.order = -1;
	g.zero_pages = 512;
	assert_int_equal(buf_got_mismatch(&g, t, sizeof(t)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero_verdict_with_pfns),
		cmocka_unit_test(test_zero_verdict_without_pfns),
		cmocka_unit_test(test_mismatch_text),
	};

	return cmocka_run_group_tests_name("probe", tests, NULL, NULL);
}
