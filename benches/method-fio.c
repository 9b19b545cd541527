// SPDX-License-Identifier: GPL-2.0
/*
 * fio: what GUP costs a real I/O workload. Every O_DIRECT I/O pins its
 * user buffer and unpins it at completion (iov_iter_extract_pages() ->
 * pin_user_pages_fast() since 6.2; FOLL_GET through iov_iter_get_pages()
 * before); io_uring's registered buffers (fixedbufs) are pinned once, at
 * IORING_REGISTER_BUFFERS, and each I/O then skips GUP.
 *
 * One sample is one run of fio (SHAPE_WORKLOAD). The worker writes the job
 * file from the scenario's keys into the scenario's directory of the run,
 * starts fio there, and reads fio's JSON back: IOPS, completion latency,
 * and the job's usr and sys CPU. fio's buffer is its own (iomem, bs x
 * iodepth); the backing and order pick iomem and the THP knobs the runner
 * turns, and the buffer is read back from fio's process like any other.
 *
 * What gupbench counts itself, it counts over the I/O phase only: fio runs
 * exec_prerun after its buffers are allocated and registered and before
 * the first I/O, and exec_postrun after the last, in the job's own thread
 * (thread=1), so both hooks call `gupbench __fio-mark`, which folds the
 * per-CPU vmstat deltas and prints the counters (post also reads back the
 * buffer). The registration's pins are before the first mark: a
 * fixedbufs row shows the I/Os' own pins, none.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fiojson.h"
#include "method-fio.h"
#include "method.h"
#include "util.h"
#include "vmstat.h"

#define FIO_JOB "gupbench"	/* the job's name: fio names the hook files after it */
#define ENV_PARENT "GUPBENCH_FIO_PARENT"
#define ENV_BUF "GUPBENCH_FIO_BUF"

extern char **environ;

struct fio_priv {
	char exe[512];		/* this binary, for the hooks */
	char buf_env[600];	/* GUPBENCH_FIO_BUF=kind bytes [path] */
	char mapfile[512];	/* BACK_FILE: the file fio maps as its buffer */
	unsigned int runs;	/* samples so far: names each run's files */
};

/* fio's buffer: iodepth buffers of bs (fio adds a page for O_DIRECT alignment). */
static uint64_t fio_buffer_bytes(const struct scenario *sc)
{
	return sc->bs * (uint64_t)sc->iodepth;
}

/* I/Os per sample: ios, or for 0 a GiB of I/O within 2048..65536 I/Os. */
static uint64_t fio_ios(const struct scenario *sc)
{
	uint64_t n = (1ULL << 30) / sc->bs;

	if (sc->ios)
		return (uint64_t)sc->ios;
	return n < 2048 ? 2048 : n > 65536 ? 65536 : n;
}

/* Is fio on PATH? */
static int fio_probe(char *why, size_t len)
{
	const char *path = getenv("PATH");
	char dir[512], exe[600];

	while (path && *path) {
		size_t n = strcspn(path, ":");

		fmt(dir, sizeof(dir), "%.*s", (int)n, path);
		fmt(exe, sizeof(exe), "%s/fio", *dir ? dir : ".");
		if (!access(exe, X_OK))
			return 0;
		path += n + (path[n] == ':');
	}
	fmt(why, len, "fio is not installed (Debian package fio; scripts/deps.sh installs it)");
	return -ENOENT;
}

/*
 * What fio can take. A reason that starts with "key: " names the key at
 * fault, and the config error then points at that key's line.
 */
