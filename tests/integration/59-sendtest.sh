#!/usr/bin/env bash
# 59-sendtest.sh - the sender policy test (smtptls listen --test-zone)
# against a real sending Postfix at five TLS levels at once.
#
# smtptls serves the signed zone st.lab.test (DNS on 127.10.19.53) and one
# listener per scenario on 127.10.19.101-110:25. A private validating
# Unbound (127.10.19.2) trusts the DS that smtptls prints at start and
# stubs the zone to it. One throwaway sending Postfix runs in a private
# mount namespace whose /etc/resolv.conf names that Unbound (trust-ad);
# each TLS level is its own smtp service with its own source address
# (127.10.19.201-205), so smtptls tells the five senders apart by address.
# Each level sends one message to every scenario; the summary must infer
# each level's policy, and the DNS answers must validate as designed.
# shellcheck source=../lib.sh
# asan: skip - its time is a real Postfix's queue; 60-fuzz-replay runs the DNS answers and the unit tests the zone under ASan
. "$(dirname "$0")/../lib.sh"
# shellcheck source=../lib_postfix.sh
. "$(dirname "$0")/../lib_postfix.sh"
# shellcheck source=../lib_sendtest.sh
. "$(dirname "$0")/../lib_sendtest.sh"

ZONE=st.lab.test
DNS=127.10.19.53
RES=127.10.19.2
TMP=$(mktemp -d /tmp/smtptls-sendtest.XXXXXX)
chmod 755 "$TMP"
PF=$TMP/etc
Q=$TMP/queue
PLOG=$TMP/postfix.log
LPID=""
PF_STARTED=0
CERT=$LAB/certs/sendtest.chain.pem
KEY=$LAB/certs/sendtest.key

cleanup() {
	local p
	[ -z "$LPID" ] || kill "$LPID" 2>/dev/null
	if [ "$PF_STARTED" = 1 ] && p=$(pid_of "$Q/pid/master.pid" master); then
		stop_pid "$p"
	fi
	if p=$(pid_of "$TMP/unbound.pid" unbound); then
		stop_pid "$p"
	fi
	[ -z "${SENDTEST_KEEP:-}" ] || cp -r "$TMP" "$SENDTEST_KEEP"
	rm -rf "$TMP"
}
trap cleanup EXIT

if [ ! -r "$CERT" ]; then
	t_fail "sendtest certificate" "$CERT (scripts/lab.sh up makes it)" "missing"
	t_done
	exit
fi

# --- The test zone and its listeners --------------------------------------
binds=()
for i in $(seq 101 110); do binds+=(--bind "127.10.19.$i"); done
timeout 40 "$SMTPTLS" listen --json --test-zone "$ZONE" "${binds[@]}" \
    --dns-bind "$DNS" --https-bind 127.10.19.44 --cert "$CERT" --key "$KEY" \
    --duration 60 >"$TMP/out.json" 2>"$TMP/err" &
LPID=$!
zone_wait "$TMP/out.json" "$LPID"
DS=$(jq -r 'select(.type == "sendtest.start") | .ds' "$TMP/out.json" 2>/dev/null)
t_match "start record names the DS" "^$ZONE\\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+DS[[:space:]]+[0-9]+ 13 2 [0-9a-f]{64}" "$DS"
if [ -z "$DS" ]; then
	t_fail "listener up" "sendtest.start" "$(head -c 300 "$TMP/err")"
	t_done
	exit
fi

# --- A private validating resolver that trusts the zone's DS --------------
printf '%s\n' "$DS" >"$TMP/ds"
# shellcheck source=../../scripts/lab/unbound-island.sh
. "$SMTPTLS_TOP/scripts/lab/unbound-island.sh"
unbound_island_conf "$TMP" "$RES" "$ZONE" "$TMP/ds" "$DNS" >"$TMP/unbound.conf"
t_run "unbound starts" 0 unbound -c "$TMP/unbound.conf"

