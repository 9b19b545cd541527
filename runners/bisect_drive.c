// SPDX-License-Identifier: GPL-2.0
/*
 * `gupbench bisect`: find the first kernel that is slower than a good one.
 *
 * Two searches share one step, kernel_try(): build (tree mode), boot under
 * QEMU (--boot, by default `gupbench vm`), compare the run with the good
 * kernel's run (compare_runs()), and give a verdict with its numbers.
 *  - --tree DIR --good REV --bad REV: revisions of a kernel git tree.
 *    `git bisect run` walks them and runs the hidden `gupbench
 *    __bisect-step` at each, which answers 0 good, 1 bad, 125 skip,
 *    128 abort.
 *  - --images K1..Kn: an ordered list of kernels, searched here.
 *
 * Before either search both ends are measured: the good end's run is the
 * baseline every step is compared with, and the bad end must be bad
 * against it, or there is nothing to look for (and no point in building
 * a dozen kernels to find that out).
 *
 * With --boots N every measurement is a pair instead: the good kernel and
 * the candidate booted N times each, interleaved (`gupbench vm --boots N
 * --kernel GOOD --kernel CANDIDATE`), and the candidate is judged against
 * the good kernel's boots of the same minutes, not against a baseline
 * taken at the start. That is for wall-clock work, where the host drifts
 * between boots; under icount one boot of each is already exact.
 *
 * OUT/bisect.log gets a header and one line per measured kernel. The step
 * appends its own line (it runs under git, whose output goes to
 * OUT/logs/git-bisect-run.log); the driver echoes the log to stdout as it
 * grows, so the terminal shows the same lines as the file.
 *
 * The tree is left as it was found: `git bisect reset` on every way out,
 * SIGINT/SIGTERM/SIGHUP included. Children run in their own process group
 * with stdin on /dev/null (QEMU must not take the terminal), and the
 * driver forwards those signals to the group it waits on, so a Ctrl-C
 * stops the build or the guest, then the tree is reset.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bisect.h"
#include "compare.h"
#include "meta.h"
#include "util.h"

#define BOOT_DEFAULT "{gupbench} vm --kernel {image} --no-plot -o {out} {configs}"
#define BOOT_PAIRED "{gupbench} vm --boots {boots} --kernel {good} --kernel {image} --no-plot " \
		    "-o {out} {configs}"
#define MAX_BOOTS 100
#define MAX_CMP_ARGS 32
#define MAX_CANDIDATES 64

/* ---- Strings for sh -c ---- */

struct sbuf {
	char *s;
	size_t len, cap;
	int failed;		/* an allocation failed: the string is incomplete */
};

