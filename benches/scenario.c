// SPDX-License-Identifier: GPL-2.0
/*
 * The scenario model: one table of the keys a scenario has, their types,
 * defaults and help, and the functions that set a key from its text and
 * format it back. The runner parses config files with it (runners/
 * config.c); the worker parses its key=value arguments with the same
 * table; `gupbench keys` and the README's key list are printed from it.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "method.h"
#include "placement.h"
#include "scenario.h"
#include "thp.h"
#include "util.h"

enum opt_type { OPT_STR, OPT_THREADS, OPT_NODE, OPT_METHOD, OPT_SIZE, OPT_ORDER, OPT_RATIO, OPT_BOOL, OPT_UINT, OPT_ENUM };

struct opt {
	const char *name;
	enum opt_type type;
	size_t off;
	size_t len;			/* OPT_STR, OPT_METHOD: field size */
	const char *def;		/* NULL: required */
	long min, max;			/* OPT_UINT */
	const char *const *choices;	/* OPT_ENUM: index is the value */
	const char *help;
};

static const char *const rebuilds[] = { "auto", "each", "once", NULL };
static const char *const gup_flag_names[] = { "none", "write", NULL };
static const char *const pinned_names[] = { "yes", "no", "dontfork", NULL };
static const char *const share_names[] = { "private", "shared", NULL };
static const char *const fio_engines[] = { "io_uring", "libaio", "psync", NULL };
static const char *const fio_rws[] = { "randread", "randwrite", "read", "write", NULL };

const char *fio_engine_name(int engine)
{
	return engine >= 0 && engine < (int)ARRAY_SIZE(fio_engines) - 1 ? fio_engines[engine] : "?";
}

const char *fio_rw_name(int rw)
{
	return rw >= 0 && rw < (int)ARRAY_SIZE(fio_rws) - 1 ? fio_rws[rw] : "?";
}

const char *share_name(int share)
{
	return share >= 0 && share < (int)ARRAY_SIZE(share_names) - 1 ? share_names[share] : "?";
}

const char *gup_extra_name(int gup_flags)
{
	return gup_flags >= 0 && gup_flags < (int)ARRAY_SIZE(gup_flag_names) - 1 ?
	       gup_flag_names[gup_flags] : "?";
}

const char *pinned_name(int pinned)
{
	return pinned >= 0 && pinned < (int)ARRAY_SIZE(pinned_names) - 1 ? pinned_names[pinned] : "?";
}

#define F(field) offsetof(struct scenario, field)
#define L(field) sizeof(((struct scenario *)0)->field)

