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
 * cloud kernel of any suite, fetched by scripts/kernels.sh), or `build:SRC` (a
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
#include "outdir.h"
#include "plot.h"
#include "proc.h"
#include "util.h"
#include "vm.h"
#include "vm_int.h"
#include "vmboots.h"

volatile sig_atomic_t vm_stop_sig;

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
		"  SPEC: a bzImage/vmlinuz path; debian:VERSION (7.3, 6.16.12, 6.1.0-57, latest:\n"
		"  a Debian cloud kernel of any suite, `gupbench kernels` lists them); build:SRC (scripts/kbuild.sh builds a git\n"
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


/* One option into vm: 0, VM_EXIT_USAGE (said on stderr), or -1 after --help. */
static int vm_option(struct vm *vm, int c)
{
	char *e;
	unsigned long v;

	switch (c) {
	case 'k':
		if (vm->spec2) {
			fprintf(stderr, "gupbench vm: --kernel: two at most (with --boots)\n");
			return VM_EXIT_USAGE;
		}
		if (vm->spec)
			vm->spec2 = optarg;
		else
			vm->spec = optarg;
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
			vm->cpus = (unsigned int)v, vm->cpus_given = 1;
		else if (c == 'N')
			vm->numa = (unsigned int)v;
		else if (c == 't')
			vm->timeout_s = (unsigned int)v;
		else
			vm->boot_timeout_s = (unsigned int)v;
		break;
	case 'm':
		if (size_parse(optarg, &vm->mem) || vm->mem < (256ULL << 20)) {
			fprintf(stderr, "gupbench vm: --mem: \"%s\" is not a size of 256M or more\n",
				optarg);
			return VM_EXIT_USAGE;
		}
		break;
	case 'D':
		if (size_parse(optarg, &vm->disk) || (vm->disk && vm->disk < (64ULL << 20))) {
			fprintf(stderr, "gupbench vm: --disk: \"%s\" is not 0 or a size of "
					"64M or more\n", optarg);
			return VM_EXIT_USAGE;
		}
		break;
	case 'a':
		if (!strcmp(optarg, "auto"))
			vm->accel = ACCEL_AUTO;
		else if (!strcmp(optarg, "kvm"))
			vm->accel = ACCEL_KVM;
		else if (!strcmp(optarg, "tcg"))
			vm->accel = ACCEL_TCG;
		else {
			fprintf(stderr, "gupbench vm: --accel: \"%s\" is not auto, kvm or tcg\n",
				optarg);
			return VM_EXIT_USAGE;
		}
		break;
	case 'K':
		if (!strcmp(optarg, "auto"))
			vm->clock = VCLOCK_AUTO;
		else if (!strcmp(optarg, "icount"))
			vm->clock = VCLOCK_ICOUNT;
		else if (!strcmp(optarg, "real"))
			vm->clock = VCLOCK_REAL;
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
			vm->runs = (unsigned int)v;
		else
			vm->boots = (unsigned int)v;
		break;
	}
	case 'A':
		vm->append = optarg;
		break;
	case 'U':
		if (!*optarg || strspn(optarg, "abcdefghijklmnopqrstuvwxyz"
					"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,+=") !=
					strlen(optarg)) {
			fprintf(stderr, "gupbench vm: --cpu: \"%s\" is not a QEMU CPU model\n",
				optarg);
			return VM_EXIT_USAGE;
		}
		vm->cpu_model = optarg;
		break;
	case 'C':
		fmt(vm->cache, sizeof(vm->cache), "%s", optarg);
		break;
	case 'o':
		fmt(vm->out, sizeof(vm->out), "%s", optarg);
		break;
	case 'f':
		vm->force = 1;
		break;
	case 'P':
		vm->no_plot = 1;
		break;
	case 'q':
		vm->quiet = 1;
		break;
	case 'h':
		usage(stdout);
		return -1;
	default:
		usage(stderr);
		return VM_EXIT_USAGE;
	}
	return 0;
}

