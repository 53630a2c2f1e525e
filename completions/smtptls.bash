# bash completion for smtptls(1)
#
# Completes the commands, every option of `smtptls --help`, `smtptls probe
# --help`, `smtptls listen --help` and `smtptls serve --help`, and the
# values the tool knows (levels, TLS versions, --expect, --color, files and
# directories). The lists below
# are held against those --help texts by tests/integration/48-completion.sh,
# so an option added to the tool without its completion fails the suite.
# Self-contained: it does not need the bash-completion package's helpers.

_smtptls_commands='probe listen diff profiles serve'
_smtptls_global='--version --json --color= -v --verbose -q --quiet -h --help'

# Per command: every option, and those of them that take a value (the next
# word is that value, not an option).
_smtptls_probe_opts='--resolver --trust-anchor --dnssec --ca-file --ca-path --timeout
--deadline -4 -6 --host --port --ehlo --rcpt --mail-from --rcpt-all --require
--min-tls --warn-days --tls-domain --allow-private --scan --transcript
--no-pem --no-dane --no-mta-sts --ignore --strict -f --domains --parallel
-o --output --resume --shard
--nagios --catchall --cleartext --json --color= -v --verbose -q --quiet
--html
--help --profile --per-address --max-rate'
_smtptls_probe_args='--resolver --trust-anchor --dnssec --ca-file --ca-path --timeout
--deadline --host --port --ehlo --rcpt --mail-from --require --min-tls
--warn-days --tls-domain --ignore -f --domains --parallel -o --output
--shard --html --profile --per-address --max-rate'
_smtptls_listen_opts='--bind --hostname --cert --key --untrusted-cert
--request-client-cert --no-starttls --count --once --duration --timeout
--expect --accept-data --test-zone --dns-bind --https-bind --zone-key
--scenario --send-hint --json -v --verbose -q --quiet -h --help'
_smtptls_diff_opts='--json --help'
_smtptls_listen_args='--bind --hostname --cert --key --count --duration
--timeout --expect --test-zone --dns-bind --https-bind --zone-key --scenario'
_smtptls_serve_opts='--bind --allow-from --max-probes --client-rate --duration
-h --help'
_smtptls_serve_args='--bind --allow-from --max-probes --client-rate --duration'

# _smtptls_has WORD LIST - whether WORD is one of the words of LIST
_smtptls_has() {
	local w
	for w in $2; do
		[ "$w" = "$1" ] && return 0
	done
	return 1
}

# _smtptls_value OPTION CUR - COMPREPLY for the value of OPTION
_smtptls_value() {
	case "$1" in
	--color=) COMPREPLY=($(compgen -W 'auto always never' -- "$2")) ;;
	--require)
		COMPREPLY=($(compgen -W 'opportunistic encrypt verify dane mta-sts secure' -- "$2")) ;;
	--profile) COMPREPLY=($(compgen -W 'ncsc-nl bsi-tr-03108 rfc9325' -- "$2")) ;;
	--min-tls) COMPREPLY=($(compgen -W '1.0 1.1 1.2 1.3' -- "$2")) ;;
	--dnssec) COMPREPLY=($(compgen -W 'auto resolver local' -- "$2")) ;;
	--expect) COMPREPLY=($(compgen -W 'verify no-cleartext client-cert sni=' -- "$2")) ;;
	--scenario) COMPREPLY=($(compgen -W 'notls untrusted valid dane-ok dane-mismatch dane-lookup-fails sts-badcert sts-unlisted sts-testing dane-sts' -- "$2")) ;;
	--trust-anchor | --ca-file | -f | --domains | -o | --output | --cert | --key | --html)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$2") ;;
	--ca-path)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$2") ;;
	*) COMPREPLY=() ;; # a name, a number, an address: nothing to offer
	esac
}

_smtptls() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev="" cmd="" opts args i
	COMPREPLY=()
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# With '=' in COMP_WORDBREAKS (bash's default) "--color=al" arrives
	# as the words "--color", "=", "al".
	if [ "$cur" = "=" ]; then
		prev="$prev="
		cur=""
	elif [ "$prev" = "=" ] && [ "$COMP_CWORD" -gt 1 ]; then
		prev="${COMP_WORDS[COMP_CWORD - 2]}="
	fi
	case "$cur" in
	--color=*)
		prev="--color="
		cur=${cur#--color=}
		;;
	esac

	# The command is the first word that is not a global option.
	for ((i = 1; i < COMP_CWORD; i++)); do
		if _smtptls_has "${COMP_WORDS[i]}" "$_smtptls_commands"; then
			cmd=${COMP_WORDS[i]}
			break
		fi
	done
	case "$cmd" in
	probe) opts=$_smtptls_probe_opts args=$_smtptls_probe_args ;;
	listen) opts=$_smtptls_listen_opts args=$_smtptls_listen_args ;;
	diff) opts=$_smtptls_diff_opts args="" ;;
	serve) opts=$_smtptls_serve_opts args=$_smtptls_serve_args ;;
	*) opts=$_smtptls_global args="" ;;
	esac

	if [ "$prev" = "--color=" ] || _smtptls_has "$prev" "$args"; then
		_smtptls_value "$prev" "$cur"
		return 0
	fi
	case "$cur" in
	-*)
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		# "--color=" is followed by its value, not a space.
		[ "${#COMPREPLY[@]}" -eq 1 ] && [ "${COMPREPLY[0]}" = "--color=" ] &&
		    compopt -o nospace 2>/dev/null
		;;
	*)
		[ -z "$cmd" ] && COMPREPLY=($(compgen -W "$_smtptls_commands" -- "$cur"))
		# diff compares two report files
		[ "$cmd" = diff ] && _smtptls_value -f "$cur"
		;;
	esac
	return 0
}

complete -F _smtptls smtptls
