#!/usr/bin/env bash
# scripts/lab/scale.sh - the scale lab (issue 14; sourced by scripts/lab.sh,
# bash): scale.lab.test, a signed zone of 10,000 mail domains whose MX point
# at a few "provider" addresses, served by its own NSD on 127.10.12.1 and
# validated by its own Unbound on 127.10.12.2 (trust anchor: the zone's DS).
# Probes reach it with --resolver 127.10.12.2. The main lab's zones and
# daemons are untouched: this pair can start and stop on its own.
#
# Run alone (the main lab may be up):  scripts/lab/scale.sh up | down
#
# The domains ($LAB/scale/domains.txt, SCALE_DOMAINS of them, by i mod 100):
#   35 % dNNNNN.p1, 20 % .p2, 15 % .p3, 10 % .p4, 10 % .p5 (.scale.lab.test):
#        a wildcard per provider, *.pK MX 10 mx1.pK and MX 20 mx2.pK, whose
#        two hosts are at 127.10.13.1-2 (p1), .13.3-4 (p2), 127.10.14.11-12
#        (p3), .14.13-14 (p4), 127.10.15.1-2 (p5)
#   10 % dNNNNN.scale.lab.test with their own MX mx.dNNNNN, A
#        127.10.15.(20 + i mod 4): one SNI, so one session, each
# Wildcards keep the signing fast (a few thousand signatures instead of
# 20,000: about 0.3 s instead of 2.5 s on 2 cores); the validating resolver
# checks the wildcard proofs as it would on the Internet.
# For tests/integration/43-share.sh:
#   share1..share8    MX 10 mx.shared  A 127.10.14.1 (one session for all)
#   rl1..rl3, rl4..rl6  MX 10 mx.rlN, A 127.10.14.2 and 127.10.14.3: one
#                     session each, three per address (the ratelimit peers)
# Nothing listens on these addresses unless a test or bench/scale.sh starts
# its own scripted peers (tests/peers/badsmtp --log counts connections).

SCALE_NSD=127.10.12.1
SCALE_RESOLVER=127.10.12.2
SCALE_DOMAINS=${SCALE_DOMAINS:-10000}

# scale_awk MODE - the zone's records (MODE zone) or the domain list (MODE
# list) on stdout; awk: 10,000 names in milliseconds
scale_awk() {
	awk -v n="$SCALE_DOMAINS" -v mode="$1" 'BEGIN {
		for (i = 1; i <= n; i++) {
			b = i % 100
			k = b < 35 ? 1 : b < 55 ? 2 : b < 70 ? 3 : b < 80 ? 4 : b < 90 ? 5 : 0
			d = sprintf("d%05d", i)
			if (mode == "list")
				printf "%s%s.scale.lab.test\n", d, k ? ".p" k : ""
			else if (k == 0)
				printf "%s MX 10 mx.%s\nmx.%s A 127.10.15.%d\n", d, d, d, 20 + i % 4
		}
	}'
}

# scale_provider_addr K H - the address of provider K's host H (1 or 2):
# three networks, as providers sit in their own (the per-/24 limit)
scale_provider_addr() {
	case "$1" in
	1 | 2) echo "127.10.13.$((2 * $1 - 2 + $2))" ;;
	3 | 4) echo "127.10.14.$((10 + 2 * $1 - 6 + $2))" ;;
	*) echo "127.10.15.$2" ;;
	esac
}

# scale_zone - the unsigned zone on stdout
scale_zone() {
	local k i
	# shellcheck disable=SC2016 # zone file syntax, not shell
	printf '$ORIGIN scale.lab.test.\n$TTL 3600\n'
	printf '@ SOA ns.scale.lab.test. hostmaster.scale.lab.test. 1 3600 600 86400 300\n'
	printf '@ NS ns.scale.lab.test.\nns A %s\n' "$SCALE_NSD"
	for k in 1 2 3 4 5; do
		printf '*.p%d MX 10 mx1.p%d\n*.p%d MX 20 mx2.p%d\n' "$k" "$k" "$k" "$k"
		printf 'mx1.p%d A %s\nmx2.p%d A %s\n' "$k" "$(scale_provider_addr "$k" 1)" \
			"$k" "$(scale_provider_addr "$k" 2)"
	done
	scale_awk zone
	printf 'mx.shared A 127.10.14.1\n'
	for i in 1 2 3 4 5 6 7 8; do printf 'share%d MX 10 mx.shared\n' "$i"; done
	for i in 1 2 3 4 5 6; do
		printf 'rl%d MX 10 mx.rl%d\nmx.rl%d A 127.10.14.%d\n' "$i" "$i" "$i" $((i <= 3 ? 2 : 3))
	done
}

