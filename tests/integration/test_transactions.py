"""MULTI / EXEC / DISCARD / WATCH / UNWATCH: the same scripts go to ember and to a real
redis-server and every reply's bytes must match (RESP2 and RESP3); WATCH is touched by writes,
expiry, FLUSHDB, SWAPDB and RENAME on any shard; EXEC is atomic across shards under concurrency;
redis-py's transactional pipelines work; an EXEC is journaled as one unit."""

import threading
import time

import pytest
import redis

import harness
from helpers import DIFFERENTIAL
from resp_client import RespClient

TIMEOUT = 10.0 * harness.SLOWDOWN


def differential(test):
    for mark in DIFFERENTIAL:
        test = mark(test)
    return test


# Scripts: steps (client, command...) or ("sleep", seconds). Keys a, b, c, d land on different
# shards in the 4-shard configurations, so EXEC crosses shards.
SCRIPTS = {
    "basic": [
        (0, "MULTI"), (0, "SET", "a", "1"), (0, "INCR", "a"), (0, "LPUSH", "b", "x", "y"),
        (0, "MGET", "a", "c"), (0, "EXEC"), (0, "GET", "a")],
    "empty": [(0, "MULTI"), (0, "EXEC"), (0, "MULTI"), (0, "PING"), (0, "ECHO", "hi"), (0, "EXEC")],
    "nested_and_watch_inside": [
        (0, "MULTI"), (0, "MULTI"), (0, "WATCH", "a"), (0, "SET", "a", "1"), (0, "EXEC"),
        (0, "GET", "a")],
    "queue_errors_abort": [
        (0, "MULTI"), (0, "SET", "a", "1"), (0, "NOSUCHCOMMAND", "x"), (0, "EXEC"), (0, "GET", "a"),
        (0, "MULTI"), (0, "GET"), (0, "EXEC"), (0, "MULTI"), (0, "SAVE"), (0, "EXEC"),
        (0, "MULTI"), (0, "SHUTDOWN"), (0, "EXEC")],
    "runtime_errors_per_command": [
        (0, "MULTI"), (0, "SET", "a", "x"), (0, "INCR", "a"), (0, "LPUSH", "a", "1"),
        (0, "SET", "b", "2"), (0, "INCRBY", "b", "notanumber"), (0, "EXEC"), (0, "MGET", "a", "b")],
    "without_multi": [(0, "EXEC"), (0, "DISCARD"), (0, "UNWATCH"), (0, "MULTI"), (0, "DISCARD"),
                      (0, "DISCARD")],
    "discard_keeps_nothing": [
        (0, "SET", "a", "0"), (0, "MULTI"), (0, "INCR", "a"), (0, "DISCARD"), (0, "GET", "a"),
        (0, "MULTI"), (0, "EXEC")],
    "watch_untouched": [
        (0, "SET", "a", "1"), (0, "WATCH", "a", "b", "c"), (1, "GET", "a"), (1, "SET", "d", "1"),
        (0, "MULTI"), (0, "INCR", "a"), (0, "EXEC")],
    "watch_touched_by_other_client": [
        (0, "WATCH", "a"), (1, "SET", "a", "2"), (0, "MULTI"), (0, "SET", "c", "1"), (0, "EXEC"),
        (0, "EXISTS", "c")],
    "watch_touched_on_other_shard": [
        (0, "WATCH", "a", "b", "c", "d"), (1, "LPUSH", "d", "x"), (0, "MULTI"), (0, "SET", "a", "1"),
        (0, "EXEC"), (0, "EXISTS", "a")],
    "own_write_before_multi_aborts": [
        (0, "WATCH", "a"), (0, "SET", "a", "1"), (0, "MULTI"), (0, "GET", "a"), (0, "EXEC")],
    "unwatch_forgets": [
        (0, "WATCH", "a"), (1, "SET", "a", "2"), (0, "UNWATCH"), (0, "MULTI"), (0, "GET", "a"),
        (0, "EXEC")],
    "exec_forgets_watches": [
        (0, "WATCH", "a"), (0, "MULTI"), (0, "PING"), (0, "EXEC"), (1, "SET", "a", "3"),
        (0, "MULTI"), (0, "GET", "a"), (0, "EXEC")],
    "discard_forgets_watches": [
        (0, "WATCH", "a"), (0, "MULTI"), (0, "DISCARD"), (1, "SET", "a", "3"), (0, "MULTI"),
        (0, "GET", "a"), (0, "EXEC")],
    "watch_missing_key_created": [
        (0, "WATCH", "nokey"), (1, "SET", "nokey", "1"), (0, "MULTI"), (0, "PING"), (0, "EXEC")],
    "watch_noop_write_does_not_abort": [
        (0, "SADD", "s", "m"), (0, "WATCH", "s"), (1, "SADD", "s", "m"), (1, "SREM", "s", "zz"),
        (0, "MULTI"), (0, "SCARD", "s"), (0, "EXEC")],
    "watch_flushdb_existing": [
        (0, "SET", "a", "1"), (0, "WATCH", "a"), (1, "FLUSHDB"), (0, "MULTI"), (0, "PING"),
        (0, "EXEC")],
    "watch_flushall_missing_key": [
        (0, "WATCH", "nokey"), (1, "FLUSHALL"), (0, "MULTI"), (0, "PING"), (0, "EXEC")],
    "watch_swapdb": [
        (1, "SELECT", "1"), (1, "SET", "a", "in1"), (0, "WATCH", "a"), (1, "SWAPDB", "0", "1"),
        (0, "MULTI"), (0, "GET", "a"), (0, "EXEC")],
    "watch_rename": [
        (0, "SET", "a", "1"), (0, "WATCH", "b"), (1, "RENAME", "a", "b"), (0, "MULTI"),
        (0, "GET", "b"), (0, "EXEC")],
    "watch_expire": [
        (0, "SET", "a", "1", "PX", "30"), (0, "WATCH", "a"), ("sleep", 0.1), (0, "MULTI"),
        (0, "PING"), (0, "EXEC")],
    "watch_other_db": [
        (0, "WATCH", "a"), (1, "SELECT", "3"), (1, "SET", "a", "1"), (0, "MULTI"), (0, "PING"),
        (0, "EXEC")],
    "select_inside": [
        (0, "MULTI"), (0, "SELECT", "2"), (0, "SET", "a", "in2"), (0, "EXEC"), (0, "GET", "a"),
        (0, "SELECT", "0"), (0, "EXISTS", "a")],
    "blocking_inside_does_not_block": [
        (0, "MULTI"), (0, "BLPOP", "nol", "0"), (0, "BLMOVE", "nol", "x", "LEFT", "LEFT", "0"),
        (0, "BZPOPMIN", "noz", "0"), (0, "RPUSH", "l", "1"), (0, "BLPOP", "l", "0"), (0, "EXEC")],
    "cross_shard_multi_key_inside": [
        (0, "MULTI"), (0, "MSET", "a", "1", "b", "2", "c", "3", "d", "4"), (0, "RENAME", "a", "e"),
        (0, "MGET", "a", "b", "c", "d", "e"), (0, "DBSIZE"), (0, "EXEC")],
    "all_shards_inside": [
        (0, "SET", "a", "1"), (0, "MULTI"), (0, "SET", "b", "2"), (0, "DBSIZE"), (0, "FLUSHDB"),
        (0, "DBSIZE"), (0, "EXEC")],
    "reset_ends_multi": [
        (0, "WATCH", "a"), (0, "MULTI"), (0, "SET", "a", "1"), (0, "RESET"), (0, "EXEC"),
        (0, "EXISTS", "a")],
}


