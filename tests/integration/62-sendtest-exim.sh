#!/usr/bin/env bash
# 62-sendtest-exim.sh - the sender policy test (smtptls listen --test-zone)
# against a real sending Exim (Debian's build: GnuTLS, its own DANE code),
# a second DANE implementation beside 59-sendtest's Postfix.
#
# smtptls serves the signed zone st.lab.test (the name 59 uses: the lab's
# sendtest certificate is for *.st.lab.test; each test has its own server
# and resolver) with DNS on 127.10.21.53 and one listener per scenario on
# 127.10.21.101-110:25; a private validating Unbound (127.10.21.2) trusts
# the printed DS. Exim (tests/lib_exim.sh) runs in a mount namespace whose
# resolv.conf names that Unbound, with four smtp transports told apart by
# source address: DANE opportunistic (hosts_try_dane = *, 127.10.21.201),
# DANE mandatory (hosts_require_dane = *, .202), and certificate
# verification without DANE (tls_verify_hosts and hosts_require_tls = *,
# hosts_try_dane emptied: it is * by default; .203), and that last without
# hosts_require_tls (.204: Exim retries in cleartext). One message goes to
# one recipient per scenario and transport and is delivered by the
# submitting process (-odi), all at once (remote_max_parallel): when exim
# returns, every first attempt is over. The summary must infer dane,
# dane-only and verify, and Exim's own log must say why each delivery went
# as it did.
# shellcheck source=../lib.sh
# asan: skip - its time is a real Exim's delivery; 50-listen runs the listener and 60-fuzz-replay the zone answers under ASan (this script passes under ASan too)
. "$(dirname "$0")/../lib.sh"
# shellcheck source=../lib_exim.sh
. "$(dirname "$0")/../lib_exim.sh"
# shellcheck source=../lib_sendtest.sh
. "$(dirname "$0")/../lib_sendtest.sh"

ZONE=st.lab.test
DNS=127.10.21.53
RES=127.10.21.2
TMP=$(mktemp -d /tmp/smtptls-sendexim.XXXXXX)
chmod 755 "$TMP"
LPID=""
CERT=$LAB/certs/sendtest.chain.pem
KEY=$LAB/certs/sendtest.key
MAINLOG=$TMP/log/mainlog

cleanup() {
	local p
	[ -z "$LPID" ] || kill "$LPID" 2>/dev/null
	if p=$(pid_of "$TMP/unbound.pid" unbound); then
		stop_pid "$p"
	fi
	[ -z "${SENDTEST_KEEP:-}" ] || cp -r "$TMP" "$SENDTEST_KEEP"
	rm -rf "$TMP"
}
trap cleanup EXIT

if [ ! -x "$EXIM_BIN" ] || [ ! -r "$CERT" ]; then
	t_fail "exim and the sendtest certificate" \
	    "$EXIM_BIN (scripts/setup.sh), $CERT (scripts/lab.sh up)" "missing"
	t_done
	exit
fi

# --- The test zone, its listeners, and a resolver trusting its DS --------
# The zone key is one made by ldns-keygen (--zone-key reads it): the DS
# printed must be the one ldns-keygen computed, and every DANE result
# below rests on signatures made with it.
(cd "$TMP" && ldns-keygen -a ECDSAP256SHA256 -k "$ZONE") >"$TMP/keygen" 2>&1
ZKEY="$TMP/$(head -1 "$TMP/keygen").private"
binds=()
for i in $(seq 101 110); do binds+=(--bind "127.10.21.$i"); done
timeout 40 "$SMTPTLS" listen --json --test-zone "$ZONE" "${binds[@]}" \
    --dns-bind "$DNS" --https-bind 127.10.21.44 --cert "$CERT" --key "$KEY" \
    --zone-key "$ZKEY" --duration 30 >"$TMP/out.json" 2>"$TMP/err" &
LPID=$!
zone_wait "$TMP/out.json" "$LPID"
# One jq for the DS (first line) and the scenario names (jq starts slowly
# on a loaded machine: this test calls it twice in all).
jq -r 'select(.type == "sendtest.start") | .ds, .scenarios[].name' \
    "$TMP/out.json" >"$TMP/start" 2>/dev/null
head -1 "$TMP/start" >"$TMP/ds"
if [ ! -s "$TMP/ds" ]; then
	t_fail "listener up" "sendtest.start" "$(head -c 300 "$TMP/err")"
	t_done
	exit
