"""Sorted-set commands: reply shapes in RESP2 and RESP3, Redis 7's exact errors, encodings,
ranges, pops, the multi-key algebra (keys spread over shards, plain sets as inputs) and ZSCAN."""

import pytest

import harness

from helpers import NOT_INTEGER, SYNTAX, WRONGTYPE, arity, err

NOT_FLOAT = err("ERR value is not a valid float")
MINMAX_FLOAT = err("ERR min or max is not a float")
MINMAX_LEX = err("ERR min or max not valid string range item")
NAN_RESULT = err("ERR resulting score is not a number (NaN)")
POSITIVE = err("ERR value is out of range, must be positive")


def dec(value):
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, list):
        return [dec(v) for v in value]
    return value


def test_zadd_flags(r, raw):
    assert r.zadd("z", {"a": 1, "b": 2, "c": 3}) == 3
    assert r.zadd("z", {"a": 10, "d": 4}, nx=True) == 1
    assert r.zscore("z", "a") == 1.0
    assert r.zadd("z", {"a": 11, "e": 5}, xx=True, ch=True) == 1
    assert r.zscore("z", "e") is None
    assert r.zadd("z", {"a": 1, "b": 12}, gt=True, ch=True) == 1
    assert r.zadd("z", {"a": 1, "b": 20}, lt=True, ch=True) == 1
    assert r.zrange("z", 0, -1, withscores=True) == [("a", 1), ("c", 3), ("d", 4), ("b", 12)]
    assert r.zadd("z", {"a": 2.5}, incr=True) == 3.5
    assert raw.execute("ZADD", "z", "NX", "INCR", "1", "a") is None
    assert raw.execute("ZADD", "z", "GT", "INCR", "-1", "a") is None
    assert raw.execute("ZADD", "missing", "XX", "1", "a") == 0
    assert r.exists("missing") == 0
    assert raw.execute("ZADD", "z", "CH", "3.5", "a", "5", "c") == 1  # a unchanged, c changed


def test_zadd_errors(raw):
    assert raw.execute("ZADD", "z", "1") == arity("zadd")
    assert raw.execute("ZADD", "z", "1", "a", "2") == SYNTAX
    assert raw.execute("ZADD", "z", "NX", "XX", "1", "a") == err(
        "ERR XX and NX options at the same time are not compatible")
    for flags in (("GT", "LT"), ("NX", "GT"), ("NX", "LT")):
        assert raw.execute("ZADD", "z", *flags, "1", "a") == err(
            "ERR GT, LT, and/or NX options at the same time are not compatible")
    assert raw.execute("ZADD", "z", "INCR", "1", "a", "2", "b") == err(
        "ERR INCR option supports a single increment-element pair")
    assert raw.execute("ZADD", "z", "nan", "a") == NOT_FLOAT
    assert raw.execute("ZADD", "z", "1", "a", "x", "b") == NOT_FLOAT
    assert raw.execute("EXISTS", "z") == 0
    assert raw.execute("ZINCRBY", "z", "abc", "a") == NOT_FLOAT
    assert raw.execute("ZADD", "z", "inf", "a") == 1
    assert raw.execute("ZINCRBY", "z", "-inf", "a") == NAN_RESULT
    assert raw.execute("ZADD", "z", "INCR", "-inf", "a") == NAN_RESULT
    assert raw.execute("ZSCORE", "z", "a") == b"inf"


def test_scores_format(raw, resp3):
    assert raw.execute("ZADD", "z", "0.1", "a", "-0.0", "b", "1e300", "c", "-1.5e-10", "d") == 4
    assert dec(raw.execute("ZRANGE", "z", "0", "-1", "WITHSCORES")) == [
        "d", "-1.5e-10", "b", "0", "a", "0.10000000000000001", "c", "1.0000000000000001e+300"]
    assert raw.execute_raw("ZINCRBY", "z", "2", "b") == b"$1\r\n2\r\n"
    assert resp3.execute_raw("ZINCRBY", "z", "2", "b") == b",4\r\n"
    assert resp3.execute_raw("ZSCORE", "z", "d") == b",-1.5e-10\r\n"
    assert resp3.execute_raw("ZSCORE", "z", "nope") == b"_\r\n"
    assert raw.execute_raw("ZSCORE", "z", "nope") == b"$-1\r\n"
    raw.execute("ZADD", "i", "-inf", "a", "+inf", "b")
    assert resp3.execute_raw("ZMSCORE", "i", "a", "b", "x") == b"*3\r\n,-inf\r\n,inf\r\n_\r\n"
    assert raw.execute_raw("ZMSCORE", "i", "a", "x") == b"*2\r\n$4\r\n-inf\r\n$-1\r\n"


