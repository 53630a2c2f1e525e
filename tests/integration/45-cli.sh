# tests/integration/45-cli.sh - wrong command lines, and docs that stay
# honest (style.md 13).
#
# Every probe option given a missing or a garbage value: exit 2, exactly
# one line on stderr (lower-case, naming the problem), nothing on stdout;
# with --json the same mistake gives one error document on stdout
# (report.md 7.2). Unknown commands and options exit 2; --version and
# --help behave. Then the docs: every check id the probe emits for the
# lab's good domain and every exit code are in man/smtptls.1 (options:
# 47-docs.sh; hostile values for every option: 46-cli-props.sh).
# asan: skip - usage errors and docs; 46-cli-props runs every option under ASan
. "$SMTPTLS_TOP/tests/lib.sh"

MAN="$SMTPTLS_TOP/man/smtptls.1"
# If a bad value slipped through, the probe must not wander off to the
# Internet or take long: lab resolver, a reserved name, short limits.
SAFE="--resolver $RESOLVER --timeout 1 --deadline 3"
TARGET=example.invalid

# usage_error NAME ARGS...: exit 2, one line on stderr, empty stdout; then
# the same with --json: an error document on stdout. (Shell built-ins
# between the runs: a process per assertion made this script the suite's
# slowest.)
usage_error() {
	local name=$1 err doc lines
	shift
	t_run "cli/$name/exit" 2 "$SMTPTLS" "$@"
	# Accepted (or crashed): t_run said so; the rest would only repeat it.
	[ "$T_RC" = 2 ] || return 0
	err=""
	IFS= read -r -d '' err <"$T_ERR"
	lines=${err//[!$'\n']/} # the newlines: what wc -l counts
	t_eq "cli/$name/one-stderr-line" 1 "${#lines}"
	if [[ ${err%%$'\n'*} == "smtptls: "[!A-Z]* ]]; then
		t_pass "cli/$name/message"
	else
		t_fail "cli/$name/message" '/^smtptls: [^A-Z]/' "${err%%$'\n'*}"
	fi
	if [ -s "$T_OUT" ]; then
		t_fail "cli/$name/stdout-empty" 0 "$(wc -c <"$T_OUT")"
	else
		t_pass "cli/$name/stdout-empty"
	fi
	t_run "cli/$name/json-exit" 2 "$SMTPTLS" --json "$@"
	[ "$T_RC" = 2 ] || return 0
	# One jq over the whole output: the document count, then its fields.
	mapfile -t doc < <(jq -rs 'length, (.[0] | "\(.type) \(.exit_code) \(.error.phase)",
	    .error.code, (.error.message | length > 0))' <"$T_OUT" 2>&1)
	t_eq "cli/$name/json-one-document" 1 "${doc[0]:-}"
	t_eq "cli/$name/json-doc" "error 2 options" "${doc[1]:-}"
	# report.md 7.1 has both codes and no rule between them for a bad
	# value; an unreadable file must be "config".
	if [ "$JSON_CODE" = config ]; then
		t_eq "cli/$name/json-code" config "${doc[2]:-}"
	else
		t_match "cli/$name/json-code" '^(usage|config)$' "${doc[2]:-}"
	fi
	t_eq "cli/$name/json-message" true "${doc[3]:-}"
}

# --- probe options: missing value (the option last) and a garbage value
JSON_CODE=usage
for opt in --resolver --trust-anchor --ca-file --ca-path --timeout \
    --deadline --host --port --ehlo --rcpt --mail-from --require --min-tls \
    --warn-days --tls-domain --ignore; do
	# shellcheck disable=SC2086
	usage_error "missing$opt" probe $SAFE "$TARGET" "$opt"
done

# option value: garbage values, each one line: "OPTION VALUE"
while read -r opt value <&3; do
	# shellcheck disable=SC2086
	usage_error "garbage$opt=$value" probe $SAFE "$opt" "$value" "$TARGET"
done 3<<'EOF'
--resolver not-an-address
--resolver 127.0.0.1:99999
--timeout abc
--timeout -5
--timeout 0
--timeout 99999999999999999999
--deadline abc
--deadline -1
--port 0
--port 70000
--port 25x
--ehlo bad!name
--rcpt not-an-address
--mail-from a<b>c
--require strict
--min-tls 2.0
--warn-days x
--warn-days -1
--tls-domain bad!name
--tls-domain bad..name
EOF

# --host takes the place of the target
usage_error garbage--host='[127.0.0.1]:99999' probe $SAFE --host '[127.0.0.1]:99999'
usage_error garbage--host='[not-an-ip' probe $SAFE --host '[not-an-ip'
usage_error --color=sometimes probe $SAFE --color=sometimes "$TARGET"

# Unreadable files are configuration errors (report.md 8: exit 2)
JSON_CODE=config
usage_error garbage--ca-file=missing probe $SAFE --ca-file /nonexistent/ca.pem "$TARGET"
usage_error garbage--ca-file=not-pem probe $SAFE --ca-file "$SMTPTLS_TOP/README.md" "$TARGET"
usage_error garbage--ca-path=missing probe $SAFE --ca-path /nonexistent "$TARGET"
usage_error garbage--trust-anchor=missing probe $SAFE --trust-anchor /nonexistent "$TARGET"
JSON_CODE=usage

# --- targets and option combinations
usage_error no-target probe $SAFE
usage_error two-targets probe $SAFE a.invalid b.invalid
usage_error host-and-target probe $SAFE --host '[127.0.0.1]' "$TARGET"
usage_error bad-domain probe $SAFE 'exa mple..invalid'
usage_error four-and-six probe $SAFE -4 -6 "$TARGET"
usage_error require-dane-no-dane probe $SAFE --require dane --no-dane "$TARGET"

# The extra address probes need a mailbox: without one, a usage error
for opt in --catchall --cleartext; do
	usage_error "no-mailbox$opt" probe $SAFE "$opt" "$TARGET"
done
# --domains with an empty list, or with a target, is a usage error
usage_error domains-empty probe $SAFE --domains /dev/null
usage_error domains-empty-f probe $SAFE -f /dev/null
usage_error domains-and-target probe $SAFE -f /dev/null "$TARGET"
usage_error parallel-zero probe $SAFE --parallel 0 "$TARGET"
# A level that an option leaves out is a usage error (report.md 8).
usage_error require-secure-no-mta-sts probe $SAFE --no-mta-sts --require secure "$TARGET"
usage_error require-dane-no-dane probe $SAFE --no-dane --require dane "$TARGET"
# The message names the option.
t_run cli/no-mailbox-names-option 2 "$SMTPTLS" probe --catchall "$TARGET"
t_match cli/no-mailbox-names-option/message '--catchall' "$(cat "$T_ERR")"

# --- serve: its own options and the probe options it cannot use
# (127.10.17.30 is never bound: each case is refused before that)
SERVE_AT="--bind 127.10.17.30:9725 --duration 1"
usage_error serve-bind-name serve --bind localhost:9725
usage_error serve-bind-port serve --bind 127.10.17.30:70000
usage_error serve-allow-from-host-bits serve $SERVE_AT --allow-from 127.10.17.1/24
usage_error serve-allow-from-garbage serve $SERVE_AT --allow-from not-a-net
usage_error serve-max-probes-zero serve $SERVE_AT --max-probes 0
usage_error serve-client-rate-x serve $SERVE_AT --client-rate x
usage_error serve-target serve $SERVE_AT "$TARGET"
usage_error serve-host serve $SERVE_AT --host '[127.0.0.1]'
usage_error serve-domains serve $SERVE_AT -f /dev/null
usage_error serve-missing-value serve $SERVE_AT --allow-from
usage_error serve-probe-option serve $SAFE $SERVE_AT --min-tls 2.0
t_run cli/serve-help 0 "$SMTPTLS" serve --help
t_match cli/serve-help/usage '^usage: smtptls serve' "$(head -n 1 "$T_OUT")"

# --- unknown command, unknown option
usage_error unknown-command bogus
usage_error unknown-option probe --bogus "$TARGET"
usage_error unknown-global-option --bogus probe "$TARGET"
t_run cli/no-command 2 "$SMTPTLS"

# --- --version, --help
t_run cli/version 0 "$SMTPTLS" --version
t_match cli/version/first-line '^smtptls [0-9]+\.[0-9]+\.[0-9]+$' "$(head -n 1 "$T_OUT")"
t_match cli/version/openssl 'OpenSSL' "$(cat "$T_OUT")"
t_run cli/help 0 "$SMTPTLS" --help
t_match cli/help/usage '^usage: smtptls' "$(head -n 1 "$T_OUT")"
t_run cli/help-short 0 "$SMTPTLS" -h
t_run cli/probe-help 0 "$SMTPTLS" probe --help
t_match cli/probe-help/usage '^usage: smtptls probe' "$(head -n 1 "$T_OUT")"

# --- docs stay honest (--help against the man page and the README, and
# the lint: 47-docs.sh)
MANTEXT=$(mandoc -Tascii "$MAN" | col -bx)

# Every exit code in EXIT STATUS.
codes=$(printf '%s\n' "$MANTEXT" | sed -n '/^EXIT STATUS/,/^[A-Z]/p' |
    grep -oE '^ +[0-4] ' | tr -d ' ' | sort -u | tr '\n' ' ')
t_eq cli/man/exit-codes "0 1 2 3 4 " "$codes"

# Every check id the probe emits for the lab's good domain, and for an
# address target (rcpt.*), is in the man page.
ids=""
t_run cli/good-domain 0 lab_probe --json good.lab.test
ids="$ids $(jq -r '.checks[].id' <"$T_OUT")"
T_OUT_ADDR=$(mktemp)
lab_probe --json postmaster@good.lab.test >"$T_OUT_ADDR" 2>/dev/null
rc=$?
t_match cli/good-address/no-signal '^[0-3]$' "$rc"
ids="$ids $(jq -r '.checks[].id' <"$T_OUT_ADDR")"
missing=""
for id in $(printf '%s\n' $ids | sort -u); do
	printf '%s\n' "$MANTEXT" | grep -qF -- "$id" || missing="$missing $id"
done
t_eq cli/man/check-ids-documented "" "$missing"
t_match cli/man/check-ids-seen 'smtp\.banner' "$ids"

t_done
