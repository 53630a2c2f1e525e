#!/usr/bin/env bash
# 55-listen-postfix.sh - smtptls listen against Postfix as a real sending
# MTA on loopback, at smtp_tls_security_level may, encrypt, verify and
# secure (trusting the lab CA), with and without a client certificate.
#
# The sending Postfix is a throwaway instance in a mktemp directory: its own
# main.cf and master.cf, queue and data directories, log file, and NO smtpd
# listener. It never touches the lab's receiving Postfix. Every case has its
# own smtp service in master.cf (-o smtp_tls_security_level=...) and its own
# recipient domain, routed by a texthash transport map to
# [127.10.3.2x]:2525, so no DNS is used. Bounces and anything else go to
# discard:. Each case starts "smtptls listen --count 1" (2 for the retry)
# in the background on its own address, submits one message with
# sendmail -C, waits for the listener (bounded), asserts the "session" JSON
# line, then checks the sending Postfix's own log for what it says it did.
# shellcheck source=../lib.sh
# asan: skip - its time is a real Postfix's queue; 50-listen and 52-listen-flood run the listener under ASan
. "$(dirname "$0")/../lib.sh"
# shellcheck source=../lib_postfix.sh
. "$(dirname "$0")/../lib_postfix.sh"

PORT=2525
TMP=$(mktemp -d /tmp/smtptls-pfsend.XXXXXX)
# Postfix's daemons run as postfix and must reach the queue below TMP.
chmod 755 "$TMP"
PF=$TMP/etc
Q=$TMP/queue
PLOG=$TMP/postfix.log
LPID=""
PF_STARTED=0

# master_pid - the sending master's pid, if it runs (checked by comm).
master_pid() {
	local p
	p=$(tr -dc 0-9 <"$Q/pid/master.pid" 2>/dev/null) || return 1
	[ -n "$p" ] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = master ] &&
	    echo "$p"
}

cleanup() {
	local p _
	[ -z "$LPID" ] || kill "$LPID" 2>/dev/null
	if [ "$PF_STARTED" = 1 ]; then
		timeout 10 postfix -c "$PF" stop >/dev/null 2>&1
		if p=$(master_pid); then
			kill "$p" 2>/dev/null
			for _ in $(seq 1 30); do
				case "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" in
				"" | Z) break ;;
				esac
				sleep 0.1
			done
			p=$(master_pid) && kill -9 "$p" 2>/dev/null
		fi
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

if ! command -v postfix >/dev/null || ! command -v sendmail >/dev/null; then
	t_fail "postfix installed" "postfix and sendmail" "missing"
	t_done
	exit
fi

