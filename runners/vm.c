// SPDX-License-Identifier: GPL-2.0
/*
 * `gupbench vm --kernel SPEC [options] CONFIG...`: run configs on another
 * kernel, booted under QEMU, and get back an ordinary run directory.
 *
 * The guest is a kernel and an initramfs that gupbench writes: busybox, the
 * gupbench binary and the shared libraries it loads, the configs, and an
 * /init script that mounts what gupbench reads (proc, sysfs, debugfs,
 * tracefs) and starts `gupbench __vmguest`, which runs the configs and sends
 * the run directory back over the second serial port as it grows
 * (vmstream.h). The host rebuilds it as the bytes arrive, so a guest that
 * panics or hangs leaves every row it had flushed, and its console tells
 * why.
 *
 * Kernels: a bzImage/vmlinuz path, `debian:VERSION` (a packaged Debian
 * cloud kernel, fetched by scripts/kernel-fetch.sh), or `build:SRC` (a
 * source tree built by scripts/kbuild.sh with GUP_TEST and friends).
 *
 * Accelerator: KVM only where a guest really answers under it. On some
 * hosts /dev/kvm opens and then hangs every guest, so the device node
 * proves nothing: the first boot is tried under KVM and must say hello
 * within a few seconds, or it is killed and the boot starts again under
 * TCG; the verdict is cached per host kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "plot.h"
#include "util.h"
#include "vm.h"
#include "vmboots.h"
#include "vmstream.h"

#define VM_EXIT_USAGE	2
#define VM_EXIT_UNFIT	3	/* the image lacks what the guest needs to boot */
#define VM_EXIT_GUEST	4	/* the guest did not complete its run */

/* Seconds a KVM guest gets to say hello before KVM is judged not to work. */
#define KVM_PROBE_S	20
#define POLL_MS		100

enum vm_accel { ACCEL_AUTO, ACCEL_KVM, ACCEL_TCG };
/* The guest's clock: auto is icount under TCG, real under KVM. */
enum vm_clock { VCLOCK_AUTO, VCLOCK_ICOUNT, VCLOCK_REAL };

/*
 * QEMU's instruction counter: shift 0 makes guest time advance 1 ns per
 * guest instruction; sleep=off keeps it from following the host's clock
 * while the guest idles (it jumps to the next timer deadline instead);
 * align=off never slows the guest to match the host. Only single-threaded
 * TCG has it.
 */
#define ICOUNT_SHIFT	0

struct vm {
	/* asked */
	const char *spec;
	const char *spec2;	/* a second --kernel: with --boots, interleaved */
	unsigned int boots;	/* --boots; 0: one boot, this process */
	unsigned int cpus, numa;
	int cpus_given;		/* --cpus on the command line */
	uint64_t mem;
	uint64_t disk;		/* size of the guest's scratch disk; 0: none */
	enum vm_accel accel;
	enum vm_clock clock;
	unsigned int runs;	/* the guest run's --runs */
	unsigned int timeout_s, boot_timeout_s;
	const char *append;
	const char *cpu_model;	/* QEMU -cpu; NULL: host under KVM, QEMU's default under TCG */
	int quiet, no_plot, force;
	char out[PATH_MAX];
	char cache[PATH_MAX];
	char **configs;		/* absolute paths */
	int nconfigs;
	char *command;		/* the host command line, for meta */
	/* resolved */
	char top[PATH_MAX];	/* the gupbench checkout */
	char exe[PATH_MAX];
	char image[PATH_MAX];
	char image_config[PATH_MAX];
	char package[256];	/* debian: package and version */
	char missing[1024];	/* feature options the image lacks */
	char accel_why[256];
	char initrd[PATH_MAX];
	char disk_path[PATH_MAX];	/* set while the image exists */
	char disk_why[256];	/* no disk: why */
	char cmdline[1024];
	/* how it went */
	double boot_s, run_s;
	char outcome[512];
};

static volatile sig_atomic_t vm_stop_sig;

static void vm_on_signal(int sig)
{
	vm_stop_sig = sig;
}


static void usage(FILE *f)
{
	fprintf(f,
		"usage: gupbench vm --kernel SPEC [-o DIR] [--cpus N] [--mem SIZE] [--numa N] [--disk SIZE]\n"
		"         [--cpu MODEL] [--accel auto|kvm|tcg] [--clock auto|icount|real] [--runs N]\n"
		"         [--timeout S] [--boot-timeout S] [--append ARGS] [--boots N [--kernel SPEC2]]\n"
		"         [--cache DIR] [--force] [--no-plot] [-q] [run] CONFIG...\n"
		"  boots SPEC under QEMU, runs CONFIG... there and writes DIR (default\n"
		"  results/vm-<date>-<kernel>) on the host, as `gupbench run` would.\n"
		"  SPEC: a bzImage/vmlinuz path; debian:VERSION (6.1, 6.1.0-50, 6.12, 6.12.107:\n"
		"  a Debian cloud kernel through apt); build:SRC (scripts/kbuild.sh builds a git\n"
		"  tree or linux-source-6.1 with CONFIG_GUP_TEST).\n"
		"  --cpus N       guest CPUs (default: the host's online CPUs; 1 under icount)\n"
		"  --mem SIZE     guest memory (default 2G)\n"
		"  --numa N       N guest NUMA nodes, memory split evenly, CPUs in blocks\n"
		"  --cpu MODEL    QEMU's -cpu (default: host under KVM, QEMU's own under TCG;\n"
		"                 max gives TCG guests 1 GiB pages, pdpe1gb)\n"
		"  --disk SIZE    a scratch ext4 disk on emulated NVMe, mounted at /var/tmp for\n"
		"                 the dio methods and file backings (default 4G, sparse; 0: none)\n"
		"  --accel A      auto (default: KVM if a guest answers under it, else TCG)\n"
		"  --clock C      icount: guest time is QEMU's instruction counter, 1 virtual ns\n"
		"                 per guest instruction (TCG only, one vCPU): two boots of a\n"
		"                 kernel give the same samples; real: the host's clock. auto\n"
		"                 (default): icount under TCG with one CPU, else real\n"
		"  --runs N       the guest's `gupbench run --runs N`\n"
		"  --boots N      N boots (1..100), each a `gupbench vm` of its own: DIR/boot-I;\n"
		"                 with a second --kernel, interleaved A B A B into DIR/a/boot-I\n"
		"                 and DIR/b/boot-I, for `gupbench compare DIR/a DIR/b`;\n"
		"                 DIR/boots.csv lists each boot and how it ended. Meant for\n"
		"                 the real clock (under icount, boots repeat one another)\n"
		"  --timeout S    whole run (default 3600); --boot-timeout S: until the guest\n"
		"                 answers (default 120)\n"
		"  --force        boot even if the image's config lacks what the guest needs\n"
		"  exit status: that of the guest's `gupbench run` (0 all ran, 1 some scenarios\n"
		"  failed, 2 config refused), 2 bad options or no such kernel, 3 the image's\n"
		"  config lacks what the guest needs to boot, 4 the guest did not complete\n"
		"  (no boot, panic, timeout: DIR keeps the rows that arrived, DIR/vm/console.log);\n"
		"  with --boots: 4 if any boot did not complete, else the first other failure;\n"
		"  2 or 3 from a boot stops the set (every boot would end so)\n");
}

