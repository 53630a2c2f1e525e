# tests/integration/49-politeness.sh - the refusal side of batch
# politeness (issue 14): under load a server that refuses connections or
# answers 421 is backed off from and tried again within the deadline, and
# when it stays busy the address reports "rate-limited", never a TLS or
# banner failure; --per-address bounds the connections open at once,
# counted at the server.
#
# Its own DNS: an Unbound on 127.10.40.53 with static local data (no
# upstream) for pol.test, each domain with an MX name of its own (so that
# no two domains share a session) on one of the scripted peers
# (tests/peers/badsmtp, counting modes):
#   b1..b6 -> 127.10.40.1  ratelimit, never full, --log-open: open counts
#   c1..c6 -> 127.10.40.5  the same, for a second limit
#   r1..r3 -> 127.10.40.2  refuse: not listening while one session is open
#   s1..s2 -> 127.10.40.3  refuse, its one session held past the deadline
#   q1..q3 -> 127.10.40.4  ratelimit: 421 beyond one open session
# The runs go at once, in the background, each against its own peer.
# asan: skip - its time is back-off waits; 421 retries and rate-limited run under ASan in 43-share, the gate in test_conn_gate
. "$SMTPTLS_TOP/tests/lib.sh"

PEER="$SMTPTLS_BUILD/peers/badsmtp"
NS=127.10.40.53
WORK=$(mktemp -d /tmp/smtptls-polite.XXXXXX)
PIDS=""
T0=$(date +%s%N)

