# tests/integration/33-edges.sh - the edge defects of issue 10, each with
# the real outcome that proves it fixed:
#  - a mailbox the SMTP machine cannot send (too long, control octet) is a
#    usage error (2, one stderr line) on one- and multi-address domains;
#  - addresses past the probe's cap are reported as not probed;
#  - the address test runs where checks.md 9 says, once per MX host with
#    --rcpt-all; --host with --rcpt runs it;
#  - how a server ends a TLS session after the handshake (close_notify,
#    EOF without it, a fatal alert) is told apart (tests/peers/badsmtp).
. "$SMTPTLS_TOP/tests/lib.sh"

PEER="$SMTPTLS_BUILD/peers/badsmtp"
LONG=$(printf 'a%.0s' $(seq 280))

# --- one rule per input: the SMTP machine's mailbox rule, from the CLI ---
for dom in good.lab.test multi.lab.test; do
	for c in "long:$LONG@x.test" "ctl:a$(printf '\001')b@x.test" "noat:ab"; do
		name=${c%%:*} val=${c#*:}
		t_run "edges/mail-from-$name/$dom/exit" 2 lab_probe --mail-from "$val" \
		    --rcpt "postmaster@$dom" "$dom"
		t_eq "edges/mail-from-$name/$dom/one-line" 1 "$(wc -l <"$T_ERR")"
		t_run "edges/rcpt-$name/$dom/exit" 2 lab_probe --rcpt "$val" "$dom"
		t_eq "edges/rcpt-$name/$dom/one-line" 1 "$(wc -l <"$T_ERR")"
	done
done
t_run "edges/target-mailbox-long/exit" 2 lab_probe "$LONG@good.lab.test"
t_match "edges/target-mailbox-long/why" 'longer than 254' "$(cat "$T_ERR")"
# 254 octets is the limit (RFC 5321 4.5.3.1.3): still accepted
OK254="$(printf 'a%.0s' $(seq 240))@good.lab.test"
t_run "edges/rcpt-254/exit" 0 lab_probe --json --require encrypt --rcpt "$OK254" \
    --ignore dns.mx.addr.routable good.lab.test
t_jq "edges/rcpt-254/tested" '.address_tests[0].rcpt.code' 250
D238="$(printf 'd%.0s' $(seq 60)).$(printf 'd%.0s' $(seq 60)).$(printf 'd%.0s' $(seq 60)).$(printf 'd%.0s' $(seq 50)).test"
t_run "edges/catchall-domain-too-long/exit" 2 lab_probe --catchall "x@$D238"
t_match "edges/catchall-domain-too-long/why" 'catchall' "$(cat "$T_ERR")"

# --- the 128-session cap: many.lab.test has 144 addresses (none listens,
# so nothing is reachable: exit 3) ---
t_run "edges/cap/exit" 3 lab_probe --json --timeout 2 --deadline 10 many.lab.test
t_jq "edges/cap/total" '.summary.addresses.total' 144
t_jq "edges/cap/not-probed" '[.mx[].addresses[] | select(.error.code == "limit")] | length' 16
t_jq "edges/cap/not-probed-state" '[.mx[].addresses[] | select(.error.code == "limit") | .state] | unique | join(",")' skipped
t_jq "edges/cap/no-fake-timings" '[.mx[].addresses[] | select(.error.code == "limit") | .timings_ms[] | select(. != null)] | length' 0
t_jq "edges/cap/probed" '[.mx[].addresses[] | select(.error.code == "refused")] | length' 128
t_jq "edges/cap/finding" '[.checks[] | select(.id == "smtp.connect" and .status == "skip" and (.detail | test("not probed")))] | length' 16

# --- checks.md 9: where the address test runs ---
# rcptpick: MX 10 mx-dead (refused), 20 mx-nostarttls, 30 mx1 (TLS)
t_run "edges/pick/exit" 1 lab_probe --json postmaster@rcptpick.lab.test
t_jq "edges/pick/where" '[.address_tests[] | .mx + "/" + .transport] | join(",")' "mx1.lab.test/tls"
t_jq "edges/pick/checks" '[.checks[] | select(.id | startswith("rcpt.")) | .id + "=" + .status] | join(",")' \
    "rcpt.mail_from=pass,rcpt.accepted=pass"
t_run "edges/pick-all/exit" 1 lab_probe --json --rcpt-all postmaster@rcptpick.lab.test
t_jq "edges/pick-all/where" '[.address_tests[] | .mx + "/" + .transport] | join(",")' \
    "mx-nostarttls.lab.test/cleartext,mx1.lab.test/tls"
t_jq "edges/pick-all/skip-dead" '[.checks[] | select(.id == "rcpt.mail_from") | .subject.mx + "=" + .status] | join(",")' \
    "mx-dead.lab.test=skip,mx-nostarttls.lab.test=pass,mx1.lab.test=pass"
# multi.lab.test: one MX host, two addresses: one test, on the first
t_run "edges/pick-multi/exit" 0 lab_probe --json --ignore dns.mx.addr.routable \
    --rcpt-all postmaster@multi.lab.test
t_jq "edges/pick-multi/once" '[.address_tests[] | .address] | join(",")' "127.10.1.3"
# unreachable.lab.test: nobody completed EHLO
t_run "edges/pick-none/exit" 3 lab_probe --json postmaster@unreachable.lab.test
t_jq "edges/pick-none/skip" '[.checks[] | select(.id | startswith("rcpt.")) | .status] | join(",")' "skip,skip"
t_jq "edges/pick-none/why" '.checks[] | select(.id == "rcpt.mail_from") | .detail' \
    "not evaluated: no address of any MX host completed EHLO"
# --host with --rcpt runs the test there
. "$LAB/env"
t_run "edges/host-rcpt/exit" 0 lab_probe --json --host "$ADDR_MX1" --rcpt postmaster@good.lab.test
t_jq "edges/host-rcpt/tested" '[.address_tests[] | .address + "/" + (.rcpt.code | tostring)] | join(",")' "$ADDR_MX1/250"

# --- how a TLS session ended (badsmtp on 127.10.2.9x) ---
n=90
for c in "tlsnotify:closed:connection closed (TLS close_notify) while waiting for the reply to EHLO over TLS" \
    "tlseof:closed:connection closed without TLS close_notify while waiting for the reply to EHLO over TLS" \
    "tlsalert:tls-alert:TLS alert 'bad record mac' from the peer while waiting for the reply to EHLO over TLS"; do
	mode=${c%%:*} rest=${c#*:}
	code=${rest%%:*} msg=${rest#*:}
	addr=127.10.2.$n
	n=$((n + 1))
	"$PEER" --listen "$addr:25" --mode "$mode" --lifetime 20 2>/dev/null &
	pid=$!
	for _ in $(seq 100); do
		ss -ltnH "src $addr and sport = :25" | grep -q . && break
		sleep 0.05
	done
	t_run "edges/$mode/exit" 1 "$SMTPTLS" probe --json --timeout 3 --deadline 6 --host "$addr"
	t_jq "edges/$mode/code" '.mx[0].addresses[0].error.code' "$code"
	t_jq "edges/$mode/phase" '.mx[0].addresses[0].error.phase' ehlo_tls
	t_jq "edges/$mode/message" '.mx[0].addresses[0].error.message' "$msg"
	t_run "edges/$mode/human" 1 "$SMTPTLS" probe --timeout 3 --deadline 6 --host "$addr"
	t_match "edges/$mode/human-says" "$(printf '%s' "$msg" | sed 's/[()]/./g')" "$(cat "$T_OUT")"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
done
t_done
