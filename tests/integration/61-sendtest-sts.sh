#!/usr/bin/env bash
# 61-sendtest-sts.sh - the sender policy test (smtptls listen --test-zone)
# against a Postfix at `secure` and a Postfix that enforces MTA-STS
# through its policy service (postfix-mta-sts-resolver's mta-sts-daemon,
# asked over socketmap).
#
# Set-up as in 59, on 127.10.20.0/24: smtptls serves the signed zone
# st.lab.test (DNS .53, HTTPS policy host .44, listeners .101-.110), a
# private validating Unbound (.2) trusts the printed DS. The sending
# Postfix and the mta-sts-daemon (.3:8461) each run in a private mount
# namespace whose /etc/resolv.conf names that Unbound: the daemon's DNS
# (aiodns, c-ares) and its HTTPS host lookups (getaddrinfo) both read
# /etc/resolv.conf and have no nameserver setting of their own. The
# daemon fetches policies with aiohttp, whose default TLS context
# (Python's ssl.create_default_context) loads OpenSSL's default paths,
# so SSL_CERT_FILE names the lab CA; it has no CA-bundle setting either.
# shellcheck source=../lib.sh
# asan: skip - its time is a real Postfix's queue; 59 and the unit tests cover the zone
. "$(dirname "$0")/../lib.sh"
# shellcheck source=../lib_postfix.sh
. "$(dirname "$0")/../lib_postfix.sh"
# shellcheck source=../lib_sendtest.sh
. "$(dirname "$0")/../lib_sendtest.sh"

ZONE=st.lab.test
NET=127.10.20
TMP=$(mktemp -d /tmp/smtptls-sendsts.XXXXXX)
chmod 755 "$TMP"
PF=$TMP/etc
Q=$TMP/queue
PLOG=$TMP/postfix.log
LPID=""
SPID=""
PF_STARTED=0
CERT=$LAB/certs/sendtest.chain.pem
KEY=$LAB/certs/sendtest.key

# cleanup - every process this test started: TERM to all first, so that
# their ends overlap, then wait for each
cleanup() {
	local p pids=""
	[ -z "$LPID" ] || kill "$LPID" 2>/dev/null
	[ -z "$SPID" ] || pids="$SPID"
	if [ "$PF_STARTED" = 1 ] && p=$(pf_pid_of "$Q/pid/master.pid" master); then
		pids="$pids $p"
	fi
	if p=$(pf_pid_of "$TMP/unbound.pid" unbound); then
		pids="$pids $p"
	fi
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do pf_stop_pid "$p"; done
	[ -z "${SENDTEST_KEEP:-}" ] || cp -r "$TMP" "$SENDTEST_KEEP"
	rm -rf "$TMP"
}
trap cleanup EXIT

for need in "$CERT" /usr/bin/mta-sts-daemon; do
	if [ ! -r "$need" ]; then
		t_fail "needs $need" "present (scripts/setup.sh, lab.sh up)" "missing"
		t_done
		exit
	fi
done

# --- The policy service, the sending Postfix: started first, together ---
# Neither asks anything before mail is submitted, and their starts are the
# slow part of this test.
printf 'nameserver %s\noptions trust-ad\n' "$NET.2" >"$TMP/resolv.conf"
# reuse_port stays true: 1.1.2 cannot listen without it (responder.py sets
# its socket options only in that branch).
cat >"$TMP/mta-sts-daemon.yml" <<EOF
host: $NET.3
port: 8461
reuse_port: true
shutdown_timeout: 1
cache:
  type: internal
default_zone:
  strict_testing: false
  timeout: 4
EOF
unshare -m sh -c "mount --bind '$TMP/resolv.conf' /etc/resolv.conf &&
    SSL_CERT_FILE='$CA' exec mta-sts-daemon -c '$TMP/mta-sts-daemon.yml' \
    -v info -l '$TMP/mta-sts.log'" </dev/null >/dev/null 2>"$TMP/mta-sts.err" &
