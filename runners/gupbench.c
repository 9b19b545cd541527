// SPDX-License-Identifier: GPL-2.0
/*
 * gupbench: what get_user_pages / pin_user_pages cost on this kernel.
 * The command table and the dispatch; each command lives in its own file.
 */
#include <stdio.h>
#include <string.h>

#include "compare.h"
#include "history.h"
#include "bisect.h"
#include "kfeat.h"
#include "list.h"
#include "meta.h"
#include "method-fio.h"
#include "plot.h"
#include "report.h"
#include "run.h"
#include "summary.h"
#include "vm.h"
#include "vmguest.h"
#include "worker.h"

/* Commands whose main takes no arguments, or wants the whole command line. */
static int probe_cmd(int argc, char **argv, int full_argc, char **full_argv)
{
	kfeat_dump(stdout);
	return 0;
}

static int keys_cmd(int argc, char **argv, int full_argc, char **full_argv)
{
	return keys_main();
}

static int schema_cmd(int argc, char **argv, int full_argc, char **full_argv)
{
	return schema_main();
}

static int version_cmd(int argc, char **argv, int full_argc, char **full_argv)
{
	printf("gupbench %s\n", gupbench_rev());
	return 0;
}

static int run_cmd(int argc, char **argv, int full_argc, char **full_argv)
{
	return run_main(argc, argv, full_argc, full_argv);
}

static int vm_cmd(int argc, char **argv, int full_argc, char **full_argv)
{
	return vm_main(argc, argv, full_argc, full_argv);
}

#define ARGS_ONLY(name)								\
static int name##_cmd(int argc, char **argv, int full_argc, char **full_argv)	\
{										\
	return name##_main(argc, argv);						\
}
ARGS_ONLY(worker)
ARGS_ONLY(fio_mark)
ARGS_ONLY(vmguest)
ARGS_ONLY(list)
ARGS_ONLY(summary)
ARGS_ONLY(compare)
ARGS_ONLY(bisect_check)
ARGS_ONLY(bisect)
ARGS_ONLY(bisect_step)
ARGS_ONLY(report)
ARGS_ONLY(plot)
ARGS_ONLY(restore)
ARGS_ONLY(history)
ARGS_ONLY(kernels)
#undef ARGS_ONLY

/*
 * The commands, in the order the usage lists them. A NULL help is an
 * internal command (one gupbench runs in a worker, a guest or under git
 * bisect), left out of the usage.
 */
static const struct command {
	const char *name;
	const char *args;
	const char *help;
	int (*fn)(int argc, char **argv, int full_argc, char **full_argv);
} commands[] = {
	{ "run", "CONFIG... [-o DIR]", "measure the configs' matrix on this kernel", run_cmd },
	{ "list", "[-v]", "methods and buffer kinds, and whether they run here", list_cmd },
	{ "probe", "", "what this kernel offers (zero page, THP, hugetlb, ...), as found",
	  probe_cmd },
	{ "keys", "", "config keys", keys_cmd },
	{ "schema", "", "results.csv columns", schema_cmd },
	{ "summary", "DIR", "median ns per page per scenario and op", summary_cmd },
	{ "compare", "BASE NEW", "per point: ratio, CI, p, verdict; exit 0/1/125", compare_cmd },
	{ "plot", "DIR [BASE]", "draw DIR's plots (DIR/plots/); with BASE the ratio chart",
	  plot_cmd },
	{ "report", "BASE NEW", "Markdown + text report of a comparison (NEW/report/)",
	  report_cmd },
	{ "bisect-check", "--baseline DIR CONFIG...",
	  "run, compare with DIR, exit 0/1/125 for git bisect run", bisect_check_cmd },
	{ "bisect", "(--tree DIR --good R --bad R | --images K1..Kn) CONFIG...",
	  "the first bad kernel", bisect_cmd },
	{ "vm", "--kernel SPEC CONFIG... [-o DIR]", "run the configs on SPEC booted under QEMU",
	  vm_cmd },
	{ "kernels", "[--update] [PATTERN]", "the Debian kernels vm and history can boot",
	  kernels_cmd },
	{ "history", "--kernels SPEC... CONFIG...",
	  "configs on a row of kernels: trend, change points, report", history_cmd },
	{ "restore", "DIR", "write back knobs a killed run left changed", restore_cmd },
	{ "version", "", "", version_cmd },
	{ "__worker", NULL, NULL, worker_cmd },
	{ "__fio-mark", NULL, NULL, fio_mark_cmd },
	{ "__vmguest", NULL, NULL, vmguest_cmd },
	{ "__bisect-step", NULL, NULL, bisect_step_cmd },
};

#define HELP_COL 27

/* From the table: "  NAME ARGS" and the help at HELP_COL, or on the next line there. */
static void usage(FILE *f)
{
	fprintf(f, "usage: gupbench COMMAND [ARGS]\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct command *c = &commands[i];
		int n;

		if (!c->help)
			continue;
		n = fprintf(f, "  %s%s%s", c->name, *c->args ? " " : "", c->args);
		if (!*c->help)
			fputc('\n', f);
		else if (n < HELP_COL - 1)
			fprintf(f, "%*s%s\n", HELP_COL - n, "", c->help);
		else
			fprintf(f, "\n%*s%s\n", HELP_COL, "", c->help);
	}
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd || !strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		usage(cmd ? stdout : stderr);
		return cmd ? 0 : 2;
	}
	if (!strcmp(cmd, "--version"))
		cmd = "version";
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(cmd, commands[i].name))
			return commands[i].fn(argc - 1, argv + 1, argc, argv);
	fprintf(stderr, "gupbench: unknown command \"%s\"\n", cmd);
	usage(stderr);
	return 2;
}
