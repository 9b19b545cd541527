// SPDX-License-Identifier: GPL-2.0
/*
 * `gupbench report BASE NEW`: a self-contained Markdown report and a plain
 * text twin for a cover letter. Everything in it comes from the two run
 * directories (their meta, results.csv and plots): what was compared, the
 * comparison, the plots (copied beside the report), and the commands that
 * reproduce it.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "compare.h"
#include "meta.h"
#include "plot.h"
#include "report.h"
#include "util.h"

struct side {
	const char *dir;
	struct meta_file m;
};

static const char *mget(const struct side *s, const char *sec, const char *key)
{
	const char *v = meta_file_get(&s->m, sec, key);

	return v ? v : "(not recorded)";
}

/* The rows of "what was compared": one meta key each. */
static const struct {
	const char *label, *sec, *key;
} facts[] = {
	{ "kernel release", "kernel", "release" },
	{ "kernel version", "kernel", "version" },
	{ "boot command line", "kernel", "cmdline" },
	{ "CONFIG_HZ", "kernel", "CONFIG_HZ" },
	{ "CPU", "machine", "cpu_model" },
	{ "CPUs online", "machine", "cpus_online" },
	{ "topology", "machine", "topology" },
	{ "hypervisor", "machine", "hypervisor" },
	{ "THP enabled", "knobs", "thp.enabled" },
	{ "THP defrag", "knobs", "thp.defrag" },
	{ "gupbench revision", "gupbench", "revision" },
	{ "Google Benchmark", "gupbench", "google_benchmark" },
	{ "started", "gupbench", "started" },
	{ "scenarios", "gupbench", "scenarios" },
	{ "how the run ended", "end", "status" },
};

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	FILE *in = fopen(from, "rbe"), *out;
	size_t n;

	if (!in)
		return -errno;
	out = fopen(to, "wbe");
	if (!out) {
		fclose(in);
		return -errno;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	return fclose(out) ? -errno : 0;
}

static int is_png(const struct dirent *de)
{
	size_t n = strlen(de->d_name);

	return n > 4 && !strcmp(de->d_name + n - 4, ".png");
}

/* Copy NEW's plots into OUT/plots; list them in *names. */
static int copy_plots(const char *run, const char *out, struct dirent ***names)
{
	char from[PATH_MAX], to[PATH_MAX];
	int n;

	fmt(from, sizeof(from), "%s/plots", run);
	n = scandir(from, names, is_png, alphasort);
	for (int i = 0; i < n; i++) {
		char svg[PATH_MAX], svg_to[PATH_MAX];

		fmt(from, sizeof(from), "%s/plots/%s", run, (*names)[i]->d_name);
		fmt(to, sizeof(to), "%s/plots/%s", out, (*names)[i]->d_name);
		copy_file(from, to);
		/* the SVG twin too, for a page that scales */
		fmt(svg, sizeof(svg), "%.*s.svg", (int)strlen(from) - 4, from);
		fmt(svg_to, sizeof(svg_to), "%.*s.svg", (int)strlen(to) - 4, to);
		copy_file(svg, svg_to);
	}
	return n < 0 ? 0 : n;
}

static void commands(FILE *f, const struct side *b, const struct side *n, const char *argv0_args)
{
	fprintf(f, "# the base run (in %s)\n%s\n", mget(b, "gupbench", "cwd"),
		mget(b, "gupbench", "command"));
	fprintf(f, "# the new run (in %s)\n%s\n", mget(n, "gupbench", "cwd"),
		mget(n, "gupbench", "command"));
	fprintf(f, "# this comparison and report\ngupbench %s\n", argv0_args);
}

