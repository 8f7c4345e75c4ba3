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


def test_constant_by_with_store_sorts_a_set_alpha(r):
    # BY without '*' means "don't sort", but a set has no order of its own: with STORE, Redis
    # sorts it ALPHA by the members (even without ALPHA, so words are no error), then applies
    # DESC, LIMIT and GET.
    r.sadd("myset", "c", "a", "b", "10", "2")
    assert r.execute_command("SORT", "myset", "ALPHA", "BY", "_", "STORE", "mylist") == 5
    assert r.lrange("mylist", 0, -1) == ["10", "2", "a", "b", "c"]
    assert r.execute_command("SORT", "myset", "BY", "nosort", "STORE", "l2") == 5
    assert r.lrange("l2", 0, -1) == ["10", "2", "a", "b", "c"]
    assert r.execute_command("SORT", "myset", "BY", "_", "DESC", "LIMIT", "1", "2", "STORE", "l3") == 2
    assert r.lrange("l3", 0, -1) == ["b", "a"]
    r.set("w_a", "3")
    assert r.execute_command("SORT", "myset", "BY", "_", "GET", "w_*", "GET", "#", "STORE", "l4") == 10
    assert r.lrange("l4", 0, -1) == ["", "10", "", "2", "3", "a", "", "b", "", "c"]
    r.sadd("ints", 3, 1, 20)
    assert r.execute_command("SORT", "ints", "BY", "x", "DESC", "STORE", "l5") == 3
    assert r.lrange("l5", 0, -1) == ["3", "20", "1"]  # ALPHA: "3" > "20" > "1"
    # Without STORE a set comes back unsorted, in some order of its members.
    assert sorted(r.execute_command("SORT", "myset", "BY", "_")) == ["10", "2", "a", "b", "c"]


def test_constant_by_keeps_list_and_zset_order_reading_desc_from_the_tail(r):
    r.rpush("li", "c", "a", "b")
    assert r.execute_command("SORT", "li", "BY", "nosort") == ["c", "a", "b"]
    assert r.execute_command("SORT", "li", "BY", "nosort", "DESC") == ["b", "a", "c"]
    assert r.execute_command("SORT", "li", "BY", "nosort", "DESC", "LIMIT", "0", "2") == ["b", "a"]
    assert r.execute_command("SORT", "li", "BY", "_", "DESC", "STORE", "dst") == 3
    assert r.lrange("dst", 0, -1) == ["b", "a", "c"]
    assert r.execute_command("SORT_RO", "li", "BY", "_", "DESC") == ["b", "a", "c"]
    r.zadd("z", {"x": 1, "y": 2, "w": 3})
    assert r.execute_command("SORT", "z", "BY", "_", "DESC", "STORE", "dst") == 3
    assert r.lrange("dst", 0, -1) == ["w", "y", "x"]
    assert r.execute_command("SORT_RO", "z", "BY", "_") == ["x", "y", "w"]


def test_getkeys_finds_sort_store_destination(raw):
    def keys(*call):
        return raw.execute("COMMAND", "GETKEYS", *call)
    assert keys("sort", "abc", "store", "def") == [b"abc", b"def"]
    assert keys("SORT", "abc", "LIMIT", "0", "1", "STORE", "d1", "BY", "x", "GET", "y", "STORE", "d2") == \
        [b"abc", b"d2"]  # the last STORE wins
    assert keys("sort", "abc", "get", "store", "def") == [b"abc"]  # "store" is GET's pattern
    assert keys("sort", "abc", "store") == [b"abc"]
    assert keys("sort", "abc", "store", "store", "def") == [b"abc", b"def"]  # as sortGetKeys
    assert keys("sort", "abc", "store", "limit", "0", "1") == [b"abc", b"limit"]
    assert keys("sort_ro", "abc", "store", "def") == [b"abc"]


def test_sort_store_to_keys_on_other_shards(r, connect):
    # With several shards most of these destinations live on another shard than src; each
    # must hold the whole sorted copy at once, as seen from another connection.
    r.rpush("src", *range(50, 0, -1))
    other = connect()
    for i in range(16):
        dst = "dst:%d" % i
        assert r.execute_command("SORT", "src", "STORE", dst) == 50
        assert other.execute("LRANGE", dst, "0", "-1") == [str(n).encode() for n in range(1, 51)]
        assert other.execute("TYPE", dst) == "list"
        assert r.execute_command("SORT", "missing", "STORE", dst) == 0
        assert other.execute("EXISTS", dst) == 0


def test_sort_store_is_one_step_while_src_grows(r, connect):
    # A writer appends 1, 2, 3 ... to src while SORT src STORE dst:i runs from another client:
    # every stored list must be exactly 1..n for the n SORT replied (one snapshot of src).
    import threading
    writer = connect()
    stop = threading.Event()

    def push():
        for n in range(1, 3001):
            if stop.is_set():
                return
            writer.execute("RPUSH", "src", str(n))

    thread = threading.Thread(target=push, daemon=True)
    thread.start()
    try:
        for i in range(40):
            dst = "dst:%d" % (i % 8)
            n = r.execute_command("SORT", "src", "DESC", "STORE", dst)
            assert r.lrange(dst, 0, -1) == [str(k) for k in range(n, 0, -1)]
    finally:
        stop.set()
        thread.join(30)