def _run(port, steps, resp3):
    clients = {}
    out = []
    try:
        for step in steps:
            if step[0] == "sleep":
                time.sleep(step[1])
                continue
            index, *command = step
            if index not in clients:
                clients[index] = RespClient(port=port, timeout=TIMEOUT)
                if resp3:
                    clients[index].execute("HELLO", "3")
            out.append((index, command, clients[index].execute_raw(*command)))
    finally:
        for c in clients.values():
            c.close()
    return out


@differential
@pytest.mark.parametrize("resp3", [False, True], ids=["resp2", "resp3"])
@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_same_replies_as_redis(server, redis_ref, name, resp3):
    with RespClient(port=redis_ref.port, timeout=TIMEOUT) as c:
        c.execute("FLUSHALL")
    expected = _run(redis_ref.port, SCRIPTS[name], resp3)
    got = _run(server.port, SCRIPTS[name], resp3)
    for (index, command, want), (_, _, have) in zip(expected, got):
        assert have == want, "client %d %r: redis %r, ember %r" % (index, command, want, have)


KEYS8 = [bytes([c]) for c in b"abcdefgh"]


def test_queued_replies_keep_their_place_behind_remote_work(r, raw):
    # A pipeline that mixes commands for other shards with MULTI ... EXEC: every reply in order.
    pipe = b"".join(
        b"*3\r\n$3\r\nSET\r\n$1\r\n%s\r\n$1\r\n1\r\n" % k for k in KEYS8)
    pipe += b"*1\r\n$5\r\nMULTI\r\n" + b"".join(
        b"*2\r\n$4\r\nINCR\r\n$1\r\n%s\r\n" % k for k in KEYS8) + b"*1\r\n$4\r\nEXEC\r\n"
    pipe += b"*2\r\n$3\r\nGET\r\n$1\r\nh\r\n"
    raw.send_raw(pipe)
    replies = raw.read_replies(8 + 1 + 8 + 1 + 1)
    assert replies[:8] == ["OK"] * 8
    assert replies[8] == "OK" and replies[9:17] == ["QUEUED"] * 8
    assert replies[17] == [2] * 8
    assert replies[18] == b"2"