static void sbuf_addn(struct sbuf *b, const char *s, size_t n)
{
	char *p;

	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		p = realloc(b->s, (b->len + n + 1) * 2);
		if (!p) {
			b->failed = 1;
			return;
		}
		b->s = p;
		b->cap = (b->len + n + 1) * 2;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sbuf_add(struct sbuf *b, const char *s)
{
	sbuf_addn(b, s, strlen(s));
}

/* s as one sh word (sh_quote) */
static void sbuf_quote(struct sbuf *b, const char *s)
{
	char *q = sh_quote(s);

	if (!q) {
		b->failed = 1;
		return;
	}
	sbuf_add(b, q);
	free(q);
}

/* The string (the caller frees it), or NULL if an allocation failed. */
static char *sbuf_take(struct sbuf *b)
{
	sbuf_add(b, "");
	if (b->failed) {
		free(b->s);
		return NULL;
	}
	return b->s;
}

static char *quoted(const char *s)
{
	return sh_quote(s);
}

struct tpl_var {
	const char *name;
	const char *val;	/* already quoted for sh */
};

/*
 * {name} of each var replaced by its value; any other brace is the
 * shell's (${HOME}, a{b,c}) and stays as it is.
 */
static char *tpl_expand(const char *tpl, const struct tpl_var *v, size_t n)
{
	struct sbuf b = { 0 };

	while (*tpl) {
		size_t i, l = 0;

		for (i = 0; *tpl == '{' && i < n; i++) {
			l = strlen(v[i].name);
			if (!strncmp(tpl + 1, v[i].name, l) && tpl[1 + l] == '}')
				break;
		}
		if (*tpl == '{' && i < n) {
			sbuf_add(&b, v[i].val);
			tpl += l + 2;
		} else {
			sbuf_addn(&b, tpl++, 1);
		}
	}
	return sbuf_take(&b);
}

/* ---- Children ---- */

static volatile sig_atomic_t bisect_signal;	/* what stopped the driver; 0: nothing */
static volatile pid_t bisect_pgrp;		/* the group the driver forwards signals to */

static void bisect_on_signal(int sig)
{
	bisect_signal = sig;
	if (bisect_pgrp > 0)
		kill(-bisect_pgrp, sig);
}

enum proc_group {
	PROC_SAME,	/* the caller's group: the step, which git's group holds */
	PROC_FORWARD,	/* its own, and the driver forwards signals to it */
	PROC_SHIELD,	/* its own, not forwarded: `git bisect reset` must finish */
};

struct proc {
	char *const *argv;
	const char *cwd;	/* NULL: ours */
	int out_fd;		/* stdout; -1: a pipe read line by line into line() */
	int err_fd;		/* stderr; -1: where stdout goes */
	enum proc_group group;
	int c_locale;		/* git: messages we parse must not be translated */
	void (*line)(void *ctx, char *line);
	void *ctx;
};

/*
 * Run p->argv with stdin on /dev/null. Returns its exit status, 128 + N
 * if signal N killed it, or -errno if it could not be started.
 */
static int proc_run(const struct proc *p)
{
	int pfd[2] = { -1, -1 }, nul, status, e;
	sigset_t all, old;
	pid_t pid;

	/* a signal between two children: start no build or boot after it */
	if (p->group == PROC_FORWARD && bisect_signal)
		return 128 + bisect_signal;
	if (p->out_fd < 0 && pipe2(pfd, O_CLOEXEC))
		return -errno;
	nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
	/* nothing reaches the handler until the child's group is known */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0) {
		int out = p->out_fd < 0 ? pfd[1] : p->out_fd;
		int err = p->err_fd < 0 ? out : p->err_fd;

		if (p->group != PROC_SAME)
			setpgid(0, 0);
		if (nul >= 0)
			dup2(nul, STDIN_FILENO);
		dup2(out, STDOUT_FILENO);
		dup2(err == out ? STDOUT_FILENO : err, STDERR_FILENO);
		if (p->c_locale) {
			setenv("LC_ALL", "C", 1);
			unsetenv("LANGUAGE");
		}
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (p->cwd && chdir(p->cwd)) {
			dprintf(STDERR_FILENO, "gupbench bisect: cd %s: %s\n", p->cwd,
				strerror(errno));
			_exit(127);
		}
		execvp(p->argv[0], p->argv);
		dprintf(STDERR_FILENO, "gupbench bisect: %s: %s\n", p->argv[0], strerror(errno));
		_exit(127);
	}
	e = errno;
	if (pid > 0 && p->group != PROC_SAME) {
		setpgid(pid, pid);	/* both sides, so neither can race the other */
		if (p->group == PROC_FORWARD)
			bisect_pgrp = pid;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (nul >= 0)
		close(nul);
	if (pfd[1] >= 0)
		close(pfd[1]);
	if (pid < 0) {
		if (pfd[0] >= 0)
			close(pfd[0]);
		return -e;
	}
	if (pfd[0] >= 0) {
		FILE *f = fdopen(pfd[0], "r");
		char *line = NULL;
		size_t cap = 0;
		ssize_t n;

		/* handlers use SA_RESTART: a signal does not cut a line short */
		while (f && (n = getline(&line, &cap, f)) >= 0) {
			if (n && line[n - 1] == '\n')
				line[n - 1] = '\0';
			if (p->line)
				p->line(p->ctx, line);
		}
		free(line);
		if (f)
			fclose(f);
		else
			close(pfd[0]);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			bisect_pgrp = 0;
			return -errno;
		}
	}
	if (p->group == PROC_FORWARD)
		bisect_pgrp = 0;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

struct capture {
	char *buf;
	size_t len, used;
};

static void capture_line(void *ctx, char *line)
{
	struct capture *c = ctx;

	if (c->used + 1 < c->len) {
		fmt(c->buf + c->used, c->len - c->used, "%s%s", c->used ? "\n" : "", line);
		c->used += strlen(c->buf + c->used);
	}
}

/*
 * git -C TOP ARGS... (NULL-terminated), stdout and stderr into out (lines
 * joined, no final newline). Its exit status, or -errno.
 */
static int git(const char *top, enum proc_group g, char *out, size_t len, ...)
{
	char *argv[16] = { "git", "-C", (char *)top };
	struct capture c = { out, len, 0 };
	struct proc p = {
		.argv = argv, .out_fd = -1, .err_fd = -1, .group = g, .c_locale = 1,
		.line = capture_line, .ctx = &c,
	};
	size_t n = 3;
	va_list ap;

	va_start(ap, len);
	while (n < ARRAY_SIZE(argv) - 1 && (argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	if (len)
		out[0] = '\0';
	return proc_run(&p);
}

/* ---- The state a driver and a step share ---- */

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
};

static const char *verdict_word(int v)
{
	return v == BISECT_GOOD ? "good" : v == BISECT_BAD ? "bad" : v == BISECT_SKIP ? "skip" :
	       "abort";
}

/* Print the log's complete lines the driver has not printed yet. */
static void log_echo(struct bisect *b)
{
	char buf[8192];
	ssize_t n, k;
	int fd = open(b->log, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	while ((n = pread(fd, buf, sizeof(buf), b->echoed)) > 0) {
		for (k = n; k > 0 && buf[k - 1] != '\n'; k--)
			;
		if (!k && n < (ssize_t)sizeof(buf))
			break;	/* a line still being written */
		if (!k)
			k = n;
		fwrite(buf, 1, (size_t)k, stdout);
		b->echoed += k;
	}
	fflush(stdout);
	close(fd);
}

/*
 * Append one line to OUT/bisect.log, in one write() so the driver's and
 * the step's lines never interleave; the driver then echoes it, the step
 * prints it (into git's output).
 */
static void __attribute__((format(printf, 2, 3))) blog(struct bisect *b, const char *f, ...)
{
	char line[4096];
	va_list ap;
	size_t n;
	int fd, ok = 0;

	va_start(ap, f);
	vsnprintf(line, sizeof(line) - 1, f, ap);
	va_end(ap);
	n = strlen(line);
	if (!n || line[n - 1] != '\n') {
		line[n++] = '\n';
		line[n] = '\0';
	}
	fd = open(b->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		ok = write(fd, line, n) == (ssize_t)n;
		close(fd);
	}
	if (!ok)
		fprintf(stderr, "gupbench bisect: %s: %s\n", b->log, strerror(errno));
	if (b->driver && ok) {
		log_echo(b);
	} else {
		fputs(line, stdout);
		fflush(stdout);
	}
}


/* ---- One kernel: build, boot, judge ---- */

struct build_out {
	int fd;			/* the build log */
	char last[PATH_MAX];	/* the last non-empty stdout line */
};

static void build_line(void *ctx, char *line)
{
	struct build_out *bo = ctx;
	char *s = line, *e;

	if (dprintf(bo->fd, "%s\n", line) < 0)
		return;
	while (*s == ' ' || *s == '\t')
		s++;
	for (e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'); e--)
		;
	*e = '\0';
	if (*s)
		fmt(bo->last, sizeof(bo->last), "%s", s);
}

/* Build the checked-out revision; 0 and the image, or -1 with o said. */
static int kernel_build(struct bisect *b, const char *name, char *img, size_t len,
			struct outcome *o)
{
	char log[PATH_MAX + 64], *argv[] = { "sh", "-c", (char *)b->build, NULL };
	struct build_out bo = { .last = "" };
	struct proc p = {
		.argv = argv, .cwd = b->tree, .out_fd = -1, .group = PROC_FORWARD,
		.line = build_line, .ctx = &bo,
	};
	struct stat st;
	int ret;

	if (!b->driver)
		p.group = PROC_SAME;
	fmt(log, sizeof(log), "%s/logs/%s.build.log", b->out, name);
	bo.fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (bo.fd < 0) {
		o->verdict = BISECT_ABORT;
		fmt(o->why, sizeof(o->why), "%s: %s", log, strerror(errno));
		return -1;
	}
	p.err_fd = bo.fd;
	dprintf(bo.fd, "$ cd %s && %s\n", b->tree, b->build);
	ret = proc_run(&p);
	close(bo.fd);
	o->verdict = BISECT_SKIP;
	if (ret < 0) {
		o->verdict = BISECT_ABORT;
		fmt(o->why, sizeof(o->why), "cannot run the build command: %s", strerror(-ret));
		return -1;
	}
	if (b->driver && bisect_signal) {
		o->verdict = BISECT_ABORT;
		fmt(o->why, sizeof(o->why), "interrupted while building");
		return -1;
	}
	if (ret) {
		fmt(o->why, sizeof(o->why), "build failed (exit %d; logs/%s.build.log)", ret, name);
		return -1;
	}
	if (!bo.last[0]) {
		fmt(o->why, sizeof(o->why), "the build printed no image path (logs/%s.build.log)",
		    name);
		return -1;
	}
	if (bo.last[0] == '/')
		fmt(img, len, "%s", bo.last);
	else
		fmt(img, len, "%s/%s", b->tree, bo.last);
	if (stat(img, &st) || !S_ISREG(st.st_mode)) {
		fmt(o->why, sizeof(o->why), "the build's image %s is not a file "
		    "(logs/%s.build.log)", img, name);
		return -1;
	}
	return 0;
}

static const struct compare_point *largest_ratio(const struct compare_result *r,
						 enum compare_verdict only)
{
	const struct compare_point *best = NULL;

	for (size_t i = 0; i < r->n; i++) {
		const struct compare_point *p = &r->pt[i];

		if (p->verdict == CMP_NOT_COMPARED || isnan(p->ratio))
			continue;
		if (only != CMP_NVERDICT && p->verdict != only)
			continue;
		if (!best || p->ratio > best->ratio)
			best = p;
	}
	return best;
}

/*
 * The verdict and the numbers behind it. Bad: the worst regressed point
 * (a reader wants the size of the step, and where). Good: the largest
 * ratio of all, to show how far from the threshold the kernel stayed.
 */
static void judge(const struct compare_result *r, int boot_status, struct outcome *o)
{
	size_t compared = r->n - r->count[CMP_NOT_COMPARED], used;
	const struct compare_point *p;
	int st = compare_exit_status(r);

	if (!compared) {
		o->verdict = BISECT_SKIP;
		fmt(o->why, sizeof(o->why),
		    "no point to compare: none has ok samples on both sides");
		return;
	}
	p = largest_ratio(r, st == 1 ? CMP_REGRESSION : CMP_NVERDICT);
	if (!p) {
		/* every compared point without a ratio: nothing to weigh */
		o->verdict = BISECT_SKIP;
		fmt(o->why, sizeof(o->why), "undecided: no point with a ratio; %zu points compared",
		    compared);
		return;
	}
	if (st == 1) {
		o->verdict = BISECT_BAD;
		fmt(o->why, sizeof(o->why),
		    "%s %s: ratio %.3f, 95%% CI [%.3f, %.3f], q %.2g; "
		    "%zu of %zu points compared regressed", p->label, p->op, p->ratio, p->lo,
		    p->hi, p->q, r->count[CMP_REGRESSION], compared);
	} else {
		o->verdict = st == 0 ? BISECT_GOOD : BISECT_SKIP;
		fmt(o->why, sizeof(o->why),
		    "%slargest ratio %.3f, 95%% CI [%.3f, %.3f] (%s %s); %zu points compared: "
		    "%zu unchanged, %zu improved, %zu inconclusive", st ? "undecided: " : "",
		    p->ratio, p->lo, p->hi, p->label, p->op, compared, r->count[CMP_UNCHANGED],
		    r->count[CMP_IMPROVEMENT], r->count[CMP_INCONCLUSIVE]);
	}
	used = strlen(o->why);
	if (boot_status == 1)
		fmt(o->why + used, sizeof(o->why) - used, "; some scenarios failed");
}

/*
 * --boots in tree mode: the good end's image is booted again at every
 * step, but the build directory it came from is rebuilt for each
 * revision, so a copy is kept as OUT/images/NAME.bzImage (a new file, never
 * through a symlink). 0 or -errno.
 */
static int keep_image(struct bisect *b, const char *name, const char *img)
{
	char dir[PATH_MAX + 16], dst[PATH_MAX + 160], buf[1 << 16];
	int in = -1, out = -1, ret = 0;
	ssize_t n;

	fmt(dir, sizeof(dir), "%s/images", b->out);
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	fmt(dst, sizeof(dst), "%s/%s.bzImage", dir, name);
	in = open(img, O_RDONLY | O_CLOEXEC);
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (in < 0 || out < 0)
		ret = -errno;
	while (!ret && (n = read(in, buf, sizeof(buf))) != 0) {
		for (ssize_t off = 0, w; !ret && n > 0 && off < n; off += w)
			if ((w = write(out, buf + off, (size_t)(n - off))) <= 0)
				ret = w < 0 ? -errno : -EIO;
		if (n < 0)
			ret = -errno;
	}
	if (out >= 0 && close(out) && !ret)
		ret = -errno;
	if (in >= 0)
		close(in);
	if (!ret)
		fmt(b->good_image, sizeof(b->good_image), "%s", dst);
	return ret;
}

/*
 * Build (image NULL: the tree's checked-out revision), boot and judge one
 * kernel; name names its run directory and logs. As the baseline, the run
 * is only checked to have points to compare. Fills o; the caller decides
 * what a verdict means where it is in the search.
 */
static void kernel_try(struct bisect *b, const char *name, const char *image, int baseline,
		       struct outcome *o)
{
	char img[PATH_MAX], run[PATH_MAX], log[PATH_MAX + 64], csv[PATH_MAX + 16], err[1024];
	char side_a[PATH_MAX + 8], side_b[PATH_MAX + 8], boots[16];
	char *argv[] = { "sh", "-c", NULL, NULL }, *qi = NULL, *qo = NULL, *qe = NULL, *qg = NULL;
	struct proc p = { .argv = argv, .cwd = b->cwd, .err_fd = -1, .group = PROC_FORWARD };
	struct compare_result r;
	struct stat sb;
	int st, fd;

	memset(o, 0, sizeof(*o));
	if (!b->driver)
		p.group = PROC_SAME;
	if (!image) {
		if (kernel_build(b, name, img, sizeof(img), o))
			return;
		image = img;
	}
	if (b->boots && baseline) {
		/* {good} is this image at every try from now on */
		int e = b->tree[0] ? keep_image(b, name, image) : 0;

		if (e) {
			o->verdict = BISECT_ABORT;
			fmt(o->why, sizeof(o->why), "keeping the good image %s in %s/images: %s",
			    image, b->out, strerror(-e));
			return;
		}
		if (!b->tree[0])
			fmt(b->good_image, sizeof(b->good_image), "%s", image);
		image = b->good_image;
	}

	/* a run directory is never overwritten (gupbench run refuses) */
	fmt(run, sizeof(run), "%s/runs/%s", b->out, name);
	for (int i = 2; !lstat(run, &sb) && i < 100; i++)
		fmt(run, sizeof(run), "%s/runs/%s.%d", b->out, name, i);
	qi = quoted(image);
	qo = quoted(run);
	qe = quoted(b->exe);
	qg = quoted(b->boots ? b->good_image : image);
	fmt(boots, sizeof(boots), "%u", b->boots ? b->boots : 1);
	if (qi && qo && qe && qg) {
		const struct tpl_var v[] = {
			{ "image", qi }, { "out", qo }, { "configs", b->configs },
			{ "gupbench", qe }, { "good", qg }, { "boots", boots },
		};

		argv[2] = tpl_expand(b->boot, v, ARRAY_SIZE(v));
	}
	free(qi);
	free(qo);
	free(qe);
	free(qg);
	fmt(log, sizeof(log), "%s/logs/%s.boot.log", b->out, name);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (!argv[2] || fd < 0) {
		o->verdict = BISECT_ABORT;
		fmt(o->why, sizeof(o->why), "%s: %s", fd < 0 ? log : "boot command",
		    strerror(fd < 0 ? errno : ENOMEM));
		goto out;
	}
	dprintf(fd, "$ cd %s && %s\n", b->cwd, argv[2]);
	p.out_fd = fd;
	st = proc_run(&p);
	close(fd);
	/* whatever the boot left (partial rows of a guest that died) is kept */
	if (!lstat(run, &sb))
		fmt(o->run, sizeof(o->run), "%s", run);

	o->verdict = BISECT_SKIP;
	if (st < 0) {
		o->verdict = BISECT_ABORT;
		fmt(o->why, sizeof(o->why), "cannot run the boot command: %s", strerror(-st));
		goto out;
	}
	if (b->driver && bisect_signal) {
		o->verdict = BISECT_ABORT;
		fmt(o->why, sizeof(o->why), "interrupted while booting");
		goto out;
	}
	if (st == 2) {
		/* gupbench vm refused a config or an option: it will on every kernel */
		o->verdict = BISECT_ABORT;
		fmt(o->why, sizeof(o->why), "the boot command refused a config or option "
		    "(exit 2; logs/%s.boot.log)", name);
		goto out;
	}
	if (st == 3) {
		fmt(o->why, sizeof(o->why), "not bootable here: the image lacks options the "
		    "guest needs (exit 3; logs/%s.boot.log)", name);
		goto out;
	}
	if (st == 4) {
		fmt(o->why, sizeof(o->why), "boot failed: the guest did not complete "
		    "(exit 4; logs/%s.boot.log)", name);
		goto out;
	}
	if (st > 128) {
		fmt(o->why, sizeof(o->why), "boot command killed by signal %d (logs/%s.boot.log)",
		    st - 128, name);
		goto out;
	}
	if (st != 0 && st != 1) {
		fmt(o->why, sizeof(o->why), "boot command failed (exit %d; logs/%s.boot.log)",
		    st, name);
		goto out;
	}
	/* --boots: vm wrote the good kernel's boots to a/, the candidate's to b/ */
	fmt(side_a, sizeof(side_a), "%s%s", run, b->boots ? "/a" : "");
	fmt(side_b, sizeof(side_b), "%s%s", run, b->boots ? "/b" : "");
	fmt(csv, sizeof(csv), "%s%s", side_b, b->boots ? "/boot-1/results.csv" : "/results.csv");
	if (access(csv, R_OK)) {
		fmt(o->why, sizeof(o->why), "the boot command wrote no results.csv "
		    "(exit %d; logs/%s.boot.log)", st, name);
		goto out;
	}

	/*
	 * Against itself, the baseline shows its points and checks --only and
	 * --ignore; with --boots it is the good kernel's A/A (its a/ and b/).
	 */
	if (compare_runs(b->boots ? side_a : baseline ? run : b->baseline, side_b, &b->cmp, &r,
			 err, sizeof(err))) {
		fmt(o->why, sizeof(o->why), "cannot compare: %s", err);
		goto out;
	}
	if (!r.new.rows[CMP_ST_OK]) {
		fmt(o->why, sizeof(o->why), "no ok rows (boot exit %d; logs/%s.boot.log)", st,
		    name);
	} else if (baseline) {
		size_t n = r.n - r.count[CMP_NOT_COMPARED];

		o->verdict = n ? BISECT_GOOD : BISECT_SKIP;
		fmt(o->why, sizeof(o->why), "%zu points with ok samples%s", n,
		    st == 1 ? "; some scenarios failed" : "");
		if (b->boots) {
			size_t used = strlen(o->why);

			/* what the same kernel against itself says: the floor of every step */
			fmt(o->why + used, sizeof(o->why) - used, "; against itself (%u boot%s a "
			    "side): %zu regressed, %zu improved, %zu unchanged, %zu inconclusive",
			    b->boots, b->boots == 1 ? "" : "s", r.count[CMP_REGRESSION],
			    r.count[CMP_IMPROVEMENT], r.count[CMP_UNCHANGED],
			    r.count[CMP_INCONCLUSIVE]);
		}
	} else {
		judge(&r, st, o);
	}
	if (r.new.rows[CMP_ST_OK] && (!baseline || b->boots)) {
		char cmp[PATH_MAX + 64];
		FILE *f;

		/* the whole comparison, for when one line is not enough */
		fmt(cmp, sizeof(cmp), "%s/logs/%s.compare.txt", b->out, name);
		f = fopen(cmp, "we");
		if (f) {
			compare_print(f, f, &r, &b->cmp, CMP_FMT_TEXT, 0);
			fclose(f);
		}
	}
	compare_result_free(&r);
out:
	free(argv[2]);
	if (o->run[0] && o->verdict != BISECT_ABORT) {
		char to[PATH_MAX + 16];

		/* runs/<name>-<verdict>: the directory listing reads like the log */
		fmt(to, sizeof(to), "%s-%s", o->run, verdict_word(o->verdict));
		if (!rename(o->run, to))
			fmt(o->run, sizeof(o->run), "%s", to);
	}
}

/* One log line per kernel: role, id, "subject": verdict: why. */
static void log_outcome(struct bisect *b, const char *role, const char *id, const char *subject,
			int baseline, const struct outcome *o)
{
	blog(b, "%-7s %s \"%s\": %s%s: %s", role, id, subject, verdict_word(o->verdict),
	     baseline && o->verdict == BISECT_GOOD ? " (baseline)" : "", o->why);
}

/* ---- Options both the driver and the step take ---- */

enum {
	OPT_TREE = 256, OPT_GOOD, OPT_BAD, OPT_IMAGES, OPT_BUILD, OPT_BOOT,
	OPT_BASELINE, OPT_CWD, OPT_OUT, OPT_BOOTS, OPT_GOOD_IMAGE,
};

/* --boots N: 0 or -1 (said on stderr). */
static int boots_parse(struct bisect *b, const char *cmd, const char *arg)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || v < 1 || v > MAX_BOOTS || arg[0] == '-') {
		fprintf(stderr, "gupbench %s: --boots: \"%s\" is not a number of boots from 1 to "
			"%d\n", cmd, arg, MAX_BOOTS);
		return -1;
	}
	b->boots = (unsigned)v;
	return 0;
}

/* The configs, absolute (the build runs in the tree, the step under git). */
static int configs_set(struct bisect *b, char **names, int n, const char *cmd)
{
	struct sbuf q = { 0 };

	b->config = calloc((size_t)n, sizeof(*b->config));
	if (!b->config)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		b->config[i] = realpath(names[i], NULL);
		b->nconfig = i + 1;
		if (!b->config[i] || access(b->config[i], R_OK)) {
			int e = errno;

			fprintf(stderr, "gupbench %s: %s: %s\n", cmd, names[i], strerror(e));
			return -e;
		}
		if (i)
			sbuf_add(&q, " ");
		sbuf_quote(&q, b->config[i]);
	}
	b->configs = sbuf_take(&q);
	return b->configs ? 0 : -ENOMEM;
}

static int exe_path(struct bisect *b)
{
	ssize_t n = readlink("/proc/self/exe", b->exe, sizeof(b->exe) - 1);

	if (n < 0)
		return -errno;
	b->exe[n] = '\0';
	if (!getcwd(b->cwd, sizeof(b->cwd)))
		return -errno;
	return 0;
}

/* ---- __bisect-step: one revision, under git bisect run ---- */

static void step_usage(void)
{
	fprintf(stderr, "usage: gupbench __bisect-step --tree DIR --out OUT --baseline RUN "
		"--build CMD --boot CMD --cwd DIR [--boots N --good-image IMG] [compare options] "
		"CONFIG...\n"
		"  (run by `gupbench bisect` through git bisect run; not for direct use)\n");
}

/* "step N": N counts the step lines already in the log. */
static int step_number(const struct bisect *b)
{
	char line[4096];
	int n = 1;
	FILE *f = fopen(b->log, "re");

	while (f && fgets(line, sizeof(line), f))
		n += !strncmp(line, "step ", 5);
	if (f)
		fclose(f);
	return n;
}

int bisect_step_main(int argc, char **argv)
{
	static const struct option lopts[] = {
		COMPARE_LONG_OPTS,
		{ "tree", required_argument, NULL, OPT_TREE },
		{ "out", required_argument, NULL, OPT_OUT },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "build", required_argument, NULL, OPT_BUILD },
		{ "boot", required_argument, NULL, OPT_BOOT },
		{ "cwd", required_argument, NULL, OPT_CWD },
		{ "boots", required_argument, NULL, OPT_BOOTS },
		{ "good-image", required_argument, NULL, OPT_GOOD_IMAGE },
		{ 0 },
	};
	struct bisect b = { .driver = 0 };
	struct outcome o;
	char sha[128], subj[512], role[32];
	const char *cwd = NULL;
	int c;

	compare_opts_default(&b.cmp);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		int taken = compare_opt(c, optarg, "__bisect-step", &b.cmp);

		if (taken < 0)
			return BISECT_ABORT;
		if (taken)
			continue;
		switch (c) {
		case OPT_TREE:
			fmt(b.tree, sizeof(b.tree), "%s", optarg);
			break;
		case OPT_OUT:
			fmt(b.out, sizeof(b.out), "%s", optarg);
			break;
		case OPT_BASELINE:
			fmt(b.baseline, sizeof(b.baseline), "%s", optarg);
			break;
		case OPT_BUILD:
			b.build = optarg;
			break;
		case OPT_BOOT:
			b.boot = optarg;
			break;
		case OPT_CWD:
			cwd = optarg;
			break;
		case OPT_BOOTS:
			if (boots_parse(&b, "__bisect-step", optarg))
				return BISECT_ABORT;
			break;
		case OPT_GOOD_IMAGE:
			fmt(b.good_image, sizeof(b.good_image), "%s", optarg);
			break;
		default:
			step_usage();
			return BISECT_ABORT;
		}
	}
	if (!b.tree[0] || !b.out[0] || !b.baseline[0] || !b.build || !b.boot || !cwd ||
	    optind >= argc || (b.boots && !b.good_image[0])) {
		step_usage();
		return BISECT_ABORT;
	}
	if (exe_path(&b) || configs_set(&b, argv + optind, argc - optind, "__bisect-step"))
		return BISECT_ABORT;
	fmt(b.cwd, sizeof(b.cwd), "%s", cwd);
	fmt(b.log, sizeof(b.log), "%s/bisect.log", b.out);

	if (git(b.tree, PROC_SAME, sha, sizeof(sha), "rev-parse", "--short", "HEAD", NULL) ||
	    git(b.tree, PROC_SAME, subj, sizeof(subj), "log", "-1", "--format=%s", "HEAD", NULL)) {
		fprintf(stderr, "gupbench __bisect-step: %s: no HEAD revision: %s\n", b.tree, sha);
		return BISECT_ABORT;
	}
	fmt(role, sizeof(role), "step %d", step_number(&b));
	kernel_try(&b, sha, NULL, 0, &o);
	log_outcome(&b, role, sha, subj, 0, &o);
	return o.verdict;
}

