// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "knobs.h"
#include "util.h"

struct saved {
	char path[256];
	char val[64];
};

static struct saved *saved;
static size_t nsaved;
static char journal[4096];

void knob_journal(const char *path)
{
	fmt(journal, sizeof(journal), "%s", path ? path : "");
}

static void journal_append(const struct saved *s)
{
	FILE *f;

	if (!journal[0])
		return;
	f = fopen(journal, "ae");
	if (!f)
		return;
	fprintf(f, "%s\t%s\n", s->path, s->val);
	fflush(f);
	fsync(fileno(f));
	fclose(f);
}

int knob_undo_add(const char *path, const char *val)
{
	struct saved *n = realloc(saved, (nsaved + 1) * sizeof(*saved));

	if (!n)
		return -ENOMEM;
	saved = n;
	fmt(saved[nsaved].path, sizeof(saved[nsaved].path), "%s", path);
	fmt(saved[nsaved].val, sizeof(saved[nsaved].val), "%s", val);
	journal_append(&saved[nsaved]);
	nsaved++;
	return 0;
}

int knob_set(const char *path, const char *val, char *why, size_t len)
{
	char old[64];
	size_t i;
	int ret;

	ret = sysfs_choice(path, old, sizeof(old));
	if (ret) {
		fmt(why, len, "%s: %s", path, strerror(-ret));
		return ret;
	}
	if (!strcmp(old, val))
		return 0;
	for (i = 0; i < nsaved; i++)
		if (!strcmp(saved[i].path, path))
			break;
	/* journal first: a crash right after the write can still be undone */
	if (i == nsaved && (ret = knob_undo_add(path, old)))
		return ret;
	ret = file_write_str(path, val);
	if (ret)
		fmt(why, len, "%s: cannot write \"%s\": %s", path, val, strerror(-ret));
	return ret;
}

#define ZRAM_REMOVE "/sys/class/zram-control/hot_remove"

/* A device of ours goes: busy while fio's last close is in flight; gone already is done. */
static int undo_one(const char *path, const char *val, char *why, size_t len)
{
	int ret = 0;

	for (int i = 0; i < 100; i++) {
		ret = file_write_str(path, val);
		if (!ret || ret == -ENODEV || ret == -ENOENT)
			return 0;
		usleep(50000);
	}
	fmt(why, len, "%s: cannot write \"%s\": %s", path, val, strerror(-ret));
	return -EAGAIN;
}

/*
 * Write a saved value back and read it back. A knob can refuse for a
 * while: a hugetlb pool cannot shrink below the pages still in use, and a
 * worker's io_uring ring is torn down asynchronously after it exits. So
 * retry for up to 5 s before calling it a failure.
 */
static int restore_one(const char *path, const char *val, char *why, size_t len)
{
	char now[64] = "";
	int ret = 0;

	if (!strcmp(path, ZRAM_REMOVE))
		return undo_one(path, val, why, len);
	for (int i = 0; i < 100; i++) {
		ret = file_write_str(path, val);
		if (!ret && !sysfs_choice(path, now, sizeof(now)) && !strcmp(now, val))
			return 0;
		usleep(50000);
	}
	if (ret)
		fmt(why, len, "%s: cannot restore \"%s\": %s", path, val, strerror(-ret));
	else
		fmt(why, len, "%s: restored \"%s\" but it reads \"%s\"", path, val, now);
	return -EAGAIN;
}

int knob_restore_all(char *why, size_t len)
{
	int failed = 0;

	while (nsaved) {
		struct saved *s = &saved[--nsaved];

		if (restore_one(s->path, s->val, why, len))
			failed++;
	}
	return failed;
}

size_t knob_saved_count(void)
{
	return nsaved;
}

/*
 * Whether a journal line names a knob gupbench itself turns, with a value
 * such a knob takes. knobs.saved lives in a run directory, which may be
 * someone else's: restore writes nothing else.
 */
