# scripts/lab/mta.sh - the lab's receiving MTAs (sourced by scripts/lab.sh,
# bash): ONE Postfix instance in $LAB/postfix whose master runs one smtpd
# service per 127.10.1.x address listed in testdata/lab/postfix/master.cf.in.

PFX=$LAB/postfix

# mta_addrs - the ADDR:25 listeners, read from the master.cf template so that
# the list of services lives in one place.
mta_addrs() {
	grep -Eo '^127\.10\.[0-9]+\.[0-9]+:25' "$TD/postfix/master.cf.in"
}

# mta_make - configuration and queue tree. The tree is made by hand with the
# owners and modes `postfix check` would set: that command takes ~3 s.
mta_make() {
	local q=$PFX/queue
	mkdir -p "$q" "$PFX/data"
	RENDER_VARS="LAB" render "$TD/postfix/main.cf.in" "$PFX/main.cf"
	RENDER_VARS="CERTS" render "$TD/postfix/master.cf.in" "$PFX/master.cf"
	(cd "$q" && mkdir -m 700 active bounce corrupt defer deferred flush hold \
		incoming private saved trace &&
		chown postfix:root active bounce corrupt defer deferred flush hold \
			incoming private saved trace)
	mkdir -m 730 "$q/maildrop"
	mkdir -m 710 "$q/public"
	chown postfix:postdrop "$q/maildrop" "$q/public"
	mkdir -m 755 "$q/pid"
	chown postfix:postfix "$PFX/data"
	chmod 700 "$PFX/data"

	# The client side: posttls-finger and friends need some main.cf.
	mkdir -p "$LAB/postfix-client"
	cp "$TD/postfix-client/main.cf" "$LAB/postfix-client/main.cf"
}

# mta_ready ADDR - the smtpd at ADDR:25 greets with "220 <its name> ESMTP"
# within 2 s (then it gets a QUIT). One bash under timeout: the connect is to
# loopback, the read has its own limit, timeout guards the rest.
mta_ready() {
	# shellcheck disable=SC2016 # $1 and $line belong to the inner bash
	timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/25" &&
		IFS= read -r -t 2 line <&3 &&
		printf "QUIT\r\n" >&3 &&
		case "$line" in "220 "*" ESMTP"*) exit 0 ;; *) exit 1 ;; esac' \
		mta_ready "$1" 2>/dev/null
}

# mta_launch - start the master in the background: with -w it returns only
# once the daemon is ready, and DNS and nginx can start meanwhile. fd 9 is
# lab.sh's lock, which no daemon may inherit.
mta_launch() {
	/usr/lib/postfix/sbin/master -c "$PFX" -w 9>&- &
	MTA_LAUNCHER=$!
}

# mta_wait_one ADDR - bounded wait for one service's greeting.
mta_wait_one() {
	wait_until 10000 mta_ready "${1%:25}" || {
		say "postfix: no SMTP greeting on $1"
		return 1
	}
}

# mta_wait - the master is up and every listener greets (checked in
# parallel: each check is a new smtpd process).
mta_wait() {
	local a pids="" p rc=0
	wait "$MTA_LAUNCHER" ||
		{ log_tail postfix "$PFX/postfix.log"; die "postfix master did not start"; }
	for a in $(mta_addrs); do
		mta_wait_one "$a" &
		pids="$pids $!"
	done
	for p in $pids; do wait "$p" || rc=1; done
	[ "$rc" -eq 0 ] ||
		{ log_tail postfix "$PFX/postfix.log"; die "postfix: not every smtpd service answers"; }
	# A greeting is not enough: smtpd greets even when it could not load its
	# certificate (it then just drops STARTTLS). Each service has now started
	# one smtpd, so any such trouble is already in the log.
	if grep -E 'postfix/[a-z-]+\[[0-9]+\]: (warning|error|fatal|panic):' "$PFX/postfix.log" >&2; then
		die "postfix: the services above logged problems at start ($PFX/postfix.log)"
	fi
	elapsed
	say "postfix: up on $(mta_addrs | paste -sd' ') (at $ELAPSED)"
}
