# shellcheck shell=bash disable=SC2154 # top: set by the script that sources this
# bench/rttlab.sh - a copy of the lab's DNS behind a delaying relay, for the
# bench at 20 and 100 ms RTT (sourced by bench/probe.sh, bash).
#
# The copy serves the lab's own lab.test zone (as `scripts/lab.sh up`
# rendered it, so every name, TLSA and MTA-STS record is the same) with the
# addresses of the relayed hosts changed to relay addresses in the bench's
# range 127.10.30.0/24, and one domain of its own (four.lab.test: mx1, mx2
# and mx-multi, four addresses; not in the lab, so its bench takes RTTs
# above 0 only), signed with a key of its own:
#
#   127.10.30.1:53   NSD, the rewritten lab.test
#   127.10.30.2:53   Unbound, validating with the copy's DS as trust anchor
#   127.10.30.53:53  relay (UDP and TCP) -> 127.10.30.2:53   (--resolver)
#   127.10.30.11:25  relay -> 127.10.1.1:25   (mx1.lab.test)
#   127.10.30.12:25  relay -> 127.10.1.2:25   (mx2.lab.test)
#   127.10.30.13:25  relay -> 127.10.1.3:25   (mx-multi.lab.test)
#   127.10.30.14:25  relay -> 127.10.1.4:25   (mx-multi.lab.test)
#   127.10.30.3:443  relay -> 127.10.0.3:443  (mta-sts.good.lab.test)
#
# So `smtptls probe --resolver 127.10.30.53 good.lab.test` does exactly
# what it does against the lab, with every packet it sends or receives
# delayed. The lab itself is only read (its zone file, CA, servers).
# Functions can run alone: rtt_dns_up, rtt_relay_up DELAY_MS, rtt_down.

RTT=${SMTPTLS_BENCH:-/tmp/smtptls-bench}
RTT_NSD=127.10.30.1
RTT_UNBOUND=127.10.30.2
RTT_RESOLVER=127.10.30.53

# relayed host name (as in the zone, relative), lab address, relay address
RTT_HOSTS="mx1:127.10.1.1:127.10.30.11
mx2:127.10.1.2:127.10.30.12
mx-multi:127.10.1.3:127.10.30.13
mx-multi:127.10.1.4:127.10.30.14
mta-sts.good:127.10.0.3:127.10.30.3"

# rtt_zone - the lab's rendered lab.test with the relayed A records changed
rtt_zone() {
	local awkmap
	awkmap=$(printf '%s\n' "$RTT_HOSTS" | tr ':' ' ')
	awk -v map="$awkmap" '
	BEGIN { n = split(map, l, "\n");
		for (i = 1; i <= n; i++) { split(l[i], f, " "); to[f[1] " " f[2]] = f[3] } }
	$2 == "A" && (($1 " " $3) in to) { print $1, "A", to[$1 " " $3]; next }
	{ print }' "$LAB/dns/lab.test.zone"
	# four.lab.test, the bench's own: every relayed MX host, four
	# addresses (the targets hold "whatever the number of MX addresses")
	cat <<-'EOF'
	four.lab.test.            MX  10 mx1.lab.test.
	four.lab.test.            MX  20 mx2.lab.test.
	four.lab.test.            MX  30 mx-multi.lab.test.
	_smtp._tls.four.lab.test. TXT "v=TLSRPTv1; rua=mailto:tlsrpt@four.lab.test"
	EOF
}

