#!/usr/bin/env python3
"""tests/peers/zonehostile.py MODE ... - hostile clients for the test zone
of `smtptls listen --test-zone` (tests/integration/63-sendtest-hostile.sh).
Each mode prints one "PASS name" or "FAIL name" line (lib.sh's format,
with the expected and seen lines) per thing it checks, and never waits
longer than its own timeouts: every socket has one.

  dns-udp DNS ZONE          malformed and hostile datagrams
  dns-tcp DNS ZONE SRC      hostile TCP clients (SRC: their source address)
  dns-slow DNS SRC          a length prefix of 65535, then silence: how long
                            until the server closes (prints the seconds)
  dns-drip DNS SRC          a query one octet per 700 ms: how long until
                            the server closes (prints the seconds)
  dns-idle DNS SRC N SECS   N idle TCP connections held for SECS
  https-slow ADDR HOST      a request one byte per 300 ms
  https-hostile ADDR HOST SRC  idle TLS, no TLS, a huge header, many idle
  smtp ADDR SRC ADDR2 NAME  garbage at a scenario address, 200 at once;
                            STARTTLS at ADDR2 with SNI NAME (another's)
"""
import socket
import ssl
import struct
import sys
import time

FAILED = 0


def check(name, ok, want, seen):
    global FAILED
    if ok:
        print("PASS " + name)
    else:
        FAILED += 1
        print("FAIL %s\n  expected: %s\n  seen: %s" % (name, want, seen))
    sys.stdout.flush()


