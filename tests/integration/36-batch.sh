# tests/integration/36-batch.sh - batch mode (--domains FILE, --parallel)
# and --nagios, against the lab.
. "$SMTPTLS_TOP/tests/lib.sh"

list=$(mktemp)
trap 'rm -f "$list"' EXIT
printf '%s\n' '# lab domains' good.lab.test '  expired.lab.test  # a comment' \
    '' nxdomain.lab.test >"$list"

# JSON Lines, one document per domain, as each finishes; the exit code is
# the highest-ranking one (1 for nxdomain's failed MX lookup)
t_run batch/json/exit 1 lab_probe --json --parallel 2 --domains "$list"
t_eq batch/json/lines 3 "$(wc -l <"$T_OUT" | tr -d ' ')"
t_eq batch/json/each-valid 3 "$(jq -c .type <"$T_OUT" | grep -c probe)"
t_eq batch/json/targets "expired.lab.test good.lab.test nxdomain.lab.test" \
    "$(jq -r .target.input <"$T_OUT" | sort | tr '\n' ' ' | sed 's/ $//')"
t_eq batch/json/codes "expired.lab.test=0 good.lab.test=0 nxdomain.lab.test=1" \
    "$(jq -r '"\(.target.input)=\(.summary.exit_code)"' <"$T_OUT" | sort | tr '\n' ' ' | sed 's/ $//')"

# an invalid entry gives an error document and ranks 2 over 1
printf 'bad!domain\n' >>"$list"
t_run batch/invalid/exit 2 lab_probe --json --domains "$list"
t_eq batch/invalid/error-doc 1 "$(jq -c 'select(.type == "error")' <"$T_OUT" | wc -l | tr -d ' ')"

# --parallel 1 and the default give the same set of results
t_run batch/serial/exit 2 lab_probe --json --parallel 1 --domains "$list"
t_eq batch/serial/lines 4 "$(wc -l <"$T_OUT" | tr -d ' ')"

# A soft limit of 8 open files (a lone probe wants about 10 at once):
# smtptls raises it to the hard limit before it opens anything (smtptls(1),
# --parallel); without that, libcurl cannot even be loaded (exit 4).
few_files() { (ulimit -Sn 8 && lab_probe "$@"); }
t_run batch/nofile/raised 0 few_files --json good.lab.test
t_jq batch/nofile/complete '.summary.complete' true

# --nagios: monitoring-plugin codes and one status line with perfdata
t_run nagios/good 1 lab_probe --nagios good.lab.test
t_match nagios/good/line '^SMTPTLS WARNING - good\.lab\.test: 0 fail, [0-9]+ warn, 0 error \| time=[0-9]+ms;;;; fail=0 warn=[0-9]+$' "$(cat "$T_OUT")"
t_run nagios/ok 0 lab_probe --nagios --ignore 'cert.name.nexthop' --ignore 'dane.rollover' \
    --ignore 'dane.tlsa.params' good.lab.test
t_match nagios/ok/line '^SMTPTLS OK - ' "$(cat "$T_OUT")"
t_run nagios/critical 2 lab_probe --nagios nxdomain.lab.test
t_match nagios/critical/line '^SMTPTLS CRITICAL - nxdomain\.lab\.test: 2 fail' "$(cat "$T_OUT")"
t_run nagios/unknown 3 lab_probe --nagios --timeout 2 unreachable.lab.test
t_match nagios/unknown/line '^SMTPTLS UNKNOWN - ' "$(cat "$T_OUT")"
t_done