fi
t_eq "zone key: the DS of ldns-keygen's key" \
    "$(awk '{print $4, $5, $6, tolower($7)}' "${ZKEY%.private}.ds")" \
    "$(awk '{print $5, $6, $7, tolower($8)}' "$TMP/ds")"
# shellcheck source=../../scripts/lab/unbound-island.sh
. "$SMTPTLS_TOP/scripts/lab/unbound-island.sh"
unbound_island_conf "$TMP" "$RES" "$ZONE" "$TMP/ds" "$DNS" >"$TMP/unbound.conf"
t_run "unbound starts" 0 unbound -c "$TMP/unbound.conf"

# --- Exim: two transports, one per DANE mode, one source address each ---
ex_dir "$TMP" "$RES"
{
	ex_main_cf "$TMP"
	ex_router dane dane
	ex_router daneonly daneonly
	ex_router verify verify
	ex_router tryclear tryclear
	cat <<EOF
begin transports
dane:
  driver = smtp
  interface = 127.10.21.201
  hosts_try_dane = *
  tls_verify_certificates = $CA
  connect_timeout = 5s
daneonly:
  driver = smtp
  interface = 127.10.21.202
  hosts_require_dane = *
  tls_verify_certificates = $CA
  connect_timeout = 5s
verify:
  driver = smtp
  interface = 127.10.21.203
  hosts_try_dane =
  hosts_require_tls = *
  tls_verify_hosts = *
  tls_verify_certificates = $CA
  connect_timeout = 5s
tryclear:
  driver = smtp
  interface = 127.10.21.204
  hosts_try_dane =
  tls_verify_hosts = *
  tls_verify_certificates = $CA
  connect_timeout = 5s
EOF
	ex_tail_cf
} >"$TMP/exim.conf"

scenarios=$(tail -n +2 "$TMP/start")
rcpts=()
for s in $scenarios; do
	rcpts+=("dane@$s.$ZONE" "daneonly@$s.$ZONE" "verify@$s.$ZONE" "tryclear@$s.$ZONE")
done
t_eq "forty recipients" 40 "${#rcpts[@]}"
printf 'From: a@sender.lab.test\nSubject: smtptls sender test (Exim)\n\nsmtptls sender test\n' >"$TMP/msg"
t_run "exim delivers (first attempt of every recipient)" 0 \
    ex_run "$TMP" -odi -f a@sender.lab.test "${rcpts[@]}" <"$TMP/msg"

# Exim's view: one line per recipient (=> delivered, == deferred, ** failed).
outcome() {
	grep -E "(=>|==|\*\*) $1@$2\.$ZONE " "$MAINLOG" | head -1
}
t_match "exim: dane-ok delivered, DANE-verified" '=> .* CV=dane ' "$(outcome dane dane-ok)"
t_match "exim: dane-mismatch deferred by DANE" '== .*certificate verification failed' \
    "$(outcome dane dane-mismatch)"
t_match "exim: dane-lookup-fails deferred (TLSA lookup)" '== .*tlsa lookup DEFER' \
    "$(outcome dane dane-lookup-fails)"
t_match "exim: untrusted delivered over TLS, unverified" '=> .* X=TLS.* CV=no ' \
    "$(outcome dane untrusted)"
t_match "exim verify: valid delivered, chain verified" '=> .* CV=yes ' \
    "$(outcome verify valid)"
t_match "exim verify: dane-ok deferred (self-signed, DANE off)" '== .*certificate verification failed' \
    "$(outcome verify dane-ok)"
t_match "exim mandatory: valid fails, no TLSA" '\*\* .*tlsa lookup FAIL' \
    "$(outcome daneonly valid)"
t_match "exim mandatory: dane-sts delivered, DANE-verified" '=> .* CV=dane ' \
    "$(outcome daneonly dane-sts)"
# After QUIT the listener sends a TLS close_notify; without it GnuTLS
# reports a premature termination, which Exim logs as a TLS error.
t_eq "exim: every TLS session closed cleanly" "" \
    "$(grep 'TLS error on connection' "$MAINLOG" | head -2)"
t_eq "exim: every recipient has an outcome" 40 \
    "$(grep -cE '(=>|==|\*\*) (dane|daneonly|verify|tryclear)@' "$MAINLOG")"

