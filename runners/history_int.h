/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gupbench history, inside: the sweep (history.c) and what is made of it
 * (history_report.c).
 */
#ifndef GUPBENCH_HISTORY_INT_H
#define GUPBENCH_HISTORY_INT_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "compare.h"

enum hk_state {
	HK_TODO,	/* to be measured */
	HK_RUNNING,	/* its guest runs now */
	HK_KEPT,	/* measured by an earlier sweep into this directory */
	HK_DONE,	/* measured now */
	HK_FAILED,	/* could not be fetched, booted or run: why says so */
};

struct hk {
	char spec[PATH_MAX];	/* what `gupbench vm --kernel` gets */
	char label[96];		/* its column: the upstream version, else the ABI name */
	char upstream[64];	/* 6.12.118 ("" for an image path) */
	char abi[96];		/* 6.12.118+deb13 ("" for an image path) */
	char suites[160];	/* where Debian serves it */
	enum hk_state state;
	int status;		/* the guest run's exit status (gupbench vm's) */
	pid_t pid;
	struct timespec t0;
	double secs;		/* how long its measurement took */
	char why[256];		/* failed: the reason; done with status 1: which */
};

struct history {
	char out[PATH_MAX];	/* the sweep's directory */
	char exe[PATH_MAX], top[PATH_MAX];
	const char *cache;	/* --cache, or NULL: the scripts' default */
	struct hk *k;
	size_t nk;
	char **configs;
	int nconfigs;
	char **recalled;	/* --report: the configs the sweep file names */
	char *vmargs[32];	/* options passed through to every `gupbench vm` */
	int nvmargs;
	int jobs;
	int report_only;
	int no_plot;
	int quiet;
	struct compare_opts co;
	const char *notes;	/* --notes FILE: explanations of change points */
	char *cmdline;		/* how it was started, for the report */
	char *report_cmdline;	/* --report: this call, when the sweep's own is known */
};

/* The trend, the change points, the charts and the report of h's kernels. 0 or an exit status. */
int history_report(struct history *h);

#endif
