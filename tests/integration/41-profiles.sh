#!/usr/bin/env bash
# tests/integration/41-profiles.sh - compliance profiles (issue 18): the
# `profiles` command, and two lab MTAs graded under every profile with
# outcomes that follow from how the lab configures them
# (testdata/lab/README.md): mx-tls12 (TLS 1.2 only, one suite, RSA 2048,
# no TLSA) and the good domain (mx1, mx2: Postfix defaults, TLSA records);
# and two scripted peers for client-initiated renegotiation (127.10.16.1
# accepts it, 127.10.16.2 refuses).
#
# Where a profile grades an item a second tool can see, the same test asks
# `openssl s_client` for the same conclusion: versions, the suite, the
# SHA-1-only and SHA-224-only key-exchange signatures, X25519, the key
# size, client-initiated renegotiation. testssl.sh's conclusions on
# versions, cipher categories, key size and signature are compared in
# 26-profiles-testssl.sh (testssl.sh alone costs over 15 s of CPU a run).
# asan: skip - grading is table work that test_profile runs under ASan; the scan it grades runs under ASan in 38-scan (renegotiation against the lab's MTAs)
. "$SMTPTLS_TOP/tests/lib.sh"

# sclient ADDR ARGS...: the s_client transcript of one handshake
sclient() {
	local addr=$1
	shift
	timeout 10 openssl s_client -starttls smtp -connect "$addr:25" "$@" \
	    </dev/null 2>&1
}
accepted() { sclient "$@" | grep -q '^New, TLSv1\.[0-3], Cipher is [A-Z]'; }
yes_no() { if "$@"; then echo yes; else echo no; fi; }
# req PROFILE ID [ADDR]: "result tier" of one requirement
req() {
	jq -r --arg p "$1" --arg id "$2" --arg a "${3:-}" '
	    [.profiles[$p].addresses[] | select($a == "" or .address == $a)
	     | .requirements[] | select(.id == $id)
	     | "\(.result) \(.tier // "-")"][0]' <"$T_OUT"
}

# --- client-initiated renegotiation: scripted peers (tests/peers/badsmtp)
# on 127.10.16.1 (accepts it) and 127.10.16.2 (OpenSSL's default: refuses).
# Their probes (a scan against badsmtp takes about 5 s) and the s_client
# cross-checks run in the background while the lab MTAs are graded.
PEER="$SMTPTLS_BUILD/peers/badsmtp"
WORK=$(mktemp -d /tmp/smtptls-profiles.XXXXXX)
PEER_PIDS=""
cleanup() {
	local p
	for p in $PEER_PIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$WORK"
}
trap cleanup EXIT
for n in 1 2; do
	mode=renegotiate
	[ "$n" = 2 ] && mode=good
	"$PEER" --listen "127.10.16.$n:25" --mode "$mode" --lifetime 60 \
	    2>"$WORK/peer-$n.err" &
	PEER_PIDS="$PEER_PIDS $!"
done
for n in 1 2; do
	for _ in $(seq 100); do
		ss -ltnH "src 127.10.16.$n and sport = :25" | grep -q . && break
		sleep 0.05
	done
done
for n in 1 2; do
	"$SMTPTLS" --json probe --allow-private --no-dane --deadline 60 \
	    --host "[127.10.16.$n]" --profile ncsc-nl >"$WORK/reneg-$n.json" \
	    2>"$WORK/reneg-$n.err" &
	eval "RPID$n=\$!"
	# s_client's "R" command asks to renegotiate (stdin must stay open)
	(sleep 1; printf 'R\n'; sleep 1) | timeout 8 openssl s_client \
	    -starttls smtp -connect "127.10.16.$n:25" -tls1_2 \
	    >"$WORK/sclient-$n.out" 2>&1 &
	eval "SPID$n=\$!"
done

# --- smtptls profiles
t_run profiles/list 0 "$SMTPTLS" profiles
t_eq profiles/list/names "ncsc-nl bsi-tr-03108 rfc9325" \
    "$(cut -d' ' -f1 <"$T_OUT" | tr '\n' ' ' | sed 's/ $//')"