/* What the options ask, checked together; optind at the first config after. */
static int vm_check(struct vm *vm, int argc, char **argv)
{
	/* `gupbench vm --kernel K -- run CONFIG...` reads as well */
	if (optind < argc && !strcmp(argv[optind], "run"))
		optind++;
	if (!vm->spec || optind >= argc) {
		fprintf(stderr, "gupbench vm: %s\n", !vm->spec ? "--kernel is required" : "no config");
		usage(stderr);
		return VM_EXIT_USAGE;
	}
	if (vm->spec2 && !vm->boots) {
		fprintf(stderr, "gupbench vm: two kernels want --boots N (N boots of each, "
			"interleaved)\n");
		return VM_EXIT_USAGE;
	}
	if (vm->clock == VCLOCK_ICOUNT && vm->accel == ACCEL_KVM) {
		fprintf(stderr, "gupbench vm: --clock icount needs TCG (QEMU has no instruction "
			"counter under KVM): drop --accel kvm, or use --clock real\n");
		return VM_EXIT_USAGE;
	}
	if (vm->clock == VCLOCK_ICOUNT && vm->cpus_given && vm->cpus > 1) {
		fprintf(stderr, "gupbench vm: --clock icount runs one vCPU (single-threaded TCG: "
			"more would take turns on one host thread, and a guest with two did not "
			"boot here): drop --cpus %u, or use --clock real\n", vm->cpus);
		return VM_EXIT_USAGE;
	}
	if (vm->append && strstr(vm->append, "gupbench.clock=")) {
		fprintf(stderr, "gupbench vm: --append: gupbench.clock= is gupbench vm's to set "
			"(use --clock)\n");
		return VM_EXIT_USAGE;
	}
	if (vm->numa > 64 || (vm->numa && (vm->mem >> 20) / vm->numa < 128)) {
		fprintf(stderr, "gupbench vm: --numa %u: at most 64 nodes of 128 MiB or more\n",
			vm->numa);
		return VM_EXIT_USAGE;
	}
	if (vm->numa > vm->cpus)
		fprintf(stderr, "gupbench vm: --numa %u with %u cpus: some nodes have memory only\n",
			vm->numa, vm->cpus);
	return 0;
}

/* The configs (they must parse here before a kernel boots for them), this binary, the cache. */
static int vm_setup(struct vm *vm, int argc, char **argv, int full_argc, char **full_argv)
{
	char err[1024];
	int n;

	vm->nconfigs = argc - optind;
	vm->configs = calloc((size_t)vm->nconfigs, sizeof(*vm->configs));
	for (int i = 0; i < vm->nconfigs; i++) {
		struct cfg cfg = { 0 };
		const char *p = argv[optind + i];

		if (cfg_load(&cfg, p, err, sizeof(err))) {
			fprintf(stderr, "gupbench: %s\n", err);
			return VM_EXIT_USAGE;
		}
		cfg_free(&cfg);
		vm->configs[i] = realpath(p, NULL);
	}

	n = self_exe(vm->exe, sizeof(vm->exe));
	if (!n)
		n = checkout_dir(vm->top, sizeof(vm->top));
	if (n) {
		fprintf(stderr, "gupbench vm: /proc/self/exe: %s\n", strerror(-n));
		return 1;
	}
	if (!vm->cache[0]) {
		const char *e = getenv("GUPBENCH_CACHE"), *x = getenv("XDG_CACHE_HOME");

		if (e)
			fmt(vm->cache, sizeof(vm->cache), "%s", e);
		else if (x)
			fmt(vm->cache, sizeof(vm->cache), "%s/gupbench", x);
		else
			fmt(vm->cache, sizeof(vm->cache), "%s/.cache/gupbench",
			    getenv("HOME") ? getenv("HOME") : "/root");
	}
	vm->command = sh_join(full_argc, full_argv);
	return 0;
}

