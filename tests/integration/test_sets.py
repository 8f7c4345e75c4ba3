"""Set commands: reply shapes in RESP2 and RESP3, Redis 7's exact errors, encodings, multi-key
forms (keys spread over shards), SSCAN, and the memory a large set costs."""

import os

import pytest

import harness
from harness import IS_REDIS
from helpers import NOT_INTEGER, SYNTAX, WRONGTYPE, arity, err
from resp_client import RespSet

POSITIVE = err("ERR value is out of range, must be positive")
NUMKEYS = err("ERR numkeys should be greater than 0")
TOO_MANY_KEYS = err("ERR Number of keys can't be greater than number of args")
NEGATIVE_LIMIT = err("ERR LIMIT can't be negative")


def keys_across_shards(n):
    """Key names that land on different shards of a 4-shard ember (any spread is fine)."""
    return ["set:%d" % i for i in range(n)]


def dec(value):
    """Raw-client replies with bulk strings decoded (recursively), for comparisons."""
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, list):
        return type(value)(dec(v) for v in value) if isinstance(value, RespSet) else [dec(v) for v in value]
    if isinstance(value, dict):
        return {dec(k): dec(v) for k, v in value.items()}
    return value


def config_set(client, name, value):
    old = dec(client.execute("CONFIG", "GET", name))
    old = old[name] if isinstance(old, dict) else old[1]
    assert client.execute("CONFIG", "SET", name, str(value)) == "OK"
    return old


def test_sadd_srem_scard_basic(r, raw):
    assert r.sadd("s", "a", "b", "a", "c") == 3
    assert r.sadd("s", "a", "d") == 1
    assert r.scard("s") == 4
    assert r.scard("missing") == 0
    assert r.smembers("s") == {"a", "b", "c", "d"}
    assert r.srem("s", "a", "zz", "a") == 1
    assert r.srem("missing", "a") == 0
    assert raw.execute_raw("SREM", "s", "b") == b":1\r\n"
    assert r.srem("s", "c", "d") == 2
    assert r.exists("s") == 0  # an emptied set deletes its key
    assert raw.execute_raw("SMEMBERS", "missing") == b"*0\r\n"


def test_membership(r, raw, resp3):
    r.sadd("s", "a", "1", "b")
    assert r.sismember("s", "a") is True
    assert r.sismember("s", "z") is False
    assert raw.execute_raw("SISMEMBER", "s", "1") == b":1\r\n"
    assert raw.execute_raw("SISMEMBER", "missing", "1") == b":0\r\n"
    assert raw.execute_raw("SMISMEMBER", "s", "a", "z", "1") == b"*3\r\n:1\r\n:0\r\n:1\r\n"
    assert raw.execute_raw("SMISMEMBER", "missing", "a") == b"*1\r\n:0\r\n"
    assert resp3.execute_raw("SMISMEMBER", "s", "a", "z") == b"*2\r\n:1\r\n:0\r\n"
    assert resp3.execute_raw("SISMEMBER", "s", "b") == b":1\r\n"


def test_binary_safe_members(rb):
    odd = b"a\x00b\r\n\xff$3\r\n"
    assert rb.sadd(b"s", odd, b"", b"plain") == 3
    assert rb.sismember(b"s", odd) is True
    assert rb.sismember(b"s", b"a") is False
    assert rb.smembers(b"s") == {odd, b"", b"plain"}
    assert rb.srem(b"s", odd) == 1
    assert rb.smembers(b"s") == {b"", b"plain"}
    big = [b"m\x00%d" % i for i in range(300)]
    assert rb.sadd(b"big", *big) == 300
    assert rb.sismember(b"big", b"m\x00299") is True
    assert rb.smembers(b"big") == set(big)


