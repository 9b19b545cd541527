// SPDX-License-Identifier: GPL-2.0
/* The run's clock: real, or QEMU's instruction counter (clock.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "util.h"

#define CLOCK_PARAM "gupbench.clock="

void run_clock_cell(int icount, int shift, char *dst, size_t len)
{
	if (icount)
		fmt(dst, len, "icount shift=%d", shift);
	else
		fmt(dst, len, "real");
}

static void set_real(struct run_clock *c, const char *source)
{
	memset(c, 0, sizeof(*c));
	run_clock_cell(0, 0, c->cell, sizeof(c->cell));
	fmt(c->unit, sizeof(c->unit), "nanoseconds of the machine's clock");
	fmt(c->source, sizeof(c->source), "%s", source);
}

int run_clock_parse(const char *cmdline, struct run_clock *c, char *why, size_t len)
{
	const char *p = cmdline, *v = NULL;
	char word[64];
	size_t n;
	long shift;
	char *end;

	set_real(c, "no " CLOCK_PARAM " on the kernel command line");
	/* the last one wins, as the kernel's own parameters do */
	while ((p = strstr(p, CLOCK_PARAM))) {
		if (p == cmdline || p[-1] == ' ')
			v = p + strlen(CLOCK_PARAM);
		p += strlen(CLOCK_PARAM);
	}
	if (!v)
		return 0;
	n = strcspn(v, " \n\t");
	if (n >= sizeof(word)) {
		fmt(why, len, CLOCK_PARAM ": a value of %zu characters", n);
		return -EINVAL;
	}
	memcpy(word, v, n);
	word[n] = '\0';
	if (!strcmp(word, "real")) {
		fmt(c->source, sizeof(c->source), "kernel command line: " CLOCK_PARAM "real");
		return 0;
	}
	if (strncmp(word, "icount:", 7)) {
		fmt(why, len, CLOCK_PARAM "%s: not real or icount:SHIFT", word);
		return -EINVAL;
	}
	errno = 0;
	shift = strtol(word + 7, &end, 10);
	/* QEMU takes shifts 0..10 */
	if (end == word + 7 || *end || errno || shift < 0 || shift > 10) {
		fmt(why, len, CLOCK_PARAM "%s: the shift is not 0..10", word);
		return -EINVAL;
	}
	c->icount = 1;
	c->shift = (int)shift;
	run_clock_cell(1, c->shift, c->cell, sizeof(c->cell));
	if (shift)
		fmt(c->unit, sizeof(c->unit), "virtual ns: %ld ns per guest instruction", 1L << shift);
	else
		fmt(c->unit, sizeof(c->unit), "guest instructions, 1 per virtual ns");
	fmt(c->source, sizeof(c->source), "kernel command line: " CLOCK_PARAM "%s (gupbench vm)",
	    word);
	return 0;
}

int run_clock_detect(struct run_clock *c)
{
	char buf[4096], why[128];

	if (file_read_str("/proc/cmdline", buf, sizeof(buf))) {
		set_real(c, "/proc/cmdline unreadable: taken as real");
		return 0;
	}
	if (run_clock_parse(buf, c, why, sizeof(why))) {
		set_real(c, why);
		return -EINVAL;
	}
	return 0;
}
