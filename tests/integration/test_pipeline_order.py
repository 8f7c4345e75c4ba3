"""A connection's commands take visible effect in the order it sent them, on any shards.

A writer pipelines SET k0 v, SET k1 v, ..., SET k7 v for v = 1, 2, 3 ... (eight keys spread
over the shards, so whichever shard the writer's connection lives on, some neighbours are on
another). Readers read k7 first and k0 last, one command at a time: as in Redis, a key read
later can never hold an older value than a key written after it and read before it. Before
the fix a pipelined command for the connection's own shard ran before earlier commands sent to
other shards, and readers saw k(i+1) = v while k(i) was still older.
"""

import threading
import time

from resp_client import RespClient, encode_command

KEYS = ["order:%d" % i for i in range(8)]
ROUNDS = 20000       # values the writer goes through
PER_PIPELINE = 25    # values per pipelined write
BUDGET_S = 6.0


def _writer(port, stop, errors):
    try:
        with RespClient(port=port, timeout=10) as w:
            v = 0
            deadline = time.monotonic() + BUDGET_S
            while v < ROUNDS and time.monotonic() < deadline and not stop.is_set():
                commands = []
                for _ in range(PER_PIPELINE):
                    v += 1
                    commands.extend(("SET", key, str(v)) for key in KEYS)
                w.send_raw(b"".join(encode_command(*command) for command in commands))
                replies = [w.read_reply() for _ in commands]
                assert all(reply == "OK" for reply in replies), replies[:3]
    except Exception as e:  # noqa: BLE001 - reported by the test
        errors.append(repr(e))
    finally:
        stop.set()


def _reader(port, stop, violations, errors):
    try:
        with RespClient(port=port, timeout=10) as c:
            while not stop.is_set() and len(violations) < 10:
                seen = []
                for key in reversed(KEYS):  # the last written first
                    value = c.execute("GET", key)
                    seen.append(int(value) if value is not None else 0)
                # seen[0] is k7's value, read first; each later read must be at least as new.
                for newer, older in zip(seen, seen[1:]):
                    if older < newer:
                        violations.append(list(reversed(seen)))
                        break
    except Exception as e:  # noqa: BLE001
        errors.append(repr(e))


def test_pipelined_writes_become_visible_in_order(server):
    stop = threading.Event()
    violations, errors = [], []
    threads = [threading.Thread(target=_writer, args=(server.port, stop, errors))]
    threads += [threading.Thread(target=_reader, args=(server.port, stop, violations, errors))
                for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=BUDGET_S + 20)
    stop.set()
    assert not errors, errors
    assert not violations, ("a reader saw a later write without an earlier one "
                            "(values of k0..k7): %s" % violations[:3])
    with RespClient(port=server.port, timeout=10) as c:
        final = [c.execute("GET", key) for key in KEYS]
    assert len(set(final)) == 1, final  # the writer's last pipeline landed whole
