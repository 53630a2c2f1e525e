#!/usr/bin/env bash
# bench/dnssec.sh - what local DNSSEC validation costs a probe.
#
# For each signed lab domain, RUNS probes through each path:
#   AD     the lab's validating Unbound (--dnssec auto picks its AD bit)
#   local  the lab's non-validating Unbound with local validation from the
#          lab root's anchor (--dnssec auto picks local: one extra round to
#          learn that the resolver does not validate, then CD queries and
#          the DS/DNSKEY chain from the root down)
# and prints the medians of the probe's own DNS time (dns.ms: every lookup
# of the run, measured inside the program), of its lookups and of the
# whole run's wall time, with the difference. Both resolvers have a warm
# cache after the first run, so this is the validation's cost, not the
# network's. It asserts nothing: speed is reported, never tested.
#
# Usage: bench/dnssec.sh [RUNS] [DOMAIN...]  (default 20; the signed domains)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
runs=${1:-20}
shift $(($# > 0 ? 1 : 0))
domains=${*:-good danebad secalias cname nxdomain implicit bogus insecure}
LAB=${SMTPTLS_LAB:-/tmp/smtptls-lab}

[ -x ./smtptls ] || make -s || exit 2
[ -r "$LAB/env" ] || { echo "bench: no lab (scripts/lab.sh up)" >&2; exit 2; }
# shellcheck source=/dev/null
. "$LAB/env"
[ -n "${RESOLVER_NOVALIDATE:-}" ] ||
	{ echo "bench: the lab has no root part (scripts/lab.sh root-up)" >&2; exit 2; }

# median of the numbers on stdin
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }

probe_ad() {
	./smtptls probe --json --resolver "$RESOLVER" --ca-file "$CA" --allow-private "$1"
}
probe_local() {
	./smtptls probe --json --resolver "$RESOLVER_NOVALIDATE" --dnssec auto \
	    --trust-anchor "$ROOT_ANCHOR" --ca-file "$CA" --allow-private "$1"
}

# measure PATH DOMAIN: "DNS_MS QUERIES WALL_MS" medians over RUNS runs
measure() {
	local i out t0 t1 f
	f=$(mktemp)
	for ((i = 0; i < runs; i++)); do
		t0=${EPOCHREALTIME/./}
		out=$("probe_$1" "$2" 2>/dev/null)
		t1=${EPOCHREALTIME/./}
		printf '%s %s\n' "$(printf '%s' "$out" | jq -r '"\(.dns.ms) \(.dns.queries)"')" \
		    $(((t1 - t0) / 1000)) >>"$f"
	done
	printf '%s %s %s\n' "$(cut -d' ' -f1 "$f" | median)" "$(cut -d' ' -f2 "$f" | median)" \
	    "$(cut -d' ' -f3 "$f" | median)"
	rm -f "$f"
}

printf 'median of %d runs; dns = the probe'"'"'s DNS time, lk = lookups the probe made (dns.queries; validation queries are inside them), wall = whole run (ms)\n' "$runs"
printf '%-20s %8s %9s %7s %6s %8s %7s %10s %7s\n' domain "dns AD" "dns local" added "lk AD" "lk local" "wall AD" "wall local" added
for d in $domains; do
	probe_ad "$d.lab.test" >/dev/null 2>&1 # warm both caches
	probe_local "$d.lab.test" >/dev/null 2>&1
	read -r da qa wa <<<"$(measure ad "$d.lab.test")"
	read -r dl ql wl <<<"$(measure local "$d.lab.test")"
	printf '%-20s %8s %9s %+7d %6s %8s %7s %10s %+7d\n' "$d.lab.test" "$da" "$dl" $((dl - da)) \
	    "$qa" "$ql" "$wa" "$wl" $((wl - wa))
done
