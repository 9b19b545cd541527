/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's gup_test ABI (mm/gup_test.h, CONFIG_GUP_TEST), which is not
 * exported to user space, restated here, plus the seams a unit test needs
 * to drive method-gup-test.c without the debugfs file.
 */
#ifndef GUPBENCH_GUP_TEST_H
#define GUPBENCH_GUP_TEST_H

#include <linux/types.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "method.h"

#define GUP_TEST_MAX_PAGES_TO_DUMP	8

/* Same layout as the kernel's since 5.11 (gup_benchmark before). */
struct gup_test {
	__u64 get_delta_usec;	/* out: the pin loop, in usec */
	__u64 put_delta_usec;	/* out: the put/unpin of all pages, usec */
	__u64 addr;
	__u64 size;		/* in: bytes; out: bytes actually covered */
	__u32 nr_pages_per_call;
	__u32 gup_flags;	/* FOLL_* passed through to the GUP call */
	__u32 test_flags;	/* DUMP_USER_PAGES_TEST only */
	__u32 which_pages[GUP_TEST_MAX_PAGES_TO_DUMP];
};

_Static_assert(sizeof(struct gup_test) == 80,
	       "struct gup_test must match the kernel's 80 bytes");

#define GUP_FAST_BENCHMARK	_IOWR('g', 1, struct gup_test)
#define PIN_FAST_BENCHMARK	_IOWR('g', 2, struct gup_test)
#define PIN_LONGTERM_BENCHMARK	_IOWR('g', 3, struct gup_test)
#define GUP_BASIC_TEST		_IOWR('g', 4, struct gup_test)
#define PIN_BASIC_TEST		_IOWR('g', 5, struct gup_test)
#define DUMP_USER_PAGES_TEST	_IOWR('g', 6, struct gup_test)

/* include/linux/mm_types.h: the only flag user space may ask for here. */
#define GUP_TEST_FOLL_WRITE	0x01

#define GUP_TEST_DEV_DEFAULT	"/sys/kernel/debug/gup_test"
#define GUP_TEST_DEV_ENV	"GUPBENCH_GUP_TEST_DEV"

/*
 * Every gup_test ioctl goes through this pointer: 0 or -errno. A unit test
 * replaces it with a fake that fills the deltas.
 */
extern int (*gup_test_ioctl_fn)(int fd, unsigned long cmd, void *arg);

/* The device: $GUPBENCH_GUP_TEST_DEV, else the debugfs default. */
const char *gup_test_dev_path(void);

/* The ioctl command a method issues; 0 if m is not a gup_test method. */
unsigned long gup_test_cmd(const struct method *m);

/* Scenario gup_flags ("" or "write") to FOLL_* bits; 0 or -EINVAL. */
int gup_test_flags_parse(const char *s, uint32_t *out);

#endif
