// SPDX-License-Identifier: GPL-2.0
/*
 * DIR/meta: what a reader needs to trust (or refuse to compare) a run.
 * INI-like: [section] then "key = value" lines; verbatim texts (configs,
 * topology) follow their key as lines starting with "| ". Values are read
 * from the machine at run time, never assumed.
 */
#include <errno.h>
#include <fcntl.h>
#include <hwloc.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "csv.h"
#include "gbshim.h"
#include "knobs.h"
#include "kfeat.h"
#include "meta.h"
#include "proc.h"
#include "util.h"
#include "vmstat.h"

#ifndef GUPBENCH_REV
#define GUPBENCH_REV "unknown"
#endif

const char *gupbench_rev(void)
{
	return GUPBENCH_REV;
}

static void kv_file(FILE *f, const char *key, const char *path)
{
	char v[4096];

	if (!file_read_str(path, v, sizeof(v)))
		fprintf(f, "%s = %s\n", key, v);
	else
		fprintf(f, "%s = (unreadable: %s)\n", key, path);
}

static void verbatim(FILE *f, const char *text)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);

		fprintf(f, "| %.*s\n", n, p);
		p += n + (nl ? 1 : 0);
	}
}

static void cpu_model(FILE *f)
{
	char line[512];
	FILE *c = fopen("/proc/cpuinfo", "re");
	int models = 0, hyper = 0;

	if (!c)
		return;
	while (fgets(line, sizeof(line), c)) {
		if (!models && !strncmp(line, "model name", 10)) {
			char *v = strchr(line, ':');

			if (v) {
				v[strcspn(v, "\n")] = '\0';
				fprintf(f, "cpu_model = %s\n", v + 2);
				models = 1;
			}
		}
		if (!strncmp(line, "flags", 5) && strstr(line, " hypervisor"))
			hyper = 1;
	}
	fclose(c);
	fprintf(f, "cpus_online = %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
	fprintf(f, "hypervisor = %s\n", hyper ? "yes (cpuinfo flag)" : "no");
}

/* A one-line count of the topology, then lstopo-style detail. */
static void topology(FILE *f)
{
	static const hwloc_obj_type_t types[] = {
		HWLOC_OBJ_PACKAGE, HWLOC_OBJ_NUMANODE, HWLOC_OBJ_L3CACHE,
		HWLOC_OBJ_L2CACHE, HWLOC_OBJ_CORE, HWLOC_OBJ_PU,
	};
	hwloc_topology_t t;
	char line[512] = "";
	size_t off = 0;

	if (hwloc_topology_init(&t) || hwloc_topology_load(t)) {
		fprintf(f, "topology = (hwloc could not load the topology)\n");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		int n = hwloc_get_nbobjs_by_type(t, types[i]);

		off += snprintf(line + off, sizeof(line) - off, "%s%d %s", i ? ", " : "", n,
				hwloc_obj_type_string(types[i]));
	}
	fprintf(f, "topology = %s\n", line);
	for (int i = 0; i < hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE); i++) {
		hwloc_obj_t o = hwloc_get_obj_by_type(t, HWLOC_OBJ_NUMANODE, i);
		char cpus[128];

		hwloc_bitmap_list_snprintf(cpus, sizeof(cpus), o->cpuset);
		fprintf(f, "numa_node%u = cpus %s, %" PRIu64 " MiB\n", o->os_index, cpus,
			(uint64_t)(o->attr ? o->attr->numanode.local_memory >> 20 : 0));
	}
	for (int i = 0; i < hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_L3CACHE); i++) {
		hwloc_obj_t o = hwloc_get_obj_by_type(t, HWLOC_OBJ_L3CACHE, i);

		fprintf(f, "l3_%d = %" PRIu64 " KiB\n", i, (uint64_t)o->attr->cache.size >> 10);
	}
	hwloc_topology_destroy(t);
}

/* The kernel config options that change what GUP costs. */
static const char *const kconfig_keys[] = {
	"CONFIG_HZ=", "CONFIG_PREEMPT", "CONFIG_TRANSPARENT_HUGEPAGE",
	"CONFIG_GUP_TEST", "CONFIG_NUMA=", "CONFIG_DEBUG_VM=", "CONFIG_KASAN=",
	"CONFIG_PAGE_TABLE_CHECK", "CONFIG_LOCKDEP=", "CONFIG_PROVE_LOCKING=",
	"CONFIG_IO_URING=", "CONFIG_XDP_SOCKETS=", "CONFIG_HUGETLBFS=",
	"CONFIG_MEMCG=", "CONFIG_SLUB=", "CONFIG_CC_OPTIMIZE",
};

struct kconfig_out {
	FILE *f;
	int any;
};

/* One line of a kernel config: "CONFIG_X=v" of a key above becomes "CONFIG_X = v". */
static void kconfig_line(void *ctx, char *line)
{
	struct kconfig_out *k = ctx;

	for (size_t i = 0; i < ARRAY_SIZE(kconfig_keys); i++) {
		if (!strncmp(line, kconfig_keys[i], strlen(kconfig_keys[i]))) {
			char *eq = strchr(line, '=');

			line[strcspn(line, "\n")] = '\0';
			if (eq) {
				*eq = '\0';
				fprintf(k->f, "%s = %s\n", line, eq + 1);
				k->any = 1;
			}
		}
	}
}