def test_zrem_zcard_and_empty_key_deleted(r, raw):
    r.zadd("z", {"a": 1, "b": 2, "c": 3})
    assert r.zcard("z") == 3
    assert r.zcard("missing") == 0
    assert r.zrem("z", "a", "nope", "a") == 1
    assert r.zrem("missing", "a") == 0
    assert r.zrem("z", "b", "c") == 2
    assert r.exists("z") == 0
    assert raw.execute("ZREM", "z") == arity("zrem")


def test_binary_members(rb):
    members = [b"a\x00b", b"\xff\xfe", b"", b"\r\n"]
    rb.zadd("bin", {m: 0 for m in members})
    assert rb.zrange("bin", 0, -1) == sorted(members)
    assert rb.zscore("bin", b"a\x00b") == 0
    assert rb.zrangebylex("bin", b"[a", b"+") == [b"a\x00b", b"\xff\xfe"]


def test_zrank(r, raw, resp3):
    r.zadd("z", {"a": 1, "b": 2, "c": 3})
    assert r.zrank("z", "a") == 0
    assert r.zrevrank("z", "a") == 2
    assert r.zrank("z", "nope") is None
    assert raw.execute_raw("ZRANK", "missing", "a") == b"$-1\r\n"
    assert resp3.execute_raw("ZREVRANK", "z", "nope") == b"_\r\n"


@pytest.mark.ember_only("ZRANK WITHSCORE is Redis 7.2")
def test_zrank_withscore(raw, resp3):
    raw.execute("ZADD", "z", "1", "a", "2.5", "b")
    assert raw.execute_raw("ZRANK", "z", "b", "WITHSCORE") == b"*2\r\n:1\r\n$3\r\n2.5\r\n"
    assert resp3.execute_raw("ZREVRANK", "z", "b", "WITHSCORE") == b"*2\r\n:0\r\n,2.5\r\n"
    assert raw.execute_raw("ZRANK", "z", "x", "WITHSCORE") == b"*-1\r\n"
    assert raw.execute("ZRANK", "z", "a", "foo") == SYNTAX


def test_zrange_by_rank(r, raw, resp3):
    r.zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5})
    assert r.zrange("z", -3, -1) == ["c", "d", "e"]
    assert r.zrange("z", 1, 0) == []
    assert r.zrange("z", 3, 100) == ["d", "e"]
    assert r.zrange("z", 0, 1, desc=True) == ["e", "d"]
    assert r.zrevrange("z", 0, 1, withscores=True) == [("e", 5), ("d", 4)]
    assert raw.execute_raw("ZRANGE", "z", "0", "0", "WITHSCORES") == b"*2\r\n$1\r\na\r\n$1\r\n1\r\n"
    assert resp3.execute_raw("ZRANGE", "z", "0", "1", "WITHSCORES") == \
        b"*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n"
    assert raw.execute_raw("ZRANGE", "missing", "0", "-1") == b"*0\r\n"
    assert raw.execute("ZRANGE", "z", "a", "1") == NOT_INTEGER
    assert raw.execute("ZRANGE", "z", "0", "-1", "LIMIT", "0", "1") == err(
        "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
    assert raw.execute("ZRANGE", "z", "0", "-1", "REV", "REV") == SYNTAX
    assert raw.execute("ZRANGE", "z", "0", "-1", "LIMIT", "0") == SYNTAX
    assert raw.execute("ZREVRANGE", "z", "0", "1", "BYSCORE") == SYNTAX
    assert raw.execute("ZRANGE", "z", "0") == arity("zrange")


def test_zrange_by_score(r, raw):
    r.zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5})
    assert r.zrangebyscore("z", "(2", "(5") == ["c", "d"]
    assert r.zrangebyscore("z", "-inf", "+inf", start=1, num=2) == ["b", "c"]
    assert r.zrangebyscore("z", "-inf", "+inf", start=3, num=-1) == ["d", "e"]
    assert r.zrangebyscore("z", "-inf", "+inf", start=-1, num=2) == []
    assert r.zrangebyscore("z", "-inf", "+inf", start=0, num=0) == []
    assert r.zrangebyscore("z", 5, 1) == []
    assert r.zrevrangebyscore("z", 4, 2, withscores=True) == [("d", 4), ("c", 3), ("b", 2)]
    assert r.zrevrangebyscore("z", "+inf", "-inf", start=1, num=2) == ["d", "c"]
    assert dec(raw.execute("ZRANGE", "z", "5", "2", "BYSCORE", "REV", "LIMIT", "0", "2")) == ["e", "d"]
    assert dec(raw.execute("ZRANGE", "z", "(1", "3", "BYSCORE", "WITHSCORES")) == ["b", "2", "c", "3"]
    assert dec(raw.execute("ZRANGEBYSCORE", "z", "(", "2")) == ["a", "b"]  # "(" reads as (0
    assert raw.execute("ZRANGEBYSCORE", "z", "foo", "2") == MINMAX_FLOAT
    assert raw.execute("ZRANGEBYSCORE", "z", "1", "nan") == MINMAX_FLOAT
    assert raw.execute("ZRANGEBYSCORE", "z", "1", "2", "LIMIT", "x", "1") == NOT_INTEGER
    assert r.zcount("z", "(1", 3) == 2
    assert r.zcount("z", "-inf", "+inf") == 5
    assert r.zcount("z", 3, 1) == 0
    assert r.zcount("missing", 0, 1) == 0
    assert raw.execute("ZCOUNT", "z", "a", "1") == MINMAX_FLOAT


