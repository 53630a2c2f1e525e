# tests/integration/48-completion.sh - the bash and zsh completions
# (completions/) offer exactly what --help lists, so the two never drift
# (issue 17). No lab needed.
# asan: skip - runs bash and zsh on the completion files; smtptls only prints --help
#
# bash: the completion function is called as bash calls it (COMP_WORDS,
# COMP_CWORD) and its COMPREPLY is compared with `smtptls --help`,
# `smtptls probe --help`, `smtptls listen --help` and `smtptls serve
# --help`: the commands, every
# option of each, for every option whether the next word is its value (no
# options offered there) or not, the values the tool itself names in its
# error messages (levels, TLS versions, --expect), files and directories.
# zsh: the file parses, and the options of each _arguments function, and
# which of them take a value, are those of the matching --help.
. "$SMTPTLS_TOP/tests/lib.sh"

BASH_COMP="$SMTPTLS_TOP/completions/smtptls.bash"
ZSH_COMP="$SMTPTLS_TOP/completions/_smtptls"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 2

# complete WORD... : COMPREPLY, sorted, one a line, for the command line
# WORD... with the cursor in the last word (run in $work, whose files the
# file cases create).
complete() {
	bash -c '. "$1" || exit 2; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_smtptls || exit 3
		printf "%s\n" "${COMPREPLY[@]}"' bash "$BASH_COMP" "$@" | sed '/^$/d' | sort
}

# names CMD... : the options of `smtptls CMD... --help`; "--color=" for an
# option whose value follows '='.
names() {
	"$SMTPTLS" "$@" --help | help_options | sed -E 's/ =.*/=/; s/ .*//' | sort -u
}

# takes_value CMD... : those options of `smtptls CMD... --help` that take
# a value (a short alias before a long option with a value takes it too:
# "-f, --domains FILE"), without any '='.
takes_value() {
	"$SMTPTLS" "$@" --help | grep -E '^ +-' | sed -E 's/^ +//; s/  .*$//' |
	    sed -E 's/^(-[A-Za-z0-9]), (--[A-Za-z0-9-]+) ([^ ,]+)/\1 \3, \2 \3/' |
	    sed -E 's/, /\n/g' | sed -E 's/^(--?[A-Za-z0-9-]+)=/\1 /' |
	    awk 'NF > 1 { print $1 }' | sort -u
}

# words TEXT: the words of TEXT one a line, sorted
words() { printf '%s\n' $1 | sort -u; }

t_run completion/bash-syntax 0 bash -n "$BASH_COMP"

# --- commands and the options of each command
cmds=$("$SMTPTLS" --help | sed -n '/^commands:/,/^$/p' | awk 'NF > 1 { print $1 }' | sort)
t_eq completion/bash/commands-read "diff listen probe profiles serve" "$(echo $cmds)"
t_eq completion/bash/commands "$cmds" "$(complete smtptls '')"
t_eq completion/bash/command-prefix "probe" "$(complete smtptls prob)"
t_eq completion/bash/global "$(names)" "$(complete smtptls -)"
t_eq completion/bash/probe "$(names probe)" "$(complete smtptls probe -)"
t_eq completion/bash/listen "$(names listen)" "$(complete smtptls listen -)"
t_eq completion/bash/serve "$(names serve)" "$(complete smtptls serve -)"
t_match completion/bash/probe-read "--resolver" "$(names probe)"
t_eq completion/bash/after-global-options "--no-dane
--no-mta-sts
--no-pem" "$(complete smtptls --json -v probe --no-)"

# --- after an option that takes a value, the next word is that value: no
# options offered there; after a flag, options again. (--color=WHEN takes
# its value in the same word: the color cases below.)
for cmd in probe listen serve; do
	vals=$(takes_value "$cmd")
	bad=""
	for opt in $(names "$cmd" | grep -v '=$'); do
		got=$(complete smtptls "$cmd" "$opt" -- | grep -c -- '^-')
		if printf '%s\n' "$vals" | grep -qxF -- "$opt"; then
			[ "$got" -eq 0 ] || bad="$bad $opt(offered options for its value)"
		else
			[ "$got" -gt 0 ] || bad="$bad $opt(no options after this flag)"
		fi
	done
	t_eq "completion/bash/$cmd-values" "" "${bad# }"
