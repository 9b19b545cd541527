/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GUPBENCH_VM_H
#define GUPBENCH_VM_H

/* `gupbench vm --kernel SPEC [options] CONFIG...`: run configs on a QEMU guest. */
int vm_main(int argc, char **argv, int full_argc, char **full_argv);

#endif
