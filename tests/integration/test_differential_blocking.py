"""Blocking differential test: several clients park on lists and sorted sets (BLPOP, BRPOP,
BLMOVE, BLMPOP, BZPOPMIN, one key each), others push, some parked clients hang up; the same seeded script runs
against ember and a real redis-server, and each client's replies, in order, and the final data
must match. This checks who is served first, how many a multi-element push serves, chains
(a BLMOVE's push serving the next waiter) and that a client that left takes nothing.

After each step the script waits until the server has settled: every client it counts as parked
is either still parked (INFO blocked_clients agrees) or has its reply. Hunt longer with
EMBER_BLOCK_DIFF_SEEDS=500.
"""

import os
import random
import socket
import time

import pytest

import harness
from helpers import DIFFERENTIAL
from resp_client import RespClient

pytestmark = DIFFERENTIAL

SEEDS = range(int(os.environ.get("EMBER_BLOCK_DIFF_SEEDS", "15")))
CLIENTS = 4
STEPS = 40
SETTLE = 5.0 * harness.SLOWDOWN
LISTS = ["bl:a", "bl:b"]
ZSET = "bz:a"


def _blocking_command(rng):
    # One key each: with several, Redis 7.0 serves a woken client from the key that got data,
    # while Redis 7.2 and ember run the command again, which may take from an earlier key.
    key = rng.choice(LISTS)
    kind = rng.randrange(5)
    if kind == 0:
        return ["BLPOP", key, "0"]
    if kind == 1:
        return ["BRPOP", key, "0"]
    if kind == 2:
        return ["BLMOVE", key, rng.choice(LISTS), rng.choice(["LEFT", "RIGHT"]),
                rng.choice(["LEFT", "RIGHT"]), "0"]
    if kind == 3:
        return ["BLMPOP", "0", "1", key, rng.choice(["LEFT", "RIGHT"]), "COUNT",
                str(rng.randint(1, 3))]
    return ["BZPOPMIN", ZSET, "0"]


def _push_command(rng, counter):
    values = ["v%d" % (counter + i) for i in range(rng.choice([1, 1, 2, 3]))]
    if rng.random() < 0.25:
        args = []
        for v in values:
            args += [str(rng.randint(0, 9)), v]
        return ["ZADD", ZSET] + args
    return [rng.choice(["LPUSH", "RPUSH"]), rng.choice(LISTS)] + values


def script(seed):
    """The steps: ("block", client, command), ("run", client, command) or ("leave", client)."""
    rng = random.Random(seed)
    steps, counter = [], 0
    for _ in range(STEPS):
        r = rng.random()
        client = rng.randrange(CLIENTS)
        if r < 0.45:
            steps.append(("block", client, _blocking_command(rng)))
        elif r < 0.92:
            steps.append(("run", client, _push_command(rng, counter)))
            counter += 3
        else:
            steps.append(("leave", client, None))
    return steps


class Run:
    """One server's side of a script: its clients, who is parked, what each got."""

    def __init__(self, port):
        self.port = port
        self.admin = RespClient(port=port, timeout=SETTLE)
        assert self.admin.execute("FLUSHALL") == "OK"
        self.clients = [self._connect() for _ in range(CLIENTS)]
        self.parked = [False] * CLIENTS
        self.replies = [[] for _ in range(CLIENTS)]

    def _connect(self):
        c = RespClient(port=self.port, timeout=SETTLE)
        assert c.execute("PING") == "PONG"  # accepted before anything else happens
        return c

    def step(self, kind, client, command):
        if kind == "leave":
            if self.parked[client]:
                self.clients[client].close()
                self.clients[client] = self._connect()
                self.parked[client] = False
                self.replies[client].append("<left>")
        elif self.parked[client]:
            return  # a parked client can send nothing that runs: the script skips it
        elif kind == "block":
            self.clients[client].send_command(*command)
            self.parked[client] = True
        else:
            self.replies[client].append(self.clients[client].execute(*command))
        self.settle()

    def settle(self):
        # Only a command of this step changes the count: one that parks adds its client, and
        # one that serves parked clients removes them; so once the server's count is ours, every
        # reply this step caused has been read.
        deadline = time.monotonic() + SETTLE
        while True:
            info = self.admin.execute("INFO", "clients").decode()
            count = int(info.split("blocked_clients:")[1].split()[0])
            if count == sum(self.parked):
                return
            assert time.monotonic() < deadline, "server never settled: %d parked, %d expected" % (
                count, sum(self.parked))
            for i, c in enumerate(self.clients):
                if not self.parked[i]:
                    continue
                try:
                    self.replies[i].append(c.read_reply(timeout=0.002))
                    self.parked[i] = False
                except socket.timeout:
                    pass

    def final_state(self):
        data = [self.admin.execute("LRANGE", key, "0", "-1") for key in LISTS]
        return data + [self.admin.execute("ZRANGE", ZSET, "0", "-1", "WITHSCORES")]

    def close(self):
        for c in self.clients + [self.admin]:
            c.close()


@pytest.mark.parametrize("seed", SEEDS)
def test_parked_clients_are_served_as_redis_serves_them(server, redis_ref, seed):
    steps = script(seed)
    ours, theirs = Run(server.port), Run(redis_ref.port)
    try:
        for n, (kind, client, command) in enumerate(steps):
            ours.step(kind, client, command)
            theirs.step(kind, client, command)
            assert ours.replies == theirs.replies, "after step %d %s: %r" % (
                n, (kind, client, command), steps[max(0, n - 6):n + 1])
        assert ours.final_state() == theirs.final_state()
    finally:
        ours.close()
        theirs.close()
