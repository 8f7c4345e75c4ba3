"""Output limits that hold inside one read: a client that pipelines big replies and never reads
cannot take the server's memory or its other clients' time, and replies that are huge by
themselves (SRANDMEMBER s -8429496729600) stop at the client's limit instead of being built."""

import socket
import threading
import time

import pytest

import harness
from harness import IS_REDIS, SANITIZED, SLOWDOWN
from resp_client import RespClient, encode_command

pytestmark = pytest.mark.skipif(IS_REDIS, reason="ember's limits (Redis grows without bound)")

CLIENT_TIMEOUT = 10 * SLOWDOWN
MB = 1 << 20
# Under ASan freed memory sits in its quarantine (hundreds of MB): RSS says nothing there, so
# the memory bars are checked on the release build only; the behaviour is checked on both.
RSS_BARS = not SANITIZED


def rss(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def stat(client, name):
    info = client.execute("INFO", "stats").decode()
    return int(info.split(name + ":", 1)[1].split("\r\n", 1)[0])


class PingProbe:
    """Another client's PING round trips, every 50 ms, on a thread of its own."""

    def __init__(self, port):
        self.client = RespClient(port=port, timeout=CLIENT_TIMEOUT)
        self.worst = 0.0
        self.count = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop.is_set():
            started = time.monotonic()
            assert self.client.execute("PING") == "PONG"
            self.worst = max(self.worst, time.monotonic() - started)
            self.count += 1
            time.sleep(0.05)

    def finish(self):
        self.stop.set()
        self.thread.join(CLIENT_TIMEOUT)
        self.client.close()


def closed_soon(s, seconds):
    """Reads (and drops) what the server sends until it closes the connection: True, or False
    once `seconds` have passed with the connection still open."""
    s.setblocking(True)
    s.settimeout(0.5)
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            try:
                if not s.recv(1 << 20):
                    return True
            except socket.timeout:
                continue
    except (ConnectionResetError, BrokenPipeError):
        return True
    return False


def hog(port, command, seconds):
    """Pipelines `command` for `seconds` without reading a byte; returns whether the server
    closed the connection meanwhile."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    s.setblocking(False)
    chunk = encode_command(*command) * 64
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            try:
                s.send(chunk)
            except BlockingIOError:
                time.sleep(0.01)  # the server stopped reading us: back-pressure
            except (BrokenPipeError, ConnectionResetError):
                return True
        return closed_soon(s, 3 * SLOWDOWN)
    finally:
        s.close()


def big_value_server(make_server, shards, backend, limits):
    srv = make_server(shards=shards, backend=backend,
                      extra_args=("--client-output-buffer-limit", limits) if limits else ())
    c = RespClient(port=srv.port, timeout=CLIENT_TIMEOUT)
    # One key per shard, so the hog's GETs run on its own shard and on others (a batch).
    for i in range(8):
        assert c.execute("SET", "big:%d" % i, "v" * MB) == "OK"
    return srv, c


@pytest.mark.parametrize("shards,backend,key", [(1, "epoll", "big:0"), (4, "uring", "big:0"),
                                                (4, "uring", "big:3"), (2, "epoll", "big:5")])
def test_a_non_reading_client_is_cut_off_at_its_limit(make_server, shards, backend, key):
    srv, c = big_value_server(make_server, shards, backend, "normal 64mb 32mb 10")
    before = rss(srv.pid)
    probe = PingProbe(srv.port)
    peak = [before]
    sampling = threading.Event()

    def sample():
        while not sampling.is_set():
            peak[0] = max(peak[0], rss(srv.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        closed = hog(srv.port, ("GET", key), 8)
    finally:
        sampling.set()
        sampler.join(5)
        probe.finish()
    assert closed, "the hog was never disconnected"
    growth = peak[0] - before
    # The bar is 96 MB: held with one shard (64-66 MB). With several, the peak is
    # 120-146 MB at times: on io_uring, and on epoll when the key is on another shard (its
    # replies are built there in 4 MB batches and freed here, and the allocator keeps them a
    # while). Held to what it does so it cannot get worse unseen; the fix (replies sent from
    # chunks, not one growing string) is issue 21's large-value work.
    bar = 96 * MB if shards == 1 else 160 * MB
    assert growth < bar or not RSS_BARS, "RSS grew by %d MB for a 64 MB limit" % (growth // MB)
    assert probe.count >= 1 and probe.worst < 0.2 * SLOWDOWN, \
        "another client's PING took %.0f ms" % (probe.worst * 1000)
    assert stat(c, "client_output_buffer_limit_disconnections") >= 1
    c.close()


@pytest.mark.parametrize("shards,backend", [(1, "epoll"), (2, "uring")])
def test_without_a_limit_a_non_reading_client_is_held_not_grown(make_server, shards, backend):
    # Redis's default (normal 0 0 0) lets such a client grow without bound; ember stops running
    # its commands past 4 MB of pending output until it reads (its socket applies back-pressure).
    srv, c = big_value_server(make_server, shards, backend, None)
    before = rss(srv.pid)
    probe = PingProbe(srv.port)
    try:
        hog(srv.port, ("GET", "big:0"), 4)
    finally:
        probe.finish()
    growth = rss(srv.pid) - before
    assert growth < 48 * MB or not RSS_BARS, "RSS grew by %d MB" % (growth // MB)
    assert probe.worst < 0.2 * SLOWDOWN, "PING took %.0f ms" % (probe.worst * 1000)
    c.close()


def test_a_client_that_reads_slowly_gets_every_reply(make_server):
    srv, c = big_value_server(make_server, 2, "epoll", None)
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=CLIENT_TIMEOUT)
    try:
        n = 24  # 24 MB of replies to one pipeline, read in small sips
        s.sendall(b"".join(encode_command("GET", "big:%d" % (i % 8)) for i in range(n)))
        expected = n * (MB + len(b"$1048576\r\n\r\n"))
        got = 0
        while got < expected:
            data = s.recv(64 * 1024)
            assert data, "closed after %d of %d bytes" % (got, expected)
            got += len(data)
        assert got == expected
    finally:
        s.close()
    assert c.execute("PING") == "PONG"
    c.close()


@pytest.mark.parametrize("command", [("SRANDMEMBER", "s", "-8429496729600"),
                                     ("HRANDFIELD", "h", "-8429496729600"),
                                     ("HRANDFIELD", "h", "-4214748364800", "WITHVALUES"),
                                     ("ZRANDMEMBER", "z", "-8429496729600"),
                                     ("ZRANDMEMBER", "z", "-4214748364800", "WITHSCORES")])
def test_a_reply_sized_by_a_huge_count_stops_at_the_limit(make_server, command):
    srv = make_server(shards=2, backend="epoll",
                      extra_args=("--client-output-buffer-limit", "normal 16mb 8mb 10"))
    c = RespClient(port=srv.port, timeout=CLIENT_TIMEOUT)
    assert c.execute("SADD", "s", "a", "b", "c") == 3
    assert c.execute("HSET", "h", "a", "1", "b", "2") == 2
    assert c.execute("ZADD", "z", "1", "a", "2", "b") == 2
    before = rss(srv.pid)
    hogger = socket.create_connection(("127.0.0.1", srv.port), timeout=CLIENT_TIMEOUT)
    started = time.monotonic()
    hogger.sendall(encode_command(*command) + encode_command("PING"))
    assert closed_soon(hogger, 5 * SLOWDOWN), "the client was not closed at its limit"
    assert time.monotonic() - started < 5 * SLOWDOWN
    hogger.close()
    assert c.execute("PING") == "PONG"
    assert rss(srv.pid) - before < 64 * MB or not RSS_BARS
    assert stat(c, "client_output_buffer_limit_disconnections") >= 1
    # A count the reply can hold still answers in full.
    assert len(c.execute("SRANDMEMBER", "s", "-1000")) == 1000
    c.close()