t_run profiles/table 0 "$SMTPTLS" profiles ncsc-nl
t_match profiles/table/source "source: NCSC-NL TLS guidelines v2.1, B1-1" "$(cat "$T_OUT")"
t_run profiles/json 0 "$SMTPTLS" --json profiles bsi-tr-03108
t_jq profiles/json/rows '[.profile.requirements[] | select(.source == "" or .text == "")] | length' 0
# the command's JSON against tests/schema/profiles.schema.json, every
# profile and the list; the schema must reject a broken table too
SCHEMA="$SMTPTLS_TOP/tests/schema"
schema() {
	local out
	out=$(/usr/bin/python3 "$SCHEMA/validate.py" \
	    "$SCHEMA/profiles.schema.json" "$2" "profiles/schema/$1")
	case "$3:$out" in
	PASS:PASS*) t_pass "profiles/schema/$1" ;;
	FAIL:FAIL*) t_pass "profiles/schema/$1/rejected" ;;
	*) t_fail "profiles/schema/$1" "$3 from the validator" \
	    "$(printf '%s' "$out" | head -c 300)" ;;
	esac
}
"$SMTPTLS" --json profiles >"$WORK/list.json"
schema list "$WORK/list.json" PASS
for p in ncsc-nl bsi-tr-03108 rfc9325; do
	"$SMTPTLS" --json profiles "$p" >"$WORK/$p.json"
	schema "$p" "$WORK/$p.json" PASS
done
t_eq profiles/json/notes "true false true" "$(for p in ncsc-nl bsi-tr-03108 rfc9325; do jq '.profile.note != null' <"$WORK/$p.json"; done | tr '\n' ' ' | sed 's/ $//')"
jq -c '.profile.requirements[0].fact = "cipher"' <"$WORK/rfc9325.json" >"$WORK/bad-fact.json"
schema bad-fact "$WORK/bad-fact.json" FAIL
jq -c '.profiles[0].requirements = []' <"$WORK/list.json" >"$WORK/bad-list.json"
schema bad-list "$WORK/bad-list.json" FAIL
t_run profiles/unknown 2 "$SMTPTLS" profiles nope
t_match profiles/unknown/message "unknown profile 'nope'" "$(cat "$T_ERR")"
t_run profiles/probe-unknown 2 lab_probe --profile nope --host mx-tls12.lab.test
t_run profiles/require-unknown 2 lab_probe --require profile:nope --host mx-tls12.lab.test

# --- mx-tls12 under the three profiles (one scan)
t_run tls12/exit 0 lab_probe --json --deadline 30 --host mx-tls12.lab.test \
    --profile ncsc-nl --profile bsi-tr-03108 --profile rfc9325
TLS12_JSON=$T_OUT
t_jq tls12/scan-implied '.run.modes | index("scan") != null' true
t_jq tls12/names '.profiles | keys | join(",")' "bsi-tr-03108,ncsc-nl,rfc9325"
# TLS 1.2 only: NCSC-NL "sufficient"; BSI and RFC 9325 met
t_eq tls12/ncsc/version "pass sufficient" "$(req ncsc-nl ncsc-nl.version)"
t_eq tls12/openssl/versions "tls1_2=yes tls1_3=no tls1_1=no" \
    "tls1_2=$(yes_no accepted 127.10.1.15 -tls1_2) tls1_3=$(yes_no accepted 127.10.1.15 -tls1_3) tls1_1=$(yes_no accepted 127.10.1.15 -tls1_1 -cipher 'ALL:@SECLEVEL=0')"
t_eq tls12/bsi/version "pass -" "$(req bsi-tr-03108 bsi.version)"
t_eq tls12/rfc9325/tls13 "fail -" "$(req rfc9325 rfc9325.version.tls13)"
# one suite, ECDHE-RSA-AES256-GCM: good, allowed, no MUST NOT
t_eq tls12/ncsc/ciphers "pass good" "$(req ncsc-nl ncsc-nl.ciphers)"
t_match tls12/openssl/suite "Cipher is ECDHE-RSA-AES256-GCM-SHA384" \
    "$(sclient 127.10.1.15 -tls1_2 -cipher 'ALL:@SECLEVEL=0' | grep '^New')"
t_eq tls12/bsi/ciphers "pass -" "$(req bsi-tr-03108 bsi.ciphers)"
t_eq tls12/ncsc/order "not-applicable -" "$(req ncsc-nl ncsc-nl.cipher-order)"
# the server still signs with SHA-1 and SHA-224 when offered alone
t_eq tls12/ncsc/kex-hash "pass phase-out" "$(req ncsc-nl ncsc-nl.kex-hash)"
t_match tls12/ncsc/kex-hash-evidence "sha1, sha224" "$(req ncsc-nl ncsc-nl.kex-hash >/dev/null; jq -r '.profiles["ncsc-nl"].addresses[0].requirements[] | select(.id == "ncsc-nl.kex-hash") | .evidence' <"$T_OUT")"
t_match tls12/openssl/sha1 "Peer signing digest: SHA1" \
    "$(sclient 127.10.1.15 -tls1_2 -sigalgs RSA+SHA1 -cipher 'ECDHE:@SECLEVEL=0')"
