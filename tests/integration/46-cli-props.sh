# tests/integration/46-cli-props.sh - every option against hostile values
# (issue 10, "Edges"); 45-cli.sh has the hand-picked mistakes.
#
# The options come from the help texts (smtptls --help, probe --help,
# listen --help, serve --help), so a new option is covered without
# touching this file.
# Each option that takes a value gets: empty; 300, 4,096 and 65,536 octets;
# control octets (\001, \177, ESC); non-UTF-8 octets; and where a number is
# read (N, SECONDS, a port) -1, 0 and a 20-digit number. A value is shaped
# by the option's metavar so that it gets past the first check: ADDRESS a
# mailbox of that length, NAME dotted labels, a number or port 300 octets
# of leading zeros (then 4,096 and 65,536 digits: overflow), and the
# longest valid mailbox (254) and name (253). probe runs against a
# one-address lab domain, then - for the values that got past the option
# parser and reach each address as text - a multi-address one. listen
# binds 127.10.2.200-208 (.209 for flags) with --duration 1, serve
# 127.10.17.20-28 (.29 for flags).
#
# Every run: exit 0-3 (4 is an internal error, never the answer to a bad
# value), no signal, no sanitizer report (99), no hang; exit 2 with exactly
# one stderr line, without control octets, and nothing on stdout. Some
# values are usage errors (2) whatever the option: control and non-UTF-8
# octets (except in an --ignore pattern, which only ever matches), an
# ADDRESS over 254 octets (RFC 5321 4.5.3.1.3 with the brackets), a NAME
# over 253, a negative or overflowing number, an empty or long garbage
# value; and so is a flag given a value (--scan=x).
#
# Runs go through a pool, two probes at a time (the 2 cores) and nine
# listeners (each sleeps its second away), so that the ~250 runs stay
# fast under ASan.
. "$SMTPTLS_TOP/tests/lib.sh"
export LC_ALL=C # lengths in octets; values are not text

