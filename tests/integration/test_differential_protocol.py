"""Protocol differential test: the same byte streams (pipelines of commands, most with a few bytes
corrupted) go to ember and to a real redis-server, each on a fresh connection whose sending side
is then shut; the bytes each server sends back before closing must be identical. This covers how
RESP is framed and refused (which bytes Redis checks, where a protocol error cuts a pipeline, what
a half-sent command does at the end of the stream) and the replies to garbage commands.

Each seed is one reproducible stream; hunt longer with EMBER_PROTO_DIFF_SEEDS=5000. Runs on every
`server` configuration: the cut after a protocol error interacts with commands still running on
other shards.
"""

import os
import random
import socket
import time

import harness
from helpers import DIFFERENTIAL

pytestmark = DIFFERENTIAL

SEEDS = range(int(os.environ.get("EMBER_PROTO_DIFF_SEEDS", "400")))
TIMEOUT = 5.0 * harness.SLOWDOWN
NAMES = [b"PING", b"ECHO", b"SET", b"GET", b"INCR", b"DEL", b"EXISTS", b"APPEND", b"STRLEN",
         b"LPUSH", b"LRANGE", b"HSET", b"HGETALL", b"GETRANGE", b"EXPIRE", b"TTL", b"TYPE",
         b"MSET", b"MGET"]
WORDS = [b"k", b"k2", b"l", b"h", b"0", b"1", b"-1", b"10", b"abc"]
# Corruption favours the bytes RESP's grammar turns on.
SPECIAL = b"*$\r\n-0123456789 \"'\\\x00"


def _command(rng):
    if rng.random() < 0.8:
        name = rng.choice(NAMES)
    else:
        name = bytes(rng.randrange(97, 123) for _ in range(rng.randint(1, 6)))
    args = [name.lower() if rng.random() < 0.3 else name]
    for _ in range(rng.randint(0, 4)):
        r = rng.random()
        if r < 0.4:
            args.append(rng.choice(WORDS))
        elif r < 0.7:
            args.append(b"%d" % rng.randint(-5, 100))
        else:
            args.append(bytes(rng.randrange(256) for _ in range(rng.randint(0, 12))))
    if rng.random() < 0.2:  # inline: plain words, some quoted as redis-cli would
        plain = [a for a in args if a and all(48 <= c < 123 for c in a)] or [b"PING"]
        words = [_quoted(rng, a) if rng.random() < 0.3 else a for a in plain]
        return b" ".join(words) + rng.choice([b"\r\n", b"\n"])
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)


def _quoted(rng, word):
    """`word` in double quotes with escapes (\\xHH, \\n, \\", ...) or in single quotes."""
    if rng.random() < 0.3:
        return b"'" + word.replace(b"'", b"\\'") + b"'"
    out = b'"'
    for c in word:
        r = rng.random()
        out += (b"\\x%02x" % c if r < 0.2 else rng.choice([b"\\n", b"\\t", b'\\"', b"\\\\", b"\\q"])
                if r < 0.3 else bytes([c]))
    return out + b'"'


def stream(seed):
    rng = random.Random(seed)
    data = bytearray(b"".join(_command(rng) for _ in range(rng.randint(1, 8))))
    if rng.random() < 0.75:
        for _ in range(rng.randint(1, 3)):
            data[rng.randrange(len(data))] = (rng.choice(SPECIAL) if rng.random() < 0.5
                                              else rng.randrange(256))
    if rng.random() < 0.2:  # a bulk length one off: the stream loses its framing
        lengths = [i for i in range(len(data) - 1) if data[i] == ord("$") and 48 < data[i + 1] < 57]
        if lengths:
            at = rng.choice(lengths) + 1
            data[at] += rng.choice([-1, 1])
    if rng.random() < 0.2:  # the client hangs up half-way through a command
        del data[rng.randrange(1, len(data) + 1):]
    return bytes(data)


def exchange(port, data):
    """Sends `data`, shuts the sending side, returns what the server sends before it closes."""
    with socket.create_connection(("127.0.0.1", port), TIMEOUT) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        received = b""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            except socket.timeout:
                return received + b"<no close>"
            if not chunk:
                break
            received += chunk
        return received


def test_same_bytes_back_for_the_same_stream(server, redis_ref):
    mismatches = []
    for seed in SEEDS:
        data = stream(seed)
        for port in (server.port, redis_ref.port):
            assert exchange(port, b"FLUSHALL\r\n") == b"+OK\r\n"
        ours, theirs = exchange(server.port, data), exchange(redis_ref.port, data)
        if ours != theirs:
            mismatches.append("seed %d: sent %r\n  ember %r\n  redis %r" % (
                seed, data[:300], ours[:300], theirs[:300]))
    assert not mismatches, "%d of %d streams differ:\n%s" % (
        len(mismatches), len(SEEDS), "\n".join(mismatches[:5]))
