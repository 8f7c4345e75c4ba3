"""Generic key commands, expiry, SCAN/KEYS, databases."""

import time

import pytest

from helpers import NOT_INTEGER, SYNTAX, arity, err, wait_until

NO_SUCH_KEY = err("ERR no such key")
DB_RANGE = err("ERR DB index is out of range")


def test_del_unlink_exists_touch(r, raw):
    r.mset({"a": 1, "b": 2, "c": 3, "d": 4})
    assert raw.execute("EXISTS", "a", "a", "missing", "b") == 3  # duplicates count every time
    assert raw.execute("EXISTS", "missing") == 0
    assert raw.execute("TOUCH", "a", "b", "missing") == 2
    assert raw.execute("DEL", "a", "b", "missing", "a") == 2
    assert raw.execute("UNLINK", "c", "missing") == 1
    assert raw.execute("DEL", "missing") == 0
    assert r.exists("a", "b", "c") == 0
    assert r.get("d") == "4"
    for command in ("DEL", "UNLINK", "EXISTS", "TOUCH"):
        assert raw.execute(command) == arity(command.lower())


def test_ttl_and_pttl(r, raw):
    assert raw.execute("TTL", "missing") == -2
    assert raw.execute("PTTL", "missing") == -2
    r.set("k", "v")
    assert raw.execute("TTL", "k") == -1
    assert raw.execute("PTTL", "k") == -1
    assert raw.execute("EXPIRE", "k", "100") == 1
    assert raw.execute("TTL", "k") == 100
    assert 99000 <= raw.execute("PTTL", "k") <= 100000
    assert raw.execute("PEXPIRE", "k", "5500") == 1
    assert raw.execute("TTL", "k") in (5, 6)  # rounded to the nearest second
    assert raw.execute("TTL", "a", "b") == arity("ttl")


def test_expire_family_basics(r, raw):
    assert raw.execute("EXPIRE", "missing", "10") == 0
    assert raw.execute("PEXPIRE", "missing", "10") == 0
    assert raw.execute("EXPIREAT", "missing", "4102444800") == 0
    r.set("k", "v")
    assert raw.execute("EXPIREAT", "k", "4102444800") == 1
    assert raw.execute("EXPIRETIME", "k") == 4102444800
    assert raw.execute("PEXPIRETIME", "k") == 4102444800000
    assert raw.execute("PEXPIREAT", "k", "4102444800123") == 1
    assert raw.execute("PEXPIRETIME", "k") == 4102444800123
    assert raw.execute("EXPIRETIME", "k") == 4102444800
    assert raw.execute("EXPIRE", "k", "abc") == NOT_INTEGER
    assert raw.execute("EXPIRE", "k") == arity("expire")
    assert raw.execute("EXPIRE", "k", "9999999999999999") == err("ERR invalid expire time in 'expire' command")
    assert raw.execute("PEXPIRE", "k", "9223372036854775807") == err("ERR invalid expire time in 'pexpire' command")
    assert raw.execute("EXPIREAT", "k", "9223372036854775807") == err("ERR invalid expire time in 'expireat' command")
    assert raw.execute("PEXPIRETIME", "k") == 4102444800123  # failed calls change nothing


def test_expire_in_the_past_deletes(r, raw):
    r.mset({"a": 1, "b": 1, "c": 1, "d": 1})
    assert raw.execute("EXPIRE", "a", "-1") == 1
    assert raw.execute("PEXPIRE", "b", "0") == 1
    assert raw.execute("EXPIREAT", "c", "1") == 1
    assert raw.execute("PEXPIREAT", "d", "1") == 1
    assert raw.execute("EXISTS", "a", "b", "c", "d") == 0
    assert raw.execute("DBSIZE") == 0


def test_expiretime_special_values(r, raw):
    assert raw.execute("EXPIRETIME", "missing") == -2
    assert raw.execute("PEXPIRETIME", "missing") == -2
    r.set("k", "v")
    assert raw.execute("EXPIRETIME", "k") == -1
    assert raw.execute("PEXPIRETIME", "k") == -1


