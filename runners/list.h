/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GUPBENCH_LIST_H
#define GUPBENCH_LIST_H

int list_main(int argc, char **argv);
int keys_main(void);
int schema_main(void);

#endif