int knob_allowed(const char *path, const char *val, char *why, size_t len)
{
	static const char *const modes[] = {
		"always", "madvise", "never", "inherit", "within_size", "advise", "deny", "force",
	};
	char again[512], name[32];
	unsigned long kb;
	int mode = 0, number = *val != '\0';

	for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
		mode |= !strcmp(val, modes[i]);
	for (const char *c = val; *c; c++)
		number &= *c >= '0' && *c <= '9';
	if (!strcmp(path, THP_DIR "/enabled") || !strcmp(path, THP_DIR "/shmem_enabled")) {
		if (mode)
			return 1;
	} else if (sscanf(path, THP_DIR "/hugepages-%lukB/%31s", &kb, name) == 2 &&
		   (!strcmp(name, "enabled") || !strcmp(name, "shmem_enabled"))) {
		fmt(again, sizeof(again), THP_DIR "/hugepages-%lukB/%s", kb, name);
		if (!strcmp(again, path) && mode)
			return 1;
	} else if (sscanf(path, "/sys/kernel/mm/hugepages/hugepages-%lukB/%31s", &kb, name) == 2 &&
		   !strcmp(name, "nr_hugepages")) {
		fmt(again, sizeof(again), "/sys/kernel/mm/hugepages/hugepages-%lukB/nr_hugepages", kb);
		if (!strcmp(again, path) && number)
			return 1;
	} else if (!strcmp(path, ZRAM_REMOVE)) {
		/* a zram device gupbench made (never zram0, the one a machine comes with) */
		if (number && atoi(val) > 0)
			return 1;
	} else {
		fmt(why, len, "%s: not a knob gupbench turns (THP enabled/shmem_enabled, hugetlb "
		    "nr_hugepages, zram hot_remove of its own device): refused", path);
		return 0;
	}
	fmt(why, len, "%s: \"%s\" is not a value gupbench writes there: refused", path, val);
	return 0;
}

