# tests/integration/25-mtasts-fetch.sh - src/mtasts_fetch.c against the
# lab's nginx (policy hosts mta-sts.<domain> on $HTTPS:443).
#
# Peers: the lab (scripts/lab.sh up): good, testing, stsnone, stsmismatch,
# stswild serve valid policies; stsredirect answers 301, stsctype serves
# text/html, stsbig ~77 KB with Content-Length, stsbigchunked the same
# chunked, stsbadcert gets the default server's certificate (another name),
# sts404 answers 404. 127.10.0.250 has nothing listening. Tool:
# $SMTPTLS_BUILD/tools/stsfetch, which prints the policy object of
# report.md 5.6 (exit 0: no error, 1: the server failed, 2: usage/tool).
# asan: skip - the fetch code runs under ASan in 35-mtasts and 37-hostile-mtasts
. "$(dirname "$0")/../lib.sh"
. "$LAB/env"

STSFETCH="$SMTPTLS_BUILD/tools/stsfetch"
WK=/.well-known/mta-sts.txt

f() { "$STSFETCH" --ca-file "$CA" --timeout 5 "$@"; }

# fingerprint FILE - lowercase hex SHA-256 of a PEM certificate
fingerprint() {
	openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' |
		tr 'A-F' 'a-f'
}
# not_after FILE - notAfter of a PEM certificate as RFC 3339 UTC
not_after() {
	date -u -d "$(openssl x509 -in "$1" -noout -enddate | sed 's/^notAfter=//')" \
		+%Y-%m-%dT%H:%M:%SZ
}

# --- a valid policy ---
t_run "sts fetch good" 0 f good.lab.test "$HTTPS"
t_jq "sts good url" '.url' "https://mta-sts.good.lab.test$WK"
t_jq "sts good addresses" '"\(.host_addresses | join(",")) \(.connected_address)"' \
	"$HTTPS $HTTPS"
t_jq "sts good response" '"\(.fetched) \(.authenticated) \(.http_status)"' "true true 200"
t_jq "sts good content type" '"\(.content_type) \(.content_type_ok)"' "text/plain true"
t_jq "sts good body" '.body | startswith("version: STSv1\r\n")' true
t_jq "sts good bytes" '.bytes == (.body | length) and .bytes == .content_length' true
t_jq "sts good no location" '.location' null
t_jq "sts good tls verdict" '.tls | "\(.trusted) \(.name_match) \(.verify_code) \(.verify_error)"' \
	"true true 0 ok"
t_jq "sts good tls version" '.tls.version | test("^TLSv1\\.[23]$")' true
t_jq "sts good leaf sha256" '.tls.leaf_sha256' "$(fingerprint "$CERTS/mta-sts.pem")"
t_jq "sts good leaf not_after" '.tls.not_after' "$(not_after "$CERTS/mta-sts.pem")"
t_jq "sts good no error" '.error' null
t_jq "sts good ms" '.ms >= 0 and .ms < 5000' true

for d in testing stsnone stsmismatch stswild; do
	t_run "sts fetch $d" 0 f "$d.lab.test" "$HTTPS"
	t_jq "sts $d policy" '"\(.http_status) \(.authenticated) \(.content_type_ok) \(.body | startswith("version: STSv1"))"' \
		"200 true true true"
done
t_run "sts fetch testing again" 0 f testing.lab.test "$HTTPS"
t_jq "sts testing mode" '.body | test("mode: testing")' true

# A trailing root dot is dropped from the host name.
t_run "sts fetch root dot" 0 f good.lab.test. "$HTTPS"
t_jq "sts root dot url" '.url' "https://mta-sts.good.lab.test$WK"

# The first address refuses, the second serves.
t_run "sts fetch second address" 0 f good.lab.test 127.10.0.250 "$HTTPS"
t_jq "sts second address used" '"\(.host_addresses | length) \(.connected_address) \(.http_status)"' \
	"2 $HTTPS 200"

