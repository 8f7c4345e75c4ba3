"""String commands: values, options, reply shapes and Redis 7's exact error strings."""

import time

import pytest

from helpers import NOT_INTEGER, SYNTAX, WRONGTYPE, arity, err, supports

INVALID_SET_EXPIRE = err("ERR invalid expire time in 'set' command")
OVERFLOW = err("ERR increment or decrement would overflow")
NOT_FLOAT = err("ERR value is not a valid float")


def test_get_set_basic(r, raw):
    assert r.get("missing") is None
    assert raw.execute_raw("GET", "missing") == b"$-1\r\n"
    assert raw.execute_raw("SET", "k", "v") == b"+OK\r\n"
    assert raw.execute_raw("GET", "k") == b"$1\r\nv\r\n"
    assert r.set("k", "v2") is True
    assert r.get("k") == "v2"
    assert r.set("n", 42) and r.get("n") == "42"


def test_binary_safe_keys_and_values(rb):
    value = b"a\x00b\r\nc\xff\xfe\r\n$3\r\n*1\r\n"
    key = b"k\x00\r\n\xff"
    assert rb.set(key, value)
    assert rb.get(key) == value
    assert rb.strlen(key) == len(value)
    assert rb.get(b"k") is None  # the \x00 really is part of the key
    assert rb.append(key, b"\x00\x00") == len(value) + 2
    assert rb.get(key) == value + b"\x00\x00"


def test_empty_key_and_empty_value(rb, raw):
    assert rb.set(b"", b"empty-key")
    assert rb.get(b"") == b"empty-key"
    assert rb.set(b"e", b"")
    assert raw.execute_raw("GET", "e") == b"$0\r\n\r\n"
    assert rb.strlen(b"e") == 0
    assert rb.exists(b"", b"e") == 2


def test_one_megabyte_value(rb):
    value = bytes(range(256)) * 4096  # 1 MiB, every byte value
    assert rb.set(b"big", value)
    assert rb.get(b"big") == value
    assert rb.strlen(b"big") == 1 << 20
    assert rb.getrange(b"big", -3, -1) == bytes([253, 254, 255])


def test_set_nx_xx(r, raw):
    assert r.set("k", "v1", nx=True) is True
    assert r.set("k", "v2", nx=True) is None
    assert raw.execute_raw("SET", "k", "v2", "NX") == b"$-1\r\n"
    assert r.get("k") == "v1"
    assert r.set("k", "v3", xx=True) is True
    assert r.get("k") == "v3"
    assert r.set("absent", "v", xx=True) is None
    assert r.exists("absent") == 0
    assert raw.execute("SET", "k", "v", "nx", "ex", "10") is None  # options are case-insensitive


def test_set_get_option(r, raw):
    assert r.set("k", "new", get=True) is None
    assert r.get("k") == "new"
    assert r.set("k", "newer", get=True) == "new"
    # Redis 7 accepts GET together with NX / XX: the old value comes back either way.
    assert raw.execute("SET", "k", "other", "NX", "GET") == b"newer"
    assert r.get("k") == "newer"
    assert raw.execute("SET", "k", "xx-value", "XX", "GET") == b"newer"
    assert r.get("k") == "xx-value"
    assert raw.execute("SET", "nokey", "v", "XX", "GET") is None
    assert r.exists("nokey") == 0


def test_set_expire_options(r):
    assert r.set("ex", "v", ex=100)
    assert 99 <= r.ttl("ex") <= 100
    assert r.set("px", "v", px=100000)
    assert 99000 <= r.pttl("px") <= 100000
    at = int(time.time()) + 100
    assert r.set("exat", "v", exat=at)
    assert r.expiretime("exat") == at
    pat = int(time.time() * 1000) + 100000
    assert r.set("pxat", "v", pxat=pat)
    assert r.execute_command("PEXPIRETIME", "pxat") == pat