def test_wrongtype_everywhere(r, raw):
    r.set("str", "v")
    r.sadd("s", "a")
    for cmd in (("SADD", "str", "a"), ("SREM", "str", "a"), ("SCARD", "str"), ("SISMEMBER", "str", "a"),
                ("SMISMEMBER", "str", "a"), ("SMEMBERS", "str"), ("SPOP", "str"), ("SPOP", "str", "1"),
                ("SRANDMEMBER", "str"), ("SRANDMEMBER", "str", "1"), ("SSCAN", "str", "0"),
                ("SUNION", "s", "str"), ("SINTER", "missing", "str"), ("SDIFF", "s", "str"),
                ("SUNIONSTORE", "d", "s", "str"), ("SINTERSTORE", "d", "str"), ("SDIFFSTORE", "d", "str"),
                ("SINTERCARD", "2", "missing", "str"), ("SMOVE", "str", "s", "a"), ("SMOVE", "s", "str", "a")):
        assert raw.execute(*cmd) == WRONGTYPE, cmd
    assert r.get("str") == "v"
    assert r.smembers("s") == {"a"}
    assert r.exists("d") == 0


def test_arity_errors(raw):
    for cmd, args in (("sadd", ["k"]), ("srem", ["k"]), ("scard", []), ("sismember", ["k"]),
                      ("smismember", ["k"]), ("smembers", []), ("spop", []), ("srandmember", []),
                      ("smove", ["a", "b"]), ("sunion", []), ("sinter", []), ("sdiff", []),
                      ("sunionstore", ["d"]), ("sinterstore", ["d"]), ("sdiffstore", ["d"]),
                      ("sintercard", ["1"]), ("sscan", ["k"])):
        assert raw.execute(cmd.upper(), *args) == arity(cmd), cmd


def test_spop(r, raw, resp3):
    assert raw.execute_raw("SPOP", "missing") == b"$-1\r\n"
    assert raw.execute_raw("SPOP", "missing", "2") == b"*0\r\n"
    assert resp3.execute_raw("SPOP", "missing") == b"_\r\n"
    assert resp3.execute_raw("SPOP", "missing", "1") == b"~0\r\n"
    assert resp3.execute_raw("SRANDMEMBER", "missing", "2") == b"*0\r\n"
    r.sadd("s", "a", "b", "c", "d", "e")
    assert raw.execute_raw("SPOP", "s", "0") == b"*0\r\n"
    assert raw.execute("SPOP", "s", "-1") == POSITIVE
    assert raw.execute("SPOP", "s", "x") == POSITIVE
    assert raw.execute("SPOP", "s", "1", "2") == SYNTAX
    one = r.spop("s")
    assert one in "abcde"
    two = r.spop("s", 2)
    assert len(two) == 2 and one not in two
    reply = resp3.execute("SPOP", "s", "1")
    assert isinstance(reply, RespSet) and len(reply) == 1
    reply = dec(list(reply))
    rest = r.spop("s", 10)
    assert sorted([one] + two + list(reply) + rest) == ["a", "b", "c", "d", "e"]
    assert r.exists("s") == 0


def test_spop_large_count_from_hashtable(r):
    r.sadd("s", *["m%d" % i for i in range(2000)])
    got = set()
    for count in (300, 1500, 100):
        popped = r.spop("s", count)
        assert len(popped) == count and not (set(popped) & got)
        got |= set(popped)
    assert r.scard("s") == 100
    assert len(got | set(r.smembers("s"))) == 2000


def test_srandmember(r, raw, resp3):
    assert raw.execute_raw("SRANDMEMBER", "missing") == b"$-1\r\n"
    assert raw.execute_raw("SRANDMEMBER", "missing", "3") == b"*0\r\n"
    r.sadd("s", "a", "b", "c")
    assert r.srandmember("s") in ("a", "b", "c")
    assert raw.execute_raw("SRANDMEMBER", "s", "0") == b"*0\r\n"
    assert raw.execute("SRANDMEMBER", "s", "x") == NOT_INTEGER
    assert raw.execute("SRANDMEMBER", "s", "-9223372036854775808") == err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
    assert raw.execute("SRANDMEMBER", "s", "1", "2") == SYNTAX
    assert sorted(r.srandmember("s", 10)) == ["a", "b", "c"]
    two = r.srandmember("s", 2)
    assert len(two) == 2 and len(set(two)) == 2
    many = r.srandmember("s", -50)
    assert len(many) == 50 and set(many) <= {"a", "b", "c"}
    assert r.scard("s") == 3
    reply = resp3.execute("SRANDMEMBER", "s", "2")
    assert isinstance(reply, list) and not isinstance(reply, RespSet)  # an array in RESP3 too
    r.sadd("big", *range(1000))
    picks = r.srandmember("big", 600)
    assert len(set(picks)) == 600 and all(0 <= int(p) < 1000 for p in picks)


