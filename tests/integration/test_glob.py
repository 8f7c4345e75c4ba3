"""Glob patterns (KEYS, SCAN/HSCAN/SSCAN/ZSCAN MATCH, CONFIG GET): Redis's results in the odd
cases, and no pattern that can freeze the server."""

import random
import threading
import time

import pytest

from helpers import DIFFERENTIAL
from resp_client import RespClient

import harness

BOUND = 2.0 * harness.SLOWDOWN  # seconds; Redis answers these in ~10 ms
KEY = "a" * 40


def stars(n, last="b"):
    return "a*" * n + last  # "a*a*...*b": exponential for a naive recursive matcher


def _timed(conn, *args):
    start = time.monotonic()
    reply = conn.execute(*args)
    return reply, time.monotonic() - start


def _scan_all(conn, command, key, *options):
    """All items of SCAN (key None) or [H|S|Z]SCAN key, bounded in calls."""
    cursor, items = b"0", []
    for _ in range(1000):
        head = (command,) if key is None else (command, key)
        cursor, batch = conn.execute(*head, cursor, *options)
        items += batch
        if cursor == b"0":
            return items
    raise AssertionError("SCAN did not finish in 1000 calls")


def _while_pinging(connect, work):
    """Runs work() while another connection PINGs; returns (work's result, its seconds, the worst
    PING latency seen)."""
    pinger = connect()
    assert pinger.execute("PING") == "PONG"
    done, worst = threading.Event(), [0.0]

    def ping():
        while not done.is_set():
            try:
                _, took = _timed(pinger, "PING")
            except OSError:  # timed out: the server is frozen
                took = float("inf")
            worst[0] = max(worst[0], took)
            if took == float("inf"):
                return
            time.sleep(0.005)

    thread = threading.Thread(target=ping, daemon=True)
    thread.start()
    start = time.monotonic()
    try:
        result = work()
    finally:
        took = time.monotonic() - start
        done.set()
        thread.join(BOUND + 10)
    return result, took, worst[0]


@pytest.mark.parametrize("nstars", [11, 20])
def test_pathological_keys_pattern_answers_quickly(raw, connect, nstars):
    raw.execute("SET", KEY, "1")
    slow = connect(timeout=BOUND + 5)
    reply, took, worst_ping = _while_pinging(connect, lambda: slow.execute("KEYS", stars(nstars)))
    assert reply == []
    assert took < BOUND and worst_ping < BOUND
    assert slow.execute("KEYS", stars(nstars, "")) == [KEY.encode()]


def test_pathological_scan_match_answers_quickly(raw, connect):
    raw.execute("SET", KEY, "1")
    raw.execute("HSET", "h", KEY, "1")
    raw.execute("SADD", "s", KEY, "x")
    raw.execute("ZADD", "z", "1", KEY)
    slow = connect(timeout=BOUND + 5)
    pattern = stars(20)

    def scans():
        return [_scan_all(slow, "SCAN", None, "MATCH", pattern, "COUNT", "1000"),
                _scan_all(slow, "HSCAN", "h", "MATCH", pattern),
                _scan_all(slow, "SSCAN", "s", "MATCH", pattern),
                _scan_all(slow, "ZSCAN", "z", "MATCH", pattern),
                slow.execute("CONFIG", "GET", "m*a*x*m*e*m*o*r*y*p*o*l*i*c*y*z*z*z*z*z*z*z*z*z*q")]

    reply, took, worst_ping = _while_pinging(connect, scans)
    assert reply == [[], [], [], [], []]
    assert took < BOUND and worst_ping < BOUND
    assert _scan_all(slow, "SCAN", None, "MATCH", stars(20, "")) == [KEY.encode()]


# Patterns whose results depend on stringmatchlen()'s edge cases, with the keys each selects.
ODD_KEYS = ["a", "b", "ab", "abc", "[", "]", "^", "-", "\\", "a\\", "x", "A", "_", "m", "a*b", "aXb"]
ODD_CASES = [
    ("[abc", ["a", "b"]),            # unterminated class: runs to the end of the pattern
    ("[", []),                       # '[' last: matches nothing
    ("[^", ["a", "b", "[", "]", "^", "-", "\\", "x", "A", "_", "m"]),  # "[^" last: any one byte
    ("[a-]", ["a", "]", "^", "_"]),  # "a-]" is the range ']'..'a', and the class stays open
    ("[z-a]", ["a", "b", "x", "m"]),  # reversed range: swapped
    ("[]]", []),                     # "[]" is an empty class, then a literal ']'
    ("[\\]]", ["]"]),                # escaped ']' inside a class
    ("a\\", ["a\\"]),                # trailing backslash is literal
    ("a\\*b", ["a*b"]),
    ("a?b", ["a*b", "aXb"]),
    ("a*b", ["ab", "a*b", "aXb"]),
    ("[\\-]", ["-"]),
    ("[A-Z]", ["A"]),
    ("[[-a]", ["a", "[", "]", "^", "\\", "_"]),
]


@pytest.mark.parametrize("pattern,expected", ODD_CASES, ids=[c[0] for c in ODD_CASES])
def test_odd_patterns_select_what_redis_selects(raw, pattern, expected):
    for k in ODD_KEYS:
        raw.execute("SET", k, "1")
    assert sorted(raw.execute("KEYS", pattern)) == sorted(k.encode() for k in expected)
    raw.execute("SADD", "oddset", *ODD_KEYS)
    members = _scan_all(raw, "SSCAN", "oddset", "MATCH", pattern, "COUNT", "100")
    assert sorted(members) == sorted(k.encode() for k in expected)


def test_more_than_1000_star_runs_match_nothing(raw):
    raw.execute("SET", KEY * 30, "1")
    assert raw.execute("KEYS", "*a" * 1000) == [(KEY * 30).encode()]
    assert raw.execute("KEYS", "*a" * 1001) == []  # Redis's nesting limit


@DIFFERENTIAL[0]
@DIFFERENTIAL[1]
@pytest.mark.parametrize("seed", range(3))
def test_random_patterns_select_the_same_keys_as_redis(server, redis_ref, seed):
    """KEYS with seeded random patterns over the same keys must select what redis-server selects."""
    rng = random.Random(seed)
    alphabet = b"aAbB[]^-\\*?x\xe9"
    keys = {bytes(rng.choice(alphabet) for _ in range(rng.randint(1, 6))) for _ in range(300)}
    pieces = [b"a", b"A", b"b", b"*", b"?", b"[", b"]", b"^", b"-", b"\\", b"[a-b]", b"[^a]", b"\xe9"]
    with RespClient(port=server.port) as ember, RespClient(port=redis_ref.port) as ref:
        for c in (ember, ref):
            c.execute("FLUSHALL")
            c.execute("MSET", *[x for k in keys for x in (k, b"1")])
        for i in range(400):
            pattern = b"".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
            want = sorted(ref.execute("KEYS", pattern))
            assert sorted(ember.execute("KEYS", pattern)) == want, "pattern %r (#%d)" % (pattern, i)
        ember.execute("FLUSHALL")