/* From /proc/config.gz (through zcat), else /boot/config-<release>. */
static void kconfig(FILE *f)
{
	char *argv[] = { "zcat", "/proc/config.gz", NULL }, path[300], line[512];
	struct kconfig_out k = { f, 0 };
	int nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
	struct proc p = { .argv = argv, .out_fd = -1, .err_fd = nul, .group = PROC_SAME,
			  .line = kconfig_line, .ctx = &k };
	struct utsname u;
	FILE *b;

	uname(&u);
	if (nul >= 0 && !access("/proc/config.gz", R_OK))
		proc_run(&p);
	if (nul >= 0)
		close(nul);
	fmt(path, sizeof(path), "/boot/config-%s", u.release);
	if (!k.any && (b = fopen(path, "re"))) {
		while (fgets(line, sizeof(line), b))
			kconfig_line(&k, line);
		fclose(b);
	}
	if (!k.any)
		fprintf(f, "kconfig = (no /proc/config.gz or /boot/config-%s)\n", u.release);
}

static void hugetlb(FILE *f)
{
	static const char *const sizes[] = { "2048kB", "1048576kB" };

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		char p[256], k[64];

		fmt(p, sizeof(p), "/sys/kernel/mm/hugepages/hugepages-%s/nr_hugepages", sizes[i]);
		fmt(k, sizeof(k), "hugetlb.%s.nr_hugepages", sizes[i]);
		kv_file(f, k, p);
		fmt(p, sizeof(p), "/sys/kernel/mm/hugepages/hugepages-%s/free_hugepages", sizes[i]);
		fmt(k, sizeof(k), "hugetlb.%s.free_hugepages", sizes[i]);
		kv_file(f, k, p);
	}
}

static void now_iso(char *dst, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(dst, len, "%Y-%m-%dT%H:%M:%S%z", &tm);
}

int meta_write_start(const char *path, const struct meta_run *r)
{
	FILE *f = fopen(path, "wxe");
	struct utsname u;
	struct rlimit rl;
	char host[256] = "", when[64], v[256];

	if (!f)
		return -errno;
	uname(&u);
	gethostname(host, sizeof(host) - 1);
	now_iso(when, sizeof(when));

	fprintf(f, "# gupbench run metadata (see README: Output)\n");
	fprintf(f, "[gupbench]\n");
	fprintf(f, "revision = %s\n", gupbench_rev());
	fprintf(f, "csv_schema = %d\n", CSV_SCHEMA);
	fprintf(f, "command = %s\n", r->command);
	fprintf(f, "cwd = %s\n", r->cwd);
	fprintf(f, "started = %s\n", when);
	fprintf(f, "scenarios = %zu\n", r->scenarios);
	fprintf(f, "google_benchmark = %s\n", gbshim_version());
	fprintf(f, "timer = CLOCK_MONOTONIC around the syscall (user-timed methods)\n");
	fprintf(f, "runs = %u\n", r->runs);
	if (r->runs > 1)
		fprintf(f, "order = each run in its own order, shuffled (Fisher-Yates, xorshift64*) "
			   "with seed %llu; scenarios.csv lists them as they ran\n", r->seed);

	fprintf(f, "\n[clock]\n");
	fprintf(f, "kind = %s\n", r->clock->icount ? "icount" : "real");
	if (r->clock->icount)
		fprintf(f, "shift = %d\n", r->clock->shift);
	fprintf(f, "unit = %s\n", r->clock->unit);
	fprintf(f, "source = %s\n", r->clock->source);
	fprintf(f, "cpu_ns = the timed thread's task-clock over the op's windows%s\n",
		r->clock->icount ? ": under icount a deterministic count of the work" : "");
	fprintf(f, "ns = elapsed over the op's windows%s\n",
		r->clock->icount ? ", idle waits included (icount jumps them to the next timer "
				   "deadline: sleep=off)" : "");
	if (r->clock->icount)
		fprintf(f, "threads = the vCPUs take turns on one host thread (single-threaded TCG): "
			   "threads > 1 is not parallel here, and such rows say so in mismatch\n");

	fprintf(f, "\n[kernel]\n");
	fprintf(f, "release = %s\n", u.release);
	fprintf(f, "version = %s\n", u.version);
	fprintf(f, "machine = %s\n", u.machine);
	kv_file(f, "proc_version", "/proc/version");
	kv_file(f, "cmdline", "/proc/cmdline");
	kv_file(f, "clocksource", "/sys/devices/system/clocksource/clocksource0/current_clocksource");
	kconfig(f);

	/* what the kernel really does, found by trying (runners/kfeat.c) */
	fprintf(f, "\n[probe]\n");
	kfeat_dump(f);

	fprintf(f, "\n[machine]\n");
	fprintf(f, "hostname = %s\n", host);
	cpu_model(f);
	fprintf(f, "mem_available_mib = %" PRIu64 "\n", mem_available() >> 20);
	topology(f);

	fprintf(f, "\n[knobs]\n");
	knobs_dump(f);
	hugetlb(f);
	if (!file_read_str("/proc/sys/kernel/perf_event_paranoid", v, sizeof(v)))
		fprintf(f, "perf_event_paranoid = %s\n", v);

	fprintf(f, "\n[privileges]\n");
	fprintf(f, "euid = %u\n", (unsigned int)geteuid());
	fprintf(f, "cap_ipc_lock = %d\n", have_cap(CAP_IPC_LOCK));
	fprintf(f, "cap_sys_admin = %d (pagemap PFNs, kpageflags)\n", have_cap(CAP_SYS_ADMIN));
	if (!getrlimit(RLIMIT_MEMLOCK, &rl)) {
		if (rl.rlim_cur == RLIM_INFINITY)
			fprintf(f, "rlimit_memlock = unlimited\n");
		else
			fprintf(f, "rlimit_memlock = %" PRIu64 "\n", (uint64_t)rl.rlim_cur);
	}
	fprintf(f, "vmstat_exact = %d (per-CPU deltas folded via /proc/sys/vm/stat_refresh)\n",
		vmstat_exact());

	for (size_t i = 0; i < r->cfg->nfiles; i++) {
		fprintf(f, "\n[config]\n");
		fprintf(f, "path = %s\n", r->cfg->paths[i]);
		fprintf(f, "text =\n");
		verbatim(f, r->cfg->texts[i]);
	}
	if (fclose(f))
		return -errno;
	return 0;
}

