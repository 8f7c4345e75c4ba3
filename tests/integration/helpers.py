"""Small helpers shared by the integration tests."""

import os
import time

import pytest

import harness
from resp_client import RespError


def err(text):
    """The error reply `text` (full line without the leading '-', e.g. "ERR syntax error")."""
    return RespError(text)


def arity(command):
    return RespError("ERR wrong number of arguments for '%s' command" % command)


SYNTAX = RespError("ERR syntax error")
NOT_INTEGER = RespError("ERR value is not an integer or out of range")
WRONGTYPE = RespError("WRONGTYPE Operation against a key holding the wrong kind of value")


def supports(client, *probe):
    """False when the server answers `probe` with an unknown-command error (commands ember does
    not have yet, e.g. LPUSH for WRONGTYPE tests)."""
    reply = client.execute(*probe)
    return not (isinstance(reply, RespError) and reply.message.startswith("ERR unknown command"))


def wait_until(predicate, timeout, interval=0.01):
    """Polls `predicate` until it is true or `timeout` seconds pass; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def info_field(client, section, name):
    """One integer field of INFO `section`, through a RespClient."""
    info = client.execute("INFO", section).decode()
    return int(info.split(name + ":", 1)[1].split("\r\n", 1)[0])


# The differential tests compare ember with Debian's redis-server.
DIFFERENTIAL = [
    pytest.mark.skipif(harness.IS_REDIS, reason="differential test compares ember with redis-server"),
    pytest.mark.skipif(not os.access(harness.REDIS_SERVER, os.X_OK),
                       reason="%s not found" % harness.REDIS_SERVER),
]