SPID=$!
# Out of the job table: a KILL at the end (its Python shutdown can take
# over 3 s on a busy machine) is then not reported on stderr.
disown "$SPID"

# Three senders, chosen by the envelope sender (so the configuration
# needs no scenario list): secure, may with the MTA-STS policy service,
# and dane sending SNI (for the SNI mode below).
levels="secure sts"
mkdir -p "$PF"
{
	pf_main_cf "$TMP" "$Q" "$PLOG"
	pf_dnssec_main_cf "$ZONE"
	echo "sender_dependent_default_transport_maps = texthash:$PF/senders"
} >"$PF/main.cf"
{
	pf_master_cf
	cat <<EOF
smtp-secure   unix  -       -      n      -      -       smtp
  -o smtp_tls_security_level=secure -o smtp_bind_address=$NET.206
smtp-sts      unix  -       -      n      -      -       smtp
  -o smtp_tls_security_level=may -o smtp_bind_address=$NET.207
  -o smtp_tls_policy_maps=socketmap:inet:$NET.3:8461:postfix
smtp-dane     unix  -       -      n      -      -       smtp
  -o smtp_tls_security_level=dane -o smtp_bind_address=$NET.208
  -o smtp_tls_servername=hostname
EOF
} >"$PF/master.cf"
: >"$PF/transport"
for l in $levels dane; do printf '%s@sender.lab.test smtp-%s:\n' "$l" "$l"; done >"$PF/senders"
pf_queue_tree "$TMP" "$Q"
PF_STARTED=1
timeout 90 unshare -m sh -c "mount --bind '$TMP/resolv.conf' /etc/resolv.conf &&
    exec postfix -c '$PF' start" >"$TMP/postfix-start.out" 2>&1 &
PFJOB=$!

# --- The test zone, its listeners, the validating resolver ---------------
# shellcheck source=../../scripts/lab/unbound-island.sh
. "$SMTPTLS_TOP/scripts/lab/unbound-island.sh"
# zone_up OUT BIND... - smtptls serving the zone with these --bind
# options, its records to OUT (LPID), and a fresh Unbound trusting its DS;
# 1 when either does not come up
zone_up() {
	local out=$1 p
	shift
	timeout 170 "$SMTPTLS" listen --json --test-zone "$ZONE" "$@" \
	    --dns-bind "$NET.53" --https-bind "$NET.44" --cert "$CERT" --key "$KEY" \
	    --duration 150 >"$out" 2>"$TMP/err" &
	LPID=$!
	zone_wait "$out" "$LPID" 150
	jq -r 'select(.type == "sendtest.start") | .ds' "$out" >"$TMP/ds" 2>/dev/null
	if [ ! -s "$TMP/ds" ]; then
		t_fail "listener up" "sendtest.start" "$(head -c 300 "$TMP/err")"
		return 1
	fi
	if p=$(pf_pid_of "$TMP/unbound.pid" unbound); then
		pf_stop_pid "$p"
	fi
	unbound_island_conf "$TMP" "$NET.2" "$ZONE" "$TMP/ds" "$NET.53" >"$TMP/unbound.conf"
	t_run "unbound starts" 0 unbound -c "$TMP/unbound.conf"
}

binds=()
for i in $(seq 101 110); do binds+=(--bind "$NET.$i"); done
zone_up "$TMP/out.json" "${binds[@]}" || {
	t_done
	exit
}

wait "$PFJOB"
t_eq "postfix starts (private resolv.conf)" 0 "$?"
for _ in $(seq 1 300); do
	grep -q "Server started" "$TMP/mta-sts.log" 2>/dev/null && break
	kill -0 "$SPID" 2>/dev/null || break
	sleep 0.1
