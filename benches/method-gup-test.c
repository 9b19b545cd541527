// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's own GUP benchmark: ioctl on /sys/kernel/debug/gup_test
 * (CONFIG_GUP_TEST), one method per command.
 *
 * Kernel path (mm/gup_test.c, same on 6.1 and mainline):
 *   gup_test_ioctl() -> __gup_test_ioctl(cmd)
 *     kvcalloc(size / PAGE_SIZE page pointers)
 *     BASIC and LONGTERM commands: mmap_read_lock_killable()
 *     start = ktime_get()
 *     for each run of nr_pages_per_call pages:
 *       GUP_FAST_BENCHMARK	get_user_pages_fast(addr, nr, gup_flags)
 *       PIN_FAST_BENCHMARK	pin_user_pages_fast(addr, nr, gup_flags)
 *       PIN_LONGTERM_BENCHMARK	pin_user_pages(gup_flags | FOLL_LONGTERM)
 *       GUP_BASIC_TEST		get_user_pages(addr, nr, gup_flags)
 *       PIN_BASIC_TEST		pin_user_pages(addr, nr, gup_flags)
 *       (the loop stops at the first short or failed call)
 *     get_delta_usec = now - start; size = bytes covered
 *     verify_dma_pinned() (untimed)
 *     start = ktime_get()
 *     put_page() per page (GUP_*) or unpin_user_pages() (PIN_*)
 *     put_delta_usec = now - start
 *     mmap_read_unlock()
 *
 * Timed, by the kernel, in microseconds: ns[0] = get_delta_usec * 1000
 * (the pin loop) and ns[1] = put_delta_usec * 1000 (the release). All five
 * commands fill both deltas; the BASIC tests are timed the same way as
 * the BENCHMARK ones, they only differ in the GUP call and in holding
 * mmap_lock (taken outside the timed region) around the loop.
 *
 * What the numbers include besides GUP: nearly nothing, which is the
 * point of this method: no syscall entry, no page array allocation, no
 * lock acquisition. They do include ktime_get() twice and the loop's own
 * bookkeeping, and a sample below 1 usec reads as 0.
 *
 * The kernel counters (perf.c) cannot be split the same way: the ioctl
 * runs in the worker thread and gets and puts in one call, so the c_*
 * columns of both the pin and the unpin row are the whole call's
 * (including the page array, the mmap_lock of the BASIC/LONGTERM
 * commands and the verification), as the note says.
 *
 * gup_flags pass through unfiltered: only FOLL_WRITE is offered, since
 * kernels since 6.5 warn on and reject internal flags (FOLL_TOUCH,
 * FOLL_PIN, ...). nr_pages_per_call 0 would pin nothing (the kernel loop
 * asks for 0 pages and stops), so batch 0 means the whole buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "gup-test.h"
#include "method.h"
#include "util.h"

#ifndef DEBUGFS_MAGIC
#define DEBUGFS_MAGIC 0x64626720
#endif

#define DEBUGFS_DIR "/sys/kernel/debug"