t_match tls12/openssl/sha224 "Peer signing digest: SHA224" \
    "$(sclient 127.10.1.15 -tls1_2 -sigalgs RSA+SHA224 -cipher 'ECDHE:@SECLEVEL=0')"
# X25519 accepted: good for NCSC-NL, not in BSI TR-02102-2
t_eq tls12/ncsc/groups "pass good" "$(req ncsc-nl ncsc-nl.kex-groups)"
t_eq tls12/bsi/groups "fail -" "$(req bsi-tr-03108 bsi.groups)"
t_match tls12/openssl/x25519 "Server Temp Key: X25519" \
    "$(sclient 127.10.1.15 -tls1_2 -groups X25519)"
# RSA 2048: NCSC-NL sufficient, BSI below 3000 bits, RFC 9325 met
t_eq tls12/ncsc/cert-key "pass sufficient" "$(req ncsc-nl ncsc-nl.cert-key)"
t_eq tls12/bsi/cert-key "fail -" "$(req bsi-tr-03108 bsi.cert-key)"
t_eq tls12/rfc9325/cert-key "pass -" "$(req rfc9325 rfc9325.cert-key)"
t_match tls12/openssl/key "Server public key is 2048 bit" \
    "$(sclient 127.10.1.15 -tls1_2)"
t_eq tls12/ncsc/cert-signature "pass good" "$(req ncsc-nl ncsc-nl.cert-signature)"
# what cannot be measured says so, and is not "fail"
t_eq tls12/ncsc/compression "not-testable -" "$(req ncsc-nl ncsc-nl.compression)"
t_match tls12/ncsc/compression-evidence "no compression method to offer" \
    "$(jq -r '.profiles["ncsc-nl"].addresses[0].requirements[] | select(.id == "ncsc-nl.compression") | .evidence' <"$T_OUT")"
# s_client asked to compress (-comp) still gets none: it has none to offer
t_match tls12/openssl/no-comp "Compression: NONE" \
    "$(sclient 127.10.1.15 -tls1_2 -comp)"
t_eq tls12/ncsc/reneg-client "pass good" "$(req ncsc-nl ncsc-nl.renegotiation.client)"
t_eq tls12/ncsc/reneg-secure "pass good" "$(req ncsc-nl ncsc-nl.renegotiation.secure)"
t_jq tls12/reneg-client-fact '.mx[0].addresses[0].scan.renegotiation.client_initiated' refused
# --host: the address records are not validated (dns.mx.addr.dnssec is
# an error), so DANE is unknown - not testable, never "no DANE"
t_jq tls12/addr-dnssec '[.checks[] | select(.id == "dns.mx.addr.dnssec") | .status][0]' error
t_eq tls12/ncsc/dane "not-testable -" "$(req ncsc-nl ncsc-nl.dane.exists)"
t_eq tls12/ncsc/dane-valid "not-testable -" "$(req ncsc-nl ncsc-nl.dane.valid)"
t_jq tls12/overall '[.profiles[] | .result] | join(",")' "not-testable,fail,pass"

# --require profile:NAME decides the exit code
t_run tls12/require-met 0 lab_probe --deadline 30 --host mx-tls12.lab.test \
    --require profile:rfc9325
t_match tls12/human/table "profile rfc9325: pass \\(required\\)" "$(cat "$T_OUT")"
t_match tls12/human/row "fail +- +rfc9325.version.tls13" "$(cat "$T_OUT")"
t_run tls12/require-untested 3 lab_probe --deadline 30 --host mx-tls12.lab.test \
    --require profile:ncsc-nl
t_match tls12/require-untested-reason "profile ncsc-nl: not-testable \\(required\\)" "$(cat "$T_OUT")"
# the domain tls12.lab.test (MX mx-tls12, signed, no TLSA): "no DANE" is
# measured now (secure denial), and fails NCSC-NL
t_run tls12/require-failed 1 lab_probe --deadline 30 tls12.lab.test \
    --require profile:ncsc-nl
t_match tls12/require-reason "required profile ncsc-nl not met" "$(cat "$T_OUT")"
t_match tls12/require-dane "fail +- +ncsc-nl.dane.exists +no" "$(cat "$T_OUT")"

