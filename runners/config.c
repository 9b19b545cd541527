// SPDX-License-Identifier: GPL-2.0
/*
 * Config files and matrix expansion (the option table: benches/scenario.c).
 * See config.h.
 */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "config.h"
#include "fiotarget.h"
#include "knobs.h"
#include "buf.h"
#include "method.h"
#include "placement.h"
#include "util.h"

/* ---- files ---- */

struct load_ctx {
	struct cfg *c;
	const char *path;
	FILE *f;
	int line;		/* the line inih is on: our reader counts them */
	struct cfg_job global;	/* [global] values seen so far in this file */
	struct cfg_job *cur;	/* NULL while in [global] or before any section */
	int cont;		/* this line is indented: a continuation of the last key */
	int last_opt;		/* the key the previous line set, -1 none */
	int global_line;	/* where the [global] section we are in began (0: none yet) */
	char err[512];
};

static struct cfg_job *job_new(struct load_ctx *x, const char *name)
{
	struct cfg *c = x->c;
	struct cfg_job *j;

	c->jobs = realloc(c->jobs, (c->njobs + 1) * sizeof(*c->jobs));
	if (!c->jobs)
		return NULL;
	j = &c->jobs[c->njobs++];
	memset(j, 0, sizeof(*j));
	fmt(j->name, sizeof(j->name), "%s", name);
	j->file = x->path;
	j->line = x->line;
	/* fio semantics: a job starts from the globals seen before it */
	for (size_t i = 0; i < opt_count(); i++) {
		if (x->global.vals[i].raw) {
			j->vals[i].raw = strdup(x->global.vals[i].raw);
			j->vals[i].line = x->global.vals[i].line;
			j->vals[i].inherited = 1;
		}
	}
	return j;
}

/* Section headers are seen here, so that a job with no keys still counts. */
static char *reader(char *str, int num, void *stream)
{
	struct load_ctx *x = stream;
	char name[128], *s;

	if (!fgets(str, num, x->f))
		return NULL;
	x->line++;
	s = str;
	while (isspace((unsigned char)*s))
		s++;
	/* inih hands an indented line to the handler as the previous key again */
	x->cont = s != str && *s && *s != ';' && *s != '#';
	if (*s == '[')
		x->last_opt = -1;
	if (*s == '[' && sscanf(s, "[%127[^]]]", name) == 1) {
		for (char *e = name + strlen(name); e > name && isspace((unsigned char)e[-1]);)
			*--e = '\0';
		if (!strcasecmp(name, "global")) {
			x->cur = NULL;
			x->global_line = x->line;
		} else if (!x->err[0] && strlen(name) >= sizeof(x->c->jobs[0].name)) {
			/* cut short, two long names could become one job */
			fmt(x->err, sizeof(x->err), "%s:%d: [%.40s...]: a section name has at most "
			    "%zu characters", x->path, x->line, name, sizeof(x->c->jobs[0].name) - 1);
		} else if (!x->err[0]) {
			for (size_t i = 0; i < x->c->njobs; i++) {
				if (!strcmp(x->c->jobs[i].name, name) && x->c->jobs[i].file == x->path) {
					fmt(x->err, sizeof(x->err), "%s:%d: [%s]: duplicate section",
					    x->path, x->line, name);
					return str;
				}
			}
			x->cur = job_new(x, name);
			if (!x->cur)
				fmt(x->err, sizeof(x->err), "%s: out of memory", x->path);
		}
	}
	return str;
}

static int split_list(const char *raw, char ***out)
{
	char *copy = strdup(raw), *save = NULL;
	char **v = NULL;
	int n = 0;

	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *t = tok, *e;

		while (isspace((unsigned char)*t))
			t++;
		e = t + strlen(t);
		while (e > t && isspace((unsigned char)e[-1]))
			*--e = '\0';
		v = realloc(v, (n + 1) * sizeof(*v));
		v[n++] = strdup(t);
	}
	free(copy);
	*out = v;
	return n;
}

static void list_free(char **v, int n)
{
	for (int k = 0; k < n; k++)
		free(v[k]);
	free(v);
}

