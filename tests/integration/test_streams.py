"""Streams against a real redis-server: seeded random sequences of XADD/XDEL/XTRIM/XRANGE/
XREVRANGE/XLEN/XGROUP/XREADGROUP/XACK/XPENDING/XCLAIM/XAUTOCLAIM/XINFO go to ember and to
redis-server (the redis_ref fixture) and every reply must be identical in RESP2 and RESP3, with
only times masked (idle times, seen-time, delivery times) and radix-tree-nodes (a radix tree's
inner nodes have no counterpart in ember's layout). Then the error replies, blocking XREAD and
XREADGROUP woken by XADD from another client and across shards, `$` resolved when the client
parks, TYPE/OBJECT ENCODING/COPY/RENAME/SCAN TYPE/SORT, and the AOF reload.
"""

import random
import threading
import time

import pytest

import harness
from helpers import DIFFERENTIAL
from resp_client import RespClient
from test_differential import TaggedParser

TIMEOUT = 10.0 * harness.SLOWDOWN
MASKED_NEXT = {b"idle", b"seen-time", b"radix-tree-nodes"}


def _compared_configs():
    chosen = []
    for shards in (1, 4):
        candidates = [c for c in harness.selected_configs() if c.shards == shards]
        candidates.sort(key=lambda c: c.backend != "epoll")
        if candidates:
            chosen.append(candidates[0].name)
    return chosen


def _pair(server, redis_ref, resp3):
    if server.config.name not in _compared_configs():
        pytest.skip("stream differential runs on %s only" % ", ".join(_compared_configs()))
    ember = RespClient(port=server.port, timeout=TIMEOUT)
    ref = RespClient(port=redis_ref.port, timeout=TIMEOUT)
    for c in (ember, ref):
        if resp3:
            c.execute("HELLO", "3")
        c.parser = TaggedParser()
    assert ref.execute("FLUSHALL")[0] == "+"
    return ember, ref


@pytest.fixture(params=[False, True], ids=["resp2", "resp3"])
def pair(request, server, redis_ref):
    ember, ref = _pair(server, redis_ref, request.param)
    yield ember, ref
    ember.close()
    ref.close()


def _mask(reply):
    """Replaces the values that hold times (and radix-tree-nodes) with '?'."""
    kind, value = reply
    if kind in ("*", "~", ">") and isinstance(value, tuple):
        out, skip = [], False
        for item in value:
            out.append((":", "?") if skip else _mask(item))
            skip = item[0] in ("$", "+") and item[1] in MASKED_NEXT
        return (kind, tuple(out))
    if kind == "%":
        return (kind, frozenset((k, (":", "?") if k[1] in MASKED_NEXT else _mask(v)) for k, v in value))
    return reply


def _mask_pending_rows(reply):
    """XPENDING's extended rows: [id, consumer, idle, deliveries]: the idle time goes."""
    kind, value = reply
    if kind != "*" or not isinstance(value, tuple):
        return reply
    return (kind, tuple((k, v[:2] + ((":", "?"),) + v[3:]) if k == "*" and len(v) == 4 else (k, v)
                        for k, v in value))


def _same(ember, ref, *args):
    a, b = ember.execute(*args), ref.execute(*args)
    name = args[0].upper()
    if name == "XPENDING" and len(args) > 3:
        a, b = _mask_pending_rows(a), _mask_pending_rows(b)
    a, b = _mask(a), _mask(b)
    assert a == b, "%r: ember %r, redis %r" % (args, a, b)
    return a


KEYS = ["s1", "s2", "{s1}x"]
GROUPS = ["g1", "g2"]
CONSUMERS = ["alice", "bob", "carol"]


class Model:
    """What the random walk knows so far, to pick ids that exist now and then."""

    def __init__(self):
        self.ms = {k: 0 for k in KEYS}
        self.ids = {k: [] for k in KEYS}


