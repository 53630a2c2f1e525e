# tests/integration/44-batch-scale.sh - lists at scale (issue 14): bad
# lines, -o/--output, --resume after SIGKILL, --shard with the README's
# GNU parallel recipe, the progress line. Against the lab.
#
# One list serves every part: five lab domains and ten NXDOMAIN names
# (all valid and distinct: the first 60 % of the entries), then blank,
# comment, CR LF, repeated, IDN, invalid, NUL, non-UTF-8 and 10 MB lines
# and five more names. An uninterrupted run is the reference; a run killed with SIGKILL
# (while it waits for the rest of the list on a FIFO, and once more while
# probes are in flight) and resumed must give the same documents, domain
# for domain (key, exit code, outcome of every level), with none twice;
# three shards run by GNU parallel must give them too, each entry in the
# shard its SHA-256 says (computed here with Python's hashlib).
. "$SMTPTLS_TOP/tests/lib.sh"
export LC_ALL=C

TMP=$(mktemp -d /tmp/smtptls-batch.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
OPTS=(--resolver "$RESOLVER" --ca-file "$CA" --allow-private --timeout 2
    --deadline 5 --parallel 2)
LIST=$TMP/list

# --- the list
{
	for d in good expired nostarttls multi nullmx; do
		echo "$d.lab.test"
	done
	for i in $(seq 1 10); do echo "n$i.b44.nxdomain.lab.test"; done
} >"$TMP/head"
HEAD_LINES=$(wc -l <"$TMP/head")
{
	cat "$TMP/head"
	printf '\n   \n# a comment line\n'
	printf 'crlf.b44.nxdomain.lab.test\r\n'
	printf 'GOOD.lab.test.  # repeated: other case, final dot\n'
	printf 'b\303\274cher.b44.nxdomain.lab.test\n'     # U-label
	printf 'xn--bcher-kva.b44.nxdomain.lab.test\n'     # its A-label: repeated
	printf '\342\230\203.b44.nxdomain.lab.test\n'      # U+2603: not IDNA2008
	printf 'bad!name.lab.test\n'
	printf 'nul\000byte.lab.test\n'
	printf '\377\376.lab.test\n'
	head -c 10485760 /dev/zero | tr '\0' x
	printf '\n'
	for i in $(seq 11 15); do echo "n$i.b44.nxdomain.lab.test"; done
} >"$LIST"
# 5 + 10 + crlf + bücher + 5 names, 5 invalid entries
WANT_DOCS=27
LINE_SNOWMAN=$((HEAD_LINES + 8)) LINE_LONG=$((HEAD_LINES + 12))

# key: one line per document: the entry, the exit code and the outcome
# of every level
key() {
	jq -r 'if .type == "probe" then
	    "\(.target.domain) \(.summary.exit_code) \([.verdicts.levels |
	    to_entries[] | "\(.key)=\(.value.outcome)"] | join(","))"
	  else "\(.target.input) error \(.exit_code)" end' "$@" | sort
}

# --- the reference run: bad lines never stop it
t_run scale/full/exit 2 "$SMTPTLS" probe "${OPTS[@]}" -f "$LIST" -o "$TMP/full"
cp "$T_ERR" "$TMP/full.err"
t_eq scale/full/stdout-empty 0 "$(wc -c <"$T_OUT")"
t_eq scale/full/docs "$WANT_DOCS" "$(wc -l <"$TMP/full")"
t_eq scale/full/all-json "$WANT_DOCS" "$(jq -c .type "$TMP/full" | wc -l)"
t_eq scale/full/distinct "$WANT_DOCS" "$(key "$TMP/full" | cut -d' ' -f1 | sort -u | wc -l)"
t_eq scale/full/repeat-once 1 "$(jq -r .target.domain "$TMP/full" | grep -cx good.lab.test)"
t_match scale/full/repeat-note "^smtptls: --domains: line $((HEAD_LINES + 5)): 'good\.lab\.test' is listed before; probed once$" \
    "$(cat "$TMP/full.err")"
t_eq scale/full/crlf "crlf.b44.nxdomain.lab.test" \
    "$(jq -r 'select(.target.input | startswith("crlf")) | .target.domain' "$TMP/full")"
