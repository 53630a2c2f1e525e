# tests/integration/30-probe.sh - smtptls probe against the lab's real MTAs
# and DNS. Each case asserts the JSON fields and check statuses, and for the
# TLS cases compares protocol, cipher and chain verdict with what
# `openssl s_client -starttls smtp` reports for the same server.
# asan: skip - compares each lab case with openssl s_client; under ASan the probe runs in the smoke set (31-dane-cname, 33-edges, 36-batch, 38-scan), with every hostile peer (40, 42, 57) and the checks and verdicts in the unit tests
. "$SMTPTLS_TOP/tests/lib.sh"

# sclient ADDR SNI [extra args]: sets $SCLIENT to protocol, cipher and chain
# verdict as seen by openssl s_client ("TLSv1.3 TLS_AES_256_GCM_SHA384 ok"),
# and $SCLIENT_CODE to its verify return code
sclient() {
	local addr=$1 sni=$2 out line
	shift 2
	out=$(timeout 10 openssl s_client -starttls smtp -connect "$addr:25" \
	    -servername "$sni" -CAfile "$CA" "$@" </dev/null 2>&1)
	line=$(printf '%s\n' "$out" | sed -n 's/^New, \(TLSv[0-9.]*\), Cipher is \(.*\)$/\1 \2/p' | head -n1)
	SCLIENT_CODE=$(printf '%s\n' "$out" | sed -n 's/^ *Verify return code: \([0-9]*\).*/\1/p' | head -n1)
	SCLIENT="$line $([ "$SCLIENT_CODE" = 0 ] && echo ok || echo fail)"
}

# ours MX_INDEX: the same facts from the probe's JSON in $T_OUT; the chain
# is ok when it is trusted, within its dates and (with NAMES=1) names the host
ours() {
	jq -r --argjson i "$1" --arg names "${NAMES:-0}" '.mx[$i].addresses[0].tls as $t |
	    "\($t.version) \($t.cipher_openssl) \(if $t.pkix.trusted and $t.pkix.in_validity
	    and ($names == "0" or $t.names.mx != "none") then "ok" else "fail" end)"' <"$T_OUT"
}

status_of() { # ID [ADDRESS]: status of the first matching check
	jq -r --arg id "$1" --arg a "${2:-}" '[.checks[] | select(.id == $id and
	    ($a == "" or .subject.address == $a)) | .status][0]' <"$T_OUT"
}

# --- the good domain: two MX hosts, DANE on both, everything verifies
t_run probe/good/exit 0 lab_probe --json good.lab.test
t_jq probe/good/mx-order '[.mx[] | "\(.preference) \(.name)"] | join(",")' \
    "10 mx1.lab.test,20 mx2.lab.test"
t_jq probe/good/states '[.mx[].addresses[].state] | join(",")' "complete,complete"
t_jq probe/good/mx-dnssec '.dns.mx.lookup.dnssec' "secure"
t_jq probe/good/sni '.mx[0].addresses[0].tls.sni' "mx1.lab.test"
t_jq probe/good/chain-len '.mx[0].addresses[0].tls.chain | length' "2"
t_jq probe/good/pem '.mx[0].addresses[0].tls.chain[0].pem | startswith("-----BEGIN CERTIFICATE-----")' "true"
t_eq probe/good/trusted pass "$(status_of cert.chain.trusted 127.10.1.1)"
t_eq probe/good/dane-ee pass "$(status_of dane.tlsa.match 127.10.1.1)"
t_eq probe/good/dane-ta pass "$(status_of dane.tlsa.match 127.10.1.2)"
t_jq probe/good/dane-ta-usage '.mx[1].addresses[0].dane.matched.usage' "2"
t_eq probe/good/ta-presented pass "$(status_of dane.ta.presented 127.10.1.2)"
t_jq probe/good/nothing-unmatched '[.mx[].addresses[].dane.unmatched | length] | join(",")' "0,0"
t_eq probe/good/ta-presented-ee-only skip "$(status_of dane.ta.presented 127.10.1.1)"
t_jq probe/good/verify '.verdicts.levels.verify.outcome' "deliver"
t_jq probe/good/one-check-per-address '[.checks[] | select(.id == "tls.version")] | length' "2"
sclient 127.10.1.1 mx1.lab.test
t_eq probe/good/vs-openssl-mx1 "$SCLIENT" "$(ours 0)"
sclient 127.10.1.2 mx2.lab.test
t_eq probe/good/vs-openssl-mx2 "$SCLIENT" "$(ours 1)"
t_run probe/good/human 0 lab_probe good.lab.test
t_match probe/good/human-table "mx1\.lab\.test +127\.10\.1\.1 +yes +TLSv1\.3" "$(cat "$T_OUT")"