def _fields(rng):
    n = rng.choice((1, 1, 1, 2, 3))
    shared = rng.random() < 0.7
    out = []
    for i in range(n):
        out += ["f%d" % i if shared else rng.choice(("a", "b", "name", "x%d" % i)),
                rng.choice(("1", "v", "-12", "hello world", "x" * rng.randint(0, 40), "3.5"))]
    return out


def _some_id(rng, model, key):
    ids = model.ids[key]
    if ids and rng.random() < 0.8:
        return rng.choice(ids)
    return "%d-%d" % (rng.randint(0, model.ms[key] + 2), rng.randint(0, 3))


def _bound(rng, model, key, start):
    r = rng.random()
    if r < 0.2:
        return "-" if start else "+"
    b = _some_id(rng, model, key)
    if r < 0.35:
        return "(" + b
    if r < 0.45:
        return b.split("-")[0]
    return b


def _command(rng, model):
    key = rng.choice(KEYS)
    g, c = rng.choice(GROUPS), rng.choice(CONSUMERS)
    r = rng.random()
    if r < 0.30:
        trim = []
        if rng.random() < 0.2:
            trim = [rng.choice(("MAXLEN", "MINID")), rng.choice(("=", "~", ""))]
            trim.append(str(rng.randint(0, 30)) if trim[0] == "MAXLEN" else _some_id(rng, model, key))
            trim = [t for t in trim if t]
        form = rng.random()
        if form < 0.7:
            model.ms[key] += rng.choice((0, 1, 1, 2))
            new_id = "%d-%d" % (model.ms[key], rng.randint(0, 2)) if form < 0.55 else "%d-*" % model.ms[key]
        else:
            new_id = _some_id(rng, model, key)  # often not above the top item: the error
        nomk = ["NOMKSTREAM"] if rng.random() < 0.05 else []
        return ["XADD", key] + nomk + trim + [new_id] + _fields(rng), key
    if r < 0.38:
        return ["XDEL", key] + [_some_id(rng, model, key) for _ in range(rng.randint(1, 3))], None
    if r < 0.43:
        kind = rng.choice(("MAXLEN", "MINID"))
        arg = str(rng.randint(0, 40)) if kind == "MAXLEN" else _some_id(rng, model, key)
        cmd = ["XTRIM", key, kind] + ([rng.choice(("=", "~"))] if rng.random() < 0.6 else []) + [arg]
        if "~" in cmd and rng.random() < 0.3:
            cmd += ["LIMIT", str(rng.randint(0, 30))]
        return cmd, None
    if r < 0.53:
        cmd = [rng.choice(("XRANGE", "XREVRANGE")), key]
        a, b = _bound(rng, model, key, True), _bound(rng, model, key, False)
        cmd += [b.replace("-", "+") if False else b, a] if cmd[0] == "XREVRANGE" else [a, b]
        if rng.random() < 0.4:
            cmd += ["COUNT", str(rng.randint(-1, 8))]
        return cmd, None
    if r < 0.56:
        return ["XLEN", key], None
    if r < 0.62:
        sub = rng.random()
        if sub < 0.5:
            start = rng.choice(("0", "$", _some_id(rng, model, key)))
            extra = ["MKSTREAM"] if rng.random() < 0.5 else []
            if rng.random() < 0.3:
                extra += ["ENTRIESREAD", str(rng.randint(-1, 5))]
            return ["XGROUP", "CREATE", key, g, start] + extra, None
        if sub < 0.7:
            return ["XGROUP", "SETID", key, g, rng.choice(("0", "$", _some_id(rng, model, key)))], None
        if sub < 0.8:
            return ["XGROUP", "CREATECONSUMER", key, g, c], None
        if sub < 0.9:
            return ["XGROUP", "DELCONSUMER", key, g, c], None
        return ["XGROUP", "DESTROY", key, g], None
    if r < 0.74:
        cmd = ["XREADGROUP", "GROUP", g, c]
        if rng.random() < 0.7:
            cmd += ["COUNT", str(rng.randint(1, 5))]
        if rng.random() < 0.15:
            cmd += ["NOACK"]
        return cmd + ["STREAMS", key, rng.choice((">", ">", ">", "0", _some_id(rng, model, key)))], None
    if r < 0.79:
        return ["XACK", key, g] + [_some_id(rng, model, key) for _ in range(rng.randint(1, 3))], None
    if r < 0.85:
        if rng.random() < 0.3:
            return ["XPENDING", key, g], None
        cmd = ["XPENDING", key, g, _bound(rng, model, key, True), _bound(rng, model, key, False),
               str(rng.randint(1, 10))]
        return cmd + ([c] if rng.random() < 0.4 else []), None
    if r < 0.90:
        cmd = ["XCLAIM", key, g, c, "0"] + [_some_id(rng, model, key) for _ in range(rng.randint(1, 3))]
        for opt in (["JUSTID"], ["FORCE"], ["RETRYCOUNT", str(rng.randint(0, 5))],
                    ["LASTID", _some_id(rng, model, key)]):
            if rng.random() < 0.25:
                cmd += opt
        return cmd, None
    if r < 0.94:
        cmd = ["XAUTOCLAIM", key, g, c, "0", rng.choice(("0", "0-0", _some_id(rng, model, key)))]
        if rng.random() < 0.5:
            cmd += ["COUNT", str(rng.randint(1, 4))]
        if rng.random() < 0.3:
            cmd += ["JUSTID"]
        return cmd, None
    if r < 0.97:
        return rng.choice((["XINFO", "STREAM", key], ["XINFO", "GROUPS", key],
                           ["XINFO", "CONSUMERS", key, g])), None
    return ["XREAD", "COUNT", str(rng.randint(1, 4)), "STREAMS", key, _some_id(rng, model, key)], None