/* ---- The driver ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gupbench bisect --tree DIR --good REV --bad REV [--build CMD]\n"
		"         [--boot CMD] [--boots N] [-o OUT] [compare options] CONFIG...\n"
		"       gupbench bisect --images K1 K2 ... Kn [--boot CMD] [--boots N]\n"
		"         [-o OUT] [compare options] CONFIG...\n"
		"  finds the first kernel slower than the good one: each kernel is booted\n"
		"  under QEMU, runs CONFIG... and is compared with the good kernel's run.\n"
		"  --tree: the revisions of a kernel git tree from --good to --bad (git bisect\n"
		"    run). The tree must be clean and not mid-bisect; it is left as found.\n"
		"  --images: kernels oldest first (bzImage paths, debian:VERSION); K1 is\n"
		"    good, Kn must be bad. Arguments ending in .ini are configs, the others\n"
		"    images, in order.\n"
		"  --build CMD: run in the tree, prints the image path as its last line\n"
		"    (default: <gupbench>/scripts/kbuild.sh DIR); failure skips the revision\n"
		"  --boot CMD: sh command with {image} {out} {configs} {gupbench}, quoted\n"
		"    (default: " BOOT_DEFAULT ");\n"
		"    exit 0/1 with ok rows: compared; 2: abort; else: skip\n"
		"  --boots N: at every try boot the good kernel and the candidate N times each,\n"
		"    interleaved, and judge the candidate against those good boots (for the\n"
		"    wall clock, where the host drifts). Its default --boot: vm --boots {boots}\n"
		"    --kernel {good} --kernel {image}, the rest as above; a --boot of one's\n"
		"    own must take {good} and write {out}/a and {out}/b as vm --boots does\n"
		"  compare options: --threshold T --alpha A --min-samples N --only RE --ignore K\n"
		"                   --metric elapsed|cpu (default: cpu under icount, the vm\n"
		"                   default under TCG)\n"
		"  OUT (default results/bisect-<date>): bisect.log, runs/ (a run per kernel,\n"
		"    named by verdict), logs/ (build, boot and comparison output)\n"
		"  exit: 0 first bad found, 125 undecided (skipped kernels hide it), 2 usage\n"
		"    error or nothing to bisect (an end cannot be measured, bad is not bad),\n"
		"    128 abort (a config refused), 128+N stopped by signal N\n");
}

struct git_ends {
	char good[64], bad[64];		/* full commit ids */
	char gshort[32], bshort[32];
	char gsubj[512], bsubj[512];
	char head[256];			/* where the tree was: branch or commit */
};