# --- certificate failures: warnings unless PKIX is expected, failures with
# --require verify; the verify code agrees with openssl s_client
cert_case() { # DOMAIN HOST ADDR CHECK VERIFY_CODE OPENSSL_CODE
	local d=$1 h=$2 a=$3 id=$4 code=$5
	t_run "probe/$d/exit" 0 lab_probe --json "$d.lab.test"
	t_eq "probe/$d/$id-warn" warn "$(status_of "$id" "$a")"
	t_eq "probe/$d/verify-code" "$code" "$(jq -r '.mx[0].addresses[0].tls.pkix.verify_code' <"$T_OUT")"
	sclient "$a" "$h"
t_eq "probe/$d/vs-openssl" "$SCLIENT" "$(ours 0)"
	t_eq "probe/$d/openssl-code" "$6" "$SCLIENT_CODE"
	t_jq "probe/$d/verify-defers" '.verdicts.levels.verify.outcome' "defer"
	t_jq "probe/$d/encrypt-delivers" '.verdicts.levels.encrypt.outcome' "deliver"
	t_run "probe/$d/require-verify" 1 lab_probe --json --require verify "$d.lab.test"
	t_eq "probe/$d/$id-fail" fail "$(status_of "$id" "$a")"
}
cert_case expired mx-expired.lab.test 127.10.1.10 cert.expiry 10 10
cert_case selfsigned mx-selfsigned.lab.test 127.10.1.12 cert.chain.trusted 18 18
# OpenSSL 3.0: 20 from the probe's store-less path check, 21 from s_client
cert_case nointer mx-nointer.lab.test 127.10.1.13 cert.chain.trusted 20 21
t_jq probe/nointer/missing-intermediate '[.checks[] | select(.id == "cert.chain.complete") | .data.issues[]] | join(",")' "missing-intermediate"

# expired: pkix.trusted and verify_code are OpenSSL's verification with time
# checks, as `openssl verify` on the presented chain, s_client
# -verify_return_error and posttls-finger see it; the dates are also a fact
# of their own (in_validity), and cert.chain.trusted, which leaves dates to
# cert.expiry (checks.md 5), passes but says what failed
t_run probe/expired/json 0 lab_probe --json expired.lab.test
t_jq probe/expired/pkix '.mx[0].addresses[0].tls.pkix |
    "\(.trusted) \(.verify_code) \(.verify_error) \(.in_validity)"' \
    "false 10 certificate has expired false"
t_eq probe/expired/chain-check pass "$(status_of cert.chain.trusted 127.10.1.10)"
t_match probe/expired/chain-detail 'but for the dates: certificate has expired \(error 10 at depth 0\)' \
    "$(jq -r '[.checks[] | select(.id == "cert.chain.trusted") | .detail][0]' <"$T_OUT")"
t_jq probe/expired/verify-reason '.verdicts.levels.verify.addresses[0].reason' "cert.expiry"
t_jq probe/expired/chain-variant-defers '.verdicts.levels.verify.variants.chain.outcome' "defer"
ours_pkix=$(jq -r '.mx[0].addresses[0].tls.pkix | "\(.verify_code) \(.verify_error)"' <"$T_OUT")
pems=$(mktemp -d)
jq -r '.mx[0].addresses[0].tls.chain[0].pem' <"$T_OUT" >"$pems/leaf.pem"
jq -r '.mx[0].addresses[0].tls.chain[1:][].pem' <"$T_OUT" >"$pems/untrusted.pem"
verify_out=$(openssl verify -CAfile "$CA" -untrusted "$pems/untrusted.pem" "$pems/leaf.pem" 2>&1)
t_eq probe/expired/vs-openssl-verify "$ours_pkix" \
    "$(printf '%s\n' "$verify_out" | sed -n 's/^error \([0-9]*\) at [0-9]* depth lookup: \(.*\)$/\1 \2/p' | head -n1)"
rm -r "$pems"
sclient 127.10.1.10 mx-expired.lab.test -verify_return_error
t_eq probe/expired/vs-s_client-verify-return-error "$SCLIENT_CODE" "${ours_pkix%% *}"
t_run probe/expired/human 0 lab_probe expired.lab.test
t_match probe/expired/human-verify '^  verify    untrusted: certificate has expired \(error 10 at depth 0\); the chain is trusted but for the dates$' \
    "$(cat "$T_OUT")"