static int gup_test_ioctl_sys(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

int (*gup_test_ioctl_fn)(int fd, unsigned long cmd, void *arg) = gup_test_ioctl_sys;

struct gup_test_priv {
	int fd;
};

const char *gup_test_dev_path(void)
{
	const char *p = getenv(GUP_TEST_DEV_ENV);

	return p && *p ? p : GUP_TEST_DEV_DEFAULT;
}

int gup_test_flags_parse(const char *s, uint32_t *out)
{
	if (!s || !*s || !strcmp(s, "none")) {
		*out = 0;
		return 0;
	}
	if (!strcmp(s, "write")) {
		*out = GUP_TEST_FOLL_WRITE;
		return 0;
	}
	return -EINVAL;
}

static int debugfs_mounted(void)
{
	struct statfs sf;

	return !statfs(DEBUGFS_DIR, &sf) && sf.f_type == DEBUGFS_MAGIC;
}

static int gup_test_probe(char *why, size_t len)
{
	const char *dev = gup_test_dev_path();
	int mounted = 0, fd, ret;

	/* Only the default location lives in debugfs; an override is as is. */
	if (!strcmp(dev, GUP_TEST_DEV_DEFAULT) && !debugfs_mounted()) {
		if (geteuid()) {
			fmt(why, len, "debugfs not mounted at %s and mounting it needs root",
			    DEBUGFS_DIR);
			return -ENODEV;
		}
		if (mount("debugfs", DEBUGFS_DIR, "debugfs", 0, NULL)) {
			ret = -errno;
			fmt(why, len, "mount debugfs at %s: %s", DEBUGFS_DIR, strerror(-ret));
			return -ENODEV;
		}
		mounted = 1;
	}
	if (access(dev, F_OK)) {
		/* Leave the machine as we found it when it cannot help. */
		if (mounted)
			umount(DEBUGFS_DIR);
		fmt(why, len, "no %s: kernel built without CONFIG_GUP_TEST", dev);
		return -ENODEV;
	}
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		fmt(why, len, "open %s: %s%s", dev, strerror(-ret),
		    ret == -EACCES || ret == -EPERM ? " (root only)" : "");
		return ret;
	}
	close(fd);
	return 0;
}

static int gup_test_init(struct mctx *c, const char *note, char *why, size_t len)
{
	const char *dev = gup_test_dev_path();
	struct gup_test_priv *p;
	int ret;

	p = calloc(1, sizeof(*p));
	if (!p) {
		fmt(why, len, "out of memory");
		return -ENOMEM;
	}
	p->fd = open(dev, O_RDWR | O_CLOEXEC);
	if (p->fd < 0) {
		ret = -errno;
		fmt(why, len, "open %s: %s", dev, strerror(-ret));
		free(p);
		return ret;
	}
	c->priv = p;
	fmt(c->note, sizeof(c->note), "%s; counters: the whole ioctl (get+put)", note);
	return 0;
}

static int gup_test_cycle(struct mctx *c, unsigned long cmd, uint64_t ns[METHOD_MAX_OPS],
			  char *why, size_t len)
{
	struct gup_test_priv *p = c->priv;
	struct opwin win;
	struct gup_test g;
	uint64_t pages, batch;
	uint32_t flags;
	int ret;

	if (!c->buf || !c->buf->addr || !c->buf->spec.size) {
		fmt(why, len, "no buffer to pin");
		return -EINVAL;
	}
	if (gup_test_flags_parse(c->sc ? gup_extra_name(c->sc->gup_flags) : "", &flags)) {
		fmt(why, len, "gup_flags \"%s\": only \"write\" (FOLL_WRITE) or empty",
		    gup_extra_name(c->sc->gup_flags));
		return -EINVAL;
	}
	pages = c->buf->spec.size / PAGE_SZ;
	batch = c->sc && c->sc->batch ? (uint64_t)c->sc->batch : pages;
	if (batch > UINT32_MAX)
		batch = UINT32_MAX;

	memset(&g, 0, sizeof(g));
	g.addr = (uintptr_t)c->buf->addr;
	g.size = c->buf->spec.size;
	g.nr_pages_per_call = (uint32_t)batch;
	g.gup_flags = flags;

	/*
	 * The time is the kernel's; the window is for the counters, which
	 * see the whole ioctl: the GUP loop, the put/unpin loop, the page
	 * array kvcalloc and the verification. Both rows get these counts.
	 */
	opwin_begin(&win);
	ret = gup_test_ioctl_fn(p->fd, cmd, &g);
	opwin_end(&win);
	if (ret) {
		fmt(why, len, "gup_test ioctl: %s", strerror(-ret));
		return ret;
	}
	/* The kernel stops at the first short call and says how far it got. */
	if (g.size != c->buf->spec.size) {
		fmt(why, len, "gup_test covered %llu of %llu bytes (a GUP call came up short)",
		    (unsigned long long)g.size,
		    (unsigned long long)c->buf->spec.size);
		return -EFAULT;
	}
	ns[0] = g.get_delta_usec * 1000;
	ns[1] = g.put_delta_usec * 1000;
	return 0;
}

