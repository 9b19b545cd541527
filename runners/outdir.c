// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outdir.h"
#include "util.h"

int outdir_openat(int dfd, const char *name, int create)
{
	int fd;

	if (create && mkdirat(dfd, name, 0755) && errno != EEXIST)
		return -errno;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP || errno == ENOTDIR ? -ENOTDIR : -errno;
	return fd;
}

int outdir_open(const char *path)
{
	return outdir_openat(AT_FDCWD, path, 1);
}

int outfile_open(struct outfile *o, int dfd, const char *name)
{
	int fd;

	memset(o, 0, sizeof(*o));
	if (!*name || strchr(name, '/'))
		return -EINVAL;
	fmt(o->name, sizeof(o->name), "%s", name);
	o->dfd = dfd;
	for (int tries = 0; tries < 100; tries++) {
		fmt(o->tmp, sizeof(o->tmp), ".%s.%d.%d", name, (int)getpid(), rand());
		fd = openat(dfd, o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0)
			break;
		if (errno != EEXIST)
			return -errno;
	}
	if (fd < 0)
		return -EEXIST;
	o->f = fdopen(fd, "w");
	if (!o->f) {
		int e = errno;

		close(fd);
		unlinkat(dfd, o->tmp, 0);
		return -e;
	}
	return 0;
}

int outfile_commit(struct outfile *o)
{
	int bad = ferror(o->f);

	bad |= fclose(o->f) != 0;
	o->f = NULL;
	if (bad || renameat(o->dfd, o->tmp, o->dfd, o->name)) {
		int e = bad ? EIO : errno;

		unlinkat(o->dfd, o->tmp, 0);
		return -e;
	}
	return 0;
}

void outfile_abort(struct outfile *o)
{
	if (o->f)
		fclose(o->f);
	o->f = NULL;
	unlinkat(o->dfd, o->tmp, 0);
}

void outdir_safe_name(char *dst, size_t len, const char *src)
{
	size_t i = 0;

	for (; *src && i + 1 < len; src++) {
		char c = *src;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			 c == '.' || c == '_' || c == '-';

		dst[i] = ok && !(i == 0 && c == '.') ? c : '-';
		i++;
	}
	if (len)
		dst[i] = '\0';
}

int mkdir_p(const char *path, int exist_ok)
{
	char tmp[4096];

	fmt(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) && (errno != EEXIST || !exist_ok))
		return -errno;
	return 0;
}