TMP=$(mktemp -d /tmp/smtptls-cliprops.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
# One address (MX mx1, an MTA-STS enforce policy) and two (mx-multi has
# two A records); --host takes the MX host names instead.
# shellcheck disable=SC2034 # ONE and MULTI are read as ${!tgt}
ONE=stswild.lab.test ONE_HOST=mx1.lab.test
# shellcheck disable=SC2034
MULTI=multi.lab.test MULTI_HOST=mx-multi.lab.test
# The options whose value replaces the target; the metavar of values that
# are patterns and may hold any octet.
TARGETLESS=" --host --domains "
PATTERN_META=ID
BASE=(--resolver "$RESOLVER" --ca-file "$CA" --allow-private --timeout 2
    --deadline 5)
CTRL=$'a\001b\177c\033[31m'
NONUTF8=$'\xff\xfe'
KINDS="empty 300 4096 65536 ctrl nonutf8"
NUMBERS="-1 0 huge"
# In the patterns below, kind [1-9][0-9][0-9]* is a length; a number of
# 4096 or 65536 digits overflows.
is_numeric_meta() { case ${1#=} in N | SECONDS | ADDR\[* | HOST*) ;; *) false ;; esac; }
# A value that reaches every address as text is also tried against the
# multi-address domain; a number is the same number whatever the target.
is_text_meta() { case ${1#=} in ADDRESS | NAME | HOST*) ;; *) false ;; esac; }

A=$(head -c 65536 /dev/zero | tr '\0' a)
Z=$(head -c 65536 /dev/zero | tr '\0' 0)
ONES=$(head -c 65536 /dev/zero | tr '\0' 1)
LABELS=""
while [ ${#LABELS} -lt 65536 ]; do LABELS="$LABELS${A:0:63}."; done
# name_len N: a host name of exactly N octets (63-octet labels) in $NAME
name_len() {
	NAME=${LABELS:0:$1}
	[ "${NAME%.}" = "$NAME" ] || NAME="${NAME%.}b"
}

# kinds META: the kinds of value to try for an option with metavar META
kinds() {
	printf '%s' "$KINDS"
	! is_numeric_meta "$1" || printf ' %s' "$NUMBERS"
	# the longest valid value (RFC 5321 4.5.3.1.3, RFC 1035 2.3.4)
	case ${1#=} in ADDRESS) printf ' 254' ;; NAME | WHAT) printf ' 253' ;; esac
}

# shape META KIND BASE: the value of KIND for an option with metavar META
# in $V; BASE is the domain (ADDRESS), the host (HOST[:PORT]) or
# ADDR:PORT (ADDR[:PORT])
shape() {
	local meta=${1#=} kind=$2 base=$3 n=$2 addr=${3%:*} port=${3##*:}
	case $kind in
	empty) V="" && return ;;
	-1 | 0) V=$kind ;;
	huge) V=99999999999999999999 ;;
	ctrl) V=$CTRL ;;
	nonutf8) V=$NONUTF8 ;;
	*) V=${A:0:$n} ;;
	esac
	case $meta:$kind in
	ADDRESS:ctrl | ADDRESS:nonutf8) V="$V@$base" ;;
	ADDRESS:[1-9][0-9][0-9]*) V="${A:0:$((n - 1 - ${#base}))}@$base" ;;
	NAME:ctrl | NAME:nonutf8 | HOST*:ctrl | HOST*:nonutf8) V="mx$V.lab.test" ;;
	NAME:[1-9][0-9][0-9]*) name_len "$n" && V=$NAME ;;
	HOST*:300) V="$base:${Z:0:$((n - ${#base} - 3))}25" ;;
	HOST*:4096 | HOST*:65536) V="$base:${ONES:0:$((n - ${#base} - 1))}" ;;
	HOST*:-1 | HOST*:0 | HOST*:huge) V="$base:$V" ;;
	ADDR\[*:300) V="$addr:${Z:0:$((n - ${#base}))}$port" ;;
	ADDR\[*:4096 | ADDR\[*:65536) V="$addr:${ONES:0:$((n - ${#addr} - 1))}" ;;
	ADDR\[*:-1 | ADDR\[*:0 | ADDR\[*:huge) V="$addr:$V" ;;
	ADDR\[*:*) V="$addr$V" ;;
	N:300 | SECONDS:300) V="${Z:0:$((n - 1))}1" ;;
	N:4096 | N:65536 | SECONDS:4096 | SECONDS:65536) V=${ONES:0:$n} ;;
	N:ctrl | N:nonutf8 | SECONDS:ctrl | SECONDS:nonutf8) V="1$V" ;;
	WHAT:[1-9][0-9][0-9]*) name_len $((n - 4)) && V="sni=$NAME" ;;
	WHAT:ctrl | WHAT:nonutf8) V="sni=mx$V" ;;
	esac
}

# must_reject META KIND: true when KIND is a usage error for META
must_reject() {
	local meta=${1#=}
	[ "$meta" != "$PATTERN_META" ] || return 1
	case $2 in
	ctrl | nonutf8) ;;
	-1 | huge) ;;                    # a count, seconds or a port
	empty) [ "$meta" != ADDRESS ] ;; # --mail-from '' is the null path
	300) ! is_numeric_meta "$meta" ;; # a number: leading zeros, valid
	4096 | 65536) ;;                 # too long, or a number that overflows
	*) false ;;                      # 0, and the longest valid 253, 254
	esac
}

