/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writing outputs into directories that may hold someone else's files (a
 * run directory sent with a patch series): never through a symlink, and
 * never a half-written file. A directory is opened once with O_NOFOLLOW;
 * a file is made under a temporary name with O_CREAT|O_EXCL|O_NOFOLLOW
 * and renamed over its final name, which replaces a symlink there rather
 * than writing where it points.
 */
#ifndef GUPBENCH_OUTDIR_H
#define GUPBENCH_OUTDIR_H

#include <stddef.h>
#include <stdio.h>

/* mkdir path (0755) if missing, open it; a symlink is refused. fd or -errno. */
int outdir_open(const char *path);
/* Open at dfd: an existing real directory only. fd or -errno. */
int outdir_openat(int dfd, const char *name, int create);

struct outfile {
	FILE *f;
	int dfd;
	char tmp[288];
	char name[256];
};

/* A new file to become dfd/name on outfile_commit. 0 or -errno. */
int outfile_open(struct outfile *o, int dfd, const char *name);
/* Close and rename into place (0), or remove it (-errno). */
int outfile_commit(struct outfile *o);
void outfile_abort(struct outfile *o);

/* mkdir -p: 0 or -errno; the last directory existing already is -EEXIST
 * unless exist_ok (a run directory is never reused). */
int mkdir_p(const char *path, int exist_ok);

/* A file name from untrusted text: [A-Za-z0-9._-] kept, the rest '-', no leading '.'. */
void outdir_safe_name(char *dst, size_t len, const char *src);

#endif
