# scripts/lab/common.sh - helpers shared by scripts/lab.sh and its parts
# (sourced, bash): messages, template rendering, bounded polling, and
# stopping a daemon by the PID in its pidfile.

say() { printf 'lab: %s\n' "$*" >&2; }

# elapsed - set ELAPSED to "N ms" since T0 (set by lab.sh at its start).
elapsed() {
	now_ms
	# shellcheck disable=SC2034 # read by the callers
	ELAPSED="$((NOW_MS - T0)) ms"
}

die() {
	say "error: $*"
	exit 1
}

# render TEMPLATE OUT - copy TEMPLATE to OUT, replacing @NAME@ by the value of
# the shell variable NAME for every NAME listed in $RENDER_VARS. A placeholder
# left over afterwards is a bug in the template or the list: fail loudly.
render() {
	local tpl=$1 out=$2 name val script=""
	for name in $RENDER_VARS; do
		val=${!name}
		# Values are paths, hashes and DNS records: none holds a character
		# that sed would treat specially in a replacement.
		case "$val" in
		*[\\\|\&]* | *$'\n'*) die "render: value of $name is not safe for sed: '$val'" ;;
		esac
		script="${script}s|@${name}@|${val}|g;"
	done
	sed -e "$script" "$tpl" >"$out"
	if grep -n '@[A-Z_][A-Z0-9_]*@' "$out" >&2; then
		die "unfilled placeholder in $out (from $tpl)"
	fi
}

# now_ms - set NOW_MS to the time in milliseconds (bash 5's EPOCHREALTIME;
# a variable, not output, because a $(...) costs a fork and forks are slow
# on a loaded machine).
now_ms() {
	NOW_MS=${EPOCHREALTIME/./}
	NOW_MS=${NOW_MS%???}
}

# wait_until TIMEOUT_MS CMD... - run CMD every 50 ms until it succeeds or
# the time is up. No fixed sleeps: a service that is ready at once costs one
# try. Returns CMD's last status.
wait_until() {
	local limit
	now_ms
	limit=$((NOW_MS + $1))
	shift
	while :; do
		if "$@"; then return 0; fi
		now_ms
		[ "$NOW_MS" -lt "$limit" ] || return 1
		sleep 0.05
	done
}

# proc_state PID - set PROC_STATE to the one-letter state from
# /proc/PID/stat, empty when the process is gone. The comm field may contain
# spaces and parentheses, so cut after the last ')'.
proc_state() {
	local s
	PROC_STATE=""
	read -r s 2>/dev/null <"/proc/$1/stat" || return 0
	s=${s##*) }
	PROC_STATE=${s%% *}
}

# proc_comm PID - set PROC_COMM to /proc/PID/comm with blanks removed (one
# word), empty when the process is gone.
proc_comm() {
	PROC_COMM=""
	read -r PROC_COMM 2>/dev/null <"/proc/$1/comm" || true
	PROC_COMM=${PROC_COMM// /}
}

# proc_gone PID... - true when every PID has exited. A zombie counts as gone:
# PID 1 reaps orphans only every 1.5-2 s, and kill -0 succeeds on a zombie.
proc_gone() {
	local p
	for p in "$@"; do
		proc_state "$p"
		case "$PROC_STATE" in
		'' | Z | X) ;;
		*) return 1 ;;
		esac
	done
	return 0
}

