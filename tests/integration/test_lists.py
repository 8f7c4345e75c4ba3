"""Lists: every command's replies and errors, RESP2 and RESP3, and the blocking forms
(timeouts, FIFO wake-ups, a pusher on another shard)."""

import os
import threading
import time

import pytest

from helpers import NOT_INTEGER, SYNTAX, WRONGTYPE, arity, err, wait_until
from resp_client import RespClient, encode_command

NO_SUCH_KEY = err("ERR no such key")


def test_push_pop_range(r):
    assert r.lpush("l", "a", "b", "c") == 3
    assert r.rpush("l", "d", "e") == 5
    assert r.lrange("l", 0, -1) == ["c", "b", "a", "d", "e"]
    assert r.lrange("l", -2, 100) == ["d", "e"]
    assert r.lrange("l", 3, 1) == []
    assert r.lrange("l", -100, 0) == ["c"]
    assert r.llen("l") == 5
    assert r.lpop("l") == "c"
    assert r.rpop("l") == "e"
    assert r.lpop("l", 2) == ["b", "a"]
    assert r.rpop("l", 10) == ["d"]
    assert r.exists("l") == 0  # an emptied list is deleted
    assert r.lpop("l") is None
    assert r.llen("l") == 0
    assert r.lrange("missing", 0, -1) == []


def test_pushx_and_pop_count_shapes(raw, resp3):
    assert raw.execute("LPUSHX", "l", "a") == 0
    assert raw.execute("RPUSHX", "l", "a") == 0
    assert raw.execute("EXISTS", "l") == 0
    raw.execute("RPUSH", "l", "a", "b")
    assert raw.execute("LPUSHX", "l", "z") == 3
    assert raw.execute("RPUSHX", "l", "y", "x") == 5
    assert raw.execute("LPOP", "l", "0") == []
    assert raw.execute_raw("LPOP", "missing", "2") == b"*-1\r\n"
    assert raw.execute_raw("LPOP", "missing") == b"$-1\r\n"
    assert resp3.execute_raw("LPOP", "missing", "2") == b"_\r\n"
    assert resp3.execute_raw("RPOP", "missing") == b"_\r\n"
    assert raw.execute("LPOP", "l", "-1") == err("ERR value is out of range, must be positive")
    assert raw.execute("LPOP", "l", "x") == err("ERR value is out of range, must be positive")
    assert raw.execute("LPOP", "l", "1", "2") == arity("lpop")
    assert raw.execute("LPUSH", "l") == arity("lpush")


def test_index_set_insert(r, raw):
    r.rpush("l", "a", "b", "c")
    assert r.lindex("l", 0) == "a"
    assert r.lindex("l", -1) == "c"
    assert r.lindex("l", 3) is None
    assert r.lindex("missing", 0) is None
    assert raw.execute("LINDEX", "l", "x") == NOT_INTEGER
    assert r.lset("l", -1, "C") is True
    assert raw.execute("LSET", "l", "5", "x") == err("ERR index out of range")
    assert raw.execute("LSET", "missing", "0", "x") == NO_SUCH_KEY
    assert r.linsert("l", "before", "b", "x") == 4
    assert r.linsert("l", "AFTER", "C", "y") == 5
    assert r.lrange("l", 0, -1) == ["a", "x", "b", "C", "y"]
    assert r.linsert("l", "before", "nope", "z") == -1
    assert r.linsert("missing", "before", "a", "z") == 0
    assert raw.execute("LINSERT", "l", "middle", "a", "z") == SYNTAX


