# scripts/lab/dns.sh - the lab's DNS (sourced by scripts/lab.sh, bash):
# zones signed with ldns, NSD authoritative on 127.10.0.1, Unbound validating
# on 127.10.0.2 with the DS of lab.test as its only trust anchor.
#
# Needs: TLSA_MX1 and TLSA_MX2 (set from the certificates), LAB, TD.

DNSDIR_ZONES=$TD/zones

# Variables named in RENDER_VARS are read by render() through ${!name}
# (hence the SC2034 notes).

# A TLSA 3 1 1 that matches no key in the lab (danebad.lab.test): a fixed
# hash of a fixed string, so it never changes between runs.
# shellcheck disable=SC2034
TLSA_NOMATCH=$(printf 'smtptls lab: this matches no key' | sha256sum | cut -d' ' -f1)
# The id of every _mta-sts TXT record (RFC 8461 3.1: 1-32 alphanumerics).
# shellcheck disable=SC2034
STS_ID=20240101T000000

# dns_keygen ZONE - one ECDSAP256SHA256 key with flags 257 per zone (it signs
# every RRset: no separate ZSK needed); prints the key's base name.
dns_keygen() {
	(cd "$LAB/dns" && ldns-keygen -a ECDSAP256SHA256 -k "$1")
}

# dns_sign ZONE INCEPTION EXPIRATION KEYBASE - ZONE.zone -> ZONE.zone.signed
# (NSEC, so NXDOMAIN and missing types have signed proofs).
dns_sign() {
	(cd "$LAB/dns" && ldns-signzone -i "$2" -e "$3" -o "$1." \
		-f "$1.zone.signed" "$1.zone" "$4")
}

# dns_make - keys, zones, signatures, NSD and Unbound configurations.
dns_make() {
	local kbogus klab now
	mkdir -p "$LAB/dns/xfr" "$LAB/unbound"
	now=$(date +%s)

	# bogus.lab.test first: the parent needs its DS. Signatures valid only
	# in January 2020 make every answer from it bogus (expired).
	RENDER_VARS="TLSA_MX1" \
		render "$DNSDIR_ZONES/bogus.lab.test.zone.in" "$LAB/dns/bogus.lab.test.zone"
	kbogus=$(dns_keygen bogus.lab.test)
	dns_sign bogus.lab.test 20200101000000 20200201000000 "$kbogus"
	# shellcheck disable=SC2034 # read by render()
	DS_BOGUS=$(ldns-key2ds -n -2 "$LAB/dns/$kbogus.key")

	# insecure.lab.test: never signed (its parent has no DS for it).
	RENDER_VARS="TLSA_MX1" \
		render "$DNSDIR_ZONES/insecure.lab.test.zone.in" "$LAB/dns/insecure.lab.test.zone"

	# lab.test: valid from an hour ago (clock skew) for 30 days.
	RENDER_VARS="TLSA_MX1 TLSA_MX2 TLSA_NOMATCH DS_BOGUS STS_ID" \
		render "$DNSDIR_ZONES/lab.test.zone.in" "$LAB/dns/lab.test.zone"
	hostile_records >>"$LAB/dns/lab.test.zone"
	field_records >>"$LAB/dns/lab.test.zone"
	klab=$(dns_keygen lab.test)
	dns_sign lab.test $((now - 3600)) $((now + 30 * 86400)) "$klab"
	DS_LAB=$(ldns-key2ds -n -2 "$LAB/dns/$klab.key")
	printf '%s\n' "$DS_LAB" >"$LAB/unbound/lab.test.ds"

	RENDER_VARS="LAB" render "$TD/nsd.conf.in" "$LAB/dns/nsd.conf"
	nsd-checkconf "$LAB/dns/nsd.conf" || die "nsd-checkconf rejected $LAB/dns/nsd.conf"
	RENDER_VARS="LAB" render "$TD/unbound.conf.in" "$LAB/unbound/unbound.conf"
	unbound-checkconf "$LAB/unbound/unbound.conf" >/dev/null ||
		die "unbound-checkconf rejected $LAB/unbound/unbound.conf"
}

