"""Blocked clients are woken by the keyspace change itself, and never miss a wake-up.

- Races: a fresh client parks in BLPOP while another pushes at once, thousands of times with
  seeded keys (so the waiter, the pusher and the key land on every mix of shards); each BLPOP must
  be answered. Before the fix a push arriving between the park and its registration was lost.
- Any command that brings a key into being wakes its waiters (SORT ... STORE, COPY ... DB,
  RENAME, SWAPDB), in the right database, not only the push commands naming the key.
"""

import random
import time

import pytest

from helpers import wait_until
from resp_client import RespClient

TRIES = 600
BUDGET_S = 40.0  # per variant and configuration; the loop stops early rather than run long


def _race(server, make_blpop, seed):
    rng = random.Random(seed)
    pusher = RespClient(port=server.port, timeout=5)
    missed = []
    deadline = time.monotonic() + BUDGET_S
    try:
        for i in range(TRIES):
            if time.monotonic() > deadline:
                break
            key = "race:%d:%d" % (seed, rng.randrange(1 << 30))
            with RespClient(port=server.port, timeout=5) as waiter:
                waiter.send_command(*make_blpop(key))
                assert pusher.execute("LPUSH", key, "v%d" % i) == 1
                try:
                    reply = waiter.read_reply(timeout=3)
                except Exception:  # noqa: BLE001 - a timeout is the failure we look for
                    missed.append(key)
                    continue
                assert reply == [key.encode(), b"v%d" % i]
            assert pusher.execute("EXISTS", key) == 0
    finally:
        pusher.close()
    assert not missed, "%d BLPOPs never got their pushed element: %s" % (len(missed), missed[:5])


def test_blpop_never_misses_a_push_that_follows_it(server):
    _race(server, lambda key: ("BLPOP", key, "0"), seed=11)


def test_blpop_naming_its_key_several_times_never_misses_a_push(server):
    _race(server, lambda key: ("BLPOP", key, key, key, "0"), seed=12)


def test_blpop_on_keys_of_several_shards_never_misses_a_push(server):
    # The other key lands on another shard most of the time: the park is a multi-shard step.
    _race(server, lambda key: ("BLPOP", key + ":other", key, "0"), seed=13)


def _parked(r, client, blocked=1):
    """Waits until `client` (a RespClient with a blocking command sent) shows as blocked and the
    server counts `blocked` parked clients: CLIENT LIST's cmd= changes before a command that runs
    on other shards has registered its wait, blocked_clients only once it has."""
    client_id = client.client_id

    def parked():
        for line in r.execute_command("CLIENT", "LIST").splitlines():
            if line.startswith("id=%d " % client_id):
                if not any(" cmd=%s " % c in line for c in ("blpop", "brpop", "blmove")):
                    return False
        return r.info("clients")["blocked_clients"] == blocked

    assert wait_until(parked, 5), "the client never parked"


@pytest.fixture
def waiter(connect):
    """A connection that knows its own id (to find it in CLIENT LIST)."""

    def make(db=0):
        c = connect()
        c.client_id = c.execute("CLIENT", "ID")
        if db:
            assert c.execute("SELECT", str(db)) == "OK"
        return c

    return make


def test_sort_store_wakes_a_client_blocked_on_its_destination(r, waiter):
    r.sadd("{s}src", "b", "a", "c")
    w = waiter()
    w.send_command("BLPOP", "{s}dst", "5")
    _parked(r, w)
    assert r.sort("{s}src", alpha=True, store="{s}dst") == 3
    assert w.read_reply(timeout=3) == [b"{s}dst", b"a"]
    assert r.lrange("{s}dst", 0, -1) == ["b", "c"]


def test_swapdb_wakes_a_client_blocked_in_the_database_that_gains_the_key(r, waiter):
    c10 = waiter(db=10)
    assert c10.execute("RPUSH", "jobs", "x", "y") == 2
    w = waiter(db=9)
    w.send_command("BLPOP", "jobs", "5")
    _parked(r, w)
    assert r.swapdb(9, 10) is True
    assert w.read_reply(timeout=3) == [b"jobs", b"x"]
    assert c10.execute("LLEN", "jobs") == 0  # db 10 is the old db 9 now: empty


def test_copy_to_another_database_wakes_the_clients_of_that_database_only(r, waiter):
    r.rpush("{c}src", "one")
    in_db0 = waiter()
    in_db5 = waiter(db=5)
    in_db0.send_command("BLPOP", "{c}dst", "3")
    _parked(r, in_db0, 1)
    in_db5.send_command("BLPOP", "{c}dst", "5")
    _parked(r, in_db5, 2)
    assert r.execute_command("COPY", "{c}src", "{c}dst", "DB", "5") == 1
    assert in_db5.read_reply(timeout=3) == [b"{c}dst", b"one"]
    assert in_db0.read_reply(timeout=6) is None  # its own timeout: nothing came in db 0
    assert r.lrange("{c}dst", 0, -1) == []  # db 0's dst never existed


def test_rename_wakes_a_client_blocked_on_the_new_name(r, waiter):
    r.rpush("{n}old", "v")
    w = waiter()
    w.send_command("BRPOP", "{n}new", "5")
    _parked(r, w)
    assert r.rename("{n}old", "{n}new")
    assert w.read_reply(timeout=3) == [b"{n}new", b"v"]


def test_a_push_of_several_elements_serves_every_waiter_in_turn(r, waiter):
    ws = [waiter() for _ in range(3)]
    for i, w in enumerate(ws):
        w.send_command("BLPOP", "multi", "5")
        _parked(r, w, i + 1)  # parked in this order: served in this order
    assert r.rpush("multi", "a", "b", "c") == 3
    assert [w.read_reply(timeout=3) for w in ws] == [[b"multi", b"a"], [b"multi", b"b"], [b"multi", b"c"]]
