# tests/integration/40-hostile.sh - smtptls probe against scripted
# misbehaving SMTP servers (tests/peers/badsmtp.c, one mode per case).
#
# Every case starts its own peer on 127.10.2.N:25, probes it with --json
# --host, and asserts: the exit code of report.md 8 (exactly; a signal or a
# sanitizer report is a failure), the check id and status the misbehaviour
# must produce (checks.md 3-4) with the words that explain it, a JSON
# document whose summary agrees with the exit code, a wall time under the
# deadline, and a peak RSS under 64 MiB (GNU time's %M, which covers the
# probe). The cases that feed smtptls megabytes or long lines (flood,
# manylines, longline, endlessline, longehlo, endless250, bigchain) must
# also stay within a few MiB of a well-behaved control peer: input must
# not grow memory.
#
# Under ASan (detected in the binary) the shadow memory and quarantine
# inflate RSS, so the absolute and growth limits are widened there; the
# release build is the one that holds the 64 MiB line.
# lane: alone - wall-time limits of every hostile peer (its cases run three at a time)
. "$SMTPTLS_TOP/tests/lib.sh"

PEER="$SMTPTLS_BUILD/peers/badsmtp"
TIMEOUT=2   # --timeout: each network step
DEADLINE=10 # --deadline: the whole run
# Process start-up and writing the report happen outside the probe's own
# clock; the deadline may be overrun by this much, no more.
WALL_SLACK=0.5
if grep -q __asan_init "$SMTPTLS" 2>/dev/null; then
	RSS_MAX_KB=$((256 * 1024))
	GROWTH_MAX_KB=$((96 * 1024))
else
	RSS_MAX_KB=$((64 * 1024))
	GROWTH_MAX_KB=$((16 * 1024))
fi
OUT_MAX=$((2 * 1024 * 1024)) # JSON report of a hostile peer stays small
WORK=$(mktemp -d /tmp/smtptls-hostile.XXXXXX)
PEER_PIDS=""
CONTROL_KB=""
CASE_DEAD=0

