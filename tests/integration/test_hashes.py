"""Hashes: every command's replies and errors in RESP2 and RESP3, both encodings."""

import pytest

from helpers import NOT_INTEGER, SYNTAX, WRONGTYPE, arity, err


def test_set_get_del(r, raw):
    assert r.hset("h", mapping={"name": "alice", "age": "30"}) == 2
    assert r.hset("h", "age", "31") == 0  # an update is not a new field
    assert r.hget("h", "name") == "alice"
    assert r.hget("h", "missing") is None
    assert r.hget("nokey", "f") is None
    assert r.hmget("h", "name", "nope", "age") == ["alice", None, "31"]
    assert r.hmget("nokey", "a", "b") == [None, None]
    assert r.hgetall("h") == {"name": "alice", "age": "31"}
    assert r.hgetall("nokey") == {}
    assert sorted(r.hkeys("h")) == ["age", "name"]
    assert sorted(r.hvals("h")) == ["31", "alice"]
    assert r.hlen("h") == 2 and r.hlen("nokey") == 0
    assert r.hexists("h", "name") is True and r.hexists("h", "x") is False
    assert r.hstrlen("h", "name") == 5 and r.hstrlen("h", "x") == 0
    assert r.hdel("h", "name", "nope", "name") == 1
    assert r.hdel("h", "age") == 1
    assert r.exists("h") == 0  # emptied: gone
    assert r.hdel("h", "age") == 0
    assert raw.execute("HSET", "h", "a") == arity("hset")
    assert raw.execute("HSET", "h", "a", "1", "b") == arity("hset")
    assert raw.execute("HMSET", "h", "a", "1", "b") == arity("hmset")
    assert raw.execute("HMSET", "h", "a", "1") == "OK"
    assert raw.execute("HGET", "h") == arity("hget")


def test_hsetnx_and_counters(r, raw):
    assert r.hsetnx("h", "f", "1") == 1
    assert r.hsetnx("h", "f", "2") == 0
    assert r.hget("h", "f") == "1"
    assert r.hincrby("h", "f", 10) == 11
    assert r.hincrby("h", "new", -5) == -5
    assert raw.execute("HINCRBY", "h", "f", "x") == NOT_INTEGER
    r.hset("h", "text", "abc")
    assert raw.execute("HINCRBY", "h", "text", "1") == err("ERR hash value is not an integer")
    r.hset("h", "big", str(2**63 - 1))
    assert raw.execute("HINCRBY", "h", "big", "1") == err("ERR increment or decrement would overflow")
    assert raw.execute("HINCRBYFLOAT", "h", "fl", "1.5") == b"1.5"
    assert raw.execute("HINCRBYFLOAT", "h", "fl", "0.25") == b"1.75"
    assert raw.execute("HINCRBYFLOAT", "h", "f", "1e2") == b"111"
    assert raw.execute("HINCRBYFLOAT", "h", "text", "1") == err("ERR hash value is not a float")
    assert raw.execute("HINCRBYFLOAT", "h", "fl", "abc") == err("ERR value is not a valid float")
    assert raw.execute("HINCRBYFLOAT", "h", "fl", "inf") == err("ERR value is NaN or Infinity")
    r.hset("h", "huge", "1.1e4932")
    assert raw.execute("HINCRBYFLOAT", "h", "huge", "1.1e4932") == \
        err("ERR increment would produce NaN or Infinity")


def test_resp3_shapes(resp3):
    resp3.execute("HSET", "h", "a", "1", "b", "2")
    assert resp3.execute("HGETALL", "h") == {b"a": b"1", b"b": b"2"}
    assert resp3.execute("HGETALL", "missing") == {}
    pairs = resp3.execute("HRANDFIELD", "h", "2", "WITHVALUES")
    assert sorted(tuple(p) for p in pairs) == [(b"a", b"1"), (b"b", b"2")]


def test_hrandfield(r, raw):
    assert r.hrandfield("missing") is None
    assert r.hrandfield("missing", 3) == []
    fields = {"f%d" % i: str(i) for i in range(20)}
    r.hset("h", mapping=fields)
    assert r.hrandfield("h") in fields
    picked = r.hrandfield("h", 5)
    assert len(picked) == 5 and len(set(picked)) == 5 and set(picked) <= set(fields)
    assert sorted(r.hrandfield("h", 100)) == sorted(fields)  # at most all, distinct
    repeats = r.hrandfield("h", -50)
    assert len(repeats) == 50 and set(repeats) <= set(fields)
    flat = raw.execute("HRANDFIELD", "h", "3", "WITHVALUES")
    assert len(flat) == 6
    for f, v in zip(flat[0::2], flat[1::2]):
        assert fields[f.decode()] == v.decode()
    assert r.hrandfield("h", 0) == []
    assert raw.execute("HRANDFIELD", "h", "1", "BOGUS") == SYNTAX
    assert raw.execute("HRANDFIELD", "h", "x") == NOT_INTEGER