/* 0 or -1 with the reason on stderr: everything the bisection relies on. */
static int git_check(struct bisect *b, const char *good, const char *bad, struct git_ends *e)
{
	char msg[4096], rev[PATH_MAX], path[2 * PATH_MAX];
	const char *want[2] = { good, bad };
	char *id[2] = { e->good, e->bad }, *sh[2] = { e->gshort, e->bshort };
	char *subj[2] = { e->gsubj, e->bsubj };

	if (git(b->tree, PROC_SHIELD, msg, sizeof(msg), "rev-parse", "--show-toplevel", NULL)) {
		fprintf(stderr, "gupbench bisect: --tree %s: not a git work tree: %s\n", b->tree,
			msg);
		return -1;
	}
	fmt(b->tree, sizeof(b->tree), "%s", msg);
	for (int i = 0; i < 2; i++) {
		fmt(rev, sizeof(rev), "%s^{commit}", want[i]);
		if (git(b->tree, PROC_SHIELD, id[i], sizeof(e->good), "rev-parse", "--verify", "-q",
			rev, NULL)) {
			fprintf(stderr, "gupbench bisect: --%s %s: not a commit in %s\n",
				i ? "bad" : "good", want[i], b->tree);
			return -1;
		}
		git(b->tree, PROC_SHIELD, sh[i], sizeof(e->gshort), "rev-parse", "--short", id[i],
		    NULL);
		git(b->tree, PROC_SHIELD, subj[i], sizeof(e->gsubj), "log", "-1", "--format=%s",
		    id[i], NULL);
	}
	if (!strcmp(e->good, e->bad)) {
		fprintf(stderr, "gupbench bisect: --good and --bad are the same commit %s\n",
			e->gshort);
		return -1;
	}
	if (!git(b->tree, PROC_SHIELD, msg, sizeof(msg), "merge-base", "--is-ancestor", e->bad,
		 e->good, NULL)) {
		fprintf(stderr, "gupbench bisect: --bad %s is an ancestor of --good %s: swapped?\n",
			e->bshort, e->gshort);
		return -1;
	}
	git(b->tree, PROC_SHIELD, path, sizeof(path), "rev-parse", "--git-path", "BISECT_START",
	    NULL);
	if (path[0] != '/') {
		fmt(rev, sizeof(rev), "%s", path);
		fmt(path, sizeof(path), "%s/%s", b->tree, rev);
	}
	if (!access(path, F_OK)) {
		fprintf(stderr, "gupbench bisect: %s is in the middle of a bisection already "
			"(finish it, or `git -C %s bisect reset`)\n", b->tree, b->tree);
		return -1;
	}
	/* untracked files do not stop a checkout; changes to tracked ones would be lost */
	if (git(b->tree, PROC_SHIELD, msg, sizeof(msg), "status", "--porcelain",
		"--untracked-files=no", NULL) || msg[0]) {
		fprintf(stderr, "gupbench bisect: %s has uncommitted changes (commit or stash "
			"them):\n%s\n", b->tree, msg);
		return -1;
	}
	if (git(b->tree, PROC_SHIELD, e->head, sizeof(e->head), "symbolic-ref", "-q", "--short",
		"HEAD", NULL))
		git(b->tree, PROC_SHIELD, e->head, sizeof(e->head), "rev-parse", "--short", "HEAD",
		    NULL);
	return 0;
}

