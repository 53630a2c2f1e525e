# tests/integration/58-diff.sh - smtptls diff OLD.json NEW.json on pairs of
# lab reports (issue 15, "change reports"); the rules one by one are
# tests/unit/test_report_diff.c.
#
# Pairs the lab makes for real: good.lab.test twice (nothing that matters
# changed), good.lab.test with --warn-days 400 (the lab's leaves are valid
# for a year: both cross into the warning window), good.lab.test with
# --no-dane (two levels no longer judged). Pairs the lab cannot make (its
# zones and certificates are fixed while it runs) are real reports edited
# with jq, and say so: the mx1 address as measured for danebad.lab.test
# (same server, a TLSA record that does not match) spliced into good's
# report with danebad's verdicts; mx1 presenting mx2's real key with DANE
# failing; an added MX host (mx-nostarttls, measured for
# nostarttls.lab.test); the MTA-STS id and mode changed. Exit codes: 1 when
# a level got worse, 0 otherwise, 2 with one stderr line for unreadable,
# non-JSON, non-probe input and reports of different targets. --json
# output is validated against tests/schema/diff.schema.json.
. "$SMTPTLS_TOP/tests/lib.sh"

T0=$(date +%s%N)
W=$(mktemp -d /tmp/smtptls-diff.XXXXXX)
trap 'rm -rf "$W"' EXIT
SCHEMA="$SMTPTLS_TOP/tests/schema"

# report NAME ARGS...: a probe report of the lab into $W/NAME.json
report() {
	local name=$1
	shift
	lab_probe --json "$@" >"$W/$name.json" 2>"$W/$name.err"
	local rc=$?
	[ "$rc" -le 1 ] || t_fail "diff/lab/$name" "a report (exit 0 or 1)" "exit $rc: $(head -c 300 "$W/$name.err")"
}
report good good.lab.test
report good2 good.lab.test
report warn good.lab.test --warn-days 400
report nodane good.lab.test --no-dane
report danebad danebad.lab.test
report nostarttls nostarttls.lab.test

# changes: the "rule/direction" list of the last --json diff in $T_OUT
changes() { jq -r '[.changes[] | .rule + "/" + .direction] | join(" ")' <"$T_OUT"; }
# diff_case NAME EXIT OLD NEW WANT: both outputs of one pair
diff_case() {
	local name=$1 want_rc=$2 old=$W/$3.json new=$W/$4.json want=$5
	t_run "diff/$name/text" "$want_rc" "$SMTPTLS" diff "$old" "$new"
	t_match "diff/$name/text-summary" '^[0-9]+ changes?' "$(tail -n 1 "$T_OUT")"
	t_run "diff/$name/json" "$want_rc" "$SMTPTLS" diff --json "$old" "$new"
	t_eq "diff/$name/changes" "$want" "$(changes)"
	t_eq "diff/$name/exit_code-field" "$want_rc" "$(jq -r .exit_code <"$T_OUT")"
	# one document a line: validated all at once at the end (python's
	# start and jsonschema's import cost seconds under load)
	cat "$T_OUT" >>"$W/diffs.jsonl"
}

# --- real pairs ----------------------------------------------------------
diff_case same 0 good good2 ""
diff_case warn-window 0 good warn "cert.expiry/worse cert.expiry/worse"
t_match diff/warn-window/said 'expiring' "$(jq -r '.changes[0].detail' <"$T_OUT")"
diff_case warn-window-back 0 warn good "cert.expiry/better cert.expiry/better"
diff_case no-dane 0 good nodane "level/changed level/changed dane.match/changed dane.match/changed"

# --- edited pairs (jq; the lab cannot change while it runs) --------------
# mx1 as measured for danebad.lab.test: same server and key, TLSA no match
jq --slurpfile d "$W/danebad.json" '
    .mx[0].addresses = $d[0].mx[0].addresses
    | .verdicts = ($d[0].verdicts
        | walk(if type == "object" and .mx == "mx-danebad.lab.test"
               then .mx = "mx1.lab.test" else . end))' \
    "$W/good.json" >"$W/tlsa-broken.json"
