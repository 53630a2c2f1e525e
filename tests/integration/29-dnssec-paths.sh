# tests/integration/29-dnssec-paths.sh - the two DNSSEC paths (--dnssec):
# every DANE and DNSSEC case of the lab gives the same verdicts through the
# validating resolver (its AD bit) as through the non-validating one with
# local validation from the lab's root anchor; that local validation agrees
# with BIND's delv lookup by lookup; the path and its reason are reported;
# a resolver that strips RRSIGs is reported as such, not as bogus.
#
# Peers: the lab's validating Unbound ($RESOLVER), its non-validating
# Unbound ($RESOLVER_NOVALIDATE, root = the lab root on $NSD_ROOT), and,
# started here, tests/peers/nodo.py on 127.10.9.3 (a forwarder that clears
# DO: answers without RRSIGs), stopped on exit and after 30 s by itself.
. "$SMTPTLS_TOP/tests/lib.sh"

# shellcheck source=/dev/null
. "$LAB/env"
if [ -z "${RESOLVER_NOVALIDATE:-}" ] || [ ! -r "${ROOT_ANCHOR:-}" ]; then
	t_fail dnssec-paths/lab "RESOLVER_NOVALIDATE and ROOT_ANCHOR in $LAB/env" \
	    "missing: run scripts/lab.sh up (or root-up)"
	t_done
	exit
fi
NODO_ADDR=127.10.9.3
TMP=$(mktemp -d /tmp/smtptls-dnssec.XXXXXX)
NODO_PID=