t_match probe/expired/human-table 'mx-expired\.lab\.test +127\.10\.1\.10 +yes +TLSv1\.[23] .* expired$' "$(cat "$T_OUT")"

# pkix.trusted agrees with Postfix's verdict ("Trusted"/"Untrusted" at level may)
pf_trust() { # ADDR: true when posttls-finger calls the chain trusted
	MAIL_CONFIG="$LAB/postfix-client" timeout 20 posttls-finger -c -t 5 -l may -F "$CA" "[$1]:25" </dev/null 2>&1 |
	    sed -n 's/.*: \(Trusted\|Untrusted\) TLS connection established.*/\1/p' | head -n1 |
	    sed 's/^Trusted$/true/; s/^Untrusted$/false/'
}
for c in good:127.10.1.1 expired:127.10.1.10 selfsigned:127.10.1.12; do
	t_run "probe/${c%%:*}/pkix-json" 0 lab_probe --json "${c%%:*}.lab.test"
	t_eq "probe/${c%%:*}/pkix-vs-posttls-finger" "$(pf_trust "${c#*:}")" \
	    "$(jq -r '.mx[0].addresses[0].tls.pkix.trusted' <"$T_OUT")"
done

# wrong name: chain trusted, name does not match; openssl -verify_hostname says 62
t_run probe/wrongname/exit 0 lab_probe --json wrongname.lab.test
t_eq probe/wrongname/name-warn warn "$(status_of cert.name.match 127.10.1.11)"
t_jq probe/wrongname/names-mx '.mx[0].addresses[0].tls.names.mx' "none"
sclient 127.10.1.11 mx-wrongname.lab.test -verify_hostname mx-wrongname.lab.test
t_eq probe/wrongname/vs-openssl "$SCLIENT" "$(NAMES=1 ours 0)"
t_eq probe/wrongname/openssl-62 62 "$SCLIENT_CODE"
t_run probe/wrongname/require-verify 1 lab_probe --json --require verify wrongname.lab.test

# --- no STARTTLS: cleartext only
t_run probe/nostarttls/exit 1 lab_probe --json nostarttls.lab.test
t_eq probe/nostarttls/offered fail "$(status_of smtp.starttls.offered)"
t_jq probe/nostarttls/tls-null '.mx[0].addresses[0].tls' "null"
t_jq probe/nostarttls/opportunistic '.verdicts.levels.opportunistic.addresses[0].transport' "cleartext"
t_jq probe/nostarttls/encrypt '.verdicts.levels.encrypt.outcome' "defer"
t_jq probe/nostarttls/tlsrpt '[.checks[] | select(.id == "smtp.starttls.offered") | .tlsrpt][0]' "starttls-not-supported"

# --- TLS 1.2 only with a narrow cipher list
t_run probe/tls12/exit 0 lab_probe --json tls12.lab.test
t_jq probe/tls12/version '.mx[0].addresses[0].tls.version' "TLSv1.2"
sclient 127.10.1.15 mx-tls12.lab.test
t_eq probe/tls12/vs-openssl "$SCLIENT" "$(ours 0)"
t_run probe/tls12/min-tls-1.3 0 lab_probe --json --min-tls 1.3 tls12.lab.test
t_jq probe/tls12/encrypt-defers-at-1.3 '.verdicts.levels.encrypt.addresses[0].reason' "tls.version"

# --- STARTTLS required before MAIL: the address test goes over TLS
t_run probe/required/address 0 lab_probe --json postmaster@required.lab.test
t_eq probe/required/rcpt-pass pass "$(status_of rcpt.accepted)"
t_jq probe/required/rcpt-code '[.checks[] | select(.id == "rcpt.accepted") | .data.code][0]' "250"
t_run probe/required/relay-denied 1 lab_probe --json --rcpt nobody@example.com required.lab.test
t_eq probe/required/rcpt-fail fail "$(status_of rcpt.accepted)"
t_jq probe/required/never-data '.mx[0].addresses[0].smtp.quit.code' "221"
t_jq probe/required/address-tests '.address_tests[0] | "\(.transport) \(.mail.code) \(.rcpt.code) \(.rset.code)"' \
    "tls 250 554 250"

# --- --catchall and --cleartext: the lab accepts every lab mailbox (a
# catch-all); mx-required refuses MAIL without STARTTLS (530)
t_run probe/catchall/exit 0 lab_probe --json --catchall postmaster@good.lab.test
t_eq probe/catchall/info info "$(status_of rcpt.catchall)"
t_match probe/catchall/random '^smtptls-[0-9a-f]{16}@good\.lab\.test' \
    "$(jq -r '[.checks[] | select(.id == "rcpt.catchall") | .detail][0]' <"$T_OUT" | sed 's/^random mailbox <//')"
t_jq probe/catchall/mode '.run.modes | index("rcpt.catchall") != null' "true"
t_run probe/cleartext/accepted 0 lab_probe --json --cleartext postmaster@good.lab.test
t_eq probe/cleartext/info info "$(status_of rcpt.cleartext)"
t_jq probe/cleartext/reply '.address_tests[0].cleartext.rcpt.code' "250"
t_run probe/cleartext/required 0 lab_probe --json --cleartext postmaster@required.lab.test
t_eq probe/cleartext/warn warn "$(status_of rcpt.cleartext)"
t_jq probe/cleartext/530 '.address_tests[0].cleartext.mail.code' "530"
t_jq probe/cleartext/standard-over-tls '.address_tests[0].transport' "tls"

# --- one host, two addresses: both probed
t_run probe/multi/exit 0 lab_probe --json multi.lab.test
t_jq probe/multi/addresses '[.mx[0].addresses[] | "\(.address)=\(.state)"] | join(",")' \
    "127.10.1.3=complete,127.10.1.4=complete"

# --- DNS cases, each with its own finding and exit code
t_run probe/nullmx/exit 0 lab_probe --json nullmx.lab.test
t_eq probe/nullmx/null-info info "$(status_of dns.mx.null)"
t_jq probe/nullmx/no-mx '.mx | length' "0"
t_jq probe/nullmx/no-mail '.verdicts.levels.opportunistic.outcome' "no-mail"

t_run probe/implicit/exit 0 lab_probe --json implicit.lab.test
t_eq probe/implicit/lookup-info info "$(status_of dns.mx.lookup)"
t_jq probe/implicit/source '.mx[0].source + " " + .mx[0].name' "implicit implicit.lab.test"

t_run probe/nxdomain/exit 1 lab_probe --json nxdomain.lab.test
t_eq probe/nxdomain/lookup-fail fail "$(status_of dns.mx.lookup)"
t_jq probe/nxdomain/rcode '.dns.mx.lookup.rcode' "NXDOMAIN"

t_run probe/bogus/exit 1 lab_probe --json bogus.lab.test
t_eq probe/bogus/lookup-fail fail "$(status_of dns.mx.lookup)"
t_jq probe/bogus/dnssec '.dns.mx.lookup.dnssec' "bogus"

t_run probe/servfail-timeout/exit 3 "$SMTPTLS" probe --json --resolver 127.10.0.250 --timeout 1 good.lab.test
t_eq probe/servfail-timeout/lookup-error error "$(status_of dns.mx.lookup)"

t_run probe/unreachable/exit 3 lab_probe --json --timeout 2 unreachable.lab.test
t_eq probe/unreachable/connect-error error "$(status_of smtp.connect)"
t_jq probe/unreachable/state '.mx[0].addresses[0].state' "error"

t_run probe/insecure/exit 0 lab_probe --json insecure.lab.test
t_eq probe/insecure/mx-dnssec-warn warn "$(status_of dns.mx.dnssec)"
t_eq probe/insecure/tlsa-ignored skip "$(status_of dane.tlsa.lookup)"

t_run probe/danebad/exit 1 lab_probe --json danebad.lab.test
t_eq probe/danebad/match-fail fail "$(status_of dane.tlsa.match)"
t_jq probe/danebad/dane-level '.verdicts.levels.dane | "\(.outcome) \(.status) \(.judged_on)"' \
    "defer fail opportunistic"
t_jq probe/danebad/dane-reason '.verdicts.levels.dane.addresses[0].reason' "dane.tlsa.match"
t_jq probe/danebad/unmatched '.mx[0].addresses[0].dane.unmatched | join(",")' "3 1 1"

# --- the DANE verdict agrees with Postfix's own DANE client. posttls-finger
# uses the system resolver: give it the lab's in a private mount namespace.
pf_dane() { # DESTINATION: "verified" / "failed" / "unauthenticated" as Postfix sees it
	local out
	# shellcheck disable=SC2016 # $1 and $2 belong to the inner sh
	out=$(timeout 20 unshare -m sh -c 'mount --bind "$1/resolv.conf" /etc/resolv.conf &&
		MAIL_CONFIG="$1/postfix-client" exec posttls-finger -c -t 5 -l dane "$2"' \
		pf_dane "$LAB" "$1" </dev/null 2>&1)
	# Postfix logs "verification failed" for any untrusted chain; only
	# error 65 (no matching TLSA record) is a DANE failure.
	case "$out" in
	*"Verified TLS connection"*) echo verified ;;
	*"num=65"*) echo failed ;;
	*"Untrusted TLS connection"* | *"Anonymous TLS connection"*) echo unauthenticated ;;
	*) echo "unexpected: $(printf '%s' "$out" | tail -n 2 | tr '\n' ' ')" ;;
	esac
}
ours_dane() { # DOMAIN: the same three words from smtptls's dane.tlsa.match
	lab_probe --json "$1" | jq -r '[.checks[] | select(.id == "dane.tlsa.match") |
	    .status][0] | if . == "pass" then "verified" elif . == "fail" then "failed"
	    else "unauthenticated" end'
}
for d in good.lab.test danebad.lab.test insecure.lab.test; do
	t_eq "probe/dane-vs-posttls-finger/$d" "$(pf_dane "$d")" "$(ours_dane "$d")"
