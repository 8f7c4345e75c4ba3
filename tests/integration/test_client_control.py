"""CLIENT PAUSE / UNPAUSE / UNBLOCK / REPLY and RESET, as Redis 7 has them (client libraries call
these during setup and teardown)."""

import time

from helpers import err, wait_until
from resp_client import encode_command


def _parked(r, client_id):
    def check():
        for line in r.execute_command("CLIENT", "LIST").splitlines():
            if line.startswith("id=%d " % client_id):
                return " cmd=blpop" in line
        return False
    return wait_until(check, 5)


def test_client_pause_write_holds_writes_and_lets_reads_run(connect, r):
    admin, writer, reader = connect(), connect(), connect()
    assert reader.execute("SET", "k", "old") == "OK"
    assert admin.execute("CLIENT", "PAUSE", "400", "WRITE") == "OK"
    start = time.monotonic()
    writer.send_command("SET", "k", "new")
    assert reader.execute("GET", "k") == b"old"  # reads are not held
    assert reader.execute("PING") == "PONG"
    assert writer.read_reply(timeout=5) == "OK"
    assert time.monotonic() - start >= 0.3  # the write waited for the pause to end
    assert reader.execute("GET", "k") == b"new"


def test_client_pause_all_holds_every_command_until_the_timeout(connect):
    admin, other = connect(), connect()
    assert admin.execute("CLIENT", "PAUSE", "300") == "OK"
    start = time.monotonic()
    assert other.execute("PING") == "PONG"
    assert time.monotonic() - start >= 0.2


def test_client_unpause_lets_held_commands_run_at_once(connect):
    admin, writer = connect(), connect()
    assert admin.execute("CLIENT", "PAUSE", "20000", "WRITE") == "OK"
    writer.send_command("INCR", "n")
    time.sleep(0.2)
    start = time.monotonic()
    assert admin.execute("CLIENT", "UNPAUSE") == "OK"
    assert writer.read_reply(timeout=5) == 1
    assert time.monotonic() - start < 2


def test_client_pause_errors(raw):
    assert raw.execute("CLIENT", "PAUSE", "abc") == err("ERR timeout is not an integer or out of range")
    assert raw.execute("CLIENT", "PAUSE", "-1") == err("ERR timeout is negative")
    assert raw.execute("CLIENT", "PAUSE", "10", "foo") == err("ERR CLIENT PAUSE mode must be WRITE or ALL")
    assert raw.execute("CLIENT", "PAUSE") == err("ERR wrong number of arguments for 'client|pause' command")


def test_client_unblock_ends_a_blocking_pop_as_a_timeout_or_an_error(connect, r):
    admin, waiter = connect(), connect()
    waiter_id = waiter.execute("CLIENT", "ID")
    waiter.send_command("BLPOP", "nothing", "0")
    assert _parked(r, waiter_id)
    assert admin.execute("CLIENT", "UNBLOCK", str(waiter_id)) == 1
    assert waiter.read_reply(timeout=5) is None
    waiter.send_command("BRPOP", "nothing", "0")
    assert wait_until(lambda: admin.execute("CLIENT", "UNBLOCK", str(waiter_id), "ERROR") == 1, 5)
    assert waiter.read_reply(timeout=5) == err("UNBLOCKED client unblocked via CLIENT UNBLOCK")
    assert waiter.execute("PING") == "PONG"
    # Not blocked: nothing to do.
    assert admin.execute("CLIENT", "UNBLOCK", str(waiter_id)) == 0
    assert admin.execute("CLIENT", "UNBLOCK", "99999999") == 0
    assert admin.execute("CLIENT", "UNBLOCK", "abc") == err("ERR value is not an integer or out of range")
    assert admin.execute("CLIENT", "UNBLOCK", "5", "foo") == \
        err("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")


def test_client_reply_off_skip_and_on(raw):
    raw.send_raw(b"".join([
        encode_command("CLIENT", "REPLY", "OFF"),
        encode_command("SET", "a", "1"),
        encode_command("GET", "a"),
        encode_command("NOSUCHCOMMAND"),
        encode_command("CLIENT", "REPLY", "ON"),
        encode_command("CLIENT", "REPLY", "SKIP"),
        encode_command("INCR", "a"),
        encode_command("GET", "a"),
    ]))
    # Only ON's OK and the last GET answer.
    assert raw.read_reply(timeout=5) == "OK"
    assert raw.read_reply(timeout=5) == b"2"
    assert raw.execute("PING") == "PONG"
    assert raw.execute("CLIENT", "REPLY", "foo") == err("ERR syntax error")


def test_client_reply_off_drops_replies_of_commands_on_other_shards(raw):
    keys = ["rk:%d" % i for i in range(20)]  # spread over the shards
    commands = [encode_command("CLIENT", "REPLY", "OFF")]
    commands += [encode_command("SET", k, k) for k in keys]
    commands += [encode_command("MSET", *[x for k in keys for x in (k, k + "!")])]
    commands += [encode_command("CLIENT", "REPLY", "ON"), encode_command("MGET", *keys)]
    raw.send_raw(b"".join(commands))
    assert raw.read_reply(timeout=5) == "OK"
    assert raw.read_reply(timeout=5) == [(k + "!").encode() for k in keys]


def test_reset_restores_the_connection(raw, r):
    assert raw.execute("SELECT", "3") == "OK"
    assert raw.execute("CLIENT", "SETNAME", "before") == "OK"
    assert raw.execute("SET", "in3", "x") == "OK"
    assert raw.execute("RESET") == "RESET"
    assert raw.execute("GET", "in3") is None  # back in db 0
    assert raw.execute("CLIENT", "GETNAME") is None
    assert raw.execute("HELLO", "3")[b"proto"] == 3
    assert raw.execute("RESET") == "RESET"
    assert raw.execute_raw("PING") == b"+PONG\r\n"
    assert raw.execute_raw("HELLO")[:1] == b"*"  # RESP2 again
