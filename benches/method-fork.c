// SPDX-License-Identifier: GPL-2.0
/*
 * fork() of a process that holds a buffer pinned (pinned=yes), not pinned
 * (pinned=no), or pinned and MADV_DONTFORK (pinned=dontfork). The pin is
 * taken once, through pin_method (iouring by default), and held for the
 * whole scenario; fork itself takes no GUP reference (ref=none). What is
 * measured is what a pin costs elsewhere: at fork, the kernel must not
 * share a page a device may be writing, so it copies it there and then.
 *
 * Kernel path (6.x; read in mm/memory.c, mm/huge_memory.c, and dup_mmap in
 * kernel/fork.c or, in recent kernels, mm/mmap.c):
 *   fork() -> kernel_clone -> copy_process -> copy_mm -> dup_mm -> dup_mmap
 *     mmap_write_lock(parent mm); per VMA:
 *       VM_DONTCOPY (MADV_DONTFORK): skipped, the child has no such VMA;
 *       otherwise vm_area_dup, anon_vma_fork, and copy_page_range() when
 *       vma_needs_copy() (anon memory: yes; shared file/shmem without
 *       anon pages: no, the child faults them in itself)
 *   copy_page_range: write_protect_seq begin (COW mappings), walk
 *     copy_pud_range -> copy_pmd_range:
 *       PMD THP: copy_huge_pmd()
 *         folio_try_dup_anon_rmap_pmd() -> __folio_try_dup_anon_rmap():
 *         the folio is exclusive and folio_needs_cow_for_dma() (COW
 *         mapping && MMF_HAS_PINNED && folio_maybe_dma_pinned()) -> -EBUSY.
 *         Not pinned: the PMD is shared, write-protected in parent and
 *           child (pmdp_set_wrprotect): 1 entry per 2 MiB.
 *         Pinned: "Page maybe pinned: split and retry the fault on PTEs":
 *           __split_huge_pmd() on the *parent's* PMD (the folio stays one
 *           large, pinned folio, now mapped by 512 PTEs; thp_split_pmd +1),
 *           -EAGAIN, and copy_pmd_range falls through to copy_pte_range,
 *           which copies the 512 pages one by one as below. The child gets
 *           512 order-0 pages per THP; the parent keeps its THP PTE-mapped,
 *           so every later fork meets PTEs, not a PMD (only the first fork
 *           after the pin pays the split).
 *       PTEs: copy_pte_range -> copy_present_ptes():
 *         anon folio, folio_try_dup_anon_rmap_pte(s)() as above.
 *         Not pinned: rmap duplicated, PageAnonExclusive cleared, PTEs
 *           write-protected in both (batched per large folio since 6.9).
 *         Pinned: copy_present_page() needs a new page: the first try
 *           returns -EAGAIN, copy_pte_range drops both PTE locks,
 *           folio_prealloc() (GFP_HIGHUSER_MOVABLE, may sleep, memcg
 *           charge), and restarts at that address; then
 *           copy_mc_user_highpage (4 KiB, machine-check safe), new anon
 *           rmap, LRU, and a child PTE that is dirty and writable. The
 *           parent's PTE stays writable and exclusive: its page is still
 *           the pinned one.
 *         So a pinned page costs, in the parent's fork: a page allocation,
 *         a 4 KiB copy and one unlock/relock of the page tables.
 *         PTE-mapped large folios (mTHP, or a pinned THP after the split)
 *         pay more per page: with no page preallocated, copy_present_ptes
 *         first tries to batch the rest of the folio (folio_pte_batch, up
 *         to 511 PTEs read), the dup fails, -EAGAIN; every copy uses up
 *         the preallocated page, so the scan repeats for every page:
 *         O(n^2) PTE reads per folio. Here the per-page fork cost rises
 *         with the folio order, and perf puts most samples in
 *         copy_page_range itself (where all this is inlined) at PMD order.
 *         That is the pinned fork cost of THP, not only the copying.
 *   MMF_HAS_PINNED is set on the first FOLL_PIN of the mm and never
 *   cleared; with pinned=no this worker never pins, so the check stops
 *   there. folio_maybe_dma_pinned() is exact for large folios (_pincount)
 *   and a heuristic for small ones (refcount >= GUP_PIN_COUNTING_BIAS).
 *
 * Ops (one cycle times all three):
 *   fork            the parent's fork() call: from before it to its
 *                   return in the parent (glibc's atfork work included,
 *                   microseconds). The child waits for a go byte, writes
 *                   one byte per 4 KiB page of its buffer with its own
 *                   clock, sends the ns back and waits to be let go.
 *   child-write     the child's first write to every page: the COW
 *                   faults. Pinned pages were already copied at fork and
 *                   their PTEs are writable: no fault, only TLB and cache
 *                   misses. Unpinned 4 KiB: one do_wp_page -> wp_page_copy
 *                   (allocate, copy) per page. Unpinned PMD THP: the first
 *                   write per 2 MiB splits the child's PMD
 *                   (do_huge_pmd_wp_page -> fallback), then 4 KiB COW per
 *                   page. Zero-page chunks: a zeroed page per page.
 *                   MADV_DONTFORK: the child has no buffer: not applicable.
 *                   Timed in the child with now_ns(), not opwin: the opwin
 *                   hooks and their counters belong to the parent (op 1
 *                   has no window in the parent).
 *   fork-exit-wait  fork() + the child's immediate _exit(0) + the parent's
 *                   waitpid(): includes the child's exit_mmap (freeing the
 *                   copies of pinned pages) and the wake-up.
 * Between forks the parent writes one byte per written page again,
 * untimed, so that every fork meets what the first one met (writable,
 * exclusive PTEs): a fork leaves unpinned PTEs write-protected.
 *
 * The pin is taken before the first fork, outside the timed windows: in
 * init() if the buffer already exists, else in the first cycle (the worker
 * builds the buffer after init(); that sample's pins_acquired shows it).
 * If the buffer was rebuilt (another address, or the cookie this method
 * writes into its first bytes is gone) it is pinned again; with
 * rebuild=each every sample forks a freshly pinned buffer (at PMD order,
 * the split then is in every sample).
 *
 * The children never outlive the worker (PR_SET_PDEATHSIG, EOF on the go
 * pipe) and only make system calls (no stdio, no malloc, _exit so no
 * atexit handler of the worker runs).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "method.h"
#include "method-fork.h"
#include "util.h"

void (*fork_test_hook)(pid_t child, enum fork_hook_stage stage, void *arg);
void *fork_test_hook_arg;

enum fork_mode { FORK_PINNED, FORK_UNPINNED, FORK_DONTFORK };

/* What the child of the "fork" op found and did. */
enum fork_child_kind {
	FORK_CHILD_WROTE = 1,	/* ns: the write of every page */
	FORK_CHILD_NO_BUFFER,	/* nothing mapped at the buffer's address */
};