# hostile_records - the bulky hostile-DNS records: 500 MX records for
# mx500.lab.test (targets without addresses), 9 MX hosts of 16 addresses
# each for many.lab.test (144 addresses in 127.10.5.0/24, where nothing
# listens: more than a probe contacts) and an _mta-sts TXT record of about
# 50 KiB for txtbig.lab.test (only reachable over TCP).
hostile_records() {
	local i j x
	for ((i = 1; i <= 500; i++)); do
		printf 'mx500 MX %d m%d.mx500\n' "$i" "$i"
	done
	for ((i = 0; i < 9; i++)); do
		printf 'many MX %d m%d.many\n' "$((10 + i))" "$i"
		for ((j = 1; j <= 16; j++)); do
			printf 'm%d.many A 127.10.5.%d\n' "$i" "$((i * 16 + j))"
		done
	done
	x=$(printf '%250s' '' | tr ' ' x)
	printf '_mta-sts.txtbig TXT "v=STSv1; id=big;"'
	for ((i = 0; i < 199; i++)); do
		printf ' "%s"' "$x"
	done
	printf '\n'
}

# The field case (issue 13): a prefix this machine has no route to. `up`
# makes it unreachable in the kernel (noroute6_up), so a connect() fails at
# the route lookup and nothing is ever sent there. 2001:db8::/32 is the
# documentation prefix (RFC 3849); never 192.0.2.0/24 or fd00::/64, which
# are real networks on some test machines.
NOROUTE6_PREFIX=2001:db8:5eed::/48
NOROUTE6_ADDR=2001:db8:5eed::25

# field_records - v6noroute.lab.test: one MX host with mx1's IPv4 address
# and an AAAA in the unroutable prefix; v6only-noroute.lab.test: one MX
# host with only that AAAA.
field_records() {
	printf 'v6noroute MX 10 mx-v6noroute
'
	printf 'mx-v6noroute A 127.10.1.1
'
	printf 'mx-v6noroute AAAA %s
' "$NOROUTE6_ADDR"
	printf 'v6only-noroute MX 10 mx-v6only-noroute
'
	printf 'mx-v6only-noroute AAAA %s
' "$NOROUTE6_ADDR"
}

# noroute6_up - the unreachable route; on a machine with IPv6 it must be in
# place, or a probe of the field domains could send packets out through a
# default route.
noroute6_up() {
	[ -d /proc/sys/net/ipv6 ] || return 0
	ip -6 route replace unreachable "$NOROUTE6_PREFIX" ||
		die "cannot add the route 'unreachable $NOROUTE6_PREFIX'"
}

noroute6_down() {
	ip -6 route del unreachable "$NOROUTE6_PREFIX" 2>/dev/null || true
}

# dns_answers SERVER NAME TYPE FLAG [DIG-OPTION...] - true when SERVER answers
# NOERROR with FLAG (aa from NSD, ad from Unbound) in the header.
dns_answers() {
	local server=$1 name=$2 type=$3 flag=$4 out
	shift 4
	out=$(dig +time=1 +tries=1 "$@" @"$server" "$name" "$type" 2>&1) || return 1
	case "$out" in *"status: NOERROR"*) ;; *) return 1 ;; esac
	printf '%s\n' "$out" | grep -Eq "^;; flags:[a-z ]* ${flag}[ ;]"
}

# nsd_ready - every zone loaded, over UDP and TCP.
nsd_ready() {
	dns_answers 127.10.0.1 lab.test SOA aa +norec &&
		dns_answers 127.10.0.1 insecure.lab.test SOA aa +norec &&
		dns_answers 127.10.0.1 bogus.lab.test SOA aa +norec &&
		dns_answers 127.10.0.1 lab.test SOA aa +norec +tcp
}

# unbound_ready - lab.test validates (proves the trust anchor and the stub to
# NSD both work), over UDP and TCP.
unbound_ready() {
	dns_answers 127.10.0.2 lab.test SOA ad +dnssec &&
		dns_answers 127.10.0.2 lab.test SOA ad +dnssec +tcp
}

nsd_launch() {
	daemon_start nsd "$LAB/dns/nsd.log" nsd -c "$LAB/dns/nsd.conf"
}

nsd_wait() {
	daemon_wait nsd "$LAB/dns/nsd.log" nsd_ready "nsd does not answer on 127.10.0.1:53"
	elapsed
	say "nsd: up on 127.10.0.1:53 (at $ELAPSED)"
}

# Unbound is launched only after NSD answers, or it would mark NSD as down.
unbound_launch() {
	daemon_start unbound "$LAB/unbound/unbound.log" unbound -c "$LAB/unbound/unbound.conf"
}

unbound_wait() {
	daemon_wait unbound "$LAB/unbound/unbound.log" unbound_ready \
		"unbound does not answer lab.test with AD on 127.10.0.2:53"
	elapsed
	say "unbound: up on 127.10.0.2:53 (at $ELAPSED)"
}