/* Every element of a comma list must parse on its own: errors get the line. */
static int check_list(struct load_ctx *x, size_t i, const char *value)
{
	struct scenario tmp;
	char **v, why[256];
	int n = split_list(value, &v), ret = 0;

	scenario_defaults(&tmp);
	if (n == 0) {
		fmt(x->err, sizeof(x->err), "%s:%d: %s: empty value", x->path, x->line, opt_name(i));
		ret = -EINVAL;
	}
	for (int k = 0; k < n && !ret; k++) {
		if (scenario_set(&tmp, opt_name(i), v[k], why, sizeof(why))) {
			fmt(x->err, sizeof(x->err), "%s:%d: %s: %s", x->path, x->line, opt_name(i), why);
			ret = -EINVAL;
		}
	}
	list_free(v, n);
	return ret;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *x = user;
	struct cfg_job *j = x->cur ? x->cur : &x->global;
	int i;

	(void)section;
	if (x->err[0])
		return 0;
	i = opt_index(name);
	if (i < 0) {
		fmt(x->err, sizeof(x->err), "%s:%d: %s: unknown key (gupbench keys lists them)",
		    x->path, x->line, name);
		return 0;
	}
	if (!x->cur && strcasecmp(section, "global")) {
		fmt(x->err, sizeof(x->err), "%s:%d: %s: key outside any section", x->path, x->line, name);
		return 0;
	}
	if (x->cont && i == x->last_opt && j->vals[i].raw) {
		/* a continuation line: the list goes on */
		char *joined;

		if (check_list(x, (size_t)i, value))
			return 0;
		if (asprintf(&joined, "%s,%s", j->vals[i].raw, value) < 0)
			return 0;
		free(j->vals[i].raw);
		j->vals[i].raw = joined;
		return 1;
	}
	if (j != &x->global && j->vals[i].raw && !j->vals[i].inherited) {
		fmt(x->err, sizeof(x->err), "%s:%d: %s: set twice in [%s] (first on line %d)",
		    x->path, x->line, name, j->name, j->vals[i].line);
		return 0;
	}
	/* a later [global] may change a default for the jobs after it; one [global] says it once */
	if (j == &x->global && j->vals[i].raw && j->vals[i].line > x->global_line) {
		fmt(x->err, sizeof(x->err), "%s:%d: %s: set twice in [global] (first on line %d)",
		    x->path, x->line, name, j->vals[i].line);
		return 0;
	}
	if (check_list(x, (size_t)i, value))
		return 0;
	free(j->vals[i].raw);
	j->vals[i].raw = strdup(value);
	j->vals[i].line = x->line;
	j->vals[i].inherited = 0;
	x->last_opt = i;
	return 1;
}

static char *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0, n;
	char chunk[4096];

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		char *nb = realloc(buf, len + n + 1);

		if (!nb) {
			free(buf);
			fclose(f);
			return NULL;
		}
		buf = nb;
		memcpy(buf + len, chunk, n);
		len += n;
	}
	fclose(f);
	if (!buf)
		buf = calloc(1, 1);
	else
		buf[len] = '\0';
	*size = len;
	return buf;
}

/*
 * What the INI reader cannot take, refused with file:line before it reads:
 * Debian's libinih reads a line into a 200-byte buffer and takes the rest
 * of a longer line as new lines (a comment's tail became a key), and a NUL
 * would end a line early without a word.
 */
#define CFG_MAX_LINE 198	/* characters before the newline */

static int text_check(const char *path, const char *text, size_t size, char *err, size_t len)
{
	int line = 1;
	size_t col = 0;

	if (size >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
		fmt(err, len, "%s:1: starts with a UTF-8 byte order mark: save it without one", path);
		return -EINVAL;
	}
	for (size_t i = 0; i < size; i++) {
		if (text[i] == '\0') {
			fmt(err, len, "%s:%d: a NUL byte: not a text file", path, line);
			return -EINVAL;
		}
		if (text[i] == '\n') {
			line++;
			col = 0;
			continue;
		}
		if (++col > CFG_MAX_LINE) {
			fmt(err, len, "%s:%d: line longer than %d characters (the INI reader's limit): "
			    "split a list over several jobs or shorten the comment", path, line,
			    CFG_MAX_LINE);
			return -EINVAL;
		}
	}
	return 0;
}