def test_lrem_and_ltrim(r):
    r.rpush("l", "a", "b", "a", "c", "a", "b")
    assert r.lrem("l", 1, "a") == 1
    assert r.lrange("l", 0, -1) == ["b", "a", "c", "a", "b"]
    assert r.lrem("l", -1, "b") == 1
    assert r.lrange("l", 0, -1) == ["b", "a", "c", "a"]
    assert r.lrem("l", 0, "a") == 2
    assert r.lrange("l", 0, -1) == ["b", "c"]
    assert r.lrem("l", 0, "zz") == 0
    r.rpush("t", *"abcdefg")
    assert r.ltrim("t", 1, -2) is True
    assert r.lrange("t", 0, -1) == list("bcdef")
    assert r.ltrim("t", 5, 10) is True
    assert r.exists("t") == 0  # trimmed to nothing: gone
    assert r.ltrim("missing", 0, 1) is True


def test_lpos(r, raw):
    r.rpush("l", "a", "b", "c", "1", "2", "3", "c", "c")
    assert r.lpos("l", "c") == 2
    assert r.lpos("l", "c", rank=2) == 6
    assert r.lpos("l", "c", rank=-1) == 7
    assert r.lpos("l", "c", count=0) == [2, 6, 7]
    assert r.lpos("l", "c", count=2, rank=-1) == [7, 6]
    assert r.lpos("l", "c", maxlen=3) == 2
    assert r.lpos("l", "c", maxlen=2) is None
    assert r.lpos("l", "zz", count=3) == []
    assert r.lpos("missing", "a") is None
    assert raw.execute("LPOS", "l", "c", "RANK", "0").message.startswith("ERR RANK can't be zero")
    assert raw.execute("LPOS", "l", "c", "COUNT", "-1") == err("ERR COUNT can't be negative")
    assert raw.execute("LPOS", "l", "c", "MAXLEN", "-1") == err("ERR MAXLEN can't be negative")
    assert raw.execute("LPOS", "l", "c", "BOGUS", "1") == SYNTAX


def test_lmove_rpoplpush_lmpop(r, raw, resp3):
    r.rpush("src", "a", "b", "c")
    assert r.lmove("src", "dst", "LEFT", "RIGHT") == "a"
    assert r.lmove("src", "dst", "RIGHT", "LEFT") == "c"
    assert r.lrange("dst", 0, -1) == ["c", "a"]
    assert r.rpoplpush("src", "dst") == "b"
    assert r.exists("src") == 0
    assert r.lrange("dst", 0, -1) == ["b", "c", "a"]
    assert r.rpoplpush("dst", "dst") == "a"  # rotation
    assert r.lrange("dst", 0, -1) == ["a", "b", "c"]
    assert r.lmove("missing", "dst", "LEFT", "LEFT") is None
    assert raw.execute("LMOVE", "dst", "x", "UP", "LEFT") == SYNTAX
    r.set("str", "v")
    assert raw.execute("LMOVE", "dst", "str", "LEFT", "LEFT") == WRONGTYPE
    assert r.lrange("dst", 0, -1) == ["a", "b", "c"]  # nothing moved
    assert raw.execute("LMPOP", "2", "missing", "dst", "LEFT", "COUNT", "2") == [b"dst", [b"a", b"b"]]
    assert raw.execute("LMPOP", "1", "dst", "RIGHT") == [b"dst", [b"c"]]
    assert raw.execute_raw("LMPOP", "1", "dst", "RIGHT") == b"*-1\r\n"
    assert resp3.execute_raw("LMPOP", "1", "dst", "RIGHT") == b"_\r\n"
    assert raw.execute("LMPOP", "0", "dst", "LEFT") == err("ERR numkeys should be greater than 0")
    assert raw.execute("LMPOP", "1", "dst", "LEFT", "COUNT", "0") == \
        err("ERR count should be greater than 0")
    assert raw.execute("LMPOP", "1", "dst", "SIDEWAYS") == SYNTAX
    assert raw.execute("LMPOP", "x", "dst", "LEFT") == err("ERR numkeys should be greater than 0")
    assert raw.execute("LMPOP", "5", "dst", "LEFT") == SYNTAX


