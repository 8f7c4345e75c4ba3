"""Faults around the socket: a client reset in the middle of a big reply, a half-closed socket,
a peer that stops reading during a large write, accept() failing with EMFILE, and a low
`ulimit -n` at start. Each time the server keeps serving everyone else and frees what the
dead client held. Both io backends; several shards, so replies also come from other threads."""

import os
import resource
import socket
import struct
import subprocess
import threading
import time

import pytest

import harness
from harness import IS_REDIS, SLOWDOWN
from helpers import info_field, wait_until
from resp_client import RespClient, RespError, encode_command

CLIENT_TIMEOUT = 10 * SLOWDOWN
MB = 1 << 20
BACKENDS = [(2, "epoll"), (2, "uring")]


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100.0  # utime + stime, in clock ticks


def big_value_server(make_server, shards, backend, extra_args=()):
    srv = make_server(shards=shards, backend=backend, extra_args=extra_args)
    admin = RespClient(port=srv.port, timeout=CLIENT_TIMEOUT)
    for i in range(4):  # one key per shard or so: replies built here and on other threads
        assert admin.execute("SET", "big:%d" % i, "v" * (4 * MB)) == "OK"
    return srv, admin


def settled(admin, baseline_clients):
    """The dead clients are gone and their buffers with them."""
    return (info_field(admin, "clients", "connected_clients") == baseline_clients
            and info_field(admin, "memory", "mem_clients_normal") < 2 * MB)


@pytest.mark.parametrize("shards,backend", BACKENDS)
def test_clients_reset_in_the_middle_of_a_reply(make_server, shards, backend):
    srv, admin = big_value_server(make_server, shards, backend)
    baseline = info_field(admin, "clients", "connected_clients")
    for round_ in range(20):
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=CLIENT_TIMEOUT)
        s.sendall(encode_command("GET", "big:%d" % (round_ % 4)) * 8)
        s.recv(64 * 1024)  # part of the first reply, then a reset (linger 0)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    assert admin.execute("PING") == "PONG"
    assert admin.execute("STRLEN", "big:1") == 4 * MB
    assert wait_until(lambda: settled(admin, baseline), 5 * SLOWDOWN), \
        "reset clients still held: %d clients, %d bytes" % (
            info_field(admin, "clients", "connected_clients"),
            info_field(admin, "memory", "mem_clients_normal"))
    assert srv.alive()


@pytest.mark.skipif(IS_REDIS, reason="Redis closes at the EOF and drops the replies still due")
@pytest.mark.parametrize("shards,backend", BACKENDS)
def test_a_half_closed_socket_gets_every_reply_then_eof(make_server, shards, backend):
    srv, admin = big_value_server(make_server, shards, backend)
    baseline = info_field(admin, "clients", "connected_clients")
    c = RespClient(port=srv.port, timeout=CLIENT_TIMEOUT)
    commands = [("SET", "k%d" % i, "v%d" % i) for i in range(200)] + \
        [("GET", "big:%d" % (i % 4)) for i in range(4)] + [("GET", "k%d" % i) for i in range(200)]
    c.send_raw(b"".join(encode_command(*cmd) for cmd in commands))
    c.sock.shutdown(socket.SHUT_WR)  # it sends nothing more, and still reads
    replies = c.read_replies(len(commands))
    assert replies[:200] == ["OK"] * 200
    assert [len(r) for r in replies[200:204]] == [4 * MB] * 4
    assert replies[204:] == [b"v%d" % i for i in range(200)]
    data, closed = c.read_until_closed(timeout=5 * SLOWDOWN)
    assert closed and data == b""
    c.close()
    assert wait_until(lambda: settled(admin, baseline), 5 * SLOWDOWN)


@pytest.mark.parametrize("shards,backend", BACKENDS)
def test_a_peer_that_stops_reading_during_a_large_write(make_server, shards, backend):
    srv, admin = big_value_server(make_server, shards, backend)
    baseline = info_field(admin, "clients", "connected_clients")
    stalled = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stalled.connect(("127.0.0.1", srv.port))
    stalled.sendall(encode_command("GET", "big:0") + encode_command("GET", "big:1"))
    stalled.recv(1000)  # it started reading, then stops for good
    # Everyone else is served promptly while the write is stuck.
    worst = 0.0
    others = [RespClient(port=srv.port, timeout=CLIENT_TIMEOUT) for _ in range(4)]
    for _ in range(20):
        for c in others:
            started = time.monotonic()
            assert c.execute("GET", "big:2") is not None
            worst = max(worst, time.monotonic() - started)
    assert worst < 0.5 * SLOWDOWN, "other clients waited %.2fs behind a stuck write" % worst
    # Its pending output is visible, then freed when it goes away.
    assert info_field(admin, "memory", "mem_clients_normal") >= MB
    stalled.close()
    for c in others:
        c.close()
    assert wait_until(lambda: settled(admin, baseline), 5 * SLOWDOWN)


