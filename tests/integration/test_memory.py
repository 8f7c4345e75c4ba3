"""Memory: INFO memory, OBJECT, MEMORY USAGE/STATS, maxmemory with every eviction policy, active
expiry of many keys, and memory given back after FLUSHALL. Each test that changes the memory
limit runs its own server (make_server) so no setting leaks into other tests."""

import socket
import time

import pytest

import harness
from helpers import err, wait_until
from resp_client import RespClient, encode_command

OOM = err("OOM command not allowed when used memory > 'maxmemory'.")
MB = 1024 * 1024


def info(client, section):
    text = client.execute("INFO", section)
    fields = {}
    text = text.decode() if isinstance(text, bytes) else str(text)
    for line in text.splitlines():
        if ":" in line and not line.startswith("#"):
            name, value = line.split(":", 1)
            fields[name] = value
    return fields


def rss_bytes(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS for pid %d" % pid)


def bulk(port, commands, batch=1000, timeout=60):
    """Sends commands pipelined in batches over one socket; returns the raw replies of the
    last batch. Replies are counted by their line ends, so commands must reply with one line."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    last = b""
    try:
        for start in range(0, len(commands), batch):
            chunk = commands[start:start + batch]
            sock.sendall(b"".join(encode_command(*c) for c in chunk))
            data = b""
            while data.count(b"\r\n") < len(chunk):
                got = sock.recv(1 << 20)
                assert got, "server closed the connection"
                data += got
            last = data
    finally:
        sock.close()
    return last


def scaled(n):
    """Fewer keys under the sanitizers, which are several times slower."""
    return n // 5 if harness.SANITIZED else n


def test_info_memory_fields(connect):
    c = connect()
    fields = info(c, "memory")
    for name in ("used_memory", "used_memory_human", "used_memory_rss", "used_memory_peak",
                 "maxmemory", "maxmemory_human", "maxmemory_policy", "mem_fragmentation_ratio"):
        assert name in fields, name
    assert int(fields["used_memory"]) > 0 and int(fields["used_memory_rss"]) > 0
    assert int(fields["used_memory_peak"]) >= int(fields["used_memory"])
    assert fields["maxmemory"] == "0" and fields["maxmemory_policy"] == "noeviction"
    assert "evicted_keys" in info(c, "stats")


def test_object_subcommands(connect):
    c = connect()
    c.execute("SET", "n", "12345")
    c.execute("SET", "short", "hello")
    c.execute("SET", "long", "x" * 100)
    assert c.execute("OBJECT", "ENCODING", "n") == b"int"
    assert c.execute("OBJECT", "ENCODING", "short") == b"embstr"
    assert c.execute("OBJECT", "ENCODING", "long") == b"raw"
    assert c.execute("OBJECT", "ENCODING", "missing") is None
    assert c.execute("OBJECT", "REFCOUNT", "short") >= 1
    assert c.execute("OBJECT", "IDLETIME", "short") == 0
    assert c.execute("OBJECT", "FREQ", "short") == err(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
        "that when switching between policies at runtime LRU and LFU data will take some time to "
        "adjust.")
    assert c.execute("OBJECT", "NOPE", "short").message.startswith("ERR unknown subcommand")
    assert len(c.execute("OBJECT", "HELP")) > 4
    assert c.execute("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu") == "OK"
    try:
        assert 0 <= c.execute("OBJECT", "FREQ", "short") <= 255
        assert c.execute("OBJECT", "IDLETIME", "short").message.startswith(
            "ERR An LFU maxmemory policy is selected")
    finally:
        c.execute("CONFIG", "SET", "maxmemory-policy", "noeviction")


def test_memory_usage_and_stats(connect):
    c = connect()
    c.execute("SET", "small", "v")
    c.execute("SET", "big", "x" * 10000)
    small, big = c.execute("MEMORY", "USAGE", "small"), c.execute("MEMORY", "USAGE", "big")
    assert 0 < small < 200 and 10000 <= big < 11000
    assert c.execute("MEMORY", "USAGE", "big", "SAMPLES", "5") == big
    assert c.execute("MEMORY", "USAGE", "missing") is None
    stats = c.execute("MEMORY", "STATS")
    names = stats[0::2] if isinstance(stats, list) else list(stats)
    for name in (b"peak.allocated", b"total.allocated", b"keys.count", b"dataset.bytes"):
        assert name in names, name


def test_noeviction_refuses_writes_but_serves_reads(make_server):
    if harness.SANITIZED:
        pytest.skip("sanitized builds keep their own operator new: used_memory counts records only")
    srv = make_server(shards=2)
    c = RespClient(port=srv.port, timeout=30)
    try:
        assert c.execute("SET", "keep", "me") == "OK"
        assert c.execute("CONFIG", "SET", "maxmemory-policy", "noeviction") == "OK"
        used = int(info(c, "memory")["used_memory"])
        assert c.execute("CONFIG", "SET", "maxmemory", str(used + 4 * MB)) == "OK"
        value = "v" * 1000
        refused = None
        for i in range(20000):  # 20 MB of writes against a 4 MB allowance
            reply = c.execute("SET", "k%d" % i, value)
            if reply != "OK":
                refused = reply
                break
        assert refused == OOM
        assert c.execute("GET", "keep") == b"me"  # reads still work
        # The first refusal came right at the limit, where a few freed buffers can dip used
        # memory back under it; a limit well below the data set refuses every write.
        used = int(info(c, "memory")["used_memory"])
        assert c.execute("CONFIG", "SET", "maxmemory", str(used - MB)) == "OK"
        for attempt in range(3):
            assert c.execute("SET", "another", value) == OOM
        assert c.execute("DEL", "k0", "k1") == 2  # deleting is allowed
        assert int(info(c, "stats")["evicted_keys"]) == 0
        assert c.execute("CONFIG", "SET", "maxmemory", "0") == "OK"
        assert c.execute("SET", "another", value) == "OK"
    finally:
        c.close()


@pytest.mark.parametrize("policy", ["allkeys-lru", "allkeys-lfu", "allkeys-random"])
def test_allkeys_policies_stay_under_the_limit(make_server, policy):
    srv = make_server(shards=2, backend="uring" if not harness.IS_REDIS else "epoll")
    c = RespClient(port=srv.port, timeout=30)
    try:
        limit = 24 * MB
        empty_rss = rss_bytes(srv.pid)
        assert c.execute("CONFIG", "SET", "maxmemory", str(limit)) == "OK"
        assert c.execute("CONFIG", "SET", "maxmemory-policy", policy) == "OK"
        value = "x" * 1000
        n = scaled(3 * limit // 1000)  # three times the limit
        bulk(srv.port, [("SET", "key:%d" % i, value) for i in range(n)])
        fields = info(c, "memory")
        assert int(fields["used_memory"]) <= limit * 1.05
        if not harness.SANITIZED:
            assert rss_bytes(srv.pid) <= limit * 1.10 + empty_rss
        if not harness.SANITIZED:
            assert int(info(c, "stats")["evicted_keys"]) > 0
            assert c.execute("DBSIZE") < n
        assert c.execute("SET", "fresh", "value") == "OK"
        assert c.execute("GET", "fresh") == b"value"
    finally:
        c.close()


@pytest.mark.ember_only("Redis's 1 s LRU clock cannot tell hot from cold keys in a 3 s test")
def test_lru_keeps_a_hot_set(make_server):
    if harness.SANITIZED:
        pytest.skip("too slow under the sanitizers to write three times the limit in time")
    srv = make_server(shards=2)
    c = RespClient(port=srv.port, timeout=30)
    try:
        limit = 16 * MB
        assert c.execute("CONFIG", "SET", "maxmemory", str(limit)) == "OK"
        assert c.execute("CONFIG", "SET", "maxmemory-policy", "allkeys-lru") == "OK"
        value = "x" * 1000
        hot = ["hot:%d" % i for i in range(500)]
        bulk(srv.port, [("SET", k, value) for k in hot])
        n = scaled(3 * limit // 1000)
        cold = ["cold:%d" % i for i in range(n)]
        # Interleave: every 2,000 cold writes, read the whole hot set; the LRU clock ticks every
        # 100 ms, so give it time to tell the hot keys from the cold ones.
        for start in range(0, n, 2000):
            bulk(srv.port, [("SET", k, value) for k in cold[start:start + 2000]])
            bulk(srv.port, [("TOUCH", k) for k in hot])  # TOUCH counts as a use; EXISTS not
            time.sleep(0.12)
        hot_alive = sum(c.execute("EXISTS", k) for k in hot) / len(hot)
        sample = cold[:n // 2]  # the oldest half of the cold keys
        cold_alive = sum(c.execute("EXISTS", k) for k in sample[::10]) / len(sample[::10])
        assert hot_alive > 0.9 and cold_alive < 0.5, (hot_alive, cold_alive)
    finally:
        c.close()


def test_volatile_policies(make_server):
    srv = make_server(shards=2)
    c = RespClient(port=srv.port, timeout=30)
    try:
        value = "x" * 1000
        used = int(info(c, "memory")["used_memory"])
        assert c.execute("CONFIG", "SET", "maxmemory", str(used + 2 * MB)) == "OK"
        # Without any key that has a TTL, the volatile policies have nothing to evict.
        assert c.execute("CONFIG", "SET", "maxmemory-policy", "volatile-lru") == "OK"
        replies = bulk(srv.port, [("SET", "plain:%d" % i, value) for i in range(4000)])
        assert b"-OOM" in replies
        assert c.execute("FLUSHALL") == "OK"
        # volatile-ttl evicts the keys closest to expiring and never a key without a TTL.
        assert c.execute("CONFIG", "SET", "maxmemory-policy", "volatile-ttl") == "OK"
        bulk(srv.port, [("SET", "keep:%d" % i, value) for i in range(300)])
        commands = [("SET", "t:%d" % i, value, "EX", str(100000 + i)) for i in range(4000)]
        bulk(srv.port, commands)
        assert all(c.execute("EXISTS", "keep:%d" % i) == 1 for i in range(300))
        assert int(info(c, "stats")["evicted_keys"]) > 0
        assert c.execute("EXISTS", "t:3999") == 1  # the latest expiry survives
        for policy in ("volatile-random", "volatile-lfu"):
            assert c.execute("CONFIG", "SET", "maxmemory-policy", policy) == "OK"
            bulk(srv.port, [("SET", "t2:%s:%d" % (policy, i), value, "EX", "1000")
                            for i in range(2000)])
            assert all(c.execute("EXISTS", "keep:%d" % i) == 1 for i in range(0, 300, 10))
    finally:
        c.close()


@pytest.mark.ember_only("a timing bound on ember's active expiry")
def test_active_expiry_reclaims_many_keys(make_server):
    srv = make_server(shards=2)
    c = RespClient(port=srv.port, timeout=60)
    try:
        n = scaled(1_000_000)
        base_used = int(info(c, "memory")["used_memory"])
        bulk(srv.port, [("SET", "e:%d" % i, "v" * 16, "PX", str(1000 + i % 1000)) for i in range(n)],
             batch=20000)
        assert c.execute("DBSIZE") > 0
        loaded_at = time.monotonic()
        # Nobody touches the keys: only the active sweeper can remove them.
        assert wait_until(lambda: c.execute("DBSIZE") == 0, timeout=10 * harness.SLOWDOWN,
                          interval=0.2), c.execute("DBSIZE")
        assert time.monotonic() - loaded_at <= 10 * harness.SLOWDOWN
        assert int(info(c, "stats")["expired_keys"]) == n
        used = int(info(c, "memory")["used_memory"])
        assert used < base_used + 2 * MB, (base_used, used)
    finally:
        c.close()


@pytest.mark.ember_only("RSS after FLUSHALL depends on the allocator")
def test_flushall_gives_memory_back(make_server):
    if harness.SANITIZED:
        pytest.skip("the sanitizers' allocator keeps freed memory in quarantine")
    srv = make_server(shards=2)
    c = RespClient(port=srv.port, timeout=60)
    try:
        empty_rss = rss_bytes(srv.pid)
        bulk(srv.port, [("SET", "key:%010d" % i, "v" * 16) for i in range(500_000)], batch=20000)
        assert rss_bytes(srv.pid) > empty_rss + 20 * MB
        assert c.execute("FLUSHALL") == "OK"
        assert wait_until(lambda: rss_bytes(srv.pid) <= empty_rss * 1.15, timeout=5), \
            (empty_rss, rss_bytes(srv.pid))
    finally:
        c.close()


@pytest.mark.ember_only("compares ember's own used_memory with its RSS")
def test_used_memory_tracks_rss_growth(make_server):
    if harness.SANITIZED:
        pytest.skip("sanitized builds keep their own operator new: used_memory counts records only")
    srv = make_server(shards=1)
    c = RespClient(port=srv.port, timeout=60)
    try:
        used0, rss0 = int(info(c, "memory")["used_memory"]), rss_bytes(srv.pid)
        bulk(srv.port, [("SET", "key:%010d" % i, "v" * 16) for i in range(300_000)], batch=20000)
        used1, rss1 = int(info(c, "memory")["used_memory"]), rss_bytes(srv.pid)
        growth_used, growth_rss = used1 - used0, rss1 - rss0
        assert growth_rss > 10 * MB
        assert abs(growth_used - growth_rss) <= 0.05 * growth_rss, (growth_used, growth_rss)
    finally:
        c.close()
