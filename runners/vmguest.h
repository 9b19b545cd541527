/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GUPBENCH_VMGUEST_H
#define GUPBENCH_VMGUEST_H

/* `gupbench __vmguest PORT DIR -- ARGS...`: inside a `gupbench vm` guest. */
int vmguest_main(int argc, char **argv);

#endif