def test_exec_is_atomic_across_shards(server):
    """Writers run MULTI INCR a INCR b EXEC (keys on different shards) while readers read both in
    one MGET and in MULTI GET GET EXEC: a reader never sees them differ."""
    keys = ["{x}a", "b", "c", "d"]  # several shards in the 4-shard configurations
    stop = threading.Event()
    errors = []
    rounds = 200

    def writer():
        try:
            with RespClient(port=server.port, timeout=TIMEOUT) as c:
                for _ in range(rounds):
                    c.send_raw(b"".join(
                        [b"*1\r\n$5\r\nMULTI\r\n"] +
                        [b"*2\r\n$4\r\nINCR\r\n$%d\r\n%s\r\n" % (len(k), k.encode()) for k in keys] +
                        [b"*1\r\n$4\r\nEXEC\r\n"]))
                    replies = c.read_replies(len(keys) + 2)
                    assert replies[-1] is not None and len(replies[-1]) == len(keys)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))

    def reader(use_multi):
        try:
            with RespClient(port=server.port, timeout=TIMEOUT) as c:
                while not stop.is_set():
                    if use_multi:
                        c.send_raw(b"*1\r\n$5\r\nMULTI\r\n" + b"".join(
                            b"*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n" % (len(k), k.encode()) for k in keys) +
                            b"*1\r\n$4\r\nEXEC\r\n")
                        values = c.read_replies(len(keys) + 2)[-1]
                    else:
                        values = c.execute("MGET", *keys)
                    if len(set(values)) != 1:
                        errors.append("torn read: %r" % (values,))
                        return
        except Exception as e:  # noqa: BLE001
            errors.append(repr(e))

    writers = [threading.Thread(target=writer) for _ in range(6)]
    readers = [threading.Thread(target=reader, args=(i % 2 == 0,)) for i in range(4)]
    for t in writers + readers:
        t.start()
    for t in writers:
        t.join(timeout=60 * harness.SLOWDOWN)
    stop.set()
    for t in readers:
        t.join(timeout=10 * harness.SLOWDOWN)
    assert not errors, errors[:5]
    with RespClient(port=server.port, timeout=TIMEOUT) as c:
        assert c.execute("MGET", *keys) == [str(6 * rounds).encode()] * len(keys)