cleanup() {
	if [ -n "$NODO_PID" ] && [ "$(cat "/proc/$NODO_PID/comm" 2>/dev/null)" = python3 ]; then
		kill "$NODO_PID" 2>/dev/null
		wait "$NODO_PID" 2>/dev/null
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

# The same probe through each path.
via_ad() { lab_probe --json --timeout 3 "$@"; }
via_local() {
	"$SMTPTLS" probe --resolver "$RESOLVER_NOVALIDATE" --dnssec auto \
	    --trust-anchor "$ROOT_ANCHOR" --ca-file "$CA" --allow-private \
	    --json --timeout 3 "$@"
}

# What must agree: the exit code, every level's outcome, every check's
# status by id and subject (but the resolver check, whose detail names the
# path), and the rcode and DNSSEC status of every lookup object anywhere.
# One jq per report: the path first, then the view.
VIEW='(.dns.resolver | "\(.dnssec_source) \(.validating)"),
    ({levels: (.verdicts.levels | map_values(.outcome)),
    checks: ([.checks[] | select(.id != "dns.resolver.dnssec") |
        "\(.id) \(.subject | tostring) \(.status)"] | sort),
    dnssec: [.. | objects | select((.dnssec | type) == "string") |
        "\(.name // .qname // .from // "-") \(.rcode // "-") \(.dnssec)"]}
    | tojson)'

# pair_start DOMAIN: both paths in the background; pair_check DOMAIN after
# `wait` compares them.
pair_start() {
	local d=$1
	(via_ad "$d" >"$TMP/$d.ad.json" 2>"$TMP/$d.ad.err"; echo $? >"$TMP/$d.ad.rc") &
	(via_local "$d" >"$TMP/$d.local.json" 2>"$TMP/$d.local.err"; echo $? >"$TMP/$d.local.rc") &
}
pair_check() {
	local d=$1 ra rl
	ra=$(cat "$TMP/$d.ad.rc") rl=$(cat "$TMP/$d.local.rc")
	if [ "$ra" -gt 3 ] || [ "$rl" -gt 3 ]; then
		t_fail "dnssec-paths/$d/ran" "exit 0-3 on both paths" \
		    "exit $ra (ad), $rl (local): $(head -c 300 "$TMP/$d.local.err")"
		return
	fi
	t_eq "dnssec-paths/$d/exit" "$ra" "$rl"
	jq -r "$VIEW" <"$TMP/$d.ad.json" >"$TMP/$d.ad.view"
	jq -r "$VIEW" <"$TMP/$d.local.json" >"$TMP/$d.local.view"
	t_eq "dnssec-paths/$d/paths" "resolver-ad true local true" \
	    "$(head -n1 "$TMP/$d.ad.view") $(head -n1 "$TMP/$d.local.view")"
	if [ "$(sed 1d "$TMP/$d.ad.view")" = "$(sed 1d "$TMP/$d.local.view")" ]; then
		t_pass "dnssec-paths/$d/verdicts"
	else
		t_fail "dnssec-paths/$d/verdicts" "the same as through $RESOLVER" \
		    "$(diff <(sed 1d "$TMP/$d.ad.view" | jq .) <(sed 1d "$TMP/$d.local.view" | jq .) | head -c 1200)"
	fi
}

# Every lab domain that 20-dns, 30-probe and 31-dane-cname judge on DNSSEC
# or DANE: signed, insecure and bogus zones, a DANE mismatch, secure and
# insecure CNAMEs, secure denials (NXDOMAIN, no MX, no TLSA, null MX), no
# STARTTLS, a host without addresses, a CNAME loop, a dead host; and an
# address target. All probes at once (they wait on the network), then
# the comparisons.
PAIRS=""
for d in good insecure bogus danebad secalias secaliasbad cname nxdomain \
    implicit nullmx tls12 nostarttls mxnoaddr cnameloop partial unreachable; do
	PAIRS="$PAIRS $d.lab.test"
done
PAIRS="$PAIRS postmaster@good.lab.test"
for d in $PAIRS; do pair_start "$d"; done
wait
for d in $PAIRS; do pair_check "$d"; done
# The status the local path must find, not only the same one: a secure
# proof that mx-dead has no TLSA records (NSEC, from the lab root down).
t_eq dnssec-paths/unreachable/local-tlsa-denial "NXDOMAIN secure" \
    "$(jq -r '[.checks[] | select(.id == "dane.tlsa.lookup") | "\(.data.rcode) \(.data.dnssec)"][0]' <"$TMP/unreachable.lab.test.local.json")"

# --- the oracle: BIND's validator (delv) from the same root anchor through
# the same non-validating resolver, lookup by lookup, against the library's
# local validation (tools/dnsq)
k=$(awk '$3 == "DNSKEY" {print $4, $5, $6, $7; exit}' "$ROOT_ANCHOR")
# shellcheck disable=SC2086 # four words: flags, protocol, algorithm, key
set -- $k
printf 'trust-anchors {\n\t"." static-key %s %s %s "%s";\n};\n' "$1" "$2" "$3" "$4" >"$TMP/delv.anchor"
delv_status() { # NAME TYPE: secure / insecure / bogus as delv sees it
	case "$(timeout 10 delv @"$RESOLVER_NOVALIDATE" -a "$TMP/delv.anchor" +root=. "$1" "$2" 2>&1)" in
	*"fully validated"*) echo secure ;;
	*"unsigned answer"*) echo insecure ;;
	*) echo bogus ;;
	esac
}
ours_status() { # NAME TYPE: the library's local validation
	"$SMTPTLS_BUILD/tools/dnsq" --resolver "$RESOLVER_NOVALIDATE" \
	    --trust-anchor "$ROOT_ANCHOR" "$1" "$2" 2>/dev/null | jq -r .dnssec
}
# Both sides of every lookup at once, then the comparisons.
n=0
while read -r name type; do
	n=$((n + 1))
	echo "$name $type" >"$TMP/delv.$n.q"
	delv_status "$name" "$type" >"$TMP/delv.$n.theirs" &
	ours_status "$name" "$type" >"$TMP/delv.$n.ours" &
