#!/usr/bin/env bash
# 50-listen.sh - smtptls listen against real senders on loopback: swaks,
# openssl s_client, msmtp, and misbehaving senders (silent, garbage).
#
# Each case starts "smtptls listen --bind 127.10.3.1:PORT --count 1
# --duration 20 --json" in the background, runs one sender (always under
# timeout), waits for the listener to exit by itself and asserts its exit
# code and the facts of its "session" JSON line. An EXIT trap kills any
# listener left behind.
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"

ADDR=127.10.3.1
PORT=2525
TMP=$(mktemp -d /tmp/smtptls-listen.XXXXXX)
LPID=""

cleanup() {
	[ -z "$LPID" ] || kill "$LPID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

# listen_start NAME ARGS... : start the listener, wait until it has bound
# (its listen.start line appears; bounded by 5 s).
listen_start() {
	local name=$1 i
	shift
	L_OUT="$TMP/$name.json"
	L_ERR="$TMP/$name.err"
	timeout 30 "$SMTPTLS" listen --json --bind "$ADDR:$PORT" \
	    --hostname mx.listen.example --count 1 --duration 20 "$@" \
	    >"$L_OUT" 2>"$L_ERR" &
	LPID=$!
	for i in $(seq 1 50); do
		grep -q '"listen.start"' "$L_OUT" 2>/dev/null && return 0
		kill -0 "$LPID" 2>/dev/null || break
		sleep 0.1
	done
	t_fail "$name listener up" "listen.start line" "$(head -c 300 "$L_ERR")"
	return 1
}

# listen_wait NAME EXPECTED_EXIT : wait for the listener; session line in
# $T_OUT for t_jq.
listen_wait() {
	local rc
	wait "$LPID"
	rc=$?
	LPID=""
	if [ "$rc" -gt 128 ] || [ "$rc" = 124 ]; then
		t_fail "$1 exit" "exit $2" "killed or timed out ($rc): $(head -c 300 "$L_ERR")"
	else
		t_eq "$1 exit" "$2" "$rc"
	fi
	T_OUT="$TMP/$1.session"
	jq -c 'select(.type == "session")' <"$L_OUT" >"$T_OUT" 2>/dev/null
	jq -e 'select(.type == "listen.end")' <"$L_OUT" >/dev/null 2>&1 ||
	    t_fail "$1 listen.end" "a listen.end line" "$(tail -c 300 "$L_OUT")"
}

SWAKS="swaks --server $ADDR:$PORT --from sender@sender.example --to rcpt@listen.example --helo client.sender.example --timeout 10"

# 1. swaks with STARTTLS: TLS 1.3, verdict tls, DATA rejected after report.
if listen_start swaks_tls; then
	timeout 15 $SWAKS --tls >"$TMP/swaks1.out" 2>&1
	listen_wait swaks_tls 0
	t_jq "swaks_tls helo" '.helo.verb + " " + .helo.name' "EHLO client.sender.example"
	t_jq "swaks_tls starttls" '[.starttls.offered, .starttls.used] | @csv' "true,true"
	t_jq "swaks_tls version" '.tls.version' "TLSv1.3"
	t_jq "swaks_tls handshake" '.tls.handshake' "ok"
	t_jq "swaks_tls first command" '.tls.first_command_after_tls' "EHLO"
	t_jq "swaks_tls envelope" '.envelope.mail_from + " " + (.envelope.rcpt_to | join(","))' \
	    "sender@sender.example rcpt@listen.example"
	t_jq "swaks_tls data" '.data.reached, .data.reply.code' "true 554"
	t_jq "swaks_tls envelope whole" '.envelope | tojson' \
	    '{"mail_from":"sender@sender.example","mail_params":[],"rcpt_to":["rcpt@listen.example"],"requiretls":false}'
	t_jq "swaks_tls data whole" '.data | tojson' \
	    '{"reached":true,"reply":{"code":554,"enhanced":"5.7.0","lines":["554 5.7.0 smtptls test listener: message not accepted"]}}'
	t_jq "swaks_tls end" '.end' "quit"
	t_jq "swaks_tls verdict" '.sender_verdict.value' "tls"
	t_jq "swaks_tls refusal" '.refusal' "null"
	t_jq "swaks_tls starttls.used check" '.checks[] | select(.id == "sender.starttls.used") | .status' "pass"
	t_jq "swaks_tls client_hello" '.tls.client_hello.versions[0]' "TLSv1.3"
	t_jq "swaks_tls tls checks" '[.checks[] | select(.id | startswith("sender.tls."))
	    | "\(.id) \(.status)"] | join(", ")' \
	    "sender.tls.version pass, sender.tls.cipher pass, sender.tls.client_hello pass"
fi

