"""Pipelining: many commands in one write, replies in order; split and coalesced writes."""

import random
import socket
import threading
import time

from helpers import arity, err
from resp_client import encode_command


def _send_in_background(client, chunks):
    """Writes `chunks` from a thread (so a full socket buffer cannot deadlock us while we read)."""
    failure = []

    def run():
        try:
            for chunk in chunks:
                client.send_raw(chunk)
        except OSError as e:  # reported by the reader's assertions too
            failure.append(e)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, failure


def _mixed_commands(count, keys=50):
    """Commands and their expected replies, for SET/GET/INCR/DEL over `keys` keys."""
    rng = random.Random(7)
    state = {}
    commands, expected = [], []
    for i in range(count):
        key = "p:%d" % rng.randrange(keys)
        op = rng.randrange(4)
        if op == 0:
            value = str(rng.randrange(1000))
            commands.append(("SET", key, value))
            expected.append("OK")
            state[key] = value
        elif op == 1:
            commands.append(("GET", key))
            expected.append(state[key].encode() if key in state else None)
        elif op == 2:
            commands.append(("INCR", key))
            value = int(state.get(key, "0")) + 1
            state[key] = str(value)
            expected.append(value)
        else:
            commands.append(("DEL", key))
            expected.append(1 if state.pop(key, None) is not None else 0)
    return commands, expected, state


def test_ten_thousand_commands_in_one_write(connect, r):
    commands, expected, state = _mixed_commands(10000)
    c = connect(timeout=30)
    c.send_raw(b"".join(encode_command(*cmd) for cmd in commands))
    replies = c.read_replies(len(commands), timeout=30)
    for i, (reply, want) in enumerate(zip(replies, expected)):
        assert reply == want, "reply %d to %r: %r, expected %r" % (i, commands[i], reply, want)
    assert c.execute("PING") == "PONG"  # nothing extra was left in the stream
    assert {k: r.get(k) for k in state} == state


def test_pipeline_split_at_every_boundary(connect):
    """The same pipeline delivered in random small pieces, some cutting through a header or CRLF."""
    commands, expected, _ = _mixed_commands(2000)
    payload = b"".join(encode_command(*cmd) for cmd in commands)
    rng = random.Random(11)
    chunks, pos = [], 0
    while pos < len(payload):
        size = rng.choice((1, 2, 3, 5, 17, 64, 333, 4096))
        chunks.append(payload[pos:pos + size])
        pos += size
    c = connect(timeout=30)
    thread, failure = _send_in_background(c, chunks)
    replies = c.read_replies(len(commands), timeout=30)
    thread.join(10)
    assert not failure
    assert replies == expected


def test_pipeline_with_errors_keeps_order(connect):
    c = connect()
    c.send_raw(b"".join([
        encode_command("SET", "k", "1"),
        encode_command("NOSUCH", "x"),
        encode_command("INCR", "k"),
        encode_command("GET"),
        encode_command("SET", "k", "v", "NX", "XX"),
        encode_command("GET", "k"),
        encode_command("INCR", "k"),
        encode_command("PING"),
    ]))
    assert c.read_replies(8) == [
        "OK",
        err("ERR unknown command 'NOSUCH', with args beginning with: 'x' "),
        2,
        arity("get"),
        err("ERR syntax error"),
        b"2",
        3,
        "PONG",
    ]


def test_pipeline_large_values_both_ways(connect):
    """10 MB of SETs and 10 MB of GET replies in flight at once: no deadlock, no corruption."""
    values = [bytes([65 + i % 26]) * (100000 + i) for i in range(100)]
    c = connect(timeout=60)
    chunks = [encode_command("SET", "big:%d" % i, v) for i, v in enumerate(values)]
    chunks += [encode_command("GET", "big:%d" % i) for i in range(len(values))]
    thread, failure = _send_in_background(c, chunks)
    replies = c.read_replies(2 * len(values), timeout=60)
    thread.join(10)
    assert not failure
    assert replies[:100] == ["OK"] * 100
    for i, reply in enumerate(replies[100:]):
        assert reply == values[i], "value %d differs (len %d vs %d)" % (i, len(reply or b""), len(values[i]))