def test_wrongtype(r, raw):
    r.set("s", "v")
    for command in (("LPUSH", "s", "a"), ("RPUSH", "s", "a"), ("LPOP", "s"), ("LLEN", "s"),
                    ("LRANGE", "s", "0", "1"), ("LINDEX", "s", "0"), ("LSET", "s", "0", "a"),
                    ("LREM", "s", "0", "a"), ("LTRIM", "s", "0", "1"), ("LPOS", "s", "a"),
                    ("LINSERT", "s", "BEFORE", "a", "b"), ("BLPOP", "s", "0.1")):
        assert raw.execute(*command) == WRONGTYPE, command
    r.rpush("l", "a")
    assert raw.execute("GET", "l") == WRONGTYPE
    assert raw.execute("TYPE", "l") == "list"


def test_binary_safe_and_big_lists(rb):
    blob = bytes(range(256)) * 3
    assert rb.rpush("bin", blob, b"", b"\r\n") == 3
    assert rb.lrange("bin", 0, -1) == [blob, b"", b"\r\n"]
    values = [str(i).encode() * (i % 7) for i in range(3000)]
    rb.rpush("big", *values)
    assert rb.llen("big") == 3000
    assert rb.lrange("big", 0, -1) == values
    assert rb.lindex("big", 1500) == values[1500]
    assert rb.lrange("big", 2990, -1) == values[2990:]


def test_error_precedence(r, raw):
    """Which check wins when several fail, as in Redis: LINDEX/LSET look the key up first,
    LRANGE/LTRIM/LREM parse first, LPOS parses every option before the lookup."""
    r.rpush("l", "a", "b")
    assert raw.execute("LSET", "missing", "x", "v") == NO_SUCH_KEY
    assert raw.execute("LSET", "l", "x", "v") == NOT_INTEGER
    assert raw.execute_raw("LINDEX", "missing", "x") == b"$-1\r\n"
    assert raw.execute("LRANGE", "missing", "x", "0") == NOT_INTEGER
    assert raw.execute("LTRIM", "missing", "0", "x") == NOT_INTEGER
    assert raw.execute("LREM", "missing", "x", "a") == NOT_INTEGER
    assert raw.execute("LINSERT", "missing", "SIDEWAYS", "a", "b") == SYNTAX
    assert raw.execute("LPOS", "missing", "a", "RANK", "0").message.startswith("ERR RANK can't be zero")
    assert raw.execute("LPOS", "l", "a", "RANK", "x") == NOT_INTEGER
    assert raw.execute("LPOS", "l", "a", "COUNT", "x") == err("ERR COUNT can't be negative")
    assert raw.execute("LPOS", "l", "a", "MAXLEN", "x") == err("ERR MAXLEN can't be negative")
    assert raw.execute("LPOS", "l", "a", "COUNT", "-1", "RANK", "0") == err("ERR COUNT can't be negative")
    assert raw.execute("LPOS", "l", "a", "COUNT") == SYNTAX
    assert raw.execute("LPOS", "l", "a", "RANK", "1", "FOO") == SYNTAX
    assert raw.execute("LMOVE", "missing", "x", "LEFT", "UP") == SYNTAX
    assert raw.execute("LMPOP", "1", "l", "LEFT", "COUNT") == SYNTAX
    assert raw.execute("LMPOP", "1", "l", "LEFT", "COUNT", "1", "COUNT", "1") == SYNTAX
    assert raw.execute("LMPOP", "1", "l", "LEFT", "FOO") == SYNTAX
    assert raw.execute("LMPOP", "1", "l", "LEFT", "COUNT", "x") == err("ERR count should be greater than 0")
    assert raw.execute("LMPOP", "1", "l") == arity("lmpop")
    assert raw.execute("LPOP") == arity("lpop")
    assert raw.execute("LRANGE", "l", "0") == arity("lrange")
    r.set("s", "v")
    assert raw.execute("LMPOP", "2", "missing", "s", "LEFT") == WRONGTYPE
    assert raw.execute("RPOPLPUSH", "s", "l") == WRONGTYPE
    assert raw.execute("RPOPLPUSH", "l", "s") == WRONGTYPE
    assert r.lrange("l", 0, -1) == ["a", "b"]


