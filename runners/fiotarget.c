// SPDX-License-Identifier: GPL-2.0
/*
 * What a fio scenario does its I/O on (fiotarget.h): checked at config
 * time, made for the run, and put back.
 *
 * zram: a device of our own from /sys/class/zram-control/hot_add, sized
 * for the largest zram scenario of the run, discarded before each
 * scenario so each starts empty, and removed at the end (hot_remove is
 * journaled like a knob: `gupbench restore DIR` removes it after a killed
 * run). The machine's own zram devices are never touched.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fiotarget.h"
#include "knobs.h"
#include "util.h"

#define ZRAM_CTL "/sys/class/zram-control"

void fio_targets_init(struct fio_targets *t)
{
	memset(t, 0, sizeof(*t));
	t->zram_id = -1;
}

static int dev_in_file(const char *path, dev_t dev, int field_mountinfo)
{
	FILE *f = fopen(path, "re");
	char line[4096];
	int hit = 0;

	if (!f)
		return 0;
	while (!hit && fgets(line, sizeof(line), f)) {
		unsigned int ma, mi;
		char name[1024];
		struct stat st;

		if (field_mountinfo) {
			/* id parent major:minor root mountpoint ... */
			if (sscanf(line, "%*s %*s %u:%u", &ma, &mi) == 2)
				hit = makedev(ma, mi) == dev;
		} else if (sscanf(line, "%1023s", name) == 1 && name[0] == '/' &&
			   !stat(name, &st) && S_ISBLK(st.st_mode)) {
			hit = st.st_rdev == dev;	/* /proc/swaps */
		}
	}
	fclose(f);
	return hit;
}

/* Mounted, swapped on, or held by another device (dm, md, a partition of it)? */
static int dev_busy(dev_t dev, char *what, size_t len)
{
	char dir[128], sub[512], val[32];
	struct dirent *de;
	DIR *d;
	int busy = 0;

	if (dev_in_file("/proc/self/mountinfo", dev, 1)) {
		fmt(what, len, "it is mounted");
		return 1;
	}
	if (dev_in_file("/proc/swaps", dev, 0)) {
		fmt(what, len, "it is a swap device in use");
		return 1;
	}
	fmt(dir, sizeof(dir), "/sys/dev/block/%u:%u/holders", major(dev), minor(dev));
	d = opendir(dir);
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.') {
			fmt(what, len, "%s holds it", de->d_name);
			busy = 1;
		}
	if (d)
		closedir(d);
	if (busy)
		return 1;
	/* its partitions: mounted or swapped on, writing the disk destroys them */
	fmt(dir, sizeof(dir), "/sys/dev/block/%u:%u", major(dev), minor(dev));
	d = opendir(dir);
	while (d && !busy && (de = readdir(d))) {
		unsigned int ma, mi;

		fmt(sub, sizeof(sub), "%s/%s/partition", dir, de->d_name);
		if (de->d_name[0] == '.' || access(sub, F_OK))
			continue;
		fmt(sub, sizeof(sub), "%s/%s/dev", dir, de->d_name);
		if (file_read_str(sub, val, sizeof(val)) || sscanf(val, "%u:%u", &ma, &mi) != 2)
			continue;
		if (dev_in_file("/proc/self/mountinfo", makedev(ma, mi), 1) ||
		    dev_in_file("/proc/swaps", makedev(ma, mi), 0)) {
			fmt(what, len, "its partition %s is mounted or a swap in use", de->d_name);
			busy = 1;
		}
	}
	if (d)
		closedir(d);
	return busy;
}

