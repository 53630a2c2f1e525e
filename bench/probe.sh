#!/usr/bin/env bash
# bench/probe.sh - how fast is smtptls probe next to the tools admins use?
#
# Runs on the lab (scripts/lab.sh up first, or let this script do it):
#   smtptls probe DOMAIN        every MX address at once, DANE and TLS-RPT included
#   posttls-finger              each MX address one after another, as an admin would
#   openssl s_client            each MX address one after another
#   testssl.sh                  one address, protocols only (its fastest useful mode)
# and prints median wall times over N runs, their ratios, and peak RSS.
# It asserts nothing: speed is reported, never tested.
#
# Usage: bench/probe.sh [DOMAIN] [RUNS]     (default good.lab.test, 20)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
domain=${1:-good.lab.test}
runs=${2:-20}
LAB=${SMTPTLS_LAB:-/tmp/smtptls-lab}
CA="$LAB/ca/root.pem"
RESOLVER=127.10.0.2

[ -x ./smtptls ] || make -s || exit 2
./scripts/lab.sh status >/dev/null 2>&1 || ./scripts/lab.sh up >/dev/null || exit 2

# The MX addresses as the probe found them, for the sequential tools.
mapfile -t targets < <(./smtptls probe --json --resolver $RESOLVER --ca-file "$CA" \
    --allow-private "$domain" | jq -r '.mx[] | .name as $n | .addresses[] | "\($n) \(.address)"')
[ "${#targets[@]}" -gt 0 ] || { echo "bench: no MX address found for $domain" >&2; exit 2; }

pfconf=$(mktemp -d)
: >"$pfconf/main.cf"
trap 'rm -rf "$pfconf"' EXIT

now_ms() { date +%s%3N; }

# median of the numbers on stdin
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }

# time_runs NAME CMD...: prints the median wall time in ms of RUNS runs
time_runs() {
	local i t0 t1
	shift
	for ((i = 0; i < runs; i++)); do
		t0=$(now_ms)
		"$@" >/dev/null 2>&1 </dev/null
		t1=$(now_ms)
		echo $((t1 - t0))
	done | median
}

smtptls_run() {
	./smtptls probe --json --resolver $RESOLVER --ca-file "$CA" --allow-private "$domain"
}
finger_all() {
	local t
	for t in "${targets[@]}"; do
		MAIL_CONFIG=$pfconf timeout 20 posttls-finger -c -l secure -F "$CA" \
		    "[${t#* }]:25" "${t% *}" || true
	done
}
finger_one() {
	MAIL_CONFIG=$pfconf timeout 20 posttls-finger -c -l secure -F "$CA" \
	    "[${targets[0]#* }]:25" "${targets[0]% *}"
}
sclient_all() {
	local t
	for t in "${targets[@]}"; do
		timeout 20 openssl s_client -starttls smtp -connect "${t#* }:25" \
		    -servername "${t% *}" -CAfile "$CA" </dev/null || true
	done
}

peak_rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1; }

echo "domain $domain: ${#targets[@]} MX addresses; median of $runs runs"
s=$(time_runs smtptls smtptls_run)
f1=$(time_runs finger1 finger_one)
fa=$(time_runs fingerall finger_all)
oa=$(time_runs sclientall sclient_all)
printf '%-44s %6s ms\n' "smtptls probe (all addresses, DANE, TLS-RPT)" "$s"
printf '%-44s %6s ms\n' "posttls-finger, one address" "$f1"
printf '%-44s %6s ms\n' "posttls-finger, every address in turn" "$fa"
printf '%-44s %6s ms\n' "openssl s_client, every address in turn" "$oa"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == 0) a = 1; printf "%.2f", b / a }'; }
echo "ratios (other / smtptls): posttls-finger all $(ratio "$s" "$fa")x," \
    "one address $(ratio "$s" "$f1")x, s_client all $(ratio "$s" "$oa")x"
# The probe's own clock (timings_ms.total) against the wall time above:
# the difference is process start-up, mostly the dynamic loader mapping
# libcurl's dependency tree.
inproc=$(for ((i = 0; i < runs; i++)); do smtptls_run 2>/dev/null | jq -r .timings_ms.total; done | median)
startup=$(time_runs startup ./smtptls --version)
echo "smtptls in-process time (timings_ms.total): ${inproc} ms; process start-up alone: ${startup} ms"
echo "peak RSS: smtptls $(peak_rss ./smtptls probe --json --resolver $RESOLVER \
    --ca-file "$CA" --allow-private "$domain") KiB"
if command -v testssl.sh >/dev/null 2>&1; then
	t0=$(now_ms)
	timeout 300 testssl.sh --quiet --nodns none --starttls smtp --protocols \
	    "${targets[0]#* }:25" >/dev/null 2>&1
	t1=$(now_ms)
	echo "testssl.sh --protocols, one address, one run: $((t1 - t0)) ms" \
	    "($(ratio "$s" $((t1 - t0)))x smtptls's whole domain)"
fi