def test_resp3_shapes(resp3):
    """RESP3: nulls are `_`, arrays stay arrays (LPOS COUNT, LMPOP's [key, [elements]])."""
    resp3.execute("RPUSH", "l", "a", "b", "a")
    assert resp3.execute_raw("LPOS", "l", "a", "COUNT", "0") == b"*2\r\n:0\r\n:2\r\n"
    assert resp3.execute_raw("LPOS", "l", "zz") == b"_\r\n"
    assert resp3.execute_raw("LPOS", "missing", "a", "COUNT", "0") == b"*0\r\n"
    assert resp3.execute_raw("LINDEX", "l", "9") == b"_\r\n"
    assert resp3.execute_raw("LRANGE", "missing", "0", "-1") == b"*0\r\n"
    assert resp3.execute_raw("LPOP", "l", "0") == b"*0\r\n"
    assert resp3.execute_raw("LPOP", "missing", "0") == b"_\r\n"
    assert resp3.execute_raw("LMOVE", "missing", "l", "LEFT", "LEFT") == b"_\r\n"
    assert resp3.execute_raw("RPOPLPUSH", "missing", "l") == b"_\r\n"
    assert resp3.execute_raw("LMPOP", "1", "l", "LEFT", "COUNT", "2") == \
        b"*2\r\n$1\r\nl\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n"
    assert resp3.execute_raw("RPOP", "l", "5") == b"*1\r\n$1\r\na\r\n"
    assert resp3.execute("EXISTS", "l") == 0


def test_random_operations_with_tiny_nodes(rb):
    """A few hundred random operations against a Python model, with 3-entry nodes so that
    inserts, removals and trims cross node boundaries (restores the setting afterwards)."""
    import random
    old = rb.config_get("list-max-listpack-size")["list-max-listpack-size"]
    rb.config_set("list-max-listpack-size", 3)
    try:
        rng = random.Random(7)
        model = {b"x": [], b"y{t}": []}
        for _ in range(600):
            key = rng.choice(list(model))
            other = rng.choice(list(model))
            lst = model[key]
            v = b"v%d" % rng.randrange(12)
            op = rng.randrange(8)
            if op == 0:
                assert rb.lpush(key, v) == len(lst) + 1
                lst.insert(0, v)
            elif op == 1:
                assert rb.rpush(key, v, v + b"!") == len(lst) + 2
                lst += [v, v + b"!"]
            elif op == 2 and lst:
                pivot = rng.choice(lst)
                where = rng.choice(["BEFORE", "AFTER"])
                assert rb.linsert(key, where, pivot, v) == len(lst) + 1
                i = lst.index(pivot)
                lst.insert(i + (where == "AFTER"), v)
            elif op == 3 and lst:
                count = rng.randrange(-2, 3)
                seq = lst if count >= 0 else lst[::-1]
                limit = abs(count) or len(lst)
                keep, removed = [], 0
                for e in seq:
                    if e == v and removed < limit:
                        removed += 1
                    else:
                        keep.append(e)
                assert rb.lrem(key, count, v) == removed
                lst[:] = keep if count >= 0 else keep[::-1]
            elif op == 4 and lst:
                i = rng.randrange(-len(lst), len(lst))
                assert rb.lset(key, i, v) is True
                lst[i] = v
            elif op == 5:
                got = rb.lmove(key, other, "RIGHT", "LEFT")
                assert got == (lst[-1] if lst else None)
                if lst:
                    model[other].insert(0, lst.pop())
            elif op == 6 and len(lst) > 4 and rng.random() < 0.3:
                start, stop = rng.randrange(3), -rng.randrange(1, 3)
                assert rb.ltrim(key, start, stop) is True
                lst[:] = lst[start:len(lst) + stop + 1]
            elif op == 7:
                assert rb.lpop(key) == (lst.pop(0) if lst else None)
            for k, expected in model.items():
                assert rb.lrange(k, 0, -1) == expected
    finally:
        rb.config_set("list-max-listpack-size", old)


