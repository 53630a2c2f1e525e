#!/usr/bin/env bash
# 63-sendtest-hostile.sh - hostile clients against one running
# `smtptls listen --test-zone` (its DNS, its MTA-STS host and its
# scenario listeners), from tests/peers/zonehostile.py: malformed and
# hostile DNS datagrams, TCP DNS clients that stall (a 65535 length then
# silence), hold many idle connections or send half a message, HTTPS
# clients that never send a request or send one byte per 300 ms or a
# huge header, SMTP garbage and a flood of 200 connections. After each
# group the listener must still answer a good DNS query (UDP and TCP)
# and a good policy fetch; at the end it exits by itself with 0 (--count:
# the SMTP sessions the test makes; --duration only as a backstop), its
# records are valid, the scenarios nobody reached say not-reached, and
# its memory stayed bounded. Addresses: 127.10.23.0/24
# (DNS .53, HTTPS .44, scenarios .101-.110, clients .200-.209).
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=../lib_sendtest.sh
. "$(dirname "$0")/../lib_sendtest.sh"

ZONE=st.lab.test
N=127.10.23
DNS=$N.53
WEB=$N.44
STS=mta-sts.sts-testing.$ZONE
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3 # no version-manager shim: it starts slowly
PEER="$PY $SMTPTLS_TOP/tests/peers/zonehostile.py"
TMP=$(mktemp -d /tmp/smtptls-hostile.XXXXXX)
LPID="" BG=()
CERT=$LAB/certs/sendtest.chain.pem
KEY=$LAB/certs/sendtest.key