def open_clients(port, count):
    """`count` connections, each asked for PING: returns (sockets, replies)."""
    socks, replies = [], []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=2 * SLOWDOWN)
        socks.append(s)
    for s in socks:
        try:
            s.sendall(b"PING\r\n")
            replies.append(s.recv(100))
        except OSError as e:
            replies.append(repr(e).encode())
    return socks, replies


@pytest.mark.skipif(IS_REDIS, reason="ember's spare descriptor (Redis spins and leaves clients waiting)")
# epoll only: io_uring reads the descriptor limit when an accept is armed, so lowering it on a
# running server does not reach the multishot accept already in flight (a server started
# under a low limit fits maxclients to it, tested below, and never gets that far).
# One worker: with two, both accept on the listener and race for the descriptor a spare frees
# (the other worker's accept takes it, the spare cannot come back), so a client may wait in the
# backlog until some descriptor is closed (about 1 run in 3 here). Known, not fixed yet: the
# timer tick retries the accepts once a spare is back (Worker::RetryAccepts).
@pytest.mark.parametrize("shards,backend", [(1, "epoll")])
def test_accept_failing_with_emfile(make_server, shards, backend):
    srv = make_server(shards=shards, backend=backend)
    admin = RespClient(port=srv.port, timeout=CLIENT_TIMEOUT)
    assert admin.execute("PING") == "PONG"  # accepted (a worker may take its time) before the cut
    # The running server's descriptors are cut to what it uses plus a few, under maxclients:
    # accept() now fails with EMFILE, which maxclients does not catch.
    in_use = len(os.listdir("/proc/%d/fd" % srv.pid))
    limit = in_use + 8
    soft, hard = resource.prlimit(srv.pid, resource.RLIMIT_NOFILE)
    resource.prlimit(srv.pid, resource.RLIMIT_NOFILE, (limit, hard))
    try:
        socks, replies = open_clients(srv.port, 30)
        pongs = replies.count(b"+PONG\r\n")
        full = replies.count(b"-ERR max number of clients reached\r\n")
        # Each client either got in or was told the server is full: none hangs.
        assert pongs + full == 30, replies
        # About 8 get in; a descriptor the server had open only for a moment when it was
        # counted (seen on a loaded machine) makes room for one or two more.
        assert 1 <= pongs <= 10 and full >= 18
        # And the loop does not spin on the failing accept.
        before = cpu_seconds(srv.pid)
        time.sleep(1.0)
        assert cpu_seconds(srv.pid) - before < 0.3
        assert admin.execute("PING") == "PONG"
        assert info_field(admin, "stats", "rejected_connections") >= full
        for s in socks:
            s.close()
        time.sleep(0.3)
        socks, replies = open_clients(srv.port, 4)
        assert replies == [b"+PONG\r\n"] * 4
        for s in socks:
            s.close()
    finally:
        resource.prlimit(srv.pid, resource.RLIMIT_NOFILE, (soft, hard))


@pytest.mark.skipif(IS_REDIS, reason="ember's start-up flags")
@pytest.mark.parametrize("backend", ["epoll", "uring"])
def test_a_low_ulimit_lowers_maxclients_as_redis_does(backend):
    config = harness.ServerConfig(1, backend)
    port = harness.free_port()
    srv = harness.ServerProcess(config)
    cmd = srv.command_line(port)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (80, 80)))
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        c = None
        deadline = time.monotonic() + harness.STARTUP_TIMEOUT
        while c is None and time.monotonic() < deadline:
            try:
                c = RespClient(port=port, timeout=CLIENT_TIMEOUT)
            except OSError:
                if proc.poll() is not None:
                    pytest.skip("the server did not start under ulimit -n 80")
                time.sleep(0.05)
        assert c is not None
        maxclients = int(c.execute("CONFIG", "GET", "maxclients")[1])
        assert maxclients == 80 - (32 + 6)  # what fits, as Redis reserves room for the rest
        socks, replies = open_clients(port, 60)
        assert replies.count(b"+PONG\r\n") == maxclients - 1  # the admin client is one
        assert replies.count(b"-ERR max number of clients reached\r\n") == 60 - (maxclients - 1)
        for s in socks:
            s.close()
        assert c.execute("CONFIG", "SET", "maxclients", "100000") == RespError(
            "ERR CONFIG SET failed (possibly related to argument 'maxclients') - The operating "
            "system is not able to handle the specified number of clients, try with %d" % maxclients)
        assert c.execute("CONFIG", "SET", "maxclients", "10") == "OK"
        c.close()
    finally:
        proc.terminate()
        proc.wait(timeout=harness.STOP_TIMEOUT)
        reader.join(5)
    assert any(b"maxclients has been reduced to 42" in line for line in lines), lines[:5]