def test_set_keepttl_and_plain_set_clears_ttl(r):
    r.set("t", "v", ex=100)
    assert r.set("t", "v2", keepttl=True)
    assert 99 <= r.ttl("t") <= 100
    assert r.get("t") == "v2"
    r.set("t", "v3")
    assert r.ttl("t") == -1


def test_set_with_past_absolute_time_deletes(r):
    r.set("k", "v")
    assert r.execute_command("SET", "k", "v2", "PXAT", "1") is True
    assert r.get("k") is None
    assert r.exists("k") == 0


@pytest.mark.parametrize("args, error", [
    (("NX", "XX"), SYNTAX),
    (("XX", "NX"), SYNTAX),
    (("EX", "10", "PX", "100"), SYNTAX),
    (("EX", "10", "EXAT", "10"), SYNTAX),
    (("KEEPTTL", "EX", "10"), SYNTAX),
    (("PX", "100", "KEEPTTL"), SYNTAX),
    (("EX",), SYNTAX),
    (("FOO",), SYNTAX),
    (("EX", "0"), INVALID_SET_EXPIRE),
    (("EX", "-5"), INVALID_SET_EXPIRE),
    (("PX", "0"), INVALID_SET_EXPIRE),
    (("EXAT", "0"), INVALID_SET_EXPIRE),
    (("EX", "9999999999999999"), INVALID_SET_EXPIRE),
    (("EX", "abc"), NOT_INTEGER),
    (("PXAT", "abc"), NOT_INTEGER),
    (("EX", "1.5"), NOT_INTEGER),
])
def test_set_option_errors(raw, args, error):
    raw.execute("SET", "k", "orig")
    assert raw.execute("SET", "k", "v", *args) == error
    assert raw.execute("GET", "k") == b"orig"  # a rejected SET changes nothing
    assert raw.execute("TTL", "k") == -1


def test_arity_errors(raw):
    for command in (["GET"], ["GET", "a", "b"], ["SET", "k"], ["SETNX", "k"], ["SETEX", "k", "10"],
                    ["PSETEX", "k"], ["MGET"], ["MSET", "a"], ["MSET", "a", "1", "b"], ["MSETNX", "a", "1", "b"],
                    ["GETSET", "a"], ["GETDEL"], ["GETDEL", "a", "b"], ["GETEX"], ["INCR"],
                    ["INCRBY", "k"], ["DECR"], ["DECRBY", "k"], ["INCRBYFLOAT", "k"], ["APPEND", "k"],
                    ["STRLEN"], ["GETRANGE", "k", "0"], ["SETRANGE", "k", "0"]):
        assert raw.execute(*command) == arity(command[0].lower()), command


def test_setnx_setex_psetex(r, raw):
    assert raw.execute("SETNX", "k", "1") == 1
    assert raw.execute("SETNX", "k", "2") == 0
    assert r.get("k") == "1"
    assert raw.execute_raw("SETEX", "se", "100", "v") == b"+OK\r\n"
    assert r.get("se") == "v" and 99 <= r.ttl("se") <= 100
    assert raw.execute_raw("PSETEX", "pse", "100000", "v") == b"+OK\r\n"
    assert 99000 <= r.pttl("pse") <= 100000
    assert raw.execute("SETEX", "se", "0", "v") == err("ERR invalid expire time in 'setex' command")
    assert raw.execute("SETEX", "se", "-1", "v") == err("ERR invalid expire time in 'setex' command")
    assert raw.execute("SETEX", "se", "abc", "v") == NOT_INTEGER
    assert raw.execute("PSETEX", "pse", "0", "v") == err("ERR invalid expire time in 'psetex' command")


def test_mget_mset(r, raw):
    assert raw.execute_raw("MSET", "a", "1", "b", "2", "c", "3") == b"+OK\r\n"
    assert r.mget("a", "b", "missing", "c") == ["1", "2", None, "3"]
    assert raw.execute_raw("MGET", "a", "missing") == b"*2\r\n$1\r\n1\r\n$-1\r\n"
    raw.execute("MSET", "a", "x", "a", "y")  # the last value of a repeated key wins
    assert r.get("a") == "y"
    r.set("t", "v", ex=100)
    r.mset({"t": "w"})
    assert r.ttl("t") == -1  # MSET clears TTLs like SET


