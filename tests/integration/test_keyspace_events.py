"""Keyspace notifications (notify-keyspace-events): the same commands go to ember and to a real
redis-server while a subscriber listens on every __keyspace@*__ / __keyevent@*__ channel; the
messages, in order, must be the same. Expired and evicted events come from the keyspace itself;
nothing is announced while the classes are off."""

import time

import pytest

import harness
from helpers import DIFFERENTIAL, wait_until
from resp_client import RespClient

TIMEOUT = 10.0 * harness.SLOWDOWN

COMMANDS = [
    ["SET", "s", "1"], ["SET", "s", "2", "EX", "100"], ["SETEX", "s2", "100", "v"], ["SETNX", "s3", "v"],
    ["SETNX", "s3", "v"], ["GETSET", "s3", "w"], ["APPEND", "s3", "x"], ["SETRANGE", "s3", "1", "yy"],
    ["INCR", "n"], ["INCRBY", "n", "5"], ["DECR", "n"], ["INCRBYFLOAT", "f", "1.5"],
    ["MSET", "m1", "a", "m2", "b"], ["GETDEL", "m1"], ["GETEX", "m2", "PX", "100000"], ["GETEX", "m2", "PERSIST"],
    ["EXPIRE", "s", "1000"], ["PEXPIRE", "s", "1000000"], ["PERSIST", "s"], ["EXPIRE", "s2", "-1"],
    ["RENAME", "s3", "s4"], ["COPY", "s4", "s5"], ["MOVE", "s5", "1"], ["DEL", "s4", "nokey", "n"],
    ["RPUSH", "l", "a", "b", "c", "d"], ["LPUSH", "l", "z"], ["LPUSHX", "nol", "x"], ["LSET", "l", "0", "y"],
    ["LINSERT", "l", "BEFORE", "a", "q"], ["LREM", "l", "1", "q"], ["LTRIM", "l", "0", "2"], ["LPOP", "l"],
    ["RPOP", "l", "1"], ["LMOVE", "l", "l2", "LEFT", "RIGHT"], ["RPOPLPUSH", "l2", "l3"],
    ["HSET", "h", "a", "1", "b", "2"], ["HSETNX", "h", "a", "x"], ["HSETNX", "h", "c", "3"],
    ["HINCRBY", "h", "a", "2"], ["HINCRBYFLOAT", "h", "b", "0.5"], ["HDEL", "h", "a", "zz"],
    ["HDEL", "h", "b", "c"],
    ["SADD", "st", "a", "b", "c"], ["SADD", "st", "a"], ["SREM", "st", "a"], ["SMOVE", "st", "st2", "b"],
    ["SPOP", "st"], ["SADD", "x1", "1", "2"], ["SADD", "x2", "2", "3"], ["SINTERSTORE", "xi", "x1", "x2"],
    ["SUNIONSTORE", "xu", "x1", "x2"], ["SDIFFSTORE", "xd", "x1", "x1"], ["SDIFFSTORE", "xi", "x1", "x1"],
    ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"], ["ZADD", "z", "1", "a"], ["ZINCRBY", "z", "1", "a"],
    ["ZREM", "z", "a"], ["ZPOPMIN", "z"], ["ZPOPMAX", "z", "5"], ["ZADD", "z", "1", "a", "2", "b", "3", "c"],
    ["ZREMRANGEBYRANK", "z", "0", "0"], ["ZREMRANGEBYSCORE", "z", "2", "2"], ["ZREMRANGEBYLEX", "z", "-", "+"],
    ["ZADD", "za", "1", "a"], ["ZUNIONSTORE", "zu", "1", "za"], ["ZINTERSTORE", "zi", "1", "za"],
    ["ZRANGESTORE", "zr", "za", "0", "-1"], ["ZDIFFSTORE", "zd", "1", "za"],
    ["RPUSH", "sl", "3", "1", "2"], ["SORT", "sl", "STORE", "sorted"],
    ["MULTI"], ["SET", "t1", "1"], ["LPUSH", "t2", "a"], ["EXEC"],
    ["FLUSHDB"],
]


def _collect(port, commands, flags, expect=None):
    """Runs `commands` on one connection while another PSUBSCRIBEs to every keyspace channel;
    returns the [channel, message] pairs received."""
    with RespClient(port=port, timeout=TIMEOUT) as admin, \
            RespClient(port=port, timeout=TIMEOUT) as sub:
        admin.execute("FLUSHALL")
        assert admin.execute("CONFIG", "SET", "notify-keyspace-events", flags) == "OK"
        sub.execute("PSUBSCRIBE", "__key*__:*")
        for command in commands:
            admin.execute(*command)
        admin.execute("CONFIG", "SET", "notify-keyspace-events", "")
        got = []
        deadline = time.monotonic() + (TIMEOUT if expect is not None else 0.3 * harness.SLOWDOWN)
        while (expect is None or len(got) < expect) and time.monotonic() < deadline:
            try:
                message = sub.read_reply(timeout=max(0.01, deadline - time.monotonic()))
            except OSError:
                break
            got.append(message[2:])
        return got


