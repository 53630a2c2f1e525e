# tests/integration/20-dns.sh - src/dns.c against the lab's resolver (Unbound
# on $RESOLVER, validating lab.test) and a private NSD serving big answers.
#
# Peers: the lab (scripts/lab.sh up) and, started here, NSD on
# 127.10.20.53:5353 with big.test (500 MX, a 60 KiB TXT, CNAME chains and a
# loop), stopped again on exit, and tests/peers/offpath.py on 127.10.9.7
# (every answer raced by a forged one from another port). Tool: $SMTPTLS_BUILD/tools/dnsq, which
# prints the lookup object of report.md 5.1.
. "$(dirname "$0")/../lib.sh"

DNSQ="$SMTPTLS_BUILD/tools/dnsq"
ANCHOR="$LAB/unbound/lab.test.ds"
BIG_ADDR=127.10.20.53
BIG_PORT=5353
BIG_DIR=$(mktemp -d /tmp/smtptls-dnsbig.XXXXXX)

q() { "$DNSQ" --resolver "$RESOLVER" "$@"; }
qa() { "$DNSQ" --resolver "$RESOLVER" --trust-anchor "$ANCHOR" "$@"; }
qb() { "$DNSQ" --resolver "$BIG_ADDR:$BIG_PORT" "$@"; }

# big_stop - stop our NSD by its pidfile (NSD renames itself "nsd: xfrd")
# and wait until it is gone (a zombie counts as gone: PID 1 reaps slowly).
big_stop() {
	local pid i
	pid=$(cat "$BIG_DIR/nsd.pid" 2>/dev/null) || pid=
	case "$(cat "/proc/$pid/comm" 2>/dev/null)" in
	nsd | "nsd: "*)
		kill "$pid"
		for i in $(seq 1 50); do
			case "$(cut -d')' -f2 "/proc/$pid/stat" 2>/dev/null)" in
			" Z "* | "") break ;;
			esac
			sleep 0.1
		done
		;;
	esac
	rm -rf "$BIG_DIR"
}
trap big_stop EXIT

# big_zone - answers too large for UDP (RFC 7766: must come over TCP).
big_zone() {
	local i s
	printf '$ORIGIN big.test.\n$TTL 300\n'
	printf '@ SOA ns.big.test. hostmaster.big.test. 1 3600 600 86400 60\n'
	printf '@ NS ns.big.test.\nns A %s\n' "$BIG_ADDR"
	for i in $(seq 1 500); do
		printf 'manymx MX %d mx%03d.big.test.\n' $((i % 50)) "$i"
	done
	s=$(head -c 255 /dev/zero | tr '\0' a)
	printf 'bigtxt TXT'
	for i in $(seq 1 240); do printf ' "%s"' "$s"; done
	printf '\n'
	printf 'esc TXT "a\\\\b" "\\009tab\\255"\n'
	printf 'loop1 CNAME loop2\nloop2 CNAME loop1\n'
	for i in $(seq 1 9); do printf 'c%d CNAME c%d\n' "$i" $((i + 1)); done
	printf 'c10 A 192.0.2.10\n'
	printf 'a4 A 10.0.0.10\na4 A 9.0.0.10\na4 A 10.0.0.2\n'
}

big_start() {
	big_zone >"$BIG_DIR/big.test.zone"
	cat >"$BIG_DIR/nsd.conf" <<EOF
server:
	ip-address: $BIG_ADDR@$BIG_PORT
	do-ip6: no
	username: ""
	chroot: ""
	database: ""
	zonesdir: "$BIG_DIR"
	zonelistfile: "$BIG_DIR/zone.list"
	xfrdfile: "$BIG_DIR/xfrd.state"
	xfrdir: "$BIG_DIR"
	pidfile: "$BIG_DIR/nsd.pid"
	logfile: "$BIG_DIR/nsd.log"
	server-count: 1
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
remote-control:
	control-enable: no
zone:
	name: "big.test"
	zonefile: "big.test.zone"
EOF
	nsd -c "$BIG_DIR/nsd.conf" || return 1
	# Ready when it answers; each try is bounded by its own timeout.
	local i
	for i in $(seq 1 50); do
		qb --timeout-ms 200 big.test SOA >/dev/null 2>&1 && return 0
	done
	return 1
}

