#!/usr/bin/env bash
# Run every test program and add up their TAP lines.
#
#   build/tests/unit/test_*   cmocka, pure logic (no kernel needed)
#   build/tests/sys/test_*    cmocka, really pin pages on this kernel
#   tests/sys/test_*.py       end to end through `gupbench run`
#
# Each program gets a timeout; after each, the kernel log is scanned for
# new WARNING:/BUG: lines (a test that made the kernel complain fails).
# A missing privilege or kernel feature is a skip with a reason, never a
# pass. The last line is "N passed, N failed, N skipped".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
export CMOCKA_MESSAGE_OUTPUT=TAP
export GUPBENCH="$top/build/gupbench"
per_test_timeout=${TEST_TIMEOUT:-600}
pass=0 fail=0 skip=0
failed_names=()
log_dir=$(mktemp -d)

kmsg_lines() { dmesg 2>/dev/null | wc -l; }

run_one() {
	local name=$1; shift
	local out="$log_dir/$(basename "$name").log" before rc
	local p=0 f=0 s=0 planned=0 seen=0

	# a test file may ask for more time with a "# tap-timeout: SECONDS" line
	local limit=$per_test_timeout asked
	asked=$(sed -n 's/^# tap-timeout: \([0-9][0-9]*\)$/\1/p' "${!#}" 2>/dev/null | head -1)
	[ -n "$asked" ] && ((asked > limit)) && limit=$asked
	before=$(kmsg_lines)
	timeout --kill-after=10 "$limit" "$@" >"$out" 2>&1
	rc=$?
	while IFS= read -r line; do
		case "$line" in
		1..*) planned=${line#1..} ;;
		"ok "* | "not ok "*)
			seen=$((seen + 1))
			if [[ "$line" == *"# SKIP"* ]]; then
				s=$((s + 1))
			elif [[ "$line" == ok* ]]; then
				p=$((p + 1))
			else
				f=$((f + 1))
				failed_names+=("$name: $line")
			fi ;;
		esac
	done <"$out"
	if ((rc == 124 || rc == 137)); then
		f=$((f + 1)); failed_names+=("$name: timed out after ${limit}s")
	elif ((rc != 0 && f == 0)); then
		f=$((f + 1)); failed_names+=("$name: exited $rc with no failing test line")
	elif ((planned != seen)); then
		f=$((f + 1)); failed_names+=("$name: planned $planned tests, saw $seen")
	fi
	if dmesg 2>/dev/null | tail -n +"$((before + 1))" | grep -E 'WARNING:|BUG:|Oops' >"$out.kmsg"; then
		f=$((f + 1)); failed_names+=("$name: kernel log: $(head -1 "$out.kmsg")")
	fi
	printf '%-34s %3d passed, %d failed, %d skipped\n' "$name" "$p" "$f" "$s"
	if ((f)); then
		sed 's/^/    | /' "$out" | tail -80
		# the end of each failing test's diagnostics (the assertion and
		# its message), again in the summary at the very end of the output
		awk -v name="$name" '
			/^not ok / { flush(); t = $0; n = 0; next }
			/^(ok |1\.\.)/ { flush(); t = ""; next }
			t != "" && /^#/ { d[n++ % 12] = length($0) > 400 ? substr($0, 1, 400) " ..." : $0 }
			function flush(  i) {
				if (t == "") return
				print name ": " t
				for (i = (n > 12 ? n - 12 : 0); i < n; i++) print "    " d[i % 12]
			}
			END { flush() }' "$out" >>"$log_dir/why"
	fi
	grep -h '# SKIP' "$out" | sed 's/^/    /' | head -20
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
}

# The end-to-end tests of the analysis alone (fixture runs, no root, no
# pinning): compare, report, history, bisect on what a run left.
ANALYSIS_TESTS="tests/sys/test_behaviour.py tests/sys/test_history_report.py tests/sys/test_docs.py"

# --sanitized DIR: DIR/tests/unit and the analysis tests with DIR/gupbench
# (make asan's sanitizer build)
if [ "${1:-}" = --sanitized ]; then
	bdir=${2:?--sanitized needs a build directory}
	export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
	for t in "$bdir"/tests/unit/test_*; do
		[[ -x "$t" && "$t" != *.o && "$t" != *.d ]] || continue
		run_one "$bdir:${t#"$bdir"/tests/}" "$t"
	done
	export GUPBENCH="$top/$bdir/gupbench"
	for t in $ANALYSIS_TESTS; do
		run_one "$bdir:${t#tests/}" python3 "$t"
	done
else
	for t in build/tests/unit/test_* build/tests/sys/test_*; do
		[[ -x "$t" && "$t" != *.o && "$t" != *.d ]] || continue
		run_one "${t#build/tests/}" "$t"
	done
	for t in tests/sys/test_*.py; do
		[ -f "$t" ] || continue
		run_one "${t#tests/}" python3 "$t"
	done
fi

if ((${#failed_names[@]})); then
	echo
	echo "Failures:"
	printf '  %s\n' "${failed_names[@]}"
	if [ -s "$log_dir/why" ]; then
		echo
		echo "Why (the last lines of each failing test's diagnostics):"
		sed 's/^/  /' "$log_dir/why" | tail -60
	fi
fi
rm -rf "$log_dir"
echo "$pass passed, $fail failed, $skip skipped"
((fail == 0))