def test_watch_retry_loop_counts_every_increment(server):
    """The optimistic-locking pattern: WATCH, GET, MULTI, SET, EXEC, retry on abort. Concurrent
    clients lose no increment."""
    clients, per_client = 4, 50
    errors = []

    def work():
        try:
            c = redis.Redis(port=server.port, socket_timeout=TIMEOUT)
            for _ in range(per_client):
                def incr(pipe):
                    value = int(pipe.get("counter") or 0)
                    pipe.multi()
                    pipe.set("counter", value + 1)
                c.transaction(incr, "counter")
            c.close()
        except Exception as e:  # noqa: BLE001
            errors.append(repr(e))

    threads = [threading.Thread(target=work) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60 * harness.SLOWDOWN)
    assert not errors, errors
    assert redis.Redis(port=server.port).get("counter") == str(clients * per_client).encode()


def test_redis_py_transactional_pipeline(r):
    with r.pipeline(transaction=True) as pipe:
        pipe.set("a", "1").incr("a").lpush("l", "x", "y").lrange("l", 0, -1).hset("h", "f", "v")
        assert pipe.execute() == [True, 2, 2, ["y", "x"], 1]
    with r.pipeline(transaction=True) as pipe:
        pipe.set("s", "text").incr("s").get("s")
        result = pipe.execute(raise_on_error=False)
        assert result[0] is True and isinstance(result[1], redis.ResponseError) and result[2] == "text"


def test_exec_is_journaled_as_one_unit(make_server, tmp_path):
    srv = make_server(shards=4, extra_args=["--data-dir", str(tmp_path), "--appendonly", "yes",
                                             "--appendfsync", "always"])
    with RespClient(port=srv.port, timeout=TIMEOUT) as c:
        c.send_raw(b"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n"
                   b"*3\r\n$3\r\nSET\r\n$1\r\nd\r\n$1\r\n2\r\n*1\r\n$4\r\nEXEC\r\n")
        assert c.read_replies(4)[-1] == ["OK", "OK"]
        # A read-only transaction leaves nothing in the log.
        c.send_raw(b"*1\r\n$5\r\nMULTI\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\n*1\r\n$4\r\nEXEC\r\n")
        assert c.read_replies(3)[-1] == [b"1"]
    log = b"".join(p.read_bytes() for p in (tmp_path / "appendonlydir").glob("*.incr.aof*"))
    assert log.count(b"MULTI") == 1 and log.count(b"EXEC") == 1
    body = log[log.index(b"MULTI"):log.index(b"EXEC")]
    assert body.count(b"SET") == 2
    srv.stop()
    again = make_server(shards=2, extra_args=["--data-dir", str(tmp_path), "--appendonly", "yes"])
    with RespClient(port=again.port, timeout=TIMEOUT) as c:
        assert c.execute("MGET", "a", "d") == [b"1", b"2"]


def test_subscribe_inside_exec(server, raw, redis_ref):
    # Keyless: EXEC runs on the connection's own thread and the subscription is made, as Redis.
    raw.send_raw(b"*1\r\n$5\r\nMULTI\r\n*2\r\n$9\r\nSUBSCRIBE\r\n$2\r\nch\r\n*1\r\n$4\r\nEXEC\r\n")
    replies = raw.read_replies(3)
    assert replies[2] == [[b"subscribe", b"ch", 1]]
    # MONITOR inside EXEC is refused per command, as Redis does.
    for port in (server.port, redis_ref.port):
        with RespClient(port=port, timeout=TIMEOUT) as c:
            c.send_raw(b"*1\r\n$5\r\nMULTI\r\n*1\r\n$7\r\nMONITOR\r\n*1\r\n$4\r\nEXEC\r\n")
            exec_reply = c.read_replies(3)[2]
            assert "DENY BLOCKING" in str(exec_reply[0])


def test_client_list_shows_multi(server, raw, r):
    raw.execute("CLIENT", "SETNAME", "txclient")
    raw.execute("MULTI")
    raw.execute("SET", "a", "1")
    raw.execute("GET", "a")
    line = [l for l in r.execute_command("CLIENT", "LIST").splitlines() if "name=txclient" in l][0]
    assert " multi=2 " in line and "flags=x" in line
    raw.execute("DISCARD")
    line = [l for l in r.execute_command("CLIENT", "LIST").splitlines() if "name=txclient" in l][0]
    assert " multi=-1 " in line and "flags=N" in line