def test_msetnx_all_or_nothing(r, raw):
    assert raw.execute("MSETNX", "a", "1", "b", "2") == 1
    assert raw.execute("MSETNX", "a", "9", "c", "3") == 0
    assert r.mget("a", "b", "c") == ["1", "2", None]
    assert raw.execute("MSETNX", "c", "3", "d", "4") == 1
    assert r.mget("c", "d") == ["3", "4"]


def test_getset_getdel(r, raw):
    assert raw.execute("GETSET", "k", "v1") is None
    assert raw.execute("GETSET", "k", "v2") == b"v1"
    assert r.get("k") == "v2"
    r.expire("k", 100)
    raw.execute("GETSET", "k", "v3")
    assert r.ttl("k") == -1  # GETSET clears the TTL
    assert raw.execute("GETDEL", "k") == b"v3"
    assert raw.execute_raw("GETDEL", "k") == b"$-1\r\n"
    assert r.exists("k") == 0


def test_getex(r, raw):
    r.set("k", "v")
    assert raw.execute("GETEX", "k") == b"v"
    assert r.ttl("k") == -1
    assert raw.execute("GETEX", "k", "EX", "100") == b"v"
    assert 99 <= r.ttl("k") <= 100
    assert raw.execute("GETEX", "k") == b"v"
    assert 99 <= r.ttl("k") <= 100  # no option: TTL untouched
    assert raw.execute("GETEX", "k", "PX", "5000") == b"v"
    assert 4900 <= r.pttl("k") <= 5000
    assert raw.execute("GETEX", "k", "EXAT", "4102444800") == b"v"
    assert r.expiretime("k") == 4102444800
    assert raw.execute("GETEX", "k", "PXAT", "4102444800123") == b"v"
    assert raw.execute("PEXPIRETIME", "k") == 4102444800123
    assert raw.execute("GETEX", "k", "PERSIST") == b"v"
    assert r.ttl("k") == -1
    assert raw.execute("GETEX", "missing", "EX", "10") is None
    assert r.exists("missing") == 0


def test_getex_errors(raw):
    raw.execute("SET", "k", "v")
    assert raw.execute("GETEX", "k", "EX", "0") == err("ERR invalid expire time in 'getex' command")
    assert raw.execute("GETEX", "k", "PX", "-1") == err("ERR invalid expire time in 'getex' command")
    assert raw.execute("GETEX", "k", "EXAT", "0") == err("ERR invalid expire time in 'getex' command")
    assert raw.execute("GETEX", "k", "EX", "abc") == NOT_INTEGER
    assert raw.execute("GETEX", "k", "EX") == SYNTAX
    assert raw.execute("GETEX", "k", "PERSIST", "EX", "10") == SYNTAX
    assert raw.execute("GETEX", "k", "EX", "10", "PX", "100") == SYNTAX
    assert raw.execute("GETEX", "k", "FOO") == SYNTAX
    assert raw.execute("TTL", "k") == -1


def test_incr_decr(r, raw):
    assert raw.execute("INCR", "n") == 1
    assert raw.execute("INCR", "n") == 2
    assert raw.execute("DECR", "n") == 1
    assert raw.execute("INCRBY", "n", "10") == 11
    assert raw.execute("DECRBY", "n", "20") == -9
    assert raw.execute("INCRBY", "n", "-1") == -10
    assert raw.execute("DECR", "fresh") == -1
    assert r.get("n") == "-10"
    r.set("t", "5", ex=100)
    assert r.incr("t") == 6
    assert 99 <= r.ttl("t") <= 100  # INCR keeps the TTL


