// SPDX-License-Identifier: GPL-2.0
/*
 * `gupbench compare` on the command line, and the options that report,
 * bisect and bisect-check share with it (compare_opt()).
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compare_int.h"
#include "outdir.h"
#include "util.h"

int compare_print(FILE *out, FILE *warn_to, const struct compare_result *r,
		  const struct compare_opts *o, enum compare_format f, int colour)
{
	int ret = 0;

	switch (f) {
	case CMP_FMT_TERMINAL:
		cmp_print_text(out, warn_to, r, o, colour, 1);
		break;
	case CMP_FMT_TEXT:
		cmp_print_text(out, warn_to, r, o, 0, 0);
		break;
	case CMP_FMT_MARKDOWN:
		cmp_print_markdown(out, r, o);
		break;
	case CMP_FMT_CSV:
		cmp_print_csv(out, r);
		/* a CSV has no room for prose: the warnings and the summary go apart */
		if (warn_to) {
			char buf[1024];

			cmp_print_warnings_text(warn_to, r, 0);
			cmp_summary_text(buf, sizeof(buf), r);
			cmp_wrap(warn_to, "", 0, buf, TEXT_WIDTH);
		}
		break;
	case CMP_FMT_JSON:
		ret = cmp_print_json(out, r, o);
		break;
	}
	if (fflush(out) || ferror(out))
		return -EIO;
	return ret;
}

/*
 * -o PATH: a new file in PATH's directory, renamed over PATH when it is
 * complete, so a symlink planted at PATH is replaced, not written through.
 */
static int out_open(struct outfile *of, const char *path)
{
	char dir[4096], base[256];
	const char *slash = strrchr(path, '/');
	int dfd, ret;

	if (slash)
		fmt(dir, sizeof(dir), "%.*s", (int)(slash - path) ? (int)(slash - path) : 1, path);
	else
		fmt(dir, sizeof(dir), ".");
	fmt(base, sizeof(base), "%s", slash ? slash + 1 : path);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	ret = outfile_open(of, dfd, base);
	if (ret)
		close(dfd);
	return ret;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gupbench compare [OPTIONS] BASE NEW\n"
		"  BASE, NEW           run directories (or their results.csv), or directories of\n"
		"                      runs: several runs a side are tested run against run\n"
		"  --metric M          elapsed (ns) or cpu (cpu_ns, on-CPU time); default: cpu\n"
		"                      when both sides ran under icount, else elapsed. Or a\n"
		"                      behaviour item (pins_per_page, unpins_per_page, zero_pins,\n"
		"                      zero_pages, order_got, order_hist, page_faults,\n"
		"                      page_allocs, mmap_locks, migrate_calls, ctx_switches,\n"
		"                      cpu_migrations, status): the exit status is then 1 if it\n"
		"                      changed on a point, 125 if no point could judge it\n"
		"  --format F          terminal, text (80 columns, for a mail), markdown, csv, json\n"
		"                      (default: terminal on a tty, else text)\n"
		"  --threshold T       smallest change that counts (inclusive), 0.10 or 10%%\n"
		"                      (default %g)\n"
		"  --alpha A           false-discovery rate over the points (default %g)\n"
		"  --min-samples N     fewer ok samples on a side: inconclusive (default %d)\n"
		"  --only REGEX        only points whose \"method=... size=... op=...\" text matches\n"
		"  --ignore KEY        leave a scenario key out of the join (e.g. order: 4 KiB\n"
		"                      against THP); repeatable or comma-separated\n"
		"  -o FILE             write there instead of stdout (a new file renamed into\n"
		"                      place: never written through a symlink)\n"
		"exit status: 0 no regression, 1 a regression, 125 nothing decided (every point\n"
		"inconclusive or not compared), 2 usage error: fit for CI and `git bisect run`\n",
		COMPARE_THRESHOLD, COMPARE_ALPHA, COMPARE_MIN_SAMPLES);
}

static int parse_fraction(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s)
		return -EINVAL;
	if (*end == '%') {
		v /= 100;
		end++;
	}
	if (*end || !isfinite(v))
		return -EINVAL;
	*out = v;
	return 0;
}

int compare_format_parse(const char *name)
{
	static const char *const formats[] = { "terminal", "text", "markdown", "csv", "json" };

	for (int f = 0; f < (int)ARRAY_SIZE(formats); f++)
		if (!strcmp(name, formats[f]))
			return f;
	return -1;
}

