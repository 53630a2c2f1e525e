# tests/integration/43-share.sh - batch mode shares sessions and is polite
# (issue 14), against the scale lab (scripts/lab/scale.sh: scale.lab.test
# behind its own resolver) and scripted peers that count the connections
# they accept (tests/peers/badsmtp --log).
#
#   share1..8.scale.lab.test  MX mx.shared -> 127.10.14.1 (peer "good")
#   rl1..3                    MX mx.rlN    -> 127.10.14.2 (peer "ratelimit")
#   rl4..6                    MX mx.rlN    -> 127.10.14.3 (peer "ratelimit")
#
# Cases: eight domains on one MX host make one connection, and each
# domain's document equals a solo probe's (timings aside); with sharing
# off (SMTPTLS_SHARE=0) there are eight, no faster than --max-rate allows;
# --per-address 1 never meets the peer's one-session limit; with two at
# once the 421s are retried until every domain completes; when the peer
# stays busy past the deadline the address reports "rate-limited", never
# a TLS or banner failure.
. "$SMTPTLS_TOP/tests/lib.sh"

PEER="$SMTPTLS_BUILD/peers/badsmtp"
# The main lab's env names the scale resolver; an older one may not.
SCALE_RESOLVER=$(sed -n "s/^SCALE_RESOLVER='\(.*\)'$/\1/p" "$LAB/env" 2>/dev/null)
SCALE_RESOLVER=${SCALE_RESOLVER:-127.10.12.2}
WORK=$(mktemp -d /tmp/smtptls-share.XXXXXX)
PIDS=""
T0=$(date +%s%N)

cleanup() {
	local p
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$WORK"
}
trap cleanup EXIT

# peer ADDR NAME MODE [badsmtp args]: a counting peer on ADDR:25, waited
# for (bounded: 5 s); its log is $WORK/NAME.log
peer() {
	local addr=$1 name=$2 mode=$3
	shift 3
	: >"$WORK/$name.log"
	"$PEER" --listen "$addr:25" --mode "$mode" --lifetime 30 \
	    --log "$WORK/$name.log" "$@" >/dev/null 2>"$WORK/$name.err" &
	PIDS="$PIDS $!"
	for _ in $(seq 100); do
		ss -ltnH "src $addr and sport = :25" | grep -q . && return 0
		sleep 0.05
	done
	t_fail "share/$name/listens" "badsmtp on $addr:25" "$(head -c 300 "$WORK/$name.err")"
}

# count NAME WHAT: lines WHAT ("accept" or "421") in NAME's log
count() { grep -cx "$2" "$WORK/$1.log"; }

# reset NAME: forget what NAME counted so far
reset() { : >"$WORK/$1.log"; }

scale_probe() {
	"$SMTPTLS" probe --json --resolver "$SCALE_RESOLVER" --timeout 3 "$@"
}

# Timings, TTLs, timestamps and the days a certificate has left (the peer's
# expires 30 days after it started: a second can cross the day) differ
# between two runs; nothing else may.
NORM='walk(if type == "object" then del(.ms, .ttl, .duration_ms, .started,
    .finished, .timings_ms, .days_left) elif type == "string" then
    gsub("[0-9]+ ms"; "N ms") | gsub("[0-9]+ days left"; "N days left")
    else . end)'

peer 127.10.14.1 shared good
printf 'share%d.scale.lab.test\n' 1 2 3 4 5 6 7 8 >"$WORK/share.list"

# Eight domains, one MX host: one connection, eight complete documents.
t_run share/batch/exit 1 scale_probe -v --parallel 8 -f "$WORK/share.list"
cp "$T_OUT" "$WORK/batch.jsonl"
t_eq share/batch/connections 1 "$(count shared accept)"
t_eq share/batch/documents 8 "$(jq -r .target.input <"$WORK/batch.jsonl" | sort -u | wc -l | tr -d ' ')"
t_eq share/batch/all-complete 8 "$(jq -c '.mx[].addresses[] | select(.state == "complete")' \
    <"$WORK/batch.jsonl" | wc -l | tr -d ' ')"
t_match share/batch/stats '7 results shared' "$(cat "$T_ERR")"

# Each domain's document is what a solo probe of it says.
reset shared
t_run share/solo/exit 1 scale_probe share3.scale.lab.test
t_eq share/solo/connections 1 "$(count shared accept)"
jq -S "$NORM" <"$T_OUT" >"$WORK/solo.json"
jq -S "$NORM" <<<"$(jq -c 'select(.target.input == "share3.scale.lab.test")' \
    <"$WORK/batch.jsonl")" >"$WORK/shared.json"
t_eq share/solo/same-document "" "$(diff "$WORK/solo.json" "$WORK/shared.json" | head -20)"

# DNS answers are shared too: the MX host's A, AAAA and TLSA, the
# resolver's validation probe (the root SOA) and the SOA of the domain's
# parent zones (test, lab.test, scale.lab.test). One domain after the
# other, the batch sends 49 DNS queries fewer (7 domains x 7) than the
# same batch with sharing off, counted where they leave the process
# (strace: every sendto() to port 53), with the same documents.
dns_sent() {
	strace -f -qq -e trace=sendto -e signal=none -o "$WORK/strace.$1" \
	    env SMTPTLS_SHARE="$1" "$SMTPTLS" probe --json --resolver "$SCALE_RESOLVER" \
	    --timeout 3 --parallel 1 -f "$WORK/share.list" >"$WORK/dns.$1.jsonl" 2>/dev/null
	grep -c 'htons(53)' "$WORK/strace.$1"
}
sent_on=$(dns_sent 1)
sent_off=$(dns_sent 0)
t_eq share/dns/queries-saved 49 "$((sent_off - sent_on))"
t_eq share/dns/same-documents "" "$(diff <(jq -S "$NORM" <"$WORK/dns.1.jsonl") \
    <(jq -S "$NORM" <"$WORK/dns.0.jsonl") | head -20)"