@pytest.mark.parametrize("seed", range(6))
def test_random_operations_match_redis(pair, seed):
    ember, ref = pair
    rng = random.Random(seed)
    model = Model()
    node_entries = str(rng.choice((3, 10, 100)))
    for c in (ember, ref):
        c.execute("CONFIG", "SET", "stream-node-max-entries", node_entries)
    try:
        for _ in range(700):
            cmd, added_to = _command(rng, model)
            reply = _same(ember, ref, *cmd)
            if added_to and reply[0] == "$" and reply[1] is not None:
                model.ids[added_to].append(reply[1].decode())
        for key in KEYS:
            _same(ember, ref, "XRANGE", key, "-", "+")
            _same(ember, ref, "XINFO", "STREAM", key)
            _same(ember, ref, "XINFO", "GROUPS", key)
    finally:
        for c in (ember, ref):
            c.execute("CONFIG", "SET", "stream-node-max-entries", "100")


def test_errors_match_redis(pair):
    ember, ref = pair
    _same(ember, ref, "SET", "str", "x")
    _same(ember, ref, "XADD", "s", "5-5", "f", "v")
    cases = [
        ["XADD", "s", "5-5", "f", "v"], ["XADD", "s", "4", "f", "v"], ["XADD", "s", "0-0", "f", "v"],
        ["XADD", "n", "0-0", "f", "v"], ["XADD", "s", "abc", "f", "v"], ["XADD", "s", "*", "f"],
        ["XADD", "s", "MAXLEN", "-1", "*", "f", "v"], ["XADD", "s", "MAXLEN", "1", "LIMIT", "5", "*", "f", "v"],
        ["XADD", "s", "MAXLEN", "1", "MINID", "2", "*", "f", "v"], ["XADD", "s", "MAXLEN", "x", "*", "f", "v"],
        ["XADD", "s", "MINID", "~", "1-x", "*", "f", "v"], ["XADD", "s", "5-*", "f", "v"],
        ["XADD", "str", "*", "f", "v"], ["XADD", "nokey", "NOMKSTREAM", "*", "f", "v"],
        ["XADD", "s", "LIMIT", "5", "*", "f", "v"], ["XADD", "s", "-", "f", "v"],
        ["XRANGE", "s", "(-", "+"], ["XRANGE", "s", "-", "+", "COUNT"], ["XRANGE", "s", "-", "+", "FOO", "1"],
        ["XRANGE", "s", "x", "+"], ["XRANGE", "s", "(18446744073709551615-18446744073709551615", "+"],
        ["XRANGE", "s", "-", "(0-0"], ["XRANGE", "str", "-", "+"], ["XRANGE", "nokey", "-", "+"],
        ["XRANGE", "s", "-", "+", "COUNT", "0"], ["XREVRANGE", "s", "+", "-", "COUNT", "-3"],
        ["XLEN", "str"], ["XLEN", "nokey"], ["XDEL", "nokey", "x"], ["XDEL", "s", "x"],
        ["XTRIM", "s"], ["XTRIM", "s", "FOO", "1"], ["XTRIM", "s", "MAXLEN", "=", "1", "LIMIT", "1"],
        ["XTRIM", "nokey", "MAXLEN", "1"], ["XTRIM", "str", "MAXLEN", "1"],
        ["XSETID", "s", "1-1"], ["XSETID", "nokey", "9-9"], ["XSETID", "s", "9-9", "ENTRIESADDED", "-1"],
        ["XSETID", "s", "9-9", "MAXDELETEDID", "10-0"], ["XSETID", "s", "9-9", "ENTRIESADDED", "0"],
        ["XSETID", "s", "9-9", "FOO"],
        ["XGROUP", "CREATE", "nokey", "g", "$"], ["XGROUP", "CREATE", "s", "g", "$", "ENTRIESREAD", "-5"],
        ["XGROUP", "CREATE", "s", "g", "x"], ["XGROUP", "CREATE", "s", "g", "$"], ["XGROUP", "CREATE", "s", "g", "0"],
        ["XGROUP", "CREATE", "s", "g2", "0", "FOO"], ["XGROUP", "SETID", "s", "nog", "0"],
        ["XGROUP", "DELCONSUMER", "s", "nog", "c"], ["XGROUP", "FOO", "s", "g"], ["XGROUP", "CREATE", "s"],
        ["XGROUP", "DESTROY", "nokey", "g"], ["XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD"],
        ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "$"], ["XREAD", "STREAMS", "s", ">"],
        ["XREAD", "STREAMS", "s", "t", "0"], ["XREADGROUP", "GROUP", "nog", "c", "STREAMS", "s", ">"],
        ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "nokey", ">"], ["XREAD", "GROUP", "g", "c", "STREAMS", "s", "0"],
        ["XREAD", "NOACK", "STREAMS", "s", "0"], ["XREAD", "COUNT", "x", "STREAMS", "s", "0"],
        ["XREAD", "BLOCK", "-1", "STREAMS", "s", "0"], ["XREAD", "BLOCK", "x", "STREAMS", "s", "0"],
        ["XREAD", "FOO", "STREAMS", "s", "0"], ["XREAD", "STREAMS", "s", "x"], ["XREAD", "STREAMS", "str", "0"],
        ["XREAD", "STREAMS", "nokey", "0"], ["XREADGROUP", "COUNT", "1", "STREAMS", "s", ">"],
        ["XACK", "nokey", "g", "1"], ["XACK", "s", "g", "x"], ["XACK", "s", "nog", "x"],
        ["XPENDING", "s", "nog"], ["XPENDING", "s", "g", "-", "+"], ["XPENDING", "s", "g", "-", "+", "x"],
        ["XPENDING", "s", "g", "IDLE", "x", "-", "+", "1"], ["XPENDING", "s", "g", "IDLE", "1", "-", "+"],
        ["XPENDING", "s", "g", "-", "+", "5", "nobody"], ["XPENDING", "s", "g"],
        ["XCLAIM", "s", "nog", "c", "0", "1"], ["XCLAIM", "s", "g", "c", "x", "1"],
        ["XCLAIM", "s", "g", "c", "0", "1", "FOO"], ["XCLAIM", "s", "g", "c", "0", "1", "IDLE", "x"],
        ["XCLAIM", "s", "g", "c", "0", "1", "LASTID", "x"],
        ["XAUTOCLAIM", "s", "g", "c", "x", "0"], ["XAUTOCLAIM", "s", "g", "c", "0", "x"],
        ["XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "0"], ["XAUTOCLAIM", "s", "nog", "c", "0", "0"],
        ["XAUTOCLAIM", "s", "g", "c", "0", "0", "FOO"],
        ["XINFO", "STREAM", "nokey"], ["XINFO", "STREAM", "str"], ["XINFO", "STREAM", "s", "FULL", "COUNT", "x"],
        ["XINFO", "STREAM", "s", "FOO"], ["XINFO", "CONSUMERS", "s", "nog"], ["XINFO", "FOO", "s"],
        ["XINFO", "GROUPS", "nokey"], ["XINFO", "HELP"],
        ["TYPE", "s"], ["OBJECT", "ENCODING", "s"], ["SORT", "s"], ["EXISTS", "s"],
    ]
    for cmd in cases:
        _same(ember, ref, *cmd)


