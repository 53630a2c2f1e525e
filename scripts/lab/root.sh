# scripts/lab/root.sh - the lab's own DNS root (sourced by scripts/lab.sh,
# bash), so that validation anchored at the root runs offline: a second NSD
# on 127.10.9.1 serving a signed "." and a signed "test." that delegate down
# to lab.test on 127.10.0.1 (DS made from the lab.test key of dns_make), and
# a NON-validating Unbound on 127.10.9.2 (iterator only, root hints =
# 127.10.9.1) that hands out RRSIGs but never sets AD: the resolver most
# users have, for smtptls's local validation (--dnssec local|auto).
#
# State: $LAB/root (zones, keys, nsd.conf, root.key = the trust anchor, the
# DS of "."), $LAB/unbound-novalidate. Needs: LAB, TD, the lab.test key in
# $LAB/dns (dns_make). `scripts/lab.sh root-up` (re)starts just this part
# against a lab that already runs.

ROOT_NSD_ADDR=127.10.9.1
NOVALIDATE_ADDR=127.10.9.2

# root_keygen ZONE - like dns_keygen, in $LAB/root.
root_keygen() {
	(cd "$LAB/root" && ldns-keygen -a ECDSAP256SHA256 -k "$1")
}

# root_sign ZONE FILE KEYBASE - FILE -> FILE.signed, valid from an hour ago
# (clock skew) for 30 days, NSEC.
root_sign() {
	local now
	now=$(date +%s)
	(cd "$LAB/root" && ldns-signzone -i $((now - 3600)) -e $((now + 30 * 86400)) \
		-o "$1" -f "$2.signed" "$2" "$3")
}

# root_make - keys, the two zones, signatures, the anchor, both configs.
root_make() {
	local klab="" k ktest kroot ds_lab ds_test
	rm -rf "$LAB/root" "$LAB/unbound-novalidate"
	mkdir -p "$LAB/root/xfr" "$LAB/unbound-novalidate"
	for k in "$LAB"/dns/Klab.test.+*.key; do
		[ -f "$k" ] && klab=$k && break
	done
	[ -n "$klab" ] || die "root: no lab.test key in $LAB/dns (run dns_make first)"
	ds_lab=$(ldns-key2ds -n -2 "$klab")

	# test.: the parent of lab.test, with its DS and the glue of its server.
	# shellcheck disable=SC2016 # $ORIGIN and $TTL are zone file syntax
	{
		printf '$ORIGIN test.\n$TTL 300\n'
		printf '@ SOA ns.test. hostmaster.test. 1 3600 600 86400 300\n'
		printf '@ NS ns.test.\nns A %s\n' "$ROOT_NSD_ADDR"
		printf 'lab NS ns.lab.test.\nns.lab A 127.10.0.1\n'
		printf '%s\n' "$ds_lab"
	} >"$LAB/root/test.zone"
	ktest=$(root_keygen test.)
	root_sign test. test.zone "$ktest"
	ds_test=$(ldns-key2ds -n -2 "$LAB/root/$ktest.key")

	# ".": delegates test. to the same server, signed DS.
	# shellcheck disable=SC2016 # $ORIGIN and $TTL are zone file syntax
	{
		printf '$ORIGIN .\n$TTL 300\n'
		printf '. SOA ns.test. hostmaster.test. 1 3600 600 86400 300\n'
		printf '. NS ns.test.\n'
		printf 'test. NS ns.test.\nns.test. A %s\n' "$ROOT_NSD_ADDR"
		printf '%s\n' "$ds_test"
	} >"$LAB/root/root.zone"
	kroot=$(root_keygen .)
	root_sign . root.zone "$kroot"
	# The trust anchor, as Debian's /usr/share/dns/root.key has it (DNSKEY).
	grep -v '^;' "$LAB/root/$kroot.key" >"$LAB/root/root.key"
	printf '. NS ns.test.\nns.test. A %s\n' "$ROOT_NSD_ADDR" >"$LAB/root/root.hints"

	RENDER_VARS="LAB" render "$TD/nsd-root.conf.in" "$LAB/root/nsd.conf"
	nsd-checkconf "$LAB/root/nsd.conf" || die "nsd-checkconf rejected $LAB/root/nsd.conf"
	RENDER_VARS="LAB" render "$TD/unbound-novalidate.conf.in" "$LAB/unbound-novalidate/unbound.conf"
	unbound-checkconf "$LAB/unbound-novalidate/unbound.conf" >/dev/null ||
		die "unbound-checkconf rejected $LAB/unbound-novalidate/unbound.conf"
}

# root_nsd_ready - the root and test. load, over UDP and TCP.
root_nsd_ready() {
	dns_answers "$ROOT_NSD_ADDR" . SOA aa +norec &&
		dns_answers "$ROOT_NSD_ADDR" test. SOA aa +norec &&
		dns_answers "$ROOT_NSD_ADDR" . SOA aa +norec +tcp
}

# novalidate_ready - lab.test resolves from the root down, with its RRSIG
# (DO is passed on) and without AD (nothing validates).
novalidate_ready() {
	local out
	out=$(dig +time=1 +tries=1 +dnssec @"$NOVALIDATE_ADDR" lab.test SOA 2>&1) || return 1
	case "$out" in *"status: NOERROR"*) ;; *) return 1 ;; esac
	case "$out" in *"RRSIG"*) ;; *) return 1 ;; esac
	! printf '%s\n' "$out" | grep -Eq '^;; flags:[a-z ]* ad[ ;]'
}

root_nsd_launch() {
	daemon_start nsd-root "$LAB/root/nsd.log" nsd -c "$LAB/root/nsd.conf"
}

root_nsd_wait() {
	daemon_wait nsd-root "$LAB/root/nsd.log" root_nsd_ready \
		"nsd does not answer '.' on $ROOT_NSD_ADDR:53"
	elapsed
	say "nsd-root: up on $ROOT_NSD_ADDR:53 (at $ELAPSED)"
}

# Launched after both NSDs answer (lab.test is below the lab root).
novalidate_launch() {
	daemon_start unbound-novalidate "$LAB/unbound-novalidate/unbound.log" \
		unbound -c "$LAB/unbound-novalidate/unbound.conf"
}

novalidate_wait() {
	daemon_wait unbound-novalidate "$LAB/unbound-novalidate/unbound.log" novalidate_ready \
		"unbound does not resolve lab.test from the lab root on $NOVALIDATE_ADDR:53"
	elapsed
	say "unbound-novalidate: up on $NOVALIDATE_ADDR:53 (at $ELAPSED)"
}

# root_env - the env lines of this part (lab_write_env and root_up).
root_env() {
	echo "# the lab root: signed '.' and 'test.' on NSD_ROOT; a non-validating"
	echo "# resolver (RRSIGs, never AD); ROOT_ANCHOR = the root's DNSKEY"
	q NSD_ROOT "$ROOT_NSD_ADDR"
	q RESOLVER_NOVALIDATE "$NOVALIDATE_ADDR"
	q ROOT_ANCHOR "$LAB/root/root.key"
}
