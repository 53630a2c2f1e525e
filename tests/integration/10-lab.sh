#!/usr/bin/env bash
# tests/integration/10-lab.sh - the lab's self-test.
#
# Runs after `scripts/lab.sh up` and checks every lab server with independent
# clients (dig, openssl s_client, posttls-finger, swaks, curl), never with
# smtptls: when these fail the lab is broken, not smtptls. Every command has
# a time limit and reads /dev/null, so the script always ends by itself.
# What each name and address is for: testdata/lab/README.md.
# asan: skip - checks the lab's servers with independent clients, not smtptls
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib.sh
. "$here/../lib.sh"
top=$(cd "$here/../.." && pwd)

if [ ! -r "$LAB/env" ]; then
	t_fail lab/env "$LAB/env written by scripts/lab.sh up" "missing"
	exit 1
fi
# shellcheck disable=SC1091
. "$LAB/env"
t_pass lab/env

t_run lab/status 0 timeout 10 "$top/scripts/lab.sh" status

# ---------------------------------------------------------------- helpers

# dq [DIG-OPTION...] NAME TYPE - ask the lab resolver (DNSSEC OK); set
# DQ="STATUS AD-FLAG ANSWER" where ANSWER is the sorted "TYPE RDATA|" list of
# the answer section without RRSIGs, and DQ_EDE to the EDE code, if any.
dq() {
	local out status ad answer
	out=$(timeout 10 dig +time=2 +tries=1 +dnssec +nosplit @"$RESOLVER" "$@" </dev/null 2>&1)
	status=$(printf '%s\n' "$out" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p')
	ad=no-ad
	printf '%s\n' "$out" | grep -Eq '^;; flags:[a-z ]* ad[ ;]' && ad=ad
	answer=$(printf '%s\n' "$out" | awk '
		/^;; ANSWER SECTION:/ { a = 1; next }
		/^$/ { a = 0 }
		a && $4 != "RRSIG" { $1 = $2 = $3 = ""; sub(/^ +/, ""); print }' |
		LC_ALL=C sort | tr '\n' '|')
	DQ="${status:-no-answer} $ad $answer"
	DQ_EDE=$(printf '%s\n' "$out" | sed -n 's/^; EDE: \([0-9]*\).*/\1/p')
}

# dns_case NAME "QNAME QTYPE" EXPECTED [DIG-OPTION...]
dns_case() {
	local name=$1 q=$2 want=$3
	shift 3
	# shellcheck disable=SC2086
	dq "$@" $q
	t_eq "lab/dns/$name" "$want" "$DQ"
}

# tls_probe ADDR NAME [S_CLIENT-OPTION...] - STARTTLS to ADDR:25 verifying
# the chain against the lab CA and the name NAME. Sets TLS_RC, TLS_OUT and
# TLS_VERIFY (the first verify error number, else the final return code).
tls_probe() {
	local addr=$1 name=$2
	shift 2
	TLS_OUT=$(timeout 10 openssl s_client -starttls smtp -connect "$addr:25" \
		-servername "$name" -CAfile "$CA" -verify_return_error \
		-verify_hostname "$name" "$@" </dev/null 2>&1)
	TLS_RC=$?
	TLS_VERIFY=$(printf '%s\n' "$TLS_OUT" | sed -n 's/.*verify error:num=\([0-9]*\).*/\1/p' | head -n 1)
	[ -n "$TLS_VERIFY" ] ||
		TLS_VERIFY=$(printf '%s\n' "$TLS_OUT" | sed -n 's/.*Verify return code: \([0-9]*\).*/\1/p' | head -n 1)
}

# tls_proto - "PROTOCOL CIPHER" of the last tls_probe.
tls_proto() {
	printf '%s\n' "$TLS_OUT" | sed -n 's/^New, \([^,]*\), Cipher is \(.*\)/\1 \2/p' | head -n 1
}

# swaks_to ADDR [SWAKS-OPTION...] - one SMTP session; output in SW_OUT.
swaks_to() {
	local addr=$1
	shift
	SW_OUT=$(timeout 15 swaks --server "$addr" --timeout 5 --ehlo client.lab.test "$@" </dev/null 2>&1)
	SW_RC=$?
}

# fetch NAME - GET https://mta-sts.NAME/.well-known/mta-sts.txt from nginx as
# an MTA-STS client must: the lab CA only, no redirects. Sets F_RC,
# F_META="CODE CONTENT-TYPE SIZE", F_BODY (file) and F_HDR (headers file).
F_BODY=$(mktemp)
F_HDR=$(mktemp)
trap 'rm -f "$F_BODY" "$F_HDR"' EXIT
fetch() {
	: >"$F_BODY"
	: >"$F_HDR"
	F_META=$(timeout 10 curl -sS --max-time 5 --max-redirs 0 --cacert "$CA" \
		--resolve "mta-sts.$1:443:$HTTPS" -o "$F_BODY" -D "$F_HDR" \
		-w '%{http_code} %{content_type} %{size_download}' \
		"https://mta-sts.$1/.well-known/mta-sts.txt" </dev/null 2>/dev/null)
	F_RC=$?
}

# header NAME - the value of a response header of the last fetch.
header() {
	tr -d '\r' <"$F_HDR" | sed -n "s/^$1: //Ip" | head -n 1
}

# ---------------------------------------------------------------- DNS
# Through Unbound (validating): status, AD flag and answer.
dns_case good-mx "good.lab.test MX" "NOERROR ad MX 10 mx1.lab.test.|MX 20 mx2.lab.test.|"
dns_case tlsa-mx1 "_25._tcp.mx1.lab.test TLSA" "NOERROR ad TLSA 3 1 1 ${TLSA_MX1^^}|"
dns_case tlsa-mx2 "_25._tcp.mx2.lab.test TLSA" "NOERROR ad TLSA 2 1 1 ${TLSA_MX2^^}|"
dns_case tlsa-danebad "_25._tcp.mx-danebad.lab.test TLSA" "NOERROR ad TLSA 3 1 1 ${TLSA_NOMATCH^^}|"
dns_case danebad-mx "danebad.lab.test MX" "NOERROR ad MX 10 mx-danebad.lab.test.|"
dns_case insecure-mx "insecure.lab.test MX" "NOERROR no-ad MX 10 mx.insecure.lab.test.|"
dns_case insecure-tlsa "_25._tcp.mx.insecure.lab.test TLSA" "NOERROR no-ad TLSA 3 1 1 ${TLSA_MX1^^}|"
dns_case insecure-a "mx.insecure.lab.test A" "NOERROR no-ad A 127.10.1.1|"
dns_case bogus-mx "bogus.lab.test MX" "SERVFAIL no-ad "
# Unbound 1.17 says EDE 7 (Signature Expired) on a fresh lookup, 6 (DNSSEC
# Bogus) when the failure comes from its cache.
t_match lab/dns/bogus-ede '^(6|7)$' "$DQ_EDE"
# With CD the data comes through: the zone is served, only validation fails.
dns_case bogus-cd "bogus.lab.test MX" "NOERROR no-ad MX 10 mx.bogus.lab.test.|" +cd
dns_case nxdomain "nxdomain.lab.test MX" "NXDOMAIN ad "
dns_case nullmx "nullmx.lab.test MX" "NOERROR ad MX 0 .|"
dns_case implicit-no-mx "implicit.lab.test MX" "NOERROR ad "
dns_case implicit-a "implicit.lab.test A" "NOERROR ad A 127.10.1.1|"
dns_case cname-mx "cname.lab.test MX" "NOERROR ad MX 10 mxalias.lab.test.|"
dns_case cname-target "mxalias.lab.test A" "NOERROR ad A 127.10.1.1|CNAME mx1.lab.test.|"
# A signed alias into the unsigned zone: the address answer is insecure as a
# whole, the CNAME alone is secure, the TLSA at the alias is secure.
dns_case secalias-mx "secalias.lab.test MX" "NOERROR ad MX 10 mx-secalias.lab.test.|"
dns_case secalias-a "mx-secalias.lab.test A" \
	"NOERROR no-ad A 127.10.1.1|CNAME mx-target.insecure.lab.test.|"
dns_case secalias-cname "mx-secalias.lab.test CNAME" "NOERROR ad CNAME mx-target.insecure.lab.test.|"
dns_case secalias-tlsa "_25._tcp.mx-secalias.lab.test TLSA" "NOERROR ad TLSA 3 1 1 ${TLSA_MX1^^}|"
dns_case secaliasbad-mx "secaliasbad.lab.test MX" "NOERROR ad MX 10 mx-secaliasbad.lab.test.|"
dns_case secaliasbad-tlsa "_25._tcp.mx-secaliasbad.lab.test TLSA" "NOERROR ad TLSA 3 1 1 ${TLSA_NOMATCH^^}|"
dns_case multi-a "mx-multi.lab.test A" "NOERROR ad A 127.10.1.3|A 127.10.1.4|"
dns_case sts-txt-good "_mta-sts.good.lab.test TXT" "NOERROR ad TXT \"v=STSv1; id=$STS_ID\"|"
dns_case sts-host-good "mta-sts.good.lab.test A" "NOERROR ad A $HTTPS|"
dns_case sts-nohost "mta-sts.stsnohost.lab.test A" "NXDOMAIN ad "
dns_case tlsrpt-good "_smtp._tls.good.lab.test TXT" \
	"NOERROR ad TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@good.lab.test\"|"
dns_case tlsrpt-bad "_smtp._tls.tlsrptbad.lab.test TXT" "NOERROR ad TXT \"v=TLSRPTv1; rua=ftp://x\"|"
dns_case tlsrpt-two "_smtp._tls.tlsrpttwo.lab.test TXT" \
	"NOERROR ad TXT \"v=TLSRPTv1; rua=mailto:a@tlsrpttwo.lab.test\"|TXT \"v=TLSRPTv1; rua=mailto:b@tlsrpttwo.lab.test\"|"
dns_case tlsrpt-none "_smtp._tls.expired.lab.test TXT" "NXDOMAIN ad "
# Over TCP too (large answers fall back to it).
dns_case good-mx-tcp "good.lab.test MX" "NOERROR ad MX 10 mx1.lab.test.|MX 20 mx2.lab.test.|" +tcp
# Nothing outside the lab is resolved: no root, no other .test name.
dns_case outside-refused "example.com A" "REFUSED no-ad "
dns_case other-test-refused "foo.test A" "REFUSED no-ad "

# Every MX host has the address the README promises.
while read -r host addr; do
	dns_case "a/$host" "$host.lab.test A" "NOERROR ad A $addr|"
done <<'EOF'
mx1 127.10.1.1
mx2 127.10.1.2
mx-expired 127.10.1.10
mx-wrongname 127.10.1.11
mx-selfsigned 127.10.1.12
mx-nointer 127.10.1.13
mx-nostarttls 127.10.1.14
mx-tls12 127.10.1.15
mx-required 127.10.1.16
mx-dead 127.10.1.99
mx-danebad 127.10.1.1
ns 127.10.0.1
EOF

# Each single-host MX domain points at its host.
for d in expired wrongname selfsigned nointer nostarttls tls12 required; do
	dns_case "mx/$d" "$d.lab.test MX" "NOERROR ad MX 10 mx-$d.lab.test.|"
done
dns_case mx/multi "multi.lab.test MX" "NOERROR ad MX 10 mx-multi.lab.test.|"
dns_case mx/unreachable "unreachable.lab.test MX" "NOERROR ad MX 10 mx-dead.lab.test.|"

# NSD itself, directly, over UDP and TCP: authoritative answers.
for proto in +notcp +tcp; do
	out=$(timeout 10 dig +time=2 +tries=1 +norec "$proto" @"$NSD" good.lab.test MX </dev/null 2>&1)
	t_match "lab/dns/nsd-direct${proto#+}" '^;; flags: qr aa;' "$(printf '%s\n' "$out" | grep '^;; flags')"
done

# ---------------------------------------------------------------- TLS
# Good chains verify for their own names.
for h in mx1:127.10.1.1 mx2:127.10.1.2 mx-multi:127.10.1.3 mx-multi:127.10.1.4 \
	mx-tls12:127.10.1.15 mx-required:127.10.1.16; do
	tls_probe "${h#*:}" "${h%%:*}.lab.test"
	t_eq "lab/tls/verify-ok/${h%%:*}@${h#*:}" "rc=0 verify=0" "rc=$TLS_RC verify=$TLS_VERIFY"
done
# mx1's certificate also carries the names of the domains that use it.
for n in mx-danebad.lab.test implicit.lab.test mx.insecure.lab.test mx.bogus.lab.test; do
	tls_probe 127.10.1.1 "$n"
	t_eq "lab/tls/verify-ok/mx1-as-$n" "rc=0 verify=0" "rc=$TLS_RC verify=$TLS_VERIFY"
done

# Bad certificates fail with the expected X509_V_ERR codes.
tls_probe 127.10.1.10 mx-expired.lab.test
t_eq lab/tls/expired "rc=1 verify=10" "rc=$TLS_RC verify=$TLS_VERIFY"
tls_probe 127.10.1.11 mx-wrongname.lab.test
t_eq lab/tls/wrongname "rc=1 verify=62" "rc=$TLS_RC verify=$TLS_VERIFY"
tls_probe 127.10.1.12 mx-selfsigned.lab.test
t_eq lab/tls/selfsigned "rc=1 verify=18" "rc=$TLS_RC verify=$TLS_VERIFY"
tls_probe 127.10.1.13 mx-nointer.lab.test
t_match lab/tls/nointer '^rc=1 verify=(20|21)$' "rc=$TLS_RC verify=$TLS_VERIFY"
# ... and mx-nointer sends exactly one certificate.
t_eq lab/tls/nointer-one-cert 1 "$(printf '%s\n' "$TLS_OUT" | grep -c '^ *[0-9] s:')"
tls_probe 127.10.1.1 mx1.lab.test -showcerts
t_eq lab/tls/mx1-two-certs 2 "$(printf '%s\n' "$TLS_OUT" | grep -c '^ *[0-9] s:')"

# Protocol versions: mx1 keeps Postfix's defaults (TLS 1.0 still accepted),
# mx-tls12 speaks TLS 1.2 only with its one ECDHE-RSA suite.
tls_probe 127.10.1.1 mx1.lab.test
t_match lab/tls/mx1-tls13 '^TLSv1.3 ' "$(tls_proto)"
tls_probe 127.10.1.1 mx1.lab.test -tls1 -cipher 'DEFAULT:@SECLEVEL=0'
t_match lab/tls/mx1-tls10 '^TLSv1\.0 ' "$(tls_proto)"
tls_probe 127.10.1.15 mx-tls12.lab.test
t_eq lab/tls/tls12-negotiated "TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384" "$(tls_proto)"
tls_probe 127.10.1.15 mx-tls12.lab.test -tls1_3
t_match lab/tls/tls12-no-tls13 "^rc=1 .*protocol version" "rc=$TLS_RC $(printf '%s' "$TLS_OUT" | grep -m1 alert)"
tls_probe 127.10.1.15 mx-tls12.lab.test -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
t_match lab/tls/tls12-narrow-ciphers "^rc=1 .*handshake failure" "rc=$TLS_RC $(printf '%s' "$TLS_OUT" | grep -m1 alert)"

# DANE with OpenSSL's own matcher, data from the lab's TLSA records.
tls_probe 127.10.1.1 mx1.lab.test -dane_tlsa_domain mx1.lab.test -dane_tlsa_rrdata "3 1 1 $TLSA_MX1"
t_eq lab/tls/dane-mx1-311 "rc=0 verify=0" "rc=$TLS_RC verify=$TLS_VERIFY"
tls_probe 127.10.1.2 mx2.lab.test -dane_tlsa_domain mx2.lab.test -dane_tlsa_rrdata "2 1 1 $TLSA_MX2"
t_eq lab/tls/dane-mx2-211 "rc=0 verify=0" "rc=$TLS_RC verify=$TLS_VERIFY"
tls_probe 127.10.1.1 mx-danebad.lab.test -dane_tlsa_domain mx-danebad.lab.test -dane_tlsa_rrdata "3 1 1 $TLSA_NOMATCH"
t_eq lab/tls/dane-danebad "rc=1 verify=65" "rc=$TLS_RC verify=$TLS_VERIFY"

# ---------------------------------------------------------------- SMTP
# Banners carry each host's name.
for h in mx1:127.10.1.1 mx2:127.10.1.2 mx-multi:127.10.1.3 mx-multi:127.10.1.4 \
	mx-expired:127.10.1.10 mx-wrongname:127.10.1.11 mx-selfsigned:127.10.1.12 \
	mx-nointer:127.10.1.13 mx-nostarttls:127.10.1.14 mx-tls12:127.10.1.15 \
	mx-required:127.10.1.16; do
	swaks_to "${h#*:}" --quit-after EHLO
	t_match "lab/smtp/banner/${h%%:*}@${h#*:}" "^<-  220 ${h%%:*}\.lab\.test ESMTP" "$(printf '%s\n' "$SW_OUT" | grep -m1 '220 ')"
done

# EHLO succeeds on mx-nostarttls, but its keyword list has no STARTTLS.
swaks_to 127.10.1.14 --quit-after EHLO
t_match lab/smtp/nostarttls-ehlo '^<-  250 ' "$(printf '%s\n' "$SW_OUT" | grep -m1 '^<-  250 ')"
t_eq lab/smtp/nostarttls-no-starttls "" "$(printf '%s\n' "$SW_OUT" | grep STARTTLS)"
swaks_to 127.10.1.1 --quit-after EHLO
t_match lab/smtp/mx1-offers-starttls '<-  250-STARTTLS' "$SW_OUT"

swaks_to 127.10.1.16 --from a@lab.test --to b@required.lab.test --quit-after MAIL
t_match lab/smtp/required-530 '^<\*\* 530 5\.7\.0 ' "$(printf '%s\n' "$SW_OUT" | grep -m1 '^<\*\*')"

# RCPT answers are real: a lab domain is accepted, any other is relaying.
swaks_to 127.10.1.1 --from a@example.org --to postmaster@good.lab.test --quit-after RCPT
t_match lab/smtp/rcpt-lab-accepted '^<-  250 2\.1\.5 ' "$(printf '%s\n' "$SW_OUT" | grep -E '^<(-|\*\*) ' | tail -n 2 | head -n 1)"
swaks_to 127.10.1.1 --from a@lab.test --to someone@example.com --quit-after RCPT
t_match lab/smtp/rcpt-relay-denied '^<\*\* 554 5\.7\.1 .*Relay access denied' "$(printf '%s\n' "$SW_OUT" | grep -m1 '^<\*\*')"

# A whole message over verified TLS is accepted (and discarded).
swaks_to 127.10.1.1 --tls --tls-verify --tls-ca-path "$CA" --tls-sni mx1.lab.test \
	--from a@example.org --to postmaster@good.lab.test
# After STARTTLS swaks marks lines "<~" instead of "<-".
t_match lab/smtp/deliver-over-tls '^0 <~  250 2\.0\.0 Ok: queued' \
	"$SW_RC $(printf '%s\n' "$SW_OUT" | grep -m1 -E '^<~  250 2\.0\.0')"

# posttls-finger needs a main.cf: MAIL_CONFIG points at the lab's client one.
out=$(MAIL_CONFIG="$LAB/postfix-client" timeout 15 posttls-finger -c -t 5 -l secure -F "$CA" \
	"[127.10.1.1]:25" mx1.lab.test </dev/null 2>&1)
t_match lab/smtp/posttls-finger-secure 'Verified TLS connection established to 127\.10\.1\.1' "$out"
out=$(MAIL_CONFIG="$LAB/postfix-client" timeout 15 posttls-finger -c -t 5 -l secure -F "$CA" \
	"[127.10.1.10]:25" mx-expired.lab.test </dev/null 2>&1)
t_match lab/smtp/posttls-finger-expired 'verification failed .*certificate has expired' "$out"

# posttls-finger with DANE uses the system resolver: give it the lab's in a
# private mount namespace (as root), so the whole chain DNSSEC -> TLSA ->
# Postfix is checked by Postfix's own DANE code.
pf_dane() {
	# shellcheck disable=SC2016 # $1 and $2 belong to the inner sh
	timeout 20 unshare -m sh -c 'mount --bind "$1/resolv.conf" /etc/resolv.conf &&
		MAIL_CONFIG="$1/postfix-client" exec posttls-finger -c -t 5 -l dane "$2"' \
		pf_dane "$LAB" "$1" </dev/null 2>&1
}
t_match lab/smtp/posttls-finger-dane-good 'Matched DANE EE certificate at depth 0: 3 1 1' "$(pf_dane good.lab.test)"
t_match lab/smtp/posttls-finger-dane-mx2 'Matched DANE TA certificate at depth 1: 2 1 1' "$(pf_dane '[mx2.lab.test]')"
t_match lab/smtp/posttls-finger-dane-bad 'num=65:no matching DANE TLSA' "$(pf_dane danebad.lab.test)"
# The insecure zone's TLSA record is ignored: Postfix falls back to "may".
out=$(pf_dane insecure.lab.test)
t_match lab/smtp/posttls-finger-dane-insecure 'Untrusted TLS connection established to mx\.insecure\.lab\.test' "$out"
t_eq lab/smtp/posttls-finger-dane-insecure-unused "" "$(printf '%s\n' "$out" | grep 'Matched DANE')"
# A signed alias into the unsigned zone: Postfix uses the TLSA records at the
# alias (RFC 7672 2.2.2, "Insecure CNAME").
t_match lab/smtp/posttls-finger-dane-secalias 'Matched DANE EE certificate at depth 0: 3 1 1' \
	"$(pf_dane secalias.lab.test)"
t_match lab/smtp/posttls-finger-dane-secaliasbad 'num=65:no matching DANE TLSA' \
	"$(pf_dane secaliasbad.lab.test)"

# Nothing listens on mx-dead's address: the connection is refused at once.
t_eq lab/smtp/dead-no-listener "" "$(ss -Hltn 'src 127.10.1.99' 2>&1)"
t_run lab/smtp/dead-refused 1 timeout 5 bash -c 'exec 3<>/dev/tcp/127.10.1.99/25' </dev/null

# ---------------------------------------------------------------- HTTPS
# policy_case DOMAIN - served with 200, text/plain, the file's content.
policy_case() {
	fetch "$1"
	t_eq "lab/https/$1" "0 200 text/plain" "$F_RC ${F_META% *}"
	t_eq "lab/https/$1-body" "$(cat "$top/testdata/lab/mta-sts/$1.txt")" "$(tr -d '\r' <"$F_BODY")"
}
for d in good testing stsnone stsmismatch stswild; do
	policy_case "$d.lab.test"
done
fetch good.lab.test
t_eq lab/https/good-crlf "$(wc -l <"$top/testdata/lab/mta-sts/good.lab.test.txt")" "$(grep -c $'\r$' "$F_BODY")"

fetch stsredirect.lab.test
t_eq lab/https/stsredirect "0 301 https://mta-sts.good.lab.test/.well-known/mta-sts.txt" \
	"$F_RC ${F_META%% *} $(header location)"
fetch stsctype.lab.test
t_eq lab/https/stsctype "0 200 text/html" "$F_RC ${F_META% *}"
fetch stsbig.lab.test
t_match lab/https/stsbig "^0 200 text/plain [0-9]+ len=[0-9]+$" "$F_RC $F_META len=$(header content-length)"
t_run lab/https/stsbig-over-64k 0 test "${F_META##* }" -gt 65536
fetch stsbigchunked.lab.test
t_eq lab/https/stsbigchunked "0 200 text/plain len= te=chunked" \
	"$F_RC ${F_META% *} len=$(header content-length) te=$(header transfer-encoding)"
t_run lab/https/stsbigchunked-over-64k 0 test "${F_META##* }" -gt 65536
fetch sts404.lab.test
t_eq lab/https/sts404 "0 404" "$F_RC ${F_META%% *}"
# No certificate for the name: curl exit 60 (peer certificate not verified),
# and the default_server's certificate is the unrelated one.
fetch stsbadcert.lab.test
t_eq lab/https/stsbadcert "60" "$F_RC"
subj=$(timeout 10 openssl s_client -connect "$HTTPS:443" -servername mta-sts.stsbadcert.lab.test \
	</dev/null 2>/dev/null | openssl x509 -noout -subject 2>&1)
t_match lab/https/stsbadcert-default-cert 'CN *= *www\.unrelated\.example\.net' "$subj"

# ---------------------------------------------------------------- isolation
# Lab daemons listen only on 127.10.x: nothing on a wildcard or on 127.0.0.1
# for the lab's ports.
bad=$(ss -Hlntu 2>/dev/null | awk '$5 ~ /:(25|53|443)$/ && $5 !~ /^127\.10\./ { print $1, $5 }')
t_eq lab/isolation/listeners "" "$bad"

t_done