int cfg_load(struct cfg *c, const char *path, char *err, size_t len)
{
	struct load_ctx x = { .c = c, .last_opt = -1 };
	size_t first = c->njobs, size = 0;
	char *text;
	int ret;

	text = slurp(path, &size);
	if (!text) {
		fmt(err, len, "%s: %s", path, strerror(errno));
		return -errno;
	}
	ret = text_check(path, text, size, err, len);
	if (ret) {
		free(text);
		return ret;
	}
	c->paths = realloc(c->paths, (c->nfiles + 1) * sizeof(*c->paths));
	c->texts = realloc(c->texts, (c->nfiles + 1) * sizeof(*c->texts));
	c->paths[c->nfiles] = strdup(path);
	c->texts[c->nfiles] = text;
	x.path = c->paths[c->nfiles];
	c->nfiles++;

	/* parse what was read: a pipe (/dev/stdin, <(...)) cannot be read twice */
	x.f = fmemopen(text, size ? size : 1, "r");
	if (!x.f) {
		fmt(err, len, "%s: %s", path, strerror(errno));
		return -errno;
	}
	ret = ini_parse_stream(reader, &x, handler, &x);
	fclose(x.f);
	for (size_t i = 0; i < opt_count(); i++)
		free(x.global.vals[i].raw);
	if (x.err[0]) {
		fmt(err, len, "%s", x.err);
		return -EINVAL;
	}
	if (ret) {
		/* inih's own syntax errors: it returns the line number */
		fmt(err, len, "%s:%d: syntax error (expected [section] or key = value)", path, ret);
		return -EINVAL;
	}
	if (c->njobs == first) {
		fmt(err, len, "%s: no jobs (only [global]); add a [name] section", path);
		return -EINVAL;
	}
	return 0;
}

/* ---- expansion ---- */

/* Checks that need the whole scenario (and this machine). */
static void orders_list(unsigned long offered, char *dst, size_t len)
{
	size_t off = 0;

	dst[0] = '\0';
	for (int i = 0; i < 31 && off < len; i++)
		if (offered & (1UL << i))
			off += snprintf(dst + off, len - off, "%s%d", off ? " " : "", i);
}

/* Orders and zero ratios each backing can take; fills in hugetlb's order. */
static int backing_check(struct scenario *sc, const struct cfg_job *j, char *err, size_t len)
{
	int b = sc->backing;
	int ho = buf_backing_hugetlb_order(b);
	int ol = j->vals[opt_index("order")].line;
	int zl = j->vals[opt_index("zero")].line;
	int bl = j->vals[opt_index("backing")].line;
	unsigned long offered;
	char list[160];

	if (ho >= 0) {
		if (j->vals[opt_index("order")].raw && sc->order != ho) {
			fmt(err, len, "%s:%d: order: %s pages are order %d: leave order unset for it "
			    "(put hugetlb in its own job)", j->file, ol, buf_backing_name(b), ho);
			return -EINVAL;
		}
		sc->order = ho;
		if (sc->zero > 0) {
			fmt(err, len, "%s:%d: zero: %s has no zero page and no holes: zero must be 0",
			    j->file, zl ? zl : bl, buf_backing_name(b));
			return -EINVAL;
		}
		return 0;
	}
	if (b == BACK_FILE) {
		const struct method *m = method_find(sc->method);
		char why[160];

		/* the pin would fail every time */
		if (method_refuses_file(m, why, sizeof(why))) {
			fmt(err, len, "%s:%d: backing: %s cannot pin file memory: %s", j->file, bl,
			    sc->method, why);
			return -EINVAL;
		}
		offered = 1;	/* page-cache folio sizes are the filesystem's choice */
	}
	else if (b == BACK_ANON)
		offered = thp_anon_orders();
	else
		offered = thp_shmem_orders();
	if (!(offered & (1UL << sc->order))) {
		orders_list(offered, list, sizeof(list));
		fmt(err, len, "%s:%d: order: order %d is not offered by this kernel for %s memory "
		    "(offered: %s)", j->file, ol ? ol : bl, sc->order, buf_backing_name(b), list);
		return -EINVAL;
	}
	return 0;
}

int cfg_allow_device;

/*
 * A method's check() may begin its reason with "key: " to name the key at
 * fault; the error then points at that key's line (else the method's).
 */
