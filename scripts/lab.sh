#!/usr/bin/env bash
# scripts/lab.sh - the smtptls lab: real servers on 127.10.0.0/16 that every
# integration test talks to (addresses, names and cases: testdata/lab/README.md).
#
#   scripts/lab.sh up      stop any old lab, make all state fresh (CA, keys,
#                          signed zones, configs), start NSD, Unbound, Postfix
#                          and nginx, and wait until each one really answers
#   scripts/lab.sh down    stop every lab daemon by the PID in its pidfile and
#                          wait until it and its children are gone
#   scripts/lab.sh status  one line per service; exit 0 only if all run
#   scripts/lab.sh root-up (re)start only the lab root (NSD 127.10.9.1) and the
#                          non-validating Unbound (127.10.9.2) of a running lab
#
# All state lives in ${SMTPTLS_LAB:-/tmp/smtptls-lab}; facts for scripts are
# in $LAB/env. Nothing binds a wildcard or 127.0.0.1, and nothing talks to
# anything outside loopback. Needs root (port 53/25/443, Postfix users).
set -eu
umask 022

top=$(cd "$(dirname "$0")/.." && pwd)
TD=$top/testdata/lab
LAB=${SMTPTLS_LAB:-/tmp/smtptls-lab}
CADIR=$LAB/ca
CERTS=$LAB/certs

# shellcheck source=scripts/lab/common.sh
. "$top/scripts/lab/common.sh"
# shellcheck source=scripts/lab/ca.sh
. "$top/scripts/lab/ca.sh"
# shellcheck source=scripts/lab/dns.sh
. "$top/scripts/lab/dns.sh"
# shellcheck source=scripts/lab/root.sh
. "$top/scripts/lab/root.sh"
# shellcheck source=scripts/lab/mta.sh
. "$top/scripts/lab/mta.sh"
# shellcheck source=scripts/lab/web.sh
. "$top/scripts/lab/web.sh"
# shellcheck source=scripts/lab/scale.sh
. "$top/scripts/lab/scale.sh"

# The services, in start order, with their pidfile, the /proc/PID/comm the
# pidfile's process must have, and the addresses they listen on.
SERVICES="nsd unbound postfix nginx nsd-root unbound-novalidate nsd-scale unbound-scale"
svc_pidfile() {
	case "$1" in
	nsd) echo "$LAB/dns/nsd.pid" ;;
	unbound) echo "$LAB/unbound/unbound.pid" ;;
	postfix) echo "$LAB/postfix/queue/pid/master.pid" ;;
	nginx) echo "$LAB/nginx/nginx.pid" ;;
	nsd-root) echo "$LAB/root/nsd.pid" ;;
	unbound-novalidate) echo "$LAB/unbound-novalidate/unbound.pid" ;;
	nsd-scale) echo "$LAB/scale/nsd.pid" ;;
	unbound-scale) echo "$LAB/scale/unbound.pid" ;;
	esac
}
svc_comm() {
	case "$1" in
	postfix) echo master ;;
	nsd-root) echo nsd ;;
	unbound-novalidate) echo unbound ;;
	*-scale) echo "${1%-scale}" ;;
	*) echo "$1" ;;
	esac
}
svc_addrs() {
	case "$1" in
	nsd) echo "127.10.0.1:53" ;;
	unbound) echo "127.10.0.2:53" ;;
	postfix) mta_addrs | paste -sd' ' ;;
	nginx) echo "127.10.0.3:443" ;;
	nsd-root) echo "$ROOT_NSD_ADDR:53" ;;
	unbound-novalidate) echo "$NOVALIDATE_ADDR:53" ;;
	nsd-scale) echo "$SCALE_NSD:53" ;;
	unbound-scale) echo "$SCALE_RESOLVER:53" ;;
	esac
}

# lab_listeners - every socket listening on one of the lab's fixed addresses,
# whoever owns it (ss -p names the process).
lab_listeners() {
	local want
	want=$(for s in $SERVICES; do svc_addrs "$s"; done | tr ' ' '\n' | grep . | sort -u)
	ss -Hlntup 2>/dev/null | awk -v want="$want" '
		BEGIN { n = split(want, w, "\n"); for (i = 1; i <= n; i++) ok[w[i]] = 1 }
		($5 in ok) { print "  " $1 " " $5 " " $7 }'
}