@pytest.mark.ember_only("encoding names for lists differ across Redis versions")
def test_encodings(r):
    r.rpush("small", "a", "b")
    assert r.object("encoding", "small") == "listpack"
    r.rpush("large", *["x" * 100] * 200)
    assert r.object("encoding", "large") == "quicklist"


def test_blpop_returns_at_once_when_data_exists(r, raw):
    r.rpush("b", "x")
    assert raw.execute("BLPOP", "empty", "b", "1") == [b"b", b"x"]
    assert raw.execute("BLPOP", "b", "-1") == err("ERR timeout is negative")
    assert raw.execute("BLPOP", "b", "abc") == err("ERR timeout is not a float or out of range")
    assert raw.execute("BLPOP", "b") == arity("blpop")


def test_blpop_times_out_with_null(raw, resp3):
    start = time.monotonic()
    assert raw.execute_raw("BLPOP", "nothing", "0.2") == b"*-1\r\n"
    assert 0.15 <= time.monotonic() - start < 3
    assert resp3.execute_raw("BRPOP", "nothing", "0.1") == b"_\r\n"
    assert raw.execute_raw("BLMOVE", "nothing", "dst", "LEFT", "LEFT", "0.1") == b"*-1\r\n"
    assert raw.execute_raw("BLMPOP", "0.1", "1", "nothing", "LEFT") == b"*-1\r\n"
    assert raw.execute("PING") == "PONG"  # the connection works afterwards


def _push_later(port, delay, *command):
    def run():
        time.sleep(delay)
        with RespClient(port=port) as c:
            c.execute(*command)
    t = threading.Thread(target=run)
    t.start()
    return t


@pytest.mark.parametrize("key", ["q", "other{x}", "k:17", "k:99"])  # keys on several shards
def test_blpop_is_woken_by_a_push(server, connect, key):
    waiter = connect()
    t = _push_later(server.port, 0.2, "RPUSH", key, "hello")
    start = time.monotonic()
    assert waiter.execute("BLPOP", "unrelated", key, "5") == [key.encode(), b"hello"]
    assert time.monotonic() - start < 4
    t.join()
    assert waiter.execute("EXISTS", key) == 0


def test_blocked_clients_are_served_in_order(server, connect):
    clients = [connect() for _ in range(3)]
    for c in clients:
        c.send_raw(b"*3\r\n$5\r\nBLPOP\r\n$4\r\nfifo\r\n$1\r\n5\r\n")
        time.sleep(0.1)  # block in a known order
    pusher = connect()
    assert pusher.execute("RPUSH", "fifo", "1", "2", "3") == 3
    assert [c.read_reply() for c in clients] == [[b"fifo", b"1"], [b"fifo", b"2"], [b"fifo", b"3"]]


def test_blmove_and_brpoplpush_wake(server, connect):
    waiter = connect()
    t = _push_later(server.port, 0.2, "RPUSH", "from", "v")
    assert waiter.execute("BLMOVE", "from", "to", "RIGHT", "LEFT", "5") == b"v"
    t.join()
    assert waiter.execute("LRANGE", "to", "0", "-1") == [b"v"]
    t = _push_later(server.port, 0.2, "RPUSH", "from2", "w")
    assert waiter.execute("BRPOPLPUSH", "from2", "to", "5") == b"w"
    t.join()
    t = _push_later(server.port, 0.2, "RPUSH", "m", "a", "b", "c")
    assert waiter.execute("BLMPOP", "5", "2", "n", "m", "LEFT", "COUNT", "2") == [b"m", [b"a", b"b"]]
    t.join()