static int check_line(const struct cfg_job *j, const char *why, const char **rest)
{
	size_t n = strcspn(why, ":");
	char key[40];
	int k;

	*rest = why;
	if (why[n] != ':' || why[n + 1] != ' ' || n >= sizeof(key))
		return j->vals[opt_index("method")].line;
	fmt(key, sizeof(key), "%.*s", (int)n, why);
	k = opt_index(key);
	if (k < 0)
		return j->vals[opt_index("method")].line;
	*rest = why + n + 2;
	return j->vals[k].line ? j->vals[k].line : j->line;
}

static int scenario_check(struct scenario *sc, const struct cfg_job *j, char *err, size_t len)
{
	const struct method *m = method_find(sc->method);
	uint64_t folio;
	uint64_t avail = mem_available();
	struct rlimit rl;
	int sl = j->vals[opt_index("size")].line;
	int ol = j->vals[opt_index("order")].line;
	char a[32], b[32], why[256];
	long lanes;

	if (backing_check(sc, j, err, len))
		return -EINVAL;
	if ((!strcmp(sc->mem_node, "local") || !strcmp(sc->mem_node, "remote")) &&
	    !strcmp(sc->cpu_node, "any")) {
		fmt(err, len, "%s:%d: mem_node: %s is relative to cpu_node: set cpu_node too", j->file,
		    j->vals[opt_index("mem_node")].line, sc->mem_node);
		return -EINVAL;
	}
	folio = PAGE_SZ << sc->order;
	if (m->check && m->check(sc, why, sizeof(why))) {
		const char *rest;
		int line = check_line(j, why, &rest);

		if (rest != why)
			fmt(err, len, "%s:%d: %.*s: %s: %s", j->file, line, (int)(rest - why - 2), why,
			    sc->method, rest);
		else
			fmt(err, len, "%s:%d: method: %s cannot take this scenario: %s", j->file, line,
			    sc->method, why);
		return -EINVAL;
	}
	if (m->shape == SHAPE_WORKLOAD && fio_target_check(sc, cfg_allow_device, why, sizeof(why))) {
		int tl = j->vals[opt_index("target")].line;

		fmt(err, len, "%s:%d: target: %s", j->file, tl ? tl : j->line, why);
		return -EINVAL;
	}
	if (sc->size % folio) {
		size_format(sc->size, a, sizeof(a));
		size_format(folio, b, sizeof(b));
		fmt(err, len, "%s:%d: size: %s is not a multiple of the order-%d folio size %s",
		    j->file, sl ? sl : ol, a, sc->order, b);
		return -EINVAL;
	}
	if (sc->zero > 0 && floor((double)(sc->size / folio) * sc->zero) < 1) {
		int zl = j->vals[opt_index("zero")].line;

		size_format(sc->size, a, sizeof(a));
		size_format(folio, b, sizeof(b));
		fmt(err, len, "%s:%d: zero: %g of %s in %s chunks gives no zero chunk at all "
		    "(use a larger size or a smaller order)", j->file, zl, sc->zero, a, b);
		return -EINVAL;
	}
	/* pages already free in a hugetlb pool are not in MemAvailable, and are
	 * what a hugetlb buffer uses first */
	if (avail && (sc->backing == BACK_HUGETLB_2M || sc->backing == BACK_HUGETLB_1G))
		avail += hugetlb_free_bytes(4UL << sc->order);
	/* leave a tenth of what is available to the rest of the system */
	lanes = sc->threads ? sc->threads : sysconf(_SC_NPROCESSORS_ONLN);
	if (sc->share != SHARE_PRIVATE)
		lanes = 1;
	if (avail && sc->size * m->mem_factor * (uint64_t)lanes > avail / 10 * 9) {
		size_format(sc->size, a, sizeof(a));
		fmt(err, len, "%s:%d: size: %s%s%s is more than memory allows here (%" PRIu64 " MiB available)",
		    j->file, sl, a, m->mem_factor > 1 ? " (x2: the method needs a second buffer)" : "",
		    lanes > 1 ? " (one per thread)" : "", avail >> 20);
		return -EINVAL;
	}
	if ((m->flags & M_MEMLOCK) && !have_cap(CAP_IPC_LOCK) && !getrlimit(RLIMIT_MEMLOCK, &rl) &&
	    rl.rlim_cur != RLIM_INFINITY && sc->size > rl.rlim_cur) {
		size_format(sc->size, a, sizeof(a));
		size_format(rl.rlim_cur, b, sizeof(b));
		fmt(err, len, "%s:%d: size: %s is over RLIMIT_MEMLOCK (%s) for %s without CAP_IPC_LOCK "
		    "(raise it with ulimit -l or run as root)", j->file, sl, a, b, sc->method);
		return -EINVAL;
	}
	return 0;
}

