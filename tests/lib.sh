# tests/lib.sh - helpers for integration tests (sourced).
#
# Every assertion prints "PASS name" or "FAIL name" plus indented lines with
# what was expected and what was seen. t_run never hides an exit status, and
# death by a signal is always a failure.
set -u
: "${SMTPTLS:?run through tests/run.sh}"
LAB=${SMTPTLS_LAB:-/tmp/smtptls-lab}
CA="$LAB/ca/root.pem"
RESOLVER=127.10.0.2
T_FAILED=0

t_pass() { printf 'PASS %s\n' "$1"; }
t_fail() {
	printf 'FAIL %s\n  expected: %s\n  seen: %s\n' "$1" "$2" "$3"
	T_FAILED=$((T_FAILED + 1))
}

# t_eq NAME EXPECTED SEEN
t_eq() {
	if [ "$2" = "$3" ]; then t_pass "$1"; else t_fail "$1" "$2" "$3"; fi
}

# t_match NAME REGEX SEEN (extended regex)
t_match() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then t_pass "$1"; else t_fail "$1" "/$2/" "$3"; fi
}

# t_run NAME EXPECTED_EXIT CMD... : runs CMD, keeps stdout in $T_OUT and
# stderr in $T_ERR, asserts the exit status exactly. Each call has files of
# its own (a script may keep an earlier $T_OUT), named by process and count
# in one directory under TMPDIR: no mktemp per call, of which the suite
# made thousands.
T_DIR=$(mktemp -d) T_SEQ=0
t_run() {
	local name=$1 want=$2
	shift 2
	T_SEQ=$((T_SEQ + 1))
	T_OUT="$T_DIR/$BASHPID.$T_SEQ.out" T_ERR="$T_DIR/$BASHPID.$T_SEQ.err"
	"$@" >"$T_OUT" 2>"$T_ERR"
	T_RC=$?
	if [ "$T_RC" -gt 128 ] && [ "$T_RC" -ne 255 ]; then
		t_fail "$name" "exit $want" "killed by signal $((T_RC - 128)): $(head -c 400 "$T_ERR")"
	elif [ "$T_RC" -eq 99 ]; then
		t_fail "$name" "exit $want" "sanitizer report: $(head -c 800 "$T_ERR")"
	elif [ "$T_RC" != "$want" ]; then
		t_fail "$name" "exit $want" "exit $T_RC; stderr: $(head -c 400 "$T_ERR")"
	else
		t_pass "$name"
	fi
}

# t_jq NAME FILTER EXPECTED : applies a jq filter (raw output) to $T_OUT.
t_jq() {
	local seen
	seen=$(jq -r "$2" <"$T_OUT" 2>&1 | tr '\n' ' ' | sed 's/ $//')
	t_eq "$1" "$3" "$seen"
}

# help_options: a help text of smtptls in, its options out, one per line:
# "OPTION" for a flag, "OPTION METAVAR" for one with a value, "OPTION
# =METAVAR" for one whose value follows '=' (--color=WHEN). Reads the
# indented lines that start with '-', up to the two spaces before the
# description ("  --ca-file FILE, --ca-path DIR   trust store ...").
help_options() {
	grep -E '^ +-' | sed -E 's/^ +//; s/  .*$//; s/, /\n/g' |
	    sed -E 's/^(--?[A-Za-z0-9-]+)=(.*)$/\1 =\2/' | sort -u
}

# Run the probe against the lab resolver and trust store.
lab_probe() { "$SMTPTLS" probe --resolver "$RESOLVER" --ca-file "$CA" --allow-private "$@"; }

t_done() { [ "$T_FAILED" -eq 0 ]; }

# pid_of FILE COMM - the pid in FILE if that process runs as COMM
pid_of() {
	local p
	[ -r "$1" ] || return 1
	p=$(tr -dc 0-9 <"$1") || return 1
	[ -n "$p" ] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$2" ] && echo "$p"
}

# stop_pid PID - TERM, wait (zombies count as gone), then KILL
stop_pid() {
	local p=$1 _
	kill "$p" 2>/dev/null
	for _ in $(seq 1 30); do
		case "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" in
		"" | Z) return 0 ;;
		esac
		sleep 0.1
	done
	kill -9 "$p" 2>/dev/null
}