/* One boot's kernel checked, its run directory, command line, disk and initramfs made. */
static int vm_prepare(struct vm *vm)
{
	int ret;

	if (vm_check_config(vm))
		return VM_EXIT_UNFIT;
	if (!vm->quiet)
		fprintf(stderr, "gupbench vm: kernel %s%s%s%s\n", vm->image,
			vm->package[0] ? " (" : "", vm->package, vm->package[0] ? ")" : "");

	if (!vm->out[0])
		default_out(vm);
	{
		char abs[PATH_MAX], sub[PATH_MAX + 8];

		ret = mkdir_p(vm->out, 0);
		if (ret) {
			fprintf(stderr, "gupbench vm: %s: %s%s\n", vm->out, strerror(-ret),
				ret == -EEXIST ? " (a run directory is never overwritten)" : "");
			return VM_EXIT_USAGE;
		}
		if (realpath(vm->out, abs))
			fmt(vm->out, sizeof(vm->out), "%s", abs);
		fmt(sub, sizeof(sub), "%s/vm", vm->out);
		mkdir(sub, 0755);
	}
	fmt(vm->cmdline, sizeof(vm->cmdline), "console=ttyS0 panic=-1 quiet rdinit=/init%s%s",
	    vm->append ? " " : "", vm->append ? vm->append : "");

	vm_make_disk(vm);
	ret = vm_write_initrd(vm);
	if (ret) {
		vm_remove_disk(vm);
		return 1;
	}
	return 0;
}

/*
 * The boot: under the accelerator that works here. A first guest under
 * KVM must answer within KVM_PROBE_S, or the boot starts again under TCG
 * and the verdict is cached.
 */
static enum boot_end vm_boot(struct vm *vm, struct vmstream_rx *rx, enum vm_accel *ap, int *qst)
{
	enum vm_accel a;
	enum boot_end end;
	int probe;

	a = vm_accel_first(vm, &probe);
	rx->dir = vm->out;
	end = vm_boot_once(vm, a, probe ? KVM_PROBE_S : vm->boot_timeout_s, rx, qst);
	if (probe) {
		if (end == BOOT_NO_HELLO || (end == BOOT_EXITED && !rx->hello)) {
			if (end == BOOT_NO_HELLO)
				fmt(vm->accel_why, sizeof(vm->accel_why),
				    "a guest under KVM did not answer within %d s", KVM_PROBE_S);
			else
				fmt(vm->accel_why, sizeof(vm->accel_why),
				    "QEMU under KVM exited before the guest answered (vm/qemu.log)");
			fprintf(stderr, "gupbench vm: %s\n", vm->accel_why);
			vm_accel_remember(vm, ACCEL_TCG);
			a = ACCEL_TCG;
			vmstream_rx_free(rx);
			memset(rx, 0, sizeof(*rx));
			rx->dir = vm->out;
			end = vm_boot_once(vm, a, vm->boot_timeout_s, rx, qst);
		} else if (rx->hello) {
			fmt(vm->accel_why, sizeof(vm->accel_why), "a guest under KVM answered");
			vm_accel_remember(vm, ACCEL_KVM);
		}
	}
	if (!vm->quiet && vm_icount_on(vm, a))
		fprintf(stderr, "gupbench vm: clock: QEMU's instruction counter (icount shift=%d): "
				"1 virtual ns per guest instruction (%s)\n", ICOUNT_SHIFT, vm->accel_why);
	else if (!vm->quiet && a == ACCEL_TCG)
		fprintf(stderr, "gupbench vm: timings are emulated by TCG (%s): compare them only "
				"with runs under TCG\n", vm->accel_why);
	*ap = a;
	return end;
}