def test_zrange_by_lex(r, raw):
    r.zadd("z", {m: 0 for m in "abcdef"})
    assert r.zrangebylex("z", "-", "+") == list("abcdef")
    assert r.zrangebylex("z", "[b", "(e") == ["b", "c", "d"]
    assert r.zrangebylex("z", "(b", "[e", start=1, num=2) == ["d", "e"]
    assert r.zrevrangebylex("z", "[d", "(a") == ["d", "c", "b"]
    assert r.zrevrangebylex("z", "+", "-", start=0, num=1) == ["f"]
    assert dec(raw.execute("ZRANGE", "z", "+", "[e", "BYLEX", "REV")) == ["f", "e"]
    assert r.zlexcount("z", "(a", "[c") == 2
    assert r.zlexcount("z", "+", "-") == 0
    assert r.zlexcount("z", "-", "+") == 6
    assert raw.execute("ZRANGEBYLEX", "z", "a", "[c") == MINMAX_LEX
    assert raw.execute("ZLEXCOUNT", "z", "[a", "c") == MINMAX_LEX
    assert raw.execute("ZRANGE", "z", "0", "-1", "BYLEX") == MINMAX_LEX
    assert raw.execute("ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES") == err(
        "ERR syntax error, WITHSCORES not supported in combination with BYLEX")
    assert raw.execute("ZRANGE", "z", "[a", "[b", "BYLEX", "BYSCORE") == SYNTAX


def test_zrangestore(r, raw):
    r.zadd("z", {"a": 1, "b": 2, "c": 3})
    assert r.zrangestore("dst", "z", 0, 1) == 2
    assert r.zrange("dst", 0, -1, withscores=True) == [("a", 1), ("b", 2)]
    assert raw.execute("ZRANGESTORE", "dst", "z", "(1", "+inf", "BYSCORE", "LIMIT", "0", "1") == 1
    assert r.zrange("dst", 0, -1) == ["b"]
    r.set("dst", "string")  # any type is replaced
    assert raw.execute("ZRANGESTORE", "dst", "z", "[c", "-", "BYLEX", "REV") == 3
    assert r.zrange("dst", 0, -1) == ["a", "b", "c"]
    assert r.zrangestore("dst", "z", 5, 10) == 0
    assert r.exists("dst") == 0
    assert r.zrangestore("dst", "missing", 0, -1) == 0
    assert raw.execute("ZRANGESTORE", "dst", "z", "0", "-1", "WITHSCORES") == SYNTAX