static int is_sha(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n >= 40 && (!s[n] || s[n] == ' ');
}

/* What `git bisect run` said, read as it runs (LC_ALL=C). */
struct run_scan {
	struct bisect *b;
	int fd;				/* OUT/logs/git-bisect-run.log */
	char first[41];			/* "<sha> is the first bad commit" */
	char cand[MAX_CANDIDATES][41];	/* "only 'skip'ped commits left": could be any of */
	size_t ncand;
	int in_cand;
};

static void run_line(void *ctx, char *line)
{
	struct run_scan *s = ctx;

	if (s->fd >= 0)
		dprintf(s->fd, "%s\n", line);
	if (is_sha(line) && strstr(line, " is the first bad commit")) {
		fmt(s->first, sizeof(s->first), "%.40s", line);
	} else if (strstr(line, "only 'skip'ped commits left")) {
		s->in_cand = 1;
		s->ncand = 0;
	} else if (s->in_cand && is_sha(line)) {
		if (s->ncand < MAX_CANDIDATES)
			fmt(s->cand[s->ncand++], sizeof(s->cand[0]), "%.40s", line);
	} else if (s->in_cand && !strstr(line, "could be any of")) {
		s->in_cand = 0;
	}
	log_echo(s->b);
}

/* git bisect run <self> __bisect-step ...: the search, one step per revision. */
static int git_bisect_run(struct bisect *b, struct run_scan *s)
{
	char log[PATH_MAX + 32], boots[16];
	char **argv = calloc((size_t)(b->nconfig + b->ncmp_arg + 24), sizeof(*argv));
	struct proc p = { .out_fd = -1, .err_fd = -1, .group = PROC_FORWARD, .c_locale = 1,
			  .line = run_line, .ctx = s };
	int n = 0, ret;

	if (!argv)
		return -ENOMEM;
	argv[n++] = "git";
	argv[n++] = "-C";
	argv[n++] = b->tree;
	argv[n++] = "bisect";
	argv[n++] = "run";
	argv[n++] = b->exe;
	argv[n++] = "__bisect-step";
	argv[n++] = "--tree";
	argv[n++] = b->tree;
	argv[n++] = "--out";
	argv[n++] = b->out;
	argv[n++] = "--baseline";
	argv[n++] = b->baseline;
	argv[n++] = "--build";
	argv[n++] = (char *)b->build;
	argv[n++] = "--boot";
	argv[n++] = (char *)b->boot;
	argv[n++] = "--cwd";
	argv[n++] = b->cwd;
	if (b->boots) {
		fmt(boots, sizeof(boots), "%u", b->boots);
		argv[n++] = "--boots";
		argv[n++] = boots;
		argv[n++] = "--good-image";
		argv[n++] = b->good_image;
	}
	for (int i = 0; i < b->ncmp_arg; i++)
		argv[n++] = b->cmp_arg[i];
	argv[n++] = "--";
	for (int i = 0; i < b->nconfig; i++)
		argv[n++] = b->config[i];
	p.argv = argv;
	fmt(log, sizeof(log), "%s/logs/git-bisect-run.log", b->out);
	s->b = b;
	s->fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	ret = proc_run(&p);
	if (s->fd >= 0)
		close(s->fd);
	log_echo(b);
	free(argv);
	return ret;
}

