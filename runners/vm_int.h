/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of vm share: vm.c (the command), vm_image.c (kernel,
 * initramfs, disk) and vm_qemu.c (QEMU and one boot).
 */
#ifndef GUPBENCH_VM_INT_H
#define GUPBENCH_VM_INT_H

#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

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

enum boot_end { BOOT_DONE, BOOT_NO_HELLO, BOOT_TIMEOUT, BOOT_EXITED, BOOT_SIGNAL, BOOT_PROTO };

/* vm.c: the signal that stops the boot, 0 while none came */
extern volatile sig_atomic_t vm_stop_sig;

/* vm_image.c */
int vm_resolve_kernel(struct vm *vm);
int vm_check_config(struct vm *vm);
int vm_write_initrd(struct vm *vm);
void vm_disk_commands(const struct vm *vm, FILE *f);
void vm_make_disk(struct vm *vm);
void vm_remove_disk(struct vm *vm);

/* vm_qemu.c */
enum vm_accel vm_accel_first(struct vm *vm, int *probe);
void vm_accel_remember(struct vm *vm, enum vm_accel a);
int vm_icount_on(const struct vm *vm, enum vm_accel a);
enum boot_end vm_boot_once(struct vm *vm, enum vm_accel a, unsigned int hello_s, struct vmstream_rx *rx, int *qemu_status);
void vm_csv_trim(const char *dir, const char *name);
void vm_console_tail(struct vm *vm, int lines);
void vm_meta(struct vm *vm, enum vm_accel a, int completed, int status);

#endif
