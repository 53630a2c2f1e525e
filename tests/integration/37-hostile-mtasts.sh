# tests/integration/37-hostile-mtasts.sh - smtptls probe against hostile
# MTA-STS policy hosts (tests/peers/badhttps.c, one mode per case).
#
# Each case starts badhttps on the address the lab's DNS gives the policy
# host (127.10.4.N:443, testdata/lab/README.md), with a leaf for the
# mta-sts names issued here by the lab's intermediate CA: the fetch is
# authenticated, so what goes wrong is the hostile behaviour itself. The
# domain's MX is the lab's good mx1. Each case asserts: the exit code
# (exactly; a signal or a sanitizer report is a failure), the check id and
# status the behaviour must produce (checks.md 7) with its data.reason or
# detail, a body of at most 65536 octets read, a wall time under the
# deadline, and a peak RSS under 64 MiB (GNU time's %M). The cases that
# send megabytes or gigabytes (endless, the bombs, mx10k) must also stay
# within a few MiB of the well-behaved control.
#
# Under ASan (detected in the binary) the shadow memory and quarantine
# inflate RSS, so the limits are widened there, as in 40-hostile.sh.
# lane: alone - wall-time limits of the fetch
. "$SMTPTLS_TOP/tests/lib.sh"

PEER="$SMTPTLS_BUILD/peers/badhttps"
TIMEOUT=3   # --timeout: each network step, and the whole policy fetch
DEADLINE=10 # --deadline: the whole run
# Process start-up and writing the report happen outside the probe's own
# clock; the deadline may be overrun by this much, no more.
WALL_SLACK=0.5
POLICY_MAX=65536 # checks.md 7: at most 65536 octets read
if grep -q __asan_init "$SMTPTLS" 2>/dev/null; then
	RSS_MAX_KB=$((256 * 1024))
	GROWTH_MAX_KB=$((96 * 1024))
else
	RSS_MAX_KB=$((64 * 1024))
	GROWTH_MAX_KB=$((16 * 1024))
fi
WORK=$(mktemp -d /tmp/smtptls-hostile-sts.XXXXXX)
PEER_PIDS=""
CONTROL_KB=""
CASE_DEAD=0