# proc_descendants PID - every live descendant of PID (children of a daemon
# such as Postfix's smtpd or nginx's worker), so that `down` can wait for
# them too, not just for the parent.
proc_descendants() {
	local d s ppid p out="" queue
	local -A kids=()
	for d in /proc/[0-9]*; do
		read -r s 2>/dev/null <"$d/stat" || continue
		s=${s##*) } # "STATE PPID ..."
		ppid=${s#* }
		ppid=${ppid%% *}
		case "$ppid" in '' | *[!0-9]*) continue ;; esac
		kids[$ppid]="${kids[$ppid]:-} ${d#/proc/}"
	done
	# Breadth-first walk from PID through the parent -> children map.
	queue=${kids[$1]:-}
	while [ -n "${queue// /}" ]; do
		queue=${queue#"${queue%%[! ]*}"}
		p=${queue%% *}
		queue=${queue#"$p"}
		out="$out $p"
		queue="$queue ${kids[$p]:-}"
	done
	printf '%s' "${out# }"
}

# pidfile_pid PIDFILE COMM - print the PID from PIDFILE if that process is
# alive and its /proc/PID/comm is COMM (or "COMM: role"); otherwise print
# nothing. A stale pidfile whose PID now belongs to something else is never
# trusted.
pidfile_pid() {
	local pidfile=$1 comm=$2 pid c
	[ -r "$pidfile" ] || return 0
	read -r pid 2>/dev/null <"$pidfile" || return 0
	case "$pid" in '' | *[!0-9]*) return 0 ;; esac
	read -r c 2>/dev/null <"/proc/$pid/comm" || return 0
	# NSD retitles its processes "nsd: xfrd", "nsd: main", ...
	case "$c" in "$comm" | "$comm: "*) ;; *) return 0 ;; esac
	proc_gone "$pid" && return 0
	printf '%s' "$pid"
}

# stop_pidfile NAME PIDFILE COMM - SIGTERM the daemon named by PIDFILE and wait
# until it and all its descendants are gone; SIGKILL what is left after 5 s.
stop_pidfile() {
	local name=$1 pidfile=$2 comm=$3 pid kids left p comms=""
	[ -e "$pidfile" ] || return 0
	pid=$(pidfile_pid "$pidfile" "$comm")
	if [ -z "$pid" ]; then
		rm -f "$pidfile"
		return 0
	fi
	kids=$(proc_descendants "$pid")
	# Remember who they are: SIGKILL, if needed, goes only to a PID that still
	# runs the same program (a PID can be reused once its process is gone).
	for p in $pid $kids; do
		proc_comm "$p"
		comms="$comms $p=$PROC_COMM"
	done
	kill -TERM "$pid" 2>/dev/null || true
	# shellcheck disable=SC2086
	if ! wait_until 5000 proc_gone "$pid" $kids; then
		left=""
		for p in $pid $kids; do
			proc_gone "$p" && continue
			proc_comm "$p"
			case "$comms " in
			*" $p=$PROC_COMM "*) left="$left $p" ;;
			esac
		done
		[ -n "$left" ] || { rm -f "$pidfile"; return 0; }
		say "$name: still running after SIGTERM:$left; sending SIGKILL"
		# shellcheck disable=SC2086
		kill -KILL $left 2>/dev/null || true
		# shellcheck disable=SC2086
		wait_until 3000 proc_gone $left || {
			say "$name: could not stop:$left"
			return 1
		}
	fi
	rm -f "$pidfile"
	say "$name: stopped (pid $pid)"
}

# log_tail NAME FILE... - show the end of a service's logs after a failure.
log_tail() {
	local name=$1 f
	shift
	for f in "$@"; do
		[ -s "$f" ] || continue
		printf 'lab: --- %s: last lines of %s ---\n' "$name" "$f" >&2
		tail -n 20 "$f" | sed 's/^/lab:   /' >&2
	done
}

# daemon_start NAME LOG CMD...: start a daemon that puts itself in the
# background; when it cannot, show its log and stop the lab. Descriptor 9
# (lab.sh's lock) is closed for it: a daemon must not hold the lock.
daemon_start() {
	local name=$1 logf=$2
	shift 2
	"$@" 9>&- || { log_tail "$name" "$logf"; die "$name did not start"; }
}

# daemon_wait NAME LOG READY WHY...: wait up to 10 s until the command READY
# succeeds; else show the daemon's log and stop the lab with WHY.
daemon_wait() {
	local name=$1 logf=$2 ready=$3
	shift 3
	wait_until 10000 "$ready" || { log_tail "$name" "$logf"; die "$*"; }
}