static void gup_test_fini(struct mctx *c)
{
	struct gup_test_priv *p = c->priv;

	if (!p)
		return;
	close(p->fd);
	free(p);
	c->priv = NULL;
}

/*
 * One method per command: a wrapper pair that only binds the command and
 * the note, then the struct. The notes say what the kernel loop holds.
 */
#define GUP_TEST_METHOD(id, mname, cmd, kp, r, pth, fl, note)			\
static int id##_init(struct mctx *c, char *why, size_t len)			\
{										\
	return gup_test_init(c, note, why, len);				\
}										\
static int id##_cycle(struct mctx *c, uint64_t ns[METHOD_MAX_OPS], char *why, size_t len)	\
{										\
	return gup_test_cycle(c, cmd, ns, why, len);				\
}										\
const struct method method_##id = {						\
	.name = mname,								\
	.syscall = "ioctl(/sys/kernel/debug/gup_test, " #cmd ")",		\
	.kpath = kp,								\
	.path = pth,								\
	.ref = r,								\
	.shape = SHAPE_PAIRED,							\
	.flags = (fl) | M_KERNEL_TIMED | M_NEEDS_ROOT,				\
	.mem_factor = 1,							\
	.probe = gup_test_probe,						\
	.init = id##_init,							\
	.cycle = id##_cycle,							\
	.fini = gup_test_fini,							\
}

GUP_TEST_METHOD(gup_fast, "gup-fast", GUP_FAST_BENCHMARK,
		"get_user_pages_fast(gup_flags) per batch; put_page per page",
		REF_GET, PATH_FAST, 0,
		"kernel-timed (usec): GUP loop only, no lock; put = put_page() per page");
GUP_TEST_METHOD(pin_fast, "pin-fast", PIN_FAST_BENCHMARK,
		"pin_user_pages_fast(gup_flags) per batch; unpin_user_pages",
		REF_PIN, PATH_FAST, 0,
		"kernel-timed (usec): pin loop only, no lock; unpin = unpin_user_pages()");
GUP_TEST_METHOD(pin_longterm, "pin-longterm", PIN_LONGTERM_BENCHMARK,
		"pin_user_pages(gup_flags|FOLL_LONGTERM) per batch under mmap_read_lock; unpin_user_pages",
		REF_PIN, PATH_SLOW, M_LONGTERM,
		"kernel-timed (usec): pin loop under mmap_read_lock (taken untimed); includes longterm migration checks");
GUP_TEST_METHOD(gup_basic, "gup-basic", GUP_BASIC_TEST,
		"get_user_pages(gup_flags) per batch under mmap_read_lock; put_page per page",
		REF_GET, PATH_SLOW, 0,
		"kernel-timed (usec): GUP loop under mmap_read_lock (taken untimed); put = put_page() per page");
GUP_TEST_METHOD(pin_basic, "pin-basic", PIN_BASIC_TEST,
		"pin_user_pages(gup_flags) per batch under mmap_read_lock; unpin_user_pages",
		REF_PIN, PATH_SLOW, 0,
		"kernel-timed (usec): pin loop under mmap_read_lock (taken untimed); unpin = unpin_user_pages()");

unsigned long gup_test_cmd(const struct method *m)
{
	if (m == &method_gup_fast)
		return GUP_FAST_BENCHMARK;
	if (m == &method_pin_fast)
		return PIN_FAST_BENCHMARK;
	if (m == &method_pin_longterm)
		return PIN_LONGTERM_BENCHMARK;
	if (m == &method_gup_basic)
		return GUP_BASIC_TEST;
	if (m == &method_pin_basic)
		return PIN_BASIC_TEST;
	return 0;
}
