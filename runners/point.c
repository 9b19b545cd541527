// SPDX-License-Identifier: GPL-2.0
/*
 * The point key. Not in it:
 *  - job: a section renamed between two runs is still the same point; the
 *    same point reached from two jobs of one run is pooled;
 *  - path, ref, longterm, clock: functions of the method;
 *  - what a row measured (order_got, node_got, mismatch, ...) and how (rep, fresh).
 * write is in: for gup_test methods it carries gup_flags.
 */
#include <stdlib.h>
#include <string.h>

#include "method.h"
#include "point.h"
#include "util.h"

const struct point_key point_keys[POINT_NKEYS] = {
	{ "method", "method", "method", 1 },
	{ "backing", "backing", "backing", 1 },
	{ "size_bytes", "size", "size", 1 },
	{ "folio_order", "order", "order", 1 },
	{ "zero_ratio", "zero", "zero", 1 },
	{ "populate", "populate", "populate", 0 },
	{ "threads", "threads", "threads", 0 },
	{ "share", "share", "share", 0 },
	{ "mem_node", "mem_node", "mem_node", 0 },
	{ "cpu_node", "cpu_node", "cpu_node", 0 },
	{ "pinned", "pinned", "pinned", 0 },
	{ "pin_method", "pin_method", "pin_method", 0 },
	{ "write", "write", "gup_flags", 0 },
	{ "batch", "batch", "batch", 0 },
	{ "fio_engine", "fio_engine", "fio_engine", 0 },
	{ "fixedbufs", "fixedbufs", "fixedbufs", 0 },
	{ "iodepth", "iodepth", "iodepth", 0 },
	{ "bs", "bs", "bs", 0 },
	{ "rw", "rw", "rw", 0 },
	{ "target", "target", "target", 0 },
};

const struct point_not_key point_not_keys[] = {
	{ "repeat", "how many samples of the point, not which point" },
	{ "warmup", "samples kept apart as status=warmup" },
	{ "rebuild", "recorded per row as fresh; a fresh and a reused buffer pool today" },
	{ "dir", "where files are made, not what is measured" },
	{ "ios", "how long a fio sample is, not which point (rows carry io_count)" },
};
const size_t point_not_nkeys = ARRAY_SIZE(point_not_keys);

int point_key_find(const char *name)
{
	for (size_t k = 0; k < POINT_NKEYS; k++)
		if (!strcmp(point_keys[k].name, name) || !strcmp(point_keys[k].col, name))
			return (int)k;
	return -1;
}

void point_key_value(size_t k, const char *v, const char *method, int threads, char *dst,
		     size_t len)
{
	const char *col = point_keys[k].col;
	/*
	 * Which keys the method reads, for the last method seen: asked once per
	 * cell of a million-row CSV, and rows come grouped by method.
	 */
	static __thread char last[64] = "\001";
	static __thread signed char reads[POINT_NKEYS];

	if (strncmp(method, last, sizeof(last))) {
		for (size_t i = 0; i < POINT_NKEYS; i++)
			reads[i] = (signed char)method_reads_key(method, point_keys[i].opt);
		fmt(last, sizeof(last), "%s", method);
		if (strlen(method) >= sizeof(last))
			last[0] = '\001';	/* too long to remember: asked again next time */
	}
	if (!reads[k])
		v = "-";
	else if (!strcmp(col, "share") && threads <= 1)
		v = "-";
	if ((!strcmp(col, "size_bytes") || !strcmp(col, "bs")) && *v && strcmp(v, "-")) {
		size_format(strtoull(v, NULL, 10), dst, len);
		return;
	}
	fmt(dst, len, "%s", v);
}
