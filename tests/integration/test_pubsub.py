"""Pub/sub and MONITOR: the wire bytes against redis-server (RESP2 subscribed mode, RESP3 pushes),
delivery across threads and its order, the output limit that cuts off a subscriber that never
reads, a subscriber that vanishes mid-stream, MONITOR's lines, and redis-py's pubsub()."""

import re
import socket
import struct
import threading
import time

import pytest

import harness
from helpers import DIFFERENTIAL, wait_until
from resp_client import Push, RespClient, encode_command
from transcripts import S
from transcripts import read_quiet as _read_quiet
from transcripts import run as _run

CLIENT_TIMEOUT = 10.0 * harness.SLOWDOWN




SCENARIOS = {
    "resp2_subscribed_mode": (2, [
        S(0, "UNSUBSCRIBE"), S(0, "PUNSUBSCRIBE"), S(0, "SUNSUBSCRIBE"),
        S(0, "SUBSCRIBE", "news", "sport"),
        S(0, "GET", "x"), S(0, "CLIENT", "LIST"), S(0, "SET", "a", "b"), S(0, "PUBLISH", "news", "x"),
        S(0, "PING"), S(0, "PING", "hello"),
        S(1, "PUBLISH", "news", "first"), S(1, "PUBLISH", "nobody", "x"),
        S(0, "PSUBSCRIBE", "ne*", "h?llo"),
        S(1, "PUBLISH", "news", "second"), S(1, "PUBLISH", "hello", "third"),
        S(1, "PUBSUB", "NUMSUB", "news", "sport", "none"), S(1, "PUBSUB", "NUMPAT"),
        S(1, "PUBSUB", "CHANNELS", "n*"),
        S(0, "UNSUBSCRIBE", "news"), S(0, "UNSUBSCRIBE", "never"),
        S(0, "PUNSUBSCRIBE", "ne*"), S(0, "PUNSUBSCRIBE"),
        S(1, "PUBLISH", "hello", "gone"),
        S(0, "UNSUBSCRIBE"), S(0, "UNSUBSCRIBE"),
        S(0, "GET", "x"),
        S(0, "SSUBSCRIBE", "orders"), S(0, "GET", "x"), S(1, "SPUBLISH", "orders", "o1"),
        S(1, "PUBLISH", "orders", "plain"), S(1, "PUBSUB", "SHARDCHANNELS"),
        S(1, "PUBSUB", "SHARDNUMSUB", "orders", "x"),
        S(0, "SUNSUBSCRIBE"), S(0, "PING"),
        S(0, "SUBSCRIBE"), S(0, "PUBLISH", "x"), S(0, "PUBSUB"), S(0, "PUBSUB", "NUMPAT", "x"),
        S(0, "PUBSUB", "CHANNELS", "a", "b"), S(0, "PUBSUB", "NOPE"),
        S(0, "SUBSCRIBE", "c"), S(0, "QUIT"),
    ]),
    "resp3_pushes_mixed_with_replies": (2, [
        S(0, "HELLO", "3", compared=False),
        S(0, "UNSUBSCRIBE"),
        S(0, "SUBSCRIBE", "news"), S(0, "GET", "x"), S(0, "SET", "k", "v"), S(0, "PING"),
        S(0, "PUBLISH", "news", "to myself"),
        S(1, "PUBLISH", "news", "from another"),
        S(0, "PSUBSCRIBE", "n*"), S(1, "PUBLISH", "news", "twice"),
        S(0, "SSUBSCRIBE", "s"), S(1, "SPUBLISH", "s", "shard"),
        S(0, "UNSUBSCRIBE", "news"), S(0, "PUNSUBSCRIBE"), S(0, "SUNSUBSCRIBE"),
        S(0, "UNSUBSCRIBE"), S(0, "GET", "k"),
    ]),
    "reset_drops_subscriptions": (2, [
        S(0, "SUBSCRIBE", "a"), S(0, "PSUBSCRIBE", "b*"), S(0, "RESET"),
        S(1, "PUBLISH", "a", "x"), S(1, "PUBLISH", "bb", "x"), S(1, "PUBSUB", "NUMSUB", "a"),
        S(1, "PUBSUB", "NUMPAT"), S(0, "GET", "x"), S(0, "PING"),
    ]),
}


