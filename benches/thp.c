// SPDX-License-Identifier: GPL-2.0
/*
 * Which THP folio orders this kernel offers, read from sysfs: the PMD
 * order, and the per-size directories of multi-size THP (6.8) for anon
 * and shmem memory. Read by the scenario model (order = pmd), the runner's
 * checks and `gupbench list`; nothing here writes a knob (knobs.c does).
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "thp.h"
#include "util.h"

int thp_pmd_order(void)
{
	char s[32];
	uint64_t v;

	if (file_read_str(THP_DIR "/hpage_pmd_size", s, sizeof(s)) || size_parse(s, &v))
		return -1;
	return ilog2_exact(v) - 12;
}

static unsigned long orders_with(const char *knob);

unsigned long thp_anon_orders(void)
{
	return orders_with("enabled");
}

unsigned long thp_shmem_orders(void)
{
	char v[64];
	unsigned long o = orders_with("shmem_enabled");

	/* before per-size shmem knobs, shmem_enabled alone gives PMD folios */
	if (o == 1 && !file_read_str(THP_DIR "/shmem_enabled", v, sizeof(v)) && thp_pmd_order() > 0)
		o |= 1UL << thp_pmd_order();
	return o;
}

static unsigned long orders_with(const char *knob)
{
	unsigned long orders = 1;	/* order 0: always */
	struct dirent *de;
	DIR *d = opendir(THP_DIR);
	int pmd = thp_pmd_order();
	int per_size = 0;

	if (!d)
		return orders;
	while ((de = readdir(d))) {
		unsigned long kb;

		char path[512];

		if (sscanf(de->d_name, "hugepages-%lukB", &kb) != 1 || ilog2_exact(kb) < 2)
			continue;
		/* some sizes exist for shmem only (8kB on 6.18: no "enabled") */
		fmt(path, sizeof(path), "%s/%s/%s", THP_DIR, de->d_name, knob);
		if (access(path, F_OK))
			continue;
		orders |= 1UL << (ilog2_exact(kb) - 2);
		per_size = 1;
	}
	closedir(d);
	/* before multi-size THP (6.8) only the PMD size exists */
	if (!per_size && pmd > 0 && !strcmp(knob, "enabled") && access(THP_DIR "/enabled", F_OK) == 0)
		orders |= 1UL << pmd;
	return orders;
}