# 2. swaks --tls-verify against an untrusted certificate: alert unknown_ca
# in the handshake; with --expect verify the check passes.
if listen_start swaks_verify --untrusted-cert --expect verify; then
	timeout 15 $SWAKS --tls --tls-verify >"$TMP/swaks2.out" 2>&1
	listen_wait swaks_verify 0
	t_jq "swaks_verify handshake" '.tls.handshake' "alert-received"
	t_jq "swaks_verify alert" '.tls.alert' "unknown_ca"
	t_jq "swaks_verify refusal" '.refusal' "handshake-alert"
	t_jq "swaks_verify verdict" '.sender_verdict.value' "verifies-certificates"
	t_jq "swaks_verify check" '.checks[] | select(.id == "sender.cert.enforced") | .status' "pass"
fi

# 3. swaks without verification against an untrusted certificate: it
# proceeds (opportunistic); --expect verify turns that into a failure.
if listen_start swaks_noverify --untrusted-cert --expect verify; then
	timeout 15 $SWAKS --tls >"$TMP/swaks3.out" 2>&1
	listen_wait swaks_noverify 1
	t_jq "swaks_noverify refusal" '.refusal' "proceeded"
	t_jq "swaks_noverify verdict" '.sender_verdict.value' "opportunistic"
	t_jq "swaks_noverify check" '.checks[] | select(.id == "sender.cert.enforced") | .status' "fail"
fi

# 4. Plain swaks with --no-starttls: no TLS, MAIL in cleartext.
if listen_start swaks_plain --no-starttls; then
	timeout 15 $SWAKS >"$TMP/swaks4.out" 2>&1
	listen_wait swaks_plain 0
	t_jq "swaks_plain starttls" '[.starttls.offered, .starttls.used] | @csv' "false,false"
	t_jq "swaks_plain tls" '.tls' "null"
	t_jq "swaks_plain verdict" '.sender_verdict.value' "no-tls"
	t_jq "swaks_plain fallback" '.checks[] | select(.id == "sender.fallback.cleartext") | .status' "info"
fi

# 5. --expect no-cleartext: a sender that goes on in cleartext fails.
if listen_start swaks_cleartext --no-starttls --expect no-cleartext; then
	timeout 15 $SWAKS >"$TMP/swaks5.out" 2>&1
	listen_wait swaks_cleartext 1
	t_jq "swaks_cleartext fallback" '.checks[] | select(.id == "sender.fallback.cleartext") | .status' "fail"
fi

# 6. openssl s_client with SNI, QUIT as the first command over TLS.
if listen_start s_client; then
	printf 'QUIT\n' | timeout 15 openssl s_client -connect "$ADDR:$PORT" \
	    -starttls smtp -servername mx.sni.example -crlf -quiet \
	    -ign_eof >"$TMP/s_client.out" 2>&1
	listen_wait s_client 0
	t_jq "s_client sni" '.tls.sni' "mx.sni.example"
	t_jq "s_client hello sni" '.tls.client_hello.sni' "mx.sni.example"
	t_jq "s_client first command" '.tls.first_command_after_tls' "QUIT"
	t_jq "s_client ehlo.after_tls" '.checks[] | select(.id == "sender.ehlo.after_tls") | .status' "warn"
	t_jq "s_client sni check" '.checks[] | select(.id == "sender.sni") | .status' "info"
fi

# 7. --expect sni=NAME and a client certificate (--request-client-cert).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj /CN=client.sender.example -days 2 -keyout "$TMP/ck.pem" \
    -out "$TMP/cc.pem" >/dev/null 2>&1
if listen_start client_cert --request-client-cert --expect client-cert \
    --expect sni=mx.sni.example; then
	printf 'QUIT\n' | timeout 15 openssl s_client -connect "$ADDR:$PORT" \
	    -starttls smtp -servername MX.SNI.example -cert "$TMP/cc.pem" \
	    -key "$TMP/ck.pem" -crlf -quiet -ign_eof >"$TMP/cc.out" 2>&1
	listen_wait client_cert 0
	t_jq "client_cert subject" '.tls.client_certificate.subject' "CN=client.sender.example"
	t_jq "client_cert check" '.checks[] | select(.id == "sender.client_cert") | .status' "pass"
	t_jq "client_cert sni check" '.checks[] | select(.id == "sender.sni") | .status' "pass"
fi

# 8. msmtp (GnuTLS) trusting the lab CA, against an untrusted
# certificate: completes the handshake, then closes (lab-notes).
if listen_start msmtp_verify --untrusted-cert; then
	printf 'Subject: t\r\n\r\nx\r\n' | timeout 15 msmtp --host="$ADDR" \
	    --port="$PORT" --tls=on --tls-starttls=on --tls-trust-file="$CA" \
	    --from=sender@sender.example --domain=client.sender.example \
	    rcpt@listen.example >"$TMP/msmtp.out" 2>&1
	listen_wait msmtp_verify 0
	# lab-notes saw a close after the handshake; GnuTLS may also send
	# its alert before the handshake completes: both are refusals.
	t_match "msmtp_verify refusal" '^(close-after-tls|handshake-alert)$' \
	    "$(jq -r '.refusal' <"$T_OUT")"
	t_jq "msmtp_verify verdict" '.sender_verdict.value' "verifies-certificates"
	t_jq "msmtp_verify sni" '.tls.sni' "127.10.3.1"