done
t_match "mta-sts-daemon up" "Server started" "$(cat "$TMP/mta-sts.log" "$TMP/mta-sts.err" 2>&1)"
# ask_sts DOMAIN - the socketmap answer Postfix gets (netstrings
# "LEN:DATA,", through bash's /dev/tcp: no client to start)
ask_sts() {
	local q="postfix $1" a=""
	if exec 3<>"/dev/tcp/$NET.3/8461"; then
		printf '%d:%s,' "${#q}" "$q" >&3
		IFS= read -r -t 8 -d , a <&3
		exec 3<&-
	fi
	printf '%s\n' "$a"
}
t_match "daemon: enforce policy of sts-badcert" \
    "OK secure match=mx-sts-badcert\\.$ZONE servername=hostname" "$(ask_sts "sts-badcert.$ZONE")"
t_match "daemon: testing policy not enforced" "NOTFOUND" "$(ask_sts "sts-testing.$ZONE")"
t_match "daemon: no policy at valid" "NOTFOUND" "$(ask_sts "valid.$ZONE")"

# --- One message per sender and scenario, submitted at once --------------
scenarios=$(jq -r 'select(.type == "sendtest.start") | .scenarios[].name' "$TMP/out.json")
n=0
# submit LEVEL... - one message from each level to every scenario; n
# counts them all
submit() {
	local l s p subs=()
	for l in "$@"; do
		for s in $scenarios; do
			printf 'From: %s@sender.lab.test\nTo: smtptls@%s.%s\nSubject: %s %s\n\nsmtptls sender test\n' \
			    "$l" "$s" "$ZONE" "$l" "$s" |
			    timeout 10 sendmail -C "$PF" -f "$l@sender.lab.test" "$l@$s.$ZONE" &
			subs+=($!)
			n=$((n + 1))
		done
	done
	for p in "${subs[@]}"; do wait "$p" || t_fail "submit" "sendmail exit 0" "failed"; done
}
# shellcheck disable=SC2086
submit $levels
pf_wait_attempted "$PLOG" "$n" "$LPID"
t_eq "postfix tried every message" "$n" "$(pf_attempted "$PLOG")"
kill -TERM "$LPID" 2>/dev/null
wait "$LPID"
t_eq "listener exit" 0 "$?"
LPID=""
SUM=$(jq -c 'select(.type == "sendtest.summary")' "$TMP/out.json")

# secure: the certificate must match the next-hop domain (S.ZONE), which
# the valid certificate's *.ZONE does; no TLSA, no MTA-STS: as verify.
t_eq "secure: results" "notls=deferred untrusted=deferred valid=delivered-tls dane-ok=deferred dane-mismatch=delivered-tls dane-lookup-fails=delivered-tls sts-badcert=deferred sts-unlisted=delivered-tls sts-testing=deferred dane-sts=deferred" \
    "$(results "$NET.206")"
t_eq "secure: inferred verify (Postfix verify or secure)" "verify" "$(fits "$NET.206")"
t_match "secure: the settings name it" "Postfix verify or secure" \
    "$(jq -r --arg a "$NET.206" '.senders[] | select(.address == $a) | .policies[0].settings' <<<"$SUM")"
# may + MTA-STS: enforce policies bind (sts-badcert, sts-unlisted,
# dane-sts defer), a testing policy does not, elsewhere opportunistic.
t_eq "mta-sts: results" "notls=delivered-cleartext untrusted=delivered-tls valid=delivered-tls dane-ok=delivered-tls dane-mismatch=delivered-tls dane-lookup-fails=delivered-tls sts-badcert=deferred sts-unlisted=deferred sts-testing=delivered-tls dane-sts=deferred" \
    "$(results "$NET.207")"
t_eq "mta-sts: inferred mta-sts" "mta-sts" "$(fits "$NET.207")"
# The daemon fetched each of the four policies once (its cache serves the
# retries); the three socketmap questions above were among them.
t_eq "policies served: one fetch per policy domain" 4 "$(jq '.mta_sts_policies_served' <<<"$SUM")"
t_eq "daemon: no failed fetch" "" "$(grep -i 'failed' "$TMP/mta-sts.log")"


# --- SNI mode: every scenario on one address, a dane sender with SNI -----
t_run "sni: --send-hint with one --bind" 0 "$SMTPTLS" listen --test-zone "$ZONE" \
    --bind "$NET.120" --send-hint