def test_smembers_and_algebra_are_sets_in_resp3(r, resp3, raw):
    r.sadd("s1", "a", "b")
    r.sadd("s2", "b", "c")
    for cmd in (("SMEMBERS", "s1"), ("SUNION", "s1", "s2"), ("SINTER", "s1", "s2"), ("SDIFF", "s1", "s2")):
        reply = resp3.execute(*cmd)
        assert isinstance(reply, RespSet), cmd
        assert isinstance(raw.execute(*cmd), list) and raw.execute_raw(*cmd)[:1] == b"*", cmd
    assert resp3.execute_raw("SMEMBERS", "missing") == b"~0\r\n"
    assert resp3.execute_raw("SINTER", "s1", "missing") == b"~0\r\n"
    assert sorted(dec(resp3.execute("SUNION", "s1", "s2"))) == ["a", "b", "c"]


def test_union_inter_diff(r):
    a, b, c, d = keys_across_shards(4)
    r.sadd(a, "1", "2", "3", "x")
    r.sadd(b, "2", "3", "4")
    r.sadd(c, "3", "y")
    assert r.sunion(a, b, c, "missing") == {"1", "2", "3", "4", "x", "y"}
    assert r.sinter(a, b) == {"2", "3"}
    assert r.sinter(a, b, c) == {"3"}
    assert r.sinter(a, "missing") == set()
    assert r.sinter(a) == {"1", "2", "3", "x"}
    assert r.sdiff(a, b) == {"1", "x"}
    assert r.sdiff(a, b, c) == {"1", "x"}
    assert r.sdiff("missing", a) == set()
    assert r.sdiff(a, a) == set()
    assert r.sunion("missing") == set()


def test_store_forms(r, raw):
    a, b, c, dst = keys_across_shards(4)
    r.sadd(a, "1", "2", "3")
    r.sadd(b, "2", "3", "4")
    r.sadd(c, "z")
    r.set(dst, "a string")  # replaced whatever its type
    assert r.sunionstore(dst, a, b) == 4
    assert r.smembers(dst) == {"1", "2", "3", "4"}
    assert r.type(dst) == "set"
    assert r.sinterstore(dst, dst, b) == 3  # dst is a source too
    assert r.smembers(dst) == {"2", "3", "4"}
    assert r.sdiffstore(dst, a, b) == 1
    assert r.smembers(dst) == {"1"}
    assert r.sinterstore(dst, a, c) == 0
    assert r.exists(dst) == 0  # an empty result deletes dst
    r.set(dst, "x")
    assert r.sdiffstore(dst, "missing", a) == 0
    assert r.exists(dst) == 0
    r.set(dst, "x")
    r.expire(dst, 100)
    assert r.sunionstore(dst, a) == 3
    assert r.ttl(dst) == -1  # a new value: no expiry
    assert raw.execute("SINTERSTORE", dst, a, "missing") == 0
    assert r.exists(dst) == 0


def test_store_encodings(r, raw):
    r.sadd("ints", 1, 2, 3)
    r.sadd("words", "a", "b")
    r.sunionstore("d1", "ints")
    assert r.object("encoding", "d1") == "intset"
    r.sadd("many", *range(600))
    assert r.object("encoding", "many") == "hashtable"
    assert r.sinterstore("d2", "many", "ints") == 3
    assert r.object("encoding", "d2") == "intset"