def test_pipelined_commands_wait_behind_a_blocked_one(server, connect):
    c = connect()
    c.send_raw(b"*3\r\n$5\r\nBLPOP\r\n$2\r\npl\r\n$1\r\n5\r\n*1\r\n$4\r\nPING\r\n")
    time.sleep(0.2)
    with RespClient(port=server.port) as p:
        p.execute("RPUSH", "pl", "z")
    assert c.read_reply() == [b"pl", b"z"]
    assert c.read_reply() == "PONG"


def test_much_input_behind_a_blocked_command_runs_in_order_after_it(server, connect, r):
    """A parked client keeps sending: 600 KB of INCRs wait behind its BLPOP (more than the server
    takes in from one connection at a time) and all run, in order, once it wakes."""
    c = connect(timeout=30)
    c.send_raw(encode_command("BLPOP", "parked", "0"))
    assert wait_until(lambda: r.info("clients")["blocked_clients"] == 1, 5)
    count = 20000
    payload = b"".join(encode_command("INCR", "after:parked") for _ in range(count))
    sender = threading.Thread(target=c.send_raw, args=(payload,), daemon=True)
    sender.start()
    sender.join(0.5)  # most of it reaches the server while the client is parked
    assert r.get("after:parked") is None
    assert r.rpush("parked", "go") == 1
    replies = c.read_replies(1 + count, timeout=30)
    sender.join(10)
    assert replies[0] == [b"parked", b"go"]
    assert replies[1:] == list(range(1, count + 1))
    assert r.info("clients")["blocked_clients"] == 0


def _cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_parked_client_with_queued_input_costs_no_cpu(server, connect, r):
    """Input behind a BLPOP waits without the event loop spinning on it: a few bytes, and more
    than the client's read buffer holds."""
    c = connect(timeout=30)
    c.send_raw(encode_command("BLPOP", "parked2", "0"))
    assert wait_until(lambda: r.info("clients")["blocked_clients"] == 1, 5)
    c.send_raw(encode_command("PING"))
    time.sleep(0.1)
    pings = 3000  # ~42 KB: fills the read buffer
    c.send_raw(encode_command("PING") * pings)
    time.sleep(0.2)
    before = _cpu_seconds(server.pid)
    time.sleep(1.0)
    used = _cpu_seconds(server.pid) - before
    assert used < 0.3, "the server used %.2f s of CPU in 1 s with nothing to do" % used
    assert r.rpush("parked2", "go") == 1
    replies = c.read_replies(2 + pings, timeout=30)
    assert replies[0] == [b"parked2", b"go"]
    assert replies[1:] == ["PONG"] * (1 + pings)


@pytest.mark.parametrize("queued", [b"", encode_command("PING")], ids=["idle", "with-input"])
def test_a_client_that_hangs_up_while_blocked_is_forgotten(server, connect, queued):
    key = "gone" if not queued else "gone2"
    c = connect()
    c.send_raw(encode_command("BLPOP", key, "0"))
    time.sleep(0.1)
    if queued:  # input behind the BLPOP does not keep the dead client parked
        c.send_raw(queued)
        time.sleep(0.1)
    c.close()
    time.sleep(0.1)
    with RespClient(port=server.port) as p:
        assert p.execute("RPUSH", key, "a") == 1
        time.sleep(0.1)
        assert p.execute("LRANGE", key, "0", "-1") == [b"a"]  # nobody took it