# --- What a validating resolver makes of the zone -------------------------
t_match "MX validates (AD)" 'flags: qr rd ra ad;' \
    "$(dig +dnssec +time=2 +tries=1 @$RES "valid.$ZONE" MX 2>&1)"
t_match "TLSA of dane-ok validates" 'flags: qr rd ra ad;' \
    "$(dig +dnssec +time=2 +tries=1 @$RES "_25._tcp.mx-dane-ok.$ZONE" TLSA 2>&1)"
t_match "TLSA of dane-lookup-fails is bogus (SERVFAIL)" 'status: SERVFAIL' \
    "$(dig +dnssec +time=2 +tries=1 @$RES "_25._tcp.mx-dane-lookup-fails.$ZONE" TLSA 2>&1)"
t_match "no TLSA: proven NXDOMAIN" 'status: NXDOMAIN.*flags: qr rd ra ad;' \
    "$(dig +dnssec +time=2 +tries=1 @$RES "_25._tcp.mx-valid.$ZONE" TLSA 2>&1 | tr '\n' ' ')"
t_match "outside the zone: REFUSED at the authority" 'status: REFUSED' \
    "$(dig +norec +time=2 +tries=1 @$DNS example.org A 2>&1)"
t_match "over TCP too" 'flags: qr aa' \
    "$(dig +tcp +norec +time=2 +tries=1 @$DNS "valid.$ZONE" MX 2>&1)"

# --- The MTA-STS policy host (HTTPS on 127.10.19.44:443) -------------------
t_run "policy of sts-unlisted over HTTPS" 0 curl -sS --max-time 5 --cacert "$CA" \
    --resolve "mta-sts.sts-unlisted.$ZONE:443:127.10.19.44" \
    "https://mta-sts.sts-unlisted.$ZONE/.well-known/mta-sts.txt"
t_eq "sts-unlisted policy lists another MX" "version: STSv1
mode: enforce
mx: mx.elsewhere.invalid
max_age: 86400" "$(tr -d '\r' <"$T_OUT")"
t_match "sts-testing policy: testing, its own MX" "mode: testing.*mx: mx-sts-testing\.$ZONE" \
    "$(curl -sS --max-time 5 --cacert "$CA" --resolve "mta-sts.sts-testing.$ZONE:443:127.10.19.44" \
        "https://mta-sts.sts-testing.$ZONE/.well-known/mta-sts.txt" | tr -d '\r' | tr '\n' ' ')"
t_eq "another path: 404" 404 \
    "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$CA" \
        --resolve "mta-sts.sts-testing.$ZONE:443:127.10.19.44" \
        "https://mta-sts.sts-testing.$ZONE/.well-known/other.txt")"
t_eq "POST refused" 405 \
    "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$CA" -d x \
        --resolve "mta-sts.sts-testing.$ZONE:443:127.10.19.44" \
        "https://mta-sts.sts-testing.$ZONE/.well-known/mta-sts.txt")"
# smtptls's own probe through the validating resolver (--dnssec resolver:
# it validates the zone only, so its root SOA check cannot pass): the
# enforce policy that does not list the MX fails mta-sts; DANE-EE on a
# self-signed key passes dane (OpenSSL's DANE verifier) but not verify.
t_run "probe sts-unlisted" 1 "$SMTPTLS" probe --json --dnssec resolver --resolver "$RES" \
    --ca-file "$CA" --allow-private "sts-unlisted.$ZONE"
t_eq "probe: policy fetched, enforce" "enforce" "$(jq -r '.mta_sts.policy.parsed.mode' "$T_OUT")"
t_eq "probe: mta-sts level defers" "defer" "$(jq -r '.verdicts.levels["mta-sts"].outcome' "$T_OUT")"
t_run "probe dane-ok" 0 "$SMTPTLS" probe --json --dnssec resolver --resolver "$RES" \
    --ca-file "$CA" --allow-private "dane-ok.$ZONE"
