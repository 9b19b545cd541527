/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Child processes and the strings that start them (proc.c).
 */
#ifndef GUPBENCH_PROC_H
#define GUPBENCH_PROC_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

/* s as one sh word, whatever it holds ('...', each ' as '\''); the caller
 * frees it; NULL if out of memory. */
char *sh_quote(const char *s);
/* argv as one command line for the record: words with characters sh reads
 * specially are quoted (sh_quote). The caller frees it. */
char *sh_join(int argc, char **argv);

/* A growing string; sbuf_take() hands it over. */
struct sbuf {
	char *s;
	size_t len, cap;
	int failed;		/* an allocation failed: the string is incomplete */
};

void sbuf_addn(struct sbuf *b, const char *s, size_t n);
void sbuf_add(struct sbuf *b, const char *s);
/* s as one sh word (sh_quote) */
void sbuf_quote(struct sbuf *b, const char *s);
/* The string (the caller frees it), or NULL if an allocation failed. */
char *sbuf_take(struct sbuf *b);

struct tpl_var {
	const char *name;
	const char *val;	/* already quoted for sh */
};

/*
 * {name} of each var replaced by its value; any other brace is the
 * shell's (${HOME}, a{b,c}) and stays as it is. NULL: out of memory.
 */
char *tpl_expand(const char *tpl, const struct tpl_var *v, size_t n);

enum proc_group {
	PROC_SAME,	/* the caller's group: the step, which git's group holds */
	PROC_FORWARD,	/* its own, and the driver forwards signals to it */
	PROC_SHIELD,	/* its own, not forwarded: `git bisect reset` must finish */
};

struct proc {
	char *const *argv;
	const char *cwd;	/* NULL: ours */
	const int *dir_fd;	/* or a directory already open (no path to follow): fchdir */
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
int proc_run(const struct proc *p);

/*
 * Start p->argv and return at once: its pid (the caller waits for it), or
 * -errno. Its stdout must be a file (out_fd >= 0); PROC_FORWARD is
 * refused (one child at a time gets the signals forwarded).
 */
pid_t proc_start(const struct proc *p);

/* proc.line for output wanted as one string: lines joined by '\n' into buf */
struct capture {
	char *buf;
	size_t len, used;
};

void capture_line(void *ctx, char *line);

/* proc.line keeping the last non-blank line (spaces around it trimmed) in last[] */
struct last_line {
	char last[4096];
};
void last_line_keep(void *ctx, char *line);
/* argv (searched in PATH), stdin /dev/null, stderr passed through: its exit status, as proc_run. */
int proc_last_line(char *const argv[], char *dst, size_t len);

/*
 * SIGINT, SIGTERM and SIGHUP: recorded in proc_signal and forwarded to
 * the PROC_FORWARD child running then (SA_RESTART). old[] keeps what was
 * there for proc_signals_restore().
 */
extern volatile sig_atomic_t proc_signal;
/*
 * The three signals that stop a command, to fn with sa_flags flags (no
 * SA_RESTART: a blocked poll() or waitpid() returns EINTR); old[] (NULL:
 * not kept) for signals_restore(). 0 or -errno.
 */
int signals_catch(void (*fn)(int), int flags, struct sigaction old[3]);
void signals_restore(const struct sigaction old[3]);
int proc_signals_install(struct sigaction old[3]);
void proc_signals_restore(const struct sigaction old[3]);

/* This binary's path; and the checkout it was built in (its build directory's parent). */
int self_exe(char *exe, size_t len);
int checkout_dir(char *top, size_t len);

#endif