t_eq scale/full/idn "xn--bcher-kva.b44.nxdomain.lab.test 1" \
    "$(jq -r 'select(.target.input | startswith("b\u00fc")) | "\(.target.domain) \(.summary.exit_code)"' "$TMP/full")"
t_eq scale/full/idn-repeat-once 1 "$(jq -r .target.domain "$TMP/full" | grep -cx 'xn--bcher-kva.b44.nxdomain.lab.test')"
t_eq scale/full/invalid "5 usage 2" "$(jq -s -r 'map(select(.type == "error")) |
    "\(length) \(map(.error.code) | unique | join(",")) \(map(.exit_code) | unique | join(","))"' "$TMP/full")"
t_eq scale/full/snowman-line "$LINE_SNOWMAN" \
    "$(jq -r 'select(.target.input == "\\xe2\\x98\\x83.b44.nxdomain.lab.test") | .target.line' "$TMP/full")"
t_eq scale/full/nul "nul\\x00byte.lab.test" \
    "$(jq -r 'select(.type == "error" and (.target.input | startswith("nul"))) | .target.input' "$TMP/full")"
t_eq scale/full/long-line "$LINE_LONG $(printf 'x%.0s' $(seq 64))... (10485760 octets)" \
    "$(jq -r 'select(.target.input | endswith("octets)")) | "\(.target.line) \(.target.input)"' "$TMP/full")"
# every document valid against its schema (error.schema.json: target)
jq -c 'select(.type == "error")' "$TMP/full" >"$TMP/errors.jsonl"
jq -c 'select(.type == "probe")' "$TMP/full" >"$TMP/probes.jsonl"
t_eq scale/full/schemas "" "$(python3 "$SMTPTLS_TOP/tests/schema/validate.py" \
    "$SMTPTLS_TOP/tests/schema/error.schema.json" "$TMP/errors.jsonl" | grep -v '^PASS'
    python3 "$SMTPTLS_TOP/tests/schema/validate.py" \
    "$SMTPTLS_TOP/tests/schema/probe.schema.json" "$TMP/probes.jsonl" | grep -v '^PASS')"
# not a terminal: no progress line
t_eq scale/full/no-progress 0 "$(grep -c -e 'domains/s' -e $'\r' "$TMP/full.err")"

# the same for one target on the command line
t_run scale/idn/single 1 "$SMTPTLS" probe "${OPTS[@]}" --json -o "$TMP/one" \
    "$(printf 'B\303\234CHER.b44.nxdomain.lab.test')"
t_eq scale/idn/single-domain "xn--bcher-kva.b44.nxdomain.lab.test" "$(jq -r .target.domain "$TMP/one")"
t_run scale/idn/single-invalid 2 "$SMTPTLS" probe "${OPTS[@]}" "$(printf '\342\230\203.lab.test')"

# --- killed while waiting for the list (60 % read and done), resumed
mkfifo "$TMP/fifo"
{
"$SMTPTLS" probe "${OPTS[@]}" -f "$TMP/fifo" -o "$TMP/part" 2>"$TMP/part.err" &
pid=$!
# read-write: never blocks, even if the probe is gone already
exec 7<>"$TMP/fifo"
cat "$TMP/head" >&7
n=0
for _ in $(seq 200); do # at most 10 s
	n=$(wc -l 2>/dev/null <"$TMP/part" || echo 0)
	[ "$n" -lt "$HEAD_LINES" ] || break
	sleep 0.05
done
kill -KILL "$pid"
wait "$pid"
rc=$?
} 2>/dev/null # no "Killed" line from bash
exec 7>&-
t_eq scale/kill/killed "137 $HEAD_LINES" "$rc $n"
[ "$rc" = 137 ] || head -c 400 "$TMP/part.err"
# a write cut short (a full disk) leaves a line without LF: cut off
printf '{"schema_version":"1.0","type":"probe","tar' >>"$TMP/part"
t_run scale/resume/exit 2 "$SMTPTLS" probe "${OPTS[@]}" -f "$LIST" -o "$TMP/part" --resume
t_match scale/resume/torn-note "^smtptls: --resume: cut a torn last line off " "$(cat "$T_ERR")"
t_eq scale/resume/same-as-full "$(key "$TMP/full")" "$(key "$TMP/part")"
t_eq scale/resume/no-duplicate "$WANT_DOCS" "$(wc -l <"$TMP/part")"
# nothing left: a second --resume probes nothing and adds nothing
t_run scale/resume/again 0 "$SMTPTLS" probe "${OPTS[@]}" -f "$LIST" -o "$TMP/part" --resume
t_eq scale/resume/again-adds-nothing "$WANT_DOCS" "$(wc -l <"$TMP/part")"

