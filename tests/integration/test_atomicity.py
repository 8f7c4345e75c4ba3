"""Multi-key commands are atomic even when their keys live on different shards: no client ever sees
half of an MSET, DEL, MSETNX or RENAME. Keys without hash tags (a:1 .. a:20) spread over shards;
{tag} keys share one. Each concurrent test is bounded in time and iterations."""

import threading
import time

import harness
from resp_client import RespClient

KEYS = ["a:%d" % i for i in range(1, 21)]
DURATION = 1.0 * harness.SLOWDOWN
MAX_ROUNDS = 20000


def _run_concurrently(port, writer, readers, duration=DURATION):
    """Runs writer(client, stop) and each reader(client, stop) on their own connections until
    `duration` passes or the writer returns; re-raises the first failure."""
    stop = threading.Event()
    failures = []

    def wrap(fn):
        def run():
            c = RespClient(port=port, timeout=10 * harness.SLOWDOWN)
            try:
                fn(c, stop)
            except BaseException as e:  # noqa: B902 - reported to the test
                failures.append(e)
                stop.set()
            finally:
                c.close()
        return threading.Thread(target=run, daemon=True)

    threads = [wrap(writer)] + [wrap(r) for r in readers]
    for t in threads:
        t.start()
    threads[0].join(duration)
    stop.set()
    for t in threads:
        t.join(20 * harness.SLOWDOWN)
    assert not any(t.is_alive() for t in threads), "a client thread hung"
    if failures:
        raise failures[0]


def test_mset_mget_never_torn(server):
    progress = {"writes": 0, "reads": 0}

    def writer(c, stop):
        for i in range(1, MAX_ROUNDS):
            if stop.is_set():
                break
            args = []
            for k in KEYS:
                args += [k, str(i)]
            assert c.execute("MSET", *args) == "OK"
            progress["writes"] = i

    def reader(c, stop):
        last = 0
        while not stop.is_set():
            values = c.execute("MGET", *KEYS)
            assert len(set(values)) == 1, "torn MGET: %r" % values
            if values[0] is not None:
                current = int(values[0])
                assert current >= last, "went back in time: %d after %d" % (current, last)
                last = current
            progress["reads"] += 1

    _run_concurrently(server.port, writer, [reader, reader])
    assert progress["writes"] > 10 and progress["reads"] > 10, progress


def test_del_and_exists_never_partial(server):
    def writer(c, stop):
        for i in range(MAX_ROUNDS):
            if stop.is_set():
                break
            args = []
            for k in KEYS:
                args += [k, "v%d" % i]
            assert c.execute("MSET", *args) == "OK"
            assert c.execute("DEL", *KEYS) == len(KEYS)

    def counter(c, stop):
        while not stop.is_set():
            assert c.execute("EXISTS", *KEYS) in (0, len(KEYS))

    def getter(c, stop):
        while not stop.is_set():
            values = c.execute("MGET", *KEYS)
            assert len(set(values)) == 1, "partial DEL or MSET seen: %r" % values

    _run_concurrently(server.port, writer, [counter, getter])


def test_msetnx_has_exactly_one_winner(server):
    rounds = 200
    wins = {}
    lock = threading.Lock()

    def contender(name):
        def run(c, stop):
            for rnd in range(rounds):
                if stop.is_set():
                    break
                args = []
                for i in range(10):
                    args += ["nx:%d:%d" % (rnd, i), name]
                won = c.execute("MSETNX", *args)
                assert won in (0, 1)
                with lock:
                    wins.setdefault(rnd, []).append((name, won))
        return run

    _run_concurrently(server.port, contender("w0"), [contender("w1"), contender("w2")],
                      duration=10 * harness.SLOWDOWN)
    check = RespClient(port=server.port)
    try:
        assert wins, "no rounds ran"
        for rnd, results in wins.items():
            winners = [name for name, won in results if won == 1]
            assert len(winners) == 1, "round %d: %r" % (rnd, results)  # the first to try wins
            values = check.execute("MGET", *["nx:%d:%d" % (rnd, i) for i in range(10)])
            assert len(set(values)) == 1 and values[0].decode() == winners[0], (rnd, values, results)
    finally:
        check.close()