cmd_down() {
	local s rc=0 busy pids="" p
	# All services stop in parallel: each stop waits for its own processes.
	for s in $SERVICES; do
		stop_pidfile "$s" "$(svc_pidfile "$s")" "$(svc_comm "$s")" &
		pids="$pids $!"
	done
	for p in $pids; do wait "$p" || rc=1; done
	noroute6_down
	busy=$(lab_listeners)
	if [ -n "$busy" ]; then
		say "error: lab addresses are still in use by processes that no pidfile in $LAB names"
		say "(another lab directory, or a leftover; stop them by PID):"
		printf '%s\n' "$busy" >&2
		rc=1
	fi
	return "$rc"
}

cmd_status() {
	local s pid all=0
	for s in $SERVICES; do
		pid=$(pidfile_pid "$(svc_pidfile "$s")" "$(svc_comm "$s")")
		if [ -n "$pid" ]; then
			printf '%-18s running  pid %-7s %s\n' "$s" "$pid" "$(svc_addrs "$s")"
		else
			printf '%-18s stopped\n' "$s"
			all=1
		fi
	done
	return "$all"
}

# lab_fresh_dir - remove the previous state, but only a directory this script
# made (marker file), so a mistyped SMTPTLS_LAB can never wipe anything else.
lab_fresh_dir() {
	case "$LAB" in
	/*) ;;
	*) die "SMTPTLS_LAB must be an absolute path: '$LAB'" ;;
	esac
	case "$LAB" in
	*[[:space:]]* | *[\'\"\\@\|\&]*) die "SMTPTLS_LAB must not contain spaces or quotes: '$LAB'" ;;
	esac
	if [ -e "$LAB" ]; then
		[ -f "$LAB/.smtptls-lab" ] ||
			die "$LAB exists but was not made by scripts/lab.sh (no .smtptls-lab): not removing it"
		rm -rf -- "$LAB"
	fi
	mkdir -p "$LAB"
	chmod 755 "$LAB"
	: >"$LAB/.smtptls-lab"
}

# lab_write_env - $LAB/resolv.conf and $LAB/env, for tests and other tools.
lab_write_env() {
	# trust-ad: without it glibc clears the AD bit that DANE clients need.
	printf 'nameserver 127.10.0.2\noptions trust-ad\n' >"$LAB/resolv.conf"
	{
		echo "# Facts about the running smtptls lab, written by scripts/lab.sh up."
		echo "# Shell syntax: . \"\$LAB/env\". Names and cases: testdata/lab/README.md."
		q LAB "$LAB"
		q CA "$CADIR/root.pem"
		q CA_INTERMEDIATE "$CADIR/intermediate.pem"
		q CERTS "$CERTS"
		q RESOLVER 127.10.0.2
		q NSD 127.10.0.1
		q HTTPS 127.10.0.3
		q RESOLV_CONF "$LAB/resolv.conf"
		q MAIL_CONFIG_CLIENT "$LAB/postfix-client"
		q ADDR_MX1 127.10.1.1
		q ADDR_MX2 127.10.1.2
		q ADDR_MX_MULTI "127.10.1.3 127.10.1.4"
		q ADDR_MX_EXPIRED 127.10.1.10
		q ADDR_MX_WRONGNAME 127.10.1.11
		q ADDR_MX_SELFSIGNED 127.10.1.12
		q ADDR_MX_NOINTER 127.10.1.13
		q ADDR_MX_NOSTARTTLS 127.10.1.14
		q ADDR_MX_TLS12 127.10.1.15
		q ADDR_MX_REQUIRED 127.10.1.16
		q ADDR_MX_DEAD 127.10.1.99
		q ADDR_NOROUTE6 "$NOROUTE6_ADDR"
		echo "# TLSA data (hex SHA-256 of a SubjectPublicKeyInfo)"
		q TLSA_MX1 "$TLSA_MX1"
		q TLSA_MX2 "$TLSA_MX2"
		q TLSA_NOMATCH "$TLSA_NOMATCH"
		q STS_ID "$STS_ID"
		q DS_LAB "$(printf '%s' "$DS_LAB" | tr -s '\t' ' ')"
		q DS_BOGUS "$(printf '%s' "$DS_BOGUS" | tr -s '\t' ' ')"
		root_env
		echo "# The scale lab (scripts/lab/scale.sh): its resolver and domain list"
		q SCALE_RESOLVER "$SCALE_RESOLVER"
		q SCALE_DOMAINS_FILE "$LAB/scale/domains.txt"
	} >"$LAB/env"
}

# q NAME VALUE - one NAME='VALUE' line (values never hold a single quote).
q() { printf "%s='%s'\n" "$1" "$2"; }

# up_failed - when `up` dies half way, stop what it started; the state
# directory stays for the logs.
up_failed() {
	local rc=$? s
	[ "$rc" -eq 0 ] && return 0
	say "up failed: stopping what was started (state kept in $LAB for its logs)"
	# A daemon launched a moment ago may not have written its pidfile yet;
	# without it, down could not find it.
	for s in $LAUNCHED; do
		wait_until 3000 test -s "$(svc_pidfile "$s")" || true
	done
	cmd_down >/dev/null 2>&1 || true
	exit "$rc"
}

cmd_up() {
	local busy
	cmd_down || die "cannot stop the previous lab (see above)"
	busy=$(lab_listeners)
	[ -z "$busy" ] || die "lab addresses are in use:
$busy"
	lab_fresh_dir
	LAUNCHED=""
	trap up_failed EXIT
	# Name the command that failed: set -e alone would exit silently.
	set -E
	trap 'say "command failed (exit $?): $BASH_COMMAND"' ERR

	ca_make_all
	TLSA_MX1=$(spki_sha256 "$CERTS/mx1.pem")
	TLSA_MX2=$(spki_sha256 "$CADIR/intermediate.pem")
	dns_make
	root_make
	scale_make
	mta_make
	web_make
	lab_write_env
	noroute6_up
	elapsed
	say "state made in $LAB (at $ELAPSED)"

	# Independent daemons start together; only Unbound waits for NSD.
	LAUNCHED="nsd postfix nginx"
	nsd_launch
	LAUNCHED="$LAUNCHED nsd-root"
	root_nsd_launch
	LAUNCHED="$LAUNCHED nsd-scale"
	scale_nsd_launch
	mta_launch
	web_launch
	nsd_wait
	LAUNCHED="$LAUNCHED unbound"
	unbound_launch
	root_nsd_wait
	LAUNCHED="$LAUNCHED unbound-novalidate"
	novalidate_launch
	scale_nsd_wait
	LAUNCHED="$LAUNCHED unbound-scale"
	scale_unbound_launch
	unbound_wait
	novalidate_wait
	scale_unbound_wait
	mta_wait
	web_wait
	trap - EXIT ERR
	elapsed
	say "up in $ELAPSED; facts in $LAB/env"
}

# cmd_root_up - (re)make and (re)start only the lab root and the
# non-validating resolver, against a lab that already runs (its lab.test key
# and NSD); the env file gets the part's lines anew.
cmd_root_up() {
	local s
	[ -f "$LAB/env" ] || die "no running lab in $LAB (scripts/lab.sh up)"
	for s in unbound-novalidate nsd-root; do
		stop_pidfile "$s" "$(svc_pidfile "$s")" "$(svc_comm "$s")"
	done
	root_make
	root_nsd_launch
	root_nsd_wait
	novalidate_launch
	novalidate_wait
	{
		grep -v -e '^# the lab root:' -e '^# resolver (RRSIGs' -e '^NSD_ROOT=' \
			-e '^RESOLVER_NOVALIDATE=' -e '^ROOT_ANCHOR=' "$LAB/env" || true
		root_env
	} >"$LAB/env.new"
	mv "$LAB/env.new" "$LAB/env"
}

# One lab operation at a time: two concurrent `up`s would fight over the same
# addresses and directory. The lock file sits beside the lab directory
# because `up` removes the directory itself; daemons get fd 9 closed.
lab_lock() {
	exec 9>"$LAB.lock"
	flock -w 120 9 || die "another scripts/lab.sh holds $LAB.lock"
}

now_ms
T0=$NOW_MS
case "${1:-}" in
up)
	lab_lock
	cmd_up
	;;
down)
	lab_lock
	cmd_down
	elapsed
	say "down in $ELAPSED"
	;;
root-up)
	lab_lock
	cmd_root_up
	elapsed
	say "root part up in $ELAPSED"
	;;
status)
	cmd_status
	;;
*)
	echo "usage: scripts/lab.sh up | down | status | root-up" >&2
	exit 2
	;;
esac