@pytest.fixture(scope="module")
def redis_transcripts(redis_ref):
    return {name: _run(redis_ref.port, n, steps) for name, (n, steps) in SCENARIOS.items()}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
@DIFFERENTIAL[0]
@DIFFERENTIAL[1]
def test_same_bytes_as_redis(server, redis_transcripts, name):
    connections, steps = SCENARIOS[name]
    theirs, counts = redis_transcripts[name]
    ours, _ = _run(server.port, connections, steps, counts)
    for (args, our_step), (_, their_step) in zip(ours, theirs):
        assert our_step == their_step, args


def _subscriber(port, *channels, patterns=()):
    c = RespClient(port=port, timeout=CLIENT_TIMEOUT)
    if channels:
        c.send_command("SUBSCRIBE", *channels)
        c.read_replies(len(channels))
    if patterns:
        c.send_command("PSUBSCRIBE", *patterns)
        c.read_replies(len(patterns))
    return c


def _pubsub_active(port, channel, expected):
    with RespClient(port=port) as c:
        return wait_until(lambda: c.execute("PUBSUB", "NUMSUB", channel)[1] == expected, 5.0)


def test_messages_reach_subscribers_on_every_thread_in_order(server, connect):
    # 8 connections spread over the server's threads (with 4 shards, all on the publisher's
    # thread is a 1 in 4^8 chance): each gets all 10k numbered messages, in order.
    subs = [_subscriber(server.port, "seq") for _ in range(8)]
    try:
        pub = connect()
        n = 10000
        pub.send_raw(b"".join(encode_command("PUBLISH", "seq", "m%d" % i) for i in range(n)))
        assert pub.read_replies(n, timeout=60) == [8] * n
        for s in subs:
            for i in range(n):
                frame = s.read_reply(timeout=30)
                assert frame == [b"message", b"seq", b"m%d" % i], i
    finally:
        for s in subs:
            s.close()


def test_patterns_and_channels_count_separately(server, connect):
    s = _subscriber(server.port, "news.tech", patterns=("news.*", "*"))
    try:
        pub = connect()
        assert pub.execute("PUBLISH", "news.tech", "x") == 3
        assert pub.execute("PUBLISH", "sport", "y") == 1
        frames = s.read_replies(4)
        assert frames[0] == [b"message", b"news.tech", b"x"]
        assert sorted(frames[1:3]) == sorted([[b"pmessage", b"news.*", b"news.tech", b"x"],
                                              [b"pmessage", b"*", b"news.tech", b"x"]])
        assert frames[3] == [b"pmessage", b"*", b"sport", b"y"]
        assert pub.execute("PUBSUB", "NUMPAT") == 2
    finally:
        s.close()


def test_pubsub_introspection_and_client_list(server, connect):
    a = _subscriber(server.port, "c1", "c2", patterns=("p*",))
    b = _subscriber(server.port, "c2")
    try:
        a.send_command("SSUBSCRIBE", "s1")
        a.read_reply()
        c = connect()
        assert sorted(c.execute("PUBSUB", "CHANNELS")) == [b"c1", b"c2"]
        assert c.execute("PUBSUB", "CHANNELS", "*1") == [b"c1"]
        assert c.execute("PUBSUB", "NUMSUB", "c1", "c2", "c3") == [b"c1", 1, b"c2", 2, b"c3", 0]
        assert c.execute("PUBSUB", "SHARDNUMSUB", "s1") == [b"s1", 1]
        info = c.execute("INFO", "stats").decode()
        assert "pubsub_channels:2\r\n" in info and "pubsub_patterns:1\r\n" in info
        assert "pubsubshard_channels:1\r\n" in info
        lines = c.execute("CLIENT", "LIST").decode().splitlines()
        line = next(l for l in lines if " sub=2 " in l)
        assert " psub=1 ssub=1 " in line and " flags=P " in line
        assert c.execute("CLIENT", "LIST", "TYPE", "pubsub").decode().count("\n") == 2
        assert " sub=0 " in c.execute("CLIENT", "LIST", "TYPE", "normal").decode()
    finally:
        a.close()
        b.close()
    assert _pubsub_active(server.port, "c2", 0), "closing did not drop the subscriptions"