# rtt_dns_make - zone, key, signature, NSD and Unbound configurations
rtt_dns_make() {
	local key now
	rm -rf "$RTT/dns" "$RTT/unbound"
	mkdir -p "$RTT/dns/xfr" "$RTT/unbound" || return 1
	rtt_zone >"$RTT/dns/lab.test.zone" || return 1
	now=$(date +%s)
	key=$(cd "$RTT/dns" && ldns-keygen -a ECDSAP256SHA256 -k lab.test) || return 1
	(cd "$RTT/dns" && ldns-signzone -i $((now - 3600)) -e $((now + 86400)) \
		-o lab.test. -f lab.test.zone.signed lab.test.zone "$key") || return 1
	ldns-key2ds -n -2 "$RTT/dns/$key.key" >"$RTT/unbound/lab.test.ds" || return 1
	cat >"$RTT/dns/nsd.conf" <<-EOF
	server:
		ip-address: $RTT_NSD@53
		do-ip4: yes
		do-ip6: no
		username: ""
		chroot: ""
		database: ""
		zonesdir: "$RTT/dns"
		zonelistfile: "$RTT/dns/zone.list"
		xfrdfile: "$RTT/dns/xfrd.state"
		xfrdir: "$RTT/dns/xfr"
		pidfile: "$RTT/dns/nsd.pid"
		logfile: "$RTT/dns/nsd.log"
		server-count: 1
		rrl-ratelimit: 0
		rrl-whitelist-ratelimit: 0
	remote-control:
		control-enable: no
	zone:
		name: "lab.test"
		zonefile: "lab.test.zone.signed"
	EOF
	# The lab's Unbound settings that matter, on our address.
	# shellcheck source=../scripts/lab/unbound-island.sh
	. "$top/scripts/lab/unbound-island.sh"
	unbound_island_conf "$RTT/unbound" "$RTT_UNBOUND" lab.test \
		"$RTT/unbound/lab.test.ds" "$RTT_NSD" >"$RTT/unbound/unbound.conf"
	nsd-checkconf "$RTT/dns/nsd.conf" &&
		unbound-checkconf "$RTT/unbound/unbound.conf" >/dev/null
}

# rtt_stop PIDFILE COMM - stop one bench daemon, checking what the pid is
rtt_stop() {
	local pid i
	[ -r "$1" ] || return 0
	pid=$(cat "$1")
	# NSD renames its processes ("nsd: main"): the name must start with COMM.
	case $(cat "/proc/$pid/comm" 2>/dev/null) in
	"$2"*) ;;
	*) rm -f "$1"; return 0 ;;
	esac
	kill "$pid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		case $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) in
		'' | Z) break ;;
		esac
		sleep 0.02
	done
	rm -f "$1"
}

# rtt_wait_dns SERVER - until SERVER answers lab.test SOA with AD
rtt_wait_dns() {
	local i
	for ((i = 0; i < 200; i++)); do
		dig +time=1 +tries=1 +dnssec @"$1" lab.test SOA 2>/dev/null |
			grep -Eq '^;; flags:[a-z ]* ad[ ;]' && return 0
		sleep 0.05
	done
	echo "bench: $1 does not answer lab.test with AD" >&2
	return 1
}

rtt_dns_up() {
	rtt_down
	rtt_dns_make || { echo "bench: cannot make the bench DNS" >&2; return 1; }
	nsd -c "$RTT/dns/nsd.conf" 9>&- || return 1
	unbound -c "$RTT/unbound/unbound.conf" 9>&- || return 1
	rtt_wait_dns "$RTT_UNBOUND"
}

# rtt_relay_up ONE_WAY_MS [RELAY_OPTION...] - (re)start the relay with that
# delay (options such as --slow-dns _25._tcp.=40 go to relay.py)
rtt_relay_up() {
	local maps=() h f t d=$1
	shift
	rtt_stop "$RTT/relay.pid" python3
	maps+=("udp:$RTT_RESOLVER:53=$RTT_UNBOUND:53" "tcp:$RTT_RESOLVER:53=$RTT_UNBOUND:53")
	while IFS=: read -r h f t; do
		case $h in
		mta-sts.*) maps+=("tcp:$t:443=$f:443") ;;
		*) maps+=("tcp:$t:25=$f:25") ;;
		esac
	done <<<"$RTT_HOSTS"
	python3 "$top/bench/relay.py" --delay-ms "$d" --pidfile "$RTT/relay.pid" \
		"$@" "${maps[@]}" 2>>"$RTT/relay.log" &
	rtt_wait_dns "$RTT_RESOLVER"
}

rtt_down() {
	rtt_stop "$RTT/relay.pid" python3
	rtt_stop "$RTT/unbound/unbound.pid" unbound
	rtt_stop "$RTT/dns/nsd.pid" nsd
}