# judge NAME WANT RC OUT ERR: WANT is 2 or "any"; one PASS or FAIL line.
# (Shell built-ins only on the way to a PASS: there are hundreds.)
judge() {
	local name=$1 want=$2 rc=$3 out=$4 err=$5 msg="" lines shown=$2
	[ "$want" != any ] || shown=0-3
	IFS= read -r -d '' msg <"$err"
	lines=${msg//[!$'\n']/}
	lines=${#lines}
	if [ "$rc" = 124 ]; then
		t_fail "$name" "exit $shown" "still running after 20 s"
	elif [ "$rc" -gt 128 ]; then
		t_fail "$name" "exit $shown" "killed by signal $((rc - 128)): $(seen "$rc" "$err")"
	elif [ "$rc" = 99 ] || [[ $msg == *Sanitizer* || $msg == *"runtime error:"* ]]; then
		t_fail "$name" "exit $shown" "exit $rc, sanitizer report: $(head -c 800 "$err")"
	elif [ "$want" = 2 ] && [ "$rc" != 2 ]; then
		t_fail "$name" "exit 2 (usage error)" "$(seen "$rc" "$err")"
	elif [ "$rc" -gt 3 ]; then
		t_fail "$name" "exit 0-3" "$(seen "$rc" "$err")"
	elif [ "$rc" = 2 ] && { [ "$lines" != 1 ] || [ -s "$out" ]; }; then
		t_fail "$name" "exit 2, one stderr line, empty stdout" \
		    "$lines stderr lines, $(wc -c <"$out") octets on stdout: $(seen "$rc" "$err")"
	elif [ "$rc" = 2 ] && ! safe_text "${msg%$'\n'}"; then
		t_fail "$name" "a message without control octets, in UTF-8" \
		    "$(seen "$rc" "$err")"
	else
		t_pass "$name"
	fi
}

# seen RC ERR: what a FAIL line shows
seen() { printf 'exit %s; stderr: %s' "$1" "$(head -c 300 "$2" | cat -v)"; }

# safe_text TEXT: no control octet and valid UTF-8: what the user typed is
# quoted, never echoed raw to the terminal
safe_text() {
	[[ $1 != *[[:cntrl:]]* ]] || return 1
	[[ $1 == *[$'\x80'-$'\xff']* ]] || return 0
	printf '%s' "$1" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1
}

# run NAME WANT CMD...: run CMD (bounded: 20 s) now and judge it
run() {
	local name=$1 want=$2
	shift 2
	timeout 20 "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
	judge "$name" "$want" "$?" "$TMP/out" "$TMP/err"
}

# --- the pool: up to WIDTH runs at once; a run writes its rc file as its
# last act; RCS[name] keeps each exit code
declare -a SLOT_NAME SLOT_WANT SLOT_PID
declare -A RCS
WIDTH=2

# slot_collect S: judge the finished run of slot S and free the slot
slot_collect() {
	local s=$1 rc
	[ -n "${SLOT_NAME[s]:-}" ] || return 0
	wait "${SLOT_PID[s]}" 2>/dev/null
	read -r rc <"$TMP/rc$s"
	RCS[${SLOT_NAME[s]}]=$rc
	judge "${SLOT_NAME[s]}" "${SLOT_WANT[s]}" "$rc" "$TMP/out$s" "$TMP/err$s"
	SLOT_NAME[s]=""
}

# slot_free: a free slot in $S, after waiting for a run to end if need be
slot_free() {
	while :; do
		for ((S = 0; S < WIDTH; S++)); do
			[ -n "${SLOT_NAME[S]:-}" ] || return 0
			if [ -s "$TMP/rc$S" ]; then
				slot_collect "$S"
				return 0
			fi
		done
		wait -n 2>/dev/null
	done
}

# pool_run NAME WANT CMD...: start CMD in the free slot $S (slot_free first)
pool_run() {
	local name=$1 want=$2
	shift 2
	rm -f "$TMP/rc$S"
	SLOT_NAME[S]=$name SLOT_WANT[S]=$want
	( timeout 20 "$@" </dev/null >"$TMP/out$S" 2>"$TMP/err$S"
	  echo $? >"$TMP/rc$S" ) &
	SLOT_PID[S]=$!
}

pool_drain() {
	local s
	for ((s = 0; s < WIDTH; s++)); do slot_collect "$s"; done
}

# --- probe and the global options
# probe_case TARGET OPT META KIND: start one probe
probe_case() {
	local tgt=$1 opt=$2 meta=$3 kind=$4 want=any host
	must_reject "$meta" "$kind" && want=2
	[ "$tgt" = ONE ] && host=$ONE_HOST || host=$MULTI_HOST
	if [ "$opt" = --host ]; then
		shape "$meta" "$kind" "$host"
		set -- "${BASE[@]}" --host "$V"
	else
		case $meta in
		ADDR\[*) shape "$meta" "$kind" "$RESOLVER:53" ;;
		*) shape "$meta" "$kind" "${!tgt}" ;;
		esac
		case $meta in
		=*) set -- "${BASE[@]}" "$opt=$V" ;;
		*) set -- "${BASE[@]}" "$opt" "$V" ;;
		esac
		[ "${TARGETLESS#* "$opt" }" != "$TARGETLESS" ] || set -- "$@" "${!tgt}"
	fi
	slot_free
	pool_run "props/probe/$opt=$kind/${tgt,,}" "$want" "$SMTPTLS" probe "$@"
}