# Sharing off (the bench knob): one connection per domain, spaced by
# --max-rate 10 (seven gaps of 100 ms at least). In the background: the
# ratelimit cases below use other peers.
reset shared
start=$(date +%s%N)
SMTPTLS_SHARE=0 "$SMTPTLS" probe --json --resolver "$SCALE_RESOLVER" \
    --timeout 3 --parallel 8 --max-rate 10 -f "$WORK/share.list" \
    >"$WORK/off.jsonl" 2>"$WORK/off.stderr" &
off_pid=$!

# The ratelimit peers serve one session at a time (each held 150 ms before
# its banner) and greet any other with 421.
peer 127.10.14.2 rl ratelimit --max-conns 1 --hold-ms 150
# The busy case's deadline: its lookups alone can take seconds under ASan
# on a loaded machine, and the last retry must come before it.
BUSY_S=5
grep -q __asan_init "$SMTPTLS" 2>/dev/null && BUSY_S=10
peer 127.10.14.3 busy ratelimit --max-conns 1 --hold-ms $(((BUSY_S + 4) * 1000))
printf 'rl%d.scale.lab.test\n' 1 2 3 >"$WORK/rl.list"
printf 'rl%d.scale.lab.test\n' 4 5 >"$WORK/busy.list"

# Past the deadline the busy peer still serves its first session (whose
# step timeout is longer than the deadline: it stays open throughout); the
# other says rate-limited when its next back-off would pass the deadline
# (in the background meanwhile).
scale_probe --timeout $((BUSY_S + 1)) --deadline $BUSY_S --parallel 2 -f "$WORK/busy.list" \
    >"$WORK/busy.jsonl" 2>"$WORK/busy.stderr" &
busy_pid=$!

# --per-address 1: never two at once, so never a 421.
t_run share/polite/exit 1 scale_probe --per-address 1 --parallel 3 -f "$WORK/rl.list"
t_eq share/polite/no-421 "3 0" "$(count rl accept) $(count rl 421)"
t_eq share/polite/connected "pass pass pass" \
    "$(jq -r '.checks[] | select(.id == "smtp.connect") | .status' <"$T_OUT" | tr '\n' ' ' | sed 's/ $//')"

# Two at once (the default): the peer's 421s are retried with back-off
# until every domain completes; nothing is reported as broken.
reset rl
t_run share/retry/exit 1 scale_probe -v --parallel 3 -f "$WORK/rl.list"
t_match share/retry/saw-421 '^[1-9]' "$(count rl 421)"
t_eq share/retry/served 3 "$(count rl accept)"
t_eq share/retry/connected "pass pass pass" \
    "$(jq -r '.checks[] | select(.id == "smtp.connect") | .status' <"$T_OUT" | tr '\n' ' ' | sed 's/ $//')"
t_match share/retry/stats ' [1-9][0-9]* retries after rate limiting' "$(cat "$T_ERR")"

wait "$off_pid"
t_eq share/off/exit 1 "$?"
ms=$((($(date +%s%N) - start) / 1000000))
t_eq share/off/documents 8 "$(jq -r .target.input <"$WORK/off.jsonl" | sort -u | wc -l | tr -d ' ')"
t_eq share/off/connections 8 "$(count shared accept)"
t_eq share/off/max-rate "at least 700 ms" \
    "$([ "$ms" -ge 700 ] && echo "at least 700 ms" || echo "$ms ms")"

wait "$busy_pid"
t_eq share/limited/exit 1 "$?"
T_OUT=$WORK/busy.jsonl
t_eq share/limited/error-code 1 "$(jq -s '[.[].mx[].addresses[].error.code // empty |
    select(. == "rate-limited")] | length' <"$T_OUT")"
t_match share/limited/connect-error \
    "^'127\.10\.14\.3' port 25 answered 421 [2-9] times while other connections to it were open: rate limited$" \
    "$(jq -r '.checks[] | select(.id == "smtp.connect" and .status == "error") | .detail' <"$T_OUT")"
t_jq share/limited/no-tls-failure \
    '[.checks[] | select((.id | startswith("tls.")) and .status == "fail")] | length' "0 0"
t_match share/limited/peer-421 '^[1-9]' "$(count busy 421)"

# The scale bench's peers pre-fork workers (badsmtp --workers): two
# workers serve three probes at once, one after another, each session
# whole (a worker serves its next connection after the last one's QUIT).
peer 127.10.14.4 workers good --workers 2
wpids=""
for i in 1 2 3; do
	"$SMTPTLS" probe --json --host 127.10.14.4 --allow-private --timeout 5 \
	    >"$WORK/workers.$i.json" 2>/dev/null &
	wpids="$wpids $!"
done
# shellcheck disable=SC2086 # the pids, one word each
wait $wpids
t_eq share/workers/served 3 "$(count workers accept)"
t_eq share/workers/sessions "true true true" "$(cat "$WORK"/workers.[123].json |
    jq -r '.mx[0].addresses[0].tls.established' | tr '\n' ' ' | sed 's/ $//')"
t_eq share/workers/quit "221 221 221" "$(cat "$WORK"/workers.[123].json |
    jq -r '.mx[0].addresses[0].smtp.quit.code // .mx[0].addresses[0].smtp.quit' | tr '\n' ' ' | sed 's/ $//')"

echo "# 43-share: $((($(date +%s%N) - T0) / 1000000)) ms"
t_done
