#!/usr/bin/env bash
# tests/run.sh - the one test command (make check, .ci/run).
#
# Installs what is missing (scripts/setup.sh), builds, brings the lab up,
# runs the unit tests and every tests/integration/*.sh, brings the lab down
# (also when a test fails or the run is interrupted) and ends with exactly one
# line "N passed, N failed". Exit status is non-zero when any test failed.
#
# Each test prints "PASS name" or "FAIL name" followed by indented lines that
# say what was expected and what was seen. A test script that dies without
# reporting, or is killed by its time limit, counts as one failure.
#
# Environment: SMTPTLS_ASAN=1 builds and tests the ASan+UBSan binary;
# TESTS="pattern" runs only the integration scripts whose name matches.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2

log=$(mktemp -d /tmp/smtptls-tests.XXXXXX)
results="$log/results"
: >"$results"

say() { printf '%s\n' "$*"; }

# Setup and build failures are reported as test failures so that the count
# line is always printed.
step() {
	local name=$1
	shift
	if "$@" >"$log/$name.out" 2>&1; then
		say "PASS $name" | tee -a "$results"
	else
		{ say "FAIL $name"; say "  expected: exit 0"; say "  seen: exit $? (last lines follow)";
		  tail -n 25 "$log/$name.out" | sed 's/^/    /'; } | tee -a "$results"
		return 1
	fi
}

finish() {
	local p f
	p=$(grep -c '^PASS ' "$results")
	f=$(grep -c '^FAIL ' "$results")
	say "$p passed, $f failed"
	[ "$f" -eq 0 ]
	exit $?
}

step setup ./scripts/setup.sh || finish
if [ "${SMTPTLS_ASAN:-0}" = 1 ]; then
	step build make -j2 asan || finish
	bdir=build/asan
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99
else
	step build make -j2 all unit || finish
	bdir=build/release
fi
export SMTPTLS="$top/$bdir/smtptls"
export SMTPTLS_BUILD="$top/$bdir"
export SMTPTLS_TOP="$top"

# Unit tests need no lab.
for t in "$bdir"/tests/*; do
	[ -x "$t" ] || continue
	n=$(basename "$t")
	out="$log/unit-$n.out"
	timeout 120 "$t" >"$out" 2>&1
	rc=$?
	grep -E '^(PASS|FAIL) |^  ' "$out" | tee -a "$results" | grep -v '^PASS ' || true
	if [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$out"; then
		{ say "FAIL unit/$n"; say "  expected: exit 0"; say "  seen: exit $rc";
		  tail -n 20 "$out" | sed 's/^/    /'; } | tee -a "$results"
	fi
done
say "unit tests: $(grep -c '^PASS ' "$results") passed so far"

lab_down() { ./scripts/lab.sh down >"$log/lab-down.out" 2>&1 || true; }
trap 'lab_down; finish' INT TERM
step lab-up ./scripts/lab.sh up || { cat "$log/lab-up.out" | tail -n 40; lab_down; finish; }

for t in tests/integration/*.sh; do
	[ -f "$t" ] || continue
	n=$(basename "$t" .sh)
	case "$n" in ${TESTS:-*}) ;; *) continue ;; esac
	out="$log/int-$n.out"
	say "# $n"
	# Every script stops by itself: a hard limit guards against a hang.
	timeout -k 5 300 bash "$t" >"$out" 2>&1
	rc=$?
	grep -E '^(PASS|FAIL) |^  ' "$out" | tee -a "$results" >/dev/null
	grep -E '^(PASS|FAIL) |^  ' "$out"
	if [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$out"; then
		{ say "FAIL $n"; say "  expected: script exits 0"; say "  seen: exit $rc";
		  tail -n 20 "$out" | sed 's/^/    /'; } | tee -a "$results"
	fi
done

lab_down
trap - INT TERM
finish
