// SPDX-License-Identifier: GPL-2.0
/*
 * Several boots a kernel, two kernels interleaved (vmboots.h).
 *
 * Why boots: under the host's clock a boot is the unit of replication for
 * kernel against kernel. Each boot gets fresh guest memory, a fresh page
 * allocator state and fresh host placement of the QEMU process, and these
 * move a run's median by more than the samples inside it vary. Why
 * interleaved: anything that drifts on the host over the hour (another
 * tenant, thermal state, page cache) then lands on both kernels alike
 * instead of on whichever ran second.
 *
 * Every boot is a whole `gupbench vm` of its own, this binary run again, so
 * a boot directory is exactly what one `gupbench vm` writes and nothing here
 * knows how a guest is run.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "csv.h"
#include "outdir.h"
#include "proc.h"
#include "util.h"
#include "vmboots.h"

/* One boot: exe vm PASS... --kernel SPEC -o DIR --no-plot -- CONFIGS. */
static int boot_run(const char *exe, const char *spec, const char *dir, char **pass,
		    int npass, char **configs, int nconfigs)
{
	char **argv = calloc((size_t)(npass + nconfigs + 10), sizeof(*argv));
	int n = 0, st;

	if (!argv)
		return -ENOMEM;
	argv[n++] = (char *)exe;
	argv[n++] = "vm";
	for (int i = 0; i < npass; i++)
		argv[n++] = pass[i];
	argv[n++] = "--kernel";
	argv[n++] = (char *)spec;
	argv[n++] = "-o";
	argv[n++] = (char *)dir;
	/* plots of one boot say little; compare and plot read the whole set */
	argv[n++] = "--no-plot";
	argv[n++] = "--";
	for (int i = 0; i < nconfigs; i++)
		argv[n++] = configs[i];
	{
		/* its own process group; the signals that stop the set are forwarded to it */
		struct proc p = { .argv = argv, .out_fd = STDOUT_FILENO, .err_fd = STDERR_FILENO,
				  .group = PROC_FORWARD };

		st = proc_run(&p);
	}
	free(argv);
	return st;
}

static const char *boot_end_word(int st)
{
	switch (st) {
	case 0:
		return "ok";
	case 1:
		return "some scenarios failed";
	case 2:
		return "refused (options or config)";
	case 3:
		return "not bootable (the image lacks options the guest needs)";
	case 4:
		return "the guest did not complete";
	default:
		return st > 128 ? "stopped by a signal" : "failed";
	}
}

int vm_boots(const char *exe, const char *out, const char *const spec[2], int nspec,
	     unsigned int boots, char **pass, int npass, char **configs, int nconfigs,
	     int quiet)
{
	static const char side_name[2][2] = { "a", "b" };
	struct sigaction old[3];
	unsigned int done[2] = { 0, 0 };
	int dfd, fd, worst = 0, ret = 0;
	FILE *log;

	dfd = outdir_open(out);
	if (dfd < 0) {
		fprintf(stderr, "gupbench vm: %s: %s\n", out, strerror(-dfd));
		return 2;
	}
	if (nspec == 2)
		for (int s = 0; s < 2; s++)
			if (mkdirat(dfd, side_name[s], 0755)) {
				fprintf(stderr, "gupbench vm: %s/%s: %s\n", out, side_name[s],
					strerror(errno));
				close(dfd);
				return 2;
			}
	/* one line a boot, flushed as each ends: an interrupted set still says what ran */
	fd = openat(dfd, "boots.csv", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	log = fd < 0 ? NULL : fdopen(fd, "w");
	close(dfd);
	if (!log) {
		fprintf(stderr, "gupbench vm: %s/boots.csv: %s\n", out, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 2;
	}
	fprintf(log, "boot,side,kernel,exit,end,run,started,seconds\n");
	fflush(log);

	if (proc_signals_install(old)) {
		fclose(log);
		return 1;
	}
	for (unsigned int i = 1; i <= boots && !proc_signal && !ret; i++) {
		for (int s = 0; s < nspec && !proc_signal; s++) {
			char dir[4200], rel[64], when[32];
			struct timespec t0, t1;
			time_t now = time(NULL);
			struct tm tm;
			int st;

			fmt(rel, sizeof(rel), "%s%sboot-%u", nspec == 2 ? side_name[s] : "",
			    nspec == 2 ? "/" : "", i);
			fmt(dir, sizeof(dir), "%s/%s", out, rel);
			gmtime_r(&now, &tm);
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
			if (!quiet)
				fprintf(stderr, "gupbench vm: boot %u of %u%s%s: %s -> %s\n", i, boots,
					nspec == 2 ? ", kernel " : "", nspec == 2 ? side_name[s] : "",
					spec[s], dir);
			clock_gettime(CLOCK_MONOTONIC, &t0);
			st = boot_run(exe, spec[s], dir, pass, npass, configs, nconfigs);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			if (st < 0) {
				fprintf(stderr, "gupbench vm: cannot start a boot: %s\n", strerror(-st));
				ret = 1;
				break;
			}
			fprintf(log, "%u,%s,", i, nspec == 2 ? side_name[s] : "");
			csv_quote(log, spec[s]);
			fprintf(log, ",%d,", st);
			csv_quote(log, boot_end_word(st));
			fprintf(log, ",%s,%s,%.1f\n", rel, when,
				(double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
			fflush(log);
			if (st == 0 || st == 1)
				done[s]++;
			if (st == 2 || st == 3 || st > 128) {
				/* a refusal repeats on every boot; a signal means stop */
				fprintf(stderr, "gupbench vm: boot %u of %s: %s (exit %d): stopping\n",
					i, spec[s], boot_end_word(st), st);
				ret = st;
				break;
			}
			/* the worst end wins: a boot that did not complete, then any failure */
			if (st == 4 || (st && !worst))
				worst = st;
		}
	}
	fclose(log);
	proc_signals_restore(old);
	if (proc_signal)
		return 128 + proc_signal;

	for (int s = 0; s < nspec; s++)
		fprintf(stderr, "gupbench vm: %s: %u of %u boots ran%s\n", spec[s], done[s], boots,
			done[s] < boots ? " (boots.csv says how the others ended)" : "");
	if (nspec == 2 && done[0] && done[1])
		fprintf(stderr, "gupbench vm: compare them run against run: gupbench compare "
				"%s/a %s/b\n", out, out);
	return ret ? ret : worst;
}