static int fio_check(const struct scenario *sc, char *why, size_t len)
{
	char a[32], b[32];

	switch (sc->backing) {
	case BACK_ANON:
	case BACK_ANON_SHARED:
	case BACK_HUGETLB_2M:
	case BACK_FILE:
		break;
	default:
		fmt(why, len, "backing: fio has no iomem for %s memory (fio takes anon, anon-shared, "
		    "hugetlb-2M and file)", buf_backing_name(sc->backing));
		return -EINVAL;
	}
	if (sc->zero > 0) {
		fmt(why, len, "zero: fio fills and reuses its own buffers: zero must be 0");
		return -EINVAL;
	}
	if (sc->threads != 1) {
		fmt(why, len, "threads: one fio job per scenario: threads must be 1");
		return -EINVAL;
	}
	if (sc->fixedbufs && sc->fio_engine != FIO_IO_URING) {
		fmt(why, len, "fixedbufs: registered buffers are io_uring's: %s has none",
		    fio_engine_name(sc->fio_engine));
		return -EINVAL;
	}
	if (sc->fio_engine == FIO_PSYNC && sc->iodepth != 1) {
		fmt(why, len, "iodepth: psync is synchronous, one I/O at a time: iodepth must be 1 "
		    "(not %d)", sc->iodepth);
		return -EINVAL;
	}
	if (sc->bs > sc->size) {
		size_format(sc->bs, a, sizeof(a));
		size_format(sc->size, b, sizeof(b));
		fmt(why, len, "bs: %s is larger than size %s, the region fio does its I/O on", a, b);
		return -EINVAL;
	}
	return 0;
}

static const char *iomem_of(const struct scenario *sc, const struct fio_priv *p, char *tmp,
			    size_t len)
{
	switch (sc->backing) {
	case BACK_ANON_SHARED:
		return "mmapshared";
	case BACK_HUGETLB_2M:
		return "shmhuge";
	case BACK_FILE:
		fmt(tmp, len, "mmap:%s", p->mapfile);
		return tmp;
	default:
		return "mmap";
	}
}

/* The job file, from the scenario's keys; kept in the scenario's directory. */
static int job_write(struct mctx *c, struct fio_priv *p, char *why, size_t len)
{
	const struct scenario *sc = c->sc;
	char path[600], tmp[600];
	FILE *f;
	int fd;

	fmt(path, sizeof(path), "%s/job.fio", c->files);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		fmt(why, len, "writing %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -EIO;
	}
	fprintf(f, "; written by gupbench from the scenario's keys: one sample is one run of "
		   "this file\n[global]\n");
	fprintf(f, "ioengine=%s\n", fio_engine_name(sc->fio_engine));
	fprintf(f, "direct=1\n");
	/* the job is a thread of the process we start: its buffer is there */
	fprintf(f, "thread=1\n");
	fprintf(f, "filename=%s\n", c->target);
	fprintf(f, "size=%" PRIu64 "\n", sc->size);
	fprintf(f, "io_size=%" PRIu64 "\n", fio_ios(sc) * sc->bs);
	fprintf(f, "bs=%" PRIu64 "\n", sc->bs);
	fprintf(f, "rw=%s\n", fio_rw_name(sc->rw));
	fprintf(f, "iodepth=%d\n", sc->iodepth);
	if (sc->fio_engine == FIO_IO_URING)
		fprintf(f, "fixedbufs=%d\n", sc->fixedbufs);
	fprintf(f, "iomem=%s\n", iomem_of(sc, p, tmp, sizeof(tmp)));
	/* the buffer on a 2M boundary: PMD folios can cover it, and it can be found */
	fprintf(f, "iomem_align=2m\n");
	/* the same offsets in every sample and on every kernel */
	fprintf(f, "randrepeat=1\nnorandommap=1\n");
	fprintf(f, "exec_prerun='%s' __fio-mark pre\n", p->exe);
	fprintf(f, "exec_postrun='%s' __fio-mark post\n", p->exe);
	fprintf(f, "[" FIO_JOB "]\n");
	if (fclose(f)) {
		fmt(why, len, "writing %s: %s", path, strerror(errno));
		return -EIO;
	}
	return 0;
}