done

# --- the dane level: mandatory DANE (--require dane) against each state
t_run probe/dane/good-required 0 lab_probe --json --require dane good.lab.test
t_jq probe/dane/good-auth '[.verdicts.levels.dane.addresses[].auth] | join(",")' "dane,dane"
t_jq probe/dane/good-state '[.mx[].dane.state] | join(",")' "dane-auth,dane-auth"
t_run probe/dane/nodane-required 1 lab_probe --json --require dane tls12.lab.test
t_jq probe/dane/nodane-defer '.verdicts.levels.dane.outcome' "defer"
t_jq probe/dane/nodane-opportunistic '.verdicts.levels.dane.variants.opportunistic.outcome' "deliver"
t_run probe/dane/insecure-not-required 0 lab_probe --json insecure.lab.test
t_jq probe/dane/insecure-state '.mx[0].dane.state' "no-dane"
t_run probe/dane/no-dane-option 2 lab_probe --json --no-dane --require dane good.lab.test

t_run probe/cname/exit 0 lab_probe --json cname.lab.test
t_eq probe/cname/alias-warn warn "$(status_of dns.mx.target.cname)"
# RFC 7672 2.2: a secure alias takes the target's TLSA records and SNI
t_jq probe/cname/tlsa-base '.mx[0].dane | "\(.state) \(.base_domain) \(.tlsa.name)"' \
    "dane-auth mx1.lab.test _25._tcp.mx1.lab.test"