# --- good.lab.test: mx1 and mx2, Postfix defaults, DANE published (with
# --host the DANE rows would not apply; the scan of both takes ~6 s)
t_run good/exit 0 lab_probe --json --deadline 30 good.lab.test --profile ncsc-nl
# TLS 1.0 accepted: phase out, still a pass
t_eq good/ncsc/version "pass phase-out" "$(req ncsc-nl ncsc-nl.version 127.10.1.1)"
t_eq good/openssl/tls1 yes "$(yes_no accepted 127.10.1.1 -tls1 -cipher 'ALL:@SECLEVEL=0')"
# Postfix's default suites include anonymous ones; client order
t_eq good/ncsc/anonymous "fail insufficient" "$(req ncsc-nl ncsc-nl.ciphers.anonymous 127.10.1.1)"
t_eq good/openssl/anonymous yes "$(yes_no accepted 127.10.1.1 -tls1_2 -cipher 'aNULL:@SECLEVEL=0')"
t_eq good/ncsc/order "fail -" "$(req ncsc-nl ncsc-nl.cipher-order 127.10.1.1)"
# Postfix's built-in DH prime is no RFC 7919 group
t_eq good/ncsc/dhe "fail insufficient" "$(req ncsc-nl ncsc-nl.kex-dhe 127.10.1.1)"
t_eq good/ncsc/dane-exists "pass -" "$(req ncsc-nl ncsc-nl.dane.exists 127.10.1.1)"
t_eq good/ncsc/dane-valid "pass -" "$(req ncsc-nl ncsc-nl.dane.valid 127.10.1.1)"
t_jq good/overall '.profiles["ncsc-nl"].result' fail
t_jq good/addresses '.profiles["ncsc-nl"].addresses | length' 2

# --- nostarttls.lab.test (MX mx-nostarttls, no STARTTLS in its EHLO):
# no TLS at all fails the version rows, not "not testable"; rfc9325 has
# no DNS rows, so its result is the version rows' alone
t_run nostarttls/exit 1 lab_probe --json --deadline 30 nostarttls.lab.test \
    --require opportunistic --require profile:rfc9325 --profile ncsc-nl
t_jq nostarttls/offered '[.checks[] | select(.id == "smtp.starttls.offered") | .status][0]' fail
t_eq nostarttls/rfc9325/tls12 "fail -" "$(req rfc9325 rfc9325.version.tls12)"
t_eq nostarttls/ncsc/version "fail insufficient" "$(req ncsc-nl ncsc-nl.version)"
t_eq nostarttls/ncsc/ciphers "not-applicable -" "$(req ncsc-nl ncsc-nl.ciphers)"
t_match nostarttls/evidence "STARTTLS not offered" \
    "$(jq -r '.profiles.rfc9325.addresses[0].requirements[] | select(.id == "rfc9325.version.tls12") | .evidence' <"$T_OUT")"
t_jq nostarttls/overall '[.profiles[] | .result] | join(",")' "fail,fail"

# --- client-initiated renegotiation (started at the top)
wait "$RPID1"; RC1=$?
wait "$RPID2"; RC2=$?
wait "$SPID1" "$SPID2"
t_eq reneg/exit "0 0" "$RC1 $RC2"
T_OUT=$WORK/reneg-1.json
t_jq reneg/accepted/scan '.mx[0].addresses[0].scan.renegotiation.client_initiated' accepted
t_eq reneg/accepted/ncsc "pass sufficient" "$(req ncsc-nl ncsc-nl.renegotiation.client)"
t_jq reneg/accepted/check '[.checks[] | select(.id == "tls.renegotiation.client") | .status][0]' warn
# s_client: a second handshake (its chain verified twice), no error
t_eq reneg/accepted/openssl "4 0" "$(grep -c 'verify return:1' "$WORK/sclient-1.out") $(grep -c 'no renegotiation' "$WORK/sclient-1.out")"
T_OUT=$WORK/reneg-2.json
t_jq reneg/refused/scan '.mx[0].addresses[0].scan.renegotiation.client_initiated' refused
t_eq reneg/refused/ncsc "pass good" "$(req ncsc-nl ncsc-nl.renegotiation.client)"
t_jq reneg/refused/check '[.checks[] | select(.id == "tls.renegotiation.client") | .status][0]' pass
t_eq reneg/refused/openssl "2 1" "$(grep -c 'verify return:1' "$WORK/sclient-2.out") $(grep -c 'no renegotiation' "$WORK/sclient-2.out")"

# --- no --profile: no profiles object (golden files stay as they are)
t_run plain/exit 0 lab_probe --json --host mx-tls12.lab.test
t_jq plain/no-profiles 'has("profiles")' false
rm -f "$TLS12_JSON"
t_done
