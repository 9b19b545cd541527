// SPDX-License-Identifier: GPL-2.0
/*
 * vm: QEMU. Which accelerator works here (KVM must answer, or TCG), the
 * clock (icount under TCG), the command line, one boot from start to the
 * guest's end record with its console echoed, and what the boot leaves:
 * the trimmed CSVs, the console's tail, meta's [vm] section.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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

#include "outdir.h"
#include "proc.h"
#include "util.h"
#include "vm_int.h"

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
enum vm_accel vm_accel_first(struct vm *vm, int *probe)
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

void vm_accel_remember(struct vm *vm, enum vm_accel a)
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
int vm_icount_on(const struct vm *vm, enum vm_accel a)
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
	return vm_icount_on(vm, a) && !vm->cpus_given ? 1 : vm->cpus;
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
		ARG("tcg,thread=%s", vm_cpus(vm, a) > 1 && !vm_icount_on(vm, a) ? "multi" : "single");
	if (vm_icount_on(vm, a)) {
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
	if (vm_icount_on(vm, a))
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

/* One boot: QEMU until the guest's E record, its exit, a timeout or a signal. */
enum boot_end vm_boot_once(struct vm *vm, enum vm_accel a, unsigned int hello_s,
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
			vm_disk_commands(vm, f);
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
void vm_csv_trim(const char *dir, const char *name)
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

void vm_console_tail(struct vm *vm, int lines)
{
	char path[PATH_MAX + 32], **ring = calloc((size_t)lines, sizeof(*ring)), *line = NULL;
	size_t cap = 0, seen = 0;
	FILE *f;

	fprintf(stderr, "gupbench vm: the last lines of %s/vm/console.log:\n", vm->out);
	fmt(path, sizeof(path), "%s/vm/console.log", vm->out);
	f = fopen(path, "re");
	if (!f || !ring) {
		fprintf(stderr, "  (could not read it)\n");
		goto out;
	}
	/* the last lines, kept in a ring as the file goes by */
	while (getline(&line, &cap, f) >= 0) {
		free(ring[seen % (size_t)lines]);
		ring[seen++ % (size_t)lines] = line;
		line = NULL;
		cap = 0;
	}
	for (size_t n = seen > (size_t)lines ? seen - (size_t)lines : 0; n < seen; n++) {
		const char *t = ring[n % (size_t)lines];

		fprintf(stderr, "  | %s%s", t, t[0] && t[strlen(t) - 1] == '\n' ? "" : "\n");
	}
out:
	if (f)
		fclose(f);
	for (int n = 0; ring && n < lines; n++)
		free(ring[n]);
	free(ring);
	free(line);
}

static void qemu_version(char *dst, size_t len)
{
	char *argv[] = { "qemu-system-x86_64", "--version", NULL };
	struct capture c = { dst, len, 0 };
	int nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
	struct proc p = { .argv = argv, .out_fd = -1, .err_fd = nul, .group = PROC_SAME,
			  .line = capture_line, .ctx = &c };

	dst[0] = '\0';
	if (nul >= 0) {
		proc_run(&p);
		close(nul);
	}
	/* its first line: "QEMU emulator version 7.2.x (Debian ...)" */
	dst[strcspn(dst, "\n")] = '\0';
	if (!dst[0])
		fmt(dst, len, "unknown");
}

void vm_meta(struct vm *vm, enum vm_accel a, int completed, int status)
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
		vm_icount_on(vm, a) ? "emulated by TCG, clocked by QEMU's instruction counter "
				   "(-icount shift=0,sleep=off,align=off): 1 virtual ns per guest "
				   "instruction, the same for every boot of one kernel"
		: a == ACCEL_TCG ? "emulated by TCG on the host's clock: compare only with runs "
				   "under TCG"
				 : "hardware-assisted (KVM): compare only with runs under KVM");
	fprintf(f, "clock = %s\n", vm_icount_on(vm, a) ? "icount" : "real");
	if (vm_icount_on(vm, a))
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
	if (vm_icount_on(vm, a))
		fprintf(f, " gupbench.clock=icount:%d", ICOUNT_SHIFT);
	fputc('\n', f);
	fprintf(f, "host_kernel = %s\n", u.release);
	fprintf(f, "boot_s = %.1f\n", vm->boot_s);
	fprintf(f, "run_s = %.1f\n", vm->run_s);
	fprintf(f, "completed = %s\n", completed ? "yes" : vm->outcome);
	fprintf(f, "guest_status = %d\n", status);
	fclose(f);
}
