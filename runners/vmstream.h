/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GUPBENCH_VMSTREAM_H
#define GUPBENCH_VMSTREAM_H

/*
 * How a run directory leaves a QEMU guest: over its second serial port, as
 * it grows. The guest has no disk and no network; a serial port is the one
 * channel every kernel we boot has built in. The guest side sends what is
 * new in each file every few hundred milliseconds, so a guest that panics
 * or hangs still leaves the host every row it had flushed.
 *
 * The stream is a sequence of records, each a header line and maybe data:
 *
 *   H gupbench-vm 1\n             the guest is up (the boot answered)
 *   D OFFSET LEN PATH\n<LEN bytes> PATH's bytes from OFFSET
 *   T PATH\n                       PATH was replaced: empty it first
 *   E STATUS\n                     the guest's run exited with STATUS
 *
 * PATH is relative to the run directory, without spaces or "..".
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define VMSTREAM_HELLO "H gupbench-vm 1\n"

/* ---- guest side ---- */

struct vmstream_sent {
	char path[256];
	dev_t dev;
	ino_t ino;
	off_t off;
};

struct vmstream_tx {
	int fd;			/* the serial port (raw) */
	const char *dir;	/* the run directory */
	struct vmstream_sent *f;
	size_t n, cap;
};

/* Send what is new under tx->dir (two levels deep). 0 or -errno. */
int vmstream_tx_sweep(struct vmstream_tx *tx);
int vmstream_tx_end(struct vmstream_tx *tx, int status);
void vmstream_tx_free(struct vmstream_tx *tx);

/* ---- host side ---- */

struct vmstream_rx {
	const char *dir;	/* where the files are rebuilt */
	char *buf;		/* bytes not yet parsed */
	size_t len, cap;
	int hello;		/* an H record arrived */
	int ended;		/* an E record arrived */
	int status;		/* its STATUS */
	unsigned long records;
	char err[256];		/* the first malformed record, if any */
};

/* Parse and apply what arrived. 0, or -EPROTO on a malformed stream (err says where). */
int vmstream_rx_feed(struct vmstream_rx *rx, const char *data, size_t len);
/* Bytes of an incomplete last record (the guest died in the middle of it). */
size_t vmstream_rx_pending(const struct vmstream_rx *rx);
void vmstream_rx_free(struct vmstream_rx *rx);

#endif