def test_expire_nx_xx_gt_lt(r, raw):
    r.set("a", "v")
    assert raw.execute("EXPIRE", "a", "100", "XX") == 0  # no TTL yet
    assert raw.execute("EXPIRE", "a", "100", "GT") == 0  # no TTL counts as infinite
    assert raw.execute("EXPIRE", "a", "100", "NX") == 1
    assert raw.execute("EXPIRE", "a", "200", "NX") == 0
    assert raw.execute("EXPIRE", "a", "50", "GT") == 0
    assert raw.execute("EXPIRE", "a", "300", "gt") == 1
    assert raw.execute("TTL", "a") == 300
    assert raw.execute("EXPIRE", "a", "400", "LT") == 0
    assert raw.execute("EXPIRE", "a", "10", "lt") == 1
    assert raw.execute("EXPIRE", "a", "20", "XX") == 1
    assert raw.execute("TTL", "a") == 20
    r.set("b", "v")
    assert raw.execute("EXPIRE", "b", "10", "LT") == 1  # any TTL is less than none
    assert raw.execute("TTL", "b") == 10
    assert raw.execute("PEXPIRE", "b", "5000", "XX") == 1
    assert raw.execute("PEXPIREAT", "b", "4102444800000", "GT") == 1
    assert raw.execute("EXPIREAT", "b", "4102444801", "NX") == 0


def test_expire_option_errors(r, raw):
    r.set("a", "v")
    both = err("ERR NX and XX, GT or LT options at the same time are not compatible")
    assert raw.execute("EXPIRE", "a", "10", "NX", "XX") == both
    assert raw.execute("EXPIRE", "a", "10", "NX", "GT") == both
    assert raw.execute("PEXPIRE", "a", "10", "NX", "LT") == both
    assert raw.execute("EXPIRE", "a", "10", "GT", "LT") == err("ERR GT and LT options at the same time are not compatible")
    assert raw.execute("EXPIRE", "a", "10", "FOO") == err("ERR Unsupported option FOO")
    assert raw.execute("TTL", "a") == -1


def test_persist(r, raw):
    r.set("k", "v")
    assert raw.execute("PERSIST", "k") == 0
    r.expire("k", 100)
    assert raw.execute("PERSIST", "k") == 1
    assert raw.execute("TTL", "k") == -1
    assert raw.execute("PERSIST", "missing") == 0
    assert raw.execute("PERSIST") == arity("persist")


def test_type(r, raw):
    r.set("k", "v")
    assert raw.execute_raw("TYPE", "k") == b"+string\r\n"
    assert raw.execute_raw("TYPE", "missing") == b"+none\r\n"
    r.set("n", 5)
    assert raw.execute("TYPE", "n") == "string"


def test_expiry_really_happens(r, raw):
    assert r.set("k", "v", px=100)
    assert r.set("k2", "v", px=100)
    r.set("keep", "v")
    time.sleep(0.25)
    assert raw.execute("GET", "k") is None
    assert raw.execute("EXISTS", "k2") == 0
    assert raw.execute("TTL", "k") == -2
    assert raw.execute("KEYS", "*") == [b"keep"]
    assert raw.execute("DBSIZE") == 1


def test_active_expiry_without_access(r, raw):
    """Keys with a TTL disappear on their own (no access), visible through DBSIZE."""
    r.mset({"live:%d" % i: i for i in range(20)})
    pipe = r.pipeline(transaction=False)
    for i in range(200):
        pipe.set("ttl:%d" % i, i, px=50)
    pipe.execute()
    assert raw.execute("DBSIZE") in range(20, 221)
    assert wait_until(lambda: raw.execute("DBSIZE") == 20, timeout=5.0), raw.execute("DBSIZE")


def _scan_all(raw, *options, limit=10000):
    cursor, keys, calls = b"0", [], 0
    while True:
        cursor, page = raw.execute("SCAN", cursor, *options)
        assert isinstance(cursor, bytes) and cursor.isdigit()
        keys.extend(page)
        calls += 1
        assert calls < limit, "SCAN did not finish"
        if cursor == b"0":
            return keys, calls


