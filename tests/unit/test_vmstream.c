// SPDX-License-Identifier: GPL-2.0
/*
 * The guest-to-host stream of `gupbench vm` (vmstream.h), without a guest:
 * a sender sweeps a directory into a file, a receiver rebuilds it from
 * that file fed in odd-sized pieces; growth, replacement, a cut-off last
 * record and malformed input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "vmstream.h"

struct pair {
	char src[64], dst[64], wire[96];
	struct vmstream_tx tx;
	struct vmstream_rx rx;
	off_t fed;	/* wire bytes given to rx so far */
};

static void put(const char *dir, const char *name, const char *text, const char *mode)
{
	char p[256];
	FILE *f;

	fmt(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, mode);
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *get(const char *dir, const char *name)
{
	static char buf[65536];
	char p[256];
	size_t n;
	FILE *f;

	fmt(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "r");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int setup(void **state)
{
	struct pair *p = calloc(1, sizeof(*p));

	strcpy(p->src, "/tmp/gupbench-vms-src-XXXXXX");
	strcpy(p->dst, "/tmp/gupbench-vms-dst-XXXXXX");
	assert_non_null(mkdtemp(p->src));
	assert_non_null(mkdtemp(p->dst));
	fmt(p->wire, sizeof(p->wire), "%s.wire", p->src);
	p->tx.fd = open(p->wire, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(p->tx.fd >= 0);
	p->tx.dir = p->src;
	p->rx.dir = p->dst;
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	struct pair *p = *state;
	char cmd[256];

	vmstream_tx_free(&p->tx);
	vmstream_rx_free(&p->rx);
	close(p->tx.fd);
	fmt(cmd, sizeof(cmd), "rm -rf %s %s %s", p->src, p->dst, p->wire);
	assert_int_equal(system(cmd), 0);
	free(p);
	return 0;
}

/* Give rx the wire bytes written since last time, in pieces of `piece`. */
static int feed(struct pair *p, size_t piece)
{
	char buf[8192];
	ssize_t n;
	int ret = 0;

	while ((n = pread(p->tx.fd, buf, piece, p->fed)) > 0) {
		ret = vmstream_rx_feed(&p->rx, buf, (size_t)n);
		if (ret)
			return ret;
		p->fed += n;
	}
	return ret;
}

static void test_growth_and_subdirs(void **state)
{
	struct pair *p = *state;
	char sub[128];

	assert_int_equal(write(p->tx.fd, VMSTREAM_HELLO, strlen(VMSTREAM_HELLO)),
			 (ssize_t)strlen(VMSTREAM_HELLO));
	put(p->src, "results.csv", "schema,a\n2,1\n", "w");
	fmt(sub, sizeof(sub), "%s/gbench", p->src);
	mkdir(sub, 0755);
	put(sub, "0.json", "{}\n", "w");
	assert_int_equal(vmstream_tx_sweep(&p->tx), 0);
	assert_int_equal(feed(p, 7), 0);
	assert_true(p->rx.hello);
	assert_string_equal(get(p->dst, "results.csv"), "schema,a\n2,1\n");
	assert_string_equal(get(p->dst, "gbench/0.json"), "{}\n");

	/* appended rows travel as the new bytes only */
	put(p->src, "results.csv", "2,2\n2,3\n", "a");
	off_t before = lseek(p->tx.fd, 0, SEEK_END);
	assert_int_equal(vmstream_tx_sweep(&p->tx), 0);
	off_t sent = lseek(p->tx.fd, 0, SEEK_END) - before;
	assert_true(sent < 40);
	assert_int_equal(feed(p, 1), 0);
	assert_string_equal(get(p->dst, "results.csv"), "schema,a\n2,1\n2,2\n2,3\n");

	/* nothing new, nothing sent */
	before = lseek(p->tx.fd, 0, SEEK_END);
	assert_int_equal(vmstream_tx_sweep(&p->tx), 0);
	assert_int_equal(lseek(p->tx.fd, 0, SEEK_END), before);

	assert_int_equal(vmstream_tx_end(&p->tx, 1), 0);
	assert_int_equal(feed(p, 3), 0);
	assert_true(p->rx.ended);
	assert_int_equal(p->rx.status, 1);
	assert_int_equal(vmstream_rx_pending(&p->rx), 0);
}

static void test_replaced_file_is_resent(void **state)
{
	struct pair *p = *state;
	char a[128], b[128];

	put(p->src, "gbench.json", "a much longer first version\n", "w");
	assert_int_equal(vmstream_tx_sweep(&p->tx), 0);
	/* written beside, renamed over: a new inode, and shorter */
	put(p->src, "gbench.json.tmp", "v2\n", "w");
	fmt(a, sizeof(a), "%s/gbench.json.tmp", p->src);
	fmt(b, sizeof(b), "%s/gbench.json", p->src);
	assert_int_equal(rename(a, b), 0);
	assert_int_equal(vmstream_tx_sweep(&p->tx), 0);
	assert_int_equal(feed(p, 5), 0);
	assert_string_equal(get(p->dst, "gbench.json"), "v2\n");
}

static void test_cut_off_record_is_pending(void **state)
{
	struct pair *p = *state;
	char buf[256];
	ssize_t n;

	put(p->src, "results.csv", "schema,a\n2,1\n", "w");
	assert_int_equal(vmstream_tx_sweep(&p->tx), 0);
	n = pread(p->tx.fd, buf, sizeof(buf), 0);
	assert_true(n > 10);
	/* the guest died 4 bytes before the end of its last record */
	assert_int_equal(vmstream_rx_feed(&p->rx, buf, (size_t)n - 4), 0);
	assert_int_equal(vmstream_rx_pending(&p->rx) > 0, 1);
	assert_false(p->rx.ended);
	/* the T record before it was applied: the file exists, still empty */
	assert_string_equal(get(p->dst, "results.csv"), "");
}

static void test_malformed_is_refused(void **state)
{
	struct pair *p = *state;
	static const char *const bad[] = {
		"X what\n",
		"D 0 5 ../escape\nhello",
		"D 0 5 /abs\nhello",
		"D -1 5 a\nhello",
		"H gupbench-vm 9\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vmstream_rx rx = { .dir = p->dst };

		assert_int_equal(vmstream_rx_feed(&rx, bad[i], strlen(bad[i])), -EPROTO);
		assert_true(rx.err[0]);
		vmstream_rx_free(&rx);
	}
	assert_null(get(p->dst, "../escape"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_growth_and_subdirs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replaced_file_is_resent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cut_off_record_is_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_is_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
