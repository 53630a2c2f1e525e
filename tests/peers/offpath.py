#!/usr/bin/env python3
"""tests/peers/offpath.py LISTEN_ADDR LIFETIME_S [FORGED] - a DNS server whose
every answer is raced by forged ones (RFC 5452 9.1): for each UDP query to
LISTEN_ADDR:53 it first sends, from another port of the same address, FORGED
(default 1) answers with the query's ID and question and the address
192.0.2.66, then 50 ms later, from port 53, the true answer with 192.0.2.1. A client that
takes the first datagram with a matching ID and question is fooled; one
that also checks the source address and port is not. Answers A queries
for any name (class IN, TTL 60, RA and AD set); other types get NODATA.
Binds only LISTEN_ADDR (lab range) and exits by itself after LIFETIME_S."""
import socket
import sys
import threading
import time


def answer(q, addr):
    """The answer to query q: header, the question as asked, and one A
    record with addr when it asked for A (a pointer to the question)."""
    i = 12
    while i < len(q) and q[i] != 0:
        i += 1 + q[i]
    qend = i + 5  # root label, QTYPE, QCLASS
    qtype = int.from_bytes(q[i + 1:i + 3], "big")
    rr = b""
    if qtype == 1:
        rr = (b"\xc0\x0c" + (1).to_bytes(2, "big") + (1).to_bytes(2, "big")
              + (60).to_bytes(4, "big") + (4).to_bytes(2, "big")
              + socket.inet_aton(addr))
    flags = 0x8000 | 0x0100 | 0x0080 | 0x0020  # QR, RD, RA, AD
    head = (q[0:2] + flags.to_bytes(2, "big") + (1).to_bytes(2, "big")
            + (1 if rr else 0).to_bytes(2, "big") + b"\0\0\0\0")
    return head + q[12:qend] + rr


def main():
    listen, lifetime = sys.argv[1], float(sys.argv[2])
    forged = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    srv.bind((listen, 53))
    forger = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    forger.bind((listen, 0))
    srv.settimeout(0.2)
    end = time.monotonic() + lifetime
    print("offpath: ready", flush=True)
    while time.monotonic() < end:
        try:
            q, client = srv.recvfrom(4096)
        except socket.timeout:
            continue
        if len(q) < 17:
            continue
        for _ in range(forged):
            forger.sendto(answer(q, "192.0.2.66"), client)
        true = answer(q, "192.0.2.1")
        threading.Timer(0.05, srv.sendto, (true, client)).start()


if __name__ == "__main__":
    main()