t_jq probe/cname/sni '.mx[0].addresses[0].tls.sni' "mx1.lab.test"
t_eq probe/cname/dane-match pass "$(status_of dane.tlsa.match)"

# --- TLS-RPT: present, absent, malformed, duplicated
t_run probe/tlsrpt/good 0 lab_probe --json good.lab.test
t_eq probe/tlsrpt/good-record pass "$(status_of tlsrpt.record)"
t_jq probe/tlsrpt/good-rua '.tls_rpt.rua[0].uri + " " + (.tls_rpt.rua[0].valid|tostring)' \
    "mailto:tlsrpt@good.lab.test true"
t_run probe/tlsrpt/absent 0 lab_probe --json tls12.lab.test
t_eq probe/tlsrpt/absent-info info "$(status_of tlsrpt.record)"
t_run probe/tlsrpt/malformed 1 lab_probe --json tlsrptbad.lab.test
t_eq probe/tlsrpt/malformed-rua fail "$(status_of tlsrpt.rua)"
t_run probe/tlsrpt/two 1 lab_probe --json tlsrpttwo.lab.test
t_eq probe/tlsrpt/two-fail fail "$(status_of tlsrpt.record)"
t_jq probe/tlsrpt/two-candidates '.tls_rpt.candidates' "2"

# --- -v: the dialogue on stderr, stdout still one JSON document
t_run probe/verbose/exit 0 lab_probe -v --json tls12.lab.test
t_jq probe/verbose/stdout-json '.type' "probe"
t_match probe/verbose/stderr-dialogue '^mx-tls12\.lab\.test\[127\.10\.1\.15\]:25 > STARTTLS$' "$(cat "$T_ERR")"

# --- --host with an address literal and a port
t_run probe/host-literal/exit 0 lab_probe --json --host '[127.10.1.1]:25'
t_jq probe/host-literal/source '.mx[0].source + " " + .mx[0].addresses[0].state' "host complete"
t_jq probe/host-literal/no-sni '.mx[0].addresses[0].tls.sni' "null"

t_done
