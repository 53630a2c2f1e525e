#!/usr/bin/env python3
"""tests/peers/nodo.py LISTEN_ADDR UPSTREAM_ADDR LIFETIME_S - a DNS forwarder
without DO support: it clears the DO bit of every query (UDP only) before
passing it to UPSTREAM_ADDR:53, so the answers come back without RRSIGs,
as from an old home router or a middlebox that drops EDNS flags. Binds
LISTEN_ADDR:53 (lab range only) and exits by itself after LIFETIME_S."""
import socket
import sys
import threading
import time


def clear_do(q):
    """The query with the DO bit of its OPT record cleared (RFC 6891 6.1.4:
    DO is the top bit of the flags in the OPT TTL); unchanged if none."""
    if len(q) < 12:
        return q
    qd, an, ns, ar = (int.from_bytes(q[i:i + 2], "big") for i in (4, 6, 8, 10))
    if qd != 1 or an or ns or ar == 0:
        return q
    i = 12
    while i < len(q) and q[i] != 0:
        i += 1 + q[i]
    i += 1 + 4  # root label, QTYPE, QCLASS
    # the additional records: OPT has the root name (one zero octet)
    for _ in range(ar):
        if i + 11 > len(q):
            return q
        rtype = int.from_bytes(q[i + 1:i + 3], "big")
        if q[i] == 0 and rtype == 41:
            b = bytearray(q)
            b[i + 7] &= 0x7F
            return bytes(b)
        i += 11 + int.from_bytes(q[i + 9:i + 11], "big")
    return q


def forward(srv, addr, data, listen, upstream):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as up:
        up.bind((listen, 0))
        up.settimeout(3)
        try:
            up.sendto(clear_do(data), (upstream, 53))
            ans, _ = up.recvfrom(65535)
        except OSError:
            return
    srv.sendto(ans, addr)


def main():
    listen, upstream, life = sys.argv[1], sys.argv[2], float(sys.argv[3])
    end = time.monotonic() + life
    srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    srv.bind((listen, 53))
    print("ready", flush=True)
    while time.monotonic() < end:
        srv.settimeout(max(0.05, end - time.monotonic()))
        try:
            data, addr = srv.recvfrom(65535)
        except socket.timeout:
            continue
        threading.Thread(target=forward, daemon=True,
                         args=(srv, addr, data, listen, upstream)).start()


if __name__ == "__main__":
    main()
