// SPDX-License-Identifier: GPL-2.0
/*
 * vm: what the guest boots from. The kernel image (a path, debian:VERSION
 * fetched, build:SRC built) and whether its config has what the guest
 * needs; the initramfs, a newc cpio archive written directly (busybox,
 * gupbench and its libraries, the configs, /init); the scratch disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "util.h"
#include "vm_int.h"

/* ---- the kernel image ---- */

int vm_resolve_kernel(struct vm *vm)
{
	char script[PATH_MAX + 32], dir[PATH_MAX], pkgfile[PATH_MAX + 16];
	const char *spec = vm->spec;
	struct stat st;
	int ret;

	if (!strncmp(spec, "debian:", 7) || !strncmp(spec, "build:", 6)) {
		int deb = spec[0] == 'd';
		char *fetch[] = { script, "--cache", vm->cache, "fetch", (char *)(spec + 7), NULL };
		char *build[] = { script, "--cache", vm->cache, (char *)(spec + 6), NULL };
		char **argv = deb ? fetch : build;

		fmt(script, sizeof(script), "%s/scripts/%s", vm->top,
		    deb ? "kernels.sh" : "kbuild.sh");
		/* the script's last stdout line is the image; its stderr is the user's */
		ret = proc_last_line(argv, vm->image, sizeof(vm->image));
		if (ret || !vm->image[0]) {
			fprintf(stderr, "gupbench vm: --kernel %s: %s failed\n", spec, script);
			return -ENOENT;
		}
	} else {
		fmt(vm->image, sizeof(vm->image), "%s", spec);
	}
	errno = 0;
	if (stat(vm->image, &st) || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "gupbench vm: --kernel: %s: %s\n", vm->image,
			errno ? strerror(errno) : "not a file");
		return -ENOENT;
	}
	/* its config: config-X beside vmlinuz-X (/boot), else "config" beside it */
	{
		char tmp[PATH_MAX];

		fmt(tmp, sizeof(tmp), "%s", vm->image);
		fmt(dir, sizeof(dir), "%s", dirname(tmp));
	}
	{
		const char *base = strrchr(vm->image, '/');

		base = base ? base + 1 : vm->image;
		if (!strncmp(base, "vmlinuz-", 8))
			fmt(vm->image_config, sizeof(vm->image_config), "%s/config-%s", dir, base + 8);
		if (!vm->image_config[0] || access(vm->image_config, R_OK))
			fmt(vm->image_config, sizeof(vm->image_config), "%s/config", dir);
		if (access(vm->image_config, R_OK))
			vm->image_config[0] = '\0';
	}
	fmt(pkgfile, sizeof(pkgfile), "%s/package", dir);
	if (!file_read_str(pkgfile, vm->package, sizeof(vm->package))) {
		for (char *p = vm->package; *p; p++)
			if (*p == '\n')
				*p = ' ';
	}
	return 0;
}

/*
 * What the guest needs built in (no modules are loaded), and what the
 * methods need. A missing boot option stops here, before a boot that could
 * only hang; a missing feature turns into skip rows in the guest, and is
 * said here first.
 */
static const struct vm_kopt {
	const char *name;
	int boot;
	const char *why;
} vm_kopts[] = {
	{ "64BIT", 1, "gupbench is a 64-bit program" },
	{ "BLK_DEV_INITRD", 1, "the guest's root is gupbench's initramfs" },
	{ "DEVTMPFS", 1, "/init mounts /dev as devtmpfs" },
	{ "SERIAL_8250", 1, "console and results travel on ttyS0 and ttyS1" },
	{ "SERIAL_8250_CONSOLE", 1, "the console is ttyS0" },
	{ "BINFMT_ELF", 1, "gupbench and busybox are ELF programs" },
	{ "BINFMT_SCRIPT", 1, "/init is a shell script" },
	{ "PROC_FS", 1, "/proc/vmstat, /proc/self/pagemap" },
	{ "SYSFS", 1, "THP and hugetlb knobs" },
	{ "FUTEX", 1, "gupbench's threads" },
	{ "IO_URING", 0, "method iouring" },
	{ "XDP_SOCKETS", 0, "method xdp-umem" },
	{ "CROSS_MEMORY_ATTACH", 0, "methods pvm-read, pvm-write" },
	{ "BLK_DEV_NVME", 0, "methods dio-read, dio-write (the guest's disk is emulated NVMe)" },
	{ "EXT4_FS", 0, "methods dio-read, dio-write (the guest's disk is ext4)" },
	{ "TRANSPARENT_HUGEPAGE", 0, "THP folio orders" },
	{ "HUGETLBFS", 0, "hugetlb backings" },
	{ "PROC_PAGE_MONITOR", 0, "pagemap/kpageflags readback of what a buffer got" },
	{ "NUMA", 0, "NUMA placement (--numa)" },
	{ "DEBUG_FS", 0, "gup_test lives in debugfs" },
	{ "GUP_TEST", 0, "methods gup-fast, pin-fast, pin-longterm, gup-basic, pin-basic" },
	{ "PERF_EVENTS", 0, "per-op counters" },
	{ "EVENT_TRACING", 0, "tracepoint counters (kmem, mmap_lock, migrate)" },
};