def test_rename_is_atomic_across_shards(server):
    """One value hops between two keys (on different shards, most likely); EXISTS of both is
    always exactly 1 and the value is never lost."""
    names = ["hop:left", "hop:right"]

    def writer(c, stop):
        assert c.execute("SET", names[0], "payload") == "OK"
        for i in range(MAX_ROUNDS):
            if stop.is_set():
                break
            assert c.execute("RENAME", names[i % 2], names[(i + 1) % 2]) == "OK"

    def reader(c, stop):
        time.sleep(0.01)
        while not stop.is_set():
            assert c.execute("EXISTS", *names) == 1
            values = c.execute("MGET", *names)
            assert sorted(values, key=lambda v: v is None) == [b"payload", None], values

    _run_concurrently(server.port, writer, [reader, reader])


def test_copy_snapshot_is_consistent(server):
    """COPY of a key being rewritten by MSET along with a witness key: the copy always holds a
    value that was written whole."""
    def writer(c, stop):
        for i in range(MAX_ROUNDS):
            if stop.is_set():
                break
            assert c.execute("MSET", "copy:src", "x%06d" % i, "copy:witness", "x%06d" % i) == "OK"

    def copier(c, stop):
        while not stop.is_set():
            result = c.execute("COPY", "copy:src", "copy:dst", "REPLACE")
            assert result in (0, 1)
            value = c.execute("GET", "copy:dst")
            assert value is None or (len(value) == 7 and value.startswith(b"x")), value

    _run_concurrently(server.port, writer, [copier])


def test_multi_key_sanity_across_shards(raw):
    pairs = []
    for k in KEYS:
        pairs += [k, k.upper()]
    assert raw.execute("MSET", *pairs) == "OK"
    assert raw.execute("MGET", *KEYS) == [k.upper().encode() for k in KEYS]
    assert raw.execute("EXISTS", *KEYS, *KEYS) == 2 * len(KEYS)
    assert raw.execute("MSETNX", "a:1", "x", "fresh:1", "y") == 0
    assert raw.execute("EXISTS", "fresh:1") == 0  # nothing of a failed MSETNX lands anywhere
    assert raw.execute("MSETNX", *["fresh:%d" % i if j == 0 else "v" for i in range(10) for j in (0, 1)]) == 1
    assert raw.execute("EXISTS", *["fresh:%d" % i for i in range(10)]) == 10
    assert raw.execute("DEL", *KEYS[:10], "missing") == 10
    assert raw.execute("DBSIZE") == 20
    assert raw.execute("RENAME", "a:15", "elsewhere:99") == "OK"
    assert raw.execute("MGET", "a:15", "elsewhere:99") == [None, b"A:15"]
    assert raw.execute("COPY", "elsewhere:99", "copy:1") == 1
    assert raw.execute("GET", "copy:1") == b"A:15"
    assert raw.execute("RENAMENX", "a:16", "a:17") == 0
    assert raw.execute("MGET", "a:16", "a:17") == [b"A:16", b"A:17"]
    keys = set(raw.execute("KEYS", "*"))
    assert len(keys) == raw.execute("DBSIZE") == 21


def test_hash_tagged_keys(raw):
    assert raw.execute("MSET", "{user}:name", "ann", "{user}:age", "7", "{user}:city", "rome") == "OK"
    assert raw.execute("MGET", "{user}:name", "{user}:age", "{user}:city") == [b"ann", b"7", b"rome"]
    assert raw.execute("RENAME", "{user}:city", "{user}:town") == "OK"
    assert raw.execute("COPY", "{user}:name", "{user}:alias") == 1
    assert raw.execute("DEL", "{user}:name", "{user}:age") == 2
    assert sorted(raw.execute("KEYS", "{user}*")) == [b"{user}:alias", b"{user}:town"]
    # Braces that are not a tag ("{}" empty, or unclosed) are just part of the key.
    assert raw.execute("MSET", "{}x", "1", "{}y", "2", "{unclosed", "3") == "OK"
    assert raw.execute("MGET", "{}x", "{}y", "{unclosed") == [b"1", b"2", b"3"]