static void write_markdown(FILE *f, const struct side *b, const struct side *n,
			   const struct compare_result *r, const struct compare_opts *o,
			   struct dirent **plots, int nplots, int ratio_ok, const char *cmd)
{
	fprintf(f, "# GUP cost: %s against %s\n\n", mget(n, "kernel", "release"),
		mget(b, "kernel", "release"));
	fprintf(f, "Made by `gupbench report` from two run directories; every number below "
		   "comes from them.\n\n");
	fprintf(f, "**Summary:** %zu regressions, %zu improvements, %zu unchanged, %zu "
		   "inconclusive, %zu not compared; geometric mean ratio new/base %.3f over "
		   "%zu tested points (threshold %g%%, FDR %g).\n\n",
		r->count[CMP_REGRESSION], r->count[CMP_IMPROVEMENT], r->count[CMP_UNCHANGED],
		r->count[CMP_INCONCLUSIVE], r->count[CMP_NOT_COMPARED], r->geomean, r->tests,
		o->threshold * 100, o->alpha);

	fprintf(f, "## What was compared\n\n| | base | new |\n|---|---|---|\n");
	fprintf(f, "| run directory | `%s` | `%s` |\n", b->dir, n->dir);
	for (size_t i = 0; i < ARRAY_SIZE(facts); i++) {
		const char *bv = mget(b, facts[i].sec, facts[i].key);
		const char *nv = mget(n, facts[i].sec, facts[i].key);

		fprintf(f, "| %s%s | %s | %s |\n", facts[i].label, strcmp(bv, nv) ? " (differs)" : "",
			bv, nv);
	}
	fprintf(f, "| command | `%s` | `%s` |\n\n", mget(b, "gupbench", "command"),
		mget(n, "gupbench", "command"));

	fprintf(f, "## Comparison\n\n");
	compare_print(f, NULL, r, o, CMP_FMT_MARKDOWN, 0);
	fprintf(f, "\n## Plots\n\n");
	if (ratio_ok)
		fprintf(f, "Ratio new/base per point with its 95%% confidence interval (shaded: "
			   "the threshold):\n\n![ratio](plots/ratio-vs-base.png)\n\n");
	if (!nplots)
		fprintf(f, "The new run has no plots (it ran with --no-plot; `gupbench plot %s` "
			   "draws them).\n\n", n->dir);
	for (int i = 0; i < nplots; i++)
		fprintf(f, "![%s](plots/%s)\n\n", plots[i]->d_name, plots[i]->d_name);

	fprintf(f, "## Configs\n\n");
	for (size_t i = 0; i < n->m.nconfig; i++) {
		int same = i < b->m.nconfig && b->m.config_text[i] && n->m.config_text[i] &&
			   !strcmp(b->m.config_text[i], n->m.config_text[i]);

		fprintf(f, "`%s` (new run%s):\n\n", n->m.config_path[i],
			same ? "; the base run used the same text" : "");
		fprintf(f, "```ini\n%s```\n\n", n->m.config_text[i] ? n->m.config_text[i] : "");
		if (!same && i < b->m.nconfig) {
			fprintf(f, "`%s` (base run):\n\n```ini\n%s```\n\n", b->m.config_path[i],
				b->m.config_text[i] ? b->m.config_text[i] : "");
		}
	}
	fprintf(f, "## Reproduce\n\n```sh\n");
	commands(f, b, n, cmd);
	fprintf(f, "```\n");
}

static void write_text(FILE *f, const struct side *b, const struct side *n,
		       const struct compare_result *r, const struct compare_opts *o, const char *cmd)
{
	fprintf(f, "GUP cost: %s against %s (gupbench report)\n\n", mget(n, "kernel", "release"),
		mget(b, "kernel", "release"));
	fprintf(f, "base: %s\n  %s, %s\n", b->dir, mget(b, "kernel", "release"),
		mget(b, "machine", "cpu_model"));
	fprintf(f, "new:  %s\n  %s, %s\n\n", n->dir, mget(n, "kernel", "release"),
		mget(n, "machine", "cpu_model"));
	compare_print(f, NULL, r, o, CMP_FMT_TEXT, 0);
	fprintf(f, "\nReproduce:\n");
	commands(f, b, n, cmd);
}