done
t_match completion/bash/probe-values-read "--ca-file" "$(takes_value probe)"
t_match completion/bash/probe-alias-takes-value "^-f$" "$(takes_value probe)"

# --- values the tool names in its own error messages
t_run completion/levels-read 2 "$SMTPTLS" probe --require no-such-level a.example
levels=$(sed -n 's/.*(expected \(.*\)).*/\1/p' "$T_ERR" | tr -d ',')
t_eq completion/bash/require "$(words "$levels")" "$(complete smtptls probe --require '')"
t_eq completion/bash/require-prefix "mta-sts" "$(complete smtptls probe --require mt)"
t_run completion/min-tls-read 2 "$SMTPTLS" probe --min-tls 0.9 a.example
tls=$(sed -n 's/.*(expected \(.*\)).*/\1/p' "$T_ERR" | tr -d ',' | sed 's/ or / /')
t_eq completion/bash/min-tls "$(words "$tls")" "$(complete smtptls probe --min-tls '')"
t_run completion/expect-read 2 "$SMTPTLS" listen --expect no-such-thing
expect=$(sed -n 's/.*(expected \(.*\)).*/\1/p' "$T_ERR" | tr -d ',' | sed 's/ or / /; s/=[A-Z]*/=/')
t_eq completion/bash/expect "$(words "$expect")" "$(complete smtptls listen --expect '')"
t_eq completion/bash/color "always
auto
never" "$(complete smtptls --color = '')"
t_eq completion/bash/color-prefix "always" "$(complete smtptls --color = al)"
t_eq completion/bash/color-one-word "always" "$(complete smtptls probe --color=al)"

# --- files for FILE values, directories for DIR values
mkdir anchors.d && : >anchor.key && : >domains.txt
t_eq completion/bash/file "anchor.key
anchors.d" "$(complete smtptls probe --trust-anchor anc)"
t_eq completion/bash/dir "anchors.d" "$(complete smtptls probe --ca-path anc)"
t_eq completion/bash/short-file "domains.txt" "$(complete smtptls probe -f dom)"
t_eq completion/bash/listen-file "anchor.key" "$(complete smtptls listen --key anchor.)"

# --- zsh: the options of each function and which take a value
if ! command -v zsh >/dev/null 2>&1; then
	t_fail completion/zsh "zsh installed (scripts/setup.sh)" "no zsh"
	t_done
	exit
fi
t_run completion/zsh-syntax 0 zsh -n "$ZSH_COMP"
t_run completion/zsh-registers 0 zsh -fc 'fpath=("$1" $fpath)
	autoload -Uz compinit && compinit -u -D && [[ $_comps[smtptls] == _smtptls ]]' \
	zsh "$SMTPTLS_TOP/completions"

# zsh_specs FUNCTION: "OPTION value|flag" for every option of the
# _arguments lines of FUNCTION; a spec with ':' after its description
# takes a value. One awk for the whole function (a grep and sed per line
# cost 4 s of CPU).
zsh_specs() {
	awk -v f="$1() {" '$0 == f { on = 1; next } on && /^}/ { on = 0 }
	on {
		kind = ($0 ~ /\][^[]*:/) ? "value" : "flag"
		s = $0
		while (match(s, /[{,\047)*]--?[A-Za-z0-9][A-Za-z0-9-]*/)) {
			print substr(s, RSTART + 1, RLENGTH - 1) " " kind
			s = substr(s, RSTART + RLENGTH)
		}
	}' "$ZSH_COMP" | sort -u
}
for f in _smtptls:"" _smtptls_probe:probe _smtptls_listen:listen _smtptls_serve:serve; do
	fn=${f%%:*}
	cmd=${f#*:}
	specs=$(zsh_specs "$fn")
	# shellcheck disable=SC2086
	t_eq "completion/zsh/$fn/options" "$(names $cmd | sed 's/=$//')" \
	    "$(printf '%s\n' "$specs" | sed 's/ .*//' | sort -u)"
	# shellcheck disable=SC2086
	t_eq "completion/zsh/$fn/values" "$(takes_value $cmd)" \
	    "$(printf '%s\n' "$specs" | awk '$2 == "value" { print $1 }' | sort -u)"
done
t_done
