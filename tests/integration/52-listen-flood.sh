# tests/integration/52-listen-flood.sh - a thousand connections at once
# against smtptls listen: memory stays bounded, every idle session ends at
# --timeout, and a real sender (swaks over STARTTLS) arriving in the middle
# of the flood is still served.
# It runs beside other scripts: the flood is a thousand idle sockets, not
# work (2.2 s of CPU in its 12 s, measured alone).
. "$SMTPTLS_TOP/tests/lib.sh"

BIND=127.10.3.40
PORT=2525
RSS_MAX=65536
grep -q __asan_init "$SMTPTLS" 2>/dev/null && RSS_MAX=262144
tmp=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

/usr/bin/time -f '%M' -o "$tmp/rss" timeout -k 2 30 "$SMTPTLS" listen --json \
    --bind "$BIND:$PORT" --hostname listen.lab.test --timeout 2 --duration 12 \
    >"$tmp/out" 2>"$tmp/err" &
lpid=$!
pids="$lpid"
# wait (bounded) until it listens
for _ in $(seq 1 100); do
	ss -Hltn "src $BIND:$PORT" | grep -q . && break
	sleep 0.05
done

# 1000 connections: most idle, every tenth sends garbage now and then;
# held open for 6 s, longer than --timeout.
python3 - "$BIND" "$PORT" >"$tmp/flood" 2>&1 <<'PY' &
import socket, sys, time
host, port = sys.argv[1], int(sys.argv[2])
socks = []
for i in range(1000):
    try:
        s = socket.create_connection((host, port), timeout=2)
        s.setblocking(False)
        socks.append(s)
    except OSError as e:
        print("connect failed:", e)
        break
print("opened", len(socks), flush=True)
end = time.time() + 6
while time.time() < end:
    for i, s in enumerate(socks):
        if i % 10 == 0:
            try:
                s.send(b"\x00garbage\xff" * 10)
            except OSError:
                pass
    time.sleep(0.5)
for s in socks:
    s.close()
PY
fpid=$!
pids="$pids $fpid"
# the real sender comes once the flood holds its 1000 connections
for _ in $(seq 1 100); do
	grep -q '^opened' "$tmp/flood" 2>/dev/null && break
	sleep 0.05
done
t_run listen-flood/swaks-served 0 timeout 10 swaks --server "$BIND:$PORT" --tls \
    --helo goodsender.lab.test --from a@sender.lab.test --to b@listen.lab.test \
    --quit-after RCPT
wait "$fpid"
t_match listen-flood/flood-opened '^opened 1000$' "$(head -n 1 "$tmp/flood")"
wait "$lpid"
rc=$?
case "$rc" in
0 | 1) t_pass listen-flood/listener-exit ;;
*) t_fail listen-flood/listener-exit "exit 0 or 1 (no signal, no sanitizer report)" \
    "exit $rc: $(head -c 300 "$tmp/err")" ;;
esac
T_OUT="$tmp/out"
t_eq listen-flood/good-sender-tls "true" \
    "$(jq -r 'select(.type == "session" and .helo.name == "goodsender.lab.test") | .starttls.used' <"$tmp/out" | head -n 1)"
t_match listen-flood/sessions-recorded '^[0-9]+$' \
    "$(jq -r 'select(.type == "listen.end") | .sessions' <"$tmp/out")"
n=$(jq -r 'select(.type == "listen.end") | .sessions' <"$tmp/out")
if [ "${n:-0}" -ge 1000 ]; then t_pass listen-flood/every-connection-a-session
else t_fail listen-flood/every-connection-a-session ">= 1001 sessions" "${n:-none}"; fi
t_eq listen-flood/idle-timed-out "0" \
    "$(jq -r 'select(.type == "session" and .helo == null) | .end' <"$tmp/out" | grep -cv -E '^(timeout|client-closed|error|listener-closed)$')"
rss=$(tail -n 1 "$tmp/rss")
if [ "${rss:-0}" -gt 0 ] && [ "$rss" -lt "$RSS_MAX" ]; then t_pass listen-flood/rss
else t_fail listen-flood/rss "peak RSS under $RSS_MAX KiB" "${rss:-?} KiB"; fi
echo "  listen flood: peak RSS ${rss:-?} KiB, ${n:-?} sessions"
t_done