def test_scan_returns_every_key(r, raw):
    expected = {"key:%d" % i for i in range(1000)}
    r.mset({k: 1 for k in expected})
    keys, _ = _scan_all(raw)
    assert {k.decode() for k in keys} == expected
    keys, calls = _scan_all(raw, "COUNT", "10")
    assert {k.decode() for k in keys} == expected
    assert calls > 1
    # A COUNT larger than the keyspace finishes the iteration in one call, as in Redis.
    cursor, page = raw.execute("SCAN", "0", "COUNT", "1000000")
    assert cursor == b"0" and {k.decode() for k in page} == expected


def test_scan_empty_and_errors(raw):
    assert raw.execute_raw("SCAN", "0") == b"*2\r\n$1\r\n0\r\n*0\r\n"
    assert raw.execute("SCAN", "abc") == err("ERR invalid cursor")
    assert raw.execute("SCAN", "18446744073709551616") == err("ERR invalid cursor")
    assert raw.execute("SCAN", "0", "COUNT", "0") == SYNTAX
    assert raw.execute("SCAN", "0", "COUNT", "abc") == NOT_INTEGER
    assert raw.execute("SCAN", "0", "FOO") == SYNTAX
    assert raw.execute("SCAN", "0", "MATCH") == SYNTAX
    assert raw.execute("SCAN") == arity("scan")


def test_scan_match_and_type(r, raw):
    r.mset({"a:%d" % i: i for i in range(50)})
    r.mset({"b:%d" % i: i for i in range(50)})
    keys, _ = _scan_all(raw, "MATCH", "a:*", "COUNT", "7")
    assert sorted(keys) == sorted(("a:%d" % i).encode() for i in range(50))
    keys, _ = _scan_all(raw, "MATCH", "b:1?")
    assert sorted(keys) == sorted(("b:%d" % i).encode() for i in range(10, 20))
    keys, _ = _scan_all(raw, "TYPE", "string", "MATCH", "a:4*")
    assert sorted(keys) == sorted([b"a:4"] + [("a:4%d" % i).encode() for i in range(10)])
    keys, _ = _scan_all(raw, "TYPE", "list")
    assert keys == []
    keys, _ = _scan_all(raw, "MATCH", "nothing*")
    assert keys == []


def test_scan_skips_expired_keys(r, raw):
    r.mset({"k%d" % i: i for i in range(10)})
    for i in range(5):
        r.pexpire("k%d" % i, 20)
    time.sleep(0.1)
    keys, _ = _scan_all(raw)
    assert sorted(keys) == [("k%d" % i).encode() for i in range(5, 10)]


def test_heavy_scan_many_keys(heavy_server):
    """20,000 keys over every shard: the cursor loop returns each of them."""
    import redis
    client = redis.Redis(port=heavy_server.port, decode_responses=True, socket_timeout=30)
    expected = {"many:%d" % i for i in range(20000)}
    pipe = client.pipeline(transaction=False)
    for i in range(0, 20000, 500):
        pipe.mset({"many:%d" % j: j for j in range(i, i + 500)})
    pipe.execute()
    assert client.dbsize() == 20000
    seen, calls, cursor = [], 0, 0
    while True:
        cursor, page = client.scan(cursor, count=500)
        seen.extend(page)
        calls += 1
        assert calls < 5000
        if cursor == 0:
            break
    assert set(seen) == expected
    assert len(client.keys("many:1999*")) == 11
    client.close()


KEY_SET = ["hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo", "h?llo", "h[llo", "other"]


