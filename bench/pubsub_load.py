"""Pub/sub fan-out load: S subscribers on one channel (or on patterns), one publisher keeping a
window of PUBLISH commands in flight; prints messages delivered per second (frames received by
all subscribers together) as one CSV line: mode,subscribers,patterns,published,delivered,seconds,
delivered_per_sec.

  python3 bench/pubsub_load.py --port P [--subscribers 100] [--patterns 0|1000] [--seconds 5]

With --patterns N, each subscriber holds N/S patterns: one that matches the channel (all
distinct: "c*", "c**", ...) and the rest that never do, so every PUBLISH is checked against N
patterns and delivered to S of them. Only the standard library; one thread, selectors."""

import argparse
import selectors
import socket
import time


def command(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def bulk(b):
    return b"$%d\r\n%s\r\n" % (len(b), b)


def connect(port):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_exact_replies(sock, count):
    """Reads until `count` CRLF-terminated (un)subscribe confirmations (3 lines each, plus
    bulk bodies) have come: enough to count the integer replies that end each of them."""
    buf = b""
    while buf.count(b"\r\n:") < count:
        buf += sock.recv(65536)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--subscribers", type=int, default=100)
    ap.add_argument("--patterns", type=int, default=0)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--window", type=int, default=512, help="PUBLISH commands in flight")
    ap.add_argument("--size", type=int, default=16, help="message bytes")
    args = ap.parse_args()

    channel, message = b"ch", b"m" * args.size
    subs, frame_sizes = [], []
    per_sub = max(1, args.patterns // args.subscribers) if args.patterns else 0
    for k in range(args.subscribers):
        s = connect(args.port)
        if per_sub:
            matching = b"c" + b"*" * (k + 1)
            others = [b"other.%d.%d.*" % (k, j) for j in range(per_sub - 1)]
            s.sendall(command(b"PSUBSCRIBE", matching, *others))
            read_exact_replies(s, per_sub)
            frame = b"*4\r\n$8\r\npmessage\r\n" + bulk(matching) + bulk(channel) + bulk(message)
        else:
            s.sendall(command(b"SUBSCRIBE", channel))
            read_exact_replies(s, 1)
            frame = b"*3\r\n$7\r\nmessage\r\n" + bulk(channel) + bulk(message)
        s.setblocking(False)
        subs.append(s)
        frame_sizes.append(len(frame))

    pub = connect(args.port)
    pub.setblocking(False)
    one = command(b"PUBLISH", channel, message)
    reply = b":%d\r\n" % args.subscribers
    sel = selectors.DefaultSelector()
    for i, s in enumerate(subs):
        sel.register(s, selectors.EVENT_READ, i)
    sel.register(pub, selectors.EVENT_READ, -1)
    received = [0] * len(subs)
    buf = bytearray(1 << 20)
    view = memoryview(buf)
    half = max(1, args.window // 2)
    batch = one * half
    sent = replied = 0
    last_rx = time.monotonic()
    reply_bytes = 0
    start = time.monotonic()
    deadline = start + args.seconds
    while True:
        now = time.monotonic()
        if now < deadline and sent - replied <= half:
            pub.sendall(batch)  # small: fits the socket buffer
            sent += half
        elif now >= deadline and replied >= sent:
            break
        for key, _ in sel.select(timeout=0.01):
            n = key.fileobj.recv_into(view)
            if key.data < 0:
                reply_bytes += n
                replied = reply_bytes // len(reply)
            else:
                received[key.data] += n
                last_rx = time.monotonic()
    # Whatever is still on its way to subscribers.
    settle = time.monotonic() + 2.0
    expected = sum(size * sent for size in frame_sizes)
    while sum(received) < expected and time.monotonic() < settle:
        for key, _ in sel.select(timeout=0.05):
            if key.data >= 0:
                received[key.data] += key.fileobj.recv_into(view)
                last_rx = time.monotonic()
    elapsed = last_rx - start  # until the last message arrived
    delivered = sum(r // size for r, size in zip(received, frame_sizes))
    mode = "pattern" if per_sub else "channel"
    print("%s,%d,%d,%d,%d,%.2f,%.0f" % (mode, args.subscribers, per_sub * args.subscribers, sent,
                                        delivered, elapsed, delivered / elapsed))
    for s in subs:
        s.close()
    pub.close()


if __name__ == "__main__":
    main()