/* What became of the boot, for meta and the user. */
static void vm_outcome(struct vm *vm, enum boot_end end, const struct vmstream_rx *rx, int qst)
{
	switch (end) {
	case BOOT_DONE:
		break;
	case BOOT_NO_HELLO:
		fmt(vm->outcome, sizeof(vm->outcome), "no: the guest did not answer within %u s",
		    vm->boot_timeout_s);
		break;
	case BOOT_TIMEOUT:
		fmt(vm->outcome, sizeof(vm->outcome), "no: timed out after %u s (--timeout)",
		    vm->timeout_s);
		break;
	case BOOT_SIGNAL:
		fmt(vm->outcome, sizeof(vm->outcome), "no: interrupted by signal %d",
		    (int)vm_stop_sig);
		break;
	case BOOT_PROTO:
		fmt(vm->outcome, sizeof(vm->outcome), "no: the result stream broke: %s", rx->err);
		break;
	case BOOT_EXITED:
		fmt(vm->outcome, sizeof(vm->outcome),
		    "no: QEMU exited (status %d) before the run ended%s",
		    WIFEXITED(qst) ? WEXITSTATUS(qst) : -1,
		    rx->hello ? " (a panic or reboot in the guest?)" : ", before the guest answered");
		break;
	}
}

/* What the boot left: trimmed CSVs if it broke off, meta, the plots, the exit status. */
static int vm_finish(struct vm *vm, enum vm_accel a, enum boot_end end, struct vmstream_rx *rx)
{
	char err[1024];
	int status;

	if (end != BOOT_DONE) {
		if (vmstream_rx_pending(rx))
			fprintf(stderr, "gupbench vm: %zu bytes of an unfinished last record dropped\n",
				vmstream_rx_pending(rx));
		vm_csv_trim(vm->out, "results.csv");
		vm_csv_trim(vm->out, "scenarios.csv");
	}
	status = end == BOOT_DONE ? rx->status : VM_EXIT_GUEST;
	vm_meta(vm, a, end == BOOT_DONE, end == BOOT_DONE ? rx->status : -1);
	if (end != BOOT_DONE) {
		fprintf(stderr, "gupbench vm: %s; %lu records arrived\n", vm->outcome + 4, rx->records);
		vm_console_tail(vm, 30);
	} else if (!vm->quiet) {
		fprintf(stderr, "gupbench vm: the guest's run exited %d after %.1f s: %s\n",
			rx->status, vm->run_s, vm->out);
	} else if (rx->status) {
		/* -q did not echo the guest: say why its run failed */
		fprintf(stderr, "gupbench vm: the guest's run exited %d\n", rx->status);
		vm_console_tail(vm, 12);
	}
	if (!vm->no_plot && end == BOOT_DONE && (status == 0 || status == 1) &&
	    plot_run(vm->out, vm->quiet, err, sizeof(err)))
		fprintf(stderr, "gupbench vm: plots: %s\n", err);
	vmstream_rx_free(rx);
	vm_remove_disk(vm);
	if (vm_stop_sig)
		return 128 + vm_stop_sig;
	return status;
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
	enum vm_accel a;
	enum boot_end end;
	int c, qst = 0, ret, npass = 0, prev = 1;
	char **pass = calloc((size_t)argc + 1, sizeof(*pass));

	if (!pass)
		return 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+k:o:qh", lopts, NULL)) != -1) {
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

		ret = vm_option(&vm, c);
		if (ret)
			return ret < 0 ? 0 : ret;
	}
	ret = vm_check(&vm, argc, argv);
	if (!ret)
		ret = vm_setup(&vm, argc, argv, full_argc, full_argv);
	if (ret)
		return ret;

	if (vm.spec2) {
		/* no kernel is booted before both are known to exist */
		const char *first = vm.spec;

		vm.spec = vm.spec2;
		if (vm_resolve_kernel(&vm))
			return VM_EXIT_USAGE;
		vm.spec = first;
	}
	if (vm_resolve_kernel(&vm))
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
	ret = vm_prepare(&vm);
	if (ret)
		return ret;
	signals_catch(vm_on_signal, 0, NULL);

	rx.dir = vm.out;
	end = vm_boot(&vm, &rx, &a, &qst);
	vm_outcome(&vm, end, &rx, qst);
	return vm_finish(&vm, a, end, &rx);
}
