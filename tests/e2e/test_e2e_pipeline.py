from wire_client import encode


def test_ten_thousand_commands_in_one_write(raw):
    n = 10000
    payload = b"".join(encode("SET", "key:%d" % i, "v%d" % i) + encode("GET", "key:%d" % i) +
                       encode("INCR", "counter") for i in range(n))
    raw.send_raw(payload)
    for i in range(n):
        assert raw.read() == "OK"
        assert raw.read() == b"v%d" % i
        assert raw.read() == i + 1


def test_pipeline_mixes_shards_and_barriers(raw):
    # Multi-key commands and SELECT in the middle of a pipeline keep their order.
    cmds = [("SET", "a", "1"), ("SET", "b", "2"), ("MGET", "a", "b"), ("SELECT", "2"), ("GET", "a"),
            ("SET", "a", "x"), ("SELECT", "0"), ("GET", "a"), ("DBSIZE",), ("DEL", "a", "b")]
    raw.send_raw(b"".join(encode(*c) for c in cmds))
    replies = [raw.read() for _ in cmds]
    assert replies == ["OK", "OK", [b"1", b"2"], "OK", None, "OK", "OK", b"1", 2, 2]


def test_redis_py_pipeline(r):
    pipe = r.pipeline(transaction=False)
    for i in range(500):
        pipe.set("p%d" % i, i)
        pipe.get("p%d" % i)
    results = pipe.execute()
    assert results[1::2] == [str(i).encode() for i in range(500)]