/* Table order is matrix nesting order: the first key varies slowest. */
static const struct opt opts[] = {
	{ "method", OPT_METHOD, F(method), L(method), NULL, 0, 0, NULL,
	  "pin method (gupbench list); required" },
	{ "backing", OPT_ENUM, F(backing), 0, "anon", 0, 0, buf_backing_names,
	  "memory kind: anon, anon-shared, memfd, hugetlb-2M, hugetlb-1G, file" },
	{ "size", OPT_SIZE, F(size), 0, NULL, 0, 0, NULL,
	  "buffer size, 4k..most of RAM (k/M/G/T suffixes, binary); fio: the region it does "
	  "I/O on; required" },
	{ "order", OPT_ORDER, F(order), 0, "0", 0, 0, NULL,
	  "folio order: a number, a folio size (64k, 2M) or pmd; hugetlb: its page size" },
	{ "zero", OPT_RATIO, F(zero), 0, "0", 0, 0, NULL,
	  "fraction 0..1 of folio-sized chunks only read-faulted (shared zero page), evenly spread" },
	{ "populate", OPT_BOOL, F(populate), 0, "yes", 0, 0, NULL,
	  "fault the other chunks in by writing before the pin (yes/no)" },
	{ "repeat", OPT_UINT, F(repeat), 0, "10", 1, 1000000, NULL,
	  "measured samples per op" },
	{ "warmup", OPT_UINT, F(warmup), 0, "1", 0, 1000000, NULL,
	  "samples per op run first and kept as status=warmup" },
	{ "rebuild", OPT_ENUM, F(rebuild), 0, "auto", 0, 0, rebuilds,
	  "fresh buffer per sample: auto (when an op changes the buffer), each, once" },
	{ "threads", OPT_THREADS, F(threads), 0, "1", 1, 256, NULL,
	  "pinning threads, each bound to its own CPU: 1..256, or all (every CPU the worker may use)" },
	{ "share", OPT_ENUM, F(share), 0, "private", 0, 0, share_names,
	  "threads > 1: a private buffer per thread, or one shared buffer they all pin" },
	{ "batch", OPT_UINT, F(batch), 0, "0", 0, 1L << 30, NULL,
	  "gup_test nr_pages_per_call; 0 = the whole buffer in one call" },
	{ "gup_flags", OPT_ENUM, F(gup_flags), 0, "none", 0, 0, gup_flag_names,
	  "gup_test extra gup_flags: none or write (FOLL_WRITE)" },
	{ "pinned", OPT_ENUM, F(pinned), 0, "yes", 0, 0, pinned_names,
	  "fork: the buffer is pinned (yes), not pinned (no), or pinned and MADV_DONTFORK" },
	{ "pin_method", OPT_METHOD, F(pin_method), L(pin_method), "iouring", 0, 0, NULL,
	  "fork: the method that holds the pin (a separate pin/unpin method)" },
	{ "mem_node", OPT_NODE, F(mem_node), L(mem_node), "any", 0, 0, NULL,
	  "NUMA node of the buffer: any, all (interleave), local or remote (to cpu_node), or N" },
	{ "cpu_node", OPT_NODE, F(cpu_node), L(cpu_node), "any", 1, 0, NULL,
	  "NUMA node whose CPUs run the worker: any or N" },
	{ "fio_engine", OPT_ENUM, F(fio_engine), 0, "io_uring", 0, 0, fio_engines,
	  "fio: the I/O engine: io_uring, libaio or psync" },
	{ "fixedbufs", OPT_BOOL, F(fixedbufs), 0, "no", 0, 0, NULL,
	  "fio io_uring: registered buffers, pinned once at set-up instead of per I/O (yes/no)" },
	{ "iodepth", OPT_UINT, F(iodepth), 0, "1", 1, 4096, NULL,
	  "fio: I/Os in flight (psync: 1); the buffer is bs x iodepth" },
	{ "bs", OPT_SIZE, F(bs), 0, "4k", 0, 0, NULL,
	  "fio: bytes per I/O, a multiple of 4k" },
	{ "rw", OPT_ENUM, F(rw), 0, "randread", 0, 0, fio_rws,
	  "fio: randread, randwrite, read or write (read: the device writes the buffer)" },
	{ "target", OPT_STR, F(target), L(target), "zram", 0, 0, NULL,
	  "fio: zram (a device of size made for the run), null_blk, file (in dir), or a "
	  "block device /dev/... (needs run --allow-device; never a mounted one)" },
	{ "ios", OPT_UINT, F(ios), 0, "0", 0, 100000000, NULL,
	  "fio: I/Os per sample (io_size = ios x bs, wrapping over size); 0: 1 GiB of I/O, "
	  "within 2048..65536 I/Os" },
	{ "dir", OPT_STR, F(dir), L(dir), "/var/tmp", 0, 0, NULL,
	  "directory for files of O_DIRECT methods and file backings (a block-backed fs, e.g. ext4)" },
};

_Static_assert(ARRAY_SIZE(opts) <= CFG_MAX_OPTS, "raise CFG_MAX_OPTS");

size_t opt_count(void)
{
	return ARRAY_SIZE(opts);
}

const char *opt_name(size_t i)
{
	return opts[i].name;
}

const char *opt_help(size_t i)
{
	return opts[i].help;
}

const char *opt_default(size_t i)
{
	return opts[i].def;
}

int opt_index(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
		if (!strcmp(opts[i].name, name))
			return (int)i;
	return -1;
}

static int choice_index(const char *const *choices, const char *val)
{
	for (int i = 0; choices[i]; i++)
		if (!strcasecmp(choices[i], val))
			return i;
	return -1;
}

static void choices_list(const char *const *choices, char *dst, size_t len)
{
	size_t off = 0;

	dst[0] = '\0';
	for (int i = 0; choices[i] && off < len; i++)
		off += snprintf(dst + off, len - off, "%s%s", i ? ", " : "", choices[i]);
}

static int parse_bool(const char *v, int *out)
{
	static const char *const yes[] = { "1", "yes", "true", "on", NULL };
	static const char *const no[] = { "0", "no", "false", "off", NULL };

	if (choice_index(yes, v) >= 0)
		*out = 1;
	else if (choice_index(no, v) >= 0)
		*out = 0;
	else
		return -EINVAL;
	return 0;
}

static int parse_order(const char *v, int *out, char *why, size_t len)
{
	uint64_t bytes;
	char *end;
	long n;
	int o;

	if (!strcasecmp(v, "pmd")) {
		o = thp_pmd_order();
		if (o < 0) {
			fmt(why, len, "\"pmd\": this kernel has no transparent hugepages");
			return -EINVAL;
		}
	} else if (isdigit((unsigned char)v[0]) && (n = strtol(v, &end, 10), !*end)) {
		o = (int)n;
		if (n < 0 || n > 30) {
			fmt(why, len, "\"%s\" is not a folio order", v);
			return -EINVAL;
		}
	} else if (!size_parse(v, &bytes) && ilog2_exact(bytes) >= 12) {
		o = ilog2_exact(bytes) - 12;
	} else {
		fmt(why, len, "\"%s\" is not an order, a folio size or pmd", v);
		return -EINVAL;
	}
	if (o > 20) {
		fmt(why, len, "order %d (\"%s\") is not offered by any backing here", o, v);
		return -EINVAL;
	}
	*out = o;
	return 0;
}

