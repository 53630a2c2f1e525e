#!/usr/bin/env bash
# tests/integration/41-profiles.sh - compliance profiles (issue 18): the
# `profiles` command, and two lab MTAs graded under every profile with
# outcomes that follow from how the lab configures them
# (testdata/lab/README.md): mx-tls12 (TLS 1.2 only, one suite, RSA 2048,
# no TLSA) and the good domain (mx1, mx2: Postfix defaults, TLSA records).
#
# Where a profile grades an item a second tool can see, the same test asks
# `openssl s_client` for the same conclusion: versions, the suite, the
# SHA-1-only and SHA-224-only key-exchange signatures, X25519, the key
# size. testssl.sh grades these too, but `testssl -p` alone ran past 60 s
# against one lab MTA here, so it is not run (the suite stays short).
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

# --- smtptls profiles
t_run profiles/list 0 "$SMTPTLS" profiles
t_eq profiles/list/names "ncsc-nl bsi-tr-03108 rfc9325" \
    "$(cut -d' ' -f1 <"$T_OUT" | tr '\n' ' ' | sed 's/ $//')"
t_run profiles/table 0 "$SMTPTLS" profiles ncsc-nl
t_match profiles/table/source "source: NCSC-NL TLS guidelines v2.1, B1-1" "$(cat "$T_OUT")"
t_run profiles/json 0 "$SMTPTLS" --json profiles bsi-tr-03108
t_jq profiles/json/rows '[.profile.requirements[] | select(.source == "" or .text == "")] | length' 0
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
t_eq tls12/ncsc/reneg-client "not-testable -" "$(req ncsc-nl ncsc-nl.renegotiation.client)"
t_eq tls12/ncsc/reneg-secure "pass good" "$(req ncsc-nl ncsc-nl.renegotiation.secure)"
# no TLSA records for mx-tls12
t_eq tls12/ncsc/dane "fail -" "$(req ncsc-nl ncsc-nl.dane.exists)"
t_eq tls12/ncsc/dane-valid "not-applicable -" "$(req ncsc-nl ncsc-nl.dane.valid)"
t_jq tls12/overall '[.profiles[] | .result] | join(",")' "fail,fail,pass"
t_run tls12/human 0 lab_probe --deadline 30 --host mx-tls12.lab.test --profile rfc9325
t_match tls12/human/table "profile rfc9325: pass" "$(cat "$T_OUT")"
t_match tls12/human/row "fail +- +rfc9325.version.tls13" "$(cat "$T_OUT")"

# --require profile:NAME decides the exit code
t_run tls12/require-met 0 lab_probe --deadline 30 --host mx-tls12.lab.test \
    --require profile:rfc9325
t_run tls12/require-failed 1 lab_probe --deadline 30 --host mx-tls12.lab.test \
    --require profile:ncsc-nl
t_match tls12/require-reason "required profile ncsc-nl not met" "$(cat "$T_OUT")"

# --- good.lab.test: mx1 and mx2, Postfix defaults, DANE published
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

# --- no --profile: no profiles object (golden files stay as they are)
t_run plain/exit 0 lab_probe --json --host mx-tls12.lab.test
t_jq plain/no-profiles 'has("profiles")' false
rm -f "$TLS12_JSON"
t_done