static int sig_install(struct sigaction *old)
{
	struct sigaction sa = { .sa_handler = bisect_on_signal, .sa_flags = SA_RESTART };
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		if (sigaction(sigs[i], &sa, &old[i]))
			return -errno;
	return 0;
}

static void sig_restore(const struct sigaction *old)
{
	sigaction(SIGINT, &old[0], NULL);
	sigaction(SIGTERM, &old[1], NULL);
	sigaction(SIGHUP, &old[2], NULL);
}

/* The subject of a commit, for the log; "" if git cannot say. */
static void commit_subject(struct bisect *b, const char *sha, char *dst, size_t len)
{
	if (git(b->tree, PROC_SHIELD, dst, len, "log", "-1", "--format=%s", sha, NULL))
		dst[0] = '\0';
}

/*
 * Measure one end of the range: the good end becomes the baseline, the bad
 * end must be bad against it. 0, the exit status that ends the bisection,
 * or -1 when a signal stopped it (the caller's way out reports that).
 */
static int end_measure(struct bisect *b, int good, const char *name, const char *image,
		       const char *role, const char *id, const char *subject, const char *what,
		       const char *against)
{
	struct outcome o;

	kernel_try(b, name, image, good, &o);
	log_outcome(b, role, id, subject, good, &o);
	if (bisect_signal)
		return -1;
	if (o.verdict == (good ? BISECT_GOOD : BISECT_BAD)) {
		if (good)
			fmt(b->baseline, sizeof(b->baseline), "%s", o.run);
		return 0;
	}
	if (good)
		fprintf(stderr, "gupbench bisect: %s cannot be measured (%s): nothing to compare "
			"with\n", what, o.why);
	else
		fprintf(stderr, "gupbench bisect: %s is not bad against %s (%s: %s): nothing to "
			"bisect\n", what, against, verdict_word(o.verdict), o.why);
	return o.verdict == BISECT_ABORT ? BISECT_ABORT : 2;
}

static int bisect_git(struct bisect *b, const struct git_ends *e)
{
	char msg[8192], subj[512], what[256], against[256];
	struct run_scan *scan = NULL;
	int ret = 2, st;

	st = git(b->tree, PROC_FORWARD, msg, sizeof(msg), "bisect", "start", NULL);
	if (st) {
		fprintf(stderr, "gupbench bisect: git bisect start in %s failed: %s\n", b->tree,
			msg);
		return 2;
	}
	/* from here on every way out goes through the reset */

	if (git(b->tree, PROC_FORWARD, msg, sizeof(msg), "checkout", "-q", "--detach", e->good,
		NULL)) {
		fprintf(stderr, "gupbench bisect: git checkout %s: %s\n", e->gshort, msg);
		goto reset;
	}
	snprintf(what, sizeof(what), "the --good revision %s", e->gshort);
	st = end_measure(b, 1, e->gshort, NULL, "--good", e->gshort, e->gsubj, what, NULL);
	if (st) {
		ret = st < 0 ? ret : st;
		goto reset;
	}

	if (git(b->tree, PROC_FORWARD, msg, sizeof(msg), "checkout", "-q", "--detach", e->bad,
		NULL)) {
		fprintf(stderr, "gupbench bisect: git checkout %s: %s\n", e->bshort, msg);
		goto reset;
	}
	snprintf(what, sizeof(what), "the --bad revision %s", e->bshort);
	snprintf(against, sizeof(against), "--good %s", e->gshort);
	st = end_measure(b, 0, e->bshort, NULL, "--bad", e->bshort, e->bsubj, what, against);
	if (st) {
		ret = st < 0 ? ret : st;
		goto reset;
	}

	scan = calloc(1, sizeof(*scan));
	if (!scan) {
		ret = BISECT_ABORT;
		goto reset;
	}
	/* both ends known: git checks out the first revision to test, or is done */
	st = git(b->tree, PROC_FORWARD, msg, sizeof(msg), "bisect", "bad", e->bad, NULL);
	if (!st)
		st = git(b->tree, PROC_FORWARD, msg, sizeof(msg), "bisect", "good", e->good, NULL);
	if (st) {
		fprintf(stderr, "gupbench bisect: git bisect good/bad: %s\n", msg);
		ret = BISECT_ABORT;
		goto reset;
	}
	/* adjacent ends: git names the first bad commit at once, nothing to run */
	scan->b = b;
	scan->fd = -1;
	for (char *sp = NULL, *l = strtok_r(msg, "\n", &sp); l; l = strtok_r(NULL, "\n", &sp))
		run_line(scan, l);
	if (!scan->first[0])
		st = git_bisect_run(b, scan);
	if (bisect_signal)
		goto reset;
	if (scan->first[0]) {
		commit_subject(b, scan->first, subj, sizeof(subj));
		blog(b, "first bad commit: %s %s", scan->first, subj);
		ret = 0;
	} else if (scan->ncand) {
		blog(b, "first bad commit: undecided: only skipped commits left; it is one of:");
		for (size_t i = 0; i < scan->ncand; i++) {
			commit_subject(b, scan->cand[i], subj, sizeof(subj));
			blog(b, "candidate: %s %s", scan->cand[i], subj);
		}
		ret = BISECT_SKIP;
	} else {
		blog(b, "first bad commit: none: git bisect run stopped (exit %d; "
		     "logs/git-bisect-run.log)", st);
		ret = BISECT_ABORT;
	}
reset:
	free(scan);
	if (git(b->tree, PROC_SHIELD, msg, sizeof(msg), "bisect", "reset", NULL))
		fprintf(stderr, "gupbench bisect: git bisect reset failed, %s is still mid-bisect "
			"(`git -C %s bisect reset`): %s\n", b->tree, b->tree, msg);
	return ret;
}