kill -TERM "$LPID" 2>/dev/null
wait "$LPID"
t_eq "listener exit" 0 "$?"
LPID=""
# Per sender: its results ("scenario=result" words), the policies that
# explain it, their settings, and where it fell back to cleartext
# (separated by US, 0x1f: read collapses empty fields between tabs).
declare -A RESULTS POLICIES SETTINGS FALLBACK
while IFS=$'\x1f' read -r a r p st f; do
	RESULTS[$a]=$r POLICIES[$a]=$p SETTINGS[$a]=$st FALLBACK[$a]=$f
done < <(jq -r 'select(.type == "sendtest.summary") | .senders[] |
    [.address, ([.scenarios[] | "\(.name)=\(.result)"] | join(" ")),
     ([.policies[].policy] | join(" ")), ([.policies[].settings] | join("; ")),
     ([.scenarios[] | select(.fell_back_to_cleartext) | .name] | join(" "))] |
    join("\u001f")' "$TMP/out.json")
t_eq "four senders" "127.10.21.201 127.10.21.202 127.10.21.203 127.10.21.204" \
    "$(printf '%s\n' "${!RESULTS[@]}" | sort | tr '\n' ' ' | sed 's/ $//')"
t_eq "hosts_try_dane: results" "notls=delivered-cleartext untrusted=delivered-tls valid=delivered-tls dane-ok=delivered-tls dane-mismatch=deferred dane-lookup-fails=not-reached sts-badcert=delivered-tls sts-unlisted=delivered-tls sts-testing=delivered-tls dane-sts=delivered-tls" \
    "${RESULTS[127.10.21.201]-}"
t_eq "hosts_try_dane: inferred dane" "dane" "${POLICIES[127.10.21.201]-}"
# Exim never connects where the TLSA lookup fails or finds nothing.
t_eq "hosts_require_dane: results" "notls=not-reached untrusted=not-reached valid=not-reached dane-ok=delivered-tls dane-mismatch=deferred dane-lookup-fails=not-reached sts-badcert=not-reached sts-unlisted=not-reached sts-testing=not-reached dane-sts=delivered-tls" \
    "${RESULTS[127.10.21.202]-}"
t_eq "hosts_require_dane: inferred dane-only" "dane-only" "${POLICIES[127.10.21.202]-}"
# No DANE, TLS required, the chain and the MX name verified: Postfix verify.
t_eq "tls_verify_hosts: results" "notls=deferred untrusted=deferred valid=delivered-tls dane-ok=deferred dane-mismatch=delivered-tls dane-lookup-fails=delivered-tls sts-badcert=deferred sts-unlisted=delivered-tls sts-testing=deferred dane-sts=deferred" \
    "${RESULTS[127.10.21.203]-}"
t_eq "tls_verify_hosts: inferred verify" "verify" "${POLICIES[127.10.21.203]-}"
# The same without hosts_require_tls: tls_tempfail_tryclear (on by
# default) sends in cleartext on a new connection wherever verification
# failed; smtptls sees two sessions there and flags the fallback. No row
# of the policy table describes "verify, else cleartext": nothing fits.
t_eq "verify without require_tls: results" "notls=delivered-cleartext untrusted=delivered-cleartext valid=delivered-tls dane-ok=delivered-cleartext dane-mismatch=delivered-tls dane-lookup-fails=delivered-tls sts-badcert=delivered-cleartext sts-unlisted=delivered-tls sts-testing=delivered-cleartext dane-sts=delivered-cleartext" \
    "${RESULTS[127.10.21.204]-}"
t_eq "verify without require_tls: fallbacks flagged" "untrusted dane-ok sts-badcert sts-testing dane-sts" \
    "${FALLBACK[127.10.21.204]-}"
t_eq "verify without require_tls: no policy fits" "" "${POLICIES[127.10.21.204]-x}"
t_match "the dane settings name Exim's option" 'Exim hosts_try_dane' \
    "${SETTINGS[127.10.21.201]-}"
t_match "the dane-only settings name Exim's option" 'Exim hosts_require_dane' \
    "${SETTINGS[127.10.21.202]-}"
t_match "the verify settings name Exim's options" 'Exim tls_verify_hosts' \
    "${SETTINGS[127.10.21.203]-}"
t_done
