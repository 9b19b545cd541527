/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fork method's test hook (benches/method-fork.c). Only the system
 * test sets it: it lets tests/sys/test_fork.c look at the child's page
 * tables (/proc/<child>/pagemap, maps) while the child of the "fork" op is
 * alive, which is how the tests see that pinned pages were copied and
 * unpinned ones shared.
 */
#ifndef GUPBENCH_METHOD_FORK_H
#define GUPBENCH_METHOD_FORK_H

#include <sys/types.h>

enum fork_hook_stage {
	FORK_HOOK_FORKED,	/* fork() returned; the child has not written yet */
	FORK_HOOK_WRITTEN,	/* the child wrote its buffer (or found none) and waits to exit */
};

/*
 * Called in the parent, outside every timed window, at each stage of the
 * "fork" op, with the child's pid. NULL outside tests.
 */
extern void (*fork_test_hook)(pid_t child, enum fork_hook_stage stage, void *arg);
extern void *fork_test_hook_arg;

#endif