/* "K3-bzImage-6.1": a run directory name from an image spec. */
static void image_name(char *dst, size_t len, int i, const char *spec)
{
	const char *base = strrchr(spec, '/');
	size_t n;

	fmt(dst, len, "K%d-%.48s", i + 1, base && base[1] ? base + 1 : spec);
	for (n = 0; dst[n]; n++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-",
			    dst[n]))
			dst[n] = '_';
}

/* The binary search over K1..Kn, here rather than in git. */
static int bisect_images(struct bisect *b, char **spec, char **given, int n)
{
	enum { UNTESTED, TESTED_GOOD, TESTED_BAD, TESTED_SKIP } *st;
	char name[128], id[16], role[32], what[PATH_MAX + 32];
	int lo = 0, hi = n - 1, step = 0, ret = 2, e;
	struct outcome o;

	st = calloc((size_t)n, sizeof(*st));
	if (!st)
		return BISECT_ABORT;
	image_name(name, sizeof(name), 0, given[0]);
	snprintf(what, sizeof(what), "the first image %s", given[0]);
	e = end_measure(b, 1, name, spec[0], "first", "K1", given[0], what, NULL);
	if (e) {
		ret = e < 0 ? ret : e;
		goto out;
	}

	image_name(name, sizeof(name), n - 1, given[n - 1]);
	fmt(id, sizeof(id), "K%d", n);
	snprintf(what, sizeof(what), "the last image %s", given[n - 1]);
	e = end_measure(b, 0, name, spec[n - 1], "last", id, given[n - 1], what, "the first");
	if (e) {
		ret = e < 0 ? ret : e;
		goto out;
	}

	while (hi - lo > 1) {
		int mid = lo + (hi - lo) / 2, i = -1;

		/* the midpoint, else its nearest untested neighbour: a skip costs little halving */
		for (int d = 0; i < 0 && d < hi - lo; d++) {
			if (mid + d < hi && st[mid + d] == UNTESTED)
				i = mid + d;
			else if (mid - d > lo && st[mid - d] == UNTESTED)
				i = mid - d;
		}
		if (i < 0)
			break;		/* only skipped images left between lo and hi */
		image_name(name, sizeof(name), i, given[i]);
		fmt(id, sizeof(id), "K%d", i + 1);
		fmt(role, sizeof(role), "step %d", ++step);
		kernel_try(b, name, spec[i], 0, &o);
		log_outcome(b, role, id, given[i], 0, &o);
		if (bisect_signal)
			goto out;
		if (o.verdict == BISECT_ABORT) {
			blog(b, "first bad image: none: stopped at K%d (%s)", i + 1, o.why);
			ret = BISECT_ABORT;
			goto out;
		}
		if (o.verdict == BISECT_GOOD)
			lo = i;
		else if (o.verdict == BISECT_BAD)
			hi = i;
		st[i] = o.verdict == BISECT_GOOD ? TESTED_GOOD : o.verdict == BISECT_BAD ?
			TESTED_BAD : TESTED_SKIP;
	}
	if (hi - lo == 1) {
		blog(b, "first bad image: K%d %s (last good: K%d %s)", hi + 1, given[hi], lo + 1,
		     given[lo]);
		ret = 0;
	} else {
		blog(b, "first bad image: undecided: one of K%d..K%d (K%d..K%d skipped; "
		     "last good: K%d %s)", lo + 2, hi + 1, lo + 2, hi, lo + 1, given[lo]);
		ret = BISECT_SKIP;
	}
out:
	free(st);
	return ret;
}

static void header(struct bisect *b, char **given, int nimg, const struct git_ends *e)
{
	char when[64], line[1024] = "";
	time_t t = time(NULL);
	struct tm tm;
	size_t used;

	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %z", &tm);
	blog(b, "# gupbench bisect, %s, gupbench %s", when, gupbench_rev());
	if (e) {
		blog(b, "# tree:    %s (was at %s)", b->tree, e->head);
		blog(b, "# good:    %s %s", e->good, e->gsubj);
		blog(b, "# bad:     %s %s", e->bad, e->bsubj);
	}
	for (int i = 0; i < nimg; i++)
		blog(b, "# K%-6d %s%s", i + 1, given[i], i == 0 ? " (good)" : i == nimg - 1 ?
		     " (bad)" : "");
	for (int i = 0; i < b->nconfig; i++)
		blog(b, "# config:  %s", b->config[i]);
	for (size_t i = 0; i < b->cmp.nignore; i++) {
		used = strlen(line);
		fmt(line + used, sizeof(line) - used, "%s%s", i ? "," : "", b->cmp.ignore[i]);
	}
	blog(b, "# compare: threshold %g%%, alpha %g, min-samples %zu, only %s, ignore %s, metric %s",
	     b->cmp.threshold * 100, b->cmp.alpha, b->cmp.min_samples,
	     b->cmp.only ? b->cmp.only : "-", line[0] ? line : "-",
	     b->cmp.metric == CMP_METRIC_CPU ? "cpu" : b->cmp.metric == CMP_METRIC_ELAPSED ?
	     "elapsed" : "auto (cpu under icount)");
	if (e)
		blog(b, "# build:   %s   (in the tree)", b->build);
	blog(b, "# boot:    %s   (in %s)", b->boot, b->cwd);
	if (b->boots)
		blog(b, "# boots:   %u of the good kernel and %u of each candidate, interleaved, "
		     "at every try: a candidate is judged against the good kernel's boots of the "
		     "same minutes", b->boots, b->boots);
	blog(b, "# output:  %s (runs/: a run per kernel, named by verdict; logs/: build, boot, "
	     "comparison)", b->out);
}

static int has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);

	return n >= k && !strcmp(s + n - k, suf);
}

