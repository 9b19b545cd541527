// SPDX-License-Identifier: GPL-2.0
/*
 * The C++ half of the Google Benchmark shim: everything C++ stays in this
 * file. See gbshim.h.
 */
#include <benchmark/benchmark.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "gbshim.h"

namespace {

// The display reporter prints nothing: the runner owns the terminal.
class SilentReporter : public benchmark::BenchmarkReporter {
public:
	bool ReportContext(const Context &) override { return true; }
	void ReportRuns(const std::vector<Run> &) override {}
};

// Google Benchmark calls the function again for every repetition, also
// after SkipWithError: once a case has failed, its later repetitions are
// skipped here without running the op again (its row already says why).
std::vector<const gbshim_case *> failed;

void run_case(benchmark::State &st, const gbshim_case *c)
{
	char why[256];

	for (const gbshim_case *f : failed) {
		if (f == c) {
			st.SkipWithError("an earlier repetition failed or did not apply");
			for (auto _ : st)
				break;
			return;
		}
	}
	for (auto _ : st) {
		uint64_t ns = 0;
		int ret;

		why[0] = '\0';
		ret = c->iter(c->arg, &ns, why, sizeof(why));
		if (ret) {
			std::string msg = why[0] ? why : strerror(-ret);
			st.SkipWithError(msg.c_str());
			failed.push_back(c);
			break;
		}
		st.SetIterationTime((double)ns * 1e-9);
	}
}

} // namespace

extern "C" void gbshim_context(const char *key, const char *value)
{
	benchmark::AddCustomContext(key, value);
}

extern "C" int gbshim_run(const struct gbshim_case *cases, size_t n,
			  const char *json_path, char *why, size_t len)
{
	std::string out = std::string("--benchmark_out=") + json_path;
	char arg0[] = "gupbench-worker";
	char fmt[] = "--benchmark_out_format=json";
	std::vector<char> outv(out.begin(), out.end());
	outv.push_back('\0');
	char *argv[] = { arg0, outv.data(), fmt, nullptr };
	int argc = 3;

	benchmark::Initialize(&argc, argv);
	if (argc != 1) {
		snprintf(why, len, "google benchmark rejected its arguments");
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		const gbshim_case *c = &cases[i];

		// One iteration per repetition: every repetition is one sample
		// that the C side timed; aggregates are computed over them.
		benchmark::RegisterBenchmark(c->name, run_case, c)
			->UseManualTime()
			->Iterations(1)
			->Repetitions(c->repetitions)
			->Unit(benchmark::kNanosecond);
	}
	SilentReporter display;
	benchmark::BenchmarkReporter *file = nullptr;
	benchmark::RunSpecifiedBenchmarks(&display, file);
	benchmark::ClearRegisteredBenchmarks();
	benchmark::Shutdown();
	return 0;
}

// The Makefile passes the installed library's version (pkg-config).
#ifndef GBSHIM_LIB_VERSION
#define GBSHIM_LIB_VERSION "unknown"
#endif

extern "C" const char *gbshim_version(void)
{
	return GBSHIM_LIB_VERSION;
}