# --- A client certificate from a throwaway CA (never committed) ---------
mkdir -m 700 "$TMP/pki"
(
	cd "$TMP/pki" || exit 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -subj "/CN=Throwaway Sender CA" -days 2 -keyout ca.key -out ca.pem &&
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -subj "/CN=sender.lab.test" -keyout client.key -out client.csr &&
	printf 'extendedKeyUsage = clientAuth\nsubjectAltName = DNS:sender.lab.test\n' >ext &&
	openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key \
	    -CAcreateserial -days 2 -extfile ext -out client.pem
) >"$TMP/pki.log" 2>&1 || t_fail "client certificate made" "openssl ok" "$(tail -c 300 "$TMP/pki.log")"
chmod 755 "$TMP/pki"
CLIENT_SHA256=$(openssl x509 -in "$TMP/pki/client.pem" -noout -fingerprint -sha256 |
    sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')

# --- The sending Postfix ------------------------------------------------
mkdir -p "$PF"
{
	pf_main_cf "$TMP" "$Q" "$PLOG"
	cat <<EOF
# TLS: the lab CA is the trust store; the level is set per service.
smtp_tls_security_level = may
smtp_connect_timeout = 5s
smtp_helo_timeout = 10s
smtp_starttls_timeout = 10s
smtp_mail_timeout = 10s
smtp_quit_timeout = 5s
EOF
} >"$PF/main.cf"

{
	pf_master_cf
	cat <<EOF
smtp-verify   unix  -       -      n      -      -       smtp
  -o smtp_tls_security_level=verify
smtp-secure   unix  -       -      n      -      -       smtp
  -o smtp_tls_security_level=secure
smtp-may      unix  -       -      n      -      -       smtp
  -o smtp_tls_security_level=may
smtp-encrypt  unix  -       -      n      -      -       smtp
  -o smtp_tls_security_level=encrypt
# verify with a certificate the lab CA did issue: the positive control.
smtp-trusted  unix  -       -      n      -      -       smtp
  -o smtp_tls_security_level=verify
  -o smtp_tls_verify_cert_match=mx1.lab.test
  -o smtp_tls_servername=mx1.lab.test
smtp-cert     unix  -       -      n      -      -       smtp
  -o smtp_tls_security_level=may
  -o smtp_tls_cert_file=$TMP/pki/client.pem
  -o smtp_tls_key_file=$TMP/pki/client.key
EOF
} >"$PF/master.cf"

cat >"$PF/transport" <<'EOF'
verify.listen.lab.test      smtp-verify:[127.10.3.20]:2525
secure.listen.lab.test      smtp-secure:[127.10.3.21]:2525
may.listen.lab.test         smtp-may:[127.10.3.22]:2525
encrypt.listen.lab.test     smtp-encrypt:[127.10.3.23]:2525
encplain.listen.lab.test    smtp-encrypt:[127.10.3.24]:2525
mayplain.listen.lab.test    smtp-may:[127.10.3.25]:2525
cert.listen.lab.test        smtp-cert:[127.10.3.26]:2525
nocert.listen.lab.test      smtp-may:[127.10.3.27]:2525
trusted.listen.lab.test     smtp-trusted:[127.10.3.28]:2525
retry.listen.lab.test       smtp-verify:[127.10.3.29]:2525
EOF

pf_queue_tree "$TMP" "$Q"

t_run "postfix start" 0 timeout 20 postfix -c "$PF" start
PF_STARTED=1
if ! master_pid >/dev/null; then
	t_fail "postfix master runs" "a master pid" "$(tail -c 400 "$PLOG" 2>/dev/null)"
	t_done
	exit
fi
# Problems at start (a bad master.cf line, an unreadable key) are logged.
sleep 0.3
t_eq "postfix no warnings at start" "" \
    "$(grep -E ': (warning|error|fatal|panic):' "$PLOG" 2>/dev/null | head -3)"

# --- Helpers ------------------------------------------------------------

# listen_start NAME ADDR ARGS... : start the listener, wait until it has
# bound (its listen.start line appears; bounded by 5 s).
listen_start() {
	local name=$1 addr=$2 _
	shift 2
	L_OUT="$TMP/$name.json"
	L_ERR="$TMP/$name.err"
	timeout 25 "$SMTPTLS" listen --json --bind "$addr:$PORT" \
	    --hostname mx.listen.lab.test --count 1 --duration 15 "$@" \
	    >"$L_OUT" 2>"$L_ERR" &
	LPID=$!
	for _ in $(seq 1 50); do
		grep -q '"listen.start"' "$L_OUT" 2>/dev/null && return 0
		kill -0 "$LPID" 2>/dev/null || break
		sleep 0.1
	done
	t_fail "$name listener up" "listen.start line" "$(head -c 300 "$L_ERR")"
	kill "$LPID" 2>/dev/null
	wait "$LPID" 2>/dev/null
	LPID=""
	return 1
}

# submit NAME : one message to b@NAME.listen.lab.test through sendmail.
submit() {
	printf 'From: a@sender.lab.test\nTo: b@%s.listen.lab.test\nSubject: %s\n\nsmtptls listen test\n' \
	    "$1" "$1" |
	    timeout 10 sendmail -C "$PF" -f a@sender.lab.test "b@$1.listen.lab.test" \
	    >"$TMP/$1.sendmail" 2>&1 ||
	    t_fail "$1 submit" "sendmail exit 0" "$(head -c 300 "$TMP/$1.sendmail")"
}

# listen_wait NAME EXPECTED_EXIT [SESSIONS] : wait for the listener (it
# exits by itself after --count sessions or at --duration); the session
# lines in $T_OUT (1 by default).
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
	t_eq "$1 sessions" "${3:-1}" "$(wc -l <"$T_OUT" | tr -d ' ')"
	if [ "$rc" != "$2" ]; then
		printf '  session: %s\n' "$(head -c 1500 "$T_OUT")"
		printf '  postfix log:\n%s\n' "$(grep -F "$1.listen" "$PLOG" | tail -5)"
	fi
}