def _differential(test):
    for mark in DIFFERENTIAL:
        test = mark(test)
    return test


@_differential
@pytest.mark.parametrize("flags", ["KEA", "Kg", "E$lshz", "KA"])
def test_same_events_as_redis(server, redis_ref, flags):
    expected = _collect(redis_ref.port, COMMANDS, flags)
    assert expected, "redis-server announced nothing: the script is broken"
    got = _collect(server.port, COMMANDS, flags, expect=len(expected))
    assert got == expected


@_differential
def test_expired_and_keymiss_like_redis(server, redis_ref):
    script = [["SET", "e", "1", "PX", "20"], ["GET", "missing"], ["SET", "lazy", "1", "PX", "20"]]

    def run(port):
        with RespClient(port=port, timeout=TIMEOUT) as admin, \
                RespClient(port=port, timeout=TIMEOUT) as sub:
            admin.execute("FLUSHALL")
            admin.execute("CONFIG", "SET", "notify-keyspace-events", "Exm")
            sub.execute("PSUBSCRIBE", "__keyevent@0__:*")
            for command in script:
                admin.execute(*command)
            time.sleep(0.1)
            admin.execute("GET", "lazy")  # expired: deleted on the way (or already swept)
            seen = set()
            deadline = time.monotonic() + TIMEOUT
            while len(seen) < 4 and time.monotonic() < deadline:
                m = sub.read_reply(timeout=TIMEOUT)
                seen.add((m[2], m[3]))
            admin.execute("CONFIG", "SET", "notify-keyspace-events", "")
            return seen

    # "e" goes by active expiry, "lazy" when the GET meets it (then that GET misses too).
    expected = {(b"__keyevent@0__:expired", b"e"), (b"__keyevent@0__:expired", b"lazy"),
                (b"__keyevent@0__:keymiss", b"missing"), (b"__keyevent@0__:keymiss", b"lazy")}
    assert run(redis_ref.port) == expected
    assert run(server.port) == expected


def test_evicted_event(make_server):
    srv = make_server(extra_args=["--maxmemory", "4mb", "--maxmemory-policy", "allkeys-random"])
    with RespClient(port=srv.port, timeout=TIMEOUT) as admin, \
            RespClient(port=srv.port, timeout=TIMEOUT) as sub:
        admin.execute("CONFIG", "SET", "notify-keyspace-events", "Ee")
        sub.execute("SUBSCRIBE", "__keyevent@0__:evicted")
        value = b"x" * 1000
        for i in range(0, 20000, 100):
            admin.send_raw(b"".join(b"*3\r\n$3\r\nSET\r\n$%d\r\nk%d\r\n$1000\r\n%s\r\n"
                                    % (len(b"k%d" % j), j, value) for j in range(i, i + 100)))
            admin.read_replies(100)
        message = sub.read_reply(timeout=TIMEOUT)
        assert message[0] == b"message" and message[1] == b"__keyevent@0__:evicted"
        assert message[2].startswith(b"k")


def test_nothing_is_announced_while_off(server):
    got = _collect(server.port, [["SET", "a", "1"], ["DEL", "a"]], "")
    assert got == []


def test_config_get_shows_the_classes(r):
    for given, shown in [("KEA", "AKE"), ("Elg", "glE"), ("", ""), ("Kxn", "xnK"), ("Km", "Km")]:
        r.config_set("notify-keyspace-events", given)
        assert r.config_get("notify-keyspace-events")["notify-keyspace-events"] == shown
    r.config_set("notify-keyspace-events", "")


def test_own_events_in_resp3_never_land_inside_a_reply(server):
    with RespClient(port=server.port, timeout=TIMEOUT) as c:
        c.execute("HELLO", "3")
        c.execute("CONFIG", "SET", "notify-keyspace-events", "KA")
        try:
            c.execute("SUBSCRIBE", "__keyspace@0__:own")
            c.send_raw(b"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$3\r\nown\r\n$1\r\n1\r\n"
                       b"*2\r\n$4\r\nINCR\r\n$3\r\nown\r\n*1\r\n$4\r\nEXEC\r\n"
                       b"*3\r\n$5\r\nLPUSH\r\n$1\r\nx\r\n$1\r\n1\r\n")
            frames = c.read_replies(7)
            # Pushes come between replies (after the EXEC's array when it ran on this thread),
            # never inside one: the replies parse whole, in order.
            pushes = [f for f in frames if isinstance(f, list) and f[:1] == [b"message"]]
            replies = [f for f in frames if not (isinstance(f, list) and f[:1] == [b"message"])]
            assert replies == ["OK", "QUEUED", "QUEUED", ["OK", 2], 1]
            assert [p[-1] for p in pushes] == [b"set", b"incrby"]
        finally:
            c.execute("CONFIG", "SET", "notify-keyspace-events", "")