# --- resolver AD bit (the lab's Unbound validates lab.test) ---
t_run "dns mx good" 0 q good.lab.test MX
t_jq "dns mx good rcode" '.rcode' NOERROR
t_jq "dns mx good secure" '.dnssec' secure
t_jq "dns mx good answers in preference order" \
	'[.answers[] | "\(.preference) \(.exchange)"] | join(",")' \
	"10 mx1.lab.test,20 mx2.lab.test"
# From the resolver's cache, counting down from the zone's 300 (0 just
# before the entry expires; see the negative TTL rows below).
t_jq "dns mx good ttl" '.ttl >= 0 and .ttl <= 300' true
t_jq "dns mx good no error" '.error' null

t_run "dns tlsa mx1" 0 q _25._tcp.mx1.lab.test TLSA
t_jq "dns tlsa mx1 secure" '.dnssec' secure
t_jq "dns tlsa mx1 record" '.answers[0] | "\(.usage) \(.selector) \(.mtype) \(.data | length)"' "3 1 1 64"

t_run "dns txt mta-sts" 0 q _mta-sts.good.lab.test TXT
t_jq "dns txt mta-sts text" '.answers[0] | startswith("v=STSv1; id=")' true

t_run "dns mx insecure" 0 q insecure.lab.test MX
t_jq "dns mx insecure status" '.dnssec' insecure
t_jq "dns mx insecure answers" '.answers | length' 1

t_run "dns mx bogus" 0 q bogus.lab.test MX
t_jq "dns mx bogus status" '.dnssec' bogus
t_jq "dns mx bogus rcode" '.rcode' SERVFAIL
t_jq "dns mx bogus data from cd" '.answers[0].exchange' mx.bogus.lab.test

t_run "dns mx null" 0 q nullmx.lab.test MX
t_jq "dns mx null exchange" '.answers | map("\(.preference)/\(.exchange)") | join(",")' "0/"

t_run "dns mx nxdomain" 0 q nxdomain.lab.test MX
t_jq "dns mx nxdomain rcode" '.rcode' NXDOMAIN
# The negative TTL comes from the SOA (lab.test: minimum and TTL 300). The
# resolver answers from its cache, counting down: 0 is a valid remaining
# TTL when the entry is about to expire (the ASan pass can ask ~300 s after
# the release pass), a missing one (null) or the SOA's other timers are not.
t_jq "dns mx nxdomain negative ttl" '.ttl >= 0 and .ttl <= 300' true
t_jq "dns mx nxdomain secure denial" '.dnssec' secure

t_run "dns mx implicit" 0 q implicit.lab.test MX
t_jq "dns mx implicit nodata" '"\(.rcode) \(.answers | length)"' "NOERROR 0"
t_jq "dns mx implicit negative ttl" '.ttl >= 0 and .ttl <= 300' true
t_run "dns a implicit" 0 q implicit.lab.test A
t_jq "dns a implicit present" '.answers | length > 0' true

t_run "dns a cname" 0 q mxalias.lab.test A
t_jq "dns a cname chain" '.cname_chain | map("\(.from)>\(.to)") | join(",")' \
	"mxalias.lab.test>mx1.lab.test"
t_jq "dns a cname target" '.answers | length > 0' true
t_jq "dns a cname secure" '[.dnssec, .cname_chain[0].dnssec] | join(" ")' "secure secure"

# Nothing listens there: the timeout is the whole budget (1 s), not more.
t_run "dns timeout" 1 "$DNSQ" --resolver 127.10.0.250 --timeout-ms 1000 good.lab.test MX
t_jq "dns timeout code" '.error.code' dns-timeout
t_jq "dns timeout rcode" '.rcode' null
t_jq "dns timeout within budget" '.ms >= 900 and .ms < 1500' true

# A dead first server gets its share; the second still answers in time.
t_run "dns second server" 0 "$DNSQ" --resolver 127.10.0.250 --resolver "$RESOLVER" \
	--timeout-ms 2000 good.lab.test MX
t_jq "dns second server answer" '"\(.dnssec) \(.answers | length) \(.ms < 1500)"' "secure 2 true"

