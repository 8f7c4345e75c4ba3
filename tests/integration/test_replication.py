"""Replication with Redis's protocol: an ember replica of an ember master (full sync of every
type, the stream after it, other shard counts, -READONLY, ROLE, INFO replication, WAIT, a killed
link resuming with a partial resync, promotion) and an ember replica of a real redis-server."""

import time

import pytest
import redis

import harness
from harness import IS_REDIS

pytestmark = pytest.mark.ember_only("ember's replication against itself and redis-server")


def _client(srv):
    return redis.Redis(host="127.0.0.1", port=srv.port, socket_timeout=10)


def _wait_for(predicate, timeout=15.0, what="condition"):
    deadline = time.time() + timeout * harness.SLOWDOWN
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    pytest.fail("timed out waiting for " + what)


def _dataset(c, db):
    """Every key of `db` with its type, value and whether it has a TTL."""
    c.execute_command("SELECT", db)
    out = {}
    for key in c.scan_iter(count=1000):
        kind = c.type(key).decode()
        if kind == "string":
            value = c.get(key)
        elif kind == "list":
            value = c.lrange(key, 0, -1)
        elif kind == "hash":
            value = c.hgetall(key)
        elif kind == "set":
            value = c.smembers(key)
        elif kind == "zset":
            value = c.zrange(key, 0, -1, withscores=True)
        else:
            value = c.dump(key) is not None
        out[key] = (kind, value, c.pttl(key) > 0)
    c.execute_command("SELECT", 0)
    return out


def _same_data(master, replica):
    for db in (0, 1):
        assert _dataset(replica, db) == _dataset(master, db)


def _populate(c, n=3000):
    p = c.pipeline(transaction=False)
    for i in range(n):
        kind = i % 5
        if kind == 0:
            p.set("s:%d" % i, "v%d" % i)
        elif kind == 1:
            p.rpush("l:%d" % i, *["e%d" % j for j in range(5)])
        elif kind == 2:
            p.hset("h:%d" % i, mapping={"f%d" % j: j for j in range(4)})
        elif kind == 3:
            p.sadd("t:%d" % i, *range(6))
        else:
            p.zadd("z:%d" % i, {"m%d" % j: j * 1.5 for j in range(4)})
        if i % 7 == 0:
            p.expire(["s", "l", "h", "t", "z"][kind] + ":%d" % i, 1000)
    p.execute_command("SELECT", 1)
    p.set("db1key", "x")
    p.execute_command("SELECT", 0)
    p.execute()


def _stream_writes(c):
    c.set("new", "1", ex=500)
    c.incrby("counter", 5)
    c.lpush("l:1", "front")
    c.rpop("l:6")
    c.hset("h:2", "extra", "y")
    c.hdel("h:7", "f0")
    c.sadd("t:3", "new")
    c.spop("t:8")
    c.zincrby("z:4", 10, "m1")
    c.expire("s:5", 300)
    c.persist("s:0")
    c.delete("s:10", "l:11", "h:12")
    tx = c.pipeline(transaction=True)
    tx.set("tx:a", "1")
    tx.incr("tx:b")
    tx.execute()
    c.eval("redis.call('set', KEYS[1], ARGV[1]); redis.call('rpush', KEYS[2], 'x')", 2,
           "{e}k", "{e}l", "scripted")
    c.mset({"m:1": "a", "m:2": "b", "m:3": "c"})
    c.execute_command("SELECT", 1)
    c.set("db1new", "y")
    c.execute_command("SELECT", 0)


def _link_up(replica):
    return lambda: replica.info("replication").get("master_link_status") == "up"


def _start_pair(make_server, tmp_path, master_shards=2, replica_shards=3):
    (tmp_path / "m").mkdir()
    (tmp_path / "r").mkdir()
    master = make_server(shards=master_shards, extra_args=["--dir", str(tmp_path / "m")])
    mc = _client(master)
    _populate(mc)
    replica = make_server(shards=replica_shards, extra_args=[
        "--dir", str(tmp_path / "r"), "--replicaof", "127.0.0.1 %d" % master.port])
    rc = _client(replica)
    _wait_for(_link_up(rc), what="the replica's link")
    return master, mc, replica, rc


def _wait_synced(mc, rc):
    assert mc.execute_command("WAIT", 1, 5000) == 1
    _wait_for(lambda: rc.info("replication")["slave_repl_offset"] ==
              mc.info("replication")["master_repl_offset"], what="the replica's offset")