def test_info_stream_full_matches_redis(pair):
    ember, ref = pair
    for i in range(1, 15):
        _same(ember, ref, "XADD", "s", "%d-1" % i, "f", str(i), "g", "x")
    _same(ember, ref, "XDEL", "s", "3-1")
    _same(ember, ref, "XGROUP", "CREATE", "s", "g", "0")
    _same(ember, ref, "XGROUP", "CREATE", "s", "h", "$", "ENTRIESREAD", "3")
    _same(ember, ref, "XREADGROUP", "GROUP", "g", "alice", "COUNT", "4", "STREAMS", "s", ">")
    _same(ember, ref, "XREADGROUP", "GROUP", "g", "bob", "COUNT", "3", "STREAMS", "s", ">")
    for cmd in (["XINFO", "STREAM", "s", "FULL"], ["XINFO", "STREAM", "s", "FULL", "COUNT", "2"],
                ["XINFO", "STREAM", "s", "FULL", "COUNT", "0"]):
        a, b = ember.execute(*cmd), ref.execute(*cmd)
        # Delivery times and seen-times differ by the clock: compare the shape with them masked.
        assert _mask_times(a) == _mask_times(b), cmd


def _mask_times(reply):
    """Every integer above 10^12 (a unix time in ms) becomes '?'."""
    kind, value = reply
    if kind == ":" and value != "?" and int(value) > 10 ** 12:
        return (":", "?")
    if kind in ("*", "~") and isinstance(value, tuple):
        return (kind, tuple(_mask_times(v) for v in _mask((kind, value))[1]))
    if kind == "%":
        return (kind, frozenset((k, _mask_times(v)) for k, v in _mask((kind, value))[1]))
    return _mask(reply)


