"""Shared by test_bitmaps.py and test_hyperloglog.py: ember and a redis-server side by side,
every reply compared byte for byte (RESP2 or RESP3)."""

import pytest

import harness
from resp_client import RespClient

TIMEOUT = 10.0 * harness.SLOWDOWN


def compared_configs():
    """One configuration with one shard and one with four (epoll preferred), among those the
    `server` fixture runs: the 4-shard one spreads multi-key commands over shards."""
    chosen = []
    for shards in (1, 4):
        candidates = sorted((c for c in harness.selected_configs() if c.shards == shards),
                            key=lambda c: c.backend != "epoll")
        if candidates:
            chosen.append(candidates[0].name)
    return chosen


class Pair:
    def __init__(self, ember_port, redis_port, protocol):
        self.ember = RespClient(port=ember_port, timeout=TIMEOUT)
        self.ref = RespClient(port=redis_port, timeout=TIMEOUT)
        if protocol == 3:
            for c in (self.ember, self.ref):
                c.execute("HELLO", "3")
        assert self.ref.execute("FLUSHALL") == "OK"
        self.history = []

    def both(self, *args):
        """Runs a command on both; returns ember's raw reply after checking it equals Redis's."""
        self.history.append(args)
        mine = self.ember.execute_raw(*args)
        theirs = self.ref.execute_raw(*args)
        if mine != theirs:
            context = "\n".join(" ".join(map(str, a))[:200] for a in self.history[-8:])
            pytest.fail("reply differs for %r\nember: %r\nredis: %r\nlast commands:\n%s"
                        % (args, mine[:300], theirs[:300], context), pytrace=False)
        return mine

    def close(self):
        self.ember.close()
        self.ref.close()


def make_pair(server, redis_ref, protocol=2):
    if server.config.name not in compared_configs():
        pytest.skip("compared with redis-server on %s only" % ", ".join(compared_configs()))
    return Pair(server.port, redis_ref.port, protocol)