t_eq "probe dane-ok: dane delivers, verify defers" "deliver defer" \
    "$(jq -r '[.verdicts.levels.dane.outcome, .verdicts.levels.verify.outcome] | join(" ")' "$T_OUT")"

# --- The sending Postfix, five levels, five source addresses -------------
mkdir -p "$PF"
printf 'nameserver %s\noptions trust-ad\n' "$RES" >"$TMP/resolv.conf"
{
	pf_main_cf "$TMP" "$Q" "$PLOG"
	cat <<EOF
smtp_dns_support_level = dnssec
# The default probe asks for the root's NS, which this resolver refuses.
dnssec_probe = ns:$ZONE
smtp_host_lookup = dns
smtp_connect_timeout = 5s
smtp_helo_timeout = 5s
smtp_starttls_timeout = 5s
EOF
} >"$PF/main.cf"
{
	pf_master_cf
	cat <<EOF
smtp-may      unix  -       -      n      -      -       smtp
  -o smtp_tls_security_level=may -o smtp_bind_address=127.10.19.201
smtp-encrypt  unix  -       -      n      -      -       smtp
  -o smtp_tls_security_level=encrypt -o smtp_bind_address=127.10.19.202
smtp-verify   unix  -       -      n      -      -       smtp
  -o smtp_tls_security_level=verify -o smtp_bind_address=127.10.19.203
smtp-dane     unix  -       -      n      -      -       smtp
  -o smtp_tls_security_level=dane -o smtp_bind_address=127.10.19.204
smtp-daneonly unix  -       -      n      -      -       smtp
  -o smtp_tls_security_level=dane-only -o smtp_bind_address=127.10.19.205
EOF
} >"$PF/master.cf"
levels="may encrypt verify dane daneonly"
scenarios=$(jq -rn '["notls","untrusted","valid","dane-ok","dane-mismatch","dane-lookup-fails","sts-badcert","sts-unlisted","sts-testing","dane-sts"][]')
: >"$PF/transport"
for l in $levels; do
	for s in $scenarios; do
		printf '%s@%s.%s smtp-%s:\n' "$l" "$s" "$ZONE" "$l" >>"$PF/transport"
	done
done
pf_queue_tree "$TMP" "$Q"

# The master and every smtp it starts see the private resolv.conf.
t_run "postfix starts (private resolv.conf)" 0 timeout 20 unshare -m sh -c \
    "mount --bind '$TMP/resolv.conf' /etc/resolv.conf && exec postfix -c '$PF' start"
PF_STARTED=1
for l in $levels; do
	for s in $scenarios; do
		printf 'From: a@sender.lab.test\nTo: %s@%s.%s\nSubject: %s %s\n\nsmtptls sender test\n' \
		    "$l" "$s" "$ZONE" "$l" "$s" |
		    timeout 10 sendmail -C "$PF" -f a@sender.lab.test "$l@$s.$ZONE" ||
		    t_fail "submit $l $s" "sendmail exit 0" "failed"
	done
done

# Every message has had its first delivery attempt once the log names
# all 50 recipients with a status; then the listener is stopped (SIGTERM
# ends it like --duration, with the summary).
attempted() {
	grep -oE 'to=<[^>]+>, .*status=(sent|deferred|bounced)' "$PLOG" 2>/dev/null |
	    sed 's/,.*//' | sort -u | wc -l
}
for _ in $(seq 1 300); do
	[ "$(attempted)" -ge 50 ] && break
	kill -0 "$LPID" 2>/dev/null || break
	sleep 0.1
done
t_eq "postfix tried every message" 50 "$(attempted)"
kill -TERM "$LPID" 2>/dev/null
wait "$LPID"
t_eq "listener exit" 0 "$?"
LPID=""
SUM=$(jq -c 'select(.type == "sendtest.summary")' "$TMP/out.json")
# The five Postfix levels, and the probe above (from another address).
t_eq "five senders told apart" 5 \
    "$(jq '[.senders[] | select(.address | startswith("127.10.19.20"))] | length' <<<"$SUM")"


