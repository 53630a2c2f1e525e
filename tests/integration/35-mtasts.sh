# tests/integration/35-mtasts.sh - MTA-STS and the policy verdicts through
# smtptls probe, against the lab's nginx policy hosts and Postfix MTAs.
# asan: skip - grades the lab's good policies; the fetch runs under ASan in 37-hostile-mtasts (good and hostile policy hosts), the policy and TXT parsers in 60-fuzz-replay
. "$SMTPTLS_TOP/tests/lib.sh"

status_of() { # ID [MX]: status of the first matching check
	jq -r --arg id "$1" --arg m "${2:-}" '[.checks[] | select(.id == $id and
	    ($m == "" or .subject.mx == $m)) | .status][0]' <"$T_OUT"
}

# enforce, every MX matches: the mta-sts level delivers; the fetch ran
t_run mtasts/good/exit 0 lab_probe --json --require mta-sts --require secure good.lab.test
t_eq mtasts/good/txt pass "$(status_of mtasts.txt)"
t_eq mtasts/good/fetch pass "$(status_of mtasts.policy.fetch)"
t_eq mtasts/good/cert pass "$(status_of mtasts.policy.cert)"
t_eq mtasts/good/syntax pass "$(status_of mtasts.policy.syntax)"
t_jq mtasts/good/parsed '.mta_sts.policy.parsed | "\(.mode) \(.mx | join(","))"' \
    "enforce mx1.lab.test,mx2.lab.test"
t_jq mtasts/good/matched '[.mx[].mta_sts.pattern] | join(",")' "mx1.lab.test,mx2.lab.test"
t_jq mtasts/good/level '.verdicts.levels["mta-sts"].outcome' "deliver"
t_jq mtasts/good/secure-rules '[.verdicts.levels.secure.addresses[].rule] | join(",")' "dane,dane"
t_jq mtasts/good/mx-cert '[.checks[] | select(.id == "mtasts.mx.cert") | .status] | join(",")' "pass,pass"
# the fetch overlaps the SMTP sessions: its time is not added to the total
t_jq mtasts/good/timing '.timings_ms.mta_sts != null' "true"

# enforce with an mx pattern that matches nothing: a failure without --require
t_run mtasts/mismatch/exit 1 lab_probe --json stsmismatch.lab.test
t_eq mtasts/mismatch/match-fail fail "$(status_of mtasts.mx.match mx1.lab.test)"
t_jq mtasts/mismatch/level '.verdicts.levels["mta-sts"] | "\(.outcome) \(.status)"' "defer fail"
t_jq mtasts/mismatch/reason '.verdicts.levels["mta-sts"].addresses[0].reason' "mtasts.mx.match"
# DANE wins where TLSA records are secure and usable (RFC 8461 2): mx1 has them
t_jq mtasts/mismatch/secure-dane '.verdicts.levels.secure.variants.sender.addresses[0].rule' "dane"

# a wildcard pattern
t_run mtasts/wildcard/exit 0 lab_probe --json stswild.lab.test
t_jq mtasts/wildcard/pattern '.mx[0].mta_sts.pattern' "*.lab.test"

# testing mode: a warning at most, would_fail on every address of the variant
t_run mtasts/testing/exit 0 lab_probe --json testing.lab.test
t_eq mtasts/testing/mode info "$(status_of mtasts.policy.mode)"
t_jq mtasts/testing/judged '.verdicts.levels["mta-sts"] | "\(.judged_on) \(.expectation)"' "sender published"
t_jq mtasts/testing/would-fail '[.verdicts.levels["mta-sts"].variants.sender.addresses[] | has("would_fail")] | all' "true"
t_run mtasts/testing/required 1 lab_probe --json --require mta-sts testing.lab.test

# mode none: the policy is withdrawn
t_run mtasts/none/exit 0 lab_probe --json stsnone.lab.test
t_eq mtasts/none/mode info "$(status_of mtasts.policy.mode)"
t_eq mtasts/none/match-skip skip "$(status_of mtasts.mx.match)"

# hostile policy hosts: each gives its own finding
host_case() { # NAME DOMAIN CHECK STATUS JQ EXPECTED
	t_run "mtasts/$1/exit" 1 lab_probe --json "$2"
	t_eq "mtasts/$1/$3" "$4" "$(status_of "$3")"
	t_jq "mtasts/$1/detail" "$5" "$6"
}
host_case redirect stsredirect.lab.test mtasts.policy.fetch fail \
    '[.checks[] | select(.id == "mtasts.policy.fetch") | .data.reason][0] + " " + (.mta_sts.policy.location != null | tostring)' "redirect true"
host_case ctype stsctype.lab.test mtasts.policy.fetch fail \
    '[.checks[] | select(.id == "mtasts.policy.fetch") | .data.reason][0]' "content-type"