def qname(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def query(name, qtype=1, qid=0x1234, flags=0x0000, qd=1, edns=None):
    """A query; edns: the OPT record's UDP size (DO set)."""
    ar = 1 if edns is not None else 0
    q = struct.pack(">HHHHHH", qid, flags, qd, 0, 0, ar)
    for _ in range(qd):
        q += qname(name) + struct.pack(">HH", qtype, 1)
    if edns is not None:
        q += b"\0" + struct.pack(">HHIH", 41, edns, 0x8000, 0)
    return q


def udp(dns, payload, wait=0.4):
    """The answer to one datagram, or None when none comes in wait s."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(wait)
    try:
        s.sendto(payload, (dns, 53))
        return s.recv(65535)
    except socket.timeout:
        return None
    finally:
        s.close()


def rcode(ans):
    return None if ans is None or len(ans) < 4 else ans[3] & 0x0F


def dns_udp(dns, zone):
    good = "valid." + zone
    drop = [
        ("empty datagram", b""),
        ("one octet", b"\x12"),
        ("truncated header", query(good)[:11]),
        ("qdcount 5, one question", query(good)[:5] + b"\x05" + query(good)[6:]),
        # the question name is a pointer to itself (offset 12)
        ("pointer loop", struct.pack(">HHHHHH", 7, 0, 1, 0, 0, 0) + b"\xc0\x0c\0\1\0\1"),
        ("65000 octets of garbage", bytes((i * 7 + 3) & 0xFF for i in range(65000))),
        ("a response (QR set)", query(good, flags=0x8000)),
        ("a name of 321 octets", query(".".join(["a" * 63] * 5))),
    ]
    # each followed by a good query on the same socket: the server reads
    # datagrams in order, so the first answer must be the good one's
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    for i, (name, p) in enumerate(drop):
        s.sendto(p, (dns, 53))
        s.sendto(query(good, qid=0x4000 + i), (dns, 53))
        try:
            ans = s.recv(65535)
        except socket.timeout:
            ans = b""
        check("dns udp: " + name + " dropped", ans[:2] == struct.pack(">H", 0x4000 + i),
              "only the next query's answer", ans[:16].hex() or "none")
    s.close()
    for name, p, want in [
        ("qdcount 0", query(good, qd=0), 1),
        ("qdcount 5", query(good, qd=5), 1),
        ("opcode 3", query(good, flags=3 << 11), 4),
        ("opcode UPDATE", query(good, flags=5 << 11), 4),
        ("name outside the zone", query("example.org"), 5),
        ("the parent of the zone", query(zone.split(".", 1)[1]), 5),
        ("class CH", query(good)[:-2] + b"\0\3", 5),
        ("ANY", query(good, qtype=255), 5),
    ]:
        ans = udp(dns, p)
        check("dns udp: %s answered rcode %d" % (name, want),
              rcode(ans) == want, "rcode %d" % want, "rcode %s" % rcode(ans))
    # EDNS asking for 65535 octets: no answer over UDP above 1232
    ans = udp(dns, query(zone, qtype=48, edns=65535))
    check("dns udp: EDNS 65535 capped at 1232 octets",
          ans is not None and len(ans) <= 1232 and rcode(ans) == 0,
          "an answer of at most 1232 octets",
          "none" if ans is None else "%d octets rcode %d" % (len(ans), rcode(ans)))


def tcp_conn(dns, src, timeout=3.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.bind((src, 0))
    s.connect((dns, 53))
    return s


def recv_all(s, n):
    out = b""
    while len(out) < n:
        b = s.recv(n - len(out))
        if not b:
            break
        out += b
    return out


def tcp_ask(dns, src, q):
    """rcode of the TCP answer to q, or None when the server closes."""
    s = tcp_conn(dns, src)
    try:
        s.sendall(struct.pack(">H", len(q)) + q)
        n = recv_all(s, 2)
        if len(n) < 2:
            return None
        return rcode(recv_all(s, struct.unpack(">H", n)[0]))
    except OSError:
        return None
    finally:
        s.close()


def closed_by_server(s, wait):
    try:
        s.settimeout(wait)
        return s.recv(1) == b""
    except socket.timeout:
        return False
    except OSError:
        return True


def dns_tcp(dns, zone, src):
    good = "valid." + zone
    for name, q in [("AXFR", query(zone, qtype=252)), ("ANY", query(good, qtype=255)),
                    ("IXFR", query(zone, qtype=251)), ("outside", query("example.org"))]:
        rc = tcp_ask(dns, src, q)
        check("dns tcp: %s refused" % name, rc == 5, "rcode 5", "rcode %s" % rc)
    # a half message, then the client goes away; then one that stays
    s = tcp_conn(dns, src)
    s.sendall(b"\x01\x00" + query(good)[:8])
    s.close()
    s = tcp_conn(dns, src)
    s.sendall(b"\x00\x00")
    check("dns tcp: length 0 closed", closed_by_server(s, 2), "closed", "open")
    s.close()
    s = tcp_conn(dns, src)
    # one question whose first label length (0xff) is neither a label nor
    # a pointer within the message
    s.sendall(struct.pack(">H", 40) + struct.pack(">HHHHHH", 9, 0, 1, 0, 0, 0)
              + b"\xff" * 28)
    check("dns tcp: garbage query closed", closed_by_server(s, 2), "closed", "open")
    s.close()
    # two queries in one segment, both answered (RFC 7766 6.2.1)
    q = query(good, qtype=15)
    s = tcp_conn(dns, src)
    s.sendall((struct.pack(">H", len(q)) + q) * 2)
    got = 0
    for _ in range(2):
        n = recv_all(s, 2)
        if len(n) == 2 and rcode(recv_all(s, struct.unpack(">H", n)[0])) == 0:
            got += 1
    s.close()
    check("dns tcp: two pipelined queries answered", got == 2, 2, got)


def dns_slow(dns, src):
    s = tcp_conn(dns, src)
    start = time.monotonic()
    s.sendall(b"\xff\xff" + query("x.test")[:6])
    closed = closed_by_server(s, 12)
    print("%.1f" % (time.monotonic() - start) if closed else "open")
    s.close()


def dns_drip(dns, src):
    """A query one octet per 700 ms: the server closes within its idle
    limit of the connection, however often an octet comes."""
    q = query("valid.x.test")
    q = struct.pack(">H", len(q)) + q
    s = tcp_conn(dns, src)
    start = time.monotonic()
    for b in q:
        try:
            s.sendall(bytes([b]))
        except OSError:
            break
        if closed_by_server(s, 0.7):
            break
    print("%.1f" % (time.monotonic() - start) if time.monotonic() - start < len(q) * 0.7 - 1 else "open")
    s.close()


def dns_idle(dns, src, n, secs):
    socks = []
    for _ in range(n):
        try:
            socks.append(tcp_conn(dns, src))
        except OSError:
            break
    print(len(socks))
    sys.stdout.flush()
    time.sleep(secs)
    for s in socks:
        s.close()


def tls_ctx():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def https_conn(addr, host, src, timeout=3.0):
    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    raw.settimeout(timeout)
    raw.bind((src, 0))
    raw.connect((addr, 443))
    return tls_ctx().wrap_socket(raw, server_hostname=host)


def status_of(s):
    try:
        head = s.recv(200)
    except ssl.SSLEOFError:
        return "closed"
    except OSError as e:
        return "error " + type(e).__name__
    return head.split(b"\r\n", 1)[0].decode(errors="replace") or "closed"


def https_slow(addr, host, src):
    s = https_conn(addr, host, src)
    for c in b"GET / HTTP/1.0\r\n\r\n":
        s.sendall(bytes([c]))
        time.sleep(0.3)
    st = status_of(s)
    check("https: request at one byte per 300 ms answered 404",
          " 404 " in st, "HTTP/1.x 404", st)
    s.close()


def https_hostile(addr, host, src, src2):
    # a huge header: over the 16 KiB a connection may use
    s = https_conn(addr, host, src)
    try:
        s.sendall(b"GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: "
                  + host.encode() + b"\r\nX-Big: " + b"a" * 65536
                  + b"\r\n\r\n")
    except OSError:
        pass  # the server may answer and close before all of it is sent
    st = status_of(s)
    check("https: 64 KiB header refused", st.startswith("HTTP/1.1 4") or st == "closed",
          "a 4xx or a close", st)
    s.close()
    # many idle: TLS without a request, and TCP without a handshake,
    # from one address: the per-client limit holds them (20 > 16)
    held = []
    for i in range(20):
        try:
            if i % 2:
                held.append(https_conn(addr, host, src))
            else:
                raw = socket.create_connection((addr, 443), 2, (src, 0))
                held.append(raw)
        except OSError:
            pass
    s = https_conn(addr, host, src2)
    s.sendall(b"GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: " + host.encode()
              + b"\r\nConnection: close\r\n\r\n")
    st = status_of(s)
    check("https: served beside 20 idle connections of another client",
          " 200 " in st, "HTTP/1.1 200", st)
    s.close()
    for h in held:
        h.close()


def smtp_wrong_host(addr, src, name):
    """STARTTLS at one scenario's address, naming another's MX host by
    SNI: the session must still be this address's (and be served)."""
    s = socket.create_connection((addr, 25), 3, (src, 0))
    f = s.makefile("rb")
    lines = [f.readline()]
    s.sendall(b"EHLO wrong.example\r\n")
    while True:
        line = f.readline()
        lines.append(line)
        if line[3:4] != b"-":
            break
    s.sendall(b"STARTTLS\r\n")
    lines.append(f.readline())
    ok = lines[-1].startswith(b"220")
    if ok:
        t = tls_ctx().wrap_socket(s, server_hostname=name)
        t.sendall(b"EHLO wrong.example\r\n")
        ok = t.recv(4).startswith(b"250")
        t.sendall(b"QUIT\r\n")
        t.close()
    else:
        s.close()
    check("smtp: STARTTLS at %s naming %s by SNI served" % (addr, name), ok,
          "220 to STARTTLS, 250 to EHLO over TLS", b"".join(lines)[-80:])


def smtp(addr, src, wrong_addr, wrong_name):
    smtp_wrong_host(wrong_addr, src, wrong_name)
    s = socket.create_connection((addr, 25), 3, (src, 0))
    greet = s.recv(512)
    s.sendall(bytes(range(256)) * 8 + b"\r\nEHLO \xff\xfe\r\nMAIL FROM:<" + b"x" * 3000 + b">\r\n")
    try:
        s.sendall(b"QUIT\r\n")
        time.sleep(0.2)
        rest = s.recv(4096)
    except OSError:
        rest = b""
    s.close()
    check("smtp: garbage got a greeting", greet.startswith(b"220"), "220", greet[:40])
    check("smtp: garbage answered 5xx or closed", rest[:1] in (b"", b"5"),
          "a 5xx reply or a close", rest[:40])
    socks = []
    for _ in range(200):
        try:
            socks.append(socket.create_connection((addr, 25), 3, (src, 0)))
        except OSError:
            break
    greeted = 0
    for s in socks:
        try:
            if s.recv(4).startswith(b"220"):
                greeted += 1
        except OSError:
            pass
        s.close()
    check("smtp: 200 connections at once greeted", greeted == 200, 200, greeted)


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "dns-udp":
        dns_udp(*args)
    elif mode == "dns-tcp":
        dns_tcp(*args)
    elif mode == "dns-slow":
        dns_slow(*args)
    elif mode == "dns-drip":
        dns_drip(*args)
    elif mode == "dns-idle":
        dns_idle(args[0], args[1], int(args[2]), float(args[3]))
    elif mode == "https-slow":
        https_slow(*args)
    elif mode == "https-hostile":
        https_hostile(*args)
    elif mode == "smtp":
        smtp(*args)
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