fi

# 9. STARTTLS command injection: plaintext after STARTTLS is dropped.
if listen_start injection; then
	python3 - "$ADDR" "$PORT" <<'EOF' >"$TMP/inj.out" 2>&1
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
f = s.makefile("rb")
f.readline()
s.sendall(b"EHLO inj.example\r\n")
while not f.readline().startswith(b"250 "):
    pass
s.sendall(b"STARTTLS\r\nMAIL FROM:<evil@x>\r\n")
f.readline()
s.close()
EOF
	listen_wait injection 0
	t_jq "injection octets" '.injected_octets' "20"
	t_jq "injection mail" '.envelope.mail_from' "null"
fi

# 10. Garbage and an endless line: answered, closed, bounded.
if listen_start garbage; then
	python3 - "$ADDR" "$PORT" <<'EOF' >"$TMP/garbage.out" 2>&1
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
try:
    s.sendall(b"GET / HTTP/1.1\r\n" + b"A" * 100000)
    s.recv(4096)
except OSError:
    pass
s.close()
EOF
	listen_wait garbage 0
	t_jq "garbage end" '.end' "error"
	t_jq "garbage verdict" '.sender_verdict.value' "unknown"
fi

# 11. A silent sender is cut off at --duration; --count not reached: 3.
if listen_start silent --duration 2; then
	# bash's own /dev/tcp connects at once: an interpreter starting
	# under load could miss the 2 s and leave no session to record.
	exec 7<>"/dev/tcp/$ADDR/$PORT"
	listen_wait silent 3
	exec 7>&-
	t_jq "silent end" '.end' "listener-closed"
	t_eq "silent listen.end reason" "duration" \
	    "$(jq -r 'select(.type == "listen.end") | .reason' <"$L_OUT")"
fi

# 12. A TLS 1.0 sender (openssl s_client -tls1, an ECDHE-ECDSA CBC suite):
# the listener accepts it to observe (checks.md), the version check fails
# (exit 1), the suite is acceptable, the ClientHello warns.
if listen_start tls10; then
	printf 'EHLO old.sender.example\r\nQUIT\r\n' | timeout 15 openssl s_client -quiet \
	    -starttls smtp -connect "$ADDR:$PORT" -tls1 \
	    -cipher 'ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0' >"$TMP/tls10.out" 2>&1
	listen_wait tls10 1
	t_jq "tls10 version" '.tls.version' "TLSv1"
	t_jq "tls10 checks" '[.checks[] | select(.id | startswith("sender.tls."))
	    | "\(.id) \(.status): \(.detail)"] | join("; ")' \
	    "sender.tls.version fail: TLSv1; sender.tls.cipher pass: TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA (acceptable); sender.tls.client_hello warn: highest offered version is below TLS 1.2"
fi

# 13. The human report of a session (no --json): swaks with STARTTLS and
# SNI, its lines in order, the TLS ones (tls_lines) included.
timeout 30 "$SMTPTLS" listen --bind "$ADDR:$PORT" --hostname mx.listen.example \
    --count 1 --duration 20 >"$TMP/human.out" 2>"$TMP/human.err" &
LPID=$!
for i in $(seq 1 50); do
	grep -q 'listening as' "$TMP/human.err" 2>/dev/null && break
	sleep 0.1
done
timeout 15 $SWAKS --tls --tls-sni sni.listen.example >"$TMP/swaks-human.out" 2>&1
wait "$LPID"
t_eq "human exit" 0 "$?"
LPID=""
t_match "human session line" '^session s-[0-9]+ from [0-9.]+ port [0-9]+: quit, [0-9]+ ms$' \
    "$(head -n 1 "$TMP/human.out")"
t_eq "human lines" "EHLO client.sender.example
STARTTLS offered, used
TLS TLSv1.3
SNI sni.listen.example
client cert none
MAIL FROM <sender@sender.example>, 1 recipient
verdict tls" "$(sed -n '2,8p' "$TMP/human.out" | sed -E 's/^  //; s/^(client cert|MAIL FROM|verdict|[A-Z]+) +/\1 /; s/^(TLS TLSv1\.3) .*/\1/')"
t_match "human TLS line" '^  TLS +TLSv1\.3 TLS_[A-Z0-9_]+ \((good|acceptable)\)(, group [a-zA-Z0-9]+)?$' \
    "$(grep '^  TLS ' "$TMP/human.out")"

# 14. Usage and bind errors exit 2.
t_run "listen usage" 2 "$SMTPTLS" listen --bogus
t_run "listen bad bind" 3 "$SMTPTLS" listen --bind 192.0.2.1:1 --duration 1
if listen_start bind_busy --duration 3; then
	t_run "listen port busy" 3 "$SMTPTLS" listen --bind "$ADDR:$PORT" --duration 1
	listen_wait bind_busy 3
fi

t_done
