// SPDX-License-Identifier: GPL-2.0
/*
 * Data for the gnuplot scripts in plots/, written from DIR/results.csv:
 * per op, one block per series (method, folio order got... asked, zero
 * ratio) of "size median p25 p75 n" in ns per 4 KiB page, over the
 * status=ok rows only (warm-up, skip and error rows are not plotted; the
 * CSV keeps them).
 */
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agg.h"
#include "plot.h"
#include "util.h"

/* Where the plots/ gnuplot scripts live: GUPBENCH_PLOTS, else next to the binary's tree. */
static void scripts_dir(char *dst, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n;
	const char *env = getenv("GUPBENCH_PLOTS");

	if (env) {
		fmt(dst, len, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0) {
		fmt(dst, len, "plots");
		return;
	}
	exe[n] = '\0';
	/* build/gupbench -> <top>/plots */
	fmt(dst, len, "%s/../plots", dirname(exe));
}

static void meta_value(const char *dir, const char *key, char *dst, size_t len)
{
	char path[4200], line[1024];
	size_t kl = strlen(key);
	FILE *f;

	fmt(dst, len, "?");
	fmt(path, sizeof(path), "%s/meta", dir);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, kl) && !strncmp(line + kl, " = ", 3)) {
			line[strcspn(line, "\n")] = '\0';
			fmt(dst, len, "%s", line + kl + 3);
			break;
		}
	}
	fclose(f);
}

static int gnuplot(const char *script, const char *data, int blocks, const char *out,
		   const char *title, const char *ylabel, char *err, size_t len)
{
	char vars[2048];
	int status;
	pid_t pid;

	fmt(vars, sizeof(vars), "datafile='%s'; nblocks=%d; outbase='%s'; plottitle='%s'; ylab='%s'",
	    data, blocks, out, title, ylabel);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execlp("gnuplot", "gnuplot", "-e", vars, script, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fmt(err, len, "gnuplot %s failed (status %d)%s", script, status,
		    WIFEXITED(status) && WEXITSTATUS(status) == 127 ? ": gnuplot not installed" : "");
		return -EIO;
	}
	return 0;
}

int plot_run(const char *dir, int quiet, char *err, size_t len)
{
	struct agg a;
	char path[4200], pdir[4200], sdir[PATH_MAX], title[512], rel[128], host[128], cpu[160];
	int ret;

	fmt(path, sizeof(path), "%s/results.csv", dir);
	ret = agg_load(&a, path, err, len);
	if (ret)
		return ret;
	if (!a.n) {
		fmt(err, len, "%s: no ok rows to plot", path);
		agg_free(&a);
		return -ENODATA;
	}
	fmt(pdir, sizeof(pdir), "%s/plots", dir);
	if (mkdir(pdir, 0755) && errno != EEXIST) {
		fmt(err, len, "%s: %s", pdir, strerror(errno));
		ret = -errno;
		goto out;
	}
	scripts_dir(sdir, sizeof(sdir));
	meta_value(dir, "release", rel, sizeof(rel));
	meta_value(dir, "hostname", host, sizeof(host));
	meta_value(dir, "cpu_model", cpu, sizeof(cpu));

	for (size_t i = 0; i < a.n && !ret;) {
		const char *op = a.g[i].op;
		char data[4300], base[4300], script[PATH_MAX + 32], opfile[32], ylab[128];
		const struct agg_group *prev = NULL;
		int blocks = 0;
		FILE *f;

		/* "pin+unpin" -> "pin-unpin" in file names */
		fmt(opfile, sizeof(opfile), "%s", op);
		for (char *s = opfile; *s; s++)
			if (*s == '+')
				*s = '-';
		fmt(data, sizeof(data), "%s/ns-per-page-%s.dat", pdir, opfile);
		fmt(base, sizeof(base), "%s/ns-per-page-%s", pdir, opfile);
		f = fopen(data, "we");
		if (!f) {
			fmt(err, len, "%s: %s", data, strerror(errno));
			ret = -errno;
			break;
		}
		fprintf(f, "# gupbench: ns per 4 KiB page of op %s, status=ok rows of %s/results.csv\n",
			op, dir);
		fprintf(f, "# one block per series; columns: size_bytes median p25 p75 samples\n");
		for (; i < a.n && !strcmp(a.g[i].op, op); i++) {
			const struct agg_group *g = &a.g[i];

			if (!prev || strcmp(prev->method, g->method) || strcmp(prev->backing, g->backing) ||
			    strcmp(prev->variant, g->variant) ||
			    prev->order != g->order || prev->zero != g->zero ||
			    prev->threads != g->threads || strcmp(prev->share, g->share)) {
				/* two blank lines end a gnuplot data block */
				if (prev)
					fputs("\n\n", f);
				fprintf(f, "\"%s%s%s %s order %d zero %g", g->method,
					g->variant[0] ? " " : "", g->variant, g->backing, g->order, g->zero);
				if (g->threads > 1)
					fprintf(f, " x%d %s", g->threads, g->share);
				fprintf(f, "\" median p25 p75 n\n");
				blocks++;
			}
			prev = g;
			fprintf(f, "%" PRIu64 " %.4f %.4f %.4f %zu\n", g->size, g->median, g->p25, g->p75,
				g->n);
		}
		fclose(f);
		fmt(title, sizeof(title), "%s: ns per page, median (bars: quartiles) -- %s, %s, %s", op,
		    rel, host, cpu);
		fmt(ylab, sizeof(ylab), "ns per 4 KiB page (%s)", op);
		fmt(script, sizeof(script), "%s/ns-per-page.gp", sdir);
		ret = gnuplot(script, data, blocks, base, title, ylab, err, len);
		if (!ret && !quiet)
			fprintf(stderr, "gupbench: plot %s.png, .svg\n", base);
	}
out:
	agg_free(&a);
	return ret;
}

int plot_main(int argc, char **argv)
{
	char err[512];

	if (argc != 2) {
		fprintf(stderr, "usage: gupbench plot RUN_DIR\n");
		return 2;
	}
	if (plot_run(argv[1], 0, err, sizeof(err))) {
		fprintf(stderr, "gupbench: %s\n", err);
		return 1;
	}
	return 0;
}