@pytest.mark.parametrize("n", [5, 1000])  # packed and table encodings
def test_hscan_returns_every_field(r, n):
    fields = {"field:%d" % i: "v%d" % i for i in range(n)}
    r.hset("h", mapping=fields)
    seen = {}
    cursor = 0
    for _ in range(10000):
        cursor, page = r.hscan("h", cursor, count=50)
        seen.update(page)
        if cursor == 0:
            break
    assert seen == fields
    _, matched = r.hscan("h", 0, match="field:1*", count=100000)
    assert matched and all(k.startswith("field:1") for k in matched)


def test_big_values_and_binary(rb):
    blob = bytes(range(256)) * 2
    assert rb.hset("h", blob, blob) == 1
    assert rb.hget("h", blob) == blob
    assert rb.hset("h", b"", b"") == 1
    assert rb.hget("h", b"") == b""
    many = {b"k%d" % i: b"x" * (i % 100) for i in range(500)}
    rb.hset("many", mapping=many)
    assert rb.hgetall("many") == many


@pytest.mark.ember_only("encoding thresholds are configurable in both, but checked here on ember")
def test_hscan_options_and_errors(r, raw):
    assert raw.execute("HSCAN", "missing", "x") == err("ERR invalid cursor")
    # As in Redis, a missing key answers an empty scan before the options are looked at.
    assert raw.execute("HSCAN", "missing", "0", "COUNT", "0") == [b"0", []]
    r.hset("h", mapping={"a1": "1", "a2": "2", "b1": "3"})
    assert raw.execute("HSCAN", "h", "0", "COUNT", "0") == SYNTAX
    assert raw.execute("HSCAN", "h", "0", "COUNT", "x") == NOT_INTEGER
    assert raw.execute("HSCAN", "h", "0", "MATCH") == SYNTAX
    assert raw.execute("HSCAN", "h", "0", "TYPE", "hash") == SYNTAX
    cursor, page = raw.execute("HSCAN", "h", "0", "MATCH", "a*")
    assert cursor == b"0" and sorted(page[0::2]) == [b"a1", b"a2"]


def test_encodings_follow_the_thresholds(r):
    r.hset("small", mapping={"a": "1"})
    assert r.object("encoding", "small") == "listpack"
    r.hset("long", "f", "x" * 100)
    assert r.object("encoding", "long") == "hashtable"
    r.hset("many", mapping={"f%d" % i: "v" for i in range(200)})
    assert r.object("encoding", "many") == "hashtable"
    assert r.config_set("hash-max-listpack-entries", 1000) is True
    try:
        r.hset("many2", mapping={"f%d" % i: "v" for i in range(200)})
        assert r.object("encoding", "many2") == "listpack"
    finally:
        r.config_set("hash-max-listpack-entries", 128)


def test_wrongtype(r, raw):
    r.set("s", "v")
    for command in (("HSET", "s", "a", "1"), ("HGET", "s", "a"), ("HGETALL", "s"), ("HDEL", "s", "a"),
                    ("HLEN", "s"), ("HINCRBY", "s", "a", "1"), ("HSCAN", "s", "0"),
                    ("HRANDFIELD", "s"), ("HKEYS", "s"), ("HEXISTS", "s", "a")):
        assert raw.execute(*command) == WRONGTYPE, command
    r.hset("h", "a", "1")
    assert raw.execute("GET", "h") == WRONGTYPE
    assert raw.execute("TYPE", "h") == "hash"


def test_packed_hash_through_key_commands(r, raw):
    """A small hash lives packed inside its record: expiry, rename, copy, string commands and
    memory reporting must all treat it as the hash it is."""
    fields = {"f%d" % i: "value:%02d" % i for i in range(10)}
    r.hset("{p}h", mapping=fields)
    assert r.object("encoding", "{p}h") == "listpack"
    assert 0 < r.memory_usage("{p}h") < 200  # one record: key, 10 x (field + value) and a header
    assert r.expire("{p}h", 100) is True
    r.hset("{p}h", "f0", "changed")  # the record is rebuilt: the TTL stays
    assert 0 < r.ttl("{p}h") <= 100
    assert r.rename("{p}h", "other") is True  # usually another shard
    assert r.hgetall("other") == {**fields, "f0": "changed"}
    assert 0 < r.ttl("other") <= 100
    assert r.copy("other", "copied") is True
    r.hdel("copied", "f1")
    assert r.hlen("copied") == 9 and r.hlen("other") == 10
    assert r.object("encoding", "copied") == "listpack"
    for command in (("GET", "other"), ("APPEND", "other", "x"), ("SETRANGE", "other", "0", "x"),
                    ("STRLEN", "other"), ("GETRANGE", "other", "0", "3"), ("INCR", "other"),
                    ("GETDEL", "other"), ("GETEX", "other")):
        assert raw.execute(*command) == WRONGTYPE, command
    assert r.hlen("other") == 10
    r.hdel("other", *fields)  # the last field gone: the key goes
    assert r.exists("other") == 0