int vm_check_config(struct vm *vm)
{
	char line[512], bad[1024] = "";
	size_t mo = 0, bo = 0;
	int have[ARRAY_SIZE(vm_kopts)] = { 0 };
	FILE *f;

	if (!vm->image_config[0]) {
		fprintf(stderr, "gupbench vm: %s has no config beside it: options not checked\n",
			vm->image);
		fmt(vm->missing, sizeof(vm->missing), "(not checked: no config beside the image)");
		return 0;
	}
	f = fopen(vm->image_config, "re");
	if (!f) {
		fprintf(stderr, "gupbench vm: %s: %s\n", vm->image_config, strerror(errno));
		return -errno;
	}
	while (fgets(line, sizeof(line), f)) {
		for (size_t i = 0; i < ARRAY_SIZE(vm_kopts); i++) {
			size_t l = strlen(vm_kopts[i].name);

			if (!strncmp(line, "CONFIG_", 7) && !strncmp(line + 7, vm_kopts[i].name, l) &&
			    line[7 + l] == '=')
				have[i] = line[8 + l] == 'y' ? 2 : 1;	/* 1: =m, no use here */
		}
	}
	fclose(f);
	for (size_t i = 0; i < ARRAY_SIZE(vm_kopts); i++) {
		const struct vm_kopt *k = &vm_kopts[i];

		if (have[i] == 2)
			continue;
		if (k->boot) {
			bo += (size_t)snprintf(bad + bo, sizeof(bad) - bo, "\n  CONFIG_%s%s (%s)",
					       k->name, have[i] ? "=m, needs =y" : "", k->why);
			if (bo >= sizeof(bad))
				bo = sizeof(bad) - 1;
		} else {
			fprintf(stderr, "gupbench vm: %s: no CONFIG_%s%s: %s will skip\n",
				vm->image_config, k->name, have[i] ? "=y (a module)" : "", k->why);
			mo += (size_t)snprintf(vm->missing + mo, sizeof(vm->missing) - mo, "%s%s",
					       mo ? " " : "", k->name);
			if (mo >= sizeof(vm->missing))
				mo = sizeof(vm->missing) - 1;
		}
	}
	if (!vm->missing[0])
		fmt(vm->missing, sizeof(vm->missing), "none");
	if (bo) {
		fprintf(stderr, "gupbench vm: %s: the guest cannot boot without:%s\n%s",
			vm->image_config, bad,
			vm->force ? "gupbench vm: --force: booting anyway\n" : "");
		return vm->force ? 0 : -EINVAL;
	}
	return 0;
}

/* ---- the initramfs: a newc cpio archive, written directly ---- */

struct cpio {
	FILE *f;
	unsigned int ino;
	char **dirs;
	size_t ndirs;
};

static int cpio_put(struct cpio *c, const char *name, unsigned int mode, unsigned int rmaj,
		    unsigned int rmin, const void *data, size_t size)
{
	static const char zero[4];
	size_t nl = strlen(name) + 1;

	/* names are stored without the leading "/" */
	fprintf(c->f, "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
		++c->ino, mode, 0, 0, (mode & S_IFMT) == S_IFDIR ? 2 : 1, 0, size, 0, 0, rmaj,
		rmin, nl, 0);
	fwrite(name, 1, nl, c->f);
	fwrite(zero, 1, (4 - (110 + nl) % 4) % 4, c->f);
	if (size) {
		fwrite(data, 1, size, c->f);
		fwrite(zero, 1, (4 - size % 4) % 4, c->f);
	}
	return ferror(c->f) ? -EIO : 0;
}

