#!/usr/bin/env bash
# tests/integration/39-field.sh - right on an ordinary machine, not only in
# the lab (issue 13, the part without DNSSEC):
#  1. no --resolver: a resolv.conf (SMTPTLS_RESOLV_CONF) whose first server
#     is dead (127.10.10.99: nothing listens) and whose second is the lab's
#     Unbound; the probe succeeds within the split timeout, honours
#     options timeout:N and attempts:N, and ignores search, comments, junk
#     and a fourth server;
#  2. address families: v6noroute.lab.test has an AAAA in
#     2001:db8:5eed::/48, which `lab.sh up` makes unreachable in the kernel
#     (nothing is ever sent there): that address is skipped with error
#     no-route, never a server failure, and unknown in the verdicts;
#  3. the trust store: system default, SSL_CERT_FILE, and exit 2 for an
#     empty or missing one.
# Probes run in parallel where they wait on timeouts.
# asan: skip - its time is a dead resolver's timeouts; resolv.conf parsing (hostile and cut input) runs under ASan in test_resolv_conf, the trust store in test_trust_store
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"

TMP=$(mktemp -d /tmp/smtptls-field.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
NOROUTE6=2001:db8:5eed::25
DEAD=127.10.10.99

# json_of FILE FILTER: jq on a saved report
json_of() { jq -r "$2" <"$1" 2>&1 | tr '\n' ' ' | sed 's/ $//'; }

# Without the unreachable route, a probe of the field domains could send a
# SYN out through this machine's default IPv6 route: stop here.
if [ -d /proc/sys/net/ipv6 ] &&
	! ip -6 route show "${NOROUTE6%::25}::/48" | grep -q '^unreachable'; then
	t_fail field/route "ip -6 route: unreachable ${NOROUTE6%::25}::/48 (scripts/lab.sh up)" \
		"$(ip -6 route show "${NOROUTE6%::25}::/48")"
	t_done
	exit
fi
t_pass field/route

# --- 1. resolv.conf ---------------------------------------------------------
printf '# dead first\nnameserver %s\nnameserver %s\n' "$DEAD" "$RESOLVER" >"$TMP/split.conf"
printf 'nameserver %s\nnameserver %s\noptions ndots:2 timeout:1 attempts:1\n' \
	"$DEAD" "$RESOLVER" >"$TMP/timeout.conf"
printf 'nameserver %s\noptions timeout:1 attempts:2\n' "$DEAD" >"$TMP/dead.conf"
{
	printf 'search corp.example lab.test\ndomain lab.test\n; comment\n'
	printf '}{ junk \001\377\n nameserver 127.10.10.96\nnameserver fe80::1%%lo\n'
	printf 'nameserver %s\r\nnameserver not-an-address\nnameserver 127.10.10.98\n' "$RESOLVER"
	printf 'nameserver 127.10.10.97\noptions rotate trust-ad\n'
} >"$TMP/hostile.conf"
printf 'search lab.test\n# no nameserver\n' >"$TMP/none.conf"

rc_probe() { # NAME CONF TIMEOUT DOMAIN: JSON in $TMP/NAME.json, exit in $TMP/NAME.rc
	local t0 t1
	t0=$(date +%s%N)
	SMTPTLS_RESOLV_CONF=$2 "$SMTPTLS" probe --json --ca-file "$CA" --allow-private \
		--no-mta-sts --timeout "$3" "$4" >"$TMP/$1.json" 2>"$TMP/$1.err"
	echo $? >"$TMP/$1.rc"
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000)) >"$TMP/$1.ms"
}
rc_probe split "$TMP/split.conf" 2 good.lab.test &
rc_probe timeout "$TMP/timeout.conf" 8 good.lab.test &
rc_probe dead "$TMP/dead.conf" 8 good.lab.test &
rc_probe hostile "$TMP/hostile.conf" 2 good.lab.test &
wait

t_eq resolv/split/exit 0 "$(cat "$TMP/split.rc")"
t_eq resolv/split/servers-in-order "$DEAD:53 $RESOLVER:53" \
	"$(json_of "$TMP/split.json" '.dns.resolver.servers[]')"