# --- hostile policy hosts ---
t_run "sts fetch redirect" 1 f stsredirect.lab.test "$HTTPS"
t_jq "sts redirect error" '"\(.error.code) \(.error.phase)"' "http-redirect https"
t_jq "sts redirect status" '.http_status' 301
t_jq "sts redirect location" '.location' "https://mta-sts.good.lab.test$WK"
t_jq "sts redirect not followed" '"\(.body) \(.url)"' "null https://mta-sts.stsredirect.lab.test$WK"
t_jq "sts redirect authenticated" '.authenticated' true

t_run "sts fetch ctype" 0 f stsctype.lab.test "$HTTPS"
t_jq "sts ctype content type" '"\(.content_type) \(.content_type_ok)"' "text/html false"
t_jq "sts ctype body kept" '"\(.http_status) \(.body | startswith("version: STSv1"))"' "200 true"

t_run "sts fetch big" 1 f stsbig.lab.test "$HTTPS"
t_jq "sts big error" '.error.code' http-too-large
t_jq "sts big capped" '"\(.too_large) \(.bytes <= 65536) \(.content_length > 65536)"' "true true true"
t_jq "sts big body" '.body == null' true

t_run "sts fetch big chunked" 1 f stsbigchunked.lab.test "$HTTPS"
t_jq "sts big chunked error" '.error.code' http-too-large
t_jq "sts big chunked counted" '"\(.too_large) \(.bytes) \(.content_length)"' "true 65536 null"
t_jq "sts big chunked body" '.body == null' true

t_run "sts fetch badcert" 1 f stsbadcert.lab.test "$HTTPS"
t_jq "sts badcert unauthenticated" '"\(.fetched) \(.authenticated) \(.body)"' "false false null"
t_jq "sts badcert verdict" '.tls | "\(.trusted) \(.name_match) \(.verify_code)"' "true false 62"
t_jq "sts badcert verify error" '.tls.verify_error | test("mta-sts.stsbadcert.lab.test")' true
t_jq "sts badcert leaf" '.tls.leaf_sha256' "$(fingerprint "$CERTS/web-default.pem")"
t_jq "sts badcert error" '"\(.error.code) \(.error.phase)"' "tls-protocol tls"

t_run "sts fetch 404" 1 f sts404.lab.test "$HTTPS"
t_jq "sts 404 error" '"\(.error.code) \(.http_status) \(.body)"' "http-status 404 null"

# A trust store without the lab's root: the chain fails, not the name.
if [ -r /etc/ssl/certs/ca-certificates.crt ]; then
	t_run "sts fetch untrusted" 1 "$STSFETCH" --ca-file /etc/ssl/certs/ca-certificates.crt \
		--timeout 5 good.lab.test "$HTTPS"
	t_jq "sts untrusted verdict" '"\(.fetched) \(.authenticated) \(.tls.trusted) \(.tls.verify_code)"' \
		"false false false 20"
	t_jq "sts untrusted error" '.error.code' tls-protocol
fi

# Nothing listens: refused at once, well inside the budget.
t_run "sts fetch dead" 1 "$STSFETCH" --ca-file "$CA" --timeout 3 good.lab.test 127.10.0.250
t_jq "sts dead error" '"\(.error.code) \(.error.phase)"' "refused connect"
t_jq "sts dead quick" '"\(.fetched) \(.ms < 2000)"' "false true"

# --- tool errors ---
t_run "sts bad ca file" 2 "$STSFETCH" --ca-file /nonexistent/ca.pem good.lab.test "$HTTPS"
t_jq "sts bad ca file code" '.error.code' config
t_run "sts bad domain" 2 f 'good.lab.test/evil' "$HTTPS"
t_jq "sts bad domain code" '.error.code' usage
t_run "sts bad address" 2 f good.lab.test "$HTTPS,127.0.0.1"
t_jq "sts bad address code" '.error.code' usage

t_done
