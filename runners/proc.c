// SPDX-License-Identifier: GPL-2.0
/*
 * Child processes for the commands that drive others (bisect: builds,
 * boots, git): sh command strings built safely, one way to run a child
 * with its output logged or read line by line, and the signal forwarding
 * that lets a Ctrl-C stop the child before the parent cleans up.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "util.h"

void sbuf_addn(struct sbuf *b, const char *s, size_t n)
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

void sbuf_add(struct sbuf *b, const char *s)
{
	sbuf_addn(b, s, strlen(s));
}

void sbuf_quote(struct sbuf *b, const char *s)
{
	char *q = sh_quote(s);

	if (!q) {
		b->failed = 1;
		return;
	}
	sbuf_add(b, q);
	free(q);
}

char *sbuf_take(struct sbuf *b)
{
	sbuf_add(b, "");
	if (b->failed) {
		free(b->s);
		return NULL;
	}
	return b->s;
}

char *tpl_expand(const char *tpl, const struct tpl_var *v, size_t n)
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
volatile sig_atomic_t proc_signal;	/* what stopped the driver; 0: nothing */
static volatile pid_t proc_pgrp;		/* the group the driver forwards signals to */

static void proc_on_signal(int sig)
{
	proc_signal = sig;
	if (proc_pgrp > 0)
		kill(-proc_pgrp, sig);
}

/*
 * Fork and exec p->argv; pfd[1] (or p->out_fd) becomes its stdout. The
 * child's pid, or -errno.
 */
static pid_t proc_spawn(const struct proc *p, int pfd[2])
{
	int nul, e;
	sigset_t all, old;
	pid_t pid;

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
		if (p->dir_fd && fchdir(*p->dir_fd)) {
			dprintf(STDERR_FILENO, "gupbench: fchdir: %s\n", strerror(errno));
			_exit(126);
		}
		if (p->cwd && chdir(p->cwd)) {
			dprintf(STDERR_FILENO, "gupbench: cd %s: %s\n", p->cwd,
				strerror(errno));
			_exit(127);
		}
		execvp(p->argv[0], p->argv);
		dprintf(STDERR_FILENO, "gupbench: %s: %s\n", p->argv[0], strerror(errno));
		_exit(127);
	}
	e = errno;
	if (pid > 0 && p->group != PROC_SAME) {
		setpgid(pid, pid);	/* both sides, so neither can race the other */
		if (p->group == PROC_FORWARD)
			proc_pgrp = pid;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (nul >= 0)
		close(nul);
	return pid < 0 ? -e : pid;
}

pid_t proc_start(const struct proc *p)
{
	int none[2] = { -1, -1 };

	if (p->out_fd < 0 || p->group == PROC_FORWARD)
		return -EINVAL;
	return proc_spawn(p, none);
}

int proc_run(const struct proc *p)
{
	int pfd[2] = { -1, -1 }, status;
	pid_t pid;

	/* a signal between two children: start no build or boot after it */
	if (p->group == PROC_FORWARD && proc_signal)
		return 128 + proc_signal;
	if (p->out_fd < 0 && pipe2(pfd, O_CLOEXEC))
		return -errno;
	pid = proc_spawn(p, pfd);
	if (pfd[1] >= 0)
		close(pfd[1]);
	if (pid < 0) {
		if (pfd[0] >= 0)
			close(pfd[0]);
		return pid;
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
			proc_pgrp = 0;
			return -errno;
		}
	}
	if (p->group == PROC_FORWARD)
		proc_pgrp = 0;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

void capture_line(void *ctx, char *line)
{
	struct capture *c = ctx;

	if (c->used + 1 < c->len) {
		fmt(c->buf + c->used, c->len - c->used, "%s%s", c->used ? "\n" : "", line);
		c->used += strlen(c->buf + c->used);
	}
}

static const int stop_signals[3] = { SIGINT, SIGTERM, SIGHUP };

int signals_catch(void (*fn)(int), int flags, struct sigaction old[3])
{
	struct sigaction sa = { .sa_handler = fn, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(stop_signals); i++)
		if (sigaction(stop_signals[i], &sa, old ? &old[i] : NULL))
			return -errno;
	return 0;
}

void signals_restore(const struct sigaction old[3])
{
	for (size_t i = 0; i < ARRAY_SIZE(stop_signals); i++)
		sigaction(stop_signals[i], &old[i], NULL);
}

int proc_signals_install(struct sigaction old[3])
{
	return signals_catch(proc_on_signal, SA_RESTART, old);
}

void proc_signals_restore(const struct sigaction old[3])
{
	signals_restore(old);
}

int self_exe(char *exe, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", exe, len - 1);

	if (n < 0)
		return -errno;
	exe[n] = '\0';
	return 0;
}

int checkout_dir(char *top, size_t len)
{
	char exe[4096];
	int ret = self_exe(exe, sizeof(exe));

	if (ret)
		return ret;
	/* <top>/build/gupbench (or <top>/build-asan/...) */
	fmt(top, len, "%s", dirname(dirname(exe)));
	return 0;
}

char *sh_quote(const char *s)
{
	size_t n = 3;
	char *q, *o;

	for (const char *p = s; *p; p++)
		n += *p == '\'' ? 4 : 1;
	q = o = malloc(n);
	if (!q)
		return NULL;
	*o++ = '\'';
	for (; *s; s++) {
		if (*s == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *s;
		}
	}
	*o++ = '\'';
	*o = '\0';
	return q;
}

char *sh_join(int argc, char **argv)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) * 4 + 3;
	s = calloc(1, len);
	for (int i = 0; s && i < argc; i++) {
		char *q = NULL;

		if (i)
			strcat(s, " ");
		if (!*argv[i] || strpbrk(argv[i], " \t\n'\"$\\`;&|<>()*?[]{}~#"))
			q = sh_quote(argv[i]);
		strcat(s, q ? q : argv[i]);
		free(q);
	}
	return s;
}

void last_line_keep(void *ctx, char *line)
{
	struct last_line *l = ctx;
	char *s = line, *e;

	while (*s == ' ' || *s == '\t')
		s++;
	for (e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'); e--)
		;
	*e = '\0';
	if (*s)
		fmt(l->last, sizeof(l->last), "%s", s);
}

int proc_last_line(char *const argv[], char *dst, size_t len)
{
	struct last_line l = { .last = "" };
	struct proc p = {
		.argv = argv, .out_fd = -1, .err_fd = STDERR_FILENO, .group = PROC_SAME,
		.line = last_line_keep, .ctx = &l,
	};
	int st = proc_run(&p);

	fmt(dst, len, "%s", l.last);
	return st;
}