struct fork_rep {
	uint64_t ns;
	uint32_t kind;		/* enum fork_child_kind */
	uint32_t pad;
};

/* Written into the first bytes of a pinned buffer: gone after a rebuild. */
#define FORK_COOKIE	0x6b726f666b707567ULL	/* "gupkfork" */
#define FORK_CHILD_ORPHAN 3	/* the child's exit status when its parent was gone */

struct fork_priv {
	enum fork_mode mode;
	const struct method *pm;	/* pin method (pinned modes) */
	struct mctx pc;			/* its context: same scenario and buffer */
	int pm_inited;
	int pinned;			/* pm holds a pin on the buffer */
	void *pin_addr;			/* the buffer's address when pinned */
	uint64_t pin_size;
};

static int fork_mode_of(const struct scenario *sc)
{
	if (!sc || sc->pinned == PINNED_YES)
		return FORK_PINNED;
	if (sc->pinned == PINNED_NO)
		return FORK_UNPINNED;
	if (sc->pinned == PINNED_DONTFORK)
		return FORK_DONTFORK;
	return -1;
}

/* Can pm hold a pin for the whole scenario? 1, or 0 with the reason. */
static int fork_pin_method_ok(const struct method *pm, const char *name, char *why, size_t len)
{
	char ok[128] = "";
	size_t off = 0;

	if (pm && pm->pin && pm->unpin && pm->ref == REF_PIN &&
	    pm->shape == SHAPE_SEPARATE)
		return 1;
	/* name the ones that can, from the table */
	for (size_t i = 0; i < method_count(); i++) {
		const struct method *m = method_at(i);

		if (m->pin && m->unpin && m->ref == REF_PIN &&
		    m->shape == SHAPE_SEPARATE && off < sizeof(ok))
			off += (size_t)snprintf(ok + off, sizeof(ok) - off, "%s%s",
						off ? ", " : "", m->name);
	}
	if (!pm)
		fmt(why, len, "pin_method %s: no such method", name);
	else if (pm->ref != REF_PIN)
		fmt(why, len, "pin_method %s takes %s, not FOLL_PIN: fork copies only "
		    "maybe-DMA-pinned pages (use one of: %s)", name,
		    pm->ref == REF_GET ? "FOLL_GET references" : "no reference", ok);
	else
		fmt(why, len, "pin_method %s does not hold a pin between two calls (it pins and "
		    "unpins in one go): use one of: %s", name, ok);
	return 0;
}