want_dane=$(jq -r --slurpfile g "$W/good.json" '
    [.verdicts.levels | to_entries[] | select(.value.outcome != $g[0].verdicts.levels[.key].outcome)]
    | length' "$W/tlsa-broken.json")
t_match diff/lab/danebad-levels-differ '^[1-9]' "$want_dane"
t_run diff/tlsa-broken/json 1 "$SMTPTLS" diff --json "$W/good.json" "$W/tlsa-broken.json"
t_match diff/tlsa-broken/level-dane-worse 'level/worse' "$(changes)"
t_match diff/tlsa-broken/dane-match-worse 'dane\.match/worse' "$(changes)"
t_eq diff/tlsa-broken/no-key-change "" "$(changes | grep -o 'cert\.key[^ ]*')"
t_eq diff/tlsa-broken/level-subject dane \
    "$(jq -r '[.changes[] | select(.rule == "level" and .subject.level == "dane")][0].subject.level' <"$T_OUT")"
t_run diff/tlsa-fixed/json 0 "$SMTPTLS" diff --json "$W/tlsa-broken.json" "$W/good.json"
t_match diff/tlsa-fixed/better 'level/better.*dane\.match/better' "$(changes)"

# the key rolled (mx2's real key) and TLSA no longer matches
jq --slurpfile g "$W/good.json" '
    .mx[0].addresses[0].tls.chain = $g[0].mx[1].addresses[0].tls.chain
    | .mx[0].addresses[0].dane.verified = false
    | .verdicts.levels.dane.outcome = "defer"' \
    "$W/good.json" >"$W/key-rolled.json"
diff_case key-rolled 1 good key-rolled "level/worse cert.key/worse dane.match/worse"
t_match diff/key-rolled/said 'no longer match' "$(jq -r '[.changes[] | select(.rule == "cert.key")][0].detail' <"$T_OUT")"
# ... and with the TLSA record updated in time: still matches
jq '.mx[0].addresses[0].dane.verified = true | .verdicts.levels.dane.outcome = "deliver"' \
    "$W/key-rolled.json" >"$W/key-rolled-ok.json"
diff_case key-rolled-ok 0 good key-rolled-ok "cert.key/changed"
t_match diff/key-rolled-ok/said 'still match' "$(jq -r '.changes[0].detail' <"$T_OUT")"

# an MX host added: mx-nostarttls as measured for nostarttls.lab.test
jq --slurpfile n "$W/nostarttls.json" '.mx += $n[0].mx' "$W/good.json" >"$W/mx-added.json"
diff_case mx-added 0 good mx-added "mx.added/changed"
diff_case mx-removed 0 mx-added good "mx.removed/changed"

# MTA-STS: new id, mode enforce -> testing
jq '.mta_sts.txt.id = "20261207T000000" | .mta_sts.policy.parsed.mode = "testing"' \
    "$W/good.json" >"$W/sts.json"
diff_case mta-sts 0 good sts "mta_sts.id/changed mta_sts.mode/worse"

# --- input that is not two reports of one target -------------------------
printf 'not json\n' >"$W/garbage.json"
"$SMTPTLS" --json probe --no-such-option >"$W/error-doc.json" 2>/dev/null
# bad_input NAME ARGS...: exit 2, one stderr line, nothing on stdout
bad_input() {
	local name=$1
	shift
	t_run "diff/input/$name" 2 "$SMTPTLS" diff "$@"
	t_eq "diff/input/$name/one-line" 1 "$(wc -l <"$T_ERR")"
	t_eq "diff/input/$name/stdout-empty" "" "$(cat "$T_OUT")"
	t_match "diff/input/$name/said" '^smtptls: [^A-Z]' "$(cat "$T_ERR")"
}
bad_input missing-file "$W/good.json" "$W/nope.json"
bad_input not-json "$W/garbage.json" "$W/good.json"
bad_input error-document "$W/good.json" "$W/error-doc.json"
bad_input different-targets "$W/good.json" "$W/danebad.json"
bad_input one-operand "$W/good.json"
bad_input three-operands "$W/good.json" "$W/good.json" "$W/good.json"
bad_input unknown-option --frobnicate "$W/good.json" "$W/good.json"
t_run diff/input/json-error-document 2 "$SMTPTLS" diff --json "$W/garbage.json" "$W/good.json"
t_eq diff/input/json-error-document/type error "$(jq -r .type <"$T_OUT")"
t_run diff/help 0 "$SMTPTLS" diff --help
t_match diff/help/usage 'usage: smtptls diff' "$(head -n 1 "$T_OUT")"

# every --json answer above against the schema, one line (#N) each
python3 "$SCHEMA/validate.py" "$SCHEMA/diff.schema.json" "$W/diffs.jsonl" \
    diff/schema || T_FAILED=$((T_FAILED + 1))
t_eq diff/schema/documents 9 "$(wc -l <"$W/diffs.jsonl")"

echo "# 58-diff: $(( ($(date +%s%N) - T0) / 1000000 )) ms"
t_done
