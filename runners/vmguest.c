// SPDX-License-Identifier: GPL-2.0
/*
 * `gupbench __vmguest PORT DIR -- ARGS...`: the guest half of `gupbench vm`,
 * started by the initramfs's /init. It says hello on PORT (the host's proof
 * that this kernel booted under this accelerator), runs `gupbench ARGS...`,
 * which writes DIR, and sends DIR's new bytes over PORT while that runs and
 * once more after it exits, then the exit status.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "vmguest.h"
#include "vmstream.h"

/* How often what is new is sent: rows reach the host within this. */
#define SWEEP_MS 300

static int port_open(const char *path)
{
	struct termios t;
	int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	/* raw: no "\n" -> "\r\n", no flow-control bytes eaten */
	if (!tcgetattr(fd, &t)) {
		cfmakeraw(&t);
		cfsetospeed(&t, B115200);
		tcsetattr(fd, TCSANOW, &t);
	}
	return fd;
}

int vmguest_main(int argc, char **argv)
{
	struct vmstream_tx tx = { 0 };
	struct timespec nap = { 0, SWEEP_MS * 1000000L };
	int status = 0, ret, wst;
	pid_t pid;

	if (argc < 5 || strcmp(argv[3], "--")) {
		fprintf(stderr, "usage: gupbench __vmguest PORT DIR -- ARGS...\n");
		return 2;
	}
	tx.fd = port_open(argv[1]);
	if (tx.fd < 0) {
		fprintf(stderr, "gupbench __vmguest: %s: %s\n", argv[1], strerror(-tx.fd));
		return 1;
	}
	tx.dir = argv[2];
	if (write(tx.fd, VMSTREAM_HELLO, strlen(VMSTREAM_HELLO)) < 0) {
		fprintf(stderr, "gupbench __vmguest: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}

	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "gupbench __vmguest: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		argv[3] = "gupbench";
		execv("/proc/self/exe", argv + 3);
		fprintf(stderr, "gupbench __vmguest: exec: %s\n", strerror(errno));
		_exit(127);
	}
	for (;;) {
		ret = waitpid(pid, &wst, WNOHANG);
		if (ret == pid)
			break;
		if (ret < 0 && errno != EINTR)
			break;
		ret = vmstream_tx_sweep(&tx);
		if (ret)
			fprintf(stderr, "gupbench __vmguest: sending %s: %s\n", tx.dir, strerror(-ret));
		nanosleep(&nap, NULL);
	}
	if (WIFEXITED(wst))
		status = WEXITSTATUS(wst);
	else if (WIFSIGNALED(wst))
		status = 128 + WTERMSIG(wst);
	ret = vmstream_tx_sweep(&tx);
	if (ret)
		fprintf(stderr, "gupbench __vmguest: sending %s: %s\n", tx.dir, strerror(-ret));
	vmstream_tx_end(&tx, status);
	tcdrain(tx.fd);
	vmstream_tx_free(&tx);
	close(tx.fd);
	return status;
}