# pf_log NAME REGEX : the sending Postfix logged a line matching REGEX
# (the log is written asynchronously by postlogd: bounded wait, 5 s).
pf_log() {
	local _
	for _ in $(seq 1 50); do
		grep -Eq -- "$2" "$PLOG" 2>/dev/null && { t_pass "$1"; return 0; }
		sleep 0.1
	done
	t_fail "$1" "postfix log /$2/" "$(grep -E 'smtp-|smtp\[' "$PLOG" | tail -3)"
}

# pf_delivery NAME : the status of the delivery to NAME's domain.
pf_delivery() {
	local _ l
	for _ in $(seq 1 50); do
		l=$(grep -E " to=<b@$1\.listen\.lab\.test>.* status=" "$PLOG" 2>/dev/null | tail -1)
		[ -n "$l" ] && break
		sleep 0.1
	done
	printf '%s' "$l" | sed -n 's/.* status=\([a-z]*\).*/\1/p'
}

# chk ID : jq filter for the status of check ID.
chk() { printf '.checks[] | select(.id == "%s") | .status' "$1"; }

# --- Cases --------------------------------------------------------------

# 1. verify, untrusted certificate: handshake completes, QUIT first over
# TLS, the mail is deferred ("Server certificate not verified").
for level in verify secure; do
	case $level in
	verify) addr=127.10.3.20 ;;
	secure) addr=127.10.3.21 ;;
	esac
	if listen_start "$level" "$addr" --untrusted-cert --expect verify; then
		submit "$level"
		listen_wait "$level" 0
		t_jq "$level handshake" '.tls.handshake' "ok"
		t_jq "$level starttls" '[.starttls.offered, .starttls.used] | @csv' "true,true"
		t_jq "$level version" '.tls.version' "TLSv1.3"
		t_jq "$level first command" '.tls.first_command_after_tls' "QUIT"
		t_jq "$level refusal" '.refusal' "quit-after-tls"
		t_jq "$level verdict" '.sender_verdict.value' "verifies-certificates"
		t_jq "$level cert.enforced" "$(chk sender.cert.enforced)" "pass"
		t_jq "$level cert.enforced data" \
		    '.checks[] | select(.id == "sender.cert.enforced") | [.data.outcome, .data.alert] | @json' \
		    '["quit-after-tls",null]'
		t_jq "$level no mail" '.envelope.mail_from' "null"
		t_jq "$level helo" '.helo.verb + " " + .helo.name' "EHLO sender.lab.test"
		t_jq "$level no sni" '.tls.sni' "null"
		t_jq "$level no client cert" '.tls.client_certificate' "null"
		t_jq "$level end" '.end' "quit"
		pf_log "$level postfix says not verified" \
		    "to=<b@$level\.listen\.lab\.test>.*status=deferred.*Server certificate not verified"
	fi
done