cleanup() {
	local p
	for p in "${BG[@]}" $LPID; do kill "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT

if [ ! -r "$CERT" ]; then
	t_fail "the sendtest certificate" "$CERT (scripts/lab.sh up)" "missing"
	t_done
	exit
fi

binds=()
for i in $(seq 101 110); do binds+=(--bind "$N.$i"); done
timeout 60 "$SMTPTLS" listen --json --test-zone "$ZONE" "${binds[@]}" \
    --dns-bind "$DNS" --https-bind "$WEB" --cert "$CERT" --key "$KEY" \
    --count 203 --duration 40 >"$TMP/out.json" 2>"$TMP/err" &
LPID=$!
up=0
zone_wait "$TMP/out.json" "$LPID" && up=1
SPID=$(pgrep -P "$LPID" | head -1)
if [ "$up" = 0 ] || [ -z "$SPID" ]; then
	t_fail "listener up" "sendtest.start" "$(head -c 300 "$TMP/err")"
	t_done
	exit
fi
rss() { awk '/^VmRSS/ {print $2}' "/proc/$SPID/status" 2>/dev/null; }
RSS0=$(rss)

# peer NAME ARGS... - run a hostile peer; its PASS/FAIL lines count here
peer() {
	local out
	out=$($PEER "$@" 2>&1)
	printf '%s\n' "$out"
	T_FAILED=$((T_FAILED + $(grep -c '^FAIL' <<<"$out")))
	grep -q '^\(PASS\|FAIL\)' <<<"$out" || t_fail "peer $1" "PASS lines" "$out"
}

# alive WHEN - a good query over UDP and over TCP, and a good policy fetch
alive() {
	echo "# $1 (at ${SECONDS} s)"
	t_match "$1: dns udp answers" "status: NOERROR" \
	    "$(dig +norec +time=1 +tries=1 -b $N.209 @$DNS "valid.$ZONE" MX 2>&1)"
	t_match "$1: dns tcp answers" "status: NOERROR" \
	    "$(dig +tcp +norec +time=1 +tries=1 -b $N.209 @$DNS "valid.$ZONE" MX 2>&1)"
	t_match "$1: policy served" "^version: STSv1" \
	    "$(curl -sS --max-time 2 --interface $N.209 --cacert "$CA" \
	        --resolve "$STS:443:$WEB" "https://$STS/.well-known/mta-sts.txt" 2>&1)"
}
alive "at start"

# More idle TCP clients than the server keeps (16): a new client is still
# answered at once (the oldest idle one makes room).
$PEER dns-idle $DNS $N.204 40 2.5 >"$TMP/idle" 2>&1 &
IPID=$!
sleep 0.5
# (+time=1: without room made, the answer would wait for the idle ones
# to go, two seconds later)
t_match "dns tcp answers beside 40 idle clients, within a second" \
    "status: NOERROR" \
    "$(dig +tcp +norec +time=1 +tries=1 -b $N.205 @$DNS "valid.$ZONE" MX 2>&1)"
wait "$IPID"
t_eq "the 40 idle clients connected" 40 "$(head -1 "$TMP/idle" 2>/dev/null || true)"

alive "after 40 idle tcp clients"

# Slow clients run beside everything after this: DNS over TCP that stalls
# after its length, or sends its query one octet per 700 ms, HTTPS at one
# byte per 300 ms.
$PEER dns-slow $DNS $N.201 >"$TMP/slow" 2>&1 &
BG+=($!)
$PEER dns-drip $DNS $N.200 >"$TMP/drip-dns" 2>&1 &
BG+=($!)
$PEER https-slow $WEB "$STS" $N.202 >"$TMP/drip" 2>&1 &
BG+=($!)

peer dns-udp $DNS $ZONE
alive "after bad datagrams"
peer dns-tcp $DNS $ZONE $N.203
alive "after bad tcp queries"

peer https-hostile $WEB "$STS" $N.206 $N.207
alive "after hostile https"

# SMTP: STARTTLS at the valid scenario's address naming dane-ok's MX by
# SNI, garbage and a flood of 200 at notls's (202 sessions); at the end
# one good session, the 203rd: --count ends the listener.
peer smtp $N.101 $N.208 $N.103 "mx-dane-ok.$ZONE"
alive "after smtp garbage and flood"

wait "${BG[@]}"
BG=()
slow=$(cat "$TMP/slow")
t_match "dns tcp stalled after its length: closed in 4-8 s" '^[4-7]\.' "$slow"
t_match "dns tcp query one octet per 700 ms: closed in 4-8 s" '^[4-7]\.' \
    "$(cat "$TMP/drip-dns")"
cat "$TMP/drip"
T_FAILED=$((T_FAILED + $(grep -c '^FAIL' "$TMP/drip")))

RSS1=$(rss)
t_eq "rss stayed bounded (${RSS0:-?} -> ${RSS1:-?} KiB, < +64 MiB)" 1 \
    "$(((${RSS1:-999999} - ${RSS0:-0}) < 65536))"
exec 3<>/dev/tcp/$N.101/25
read -r -t 3 greet <&3
printf 'QUIT\r\n' >&3
read -r -t 3 bye <&3
exec 3<&-
t_match "last session: greeting and QUIT" "^220 .*221 " "$greet $bye"
echo "# last session (at ${SECONDS} s)"
t0=$SECONDS
wait "$LPID"
t_eq "listener ends by itself (--count 203) with 0" 0 "$?"
t_eq "... at once" 1 "$((SECONDS - t0 <= 3))"
LPID=""
t_eq "listener stderr quiet" "" "$(grep -v '^smtptls: listening\|^$' "$TMP/err" | head -c 400)"
SCHEMA="$SMTPTLS_TOP/tests/schema"
python3 "$SCHEMA/validate.py" "$SCHEMA/sendtest.schema.json" "$TMP/out.json" \
    sendtest/hostile >"$TMP/schema.out" 2>&1
t_eq "every record valid (sendtest.schema.json)" "" "$(grep -A3 '^FAIL' "$TMP/schema.out" | head -8)"
t_match "records were validated" "PASS" "$(cat "$TMP/schema.out")"
# The SMTP client reached notls and valid (by address, whatever its SNI
# said) and delivered nothing; every other scenario: not-reached.
t_eq "smtp client: only notls and valid reached" \
    "notls=deferred untrusted=not-reached valid=deferred dane-ok=not-reached dane-mismatch=not-reached dane-lookup-fails=not-reached sts-badcert=not-reached sts-unlisted=not-reached sts-testing=not-reached dane-sts=not-reached" \
    "$(jq -r --arg a $N.208 'select(.type == "sendtest.summary") | .senders[] |
        select(.address == $a) | [.scenarios[] | "\(.name)=\(.result)"] | join(" ")' "$TMP/out.json")"
echo "# done (at ${SECONDS} s)"
t_done