static int fork_probe(char *why, size_t len)
{
	/* fork() is always there; the pin method is probed per scenario (check, init) */
	return 0;
}

static int fork_check(const struct scenario *sc, char *why, size_t len)
{
	int mode = fork_mode_of(sc);
	const struct method *pm;
	struct scenario psc;
	struct rlimit rl;
	char reason[160];
	char tmp[200];
	int b = sc->backing;

	if (mode < 0) {
		fmt(why, len, "pinned: \"%s\" is not yes, no or dontfork", pinned_name(sc->pinned));
		return -EINVAL;
	}
	if (buf_backing_hugetlb_order(b) >= 0) {
		/*
		 * A private hugetlb buffer's pinned pages are copied at fork,
		 * and written unpinned ones COW in the child, from the pool,
		 * which gupbench sizes for one buffer: the fork would fail or
		 * the child die of SIGBUS.
		 */
		fmt(why, len, "backing %s: fork needs a second set of huge pages from the pool "
		    "(pinned copies, COW in the child), which gupbench sizes for one buffer",
		    buf_backing_name(sc->backing));
		return -EINVAL;
	}
	if (sc->threads != 1) {
		/* fork copies the whole process: every lane's buffer, not one */
		fmt(why, len, "threads=%d: a fork copies the whole worker, every lane's buffer at "
		    "once; fork takes threads=1", sc->threads);
		return -EINVAL;
	}
	if (mode == FORK_UNPINNED)
		return 0;

	pm = method_find(sc->pin_method);
	if (pm && !strcmp(pm->name, "fork")) {
		fmt(why, len, "pin_method cannot be fork itself");
		return -EINVAL;
	}
	if (!fork_pin_method_ok(pm, sc->pin_method, why, len))
		return -EINVAL;
	if (!sc->populate) {
		fmt(why, len, "pinned=%s needs populate=yes: the pin faults the whole buffer in "
		    "(and the worker would rebuild it every sample)", pinned_name(sc->pinned));
		return -EINVAL;
	}
	if (sc->zero > 0 && (pm->flags & M_WRITE)) {
		fmt(why, len, "pinned=%s with zero=%g: %s pins for write, which replaces the zero "
		    "pages with new ones before the first fork; use zero=0 (zero applies to pinned=no)",
		    pinned_name(sc->pinned), sc->zero, pm->name);
		return -EINVAL;
	}
	if (b == BACK_FILE && method_refuses_file(pm, reason, sizeof(reason))) {
		fmt(why, len, "pin_method %s cannot pin file memory: %s", pm->name, reason);
		return -EINVAL;
	}
	if ((pm->flags & M_MEMLOCK) && !have_cap(CAP_IPC_LOCK) && !getrlimit(RLIMIT_MEMLOCK, &rl) &&
	    rl.rlim_cur != RLIM_INFINITY && sc->size > rl.rlim_cur) {
		fmt(why, len, "pin_method %s: size is over RLIMIT_MEMLOCK (%llu bytes) without "
		    "CAP_IPC_LOCK (raise it with ulimit -l or run as root)", pm->name,
		    (unsigned long long)rl.rlim_cur);
		return -EINVAL;
	}
	psc = *sc;
	fmt(psc.method, sizeof(psc.method), "%s", pm->name);
	if (pm->check && pm->check(&psc, tmp, sizeof(tmp))) {
		fmt(why, len, "pin_method %s: %s", pm->name, tmp);
		return -EINVAL;
	}
	if (method_probe(pm, tmp, sizeof(tmp))) {
		fmt(why, len, "pin_method %s cannot run here: %s", pm->name, tmp);
		return -EINVAL;
	}
	return 0;
}

/*
 * Take the pin if it is not held on the buffer as it is now. Untimed;
 * the buffer is populated (check() wants populate=yes for pinned modes).
 */