cleanup() {
	local p
	for p in $PEER_PIDS; do
		kill "$p" 2>/dev/null
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

# A leaf for every policy host a case uses, from the lab's intermediate
# (key in $WORK only, gone at exit). Without it every case would only test
# an untrusted certificate.
make_leaf() {
	local san="" d
	for d in ststrickle stsendless stsloop stsgzip sts10k; do
		san="${san:+$san,}DNS:mta-sts.$d.lab.test"
	done
	openssl req -x509 -config "$LAB/ca/openssl.cnf" -extensions leaf_ec \
	    -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc \
	    -keyout "$WORK/leaf.key" -subj "/O=smtptls lab/CN=mta-sts.sts10k.lab.test" \
	    -addext "subjectAltName=$san" -sha256 -days 2 \
	    -CA "$LAB/ca/intermediate.pem" -CAkey "$LAB/ca/intermediate.key" \
	    -out "$WORK/leaf.pem" 2>"$WORK/leaf.err" &&
	    cat "$WORK/leaf.pem" "$LAB/ca/intermediate.pem" >"$WORK/chain.pem"
}

# peer_start N MODE: start badhttps on 127.10.4.N:443 and wait until it
# listens (bounded: 5 s); sets PEER_PID, PEER_ADDR, PEER_LOG
peer_start() {
	local n=$1 mode=$2 _
	PEER_ADDR=127.10.4.$n
	PEER_LOG="$WORK/peer-$mode.err"
	"$PEER" --listen "$PEER_ADDR:443" --cert "$WORK/chain.pem" \
	    --key "$WORK/leaf.key" --mode "$mode" --lifetime 60 2>"$PEER_LOG" &
	PEER_PID=$!
	PEER_PIDS="$PEER_PIDS $PEER_PID"
	for _ in $(seq 100); do
		if ss -ltnH "src $PEER_ADDR and sport = :443" | grep -q .; then
			return 0
		fi
		kill -0 "$PEER_PID" 2>/dev/null || break
		sleep 0.05
	done
	t_fail "hostile-sts/$mode/peer-listens" "badhttps listening on $PEER_ADDR:443" \
	    "$(head -c 300 "$PEER_LOG")"
	return 1
}

# peer_stop: the peer must have survived the probe (else the case tested
# nothing), then it goes
peer_stop() {
	if ! kill -0 "$PEER_PID" 2>/dev/null; then
		t_fail "hostile-sts/$CASE/peer-alive" "badhttps still running" \
		    "exited: $(head -c 300 "$PEER_LOG")"
	fi
	kill "$PEER_PID" 2>/dev/null
	wait "$PEER_PID" 2>/dev/null
}

# peer_body: the body size the peer announced at startup
peer_body() {
	sed -n 's/.* body \([0-9]*\) octets$/\1/p' "$PEER_LOG" | head -n 1
}

# run_probe CASE EXIT DOMAIN: probe DOMAIN (its MX is mx1, its policy host
# the current peer); asserts the exit code, a probe document agreeing with
# it, the octets read, wall time and RSS. The outer `timeout` only guards
# the test run against a hung probe.
run_probe() {
	local want=$2 domain=$3 tf rss wall
	CASE=$1
	tf="$WORK/time"
	t_run "hostile-sts/$CASE/exit" "$want" /usr/bin/time -f '%M %e' -o "$tf" \
	    timeout -k 2 $((DEADLINE + 10)) "$SMTPTLS" probe --json \
	    --resolver "$RESOLVER" --ca-file "$CA" --allow-private \
	    --timeout "$TIMEOUT" --deadline "$DEADLINE" "$domain"
	read -r rss wall <<EOF
$(tail -n 1 "$tf")
EOF
	RSS_KB=$rss
	WALL=$wall
	printf '  %s: exit %s, %s s, peak RSS %s KiB\n' "$CASE" "$T_RC" "$wall" "$rss"
	CASE_DEAD=0
	if [ "$T_RC" = 124 ] || [ "$T_RC" = 137 ]; then
		t_fail "hostile-sts/$CASE/hung" "probe ends by itself within --deadline $DEADLINE s" \
		    "killed by the test's guard after $((DEADLINE + 10)) s"
		CASE_DEAD=1
		return
	fi
	# Killed by a signal or a sanitizer: t_run said so.
	if [ "$T_RC" -gt 128 ] || [ "$T_RC" = 99 ]; then
		CASE_DEAD=1
		return
	fi
	t_jq "hostile-sts/$CASE/json" '.type' probe
	t_jq "hostile-sts/$CASE/summary-exit" '.summary.exit_code' "$T_RC"
	# Every case's certificate is good: the finding is the behaviour.
	t_jq "hostile-sts/$CASE/authenticated" '.mta_sts.policy.authenticated' true
	t_jq "hostile-sts/$CASE/bytes-capped" ".mta_sts.policy.bytes <= $POLICY_MAX" true
	below "wall" "$wall" "$DEADLINE + $WALL_SLACK"
	if [ "${rss:-999999999}" -lt "$RSS_MAX_KB" ]; then
		t_pass "hostile-sts/$CASE/rss"
	else
		t_fail "hostile-sts/$CASE/rss" "peak RSS < $RSS_MAX_KB KiB" "$rss KiB"
	fi
}

# below NAME VALUE LIMIT: VALUE < LIMIT (awk arithmetic, fractions allowed)
below() {
	if awk -v v="$2" "BEGIN { exit !(v + 0 < $3) }"; then
		t_pass "hostile-sts/$CASE/$1"
	else
		t_fail "hostile-sts/$CASE/$1" "under $3" "$2"
	fi
}

# cj NAME FILTER EXPECTED: t_jq on the case's report, unless the probe died
cj() {
	[ "$CASE_DEAD" = 0 ] || return 0
	t_jq "hostile-sts/$CASE/$1" "$2" "$3"
}

# finding ID STATUS [REASON [DETAIL_REGEX]]: the domain check ID has STATUS,
# its data.reason is REASON ("-": not checked) and its detail matches
finding() {
	local id=$1 status=$2 reason=${3:--} re=${4:-}
	[ "$CASE_DEAD" = 0 ] || return 0
	t_jq "hostile-sts/$CASE/$id" \
	    "[.checks[] | select(.id == \"$id\") | .status] | join(\",\")" "$status"
	if [ "$reason" != - ]; then
		t_jq "hostile-sts/$CASE/$id-reason" \
		    "[.checks[] | select(.id == \"$id\") | .data.reason][0]" "$reason"
	fi
	if [ -n "$re" ]; then
		t_match "hostile-sts/$CASE/$id-detail" "$re" \
		    "$(jq -r --arg id "$id" '[.checks[] | select(.id == $id) | .detail][0]' <"$T_OUT")"
	fi
}

# requests N: the peer saw exactly N requests (no redirect followed, no
# retry)
requests() {
	t_eq "hostile-sts/$CASE/requests" "$1" "$(grep -c '^badhttps: request ' "$PEER_LOG")"
}

# no_growth: peak RSS within GROWTH_MAX_KB of the well-behaved control
no_growth() {
	[ "$CASE_DEAD" = 0 ] || return 0
	if [ -z "$CONTROL_KB" ] || [ -z "${RSS_KB:-}" ]; then
		t_fail "hostile-sts/$CASE/no-growth" "a control measurement" "none"
	elif [ "$RSS_KB" -le $((CONTROL_KB + GROWTH_MAX_KB)) ]; then
		t_pass "hostile-sts/$CASE/no-growth"
	else
		t_fail "hostile-sts/$CASE/no-growth" \
		    "peak RSS <= control $CONTROL_KB + $GROWTH_MAX_KB KiB" "$RSS_KB KiB"
	fi
}

if ! make_leaf; then
	t_fail hostile-sts/leaf "a leaf from the lab's intermediate CA" \
	    "$(head -c 300 "$WORK/leaf.err")"
	t_done
	exit
fi

# --- control: a valid policy from the same peer and certificate; its RSS
# is the baseline
if peer_start 5 good; then
	run_probe good 0 sts10k.lab.test
	finding mtasts.policy.fetch pass
	finding mtasts.policy.syntax pass
	finding mtasts.mx.match pass
	CONTROL_KB=$RSS_KB
	requests 1
	peer_stop
fi

# An endless chunked body: counted while reading (libcurl 7.88's
# CURLOPT_MAXFILESIZE never sees a length), stopped at the limit.
if peer_start 2 endless; then
	run_probe endless 1 stsendless.lab.test
	finding mtasts.policy.fetch fail too-large 'larger than 65536'
	finding mtasts.policy.syntax skip
	cj bytes '.mta_sts.policy.bytes' "$POLICY_MAX"
	cj body '.mta_sts.policy.body' null
	no_growth
	requests 1
	peer_stop
fi

# A valid policy at one octet per 500 ms (about 30 s in all): the fetch's
# budget is fixed when it starts, so the trickle does not extend it
# (style.md 6). An error (could not be measured), not a failure; the fetch
# is not repeated.
if peer_start 1 trickle; then
	run_probe trickle 0 ststrickle.lab.test
	finding mtasts.policy.fetch error - "no complete answer within ${TIMEOUT}000 ms"
	cj error-code '.mta_sts.policy.error.code' timeout
	cj fetch-ms ".mta_sts.policy.ms < ${TIMEOUT}000 + 500" true
	below wall-timeout "$WALL" "$TIMEOUT + 1.5"
	finding mtasts.policy.syntax skip
	requests 1
	peer_stop
fi

# 301 to the very URL asked for: reported with its Location, not followed.
if peer_start 3 loop; then
	run_probe loop 1 stsloop.lab.test
	finding mtasts.policy.fetch fail redirect 'HTTP 301 redirect \(not followed\)'
	cj location '.mta_sts.policy | .location == .url' true
	requests 1
	peer_stop
fi

# Content-Encoding: gzip, 6.8 MB that inflate to 1 GiB. smtptls never asks
# for an encoding, so libcurl must not decode: the compressed octets count
# and hit the limit.
if peer_start 4 gzipbomb; then
	run_probe gzipbomb 1 stsgzip.lab.test
	finding mtasts.policy.fetch fail too-large
	cj bytes '.mta_sts.policy.bytes' "$POLICY_MAX"
	no_growth
	requests 1
	peer_stop
fi

# Content-Encoding: gzip, gzip: 49 KB inflating to 1 GiB through two
# decoders. Under the limit, so this case shows what was read: exactly
# the octets sent, not decoded. They are no policy: the fetch itself
# succeeds (200, text/plain, within the limit) and the syntax fails.
if peer_start 4 gzipbomb2; then
	run_probe gzipbomb2 1 stsgzip.lab.test
	sent=$(peer_body)
	cj bytes-not-decoded '.mta_sts.policy.bytes' "$sent"
	finding mtasts.policy.fetch pass
	finding mtasts.policy.syntax fail - 'policy problem: (non-ASCII|control)'
	cj parsed-mx '.mta_sts.policy.parsed.mx | length' 0
	no_growth
	requests 1
	peer_stop
fi

# A valid enforce policy with 10000 mx lines (60 KB, under the limit): the
# parser keeps MTASTS_MX_MAX (256) patterns and counts the rest; the first
# pattern still matches mx1.
if peer_start 5 mx10k; then
	run_probe mx10k 0 sts10k.lab.test
	sent=$(peer_body)
	cj bytes '.mta_sts.policy.bytes' "$sent"
	finding mtasts.policy.fetch pass
	[ "$CASE_DEAD" = 0 ] && t_match hostile-sts/mx10k/mtasts.policy.syntax '^(pass|warn)$' \
	    "$(jq -r '[.checks[] | select(.id == "mtasts.policy.syntax") | .status][0]' <"$T_OUT")"
	cj parsed-mx-kept '.mta_sts.policy.parsed.mx | length' 10000
	cj first-pattern '.mta_sts.policy.parsed.mx[0]' mx1.lab.test
	finding mtasts.mx.match pass
	no_growth
	requests 1
	peer_stop
fi

# The same policy with mx1.lab.test as the last of its 10000 mx lines. A
# sender honours every line (RFC 8461 4.1), so mx1 matches: keeping fewer
# patterns than the policy has may bound the report, not the verdict.
if peer_start 5 mx10klast; then
	run_probe mx10klast 0 sts10k.lab.test
	finding mtasts.policy.fetch pass
	finding mtasts.mx.match pass
	cj level '.verdicts.levels["mta-sts"].outcome' deliver
	no_growth
	requests 1
	peer_stop
fi

t_done