# An answer raced by a forged one from another port of the resolver's
# address (tests/peers/offpath.py, RFC 5452 9.1): only a datagram from the
# port asked is believed, so the true answer, 50 ms later, is the one.
python3 -u "$SMTPTLS_TOP/tests/peers/offpath.py" 127.10.9.7 20 >"$BIG_DIR/offpath.out" 2>&1 &
OFFPATH_PID=$!
for _ in $(seq 50); do
	grep -q ready "$BIG_DIR/offpath.out" 2>/dev/null && break
	sleep 0.1
done
t_run "dns off-path answer" 0 "$DNSQ" --resolver 127.10.9.7 --timeout-ms 3000 www.example A
t_jq "dns off-path answer dropped" '.answers | join(",")' 192.0.2.1
t_run "dns off-path answer, pending" 0 "$DNSQ" --pending --resolver 127.10.9.7 \
	--timeout-ms 3000 www.example A
t_jq "dns off-path answer dropped, pending" '.answers | join(",")' 192.0.2.1
kill "$OFFPATH_PID" 2>/dev/null
# A flood of them (2,000 per query): a reader that drops strays reads at
# most DNS_UDP_STRAYS_MAX at a time before it looks at its deadline again,
# and still takes the true answer.
python3 -u "$SMTPTLS_TOP/tests/peers/offpath.py" 127.10.9.7 20 2000 >"$BIG_DIR/offpath.out" 2>&1 &
OFFPATH_PID=$!
for _ in $(seq 50); do
	grep -q ready "$BIG_DIR/offpath.out" 2>/dev/null && break
	sleep 0.1
done
for way in "" --pending; do
	t_run "dns off-path flood${way:+, pending}" 0 "$DNSQ" $way --resolver 127.10.9.7 \
		--timeout-ms 3000 www.example A
	t_jq "dns off-path flood dropped${way:+, pending}" '"\(.answers | join(",")) \(.ms < 2000)"' \
		"192.0.2.1 true"
done
kill "$OFFPATH_PID" 2>/dev/null

t_run "dns bad resolver address" 2 "$DNSQ" --resolver 300.1.1.1 good.lab.test MX
t_eq "dns bad resolver message" "dnsq: invalid resolver address '300.1.1.1'" "$(cat "$T_ERR")"

# --- local validation with the lab's trust anchor ---
t_run "dns local probe" 0 "$DNSQ" --resolver "$RESOLVER" --trust-anchor "$ANCHOR" --probe
t_jq "dns local probe ok" '.ok' true

t_run "dns local mx good" 0 qa good.lab.test MX
t_jq "dns local mx good secure" '"\(.dnssec) \(.answers | length)"' "secure 2"
t_run "dns local tlsa mx1" 0 qa _25._tcp.mx1.lab.test TLSA
t_jq "dns local tlsa mx1 secure" '.dnssec' secure
t_run "dns local mx insecure" 0 qa insecure.lab.test MX
t_jq "dns local mx insecure status" '.dnssec' insecure
t_run "dns local mx bogus" 0 qa bogus.lab.test MX
# With CD on every query the resolver hands the data over (NOERROR);
# ldns finds the signatures expired, and the lookup says SERVFAIL as a
# validating resolver would (the records stay).
t_jq "dns local mx bogus status" '"\(.dnssec) \(.rcode) \(.answers | length)"' "bogus SERVFAIL 1"
t_run "dns local mx nxdomain" 0 qa nxdomain.lab.test MX
t_jq "dns local mx nxdomain denial" '"\(.rcode) \(.dnssec)"' "NXDOMAIN secure"
t_run "dns local mx implicit" 0 qa implicit.lab.test MX
t_jq "dns local mx implicit nodata" '"\(.rcode) \(.answers | length) \(.dnssec)"' "NOERROR 0 secure"
t_run "dns local a cname" 0 qa mxalias.lab.test A
t_jq "dns local a cname secure" '[.dnssec, .cname_chain[0].dnssec] | join(" ")' "secure secure"
t_run "dns local insecure nxdomain" 0 qa nothere.insecure.lab.test A
t_jq "dns local insecure nxdomain status" '"\(.rcode) \(.dnssec)"' "NXDOMAIN insecure"
t_run "dns local bogus nxdomain" 0 qa nothere.bogus.lab.test A
t_jq "dns local bogus nxdomain status" '.dnssec' bogus

# --- big answers, TXT escaping and CNAME limits (private NSD) ---
if big_start; then
	t_pass "dns big nsd up"
