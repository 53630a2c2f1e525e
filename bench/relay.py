#!/usr/bin/env python3
"""bench/relay.py - a delaying TCP and UDP relay for the bench (no netem here).

    relay.py --delay-ms D [--pidfile F] [--slow-dns TEXT=MS ...]
             tcp:LISTEN_ADDR:PORT=UP_ADDR:PORT ...
             udp:LISTEN_ADDR:PORT=UP_ADDR:PORT ...

Every byte (TCP) and datagram (UDP) is handed on D milliseconds after it
arrived, in both directions, so a client sees a round-trip time of 2*D on
top of loopback's. TCP connections: the kernel completes the client's
handshake at once, so the relay makes up for the missing round trip by
opening the upstream connection 3*D after the accept (the SYN, SYN-ACK and
ACK of a real path) and by delivering nothing upstream before that. A client
that waits for a greeting (SMTP) then sees it at 2 RTT, and one that speaks
first (TLS) has its first bytes reach the server at 1.5 RTT: both as over a
real path. The relay acknowledges what it receives at once (TCP_QUICKACK):
a path's acknowledgements cost the round trip already added, no more.

--slow-dns TEXT=MS holds the answer to every UDP query whose name starts with
TEXT (say "_25._tcp." for the TLSA lookups) MS milliseconds longer: lookups
that differ in latency, as behind a slow authority or local validation.

Timing: the event loop waits in select(2), whose timeout has microsecond
resolution; asyncio's default, epoll, rounds every wait up to a whole
millisecond, so each delayed hand-on fired up to 1 ms late: about 1 ms too
much per round trip, 10 ms over a 20 ms RTT probe (bench/rttcheck.py
measures what the relay really adds). A UDP datagram is forwarded in the
callback that is due, through a socket made there, with no task between.

It is a bench tool, not product code: python3 stdlib only, binds only the
addresses it is given (the bench uses 127.10.30.0/24) and runs until
SIGTERM or SIGINT.
"""
import argparse
import asyncio
import os
import selectors
import signal
import socket
import sys


def parse_map(spec):
    proto, rest = spec.split(":", 1)
    left, right = rest.split("=", 1)
    la, lp = left.rsplit(":", 1)
    ua, up = right.rsplit(":", 1)
    if proto not in ("tcp", "udp"):
        raise ValueError(f"bad protocol in '{spec}'")
    return proto, (la, int(lp)), (ua, int(up))


class Pipe:
    """One direction of a TCP connection: items go out in order, each at
    its due time (arrival + delay, and never before `not_before`). The
    writer is a future: upstream bytes queue up until the connection to
    the server exists."""

    def __init__(self, loop, writer_fut, delay, not_before=0.0):
        self.loop = loop
        self.writer_fut = writer_fut
        self.delay = delay
        self.not_before = not_before
        self.queue = asyncio.Queue()
        self.task = loop.create_task(self.run())

    def put(self, data):
        due = max(self.loop.time() + self.delay, self.not_before)
        self.queue.put_nowait((due, data))

    async def run(self):
        try:
            writer = await self.writer_fut
            while True:
                due, data = await self.queue.get()
                wait = due - self.loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if data is None:  # end of stream
                    if writer.can_write_eof():
                        writer.write_eof()
                    await writer.drain()
                    return
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError, asyncio.CancelledError):
            pass


def quickack(writer):
    """Acknowledge at once what arrives on this socket (Linux resets the
    flag as it goes, so it is set again before every read). The relay ends
    a TCP connection: without this its own kernel decides when the peer's
    bytes are acknowledged, and a delayed ACK (40 ms) holds a server whose
    Nagle waits for it. A real path's ACKs cost the round trip the relay
    already adds, so the relay must add none of its own."""
    sock = writer.get_extra_info("socket")
    if sock is not None and hasattr(socket, "TCP_QUICKACK"):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        except OSError:
            pass


async def pump(reader, pipe, writer=None):
    try:
        while True:
            if writer is not None:
                quickack(writer)
            data = await reader.read(65536)
            if writer is not None:
                quickack(writer)
            if not data:
                break
            pipe.put(data)
    except (ConnectionError, OSError):
        pass
    pipe.put(None)


def done(loop, value):
    f = loop.create_future()
    f.set_result(value)
    return f


