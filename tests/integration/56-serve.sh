#!/usr/bin/env bash
# 56-serve.sh - smtptls serve as a Prometheus exporter (issue 15) against
# the lab, on 127.10.17.0/24.
#
# One server (127.10.17.1:9725, --allow-private: the lab is loopback)
# answers GET /probe?target=good.lab.test: OpenMetrics that promtool
# accepts, whose values are those of `smtptls probe --json` for the same
# domain (levels, check counts, certificate expiry, TLS, DANE, MTA-STS).
# Then GET /report's HTML page, and the refusals: 400 for hostile
# targets (quote, newline, <script>, 10 KB, non-UTF-8) without
# reflecting them, 403 for a client outside --allow-from, 404, 405,
# oversized requests; GET /metrics counts them. Smaller servers:
# --client-rate 2 (429 on the third), --max-probes 1 with a resolver that
# never answers (503 while one probe is in flight), no --allow-private
# (403: the lab's addresses are special-purpose). A real Prometheus
# (127.10.17.2:9090) scrapes a server of its own (127.10.17.7) with
# contrib/prometheus/prometheus.yml (the README's) and evaluates
# contrib/prometheus/smtptls-alerts.yml; promtool checks and unit-tests
# those rules. Every server stops by SIGTERM or --duration.
. "$SMTPTLS_TOP/tests/lib.sh"

CONTRIB="$SMTPTLS_TOP/contrib/prometheus"
TMP=$(mktemp -d /tmp/smtptls-serve.XXXXXX)
PIDS=""
OM='Accept: application/openmetrics-text; version=1.0.0'
S1=127.10.17.1:9725
LAB=(--resolver "$RESOLVER" --ca-file "$CA" --timeout 2 --deadline 5)

cleanup() {
	local p
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT

# serve_start NAME ADDR:PORT ARGS...: start a server (bounded by
# --duration 300 and timeout 330, a safety net: the test stops them), wait
# for its "serving" line (5 s)
serve_start() {
	local name=$1 bind=$2 i
	shift 2
	timeout 330 "$SMTPTLS" serve --bind "$bind" --duration 300 "$@" \
	    2>"$TMP/$name.err" &
	eval "PID_$name=$!"
	PIDS="$PIDS $!"
	for i in $(seq 1 100); do
		grep -q '^smtptls: serving' "$TMP/$name.err" 2>/dev/null && return 0
		sleep 0.05
	done
	t_fail "serve/$name/up" "a 'serving' line" "$(head -c 300 "$TMP/$name.err")"
	return 1
}

# get NAME URL [CURL ARGS...]: status code in $CODE, body in $TMP/NAME
get() {
	local name=$1 url=$2
	shift 2
	CODE=$(curl -s -m 10 -o "$TMP/$name" -w '%{http_code}' "$@" "$url")
}

# one_line NAME: the body is one line of text that quotes nothing it got
# (shell built-ins only: it runs for every refusal)
one_line() {
	local body="" nl
	IFS= read -r -d '' body <"$TMP/$1"
	nl=${body//[!$'\n']/}
	t_eq "serve/$1/one-line" 1 "${#nl}"
	case $body in
	*'<'* | *'"'* | *aaaaaaaa*)
		t_fail "serve/$1/not-reflected" "no request text" "${body:0:200}" ;;
	*) t_pass "serve/$1/not-reflected" ;;
	esac
}

# metric FILE SELECTOR: the value of the one sample "SELECTOR value"
metric() { awk -v s="$2" '$1 == s { print $2 }' "$1"; }

# --duration ends a server by itself: one that lives 1 s, waited for at
# the end
timeout 30 "$SMTPTLS" serve --bind 127.10.17.8:9725 --duration 1 \
    --resolver "$RESOLVER" 2>"$TMP/duration.err" &
PID_duration=$!
serve_start main "$S1" "${LAB[@]}" --allow-private \
    --allow-from 127.10.17.0/28 --allow-from 127.0.0.1
# --- a real Prometheus with the README's scrape config and the rules,
# scraping its own server (127.10.17.7): it starts now, as Prometheus
# 2.42 hands its first targets to the scrapers only after 5 s, and is
# asked at the end
serve_start prom 127.10.17.7:9725 "${LAB[@]}" --allow-private
cp "$CONTRIB/smtptls-alerts.yml" "$TMP/"
{
	printf 'global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n'
	sed -e 's/scrape_interval: 5m/scrape_interval: 2s/' \
	    -e 's/scrape_timeout: 70s.*/scrape_timeout: 2s/' \
	    -e 's/example\.org/good.lab.test/; s/example\.net/danebad.lab.test/' \
	    -e "s/127\\.0\\.0\\.1:9725/127.10.17.7:9725/" "$CONTRIB/prometheus.yml"
} >"$TMP/prometheus.yml"
prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
    --web.listen-address=127.10.17.2:9090 --log.level=warn \
    >"$TMP/prom.log" 2>&1 &