done <<'EOF'
good.lab.test MX
_25._tcp.mx1.lab.test TLSA
_25._tcp.mx-dead.lab.test TLSA
implicit.lab.test MX
nxdomain.lab.test MX
mxalias.lab.test A
insecure.lab.test MX
nothere.insecure.lab.test A
mx-secalias.lab.test CNAME
bogus.lab.test MX
nothere.bogus.lab.test A
EOF
wait
for ((i = 1; i <= n; i++)); do
	read -r name type <"$TMP/delv.$i.q"
	t_eq "dnssec-paths/vs-delv/$name/$type" "$(cat "$TMP/delv.$i.theirs")" \
	    "$(cat "$TMP/delv.$i.ours")"
done

# --- the reason of each path, in JSON and in the human report's one line
t_run dnssec-paths/auto-resolver 0 lab_probe --json good.lab.test
t_jq dnssec-paths/auto-resolver/reason '.dns.resolver.dnssec_reason' \
    "resolver $RESOLVER validates: its AD bit is used (--dnssec auto)"
t_jq dnssec-paths/auto-resolver/anchor '.dns.resolver.trust_anchor' null

t_run dnssec-paths/auto-local 0 "$SMTPTLS" probe --json --resolver "$RESOLVER_NOVALIDATE" \
    --dnssec auto --trust-anchor "$ROOT_ANCHOR" --ca-file "$CA" --allow-private good.lab.test
t_jq dnssec-paths/auto-local/source '.dns.resolver | "\(.dnssec_source) \(.validating) \(.trust_anchor)"' \
    "local true $ROOT_ANCHOR"
t_match dnssec-paths/auto-local/reason \
    "^validated locally from $ROOT_ANCHOR: resolver $RESOLVER_NOVALIDATE does not validate \(.*ad bit.*\) \(--dnssec auto\)$" \
    "$(jq -r '.dns.resolver.dnssec_reason' <"$T_OUT")"
t_jq dnssec-paths/auto-local/dane '.verdicts.levels.dane.outcome' deliver
t_run dnssec-paths/auto-local-human 0 "$SMTPTLS" probe --resolver "$RESOLVER_NOVALIDATE" \
    --dnssec auto --trust-anchor "$ROOT_ANCHOR" --ca-file "$CA" --allow-private good.lab.test
t_eq dnssec-paths/auto-local-human/one-line 1 "$(grep -c '^DNSSEC validated locally from .* (--dnssec auto)$' "$T_OUT")"

# --trust-anchor alone (cli.md): local validation, whatever the resolver
t_run dnssec-paths/anchor-alone 0 lab_probe --json --trust-anchor "$LAB/unbound/lab.test.ds" good.lab.test
t_jq dnssec-paths/anchor-alone/local '.dns.resolver | "\(.dnssec_source) \(.validating)"' "local true"
t_jq dnssec-paths/anchor-alone/reason '.dns.resolver.dnssec_reason' \
    "validated locally from $LAB/unbound/lab.test.ds (--dnssec local)"

# --- --dnssec resolver through the non-validating resolver: today's
# behaviour, nothing validates, DANE unknown
t_run dnssec-paths/resolver-novalidate 0 "$SMTPTLS" probe --json --resolver "$RESOLVER_NOVALIDATE" \
    --dnssec resolver --ca-file "$CA" --allow-private good.lab.test
t_jq dnssec-paths/resolver-novalidate/path '.dns.resolver | "\(.dnssec_source) \(.validating)"' \
    "resolver-ad false"
t_jq dnssec-paths/resolver-novalidate/reason '.dns.resolver.dnssec_reason' \
    "the AD bit of resolver $RESOLVER_NOVALIDATE is used (--dnssec resolver)"
t_jq dnssec-paths/resolver-novalidate/check \
    '[.checks[] | select(.id == "dns.resolver.dnssec") | "\(.status) \(.data.state)"][0]' "error no-ad"
t_jq dnssec-paths/resolver-novalidate/dane '.verdicts.levels.dane.outcome' unknown
t_jq dnssec-paths/resolver-novalidate/unchecked '.dns.mx.lookup.dnssec' unchecked