void scenario_defaults(struct scenario *sc)
{
	char why[128];

	memset(sc, 0, sizeof(*sc));
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
		if (opts[i].def)
			scenario_set(sc, opts[i].name, opts[i].def, why, sizeof(why));
}

int scenario_set(struct scenario *sc, const char *key, const char *val, char *why, size_t len)
{
	int i = opt_index(key);
	const struct opt *o;
	char *p, *end;
	uint64_t u;
	double d;
	long n;
	int b;

	if (i < 0) {
		fmt(why, len, "unknown key (gupbench keys lists them)");
		return -EINVAL;
	}
	o = &opts[i];
	p = (char *)sc + o->off;
	if (!*val) {
		fmt(why, len, "empty value");
		return -EINVAL;
	}
	switch (o->type) {
	case OPT_STR:
		if (strlen(val) >= o->len) {
			fmt(why, len, "\"%s\" is longer than %zu characters", val, o->len - 1);
			return -EINVAL;
		}
		strcpy(p, val);
		return 0;
	case OPT_THREADS:
		if (!strcasecmp(val, "all")) {
			*(int *)p = 0;
			return 0;
		}
		errno = 0;
		n = strtol(val, &end, 10);
		if (errno || *end || n < o->min || n > o->max) {
			fmt(why, len, "\"%s\" is not all or a whole number in %ld..%ld", val, o->min, o->max);
			return -EINVAL;
		}
		*(int *)p = (int)n;
		return 0;
	case OPT_NODE:
		/* min = 1 marks the CPU key, which takes no memory placements */
		if (!numa_key_valid(val, (int)o->min) || strlen(val) >= o->len) {
			fmt(why, len, "\"%s\" is not %s", val,
			    o->min ? "any or a node number" : "any, all, local, remote or a node number");
			return -EINVAL;
		}
		strcpy(p, val);
		return 0;
	case OPT_METHOD:
		if (!method_find(val)) {
			fmt(why, len, "unknown method \"%s\" (gupbench list shows them)", val);
			return -EINVAL;
		}
		fmt(p, o->len, "%s", val);
		return 0;
	case OPT_SIZE:
		if (size_parse(val, &u)) {
			fmt(why, len, "\"%s\" is not a size", val);
			return -EINVAL;
		}
		if (u < PAGE_SZ || u % PAGE_SZ) {
			fmt(why, len, "\"%s\" is not a positive multiple of 4k", val);
			return -EINVAL;
		}
		*(uint64_t *)p = u;
		return 0;
	case OPT_ORDER:
		return parse_order(val, (int *)p, why, len);
	case OPT_RATIO:
		errno = 0;
		d = strtod(val, &end);
		if (errno || *end || !(d >= 0.0 && d <= 1.0)) {
			fmt(why, len, "\"%s\" is not a ratio in 0..1", val);
			return -EINVAL;
		}
		*(double *)p = d;
		return 0;
	case OPT_BOOL:
		if (parse_bool(val, &b)) {
			fmt(why, len, "\"%s\" is not yes or no", val);
			return -EINVAL;
		}
		*(int *)p = b;
		return 0;
	case OPT_UINT:
		errno = 0;
		n = strtol(val, &end, 10);
		if (errno || *end || n < o->min || n > o->max) {
			fmt(why, len, "\"%s\" is not a whole number in %ld..%ld", val, o->min, o->max);
			return -EINVAL;
		}
		*(int *)p = (int)n;
		return 0;
	case OPT_ENUM:
		b = choice_index(o->choices, val);
		if (b < 0) {
			char list[128];

			choices_list(o->choices, list, sizeof(list));
			fmt(why, len, "\"%s\" is not one of: %s", val, list);
			return -EINVAL;
		}
		*(int *)p = b;
		return 0;
	}
	return -EINVAL;
}

void scenario_get(const struct scenario *sc, size_t i, char *dst, size_t len)
{
	const struct opt *o = &opts[i];
	const char *p = (const char *)sc + o->off;

	switch (o->type) {
	case OPT_STR:
	case OPT_NODE:
	case OPT_METHOD:
		fmt(dst, len, "%s", p);
		break;
	case OPT_SIZE:
		size_format(*(const uint64_t *)p, dst, len);
		break;
	case OPT_ORDER:
	case OPT_BOOL:
		fmt(dst, len, "%d", *(const int *)p);
		break;
	case OPT_THREADS:
		if (*(const int *)p)
			fmt(dst, len, "%d", *(const int *)p);
		else
			fmt(dst, len, "all");
		break;
	case OPT_RATIO:
		/* %.17g round-trips the double exactly */
		fmt(dst, len, "%.17g", *(const double *)p);
		break;
	case OPT_UINT:
		fmt(dst, len, "%d", *(const int *)p);
		break;
	case OPT_ENUM:
		fmt(dst, len, "%s", o->choices[*(const int *)p]);
		break;
	}
}
