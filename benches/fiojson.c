// SPDX-License-Identifier: GPL-2.0
/* fio's JSON output read with jansson (fiojson.h). */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "fiojson.h"
#include "util.h"

static double num_of(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static void dir_read(json_t *job, const char *name, struct fio_dir *d)
{
	json_t *o = json_object_get(job, name), *clat, *pct;
	double ios;

	memset(d, 0, sizeof(*d));
	d->clat_mean_ns = d->clat_p50_ns = d->clat_p99_ns = NAN;
	if (!json_is_object(o))
		return;
	d->iops = num_of(o, "iops");
	ios = num_of(o, "total_ios");
	d->ios = isfinite(ios) && ios > 0 ? (uint64_t)ios : 0;
	d->bw_bytes = num_of(o, "bw_bytes");
	clat = json_object_get(o, "clat_ns");
	if (!json_is_object(clat))
		return;
	if (num_of(clat, "N") > 0)
		d->clat_mean_ns = num_of(clat, "mean");
	pct = json_object_get(clat, "percentile");
	if (json_is_object(pct)) {
		/* fio names its percentiles "50.000000", "99.000000" */
		d->clat_p50_ns = num_of(pct, "50.000000");
		d->clat_p99_ns = num_of(pct, "99.000000");
	}
}

int fio_json_parse(const char *text, size_t len, struct fio_result *r, char *err, size_t errlen)
{
	const char *start = memchr(text, '{', len);
	json_error_t je;
	json_t *doc, *jobs, *job, *v;
	double e;

	memset(r, 0, sizeof(*r));
	if (!start) {
		fmt(err, errlen, "fio printed no JSON: %.*s", (int)strcspn(text, "\n"), text);
		return -EINVAL;
	}
	doc = json_loadb(start, len - (size_t)(start - text), 0, &je);
	if (!doc) {
		fmt(err, errlen, "fio's JSON does not parse: line %d: %s", je.line, je.text);
		return -EINVAL;
	}
	v = json_object_get(doc, "fio version");
	fmt(r->version, sizeof(r->version), "%s", json_is_string(v) ? json_string_value(v) : "?");
	jobs = json_object_get(doc, "jobs");
	job = json_is_array(jobs) ? json_array_get(jobs, 0) : NULL;
	if (!json_is_object(job)) {
		fmt(err, errlen, "fio's JSON has no job");
		json_decref(doc);
		return -EINVAL;
	}
	v = json_object_get(job, "jobname");
	fmt(r->job, sizeof(r->job), "%s", json_is_string(v) ? json_string_value(v) : "?");
	e = num_of(job, "error");
	if (isfinite(e) && e != 0) {
		fmt(err, errlen, "fio job %s ended with error %d (%s)", r->job, (int)e, strerror((int)e));
		json_decref(doc);
		return -EINVAL;
	}
	dir_read(job, "read", &r->read);
	dir_read(job, "write", &r->write);
	r->usr_cpu = num_of(job, "usr_cpu");
	r->sys_cpu = num_of(job, "sys_cpu");
	r->runtime_ms = num_of(job, "job_runtime");
	e = num_of(job, "ctx");
	r->ctx = isfinite(e) && e > 0 ? (uint64_t)e : 0;
	e = num_of(job, "minf");
	r->minf = isfinite(e) && e > 0 ? (uint64_t)e : 0;
	e = num_of(job, "majf");
	r->majf = isfinite(e) && e > 0 ? (uint64_t)e : 0;
	json_decref(doc);
	return 0;
}

void fio_cpu_per_io(const struct fio_result *r, double *usr_ns, double *sys_ns)
{
	uint64_t ios = r->read.ios + r->write.ios;
	double run_ns = r->runtime_ms * 1e6;

	*usr_ns = *sys_ns = NAN;
	if (!ios || !isfinite(run_ns))
		return;
	*usr_ns = r->usr_cpu / 100 * run_ns / (double)ios;
	*sys_ns = r->sys_cpu / 100 * run_ns / (double)ios;
}