int report_main(int argc, char **argv)
{
	static const struct option lopts[] = {
		COMPARE_LONG_OPTS,
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct side b = { 0 }, n = { 0 };
	struct compare_opts o;
	struct compare_result r;
	struct dirent **plots = NULL;
	char out[PATH_MAX] = "", path[PATH_MAX + 64], err[1024], cmd[8192] = "report";
	int c, nplots, ratio_ok, ret;
	FILE *f;

	compare_opts_default(&o);
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", lopts, NULL)) != -1) {
		int taken = compare_opt(c, optarg, "report", &o);

		if (taken < 0)
			return 2;
		if (taken)
			continue;
		if (c == 'o') {
			fmt(out, sizeof(out), "%s", optarg);
		} else {
			fprintf(c == 'h' ? stdout : stderr,
				"usage: gupbench report [--threshold T] [--alpha A] [--min-samples N]\n"
				"         [--only REGEX] [--ignore KEY] [-o OUT] BASE NEW\n"
				"  OUT (default NEW/report) gets report.md, report.txt, compare.json,\n"
				"  compare.csv and plots/\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: gupbench report [options] BASE NEW\n");
		return 2;
	}
	b.dir = argv[optind];
	n.dir = argv[optind + 1];
	for (int i = 1; i < argc; i++) {
		size_t l = strlen(cmd);

		fmt(cmd + l, sizeof(cmd) - l, " %s", argv[i]);
	}
	if (compare_runs(b.dir, n.dir, &o, &r, err, sizeof(err))) {
		fprintf(stderr, "gupbench report: %s\n", err);
		return 2;
	}
	fmt(path, sizeof(path), "%s/meta", b.dir);
	meta_file_load(path, &b.m);
	fmt(path, sizeof(path), "%s/meta", n.dir);
	meta_file_load(path, &n.m);

	if (!out[0])
		fmt(out, sizeof(out), "%s/report", n.dir);
	fmt(path, sizeof(path), "%s/plots", out);
	if ((mkdir(out, 0755) && errno != EEXIST) || (mkdir(path, 0755) && errno != EEXIST)) {
		fprintf(stderr, "gupbench report: %s: %s\n", path, strerror(errno));
		ret = 2;
		goto done;
	}
	nplots = copy_plots(n.dir, out, &plots);
	fmt(path, sizeof(path), "%s/plots/ratio-vs-base", out);
	ratio_ok = plot_ratio(&r, &o, path, err, sizeof(err)) == 0;
	if (!ratio_ok)
		fprintf(stderr, "gupbench report: ratio chart: %s\n", err);

	fmt(path, sizeof(path), "%s/report.md", out);
	f = fopen(path, "we");
	if (f) {
		write_markdown(f, &b, &n, &r, &o, plots, nplots, ratio_ok, cmd);
		fclose(f);
	}
	fmt(path, sizeof(path), "%s/report.txt", out);
	f = fopen(path, "we");
	if (f) {
		write_text(f, &b, &n, &r, &o, cmd);
		fclose(f);
	}
	fmt(path, sizeof(path), "%s/compare.json", out);
	f = fopen(path, "we");
	if (f) {
		compare_print(f, NULL, &r, &o, CMP_FMT_JSON, 0);
		fclose(f);
	}
	fmt(path, sizeof(path), "%s/compare.csv", out);
	f = fopen(path, "we");
	if (f) {
		compare_print(f, NULL, &r, &o, CMP_FMT_CSV, 0);
		fclose(f);
	}
	fprintf(stderr, "gupbench: report in %s/report.md (and report.txt)\n", out);
	/* the same verdict as compare, so a script can use either */
	ret = compare_exit_status(&r);
done:
	for (int i = 0; plots && i < nplots; i++)
		free(plots[i]);
	free(plots);
	meta_file_free(&b.m);
	meta_file_free(&n.m);
	compare_result_free(&r);
	return ret;
}