# --- killed with probes in flight (wherever it is: the resumed whole
# must be the same)
{
"$SMTPTLS" probe "${OPTS[@]}" -f "$LIST" -o "$TMP/part2" 2>/dev/null &
pid=$!
for _ in $(seq 200); do
	[ "$(wc -l 2>/dev/null <"$TMP/part2" || echo 0)" -lt 5 ] || break
	sleep 0.05
done
kill -KILL "$pid" 2>/dev/null
wait "$pid"
} 2>/dev/null # no "Killed" line from bash
echo "# killed at $(wc -l <"$TMP/part2") of $WANT_DOCS documents"
# its exit status is that of what was left: 0 when nothing was
"$SMTPTLS" probe "${OPTS[@]}" -f "$LIST" -o "$TMP/part2" --resume 2>/dev/null
t_match scale/resume2/exit '^[012]$' "$?"
t_eq scale/resume2/same-as-full "$(key "$TMP/full")" "$(key "$TMP/part2")"

# --- the README's GNU parallel recipe, three shards
t_run scale/shard/parallel 0 parallel --will-cite --joblog "$TMP/joblog" -j 3 \
    "$SMTPTLS" probe "${OPTS[*]}" -f "$LIST" --shard '{}/3' -o "$TMP/shard-{}.jsonl" \
    '2>/dev/null; test $? -le 2' ::: 0 1 2
t_eq scale/shard/union "$(key "$TMP/full")" "$(key "$TMP"/shard-*.jsonl)"
# each entry in the shard of SHA-256(domain or key)[0:8] mod 3
wrong=$(for i in 0 1 2; do
	jq -r --arg i "$i" '"\($i) \(.target.domain // .target.input)"' "$TMP/shard-$i.jsonl"
done | python3 -c '
import hashlib, sys
for line in sys.stdin:
    i, s = line.rstrip("\n").split(" ", 1)
    h = int.from_bytes(hashlib.sha256(s.encode()).digest()[:8], "big")
    if h % 3 != int(i): print(s)')
t_eq scale/shard/by-hash "" "$wrong"
for i in 0 1 2; do
	t_match "scale/shard/$i-not-empty" '^[1-9]' "$(wc -l <"$TMP/shard-$i.jsonl")"
done

# --- the progress line, on a terminal only
if command -v script >/dev/null; then
	script -qec "$(printf '%q ' "$SMTPTLS" probe "${OPTS[@]}" -f "$TMP/head" -o "$TMP/tty")" \
	    "$TMP/typescript" >/dev/null 2>&1 </dev/null
	t_eq scale/tty/exit 1 "$?"
	t_match scale/tty/progress "$HEAD_LINES done \(line $HEAD_LINES of $HEAD_LINES\), [0-9.]+ domains/s, [0-9]+ failed" \
	    "$(tr '\r' '\n' <"$TMP/typescript")"
fi

# --- wrong uses
t_run scale/usage/shard-range 2 "$SMTPTLS" probe "${OPTS[@]}" -f "$LIST" --shard 3/3
t_run scale/usage/shard-zero 2 "$SMTPTLS" probe "${OPTS[@]}" -f "$LIST" --shard 0/0
t_run scale/usage/shard-no-list 2 "$SMTPTLS" probe "${OPTS[@]}" --shard 0/2 good.lab.test
t_run scale/usage/resume-no-output 2 "$SMTPTLS" probe "${OPTS[@]}" -f "$LIST" --resume
t_run scale/usage/output-dir 2 "$SMTPTLS" probe "${OPTS[@]}" -f "$LIST" -o "$TMP/no/such/dir"
printf 'not json\n' >"$TMP/other"
t_run scale/usage/resume-foreign 2 "$SMTPTLS" probe "${OPTS[@]}" -f "$LIST" -o "$TMP/other" --resume
t_eq scale/usage/resume-foreign-untouched "not json" "$(cat "$TMP/other")"
t_done