cleanup() {
	local p
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	[ -n "${SMTPTLS_KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

# zone: the local data, one domain per MX name, on the peers' addresses
zone() {
	local p n addr
	printf '\tlocal-data: "pol.test. SOA ns.pol.test. h.pol.test. 1 3600 600 86400 300"\n'
	for p in b:6:1 c:6:5 r:3:2 s:2:3 q:3:4; do
		IFS=: read -r pfx n addr <<<"$p"
		for i in $(seq "$n"); do
			printf '\tlocal-data: "%s%d.pol.test. MX 10 mx.%s%d.pol.test."\n' "$pfx" "$i" "$pfx" "$i"
			printf '\tlocal-data: "mx.%s%d.pol.test. A 127.10.40.%d"\n' "$pfx" "$i" "$addr"
		done
		for i in $(seq "$n"); do printf '%s%d.pol.test\n' "$pfx" "$i"; done >"$WORK/$pfx.list"
	done
}

cat >"$WORK/unbound.conf" <<EOT
server:
	interface: $NS
	port: 53
	do-ip4: yes
	do-ip6: no
	num-threads: 1
	so-reuseport: no
	username: ""
	chroot: ""
	directory: "$WORK"
	pidfile: "$WORK/unbound.pid"
	logfile: "$WORK/unbound.log"
	use-syslog: no
	access-control: 127.0.0.0/8 allow
	module-config: "iterator"
	local-zone: "." refuse
	local-zone: "pol.test." static
$(zone)
remote-control:
	control-enable: no
EOT
# timeout: it stops by itself even if this script is killed
timeout 30 unbound -d -c "$WORK/unbound.conf" >/dev/null 2>&1 &
PIDS="$PIDS $!"

# peer ADDR NAME MODE [badsmtp args]: a counting peer on ADDR:25; its log
# is $WORK/NAME.log
peer() {
	local addr=$1 name=$2 mode=$3
	shift 3
	"$PEER" --listen "$addr:25" --mode "$mode" --lifetime 30 \
	    --log "$WORK/$name.log" "$@" >/dev/null 2>"$WORK/$name.err" &
	PIDS="$PIDS $!"
}

# The busy case's deadline: its lookups alone can take seconds under ASan
# on a loaded machine, and the last retry must come before it.
BUSY_S=4
grep -q __asan_init "$SMTPTLS" 2>/dev/null && BUSY_S=8
peer 127.10.40.1 bound ratelimit --max-conns 100 --hold-ms 300 --log-open
peer 127.10.40.5 bound3 ratelimit --max-conns 100 --hold-ms 300 --log-open
peer 127.10.40.2 refuse refuse --max-conns 1 --hold-ms 300
peer 127.10.40.3 busy refuse --max-conns 1 --hold-ms $(((BUSY_S + 4) * 1000))
peer 127.10.40.4 q421 ratelimit --max-conns 1 --hold-ms 200

# Everything listens and the resolver answers (bounded: 5 s).
ready=no
for _ in $(seq 100); do
	if [ "$(ss -ltnH 'src 127.10.40.0/24 and sport = :25' | wc -l)" -ge 5 ] &&
	    dig +time=1 +tries=1 +short @"$NS" mx.b1.pol.test A | grep -q .; then
		ready=yes
		break
	fi
	sleep 0.05
done
t_eq polite/lab/ready yes "$ready"

pprobe() {
	"$SMTPTLS" probe --json --resolver "$NS" --dnssec resolver --no-mta-sts "$@"
}

# run NAME ARGS...: one batch in the background, its output in NAME.*
RUNS=""
run() {
	local name=$1
	shift
	(
		s=$(date +%s%N)
		pprobe -v "$@" >"$WORK/$name.jsonl" 2>"$WORK/$name.stderr"
		echo "$? $((($(date +%s%N) - s) / 1000000))" >"$WORK/$name.rc"
	) &
	RUNS="$RUNS $!"
}

run bound --timeout 5 --parallel 6 --per-address 2 -f "$WORK/b.list"
run bound3 --timeout 5 --parallel 6 --per-address 3 -f "$WORK/c.list"
run refuse --timeout 5 --parallel 3 -f "$WORK/r.list"
run busy --timeout $((BUSY_S + 1)) --deadline "$BUSY_S" --parallel 2 -f "$WORK/s.list"
run q421 --timeout 5 --parallel 3 -f "$WORK/q.list"
# shellcheck disable=SC2086 # pids
wait $RUNS

# rc NAME: "exit ms" of run NAME
rc() { cat "$WORK/$1.rc"; }
# states NAME: the addresses' states, sorted, on one line
states() { jq -r '.mx[].addresses[].state' <"$WORK/$1.jsonl" | sort | tr '\n' ' ' | sed 's/ $//'; }
# most_open NAME: the most sessions the peer NAME had open at once
most_open() { awk '$1 == "accept" && $2 > m { m = $2 } END { print m + 0 }' "$WORK/$1.log"; }
# connects NAME: the smtp.connect statuses of NAME, sorted, on one line
connects() {
	jq -r '.checks[] | select(.id == "smtp.connect") | .status' <"$WORK/$1.jsonl" |
	    sort | tr '\n' ' ' | sed 's/ $//'
}

# --per-address 2 and 3: six domains at once, never more than that many
# open at the peer, and that many reached (the limit, not the list, bounds).
t_match polite/bound/exit '^1 ' "$(rc bound)"
t_eq polite/bound/complete "complete complete complete complete complete complete" "$(states bound)"
t_eq polite/bound/connections 6 "$(grep -c '^accept' "$WORK/bound.log")"
t_eq polite/bound/most-open 2 "$(most_open bound)"
t_eq polite/bound3/most-open 3 "$(most_open bound3)"
t_eq polite/bound3/connections 6 "$(grep -c '^accept' "$WORK/bound3.log")"

# Refused while another session is open: backed off, retried, all three
# complete within the deadline; nothing reported as broken.
t_match polite/refuse/exit '^1 ' "$(rc refuse)"
t_eq polite/refuse/complete "complete complete complete" "$(states refuse)"
t_eq polite/refuse/served 3 "$(grep -c '^accept' "$WORK/refuse.log")"
t_match polite/refuse/retried ' [1-9][0-9]* retries after rate limiting' "$(cat "$WORK/refuse.stderr")"
t_eq polite/refuse/connected "pass pass pass" "$(connects refuse)"

# Refused until past the deadline: the domain that waits says rate-limited
# (an error of smtp.connect) before the deadline is over;
# the held session's own domain (whichever came first) times out at the
# deadline, waiting for the greeting.
t_match polite/busy/exit '^1 ' "$(rc busy)"
t_eq polite/busy/error-codes "rate-limited timeout" \
    "$(jq -r '.mx[].addresses[].error.code // empty' <"$WORK/busy.jsonl" | sort | tr '\n' ' ' | sed 's/ $//')"
t_match polite/busy/connect-error \
    "^'127\.10\.40\.3' port 25 (refused the connection|reset the connection before its greeting) [2-9] times while other connections to it were open: rate limited$" \
    "$(jq -r '.checks[] | select(.id == "smtp.connect" and .status == "error") | .detail' <"$WORK/busy.jsonl")"
t_eq polite/busy/no-tls-failure 0 \
    "$(jq -s '[.[] | select(any(.mx[].addresses[]; .error.code == "rate-limited")) | .checks[] |
        select((.id | startswith("tls.")) and .status == "fail")] | length' <"$WORK/busy.jsonl")"
t_eq polite/busy/one-accept 1 "$(grep -c '^accept' "$WORK/busy.log")"
ms=$(rc busy | cut -d' ' -f2)
t_eq polite/busy/within-deadline yes "$([ "$ms" -lt $(((BUSY_S + 2) * 1000)) ] && echo yes || echo "$ms ms")"

# 421 beyond one open session: retried until all three complete.
t_match polite/421/exit '^1 ' "$(rc q421)"
t_eq polite/421/complete "complete complete complete" "$(states q421)"
t_match polite/421/saw-421 '^[1-9]' "$(grep -cx 421 "$WORK/q421.log")"
t_eq polite/421/connected "pass pass pass" "$(connects q421)"

echo "# 49-politeness: $((($(date +%s%N) - T0) / 1000000)) ms"
t_done