nvalued=0 ntried=0
TEXT_CASES=()
OPTS=$("$SMTPTLS" probe --help | help_options | grep -- '^--')
while read -r opt meta; do
	ntried=$((ntried + 1))
	if [ -z "$meta" ]; then
		slot_free
		pool_run "props/probe/$opt=x" 2 "$SMTPTLS" probe "${BASE[@]}" \
		    "$opt=x" "$ONE"
		continue
	fi
	nvalued=$((nvalued + 1))
	for kind in $(kinds "$meta"); do
		probe_case ONE "$opt" "$meta" "$kind"
		! is_text_meta "$meta" || TEXT_CASES+=("$opt $meta $kind")
	done
done <<<"$OPTS"
pool_drain
# The help was read (the contract has 19 options with a value) and every
# option tried: an error in this shell would end a loop early, silently.
t_match props/probe/options-found '^(1[5-9]|[2-9][0-9])$' "$nvalued"
t_eq props/probe/options-tried "$(wc -l <<<"$OPTS")" "$ntried"

# Several addresses, for what got past the option parser with one.
for c in "${TEXT_CASES[@]}"; do
	read -r opt meta kind <<<"$c"
	[ "${RCS[props/probe/$opt=$kind/one]:-}" = 2 ] ||
	    probe_case MULTI "$opt" "$meta" "$kind"
done

OPTS=$("$SMTPTLS" --help | help_options | grep -- '^--')
ntried=0
while read -r opt meta; do
	ntried=$((ntried + 1))
	case $opt:$meta in
	--*:)
		slot_free
		pool_run "props/global/$opt=x" 2 "$SMTPTLS" "$opt=x" probe \
		    "${BASE[@]}" "$ONE" ;;
	--*:=*)
		for kind in $(kinds "$meta"); do
			shape "$meta" "$kind" ""
			want=any
			must_reject "$meta" "$kind" && want=2
			slot_free
			pool_run "props/global/$opt=$kind" "$want" "$SMTPTLS" \
			    "$opt=$V" probe "${BASE[@]}" "$ONE"
		done ;;
	esac
done <<<"$OPTS"
pool_drain
t_eq props/global/options-tried "$(wc -l <<<"$OPTS")" "$ntried"

# With --json the error document quotes the value too (here with a
# newline): one line on stderr, one valid UTF-8 JSON document on stdout.
timeout 20 "$SMTPTLS" --json probe --ca-file "$CTRL"$'\n'"$NONUTF8" "$ONE" \
    </dev/null >"$TMP/out" 2>"$TMP/err"