static int fio_init(struct mctx *c, char *why, size_t len)
{
	const struct scenario *sc = c->sc;
	struct fio_priv *p = calloc(1, sizeof(*p));
	const char *kind;
	ssize_t n;

	if (!p)
		return -ENOMEM;
	c->priv = p;
	if (!c->files || !c->target) {
		fmt(why, len, "the runner gave no directory or target for fio");
		return -EINVAL;
	}
	n = readlink("/proc/self/exe", p->exe, sizeof(p->exe) - 1);
	if (n <= 0 || strchr(p->exe, '\'') || strchr(p->exe, '\n')) {
		fmt(why, len, "this binary's path cannot go into a fio job file");
		return -EINVAL;
	}
	p->exe[n] = '\0';
	if (sc->backing == BACK_FILE)
		fmt(p->mapfile, sizeof(p->mapfile), "%s/gupbench-fio-buffer.%d", sc->dir,
		    (int)getpid());
	kind = sc->backing == BACK_ANON_SHARED ? "shared" : sc->backing == BACK_HUGETLB_2M ? "sysv" :
	       sc->backing == BACK_FILE ? "file" : "anon";
	fmt(p->buf_env, sizeof(p->buf_env), ENV_BUF "=%s %" PRIu64 " %s", kind, fio_buffer_bytes(sc),
	    p->mapfile);
	if (!strcmp(kind, "file") && (strchr(p->mapfile, ' ') || strchr(p->mapfile, ':'))) {
		fmt(why, len, "dir: fio's iomem=mmap:FILE cannot take a path with a space or a colon "
		    "(%s)", sc->dir);
		return -EINVAL;
	}
	fmt(c->note, sizeof(c->note), "fio %s%s, %s: ns is the mean completion latency of one I/O; "
	    "pins and faults over the I/O phase only", fio_engine_name(sc->fio_engine),
	    sc->fixedbufs ? " fixedbufs" : "", fio_rw_name(sc->rw));
	return job_write(c, p, why, len);
}

static void fio_fini(struct mctx *c)
{
	struct fio_priv *p = c->priv;

	if (p && p->mapfile[0])
		unlink(p->mapfile);
	free(p);
	c->priv = NULL;
}

/* A whole small file (the hooks' output, fio's JSON) into a new string. */
static char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	size_t cap = 65536, n = 0;
	char *s = NULL;
	ssize_t r;

	if (fd < 0)
		return NULL;
	s = malloc(cap + 1);
	while (s && (r = read(fd, s + n, cap - n)) > 0) {
		n += (size_t)r;
		if (n == cap) {
			char *g = realloc(s, 2 * cap + 1);

			if (!g) {
				free(s);
				s = NULL;
				break;
			}
			s = g;
			cap *= 2;
		}
	}
	close(fd);
	if (s) {
		s[n] = '\0';
		*len = n;
	}
	return s;
}