static int expand_job(const struct cfg_job *j, struct plan *p, char *err, size_t len)
{
	size_t n = opt_count();
	char **lists[CFG_MAX_OPTS] = { 0 };
	int counts[CFG_MAX_OPTS] = { 0 }, idx[CFG_MAX_OPTS] = { 0 };
	int ret = 0;

	for (size_t i = 0; i < n; i++) {
		if (!j->vals[i].raw && !opt_default(i)) {
			fmt(err, len, "%s:%d: [%s]: %s: required key missing", j->file, j->line,
			    j->name, opt_name(i));
			ret = -EINVAL;
			goto out;
		}
		counts[i] = j->vals[i].raw ? split_list(j->vals[i].raw, &lists[i]) : 0;
	}
	{
		/* the matrix's size before it is made: a typo must not eat the memory */
		size_t total = 1;

		for (size_t i = 0; i < n && total <= CFG_MAX_SCENARIOS; i++)
			if (counts[i] > 1)
				total = total > CFG_MAX_SCENARIOS / (size_t)counts[i] ?
					CFG_MAX_SCENARIOS + 1 : total * (size_t)counts[i];
		if (total > CFG_MAX_SCENARIOS - p->n) {
			fmt(err, len, "%s:%d: [%s]: the matrix grows past %d scenarios with this "
			    "job (the product of its lists' lengths, with the jobs before it): split "
			    "it, or shorten a list", j->file, j->line, j->name, CFG_MAX_SCENARIOS);
			ret = -E2BIG;
			goto out;
		}
	}
	for (;;) {
		struct plan_item it = { .job = j };
		char why[256];

		scenario_defaults(&it.sc);
		fmt(it.sc.job, sizeof(it.sc.job), "%s", j->name);
		for (size_t i = 0; i < n; i++) {
			if (!counts[i])
				continue;
			if (scenario_set(&it.sc, opt_name(i), lists[i][idx[i]], why, sizeof(why))) {
				fmt(err, len, "%s:%d: %s: %s", j->file, j->vals[i].line, opt_name(i), why);
				ret = -EINVAL;
				goto out;
			}
		}
		ret = scenario_check(&it.sc, j, err, len);
		if (ret)
			goto out;
		if (p->n == p->cap) {
			size_t cap = p->cap ? 2 * p->cap : 64;
			struct plan_item *grown = realloc(p->items, cap * sizeof(*grown));

			if (!grown) {
				fmt(err, len, "%s:%d: [%s]: out of memory at %zu scenarios", j->file,
				    j->line, j->name, p->n);
				ret = -ENOMEM;
				goto out;
			}
			p->items = grown;
			p->cap = cap;
		}
		p->items[p->n++] = it;

		/* odometer: the last key in the table turns fastest */
		int advanced = 0;

		for (size_t k = n; k-- > 0 && !advanced;) {
			if (counts[k] > 1 && ++idx[k] < counts[k])
				advanced = 1;
			else
				idx[k] = 0;
		}
		if (!advanced)
			break;
	}
out:
	for (size_t i = 0; i < n; i++)
		list_free(lists[i], counts[i]);
	return ret;
}

int cfg_expand(const struct cfg *c, struct plan *p, char *err, size_t len)
{
	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < c->njobs; i++) {
		int ret = expand_job(&c->jobs[i], p, err, len);

		if (ret) {
			plan_free(p);
			return ret;
		}
	}
	return 0;
}

void cfg_free(struct cfg *c)
{
	for (size_t i = 0; i < c->njobs; i++)
		for (size_t k = 0; k < CFG_MAX_OPTS; k++)
			free(c->jobs[i].vals[k].raw);
	for (size_t i = 0; i < c->nfiles; i++) {
		free(c->paths[i]);
		free(c->texts[i]);
	}
	free(c->jobs);
	free(c->paths);
	free(c->texts);
	memset(c, 0, sizeof(*c));
}

void plan_free(struct plan *p)
{
	free(p->items);
	memset(p, 0, sizeof(*p));
}