# 2. may, untrusted certificate: goes on with EHLO, MAIL, RCPT, DATA
# (rejected 554, so Postfix bounces; the bounce is discarded).
if listen_start may 127.10.3.22 --untrusted-cert --expect verify; then
	submit may
	listen_wait may 1
	t_jq "may handshake" '.tls.handshake' "ok"
	t_jq "may version" '.tls.version' "TLSv1.3"
	t_jq "may starttls" '.starttls.used' "true"
	t_jq "may first command" '.tls.first_command_after_tls' "EHLO"
	t_jq "may refusal" '.refusal' "proceeded"
	t_jq "may verdict" '.sender_verdict.value' "opportunistic"
	t_jq "may cert.enforced" "$(chk sender.cert.enforced)" "fail"
	t_jq "may cert.enforced outcome" \
	    '.checks[] | select(.id == "sender.cert.enforced") | .data.outcome' "proceeded"
	t_jq "may envelope" '.envelope.mail_from + " " + (.envelope.rcpt_to | join(","))' \
	    "a@sender.lab.test b@may.listen.lab.test"
	t_jq "may data" '.data.reached, .data.reply.code' "true 554"
	t_jq "may client hello" '.tls.client_hello.versions[0]' "TLSv1.3"
	t_jq "may no client cert" '.tls.client_certificate' "null"
	pf_log "may postfix untrusted TLS" \
	    "Untrusted TLS connection established to [^ ]*\[127\.10\.3\.22\]:2525"
	t_eq "may postfix bounced" "bounced" "$(pf_delivery may)"
fi

# 3. encrypt, untrusted certificate: encrypt does not authenticate, so it
# proceeds too (no --expect: the check is info, exit 0).
if listen_start encrypt 127.10.3.23 --untrusted-cert; then
	submit encrypt
	listen_wait encrypt 0
	t_jq "encrypt version" '.tls.version' "TLSv1.3"
	t_jq "encrypt first command" '.tls.first_command_after_tls' "EHLO"
	t_jq "encrypt refusal" '.refusal' "proceeded"
	t_jq "encrypt verdict" '.sender_verdict.value' "opportunistic"
	t_jq "encrypt cert.enforced" "$(chk sender.cert.enforced)" "info"
	t_jq "encrypt mail" '.envelope.mail_from' "a@sender.lab.test"
fi

# 4. encrypt against --no-starttls: no mail in cleartext; Postfix ends the
# session before MAIL FROM ("TLS is required, but was not offered").
if listen_start encplain 127.10.3.24 --no-starttls --expect no-cleartext; then
	submit encplain
	listen_wait encplain 0
	t_jq "encplain starttls" '[.starttls.offered, .starttls.used] | @csv' "false,false"
	t_jq "encplain tls" '.tls' "null"
	t_jq "encplain helo" '.helo.verb + " " + .helo.name' "EHLO sender.lab.test"
	t_jq "encplain no mail" '.envelope.mail_from' "null"
	t_match "encplain end" '^(quit|client-closed)$' "$(jq -r '.end' <"$T_OUT")"
	t_jq "encplain refusal" '.refusal' "null"
	t_jq "encplain verdict" '.sender_verdict.value' "requires-tls"
	t_jq "encplain fallback" "$(chk sender.fallback.cleartext)" "pass"
	pf_log "encplain postfix says TLS required" \
	    "to=<b@encplain\.listen\.lab\.test>.*status=deferred.*TLS is required, but was not offered"
fi

# 5. may against --no-starttls: falls back to cleartext.
if listen_start mayplain 127.10.3.25 --no-starttls --expect no-cleartext; then
	submit mayplain
	listen_wait mayplain 1
	t_jq "mayplain tls" '.tls' "null"
	t_jq "mayplain mail" '.envelope.mail_from' "a@sender.lab.test"
	t_jq "mayplain verdict" '.sender_verdict.value' "no-tls"
	t_jq "mayplain fallback" "$(chk sender.fallback.cleartext)" "fail"
fi

