// SPDX-License-Identifier: GPL-2.0
/*
 * process_vm_readv(2) / process_vm_writev(2): remote pins, one call that
 * pins, copies and unpins.
 *
 * Kernel path (6.x, mm/process_vm_access.c):
 *   process_vm_rw() -> process_vm_rw_core()
 *     find_get_task_by_vpid(); mm_access(PTRACE_MODE_ATTACH_REALCREDS)
 *     per remote iovec: process_vm_rw_single_vec(), in rounds of at most
 *     PVM_MAX_KMALLOC_PAGES / sizeof(struct page *) = 1024 pages:
 *       mmap_read_lock(remote mm)
 *       pin_user_pages_remote(mm, ..., write ? FOLL_WRITE : 0)
 *       mmap_read_unlock()
 *       copy_page_to_iter() (read) / copy_page_from_iter() (write)
 *       unpin_user_pages_dirty_lock(pages, n, write)
 *
 * The pinned pages must belong to another mm, so the roles are: the
 * buffer under test lives in this (worker) process, and a peer child
 * forked in init() makes the syscalls with the worker as target. The peer
 * owns a populated local buffer of the same size: pvm-read copies the
 * worker's buffer into it, pvm-write copies it into the worker's buffer.
 * The two talk over a socketpair; the peer times only its syscalls and
 * sends the time back, so the round trip is not in the numbers.
 *
 * Counters: the pins, copies and faults happen in the peer, which the
 * worker's counters (perf.c, per thread) do not see. The peer opens its
 * own after fork(), counts its syscall windows the same way, and sends
 * the deltas with its reply; the worker puts them in the sample
 * (mctx.peer_cnt). Pages faulted in on the worker's side by the remote
 * GUP are allocated in the peer's context and count there.
 *
 * Timed: the process_vm_readv/writev calls, summed (one per GiB piece, so
 * each stays far below MAX_RW_COUNT). ns[0] is the whole transfer.
 *
 * What the numbers include besides GUP: the copy of every byte (for
 * order-0 pages it costs more than the pin), the task lookup and ptrace
 * access check, the page array kmalloc, one mmap_lock round trip per 1024
 * pages, and for pvm-write set_page_dirty_lock() on every page at unpin.
 * pvm-read pins R/O: never-written pages of the worker are the shared
 * zero page, which since 6.5 is pinned without touching any refcount and
 * without counting in nr_foll_pin_acquired/released.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* process_vm_readv/writev */
#endif
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "method.h"
#include "util.h"

#define PVM_PIECE	(1ULL << 30)	/* bytes per syscall */
#define PVM_FILL	0x5a		/* the peer buffer's content */

struct pvm_req {
	uint64_t addr;		/* in the worker */
	uint64_t len;
	uint32_t write;		/* 1: process_vm_writev into the worker */
	uint32_t pad;
};

enum pvm_stage { PVM_STAGE_SYSCALL, PVM_STAGE_PEER_BUF };

struct pvm_rep {
	uint64_t ns;		/* sum of the syscall times */
	int64_t bytes;		/* bytes transferred */
	int32_t err;		/* errno of the failing step, 0 if none */
	uint32_t stage;		/* enum pvm_stage of the failing step */
	struct perf_counts cnt;	/* the peer's counters over its syscall windows */
};

struct pvm_priv {
	pid_t peer;
	int sock;
};

/*
 * ---- the peer (child) side: syscalls only, no stdio; malloc only in
 * perf_open() (glibc's malloc is usable in a fork child) ----
 */

static ssize_t pvm_xfer(int sock, void *p, size_t n, int out)
{
	ssize_t r;

	do
		r = out ? write(sock, p, n) : read(sock, p, n);
	while (r < 0 && errno == EINTR);
	return r;
}

struct pvm_lbuf {
	char *addr;
	size_t len;
};

