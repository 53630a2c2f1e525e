#!/usr/bin/env bash
# tests/integration/26-profiles-testssl.sh - compliance profiles (issue 18)
# against testssl.sh: where testssl.sh grades the same item as a profile
# row (offered protocol versions, the insufficient cipher categories, the
# certificate's key size and signature algorithm), it must see the same
# facts and lead to the same conclusion as smtptls, on the same server in
# the same run.
#
# Two lab MTAs (testdata/lab/README.md): mx1 127.10.1.1 (Postfix defaults,
# the weak one: TLS 1.0 to 1.3, anonymous and CBC suites, ECDSA P-256) and
# mx-tls12 127.10.1.15 (TLS 1.2 only, one AES-GCM suite, RSA 2048).
# testssl.sh (Debian's 3.0.8, scripts/setup.sh) runs offline: the address
# as its target (no DNS, --nodns none), the lab CA with --add-ca, only
# --protocols, --std and --server-defaults, JSON to a file, and with
# --ssl-native: its own bash-built hellos (which would also try SSL 2.0 and
# 3.0 and the export, DES, RC4 and 3DES suites that OpenSSL 3 lacks, so
# that smtptls reports them "untested") cost twice the CPU and ran past
# nine minutes per MTA on this shared machine.
#
# Cost: testssl.sh spends most of its time setting itself up (about 360
# awk processes to map its cipher table, some 60 openssl runs probing the
# local binary: 15 s of CPU before its first connection), then about 25 s
# of CPU per MTA for these three sections (user+sys, measured at load
# 20-50 on two cores). Far over the suite's budget for one script; both
# MTAs run in parallel beside the smtptls probes.
# asan: skip - the smtptls side is 41-profiles' probe of the same MTAs; under ASan the cost is testssl.sh's
. "$SMTPTLS_TOP/tests/lib.sh"

WORK=$(mktemp -d /tmp/smtptls-testssl.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
if ! command -v testssl >/dev/null; then
	t_fail testssl/installed "testssl (Debian package testssl.sh, scripts/setup.sh)" "not in PATH"
	t_done
	exit
fi

# Debian builds OpenSSL with security level 2, which refuses TLS 1.0 and
# 1.1 and anonymous suites in the client: testssl.sh --ssl-native then
# reports them "not offered" by a server that accepts them (this script
# caught it on mx1). Its openssl runs get level 0, as smtptls's scan uses;
# testssl.sh empties OPENSSL_CONF itself, so a wrapper sets it.
cat >"$WORK/openssl" <<EOF
#!/bin/sh
OPENSSL_CONF='$WORK/openssl.cnf' exec /usr/bin/openssl "\$@"
EOF
chmod +x "$WORK/openssl"
cat >"$WORK/openssl.cnf" <<'EOF'
openssl_conf = default_conf
[default_conf]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
CipherString = ALL:COMPLEMENTOFALL:@SECLEVEL=0
MinProtocol = None
EOF

# testssl ADDR: testssl.sh's findings for ADDR:25 in $WORK/ts-ADDR.json
run_testssl() {
	timeout -k 5 540 testssl --openssl "$WORK/openssl" --starttls smtp \
	    --nodns none --ssl-native \
	    --add-ca "$CA" \
	    --protocols --std --server-defaults --quiet --warnings off \
	    --color 0 --jsonfile "$WORK/ts-$1.json" "$1:25" \
	    >"$WORK/ts-$1.out" 2>&1
	echo $? >"$WORK/ts-$1.rc"
}
# ours NAME: smtptls under the three profiles, in $WORK/NAME.json
ours() {
	lab_probe --json --deadline 60 --host "$1.lab.test" --profile ncsc-nl \
	    --profile bsi-tr-03108 --profile rfc9325 >"$WORK/$1.json" \
	    2>"$WORK/$1.err"
	echo $? >"$WORK/$1.rc"
}
run_testssl 127.10.1.1 &
run_testssl 127.10.1.15 &
ours mx1 &
ours mx-tls12 &
wait

# ts ADDR ID: testssl.sh's finding for ID (the first certificate's, when
# the server has several: "ID <hostcert#1>")
ts() {
	jq -r --arg id "$2" '[.[] | select(.id == $id or .id == ($id + " <hostcert#1>"))
	    | .finding][0] // "missing"' <"$WORK/ts-$1.json"
}
# offered ADDR ID: "yes" when testssl.sh says offered, "no" when not
# offered; anything else (not tested, a local problem) is printed as is
offered() {
	local f
	f=$(ts "$1" "$2")
	case "$f" in
	"offered"*) echo yes ;;
	"not offered"*) echo no ;;
	*) echo "$f" ;;
	esac
}
# req NAME PROFILE ID: "result tier" of one row of ours
req() {
	jq -r --arg p "$2" --arg id "$3" '[.profiles[$p].addresses[0]
	    .requirements[] | select(.id == $id) | "\(.result) \(.tier // "-")"][0]' \
	    <"$WORK/$1.json"
}
# acc NAME VER: "yes"/"no" for a version smtptls's scan accepted or refused
acc() {
	jq -r --arg v "$2" '.mx[0].addresses[0].scan.versions[$v]
	    | if . == "accepted" then "yes" elif . == "refused" then "no" else . end' \
	    <"$WORK/$1.json"
}
# suites NAME REGEX ANON: does ours accept a suite whose IANA name matches
# REGEX (anonymous ones when ANON is true, the others when false)?
suites() {
	jq -r --arg re "$2" --argjson anon "$3" '[.mx[0].addresses[0].scan.ciphers[][]
	    | select(.anonymous == $anon and (.name | test($re)))] | if length > 0
	    then "yes" else "no" end' <"$WORK/$1.json"
}

