import time

import pytest
import redis


def err(fn, *args):
    with pytest.raises(redis.ResponseError) as e:
        fn(*args)
    return str(e.value)


def test_del_exists_unlink_touch(r):
    r.mset({"a": 1, "b": 2, "c": 3})
    assert r.exists("a", "a", "missing") == 2
    assert r.delete("a", "b", "missing") == 2
    assert r.unlink("c") == 1
    assert r.exists("a", "b", "c") == 0
    r.set("t", 1)
    assert r.touch("t", "missing") == 1


def test_expire_family(r):
    r.set("k", "v")
    assert r.expire("k", 100) is True
    assert 99 <= r.ttl("k") <= 100
    assert r.pexpire("k", 200000) is True
    assert r.pttl("k") > 199000
    assert r.expire("missing", 10) is False
    assert r.ttl("missing") == -2
    r.set("p", "v")
    assert r.ttl("p") == -1
    at = int(time.time()) + 1000
    assert r.expireat("p", at)
    assert r.expiretime("p") == at
    assert r.execute_command("PEXPIRETIME", "p") == at * 1000
    assert r.pexpireat("p", at * 1000 + 5)
    assert r.persist("p") is True
    assert r.persist("p") is False
    assert r.execute_command("EXPIRETIME", "p") == -1


def test_expire_options(r):
    r.set("k", "v")
    assert r.execute_command("EXPIRE", "k", 100, "XX") == 0
    assert r.execute_command("EXPIRE", "k", 100, "NX") == 1
    assert r.execute_command("EXPIRE", "k", 200, "NX") == 0
    assert r.execute_command("EXPIRE", "k", 50, "GT") == 0
    assert r.execute_command("EXPIRE", "k", 200, "GT") == 1
    assert r.execute_command("EXPIRE", "k", 300, "LT") == 0
    assert r.execute_command("EXPIRE", "k", 10, "LT") == 1
    assert err(r.execute_command, "EXPIRE", "k", 10, "NX", "XX") == \
        "NX and XX, GT or LT options at the same time are not compatible"
    assert err(r.execute_command, "EXPIRE", "k", 10, "GT", "LT") == \
        "GT and LT options at the same time are not compatible"
    assert r.execute_command("EXPIRE", "k", -1) == 1, "a time in the past deletes"
    assert r.exists("k") == 0


def test_type(r):
    r.set("s", "v")
    assert r.type("s") == b"string"
    assert r.type("missing") == b"none"


def test_rename_and_copy(r):
    r.set("src", "v", ex=100)
    assert r.rename("src", "dst")
    assert r.get("dst") == b"v"
    assert r.ttl("dst") > 0
    assert r.exists("src") == 0
    assert err(r.rename, "nothing", "x") == "no such key"
    r.set("other", "o")
    assert r.renamenx("dst", "other") is False
    assert r.renamenx("dst", "fresh") is True
    assert r.copy("fresh", "copy1") is True
    assert r.copy("fresh", "copy1") is False
    assert r.copy("fresh", "copy1", replace=True) is True
    assert r.get("copy1") == b"v"
    assert r.copy("fresh", "indb3", destination_db=3) is True
    r.execute_command("SELECT", 3)
    assert r.get("indb3") == b"v"
    r.execute_command("SELECT", 0)
    assert err(r.execute_command, "COPY", "fresh", "x", "DB", "99") == "DB index is out of range"


def test_keys_and_scan(r):
    names = ["user:%d" % i for i in range(300)] + ["other:1", "hello", "hallo", "hxllo", "h*llo"]
    r.mset({n: "v" for n in names})
    assert sorted(r.keys("user:1?")) == sorted(b"user:1%d" % i for i in range(10))
    assert sorted(r.keys("h[ae]llo")) == [b"hallo", b"hello"]
    assert sorted(r.keys("h\\*llo")) == [b"h*llo"]
    assert len(r.keys("*")) == len(names)
    seen = set()
    cursor = 0
    for _ in range(10000):
        cursor, batch = r.scan(cursor, match="user:*", count=50)
        seen.update(batch)
        if cursor == 0:
            break
    assert seen == {n.encode() for n in names if n.startswith("user:")}
    cursor, batch = r.scan(0, count=1000, _type="string")
    assert len(batch) > 0
    cursor, batch = r.scan(0, count=1000, _type="list")
    assert batch == []
    assert err(r.execute_command, "SCAN", "notanumber") == "invalid cursor"


def test_randomkey_dbsize_flush_select_swapdb(r):
    assert r.randomkey() is None
    r.mset({"a": 1, "b": 2})
    assert r.randomkey() in (b"a", b"b")
    assert r.dbsize() == 2
    r.execute_command("SELECT", 1)
    assert r.dbsize() == 0
    r.set("in1", "x")
    r.execute_command("SELECT", 0)
    assert r.get("in1") is None
    assert r.swapdb(0, 1)
    assert r.get("in1") == b"x"
    assert r.dbsize() == 1
    assert err(r.execute_command, "SELECT", "16") == "DB index is out of range"
    assert err(r.execute_command, "SELECT", "x") == "value is not an integer or out of range"
    assert r.flushdb()
    assert r.dbsize() == 0
    r.execute_command("SELECT", 1)
    assert r.dbsize() == 2
    assert r.execute_command("FLUSHALL", "ASYNC")
    assert r.dbsize() == 0
    assert err(r.execute_command, "FLUSHALL", "BAD") == "syntax error"
    r.execute_command("SELECT", 0)
