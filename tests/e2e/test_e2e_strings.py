import time

import pytest
import redis


def err(fn, *args):
    with pytest.raises(redis.ResponseError) as e:
        fn(*args)
    return str(e.value)


def test_get_set_binary_and_empty(r):
    value = b"a\x00b\r\nc\xff"
    assert r.set(b"k\x00ey", value)
    assert r.get(b"k\x00ey") == value
    assert r.set("", "")
    assert r.get("") == b""
    assert r.get("missing") is None
    big = b"x" * (1 << 20)
    r.set("big", big)
    assert r.get("big") == big


def test_set_options(r):
    assert r.set("k", "v1", nx=True)
    assert r.set("k", "v2", nx=True) is None
    assert r.set("k", "v3", xx=True)
    assert r.set("nope", "v", xx=True) is None
    assert r.get("k") == b"v3"
    assert r.set("k", "v4", get=True) == b"v3"
    assert r.set("new", "v", get=True) is None
    r.set("t", "v", ex=100)
    assert 99 <= r.ttl("t") <= 100
    r.set("t", "v2", keepttl=True)
    assert r.ttl("t") > 0
    r.set("t", "v3")
    assert r.ttl("t") == -1
    r.set("p", "v", px=100000)
    assert 99000 < r.pttl("p") <= 100000
    r.set("a", "v", exat=int(time.time()) + 100)
    assert 98 <= r.ttl("a") <= 100
    r.set("b", "v", pxat=int(time.time() * 1000) + 100000)
    assert 98 <= r.ttl("b") <= 100


def test_set_errors(r):
    assert err(r.execute_command, "SET", "k", "v", "NX", "XX") == "syntax error"
    assert err(r.execute_command, "SET", "k", "v", "EX", "0") == "invalid expire time in 'set' command"
    assert err(r.execute_command, "SET", "k", "v", "EX", "-5") == "invalid expire time in 'set' command"
    assert err(r.execute_command, "SET", "k", "v", "EX", "abc") == "value is not an integer or out of range"
    assert err(r.execute_command, "SET", "k", "v", "EX", "10", "PX", "10") == "syntax error"
    assert err(r.execute_command, "SET", "k", "v", "KEEPTTL", "EX", "10") == "syntax error"
    assert err(r.execute_command, "SET", "k") == "wrong number of arguments for 'set' command"
    assert err(r.execute_command, "GET") == "wrong number of arguments for 'get' command"


def test_expiry_really_happens(r):
    r.set("gone", "v", px=50)
    time.sleep(0.15)
    assert r.get("gone") is None
    assert r.exists("gone") == 0


def test_setnx_setex_psetex_getset_getdel(r):
    assert r.setnx("k", "1") is True
    assert r.setnx("k", "2") is False
    assert r.setex("e", 100, "v")
    assert 99 <= r.ttl("e") <= 100
    assert r.psetex("pe", 100000, "v")
    assert r.pttl("pe") > 99000
    assert err(r.execute_command, "SETEX", "e", "0", "v") == "invalid expire time in 'setex' command"
    assert r.getset("k", "new") == b"1"
    assert r.getset("fresh", "x") is None
    assert r.getdel("k") == b"new"
    assert r.get("k") is None
    assert r.getdel("k") is None


def test_getex(r):
    r.set("k", "v")
    assert r.getex("k", ex=100) == b"v"
    assert 99 <= r.ttl("k") <= 100
    assert r.getex("k", persist=True) == b"v"
    assert r.ttl("k") == -1
    assert r.getex("k", px=50000) == b"v"
    assert r.pttl("k") > 49000
    assert r.getex("missing") is None
    assert err(r.execute_command, "GETEX", "k", "EX") == "syntax error"


def test_mget_mset_msetnx(r):
    assert r.mset({"a": "1", "b": "2", "c": "3"})
    assert r.mget("a", "b", "missing", "c") == [b"1", b"2", None, b"3"]
    assert r.msetnx({"x": "1", "a": "9"}) is False
    assert r.get("x") is None
    assert r.msetnx({"x": "1", "y": "2"}) is True
    assert r.mget("x", "y") == [b"1", b"2"]
    assert err(r.execute_command, "MSET", "a", "1", "b") == "wrong number of arguments for 'mset' command"


def test_counters(r):
    assert r.incr("n") == 1
    assert r.incrby("n", 10) == 11
    assert r.decr("n") == 10
    assert r.decrby("n", 20) == -10
    r.set("s", "abc")
    assert err(r.incr, "s") == "value is not an integer or out of range"
    r.set("max", "9223372036854775807")
    assert err(r.incr, "max") == "increment or decrement would overflow"
    assert err(r.execute_command, "INCRBY", "n", "1.5") == "value is not an integer or out of range"
    r.set("lead", "007")
    assert err(r.incr, "lead") == "value is not an integer or out of range"
    r.set("t", "5", ex=100)
    r.incr("t")
    assert r.ttl("t") > 0, "INCR keeps the TTL"
    r.set("z", "0123")
    assert r.get("z") == b"0123"


def test_incrbyfloat(r, raw):
    assert r.incrbyfloat("f", 10.5) == 10.5
    assert r.get("f") == b"10.5"
    r.set("e", "5.0e3")
    assert raw.call("INCRBYFLOAT", "e", "1") == b"5001"
    assert raw.call("INCRBYFLOAT", "x", "3.0") == b"3"
    assert err(r.execute_command, "INCRBYFLOAT", "f", "abc") == "value is not a valid float"
    assert err(r.execute_command, "INCRBYFLOAT", "f", "inf") == "increment would produce NaN or Infinity"


def test_append_strlen_ranges(r):
    assert r.append("s", "Hello") == 5
    assert r.append("s", " World") == 11
    assert r.strlen("s") == 11
    assert r.strlen("missing") == 0
    assert r.getrange("s", 0, 4) == b"Hello"
    assert r.getrange("s", -5, -1) == b"World"
    assert r.getrange("s", 5, 2) == b""
    assert r.getrange("s", 0, 100) == b"Hello World"
    assert r.getrange("missing", 0, 5) == b""
    assert r.setrange("s", 6, "Redis") == 11
    assert r.get("s") == b"Hello Redis"
    assert r.setrange("pad", 5, "x") == 6
    assert r.get("pad") == b"\x00\x00\x00\x00\x00x"
    assert r.setrange("none", 0, "") == 0
    assert r.exists("none") == 0
    assert err(r.setrange, "s", -1, "x") == "offset is out of range"
    assert err(r.setrange, "s", 512 * 1024 * 1024, "x") == "string exceeds maximum allowed size (proto-max-bulk-len)"
    r.set("num", 12345)
    assert r.append("num", "6") == 6
    assert r.get("num") == b"123456"
    assert r.getrange("num", 1, 2) == b"23"


def test_many_appends_build_the_right_value(r):
    pipe = r.pipeline(transaction=False)
    for i in range(2000):
        pipe.append("grow", "%04d" % i)
    pipe.execute()
    assert r.get("grow") == b"".join(b"%04d" % i for i in range(2000))
