// SPDX-License-Identifier: GPL-2.0
/*
 * Probing the running kernel: try the thing, read back what happened.
 *
 * The zero page is the case that made this file: a kernel may map a fresh
 * page on a read fault of private anonymous memory (these machines boot
 * with pvm_no_zero_page=1), and nothing in the version says so. The probe
 * read-faults a few pages and asks pagemap what they are: with PFNs,
 * kpageflags' KPF_ZERO_PAGE; without (not root), the "exclusively mapped"
 * bit, which a fresh private page has and the zero page never has.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "buf.h"
#include "gup-test.h"
#include "kfeat.h"
#include "knobs.h"
#include "placement.h"
#include "util.h"

#define PM_PRESENT	(1ULL << 63)
#define PM_EXCLUSIVE	(1ULL << 56)
#define PM_PFN_MASK	((1ULL << 55) - 1)
#define KPF_ZERO_PAGE	24
#define PROBE_PAGES	16
#define PMD_PAGES	512

static const char *const names[KF_NR] = {
	[KF_ZERO_PAGE] = "zero_page",
	[KF_HUGE_ZERO_PAGE] = "huge_zero_page",
	[KF_PFNS] = "pfns",
	[KF_THP_PMD] = "thp_pmd",
	[KF_HUGETLB_2M] = "hugetlb_2M",
	[KF_HUGETLB_1G] = "hugetlb_1G",
	[KF_NUMA] = "numa",
	[KF_GUP_TEST] = "gup_test",
};

const char *kfeat_name(enum kfeat_id id)
{
	return id < KF_NR ? names[id] : "?";
}

const char *kfeat_answer_name(int have)
{
	return have == KF_YES ? "yes" : have == KF_NO ? "no" : "unknown";
}

static int set(struct kfeat *f, int have, const char *why_fmt, const char *a, const char *b)
{
	f->have = have;
	fmt(f->why, sizeof(f->why), why_fmt, a ? a : "", b ? b : "");
	return have;
}

/* Command-line words that name the zero page (pvm_no_zero_page=1): the likely cause. */
static void cmdline_zero_words(char *dst, size_t len)
{
	char line[4096], *save = NULL;
	size_t n = 0;

	dst[0] = '\0';
	if (file_read_str("/proc/cmdline", line, sizeof(line)))
		return;
	for (char *w = strtok_r(line, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
		if (!strstr(w, "zero_page") && !strstr(w, "zeropage"))
			continue;
		n += snprintf(dst + n, n < len ? len - n : 0, "%s%s", n ? " " : "", w);
	}
}

int kfeat_zero_verdict(const unsigned long long *pm, const unsigned long long *kpf, size_t n,
		       char *why, size_t len)
{
	size_t zero = 0;

	for (size_t i = 0; i < n; i++) {
		if (!(pm[i] & PM_PRESENT)) {
			fmt(why, len, "page %zu of %zu not present after its read fault", i, n);
			return KF_UNKNOWN;
		}
		if (kpf)
			zero += !!(kpf[i] & (1ULL << KPF_ZERO_PAGE));
		else
			zero += !(pm[i] & PM_EXCLUSIVE);
	}
	if (zero == n) {
		fmt(why, len, "%zu read-faulted pages are the zero page (%s)", n,
		    kpf ? "KPF_ZERO_PAGE" : "none mapped exclusively, pagemap bit 56");
		return KF_YES;
	}
	fmt(why, len, "%zu of %zu read-faulted pages are the zero page, the rest fresh pages (%s)",
	    zero, n, kpf ? "KPF_ZERO_PAGE" : "pagemap bit 56");
	return KF_NO;
}

/* pagemap entries of [addr, addr + n pages), and their kpageflags if PFNs show. */
static int read_pages(const void *addr, size_t n, unsigned long long *pm, unsigned long long *kpf,
		      int *have_kpf)
{
	size_t got;
	int fd, ret;

	*have_kpf = 0;
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = pread_full(fd, pm, n * 8, (off_t)((uintptr_t)addr / PAGE_SZ * 8), &got);
	close(fd);
	if (ret)
		return ret;
	if (got != n * 8)
		return -EIO;
	if (!(pm[0] & PM_PFN_MASK))
		return 0;	/* PFNs hidden: not CAP_SYS_ADMIN */
	fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		ret = pread_full(fd, &kpf[i], 8, (off_t)((pm[i] & PM_PFN_MASK) * 8), &got);
		if (ret || got != 8) {
			close(fd);
			return 0;
		}
	}
	close(fd);
	*have_kpf = 1;
	return 0;
}

