# tests/integration/47-docs.sh - --help, the man page and the README say
# the same (style.md 13; issue 10, "documentation drift"). No lab needed.
#
# Options: every option of `smtptls --help`, `smtptls probe --help`,
# `smtptls listen --help` and `smtptls serve --help` is an entry (.It) of
# the man page's section for it (GLOBAL OPTIONS, PROBE OPTIONS, LISTEN,
# SERVE), and every entry of those
# sections is in the matching --help; every option the man page names
# anywhere (.Fl) exists. README.md: every option on a `smtptls ...`
# command line of its examples exists for that command, every option it
# names anywhere exists, and every repository path it names exists.
# Policy levels: the levels `--require` accepts (read from the tool's own
# error message) are all named in the man page's DESCRIPTION and in the
# README's "What it is". The exit codes 45-cli.sh checks in EXIT STATUS
# are the README's table.
# asan: skip - compares --help with the man page and README; 46-cli-props runs every option under ASan
. "$SMTPTLS_TOP/tests/lib.sh"

MAN="$SMTPTLS_TOP/man/smtptls.1"
README="$SMTPTLS_TOP/README.md"

t_run docs/man-lint 0 mandoc -Tlint -Wwarning "$MAN"

# options CMD...: the option names of `smtptls CMD... --help`, one a line
options() {
	"$SMTPTLS" "$@" --help | help_options | sed 's/ .*//' | sort -u
}
GLOBAL=$(options)
PROBE=$(options probe)
LISTEN=$(options listen)
SERVE=$(options serve)
ALL=$(printf '%s\n' "$GLOBAL" "$PROBE" "$LISTEN" "$SERVE" | sort -u)
t_match docs/help-read "--resolver" "$PROBE"
t_match docs/help-read-listen "--bind" "$LISTEN"
t_match docs/help-read-serve "--allow-from" "$SERVE"

# man_flags: "SECTION<TAB>item|ref<TAB>OPTION" for every Fl macro of the
# man page; "item" when it heads a list entry (.It). Fl turns each of its
# arguments into an option up to the next macro; "\-" is a hyphen.
man_flags() {
	awk '
	/^\.Sh / { sec = substr($0, 5); gsub(/"/, "", sec) }
	/^\./ {
		n = split(substr($0, 2), w, /[ \t]+/)
		it = w[1] == "It"
		fl = 0
		for (i = 1; i <= n; i++) {
			t = w[i]
			if (t == "Fl") { fl = 1; continue }
			if (!fl) continue
			if (t ~ /^[A-Z][a-z][a-z]?$/) { fl = 0; continue }
			if (t ~ /^[|,.;:()\/]$/) continue
			gsub(/\\-/, "-", t)
			gsub(/\\&/, "", t)
			print sec "\t" (it ? "item" : "ref") "\t-" t
		}
	}' "$MAN"
}
FLAGS=$(man_flags)

# man_items SECTION: the options of the entries of SECTION
man_items() {
	printf '%s\n' "$FLAGS" | awk -F'\t' -v s="$1" '$1 == s && $2 == "item" { print $3 }' |
	    sort -u
}
# missing WANTED HAVE: the lines of WANTED that are not in HAVE
missing() {
	comm -23 <(printf '%s\n' "$1" | sort -u) <(printf '%s\n' "$2" | sort -u) |
	    tr '\n' ' ' | sed 's/ $//'
}

MAN_GLOBAL=$(man_items "GLOBAL OPTIONS")
MAN_PROBE=$(man_items "PROBE OPTIONS")
# listen --help covers LISTEN and the sender test (--test-zone) both
MAN_LISTEN=$(printf '%s\n' "$(man_items LISTEN)" "$(man_items "SENDER POLICY TEST")" | sort -u)
MAN_SERVE=$(man_items SERVE)
t_eq docs/man/global-help-documented "" "$(missing "$GLOBAL" "$MAN_GLOBAL")"
# probe --help repeats the global options "as for every command"
t_eq docs/man/probe-help-documented "" \
    "$(missing "$PROBE" "$(printf '%s\n' "$MAN_PROBE" "$MAN_GLOBAL")")"
t_eq docs/man/listen-help-documented "" \
    "$(missing "$LISTEN" "$(printf '%s\n' "$MAN_LISTEN" "$MAN_GLOBAL")")"
t_eq docs/man/serve-help-documented "" \
    "$(missing "$SERVE" "$(printf '%s\n' "$MAN_SERVE" "$MAN_GLOBAL")")"
t_eq docs/man/global-entries-in-help "" "$(missing "$MAN_GLOBAL" "$GLOBAL")"
t_eq docs/man/probe-entries-in-help "" "$(missing "$MAN_PROBE" "$PROBE")"
t_eq docs/man/listen-entries-in-help "" "$(missing "$MAN_LISTEN" "$LISTEN")"
t_eq docs/man/serve-entries-in-help "" "$(missing "$MAN_SERVE" "$SERVE")"
t_eq docs/man/every-option-named-exists "" \
    "$(missing "$(printf '%s\n' "$FLAGS" | cut -f3)" "$ALL")"

# --- README.md
# The command lines of the examples: "smtptls CMD ARGS  # comment"
readme_ok=""
while read -r cmd rest; do
	case $cmd in
	probe) have=$PROBE ;;
	listen) have=$LISTEN ;;
	*) have=$(options "$cmd" 2>/dev/null) ;;
	esac
	have=$(printf '%s\n' "$GLOBAL" "$have")
	opts=$(printf '%s\n' "${rest%%[|#]*}" | tr ' ' '\n' |
	    grep -E '^-' | sed 's/=.*//')
	bad=$(missing "$opts" "$have")
	[ -z "$bad" ] || readme_ok="$readme_ok $cmd:$bad"