int bisect_main(int argc, char **argv)
{
	static const struct option lopts[] = {
		COMPARE_LONG_OPTS,
		{ "tree", required_argument, NULL, OPT_TREE },
		{ "good", required_argument, NULL, OPT_GOOD },
		{ "bad", required_argument, NULL, OPT_BAD },
		{ "images", no_argument, NULL, OPT_IMAGES },
		{ "build", required_argument, NULL, OPT_BUILD },
		{ "boot", required_argument, NULL, OPT_BOOT },
		{ "boots", required_argument, NULL, OPT_BOOTS },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct bisect b = { .driver = 1, .boot = NULL };
	const char *tree = NULL, *good = NULL, *bad = NULL, *out = NULL;
	char **cfg = NULL, **img = NULL, **spec = NULL, path[PATH_MAX + 32];
	int c, li, images = 0, ncfg = 0, nimg = 0, ret = 2;
	struct git_ends e;
	struct sigaction old[3];
	struct stat sb;

	compare_opts_default(&b.cmp);
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", lopts, &li)) != -1) {
		int taken = compare_opt(c, optarg, "bisect", &b.cmp);

		if (taken < 0)
			return 2;
		if (taken) {
			/* the step gets them as given (the options live as long as argv) */
			if (b.ncmp_arg == MAX_CMP_ARGS) {
				fprintf(stderr, "gupbench bisect: more than %d compare options\n",
					MAX_CMP_ARGS);
				return 2;
			}
			if (asprintf(&b.cmp_arg[b.ncmp_arg++], "--%s=%s", lopts[li].name,
				     optarg) < 0)
				return 2;
			continue;
		}
		switch (c) {
		case OPT_TREE:
			tree = optarg;
			break;
		case OPT_GOOD:
			good = optarg;
			break;
		case OPT_BAD:
			bad = optarg;
			break;
		case OPT_IMAGES:
			images = 1;
			break;
		case OPT_BUILD:
			b.build = optarg;
			break;
		case OPT_BOOT:
			b.boot = optarg;
			break;
		case OPT_BOOTS:
			if (boots_parse(&b, "bisect", optarg))
				return 2;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	cfg = calloc((size_t)argc + 1, sizeof(*cfg));
	img = calloc((size_t)argc + 1, sizeof(*img));
	spec = calloc((size_t)argc + 1, sizeof(*spec));
	if (!cfg || !img || !spec)
		goto out;
	for (int i = optind; i < argc; i++) {
		if (images && !has_suffix(argv[i], ".ini"))
			img[nimg++] = argv[i];
		else
			cfg[ncfg++] = argv[i];
	}
	if (images && (tree || good || bad || b.build)) {
		fprintf(stderr, "gupbench bisect: --images takes no --tree, --good, --bad or "
			"--build\n");
		goto usage;
	}
	if (!images && (!tree || !good || !bad)) {
		fprintf(stderr, "gupbench bisect: --tree, --good and --bad, or --images\n");
		goto usage;
	}
	if (images && nimg < 2) {
		fprintf(stderr, "gupbench bisect: --images needs at least two images, the good "
			"one first and the bad one last (got %d)\n", nimg);
		goto usage;
	}
	if (!ncfg) {
		fprintf(stderr, "gupbench bisect: no CONFIG%s\n",
			images ? " (configs are the arguments ending in .ini)" : "");
		goto usage;
	}
	if (b.boots && b.boot && !strstr(b.boot, "{good}")) {
		fprintf(stderr, "gupbench bisect: --boots: the --boot command must boot the good "
			"kernel beside the candidate ({good} {image}, writing {out}/a and {out}/b "
			"as vm --boots does); \"%s\" has no {good}\n", b.boot);
		goto usage;
	}
	if (!b.boot)
		b.boot = b.boots ? BOOT_PAIRED : BOOT_DEFAULT;
	if (exe_path(&b)) {
		fprintf(stderr, "gupbench bisect: /proc/self/exe: %s\n", strerror(errno));
		goto out;
	}
	if (configs_set(&b, cfg, ncfg, "bisect"))
		goto out;
	/*
	 * An image that is a file is passed by absolute path: the boot runs
	 * anywhere. A path that is none is a typo, found now rather than
	 * halfway through the search; names without a slash may be specs
	 * for the boot command (debian:6.1.0-50).
	 */
	for (int i = 0; i < nimg; i++) {
		if (!stat(img[i], &sb)) {
			spec[i] = realpath(img[i], NULL);
		} else if (strchr(img[i], '/')) {
			fprintf(stderr, "gupbench bisect: --images: %s: %s\n", img[i],
				strerror(errno));
			goto out;
		} else {
			spec[i] = strdup(img[i]);
		}
		if (!spec[i])
			goto out;
	}
	if (!images) {
		char top[PATH_MAX], *q, *qt;

		if (!realpath(tree, b.tree)) {
			fprintf(stderr, "gupbench bisect: --tree %s: %s\n", tree, strerror(errno));
			goto out;
		}
		if (git_check(&b, good, bad, &e))
			goto out;
		if (!b.build) {
			/* build/gupbench -> <top>/scripts/kbuild.sh */
			fmt(path, sizeof(path), "%s", b.exe);
			fmt(top, sizeof(top), "%s", dirname(dirname(path)));
			fmt(path, sizeof(path), "%s/scripts/kbuild.sh", top);
			q = quoted(path);
			qt = quoted(b.tree);
			if (q && qt && asprintf(&b.build_default, "%s %s", q, qt) > 0)
				b.build = b.build_default;
			free(q);
			free(qt);
			if (!b.build)
				goto out;
		}
	}

	if (out) {
		fmt(b.out, sizeof(b.out), "%s%s%s", out[0] == '/' ? "" : b.cwd,
		    out[0] == '/' ? "" : "/", out);
	} else {
		char when[32];
		time_t t = time(NULL);
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y%m%d-%H%M%S", &tm);
		fmt(b.out, sizeof(b.out), "%s/results/bisect-%s", b.cwd, when);
	}
	fmt(b.log, sizeof(b.log), "%s/bisect.log", b.out);
	if (!access(b.log, F_OK)) {
		fprintf(stderr, "gupbench bisect: -o %s holds a bisection already (bisect.log); "
			"choose another\n", b.out);
		goto out;
	}
	fmt(path, sizeof(path), "%s/runs", b.out);
	ret = mkdir_p(path, 1);
	if (!ret) {
		fmt(path, sizeof(path), "%s/logs", b.out);
		ret = mkdir_p(path, 1);
	}
	if (ret) {
		fprintf(stderr, "gupbench bisect: mkdir %s: %s\n", path, strerror(-ret));
		ret = 2;
		goto out;
	}
	header(&b, img, nimg, images ? NULL : &e);

	if (sig_install(old)) {
		ret = BISECT_ABORT;
		goto out;
	}
	ret = images ? bisect_images(&b, spec, img, nimg) : bisect_git(&b, &e);
	sig_restore(old);
	if (bisect_signal) {
		blog(&b, "stopped by %s%s", strsignal(bisect_signal),
		     images ? "" : "; the tree is reset");
		ret = 128 + bisect_signal;
	}
	goto out;
usage:
	usage(stderr);
	ret = 2;
out:
	for (int i = 0; i < b.ncmp_arg; i++)
		free(b.cmp_arg[i]);
	for (int i = 0; spec && i < nimg; i++)
		free(spec[i]);
	for (int i = 0; b.config && i < b.nconfig; i++)
		free(b.config[i]);
	free(b.config);
	free(b.configs);
	free(b.build_default);
	free(cfg);
	free(img);
	free(spec);
	return ret;
}