@pytest.mark.parametrize("pattern, expected", [
    ("*", KEY_SET),
    ("h?llo", ["hello", "hallo", "hxllo", "h*llo", "h?llo", "h[llo"]),
    ("h*llo", ["hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo", "h?llo", "h[llo"]),
    ("h[ae]llo", ["hello", "hallo"]),
    ("h[^e]llo", ["hallo", "hxllo", "h*llo", "h?llo", "h[llo"]),
    ("h[a-c]llo", ["hallo"]),
    ("h[x-a]llo", ["hallo", "hello", "hxllo"]),  # a reversed range still matches
    ("h\\*llo", ["h*llo"]),
    ("h\\?llo", ["h?llo"]),
    ("h\\[llo", ["h[llo"]),
    ("h\\ello", ["hello"]),
    ("*ther", ["other"]),
    ("HELLO", []),  # case-sensitive
    ("nomatch*", []),
    ("", []),
])
def test_keys_glob(r, raw, pattern, expected):
    r.mset({k: 1 for k in KEY_SET})
    assert sorted(raw.execute("KEYS", pattern)) == sorted(k.encode() for k in expected)


def test_keys_errors_and_expired(r, raw):
    assert raw.execute("KEYS") == arity("keys")
    assert raw.execute_raw("KEYS", "*") == b"*0\r\n"
    r.set("gone", "v", px=30)
    r.set("here", "v")
    time.sleep(0.1)
    assert raw.execute("KEYS", "*") == [b"here"]


def test_rename(r, raw):
    r.set("src", "v", ex=100)
    assert raw.execute_raw("RENAME", "src", "dst") == b"+OK\r\n"
    assert r.get("dst") == "v" and r.exists("src") == 0
    assert 99 <= r.ttl("dst") <= 100  # the TTL travels with the value
    r.set("other", "x")
    assert raw.execute("RENAME", "dst", "other") == "OK"  # overwrites
    assert r.get("other") == "v" and 99 <= r.ttl("other") <= 100
    assert raw.execute("RENAME", "missing", "x") == NO_SUCH_KEY
    assert raw.execute("RENAME", "other", "other") == "OK"
    assert r.get("other") == "v"
    assert raw.execute("RENAME", "missing", "missing") == NO_SUCH_KEY
    assert raw.execute("RENAME", "a") == arity("rename")


def test_renamenx(r, raw):
    r.mset({"a": 1, "b": 2})
    assert raw.execute("RENAMENX", "a", "b") == 0
    assert r.mget("a", "b") == ["1", "2"]
    assert raw.execute("RENAMENX", "a", "c") == 1
    assert r.mget("a", "c") == [None, "1"]
    assert raw.execute("RENAMENX", "missing", "x") == NO_SUCH_KEY
    assert raw.execute("RENAMENX", "c", "c") == 0


def test_randomkey(r, raw):
    assert raw.execute_raw("RANDOMKEY") == b"$-1\r\n"
    r.set("only", "v")
    assert raw.execute("RANDOMKEY") == b"only"
    r.mset({"k%d" % i: i for i in range(10)})
    names = {b"only"} | {("k%d" % i).encode() for i in range(10)}
    seen = {raw.execute("RANDOMKEY") for _ in range(100)}
    assert seen <= names and len(seen) > 1


def test_copy(r, raw):
    r.set("src", "v", ex=100)
    assert raw.execute("COPY", "src", "dst") == 1
    assert r.get("dst") == "v" and 99 <= r.ttl("dst") <= 100  # COPY keeps the TTL
    assert r.get("src") == "v"
    r.set("dst", "old")
    assert raw.execute("COPY", "src", "dst") == 0
    assert r.get("dst") == "old"
    assert raw.execute("COPY", "src", "dst", "REPLACE") == 1
    assert r.get("dst") == "v"
    assert raw.execute("COPY", "missing", "x") == 0
    assert r.exists("x") == 0
    assert raw.execute("COPY", "src", "src") == err("ERR source and destination objects are the same")
    assert raw.execute("COPY", "src", "x", "FOO") == SYNTAX
    assert raw.execute("COPY", "src", "x", "DB", "16") == err("ERR DB index is out of range")
    assert raw.execute("COPY", "src", "x", "DB", "abc") == NOT_INTEGER
    assert raw.execute("COPY", "src") == arity("copy")