t_match "sni: the hint says SNI tells them apart" "One --bind: every scenario but notls answers there, told apart by the MX host the sender names by SNI" \
    "$(tr '\n' ' ' <"$T_OUT")"
t_run "sni: two --bind, no --scenario: usage" 2 "$SMTPTLS" listen --test-zone "$ZONE" \
    --bind "$NET.120" --bind "$NET.121" --dns-bind "$NET.53" --cert "$CERT" --key "$KEY" --duration 1
t_match "sni: the error names both ways" "one --bind \(scenarios told apart by SNI, or --scenario NAME\)" \
    "$(cat "$T_ERR" "$T_OUT" 2>/dev/null)"
# Phase one's deferred messages would retry into the new zone: gone.
postsuper -c "$PF" -d ALL >/dev/null 2>&1
zone_up "$TMP/sni.json" --bind "$NET.120" --expect dane || {
	t_done
	exit
}
t_eq "sni: every MX host at the one address" "$NET.120" \
    "$(jq -r 'select(.type == "sendtest.start") | [.scenarios[].address] | unique | join(" ")' "$TMP/sni.json")"
t_eq "sni: all but notls served" "notls" \
    "$(jq -r 'select(.type == "sendtest.start") | [.scenarios[] | select(.served | not) | .name] | join(" ")' "$TMP/sni.json")"
submit dane
pf_wait_attempted "$PLOG" "$n" "$LPID"
t_eq "sni: postfix tried every message" "$n" "$(pf_attempted "$PLOG")"
kill -TERM "$LPID" 2>/dev/null
wait "$LPID"
t_eq "sni: listener exit 0 (--expect dane met)" 0 "$?"
LPID=""
SUM=$(jq -c 'select(.type == "sendtest.summary")' "$TMP/sni.json")
# The sessions no scenario claims: dane at notls's MX, whose name no
# served scenario has (Postfix falls back to may there, with SNI), and
# a retry the listener's end may cut before STARTTLS.
t_eq "sni: told apart by SNI" "sni" "$(jq -r '.told_apart_by' <<<"$SUM")"
t_eq "sni: unattributed sessions counted" \
    "$(jq -s '[.[] | select(.type == "session" and .scenario == "unattributed")] | length' "$TMP/sni.json")" \
    "$(jq -r '.sessions_unattributed' <<<"$SUM")"
t_eq "sni: those with TLS named mx-notls" "mx-notls.$ZONE" \
    "$(jq -r 'select(.type == "session" and .scenario == "unattributed" and .tls.handshake == "ok") | .tls.sni' "$TMP/sni.json" | sort -u)"
t_eq "sni: the others never began TLS" "" \
    "$(jq -r 'select(.type == "session" and .scenario == "unattributed" and .tls.handshake != "ok" and .starttls.used) | .session' "$TMP/sni.json")"
# As the dane level of 59, but notls is not served (no STARTTLS, no SNI)
# and so matches any policy.
t_eq "sni: dane results" "notls=not-served untrusted=delivered-tls valid=delivered-tls dane-ok=delivered-tls dane-mismatch=deferred dane-lookup-fails=not-reached sts-badcert=delivered-tls sts-unlisted=delivered-tls sts-testing=delivered-tls dane-sts=delivered-tls" \
    "$(results "$NET.208")"
t_eq "sni: inferred dane" "dane" "$(fits "$NET.208")"
t_eq "sni: the one sender" 1 "$(jq '.senders | length' <<<"$SUM")"

SCHEMA="$SMTPTLS_TOP/tests/schema"
python3 "$SCHEMA/validate.py" "$SCHEMA/sendtest.schema.json" "$TMP/sni.json" \
    sendtest-sni/schema >"$TMP/schema.out" 2>&1
t_eq "sni: every record valid (sendtest.schema.json)" "" "$(grep -A3 '^FAIL' "$TMP/schema.out" | head -8)"
t_match "sni: records were validated" "PASS" "$(cat "$TMP/schema.out")"
t_done