/* mmap n pages (aligned to align bytes), advise, read every page once. */
static void *fault_read(size_t n, size_t align, int advice, void **map, size_t *maplen)
{
	size_t len = n * PAGE_SZ + align;
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);
	char *a;

	if (m == MAP_FAILED)
		return NULL;
	a = align ? (char *)(((uintptr_t)m + align - 1) & ~(uintptr_t)(align - 1)) : m;
	if (madvise(a, n * PAGE_SZ, advice) && errno != EINVAL) {
		munmap(m, len);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		(void)*(volatile char *)(a + i * PAGE_SZ);
	*map = m;
	*maplen = len;
	return a;
}

/*
 * Read-fault n pages and read their pagemap entries (and kpageflags, where
 * PFNs show). 0, or -1 with f set to unknown and why.
 */
static int probe_pages(struct kfeat *f, size_t n, size_t align, int advice,
		       unsigned long long *pm, unsigned long long *kpf, int *have_kpf)
{
	void *map;
	size_t maplen;
	char *a = fault_read(n, align, advice, &map, &maplen);
	int ret;

	if (!a) {
		set(f, KF_UNKNOWN, "mmap for the probe failed: %s%s", strerror(errno), NULL);
		return -1;
	}
	ret = read_pages(a, n, pm, kpf, have_kpf);
	munmap(map, maplen);
	if (ret) {
		set(f, KF_UNKNOWN, "/proc/self/pagemap: %s%s", strerror(-ret), NULL);
		return -1;
	}
	return 0;
}

static int probe_zero_page(struct kfeat *f)
{
	unsigned long long pm[PROBE_PAGES], kpf[PROBE_PAGES];
	char words[256];
	int have_kpf;

	/* MADV_NOHUGEPAGE: a THP "always" kernel must not make this a PMD fault */
	if (probe_pages(f, PROBE_PAGES, 0, MADV_NOHUGEPAGE, pm, kpf, &have_kpf))
		return f->have;
	f->have = kfeat_zero_verdict(pm, have_kpf ? kpf : NULL, PROBE_PAGES, f->why, sizeof(f->why));
	cmdline_zero_words(words, sizeof(words));
	if (words[0]) {
		size_t n = strlen(f->why);

		fmt(f->why + n, sizeof(f->why) - n, "; kernel command line: %s", words);
	}
	return f->have;
}

/*
 * The huge zero page: a read fault of a PMD-aligned, MADV_HUGEPAGE range.
 * Its 512 pages then have consecutive PFNs and KPF_ZERO_PAGE; a real THP
 * has consecutive PFNs without it; the 4 KiB zero page is one PFN for all.
 */
static int probe_huge_zero_page(struct kfeat *f)
{
	static unsigned long long pm[PMD_PAGES], kpf[PMD_PAGES];
	char v[64] = "", words[256];
	size_t zero = 0, consecutive = 1;
	int have_kpf;

	if (!file_read_str(THP_DIR "/use_zero_page", v, sizeof(v)) && v[0] == '0')
		return set(f, KF_NO, "transparent_hugepage/use_zero_page=0%s%s", NULL, NULL);
	if (sysfs_choice(THP_DIR "/enabled", v, sizeof(v)))
		return set(f, KF_UNKNOWN, "no THP on this kernel (%s)%s", THP_DIR "/enabled missing", NULL);
	if (!strcmp(v, "never"))
		return set(f, KF_UNKNOWN, "THP enabled=never: no PMD fault to try (a run asking for "
			   "pmd turns it on)%s%s", NULL, NULL);
	if (probe_pages(f, PMD_PAGES, PMD_PAGES * PAGE_SZ, MADV_HUGEPAGE, pm, kpf, &have_kpf))
		return f->have;
	if (!have_kpf)
		return set(f, KF_UNKNOWN, "PFNs hidden (not CAP_SYS_ADMIN): a PMD mapping cannot be "
			   "told from 4 KiB ones%s%s", NULL, NULL);
	for (size_t i = 0; i < PMD_PAGES; i++) {
		zero += !!(kpf[i] & (1ULL << KPF_ZERO_PAGE));
		if (i && (pm[i] & PM_PFN_MASK) != (pm[0] & PM_PFN_MASK) + i)
			consecutive = 0;
	}
	cmdline_zero_words(words, sizeof(words));
	if (consecutive && zero == PMD_PAGES)
		return set(f, KF_YES, "a PMD read fault mapped the huge zero page (THP enabled=%s)%s", v,
			   NULL);
	if (consecutive)
		return set(f, KF_NO, "a PMD read fault allocated a THP, not the huge zero page%s%s",
			   words[0] ? "; kernel command line: " : "", words);
	return set(f, KF_UNKNOWN, "the PMD read fault was mapped with 4 KiB pages (THP enabled=%s, "
		   "no THP to be had?)%s", v, NULL);
}