def test_copy_to_other_db(r, connect):
    c = connect()
    c.execute("SET", "src", "v")
    assert c.execute("COPY", "src", "src", "DB", "1") == 1  # same name, other db is fine
    assert c.execute("COPY", "src", "dst", "DB", "1") == 1
    assert c.execute("EXISTS", "dst") == 0
    assert c.execute("SELECT", "1") == "OK"
    assert c.execute("MGET", "src", "dst") == [b"v", b"v"]
    assert c.execute("COPY", "src", "dst", "DB", "1") == 0
    assert c.execute("COPY", "src", "dst", "DB", "1", "REPLACE") == 1


def test_select_isolation(connect):
    c = connect()
    for db in range(16):
        assert c.execute("SELECT", str(db)) == "OK"
        assert c.execute("SET", "k", "db%d" % db) == "OK"
        assert c.execute("SET", "only-%d" % db, "x") == "OK"
    for db in range(16):
        c.execute("SELECT", str(db))
        assert c.execute("GET", "k") == ("db%d" % db).encode()
        assert c.execute("DBSIZE") == 2
        assert c.execute("EXISTS", "only-%d" % ((db + 1) % 16)) == 0
    other = connect()  # a new connection starts in db 0
    assert other.execute("GET", "k") == b"db0"
    assert c.execute("SELECT", "16") == DB_RANGE
    assert c.execute("SELECT", "-1") == DB_RANGE
    assert c.execute("SELECT", "abc") == NOT_INTEGER
    assert c.execute("SELECT") == arity("select")
    assert c.execute("GET", "k") == b"db15"  # a failed SELECT keeps the current db


def test_swapdb(connect):
    a, b = connect(), connect()
    a.execute("MSET", "x", "in0", "y", "in0")
    b.execute("SELECT", "1")
    b.execute("SET", "x", "in1")
    assert a.execute("SWAPDB", "0", "1") == "OK"
    assert a.execute("GET", "x") == b"in1"  # connections see the swapped contents at once
    assert a.execute("DBSIZE") == 1
    assert b.execute("MGET", "x", "y") == [b"in0", b"in0"]
    assert a.execute("SWAPDB", "0", "0") == "OK"
    assert a.execute("SWAPDB", "0", "16") == DB_RANGE
    assert a.execute("SWAPDB", "abc", "0") == err("ERR invalid first DB index")
    assert a.execute("SWAPDB", "0", "abc") == err("ERR invalid second DB index")
    assert a.execute("SWAPDB", "0") == arity("swapdb")


def test_dbsize_flushdb_flushall(connect):
    c = connect()
    c.execute("MSET", "a", "1", "b", "2")
    c.execute("SELECT", "2")
    c.execute("MSET", "a", "1", "b", "2", "c", "3")
    assert c.execute("DBSIZE") == 3
    assert c.execute_raw("FLUSHDB") == b"+OK\r\n"
    assert c.execute("DBSIZE") == 0
    c.execute("SELECT", "0")
    assert c.execute("DBSIZE") == 2  # FLUSHDB touched db 2 only
    for mode in ("ASYNC", "SYNC", "async"):
        assert c.execute("FLUSHDB", mode) == "OK"
    assert c.execute("FLUSHDB", "FOO") == SYNTAX
    for db in ("0", "3", "15"):
        c.execute("SELECT", db)
        c.execute("SET", "k", db)
    assert c.execute("FLUSHALL") == "OK"
    for db in ("0", "3", "15"):
        c.execute("SELECT", db)
        assert c.execute("DBSIZE") == 0
    c.execute("SET", "k", "v")
    assert c.execute("FLUSHALL", "ASYNC") == "OK"
    assert c.execute("DBSIZE") == 0
    c.execute("SET", "k", "v")
    assert c.execute("FLUSHALL", "SYNC") == "OK"
    assert c.execute("DBSIZE") == 0
    assert c.execute("FLUSHALL", "FOO") == SYNTAX
    assert c.execute("FLUSHALL", "ASYNC", "SYNC") == SYNTAX
    assert c.execute("DBSIZE", "x") == arity("dbsize")