/* Make the local buffer at least len bytes, populated by writing. */
static int pvm_lbuf_grow(struct pvm_lbuf *l, uint64_t len)
{
	size_t want = (len + PAGE_SZ - 1) & ~(PAGE_SZ - 1);
	void *m;

	if (want <= l->len)
		return 0;
	if (l->addr)
		munmap(l->addr, l->len);
	l->addr = NULL;
	l->len = 0;
	m = mmap(NULL, want, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -errno;
	/*
	 * Real pages, written: otherwise pvm-read's copy would fault them in
	 * (and pvm-write would copy from the zero page) inside the timing.
	 */
	memset(m, PVM_FILL, want);
	l->addr = m;
	l->len = want;
	return 0;
}

static void pvm_serve(pid_t target, struct pvm_lbuf *l,
		      const struct pvm_req *q, struct pvm_rep *r)
{
	uint64_t off = 0;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = pvm_lbuf_grow(l, q->len);
	if (ret) {
		r->err = -ret;
		r->stage = PVM_STAGE_PEER_BUF;
		return;
	}
	perf_op_start();
	while (off < q->len) {
		uint64_t piece = q->len - off;
		struct iovec li, ri;
		struct opwin win;
		ssize_t n;

		if (piece > PVM_PIECE)
			piece = PVM_PIECE;
		li.iov_base = l->addr + off;
		li.iov_len = piece;
		ri.iov_base = (void *)(uintptr_t)(q->addr + off);
		ri.iov_len = piece;

		opwin_begin(&win);
		if (q->write)
			n = process_vm_writev(target, &li, 1, &ri, 1, 0);
		else
			n = process_vm_readv(target, &li, 1, &ri, 1, 0);
		r->ns += opwin_end(&win);
		if (n < 0) {
			r->err = errno;
			r->stage = PVM_STAGE_SYSCALL;
			return;
		}
		r->bytes += n;
		if ((uint64_t)n != piece)
			return;		/* short: the worker reports it */
		off += piece;
	}
	perf_op_read(0, &r->cnt);
}

static void __attribute__((noreturn))
pvm_peer_main(int sock, pid_t target, uint64_t size)
{
	struct pvm_lbuf l = { NULL, 0 };
	struct sigaction sa;
	sigset_t all;
	int sig;

	/*
	 * The worker's handlers (e.g. restoring sysfs knobs on SIGTERM) must
	 * not run in the peer: back to defaults, nothing blocked.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);

	/* Die with the worker; it may already be gone before prctl. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != target)
		_exit(1);

	/*
	 * Our own counters: the worker's fds (inherited if it opened them
	 * before forking us) would count the worker. Where they cannot
	 * open, the states in each reply say why (unsupported / empty).
	 */
	perf_open();

	/* A populated buffer up front, so the first sample does not pay. */
	if (size)
		pvm_lbuf_grow(&l, size);

	for (;;) {
		struct pvm_req q;
		struct pvm_rep r;

		if (pvm_xfer(sock, &q, sizeof(q), 0) != sizeof(q))
			_exit(0);	/* worker closed: fini or death */
		pvm_serve(target, &l, &q, &r);
		if (pvm_xfer(sock, &r, sizeof(r), 1) != sizeof(r))
			_exit(0);
	}
}

/* ---- the worker side ---- */

static int pvm_probe(char *why, size_t len)
{
	char src = 1, dst = 0;
	struct iovec li = { &dst, 1 }, ri = { &src, 1 };
	int err;

	/* Reading our own memory is always allowed: only ENOSYS says no. */
	if (process_vm_readv(getpid(), &li, 1, &ri, 1, 0) == 1)
		return 0;
	err = errno;
	if (err == ENOSYS)
		fmt(why, len, "process_vm_readv: ENOSYS: kernel built without CONFIG_CROSS_MEMORY_ATTACH");
	else
		fmt(why, len, "process_vm_readv of self: %s", strerror(err));
	return -err;
}

static void pvm_rep_why(const struct pvm_rep *r, int write, char *why, size_t len)
{
	const char *call = write ? "process_vm_writev" : "process_vm_readv";

	if (r->stage == PVM_STAGE_PEER_BUF)
		fmt(why, len, "peer: local buffer: %s", strerror(r->err));
	else if (r->err == EPERM)
		fmt(why, len, "%s: EPERM: peer may not access the worker (Yama ptrace_scope, LSM, dumpable?)", call);
	else if (r->err == EFAULT)
		fmt(why, len, "%s: EFAULT: worker range not mapped or not accessible", call);
	else
		fmt(why, len, "%s: %s", call, strerror(r->err));
}

static int pvm_call(struct pvm_priv *p, const struct pvm_req *q,
		    struct pvm_rep *r, char *why, size_t len)
{
	if (pvm_xfer(p->sock, (void *)q, sizeof(*q), 1) != sizeof(*q)) {
		fmt(why, len, "peer request: %s", strerror(errno ? errno : EPIPE));
		return -EPIPE;
	}
	if (pvm_xfer(p->sock, r, sizeof(*r), 0) != sizeof(*r)) {
		fmt(why, len, "peer died or did not reply");
		return -EPIPE;
	}
	if (r->err) {
		pvm_rep_why(r, q->write, why, len);
		return -r->err;
	}
	if ((uint64_t)r->bytes != q->len) {
		fmt(why, len, "short transfer: %lld of %llu bytes",
		    (long long)r->bytes, (unsigned long long)q->len);
		return -EIO;
	}
	return 0;
}

static void pvm_fini(struct mctx *c)
{
	struct pvm_priv *p = c->priv;

	if (!p)
		return;
	close(p->sock);
	kill(p->peer, SIGKILL);
	while (waitpid(p->peer, NULL, 0) < 0 && errno == EINTR)
		;
	free(p);
	c->priv = NULL;
}

static int pvm_init(struct mctx *c, char *why, size_t len)
{
	uint64_t size = c->buf && c->buf->spec.size ? c->buf->spec.size :
			c->sc ? c->sc->size : 0;
	volatile uint64_t probe_word = 0x67757062656e6368ULL;
	struct pvm_req q = { 0 };
	struct pvm_rep r;
	struct pvm_priv *p;
	int hide, ret, sv[2];
	pid_t self = getpid(), pid;

	p = calloc(1, sizeof(*p));
	if (!p) {
		fmt(why, len, "out of memory");
		return -ENOMEM;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		ret = -errno;
		fmt(why, len, "socketpair: %s", strerror(-ret));
		free(p);
		return ret;
	}

	/*
	 * If the buffer already exists, keep it out of the child: a COW
	 * copy would write-protect the worker's PTEs and the peer's mapping
	 * would share its pages, changing what the next pin meets.
	 */
	hide = c->buf && c->buf->map && c->buf->map_len &&
	       !madvise(c->buf->map, c->buf->map_len, MADV_DONTFORK);

	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		pvm_peer_main(sv[1], self, size);
	}
	ret = pid < 0 ? -errno : 0;
	if (hide)
		madvise(c->buf->map, c->buf->map_len, MADV_DOFORK);
	close(sv[1]);
	if (ret) {
		fmt(why, len, "fork: %s", strerror(-ret));
		close(sv[0]);
		free(p);
		return ret;
	}
	p->peer = pid;
	p->sock = sv[0];
	c->priv = p;

	/*
	 * Yama (ptrace_scope 1) lets a child at its parent only if asked.
	 * The exception is one per process: with several workers' threads
	 * each forking a peer, only the last one is let in, unless root
	 * (CAP_SYS_PTRACE) or Yama off. The ping below says so if it bites.
	 * PDEATHSIG likewise follows the forking thread, not the process:
	 * init and fini must run on a thread that lives as long as the peer.
	 */
	prctl(PR_SET_PTRACER, (unsigned long)pid, 0, 0, 0);

	/* See now, with a reason, whether the peer may reach us at all. */
	q.addr = (uintptr_t)&probe_word;
	q.len = sizeof(probe_word);
	q.write = 0;
	ret = pvm_call(p, &q, &r, why, len);
	if (ret) {
		pvm_fini(c);
		return ret;
	}
	fmt(c->note, sizeof(c->note),
	    "one call pins, copies every byte and unpins, 1024 pages per mmap_lock round; peer-timed syscall only; counters: the peer's");
	return 0;
}

