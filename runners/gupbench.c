// SPDX-License-Identifier: GPL-2.0
/*
 * gupbench: what get_user_pages / pin_user_pages cost on this kernel.
 * Subcommand dispatch only; each subcommand lives in its own file.
 */
#include <stdio.h>
#include <string.h>

#include "compare.h"
#include "bisect.h"
#include "kfeat.h"
#include "list.h"
#include "meta.h"
#include "plot.h"
#include "report.h"
#include "run.h"
#include "summary.h"
#include "vm.h"
#include "vmguest.h"
#include "worker.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gupbench COMMAND [ARGS]\n"
		"  run CONFIG... [-o DIR]   measure the configs' matrix on this kernel\n"
		"  list [-v]                methods and buffer kinds, and whether they run here\n"
		"  probe                    what this kernel offers (zero page, THP, hugetlb, ...), as found\n"
		"  keys                     config keys\n"
		"  schema                   results.csv columns\n"
		"  summary DIR              median ns per page per scenario and op\n"
		"  compare BASE NEW         per point: ratio, CI, p, verdict; exit 0/1/125\n"
		"  plot DIR [BASE]          draw DIR's plots (DIR/plots/); with BASE the ratio chart\n"
		"  report BASE NEW          Markdown + text report of a comparison (NEW/report/)\n"
		"  bisect-check --baseline DIR CONFIG...\n"
		"                           run, compare with DIR, exit 0/1/125 for git bisect run\n"
		"  bisect (--tree DIR --good R --bad R | --images K1..Kn) CONFIG...  first bad kernel\n"
		"  vm --kernel SPEC CONFIG... [-o DIR]\n"
		"                           run the configs on SPEC booted under QEMU\n"
		"  restore DIR              write back knobs a killed run left changed\n"
		"  version\n");
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd || !strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		usage(cmd ? stdout : stderr);
		return cmd ? 0 : 2;
	}
	if (!strcmp(cmd, "__worker"))
		return worker_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "__vmguest"))
		return vmguest_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "vm"))
		return vm_main(argc - 1, argv + 1, argc, argv);
	if (!strcmp(cmd, "run"))
		return run_main(argc - 1, argv + 1, argc, argv);
	if (!strcmp(cmd, "list"))
		return list_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "probe")) {
		kfeat_dump(stdout);
		return 0;
	}
	if (!strcmp(cmd, "keys"))
		return keys_main();
	if (!strcmp(cmd, "schema"))
		return schema_main();
	if (!strcmp(cmd, "summary"))
		return summary_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "compare"))
		return compare_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "bisect-check"))
		return bisect_check_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "bisect"))
		return bisect_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "__bisect-step"))
		return bisect_step_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "report"))
		return report_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "plot"))
		return plot_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "restore"))
		return restore_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("gupbench %s\n", gupbench_rev());
		return 0;
	}
	fprintf(stderr, "gupbench: unknown command \"%s\"\n", cmd);
	usage(stderr);
	return 2;
}
