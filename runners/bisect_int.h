/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of bisect share: bisect_step.c (one kernel, the log, the
 * options, the step) and bisect_drive.c (the searches, the command).
 */
#ifndef GUPBENCH_BISECT_INT_H
#define GUPBENCH_BISECT_INT_H

#include <limits.h>
#include <sys/types.h>

#include "bisect.h"
#include "compare.h"
#include "proc.h"

#define BOOT_DEFAULT "{gupbench} vm --kernel {image} --no-plot -o {out} {configs}"
#define BOOT_PAIRED "{gupbench} vm --boots {boots} --kernel {good} --kernel {image} --no-plot " \
		    "-o {out} {configs}"
#define MAX_BOOTS 100
#define MAX_CMP_ARGS 32
#define MAX_CANDIDATES 64

struct bisect {
	int driver;			/* 1: bisect_main; 0: __bisect-step under git */
	char exe[PATH_MAX];		/* this binary: {gupbench}, and the step git runs */
	char cwd[PATH_MAX];		/* the caller's directory: the boot command runs there */
	char tree[PATH_MAX];		/* top level of the kernel tree; "" with --images */
	char out[PATH_MAX];		/* OUT, absolute */
	char log[PATH_MAX + 16];	/* OUT/bisect.log */
	off_t echoed;			/* how much of the log the driver has printed */
	const char *build;		/* run in the tree; the last stdout line is the image */
	const char *boot;		/* template: {image} {out} {configs} {gupbench} */
	char *build_default;
	char **config;			/* absolute paths */
	int nconfig;
	char *configs;			/* {configs}: those paths quoted, space separated */
	struct compare_opts cmp;
	char *cmp_arg[MAX_CMP_ARGS];	/* the compare options as given, for the step */
	int ncmp_arg;
	char baseline[PATH_MAX];	/* the good end's run directory */
	unsigned boots;			/* --boots N: each try boots good and candidate N times */
	char good_image[PATH_MAX];	/* --boots: {good}, the good end's image (kept in OUT) */
};

struct outcome {
	int verdict;		/* BISECT_GOOD, _BAD, _SKIP or _ABORT */
	char why[1024];		/* the deciding numbers, or what went wrong */
	char run[PATH_MAX];	/* the run directory, "" if the kernel never ran */
	/* the deciding number, for OUT/steps.csv and the chart (NAN: none) */
	char metric[40];	/* "ratio", or the behaviour item */
	double value, lo, hi;	/* ratio and its CI; or the item's value on the candidate */
};

/* OUT/steps.csv and OUT/bisect.png: each measured kernel's deciding number (bisect_chart.c). */
void steps_append(const struct bisect *b, const char *role, const char *id, const char *subject,
		  const struct outcome *o);
/*
 * The chart of OUT/steps.csv: the deciding number against each kernel's
 * place (pos: the ids in order, oldest first), coloured by verdict. 0 or
 * -errno with err.
 */
int steps_chart(const struct bisect *b, char *const *pos, size_t npos, char *err, size_t len);

enum {
	OPT_TREE = 256, OPT_GOOD, OPT_BAD, OPT_IMAGES, OPT_BUILD, OPT_BOOT,
	OPT_BASELINE, OPT_CWD, OPT_OUT, OPT_BOOTS, OPT_GOOD_IMAGE,
};

const char *verdict_word(int v);
/* Print the log's complete lines the driver has not printed yet. */
void log_echo(struct bisect *b);
/*
 * Append one line to OUT/bisect.log, in one write() so the driver's and
 * the step's lines never interleave; the driver then echoes it, the step
 * prints it (into git's output).
 */
void __attribute__((format(printf, 2, 3))) blog(struct bisect *b, const char *f, ...);
/*
 * git -C TOP ARGS... (NULL-terminated), stdout and stderr into out (lines
 * joined, no final newline). Its exit status, or -errno.
 */
int git(const char *top, enum proc_group g, char *out, size_t len, ...);
/*
 * Build (image NULL: the tree's checked-out revision), boot and judge one
 * kernel; name names its run directory and logs. As the baseline, the run
 * is only checked to have points to compare. Fills o; the caller decides
 * what a verdict means where it is in the search.
 */
void kernel_try(struct bisect *b, const char *name, const char *image, int baseline,
		struct outcome *o);
/* One log line per kernel: role, id, "subject": verdict: why. */
void log_outcome(struct bisect *b, const char *role, const char *id, const char *subject,
		 int baseline, const struct outcome *o);
/* --boots N: 0 or -1 (said on stderr). */
int boots_parse(struct bisect *b, const char *cmd, const char *arg);
/* The configs, absolute (the build runs in the tree, the step under git). */
int configs_set(struct bisect *b, char **names, int n, const char *cmd);
int exe_path(struct bisect *b);

#endif