int compare_opt(int c, const char *arg, const char *cmd, struct compare_opts *o)
{
	switch (c) {
	case 't':
		if (parse_fraction(arg, &o->threshold) || o->threshold < 0 || o->threshold >= 100) {
			fprintf(stderr, "gupbench %s: --threshold: \"%s\" is not a fraction "
				"(0.05) or a percentage (5%%)\n", cmd, arg);
			return -1;
		}
		return 1;
	case 'a':
		if (parse_fraction(arg, &o->alpha) || !(o->alpha > 0 && o->alpha < 1)) {
			fprintf(stderr, "gupbench %s: --alpha: \"%s\" is not in (0, 1)\n", cmd, arg);
			return -1;
		}
		return 1;
	case 'm': {
		char *end;
		long v = strtol(arg, &end, 10);

		if (*end || end == arg || v < 1) {
			fprintf(stderr, "gupbench %s: --min-samples: \"%s\" is not a count >= 1\n",
				cmd, arg);
			return -1;
		}
		o->min_samples = (size_t)v;
		return 1;
	}
	case 'O':
		o->only = arg;
		return 1;
	case 'M':
		if (!strcmp(arg, "elapsed") || !strcmp(arg, "ns")) {
			o->metric = CMP_METRIC_ELAPSED;
		} else if (!strcmp(arg, "cpu") || !strcmp(arg, "cpu_ns")) {
			o->metric = CMP_METRIC_CPU;
		} else if (!strcmp(arg, "auto")) {
			o->metric = CMP_METRIC_AUTO;
		} else if (compare_behave_parse(arg) >= 0) {
			/* a behaviour item: the verdict (exit status) is about it, time as by default */
			o->behave = compare_behave_parse(arg);
		} else {
			fprintf(stderr, "gupbench %s: --metric: \"%s\" is not elapsed, cpu, auto nor "
				"a behaviour item (", cmd, arg);
			for (int i = 0; i < BH_N; i++)
				fprintf(stderr, "%s%s", i ? ", " : "", compare_behave_names[i]);
			fprintf(stderr, ")\n");
			return -1;
		}
		return 1;
	case 'i': {
		/* the keys live as long as the process: options are parsed once */
		char *copy = strdup(arg), *save = NULL;

		for (char *k = strtok_r(copy, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
			if (o->nignore == COMPARE_MAX_IGNORE) {
				fprintf(stderr, "gupbench %s: --ignore: at most %d keys\n", cmd,
					COMPARE_MAX_IGNORE);
				return -1;
			}
			o->ignore[o->nignore++] = k;
		}
		return 1;
	}
	}
	return 0;
}

int compare_main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "format", required_argument, NULL, 'f' },
		COMPARE_LONG_OPTS,
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct compare_opts o;
	struct compare_result r;
	const char *outp = NULL;
	int format = -1, c, ret, colour;
	char err[1024];
	FILE *out = stdout;
	struct outfile of = { .dfd = -1 };

	compare_opts_default(&o);
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", lopts, NULL)) != -1) {
		int taken = compare_opt(c, optarg, "compare", &o);

		if (taken < 0)
			return 2;
		if (taken)
			continue;
		switch (c) {
		case 'f':
			format = compare_format_parse(optarg);
			if (format < 0) {
				fprintf(stderr, "gupbench compare: --format: \"%s\" is not one of "
					"terminal, text, markdown, csv, json\n", optarg);
				return 2;
			}
			break;
		case 'o':
			outp = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	ret = compare_runs(argv[optind], argv[optind + 1], &o, &r, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "gupbench compare: %s\n", err);
		return 2;
	}
	if (outp) {
		ret = out_open(&of, outp);
		if (ret) {
			fprintf(stderr, "gupbench compare: %s: %s\n", outp, strerror(-ret));
			compare_result_free(&r);
			return 2;
		}
		out = of.f;
	}
	if (format < 0)
		format = !outp && isatty(STDOUT_FILENO) ? CMP_FMT_TERMINAL : CMP_FMT_TEXT;
	/* colour only for a terminal that wants it (https://no-color.org) */
	colour = format == CMP_FMT_TERMINAL && isatty(fileno(out)) &&
		 !(getenv("NO_COLOR") && *getenv("NO_COLOR")) &&
		 !(getenv("TERM") && !strcmp(getenv("TERM"), "dumb"));
	ret = compare_print(out, stderr, &r, &o, format, colour);
	if (outp && !ret)
		ret = outfile_commit(&of);
	else if (outp)
		outfile_abort(&of);
	if (of.dfd > 0)
		close(of.dfd);
	if (ret) {
		fprintf(stderr, "gupbench compare: writing the output: %s\n", strerror(-ret));
		compare_result_free(&r);
		return 2;
	}
	ret = compare_exit_status(&r);
	compare_result_free(&r);
	return ret;
}
