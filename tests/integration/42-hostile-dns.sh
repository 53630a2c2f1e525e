# tests/integration/42-hostile-dns.sh - hostile DNS from the lab's own
# authoritative server, through smtptls probe: each case finishes within the
# deadline, exits with the documented code, gives its finding and stays in
# bounded memory (peak RSS measured with /usr/bin/time).
. "$SMTPTLS_TOP/tests/lib.sh"

RSS_MAX=65536 # KiB: the issue's bound
if grep -q __asan_init "$SMTPTLS" 2>/dev/null; then
	RSS_MAX=262144 # ASan's shadow memory
fi

status_of() { # ID [MX]
	jq -r --arg id "$1" --arg m "${2:-}" '[.checks[] | select(.id == $id and
	    ($m == "" or .subject.mx == $m)) | .status][0]' <"$T_OUT"
}

# hostile NAME EXIT DOMAIN [probe options]: run with RSS and time measured
hostile() {
	local name=$1 want=$2 d=$3 t0 t1 rss
	shift 3
	t0=$(date +%s%3N)
	t_run "hostile-dns/$name/exit" "$want" /usr/bin/time -f '%M' -o "$LAB_TMP/rss" \
	    "$SMTPTLS" probe --json --resolver "$RESOLVER" --ca-file "$CA" --allow-private \
	    --timeout 3 --deadline 10 "$@" "$d"
	t1=$(date +%s%3N)
	rss=$(tail -n 1 "$LAB_TMP/rss")
	if [ "$((t1 - t0))" -lt 11000 ]; then t_pass "hostile-dns/$name/deadline"
	else t_fail "hostile-dns/$name/deadline" "under 11 s" "$((t1 - t0)) ms"; fi
	if [ "${rss:-0}" -gt 0 ] && [ "$rss" -lt "$RSS_MAX" ]; then t_pass "hostile-dns/$name/rss"
	else t_fail "hostile-dns/$name/rss" "peak RSS under $RSS_MAX KiB" "${rss:-?} KiB"; fi
}
LAB_TMP=$(mktemp -d)
trap 'rm -rf "$LAB_TMP"' EXIT

# the MX target is a CNAME loop: no address, the lookup error is reported
hostile cnameloop 3 cnameloop.lab.test
t_eq hostile-dns/cnameloop/resolves error "$(status_of dns.mx.target.resolves)"
t_match hostile-dns/cnameloop/detail 'loop|CNAME|chain' \
    "$(jq -r '.mx[0].a.error.message' <"$T_OUT")"

# 500 MX records: the list is capped, nothing resolves, the run stays small
hostile mx500 1 mx500.lab.test
t_jq hostile-dns/mx500/capped '.mx | length <= 64' "true"
t_jq hostile-dns/mx500/answers '.dns.mx.lookup.answers | length <= 64' "true"
t_jq hostile-dns/mx500/defer '.verdicts.levels.opportunistic.outcome' "defer"

# an address written as an MX name
hostile mxliteral 1 mxliteral.lab.test
t_eq hostile-dns/mxliteral/syntax fail "$(status_of dns.mx.target.syntax)"

# an MX target without address records
hostile mxnoaddr 1 mxnoaddr.lab.test
t_eq hostile-dns/mxnoaddr/resolves fail "$(status_of dns.mx.target.resolves)"

# two _mta-sts records: senders act as if there were none
hostile ststwo 1 ststwo.lab.test
t_eq hostile-dns/ststwo/txt fail "$(status_of mtasts.txt)"
t_jq hostile-dns/ststwo/candidates '.mta_sts.txt.candidates' "2"
t_jq hostile-dns/ststwo/detail '.checks[] | select(.id == "mtasts.txt") | .detail' \
    "2 v=STSv1 records: senders act as if there were none"

# signed TLSA records SMTP cannot use (usage 1, an unknown matching type):
# each says why in the lookup's record, DANE senders insist on TLS (the
# encrypt level delivers) but authenticate nothing (dane defers)
hostile daneunusable 1 daneunusable.lab.test
t_eq hostile-dns/daneunusable/usable fail "$(status_of dane.tlsa.usable)"
t_eq hostile-dns/daneunusable/params warn "$(status_of dane.tlsa.params)"
t_jq hostile-dns/daneunusable/records '.mx[0].dane.tlsa.answers | sort_by(.usage)
    | map("\(.usage) \(.selector) \(.mtype) \(.usable): \(.reason)") | join("; ")' \
    "1 1 1 false: usages 0 and 1 are unusable for SMTP (RFC 7672 3.1.3); 3 1 9 false: unknown usage, selector or matching type"
t_jq hostile-dns/daneunusable/levels '.verdicts.levels | "\(.encrypt.outcome) \(.dane.outcome)"' "deliver defer"

# one usable record beside an unusable one: a warning (TLS-RPT
# tlsa-invalid), DANE verifies with the usable one and delivers
hostile danepartial 0 danepartial.lab.test
t_jq hostile-dns/danepartial/usable '.checks[] | select(.id == "dane.tlsa.usable")
    | "\(.status) \(.tlsrpt): \(.detail)"' "warn tlsa-invalid: 1 of 2 TLSA records usable"
t_jq hostile-dns/danepartial/match '.mx[0].addresses[0].dane | "\(.verified) \(.matched.usage) \(.matched.selector) \(.matched.mtype)"' \
    "true 3 1 1"
t_jq hostile-dns/danepartial/levels '.verdicts.levels | "\(.dane.outcome) \(.secure.outcome)"' "deliver deliver"

# the TLSA name an alias into bogus.lab.test (expired signatures), the
# addresses secure: the lookup fails as bogus, DANE senders defer; the
# lookup's message is the resolver's SERVFAIL, not a transport's leftover
hostile tlsabogus 1 tlsabogus.lab.test
t_jq hostile-dns/tlsabogus/lookup '.checks[] | select(.id == "dane.tlsa.lookup")
    | "\(.status) \(.tlsrpt): \(.detail)"' \
    "fail dnssec-invalid: TLSA lookup for _25._tcp.mx-tlsabogus.lab.test failed (bogus): DANE senders defer mail to this host"
t_jq hostile-dns/tlsabogus/error '.mx[0].dane.tlsa.error | "\(.code) \(.message)"' "dns-bogus SERVFAIL"
t_jq hostile-dns/tlsabogus/levels '.verdicts.levels | "\(.encrypt.outcome) \(.dane.outcome)"' "deliver defer"

# a TXT record of about 50 KiB (arrives over TCP): parsed in bounded memory
hostile txtbig 1 txtbig.lab.test
t_jq hostile-dns/txtbig/answered '.mta_sts.txt.lookup.rcode' "NOERROR"
t_eq hostile-dns/txtbig/txt fail "$(status_of mtasts.txt)"

# verdict coverage: one MX host with TLS, one without -> encrypt is partial
# (and smtp.starttls.offered fails for the second host: exit 1)
hostile partial 1 partial.lab.test
t_jq hostile-dns/partial/encrypt '.verdicts.levels.encrypt.outcome' "partial"
t_jq hostile-dns/partial/opportunistic '.verdicts.levels.opportunistic.outcome' "deliver"
t_run hostile-dns/partial/require-encrypt 1 lab_probe --json --require encrypt partial.lab.test

t_done