static int pvm_cycle(struct mctx *c, uint64_t ns[METHOD_MAX_OPS], char *why, size_t len)
{
	struct pvm_priv *p = c->priv;
	struct pvm_req q = { 0 };
	struct pvm_rep r;
	int ret;

	if (!c->buf || !c->buf->addr || !c->buf->spec.size) {
		fmt(why, len, "no buffer to transfer");
		return -EINVAL;
	}
	q.addr = (uintptr_t)c->buf->addr;
	q.len = c->buf->spec.size;
	q.write = c->write;
	ret = pvm_call(p, &q, &r, why, len);
	if (ret)
		return ret;
	ns[0] = r.ns;
	ns[1] = 0;
	c->peer_cnt = r.cnt;
	c->peer_counted = 1;
	return 0;
}

const struct method method_pvm_read = {
	.name = "pvm-read",
	.syscall = "process_vm_readv (peer process reads the worker's buffer)",
	.kpath = "process_vm_rw_core>process_vm_rw_single_vec>pin_user_pages_remote(0)+copy+unpin_user_pages_dirty_lock",
	.path = PATH_REMOTE,
	.ref = REF_PIN,
	.shape = SHAPE_COMBINED,
	.mem_factor = 2,
	.probe = pvm_probe,
	.init = pvm_init,
	.cycle = pvm_cycle,
	.fini = pvm_fini,
};

const struct method method_pvm_write = {
	.name = "pvm-write",
	.write_op = 1,
	.syscall = "process_vm_writev (peer process writes the worker's buffer)",
	.kpath = "process_vm_rw_core>process_vm_rw_single_vec>pin_user_pages_remote(FOLL_WRITE)+copy+unpin_user_pages_dirty_lock",
	.path = PATH_REMOTE,
	.ref = REF_PIN,
	.shape = SHAPE_COMBINED,
	.flags = M_WRITE,
	.mem_factor = 2,
	.probe = pvm_probe,
	.init = pvm_init,
	.cycle = pvm_cycle,
	.fini = pvm_fini,
};
