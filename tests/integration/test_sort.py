"""SORT and SORT_RO over lists, sets and sorted sets."""

from helpers import SYNTAX, WRONGTYPE, err


def test_sort_numbers_and_alpha(r):
    r.rpush("l", 3, 1, 2, 10)
    assert r.sort("l") == ["1", "2", "3", "10"]
    assert r.sort("l", desc=True) == ["10", "3", "2", "1"]
    assert r.sort("l", alpha=True) == ["1", "10", "2", "3"]
    assert r.sort("l", start=1, num=2) == ["2", "3"]
    assert r.sort("missing") == []
    r.sadd("s", 5, 4, 6)
    assert r.sort("s") == ["4", "5", "6"]
    r.zadd("z", {"b": 1, "a": 2, "c": 3})
    assert r.sort("z", alpha=True) == ["a", "b", "c"]


def test_sort_by_and_get(r):
    r.rpush("l", 1, 2, 3)
    r.mset({"w_1": 30, "w_2": 10, "w_3": 20, "name_1": "one", "name_2": "two"})
    assert r.sort("l", by="w_*") == ["2", "3", "1"]
    assert r.sort("l", by="w_*", get=["name_*", "#"]) == ["two", "2", None, "3", "one", "1"]
    r.hset("obj_1", "rank", "3")
    r.hset("obj_2", "rank", "1")
    r.hset("obj_3", "rank", "2")
    assert r.sort("l", by="obj_*->rank") == ["2", "3", "1"]
    assert r.sort("l", by="nosort") == ["1", "2", "3"]


def test_sort_store_and_errors(r, raw):
    r.rpush("l", 2, 1)
    assert r.sort("l", store="dst") == 2
    assert r.lrange("dst", 0, -1) == ["1", "2"]
    assert r.sort("empty", store="dst") == 0
    assert r.exists("dst") == 0
    r.rpush("words", "b", "a")
    assert raw.execute("SORT", "words") == err("ERR One or more scores can't be converted into double")
    assert raw.execute("SORT_RO", "words", "ALPHA") == [b"a", b"b"]
    assert raw.execute("SORT_RO", "words", "STORE", "x") == SYNTAX
    assert raw.execute("SORT", "words", "BOGUS") == SYNTAX
    r.set("str", "v")
    assert raw.execute("SORT", "str") == WRONGTYPE