def test_sintercard(r, raw):
    a, b, c = keys_across_shards(3)
    r.sadd(a, "1", "2", "3", "4")
    r.sadd(b, "2", "3", "4", "5")
    r.sadd(c, "3", "4")
    assert raw.execute("SINTERCARD", "2", a, b) == 3
    assert raw.execute("SINTERCARD", "3", a, b, c) == 2
    assert raw.execute("SINTERCARD", "2", a, b, "LIMIT", "2") == 2
    assert raw.execute("SINTERCARD", "2", a, b, "limit", "0") == 3
    assert raw.execute("SINTERCARD", "2", a, b, "LIMIT", "100") == 3
    assert raw.execute("SINTERCARD", "1", a) == 4
    assert raw.execute("SINTERCARD", "2", a, "missing") == 0
    assert raw.execute("SINTERCARD", "0", a) == NUMKEYS
    assert raw.execute("SINTERCARD", "-1", a) == NUMKEYS
    assert raw.execute("SINTERCARD", "x", a) == NUMKEYS
    assert raw.execute("SINTERCARD", "3", a, b) == TOO_MANY_KEYS
    assert raw.execute("SINTERCARD", "2", a, b, "LIMIT", "-1") == NEGATIVE_LIMIT
    assert raw.execute("SINTERCARD", "2", a, b, "LIMIT", "x") == NEGATIVE_LIMIT
    assert raw.execute("SINTERCARD", "2", a, b, "LIMIT") == SYNTAX
    assert raw.execute("SINTERCARD", "1", a, b) == SYNTAX
    assert r.sintercard(2, [a, b], limit=1) == 1


def test_sintercard_key_specs(raw):
    reply = dec(raw.execute("COMMAND", "GETKEYS", "SINTERCARD", "2", "k1", "k2", "LIMIT", "1"))
    assert reply == ["k1", "k2"]
    reply = dec(raw.execute("COMMAND", "GETKEYS", "SMOVE", "src", "dst", "m"))
    assert reply == ["src", "dst"]


def test_smove(r, raw):
    src, dst, other = keys_across_shards(3)
    r.sadd(src, "a", "b")
    assert r.smove(src, dst, "a") is True
    assert r.smembers(dst) == {"a"}
    assert r.smove(src, dst, "zz") is False
    assert raw.execute("SMOVE", "missing", dst, "a") == 0
    assert raw.execute("SMOVE", src, src, "b") == 1
    assert raw.execute("SMOVE", src, src, "zz") == 0
    r.set(other, "str")
    assert raw.execute("SMOVE", "missing", other, "a") == 0  # a missing source wins over WRONGTYPE
    assert raw.execute("SMOVE", src, other, "b") == WRONGTYPE
    r.sadd(dst, "b")
    assert r.smove(src, dst, "b") is True  # already in dst: still removed from src
    assert r.exists(src) == 0
    assert r.smembers(dst) == {"a", "b"}