def test_full_sync_stream_readonly_role_info_wait(make_server, tmp_path):
    master, mc, replica, rc = _start_pair(make_server, tmp_path)
    assert rc.dbsize() == mc.dbsize() > 2900
    _same_data(mc, rc)
    _stream_writes(mc)
    _wait_synced(mc, rc)
    _same_data(mc, rc)
    assert rc.get("{e}k") == b"scripted" and rc.ttl("new") > 400

    with pytest.raises(redis.exceptions.ReadOnlyError, match="read only replica"):
        rc.set("x", "1")
    assert rc.get("s:0") == b"v0"  # reads are served

    role = mc.execute_command("ROLE")
    assert role[0] == b"master" and role[1] > 0
    assert [r[0] for r in role[2]] == [b"127.0.0.1"] and int(role[2][0][1]) == replica.port
    rrole = rc.execute_command("ROLE")
    assert rrole[:3] == [b"slave", b"127.0.0.1", master.port] and rrole[3] == b"connected"

    mi, ri = mc.info("replication"), rc.info("replication")
    assert mi["role"] == "master" and mi["connected_slaves"] == 1
    assert mi["slave0"]["state"] == "online" and mi["slave0"]["port"] == replica.port
    assert len(mi["master_replid"]) == 40 and mi["repl_backlog_active"] == 1
    assert ri["role"] == "slave" and ri["master_port"] == master.port
    assert ri["master_link_status"] == "up" and ri["master_sync_in_progress"] == 0
    assert ri["slave_read_only"] == 1 and ri["master_replid"] == mi["master_replid"]

    mc.flushall()
    _wait_synced(mc, rc)
    assert rc.dbsize() == 0


def test_killed_link_resumes_with_partial_resync(make_server, tmp_path):
    master, mc, replica, rc = _start_pair(make_server, tmp_path, master_shards=1, replica_shards=2)
    _wait_synced(mc, rc)
    assert mc.info("replication")["sync_full"] == 1
    assert mc.execute_command("CLIENT", "KILL", "TYPE", "replica") == 1
    for i in range(200):
        mc.set("after:%d" % i, i)
    _wait_for(lambda: mc.info("replication")["sync_partial_ok"] == 1, what="a partial resync")
    _wait_for(_link_up(rc), what="the link again")
    _wait_synced(mc, rc)
    _same_data(mc, rc)
    assert mc.info("replication")["sync_full"] == 1


def test_promotion_with_replicaof_no_one(make_server, tmp_path):
    master, mc, replica, rc = _start_pair(make_server, tmp_path, master_shards=1, replica_shards=1)
    _wait_synced(mc, rc)
    assert rc.execute_command("REPLICAOF", "NO", "ONE") == b"OK"
    assert rc.info("replication")["role"] == "master"
    assert rc.set("mine", "1") and rc.get("s:0") == b"v0"
    mc.set("not-for-it", "1")
    time.sleep(0.3)
    assert rc.get("not-for-it") is None


@pytest.mark.skipif(IS_REDIS, reason="ember replica")
def test_ember_replica_of_redis_server(make_server, tmp_path):
    (tmp_path / "redis").mkdir()
    (tmp_path / "r").mkdir()
    master = harness.ServerProcess(harness.REDIS_CONFIG, ["--dir", str(tmp_path / "redis")])
    master.start()
    try:
        mc = _client(master)
        _populate(mc, 1000)
        replica = make_server(shards=2, extra_args=[
            "--dir", str(tmp_path / "r"), "--replicaof", "127.0.0.1 %d" % master.port])
        rc = _client(replica)
        _wait_for(_link_up(rc), what="the link to redis-server")
        _same_data(mc, rc)
        _stream_writes(mc)
        _wait_synced(mc, rc)
        _same_data(mc, rc)
        with pytest.raises(redis.exceptions.ReadOnlyError):
            rc.set("x", "1")
    finally:
        master.stop()
        master.remove_log()


@pytest.mark.skipif(IS_REDIS, reason="ember master")
def test_redis_server_replica_of_ember(make_server, tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "redis").mkdir()
    master = make_server(shards=2, extra_args=["--dir", str(tmp_path / "m")])
    mc = _client(master)
    _populate(mc, 1000)
    replica = harness.ServerProcess(harness.REDIS_CONFIG, [
        "--dir", str(tmp_path / "redis"), "--replicaof", "127.0.0.1", str(master.port)])
    replica.start()
    try:
        rc = _client(replica)
        _wait_for(_link_up(rc), what="redis-server's link to ember")
        _same_data(mc, rc)
        _stream_writes(mc)
        _wait_synced(mc, rc)
        _same_data(mc, rc)
    finally:
        replica.stop()
        replica.remove_log()