int fio_target_check(const struct scenario *sc, int allow_device, char *why, size_t len)
{
	const char *t = sc->target;
	struct stat st;
	char what[160];

	if (!strcmp(t, "zram")) {
		if (access(ZRAM_CTL "/hot_add", F_OK)) {
			fmt(why, len, "zram: no %s/hot_add here (a kernel without CONFIG_ZRAM, or the "
			    "zram module not loaded)", ZRAM_CTL);
			return -ENOENT;
		}
		return 0;
	}
	if (!strcmp(t, "null_blk")) {
		fmt(why, len, "null_blk: not built yet: it is a module on Debian's kernels, and "
		    "gupbench does not load modules (use zram or file)");
		return -ENOENT;
	}
	if (!strcmp(t, "file")) {
		if (stat(sc->dir, &st) || !S_ISDIR(st.st_mode)) {
			fmt(why, len, "file: dir %s is not a directory", sc->dir);
			return -ENOENT;
		}
		return 0;
	}
	if (strncmp(t, "/dev/", 5)) {
		fmt(why, len, "\"%s\" is not zram, null_blk, file or a block device /dev/...", t);
		return -EINVAL;
	}
	if (stat(t, &st) || !S_ISBLK(st.st_mode)) {
		fmt(why, len, "%s: %s", t, errno && !S_ISBLK(st.st_mode) ? strerror(errno) :
		    "not a block device");
		return -ENOENT;
	}
	if (dev_busy(st.st_rdev, what, sizeof(what))) {
		fmt(why, len, "%s: %s: gupbench never does I/O on a device in use", t, what);
		return -EBUSY;
	}
	if (!allow_device) {
		fmt(why, len, "%s is a real device: fio would %s it; give run --allow-device to mean it",
		    t, sc->rw == FIO_READ || sc->rw == FIO_RANDREAD ? "read" : "overwrite");
		return -EPERM;
	}
	return 0;
}

/* Our zram device: made once, sized for the run's largest zram scenario. */
static int zram_make(struct fio_targets *t, uint64_t size, char *why, size_t len)
{
	char val[32], path[128];
	struct stat st;
	int id, ret;

	ret = file_read_str(ZRAM_CTL "/hot_add", val, sizeof(val));
	if (ret || (id = atoi(val)) <= 0) {
		fmt(why, len, "zram: %s/hot_add: %s", ZRAM_CTL, ret ? strerror(-ret) : "no device");
		return ret ? ret : -EIO;
	}
	fmt(val, sizeof(val), "%d", id);
	ret = knob_undo_add(ZRAM_CTL "/hot_remove", val);
	if (!ret) {
		t->zram_id = id;
		fmt(path, sizeof(path), "/sys/block/zram%d/disksize", id);
		fmt(val, sizeof(val), "%" PRIu64, size);
		ret = file_write_str(path, val);
	}
	if (ret) {
		fmt(why, len, "zram%d: setting its disksize to %s: %s", id, val, strerror(-ret));
		return ret;
	}
	fmt(t->zram_dev, sizeof(t->zram_dev), "/dev/zram%d", id);
	/* devtmpfs makes the node; give it a moment */
	for (int i = 0; i < 100 && (stat(t->zram_dev, &st) || !S_ISBLK(st.st_mode)); i++)
		usleep(20000);
	if (stat(t->zram_dev, &st) || !S_ISBLK(st.st_mode)) {
		fmt(why, len, "zram%d: %s did not appear", id, t->zram_dev);
		return -ENOENT;
	}
	t->zram_size = size;
	return 0;
}

/* Empty the device: what the scenario before wrote is not this one's. */
static int zram_discard(const struct fio_targets *t, char *why, size_t len)
{
	uint64_t range[2] = { 0, t->zram_size };
	int fd = open(t->zram_dev, O_RDWR | O_EXCL | O_CLOEXEC), ret = 0;

	if (fd < 0 || ioctl(fd, BLKDISCARD, range))
		ret = -errno;
	if (fd >= 0)
		close(fd);
	if (ret)
		fmt(why, len, "zram: discarding %s: %s", t->zram_dev, strerror(-ret));
	return ret;
}

int fio_target_prepare(struct fio_targets *t, const struct scenario *sc, uint64_t zram_size,
		       char *path, size_t plen, char *why, size_t len)
{
	int ret;

	if (!strcmp(sc->target, "zram")) {
		if (t->zram_id < 0 && (ret = zram_make(t, zram_size, why, len)))
			return ret;
		if ((ret = zram_discard(t, why, len)))
			return ret;
		fmt(path, plen, "%s", t->zram_dev);
		return 0;
	}
	if (!strcmp(sc->target, "file")) {
		/* fio lays the file out; the worker's files go when the scenario ends */
		fmt(path, plen, "%s/gupbench-fio-target.%d", sc->dir, (int)getpid());
		return 0;
	}
	ret = fio_target_check(sc, 1, why, len);
	if (ret)
		return ret;
	fmt(path, plen, "%s", sc->target);
	return 0;
}

void fio_target_done(const struct scenario *sc, const char *path)
{
	if (!strcmp(sc->target, "file"))
		unlink(path);
}