PROM=$!
PIDS="$PIDS $PROM"
t_run serve/rules/check 0 promtool check rules "$CONTRIB/smtptls-alerts.yml"
(cd "$CONTRIB" && promtool test rules smtptls-alerts.test.yml) \
    >"$TMP/rules.out" 2>&1
t_eq serve/rules/test 0 "$?"
missing=$(grep -vE '^\s*(#|$)' "$CONTRIB/prometheus.yml" | while IFS= read -r l; do
	grep -qxF -- "$l" "$SMTPTLS_TOP/README.md" || printf '%s|' "$l"
done)
t_eq serve/readme-has-scrape-config "" "$missing"
"$SMTPTLS" --json probe "${LAB[@]}" --allow-private good.lab.test \
    >"$TMP/good.json"
t_eq serve/json-probe-ran 0 "$?"

# --- /probe: OpenMetrics, checked by promtool, equal to the JSON
get probe "http://$S1/probe?target=good.lab.test" -H "$OM" -D "$TMP/probe.h"
t_eq serve/probe/200 200 "$CODE"
t_match serve/probe/content-type \
    '^Content-Type: application/openmetrics-text; version=1.0.0; charset=utf-8' \
    "$(grep -i '^content-type' "$TMP/probe.h" | tr -d '\r')"
t_eq serve/probe/eof "# EOF" "$(tail -n 1 "$TMP/probe")"
t_run serve/probe/promtool 0 promtool check metrics <"$TMP/probe"
M=$TMP/probe
t_eq serve/probe/success "$(jq '.summary.exit_code == 0 | if . then 1 else 0 end' "$TMP/good.json")" \
    "$(metric "$M" smtptls_probe_success)"
t_eq serve/probe/exit-code "$(jq .summary.exit_code "$TMP/good.json")" \
    "$(metric "$M" smtptls_probe_exit_code)"