/* The last non-blank lines of fio's log: its own words for why it failed. */
static void log_tail(const char *path, char *dst, size_t len)
{
	size_t n = 0;
	char *s = slurp(path, &n), *end, *start;
	int lines = 0;

	dst[0] = '\0';
	if (!s)
		return;
	end = s + n;
	while (end > s && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	start = end;
	while (start > s && lines < 2)
		if (*--start == '\n')
			lines++;
	if (*start == '\n')
		start++;
	*end = '\0';
	for (char *q = start; *q; q++)
		if (*q == '\n')
			*q = ' ';
	fmt(dst, len, "%s", start);
	free(s);
}

/* What a hook printed: "name value" lines. */
struct mark {
	int have;
	int64_t pin_acq, pin_rel, pgalloc, cpu_ns;
	int exact;
	struct buf_got got;
	char located[160];
};

static void mark_parse(const char *text, struct mark *m)
{
	char key[32], val[160];
	const char *l = text;

	memset(m, 0, sizeof(*m));
	m->cpu_ns = -1;
	m->got.order = m->got.node = -1;
	while (l && *l) {
		if (sscanf(l, "%31s %159[^\n]", key, val) == 2) {
			m->have = 1;
			if (!strcmp(key, "nr_foll_pin_acquired"))
				m->pin_acq = strtoll(val, NULL, 10);
			else if (!strcmp(key, "nr_foll_pin_released"))
				m->pin_rel = strtoll(val, NULL, 10);
			else if (!strcmp(key, "fio_cpu_ns"))
				m->cpu_ns = strtoll(val, NULL, 10);
			else if (!strcmp(key, "pgalloc"))
				m->pgalloc = strtoll(val, NULL, 10);
			else if (!strcmp(key, "exact"))
				m->exact = atoi(val);
			else if (!strcmp(key, "buf_pages"))
				m->got.pages = strtoull(val, NULL, 10);
			else if (!strcmp(key, "buf_present"))
				m->got.present = strtoull(val, NULL, 10);
			else if (!strcmp(key, "buf_zero"))
				m->got.zero_pages = strtoull(val, NULL, 10);
			else if (!strcmp(key, "buf_order"))
				m->got.order = atoi(val);
			else if (!strcmp(key, "buf_hist"))
				fmt(m->got.hist, sizeof(m->got.hist), "%s", val);
			else if (!strcmp(key, "buf_exact"))
				m->got.exact = atoi(val);
			else if (!strcmp(key, "buf_node"))
				m->got.node = atoi(val);
			else if (!strcmp(key, "buf_node_hist"))
				fmt(m->got.node_hist, sizeof(m->got.node_hist), "%s", val);
			else if (!strcmp(key, "buf_located"))
				fmt(m->located, sizeof(m->located), "%s", val);
		}
		l = strchr(l, '\n');
		l = l ? l + 1 : NULL;
	}
}

/* The hook file fio wrote for this run, renamed to the run's own name, parsed. */
static int mark_take(struct mctx *c, const char *hook, const char *tag, struct mark *m)
{
	char from[600], to[600];
	size_t n;
	char *s;

	fmt(from, sizeof(from), "%s/" FIO_JOB ".%s.txt", c->files, hook);
	fmt(to, sizeof(to), "%s/%s.%s.txt", c->files, tag, hook);
	if (rename(from, to))
		return -ENOENT;
	s = slurp(to, &n);
	if (!s)
		return -EIO;
	mark_parse(s, m);
	free(s);
	return m->have ? 0 : -ENODATA;
}

/* Start fio in the scenario's directory; its pid, or -errno. */
static pid_t fio_spawn(struct mctx *c, struct fio_priv *p, const char *json, const char *log)
{
	posix_spawn_file_actions_t fa;
	char parent[64], out[640];
	char *argv[] = { "fio", "--output-format=json+", out, "job.fio", NULL };
	char **envp;
	size_t n = 0;
	pid_t pid;
	int ret;

	while (environ[n])
		n++;
	envp = calloc(n + 3, sizeof(*envp));
	if (!envp)
		return -ENOMEM;
	n = 0;
	for (char **e = environ; *e; e++)
		if (strncmp(*e, ENV_PARENT "=", strlen(ENV_PARENT) + 1) &&
		    strncmp(*e, ENV_BUF "=", strlen(ENV_BUF) + 1))
			envp[n++] = *e;
	fmt(parent, sizeof(parent), ENV_PARENT "=%d", (int)getpid());
	envp[n++] = parent;
	envp[n++] = p->buf_env;
	fmt(out, sizeof(out), "--output=%s", json);

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addchdir_np(&fa, c->files);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW,
					 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	/* the same process group: the runner's SIGTERM to the worker's group stops fio too */
	ret = posix_spawnp(&pid, "fio", &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	free(envp);
	return ret ? -ret : pid;
}

static int fio_workload(struct mctx *c, struct sample *s, char *why, size_t len)
{
	struct fio_priv *p = c->priv;
	const struct scenario *sc = c->sc;
	char tag[32], json[600], log[600], tail[160];
	const struct fio_dir *d;
	struct fio_result r;
	struct mark pre, post;
	int status, ret;
	size_t n = 0;
	char *text;
	uint64_t ios;
	pid_t pid;

	fmt(tag, sizeof(tag), "%03u", p->runs++);
	fmt(json, sizeof(json), "%s/%s.json", c->files, tag);
	fmt(log, sizeof(log), "%s/%s.log", c->files, tag);
	pid = fio_spawn(c, p, json, log);
	if (pid < 0) {
		fmt(why, len, "starting fio: %s", strerror((int)-pid));
		return (int)pid;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			fmt(why, len, "waiting for fio: %s", strerror(errno));
			return -errno;
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		log_tail(log, tail, sizeof(tail));
		if (WIFSIGNALED(status))
			fmt(why, len, "fio was killed by signal %d: %s", WTERMSIG(status), tail);
		else
			fmt(why, len, "fio exited with %d: %s", WEXITSTATUS(status), tail);
		return -EIO;
	}
	text = slurp(json, &n);
	if (!text) {
		fmt(why, len, "fio wrote no %s", json);
		return -EIO;
	}
	ret = fio_json_parse(text, n, &r, why, len);
	free(text);
	if (ret)
		return ret;
	if (mark_take(c, "prerun", tag, &pre) || mark_take(c, "postrun", tag, &post)) {
		fmt(why, len, "fio ran, but its exec_prerun/exec_postrun hooks left no counts "
		    "(see %s/%s.*)", c->files, tag);
		return -EIO;
	}
	d = sc->rw == FIO_RANDREAD || sc->rw == FIO_READ ? &r.read : &r.write;
	ios = r.read.ios + r.write.ios;
	if (!ios || !isfinite(d->clat_mean_ns)) {
		fmt(why, len, "fio did no I/O (%s)", json);
		return -EIO;
	}
	s->ns = (uint64_t)llround(d->clat_mean_ns);
	s->pages = sc->bs / PAGE_SZ;
	s->pins_acquired = post.pin_acq - pre.pin_acq;
	s->pins_released = post.pin_rel - pre.pin_rel;
	s->pins_exact = pre.exact && post.exact;
	s->got = post.got;
	s->got.order_asked = sc->order;
	s->got.node_asked = -1;
	s->io.ios = ios;
	s->io.iops = d->iops;
	s->io.clat_p50_ns = d->clat_p50_ns;
	s->io.clat_p99_ns = d->clat_p99_ns;
	fio_cpu_per_io(&r, &s->io.usr_ns, &s->io.sys_ns);
	s->io.faults = (double)(r.minf + r.majf) / (double)ios;
	s->io.allocs = (double)(post.pgalloc - pre.pgalloc) / (double)ios;
	/* on-CPU time per I/O: fio's threads' exact schedstat time over the I/O phase */
	if (pre.cpu_ns >= 0 && post.cpu_ns >= pre.cpu_ns) {
		s->cnt.v[PERF_CTR_TASK_CLOCK] = llround((double)(post.cpu_ns - pre.cpu_ns) / (double)ios);
		s->cnt.state[PERF_CTR_TASK_CLOCK] = PERF_MEASURED;
	}
	if (post.located[0] && strcmp(post.located, "exact"))
		fmt(s->note, sizeof(s->note), "%s; buffer %s", c->note, post.located);
	return 0;
}

static const char *const fio_ops[] = { "io", NULL };
static const char *const fio_keys[] = {
	"fio_engine", "fixedbufs", "iodepth", "bs", "rw", "target", "ios", NULL
};

const struct method method_fio = {
	.name = "fio",
	.syscall = "fio O_DIRECT I/O (io_uring, libaio, psync) on zram, null_blk, a file or a device",
	.kpath = "per I/O: iov_iter_extract_pages -> pin_user_pages_fast, unpin at completion "
		 "(6.2+; FOLL_GET before); fixedbufs: io_sqe_buffer_register pins once",
	.path = PATH_FAST,
	.ref = REF_PIN,
	.shape = SHAPE_WORKLOAD,
	.mem_factor = 1,
	.ops = fio_ops,
	.probe = fio_probe,
	.check = fio_check,
	.init = fio_init,
	.workload = fio_workload,
	.fini = fio_fini,
	.keys = fio_keys,
};

/* ---- the hooks: `gupbench __fio-mark pre|post`, run by fio in the job's thread ---- */

/* The fio process: our ancestor whose parent is the worker that started it. */
static pid_t fio_pid(void)
{
	const char *e = getenv(ENV_PARENT);
	pid_t worker = e ? (pid_t)atoi(e) : 0, pid = getppid();

	for (int depth = 0; worker > 0 && pid > 1 && depth < 8; depth++) {
		char path[64], *rp;
		pid_t ppid;
		size_t n;
		char *s;

		fmt(path, sizeof(path), "/proc/%d/stat", (int)pid);
		s = slurp(path, &n);
		if (!s)
			return -1;
		rp = strrchr(s, ')');
		if (!rp || sscanf(rp + 1, " %*c %d", &ppid) != 1)
			ppid = -1;
		free(s);
		if (ppid == worker)
			return pid;
		pid = ppid;
	}
	return -1;
}

/*
 * fio's buffer in its maps. The job file asks iomem_align=2M, so fio maps
 * bs x iodepth plus 2M less a page (rounded to bs x iodepth + 2M) and
 * starts the buffer 2M after the mapping's start: a file by its path, a
 * SysV hugetlb segment, or the mapping of that exact size and kind. Where
 * several have that size, the one with the most pages present in the
 * buffer's place wins (fio's I/O touched them all); none of that size: the
 * nearest, read back whole, and the row's note says so.
 */
#define FIO_ALIGN (2UL << 20)

static int buf_find(pid_t pid, const char *kind, uint64_t bytes, const char *file,
		    uint64_t *start, uint64_t *end, char *how, size_t len)
{
	uint64_t want = bytes + FIO_ALIGN, near = 0, nd = UINT64_MAX, got_present = 0;
	char path[64], line[1024];
	int exact = 0;
	FILE *f;

	fmt(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char perms[8] = "", name[600] = "";
		unsigned long long a, b;
		uint64_t size, d;
		int ok;

		if (sscanf(line, "%llx-%llx %7s %*s %*s %*s %599[^\n]", &a, &b, perms, name) < 3)
			continue;
		size = b - a;
		if (strncmp(perms, "rw", 2) || size < bytes)
			continue;
		if (!strcmp(kind, "file"))
			ok = !strcmp(name, file);
		else if (!strcmp(kind, "sysv"))
			ok = !strncmp(name, "/SYSV", 5) && size % FIO_ALIGN == 0;
		else if (!strcmp(kind, "shared"))
			ok = perms[3] == 's' && !strncmp(name, "/dev/zero", 9);
		else
			ok = perms[3] == 'p' && !name[0];
		if (!ok)
			continue;
		/* seen from fio 3.33: bs x iodepth + a page + twice the alignment */
		if (!strcmp(kind, "file") || !strcmp(kind, "sysv") || size == want ||
		    size == want + FIO_ALIGN + PAGE_SZ || size == want + PAGE_SZ) {
			/* the buffer's place: fio puts it one alignment after the mapping's start */
			uint64_t s0 = a + FIO_ALIGN;
			struct buf_got g;

			if (s0 + bytes > b)
				s0 = a;
			if (buf_readback(pid, (void *)(uintptr_t)s0, bytes, &g))
				continue;
			if (!exact || g.present > got_present) {
				exact = 1;
				got_present = g.present;
				*start = s0;
				*end = s0 + bytes;
			}
			continue;
		}
		d = size > want ? size - want : want - size;
		if (!exact && d < nd) {
			nd = d;
			near = a;
			*start = a;
			*end = b;
		}
	}
	fclose(f);
	if (exact) {
		fmt(how, len, "exact");
		return 0;
	}
	if (!near)
		return -ENOENT;
	fmt(how, len, "found by size only: the nearest mapping is %" PRIu64 " KiB for %" PRIu64
	    " KiB, read back whole", (*end - *start) >> 10, bytes >> 10);
	return 0;
}

/* On-CPU ns of all fio's threads (schedstat: exact, not tick-sampled); -1 if unreadable. */
static int64_t fio_cpu_ns(pid_t pid)
{
	char path[300];
	struct dirent *de;
	int64_t sum = 0;
	DIR *d;

	fmt(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		unsigned long long ns;
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		fmt(path, sizeof(path), "/proc/%d/task/%s/schedstat", (int)pid, de->d_name);
		f = fopen(path, "re");
		if (f && fscanf(f, "%llu", &ns) == 1)
			sum += (int64_t)ns;
		if (f)
			fclose(f);
	}
	closedir(d);
	return sum;
}

static int64_t pgalloc_sum(void)
{
	FILE *f = fopen("/proc/vmstat", "re");
	char name[64];
	long long v;
	int64_t sum = 0;

	if (!f)
		return 0;
	while (fscanf(f, "%63s %lld", name, &v) == 2)
		if (!strncmp(name, "pgalloc_", 8))
			sum += v;
	fclose(f);
	return sum;
}

int fio_mark_main(int argc, char **argv)
{
	const char *e = getenv(ENV_BUF);
	char kind[16] = "", file[512] = "", how[160];
	unsigned long long bytes = 0;
	uint64_t start = 0, end = 0;
	struct vmstat v;
	struct buf_got got;
	pid_t pid;

	if (argc != 2 || (strcmp(argv[1], "pre") && strcmp(argv[1], "post"))) {
		fprintf(stderr, "usage: gupbench __fio-mark pre|post (fio's hooks, from a job file "
			"gupbench wrote)\n");
		return 2;
	}
	/* counters first: what follows must not be in them */
	pid = fio_pid();
	printf("fio_cpu_ns %" PRId64 "\n", pid > 0 ? fio_cpu_ns(pid) : -1);
	vmstat_read(&v, 1);
	printf("exact %d\n", vmstat_exact());
	printf("nr_foll_pin_acquired %" PRId64 "\n", v.v[VM_nr_foll_pin_acquired]);
	printf("nr_foll_pin_released %" PRId64 "\n", v.v[VM_nr_foll_pin_released]);
	printf("pgalloc %" PRId64 "\n", pgalloc_sum());
	if (strcmp(argv[1], "post"))
		return 0;
	if (!e || sscanf(e, "%15s %llu %511s", kind, &bytes, file) < 2) {
		printf("buf_located not read back: no " ENV_BUF "\n");
		return 0;
	}
	if (pid < 0 || buf_find(pid, kind, bytes, file, &start, &end, how, sizeof(how))) {
		printf("buf_located not found in fio's maps (%s, %llu bytes)\n", kind, bytes);
		return 0;
	}
	if (buf_readback(pid, (void *)(uintptr_t)start, end - start, &got)) {
		printf("buf_located not read back (pagemap of fio: %s)\n", strerror(errno));
		return 0;
	}
	printf("buf_located %s\n", how);
	printf("buf_pages %" PRIu64 "\nbuf_present %" PRIu64 "\nbuf_zero %" PRIu64 "\n", got.pages,
	       got.present, got.zero_pages);
	printf("buf_order %d\nbuf_exact %d\nbuf_node %d\n", got.order, got.exact, got.node);
	if (got.hist[0])
		printf("buf_hist %s\n", got.hist);
	if (got.node_hist[0])
		printf("buf_node_hist %s\n", got.node_hist);
	return 0;
}
