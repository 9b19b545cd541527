// SPDX-License-Identifier: GPL-2.0
/*
 * compare: what of two runs' meta must match for their numbers to be
 * comparable (a policy, key by key), and what a side's run says of itself
 * (its release, revision, where it ran).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compare_int.h"
#include "meta.h"
#include "util.h"

/* Sections and keys that make two runs' numbers incomparable when they differ. */
static int meta_key_matters(const char *sec, const char *key, int *expected)
{
	*expected = 0;
	if (!strcmp(sec, "gupbench"))
		return !strcmp(key, "revision");
	if (!strcmp(sec, "kernel")) {
		/* a kernel comparison changes these on purpose: shown, not warned about */
		if (!strcmp(key, "release") || !strcmp(key, "version")) {
			*expected = 1;
			return 1;
		}
		return !strcmp(key, "cmdline") || !strcmp(key, "clocksource") ||
		       !strncmp(key, "CONFIG_", 7) || !strcmp(key, "kconfig");
	}
	if (!strcmp(sec, "machine"))
		return !strcmp(key, "cpu_model") || !strcmp(key, "cpus_online");
	/* THP policy, and the policies and workers that move pages behind our back */
	if (!strcmp(sec, "knobs"))
		return !strncmp(key, "thp.", 4) || !strncmp(key, "sysctl.", 7) ||
		       !strncmp(key, "damon", 5) || !strcmp(key, "ksm.run") ||
		       !strcmp(key, "lru_gen.enabled");
	/* a guest's timings are only comparable under the same accelerator and shape */
	if (!strcmp(sec, "vm"))
		return !strcmp(key, "accelerator") || !strcmp(key, "cpus") || !strcmp(key, "mem") ||
		       !strcmp(key, "numa_nodes") || !strcmp(key, "cpu_model");
	return 0;
}


/* "always [madvise] never" -> "madvise": the choice is what matters. */
static char *knob_choice(const char *v)
{
	const char *a = strchr(v, '['), *b = a ? strchr(a, ']') : NULL;

	if (a && b)
		return strndup(a + 1, (size_t)(b - a - 1));
	return strdup(v);
}

/* The words of a that are not words of b (cmdline: what only one side has). */
static char *words_only_in(const char *a, const char *b)
{
	char *out = calloc(1, strlen(a) + 1), *copy = strdup(a), *save = NULL;

	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		const char *p = b;
		size_t wl = strlen(w);
		int found = 0;

		while ((p = strstr(p, w))) {
			if ((p == b || p[-1] == ' ') && (p[wl] == ' ' || !p[wl])) {
				found = 1;
				break;
			}
			p += wl;
		}
		if (!found) {
			if (*out)
				strcat(out, " ");
			strcat(out, w);
		}
	}
	free(copy);
	return out;
}

void cmp_warn_add(struct compare_result *r, const char *sec, const char *key, const char *b,
		  const char *n, int expected)
{
	struct compare_warning *w;

	r->warn = realloc(r->warn, (r->nwarn + 1) * sizeof(*r->warn));
	w = &r->warn[r->nwarn++];
	fmt(w->what, sizeof(w->what), "[%s] %s", sec, key);
	w->expected = expected;
	if (!b || !n) {
		w->base = strdup(b ? b : "(absent)");
		w->new = strdup(n ? n : "(absent)");
	} else if (!strcmp(key, "cmdline")) {
		char *ob = words_only_in(b, n), *on = words_only_in(n, b);

		if (asprintf(&w->base, "only in base: %s", *ob ? ob : "-") < 0)
			w->base = NULL;
		if (asprintf(&w->new, "only in new: %s", *on ? on : "-") < 0)
			w->new = NULL;
		free(ob);
		free(on);
	} else if (!strcmp(sec, "knobs")) {
		w->base = knob_choice(b);
		w->new = knob_choice(n);
	} else {
		w->base = strdup(b);
		w->new = strdup(n);
	}
}

void cmp_meta_diff(struct compare_result *r, const struct meta_file *b, const struct meta_file *n)
{
	int expected;

	for (size_t i = 0; i < b->n; i++) {
		const struct meta_kv *k = &b->kv[i];
		const char *nv;

		if (!meta_key_matters(k->sec, k->key, &expected))
			continue;
		nv = meta_file_get(n, k->sec, k->key);
		/* a knob one kernel has and the other lacks (mTHP sizes before 6.8):
		 * what a kernel comparison changes, not a setting that differs */
		if (!nv && !strcmp(k->sec, "knobs"))
			expected = 1;
		if (!nv || strcmp(nv, k->val))
			cmp_warn_add(r, k->sec, k->key, k->val, nv, expected);
	}
	for (size_t i = 0; i < n->n; i++) {
		const struct meta_kv *k = &n->kv[i];

		if (meta_key_matters(k->sec, k->key, &expected) && !meta_file_get(b, k->sec, k->key))
			cmp_warn_add(r, k->sec, k->key, NULL, k->val,
				     expected || !strcmp(k->sec, "knobs"));
	}
}

/* DIR -> DIR/results.csv and DIR/meta; FILE -> FILE and meta beside it. */
void cmp_run_paths(struct compare_run *run, const char *arg, char *meta, size_t len)
{
	struct stat st;

	fmt(run->path, sizeof(run->path), "%s", arg);
	if (!stat(arg, &st) && S_ISDIR(st.st_mode)) {
		fmt(run->csv, sizeof(run->csv), "%s/results.csv", arg);
		fmt(meta, len, "%s/meta", arg);
	} else {
		const char *slash = strrchr(arg, '/');

		fmt(run->csv, sizeof(run->csv), "%s", arg);
		if (slash)
			fmt(meta, len, "%.*s/meta", (int)(slash - arg), arg);
		else
			fmt(meta, len, "meta");
	}
}

void cmp_run_info(struct compare_run *run, const struct meta_file *m)
{
	const char *v;

	v = meta_file_get(m, "kernel", "release");
	fmt(run->release, sizeof(run->release), "%s", v ? v : "?");
	v = meta_file_get(m, "vm", "accelerator");
	if (!v)
		fmt(run->where, sizeof(run->where), "host");
	else if (!strcmp(v, "tcg"))
		fmt(run->where, sizeof(run->where), "QEMU/TCG (timings emulated)");
	else
		fmt(run->where, sizeof(run->where), "QEMU/%s", v);
	v = meta_file_get(m, "gupbench", "revision");
	fmt(run->revision, sizeof(run->revision), "%s", v ? v : "?");
}
