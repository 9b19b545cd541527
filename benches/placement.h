/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NUMA placement: where a scenario's memory and CPUs go, resolved on the
 * machine it runs on, so that a config written for a two-node VM reads the
 * same on a one-node host (where "remote" is a skip with the reason).
 */
#ifndef GUPBENCH_PLACEMENT_H
#define GUPBENCH_PLACEMENT_H

#include <stddef.h>

#define NODE_ANY	 -1	/* no policy: the kernel's default placement */
#define NODE_INTERLEAVE	 -2	/* mem_node=all: interleave over nodes with memory */

/* Is "any", "all", "local", "remote" or a node number (cpu: "any" or N)? */
int numa_key_valid(const char *v, int is_cpu);

/*
 * Resolve the scenario's mem_node/cpu_node text to node numbers here.
 * local/remote are relative to cpu_node. -ENODEV with the reason when the
 * machine lacks the node (a skip, not an error of the config).
 */
int numa_resolve(const char *mem, const char *cpu, int *mem_node, int *cpu_node,
		 char *why, size_t len);

/* Bind this process to the CPUs of a node (hwloc). NODE_ANY: no binding. */
int numa_bind_cpus(int node, char *why, size_t len);

/* Nodes that have memory, and the number of configured nodes. */
int numa_nodes_with_memory(void);

#endif