else
	t_fail "dns big nsd up" "nsd answers on $BIG_ADDR:$BIG_PORT" "$(tail -n 5 "$BIG_DIR/nsd.log" 2>/dev/null)"
fi
t_run "dns 500 mx over tcp" 0 qb manymx.big.test MX
t_jq "dns 500 mx capped" '"\(.rcode) \(.answers | length)"' "NOERROR 64"
t_jq "dns 500 mx order" '.answers[0] | "\(.preference) \(.exchange)"' "0 mx050.big.test"
t_run "dns 60k txt over tcp" 0 qb bigtxt.big.test TXT
t_jq "dns 60k txt length" '.answers[0] | length' 61200
t_run "dns txt escaping" 0 qb esc.big.test TXT
t_jq "dns txt escaped" '.answers[0]' 'a\\b\009tab\255'
t_run "dns a sorted numerically" 0 qb a4.big.test A
t_jq "dns a order" '.answers | join(",")' "9.0.0.10,10.0.0.2,10.0.0.10"
t_run "dns cname loop" 1 qb loop1.big.test A
t_jq "dns cname loop error" '.error.message' "cname loop from 'loop1.big.test'"
t_run "dns cname too long" 1 qb c1.big.test A
t_jq "dns cname too long links" '.cname_chain | length' 8
t_run "dns cname requery" 0 qb c3.big.test A
t_jq "dns cname requery target" '"\(.answers[0]) \(.cname_chain | length)"' "192.0.2.10 7"

# --- the probe's way (dns_pending.h, tests/tools/dnsq.c --pending): the
# first question sent without blocking and read after poll(2); a lookup
# that needs more (the CD retry, TCP, a CNAME to ask for, local
# validation, the next try) goes on blocking. Either way the answer is
# dns_lookup's (the fields that a second asking changes aside: ms, the
# resolver's TTL countdown, and FILTER's).
same_pending() { # ROW WAY FILTER DNSQ-ARGS...
	local row=$1 way=$2 filter=$3 rc1 rc2
	shift 3
	"$DNSQ" "$@" >"$BIG_DIR/plain.json" 2>/dev/null
	rc1=$?
	"$DNSQ" --pending "$@" >"$BIG_DIR/pending.json" 2>"$BIG_DIR/pending.err"
	rc2=$?
	t_eq "dns pending $row same answer" \
		"$rc1 $(jq -cS "del(.ms, .ttl) | $filter" "$BIG_DIR/plain.json")" \
		"$rc2 $(jq -cS "del(.ms, .ttl) | $filter" "$BIG_DIR/pending.json")"
	t_eq "dns pending $row way" "dnsq: pending: $way" \
		"$(grep 'dnsq: pending:' "$BIG_DIR/pending.err")"
}
same_pending "mx good" done . --resolver "$RESOLVER" good.lab.test MX
same_pending "a cname" done . --resolver "$RESOLVER" mxalias.lab.test A
same_pending "mx nxdomain" done . --resolver "$RESOLVER" nxdomain.lab.test MX
same_pending "mx bogus, cd retry" finished . --resolver "$RESOLVER" bogus.lab.test MX
same_pending "local validation" finished . --resolver "$RESOLVER" --trust-anchor "$ANCHOR" \
	good.lab.test MX
same_pending "500 mx, tcp" finished . --resolver "$BIG_ADDR:$BIG_PORT" manymx.big.test MX
same_pending "cname chain of 7" done . --resolver "$BIG_ADDR:$BIG_PORT" c3.big.test A
same_pending "cname loop" done . --resolver "$BIG_ADDR:$BIG_PORT" loop1.big.test A
# No answer to the first try: the rest of the schedule, not a new one.
# The message names the share of the try that timed out last.
same_pending "timeout" finished 'del(.error.message)' --resolver 127.10.0.250 \
	--timeout-ms 400 good.lab.test MX
t_eq "dns pending timeout within budget" true \
	"$(jq '.ms >= 360 and .ms < 700' "$BIG_DIR/pending.json")"
# The dead server's two tries (200 ms each of its 400), then the live one.
same_pending "second server" finished . --resolver 127.10.0.250 --resolver "$RESOLVER" \
	--timeout-ms 800 good.lab.test MX
t_eq "dns pending second server after the dead one's share" true \
	"$(jq '.ms >= 360 and .ms < 700' "$BIG_DIR/pending.json")"

t_done
