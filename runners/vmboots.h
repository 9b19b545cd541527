/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GUPBENCH_VMBOOTS_H
#define GUPBENCH_VMBOOTS_H

/*
 * `gupbench vm --boots N --kernel A [--kernel B] ...`: N boots of each
 * kernel, interleaved A B A B, each one an ordinary `gupbench vm` of its own
 * (this binary, run again). One kernel: OUT/boot-1 .. OUT/boot-N. Two:
 * OUT/a/boot-I and OUT/b/boot-I, so that `gupbench compare OUT/a OUT/b`
 * tests run against run. OUT/boots.csv says which boot went where and how
 * it ended.
 *
 * pass: the vm options to give every boot (argv[0] is not among them), its
 * --kernel and -o left out; configs: the config paths.
 */
int vm_boots(const char *exe, const char *out, const char *const spec[2], int nspec,
	     unsigned int boots, char **pass, int npass, char **configs, int nconfigs,
	     int quiet);

#endif
