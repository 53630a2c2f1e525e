# shellcheck shell=bash
# scripts/lab/unbound-island.sh - the configuration of a validating Unbound
# for one signed zone whose only upstream is its authoritative server on
# loopback (an "island of trust": the zone's own DS is the trust anchor).
# Sourced by scripts/lab/scale.sh, bench/rttlab.sh and
# tests/integration/59-sendtest.sh; the main lab's resolver is
# testdata/lab/unbound.conf.in, which says why each line is there.
#
# unbound_island_conf DIR ADDR ZONE ANCHOR STUB [SERVER-LINE...]
#   DIR     working directory (pidfile, logfile)
#   ADDR    the address it answers on (port 53) and sends from
#   ZONE    the signed zone (no final dot), ANCHOR a file with its DS
#   STUB    the zone's authoritative server, ADDR or ADDR@PORT
#   further arguments are extra lines for the server: section
# The configuration goes to stdout. Nothing outside 127/8 is ever queried
# and every name outside ZONE is refused.
unbound_island_conf() {
	local dir=$1 addr=$2 zone=$3 anchor=$4 stub=$5 line
	shift 5
	cat <<EOT
server:
	interface: $addr
	port: 53
	outgoing-interface: $addr
	do-ip4: yes
	do-ip6: no
	num-threads: 1
	so-reuseport: no
	username: ""
	chroot: ""
	directory: "$dir"
	pidfile: "$dir/unbound.pid"
	logfile: "$dir/unbound.log"
	use-syslog: no
	access-control: 127.0.0.0/8 allow
	do-not-query-localhost: no
	do-not-query-address: 0.0.0.0/2
	do-not-query-address: 64.0.0.0/3
	do-not-query-address: 96.0.0.0/4
	do-not-query-address: 112.0.0.0/5
	do-not-query-address: 120.0.0.0/6
	do-not-query-address: 124.0.0.0/7
	do-not-query-address: 126.0.0.0/8
	do-not-query-address: 128.0.0.0/1
	module-config: "validator iterator"
	trust-anchor-file: "$anchor"
	trust-anchor-signaling: no
	root-key-sentinel: no
	local-zone: "." refuse
	local-zone: "test." nodefault
	local-zone: "$zone." transparent
EOT
	for line in "$@"; do printf '\t%s\n' "$line"; done
	cat <<EOT
remote-control:
	control-enable: no
stub-zone:
	name: "$zone"
	stub-addr: $stub
EOT
}