def test_zremrange(r, raw):
    r.zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5})
    assert r.zremrangebyrank("z", 0, 1) == 2
    assert r.zremrangebyscore("z", "(4", "+inf") == 1
    assert r.zrange("z", 0, -1) == ["c", "d"]
    assert r.zremrangebyrank("z", 5, 10) == 0
    assert raw.execute("ZREMRANGEBYSCORE", "z", "x", "1") == MINMAX_FLOAT
    assert raw.execute("ZREMRANGEBYRANK", "z", "x", "1") == NOT_INTEGER
    assert raw.execute("ZREMRANGEBYLEX", "z", "x", "+") == MINMAX_LEX
    assert r.zremrangebylex("z", "-", "+") == 2
    assert r.exists("z") == 0
    assert r.zremrangebyscore("missing", 0, 1) == 0


def test_zpop(r, raw, resp3):
    r.zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4})
    assert raw.execute_raw("ZPOPMIN", "z") == b"*2\r\n$1\r\na\r\n$1\r\n1\r\n"
    assert r.zpopmax("z", 2) == [("d", 4), ("c", 3)]
    assert raw.execute_raw("ZPOPMIN", "z", "0") == b"*0\r\n"
    assert raw.execute_raw("ZPOPMIN", "missing") == b"*0\r\n"
    assert raw.execute("ZPOPMIN", "z", "-1") == POSITIVE
    assert raw.execute("ZPOPMIN", "z", "x") == POSITIVE
    assert raw.execute("ZPOPMIN", "z", "1", "2") == SYNTAX
    assert r.zpopmin("z", 10) == [("b", 2)]
    assert r.exists("z") == 0
    r.zadd("z", {"a": 1, "b": 2.5})
    assert resp3.execute_raw("ZPOPMIN", "z") == b"*2\r\n$1\r\na\r\n,1\r\n"
    assert resp3.execute_raw("ZPOPMAX", "z", "1") == b"*1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n"


def test_zmpop(r, raw, resp3):
    r.zadd("z1", {"a": 1, "b": 2, "c": 3})
    assert raw.execute_raw("ZMPOP", "2", "missing", "z1", "MIN") == \
        b"*2\r\n$2\r\nz1\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"
    assert resp3.execute_raw("ZMPOP", "1", "z1", "MAX", "COUNT", "5") == \
        b"*2\r\n$2\r\nz1\r\n*2\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nb\r\n,2\r\n"
    assert r.exists("z1") == 0
    assert raw.execute_raw("ZMPOP", "1", "z1", "MIN") == b"*-1\r\n"
    assert resp3.execute_raw("ZMPOP", "1", "z1", "MIN") == b"_\r\n"
    assert raw.execute("ZMPOP", "0", "z1", "MIN") == err("ERR numkeys should be greater than 0")
    assert raw.execute("ZMPOP", "x", "z1", "MIN") == err("ERR numkeys should be greater than 0")
    assert raw.execute("ZMPOP", "3", "z1", "MIN") == SYNTAX
    assert raw.execute("ZMPOP", "1", "z1", "FOO") == SYNTAX
    assert raw.execute("ZMPOP", "1", "z1", "MIN", "COUNT", "0") == err("ERR count should be greater than 0")
    assert raw.execute("ZMPOP", "1", "z1", "MIN", "COUNT", "1", "COUNT", "1") == SYNTAX