static int fork_pin_ensure(struct mctx *c, struct fork_priv *p, char *why, size_t len)
{
	struct buf *b = c->buf;
	uint64_t ns;
	char tmp[200];
	int ret;

	if (p->mode == FORK_UNPINNED)
		return 0;
	if (!b || !b->addr || !b->spec.size) {
		fmt(why, len, "no buffer to pin");
		return -EINVAL;
	}
	if (p->pinned && p->pin_addr == b->addr && p->pin_size == b->spec.size &&
	    (b->spec.size < sizeof(uint64_t) || *(volatile uint64_t *)b->addr == FORK_COOKIE))
		return 0;
	if (p->pinned) {
		/* the buffer was rebuilt: the old pages go, the new ones get pinned */
		ret = p->pm->unpin(&p->pc, &ns, tmp, sizeof(tmp));
		if (ret) {
			fmt(why, len, "pin_method %s: unpin of the rebuilt buffer: %s", p->pm->name, tmp);
			return ret;
		}
		p->pinned = 0;
	}
	if (p->mode == FORK_DONTFORK && madvise(b->map, b->map_len, MADV_DONTFORK)) {
		ret = -errno;
		fmt(why, len, "madvise(MADV_DONTFORK): %s", strerror(-ret));
		return ret;
	}
	ret = p->pm->pin(&p->pc, &ns, tmp, sizeof(tmp));
	if (ret) {
		fmt(why, len, "pin_method %s: %s", p->pm->name, tmp);
		return ret;
	}
	p->pinned = 1;
	p->pin_addr = b->addr;
	p->pin_size = b->spec.size;
	if (b->spec.size >= sizeof(uint64_t))
		*(volatile uint64_t *)b->addr = FORK_COOKIE;
	return 0;
}

static void fork_fini(struct mctx *c)
{
	struct fork_priv *p = c->priv;
	uint64_t ns;
	char why[200];

	if (!p)
		return;
	if (p->pinned)
		p->pm->unpin(&p->pc, &ns, why, sizeof(why));
	if (p->pm_inited)
		method_fini(p->pm, &p->pc);
	free(p);
	c->priv = NULL;
}

static void fork_note(struct mctx *c, const struct fork_priv *p)
{
	int thp = c->sc && c->sc->order >= 9;

	switch (p->mode) {
	case FORK_PINNED:
		fmt(c->note, sizeof(c->note), "pinned by %s, held; fork copies each pinned page%s; "
		    "child-write has no COW left", p->pm->name,
		    thp ? " (1st fork splits the PMD)" : "");
		break;
	case FORK_UNPINNED:
		fmt(c->note, sizeof(c->note), "not pinned: fork shares write-protected; child-write: "
		    "1 COW fault/page%s; parent rewrites pages between forks",
		    thp ? " after a PMD split" : "");
		break;
	case FORK_DONTFORK:
		fmt(c->note, sizeof(c->note), "pinned by %s + MADV_DONTFORK: the child gets no buffer "
		    "VMA, fork skips it", p->pm->name);
		break;
	}
}

static int fork_init(struct mctx *c, char *why, size_t len)
{
	struct fork_priv *p;
	char tmp[200];
	int mode = fork_mode_of(c->sc), ret;

	if (mode < 0) {
		fmt(why, len, "pinned: \"%s\" is not yes, no or dontfork",
		    pinned_name(c->sc->pinned));
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		fmt(why, len, "out of memory");
		return -ENOMEM;
	}
	p->mode = mode;
	c->priv = p;
	if (mode != FORK_UNPINNED) {
		const char *name = c->sc ? c->sc->pin_method : "iouring";

		p->pm = method_find(name);
		if (!fork_pin_method_ok(p->pm, name, why, len)) {
			fork_fini(c);
			return -EINVAL;
		}
		ret = method_probe(p->pm, tmp, sizeof(tmp));
		if (!ret) {
			p->pc.sc = c->sc;
			p->pc.buf = c->buf;
			ret = method_init(p->pm, &p->pc, tmp, sizeof(tmp));
		}
		if (ret) {
			fmt(why, len, "pin_method %s: %s", p->pm->name, tmp);
			fork_fini(c);
			return ret;
		}
		p->pm_inited = 1;
	}
	/* a buffer built before init (the tests): pin it now, outside any sample */
	if (c->buf && c->buf->addr) {
		ret = fork_pin_ensure(c, p, why, len);
		if (ret) {
			fork_fini(c);
			return ret;
		}
	}
	fork_note(c, p);
	return 0;
}