def test_incr_overflow(raw):
    raw.execute("SET", "max", "9223372036854775807")
    assert raw.execute("INCR", "max") == OVERFLOW
    assert raw.execute("INCRBY", "max", "1") == OVERFLOW
    assert raw.execute("DECRBY", "max", "-1") == OVERFLOW
    assert raw.execute("GET", "max") == b"9223372036854775807"
    raw.execute("SET", "min", "-9223372036854775808")
    assert raw.execute("DECR", "min") == OVERFLOW
    assert raw.execute("INCRBY", "min", "-1") == OVERFLOW
    assert raw.execute("DECRBY", "d", "-9223372036854775807") == 9223372036854775807
    # Negating LLONG_MIN itself is refused with a message of its own.
    assert raw.execute("DECRBY", "x", "-9223372036854775808") == err("ERR decrement would overflow")


@pytest.mark.parametrize("stored", ["abc", "1.5", "+1", "01", " 1", "1 ", "", "-0", "9223372036854775808"])
def test_incr_non_integer_values(raw, stored):
    raw.execute("SET", "k", stored)
    assert raw.execute("INCR", "k") == NOT_INTEGER
    assert raw.execute("GET", "k") == stored.encode()


def test_incrby_non_integer_increment(raw):
    for bad in ("abc", "1.5", "9223372036854775808", ""):
        assert raw.execute("INCRBY", "k", bad) == NOT_INTEGER
        assert raw.execute("DECRBY", "k", bad) == NOT_INTEGER
    assert raw.execute("EXISTS", "k") == 0


def test_incrbyfloat(r, raw):
    assert raw.execute_raw("INCRBYFLOAT", "f", "10.5") == b"$4\r\n10.5\r\n"
    assert raw.execute("INCRBYFLOAT", "f", "0.1") == b"10.6"
    assert raw.execute("INCRBYFLOAT", "g", "5.0e3") == b"5000"
    assert raw.execute("INCRBYFLOAT", "g", "-4999.5") == b"0.5"
    assert raw.execute("INCRBYFLOAT", "g", "-0.5") == b"0"
    assert raw.execute("INCRBYFLOAT", "h", "3.0") == b"3"
    assert raw.execute("INCRBYFLOAT", "h", "1e20") == b"100000000000000000000"
    assert raw.execute("INCRBYFLOAT", "z", "-1.25") == b"-1.25"
    assert raw.execute("INCRBYFLOAT", "w", "1.1e-5") == b"0.000011"
    r.set("i", "7")
    assert raw.execute("INCRBYFLOAT", "i", "1") == b"8"
    r.set("e", "1e3")
    assert raw.execute("INCRBYFLOAT", "e", "0") == b"1000"
    r.set("t", "1", ex=100)
    raw.execute("INCRBYFLOAT", "t", "1")
    assert 99 <= r.ttl("t") <= 100


def test_incrbyfloat_sums_decimals_without_binary_noise(raw):
    # Redis adds in long double and prints with %.17Lg: 0.1 + 0.2 reads back as "0.3", where a
    # plain double would give 0.30000000000000004.
    assert raw.execute("INCRBYFLOAT", "g", "0.1") == b"0.1"
    assert raw.execute("INCRBYFLOAT", "g", "0.2") == b"0.3"
    assert raw.execute("INCRBYFLOAT", "h", "1.1") == b"1.1"
    assert raw.execute("INCRBYFLOAT", "h", "2.2") == b"3.3"


def test_incrbyfloat_errors(r, raw):
    for bad in ("inf", "-inf", "+inf"):
        assert raw.execute("INCRBYFLOAT", "f", bad) == err("ERR increment would produce NaN or Infinity")
    for bad in ("abc", "nan", " 1", "1 ", ""):
        assert raw.execute("INCRBYFLOAT", "f", bad) == NOT_FLOAT
    assert r.exists("f") == 0
    for stored in ("abc", " 2", "1.5.5"):
        r.set("s", stored)
        assert raw.execute("INCRBYFLOAT", "s", "1") == NOT_FLOAT
        assert r.get("s") == stored