cleanup() {
	local p
	for p in $PEER_PIDS; do
		kill "$p" 2>/dev/null
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

# peer_start N MODE [badsmtp args]: start badsmtp on 127.10.2.N:25 and
# wait until it listens (bounded: 5 s); sets PEER_PID, PEER_ADDR
peer_start() {
	local n=$1 mode=$2 i
	shift 2
	PEER_ADDR=127.10.2.$n
	"$PEER" --listen "$PEER_ADDR:25" --mode "$mode" --lifetime 60 "$@" \
	    2>"$WORK/peer-$n.err" &
	PEER_PID=$!
	PEER_PIDS="$PEER_PIDS $PEER_PID"
	for i in $(seq 100); do
		if ss -ltnH "src $PEER_ADDR and sport = :25" | grep -q .; then
			return 0
		fi
		kill -0 "$PEER_PID" 2>/dev/null || break
		sleep 0.05
	done
	t_fail "hostile/$mode/peer-listens" "badsmtp listening on $PEER_ADDR:25" \
	    "$(head -c 300 "$WORK/peer-$n.err")"
	return 1
}

# peer_stop: the peer must have survived the probe (else the case tested
# nothing), then it goes
peer_stop() {
	if ! kill -0 "$PEER_PID" 2>/dev/null; then
		t_fail "hostile/$CASE/peer-alive" "badsmtp still running" \
		    "exited: $(head -c 300 "$WORK/peer-${PEER_ADDR##*.}.err")"
	fi
	kill "$PEER_PID" 2>/dev/null
	wait "$PEER_PID" 2>/dev/null
}

# run_probe CASE EXIT [probe args]: probe the current peer; asserts the
# exit code, a probe document agreeing with it, wall time and RSS.
# The outer `timeout` only guards the test run against a hung probe.
run_probe() {
	local want=$2 deadline=$DEADLINE timeout=$TIMEOUT tf rss wall size
	CASE=$1
	shift 2
	# Cases may override --timeout/--deadline: the last one given wins.
	local a prev=""
	for a in "$@"; do
		[ "$prev" = --deadline ] && deadline=$a
		[ "$prev" = --timeout ] && timeout=$a
		prev=$a
	done
	tf="$WORK/time.$BASHPID"
	t_run "hostile/$CASE/exit" "$want" /usr/bin/time -f '%M %e' -o "$tf" \
	    timeout -k 2 $((deadline + 10)) "$SMTPTLS" probe --json \
	    --host "[$PEER_ADDR]" --resolver "$RESOLVER" --allow-private \
	    --timeout "$timeout" --deadline "$deadline" "$@"
	read -r rss wall <<EOF
$(tail -n 1 "$tf")
EOF
	RSS_KB=$rss
	printf '  %s: exit %s, %s s, peak RSS %s KiB\n' "$CASE" "$T_RC" "$wall" "$rss"
	CASE_DEAD=0
	if [ "$T_RC" = 124 ] || [ "$T_RC" = 137 ]; then
		t_fail "hostile/$CASE/hung" "probe ends by itself within --deadline $deadline s" \
		    "killed by the test's guard after $((deadline + 10)) s"
		CASE_DEAD=1
		return
	fi
	# Killed by a signal or a sanitizer: t_run said so; the report
	# assertions would only repeat it.
	if [ "$T_RC" -gt 128 ] || [ "$T_RC" = 99 ]; then
		CASE_DEAD=1
		return
	fi
	t_jq "hostile/$CASE/json" '.type' probe
	t_jq "hostile/$CASE/summary-exit" '.summary.exit_code' "$T_RC"
	if awk -v w="$wall" -v d="$deadline" -v s="$WALL_SLACK" \
	    'BEGIN { exit !(w + 0 < d + s) }'; then
		t_pass "hostile/$CASE/wall"
	else
		t_fail "hostile/$CASE/wall" "under --deadline $deadline s (+$WALL_SLACK s)" "$wall s"
	fi
	if [ "${rss:-999999999}" -lt "$RSS_MAX_KB" ]; then
		t_pass "hostile/$CASE/rss"
	else
		t_fail "hostile/$CASE/rss" "peak RSS < $RSS_MAX_KB KiB" "$rss KiB"
	fi
	size=$(wc -c <"$T_OUT")
	if [ "$size" -lt "$OUT_MAX" ]; then
		t_pass "hostile/$CASE/output-size"
	else
		t_fail "hostile/$CASE/output-size" "report < $OUT_MAX octets" "$size octets"
	fi
}

# cj NAME FILTER EXPECTED: t_jq on the case's report, unless the probe
# died (run_probe has reported that)
cj() {
	[ "$CASE_DEAD" = 0 ] || return 0
	t_jq "$@"
}

# finding ID STATUS [REGEX]: the address-scope check ID has STATUS and its
# detail matches REGEX (what the misbehaviour was)
finding() {
	local id=$1 status=$2 re=${3:-}
	[ "$CASE_DEAD" = 0 ] || return 0
	t_jq "hostile/$CASE/$id" \
	    "[.checks[] | select(.id == \"$id\" and .subject.address == \"$PEER_ADDR\") | .status] | join(\",\")" \
	    "$status"
	if [ -n "$re" ]; then
		t_match "hostile/$CASE/$id-detail" "$re" \
		    "$(jq -r --arg id "$id" '[.checks[] | select(.id == $id) | .detail][0]' <"$T_OUT")"
	fi
}

# addr_error CODE PHASE: the address's error object (report.md 7.1)
addr_error() {
	cj "hostile/$CASE/error" '.mx[0].addresses[0].error | "\(.code) \(.phase)"' "$1 $2"
}

# no_growth: peak RSS within GROWTH_MAX_KB of the well-behaved control
no_growth() {
	[ "$CASE_DEAD" = 0 ] || return 0
	if [ -z "$CONTROL_KB" ] || [ -z "${RSS_KB:-}" ]; then
		t_fail "hostile/$CASE/no-growth" "a control measurement" "none"
	elif [ "$RSS_KB" -le $((CONTROL_KB + GROWTH_MAX_KB)) ]; then
		t_pass "hostile/$CASE/no-growth"
	else
		t_fail "hostile/$CASE/no-growth" \
		    "peak RSS <= control $CONTROL_KB + $GROWTH_MAX_KB KiB" "$RSS_KB KiB"
	fi
}

# The cases after the control run side by side, at most CASE_LANES at
# once, each in a subshell with its own peer and files: most of their time
# is a peer that makes the probe wait. Their output is kept per case and
# printed in case order when all are done.
CASE_LANES=3
CASES=0
case_slot() {
	while [ "$(jobs -rp | wc -l)" -ge "$CASE_LANES" ]; do
		wait -n
	done
	CASES=$((CASES + 1))
}
cases_collect() {
	local i
	wait
	for i in $(seq "$CASES"); do
		cat "$WORK/case-$i.log"
		T_FAILED=$((T_FAILED + $(grep -c '^FAIL ' "$WORK/case-$i.log")))
	done
}

# --- control: a well-behaved peer; its RSS is the baseline
if peer_start 20 good; then
	run_probe good 0
	finding tls.handshake pass
	finding smtp.ehlo.after_tls pass
	CONTROL_KB=$RSS_KB
	peer_stop
fi

# --- greeting
# No banner at all: the banner step times out. The only address could not
# be measured, so the required opportunistic level is unknown: exit 3.
case_slot
{
if peer_start 1 silent; then
	run_probe silent 3
	finding smtp.banner error 'timed out'
	addr_error timeout banner
	cj hostile/silent/opportunistic '.verdicts.levels.opportunistic.outcome' unknown
	peer_stop
fi
} >"$WORK/case-$CASES.log" 2>&1 &

# One byte a second: the step limit is fixed when the step starts, so the
# trickle does not extend it (style.md 6).
case_slot
{
if peer_start 2 slowbanner; then
	run_probe slowbanner 3
	finding smtp.banner error 'timed out'
	addr_error timeout banner
	peer_stop
fi
} >"$WORK/case-$CASES.log" 2>&1 &

case_slot
{
if peer_start 8 banner421; then
	run_probe banner421 3
	finding smtp.banner error '421'
	peer_stop
fi
} >"$WORK/case-$CASES.log" 2>&1 &

case_slot
{
if peer_start 9 http; then
	run_probe http 1
	finding smtp.banner fail 'HTTP/1\.1 400'
	addr_error protocol banner
	peer_stop
fi
} >"$WORK/case-$CASES.log" 2>&1 &

# A 100 KiB greeting line (RFC 5321 4.5.3.1: receivers cope with long
# lines): its start is kept, the rest read and discarded, the greeting is
# a warning, and the dialogue goes on to TLS as it does with a real MTA.
case_slot
{
if peer_start 4 longline; then
	run_probe longline 0 --transcript
	finding smtp.banner warn 'malformed greeting: a line of 102421 octets, over the 512'
	finding smtp.ehlo pass
	finding smtp.starttls.response pass
	finding tls.handshake pass
	finding smtp.ehlo.after_tls pass
	cj hostile/longline/opportunistic '.verdicts.levels.opportunistic.outcome' deliver
	cj hostile/longline/stored-start \
	    '.mx[0].addresses[0].smtp.banner.lines[0] | test("^220 badsmtp\\.lab\\.test AAAA")' true
	cj hostile/longline/transcript-says-cut \
	    '[.mx[0].addresses[0].transcript[] | tostring | select(test("reply line of 102421 octets"))] | length' 1
	no_growth
	peer_stop
fi
} >"$WORK/case-$CASES.log" 2>&1 &

# A greeting line that never ends: the cap on one reply (1 MiB) ends it
# well before the step timeout, with bounded memory.
case_slot
{
if peer_start 18 endlessline; then
	run_probe endlessline 1
	finding smtp.banner fail 'reply longer than 1048576 octets'
	addr_error limit banner
	no_growth
	peer_stop
fi
} >"$WORK/case-$CASES.log" 2>&1 &

# 10 MiB of random octets: a malformed reply, escaped in the report.
case_slot
{
if peer_start 14 flood; then
	run_probe flood 1
	finding smtp.banner fail 'malformed'
	addr_error protocol banner
	no_growth
	# The human report quotes the garbage escaped: no control octets
	# reach a terminal (style.md 3).
	t_run hostile/flood/human 1 "$SMTPTLS" probe --host "[$PEER_ADDR]" \
	    --resolver "$RESOLVER" --allow-private --timeout "$TIMEOUT" \
	    --deadline "$DEADLINE" -v
	t_eq hostile/flood/human-escaped 0 \
	    "$(cat "$T_OUT" "$T_ERR" | tr -d '\n\t' | LC_ALL=C tr -dc '\000-\037\177' | wc -c)"
	t_match hostile/flood/human-finding 'smtp\.banner' "$(cat "$T_OUT")"
	peer_stop
fi
} >"$WORK/case-$CASES.log" 2>&1 &

# 10 MiB of 220- continuation lines (a thousand-line greeting and more),
# with --transcript: the line-count limit stops the reply and the
# transcript stays small.
case_slot
{
if peer_start 15 manylines; then
	run_probe manylines 1 --transcript
	finding smtp.banner fail 'more than [0-9]+ lines'
	addr_error limit banner
	no_growth
	cj hostile/manylines/transcript-bounded \
	    '[.mx[0].addresses[0].transcript[]] | length < 1000' true
	peer_stop
fi
} >"$WORK/case-$CASES.log" 2>&1 &

# --- EHLO
# A 100 KiB line in the EHLO reply, before and after TLS: a malformed
# reply (warn), and STARTTLS, which follows it, is still seen and used.
case_slot
{
if peer_start 19 longehlo; then
	run_probe longehlo 0
	finding smtp.ehlo warn 'malformed reply: a line of 102411 octets'
	finding smtp.starttls.offered pass
	finding tls.handshake pass
	finding smtp.ehlo.after_tls pass
	no_growth
	peer_stop
fi
} >"$WORK/case-$CASES.log" 2>&1 &

case_slot
{
if peer_start 3 endless250; then
	run_probe endless250 1 --transcript
	finding smtp.ehlo fail 'more than [0-9]+ lines'
	addr_error limit ehlo
	no_growth
	peer_stop
fi
} >"$WORK/case-$CASES.log" 2>&1 &

# --- STARTTLS
case_slot
{
if peer_start 5 starttls454; then
	run_probe starttls454 1
	finding smtp.starttls.response fail '454'
	finding tls.handshake skip
	peer_stop
fi
} >"$WORK/case-$CASES.log" 2>&1 &

case_slot
{
if peer_start 6 garbagetls; then
	run_probe garbagetls 1
	finding tls.handshake fail
	addr_error tls-protocol tls
	peer_stop
fi
} >"$WORK/case-$CASES.log" 2>&1 &

# The server closes right after its 220: the ClientHello meets a closed
# socket. A failed handshake, not a SIGPIPE. Whether the peer's RST has
# arrived when OpenSSL writes its alert is a race, so the case is repeated.
case_slot
{
if peer_start 7 closeafterstarttls; then
	run_probe closeafterstarttls 1
	finding tls.handshake fail
	codes=""
	for i in 1 2 3 4 5 6 7 8 9 10; do
		"$SMTPTLS" probe --json --host "[$PEER_ADDR]" --resolver "$RESOLVER" \
		    --allow-private --timeout "$TIMEOUT" --deadline "$DEADLINE" \
		    >/dev/null 2>&1
		codes="$codes $?"
	done
	t_eq hostile/closeafterstarttls/exit-x10 " 1 1 1 1 1 1 1 1 1 1" "$codes"
	peer_stop
fi
} >"$WORK/case-$CASES.log" 2>&1 &

# The ClientHello is read and never answered: the handshake times out.
case_slot
{
if peer_start 10 stalltls; then
	run_probe stalltls 3
	finding tls.handshake error 'timed out'
	addr_error timeout tls
	peer_stop
fi
} >"$WORK/case-$CASES.log" 2>&1 &

# Plaintext after the 220 to STARTTLS, in the same write: dropped before
# the handshake (style.md 3), never read as the EHLO reply over TLS. The
# injection check itself is a --scan check (checks.md Appendix D); the
# standard probe records the drop in the transcript.
case_slot
{
if peer_start 12 injection; then
	run_probe injection 0 --transcript
	finding tls.handshake pass
	finding smtp.ehlo.after_tls pass
	cj hostile/injection/not-in-ehlo-tls \
	    '[.mx[0].addresses[0].smtp.ehlo_tls.lines[] | select(test("injected"))] | length' 0
	cj hostile/injection/dropped \
	    '[.mx[0].addresses[0].transcript[] | tostring | select(test("after the 220 to STARTTLS"))] | length > 0' true
	peer_stop
fi
} >"$WORK/case-$CASES.log" 2>&1 &

# --- certificates
# 100 certificates, each issuing the one before (under OpenSSL's 100 KiB
# certificate-list limit): the handshake completes, the path is too long
# or untrusted, and memory stays flat.
case_slot
{
if peer_start 11 bigchain --chain 100; then
	run_probe bigchain 0
	finding tls.handshake pass
	finding cert.chain.trusted warn
	cj hostile/bigchain/presented \
	    '[.checks[] | select(.id == "cert.chain.complete") | .data.presented][0]' 100
	no_growth
	peer_stop
fi
} >"$WORK/case-$CASES.log" 2>&1 &

# 1000 certificates: over the client's certificate-list limit, the
# handshake fails cleanly.
case_slot
{
if peer_start 13 bigchain --chain 1000; then
	run_probe bigchain1000 1
	finding tls.handshake fail 'excessive message size'
	no_growth
	peer_stop
fi
} >"$WORK/case-$CASES.log" 2>&1 &

# --- deadline
# The cases that run to their deadline assert wall time closest to the
# limit: they run one after the other when the others are done (their
# output follows the others').
cases_collect
# A per-step limit longer than the run: --deadline ends the run (exit 3)
# and is reported as a run-level error.
if peer_start 16 silent; then
	run_probe silent-deadline 3 --timeout 30 --deadline 3
	cj hostile/silent-deadline/errors '[.errors[].code] | join(",")' deadline
	cj hostile/silent-deadline/incomplete '.summary.complete' false
	peer_stop
fi

# The same with a resolver that never answers: the DNS phase too must end
# at the deadline.
if peer_start 17 good; then
	RESOLVER=127.10.2.99 run_probe dead-resolver-deadline 3 --timeout 30 --deadline 3
	cj hostile/dead-resolver-deadline/errors '[.errors[].code] | index("deadline") != null' true
	peer_stop
fi

t_done
