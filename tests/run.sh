#!/usr/bin/env bash
# tests/run.sh - the one test command (README, make check, .ci/run).
#
# Installs what is missing (scripts/setup.sh), builds, brings the lab up,
# runs the unit tests and every tests/integration/*.sh twice - with the
# release build and with the ASan+UBSan build (names prefixed "asan/") -
# brings the lab down (also when a test fails or the run is interrupted:
# then the running scripts are stopped first, and clean up after them) and
# ends with exactly one line "N passed, N failed". Exit status is non-zero
# when any test failed.
#
# Each test prints "PASS name" or "FAIL name" followed by indented lines that
# say what was expected and what was seen. A test script that dies without
# reporting, or is killed by its time limit, counts as one failure; so does
# any sanitizer report (the ASan build exits 99 on one).
#
# Integration scripts run three at a time (LANES=N for N, LANES=1 for one
# at a time): most of them wait on peers, queues and timeouts more than they
# compute, so a third lane fills the two cores (a run at 07:48 on
# 2026-12-07: 396 s with three, about 480 s with two, nothing failed). Those
# that say "# lane: alone" in their first lines (they hold wall-time limits
# that a loaded machine would break) run only beside each other, two at a
# time. Scripts that run side by side use disjoint addresses
# (testdata/lab/README.md); one script never runs beside itself (the two
# passes' "alone" groups are apart).
#
# Scheduling, so that neither core waits: the lab comes up beside the
# builds; the ASan build runs (niced) from the start, beside the release
# build, while the lab comes up and
# the release pass's scripts run - it is done
# before any "lane: alone" script starts; each pass's unit tests run in a
# lane like a script; the scripts of LONG_FIRST start first, the others
# follow in name order; the "alone" scripts of both passes run between the
# two passes (the release pass's last, the ASan pass's first), two at a
# time, so that the lanes drain once.
#
# The ASan pass runs the unit tests and every integration script except
# those that say "# asan: skip - REASON" in their first lines: scripts
# whose time goes into waiting, or that exercise the lab rather than
# smtptls, teach a sanitizer nothing the release pass has not run (the
# reason is printed). ASAN_ALL=1 runs them all.
#
# Environment: PASSES="release" or "asan" runs only that pass (default
# both); TESTS="pattern" runs only the integration scripts whose name
# matches; DRY_RUN=1 builds nothing, starts no lab and prints what would
# run, in order (no lab needed: a check of this scheduling).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2

log=$(mktemp -d /tmp/smtptls-tests.XXXXXX)
results="$log/results"
: >"$results"

say() { printf '%s\n' "$*"; }

# record PREFIX: copy PASS/FAIL lines (and their detail lines) into the
# results with the pass prefix.
record() {
	local prefix=$1
	grep -E '^(PASS|FAIL) |^  ' | sed -E "s#^(PASS|FAIL) #\\1 ${prefix}#" | tee -a "$results"
}

# Setup and build failures are reported as test failures so that the count
# line is always printed.
step() {
	local name=$1 rc t0=$SECONDS
	shift
	"$@" >"$log/$name.out" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		say "PASS $name ($((SECONDS - t0)) s)" | tee -a "$results"
		return 0
	fi
	{ say "FAIL $name"; say "  expected: exit 0"; say "  seen: exit $rc (last lines follow)";
	  tail -n 25 "$log/$name.out" | sed 's/^/    /'; } | tee -a "$results"
	return 1
}

finish() {
	local p f
	p=$(grep -c '^PASS ' "$results")
	f=$(grep -c '^FAIL ' "$results")
	say "# took $SECONDS s"
	say "$p passed, $f failed"
	[ "$f" -eq 0 ]
	exit $?
}

lab_down() { ./scripts/lab.sh down >"$log/lab-down.out" 2>&1 || true; }

# stop_scripts: on an interrupt, each running script (and build) is told to
# stop and waited for. Each runs under timeout(1) in a process group of its
# own, which the terminal's ^C does not reach; timeout hands the TERM on,
# and the script's own EXIT trap stops the servers it started (59-sendtest's
# Unbound and Postfix would otherwise stay, and fail the next run's on
# "Address already in use"); timeout kills what is left 5 s later.
stop_scripts() {
	local j
	for j in $(jobs -p); do
		pkill -TERM -P "$j" 2>/dev/null
	done
	wait
}

