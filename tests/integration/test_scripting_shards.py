"""Scripts across shards and over time: atomic under concurrent clients (4 shards), journaled as
one MULTI/EXEC unit and reloaded, -BUSY past busy-reply-threshold with SCRIPT KILL and SHUTDOWN
NOSAVE, and two real script sets written from their published algorithms: a Redlock-style lock
and a BullMQ-style job queue (whose scripts build key names at run time: undeclared keys)."""

import threading
import time

import pytest

import harness
from helpers import wait_until
from resp_client import RespClient, RespError

TIMEOUT = 10.0 * harness.SLOWDOWN
KEYS8 = ["a", "b", "c", "d", "e", "f", "g", "h"]

pytestmark = pytest.mark.ember_only("shard routing, journaling and BUSY of ember's scripts")


def test_scripts_are_atomic_across_shards(server):
    # Writers move one unit between keys on different shards; readers (a script and MGET)
    # must always see the total unchanged.
    transfer = ("local n = tonumber(ARGV[1]) "
                "redis.call('decrby', KEYS[n % #KEYS + 1], 1) "
                "redis.call('incrby', KEYS[(n + 3) % #KEYS + 1], 1) return 1")
    total = "local t = 0 for _, k in ipairs(KEYS) do t = t + (tonumber(redis.call('get', k)) or 0) end return t"
    with RespClient(port=server.port, timeout=TIMEOUT) as c:
        c.execute("MSET", *[x for k in KEYS8 for x in (k, "100")])
        sha_transfer = c.execute("SCRIPT", "LOAD", transfer).decode()
        sha_total = c.execute("SCRIPT", "LOAD", total).decode()
    stop = time.monotonic() + 1.5 * harness.SLOWDOWN
    bad = []

    def writer(seed):
        with RespClient(port=server.port, timeout=TIMEOUT) as c:
            n = seed
            while time.monotonic() < stop:
                assert c.execute("EVALSHA", sha_transfer, "8", *KEYS8, str(n)) == 1
                n += 7

    def reader(use_script):
        with RespClient(port=server.port, timeout=TIMEOUT) as c:
            while time.monotonic() < stop:
                if use_script:
                    t = c.execute("EVALSHA", sha_total, "8", *KEYS8)
                else:
                    t = sum(int(v) for v in c.execute("MGET", *KEYS8))
                if t != 800:
                    bad.append(t)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    threads += [threading.Thread(target=reader, args=(u,)) for u in (True, False)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert bad == []


def test_script_effects_are_journaled_as_one_unit(make_server, tmp_path):
    srv = make_server(shards=4, extra_args=["--data-dir", str(tmp_path), "--appendonly", "yes",
                                             "--appendfsync", "always"])
    script = "redis.call('set', KEYS[1], ARGV[1]) redis.call('rpush', KEYS[2], 'x', 'y') return redis.call('get', KEYS[1])"
    with RespClient(port=srv.port, timeout=TIMEOUT) as c:
        assert c.execute("EVAL", script, "2", "a", "d", "v1") == b"v1"
        assert c.execute("EVAL", "return redis.call('get', KEYS[1])", "1", "a") == b"v1"  # no trace
        assert isinstance(c.execute("EVAL", "redis.call('set', KEYS[1], 'v2') error('late')", "1", "b"),
                          RespError)  # its write stays, as in Redis, and is journaled
    log = b"".join(p.read_bytes() for p in (tmp_path / "appendonlydir").glob("*.incr.aof*"))
    assert b"eval" not in log.lower()  # the effects, never the script
    assert log.count(b"MULTI") == 2 and log.count(b"EXEC") == 2
    body = log[log.index(b"MULTI"):log.index(b"EXEC")]
    assert b"set" in body.lower() and b"rpush" in body.lower()
    srv.stop()
    again = make_server(shards=2, extra_args=["--data-dir", str(tmp_path), "--appendonly", "yes"])
    with RespClient(port=again.port, timeout=TIMEOUT) as c:
        assert c.execute("MGET", "a", "b") == [b"v1", b"v2"]
        assert c.execute("LRANGE", "d", "0", "-1") == [b"x", b"y"]


LOOP = "if ARGV[1] == 'write' then redis.call('set', KEYS[1], '1') end if ARGV[1] ~= 'learn' then while true do end end return 1"


def _busy_setup(srv):
    """A looping script on one connection; returns it and a connection on another thread that
    gets -BUSY."""
    admin = RespClient(port=srv.port, timeout=TIMEOUT)
    assert admin.execute("CONFIG", "SET", "busy-reply-threshold", "100") == "OK"
    assert admin.execute("EVAL", LOOP, "1", "w", "learn") == 1  # a first run learns its keys
    others = [RespClient(port=srv.port, timeout=TIMEOUT) for _ in range(8)]
    return admin, others


def _find_busy(others, timeout):
    deadline = time.monotonic() + timeout
    live = list(others)
    while time.monotonic() < deadline:
        for c in list(live):
            c.send_command("PING")
            try:
                reply = c.read_reply(timeout=0.3)
            except Exception:  # noqa: BLE001 - on the script's own thread: it waits
                live.remove(c)
                continue
            if isinstance(reply, RespError) and reply.message.startswith("BUSY"):
                return c
        time.sleep(0.05)
    return None


def test_busy_and_script_kill(make_server):
    srv = make_server(shards=4)
    admin, others = _busy_setup(srv)
    runner = RespClient(port=srv.port, timeout=TIMEOUT)
    runner.send_command("EVAL", LOOP, "1", "w", "loop")
    busy = _find_busy(others, 5 * harness.SLOWDOWN)
    assert busy is not None, "no connection on another thread answered -BUSY"
    assert busy.execute("SCRIPT", "KILL") == "OK"
    reply = runner.read_reply()
    assert isinstance(reply, RespError) and "Script killed by user with SCRIPT KILL" in reply.message
    assert wait_until(lambda: busy.execute("PING") == "PONG", 5)
    assert busy.execute("SCRIPT", "KILL") == RespError("NOTBUSY No scripts in execution right now.")
    for c in others + [admin, runner]:
        c.close()


def test_unkillable_script_and_shutdown_nosave(make_server):
    srv = make_server(shards=4)
    admin, others = _busy_setup(srv)
    runner = RespClient(port=srv.port, timeout=TIMEOUT)
    runner.send_command("EVAL", LOOP, "1", "w", "write")
    busy = _find_busy(others, 5 * harness.SLOWDOWN)
    assert busy is not None
    reply = busy.execute("SCRIPT", "KILL")
    assert isinstance(reply, RespError) and reply.message.startswith("UNKILLABLE")
    busy.send_command("SHUTDOWN", "NOSAVE")
    assert srv.wait(10 * harness.SLOWDOWN) is not None, "SHUTDOWN NOSAVE did not stop the server"
    for c in others + [admin, runner]:
        c.close()


# Redlock (one instance): acquire with SET NX PX, release and extend only when the value is ours.
LOCK_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"
LOCK_EXTEND = ("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) "
               "else return 0 end")
LOCK_ACQUIRE = ("if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end return 0")


def test_redlock_style_lock(r):
    release, extend, acquire = (r.register_script(s) for s in (LOCK_RELEASE, LOCK_EXTEND, LOCK_ACQUIRE))
    counter = {"n": 0, "inside": 0, "overlap": False}

    def worker(me):
        for _ in range(20):
            while acquire(keys=["lock:res"], args=[me, 5000]) != 1:
                time.sleep(0.001)
            counter["inside"] += 1
            if counter["inside"] != 1:
                counter["overlap"] = True
            counter["n"] += 1
            assert extend(keys=["lock:res"], args=[me, 5000]) == 1
            counter["inside"] -= 1
            assert release(keys=["lock:res"], args=[me]) == 1
    threads = [threading.Thread(target=worker, args=("owner%d" % i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counter["n"] == 80 and not counter["overlap"]
    assert release(keys=["lock:res"], args=["nobody"]) == 0
    assert acquire(keys=["lock:res"], args=["x", 5000]) == 1
    assert acquire(keys=["lock:res"], args=["y", 5000]) == 0
    assert extend(keys=["lock:res"], args=["y", 5000]) == 0


# A BullMQ-style queue: jobs are hashes "<prefix>job:<id>" named at run time (undeclared keys),
# ids come from a counter, "wait" and "active" are lists, "completed" a sorted set.
ADD_JOB = """
local id = redis.call('incr', KEYS[1])
local jobKey = ARGV[1] .. 'job:' .. id
redis.call('hset', jobKey, 'data', ARGV[2], 'state', 'waiting', 'attempts', 0)
redis.call('lpush', KEYS[2], id)
return id
"""
MOVE_TO_ACTIVE = """
local id = redis.call('rpoplpush', KEYS[1], KEYS[2])
if not id then return false end
local jobKey = ARGV[1] .. 'job:' .. id
redis.call('hset', jobKey, 'state', 'active', 'lockedBy', ARGV[2])
redis.call('hincrby', jobKey, 'attempts', 1)
return {id, redis.call('hget', jobKey, 'data')}
"""
MOVE_TO_COMPLETED = """
local jobKey = ARGV[1] .. 'job:' .. ARGV[2]
if redis.call('hget', jobKey, 'lockedBy') ~= ARGV[3] then return redis.error_reply('ERR job not locked by ' .. ARGV[3]) end
if redis.call('lrem', KEYS[1], 1, ARGV[2]) == 0 then return -1 end
redis.call('zadd', KEYS[2], ARGV[4], ARGV[2])
redis.call('hset', jobKey, 'state', 'completed', 'result', ARGV[5])
redis.call('hdel', jobKey, 'lockedBy')
return 1
"""


def test_bullmq_style_job_queue(r):
    add, activate, complete = (r.register_script(s) for s in (ADD_JOB, MOVE_TO_ACTIVE, MOVE_TO_COMPLETED))
    prefix = "q:"
    ids = [add(keys=[prefix + "id", prefix + "wait"], args=[prefix, "payload%d" % i]) for i in range(30)]
    assert ids == list(range(1, 31))
    done = []
    lock = threading.Lock()

    def worker(name):
        while True:
            job = activate(keys=[prefix + "wait", prefix + "active"], args=[prefix, name])
            if job is None:
                return
            job_id, data = job
            assert data == "payload%d" % (int(job_id) - 1)
            assert complete(keys=[prefix + "active", prefix + "completed"],
                            args=[prefix, job_id, name, time.time(), "ok:" + data]) == 1
            with lock:
                done.append(int(job_id))
    threads = [threading.Thread(target=worker, args=("w%d" % i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(done) == ids  # every job exactly once
    assert r.llen(prefix + "wait") == 0 and r.llen(prefix + "active") == 0
    assert r.zcard(prefix + "completed") == 30
    assert r.hgetall(prefix + "job:7") == {"data": "payload6", "state": "completed", "attempts": "1",
                                           "result": "ok:payload6"}
    with pytest.raises(Exception, match="not locked"):
        complete(keys=[prefix + "active", prefix + "completed"], args=[prefix, "7", "someone", 0, "x"])
