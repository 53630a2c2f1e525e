# shellcheck shell=bash
# tests/lib_exim.sh - a throwaway SENDING Exim for the sender tests
# (62-sendtest-exim): Debian's exim4 binary unpacked by scripts/lab/exim.sh
# (never installed: it conflicts with postfix), run as root with -C and a
# configuration, spool and log under a mktemp directory. No daemon: a
# message is submitted on the command line and delivered by that same
# process (-odi). Sourced after tests/lib.sh.
#
# Exim runs in a private mount namespace (ex_run) where three files are
# replaced by bind mounts:
#   /etc/resolv.conf  names the test's validating resolver, trust-ad (Exim
#                     uses the libc resolver; DANE needs the AD bit)
#   /etc/passwd, /etc/group  add "Debian-exim", the user Debian's build
#                     looks up by name at every start (it exits without it)

EXIM_BIN=${EXIM_CACHE:-/var/cache/smtptls/exim}/root/usr/sbin/exim4
# A uid/gid for Debian-exim that only the namespace knows.
EXIM_UID=59925

# ex_dir TMP RESOLVER - the namespace's files and the spool and log
# directories under TMP (owned by Debian-exim, which delivers)
ex_dir() {
	local t=$1
	mkdir -p "$t/spool" "$t/log"
	cp /etc/passwd "$t/passwd"
	cp /etc/group "$t/group"
	printf 'Debian-exim:x:%s:%s:smtptls test Exim:/nonexistent:/usr/sbin/nologin\n' \
	    "$EXIM_UID" "$EXIM_UID" >>"$t/passwd"
	printf 'Debian-exim:x:%s:\n' "$EXIM_UID" >>"$t/group"
	printf 'nameserver %s\noptions trust-ad\n' "$2" >"$t/resolv.conf"
	chown -R "$EXIM_UID:$EXIM_UID" "$t/spool" "$t/log"
}

# ex_main_cf TMP - the main section both tests share (stdout): where the
# binary is (Exim re-executes itself, by default as /usr/sbin/exim4), the
# spool and log, no listener, DNSSEC asked for (dns_dnssec_ok: the DO bit,
# and Exim believes the AD bit), and every message to sender.lab.test (the
# bounces) dropped. The caller appends routers for its recipients, then
# ex_tail_cf.
ex_main_cf() {
	cat <<EOT
exim_path = $EXIM_BIN
primary_hostname = sender.lab.test
qualify_domain = sender.lab.test
spool_directory = $1/spool
log_file_path = $1/log/%slog
log_selector = +tls_peerdn +tls_certificate_verified +outgoing_interface
keep_environment =
daemon_smtp_ports =
tls_advertise_hosts =
message_logs = false
dns_dnssec_ok = 1
# Every remote delivery of a message at once (the default is 2).
remote_max_parallel = 32

begin routers
bounces:
  driver = redirect
  domains = sender.lab.test
  data = :blackhole:
EOT
}

# ex_router NAME LOCALPART - a dnslookup router for one local part, to the
# transport of the same name. The MX hosts are on 127/8: where those
# addresses are configured on an interface, Exim takes the MX for itself
# and by default freezes the message; self = send delivers anyway.
ex_router() {
	cat <<EOT
$1:
  driver = dnslookup
  local_parts = $2
  dnssec_request_domains = *
  self = send
  transport = $1
  no_more
EOT
}

# ex_tail_cf - the retry section (one attempt is all a test waits for)
ex_tail_cf() {
	printf 'begin retry\n* * F,1h,10m\n'
}

# ex_run TMP ARGS... - exim ARGS in the private mount namespace, with
# TMP/exim.conf, stopped after EX_TIMEOUT (default 30) s at most
ex_run() {
	local t=$1
	shift
	# shellcheck disable=SC2016 # expanded by the inner sh
	timeout "${EX_TIMEOUT:-30}" unshare -m sh -c 'mount --bind "$1/passwd" /etc/passwd &&
	    mount --bind "$1/group" /etc/group &&
	    mount --bind "$1/resolv.conf" /etc/resolv.conf || exit 9
	    shift; exec "$@"' sh "$t" "$EXIM_BIN" -C "$t/exim.conf" "$@"
}

# --- a RECEIVING Exim (64-profiles-mtas): a daemon on one address, STARTTLS
# with a given certificate and GnuTLS's defaults for versions, suites and
# groups (no tls_require_ciphers, no tls_dhparam). It accepts connections
# and refuses every recipient (no acl_smtp_rcpt: Exim's default denies).

# ex_rx_cf TMP ADDR CHAIN KEY - the daemon's configuration (stdout)
ex_rx_cf() {
	cat <<EOT
exim_path = $EXIM_BIN
primary_hostname = exim.lab.test
spool_directory = $1/spool
log_file_path = $1/log/%slog
pid_file_path = $1/exim.pid
keep_environment =
local_interfaces = $2
daemon_smtp_ports = 25
tls_advertise_hosts = *
tls_certificate = $3
tls_privatekey = $4
host_lookup =
rfc1413_hosts =
message_logs = false
log_selector = +tls_cipher
EOT
}

# ex_rx_start TMP ADDR CHAIN KEY - start the daemon in the foreground of a
# background job (-bdf) in the namespace, stopped by ex_run's timeout
# (EX_TIMEOUT) at the latest. Returns once ADDR:25 listens (or fails
# after 5 s).
ex_rx_start() {
	local t=$1 _
	ex_rx_cf "$@" >"$t/exim.conf"
	chown "$EXIM_UID" "$4"
	ex_run "$t" -bdf >"$t/daemon.out" 2>&1 &
	for _ in $(seq 100); do
		ss -ltnH "src $2 and sport = :25" | grep -q . && return 0
		sleep 0.05
	done
	return 1
}

# ex_rx_stop TMP - stop the daemon by its pid file (the background job is a
# subshell: killing it would leave timeout and exim running), if it runs
ex_rx_stop() {
	local p
	p=$(pid_of "$1/exim.pid" exim4) && stop_pid "$p"
}