def test_zrandmember(r, raw, resp3):
    assert r.zrandmember("missing") is None
    assert raw.execute_raw("ZRANDMEMBER", "missing", "3") == b"*0\r\n"
    r.zadd("z", {"a": 1, "b": 2, "c": 3})
    assert r.zrandmember("z") in ("a", "b", "c")
    assert sorted(r.zrandmember("z", 10)) == ["a", "b", "c"]
    two = r.zrandmember("z", 2)
    assert len(two) == 2 and len(set(two)) == 2
    assert len(r.zrandmember("z", -7)) == 7
    pairs = dec(raw.execute("ZRANDMEMBER", "z", "-4", "WITHSCORES"))
    assert len(pairs) == 8
    assert all({"a": "1", "b": "2", "c": "3"}[pairs[i]] == pairs[i + 1] for i in range(0, 8, 2))
    nested = resp3.execute("ZRANDMEMBER", "z", "2", "WITHSCORES")
    assert len(nested) == 2 and all(len(p) == 2 for p in nested)
    assert raw.execute_raw("ZRANDMEMBER", "z", "0") == b"*0\r\n"
    assert raw.execute("ZRANDMEMBER", "z", "1", "foo") == SYNTAX
    assert raw.execute("ZRANDMEMBER", "z", "x") == NOT_INTEGER
    assert raw.execute("ZRANDMEMBER", "z", "-9223372036854775808") == err(
        "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
    assert raw.execute("ZRANDMEMBER", "z", "9223372036854775807", "WITHSCORES") == err(
        "ERR value is out of range")


def test_algebra(r, raw, resp3):
    r.zadd("s1", {"a": 1, "b": 2, "c": 3})
    r.zadd("s2", {"b": 10, "c": 20, "d": 30})
    r.sadd("plain", "a", "d", "x")
    assert r.zunion(["s1", "s2"], withscores=True) == [("a", 1), ("b", 12), ("c", 23), ("d", 30)]
    assert dec(raw.execute("ZUNION", "3", "s1", "s2", "plain", "WEIGHTS", "1", "2", "3",
                           "AGGREGATE", "MAX", "WITHSCORES")) == \
        ["a", "3", "x", "3", "b", "20", "c", "40", "d", "60"]
    assert r.zinter(["s1", "s2"], aggregate="MIN", withscores=True) == [("b", 2), ("c", 3)]
    assert r.zinter(["s2", "plain"], withscores=True) == [("d", 31)]
    assert r.zinter(["s1", "missing"]) == []
    assert r.zdiff(["s1", "s2"], withscores=True) == ["a", "1"]  # redis-py leaves it flat
    assert r.zdiff(["s2", "plain"]) == ["b", "c"]
    assert resp3.execute_raw("ZDIFF", "2", "s1", "s2", "WITHSCORES") == b"*1\r\n*2\r\n$1\r\na\r\n,1\r\n"
    assert r.zunionstore("out", ["s1", "s2"]) == 4
    assert r.zrange("out", 0, -1, withscores=True) == [("a", 1), ("b", 12), ("c", 23), ("d", 30)]
    assert r.zinterstore("out", {"s1": 2, "s2": 0.5}) == 2
    assert r.zrange("out", 0, -1, withscores=True) == [("b", 9), ("c", 16)]
    assert r.zdiffstore("out", ["s1", "s1"]) == 0
    assert r.exists("out") == 0
    assert r.zinterstore("s1", ["s1", "s2"]) == 2  # the destination is also an input
    assert r.zrange("s1", 0, -1, withscores=True) == [("b", 12), ("c", 23)]
    assert r.zintercard(2, ["s1", "s2"]) == 2
    assert r.zintercard(2, ["s1", "s2"], limit=1) == 1
    assert r.zintercard(2, ["s1", "missing"]) == 0
    raw.execute("ZADD", "i", "inf", "a")
    raw.execute("ZADD", "j", "-inf", "a")
    assert dec(raw.execute("ZUNION", "2", "i", "j", "WITHSCORES")) == ["a", "0"]
    assert dec(raw.execute("ZUNION", "1", "i", "WEIGHTS", "0", "WITHSCORES")) == ["a", "0"]


def test_algebra_errors(r, raw):
    r.zadd("z", {"a": 1})
    r.set("str", "x")
    assert raw.execute("ZUNION", "0", "z") == err("ERR at least 1 input key is needed for 'zunion' command")
    assert raw.execute("ZINTERSTORE", "d", "0", "z") == err(
        "ERR at least 1 input key is needed for 'zinterstore' command")
    assert raw.execute("ZINTERCARD", "0", "z") == err(
        "ERR at least 1 input key is needed for 'zintercard' command")
    assert raw.execute("ZUNION", "x", "z") == NOT_INTEGER
    assert raw.execute("ZUNION", "3", "z") == SYNTAX
    assert raw.execute("ZUNION", "1", "z", "extra") == SYNTAX
    assert raw.execute("ZUNION", "1", "z", "WEIGHTS", "x") == err("ERR weight value is not a float")
    assert raw.execute("ZUNION", "1", "z", "WEIGHTS") == SYNTAX
    assert raw.execute("ZUNION", "1", "z", "AGGREGATE", "foo") == SYNTAX
    assert raw.execute("ZDIFF", "1", "z", "WEIGHTS", "1") == SYNTAX
    assert raw.execute("ZUNIONSTORE", "d", "1", "z", "WITHSCORES") == SYNTAX
    assert raw.execute("ZINTERCARD", "1", "z", "LIMIT", "-1") == err("ERR LIMIT can't be negative")
    assert raw.execute("ZINTERCARD", "1", "z", "WITHSCORES") == SYNTAX
    assert raw.execute("ZUNION", "2", "z", "str") == WRONGTYPE
    assert raw.execute("ZUNIONSTORE", "d", "2", "z", "str") == WRONGTYPE
    assert raw.execute("ZINTERCARD", "2", "str", "z") == WRONGTYPE


def test_wrongtype(r, raw):
    r.set("str", "x")
    for args in (("ZADD", "str", "1", "a"), ("ZINCRBY", "str", "1", "a"), ("ZREM", "str", "a"),
                 ("ZSCORE", "str", "a"), ("ZMSCORE", "str", "a"), ("ZCARD", "str"),
                 ("ZCOUNT", "str", "0", "1"), ("ZLEXCOUNT", "str", "-", "+"), ("ZRANK", "str", "a"),
                 ("ZREVRANK", "str", "a"), ("ZRANGE", "str", "0", "-1"),
                 ("ZRANGESTORE", "d", "str", "0", "-1"), ("ZREVRANGE", "str", "0", "-1"),
                 ("ZRANGEBYSCORE", "str", "0", "1"), ("ZREVRANGEBYSCORE", "str", "1", "0"),
                 ("ZRANGEBYLEX", "str", "-", "+"), ("ZREVRANGEBYLEX", "str", "+", "-"),
                 ("ZREMRANGEBYRANK", "str", "0", "1"), ("ZREMRANGEBYSCORE", "str", "0", "1"),
                 ("ZREMRANGEBYLEX", "str", "-", "+"), ("ZPOPMIN", "str"), ("ZPOPMAX", "str"),
                 ("ZMPOP", "1", "str", "MIN"), ("ZRANDMEMBER", "str"), ("ZSCAN", "str", "0")):
        assert raw.execute(*args) == WRONGTYPE, args
    r.zadd("z", {"a": 1})
    assert raw.execute("GET", "z") == WRONGTYPE
    assert r.type("z") == "zset"


def test_encodings(r, raw):
    r.zadd("small", {"a": 1})
    assert r.object("encoding", "small") == "listpack"
    r.zadd("big", {"m%d" % i: i for i in range(129)})
    assert r.object("encoding", "big") == "skiplist"
    r.zadd("long", {"x" * 65: 1})
    assert r.object("encoding", "long") == "skiplist"
    r.zadd("grow", {"m%d" % i: i for i in range(128)})
    assert r.object("encoding", "grow") == "listpack"
    r.zadd("grow", {"one-more": 0})
    assert r.object("encoding", "grow") == "skiplist"
    assert r.zrank("grow", "one-more") == 1
    assert r.zrangestore("copy", "big", 0, 9) == 10
    assert r.object("encoding", "copy") == "listpack"


def test_large_zset_ranges(r):
    n = 3000
    pipe = r.pipeline(transaction=False)
    for i in range(0, n, 500):
        pipe.zadd("big", {"m%05d" % j: j // 2 for j in range(i, i + 500)})
    pipe.execute()
    assert r.zcard("big") == n
    assert r.zrank("big", "m01234") == 1234
    assert r.zrevrank("big", "m01234") == n - 1 - 1234
    assert r.zrange("big", 1500, 1502) == ["m01500", "m01501", "m01502"]
    assert r.zcount("big", 100, "(200") == 200
    assert r.zrangebyscore("big", 700, "+inf", start=2, num=3) == ["m01402", "m01403", "m01404"]
    assert r.zrevrangebyscore("big", 10, "-inf", start=0, num=2) == ["m00021", "m00020"]
    assert r.zremrangebyrank("big", 0, 999) == 1000
    assert r.zrange("big", 0, 0) == ["m01000"]
    assert r.zremrangebyscore("big", 1000, "+inf") == 1000
    assert r.zcard("big") == 1000
    assert r.zpopmax("big")[0] == ("m01999", 999)
    seen = set()
    cursor = 0
    while True:
        cursor, items = r.zscan("big", cursor, count=100)
        seen.update(m for m, _ in items)
        if cursor == 0:
            break
    assert len(seen) == 999


def test_zscan(r, raw, resp3):
    r.zadd("z", {"a": 1, "b": 2.5, "c": 3})
    cursor, items = r.zscan("z", 0, match="[ab]")
    assert cursor == 0 and sorted(items) == [("a", 1), ("b", 2.5)]
    # Scores are bulk strings in both protocols.
    reply = resp3.execute_raw("ZSCAN", "z", "0", "MATCH", "b")
    assert reply == b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\nb\r\n$3\r\n2.5\r\n"
    assert raw.execute_raw("ZSCAN", "missing", "0") == b"*2\r\n$1\r\n0\r\n*0\r\n"
    assert raw.execute("ZSCAN", "z", "x") == err("ERR invalid cursor")
    assert raw.execute("ZSCAN", "z", "0", "COUNT", "0") == SYNTAX
    assert raw.execute("ZSCAN", "z", "0", "FOO") == SYNTAX


def test_command_metadata(raw):
    info = dec(raw.execute("COMMAND", "INFO", "zunionstore", "zadd", "zinter"))
    assert info[0][0] == "zunionstore" and info[0][1] == -4 and info[0][3:6] == [1, 1, 1]
    assert info[1][0] == "zadd" and info[1][1] == -4 and info[1][3:6] == [1, 1, 1]
    assert info[2][0] == "zinter" and info[2][1] == -3
    assert dec(raw.execute("COMMAND", "GETKEYS", "ZUNIONSTORE", "d", "2", "a", "b")) == ["d", "a", "b"]
    assert dec(raw.execute("COMMAND", "GETKEYS", "ZMPOP", "2", "a", "b", "MIN")) == ["a", "b"]


def _config_set(raw, name, value):
    old = dec(raw.execute("CONFIG", "GET", name))
    assert raw.execute("CONFIG", "SET", name, str(value)) == "OK"
    return old[1]


def test_encoding_thresholds_follow_config(r, raw):
    old_entries = _config_set(raw, "zset-max-listpack-entries", 2)
    old_value = _config_set(raw, "zset-max-listpack-value", 4)
    try:
        r.zadd("z", {"a": 1, "b": 2})
        assert r.object("encoding", "z") == "listpack"
        r.zadd("z", {"c": 3})
        assert r.object("encoding", "z") == "skiplist"
        r.zadd("w", {"abcde": 1})
        assert r.object("encoding", "w") == "skiplist"
        assert r.zrange("z", 0, -1, withscores=True) == [("a", 1), ("b", 2), ("c", 3)]
        assert r.zrem("z", "a", "b") == 2
        assert r.object("encoding", "z") == "skiplist"  # no conversion back on removal
    finally:
        _config_set(raw, "zset-max-listpack-entries", old_entries)
        _config_set(raw, "zset-max-listpack-value", old_value)


def test_copy_and_rename(r):
    r.zadd("z", {"m%d" % i: i for i in range(200)})
    r.zadd("small", {"a": 1})
    assert r.copy("z", "z2") == 1
    assert r.copy("small", "small2") == 1
    r.zadd("z", {"m0": 500})
    assert r.zscore("z2", "m0") == 0
    assert r.zcard("z2") == 200
    assert r.rename("z2", "z3") is True
    assert r.zrange("z3", 0, 2) == ["m0", "m1", "m2"]
    assert r.zrange("small2", 0, -1, withscores=True) == [("a", 1)]


@pytest.mark.ember_only("an absolute bound for ember; Redis 7.0 needs ~110 bytes a member here")
def test_large_zset_is_lean(heavy_server):
    import redis
    if harness.SANITIZED:
        pytest.skip("sanitizer allocators do not show the real footprint")
    client = redis.Redis(host="127.0.0.1", port=heavy_server.port, socket_timeout=60)
    before = _rss(heavy_server.pid)
    n, batch = 300000, 10000
    for start in range(0, n, batch):
        args = []
        for i in range(start, start + batch):
            args += [(i * 7919) % n, "member:%d" % i]
        client.execute_command("ZADD", "big", *args)
    assert client.zcard("big") == n
    assert client.object("encoding", "big") == b"skiplist"
    per_member = (_rss(heavy_server.pid) - before) / n
    # RSS growth in a long-lived server moves by a few bytes a member from run to run (69.4 to
    # 72.8 for the same binary, f604737, on the 2-core VM); Redis takes ~133 (bench/README.md).
    assert per_member < 80, "%.1f bytes a member" % per_member
    assert client.zrank("big", "member:0") == 0
    assert client.delete("big") == 1
    client.close()


def _rss(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")