# 6. may with smtp_tls_cert_file/key_file and --request-client-cert: the
# certificate is sent and recorded (subject, SHA-256).
if listen_start cert 127.10.3.26 --request-client-cert --expect client-cert; then
	submit cert
	listen_wait cert 0
	t_jq "cert version" '.tls.version' "TLSv1.3"
	t_jq "cert subject" '.tls.client_certificate.subject' "CN=sender.lab.test"
	t_jq "cert issuer" '.tls.client_certificate.issuer' "CN=Throwaway Sender CA"
	t_jq "cert sha256" '.tls.client_certificate.sha256' "$CLIENT_SHA256"
	t_jq "cert not self-signed" '.tls.client_certificate.self_signed' "false"
	t_jq "cert check" "$(chk sender.client_cert)" "pass"
	t_jq "cert verdict" '.sender_verdict.value' "tls"
	t_jq "cert refusal" '.refusal' "null"
	t_jq "cert mail" '.envelope.mail_from' "a@sender.lab.test"
fi

# 7. may without a client certificate, same request: none sent.
if listen_start nocert 127.10.3.27 --request-client-cert --expect client-cert; then
	submit nocert
	listen_wait nocert 1
	t_jq "nocert tls" '.tls.handshake' "ok"
	t_jq "nocert client cert" '.tls.client_certificate' "null"
	t_jq "nocert check" "$(chk sender.client_cert)" "fail"
	t_jq "nocert verdict" '.sender_verdict.value' "tls"
fi

# 8. Positive control: verify trusting the lab CA, against a certificate
# the lab CA issued (mx1.lab.test, matched by name, sent as SNI): Postfix
# verifies it and delivers. So the QUIT in case 1 is about the untrusted
# certificate, not a broken trust setup.
if listen_start trusted 127.10.3.28 --cert "$LAB/certs/mx1.chain.pem" \
    --key "$LAB/certs/mx1.key" --expect sni=mx1.lab.test; then
	submit trusted
	listen_wait trusted 0
	t_jq "trusted version" '.tls.version' "TLSv1.3"
	t_jq "trusted sni" '.tls.sni' "mx1.lab.test"
	t_jq "trusted sni check" "$(chk sender.sni)" "pass"
	t_jq "trusted first command" '.tls.first_command_after_tls' "EHLO"
	t_jq "trusted mail" '.envelope.mail_from' "a@sender.lab.test"
	t_jq "trusted refusal" '.refusal' "null"
	t_jq "trusted verdict" '.sender_verdict.value' "tls"
	pf_log "trusted postfix verified" \
	    "Verified TLS connection established to [^ ]*\[127\.10\.3\.28\]:2525"
fi

# 9. A retry: verify defers, the queue manager retries about a second
# later (minimal_backoff_time = 1s), with TLS again and again QUIT. The
# second session is linked to the first; listen.end sums up the peer.
if listen_start retry 127.10.3.29 --untrusted-cert --expect verify --count 2; then
	submit retry
	listen_wait retry 0 2
	t_jq "retry refusals" '.refusal' "quit-after-tls quit-after-tls"
	t_jq "retry verdicts" '.sender_verdict.value' "verifies-certificates verifies-certificates"
	t_jq "retry related" '.related_sessions | join(",")' " s-000001"
	t_jq "retry no mail" '.envelope.mail_from' "null null"
	T_OUT=$TMP/retry.end
	jq -c 'select(.type == "listen.end")' <"$L_OUT" >"$T_OUT"
	t_jq "retry end peers" '.peers | length' "1"
	t_jq "retry end sessions" '.peers[0].sessions | join(",")' "s-000001,s-000002"
	t_jq "retry end verdict" '.peers[0].verdict' "verifies-certificates"
	t_jq "retry end after_refusal" '.peers[0].after_refusal' "retried-tls"
	t_jq "retry end reason" '.reason' "count"
fi

# Nothing the sending Postfix did may have gone wrong on its side.
t_eq "postfix no errors" "" \
    "$(grep -E ': (error|fatal|panic):' "$PLOG" 2>/dev/null | head -3)"

t_done
