// SPDX-License-Identifier: GPL-2.0
/*
 * `gupbench report BASE NEW`: a self-contained Markdown report and a plain
 * text twin for a cover letter. Everything in it comes from the two run
 * directories (their meta, results.csv and plots): what was compared, the
 * comparison, the plots (copied beside the report), and the commands that
 * reproduce it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "compare.h"
#include "fioshare.h"
#include "meta.h"
#include "plot.h"
#include "outdir.h"
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

/* Copy a file of someone's run into our output directory, as dfd/name. */
static int copy_file(const char *from, int dfd, const char *name)
{
	char buf[65536];
	struct outfile out;
	int fd = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), ret;
	ssize_t n;

	if (fd < 0)
		return -errno;
	ret = outfile_open(&out, dfd, name);
	if (ret) {
		close(fd);
		return ret;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, n, out.f);
	close(fd);
	if (n < 0) {
		outfile_abort(&out);
		return -EIO;
	}
	return outfile_commit(&out);
}

static int is_png(const struct dirent *de)
{
	size_t n = strlen(de->d_name);

	return n > 4 && !strcmp(de->d_name + n - 4, ".png");
}

/* Copy NEW's plots into OUT/plots (pdfd); list them in *names. */
static int copy_plots(const char *run, int pdfd, struct dirent ***names)
{
	char from[PATH_MAX], svg[PATH_MAX], svg_name[300];
	int n;

	fmt(from, sizeof(from), "%s/plots", run);
	n = scandir(from, names, is_png, alphasort);
	for (int i = 0; i < n; i++) {
		const char *name = (*names)[i]->d_name;

		fmt(from, sizeof(from), "%s/plots/%s", run, name);
		copy_file(from, pdfd, name);
		/* the SVG twin too, for a page that scales */
		fmt(svg, sizeof(svg), "%.*s.svg", (int)strlen(from) - 4, from);
		fmt(svg_name, sizeof(svg_name), "%.*s.svg", (int)strlen(name) - 4, name);
		copy_file(svg, pdfd, svg_name);
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

/* One line on what the kernel did differently: the news, before the numbers. */
static void behaviour_summary(FILE *f, const struct compare_result *r)
{
	int any = 0;

	if (!r->bh_points) {
		fprintf(f, "**Behaviour:** the same on all %zu points (pins, zero pages, folios, "
			"faults, allocations, mmap_lock, migrations, switches, status).\n\n", r->n);
		return;
	}
	fprintf(f, "**Behaviour:** %zu of %zu points changed what the kernel did (", r->bh_points,
		r->n);
	for (int i = 0; i < BH_N; i++)
		if (r->bh_count[i])
			fprintf(f, "%s%s on %zu", any++ ? ", " : "", compare_behave_names[i],
				r->bh_count[i]);
	fprintf(f, "); the comparison below lists each change.\n\n");
}

/* Each run's GUP share of an I/O, where it has fio pairs (fioshare.c). */
static void share_section(FILE *f, const struct side *b, const struct side *n, int md)
{
	const struct side *sides[2] = { b, n };
	char path[4200], err[512];

	for (int i = 0; i < 2; i++) {
		struct fio_share fs;

		fmt(path, sizeof(path), "%s/results.csv", sides[i]->dir);
		if (fio_share_load(&fs, path, err, sizeof(err)) || !fs.n) {
			fio_share_free(&fs);
			continue;
		}
		if (md) {
			fio_share_md(f, &fs);
			fprintf(f, "\n(%s run: `%s`, %s)\n\n", i ? "new" : "base", sides[i]->dir,
				mget(sides[i], "kernel", "release"));
		} else {
			fprintf(f, "\n%s run (%s):", i ? "new" : "base", mget(sides[i], "kernel", "release"));
			fio_share_text(f, &fs);
		}
		fio_share_free(&fs);
	}
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
	behaviour_summary(f, r);

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
	share_section(f, b, n, 1);
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
	share_section(f, b, n, 0);
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
	int c, nplots = 0, ratio_ok, ret, ofd = -1, pfd = -1;

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
				"         [--only REGEX] [--ignore KEY] [--metric elapsed|cpu] [-o OUT]\n"
				"         BASE NEW   (run directories, or directories of runs)\n"
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
	ofd = outdir_open(out);
	pfd = ofd < 0 ? ofd : outdir_openat(ofd, "plots", 1);
	if (ofd < 0 || pfd < 0) {
		fprintf(stderr, "gupbench report: %s%s: %s%s\n", out, ofd < 0 ? "" : "/plots",
			strerror(-(ofd < 0 ? ofd : pfd)),
			(ofd < 0 ? ofd : pfd) == -ENOTDIR ? " (a symlink is not followed)" : "");
		ret = 2;
		goto done;
	}
	nplots = copy_plots(n.dir, pfd, &plots);
	fmt(path, sizeof(path), "%s/plots", out);
	ratio_ok = plot_ratio(&r, &o, path, "ratio-vs-base", err, sizeof(err)) == 0;
	if (!ratio_ok)
		fprintf(stderr, "gupbench report: ratio chart: %s\n", err);

	for (int i = 0; i < 4; i++) {
		static const char *const names[] = { "report.md", "report.txt", "compare.json",
						     "compare.csv" };
		struct outfile of;
		int e = outfile_open(&of, ofd, names[i]);

		if (!e) {
			if (i == 0)
				write_markdown(of.f, &b, &n, &r, &o, plots, nplots, ratio_ok, cmd);
			else if (i == 1)
				write_text(of.f, &b, &n, &r, &o, cmd);
			else
				compare_print(of.f, NULL, &r, &o, i == 2 ? CMP_FMT_JSON : CMP_FMT_CSV, 0);
			e = outfile_commit(&of);
		}
		if (e) {
			fprintf(stderr, "gupbench report: %s/%s: %s\n", out, names[i], strerror(-e));
			ret = 2;
			goto done;
		}
	}
	fprintf(stderr, "gupbench: report in %s/report.md (and report.txt)\n", out);
	/* the same verdict as compare, so a script can use either */
	ret = compare_exit_status(&r);
done:
	if (pfd >= 0)
		close(pfd);
	if (ofd >= 0)
		close(ofd);
	for (int i = 0; plots && i < nplots; i++)
		free(plots[i]);
	free(plots);
	meta_file_free(&b.m);
	meta_file_free(&n.m);
	compare_result_free(&r);
	return ret;
}