static int cpio_dirs(struct cpio *c, const char *path)
{
	char p[PATH_MAX];

	fmt(p, sizeof(p), "%s", path[0] == '/' ? path + 1 : path);
	for (char *s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
		int seen = 0;

		*s = '\0';
		for (size_t i = 0; i < c->ndirs && !seen; i++)
			seen = !strcmp(c->dirs[i], p);
		if (!seen) {
			c->dirs = realloc(c->dirs, (c->ndirs + 1) * sizeof(*c->dirs));
			c->dirs[c->ndirs++] = strdup(p);
			if (cpio_put(c, p, S_IFDIR | 0755, 0, 0, NULL, 0))
				return -EIO;
		}
		*s = '/';
	}
	return 0;
}

/* The host file src, at path dst in the guest. */
static int cpio_file(struct cpio *c, const char *dst, const char *src, unsigned int perm)
{
	struct stat st;
	char *buf;
	FILE *f;
	int ret;

	if (stat(src, &st))
		return -errno;
	f = fopen(src, "re");
	if (!f)
		return -errno;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf || fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		free(buf);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	ret = cpio_dirs(c, dst);
	if (!ret)
		ret = cpio_put(c, dst[0] == '/' ? dst + 1 : dst, S_IFREG | perm, 0, 0, buf,
			       (size_t)st.st_size);
	free(buf);
	return ret;
}

static int cpio_text(struct cpio *c, const char *dst, const char *text, unsigned int perm)
{
	int ret = cpio_dirs(c, dst);

	return ret ? ret : cpio_put(c, dst + 1, S_IFREG | perm, 0, 0, text, strlen(text));
}

/* ldd's lines: "libx.so.1 => /lib/.../libx.so.1 (0x...)" or "/lib64/ld-linux... (0x...)" */
struct ldd_libs {
	struct cpio *c;
	int ret;
};

static void ldd_line(void *ctx, char *line)
{
	struct ldd_libs *l = ctx;
	char *lib = strstr(line, "=> "), *end;

	lib = lib ? lib + 3 : line + strspn(line, " \t");
	if (l->ret || *lib != '/')
		return;		/* linux-vdso, "not a dynamic executable" */
	end = strpbrk(lib, " \t\n");
	if (end)
		*end = '\0';
	l->ret = cpio_file(l->c, lib, lib, 0755);
}

/* A program and every shared library ldd says it loads, at the same paths. */
static int cpio_program(struct cpio *c, const char *path)
{
	char *argv[] = { "ldd", (char *)path, NULL };
	struct ldd_libs l = { c, cpio_file(c, path, path, 0755) };
	int nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
	struct proc p = { .argv = argv, .out_fd = -1, .err_fd = nul, .group = PROC_SAME,
			  .line = ldd_line, .ctx = &l };
	int st;

	if (l.ret || nul < 0)
		return l.ret ? l.ret : -errno;
	st = proc_run(&p);
	close(nul);
	return l.ret ? l.ret : st < 0 ? st : 0;
}