t_eq "may: every scenario reached" 10 \
    "$(jq '.senders[] | select(.address == "127.10.19.201") | .scenarios_reached' <<<"$SUM")"
t_eq "may: results" "notls=delivered-cleartext untrusted=delivered-tls valid=delivered-tls dane-ok=delivered-tls dane-mismatch=delivered-tls dane-lookup-fails=delivered-tls sts-badcert=delivered-tls sts-unlisted=delivered-tls sts-testing=delivered-tls dane-sts=delivered-tls" \
    "$(results 127.10.19.201)"
t_eq "may: inferred opportunistic" "opportunistic" "$(fits 127.10.19.201)"
t_eq "encrypt: inferred encrypt" "encrypt" "$(fits 127.10.19.202)"
t_eq "verify: results" "notls=deferred untrusted=deferred valid=delivered-tls dane-ok=deferred dane-mismatch=delivered-tls dane-lookup-fails=delivered-tls sts-badcert=deferred sts-unlisted=delivered-tls sts-testing=deferred dane-sts=deferred" \
    "$(results 127.10.19.203)"
t_eq "verify: inferred verify" "verify" "$(fits 127.10.19.203)"
t_eq "dane: results" "notls=delivered-cleartext untrusted=delivered-tls valid=delivered-tls dane-ok=delivered-tls dane-mismatch=deferred dane-lookup-fails=not-reached sts-badcert=delivered-tls sts-unlisted=delivered-tls sts-testing=delivered-tls dane-sts=delivered-tls" \
    "$(results 127.10.19.204)"
t_eq "dane: inferred dane" "dane" "$(fits 127.10.19.204)"
# dane-only never connects where there is no TLSA (or its lookup fails).
t_eq "dane-only: results" "notls=not-reached untrusted=not-reached valid=not-reached dane-ok=delivered-tls dane-mismatch=deferred dane-lookup-fails=not-reached sts-badcert=not-reached sts-unlisted=not-reached sts-testing=not-reached dane-sts=delivered-tls" \
    "$(results 127.10.19.205)"
t_eq "dane-only: inferred dane-only" "dane-only" "$(fits 127.10.19.205)"

# Every record against sendtest.schema.json; the sessions, without their
# scenario tag, against listen.schema.json too.
SCHEMA="$SMTPTLS_TOP/tests/schema"
python3 "$SCHEMA/validate.py" "$SCHEMA/sendtest.schema.json" "$TMP/out.json" \
    sendtest/schema >"$TMP/schema.out" 2>&1
t_eq "every record valid (sendtest.schema.json)" "" "$(grep -A3 '^FAIL' "$TMP/schema.out" | head -8)"
jq -c 'select(.type == "session") | del(.scenario)' "$TMP/out.json" >"$TMP/sessions.json"
python3 "$SCHEMA/validate.py" "$SCHEMA/listen.schema.json" "$TMP/sessions.json" \
    sendtest/sessions >"$TMP/schema2.out" 2>&1
t_eq "session records valid (listen.schema.json)" "" "$(grep -A3 '^FAIL' "$TMP/schema2.out" | head -8)"
t_eq "every session tagged with its scenario" 0 \
    "$(jq -s '[.[] | select(.type == "session" and (.scenario | type) != "string")] | length' "$TMP/out.json")"
t_match "sessions were validated" "PASS" "$(cat "$TMP/schema2.out")"
# Two curl fetches and the probe's of sts-unlisted; Postfix here has no
# MTA-STS, and dane-ok publishes no policy.
t_eq "policies served counted" 3 "$(jq '.mta_sts_policies_served' <<<"$SUM")"
t_eq "start record lists ten scenarios" 10 \
    "$(jq 'select(.type == "sendtest.start") | .scenarios | length' "$TMP/out.json")"
t_done