async def tcp_session(creader, cwriter, upstream, delay):
    loop = asyncio.get_running_loop()
    t_up = loop.time() + 3 * delay
    up_writer = loop.create_future()
    to_server = Pipe(loop, up_writer, delay, t_up)
    to_client = Pipe(loop, done(loop, cwriter), delay)
    from_client = loop.create_task(pump(creader, to_server, cwriter))
    await asyncio.sleep(max(0.0, t_up - loop.time()))
    try:
        ureader, uwriter = await asyncio.open_connection(*upstream)
    except OSError:
        cwriter.close()
        from_client.cancel()
        to_server.task.cancel()
        to_client.task.cancel()
        return
    up_writer.set_result(uwriter)
    from_server = loop.create_task(pump(ureader, to_client, uwriter))
    await asyncio.gather(from_client, from_server, to_server.task,
                         to_client.task, return_exceptions=True)
    for w in (cwriter, uwriter):
        w.close()


def qname(msg):
    """The question's name of a DNS message, lower case ("" if unreadable)."""
    labels, i = [], 12
    while i < len(msg) and msg[i] != 0 and msg[i] < 64:
        labels.append(msg[i + 1:i + 1 + msg[i]].decode("ascii", "replace"))
        i += 1 + msg[i]
    return ".".join(labels).lower() + "."


class UdpFront(asyncio.DatagramProtocol):
    """Client side of a UDP relay: an upstream socket per client address,
    made when its first datagram is due and closed after the reply (a DNS
    client asks once per port; select(2) holds at most 1024 descriptors)
    or after 10 s without one; replies come back through loop.add_reader,
    with no task or coroutine on the way."""

    def __init__(self, upstream, delay, bind_addr, slow=()):
        self.upstream, self.delay, self.bind_addr = upstream, delay, bind_addr
        self.slow = slow
        self.peers = {}

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        loop = asyncio.get_running_loop()
        name = qname(data)
        extra = sum(ms for text, ms in self.slow if name.startswith(text)) / 1000.0
        loop.call_at(loop.time() + self.delay + extra, self.forward, data, addr)

    def forward(self, data, addr):
        back = self.peers.get(addr)
        try:
            if back is None:
                back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                back.setblocking(False)
                back.bind((self.bind_addr, 0))
                back.connect(self.upstream)
                loop = asyncio.get_running_loop()
                loop.add_reader(back, self.reply, back, addr)
                loop.call_later(10.0, self.drop, back, addr)
                self.peers[addr] = back
            back.send(data)
        except OSError:
            pass

    def drop(self, back, addr):
        if self.peers.get(addr) is back:
            del self.peers[addr]
        if back.fileno() >= 0:
            asyncio.get_running_loop().remove_reader(back)
            back.close()

    def reply(self, back, addr):
        loop = asyncio.get_running_loop()
        try:
            data = back.recv(65535)
        except OSError:
            return
        loop.call_at(loop.time() + self.delay, self.transport.sendto, data, addr)
        self.drop(back, addr)


async def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--delay-ms", type=float, required=True,
                    help="one-way delay in milliseconds")
    ap.add_argument("--pidfile")
    ap.add_argument("--slow-dns", action="append", default=[],
                    metavar="TEXT=MS",
                    help="answer UDP queries whose name starts with TEXT MS ms later")
    ap.add_argument("maps", nargs="+")
    a = ap.parse_args()
    delay = a.delay_ms / 1000.0
    slow = [(t.lower(), float(ms)) for t, ms in
            (x.rsplit("=", 1) for x in a.slow_dns)]
    loop = asyncio.get_running_loop()
    servers = []
    for spec in a.maps:
        proto, listen, upstream = parse_map(spec)
        if proto == "tcp":
            srv = await asyncio.start_server(
                lambda r, w, u=upstream: tcp_session(r, w, u, delay),
                host=listen[0], port=listen[1], reuse_address=True)
            servers.append(srv)
        else:
            await loop.create_datagram_endpoint(
                lambda u=upstream, b=listen[0]: UdpFront(u, delay, b, slow),
                local_addr=listen, family=socket.AF_INET)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if a.pidfile:
        with open(a.pidfile, "w") as f:
            f.write(f"{os.getpid()}\n")
    print("relay: ready", file=sys.stderr, flush=True)
    await stop.wait()
    for s in servers:
        s.close()


if __name__ == "__main__":
    # select(2), not epoll: microsecond timeouts (see the docstring)
    loop = asyncio.SelectorEventLoop(selectors.SelectSelector())
    asyncio.set_event_loop(loop)
    loop.run_until_complete(main())