/* ---- the children: system calls only ---- */

static ssize_t fork_xfer(int fd, void *buf, size_t n, int out)
{
	ssize_t r;

	do
		r = out ? write(fd, buf, n) : read(fd, buf, n);
	while (r < 0 && errno == EINTR);
	return r;
}

/*
 * The child of the "fork" op: wait for go, write one byte per page of its
 * copy of the buffer (the COW faults) under its own clock, report, wait
 * for EOF on the go pipe, _exit. Only async-signal-safe calls.
 */
static void __attribute__((noreturn))
fork_child(int go, int rep, pid_t parent, char *addr, uint64_t size)
{
	struct fork_rep r = { 0 };
	unsigned char vec, byte;

	/* Die with the worker; it may already be gone before prctl. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(FORK_CHILD_ORPHAN);
	if (fork_xfer(go, &byte, 1, 0) != 1)
		_exit(0);	/* the parent gave up */

	if (mincore(addr, PAGE_SZ, &vec) && errno == ENOMEM) {
		r.kind = FORK_CHILD_NO_BUFFER;
	} else {
		uint64_t t0, off;

		r.kind = FORK_CHILD_WROTE;
		t0 = now_ns();
		for (off = 0; off < size; off += PAGE_SZ)
			*(volatile char *)(addr + off) = 1;
		r.ns = now_ns() - t0;
	}
	if (fork_xfer(rep, &r, sizeof(r), 1) != sizeof(r))
		_exit(0);
	/* stay until the parent has looked (test hook) and closed the pipe */
	while (fork_xfer(go, &byte, 1, 0) > 0)
		;
	_exit(0);
}

/* ---- the parent ---- */

static int fork_reap(pid_t pid, const char *what, char *why, size_t len)
{
	int st;

	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			fmt(why, len, "%s: waitpid: %s", what, strerror(errno));
			return -errno;
		}
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFSIGNALED(st))
		fmt(why, len, "%s: the child died of signal %d (%s)", what, WTERMSIG(st),
		    strsignal(WTERMSIG(st)));
	else
		fmt(why, len, "%s: the child exited with status %d", what, WEXITSTATUS(st));
	return -ECHILD;
}

static void fork_hook(pid_t pid, enum fork_hook_stage stage)
{
	if (fork_test_hook)
		fork_test_hook(pid, stage, fork_test_hook_arg);
}

/* ns[0]: the parent's fork(); ns[1]: the child's writes (or not applicable). */
static int fork_op_fork(struct mctx *c, struct fork_priv *p, uint64_t ns[METHOD_MAX_OPS],
			char *why, size_t len)
{
	struct buf *b = c->buf;
	struct fork_rep r;
	struct opwin w;
	pid_t parent = getpid(), pid;
	int go[2], rep[2], ret = 0;
	char byte = 'g';
	uint64_t t;

	if (pipe2(go, O_CLOEXEC)) {
		ret = -errno;
		fmt(why, len, "pipe: %s", strerror(-ret));
		return ret;
	}
	if (pipe2(rep, O_CLOEXEC)) {
		ret = -errno;
		fmt(why, len, "pipe: %s", strerror(-ret));
		close(go[0]);
		close(go[1]);
		return ret;
	}

	opwin_begin_op(&w, 0);
	pid = fork();
	if (pid == 0) {
		close(go[1]);
		close(rep[0]);
		fork_child(go[0], rep[1], parent, b->addr, b->spec.size);
	}
	ret = pid < 0 ? -errno : 0;
	t = opwin_end(&w);

	close(go[0]);
	close(rep[1]);
	if (ret) {
		fmt(why, len, "fork: %s", strerror(-ret));
		close(go[1]);
		close(rep[0]);
		return ret;
	}
	fork_hook(pid, FORK_HOOK_FORKED);
	if (fork_xfer(go[1], &byte, 1, 1) != 1 ||
	    fork_xfer(rep[0], &r, sizeof(r), 0) != sizeof(r)) {
		close(go[1]);
		close(rep[0]);
		kill(pid, SIGKILL);
		if (!fork_reap(pid, "fork", why, len))
			fmt(why, len, "fork: the child did not report");
		return -EPIPE;
	}
	fork_hook(pid, FORK_HOOK_WRITTEN);
	close(go[1]);		/* lets the child go */
	close(rep[0]);
	ret = fork_reap(pid, "fork", why, len);
	if (ret)
		return ret;

	ns[0] = t;
	if (r.kind == FORK_CHILD_WROTE && p->mode != FORK_DONTFORK) {
		ns[1] = r.ns;
	} else if (r.kind == FORK_CHILD_NO_BUFFER && p->mode == FORK_DONTFORK) {
		ns[1] = OP_NOT_APPLICABLE;
		fmt(why, len, "MADV_DONTFORK: the child has no copy of the buffer");
	} else if (p->mode == FORK_DONTFORK) {
		fmt(why, len, "MADV_DONTFORK did not keep the buffer out of the child");
		return -EIO;
	} else {
		fmt(why, len, "the child has nothing mapped at the buffer's address");
		return -EIO;
	}
	return 0;
}

