// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "util.h"

const struct opwin_hooks *opwin_hooks;

void fmt(char *dst, size_t len, const char *f, ...)
{
	va_list ap;

	if (!len)
		return;
	va_start(ap, f);
	vsnprintf(dst, len, f, ap);
	va_end(ap);
}

int size_parse(const char *s, uint64_t *out)
{
	static const char units[] = "kmgtp";
	unsigned long long v;
	const char *u;
	char *end;
	int shift = 0;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	if (*end) {
		u = strchr(units, tolower((unsigned char)*end));
		if (!u)
			return -EINVAL;
		shift = 10 * (int)(u - units + 1);
		end++;
		/* accept k, kb, kib (any case) */
		if (tolower((unsigned char)*end) == 'i')
			end++;
		if (tolower((unsigned char)*end) == 'b')
			end++;
	}
	while (isspace((unsigned char)*end))
		end++;
	if (*end)
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = (uint64_t)v << shift;
	return 0;
}

void size_format(uint64_t v, char *dst, size_t len)
{
	static const char units[] = "kMGTP";
	int i = -1;

	while (v && !(v & 1023) && i < 4) {
		v >>= 10;
		i++;
	}
	if (i < 0)
		fmt(dst, len, "%" PRIu64, v);
	else
		fmt(dst, len, "%" PRIu64 "%c", v, units[i]);
}

int file_read_str(const char *path, char *dst, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, dst, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	dst[n] = '\0';
	while (n > 0 && (dst[n - 1] == '\n' || dst[n - 1] == ' '))
		dst[--n] = '\0';
	return 0;
}

int file_write_str(const char *path, const char *s)
{
	size_t len = strlen(s);
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, s, len) != (ssize_t)len)
		ret = errno ? -errno : -EIO;
	close(fd);
	return ret;
}

int sysfs_choice(const char *path, char *dst, size_t len)
{
	char raw[256], *a, *b;
	int ret = file_read_str(path, raw, sizeof(raw));

	if (ret)
		return ret;
	a = strchr(raw, '[');
	b = a ? strchr(a, ']') : NULL;
	if (!a || !b) {
		/* a plain value knob, e.g. use_zero_page "1" */
		fmt(dst, len, "%s", raw);
		return 0;
	}
	*b = '\0';
	fmt(dst, len, "%s", a + 1);
	return 0;
}

unsigned int kernel_version(void)
{
	struct utsname u;
	unsigned int a = 0, b = 0, c = 0;

	if (uname(&u))
		return 0;
	sscanf(u.release, "%u.%u.%u", &a, &b, &c);
	if (c > 255)
		c = 255;
	return a << 16 | b << 8 | c;
}

int have_cap(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return 0;
	return !!(d[cap / 32].effective & (1u << (cap % 32)));
}

uint64_t mem_available(void)
{
	char line[256];
	unsigned long long kb = 0;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return (uint64_t)kb * 1024;
}

int ilog2_exact(uint64_t v)
{
	int n = 0;

	if (!v || (v & (v - 1)))
		return -1;
	while (v >>= 1)
		n++;
	return n;
}

int timed_rw(int fd, void *mem, uint64_t len, uint64_t foff, int write, uint64_t piece,
	     uint64_t *ns, char *why, size_t wlen)
{
	const char *call = write ? "pwrite" : "pread";
	uint64_t off = 0, sum = 0;

	while (off < len) {
		uint64_t n = len - off < piece ? len - off : piece;
		struct opwin win;
		ssize_t got;

		opwin_begin(&win);
		if (write)
			got = pwrite(fd, (char *)mem + off, n, (off_t)(foff + off));
		else
			got = pread(fd, (char *)mem + off, n, (off_t)(foff + off));
		sum += opwin_end(&win);
		if (got < 0) {
			int err = errno;

			if (err == EINTR)
				continue;
			fmt(why, wlen, "%s at +%" PRIu64 ": %s", call, off, strerror(err));
			*ns = sum;
			return -err;
		}
		if (got == 0) {
			fmt(why, wlen, "%s: short transfer: %" PRIu64 " of %" PRIu64 " bytes", call, off,
			    len);
			*ns = sum;
			return -EIO;
		}
		off += (uint64_t)got;
	}
	*ns = sum;
	return 0;
}

/* pread until len bytes or EOF; *got says how many came. 0 or -errno. */
int pread_full(int fd, void *dst, size_t len, off_t off, size_t *got)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pread(fd, (char *)dst + done, len - done, off + done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!n)
			break;
		done += n;
	}
	*got = done;
	return 0;
}
