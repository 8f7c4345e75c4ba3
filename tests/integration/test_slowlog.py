"""SLOWLOG against redis-server: the same commands on both, the same entry shapes (id, unix time,
microseconds, trimmed and redacted arguments, client address and name), the same errors, and
slowlog-log-slower-than / slowlog-max-len working at run time. Servers of this module's own (the
thresholds are changed), ember at 1 and 4 shards."""

import re
import time

import pytest

import harness
from resp_client import RespClient, RespError

TIMEOUT = 10.0 * harness.SLOWDOWN
DEBUG = ("--enable-debug-command", "yes")


@pytest.fixture(scope="module", params=[1, 4], ids=["shards1", "shards4"])
def ember(request):
    config = harness.REDIS_CONFIG if harness.IS_REDIS else harness.ServerConfig(request.param, "epoll")
    yield from harness.module_server(config, DEBUG)


@pytest.fixture(scope="module")
def redis_srv():
    yield from harness.module_server(harness.REDIS_CONFIG, DEBUG)


def conn(srv):
    return RespClient(port=srv.port, timeout=TIMEOUT)


def on_both(ember, redis_srv, steps):
    """Runs `steps(client)` on a fresh connection to each server; returns (ember's, redis's)."""
    results = []
    for srv in (ember, redis_srv):
        with conn(srv) as c:
            results.append(steps(c))
    return results


def reset(c, slower_than="0", max_len="128"):
    assert c.execute("CONFIG", "SET", "slowlog-log-slower-than", slower_than,
                     "slowlog-max-len", max_len) == "OK"
    assert c.execute("SLOWLOG", "RESET") == "OK"


def entries(c, count="-1"):
    """SLOWLOG GET's entries, with the SLOWLOG RESET/CONFIG SET of the test's own set-up left out."""
    got = c.execute("SLOWLOG", "GET", count)
    return [e for e in got if e[3][0].lower() not in (b"slowlog", b"config")]


def check_shape(entry):
    assert len(entry) == 6, entry
    ident, when, micros, argv, addr, name = entry
    assert isinstance(ident, int) and ident >= 0
    assert abs(when - time.time()) < 60
    assert isinstance(micros, int) and micros >= 0
    assert isinstance(argv, list) and all(isinstance(a, bytes) for a in argv)
    assert re.fullmatch(rb"127\.0\.0\.1:\d+", addr), addr
    assert isinstance(name, bytes)


def test_entry_shape_and_client_name(ember, redis_srv):
    def steps(c):
        reset(c)
        c.execute("CLIENT", "SETNAME", "observer")
        c.execute("SET", "k", "v")
        c.execute("GET", "k")
        got = entries(c)
        for e in got:
            check_shape(e)
        ids = [e[0] for e in got]
        assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids), ids
        # The CLIENT SETNAME entry already carries the new name, as every later one.
        return [(e[3], e[5]) for e in got]

    mine, theirs = on_both(ember, redis_srv, steps)
    assert mine == theirs
    assert mine[0] == ([b"GET", b"k"], b"observer")


def test_long_commands_are_trimmed_as_redis(ember, redis_srv):
    def steps(c):
        reset(c)
        c.execute("RPUSH", "list", *["e%d" % i for i in range(40)])
        c.execute("SET", "big", "x" * 200)
        c.execute("SET", "exact", "y" * 128)
        return [e[3] for e in entries(c)]

    mine, theirs = on_both(ember, redis_srv, steps)
    assert mine == theirs
    assert mine[2][-1] == b"... (11 more arguments)" and len(mine[2]) == 32
    assert mine[1][2] == b"x" * 128 + b"... (72 more bytes)"


def test_secrets_are_redacted_as_redis(ember, redis_srv):
    def steps(c):
        reset(c)
        c.execute("AUTH", "secret")
        c.execute("AUTH", "user", "secret")
        c.execute("HELLO", "2", "AUTH", "default", "secret")
        c.execute("CONFIG", "SET", "requirepass", "")
        return [e[3] for e in c.execute("SLOWLOG", "GET", "4")]

    mine, theirs = on_both(ember, redis_srv, steps)
    assert mine == theirs
    assert b"secret" not in b"".join(b"".join(argv) for argv in mine)


def test_exec_is_left_out_its_commands_are_not(ember, redis_srv):
    def steps(c):
        reset(c)
        c.execute("MULTI")
        c.execute("INCR", "n")
        c.execute("SET", "k", "v")
        c.execute("EXEC")
        return [e[3] for e in entries(c)]

    mine, theirs = on_both(ember, redis_srv, steps)
    assert mine == theirs
    assert [b"EXEC"] not in mine


def test_threshold_and_max_len_apply_at_run_time(ember, redis_srv):
    def steps(c):
        reset(c, slower_than="100000")  # 100 ms: a SET is never that slow
        c.execute("SET", "k", "v")
        fast = c.execute("SLOWLOG", "LEN")
        c.execute("DEBUG", "SLEEP", "0.15")
        slow = entries(c)
        assert len(slow) == 1 and slow[0][2] >= 150000, slow
        reset(c, slower_than="0", max_len="3")
        for i in range(10):
            c.execute("SET", "k%d" % i, "v")
        full = c.execute("SLOWLOG", "LEN")
        newest = [e[3] for e in c.execute("SLOWLOG", "GET", "2")]
        everything = len(c.execute("SLOWLOG", "GET", "-1"))
        reset(c, slower_than="-1")
        c.execute("SET", "k", "v")
        off = c.execute("SLOWLOG", "LEN")
        c.execute("CONFIG", "SET", "slowlog-log-slower-than", "10000", "slowlog-max-len", "128")
        return fast, slow[0][3], full, newest, everything, off

    mine, theirs = on_both(ember, redis_srv, steps)
    assert mine == theirs
    assert mine[0] == 0 and mine[2] == 3 and mine[4] == 3 and mine[5] == 0


def test_errors_and_help_match_redis(ember, redis_srv):
    cases = [("SLOWLOG", "GET", "x"), ("SLOWLOG", "GET", "-2"), ("SLOWLOG", "GET", "1", "2"),
             ("SLOWLOG", "LEN", "1"), ("SLOWLOG", "RESET", "1"), ("SLOWLOG", "FOO"), ("SLOWLOG",),
             ("CONFIG", "SET", "slowlog-log-slower-than", "-2"),
             ("CONFIG", "SET", "slowlog-max-len", "-1")]

    def steps(c):
        replies = [c.execute(*case) for case in cases]
        assert all(isinstance(r, RespError) for r in replies), replies
        help_lines = c.execute("SLOWLOG", "HELP")
        assert help_lines[0].startswith("SLOWLOG <subcommand>")
        assert all(isinstance(line, str) for line in help_lines)
        return [str(r) for r in replies], c.execute("CONFIG", "GET", "slowlog-*")

    mine, theirs = on_both(ember, redis_srv, steps)
    assert mine[0] == theirs[0]
    assert sorted(mine[1]) == sorted(theirs[1])


def test_a_blocking_command_is_logged_once_when_served(ember, redis_srv):
    def steps(c):
        reset(c)
        assert c.execute("BLPOP", "nothing", "0.05") is None  # timed out: not logged
        with RespClient(port=c.sock.getpeername()[1], timeout=TIMEOUT) as pusher:
            c.send_command("BLPOP", "jobs", "5")
            time.sleep(0.1)
            assert pusher.execute("RPUSH", "jobs", "x") == 1
            assert c.read_reply() == [b"jobs", b"x"]
        return sorted(e[3] for e in entries(c))

    mine, theirs = on_both(ember, redis_srv, steps)
    assert mine == theirs
