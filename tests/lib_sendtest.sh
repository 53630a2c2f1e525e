# tests/lib_sendtest.sh - starting `smtptls listen --test-zone` and
# reading its summary (sourced by the sender tests; the summary object is
# in $SUM).

# zone_wait OUT PID [TENTHS] - wait (at most TENTHS tenths of a second,
# default 50) until the listener PID has written its sendtest.start record
# to OUT, or has ended; 0 when the record is there
zone_wait() {
	local out=$1 pid=$2 _
	for _ in $(seq 1 "${3:-50}"); do
		grep -q '"sendtest.start"' "$out" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	grep -q '"sendtest.start"' "$out" 2>/dev/null
}

# results ADDR - that sender's results as "scenario=result" words
results() {
	jq -r --arg a "$1" '.senders[] | select(.address == $a) |
	    [.scenarios[] | "\(.name)=\(.result)"] | join(" ")' <<<"$SUM"
}

# fits ADDR - the policies that explain that sender, space-separated
fits() {
	jq -r --arg a "$1" '.senders[] | select(.address == $a) |
	    [.policies[].policy] | join(" ")' <<<"$SUM"
}