int meta_write_end(const char *path, const struct meta_end *e)
{
	FILE *f = fopen(path, "ae");
	char when[64];

	if (!f)
		return -errno;
	now_iso(when, sizeof(when));
	fprintf(f, "\n[end]\n");
	fprintf(f, "finished = %s\n", when);
	fprintf(f, "status = %s\n", e->status);
	fprintf(f, "rows = %lu\n", e->rows);
	fprintf(f, "scenarios_run = %zu\n", e->done);
	fprintf(f, "scenarios_skipped = %zu\n", e->skipped);
	fprintf(f, "scenarios_failed = %zu\n", e->failed);
	fprintf(f, "scenarios_not_as_asked = %zu (ok scenarios whose buffer differs from what was "
		"asked: results.csv mismatch)\n", e->not_as_asked);
	fprintf(f, "knobs_restored = %s\n", e->knobs);
	if (fclose(f))
		return -errno;
	return 0;
}

int meta_file_load(const char *path, struct meta_file *m)
{
	FILE *f = fopen(path, "re");
	char *line = NULL, sec[32] = "";
	size_t cap = 0;
	ssize_t got;

	memset(m, 0, sizeof(*m));
	if (!f)
		return -errno;
	while ((got = getline(&line, &cap, f)) > 0) {
		char *eq;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '[') {
			fmt(sec, sizeof(sec), "%.*s", (int)strcspn(line + 1, "]"), line + 1);
			continue;
		}
		if (line[0] == '|' && !strcmp(sec, "config") && m->nconfig) {
			/* verbatim config text: "| " then the line */
			char **t = &m->config_text[m->nconfig - 1];
			const char *txt = line[1] == ' ' ? line + 2 : line + 1;
			size_t old = *t ? strlen(*t) : 0, add = strlen(txt);
			char *nt = realloc(*t, old + add + 2);

			if (nt) {
				memcpy(nt + old, txt, add);
				nt[old + add] = '\n';
				nt[old + add + 1] = '\0';
				*t = nt;
			}
			continue;
		}
		eq = strstr(line, " = ");
		if (!eq && !strcmp(sec, "config") && !strcmp(line, "text ="))
			continue;
		if (line[0] == '#' || line[0] == '|' || !eq)
			continue;
		*eq = '\0';
		if (!strcmp(sec, "config") && !strcmp(line, "path")) {
			m->config_path = realloc(m->config_path, (m->nconfig + 1) * sizeof(char *));
			m->config_text = realloc(m->config_text, (m->nconfig + 1) * sizeof(char *));
			m->config_path[m->nconfig] = strdup(eq + 3);
			m->config_text[m->nconfig] = NULL;
			m->nconfig++;
			continue;
		}
		m->kv = realloc(m->kv, (m->n + 1) * sizeof(*m->kv));
		fmt(m->kv[m->n].sec, sizeof(m->kv[m->n].sec), "%s", sec);
		fmt(m->kv[m->n].key, sizeof(m->kv[m->n].key), "%s", line);
		m->kv[m->n].val = strdup(eq + 3);
		m->n++;
	}
	free(line);
	fclose(f);
	return 0;
}

const char *meta_file_get(const struct meta_file *m, const char *sec, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->kv[i].sec, sec) && !strcmp(m->kv[i].key, key))
			return m->kv[i].val;
	return NULL;
}

void meta_file_free(struct meta_file *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->kv[i].val);
	for (size_t i = 0; i < m->nconfig; i++) {
		free(m->config_path[i]);
		free(m->config_text[i]);
	}
	free(m->kv);
	free(m->config_path);
	free(m->config_text);
	memset(m, 0, sizeof(*m));
}