int vm_write_initrd(struct vm *vm)
{
	static const char *const dirs[] = { "/dev", "/proc", "/sys", "/tmp", "/run", "/boot" };
	char init[16384], cwd[PATH_MAX], *q;
	struct cpio c = { 0 };
	size_t o = 0;
	int fd, ret = 0;

	/* kept beside the run, so DIR/vm/qemu.cmd boots the same guest again */
	fmt(vm->initrd, sizeof(vm->initrd), "%s/vm/initramfs.cpio", vm->out);
	fd = open(vm->initrd, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	c.f = fdopen(fd, "we");
	if (!c.f)
		return -errno;
	for (size_t i = 0; i < ARRAY_SIZE(dirs) && !ret; i++)
		ret = cpio_dirs(&c, dirs[i]) ?: cpio_put(&c, dirs[i] + 1, S_IFDIR | 0755, 0, 0, NULL, 0);
	/* the kernel opens /dev/console before /init mounts devtmpfs */
	if (!ret)
		ret = cpio_put(&c, "dev/console", S_IFCHR | 0600, 5, 1, NULL, 0);
	if (!ret)
		ret = cpio_put(&c, "dev/null", S_IFCHR | 0666, 1, 3, NULL, 0);
	if (!ret)
		ret = cpio_program(&c, "/bin/busybox");
	if (!ret)
		ret = cpio_program(&c, vm->exe);
	for (int i = 0; i < vm->nconfigs && !ret; i++)
		ret = cpio_file(&c, vm->configs[i], vm->configs[i], 0644);
	/* meta reads /boot/config-$(uname -r); /init links it once uname is known */
	if (!ret && vm->image_config[0])
		ret = cpio_file(&c, "/boot/config-gupbench-vm", vm->image_config, 0644);
	if (ret) {
		fprintf(stderr, "gupbench vm: writing the initramfs: %s\n", strerror(-ret));
		fclose(c.f);
		return ret;
	}

	if (!getcwd(cwd, sizeof(cwd)))
		fmt(cwd, sizeof(cwd), "/");
#define INIT(...) (o += (size_t)snprintf(init + o, o < sizeof(init) ? sizeof(init) - o : 0, __VA_ARGS__))
	INIT("#!/bin/busybox sh\n"
	     "# /init of a `gupbench vm` guest (written by gupbench vm).\n"
	     "/bin/busybox --install -s /bin\n"
	     "export PATH=/bin HOME=/root\n"
	     "mount -t devtmpfs dev /dev\n"
	     "mount -t proc proc /proc\n"
	     "mount -t sysfs sys /sys\n"
	     "mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null\n"
	     "mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null\n"
	     "mkdir -p /var/tmp /root\n"
	     "[ -f /boot/config-gupbench-vm ] && ln -s config-gupbench-vm /boot/config-$(uname -r)\n"
	     "echo \"gupbench-vm: $(uname -r) up after $(cut -d' ' -f1 /proc/uptime) s, "
	     "$(nproc) cpus, $(ls -d /sys/devices/system/node/node* 2>/dev/null | wc -l) nodes\"\n");
	if (vm->disk_path[0])
		/* NVMe namespaces are scanned asynchronously: wait for the node */
		INIT("i=0; while [ ! -b /dev/nvme0n1 ] && [ $i -lt 300 ]; do usleep 100000; i=$((i+1)); done\n"
		     "if mount -t ext4 /dev/nvme0n1 /var/tmp; then\n"
		     "  echo \"gupbench-vm: /var/tmp is ext4 on /dev/nvme0n1\"\n"
		     "else\n"
		     "  echo \"gupbench-vm: no disk at /var/tmp: dio methods and file backings there will skip\"\n"
		     "fi\n");
/* "%s" of fmt, given s as one sh word */
#define INITQ(f, s) do { q = sh_quote(s); INIT(f, q ? q : "''"); free(q); } while (0)
	INITQ("mkdir -p %s", cwd);
	INITQ(" && cd %s\n", cwd);
	INITQ("%s __vmguest /dev/ttyS1 ", vm->exe);
	INITQ("%s -- run --no-plot", vm->out);
	if (vm->runs > 1)
		INIT(" --runs %u", vm->runs);
	INITQ(" -o %s", vm->out);
	for (int i = 0; i < vm->nconfigs; i++)
		INITQ(" %s", vm->configs[i]);
#undef INITQ
	INIT("\necho \"gupbench-vm: run exited $?\"\n"
	     "sync\n"
	     "reboot -f\n");
#undef INIT
	if (o >= sizeof(init)) {
		fclose(c.f);
		return -E2BIG;
	}
	ret = cpio_text(&c, "/init", init, 0755);
	if (!ret)
		ret = cpio_put(&c, "TRAILER!!!", 0, 0, 0, NULL, 0);
	for (size_t i = 0; i < c.ndirs; i++)
		free(c.dirs[i]);
	free(c.dirs);
	if (fclose(c.f) && !ret)
		ret = -errno;
	return ret;
}

/* ---- the guest's scratch disk ---- */

/*
 * A sparse image with an ext4 made here, all of it initialised now
 * (lazy_itable_init=0): no ext4lazyinit thread zeroing inode tables in the
 * guest while it measures. QEMU shows it as an NVMe namespace, a driver
 * Debian's cloud kernels have built in. The image is scratch: removed when
 * the run ends; DIR/vm/qemu.cmd has the commands that make it again.
 */
static const char *const mkfs_argv[] = {
	"mkfs.ext4", "-q", "-F", "-L", "gupbench", "-O", "^orphan_file",
	"-E", "lazy_itable_init=0,lazy_journal_init=0",
};

static int mkfs_run(const char *img, int with_orphan_off)
{
	const char *argv[ARRAY_SIZE(mkfs_argv) + 2];
	size_t n = 0;
	int st, nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
	struct proc p = { .argv = (char *const *)argv, .out_fd = nul, .err_fd = nul,
			  .group = PROC_SAME };

	if (nul < 0)
		return -errno;
	for (size_t i = 0; i < ARRAY_SIZE(mkfs_argv); i++) {
		/* mke2fs before 1.47 does not know orphan_file (nor needs it off) */
		if (!with_orphan_off && (!strcmp(mkfs_argv[i], "-O") ||
					 !strcmp(mkfs_argv[i], "^orphan_file")))
			continue;
		argv[n++] = mkfs_argv[i];
	}
	argv[n++] = img;
	argv[n] = NULL;
	st = proc_run(&p);
	if (st == 127) {
		/* root's PATH may lack /sbin */
		argv[0] = "/sbin/mkfs.ext4";
		st = proc_run(&p);
	}
	close(nul);
	if (st < 0)
		return st;
	if (st == 127)
		return -ENOENT;
	return st ? -EIO : 0;
}

/* The recreating commands, for qemu.cmd. */
void vm_disk_commands(const struct vm *vm, FILE *f)
{
	char *q = sh_quote(vm->disk_path);

	fprintf(f, "# the scratch disk (removed after the run): make it again first\n");
	fprintf(f, "truncate -s %" PRIu64 " %s &&", vm->disk, q ? q : "''");
	for (size_t i = 0; i < ARRAY_SIZE(mkfs_argv); i++)
		fprintf(f, " %s", mkfs_argv[i]);
	fprintf(f, " %s\n", q ? q : "''");
	free(q);
}

void vm_make_disk(struct vm *vm)
{
	char path[PATH_MAX];
	int fd, ret;

	if (!vm->disk) {
		fmt(vm->disk_why, sizeof(vm->disk_why), "none (--disk 0)");
		return;
	}
	if (strstr(vm->missing, "BLK_DEV_NVME") || strstr(vm->missing, "EXT4_FS")) {
		fmt(vm->disk_why, sizeof(vm->disk_why),
		    "none: the image lacks CONFIG_BLK_DEV_NVME=y or CONFIG_EXT4_FS=y");
		return;
	}
	fmt(path, sizeof(path), "%s/vm/disk.img", vm->out);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || ftruncate(fd, (off_t)vm->disk)) {
		ret = -errno;
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		fmt(vm->disk_why, sizeof(vm->disk_why), "none: %s: %s", path, strerror(-ret));
		fprintf(stderr, "gupbench vm: no disk for the guest: %s: %s\n", path, strerror(-ret));
		return;
	}
	close(fd);
	ret = mkfs_run(path, 1);
	if (ret == -EIO)
		ret = mkfs_run(path, 0);
	if (ret) {
		unlink(path);
		fmt(vm->disk_why, sizeof(vm->disk_why), "none: mkfs.ext4 %s",
		    ret == -ENOENT ? "is not installed (Debian package e2fsprogs)" : "failed");
		fprintf(stderr, "gupbench vm: no disk for the guest (%s): dio methods and file "
				"backings will skip there\n", vm->disk_why + 6);
		return;
	}
	fmt(vm->disk_path, sizeof(vm->disk_path), "%s", path);
}

void vm_remove_disk(struct vm *vm)
{
	if (vm->disk_path[0] && unlink(vm->disk_path) && errno != ENOENT)
		fprintf(stderr, "gupbench vm: %s: %s\n", vm->disk_path, strerror(errno));
}
