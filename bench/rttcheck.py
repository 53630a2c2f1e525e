#!/usr/bin/env python3
"""bench/rttcheck.py - the round trip a client really sees through
bench/relay.py, against what it was asked for.

    rttcheck.py RESOLVER NAME SMTP_ADDR [N]

Prints "UDP_MS TCP_MS", medians of N (default 11) in milliseconds:
UDP_MS a DNS query for NAME's MX to RESOLVER:53 (answered from the
resolver's cache: the relay and loopback only), each from a new socket as
smtptls asks; TCP_MS an SMTP NOOP and its reply on one connection to
SMTP_ADDR:25, after the greeting. The relay's timers fire a little late
(the machine wakes it up 0.2-0.5 ms after a sleep ends, more under load)
and each hand-on costs the Python loop some time: the difference to the
nominal RTT is what the relay adds to each round trip of every client, so
bench/probe.sh states the critical path at these round trips as well.
Exit 1 (and nothing on stdout) when a server does not answer within 5 s.
"""
import socket
import statistics
import struct
import sys
import time


def dns_query(name):
    head = struct.pack(">HHHHHH", 0x5354, 0x0100, 1, 0, 0, 0)
    qname = b"".join(bytes([len(x)]) + x.encode("ascii")
                     for x in name.rstrip(".").split(".")) + b"\0"
    return head + qname + struct.pack(">HH", 15, 1)


def udp_rtt(resolver, name):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(5)
        s.connect((resolver, 53))
        t0 = time.monotonic()
        s.send(dns_query(name))
        s.recv(65535)
        return (time.monotonic() - t0) * 1000


def tcp_rtts(addr, n):
    out = []
    with socket.create_connection((addr, 25), timeout=5) as s:
        f = s.makefile("rb")
        f.readline()  # the greeting (one line on the lab's servers)
        for _ in range(n):
            t0 = time.monotonic()
            s.sendall(b"NOOP\r\n")
            f.readline()
            out.append((time.monotonic() - t0) * 1000)
        s.sendall(b"QUIT\r\n")
        f.readline()
    return out


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__.split("\n\n")[1])
    resolver, name, smtp = sys.argv[1:4]
    n = int(sys.argv[4]) if len(sys.argv) == 5 else 11
    try:
        udp = [udp_rtt(resolver, name) for _ in range(n)]
        tcp = tcp_rtts(smtp, n)
    except OSError as e:
        print(f"rttcheck: {e}", file=sys.stderr)
        sys.exit(1)
    print(f"{statistics.median(udp):.1f} {statistics.median(tcp):.1f}")


if __name__ == "__main__":
    main()