# ncsc_version_tier ADDR: the NCSC-NL tier of the worst version testssl.sh
# found offered (guidelines v2.1 table 1: SSL insufficient, TLS 1.0 and
# 1.1 phase out, 1.2 sufficient, 1.3 good)
ncsc_version_tier() {
	local a=$1
	if [ "$(offered "$a" SSLv2)" = yes ] || [ "$(offered "$a" SSLv3)" = yes ]; then
		echo "fail insufficient"
	elif [ "$(offered "$a" TLS1)" = yes ] || [ "$(offered "$a" TLS1_1)" = yes ]; then
		echo "pass phase-out"
	elif [ "$(offered "$a" TLS1_2)" = yes ]; then
		echo "pass sufficient"
	else
		echo "pass good"
	fi
}
# old_versions ADDR: "fail" when testssl.sh found anything below TLS 1.2
# offered (RFC 9325 4.1 and BSI: MUST NOT), else "pass"
old_versions() {
	local v
	for v in SSLv2 SSLv3 TLS1 TLS1_1; do
		[ "$(offered "$1" "$v")" = yes ] && { echo fail; return; }
	done
	echo pass
}
# key_of NAME: our leaf key as testssl.sh writes it ("RSA 2048 bits",
# "EC 256 bits")
key_of() {
	jq -r '.mx[0].addresses[0].tls.chain[0].key | "\(.type) \(.bits) bits"' \
	    <"$WORK/$1.json"
}
# sig_hash: "SHA256" from testssl.sh's "ECDSA with SHA256" or
# "SHA256 with RSA"; from our "ecdsa-with-SHA256" or "sha256WithRSAEncryption"
sig_hash() { grep -Eio 'sha(1|224|256|384|512)' | head -n1 | tr a-z A-Z; }

