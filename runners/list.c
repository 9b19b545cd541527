// SPDX-License-Identifier: GPL-2.0
/*
 * `gupbench list`: every method, buffer kind and per-op counter, whether
 * it can run (or count) here and, if not, why. `gupbench keys` and `gupbench schema`: the
 * config keys and the CSV columns, from their tables.
 */
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "csv.h"
#include "knobs.h"
#include "kfeat.h"
#include "list.h"
#include "method.h"
#include "perf.h"
#include "proc.h"
#include "util.h"
#include "vmstat.h"

static void flags_str(const struct method *m, char *dst, size_t len)
{
	unsigned int f = m->flags;

	fmt(dst, len, "%s%s%s%s", f & M_LONGTERM ? "longterm " : "", f & M_WRITE ? "write " : "",
	    f & M_KERNEL_TIMED ? "kernel-timed " : "", m->shape == SHAPE_COMBINED ? "one-call " :
	    m->shape == SHAPE_PIN_ONLY ? "pin-only " : "");
	if (!dst[0])
		fmt(dst, len, "-");
}

/* Open the counters as a worker would, say which count here, close them. */
static void list_counters(void)
{
	char why[160], par[16] = "?";

	printf("\nCounters (per op, inside the timed windows only, kernel work included; CSV c_*):\n");
	perf_open();
	for (int i = 0; i < PERF_CTR_NR; i++) {
		enum perf_state st = perf_ctr_state(i, why, sizeof(why));

		printf("  %-34s %-10s %s%s\n", perf_ctr_name(i), perf_ctr_kind(i),
		       st == PERF_MEASURED ? "yes" : "no: ", st == PERF_MEASURED ? "" : why);
	}
	perf_close();
	if (geteuid()) {
		file_read_str("/proc/sys/kernel/perf_event_paranoid", par, sizeof(par));
		printf("  counters need root: tracefs for the tracepoint ids, and counting kernel work\n"
		       "  (perf_event_paranoid=%s) needs CAP_PERFMON\n", par);
	}
}

int list_main(int argc, char **argv)
{
	unsigned long orders = thp_anon_orders();
	char why[256], flags[64], top[32] = "?", zp[16] = "?";
	int verbose = argc > 1 && (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--verbose"));

	printf("Methods (ops: pin/unpin measured apart, or one call):\n");
	printf("  %-14s %-6s %-4s %-26s %s\n", "name", "path", "ref", "flags", "here");
	for (size_t i = 0; i < method_count(); i++) {
		const struct method *m = method_at(i);
		int ret = method_probe(m, why, sizeof(why));

		flags_str(m, flags, sizeof(flags));
		printf("  %-14s %-6s %-4s %-26s %s%s\n", m->name, method_path_name(m->path),
		       method_ref_name(m->ref), flags, ret ? "no: " : "yes", ret ? why : "");
		if (verbose)
			printf("  %14s %s -> %s\n", "", m->syscall, m->kpath);
	}

	printf("\nBuffer kinds (backing); zero = fraction of chunks only read-faulted:\n");
	printf("  anon          yes  zero: shared zero page (huge zero page at PMD order)\n");
	printf("  anon-shared   yes  zero: holes read, never written (zero-filled shmem pages)\n");
	printf("  memfd         yes  zero: as anon-shared\n");
	for (int i = 0; i < 2; i++) {
		unsigned long kb = i ? 1048576 : 2048;
		char p[160], nr[32] = "?", fr[32] = "?";

		fmt(p, sizeof(p), "/sys/kernel/mm/hugepages/hugepages-%lukB/nr_hugepages", kb);
		file_read_str(p, nr, sizeof(nr));
		fmt(p, sizeof(p), "/sys/kernel/mm/hugepages/hugepages-%lukB/free_hugepages", kb);
		file_read_str(p, fr, sizeof(fr));
		if (hugetlb_size_exists(kb))
			printf("  %-13s yes  pool %s pages, %s free; gupbench reserves what a scenario needs "
			       "and gives it back; zero: does not apply\n", i ? "hugetlb-1G" : "hugetlb-2M",
			       nr, fr);
		else
			printf("  %-13s no: no hugetlb pool of %lu kB pages\n", i ? "hugetlb-1G" : "hugetlb-2M",
			       kb);
	}
	printf("  file          yes  page cache of a file in `dir` (default /var/tmp), mapped shared;\n"
	       "                     zero: holes read, never written; order 0 only\n");

	printf("\nFolio orders offered for anon:");
	for (int o = 0; o < 31; o++)
		if (orders & (1UL << o))
			printf(" %d (%luk)", o, 4UL << o);
	printf("\nFolio orders offered for shmem (anon-shared, memfd):");
	for (int o = 0; o < 31; o++)
		if (thp_shmem_orders() & (1UL << o))
			printf(" %d (%luk)", o, 4UL << o);
	putchar('\n');
	sysfs_choice(THP_DIR "/enabled", top, sizeof(top));
	sysfs_choice(THP_DIR "/use_zero_page", zp, sizeof(zp));
	printf("  THP enabled=%s, use_zero_page=%s (huge zero page for PMD-order zero chunks)\n", top, zp);

	printf("\nWhat this kernel gives, found by trying (gupbench probe):\n");
	for (int i = 0; i < KF_NR; i++) {
		const struct kfeat *k = kfeat_get(i);

		printf("  %-15s %s: %s\n", kfeat_name(i), kfeat_answer_name(k->have), k->why);
	}

	list_counters();

	printf("\nTools (on PATH):\n");
	{
		static const struct { const char *name; } tools[] = { { "fio" }, { "gnuplot" } };

		for (size_t i = 0; i < ARRAY_SIZE(tools); i++) {
			char *argv[] = { (char *)tools[i].name, "--version", NULL };
			char v[128] = "";
			int st = proc_last_line(argv, v, sizeof(v));

			printf("  %-8s %s\n", tools[i].name,
			       st || !v[0] ? "not found (scripts/deps.sh installs it)" : v);
		}
	}

	printf("\nPrivileges:\n");
	printf("  root %s; CAP_IPC_LOCK %s; PFNs in pagemap %s; exact vmstat deltas %s\n",
	       geteuid() ? "no" : "yes", have_cap(CAP_IPC_LOCK) ? "yes" : "no",
	       have_cap(CAP_SYS_ADMIN) ? "yes" : "no (order_got/zero_pages_got left empty)",
	       vmstat_exact() ? "yes" : "no (per-CPU counter lag)");
	return 0;
}

int keys_main(void)
{
	printf("Config keys (a comma list expands to the cross product):\n");
	for (size_t i = 0; i < opt_count(); i++) {
		const char *d = opt_default(i);

		printf("  %-10s %s%s%s%s\n", opt_name(i), opt_help(i), d ? " [default " : "", d ? d : "",
		       d ? "]" : "");
	}
	return 0;
}

int schema_main(void)
{
	printf("results.csv schema %d, one row per sample:\n", CSV_SCHEMA);
	for (size_t i = 0; i < csv_col_count(); i++)
		printf("  %-17s %s\n", csv_col_name(i), csv_col_help(i));
	return 0;
}