t_eq resolv/split/dane-deliver deliver "$(json_of "$TMP/split.json" '.verdicts.levels.dane.outcome')"
# --timeout 2, two servers, two rounds (attempts default 2): the dead
# server gets 2000/4 ms, then Unbound answers.
mxms=$(json_of "$TMP/split.json" '.dns.mx.lookup.ms')
t_match "resolv/split/mx-lookup-ms=$mxms" '^(4[5-9][0-9]|[5-9][0-9][0-9]|1[0-4][0-9][0-9])$' "$mxms"
# The whole run: two DNS phases (MX, then addresses and TLSA), each losing
# at most one share on the dead server, and the sessions; far below the
# 2 x 2 s that two phases of full timeouts would take plus the sessions.
t_match "resolv/split/whole-run=$(cat "$TMP/split.ms")ms" '^([0-9]{1,3}|[1-4][0-9]{3})$' \
	"$(cat "$TMP/split.ms")"

t_eq resolv/timeout/exit 0 "$(cat "$TMP/timeout.rc")"
# --timeout 8 would give the dead server 4000 ms; timeout:1 caps it at 1 s.
mxms=$(json_of "$TMP/timeout.json" '.dns.mx.lookup.ms')
t_match "resolv/timeout/capped-at-1s=$mxms" '^(9[5-9][0-9]|1[0-4][0-9][0-9])$' "$mxms"

# attempts:2 over one dead server with timeout:1: the MX lookup gives up
# after two tries of 1 s, long before --timeout 8.
t_eq resolv/dead/exit 3 "$(cat "$TMP/dead.rc")"
t_eq resolv/dead/mx-lookup error "$(json_of "$TMP/dead.json" \
	'[.checks[] | select(.id == "dns.mx.lookup") | .status][0]')"
mxms=$(json_of "$TMP/dead.json" '.dns.mx.lookup.ms')
t_match "resolv/dead/two-tries=$mxms" '^(19[5-9][0-9]|2[0-9]{3})$' "$mxms"

# Comments, search, junk, an indented line, a zoned link-local server (it
# takes one of glibc's three places) and a fourth server are ignored.
t_eq resolv/hostile/exit 0 "$(cat "$TMP/hostile.rc")"
t_eq resolv/hostile/servers "$RESOLVER:53 127.10.10.98:53" \
	"$(json_of "$TMP/hostile.json" '.dns.resolver.servers[]')"

t_run resolv/missing/exit 2 env SMTPTLS_RESOLV_CONF="$TMP/nonexistent" \
	"$SMTPTLS" probe --ca-file "$CA" good.lab.test
t_match resolv/missing/one-line "^smtptls: cannot read nameservers from '.*nonexistent'" "$(cat "$T_ERR")"
t_eq resolv/missing/lines 1 "$(wc -l <"$T_ERR")"
t_run resolv/no-nameserver/exit 2 env SMTPTLS_RESOLV_CONF="$TMP/none.conf" \
	"$SMTPTLS" probe --ca-file "$CA" good.lab.test
t_match resolv/no-nameserver/says "no usable nameserver in" "$(cat "$T_ERR")"
# --resolver wins over the file
t_run resolv/resolver-wins/exit 0 env SMTPTLS_RESOLV_CONF="$TMP/none.conf" \
	"$SMTPTLS" probe --json --resolver "$RESOLVER" --ca-file "$CA" --allow-private \
	--no-mta-sts good.lab.test
t_jq resolv/resolver-wins/servers '.dns.resolver.servers | join(" ")' "$RESOLVER:53"

# --- 2. an address family without a route -----------------------------------
t_run family/v6noroute/exit 0 lab_probe --json v6noroute.lab.test
cp "$T_OUT" "$TMP/v6.json"
t_jq family/v6noroute/addresses '[.mx[0].addresses[].address] | join(" ")' "127.10.1.1 $NOROUTE6"
t_jq family/v6noroute/state-and-code \
	"[.mx[0].addresses[] | select(.address == \"$NOROUTE6\") | .state, .error.code, .error.phase] | join(\" \")" \
	"skipped no-route connect"
t_jq family/v6noroute/connect-skip \
	"[.checks[] | select(.id == \"smtp.connect\" and .subject.address == \"$NOROUTE6\") | .status] | join(\" \")" \
	"skip"
t_jq family/v6noroute/detail-says-so \
	"[.checks[] | select(.id == \"smtp.connect\" and .subject.address == \"$NOROUTE6\") | .detail | test(\"^not testable from here: no local route for ipv6\")] | join(\" \")" \
	"true"
t_jq family/v6noroute/no-failure-about-it \
	"[.checks[] | select(.subject.address == \"$NOROUTE6\" and (.status == \"fail\" or .status == \"error\"))] | length" "0"
t_jq family/v6noroute/opportunistic \
	'.verdicts.levels.opportunistic | "\(.outcome) \(.counts.deliver) \(.counts.defer) \(.counts.unknown)"' "deliver 1 0 1"