for m in "mx1 127.10.1.1" "mx-tls12 127.10.1.15"; do
	set -- $m
	n=$1 a=$2
	t_eq "$n/smtptls/exit" 0 "$(cat "$WORK/$n.rc")"
	# testssl.sh's exit status counts findings; it ran when its JSON is
	# complete (scanTime last), offline when it skipped the CAA lookup.
	# Nothing to compare when it did not.
	ran=$(jq -r '.[-1].id + " " + ([.[] | select(.id == "DNS_CAArecord")
	    | .finding][0] // "-")' <"$WORK/ts-$a.json" 2>&1)
	if [ "$ran" != "scanTime check skipped as instructed" ]; then
		t_fail "$n/testssl/ran" "a complete JSON file, no DNS lookup" \
		    "exit $(cat "$WORK/ts-$a.rc"); $ran; $(tail -c 300 "$WORK/ts-$a.out")"
		continue
	fi
	t_pass "$n/testssl/ran"

	# --- protocol versions: the same per version, and the same verdict
	for v in tls1:TLS1 tls1_1:TLS1_1 tls1_2:TLS1_2 tls1_3:TLS1_3; do
		t_eq "$n/versions/${v%%:*}" "$(offered "$a" "${v#*:}")" \
		    "$(acc "$n" "${v%%:*}")"
	done
	# SSL 2.0 and 3.0: neither tool can offer them with OpenSSL 3; both
	# say so rather than "not offered"
	t_eq "$n/versions/ssl-by-testssl" "not tested due to lack of local support / not tested due to lack of local support" \
	    "$(ts "$a" SSLv2) / $(ts "$a" SSLv3)"
	t_eq "$n/versions/ssl-by-smtptls" "untested untested" \
	    "$(acc "$n" ssl2) $(acc "$n" ssl3)"
	t_eq "$n/ncsc-nl.version" "$(ncsc_version_tier "$a")" \
	    "$(req "$n" ncsc-nl ncsc-nl.version)"
	t_eq "$n/rfc9325.version" "$(old_versions "$a") -" \
	    "$(req "$n" rfc9325 rfc9325.version)"
	t_eq "$n/bsi.version" "$(old_versions "$a") -" \
	    "$(req "$n" bsi-tr-03108 bsi.version)"
	t_eq "$n/rfc9325.version.tls13" \
	    "$([ "$(offered "$a" TLS1_3)" = yes ] && echo pass || echo fail) -" \
	    "$(req "$n" rfc9325 rfc9325.version.tls13)"

	# --- cipher categories testssl.sh grades (-s, its own hellos)
	anon=$(offered "$a" cipherlist_aNULL)
	t_eq "$n/ciphers/anonymous" "$anon" "$(suites "$n" . true)"
	t_eq "$n/ncsc-nl.ciphers.anonymous" \
	    "$([ "$anon" = yes ] && echo "fail insufficient" || echo "pass good")" \
	    "$(req "$n" ncsc-nl ncsc-nl.ciphers.anonymous)"
	t_eq "$n/bsi.ciphers.anonymous" \
	    "$([ "$anon" = yes ] && echo fail || echo pass) -" \
	    "$(req "$n" bsi-tr-03108 bsi.ciphers.anonymous)"
	t_eq "$n/ciphers/null" "$(offered "$a" cipherlist_NULL)" \
	    "$(suites "$n" '_WITH_NULL_' false)"
	# export, DES, RC4, RC2, 3DES, IDEA: OpenSSL 3 cannot offer them;
	# testssl.sh (native) says so, smtptls accepts none of them
	t_match "$n/ciphers/weak-by-testssl" '^(Cipher .*not supported by local OpenSSL.*){3}$' \
	    "$(ts "$a" cipherlist_EXPORT)$(ts "$a" cipherlist_LOW)$(ts "$a" cipherlist_3DES_IDEA)"
	t_eq "$n/ciphers/weak-by-smtptls" no \
	    "$(suites "$n" 'EXPORT|_DES_|_DES40_|_RC4_|_RC2_|3DES|_IDEA_' false)"
	t_eq "$n/rfc9325.ciphers.must-not" "pass -" \
	    "$(req "$n" rfc9325 rfc9325.ciphers.must-not)"
	cbc=$(offered "$a" cipherlist_AVERAGE)
	t_eq "$n/ciphers/cbc" "$cbc" "$(suites "$n" '_CBC_' false)"
	t_eq "$n/ciphers/aead" "$(offered "$a" cipherlist_STRONG)" \
	    "$(suites "$n" '_GCM_|_CCM|_CHACHA20_' false)"
	# NCSC-NL grades CBC suites sufficient at best: with CBC offered,
	# ncsc-nl.ciphers cannot be "good"
	if [ "$cbc" = yes ]; then
		t_match "$n/ncsc-nl.ciphers/cbc-not-good" '^(pass (sufficient|phase-out)|fail insufficient)$' \
		    "$(req "$n" ncsc-nl ncsc-nl.ciphers)"
	fi

	# --- certificate: key size and signature algorithm (-S)
	key=$(ts "$a" cert_keySize)
	t_match "$n/cert/key" "^$(key_of "$n")" "$key"
	bits=$(printf '%s' "$key" | sed -n 's/^[A-Z]* \([0-9]*\) bits.*/\1/p')
	bits=${bits:-0}
	case "$key" in
	RSA*) # NCSC-NL table 8: RSA >= 3072 good, >= 2048 sufficient;
		# BSI TR-02102-2: RSA >= 3000
		if [ "$bits" -ge 3072 ]; then want="pass good"
		elif [ "$bits" -ge 2048 ]; then want="pass sufficient"
		else want="fail insufficient"; fi
		t_eq "$n/ncsc-nl.cert-key" "$want" "$(req "$n" ncsc-nl ncsc-nl.cert-key)"
		t_eq "$n/bsi.cert-key" "$([ "$bits" -ge 3000 ] && echo pass || echo fail) -" \
		    "$(req "$n" bsi-tr-03108 bsi.cert-key)" ;;
	EC*) # P-256 and above: good (NCSC-NL table 9), allowed (BSI)
		t_eq "$n/ncsc-nl.cert-key" \
		    "$([ "$bits" -ge 256 ] && echo "pass good" || echo "fail insufficient")" \
		    "$(req "$n" ncsc-nl ncsc-nl.cert-key)"
		t_eq "$n/bsi.cert-key" "$([ "$bits" -ge 250 ] && echo pass || echo fail) -" \
		    "$(req "$n" bsi-tr-03108 bsi.cert-key)" ;;
	*) t_fail "$n/cert/key-type" "RSA or EC" "$key" ;;
	esac
	sig=$(ts "$a" cert_signatureAlgorithm | sig_hash)
	t_eq "$n/cert/signature" "$sig" \
	    "$(jq -r '.mx[0].addresses[0].tls.chain[0].sig_alg' <"$WORK/$n.json" | sig_hash)"
	case "$sig" in
	SHA256 | SHA384 | SHA512) want="pass good" ;;
	*) want="fail insufficient" ;;
	esac
	t_eq "$n/ncsc-nl.cert-signature" "$want" \
	    "$(req "$n" ncsc-nl ncsc-nl.cert-signature)"
	t_eq "$n/bsi.cert-signature" "${want%% *} -" \
	    "$(req "$n" bsi-tr-03108 bsi.cert-signature)"
done
t_done