# run_script PASS PREFIX SCRIPT NAME: one integration script, its record
# appended to the results under a lock (two may end at once).
run_script() {
	local pass=$1 prefix=$2 t=$3 n=$4 out rc
	out="$log/$pass-int-$n.out"
	# Every script stops by itself: a hard limit guards against a hang.
	# Its temporary files (t_run's and any plain mktemp) go to a
	# directory of its own, removed when it ends.
	local t0=$SECONDS
	mkdir -p "$log/tmp-$pass-$n"
	TMPDIR="$log/tmp-$pass-$n" timeout -k 5 600 bash "$t" >"$out" 2>&1
	rc=$?
	t0=$((SECONDS - t0))
	rm -rf "$log/tmp-$pass-$n"
	{
		flock 9
		say "# $pass: $n"
		record "$prefix" <"$out" | grep -v '^PASS ' || true
		say "  $(grep -c '^PASS ' "$out") passed, $(grep -c '^FAIL ' "$out") failed ($t0 s)"
		if [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$out"; then
			{ say "FAIL ${prefix}$n"; say "  expected: script exits 0"; say "  seen: exit $rc";
			  tail -n 20 "$out" | sed 's/^/    /'; } | tee -a "$results"
		fi
	} 9>"$log/results.lock"
}

# run_pass NAME BUILDDIR PREFIX: unit tests, then every integration script
run_pass() {
	local pass=$1 bdir=$2 prefix=$3 t n out rc
	export SMTPTLS="$top/$bdir/smtptls"
	export SMTPTLS_BUILD="$top/$bdir"
	export SMTPTLS_TOP="$top"
	local units=0 mode=""
	for t in $(script_order "$pass"); do
		[ -f "$t" ] || continue
		n=$(basename "$t" .sh)
		case "$n" in ${TESTS:-*}) ;; *) continue ;; esac
		if [ "$pass" = asan ] && [ "${ASAN_ALL:-0}" != 1 ] &&
		    skip=$(head -n 30 "$t" | grep -m1 '^# asan: skip'); then
			say "# $pass: $n not run (${skip#\# asan: })"
			continue
		fi
		# LANES scripts at a time, but the scripts that hold wall-time
		# limits ("# lane: alone") run only beside each other, two at
		# a time: alone they left a core idle (each uses under one;
		# 40-hostile and 37-hostile-mtasts passed side by side five
		# times in a row, both builds). A pass's first one waits for
		# everything before it, and the first other script after them
		# waits for them.
		if head -n 30 "$t" | grep -q '^# lane: alone'; then
			[ "$mode" = alone ] || wait
			mode=alone
			LANES=2 lane_wait
			run_script "$pass" "$prefix" "$t" "$n" &
		else
			[ "$mode" != alone ] || wait
			mode=lanes
			# The unit tests take a lane after the "alone" scripts.
			if [ "$units" = 0 ]; then
				units=1
				lane_wait
				run_units "$pass" "$bdir" "$prefix" &
			fi
			lane_wait
			run_script "$pass" "$prefix" "$t" "$n" &
		fi
	done
	[ "$units" = 1 ] || run_units "$pass" "$bdir" "$prefix" &
}