int knob_restore_journal(const char *path, char *why, size_t len)
{
	struct saved *list = NULL;
	size_t n = 0;
	char line[512];
	int failed = 0;
	FILE *f = fopen(path, "re");

	if (!f) {
		fmt(why, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		struct saved s;
		char *tab = strchr(line, '\t');

		if (!tab)
			continue;
		*tab = '\0';
		line[strcspn(line, "\n")] = '\0';
		tab[1 + strcspn(tab + 1, "\n")] = '\0';
		fmt(s.path, sizeof(s.path), "%s", line);
		fmt(s.val, sizeof(s.val), "%s", tab + 1);
		list = realloc(list, (n + 1) * sizeof(*list));
		list[n++] = s;
	}
	fclose(f);
	/* every line is checked before anything is written */
	for (size_t i = 0; i < n; i++)
		if (!knob_allowed(list[i].path, list[i].val, why, len)) {
			free(list);
			return -1;
		}
	/* newest first, so a knob saved twice ends at its oldest value */
	while (n--)
		if (restore_one(list[n].path, list[n].val, why, len))
			failed++;
	free(list);
	return failed;
}

/*
 * Only `order` may be allocated in an MADV_HUGEPAGE region: that size's
 * knob to `on` (unless it is already `always`), every other size's to
 * never, so the kernel can neither pick a larger folio nor fall back to a
 * smaller large one.
 */
static int knobs_for_order(const char *knob, const char *on, int order, char *why, size_t len)
{
	char path[512], cur[32];
	unsigned long want_kb = 4UL << order;
	struct dirent *de;
	int per_size = 0, ret = 0;
	DIR *d;

	d = opendir(THP_DIR);
	while (d && (de = readdir(d)) && !ret) {
		unsigned long kb;

		if (sscanf(de->d_name, "hugepages-%lukB", &kb) != 1)
			continue;
		fmt(path, sizeof(path), "%s/%s/%s", THP_DIR, de->d_name, knob);
		if (sysfs_choice(path, cur, sizeof(cur)))
			continue;	/* a size without this knob */
		per_size = 1;
		if (kb == want_kb) {
			if (strcmp(cur, "always") && strcmp(cur, on))
				ret = knob_set(path, on, why, len);
		} else if (strcmp(cur, "never")) {
			ret = knob_set(path, "never", why, len);
		}
	}
	if (d)
		closedir(d);
	if (!ret && !per_size) {
		/* before per-size knobs: the top-level one decides for PMD */
		fmt(path, sizeof(path), "%s/%s", THP_DIR, knob);
		if (sysfs_choice(path, cur, sizeof(cur))) {
			fmt(why, len, "no %s: kernel without THP", path);
			return -ENOENT;
		}
		if (!strcmp(cur, "never") || !strcmp(cur, "deny"))
			ret = knob_set(path, on, why, len);
	}
	return ret;
}

int knobs_for_order_unadvised(const char *knob, int order, char *why, size_t len)
{
	char path[512], cur[32];
	unsigned long want_kb = 4UL << order;
	struct dirent *de;
	int per_size = 0, ret = 0;
	DIR *d = opendir(THP_DIR);

	while (d && (de = readdir(d)) && !ret) {
		unsigned long kb;
		const char *to;

		if (sscanf(de->d_name, "hugepages-%lukB", &kb) != 1)
			continue;
		fmt(path, sizeof(path), "%s/%s/%s", THP_DIR, de->d_name, knob);
		if (sysfs_choice(path, cur, sizeof(cur)))
			continue;
		per_size = 1;
		to = kb == want_kb ? "always" : "never";
		if (strcmp(cur, to))
			ret = knob_set(path, to, why, len);
	}
	if (d)
		closedir(d);
	if (!ret && !per_size) {
		/* before per-size knobs: the top-level one decides for PMD */
		const char *to = order ? "always" : "never";

		fmt(path, sizeof(path), "%s/%s", THP_DIR, knob);
		if (sysfs_choice(path, cur, sizeof(cur))) {
			if (!order)
				return 0;	/* no THP at all: order 0 is all there is */
			fmt(why, len, "no %s: kernel without THP", path);
			return -ENOENT;
		}
		if (strcmp(cur, to))
			ret = knob_set(path, to, why, len);
	}
	return ret;
}

int knobs_for_anon_order(int order, char *why, size_t len)
{
	return order ? knobs_for_order("enabled", "madvise", order, why, len) : 0;
}

int knobs_for_shmem_order(int order, char *why, size_t len)
{
	return order ? knobs_for_order("shmem_enabled", "advise", order, why, len) : 0;
}

int hugetlb_size_exists(unsigned long kb)
{
	char path[256];

	fmt(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%lukB", kb);
	return access(path, F_OK) == 0;
}

uint64_t hugetlb_free_bytes(unsigned long kb)
{
	char path[256], v[32];

	fmt(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%lukB/free_hugepages", kb);
	if (file_read_str(path, v, sizeof(v)))
		return 0;
	return strtoull(v, NULL, 10) * kb * 1024;
}

int hugetlb_reserve(unsigned long kb, unsigned long pages, char *why, size_t len)
{
	char nr_path[256], free_path[256], v[32];
	unsigned long nr, nfree;
	int ret;

	fmt(nr_path, sizeof(nr_path), "/sys/kernel/mm/hugepages/hugepages-%lukB/nr_hugepages", kb);
	fmt(free_path, sizeof(free_path), "/sys/kernel/mm/hugepages/hugepages-%lukB/free_hugepages", kb);
	if (file_read_str(nr_path, v, sizeof(v))) {
		fmt(why, len, "no hugetlb pool of %lu kB pages on this kernel", kb);
		return -ENOENT;
	}
	nr = strtoul(v, NULL, 10);
	if (file_read_str(free_path, v, sizeof(v)))
		return -ENOENT;
	nfree = strtoul(v, NULL, 10);
	if (nfree >= pages)
		return 0;
	fmt(v, sizeof(v), "%lu", nr + pages - nfree);
	ret = knob_set(nr_path, v, why, len);
	if (ret)
		return ret;
	/* the kernel grows the pool as far as it can: read what it did */
	if (!file_read_str(free_path, v, sizeof(v)) && strtoul(v, NULL, 10) < pages) {
		fmt(why, len, "hugetlb pool of %lu kB pages: asked for %lu free, the kernel provided %lu "
		    "(memory too fragmented or too small)", kb, pages, strtoul(v, NULL, 10));
		return -ENOMEM;
	}
	return 0;
}

/* Sorted, so two runs' meta files can be compared line by line. */
static void dump_dir(FILE *f, const char *dir, const char *prefix)
{
	struct dirent **list;
	int n = scandir(dir, &list, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		struct dirent *de = list[i];
		char path[512], val[256];

		fmt(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "stats") ||
		    !strcmp(de->d_name, "full_scans") || !strcmp(de->d_name, "pages_collapsed")) {
			/* not knobs: statistics that move on their own */
		} else if (de->d_type == DT_DIR) {
			char sub[256];

			fmt(sub, sizeof(sub), "%s%s/", prefix, de->d_name);
			dump_dir(f, path, sub);
		} else if (!file_read_str(path, val, sizeof(val))) {
			fprintf(f, "thp.%s%s = %s\n", prefix, de->d_name, val);
		}
		free(de);
	}
	if (n >= 0)
		free(list);
}

/*
 * Kernel policies and background workers that move pages while we measure:
 * NUMA balancing (unmaps and migrates), KSM (merges), DAMON (pages out,
 * migrates, collapses), MGLRU, reclaim and compaction sysctls. Recorded as
 * found; gupbench changes none of them.
 */
static const char *const sysctls[] = {
	"kernel/numa_balancing", "vm/compaction_proactiveness", "vm/zone_reclaim_mode",
	"vm/swappiness", "vm/overcommit_memory", "vm/watermark_scale_factor",
};

static void dump_one(FILE *f, const char *key, const char *path)
{
	char val[256];

	if (!file_read_str(path, val, sizeof(val)))
		fprintf(f, "%s = %s\n", key, val);
}

/* Append printf-style to the string in dst (size bytes), truncating. */
static void __attribute__((format(printf, 3, 4)))
strcatf(char *dst, size_t size, const char *f, ...)
{
	size_t len = strlen(dst);
	va_list ap;

	if (len + 1 >= size)
		return;
	va_start(ap, f);
	vsnprintf(dst + len, size - len, f, ap);
	va_end(ap);
}

/*
 * A scheme's filters, appended as " (anon reject, unmapped allow)": which
 * memory the action may touch. Kernels before 6.15 have one "filters"
 * directory; later ones split it into core_filters and ops_filters.
 */
static void damon_filters(char *line, size_t size, const char *scheme)
{
	static const char *const dirs[] = { "filters", "core_filters", "ops_filters" };
	char path[512], type[32], allow[8], matching[8];
	int any = 0;

	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		long n;

		fmt(path, sizeof(path), "%s/%s/nr_filters", scheme, dirs[d]);
		if (file_read_str(path, type, sizeof(type)))
			continue;
		n = strtol(type, NULL, 10);
		for (long i = 0; i < n; i++) {
			fmt(path, sizeof(path), "%s/%s/%ld/type", scheme, dirs[d], i);
			if (file_read_str(path, type, sizeof(type)))
				continue;
			/* "allow" appeared in 6.14; before, every filter rejected */
			fmt(path, sizeof(path), "%s/%s/%ld/allow", scheme, dirs[d], i);
			if (file_read_str(path, allow, sizeof(allow)))
				snprintf(allow, sizeof(allow), "N");
			fmt(path, sizeof(path), "%s/%s/%ld/matching", scheme, dirs[d], i);
			if (file_read_str(path, matching, sizeof(matching)))
				snprintf(matching, sizeof(matching), "Y");
			strcatf(line, size, "%s%s%s %s", any ? ", " : " (",
				 matching[0] == 'N' ? "non-" : "", type,
				 allow[0] == 'Y' ? "allow" : "reject");
			any = 1;
		}
	}
	if (any)
		strcatf(line, size, ")");
}

/* "on: paddr, schemes pageout (anon reject)" for each kdamond the admin sysfs has */
static void dump_damon(FILE *f)
{
	const char *top = "/sys/kernel/mm/damon/admin/kdamonds";
	char path[512], v[64], ops[64], line[512];
	long n;

	fmt(path, sizeof(path), "%s/nr_kdamonds", top);
	if (file_read_str(path, v, sizeof(v)))
		return;		/* no DAMON sysfs interface */
	n = strtol(v, NULL, 10);
	fprintf(f, "damon.kdamonds = %ld\n", n);
	for (long k = 0; k < n; k++) {
		long nctx, nsch;

		fmt(path, sizeof(path), "%s/%ld/state", top, k);
		if (file_read_str(path, v, sizeof(v)))
			continue;
		fmt(line, sizeof(line), "%s", v);
		fmt(path, sizeof(path), "%s/%ld/contexts/nr_contexts", top, k);
		nctx = file_read_str(path, v, sizeof(v)) ? 0 : strtol(v, NULL, 10);
		for (long c = 0; c < nctx; c++) {
			fmt(path, sizeof(path), "%s/%ld/contexts/%ld/operations", top, k, c);
			if (file_read_str(path, ops, sizeof(ops)))
				snprintf(ops, sizeof(ops), "?");
			fmt(path, sizeof(path), "%s/%ld/contexts/%ld/schemes/nr_schemes", top, k, c);
			nsch = file_read_str(path, v, sizeof(v)) ? 0 : strtol(v, NULL, 10);
			strcatf(line, sizeof(line), "%s%s, schemes", c ? "; " : ": ", ops);
			for (long i = 0; i < nsch; i++) {
				char sch[320];

				fmt(sch, sizeof(sch), "%s/%ld/contexts/%ld/schemes/%ld", top, k, c, i);
				fmt(path, sizeof(path), "%s/action", sch);
				if (file_read_str(path, v, sizeof(v)))
					snprintf(v, sizeof(v), "?");
				strcatf(line, sizeof(line), "%s%s", i ? ", " : " ", v);
				damon_filters(line, sizeof(line), sch);
			}
			if (!nsch)
				strcatf(line, sizeof(line), " none (monitoring only)");
		}
		fprintf(f, "damon.kdamond%ld = %s\n", k, line);
	}
}

void knobs_dump(FILE *f)
{
	char key[128], path[256];

	dump_dir(f, THP_DIR, "");
	for (size_t i = 0; i < sizeof(sysctls) / sizeof(sysctls[0]); i++) {
		fmt(key, sizeof(key), "sysctl.%s", sysctls[i]);
		for (char *c = key; *c; c++)
			if (*c == '/')
				*c = '.';
		fmt(path, sizeof(path), "/proc/sys/%s", sysctls[i]);
		dump_one(f, key, path);
	}
	dump_one(f, "ksm.run", "/sys/kernel/mm/ksm/run");
	dump_one(f, "lru_gen.enabled", "/sys/kernel/mm/lru_gen/enabled");
	dump_damon(f);
	dump_one(f, "damon_reclaim.enabled", "/sys/module/damon_reclaim/parameters/enabled");
	dump_one(f, "damon_lru_sort.enabled", "/sys/module/damon_lru_sort/parameters/enabled");
}