done < <(sed -n '/^```/,/^```/s/^smtptls \([a-z]*\) /\1 /p' "$README")
t_eq docs/readme/example-options-exist "" "${readme_ok# }"
t_match docs/readme/examples-read . "$(sed -n '/^```/,/^```/p' "$README" | grep '^smtptls ')"
# Every option named anywhere: `--opt`, `-f`, `-4`/`-6`
named=$(grep -oE '(^|[ `(/])--?[a-z0-9][a-z0-9-]*' "$README" |
    sed -E 's/^[ `(\/]//' | sort -u)
# ... of smtptls, or of the bench's relay where the README shows it.
RELAY=$(python3 "$SMTPTLS_TOP/bench/relay.py" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u)
t_match docs/relay-help-read "--slow-dns" "$RELAY"
t_eq docs/readme/options-exist "" "$(missing "$named" "$(printf '%s\n' "$ALL" "$RELAY" | sort -u)")"
# Every repository path it names (in backquotes or code blocks)
paths=$(grep -oE '(^|[ `])(\./)?[a-z][a-z0-9_.-]*/[A-Za-z0-9_./-]*' "$README" |
    sed -E 's/^[ `]//; s#^\./##' | sort -u)
nopath=""
for p in $paths; do
	[ -e "$SMTPTLS_TOP/$p" ] || nopath="$nopath $p"
done
t_eq docs/readme/paths-exist "" "${nopath# }"
t_match docs/readme/paths-read "man/smtptls.1" "$paths"

# --- policy levels: the tool's list, in the man page and the README
t_run docs/levels/require-bogus 2 "$SMTPTLS" probe --require no-such-level \
    example.invalid
levels=$(sed -n 's/.*(expected \(.*\)).*/\1/p' "$T_ERR" | tr -d ',' |
    sed 's/ or / /')
# shellcheck disable=SC2086 # one level a word
t_eq docs/levels/count 6 "$(printf '%s\n' $levels | wc -l)"
# In the man page source a level is a command modifier (Cm), in the
# README a code span.
DESCRIPTION=$(sed -n '/^\.Sh DESCRIPTION/,/^\.Sh /p' "$MAN")
WHAT_IT_IS=$(sed -n '/^## What it is/,/^## /p' "$README")
noman="" noreadme=""
for lv in $levels; do
	printf '%s\n' "$DESCRIPTION" | grep -qx "\.Cm $lv.*" || noman="$noman $lv"
	printf '%s\n' "$WHAT_IT_IS" | grep -qF "\`$lv\`" || noreadme="$noreadme $lv"
done
# The parts of the probe that issue 10 found missing from the description.
for part in DANE MTA-STS TLS-RPT; do
	printf '%s\n' "$DESCRIPTION" | grep -qF "$part" || noman="$noman $part"
	printf '%s\n' "$WHAT_IT_IS" | grep -qF "$part" || noreadme="$noreadme $part"
done
t_eq docs/man/description-names-levels "" "${noman# }"
t_eq docs/readme/what-it-is-names-levels "" "${noreadme# }"

# --- the option parsers against --help: an option the parser takes but
# the help does not list is undocumented (probe: its getopt_long table;
# listen and the global options: the names they compare argv with)
CMD="$SMTPTLS_TOP/cmd"
t_eq docs/help/probe-lists-parser-options "" "$(missing \
    "$(sed -n 's/^\t{"\([a-z0-9-]*\)", .*/--\1/p' "$CMD/probe.c")" "$PROBE")"
t_eq docs/help/listen-lists-parser-options "" "$(missing \
    "$(grep -oE '"--[a-z0-9-]+"' "$CMD/listen.c" | tr -d '"')" "$LISTEN")"
t_eq docs/help/global-lists-parser-options "" "$(missing \
    "$(grep -oE '"--[a-z0-9-]+"' "$CMD/main.c" | tr -d '"')" "$GLOBAL")"

# --- exit codes: the README's table has those of the man page
man_codes=$(mandoc -Tascii "$MAN" | col -bx | sed -n '/^EXIT STATUS/,/^[A-Z]/p' |
    grep -oE '^ +[0-9] ' | tr -d ' ' | sort -u | tr '\n' ' ')
readme_codes=$(sed -n '/^## Exit codes/,/^## /p' "$README" |
    grep -oE '^\| [0-9] ' | tr -d '| ' | sort -u | tr '\n' ' ')
t_eq docs/readme/exit-codes "$man_codes" "$readme_codes"

t_done