# ---------------------------------------------------------------------------------------------
# Blocking reads.

def _blocked_read(port, args, out):
    c = RespClient(port=port, timeout=TIMEOUT)
    try:
        out.append(c.execute(*args))
    finally:
        c.close()


def _wait_blocked(r, n, deadline=5.0):
    end = time.time() + deadline * harness.SLOWDOWN
    while time.time() < end:
        if int(r.info("clients")["blocked_clients"]) >= n:
            return
        time.sleep(0.01)
    raise AssertionError("clients did not block")


def test_xread_block_is_woken_by_xadd_on_any_shard(server, r):
    # Keys on different shards (4-shard configurations): the reader parks on both.
    r.xadd("{a}s", {"f": "old"}, id="1-1")
    out = []
    t = threading.Thread(target=_blocked_read, args=(
        server.port, ["XREAD", "BLOCK", "0", "STREAMS", "{a}s", "{b}s", "$", "$"], out))
    t.start()
    _wait_blocked(r, 1)
    r.xadd("{a}s", {"f": "new"}, id="2-1")  # `$` was 1-1 when it parked: 2-1 is new
    t.join(TIMEOUT)
    assert out == [[[b"{a}s", [[b"2-1", [b"f", b"new"]]]]]]
    out.clear()
    t = threading.Thread(target=_blocked_read, args=(
        server.port, ["XREAD", "BLOCK", "0", "STREAMS", "{a}s", "{b}s", "$", "$"], out))
    t.start()
    _wait_blocked(r, 1)
    r.xadd("{b}s", {"x": "y"}, id="5-0")  # creates the key on the other shard
    t.join(TIMEOUT)
    assert out == [[[b"{b}s", [[b"5-0", [b"x", b"y"]]]]]]