# --- a forwarder that strips RRSIGs: reported as such, never as bogus
python3 "$SMTPTLS_TOP/tests/peers/nodo.py" "$NODO_ADDR" "$RESOLVER_NOVALIDATE" 30 >"$TMP/nodo.out" 2>&1 &
NODO_PID=$!
for _ in $(seq 1 100); do
	grep -q ready "$TMP/nodo.out" 2>/dev/null && break
	sleep 0.02
done
t_run dnssec-paths/stripped 0 "$SMTPTLS" probe --json --resolver "$NODO_ADDR" \
    --trust-anchor "$ROOT_ANCHOR" --dnssec auto --ca-file "$CA" --allow-private good.lab.test
t_jq dnssec-paths/stripped/check \
    '[.checks[] | select(.id == "dns.resolver.dnssec") | "\(.status) \(.data.state)"][0]' "error no-rrsig"
t_match dnssec-paths/stripped/detail 'strips RRSIGs \(no DO support\)' \
    "$(jq -r '[.checks[] | select(.id == "dns.resolver.dnssec") | .detail][0]' <"$T_OUT")"
t_jq dnssec-paths/stripped/not-bogus '[.. | objects | select(.dnssec? == "bogus")] | length' 0
t_jq dnssec-paths/stripped/unchecked '.dns.mx.lookup.dnssec' unchecked
t_jq dnssec-paths/stripped/dane '.verdicts.levels.dane.outcome' unknown
t_run dnssec-paths/stripped-resolver 0 "$SMTPTLS" probe --json --resolver "$NODO_ADDR" \
    --dnssec resolver --ca-file "$CA" --allow-private good.lab.test
t_jq dnssec-paths/stripped-resolver/check \
    '[.checks[] | select(.id == "dns.resolver.dnssec") | .data.state][0]' "no-rrsig"

# --- bad anchors and option combinations: exit 2, one line
printf 'this is not a dnskey\n' >"$TMP/bad.key"
t_run dnssec-paths/bad-anchor 2 lab_probe --trust-anchor "$TMP/bad.key" good.lab.test
t_eq dnssec-paths/bad-anchor/one-line 1 "$(wc -l <"$T_ERR")"
t_match dnssec-paths/bad-anchor/says "trust anchor '$TMP/bad.key'" "$(cat "$T_ERR")"
t_run dnssec-paths/missing-anchor 2 lab_probe --dnssec local --trust-anchor "$TMP/none.key" good.lab.test
t_eq dnssec-paths/missing-anchor/one-line 1 "$(wc -l <"$T_ERR")"
# Without dns-root-data (its directory hidden in a private mount
# namespace): auto needs the root anchor, resolver does not.
mkdir "$TMP/nodns"
no_root_key() {
	# shellcheck disable=SC2016 # $1 belongs to the inner sh
	unshare -m sh -c 'mount --bind "$1" /usr/share/dns && shift && exec "$@"' \
	    no_root_key "$TMP/nodns" "$@"
}
t_run dnssec-paths/no-root-key 2 no_root_key "$SMTPTLS" probe --resolver "$RESOLVER" good.lab.test
t_eq dnssec-paths/no-root-key/one-line \
    "smtptls: cannot read the root trust anchor '/usr/share/dns/root.key' (install dns-root-data, or use --trust-anchor or --dnssec resolver)" \
    "$(cat "$T_ERR")"
t_run dnssec-paths/no-root-key-resolver 0 no_root_key "$SMTPTLS" probe --json --dnssec resolver \
    --resolver "$RESOLVER" --ca-file "$CA" --allow-private good.lab.test
t_jq dnssec-paths/no-root-key-resolver/validating '.dns.resolver.validating' true
t_run dnssec-paths/resolver-with-anchor 2 lab_probe --dnssec resolver --trust-anchor "$ROOT_ANCHOR" good.lab.test
t_match dnssec-paths/resolver-with-anchor/says '--dnssec resolver validates nothing locally' "$(cat "$T_ERR")"
t_run dnssec-paths/bad-mode 2 lab_probe --dnssec sometimes good.lab.test
t_match dnssec-paths/bad-mode/says "unknown mode 'sometimes'" "$(cat "$T_ERR")"

t_done