def test_sscan(r, raw, resp3):
    assert dec(raw.execute("SSCAN", "missing", "0")) == ["0", []]
    assert raw.execute("SSCAN", "missing", "x") == err("ERR invalid cursor")
    assert dec(raw.execute("SSCAN", "missing", "0", "COUNT", "0")) == ["0", []]  # key checked first
    r.sadd("small", "a1", "a2", "b1")
    assert raw.execute("SSCAN", "small", "0", "COUNT", "0") == SYNTAX
    assert raw.execute("SSCAN", "small", "0", "COUNT", "x") == NOT_INTEGER
    assert raw.execute("SSCAN", "small", "0", "MATCH") == SYNTAX
    assert raw.execute("SSCAN", "small", "0", "NOPE", "x") == SYNTAX
    cursor, members = dec(raw.execute("SSCAN", "small", "0", "MATCH", "a*", "COUNT", "10"))
    assert cursor == "0" and sorted(members) == ["a1", "a2"]
    if not IS_REDIS:  # Redis 7.0 keeps small string sets in a hashtable, scanned in steps
        cursor, members = dec(raw.execute("SSCAN", "small", "0", "MATCH", "a*", "COUNT", "1"))
        assert cursor == "0" and sorted(members) == ["a1", "a2"]  # listpack: all at once
    r.sadd("intset", *range(100))
    cursor, members = dec(raw.execute("SSCAN", "intset", "0", "COUNT", "1"))
    assert cursor == "0" and sorted(int(m) for m in members) == list(range(100))
    cursor, members = dec(resp3.execute("SSCAN", "small", "0"))
    assert cursor == "0" and isinstance(members, list) and sorted(members) == ["a1", "a2", "b1"]
    r.sadd("ints", 10, 11, 20)
    assert sorted(r.sscan("ints", 0, match="1*")[1]) == ["10", "11"]
    everything = ["m%d" % i for i in range(3000)]
    r.sadd("big", *everything)
    seen = set()
    cursor, calls = 0, 0
    while True:
        cursor, members = r.sscan("big", cursor, match="*7", count=50)
        seen.update(members)
        calls += 1
        if cursor == 0:
            break
    assert seen == {m for m in everything if m.endswith("7")}
    assert calls > 1
    assert set(r.sscan_iter("big", count=1000)) == set(everything)


def test_encodings_and_config(r, raw):
    r.sadd("ints", *range(10))
    assert r.object("encoding", "ints") == "intset"
    r.sadd("ints", *range(10, 513))
    assert r.object("encoding", "ints") == "hashtable"
    old = config_set(raw, "set-max-intset-entries", 1000)
    try:
        r.sadd("ints2", *range(900))
        assert r.object("encoding", "ints2") == "intset"
        r.sadd("ints2", 900)
        assert r.object("encoding", "ints2") == "intset"
    finally:
        config_set(raw, "set-max-intset-entries", old)
    r.srem("ints", *range(500))
    assert r.object("encoding", "ints") == "hashtable"  # never converted back down


@pytest.mark.ember_only("Redis 7.0 has no listpack sets (small string sets are hashtables)")
def test_listpack_encoding(r, raw):
    r.sadd("s", 1, 2, "x")
    assert r.object("encoding", "s") == "listpack"
    r.sadd("s", *["m%d" % i for i in range(125)])
    assert r.object("encoding", "s") == "listpack"  # 128 members
    r.sadd("s", "one-more")
    assert r.object("encoding", "s") == "hashtable"
    r.sadd("t", "short")
    r.sadd("t", "v" * 65)
    assert r.object("encoding", "t") == "hashtable"
    old = config_set(raw, "set-max-listpack-entries", 2)
    try:
        r.sadd("u", "a", "b")
        assert r.object("encoding", "u") == "listpack"
        r.sadd("u", "c")
        assert r.object("encoding", "u") == "hashtable"
    finally:
        config_set(raw, "set-max-listpack-entries", old)


def test_command_docs_group(raw):
    info = dec(raw.execute("COMMAND", "INFO", "sadd", "sintercard", "smembers"))
    assert [entry[0] for entry in info] == ["sadd", "sintercard", "smembers"]
    assert info[0][1] == -3 and info[1][1] == -3 and info[2][1] == 2


def _rss(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@pytest.mark.ember_only("an absolute bound for ember; Redis 7 needs ~60 bytes a member here")
def test_million_integer_set_is_lean(heavy_server):
    if harness.SANITIZED:
        pytest.skip("the sanitizers' allocator and shadow memory inflate RSS")
    import redis
    client = redis.Redis(host="127.0.0.1", port=heavy_server.port, socket_timeout=60)
    before = _rss(heavy_server.pid)
    batch = 20000
    for start in range(0, 1000000, batch):
        client.sadd("big", *range(start, start + batch))
    assert client.scard("big") == 1000000
    assert client.object("encoding", "big") == b"hashtable"
    per_member = (_rss(heavy_server.pid) - before) / 1e6
    assert per_member < 40, "%.1f bytes a member" % per_member
    assert client.delete("big") == 1
    client.close()
