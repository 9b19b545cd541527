// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <hwloc.h>
#include <numa.h>
#include <stdlib.h>
#include <string.h>

#include "placement.h"
#include "util.h"

int numa_key_valid(const char *v, int is_cpu)
{
	if (!strcmp(v, "any"))
		return 1;
	if (!is_cpu && (!strcmp(v, "all") || !strcmp(v, "local") || !strcmp(v, "remote")))
		return 1;
	for (const char *p = v; *p; p++)
		if (!isdigit((unsigned char)*p))
			return 0;
	return *v != '\0';
}

static int node_has_memory(int n)
{
	long long free;

	return n >= 0 && n <= numa_max_node() && numa_node_size64(n, &free) > 0;
}

int numa_nodes_with_memory(void)
{
	int count = 0;

	if (numa_available() < 0)
		return 1;
	for (int n = 0; n <= numa_max_node(); n++)
		count += node_has_memory(n);
	return count;
}

static int node_has_cpus(int n)
{
	struct bitmask *cpus = numa_allocate_cpumask();
	int any = 0;

	if (!numa_node_to_cpus(n, cpus))
		for (unsigned int i = 0; i < cpus->size && !any; i++)
			any = numa_bitmask_isbitset(cpus, i);
	numa_free_cpumask(cpus);
	return any;
}

int numa_resolve(const char *mem, const char *cpu, int *mem_node, int *cpu_node,
		 char *why, size_t len)
{
	int nmem;

	*mem_node = NODE_ANY;
	*cpu_node = NODE_ANY;
	if (!strcmp(mem, "any") && !strcmp(cpu, "any"))
		return 0;
	if (numa_available() < 0) {
		fmt(why, len, "the kernel has no NUMA support (numa_available() < 0)");
		return -ENODEV;
	}
	nmem = numa_nodes_with_memory();
	if (strcmp(cpu, "any")) {
		*cpu_node = atoi(cpu);
		if (*cpu_node > numa_max_node() || !node_has_cpus(*cpu_node)) {
			fmt(why, len, "cpu_node %d: no such node with CPUs here (nodes 0..%d)", *cpu_node,
			    numa_max_node());
			return -ENODEV;
		}
	}
	if (!strcmp(mem, "any"))
		return 0;
	if (!strcmp(mem, "all")) {
		*mem_node = NODE_INTERLEAVE;
		return 0;
	}
	if (!strcmp(mem, "local")) {
		*mem_node = *cpu_node;
		if (!node_has_memory(*mem_node)) {
			fmt(why, len, "mem_node local: node %d has no memory", *mem_node);
			return -ENODEV;
		}
		return 0;
	}
	if (!strcmp(mem, "remote")) {
		for (int n = 0; n <= numa_max_node(); n++) {
			if (n != *cpu_node && node_has_memory(n)) {
				*mem_node = n;
				return 0;
			}
		}
		fmt(why, len, "mem_node remote needs a second NUMA node with memory; this machine has %d",
		    nmem);
		return -ENODEV;
	}
	*mem_node = atoi(mem);
	if (!node_has_memory(*mem_node)) {
		fmt(why, len, "mem_node %d: no such node with memory here (%d with memory)", *mem_node,
		    nmem);
		return -ENODEV;
	}
	return 0;
}

int numa_bind_cpus(int node, char *why, size_t len)
{
	hwloc_topology_t t;
	hwloc_obj_t obj;
	int ret = 0;

	if (node == NODE_ANY)
		return 0;
	if (hwloc_topology_init(&t) || hwloc_topology_load(t)) {
		fmt(why, len, "hwloc cannot load the topology");
		return -EIO;
	}
	obj = hwloc_get_numanode_obj_by_os_index(t, (unsigned int)node);
	if (!obj) {
		fmt(why, len, "hwloc: no NUMA node %d", node);
		ret = -ENODEV;
	} else if (hwloc_set_cpubind(t, obj->cpuset, HWLOC_CPUBIND_PROCESS | HWLOC_CPUBIND_STRICT)) {
		ret = -errno;
		fmt(why, len, "hwloc: binding to the CPUs of node %d: %s", node, strerror(errno));
	}
	hwloc_topology_destroy(t);
	return ret;
}
