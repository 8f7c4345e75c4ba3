"""LATENCY against redis-server: latency-monitor-threshold (CONFIG GET/SET, 0 = off), the
"command" / "fast-command" events of slow commands (DEBUG SLEEP), LATEST / HISTORY / RESET /
GRAPH / DOCTOR shapes, HISTOGRAM in RESP2 and RESP3, and the errors. Servers of this module's
own (the threshold is changed)."""

import re
import time

import pytest

import harness
from resp_client import RespClient, RespError, RespMap, Verbatim

TIMEOUT = 10.0 * harness.SLOWDOWN
DEBUG = ("--enable-debug-command", "yes")


@pytest.fixture(scope="module")
def ember():
    config = harness.REDIS_CONFIG if harness.IS_REDIS else harness.ServerConfig(4, "epoll")
    yield from harness.module_server(config, DEBUG)


@pytest.fixture(scope="module")
def redis_srv():
    yield from harness.module_server(harness.REDIS_CONFIG, DEBUG)


def on_both(ember, redis_srv, steps, resp3=False):
    results = []
    for srv in (ember, redis_srv):
        with RespClient(port=srv.port, timeout=TIMEOUT) as c:
            if resp3:
                c.execute("HELLO", "3")
            results.append(steps(c))
    return results


def spike(c, threshold="1", seconds="0.03"):
    assert c.execute("LATENCY", "RESET") >= 0
    assert c.execute("CONFIG", "SET", "latency-monitor-threshold", threshold) == "OK"
    assert c.execute("DEBUG", "SLEEP", seconds) == "OK"


def test_threshold_is_a_config_off_by_default(ember, redis_srv):
    def steps(c):
        before = c.execute("CONFIG", "GET", "latency-monitor-threshold")
        c.execute("LATENCY", "RESET")
        c.execute("DEBUG", "SLEEP", "0.02")  # off: nothing is recorded
        latest = c.execute("LATENCY", "LATEST")
        bad = c.execute("CONFIG", "SET", "latency-monitor-threshold", "-1")
        return before, latest, str(bad)

    mine, theirs = on_both(ember, redis_srv, steps)
    assert mine == theirs
    assert mine[0] == [b"latency-monitor-threshold", b"0"] and mine[1] == []


def test_a_slow_command_is_a_command_event(ember, redis_srv):
    def steps(c):
        spike(c)
        c.execute("DEBUG", "SLEEP", "0.01")  # the same second: the worse sample stays
        latest = c.execute("LATENCY", "LATEST")
        history = c.execute("LATENCY", "HISTORY", "command")
        unknown = c.execute("LATENCY", "HISTORY", "nosuch")
        c.execute("CONFIG", "SET", "latency-monitor-threshold", "0")
        return latest, history, unknown

    for latest, history, unknown in on_both(ember, redis_srv, steps):
        assert len(latest) == 1, latest
        name, when, last_ms, max_ms = latest[0]
        assert name == b"command" and abs(when - time.time()) < 10
        assert 10 <= last_ms <= max_ms < 1000 and max_ms >= 30, latest
        # In the same second the worse sample stays; a slow machine may cross into the next.
        assert last_ms >= 30 or len(history) == 2, (latest, history)
        assert len(history) in (1, 2) and all(len(s) == 2 for s in history), history
        assert unknown == []


def test_graph_doctor_and_reset(ember, redis_srv):
    def steps(c, resp3=False):
        spike(c)
        graph = c.execute("LATENCY", "GRAPH", "command")
        doctor = c.execute("LATENCY", "DOCTOR")
        missing = c.execute("LATENCY", "GRAPH", "nosuch")
        reset_some = c.execute("LATENCY", "RESET", "nosuch", "command")
        reset_all = c.execute("LATENCY", "RESET")
        c.execute("CONFIG", "SET", "latency-monitor-threshold", "0")
        return graph, doctor, str(missing), reset_some, reset_all

    for graph, doctor, missing, reset_some, reset_all in on_both(ember, redis_srv, steps):
        header = graph.decode().split("\n")[0]
        assert re.fullmatch(r"command - high \d+ ms, low \d+ ms \(all time high \d+ ms\)", header)
        assert graph.decode().split("\n")[1] == "-" * 80
        assert isinstance(doctor, bytes) and b"command" in doctor
        assert missing == "ERR No samples available for event 'nosuch'"
        assert (reset_some, reset_all) == (1, 0)
    mine, theirs = on_both(ember, redis_srv, lambda c: spike(c) or c.execute("LATENCY", "DOCTOR"),
                           resp3=True)
    assert isinstance(mine, Verbatim) and isinstance(theirs, Verbatim)
    on_both(ember, redis_srv,
            lambda c: c.execute("CONFIG", "SET", "latency-monitor-threshold", "0"))


def histogram_steps(c):
    c.execute("CONFIG", "RESETSTAT")
    for i in range(5):
        c.execute("SET", "k%d" % i, "v")
    c.execute("GET", "k1")
    c.execute("CONFIG", "GET", "maxmemory")
    return (c.execute("LATENCY", "HISTOGRAM", "set", "GET", "nosuch"),
            c.execute("LATENCY", "HISTOGRAM", "config"),
            c.execute("LATENCY", "HISTOGRAM"))


def check_histogram(entry, calls):
    """One command's {calls, histogram_usec}: cumulative counts over rising power-of-two buckets."""
    assert entry[b"calls"] == calls
    buckets = entry[b"histogram_usec"]
    keys = list(buckets.keys())
    assert keys == sorted(keys) and all(k > 0 and k & (k - 1) == 0 for k in keys), keys
    counts = list(buckets.values())
    assert counts == sorted(counts) and counts[-1] == calls


def test_histogram_resp3_maps(ember, redis_srv):
    for named, container, everything in on_both(ember, redis_srv, histogram_steps, resp3=True):
        assert isinstance(named, RespMap) and list(named.keys()) == [b"set", b"get"], named
        check_histogram(named[b"set"], 5)
        check_histogram(named[b"get"], 1)
        assert set(container.keys()) == {b"config|get", b"config|resetstat"}, container
        assert b"set" in everything and b"get" in everything


def test_histogram_resp2_arrays(ember, redis_srv):
    mine, theirs = on_both(ember, redis_srv, histogram_steps)
    for named, _, _ in (mine, theirs):
        assert [named[0], named[2]] == [b"set", b"get"]
        set_entry = named[1]
        assert set_entry[0] == b"calls" and set_entry[1] == 5 and set_entry[2] == b"histogram_usec"
        flat = set_entry[3]
        assert len(flat) % 2 == 0 and flat[-1] == 5
    shape = lambda reply: [type(x).__name__ for x in reply[0]]  # noqa: E731
    assert shape(mine) == shape(theirs)


def test_errors_and_help_match_redis(ember, redis_srv):
    cases = [("LATENCY",), ("LATENCY", "FOO"), ("LATENCY", "LATEST", "x"), ("LATENCY", "HISTORY"),
             ("LATENCY", "GRAPH"), ("LATENCY", "DOCTOR", "x"), ("LATENCY", "HELP", "x")]

    def steps(c):
        replies = [c.execute(*case) for case in cases]
        assert all(isinstance(r, RespError) for r in replies), replies
        help_lines = c.execute("LATENCY", "HELP")
        assert help_lines[0].startswith("LATENCY <subcommand>")
        return [str(r) for r in replies]

    mine, theirs = on_both(ember, redis_srv, steps)
    assert mine == theirs
