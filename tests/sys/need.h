/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Skip a system test whose kernel does not offer what it leans on, with
 * the probe's own reason (runners/kfeat.c), never assume it: these
 * machines' kernels, for one, map no zero page (pvm_no_zero_page=1).
 * The same behaviour is asserted in a guest by tests/sys/test_vm_probe.py.
 * Needs SKIP_WHY() from the including test.
 */
#ifndef GUPBENCH_TEST_NEED_H
#define GUPBENCH_TEST_NEED_H

#include "kfeat.h"

#define NEED_KFEAT(id) do {							\
	const struct kfeat *k_ = kfeat_get(id);					\
										\
	if (k_->have != KF_YES)							\
		SKIP_WHY("this kernel's %s = %s: %s", kfeat_name(id),		\
			 kfeat_answer_name(k_->have), k_->why);			\
} while (0)

#endif