def test_big_round_then_many_small_rounds_on_one_connection(connect):
    """Work for other shards travels in per-connection batches kept between rounds: a round with
    large replies, then many small rounds, must still answer each command, in order."""
    c = connect(timeout=30)
    big = [bytes([97 + i % 26]) * 20000 for i in range(16)]
    c.send_raw(b"".join(encode_command("SET", "br:%d" % i, v) for i, v in enumerate(big)))
    assert c.read_replies(len(big)) == ["OK"] * len(big)
    c.send_raw(b"".join(encode_command("GET", "br:%d" % i) for i in range(len(big))))
    assert c.read_replies(len(big)) == big
    for round_ in range(200):
        keys = ["sr:%d:%d" % (round_, i) for i in range(4)]
        c.send_raw(b"".join(encode_command("INCRBY", k, round_ + 1) for k in keys) +
                   b"".join(encode_command("GET", k) for k in keys))
        assert c.read_replies(8) == [round_ + 1] * 4 + [str(round_ + 1).encode()] * 4


def test_commands_before_a_half_close_all_run_and_answer(connect, r):
    """A client that writes its commands and then shuts its sending side (`nc -N`, a bulk load)
    gets every reply: the hang-up is acted on after the input that came before it, including
    input that arrived while a command was out on other shards."""
    commands = []
    for _ in range(3000):
        commands.append(("MGET", "hc:a", "hc:b{x}", "hc:c{y}", "hc:d{z}"))  # several shards
        commands.append(("INCR", "hc:n"))
    c = connect(timeout=30)
    c.send_raw(b"".join(encode_command(*cmd) for cmd in commands))
    c.sock.shutdown(socket.SHUT_WR)
    replies = c.read_replies(len(commands), timeout=30)
    assert replies[1::2] == list(range(1, 3001))
    assert r.get("hc:n") == "3000"
    c.sock.settimeout(10)
    assert c.sock.recv(1) == b"", "the server kept the connection after the hang-up"


def test_a_big_reply_after_a_half_close_arrives_whole(connect, rb):
    """The reply outgrows the socket buffers: the server keeps sending after the hang-up."""
    value = bytes(range(256)) * (128 * 1024)  # 32 MB
    assert rb.set("hc:big", value)
    c = connect(timeout=30)
    c.send_raw(encode_command("GET", "hc:big"))
    c.sock.shutdown(socket.SHUT_WR)
    time.sleep(0.3)  # the server sees the EOF while most of the reply still waits
    assert c.read_reply(timeout=30) == value


def test_redis_py_pipeline_without_transaction(r):
    pipe = r.pipeline(transaction=False)
    for i in range(1000):
        pipe.set("rp:%d" % i, i)
        pipe.incr("rp:%d" % i)
        pipe.get("rp:%d" % i)
    replies = pipe.execute()
    assert len(replies) == 3000
    for i in range(1000):
        assert replies[3 * i:3 * i + 3] == [True, i + 1, str(i + 1)]
    pipe = r.pipeline(transaction=False)
    pipe.mset({"x": 1, "y": 2}).mget("x", "y", "z").exists("x", "y", "z").delete("x", "y")
    assert pipe.execute() == [True, ["1", "2", None], 2, 2]


def test_heavy_pipeline_counters(heavy_server):
    """200,000 INCRs over 1,000 keys spread across every shard, from 4 pipelining connections."""
    from resp_client import RespClient
    keys = ["cnt:%d" % i for i in range(1000)]
    per_conn = 50000
    clients = [RespClient(port=heavy_server.port, timeout=60) for _ in range(4)]
    try:
        threads, results = [], [None] * len(clients)

        def work(idx, client):
            try:
                run(idx, client)
            except Exception as e:  # reported below
                results[idx] = ([e], [])

        def run(idx, client):
            payload = b"".join(encode_command("INCR", keys[j % len(keys)]) for j in range(per_conn))
            sender, failure = _send_in_background(client, [payload[i:i + 65536]
                                                            for i in range(0, len(payload), 65536)])
            replies = client.read_replies(per_conn, timeout=60)
            sender.join(10)
            results[idx] = (failure, replies)

        for idx, client in enumerate(clients):
            threads.append(threading.Thread(target=work, args=(idx, client), daemon=True))
            threads[-1].start()
        for t in threads:
            t.join(90)
        assert all(res is not None for res in results), "a pipelining connection did not finish"
        for failure, replies in results:
            assert not failure
            assert len(replies) == per_conn and all(isinstance(x, int) and x > 0 for x in replies)
        check = clients[0]
        totals = check.execute("MGET", *keys)
        assert [int(t) for t in totals] == [len(clients) * per_conn // len(keys)] * len(keys)
    finally:
        for client in clients:
            client.close()