judge props/json/error-document 2 "$?" /dev/null "$TMP/err"
if iconv -f UTF-8 -t UTF-8 "$TMP/out" >/dev/null 2>&1 &&
    [ "$(jq -s 'map(.type) | join(" ")' <"$TMP/out" 2>&1)" = '"error"' ]; then
	t_pass props/json/error-document/utf-8
else
	t_fail props/json/error-document/utf-8 "one JSON error document in UTF-8" \
	    "$(head -c 300 "$TMP/out" | cat -v)"
fi

# -f: a list of hostile entries is a usage error (2), not a crash; one
# stderr line per bad entry is right here, judge() looks at the first
printf '%s\n' "${A:0:65536}" "$CTRL" "$NONUTF8" "${A:0:300}.lab.test" \
    "${A:0:300}@$ONE" >"$TMP/list"
timeout 20 "$SMTPTLS" probe "${BASE[@]}" --domains "$TMP/list" </dev/null \
    >/dev/null 2>"$TMP/err"
rc=$?
head -n 1 "$TMP/err" >"$TMP/err1"
judge props/probe/domains-file-entries 2 "$rc" /dev/null "$TMP/err1"

# --- listen: nine at a time, each on its own address of 127.10.2.200-208;
# 127.10.2.209 is for the flags, one at a time
WIDTH=9
nvalued=0 ntried=0
OPTS=$("$SMTPTLS" listen --help | help_options | grep -- '^--')
while read -r opt meta; do
	ntried=$((ntried + 1))
	if [ -z "$meta" ]; then
		run "props/listen/$opt=x" 2 "$SMTPTLS" listen "$opt=x" \
		    --bind 127.10.2.209:2525 --duration 1
		continue
	fi
	nvalued=$((nvalued + 1))
	for kind in $(kinds "$meta"); do
		want=any
		must_reject "$meta" "$kind" && want=2
		slot_free
		shape "$meta" "$kind" "127.10.2.20$S:2525"
		if [ "$opt" = --bind ]; then
			set -- --duration 1 --bind "$V"
		else
			set -- --bind "127.10.2.20$S:2525" --duration 1 "$opt" "$V"
		fi
		pool_run "props/listen/$opt=$kind" "$want" "$SMTPTLS" listen "$@"
	done
done <<<"$OPTS"
pool_drain
t_match props/listen/options-found '^([5-9]|[1-9][0-9])$' "$nvalued"
t_eq props/listen/options-tried "$(wc -l <<<"$OPTS")" "$ntried"

# --- serve: nine at a time, each on its own address of 127.10.17.20-28;
# 127.10.17.29 is for the flags. --duration 1 ends each; the lab
# resolver keeps the configuration check off /etc/resolv.conf.
nvalued=0 ntried=0
OPTS=$("$SMTPTLS" serve --help | help_options | grep -- '^--')
while read -r opt meta; do
	ntried=$((ntried + 1))
	if [ -z "$meta" ]; then
		run "props/serve/$opt=x" 2 "$SMTPTLS" serve "$opt=x" \
		    --bind 127.10.17.29:9725 --duration 1 --resolver "$RESOLVER"
		continue
	fi
	nvalued=$((nvalued + 1))
	for kind in $(kinds "$meta"); do
		want=any
		must_reject "$meta" "$kind" && want=2
		slot_free
		shape "$meta" "$kind" "127.10.17.2$S:9725"
		if [ "$opt" = --bind ]; then
			set -- --duration 1 --bind "$V"
		else
			set -- --bind "127.10.17.2$S:9725" --duration 1 "$opt" "$V"
		fi
		pool_run "props/serve/$opt=$kind" "$want" "$SMTPTLS" serve \
		    --resolver "$RESOLVER" "$@"
	done
done <<<"$OPTS"
pool_drain
t_match props/serve/options-found '^([5-9]|[1-9][0-9])$' "$nvalued"
t_eq props/serve/options-tried "$(wc -l <<<"$OPTS")" "$ntried"

t_done