host_case big stsbig.lab.test mtasts.policy.fetch fail \
    '[.checks[] | select(.id == "mtasts.policy.fetch") | .data.reason][0] + " " + (.mta_sts.policy.body == null | tostring)' "too-large true"
host_case chunked stsbigchunked.lab.test mtasts.policy.fetch fail \
    '.mta_sts.policy.bytes <= 65536' "true"
host_case badcert stsbadcert.lab.test mtasts.policy.cert fail \
    '.mta_sts.policy.authenticated' "false"
host_case notfound sts404.lab.test mtasts.policy.fetch fail '.mta_sts.policy.http_status' "404"
host_case nohost stsnohost.lab.test mtasts.policy.fetch fail '.mta_sts.policy.fetched' "false"

# no MTA-STS at all: info, and the levels that need it are not met
t_run mtasts/absent/exit 0 lab_probe --json tls12.lab.test
t_eq mtasts/absent/txt info "$(status_of mtasts.txt)"
t_run mtasts/absent/required 1 lab_probe --json --require mta-sts tls12.lab.test
t_run mtasts/no-mta-sts-usage 2 lab_probe --json --no-mta-sts --require mta-sts good.lab.test
t_run mtasts/host-usage 2 lab_probe --json --require secure --host mx1.lab.test

# PKIX becomes expected where an enforce policy names the host (checks.md 1.8):
# the lab's expired MX would be a warning elsewhere; under good.lab.test's
# policy the same kind of finding fails. Compare with a domain without policy.
t_run mtasts/pkix-not-expected 0 lab_probe --json expired.lab.test
t_eq mtasts/pkix-not-expected-warn warn "$(status_of cert.expiry)"

# TXT grammar of _mta-sts and _smtp._tls (RFC 8461 3.1, RFC 8460 3), judged
# on the records' octets as served by NSD. These domains have no policy
# host, so the fetch fails (exit 1); only the records are asserted.
STS_ID=$(. "$LAB/env" && printf '%s' "$STS_ID")
# a tab after ";" and extension names with ".", "-", "_" are valid
t_run mtasts/txt-tab/exit 1 lab_probe --json txttab.lab.test
t_eq mtasts/txt-tab/txt pass "$(status_of mtasts.txt)"
t_jq mtasts/txt-tab/id '.mta_sts.txt.id' "$STS_ID"
t_jq mtasts/txt-tab/ext '.mta_sts.txt.fields["a.b-c_d"]' "x"
t_eq mtasts/txt-tab/rpt pass "$(status_of tlsrpt.record)"
t_jq mtasts/txt-tab/rua '.tls_rpt.rua[0].uri' "mailto:tlsrpt@txttab.lab.test"
# records not beginning "v=STSv1;" / "v=TLSRPTv1;" are discarded before the
# records are counted: one of each remains
t_run mtasts/txt-discard/exit 1 lab_probe --json txtdiscard.lab.test
t_eq mtasts/txt-discard/txt pass "$(status_of mtasts.txt)"
t_jq mtasts/txt-discard/candidates '.mta_sts.txt.candidates' "1"
t_jq mtasts/txt-discard/id '.mta_sts.txt.id' "$STS_ID"
t_eq mtasts/txt-discard/rpt pass "$(status_of tlsrpt.record)"
t_jq mtasts/txt-discard/rpt-candidates '.tls_rpt.candidates' "1"
t_jq mtasts/txt-discard/rua '.tls_rpt.rua[0].uri' "mailto:b@txtdiscard.lab.test"
# a space before the first ";" of the one record: valid, with a warning
t_run mtasts/txt-wsp/exit 1 lab_probe --json txtwsp.lab.test
t_jq mtasts/txt-wsp/txt '.checks[] | select(.id == "mtasts.txt") | "\(.status): \(.detail)"' \
    "warn: v=STSv1 ; id=$STS_ID (whitespace before the first ';': some senders discard it)"
t_jq mtasts/txt-wsp/id '.mta_sts.txt.id' "$STS_ID"
# a non-ASCII extension value and trailing whitespace are invalid
t_run mtasts/txt-bad/exit 1 lab_probe --json txtbad.lab.test
t_eq mtasts/txt-bad/txt fail "$(status_of mtasts.txt)"
t_match mtasts/txt-bad/txt-detail 'malformed field value' \
    "$(jq -r '[.checks[] | select(.id == "mtasts.txt") | .detail][0]' <"$T_OUT")"
t_eq mtasts/txt-bad/rpt fail "$(status_of tlsrpt.record)"
t_match mtasts/txt-bad/rpt-detail 'trailing whitespace' \
    "$(jq -r '[.checks[] | select(.id == "tlsrpt.record") | .detail][0]' <"$T_OUT")"

t_done