# every level and variant: deliver or not, as the JSON says
want=$(jq -r '.verdicts.levels | to_entries[] | .key as $l |
    "\($l) strict \(if .value.outcome == "deliver" then 1 else 0 end)",
    (.value.variants | to_entries[] |
     "\($l) \(.key) \(if .value.outcome == "deliver" then 1 else 0 end)")' \
    "$TMP/good.json" | sort)
seen=$(sed -n 's/^smtptls_level_deliver{level="\([^"]*\)",variant="\([^"]*\)"} \(.*\)$/\1 \2 \3/p' "$M" | sort)
t_eq serve/probe/levels-equal-json "$want" "$seen"
t_match serve/probe/levels-read 'verify domain 0' "$seen"
# check counts per id and status (the non-zero ones)
want=$(jq -r '.checks | group_by(.id + " " + .status)[] |
    "\(.[0].id) \(.[0].status) \(length)"' "$TMP/good.json" | sort)
seen=$(sed -n 's/^smtptls_check_status{id="\([^"]*\)",status="\([^"]*\)"} \([1-9][0-9]*\)$/\1 \2 \3/p' "$M" | sort)
t_eq serve/probe/check-counts-equal-json "$want" "$seen"
# per address: certificate expiry (Unix time), TLS, DANE
want=$(jq -r '.mx[] | .name as $m | .addresses[] |
    "\($m) \(.address) \(.tls.chain[0].not_after | fromdateiso8601) \(.tls.version) \(.tls.cipher) \(if .dane.verified then 1 else 0 end)"' \
    "$TMP/good.json" | sort)
seen=$(while read -r mx addr _; do
	sel="{mx=\"$mx\",address=\"$addr\"}"
	printf '%s %s %s %s %s\n' "$mx" "$addr" \
	    "$(metric "$M" "smtptls_cert_not_after_timestamp_seconds$sel")" \
	    "$(sed -n "s/^smtptls_tls_version_info{mx=\"$mx\",address=\"$addr\",version=\"\\([^\"]*\\)\",cipher=\"\\([^\"]*\\)\"} 1$/\\1 \\2/p" "$M")" \
	    "$(metric "$M" "smtptls_dane_match$sel")"
done <<<"$want" | sort)
t_eq serve/probe/addresses-equal-json "$want" "$seen"
t_match serve/probe/addresses-read '^mx1.lab.test 127.10.1.1 [0-9]{10} TLSv1' "$seen"
t_eq serve/probe/mtasts-mode "$(jq -r .mta_sts.policy.parsed.mode "$TMP/good.json")" \
    "$(sed -n 's/^smtptls_mtasts_mode{mode="\(.*\)"} 1$/\1/p' "$M")"
# the 0.0.4 text format for a client that does not ask for OpenMetrics
get probe-text "http://$S1/probe?target=good.lab.test&level=dane"
t_eq serve/probe-text/200 200 "$CODE"
t_run serve/probe-text/promtool 0 promtool check metrics <"$TMP/probe-text"
t_eq serve/probe-text/no-eof 0 "$(grep -c '^# EOF' "$TMP/probe-text")"

# --- refusals: nothing probed, nothing reflected
TEN_K=$(head -c 10240 /dev/zero | tr '\0' a)
n=0
for t in 'a%22b.lab.test' 'a%0A%23%20EOF%0Ab.lab.test' \
    '%3Cscript%3Ealert(1)%3C/script%3E' "$TEN_K.lab.test" '%FF%FE.lab.test' \
    'postmaster@good.lab.test' '%5B127.0.0.1%5D' ''; do
	n=$((n + 1))
	get "bad$n" "http://$S1/probe?target=$t"
	t_eq "serve/bad$n/400" 400 "$CODE"
	one_line "bad$n"
done
get nolevel "http://$S1/probe?target=good.lab.test&level=%3Cb%3E"
t_eq serve/bad-level/400 400 "$CODE"
one_line nolevel
get norcpt "http://$S1/probe?target=good.lab.test&rcpt=a%0D%0ARSET"
t_eq serve/bad-rcpt/400 400 "$CODE"
get notarget "http://$S1/probe"
t_eq serve/no-target/400 400 "$CODE"
get report-bad "http://$S1/report?target=%3Cscript%3E"
t_eq serve/report-hostile/400 400 "$CODE"
one_line report-bad
# the HTML report (the page of probe --html) after the same checks
get report "http://$S1/report?target=good.lab.test" -D "$TMP/report.h"
t_eq serve/report/200 200 "$CODE"
t_match serve/report/type '^Content-Type: text/html; charset=utf-8' \
    "$(grep -i '^content-type' "$TMP/report.h" | tr -d '\r')"
t_match serve/report/no-script "script-src|default-src 'none'" \
    "$(grep -i '^content-security-policy' "$TMP/report.h")"
t_match serve/report/page '^<!DOCTYPE html>' "$(head -n 1 "$TMP/report")"
t_match serve/report/domain 'good\.lab\.test' "$(cat "$TMP/report")"
get forbidden "http://$S1/metrics" --interface 127.10.17.100
t_eq serve/forbidden/403 403 "$CODE"
get notfound "http://$S1/%3Cscript%3E"
t_eq serve/not-found/404 404 "$CODE"
one_line notfound
get post "http://$S1/probe?target=good.lab.test" -X POST -d x=1
t_eq serve/post/405 405 "$CODE"
# 40 KB of URL: past the per-connection memory (the library answers)
get huge "http://$S1/probe?target=$TEN_K$TEN_K$TEN_K$TEN_K"
t_match serve/huge-url/4xx '^(400|414|431)$' "$CODE"
HUGE=$CODE
get huge-header "http://$S1/" -H "X-Big: $TEN_K$TEN_K"
t_match serve/huge-header/4xx '^(400|413|431)$' "$CODE"
get form "http://$S1/" -D "$TMP/form.h"
t_eq serve/form/200 200 "$CODE"
t_match serve/form/html '<form action="/report"' "$(cat "$TMP/form")"
t_match serve/form/nosniff 'nosniff' "$(cat "$TMP/form.h")"

# --- /metrics: the server's own counts of the above
get metrics "http://$S1/metrics"
t_run serve/metrics/promtool 0 promtool check metrics <"$TMP/metrics"
M=$TMP/metrics
t_eq serve/metrics/probes-200 2 \
    "$(metric "$M" 'smtptls_serve_requests_total{path="/probe",code="200"}')"
t_eq serve/metrics/probes 3 "$(metric "$M" smtptls_serve_probes_total)"
t_eq serve/metrics/report-200 1 \
    "$(metric "$M" 'smtptls_serve_requests_total{path="/report",code="200"}')"
# 12 bad parameters above, and the huge URL if the library let it in
t_eq serve/metrics/invalid $((12 + (HUGE == 400))) \
    "$(metric "$M" 'smtptls_serve_rejected_total{reason="invalid"}')"
t_eq serve/metrics/forbidden 1 \
    "$(metric "$M" 'smtptls_serve_rejected_total{reason="forbidden"}')"
t_eq serve/metrics/method 1 \
    "$(metric "$M" 'smtptls_serve_rejected_total{reason="method"}')"
t_eq serve/metrics/in-flight 0 "$(metric "$M" smtptls_serve_probes_in_flight)"

# --- 429: two probe requests a minute per client
serve_start rate 127.10.17.4:9725 "${LAB[@]}" --allow-private --client-rate 2
codes=""
for i in 1 2 3; do
	get rate$i "http://127.10.17.4:9725/probe?target=nullmx.lab.test"
	codes="$codes $CODE"
done
t_eq serve/rate/429 " 200 200 429" "$codes"
get rate-other "http://127.10.17.4:9725/probe?target=nullmx.lab.test" \
    --interface 127.10.17.3
t_eq serve/rate/other-client 200 "$CODE"

# --- 503: one probe at a time; the resolver never answers, so the first
# probe stays in flight for its --timeout. 3 s, not 1: in a fresh-clone run
# at load 10+ the metrics poll and the second request (each a curl process)
# took longer than a 1 s probe, which had ended when the second came (200).
python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.10.17.9", 5353)); time.sleep(8)' &
PIDS="$PIDS $!"
serve_start busy 127.10.17.5:9725 --resolver 127.10.17.9:5353 --timeout 3 \
    --deadline 4 --allow-private --max-probes 1
get busy1 "http://127.10.17.5:9725/probe?target=good.lab.test" &
B1=$!
for i in $(seq 1 40); do
	get busym "http://127.10.17.5:9725/metrics"
	[ "$(metric "$TMP/busym" smtptls_serve_probes_in_flight)" = 1 ] && break
	sleep 0.05
done
get busy2 "http://127.10.17.5:9725/probe?target=good.lab.test" -D "$TMP/busy2.h"
t_eq serve/busy/503 503 "$CODE"
t_match serve/busy/retry-after '^Retry-After: 1' "$(tr -d '\r' <"$TMP/busy2.h")"
wait "$B1"
t_eq serve/busy/first-answered 1 "$(grep -c '^smtptls_probe_success 0' "$TMP/busy1")"

# --- special-purpose addresses without --allow-private
serve_start private 127.10.17.6:9725 "${LAB[@]}"
get private "http://127.10.17.6:9725/probe?target=good.lab.test"
t_eq serve/private/403 403 "$CODE"
t_match serve/private/why 'special-purpose' "$(cat "$TMP/private")"
get private-m "http://127.10.17.6:9725/metrics"
t_eq serve/private/counted 1 \
    "$(metric "$TMP/private-m" 'smtptls_serve_rejected_total{reason="special_purpose"}')"
t_eq serve/private/no-probe 0 "$(metric "$TMP/private-m" smtptls_serve_probes_total)"

# --- what Prometheus saw
# promql QUERY: the first value of an instant query
promql() {
	curl -s -m 2 --data-urlencode "query=$1" \
	    http://127.10.17.2:9090/api/v1/query 2>/dev/null |
	    jq -r '.data.result[0].value[1] // empty' 2>/dev/null
}
ok="" dane="" alert="" up=""
for i in $(seq 1 80); do
	[ -n "$ok" ] || ok=$(promql 'smtptls_probe_success{instance="good.lab.test"}')
	[ -n "$dane" ] || dane=$(promql 'smtptls_dane_match{instance="danebad.lab.test"}')
	[ -n "$alert" ] || alert=$(promql 'ALERTS{alertname="SmtptlsDaneNoLongerMatches",instance="danebad.lab.test"}')
	[ -n "$up" ] || up=$(promql 'up{job="smtptls_exporter"}')
	[ -n "$ok" ] && [ -n "$dane" ] && [ -n "$alert" ] && [ -n "$up" ] && break
	sleep 0.1
done
t_eq serve/prometheus/good-success 1 "$ok"
t_eq serve/prometheus/danebad-dane-match 0 "$dane"
t_eq serve/prometheus/danebad-alert 1 "$alert"
t_eq serve/prometheus/exporter-up 1 "$up"
kill "$PROM"
wait "$PROM" 2>/dev/null

# --- stopping: SIGTERM ends the main server (exit 0), --duration the
# first one
kill -TERM "$PID_main"
wait "$PID_main"
t_eq serve/sigterm/exit 0 "$?"
t_match serve/sigterm/said 'serve stopped' "$(cat "$TMP/main.err")"
wait "$PID_duration"
t_eq serve/duration/exit 0 "$?"
t_match serve/duration/said 'serve stopped' "$(cat "$TMP/duration.err")"
# A second server on a taken address: exit 3, one line
t_run serve/bind-taken 3 "$SMTPTLS" serve --bind 127.10.17.4:9725 --duration 1
t_eq serve/bind-taken/one-line 1 "$(wc -l <"$T_ERR")"
t_done