scale_nsd_conf() {
	cat <<EOT
server:
	ip-address: $SCALE_NSD@53
	do-ip4: yes
	do-ip6: no
	username: ""
	chroot: ""
	database: ""
	zonesdir: "$LAB/scale"
	zonelistfile: "$LAB/scale/zone.list"
	xfrdfile: "$LAB/scale/xfrd.state"
	xfrdir: "$LAB/scale/xfr"
	pidfile: "$LAB/scale/nsd.pid"
	logfile: "$LAB/scale/nsd.log"
	server-count: 1
	verbosity: 1
	hide-version: yes
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
remote-control:
	control-enable: no
zone:
	name: "scale.lab.test"
	zonefile: "scale.lab.test.zone.signed"
EOT
}

# scale_unbound_conf - a validating Unbound for scale.lab.test alone
# (scripts/lab/unbound-island.sh), with caches big enough for the zone
scale_unbound_conf() {
	# shellcheck source=scripts/lab/unbound-island.sh
	. "$top/scripts/lab/unbound-island.sh"
	unbound_island_conf "$LAB/scale" "$SCALE_RESOLVER" scale.lab.test \
		"$LAB/scale/scale.lab.test.ds" "$SCALE_NSD" \
		"verbosity: 1" "msg-cache-size: 32m" "rrset-cache-size: 64m"
}

# scale_make - key, zone, signature, configurations in $LAB/scale
scale_make() {
	local key now
	mkdir -p "$LAB/scale/xfr"
	now=$(date +%s)
	scale_zone >"$LAB/scale/scale.lab.test.zone"
	scale_awk list >"$LAB/scale/domains.txt"
	key=$(cd "$LAB/scale" && ldns-keygen -a ECDSAP256SHA256 -k scale.lab.test)
	(cd "$LAB/scale" && ldns-signzone -i $((now - 3600)) -e $((now + 30 * 86400)) \
		-o scale.lab.test. -f scale.lab.test.zone.signed scale.lab.test.zone "$key")
	ldns-key2ds -n -2 "$LAB/scale/$key.key" >"$LAB/scale/scale.lab.test.ds"
	scale_nsd_conf >"$LAB/scale/nsd.conf"
	nsd-checkconf "$LAB/scale/nsd.conf" || die "nsd-checkconf rejected $LAB/scale/nsd.conf"
	scale_unbound_conf >"$LAB/scale/unbound.conf"
	unbound-checkconf "$LAB/scale/unbound.conf" >/dev/null ||
		die "unbound-checkconf rejected $LAB/scale/unbound.conf"
}

scale_nsd_ready() {
	dns_answers "$SCALE_NSD" scale.lab.test SOA aa +norec
}

scale_unbound_ready() {
	dns_answers "$SCALE_RESOLVER" d00001.p1.scale.lab.test MX ad +dnssec
}

scale_nsd_launch() {
	daemon_start nsd-scale "$LAB/scale/nsd.log" nsd -c "$LAB/scale/nsd.conf"
}

scale_nsd_wait() {
	daemon_wait nsd-scale "$LAB/scale/nsd.log" scale_nsd_ready "nsd does not answer on $SCALE_NSD:53"
}

scale_unbound_launch() {
	daemon_start unbound-scale "$LAB/scale/unbound.log" unbound -c "$LAB/scale/unbound.conf"
}

scale_unbound_wait() {
	daemon_wait unbound-scale "$LAB/scale/unbound.log" scale_unbound_ready \
		"unbound does not answer scale.lab.test with AD on $SCALE_RESOLVER:53"
	elapsed
	say "scale: nsd $SCALE_NSD, unbound $SCALE_RESOLVER up (at $ELAPSED)"
}

# Alone: scripts/lab/scale.sh up|down, beside a running main lab.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -eu
	top=$(cd "$(dirname "$0")/../.." && pwd)
	TD=$top/testdata/lab
	LAB=${SMTPTLS_LAB:-/tmp/smtptls-lab}
	# shellcheck source=scripts/lab/common.sh
	. "$top/scripts/lab/common.sh"
	# shellcheck source=scripts/lab/dns.sh
	. "$top/scripts/lab/dns.sh"
	now_ms
	T0=$NOW_MS
	[ -d "$LAB" ] || die "no lab in $LAB (scripts/lab.sh up first)"
	stop_pidfile unbound-scale "$LAB/scale/unbound.pid" unbound
	stop_pidfile nsd-scale "$LAB/scale/nsd.pid" nsd
	case "${1:-}" in
	up)
		rm -rf "$LAB/scale"
		scale_make
		scale_nsd_launch
		scale_nsd_wait
		scale_unbound_launch
		scale_unbound_wait
		;;
	down) ;;
	*) die "usage: scripts/lab/scale.sh up | down" ;;
	esac
fi