static int fork_op_exit_wait(uint64_t *ns, char *why, size_t len)
{
	struct opwin w;
	pid_t pid;
	int st, ret = 0;

	opwin_begin_op(&w, 2);
	pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	else
		ret = -errno;
	*ns = opwin_end(&w);
	if (ret) {
		fmt(why, len, "fork: %s", strerror(-ret));
		return ret;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fmt(why, len, "fork-exit-wait: the child ended with wait status %#x", st);
		return -ECHILD;
	}
	return 0;
}

/* Zero chunks as benches/buf.c spreads them (chunk_is_zero there). */
static int fork_chunk_is_zero(uint64_t i, double zero)
{
	return (uint64_t)((double)(i + 1) * zero) > (uint64_t)((double)i * zero);
}

/*
 * Untimed: write every written page again, so the next fork meets
 * writable, exclusive PTEs as the first did (a fork leaves the parent's
 * unpinned PTEs write-protected; each write here is a reuse fault, no
 * copy, once the child is gone). Pinned and DONTFORK pages were not
 * touched by the fork and do not fault. Zero chunks stay zero pages.
 */
static void fork_parent_rewrite(const struct buf *b)
{
	uint64_t chunk = PAGE_SZ << b->spec.order, n, i, off;

	if (!b->spec.populate || !b->addr)
		return;
	n = b->spec.size / chunk;
	for (i = 0; i < n; i++) {
		volatile char *c = (volatile char *)b->addr + i * chunk;

		if (b->spec.zero > 0 && fork_chunk_is_zero(i, b->spec.zero))
			continue;
		for (off = 0; off < chunk; off += PAGE_SZ)
			c[off] = c[off];
	}
}

static int fork_cycle(struct mctx *c, uint64_t ns[METHOD_MAX_OPS], char *why, size_t len)
{
	struct fork_priv *p = c->priv;
	int ret;

	if (!c->buf || !c->buf->addr || !c->buf->spec.size) {
		fmt(why, len, "no buffer to fork with");
		return -EINVAL;
	}
	ret = fork_pin_ensure(c, p, why, len);
	if (ret)
		return ret;
	ret = fork_op_fork(c, p, ns, why, len);
	if (ret)
		return ret;
	fork_parent_rewrite(c->buf);
	ret = fork_op_exit_wait(&ns[2], why, len);
	if (ret)
		return ret;
	fork_parent_rewrite(c->buf);
	return 0;
}

static const char *const fork_ops[] = { "fork", "child-write", "fork-exit-wait", NULL };
static const char *const fork_keys[] = { "pinned", "pin_method", NULL };

const struct method method_fork = {
	.name = "fork",
	.syscall = "fork() with the buffer pinned by pin_method, not pinned, or pinned + MADV_DONTFORK",
	.kpath = "dup_mmap>copy_page_range>copy_pte_range>copy_present_ptes: maybe-DMA-pinned anon "
		 "(MMF_HAS_PINNED+folio_maybe_dma_pinned)>copy_present_page (alloc+copy); "
		 "copy_huge_pmd: pinned PMD split then PTE copy, else shared write-protected",
	/*
	 * No GUP path at all: dup_mmap() walks the page tables under
	 * mmap_write_lock, nearest to the slow path's locking (not lockless).
	 */
	.path = PATH_NONE,
	.ref = REF_NONE,
	.shape = SHAPE_PAIRED,
	.flags = M_WHOLE_OP,
	.mem_factor = 2,	/* the child's copies of the pinned pages */
	.ops = fork_ops,
	.keys = fork_keys,
	.probe = fork_probe,
	.check = fork_check,
	.init = fork_init,
	.cycle = fork_cycle,
	.fini = fork_fini,
};