def test_a_client_that_hangs_up_behind_a_flood_of_queued_input_is_forgotten(server, connect, r):
    """A parked client sends megabytes behind its BLPOP, more than the server buffers and the
    sockets hold, then hangs up. The server reads on while it is parked (as Redis reads into the
    query buffer), so it sees the hang-up: the next push is not handed to the dead client."""
    c = connect(timeout=5)
    c.send_raw(encode_command("BLPOP", "flooded", "0"))
    assert wait_until(lambda: r.info("clients")["blocked_clients"] == 1, 5)
    payload = encode_command("PING") * 250000  # 3.5 MB
    sender = threading.Thread(target=lambda: _send_ignoring_errors(c, payload), daemon=True)
    sender.start()
    sender.join(3)
    c.close()
    assert wait_until(lambda: r.info("clients")["blocked_clients"] == 0, 5)
    assert r.rpush("flooded", "a") == 1
    assert r.lrange("flooded", 0, -1) == ["a"]  # nobody took it


def _send_ignoring_errors(client, payload):
    try:
        client.send_raw(payload)
    except OSError:
        pass  # the test closes the socket under a send the server never took


def test_a_parked_client_past_the_query_buffer_limit_is_closed(server, connect, r):
    """Input queued behind a blocking command counts against client-query-buffer-limit, as in
    Redis: past it the client is closed rather than held in memory."""
    raw = connect()
    assert raw.execute("CONFIG", "SET", "client-query-buffer-limit", "1mb") == "OK"
    try:
        c = connect(timeout=5)
        c.send_raw(encode_command("BLPOP", "limited", "0"))
        assert wait_until(lambda: r.info("clients")["blocked_clients"] == 1, 5)
        _send_ignoring_errors(c, encode_command("PING") * 150000)  # 2.1 MB
        assert c.read_until_closed(timeout=5) == (b"", True)
        assert wait_until(lambda: r.info("clients")["blocked_clients"] == 0, 5)
        assert r.ping()
    finally:
        assert raw.execute("CONFIG", "SET", "client-query-buffer-limit", "1gb") == "OK"


def test_a_killed_parked_client_leaves_the_element_to_the_next_one(server, connect, r):
    """CLIENT KILL and a push in one pipeline: as in Redis, the killed client takes nothing, and
    the wake-up it would have had goes to the next client waiting on the key."""
    first, second = connect(), connect()
    first_id = first.execute("CLIENT", "ID")
    first.send_raw(encode_command("BLPOP", "handoff", "0"))
    assert wait_until(lambda: r.info("clients")["blocked_clients"] == 1, 5)
    second.send_raw(encode_command("BLPOP", "handoff", "0"))
    assert wait_until(lambda: r.info("clients")["blocked_clients"] == 2, 5)
    killer = connect()
    killer.send_raw(encode_command("CLIENT", "KILL", "ID", str(first_id))
                    + encode_command("RPUSH", "handoff", "v"))
    assert killer.read_replies(2) == [1, 1]
    assert second.read_reply(timeout=5) == [b"handoff", b"v"]
    assert first.read_until_closed(timeout=5) == (b"", True)
    assert r.llen("handoff") == 0


def test_a_move_within_one_list_serves_the_next_waiter_in_turn(server, connect, r):
    """BLMOVE k k hands the element it puts back to the next client in line, as Redis does, not
    to a later one (naming the key twice once woke two clients, who raced for it)."""
    for attempt in range(5):
        key = "rot:%d" % attempt
        clients = [connect() for _ in range(4)]
        commands = [("BLMOVE", key, key, "RIGHT", "LEFT", "0"), ("BLPOP", key, "0")] + \
                   [("BLPOP", key, "0")] * 2
        for n, (c, command) in enumerate(zip(clients, commands)):
            c.send_command(*command)
            assert wait_until(lambda: r.info("clients")["blocked_clients"] == n + 1, 5)
        assert r.rpush(key, "v") == 1
        assert clients[0].read_reply(timeout=5) == b"v"
        assert clients[1].read_reply(timeout=5) == [key.encode(), b"v"]
        assert r.info("clients")["blocked_clients"] == 2
        for c in clients[2:]:
            c.close()
        assert wait_until(lambda: r.info("clients")["blocked_clients"] == 0, 5)