# run_units PASS BUILDDIR PREFIX: the unit tests of a pass, one after the
# other (one lane)
run_units() {
	local pass=$1 bdir=$2 prefix=$3 t n out rc t0=$SECONDS
	for t in "$bdir"/tests/*; do
		[ -x "$t" ] || continue
		n=$(basename "$t")
		out="$log/$pass-unit-$n.out"
		timeout 300 "$t" >"$out" 2>&1
		rc=$?
		{
			flock 9
			record "$prefix" <"$out" | grep -v '^PASS ' || true
			if [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$out"; then
				{ say "FAIL ${prefix}unit/$n"; say "  expected: exit 0"; say "  seen: exit $rc";
				  tail -n 20 "$out" | sed 's/^/    /'; } | tee -a "$results"
			fi
		} 9>"$log/results.lock"
	done
	say "# $pass: unit tests ($((SECONDS - t0)) s)"
}

# lane_wait: until fewer than LANES jobs run
lane_wait() {
	while [ "$(jobs -rp | grep -cvx "${asan_build:-none}")" -ge "${LANES:-3}" ]; do
		wait -n
	done
}

# The scripts that take longest start first, so that no lane is left with
# a long one at the end of a pass (a fresh clone of 3be4a67 on 2 idle
# cores: 07-package 79 s, asan/46-cli-props 47 s, 45-cli 36 s, asan/
# 40-hostile 29 s, 10-lab 25 s, asan/30-probe 24 s, ... 32-schema 20 s).
LONG_FIRST="26-profiles-testssl 07-package 46-cli-props 59-sendtest 64-profiles-mtas 61-sendtest-sts 45-cli 40-hostile 30-probe 10-lab 55-listen-postfix
20-dns 50-listen 29-dnssec-paths 32-schema"

# script_order PASS: the integration scripts, LONG_FIRST's first, then the
# others in name order; the "alone" ones last in the release pass and
# first in the ASan pass (there the two passes meet: the lanes drain once)
script_order() {
	local t n list="" alone="" other=""
	for n in $LONG_FIRST; do
		[ -f "tests/integration/$n.sh" ] && list="$list tests/integration/$n.sh"
	done
	for t in tests/integration/*.sh; do
		case " $list " in *" $t "*) ;; *) list="$list $t" ;; esac
	done
	for t in $list; do
		if head -n 30 "$t" | grep -q '^# lane: alone'; then
			alone="$alone $t"
		else
			other="$other $t"
		fi
	done
	if [ "$1" = release ]; then
		printf '%s\n' $other $alone
	else
		printf '%s\n' $alone $other
	fi
}

passes=${PASSES:-release asan}
# Backwards compatible: SMTPTLS_ASAN=1 means the ASan pass only.
[ "${SMTPTLS_ASAN:-0}" = 1 ] && passes=asan

# DRY_RUN=1: no setup, build or lab; say what would run, in order.
if [ -n "${DRY_RUN:-}" ]; then
	step() { say "# would: $*"; }
	run_script() { say "# would run $1: $4$(head -n 30 "$3" | grep -q '^# lane: alone' && echo ' (alone)')"; }
	run_units() { say "# would run $1: unit tests"; }
	lab_down() { :; }
	echo 0 >"$log/build-asan.rc"
fi

step setup ./scripts/setup.sh || finish
# The ASan build runs in the background, niced (the release build and the
# tests come first), from the start: it uses what the release build, the
# lab's start and the release pass's waiting scripts leave of the two
# cores. The ASan pass and the "alone" scripts wait for it.
asan_build=""
case " $passes " in *" asan "*)
	( step build-asan nice -n 10 make -j2 asan; echo $? >"$log/build-asan.rc" ) &
	asan_build=$!
	;;
esac
# The lab needs nothing from the build: it comes up beside it.
trap 'stop_scripts; lab_down; finish' INT TERM
( step lab-up ./scripts/lab.sh up; echo $? >"$log/lab-up.rc" ) &
lab_up=$!
case " $passes " in *" release "*) step build make -j2 all unit || { wait; lab_down; finish; } ;; esac
wait "$lab_up"
[ "$(cat "$log/lab-up.rc" 2>/dev/null)" = 0 ] || { tail -n 40 "$log/lab-up.out"; wait; lab_down; finish; }

for pass in $passes; do
	case "$pass" in
	release)
		run_pass release build/release ""
		;;
	asan)
		wait "$asan_build" 2>/dev/null
		# A failed build is one failure (step said so); no ASan pass.
		[ "$(cat "$log/build-asan.rc" 2>/dev/null)" = 0 ] || continue
		export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
		export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99
		run_pass asan build/asan "asan/"
		unset ASAN_OPTIONS UBSAN_OPTIONS
		;;
	esac
done
wait

lab_down
trap - INT TERM
finish
