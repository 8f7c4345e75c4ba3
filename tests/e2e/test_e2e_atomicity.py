"""No client ever sees half of a multi-key write, even when the keys live on different shards."""
import threading
import time

import redis

KEYS = ["a:%d" % i for i in range(20)]  # no hash tag: spread over every shard


def run_for(seconds, fn):
    deadline = time.time() + seconds
    while time.time() < deadline:
        fn()


def test_mget_never_sees_half_an_mset(server):
    writer = redis.Redis(port=server.port)
    readers = [redis.Redis(port=server.port) for _ in range(3)]
    writer.mset({k: 0 for k in KEYS})
    torn = []
    stop = threading.Event()

    def write():
        i = 0
        while not stop.is_set() and i < 100000:
            i += 1
            writer.mset({k: i for k in KEYS})

    def read(client):
        def check():
            values = client.mget(KEYS)
            if len(set(values)) != 1:
                torn.append(values)
        run_for(2.0, check)

    w = threading.Thread(target=write)
    w.start()
    threads = [threading.Thread(target=read, args=(c,)) for c in readers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    w.join(timeout=10)
    assert not torn, "torn MGET replies: %r" % torn[:3]


def test_del_and_exists_are_all_or_nothing(server):
    writer = redis.Redis(port=server.port)
    reader = redis.Redis(port=server.port)
    bad = []
    stop = threading.Event()

    def churn():
        n = 0
        while not stop.is_set() and n < 100000:
            n += 1
            writer.mset({k: 1 for k in KEYS})
            writer.delete(*KEYS)

    t = threading.Thread(target=churn)
    t.start()

    def check():
        count = reader.exists(*KEYS)
        if count not in (0, len(KEYS)):
            bad.append(count)
    run_for(1.5, check)
    stop.set()
    t.join(timeout=10)
    assert not bad, bad[:5]


def test_cross_shard_rename_copy_msetnx(r):
    r.set("x:source", "payload", ex=100)
    assert r.rename("x:source", "y:other-shard")
    assert r.get("y:other-shard") == b"payload" and r.ttl("y:other-shard") > 0
    assert r.copy("y:other-shard", "z:third")
    assert r.get("z:third") == b"payload"
    assert r.msetnx({"m:1": "a", "m:2": "b", "m:3": "c"})
    assert not r.msetnx({"m:4": "a", "m:1": "b"})
    assert r.exists("m:4") == 0
    assert r.mget("{t}1", "{t}2") == [None, None]
    assert r.mset({"{t}1": "1", "{t}2": "2"})
    assert r.mget("{t}1", "{t}2") == [b"1", b"2"]
