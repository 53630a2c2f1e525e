# shellcheck shell=bash
# tests/lib_postfix.sh - a throwaway SENDING Postfix for the tests that
# need a real sender (55-listen-postfix, 59-sendtest): its own main.cf and
# master.cf, queue and data directories under a mktemp directory, a log
# file instead of syslog, and no smtpd listener. It never touches the
# lab's receiving Postfix. Sourced after tests/lib.sh.

# pf_main_cf TMP Q PLOG - the main.cf lines both tests share (stdout): the
# directories, no local delivery, everything the transport map
# (TMP/etc/transport) does not route is discarded, logging to PLOG, the
# lab CA as the trust store, one session per message, quick retries. The
# caller appends its own lines.
pf_main_cf() {
	cat <<EOT
compatibility_level = 3.6
queue_directory = $2
data_directory = $1/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = loopback-only
inet_protocols = ipv4
myhostname = sender.lab.test
mydomain = sender.lab.test
myorigin = sender.lab.test
mydestination =
relay_domains =
relayhost =
alias_maps =
alias_database =
local_recipient_maps =
biff = no
transport_maps = texthash:$1/etc/transport
default_transport = discard:
local_transport = discard:
maillog_file = $3
maillog_file_prefixes = $1
smtp_tls_CAfile = $CA
smtp_tls_loglevel = 1
smtp_connection_cache_on_demand = no
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
EOT
}

# pf_master_cf - the services every instance needs (stdout, no chroot);
# the caller appends its smtp services
pf_master_cf() {
	cat <<'EOT'
pickup        unix  n       -      n      60     1       pickup
cleanup       unix  n       -      n      -      0       cleanup
qmgr          unix  n       -      n      300    1       qmgr
tlsmgr        unix  -       -      n      1000?  1       tlsmgr
rewrite       unix  -       -      n      -      -       trivial-rewrite
bounce        unix  -       -      n      -      0       bounce
defer         unix  -       -      n      -      0       bounce
trace         unix  -       -      n      -      0       bounce
flush         unix  n       -      n      1000?  0       flush
showq         unix  n       -      n      -      -       showq
error         unix  -       -      n      -      -       error
retry         unix  -       -      n      -      -       error
discard       unix  -       -      n      -      -       discard
scache        unix  -       -      n      -      1       scache
postlog       unix-dgram n  -      n      -      1       postlogd
dnsblog       unix  -       -      n      -      0       dnsblog
EOT
}

# pf_queue_tree TMP Q - the queue tree with the owners and modes `postfix
# check` sets (made by hand: faster, and `postfix check` can fail
# silently), and the data directory
pf_queue_tree() {
	mkdir -p "$1/data" "$2"
	(cd "$2" && mkdir -m 700 active bounce corrupt defer deferred flush hold \
	    incoming private saved trace &&
	    chown postfix:root active bounce corrupt defer deferred flush hold \
	    incoming private saved trace)
	mkdir -m 730 "$2/maildrop"
	mkdir -m 710 "$2/public"
	chown postfix:postdrop "$2/maildrop" "$2/public"
	mkdir -m 755 "$2/pid"
	chown postfix:postfix "$1/data"
	chmod 700 "$1/data"
}

# --- For the sender tests (61-sendtest-sts): the processes they start ----
# pf_pid_of FILE COMM - the pid in FILE if that process runs as COMM
pf_pid_of() {
	local p
	[ -r "$1" ] || return 1
	p=$(tr -dc 0-9 <"$1" 2>/dev/null) || return 1
	[ -n "$p" ] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$2" ] && echo "$p"
}

# pf_stop_pid PID - TERM, wait up to 3 s (a zombie counts as gone), KILL;
# the state is read with bash's read (no process per look: this runs
# while the machine is busy ending the others)
pf_stop_pid() {
	local p=$1 _ st
	kill "$p" 2>/dev/null
	for _ in $(seq 1 30); do
		st=""
		{ read -r _ _ st _ <"/proc/$p/stat"; } 2>/dev/null
		case "$st" in
		"" | Z) return 0 ;;
		esac
		sleep 0.1
	done
	kill -9 "$p" 2>/dev/null
}

# pf_attempted PLOG - how many recipients the log shows with a status
# (a first delivery attempt made)
pf_attempted() {
	grep -oE 'to=<[^>]+>, .*status=(sent|deferred|bounced)' "$1" 2>/dev/null |
	    sed 's/,.*//' | sort -u | wc -l
}

# pf_wait_attempted PLOG N PID - wait (up to 60 s: a busy machine) until N
# recipients have had an attempt, or process PID (the listener) is gone
pf_wait_attempted() {
	local _
	for _ in $(seq 1 600); do
		[ "$(pf_attempted "$1")" -ge "$2" ] && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# pf_dnssec_main_cf ZONE - the main.cf lines of a sender that resolves
# through a validating resolver serving only ZONE (stdout)
pf_dnssec_main_cf() {
	cat <<EOT
smtp_dns_support_level = dnssec
# The default probe asks for the root's NS, which this resolver refuses.
dnssec_probe = ns:$1
smtp_host_lookup = dns
smtp_connect_timeout = 5s
smtp_helo_timeout = 5s
smtp_starttls_timeout = 5s
EOT
}
