#!/usr/bin/env bash
# tests/integration/32-schema.sh - validate real `--json` output against the
# JSON Schemas derived from report.md (tests/schema/*.schema.json, draft
# 2020-12) with tests/schema/validate.py (python3-jsonschema).
#
# Documents come from the real binary against the lab: probe documents for
# a set of lab domains that cover the report's shapes (null MX, implicit MX,
# NXDOMAIN, bogus DNSSEC, unreachable, DANE mismatch, MTA-STS testing and
# redirect, bad TLS-RPT), an address target with --catchall --cleartext,
# --scan, --host with an address literal, batch JSON Lines (--domains), a
# usage error document (error schema), and every line of a `listen --json`
# run with one swaks session (listen schema). Each document gives one
# "PASS/FAIL schema/..." line; a few mutated documents check that the schemas
# really reject what they should. Probes run in parallel: the script takes a
# few seconds.
# shellcheck source=../lib.sh
# asan: skip - validates the documents of the same code paths that 30-probe and 33-edges run under ASan
. "$(dirname "$0")/../lib.sh"

TOP=$(cd "$(dirname "$0")/../.." && pwd)
SCHEMA="$TOP/tests/schema"
TMP=$(mktemp -d /tmp/smtptls-schema.XXXXXX)
LPID=""
cleanup() {
	[ -z "$LPID" ] || kill "$LPID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

# The Debian package (scripts/setup.sh) serves /usr/bin/python3; a python3
# earlier in PATH may not see it.
PY=""
for p in /usr/bin/python3 python3; do
	if "$p" -c 'from jsonschema import Draft202012Validator' 2>/dev/null; then
		PY=$p
		break
	fi
done
if [ -z "$PY" ]; then
	t_fail schema/validator "python3 with jsonschema (python3-jsonschema)" "not importable"
	t_done
	exit
fi

# validate SCHEMA FILE NAME [FILE NAME]... : one PASS/FAIL line per
# document in each FILE (one validator run: its start is most of its time)
validate() {
	local out schema=$1 args=()
	shift
	while [ $# -ge 2 ]; do
		args+=("$1" "schema/$2")
		shift 2
	done
	out=$("$PY" "$SCHEMA/validate.py" "$SCHEMA/$schema.schema.json" "${args[@]}")
	printf '%s\n' "$out"
	T_FAILED=$((T_FAILED + $(printf '%s\n' "$out" | grep -c '^FAIL ')))
}

# probe NAME ARGS... (background): writes $TMP/NAME.json, .err, .rc
probe() {
	local name=$1
	shift
	lab_probe --json "$@" >"$TMP/$name.json" 2>"$TMP/$name.err"
	echo $? >"$TMP/$name.rc"
}

# check_rc NAME : no crash, a valid exit code, and summary.exit_code agrees
# with the process exit status (report.md 5.11).
check_rc() {
	local name=$1 rc
	rc=$(cat "$TMP/$name.rc")
	if [ "$rc" -gt 4 ]; then
		t_fail "schema/$name/exit" "exit 0-4" "exit $rc: $(head -c 400 "$TMP/$name.err")"
		return
	fi
	t_eq "schema/$name/exit_code" "$rc" \
	    "$(jq -r '.summary.exit_code' <"$TMP/$name.json" 2>&1 | tr '\n' ' ' | sed 's/ $//')"
}

DOMAINS="good expired nostarttls nullmx implicit nxdomain bogus danebad testing stsredirect tlsrptbad"
for d in $DOMAINS; do
	probe "$d" "$d.lab.test" &
done
probe unreachable --timeout 2 unreachable.lab.test &
probe address --catchall --cleartext postmaster@good.lab.test &
probe scan --scan --deadline 30 tls12.lab.test &
probe profiles --profile ncsc-nl --profile bsi-tr-03108 --profile rfc9325 \
    --deadline 30 good.lab.test &
probe host-literal --host '[127.10.1.1]' &
printf '%s\n' '# schema test' good.lab.test nullmx.lab.test nxdomain.lab.test \
    >"$TMP/domains.txt"
probe batch --parallel 3 --domains "$TMP/domains.txt" &
probe usage --require strict good.lab.test &
wait

docs=()
for n in $DOMAINS unreachable address scan profiles host-literal; do
	check_rc "$n"
	t_eq "schema/$n/one-line" 1 "$(wc -l <"$TMP/$n.json" | tr -d ' ')"
	docs+=("$TMP/$n.json" "probe/$n")
done

# batch: JSON Lines, one probe document per domain
t_eq schema/batch/lines 3 "$(wc -l <"$TMP/batch.json" | tr -d ' ')"
validate probe "${docs[@]}" "$TMP/batch.json" probe/batch

# usage error with --json: the error document (report.md 7.2), exit 2
t_eq schema/usage/exit 2 "$(cat "$TMP/usage.rc")"
validate error "$TMP/usage.json" error/usage

# the schemas must reject broken documents, not only accept good ones
# mutate NAME SCHEMA SRC FILTER: a broken copy of SRC, judged by reject
MUTANTS_probe=() MUTANTS_error=()
mutate() {
	local name=$1 schema=$2 src=$3 filter=$4
	jq -c "$filter" <"$src" >"$TMP/mut-$name.json"
	local -n list="MUTANTS_$schema"
	list+=("$TMP/mut-$name.json" "$name")
}
# reject SCHEMA: one validator run over its broken copies; each must FAIL
reject() {
	local out name i
	local -n m="MUTANTS_$1"
	out=$'\n'$("$PY" "$SCHEMA/validate.py" "$SCHEMA/$1.schema.json" "${m[@]}")$'\n'
	for ((i = 1; i < ${#m[@]}; i += 2)); do
		name=${m[i]}
		case "$out" in
		*$'\n'"FAIL $name"$'\n'*) t_pass "schema/reject/$name" ;;
		*) t_fail "schema/reject/$name" "FAIL from the validator" \
		    "$({ grep -m1 -F -- " $name" <<<"$out" || printf '%s' "$out"; } | head -c 200)" ;;
		esac
	done
}
G="$TMP/good.json"
mutate cert-sha256-missing probe "$G" 'del(.mx[0].addresses[0].tls.chain[0].sha256)'
mutate check-status-enum probe "$G" '.checks[0].status = "ok"'
mutate lookup-dnssec-missing probe "$G" 'del(.mx[0].a.dnssec)'
mutate verdict-level-name probe "$G" '.verdicts.levels.strict = .verdicts.levels.verify'
mutate address-state-enum probe "$G" '.mx[0].addresses[0].state = "done"'
mutate summary-complete-type probe "$G" '.summary.complete = "yes"'
mutate profile-result-enum probe "$TMP/profiles.json" '.profiles["ncsc-nl"].addresses[0].requirements[0].result = "n/a"'
mutate profile-tier-enum probe "$TMP/profiles.json" '.profiles["ncsc-nl"].addresses[0].requirements[0].tier = "ok"'
mutate error-phase error "$TMP/usage.json" '.error.phase = "parse"'
reject probe
reject error

# listen: listen.start, one session (swaks with STARTTLS), listen.end
LOUT="$TMP/listen.json"
timeout 20 "$SMTPTLS" listen --json --bind 127.10.3.50:2525 --count 1 --duration 10 \
    >"$LOUT" 2>"$TMP/listen.err" &
LPID=$!
up=0
for _ in $(seq 1 50); do
	if grep -q '"listen.start"' "$LOUT" 2>/dev/null; then up=1; break; fi
	kill -0 "$LPID" 2>/dev/null || break
	sleep 0.1
done
if [ "$up" = 1 ]; then
	timeout 15 swaks --server 127.10.3.50:2525 --tls --quit-after RCPT \
	    --from sender@sender.example --to rcpt@listen.example --timeout 10 \
	    >"$TMP/swaks.out" 2>&1 </dev/null
fi
wait "$LPID"
rc=$?
LPID=""
t_eq schema/listen/exit 0 "$rc"
t_eq schema/listen/types "listen.start session listen.end" \
    "$(jq -r .type <"$LOUT" 2>&1 | tr '\n' ' ' | sed 's/ $//')"
validate listen "$LOUT" listen

t_done
