# tests/integration/31-dane-cname.sh - DANE for MX hosts that are aliases
# (RFC 7672 2.2.2). mx-secalias.lab.test is a signed CNAME into the unsigned
# zone insecure.lab.test: its address records are insecure, the CNAME
# itself is secure, so DANE applies with the alias as TLSA base domain
# ("Insecure CNAME"). mxalias.lab.test is a CNAME whose whole chain is
# secure ("Secure CNAME"). Each verdict is compared with Postfix's own DANE
# client, posttls-finger -l dane-only, for the same domain.
. "$SMTPTLS_TOP/tests/lib.sh"

status_of() { # ID: status of the first check with that id
	jq -r --arg id "$1" '[.checks[] | select(.id == $id) | .status][0]' <"$T_OUT"
}
detail_of() { # ID: detail of the first check with that id
	jq -r --arg id "$1" '[.checks[] | select(.id == $id) | .detail][0]' <"$T_OUT"
}

# --- a signed alias into the unsigned zone, with a matching TLSA record
t_run dane-cname/secalias/exit 0 lab_probe --json --require dane secalias.lab.test
t_jq dane-cname/secalias/addr-insecure '.mx[0].a.dnssec' "insecure"
t_eq dane-cname/secalias/addr-dnssec warn "$(status_of dns.mx.addr.dnssec)"
t_match dane-cname/secalias/addr-detail 'DANE still applies' "$(detail_of dns.mx.addr.dnssec)"
# The first link's status comes from a query for the CNAME itself.
t_jq dane-cname/secalias/chain '.mx[0].cname_chain | map("\(.from)>\(.to) \(.dnssec)") | join(",")' \
    "mx-secalias.lab.test>mx-target.insecure.lab.test secure"
t_match dane-cname/secalias/cname-detail 'the CNAME is secure' "$(detail_of dns.mx.target.cname)"
# The alias, not its target, is the TLSA base domain, the SNI and the name
# given to OpenSSL's DANE verifier.
t_jq dane-cname/secalias/base '.mx[0].dane | "\(.state) \(.base_domain) \(.tlsa.name) \(.tlsa.dnssec)"' \
    "dane-auth mx-secalias.lab.test _25._tcp.mx-secalias.lab.test secure"
t_eq dane-cname/secalias/lookup pass "$(status_of dane.tlsa.lookup)"
t_jq dane-cname/secalias/sni '.mx[0].addresses[0].tls.sni' "mx-secalias.lab.test"
t_jq dane-cname/secalias/names '.mx[0].addresses[0].dane.names_checked | join(",")' \
    "mx-secalias.lab.test"
t_eq dane-cname/secalias/match pass "$(status_of dane.tlsa.match)"
t_jq dane-cname/secalias/level '.verdicts.levels.dane.outcome' "deliver"

# --- the same alias with a TLSA record that matches nothing: DANE applies,
# so it fails, and mandatory DANE defers
t_run dane-cname/secaliasbad/exit 1 lab_probe --json secaliasbad.lab.test
t_jq dane-cname/secaliasbad/state '.mx[0].dane.state' "dane-auth"
t_eq dane-cname/secaliasbad/match fail "$(status_of dane.tlsa.match)"
t_jq dane-cname/secaliasbad/level '.verdicts.levels.dane.outcome' "defer"

# --- the secure chain: the target's TLSA records and name come first
t_run dane-cname/secure-chain/exit 0 lab_probe --json cname.lab.test
t_jq dane-cname/secure-chain/base '.mx[0].dane | "\(.state) \(.base_domain)"' \
    "dane-auth mx1.lab.test"
t_jq dane-cname/secure-chain/names '.mx[0].addresses[0].dane.names_checked | join(",")' \
    "mx1.lab.test"

# --- the oracle: Postfix's mandatory DANE (dane-only) through the lab
# resolver. "verified" when a TLSA record authenticates the server, "failed"
# on a DANE mismatch (error 65), "no-dane" when Postfix finds no TLSA
# records it may use (posttls-finger then "resorts to secure", PKIX without
# a trust store here, which never verifies).
pf_dane_only() {
	local out
	# shellcheck disable=SC2016 # $1 and $2 belong to the inner sh
	out=$(timeout 20 unshare -m sh -c 'mount --bind "$1/resolv.conf" /etc/resolv.conf &&
		MAIL_CONFIG="$1/postfix-client" exec posttls-finger -c -t 5 -l dane-only "$2"' \
		pf_dane_only "$LAB" "$1" </dev/null 2>&1)
	case "$out" in
	*"Matched DANE"*"Verified TLS connection"*) echo verified ;;
	*"num=65"*) echo failed ;;
	*"no TLSA records found"* | *"non DNSSEC destination"*) echo no-dane ;;
	*) echo "unexpected: $(printf '%s' "$out" | tail -n 2 | tr '\n' ' ')" ;;
	esac
}
# ours_dane_only DOMAIN: the same word from smtptls's dane level
ours_dane_only() {
	lab_probe --json "$1" | jq -r '(.verdicts.levels.dane.outcome) as $o |
	    ([.checks[] | select(.id == "dane.tlsa.match") | .status] | first) as $m |
	    if $o == "deliver" then "verified" elif $m == "fail" then "failed"
	    else "no-dane" end'
}
for d in secalias.lab.test secaliasbad.lab.test cname.lab.test insecure.lab.test; do
	t_eq "dane-cname/vs-posttls-finger/$d" "$(pf_dane_only "$d")" "$(ours_dane_only "$d")"
done

t_done
