"""Blocking sorted-set pops: BZPOPMIN, BZPOPMAX, BZMPOP."""

import threading
import time

from helpers import SYNTAX, WRONGTYPE, err
from resp_client import RespClient


def test_pop_at_once_when_members_exist(r, raw):
    r.zadd("z", {"a": 1, "b": 2, "c": 3})
    assert raw.execute("BZPOPMIN", "nope", "z", "1") == [b"z", b"a", b"1"]
    assert raw.execute("BZPOPMAX", "z", "1") == [b"z", b"c", b"3"]
    assert raw.execute("BZMPOP", "1", "1", "z", "MIN", "COUNT", "5") == [b"z", [[b"b", b"2"]]]
    assert r.exists("z") == 0
    assert raw.execute("BZPOPMIN", "z", "-1") == err("ERR timeout is negative")
    assert raw.execute("BZMPOP", "1", "1", "z", "MIDDLE") == SYNTAX
    assert raw.execute("BZMPOP", "1", "0", "z", "MIN") == err("ERR numkeys should be greater than 0")
    r.set("s", "v")
    assert raw.execute("BZPOPMIN", "s", "0.1") == WRONGTYPE


def test_timeouts_reply_null(raw, resp3):
    assert raw.execute_raw("BZPOPMIN", "none", "0.1") == b"*-1\r\n"
    assert resp3.execute_raw("BZPOPMAX", "none", "0.1") == b"_\r\n"
    assert raw.execute_raw("BZMPOP", "0.1", "1", "none", "MAX") == b"*-1\r\n"


def test_a_zadd_on_another_connection_wakes_the_waiter(server, connect):
    waiter = connect()

    def push():
        time.sleep(0.2)
        with RespClient(port=server.port) as c:
            c.execute("ZADD", "later{x}", "7", "m")

    t = threading.Thread(target=push)
    t.start()
    assert waiter.execute("BZPOPMAX", "other", "later{x}", "5") == [b"later{x}", b"m", b"7"]
    t.join()
