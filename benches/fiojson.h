/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fio's JSON output (--output-format=json or json+), read for what a fio
 * workload row needs: per direction IOPS, I/Os, completion latency (mean,
 * p50, p99) and bandwidth; the job's usr and sys CPU and runtime, and from
 * those the CPU time per I/O. The first job of the output is read.
 */
#ifndef GUPBENCH_FIOJSON_H
#define GUPBENCH_FIOJSON_H

#include <stddef.h>
#include <stdint.h>

struct fio_dir {
	double iops;
	uint64_t ios;		/* total_ios */
	double bw_bytes;	/* bytes per second */
	double clat_mean_ns, clat_p50_ns, clat_p99_ns;	/* NAN: fio gave none */
};

struct fio_result {
	char version[32];	/* "fio-3.33" */
	char job[64];
	struct fio_dir read, write;
	double usr_cpu, sys_cpu;	/* percent of the job's runtime */
	double runtime_ms;		/* job_runtime */
	uint64_t ctx;			/* context switches */
	uint64_t minf, majf;		/* page faults */
};

/*
 * Parse text (len bytes; leading lines before the JSON, as fio prints for
 * warnings, are skipped). 0, or -EINVAL with the reason in err: not JSON,
 * no job, or the job's own error number (fio's "error" field).
 */
int fio_json_parse(const char *text, size_t len, struct fio_result *r, char *err, size_t errlen);

/* The job's usr and sys CPU time per I/O (both directions), ns; NAN without I/Os. */
void fio_cpu_per_io(const struct fio_result *r, double *usr_ns, double *sys_ns);

#endif