def test_every_blocked_reader_gets_the_entry_and_timeouts_reply_null(server, r):
    r.xadd("s", {"f": "0"}, id="1-0")
    outs = [[] for _ in range(3)]
    threads = [threading.Thread(target=_blocked_read, args=(
        server.port, ["XREAD", "BLOCK", "0", "STREAMS", "s", "$"], out)) for out in outs]
    for t in threads:
        t.start()
    _wait_blocked(r, 3)
    r.xadd("s", {"f": "1"}, id="2-0")
    for t in threads:
        t.join(TIMEOUT)
    assert outs == [[[[b"s", [[b"2-0", [b"f", b"1"]]]]]]] * 3
    start = time.time()
    c = RespClient(port=server.port, timeout=TIMEOUT)
    assert c.execute("XREAD", "BLOCK", "100", "STREAMS", "s", "$") is None  # *-1
    c.close()
    assert time.time() - start >= 0.09


def test_xreadgroup_block_one_consumer_per_entry(server, r):
    r.xgroup_create("q", "g", id="$", mkstream=True)
    outs = [[] for _ in range(2)]
    threads = [threading.Thread(target=_blocked_read, args=(
        server.port, ["XREADGROUP", "GROUP", "g", "c%d" % i, "BLOCK", "2000", "STREAMS", "q", ">"],
        out)) for i, out in enumerate(outs)]
    for t in threads:
        t.start()
    _wait_blocked(r, 2)
    r.xadd("q", {"job": "1"}, id="1-0")
    for t in threads:
        t.join(TIMEOUT)
    got = sorted(outs, key=lambda o: o[0] is None)
    assert got[0] == [[[b"q", [[b"1-0", [b"job", b"1"]]]]]]
    assert got[1] == [None]  # the other consumer found nothing left and timed out
    assert r.xpending("q", "g")["pending"] == 1


# ---------------------------------------------------------------------------------------------
# Generic commands on streams.

def test_generic_commands_cover_streams(r):
    r.xadd("s", {"a": "1"}, id="1-0")
    r.xgroup_create("s", "g", id="0")
    r.xreadgroup("g", "c", {"s": ">"})
    assert r.type("s") == "stream"
    assert r.object("encoding", "s") == "stream"
    assert r.memory_usage("s") > 0
    assert r.copy("s", "t")
    r.xadd("s", {"a": "2"}, id="2-0")
    assert r.xlen("t") == 1 and r.xlen("s") == 2
    assert r.xinfo_groups("t")[0]["pending"] == 1  # the copy has its own groups
    assert r.rename("t", "{x}u")
    assert r.xrange("{x}u") == [("1-0", {"a": "1"})]
    assert sorted(r.scan(0, _type="stream", count=100)[1]) == ["s", "{x}u"]
    r.set("str", "x")
    assert list(r.scan_iter(_type="string")) == ["str"]
    with pytest.raises(Exception, match="WRONGTYPE"):
        r.sort("s")
    r.xdel("s", "1-0", "2-0")
    assert r.exists("s") == 1  # an empty stream stays
    assert r.xlen("s") == 0


def test_memory_per_entry_is_compact(r):
    pipe = r.pipeline(transaction=False)
    for i in range(20000):
        pipe.execute_command("XADD", "s", "*", "sensor", "42", "reading", str(i))
    pipe.execute()
    assert r.xlen("s") == 20000
    assert r.memory_usage("s", samples=0) / 20000 < 20  # Redis: about 14 bytes an entry here