def test_config_output_buffer_limit_like_redis(connect, redis_ref):
    ours, theirs = connect(), connect(port=redis_ref.port)
    for value in ["pubsub 1mb 512kb 10", "foo 1 1 1", "pubsub 1", "pubsub x 1 1", "pubsub 1 1 -1",
                  "replica 1mb 2mb 3", "normal 1 2 3 pubsub 4 5 6",
                  "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"]:
        assert ours.execute("CONFIG", "SET", "client-output-buffer-limit", value) == \
            theirs.execute("CONFIG", "SET", "client-output-buffer-limit", value), value
        assert ours.execute("CONFIG", "GET", "client-output-buffer-limit") == \
            theirs.execute("CONFIG", "GET", "client-output-buffer-limit"), value


def _rss(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def _lazy_subscriber(port, channel):
    """A subscriber with a tiny receive window that never reads after subscribing."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(CLIENT_TIMEOUT)
    s.connect(("127.0.0.1", port))
    s.sendall(encode_command("SUBSCRIBE", channel))
    got = b""
    while not got.endswith(b":1\r\n"):
        got += s.recv(100)
    return s


def _flood(pub, channel, total_bytes, size=16384, batch=64, pace=None):
    """Publishes `total_bytes` of messages; `pace(sent)` may wait for a reader to keep up."""
    payload = b"x" * size
    sent = 0
    while sent < total_bytes:
        pub.send_raw(b"".join(encode_command("PUBLISH", channel, payload) for _ in range(batch)))
        pub.read_replies(batch, timeout=30)
        sent += size * batch
        if pace is not None:
            pace(sent)


@pytest.mark.parametrize("shards,backend", [(2, "epoll"), (2, "uring")])
def test_slow_subscriber_is_cut_off_and_memory_stays_bounded(make_server, shards, backend):
    srv = make_server(shards=shards, backend=backend,
                      extra_args=() if harness.IS_REDIS else
                      ("--client-output-buffer-limit", "pubsub 4mb 2mb 60"))
    pub = RespClient(port=srv.port, timeout=CLIENT_TIMEOUT)
    if harness.IS_REDIS:
        pub.execute("CONFIG", "SET", "client-output-buffer-limit", "pubsub 4mb 2mb 60")
    lazy = _lazy_subscriber(srv.port, "flood")
    reader = socket.create_connection(("127.0.0.1", srv.port), timeout=CLIENT_TIMEOUT)
    reader.sendall(encode_command("SUBSCRIBE", "flood"))
    received = [0]

    def drain():  # a subscriber that keeps reading keeps getting everything
        try:
            while True:
                chunk = reader.recv(1 << 20)
                if not chunk:
                    return
                received[0] += len(chunk)
        except OSError:
            return

    thread = threading.Thread(target=drain, daemon=True)
    thread.start()
    try:
        before = _rss(srv.pid)
        total = 64 << 20
        # Never more than 1 MB ahead of the reader (it is a Python thread next to the publisher).
        _flood(pub, "flood", total,
               pace=lambda sent: wait_until(lambda: received[0] >= sent - (1 << 20), 30))
        # The lazy one was disconnected; the reader was not.
        assert pub.execute("PUBSUB", "NUMSUB", "flood") == [b"flood", 1]
        growth = _rss(srv.pid) - before
        # (Under ASan its quarantine holds freed memory: the bar is for the release build.)
        assert growth < 40 << 20 or harness.SANITIZED, "RSS grew by %d MB for a 4 MB limit" % (growth >> 20)
        assert wait_until(lambda: received[0] >= total, 30), "the reading subscriber lost messages"
        lazy.settimeout(5)
        drained = 0
        try:
            while True:
                chunk = lazy.recv(1 << 16)
                if not chunk:
                    break
                drained += len(chunk)
        except ConnectionResetError:
            pass
        assert drained < 16 << 20, "the lazy subscriber got %d MB" % (drained >> 20)
    finally:
        lazy.close()
        reader.close()
        thread.join(5)
        pub.close()


def test_soft_limit_cuts_off_after_its_seconds(make_server):
    srv = make_server(shards=2)
    pub = RespClient(port=srv.port, timeout=CLIENT_TIMEOUT)
    assert pub.execute("CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 1mb 3") == "OK"
    lazy = _lazy_subscriber(srv.port, "soft")
    try:
        _flood(pub, "soft", 6 << 20)  # past the kernel's buffers, then past 1 MB
        assert pub.execute("PUBSUB", "NUMSUB", "soft") == [b"soft", 1], "soft limit is not hard"
        time.sleep(3.5)
        _flood(pub, "soft", 64 << 10)  # the next write finds it over the soft limit for > 3 s
        assert _pubsub_active(srv.port, "soft", 0)
    finally:
        lazy.close()
        pub.close()


def test_subscriber_that_vanishes_mid_stream(server, connect):
    s = socket.create_connection(("127.0.0.1", server.port), timeout=CLIENT_TIMEOUT)
    s.sendall(encode_command("SUBSCRIBE", "stream"))
    s.recv(100)
    keeper = _subscriber(server.port, "stream")
    pub = connect()
    try:
        payload = b"y" * 1000
        for round_ in range(20):
            pub.send_raw(b"".join(encode_command("PUBLISH", "stream", payload) for _ in range(200)))
            if round_ == 5:  # hang up hard (RST) with messages on their way to it
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                s.close()
            pub.read_replies(200, timeout=30)
        assert _pubsub_active(server.port, "stream", 1)
        for _ in range(4000):
            assert keeper.read_reply(timeout=30)[0] == b"message"
        assert pub.execute("PING") == "PONG"
    finally:
        keeper.close()


def test_monitor_shows_every_thread_in_redis_format(server, connect):
    mon = connect()
    assert mon.execute("MONITOR") == "OK"
    clients = [connect() for _ in range(6)]  # spread over the threads
    for i, c in enumerate(clients):
        assert c.execute("SET", "key%d" % i, 'a "b"\n') == "OK"
    clients[0].execute("SELECT", "3")
    clients[0].execute("GET", "x")
    clients[0].execute("CONFIG", "GET", "port")  # admin commands are never shown
    clients[0].execute("AUTH", "secret")
    lines = []
    deadline = time.monotonic() + 10
    while len(lines) < 9 and time.monotonic() < deadline:
        lines.append(mon.read_reply(timeout=10))
    pattern = re.compile(r'^\d+\.\d{6} \[(\d+) 127\.0\.0\.1:\d+\] (.*)$')
    parsed = [pattern.match(line) for line in lines]
    assert all(parsed), lines
    bodies = [(m.group(1), m.group(2)) for m in parsed]
    for i in range(6):
        assert ("0", '"SET" "key%d" "a \\"b\\"\\n"' % i) in bodies
    assert bodies[6:] == [("3", '"SELECT" "3"'), ("3", '"GET" "x"'),
                          ("3", '"AUTH" "(redacted)"')]
    assert not _read_quiet(mon), "CONFIG was shown"


def test_reset_ends_monitor(server, connect):
    mon = connect()
    mon.execute("MONITOR")
    mon.close()
    c = connect()
    assert c.execute("SET", "a", "1") == "OK"
    assert c.execute("MONITOR") == "OK"
    assert c.execute("RESET") == "RESET"  # ends MONITOR
    other = connect()
    other.execute("GET", "a")
    assert not _read_quiet(c)


def test_redis_py_pubsub(r):
    p = r.pubsub()
    try:
        p.subscribe("chat")
        p.psubscribe("ch*")
        confirmations = [p.get_message(timeout=5) for _ in range(2)]
        assert [m["type"] for m in confirmations] == ["subscribe", "psubscribe"]
        assert r.publish("chat", "hi") == 2
        got = []
        deadline = time.monotonic() + 5
        while len(got) < 2 and time.monotonic() < deadline:
            m = p.get_message(timeout=1)
            if m:
                got.append(m)
        assert {(m["type"], m["channel"], m["data"]) for m in got} == {
            ("message", "chat", "hi"), ("pmessage", "chat", "hi")}
        assert r.pubsub_numsub("chat") == [("chat", 1)]
        assert r.pubsub_numpat() == 1
        p.unsubscribe()
        p.punsubscribe()
        assert wait_until(lambda: r.pubsub_numsub("chat") == [("chat", 0)], 5)
    finally:
        p.close()


def test_resp3_push_type(resp3, connect):
    resp3.send_command("SUBSCRIBE", "t")
    assert isinstance(resp3.read_reply(), Push)
    assert connect().execute("PUBLISH", "t", "m") == 1
    frame = resp3.read_reply()
    assert isinstance(frame, Push) and frame == [b"message", b"t", b"m"]
    assert resp3.execute("GET", "nothing") is None  # any command works in RESP3
