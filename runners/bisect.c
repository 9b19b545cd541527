// SPDX-License-Identifier: GPL-2.0
/*
 * `gupbench bisect-check --baseline DIR CONFIG...`: run the configs on the
 * running kernel, compare with a baseline run, and answer `git bisect run`:
 * good (no regression), bad (a regression), skip (nothing could be
 * decided, or the run itself failed), abort (bad usage, a broken config or
 * baseline: no revision can fix those).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bisect.h"
#include "compare.h"
#include "run.h"
#include "util.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gupbench bisect-check --baseline DIR [-o OUT] [--threshold T] [--alpha A]\n"
		"         [--min-samples N] [--only REGEX] [--ignore KEY] [--metric elapsed|cpu|ITEM]\n"
		"         CONFIG...\n"
		"  runs CONFIG... into OUT (default results/bisect-<date>-<release>), compares\n"
		"  it with DIR and exits 0 good, 1 bad (a regression; with --metric ITEM, a\n"
		"  behaviour item such as pins_per_page: that item changed), 125 skip (undecided\n"
		"  or the run failed), 128 abort (bad usage, config or baseline)\n");
}

int bisect_check_main(int argc, char **argv)
{
	static const struct option lopts[] = {
		COMPARE_LONG_OPTS,
		{ "baseline", required_argument, NULL, 'b' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct compare_opts o;
	struct compare_result r;
	const char *baseline = NULL;
	char out[PATH_MAX] = "", err[1024], base_csv[PATH_MAX + 16];
	char **rargv;
	int c, rargc = 0, ret;

	compare_opts_default(&o);
	optind = 1;
	while ((c = getopt_long(argc, argv, "b:o:h", lopts, NULL)) != -1) {
		int taken = compare_opt(c, optarg, "bisect-check", &o);

		if (taken < 0)
			return BISECT_ABORT;
		if (taken)
			continue;
		switch (c) {
		case 'b':
			baseline = optarg;
			break;
		case 'o':
			fmt(out, sizeof(out), "%s", optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return BISECT_ABORT;
		}
	}
	if (!baseline || optind >= argc) {
		usage(stderr);
		return BISECT_ABORT;
	}
	fmt(base_csv, sizeof(base_csv), "%s/results.csv", baseline);
	if (access(base_csv, R_OK)) {
		fprintf(stderr, "gupbench bisect-check: --baseline: %s: %s\n", base_csv, strerror(errno));
		return BISECT_ABORT;
	}
	if (!out[0]) {
		struct utsname u;
		char when[32];
		time_t t = time(NULL);
		struct tm tm;

		uname(&u);
		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y%m%d-%H%M%S", &tm);
		fmt(out, sizeof(out), "results/bisect-%s-%s", when, u.release);
	}

	/* gupbench run -q --no-plot -o OUT CONFIG...: the same runner, in-process */
	rargv = calloc((size_t)(argc - optind) + 6, sizeof(*rargv));
	if (!rargv)
		return BISECT_SKIP;
	rargv[rargc++] = "run";
	rargv[rargc++] = "-q";
	rargv[rargc++] = "--no-plot";
	rargv[rargc++] = "-o";
	rargv[rargc++] = out;
	for (int i = optind; i < argc; i++)
		rargv[rargc++] = argv[i];
	ret = run_main(rargc, rargv, argc, argv);
	free(rargv);
	if (ret == 2) {
		/* the config did not parse: the same on every revision */
		fprintf(stderr, "gupbench bisect-check: the config was refused: abort\n");
		return BISECT_ABORT;
	}
	if (ret > 128) {
		fprintf(stderr, "gupbench bisect-check: interrupted: abort\n");
		return BISECT_ABORT;
	}
	if (ret) {
		fprintf(stderr, "gupbench bisect-check: some scenarios failed on this kernel "
				"(see %s/results.csv): skip\n", out);
		return BISECT_SKIP;
	}
	if (compare_runs(baseline, out, &o, &r, err, sizeof(err))) {
		fprintf(stderr, "gupbench bisect-check: %s\n", err);
		return BISECT_ABORT;
	}
	compare_print(stdout, stderr, &r, &o, CMP_FMT_TEXT, 0);
	ret = compare_exit_status(&r);
	compare_result_free(&r);
	fprintf(stderr, "gupbench bisect-check: %s\n",
		ret == 0 ? "good" : ret == 1 ? (o.behave >= 0 ? "bad (behaviour changed)" :
		"bad (regression)") : "skip (undecided)");
	return ret == 0 ? BISECT_GOOD : ret == 1 ? BISECT_BAD : BISECT_SKIP;
}