/* ---- helpers ---- */


/* Run argv, stderr passed through; the last non-empty line of its stdout. */
static int run_last_line(char *const argv[], char *dst, size_t len)
{
	int pfd[2], st;
	char buf[4096], line[PATH_MAX] = "", cur[PATH_MAX];
	size_t cl = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		dup2(pfd[1], 1);
		execv(argv[0], argv);
		fprintf(stderr, "gupbench vm: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				cur[cl] = '\0';
				if (cl)
					fmt(line, sizeof(line), "%s", cur);
				cl = 0;
			} else if (cl < sizeof(cur) - 1) {
				cur[cl++] = buf[i];
			}
		}
	}
	if (cl) {
		cur[cl] = '\0';
		fmt(line, sizeof(line), "%s", cur);
	}
	close(pfd[0]);
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return -ECHILD;
	fmt(dst, len, "%s", line);
	return line[0] ? 0 : -ENOENT;
}

/* ---- the kernel image ---- */

static int resolve_kernel(struct vm *vm)
{
	char script[PATH_MAX + 32], dir[PATH_MAX], pkgfile[PATH_MAX + 16];
	const char *spec = vm->spec;
	struct stat st;
	int ret;

	if (!strncmp(spec, "debian:", 7) || !strncmp(spec, "build:", 6)) {
		int deb = spec[0] == 'd';
		char *argv[] = { script, "--cache", vm->cache,
				 (char *)(spec + (deb ? 7 : 6)), NULL };

		fmt(script, sizeof(script), "%s/scripts/%s", vm->top,
		    deb ? "kernel-fetch.sh" : "kbuild.sh");
		ret = run_last_line(argv, vm->image, sizeof(vm->image));
		if (ret) {
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

static int check_config(struct vm *vm)
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

/* A program and every shared library ldd says it loads, at the same paths. */
static int cpio_program(struct cpio *c, const char *path)
{
	char cmd[2 * PATH_MAX + 32], line[PATH_MAX + 64], *q;
	FILE *p;
	int ret = cpio_file(c, path, path, 0755);

	if (ret)
		return ret;
	q = sh_quote(path);
	fmt(cmd, sizeof(cmd), "ldd %s 2>/dev/null", q ? q : "''");
	free(q);
	p = popen(cmd, "re");
	if (!p)
		return -errno;
	while (!ret && fgets(line, sizeof(line), p)) {
		char *lib = strstr(line, "=> "), *end;

		lib = lib ? lib + 3 : line + strspn(line, " \t");
		if (*lib != '/')
			continue;	/* linux-vdso, "not a dynamic executable" */
		end = strpbrk(lib, " \t\n");
		if (end)
			*end = '\0';
		ret = cpio_file(c, lib, lib, 0755);
	}
	pclose(p);
	return ret;
}

static int write_initrd(struct vm *vm)
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
	int st;
	pid_t pid;

	for (size_t i = 0; i < ARRAY_SIZE(mkfs_argv); i++) {
		/* mke2fs before 1.47 does not know orphan_file (nor needs it off) */
		if (!with_orphan_off && (!strcmp(mkfs_argv[i], "-O") ||
					 !strcmp(mkfs_argv[i], "^orphan_file")))
			continue;
		argv[n++] = mkfs_argv[i];
	}
	argv[n++] = img;
	argv[n] = NULL;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int nul = open("/dev/null", O_WRONLY);

		dup2(nul, 1);
		dup2(nul, 2);
		execvp(argv[0], (char *const *)argv);
		execv("/sbin/mkfs.ext4", (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return -ENOENT;
	return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -EIO;
}

/* The recreating commands, for qemu.cmd. */
static void disk_commands(const struct vm *vm, FILE *f)
{
	char *q = sh_quote(vm->disk_path);

	fprintf(f, "# the scratch disk (removed after the run): make it again first\n");
	fprintf(f, "truncate -s %" PRIu64 " %s &&", vm->disk, q ? q : "''");
	for (size_t i = 0; i < ARRAY_SIZE(mkfs_argv); i++)
		fprintf(f, " %s", mkfs_argv[i]);
	fprintf(f, " %s\n", q ? q : "''");
	free(q);
}

static void make_disk(struct vm *vm)
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

static void remove_disk(struct vm *vm)
{
	if (vm->disk_path[0] && unlink(vm->disk_path) && errno != ENOENT)
		fprintf(stderr, "gupbench vm: %s: %s\n", vm->disk_path, strerror(errno));
}

/* ---- QEMU ---- */

static void accel_cache_path(struct vm *vm, char *dst, size_t len)
{
	struct utsname u;

	uname(&u);
	fmt(dst, len, "%s/accel-%s", vm->cache, u.release);
}

static const char *accel_name(enum vm_accel a)
{
	return a == ACCEL_KVM ? "kvm" : a == ACCEL_TCG ? "tcg" : "auto";
}

/* The accelerator to try first, and whether that try is a probe. */
static enum vm_accel accel_first(struct vm *vm, int *probe)
{
	char path[PATH_MAX + 32], v[64];
	int fd;

	*probe = 0;
	if (vm->accel == ACCEL_AUTO && vm->clock == VCLOCK_ICOUNT) {
		fmt(vm->accel_why, sizeof(vm->accel_why), "--clock icount needs TCG");
		return ACCEL_TCG;
	}
	if (vm->accel != ACCEL_AUTO) {
		fmt(vm->accel_why, sizeof(vm->accel_why), "asked for (--accel %s)",
		    accel_name(vm->accel));
		return vm->accel;
	}
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fmt(vm->accel_why, sizeof(vm->accel_why), "/dev/kvm: %s", strerror(errno));
		return ACCEL_TCG;
	}
	close(fd);
	accel_cache_path(vm, path, sizeof(path));
	if (!file_read_str(path, v, sizeof(v))) {
		v[strcspn(v, "\n")] = '\0';
		if (!strcmp(v, "kvm") || !strcmp(v, "tcg")) {
			fmt(vm->accel_why, sizeof(vm->accel_why),
			    "%s: an earlier guest %s under KVM on this host kernel", path,
			    v[0] == 'k' ? "answered" : "did not answer");
			return v[0] == 'k' ? ACCEL_KVM : ACCEL_TCG;
		}
	}
	*probe = 1;
	return ACCEL_KVM;
}

static void accel_remember(struct vm *vm, enum vm_accel a)
{
	char path[PATH_MAX + 32];

	FILE *f;

	accel_cache_path(vm, path, sizeof(path));
	mkdir_p(vm->cache, 1);
	f = fopen(path, "we");
	if (f) {
		fputs(a == ACCEL_KVM ? "kvm\n" : "tcg\n", f);
		fclose(f);
	}
}

/*
 * icount runs one vCPU: with two, a Debian guest under single-threaded TCG
 * and -icount did not print a line in 120 s here, and vCPUs that take turns
 * on one host thread are not parallel anyway. So the default clock is
 * icount under TCG unless --cpus (or --numa N, whose nodes want CPUs)
 * asked for more than one, and then real.
 */
static int icount_on(const struct vm *vm, enum vm_accel a)
{
	if (a != ACCEL_TCG || vm->clock == VCLOCK_REAL)
		return 0;
	if (vm->clock == VCLOCK_ICOUNT)
		return 1;
	/* auto: unless more than one CPU was asked for, by --cpus or by --numa's nodes */
	return vm->cpus_given ? vm->cpus == 1 : vm->numa <= 1;
}

/* The guest's CPUs: one under icount unless --cpus said otherwise. */
static unsigned int vm_cpus(const struct vm *vm, enum vm_accel a)
{
	return icount_on(vm, a) && !vm->cpus_given ? 1 : vm->cpus;
}

static int qemu_argv(struct vm *vm, enum vm_accel a, char **argv, size_t max, char *store,
		     size_t slen)
{
	size_t n = 0, o = 0;

#define ARG(...)                                                                      \
	do {                                                                          \
		int w_ = snprintf(store + o, slen - o, __VA_ARGS__);                   \
		if (w_ < 0 || (size_t)w_ >= slen - o || n >= max - 1)                  \
			return -E2BIG;                                                 \
		argv[n++] = store + o;                                                 \
		o += (size_t)w_ + 1;                                                   \
	} while (0)
	ARG("qemu-system-x86_64");
	ARG("-nodefaults");
	ARG("-no-user-config");
	ARG("-display");
	ARG("none");
	ARG("-monitor");
	ARG("none");
	ARG("-accel");
	if (a == ACCEL_KVM)
		ARG("kvm");
	else
		ARG("tcg,thread=%s", vm_cpus(vm, a) > 1 && !icount_on(vm, a) ? "multi" : "single");
	if (icount_on(vm, a)) {
		ARG("-icount");
		ARG("shift=%d,sleep=off,align=off", ICOUNT_SHIFT);
	}
	if (vm->cpu_model) {
		ARG("-cpu");
		ARG("%s", vm->cpu_model);
	} else if (a == ACCEL_KVM) {
		ARG("-cpu");
		ARG("host");
	}
	ARG("-smp");
	ARG("%u", vm_cpus(vm, a));
	ARG("-m");
	ARG("%" PRIu64 "M", vm->mem >> 20);
	for (unsigned int i = 0; i < vm->numa; i++) {
		unsigned int lo = i * vm_cpus(vm, a) / vm->numa, hi = (i + 1) * vm_cpus(vm, a) / vm->numa;

		ARG("-object");
		ARG("memory-backend-ram,id=m%u,size=%" PRIu64 "M", i, (vm->mem >> 20) / vm->numa);
		ARG("-numa");
		if (hi > lo)
			ARG("node,nodeid=%u,memdev=m%u,cpus=%u-%u", i, i, lo, hi - 1);
		else
			ARG("node,nodeid=%u,memdev=m%u", i, i);
	}
	ARG("-serial");
	ARG("file:%s/vm/console.log", vm->out);
	ARG("-serial");
	ARG("file:%s/vm/stream", vm->out);
	if (vm->disk_path[0]) {
		ARG("-drive");
		ARG("file=%s,if=none,id=scratch,format=raw", vm->disk_path);
		ARG("-device");
		ARG("nvme,serial=gupbench,drive=scratch");
	}
	ARG("-kernel");
	ARG("%s", vm->image);
	ARG("-initrd");
	ARG("%s", vm->initrd);
	ARG("-append");
	if (icount_on(vm, a))
		/* the guest's run reads it to say what its ns are (runners/clock.h) */
		ARG("%s gupbench.clock=icount:%d", vm->cmdline, ICOUNT_SHIFT);
	else
		ARG("%s", vm->cmdline);
	ARG("-no-reboot");
#undef ARG
	argv[n] = NULL;
	return 0;
}

static pid_t qemu_start(struct vm *vm, char **argv)
{
	char log[PATH_MAX + 16];
	pid_t pid;

	fmt(log, sizeof(log), "%s/vm/qemu.log", vm->out);
	pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644), nul;

		nul = open("/dev/null", O_RDONLY);
		dup2(nul, 0);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		/* its own process group: a ^C reaches gupbench, which stops it */
		setpgid(0, 0);
		execvp(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

static void qemu_stop(pid_t pid)
{
	int st;

	kill(pid, SIGTERM);
	for (int i = 0; i < 50; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return;
		usleep(100000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

/* Read what is new in fd; 0 at no news. */
static ssize_t drain(int fd, char *buf, size_t len)
{
	ssize_t n = read(fd, buf, len);

	return n < 0 ? 0 : n;
}

/* Echo the guest's console line by line (unless quiet). */
struct echo {
	char line[1024];
	size_t len;
	int esc;	/* inside an escape sequence */
};

/*
 * The guest's console is a tty, so its run draws a progress line that \r
 * and "ESC [K" rewrite in place; here each state becomes a line of its own.
 */
static void echo_feed(struct echo *e, const char *d, size_t n, int quiet)
{
	for (size_t i = 0; i < n; i++) {
		char ch = d[i];

		if (e->esc) {
			e->esc = !(ch >= '@' && ch <= '~' && ch != '[');
			continue;
		}
		if (ch == 0x1b) {
			e->esc = 1;
			continue;
		}
		if (ch == '\n' || ch == '\r' || e->len == sizeof(e->line) - 1) {
			e->line[e->len] = '\0';
			if (!quiet && e->len)
				fprintf(stderr, "  guest| %s\n", e->line);
			e->len = 0;
		} else {
			e->line[e->len++] = ch;
		}
	}
}

enum boot_end { BOOT_DONE, BOOT_NO_HELLO, BOOT_TIMEOUT, BOOT_EXITED, BOOT_SIGNAL, BOOT_PROTO };

/* One boot: QEMU until the guest's E record, its exit, a timeout or a signal. */
static enum boot_end boot_once(struct vm *vm, enum vm_accel a, unsigned int hello_s,
			       struct vmstream_rx *rx, int *qemu_status)
{
	char *argv[64], store[8192], path[PATH_MAX + 32], buf[65536];
	struct echo echo = { .len = 0 };
	enum boot_end end;
	int sfd, cfd, st;
	double t0 = now_ns() / 1e9, t_end = 0;
	pid_t pid;

	if (qemu_argv(vm, a, argv, ARRAY_SIZE(argv), store, sizeof(store)))
		return BOOT_EXITED;
	fmt(path, sizeof(path), "%s/vm/qemu.cmd", vm->out);
	{
		FILE *f = fopen(path, "ae");

		if (f && vm->disk_path[0])
			disk_commands(vm, f);
		for (int i = 0; f && argv[i]; i++) {
			char *q = sh_quote(argv[i]);

			fprintf(f, "%s%s", i ? " " : "", q ? q : "''");
			free(q);
		}
		if (f) {
			fputc('\n', f);
			fclose(f);
		}
	}
	/* made empty here, so what is read is what this boot wrote */
	fmt(path, sizeof(path), "%s/vm/stream", vm->out);
	sfd = open(path, O_RDONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	fmt(path, sizeof(path), "%s/vm/console.log", vm->out);
	cfd = open(path, O_RDONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (sfd < 0 || cfd < 0)
		return BOOT_EXITED;
	if (!vm->quiet)
		fprintf(stderr, "gupbench vm: booting under %s (%s/vm/qemu.cmd)\n", accel_name(a),
			vm->out);
	pid = qemu_start(vm, argv);
	if (pid < 0)
		return BOOT_EXITED;
	for (;;) {
		ssize_t n;
		int exited = waitpid(pid, &st, WNOHANG) == pid;
		double t = now_ns() / 1e9 - t0;

		/* read after the exit check, so nothing written before the exit is missed */
		while ((n = drain(cfd, buf, sizeof(buf))) > 0)
			echo_feed(&echo, buf, (size_t)n, vm->quiet);
		while ((n = drain(sfd, buf, sizeof(buf))) > 0) {
			int had = rx->hello;

			if (vmstream_rx_feed(rx, buf, (size_t)n)) {
				end = BOOT_PROTO;
				goto stop;
			}
			if (!had && rx->hello) {
				vm->boot_s = t;
				if (!vm->quiet)
					fprintf(stderr, "gupbench vm: the guest answered after %.1f s\n", t);
			}
			if (rx->ended && !t_end) {
				t_end = t;
				vm->run_s = t - vm->boot_s;
			}
		}
		if (exited) {
			*qemu_status = st;
			end = rx->ended ? BOOT_DONE : BOOT_EXITED;
			break;
		}
		/* after its run the guest reboots, which ends QEMU (-no-reboot) */
		if (rx->ended && t - t_end > 30) {
			end = BOOT_DONE;
			goto stop;
		}
		if (vm_stop_sig) {
			end = BOOT_SIGNAL;
			goto stop;
		}
		if (!rx->hello && t > hello_s) {
			end = BOOT_NO_HELLO;
			goto stop;
		}
		if (t > vm->timeout_s) {
			end = BOOT_TIMEOUT;
			goto stop;
		}
		usleep(POLL_MS * 1000);
	}
	goto out;
stop:
	qemu_stop(pid);
	*qemu_status = -1;
out:
	if (echo.len)
		echo_feed(&echo, "\n", 1, vm->quiet);
	close(sfd);
	close(cfd);
	return end;
}

/* A CSV whose last line the guest did not finish: cut it, and say so. */
static void csv_trim(const char *dir, const char *name)
{
	char path[PATH_MAX + 64], buf[4096];
	struct stat st;
	off_t end;
	int fd;

	fmt(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) || !st.st_size) {
		close(fd);
		return;
	}
	end = st.st_size;
	while (end > 0) {
		off_t from = end > (off_t)sizeof(buf) ? end - (off_t)sizeof(buf) : 0;
		ssize_t n = pread(fd, buf, (size_t)(end - from), from);
		ssize_t i;

		if (n <= 0)
			break;
		for (i = n - 1; i >= 0 && buf[i] != '\n'; i--)
			;
		if (i >= 0) {
			end = from + i + 1;
			break;
		}
		end = from;
	}
	if (end < st.st_size) {
		fprintf(stderr, "gupbench vm: %s: dropped an unfinished last line (%jd bytes)\n",
			path, (intmax_t)(st.st_size - end));
		if (ftruncate(fd, end))
			fprintf(stderr, "gupbench vm: %s: %s\n", path, strerror(errno));
	}
	close(fd);
}

static void console_tail(struct vm *vm, int lines)
{
	char cmd[2 * PATH_MAX + 64], path[PATH_MAX + 32], *q;

	fprintf(stderr, "gupbench vm: the last lines of %s/vm/console.log:\n", vm->out);
	fflush(stderr);
	fmt(path, sizeof(path), "%s/vm/console.log", vm->out);
	q = sh_quote(path);
	fmt(cmd, sizeof(cmd), "tail -n %d %s | sed 's/^/  | /' >&2", lines, q ? q : "''");
	free(q);
	if (system(cmd))
		fprintf(stderr, "  (could not read it)\n");
}

static void qemu_version(char *dst, size_t len)
{
	FILE *p = popen("qemu-system-x86_64 --version 2>/dev/null", "re");

	dst[0] = '\0';
	if (p) {
		if (fgets(dst, (int)len, p))
			dst[strcspn(dst, "\n")] = '\0';
		pclose(p);
	}
	if (!dst[0])
		fmt(dst, len, "unknown");
}

static void meta_vm(struct vm *vm, enum vm_accel a, int completed, int status)
{
	char path[PATH_MAX + 16], qv[256], size[32];
	struct utsname u;
	FILE *f;

	fmt(path, sizeof(path), "%s/meta", vm->out);
	f = fopen(path, "ae");
	if (!f)
		return;
	uname(&u);
	qemu_version(qv, sizeof(qv));
	size_format(vm->mem, size, sizeof(size));
	fprintf(f, "\n[vm]\n");
	fprintf(f, "command = %s\n", vm->command);
	fprintf(f, "kernel = %s\n", vm->spec);
	fprintf(f, "image = %s\n", vm->image);
	if (vm->package[0])
		fprintf(f, "package = %s\n", vm->package);
	fprintf(f, "image_config = %s\n", vm->image_config[0] ? vm->image_config : "(none)");
	fprintf(f, "missing_options = %s\n", vm->missing);
	fprintf(f, "accelerator = %s\n", accel_name(a));
	fprintf(f, "accelerator_why = %s\n", vm->accel_why);
	fprintf(f, "timing = %s\n",
		icount_on(vm, a) ? "emulated by TCG, clocked by QEMU's instruction counter "
				   "(-icount shift=0,sleep=off,align=off): 1 virtual ns per guest "
				   "instruction, the same for every boot of one kernel"
		: a == ACCEL_TCG ? "emulated by TCG on the host's clock: compare only with runs "
				   "under TCG"
				 : "hardware-assisted (KVM): compare only with runs under KVM");
	fprintf(f, "clock = %s\n", icount_on(vm, a) ? "icount" : "real");
	if (icount_on(vm, a))
		fprintf(f, "icount = shift=%d,sleep=off,align=off\n", ICOUNT_SHIFT);
	fprintf(f, "qemu = %s\n", qv);
	fprintf(f, "cpus = %u\n", vm_cpus(vm, a));
	fprintf(f, "cpu_model = %s\n", vm->cpu_model ? vm->cpu_model :
		a == ACCEL_KVM ? "host" : "(QEMU's default)");
	fprintf(f, "mem = %s\n", size);
	fprintf(f, "numa_nodes = %u\n", vm->numa ? vm->numa : 1);
	if (vm->disk_path[0]) {
		char dsize[32];

		size_format(vm->disk, dsize, sizeof(dsize));
		fprintf(f, "disk = %s ext4 on emulated NVMe at /var/tmp (scratch image, removed "
			   "after the run)\n", dsize);
	} else {
		fprintf(f, "disk = %s\n", vm->disk_why);
	}
	fprintf(f, "append = %s", vm->cmdline);
	if (icount_on(vm, a))
		fprintf(f, " gupbench.clock=icount:%d", ICOUNT_SHIFT);
	fputc('\n', f);
	fprintf(f, "host_kernel = %s\n", u.release);
	fprintf(f, "boot_s = %.1f\n", vm->boot_s);
	fprintf(f, "run_s = %.1f\n", vm->run_s);
	fprintf(f, "completed = %s\n", completed ? "yes" : vm->outcome);
	fprintf(f, "guest_status = %d\n", status);
	fclose(f);
}

/* ---- main ---- */

static void default_out(struct vm *vm)
{
	char when[32], tag[128];
	time_t t = time(NULL);
	struct tm tm;
	const char *s = strrchr(vm->spec, '/');

	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y%m%d-%H%M%S", &tm);
	fmt(tag, sizeof(tag), "%s", s && s[1] ? s + 1 : vm->spec);
	if (vm->spec2) {
		const char *s2 = strrchr(vm->spec2, '/');
		size_t l = strlen(tag);

		fmt(tag + l, sizeof(tag) - l, "-vs-%s", s2 && s2[1] ? s2 + 1 : vm->spec2);
	}
	for (char *p = tag; *p; p++)
		if (*p == ':' || *p == '/' || *p == ' ')
			*p = '-';
	fmt(vm->out, sizeof(vm->out), "results/vm-%s%s-%s", when, vm->boots ? "-boots" : "",
	    tag);
}


int vm_main(int argc, char **argv, int full_argc, char **full_argv)
{
	static const struct option lopts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "mem", required_argument, NULL, 'm' },
		{ "numa", required_argument, NULL, 'N' },
		{ "disk", required_argument, NULL, 'D' },
		{ "cpu", required_argument, NULL, 'U' },
		{ "accel", required_argument, NULL, 'a' },
		{ "clock", required_argument, NULL, 'K' },
		{ "runs", required_argument, NULL, 'R' },
		{ "boots", required_argument, NULL, 'b' },
		{ "timeout", required_argument, NULL, 't' },
		{ "boot-timeout", required_argument, NULL, 'B' },
		{ "append", required_argument, NULL, 'A' },
		{ "cache", required_argument, NULL, 'C' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "no-plot", no_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct vm vm = {
		.mem = 2ULL << 30, .disk = 4ULL << 30, .timeout_s = 3600, .boot_timeout_s = 120,
		.cpus = (unsigned int)sysconf(_SC_NPROCESSORS_ONLN),
	};
	struct vmstream_rx rx = { 0 };
	struct sigaction sa = { .sa_handler = vm_on_signal };
	enum vm_accel a;
	enum boot_end end;
	char exe[PATH_MAX], err[1024];
	int c, probe, qst = 0, ret, status, npass = 0, prev = 1;
	char **pass = calloc((size_t)argc + 1, sizeof(*pass));
	ssize_t n;

	if (!pass)
		return 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+k:o:qh", lopts, NULL)) != -1) {
		char *e;
		unsigned long v;

		/*
		 * What each of several boots is given again: every option as it
		 * was written, but the kernel, the output and --boots, which
		 * vm_boots() sets per boot. (-qk K, a cluster, would hide -q.)
		 */
		if (c != 'k' && c != 'o' && c != 'b')
			for (int i = prev; i < optind; i++)
				pass[npass++] = argv[i];
		else if (argv[prev][0] == '-' && argv[prev][1] != '-' && argv[prev][1] != c) {
			fprintf(stderr, "gupbench vm: give -%c apart from other short options\n", c);
			return VM_EXIT_USAGE;
		}
		prev = optind;

		switch (c) {
		case 'k':
			if (vm.spec2) {
				fprintf(stderr, "gupbench vm: --kernel: two at most (with --boots)\n");
				return VM_EXIT_USAGE;
			}
			if (vm.spec)
				vm.spec2 = optarg;
			else
				vm.spec = optarg;
			break;
		case 'c':
		case 'N':
		case 't':
		case 'B':
			v = strtoul(optarg, &e, 10);
			if (*e || !*optarg || (c != 'N' && !v) || v > 100000) {
				fprintf(stderr, "gupbench vm: --%s: \"%s\" is not a number\n",
					c == 'c' ? "cpus" : c == 'N' ? "numa" : c == 't' ? "timeout"
										 : "boot-timeout",
					optarg);
				return VM_EXIT_USAGE;
			}
			if (c == 'c')
				vm.cpus = (unsigned int)v, vm.cpus_given = 1;
			else if (c == 'N')
				vm.numa = (unsigned int)v;
			else if (c == 't')
				vm.timeout_s = (unsigned int)v;
			else
				vm.boot_timeout_s = (unsigned int)v;
			break;
		case 'm':
			if (size_parse(optarg, &vm.mem) || vm.mem < (256ULL << 20)) {
				fprintf(stderr, "gupbench vm: --mem: \"%s\" is not a size of 256M or more\n",
					optarg);
				return VM_EXIT_USAGE;
			}
			break;
		case 'D':
			if (size_parse(optarg, &vm.disk) || (vm.disk && vm.disk < (64ULL << 20))) {
				fprintf(stderr, "gupbench vm: --disk: \"%s\" is not 0 or a size of "
						"64M or more\n", optarg);
				return VM_EXIT_USAGE;
			}
			break;
		case 'a':
			if (!strcmp(optarg, "auto"))
				vm.accel = ACCEL_AUTO;
			else if (!strcmp(optarg, "kvm"))
				vm.accel = ACCEL_KVM;
			else if (!strcmp(optarg, "tcg"))
				vm.accel = ACCEL_TCG;
			else {
				fprintf(stderr, "gupbench vm: --accel: \"%s\" is not auto, kvm or tcg\n",
					optarg);
				return VM_EXIT_USAGE;
			}
			break;
		case 'K':
			if (!strcmp(optarg, "auto"))
				vm.clock = VCLOCK_AUTO;
			else if (!strcmp(optarg, "icount"))
				vm.clock = VCLOCK_ICOUNT;
			else if (!strcmp(optarg, "real"))
				vm.clock = VCLOCK_REAL;
			else {
				fprintf(stderr, "gupbench vm: --clock: \"%s\" is not auto, icount or real\n",
					optarg);
				return VM_EXIT_USAGE;
			}
			break;
		case 'R':
		case 'b': {
			unsigned long max = c == 'R' ? 1000 : 100;

			v = strtoul(optarg, &e, 10);
			if (*e || !*optarg || !v || v > max) {
				fprintf(stderr, "gupbench vm: --%s: \"%s\" is not a number (1..%lu)\n",
					c == 'R' ? "runs" : "boots", optarg, max);
				return VM_EXIT_USAGE;
			}
			if (c == 'R')
				vm.runs = (unsigned int)v;
			else
				vm.boots = (unsigned int)v;
			break;
		}
		case 'A':
			vm.append = optarg;
			break;
		case 'U':
			if (!*optarg || strspn(optarg, "abcdefghijklmnopqrstuvwxyz"
						"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,+=") !=
						strlen(optarg)) {
				fprintf(stderr, "gupbench vm: --cpu: \"%s\" is not a QEMU CPU model\n",
					optarg);
				return VM_EXIT_USAGE;
			}
			vm.cpu_model = optarg;
			break;
		case 'C':
			fmt(vm.cache, sizeof(vm.cache), "%s", optarg);
			break;
		case 'o':
			fmt(vm.out, sizeof(vm.out), "%s", optarg);
			break;
		case 'f':
			vm.force = 1;
			break;
		case 'P':
			vm.no_plot = 1;
			break;
		case 'q':
			vm.quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return VM_EXIT_USAGE;
		}
	}
	/* `gupbench vm --kernel K -- run CONFIG...` reads as well */
	if (optind < argc && !strcmp(argv[optind], "run"))
		optind++;
	if (!vm.spec || optind >= argc) {
		fprintf(stderr, "gupbench vm: %s\n", !vm.spec ? "--kernel is required" : "no config");
		usage(stderr);
		return VM_EXIT_USAGE;
	}
	if (vm.spec2 && !vm.boots) {
		fprintf(stderr, "gupbench vm: two kernels want --boots N (N boots of each, "
			"interleaved)\n");
		return VM_EXIT_USAGE;
	}
	if (vm.clock == VCLOCK_ICOUNT && vm.accel == ACCEL_KVM) {
		fprintf(stderr, "gupbench vm: --clock icount needs TCG (QEMU has no instruction "
			"counter under KVM): drop --accel kvm, or use --clock real\n");
		return VM_EXIT_USAGE;
	}
	if (vm.clock == VCLOCK_ICOUNT && vm.cpus_given && vm.cpus > 1) {
		fprintf(stderr, "gupbench vm: --clock icount runs one vCPU (single-threaded TCG: "
			"more would take turns on one host thread, and a guest with two did not "
			"boot here): drop --cpus %u, or use --clock real\n", vm.cpus);
		return VM_EXIT_USAGE;
	}
	if (vm.append && strstr(vm.append, "gupbench.clock=")) {
		fprintf(stderr, "gupbench vm: --append: gupbench.clock= is gupbench vm's to set "
			"(use --clock)\n");
		return VM_EXIT_USAGE;
	}
	if (vm.numa > 64 || (vm.numa && (vm.mem >> 20) / vm.numa < 128)) {
		fprintf(stderr, "gupbench vm: --numa %u: at most 64 nodes of 128 MiB or more\n",
			vm.numa);
		return VM_EXIT_USAGE;
	}
	if (vm.numa > vm.cpus)
		fprintf(stderr, "gupbench vm: --numa %u with %u cpus: some nodes have memory only\n",
			vm.numa, vm.cpus);

	/* the configs must parse here before a kernel boots for them */
	vm.nconfigs = argc - optind;
	vm.configs = calloc((size_t)vm.nconfigs, sizeof(*vm.configs));
	for (int i = 0; i < vm.nconfigs; i++) {
		struct cfg cfg = { 0 };
		const char *p = argv[optind + i];

		if (cfg_load(&cfg, p, err, sizeof(err))) {
			fprintf(stderr, "gupbench: %s\n", err);
			return VM_EXIT_USAGE;
		}
		cfg_free(&cfg);
		vm.configs[i] = realpath(p, NULL);
	}

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0) {
		fprintf(stderr, "gupbench vm: /proc/self/exe: %s\n", strerror(errno));
		return 1;
	}
	exe[n] = '\0';
	fmt(vm.exe, sizeof(vm.exe), "%s", exe);
	fmt(vm.top, sizeof(vm.top), "%s", dirname(dirname(exe)));
	if (!vm.cache[0]) {
		const char *e = getenv("GUPBENCH_CACHE"), *x = getenv("XDG_CACHE_HOME");

		if (e)
			fmt(vm.cache, sizeof(vm.cache), "%s", e);
		else if (x)
			fmt(vm.cache, sizeof(vm.cache), "%s/gupbench", x);
		else
			fmt(vm.cache, sizeof(vm.cache), "%s/.cache/gupbench",
			    getenv("HOME") ? getenv("HOME") : "/root");
	}
	vm.command = sh_join(full_argc, full_argv);

	if (vm.spec2) {
		/* no kernel is booted before both are known to exist */
		const char *first = vm.spec;

		vm.spec = vm.spec2;
		if (resolve_kernel(&vm))
			return VM_EXIT_USAGE;
		vm.spec = first;
	}
	if (resolve_kernel(&vm))
		return VM_EXIT_USAGE;
	if (vm.boots) {
		const char *const spec[2] = { vm.spec, vm.spec2 };

		if (!vm.out[0])
			default_out(&vm);
		ret = mkdir_p(vm.out, 0);
		if (ret) {
			fprintf(stderr, "gupbench vm: %s: %s%s\n", vm.out, strerror(-ret),
				ret == -EEXIST ? " (a run directory is never overwritten)" : "");
			return VM_EXIT_USAGE;
		}
		ret = vm_boots(vm.exe, vm.out, spec, vm.spec2 ? 2 : 1, vm.boots, pass, npass,
			       vm.configs, vm.nconfigs, vm.quiet);
		free(pass);
		return ret;
	}
	if (check_config(&vm))
		return VM_EXIT_UNFIT;
	if (!vm.quiet)
		fprintf(stderr, "gupbench vm: kernel %s%s%s%s\n", vm.image,
			vm.package[0] ? " (" : "", vm.package, vm.package[0] ? ")" : "");

	if (!vm.out[0])
		default_out(&vm);
	{
		char abs[PATH_MAX], sub[PATH_MAX + 8];

		ret = mkdir_p(vm.out, 0);
		if (ret) {
			fprintf(stderr, "gupbench vm: %s: %s%s\n", vm.out, strerror(-ret),
				ret == -EEXIST ? " (a run directory is never overwritten)" : "");
			return VM_EXIT_USAGE;
		}
		if (realpath(vm.out, abs))
			fmt(vm.out, sizeof(vm.out), "%s", abs);
		fmt(sub, sizeof(sub), "%s/vm", vm.out);
		mkdir(sub, 0755);
	}
	fmt(vm.cmdline, sizeof(vm.cmdline), "console=ttyS0 panic=-1 quiet rdinit=/init%s%s",
	    vm.append ? " " : "", vm.append ? vm.append : "");

	make_disk(&vm);
	ret = write_initrd(&vm);
	if (ret) {
		remove_disk(&vm);
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	a = accel_first(&vm, &probe);
	rx.dir = vm.out;
	end = boot_once(&vm, a, probe ? KVM_PROBE_S : vm.boot_timeout_s, &rx, &qst);
	if (probe) {
		if (end == BOOT_NO_HELLO || (end == BOOT_EXITED && !rx.hello)) {
			if (end == BOOT_NO_HELLO)
				fmt(vm.accel_why, sizeof(vm.accel_why),
				    "a guest under KVM did not answer within %d s", KVM_PROBE_S);
			else
				fmt(vm.accel_why, sizeof(vm.accel_why),
				    "QEMU under KVM exited before the guest answered (vm/qemu.log)");
			fprintf(stderr, "gupbench vm: %s\n", vm.accel_why);
			accel_remember(&vm, ACCEL_TCG);
			a = ACCEL_TCG;
			vmstream_rx_free(&rx);
			memset(&rx, 0, sizeof(rx));
			rx.dir = vm.out;
			end = boot_once(&vm, a, vm.boot_timeout_s, &rx, &qst);
		} else if (rx.hello) {
			fmt(vm.accel_why, sizeof(vm.accel_why), "a guest under KVM answered");
			accel_remember(&vm, ACCEL_KVM);
		}
	}
	if (!vm.quiet && icount_on(&vm, a))
		fprintf(stderr, "gupbench vm: clock: QEMU's instruction counter (icount shift=%d): "
				"1 virtual ns per guest instruction (%s)\n", ICOUNT_SHIFT, vm.accel_why);
	else if (!vm.quiet && a == ACCEL_TCG)
		fprintf(stderr, "gupbench vm: timings are emulated by TCG (%s): compare them only "
				"with runs under TCG\n", vm.accel_why);

	switch (end) {
	case BOOT_DONE:
		break;
	case BOOT_NO_HELLO:
		fmt(vm.outcome, sizeof(vm.outcome), "no: the guest did not answer within %u s",
		    vm.boot_timeout_s);
		break;
	case BOOT_TIMEOUT:
		fmt(vm.outcome, sizeof(vm.outcome), "no: timed out after %u s (--timeout)",
		    vm.timeout_s);
		break;
	case BOOT_SIGNAL:
		fmt(vm.outcome, sizeof(vm.outcome), "no: interrupted by signal %d",
		    (int)vm_stop_sig);
		break;
	case BOOT_PROTO:
		fmt(vm.outcome, sizeof(vm.outcome), "no: the result stream broke: %s", rx.err);
		break;
	case BOOT_EXITED:
		fmt(vm.outcome, sizeof(vm.outcome),
		    "no: QEMU exited (status %d) before the run ended%s",
		    WIFEXITED(qst) ? WEXITSTATUS(qst) : -1,
		    rx.hello ? " (a panic or reboot in the guest?)" : ", before the guest answered");
		break;
	}
	if (end != BOOT_DONE) {
		if (vmstream_rx_pending(&rx))
			fprintf(stderr, "gupbench vm: %zu bytes of an unfinished last record dropped\n",
				vmstream_rx_pending(&rx));
		csv_trim(vm.out, "results.csv");
		csv_trim(vm.out, "scenarios.csv");
	}
	status = end == BOOT_DONE ? rx.status : VM_EXIT_GUEST;
	meta_vm(&vm, a, end == BOOT_DONE, end == BOOT_DONE ? rx.status : -1);
	if (end != BOOT_DONE) {
		fprintf(stderr, "gupbench vm: %s; %lu records arrived\n", vm.outcome + 4, rx.records);
		console_tail(&vm, 30);
	} else if (!vm.quiet) {
		fprintf(stderr, "gupbench vm: the guest's run exited %d after %.1f s: %s\n",
			rx.status, vm.run_s, vm.out);
	} else if (rx.status) {
		/* -q did not echo the guest: say why its run failed */
		fprintf(stderr, "gupbench vm: the guest's run exited %d\n", rx.status);
		console_tail(&vm, 12);
	}
	if (!vm.no_plot && end == BOOT_DONE && (status == 0 || status == 1) &&
	    plot_run(vm.out, vm.quiet, err, sizeof(err)))
		fprintf(stderr, "gupbench vm: plots: %s\n", err);
	vmstream_rx_free(&rx);
	remove_disk(&vm);
	if (vm_stop_sig)
		return 128 + vm_stop_sig;
	return status;
}