t_jq family/v6noroute/unknown-not-defer \
	"[.verdicts.levels | .opportunistic, .encrypt, .verify | .addresses[] | select(.address == \"$NOROUTE6\") | .outcome] | unique | join(\" \")" \
	"unknown"
t_jq family/v6noroute/reason \
	"[.verdicts.levels.encrypt.addresses[] | select(.address == \"$NOROUTE6\") | .reason] | join(\" \")" \
	"smtp.connect"
t_run family/v6noroute/human 0 lab_probe v6noroute.lab.test
t_match family/v6noroute/human-table "mx-v6noroute.lab.test +$NOROUTE6 +no route" "$(cat "$T_OUT")"
t_match family/v6noroute/human-family-line \
	"no IPv6 route from this machine: the 1 IPv6 address of the MX hosts was not tested here" "$(cat "$T_OUT")"

t_run family/v6only/exit 3 lab_probe --json v6only-noroute.lab.test
t_jq family/v6only/reason '.summary.exit_reason' \
	"no address of any MX host can be reached from this machine (no route)"
t_jq family/v6only/outcome '.verdicts.levels.opportunistic.outcome' "unknown"
t_run family/host-literal/exit 3 lab_probe --json --host "[$NOROUTE6]"
t_jq family/host-literal/code '.mx[0].addresses[0].error.code' "no-route"
# A dead server that this machine can route to stays a finding about it.
t_run family/dead-is-not-noroute/exit 3 lab_probe --json unreachable.lab.test
t_jq family/dead-is-not-noroute/code '.mx[0].addresses[0].error.code' "refused"
t_jq family/dead-is-not-noroute/status \
	'[.checks[] | select(.id == "smtp.connect") | .status] | join(" ")' "error"

# --- 3. the trust store -----------------------------------------------------
: >"$TMP/empty.pem"
mkdir "$TMP/emptydir"
sys() { env -u SSL_CERT_FILE -u SSL_CERT_DIR "$@"; }
ossldir=$(openssl version -d | sed -E 's/^OPENSSLDIR: "(.*)"$/\1/')
t_run trust/system/exit 0 sys "$SMTPTLS" probe --json --resolver "$RESOLVER" \
	--allow-private --no-mta-sts good.lab.test
t_jq trust/system/source '.run.pkix_store.source' "system"
if [ -s "$ossldir/cert.pem" ]; then
	t_jq trust/system/file '.run.pkix_store.file' "$ossldir/cert.pem"
fi
# The lab's root is in no system store: the chain is not trusted.
t_jq trust/system/lab-untrusted \
	'[.checks[] | select(.id == "cert.chain.trusted") | .status] | unique | join(" ")' "warn"
t_run trust/env-file/exit 0 sys env SSL_CERT_FILE="$CA" "$SMTPTLS" probe --json \
	--resolver "$RESOLVER" --allow-private good.lab.test
t_jq trust/env-file/store '"\(.run.pkix_store.source) \(.run.pkix_store.file)"' "environment $CA"
t_jq trust/env-file/trusted \
	'[.checks[] | select(.id == "cert.chain.trusted") | .status] | unique | join(" ")' "pass"
# the MTA-STS fetch uses the same store, not libcurl's default
t_jq trust/env-file/mtasts-fetch '[.checks[] | select(.id == "mtasts.policy.fetch") | .status] | join(" ")' "pass"

for c in "SSL_CERT_FILE=$TMP/empty.pem" "SSL_CERT_FILE=$TMP/nonexistent" \
	"SSL_CERT_DIR=$TMP/emptydir"; do
	t_run "trust/${c%%=*}-${c##*/}/exit" 2 sys env "$c" "$SMTPTLS" probe \
		--resolver "$RESOLVER" good.lab.test
	t_eq "trust/${c%%=*}-${c##*/}/one-line" 1 "$(wc -l <"$T_ERR")"
	t_eq "trust/${c%%=*}-${c##*/}/no-report" 0 "$(wc -c <"$T_OUT")"
done
t_run trust/ca-file-empty/exit 2 "$SMTPTLS" probe --json --resolver "$RESOLVER" \
	--ca-file "$TMP/empty.pem" good.lab.test
t_jq trust/ca-file-empty/error-doc '"\(.type) \(.error.code) \(.exit_code)"' "error config 2"
t_run trust/ca-path-empty/exit 2 "$SMTPTLS" probe --resolver "$RESOLVER" \
	--ca-path "$TMP/emptydir" good.lab.test
t_match trust/ca-path-empty/says "holds no hashed certificate" "$(cat "$T_ERR")"
t_done