static int probe_pfns(struct kfeat *f)
{
	int fd;

	if (!have_cap(CAP_SYS_ADMIN))
		return set(f, KF_NO, "not CAP_SYS_ADMIN: pagemap hides PFNs, order_got and "
			   "zero_pages_got stay empty%s%s", NULL, NULL);
	fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return set(f, KF_NO, "/proc/kpageflags: %s%s", strerror(errno), NULL);
	close(fd);
	return set(f, KF_YES, "pagemap PFNs and /proc/kpageflags readable%s%s", NULL, NULL);
}

static int probe_thp_pmd(struct kfeat *f)
{
	char v[64];

	if (sysfs_choice(THP_DIR "/enabled", v, sizeof(v)))
		return set(f, KF_NO, "%s missing%s", THP_DIR "/enabled", NULL);
	if (thp_pmd_order() <= 0)
		return set(f, KF_NO, "no PMD order in %s%s", THP_DIR, NULL);
	/* a run turns "never" into what it needs and back: offered all the same */
	return set(f, KF_YES, "THP enabled=%s (runs set what a pmd scenario needs)%s", v, NULL);
}

static int probe_hugetlb(struct kfeat *f, unsigned long kb)
{
	char nr[32] = "?", fr[32] = "?", p[128], what[96];

	if (!hugetlb_size_exists(kb)) {
		fmt(what, sizeof(what), "no hugetlb pool of %lu kB pages", kb);
		return set(f, KF_NO, "%s%s", what, NULL);
	}
	fmt(p, sizeof(p), "/sys/kernel/mm/hugepages/hugepages-%lukB/nr_hugepages", kb);
	file_read_str(p, nr, sizeof(nr));
	fmt(p, sizeof(p), "/sys/kernel/mm/hugepages/hugepages-%lukB/free_hugepages", kb);
	file_read_str(p, fr, sizeof(fr));
	return set(f, KF_YES, "pool of %s pages, %s free (runs reserve what they need)", nr, fr);
}

static int probe_numa(struct kfeat *f)
{
	char n[16];

	fmt(n, sizeof(n), "%d", numa_nodes_with_memory());
	if (numa_nodes_with_memory() > 1)
		return set(f, KF_YES, "%s nodes with memory%s", n, NULL);
	return set(f, KF_NO, "%s node with memory: local and remote are the same%s", n, NULL);
}

static int probe_gup_test(struct kfeat *f)
{
	int fd = open(gup_test_dev_path(), O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return set(f, KF_NO, "%s: %s (CONFIG_GUP_TEST and debugfs needed)", gup_test_dev_path(),
			   strerror(errno));
	close(fd);
	return set(f, KF_YES, "%s opens%s", gup_test_dev_path(), NULL);
}

static int probe_hugetlb_2m(struct kfeat *f)
{
	return probe_hugetlb(f, 2048);
}

static int probe_hugetlb_1g(struct kfeat *f)
{
	return probe_hugetlb(f, 1048576);
}

static int (*const probes[KF_NR])(struct kfeat *f) = {
	[KF_ZERO_PAGE] = probe_zero_page,
	[KF_HUGE_ZERO_PAGE] = probe_huge_zero_page,
	[KF_PFNS] = probe_pfns,
	[KF_THP_PMD] = probe_thp_pmd,
	[KF_HUGETLB_2M] = probe_hugetlb_2m,
	[KF_HUGETLB_1G] = probe_hugetlb_1g,
	[KF_NUMA] = probe_numa,
	[KF_GUP_TEST] = probe_gup_test,
};

const struct kfeat *kfeat_get(enum kfeat_id id)
{
	static struct kfeat cache[KF_NR];
	static int done[KF_NR];

	if (id >= KF_NR)
		return NULL;
	if (!done[id])
		probes[id](&cache[id]);
	done[id] = 1;
	return &cache[id];
}

void kfeat_dump(FILE *f)
{
	for (int i = 0; i < KF_NR; i++) {
		const struct kfeat *k = kfeat_get(i);

		fprintf(f, "%s = %s: %s\n", kfeat_name(i), kfeat_answer_name(k->have), k->why);
	}
}
