// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "vmstat.h"

static const char *const names[VM_NR] = {
#define X(n) #n,
	VMSTAT_COUNTERS(X)
#undef X
};

const char *vmstat_name(enum vmstat_id id)
{
	return names[id];
}

int vmstat_refresh(void)
{
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return -errno;
	/*
	 * The kernel folds every CPU's deltas, then may return -EINVAL when
	 * some counter is transiently negative; the fold has happened anyway.
	 */
	if (write(fd, "1", 1) < 0 && errno != EINVAL)
		ret = -errno;
	close(fd);
	return ret;
}

int vmstat_exact(void)
{
	static int exact = -1;

	if (exact < 0)
		exact = vmstat_refresh() == 0;
	return exact;
}

int vmstat_read(struct vmstat *s, int refresh)
{
	char buf[16384];
	ssize_t n, off = 0;
	int fd;

	if (refresh && vmstat_exact())
		vmstat_refresh();
	fd = open("/proc/vmstat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf + off, sizeof(buf) - 1 - off)) > 0)
		off += n;
	close(fd);
	if (n < 0)
		return -errno;
	buf[off] = '\0';

	memset(s, 0, sizeof(*s));
	for (char *line = buf; line && *line;) {
		char *nl = strchr(line, '\n');
		char *sp = strchr(line, ' ');

		if (nl)
			*nl = '\0';
		if (sp) {
			*sp = '\0';
			for (int i = 0; i < VM_NR; i++) {
				if (!strcmp(line, names[i])) {
					s->v[i] = strtoll(sp + 1, NULL, 10);
					s->have |= 1u << i;
					break;
				}
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}