def test_append_strlen(r, raw):
    assert raw.execute("APPEND", "ap", "hello") == 5
    assert raw.execute("APPEND", "ap", " world") == 11
    assert raw.execute("STRLEN", "ap") == 11
    assert r.get("ap") == "hello world"
    assert raw.execute("STRLEN", "nope") == 0
    assert raw.execute("APPEND", "e", "") == 0
    assert r.exists("e") == 1  # APPEND creates the key even for an empty suffix
    r.set("t", "a", ex=100)
    raw.execute("APPEND", "t", "b")
    assert 99 <= r.ttl("t") <= 100
    r.set("n", 12)
    assert raw.execute("APPEND", "n", "3") == 3
    assert raw.execute("INCR", "n") == 124


def test_getrange(raw):
    raw.execute("SET", "s", "Hello, World")
    assert raw.execute("GETRANGE", "s", "0", "4") == b"Hello"
    assert raw.execute("GETRANGE", "s", "-5", "-1") == b"World"
    assert raw.execute("GETRANGE", "s", "0", "-1") == b"Hello, World"
    assert raw.execute("GETRANGE", "s", "0", "-100") == b"H"
    assert raw.execute("GETRANGE", "s", "-100", "2") == b"Hel"
    assert raw.execute("GETRANGE", "s", "7", "1000") == b"World"
    assert raw.execute_raw("GETRANGE", "s", "5", "3") == b"$0\r\n\r\n"
    assert raw.execute_raw("GETRANGE", "s", "100", "200") == b"$0\r\n\r\n"
    assert raw.execute_raw("GETRANGE", "missing", "0", "-1") == b"$0\r\n\r\n"
    assert raw.execute("GETRANGE", "s", "a", "b") == NOT_INTEGER


def test_setrange(r, rb, raw):
    assert raw.execute("SETRANGE", "k", "5", "abc") == 8
    assert rb.get("k") == b"\x00\x00\x00\x00\x00abc"
    assert raw.execute("SETRANGE", "k", "1", "XY") == 8
    assert rb.get("k") == b"\x00XY\x00\x00abc"
    assert raw.execute("SETRANGE", "k", "7", "Z123") == 11
    assert rb.get("k") == b"\x00XY\x00\x00abZ123"
    assert raw.execute("SETRANGE", "k", "0", "") == 11  # empty value: length only
    assert raw.execute("SETRANGE", "absent", "10", "") == 0
    assert r.exists("absent") == 0  # ... and nothing is created
    r.set("t", "hello", ex=100)
    assert raw.execute("SETRANGE", "t", "0", "J") == 5
    assert r.get("t") == "Jello" and 99 <= r.ttl("t") <= 100


def test_setrange_errors(r, raw):
    assert raw.execute("SETRANGE", "k", "-1", "x") == err("ERR offset is out of range")
    assert raw.execute("SETRANGE", "k", "abc", "x") == NOT_INTEGER
    too_big = err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
    assert raw.execute("SETRANGE", "k", "536870912", "x") == too_big
    assert raw.execute("SETRANGE", "k", "536870911", "xy") == too_big
    assert r.exists("k") == 0


def test_wrongtype(raw):
    if not supports(raw, "LPUSH", "list", "a"):
        pytest.skip("the server has no list type yet (LPUSH is an unknown command)")
    for command in (["GET", "list"], ["INCR", "list"], ["INCRBYFLOAT", "list", "1"], ["APPEND", "list", "x"],
                    ["STRLEN", "list"], ["GETRANGE", "list", "0", "1"], ["SETRANGE", "list", "0", "x"],
                    ["GETSET", "list", "x"], ["GETDEL", "list"], ["GETEX", "list"], ["SET", "list", "x", "GET"],
                    ["DECRBY", "list", "1"]):
        assert raw.execute(*command) == WRONGTYPE, command
    assert raw.execute("MGET", "list") == [None]  # MGET never errors: nil for other types
    assert raw.execute("TYPE", "list") == "list"
    assert raw.execute("SET", "list", "now-a-string") == "OK"  # plain SET overwrites any type
    assert raw.execute("GET", "list") == b"now-a-string"
