"""Server and connection commands: PING, ECHO, HELLO, QUIT, TIME, INFO, COMMAND, CONFIG, CLIENT,
unknown commands, arity errors, and RESP3 reply shapes."""

import re
import time

import harness
from helpers import SYNTAX, arity, err, wait_until
from resp_client import RespMap, Verbatim, encode_command


def test_ping_echo(raw):
    assert raw.execute_raw("PING") == b"+PONG\r\n"
    assert raw.execute_raw("PING", "hello") == b"$5\r\nhello\r\n"
    assert raw.execute_raw("PING", "") == b"$0\r\n\r\n"
    assert raw.execute("PING", "a", "b") == arity("ping")
    assert raw.execute_raw("ECHO", "hi there") == b"$8\r\nhi there\r\n"
    assert raw.execute("ECHO", b"\x00\r\n") == b"\x00\r\n"
    assert raw.execute("ECHO") == arity("echo")
    assert raw.execute("ECHO", "a", "b") == arity("echo")


def _hello_fields(reply):
    """HELLO's reply as a dict from either shape: RESP2 flat array or RESP3 map."""
    if isinstance(reply, dict):
        return {k.decode() if isinstance(k, bytes) else k: v for k, v in reply.items()}
    assert isinstance(reply, list) and len(reply) % 2 == 0, reply
    return {reply[i].decode(): reply[i + 1] for i in range(0, len(reply), 2)}


def _check_hello(fields, proto, client_id):
    assert list(fields) == ["server", "version", "proto", "id", "mode", "role", "modules"]
    assert isinstance(fields["server"], bytes) and fields["server"]
    assert re.fullmatch(rb"\d+\.\d+\.\d+", fields["version"]), fields["version"]
    assert fields["proto"] == proto
    assert fields["id"] == client_id
    assert fields["mode"] == b"standalone"
    assert fields["role"] == b"master"
    assert fields["modules"] == []


def test_hello_resp2(raw):
    client_id = raw.execute("CLIENT", "ID")
    raw.send_command("HELLO")
    reply, wire = raw.read_reply_with_raw()
    assert wire.startswith(b"*14\r\n$6\r\nserver\r\n")
    _check_hello(_hello_fields(reply), 2, client_id)
    reply = raw.execute("HELLO", "2")
    assert isinstance(reply, list)
    _check_hello(_hello_fields(reply), 2, client_id)


def test_hello_resp3_map(connect):
    c = connect()
    client_id = c.execute("CLIENT", "ID")
    c.send_command("HELLO", "3")
    reply, wire = c.read_reply_with_raw()
    assert wire.startswith(b"%7\r\n$6\r\nserver\r\n")
    assert isinstance(reply, RespMap)
    _check_hello(_hello_fields(reply), 3, client_id)
    # HELLO without a version reports the current protocol.
    assert _hello_fields(c.execute("HELLO"))["proto"] == 3
    assert c.execute_raw("GET", "missing") == b"_\r\n"
    reply = c.execute("HELLO", "2")  # and back
    assert isinstance(reply, list)
    assert c.execute_raw("GET", "missing") == b"$-1\r\n"


def test_hello_errors(raw):
    assert raw.execute_raw("HELLO", "4") == b"-NOPROTO unsupported protocol version\r\n"
    assert raw.execute("HELLO", "1") == err("NOPROTO unsupported protocol version")
    assert raw.execute("HELLO", "abc") == err("ERR Protocol version is not an integer or out of range")
    assert raw.execute("HELLO", "3", "FOO") == err("ERR Syntax error in HELLO option 'FOO'")
    assert raw.execute("HELLO", "3", "SETNAME", "bad name") == \
        err("ERR Client names cannot contain spaces, newlines or special characters.")
    # A failed HELLO leaves the protocol alone.
    assert raw.execute_raw("GET", "missing") == b"$-1\r\n"


def test_hello_setname(raw):
    reply = raw.execute("HELLO", "2", "SETNAME", "worker-1")
    assert _hello_fields(reply)["proto"] == 2
    assert raw.execute("CLIENT", "GETNAME") == b"worker-1"
    assert "name=worker-1 " in raw.execute("CLIENT", "INFO").decode()


def test_quit(connect):
    c = connect()
    c.send_command("QUIT")
    data, closed = c.read_until_closed(timeout=5)
    assert data == b"+OK\r\n"
    assert closed
    c2 = connect()
    c2.send_raw(b"*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n")  # nothing after QUIT runs
    data, closed = c2.read_until_closed(timeout=5)
    assert (data, closed) == (b"+OK\r\n", True)


def test_time(raw):
    before = time.time()
    reply = raw.execute("TIME")
    after = time.time()
    assert isinstance(reply, list) and len(reply) == 2
    assert all(isinstance(x, bytes) and x.isdigit() for x in reply)
    seconds, micros = int(reply[0]), int(reply[1])
    assert 0 <= micros < 1000000
    assert before - 2 <= seconds + micros / 1e6 <= after + 2
    assert raw.execute("TIME", "x") == arity("time")


def test_dbsize(r, raw):
    assert raw.execute("DBSIZE") == 0
    r.mset({"a": 1, "b": 2, "c": 3})
    assert raw.execute_raw("DBSIZE") == b":3\r\n"
    r.delete("a")
    assert raw.execute("DBSIZE") == 2


def _info(raw, *section):
    reply = raw.execute("INFO", *section)
    assert isinstance(reply, bytes), reply
    return reply.decode()


def _info_field(text, name):
    match = re.search(r"^%s:(.*?)\r?$" % re.escape(name), text, re.M)
    assert match, "no %s in INFO:\n%s" % (name, text)
    return match.group(1)


def test_info_sections(server, raw):
    text = _info(raw)
    for header in ("# Server", "# Clients", "# Memory", "# Stats", "# Keyspace"):
        assert header + "\r\n" in text, header
    assert "\r\n" in text and not re.search(r"[^\r]\n", text)  # CRLF line ends
    assert int(_info_field(text, "connected_clients")) >= 1
    assert int(_info_field(text, "used_memory")) > 0
    assert int(_info_field(text, "tcp_port")) == server.port
    server_only = _info(raw, "server")
    assert "# Server" in server_only and "# Clients" not in server_only and "# Keyspace" not in server_only
    clients = _info(raw, "clients")
    assert clients.startswith("# Clients\r\n") and "# Server" not in clients


def test_info_keyspace(r, raw):
    assert _info(raw, "keyspace") == "# Keyspace\r\n"  # empty databases are not listed
    r.mset({"a": 1, "b": 2, "c": 3})
    r.expire("a", 100)
    text = _info(raw, "keyspace")
    assert re.search(r"^db0:keys=3,expires=1,avg_ttl=\d+\r$", text, re.M), text
    assert "db1:" not in text
    raw.execute("SELECT", "1")
    raw.execute("SET", "x", "1")
    assert re.search(r"^db1:keys=1,expires=0,avg_ttl=0\r$", _info(raw, "keyspace"), re.M)
    assert r.info("keyspace")["db0"]["keys"] == 3  # redis-py parses it too


def test_info_counters_and_resetstat(r, raw):
    start = int(_info_field(_info(raw, "stats"), "total_commands_processed"))
    for _ in range(50):
        raw.execute("PING")
    after = int(_info_field(_info(raw, "stats"), "total_commands_processed"))
    assert after >= start + 50
    assert int(_info_field(_info(raw, "stats"), "total_connections_received")) >= 1
    assert raw.execute("CONFIG", "RESETSTAT") == "OK"
    reset = int(_info_field(_info(raw, "stats"), "total_commands_processed"))
    assert reset < 10
    assert raw.execute("CONFIG", "RESETSTAT", "x") == arity("config|resetstat")


def test_info_connected_clients_counts_connections(connect, raw):
    def count():
        return int(_info_field(_info(raw, "clients"), "connected_clients"))

    # Connections closed by earlier tests leave the count soon. Other modules' module-scoped
    # clients may still be open (pytest interleaves modules that share the server), so the
    # figure checked is the change from a settled baseline.
    def settled():
        seen = [count()]
        wait_until(lambda: seen.append(count()) or seen[-1] == seen[-2], timeout=3, interval=0.1)
        return seen[-1]

    base = settled()
    assert base >= 1
    extra = [connect() for _ in range(5)]
    for c in extra:
        assert c.execute("PING") == "PONG"
    assert count() == base + 5
    for c in extra:
        c.close()
    assert wait_until(lambda: count() == base, timeout=3), (count(), base)


def test_command_count_list_docs(raw):
    count = raw.execute("COMMAND", "COUNT")
    assert isinstance(count, int) and count > 50
    names = raw.execute("COMMAND", "LIST")
    # COMMAND LIST names subcommands too ("client|id"); COMMAND COUNT counts commands only.
    assert isinstance(names, list) and len([n for n in names if b"|" not in n]) == count
    assert len(set(names)) == len(names)
    for name in (b"get", b"set", b"mset", b"ping", b"scan", b"client", b"config"):
        assert name in names
    assert all(n == n.lower() for n in names)
    assert raw.execute("COMMAND", "LIST", "FILTERBY", "PATTERN", "ge?") == [b"get"]
    docs = raw.execute("COMMAND", "DOCS", "get")
    assert isinstance(docs, list) and docs[0] == b"get"
    assert isinstance(docs[1], list) and b"summary" in docs[1][::2]
    assert raw.execute("COMMAND", "DOCS", "nosuch") == []
    assert raw.execute("COMMAND", "FOO") == err("ERR unknown subcommand 'FOO'. Try COMMAND HELP.")


def test_command_info(raw):
    get, set_, mset, missing = raw.execute("COMMAND", "INFO", "get", "SET", "mset", "nosuch")
    assert get[:2] == [b"get", 2]
    assert {"readonly", "fast"} <= set(get[2])
    assert get[3:6] == [1, 1, 1]
    assert set_[:2] == [b"set", -3]
    assert {"write", "denyoom"} <= set(set_[2])
    assert mset[:2] == [b"mset", -3] and mset[3:6] == [1, -1, 2]
    assert missing is None
    assert raw.execute_raw("COMMAND", "INFO", "nosuch") == b"*1\r\n$-1\r\n"


def test_command_getkeys(raw):
    assert raw.execute("COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2") == [b"a", b"b"]
    assert raw.execute("COMMAND", "GETKEYS", "GET", "k") == [b"k"]
    assert raw.execute("COMMAND", "GETKEYS", "RENAME", "x", "y") == [b"x", b"y"]
    assert raw.execute("COMMAND", "GETKEYS", "nosuch", "a") == err("ERR Invalid command specified")
    assert raw.execute("COMMAND", "GETKEYS", "SET", "a") == \
        err("ERR Invalid number of arguments specified for command")
    assert raw.execute("COMMAND", "GETKEYS", "PING", "x") == err("ERR The command has no key arguments")
    assert raw.execute("COMMAND", "GETKEYS", "GET") == arity("command|getkeys")


def test_config_get(raw):
    assert raw.execute("CONFIG", "GET", "maxmemory") == [b"maxmemory", b"0"]
    assert raw.execute("CONFIG", "GET", "databases") == [b"databases", b"16"]
    assert raw.execute("CONFIG", "GET", "nosuch") == []
    pairs = raw.execute("CONFIG", "GET", "*max*")
    settings = dict(zip(pairs[::2], pairs[1::2]))
    assert len(pairs) == 2 * len(settings)
    assert settings[b"maxmemory"] == b"0" and settings[b"maxclients"] == b"10000"
    assert settings[b"proto-max-bulk-len"] == b"536870912"
    assert settings[b"maxmemory-policy"] == b"noeviction"
    assert all(b"max" in name for name in settings)
    both = raw.execute("CONFIG", "GET", "maxmemory", "databases")
    assert dict(zip(both[::2], both[1::2])) == {b"maxmemory": b"0", b"databases": b"16"}
    assert raw.execute("CONFIG", "GET") == arity("config|get")


def test_config_set(raw):
    assert raw.execute("CONFIG", "SET", "maxmemory", "100mb") == "OK"
    try:
        assert raw.execute("CONFIG", "GET", "maxmemory") == [b"maxmemory", b"104857600"]
    finally:
        assert raw.execute("CONFIG", "SET", "maxmemory", "0") == "OK"
    assert raw.execute("CONFIG", "SET", "nosuch", "1") == \
        err("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'")
    assert raw.execute("CONFIG", "SET", "maxmemory", "abc") == \
        err("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value")
    assert raw.execute("CONFIG", "SET", "maxmemory") == arity("config|set")
    assert raw.execute("CONFIG", "GET", "maxmemory") == [b"maxmemory", b"0"]
    limit = "client-query-buffer-limit"
    assert raw.execute("CONFIG", "GET", limit) == [limit.encode(), b"1073741824"]
    assert raw.execute("CONFIG", "SET", limit, "1kb") == err(
        "ERR CONFIG SET failed (possibly related to argument '%s') - argument must be between "
        "1048576 and 9223372036854775807 inclusive" % limit)
    assert raw.execute("CONFIG", "SET", limit, "2mb") == "OK"
    assert raw.execute("CONFIG", "GET", limit) == [limit.encode(), b"2097152"]
    assert raw.execute("CONFIG", "SET", limit, "1gb") == "OK"
    assert raw.execute("CONFIG", "FOO") == err("ERR unknown subcommand 'FOO'. Try CONFIG HELP.")


def _client_fields(line):
    return dict(part.split("=", 1) for part in line.strip().split(" "))


def test_client_id_name_info(connect):
    # With one acceptor per shard, only a connection made after `a` was served is sure to be
    # accepted after it.
    a = connect()
    id_a = a.execute("CLIENT", "ID")
    b = connect()
    id_b = b.execute("CLIENT", "ID")
    assert isinstance(id_a, int) and id_a > 0 and id_b > id_a  # IDs only grow
    assert a.execute_raw("CLIENT", "GETNAME") == b"$-1\r\n"
    assert a.execute("CLIENT", "SETNAME", "alpha") == "OK"
    assert a.execute("CLIENT", "GETNAME") == b"alpha"
    assert a.execute("CLIENT", "SETNAME", "a b") == \
        err("ERR Client names cannot contain spaces, newlines or special characters.")
    a.execute("SELECT", "3")
    info = a.execute("CLIENT", "INFO")
    assert isinstance(info, bytes) and info.endswith(b"\n") and info.count(b"\n") == 1
    fields = _client_fields(info.decode())
    assert fields["id"] == str(id_a) and fields["name"] == "alpha" and fields["db"] == "3"
    assert re.fullmatch(r"127\.0\.0\.1:\d+", fields["addr"])
    assert a.execute("CLIENT", "SETNAME", "") == "OK"  # an empty name clears it
    assert a.execute("CLIENT", "GETNAME") is None
    assert a.execute("CLIENT", "FOO") == err("ERR unknown subcommand 'FOO'. Try CLIENT HELP.")
    assert a.execute("CLIENT") == arity("client")
    assert a.execute("CLIENT", "ID", "x") == arity("client|id")


def test_client_list(connect):
    a, b = connect(), connect()
    b.execute("CLIENT", "SETNAME", "bee")
    id_b = b.execute("CLIENT", "ID")
    listing = a.execute("CLIENT", "LIST").decode()
    lines = [line for line in listing.split("\n") if line]
    assert listing.endswith("\n") and len(lines) >= 2
    by_id = {int(_client_fields(line)["id"]): _client_fields(line) for line in lines}
    assert by_id[id_b]["name"] == "bee"
    assert a.execute("CLIENT", "ID") in by_id
    only_b = a.execute("CLIENT", "LIST", "ID", str(id_b)).decode()
    assert [int(_client_fields(line)["id"]) for line in only_b.split("\n") if line] == [id_b]


def test_client_list_shows_each_clients_last_command_and_buffers(connect, r):
    """cmd= is the last command (with its subcommand for containers), qbuf= the input a client
    has sent that has not run (here: queued behind a BLPOP), omem= the replies the kernel has
    not taken (here: a client that does not read a 64 MB reply)."""
    watcher, idle, parked, reader = connect(), connect(), connect(), connect()

    def fields_of_id(client_id):
        return _client_fields(watcher.execute("CLIENT", "LIST", "ID", str(client_id)).decode())

    def fields_of(client):
        return fields_of_id(client.execute("CLIENT", "ID"))

    assert idle.execute("SET", "k", "v") == "OK"
    assert _client_fields(watcher.execute("CLIENT", "INFO").decode())["cmd"] == "client|info"
    assert fields_of(idle)["cmd"] == "client|id"  # fields_of asked it for its ID last
    assert idle.execute("GET", "k") == b"v"
    line = watcher.execute("CLIENT", "LIST").decode()
    by_id = {int(_client_fields(x)["id"]): _client_fields(x) for x in line.split("\n") if x}
    idle_fields = by_id[idle.execute("CLIENT", "ID")]
    assert idle_fields["cmd"] == "get" and idle_fields["qbuf"] == "0"
    assert idle_fields["omem"] == "0" and int(idle_fields["tot-mem"]) > 0

    parked_id = parked.execute("CLIENT", "ID")
    parked.send_raw(encode_command("BLPOP", "nothing", "0"))
    assert wait_until(lambda: fields_of_id(parked_id)["cmd"] == "blpop", 5)
    queued = encode_command("PING") * 100
    parked.send_raw(queued)
    assert wait_until(lambda: int(fields_of_id(parked_id)["qbuf"]) == len(queued), 5)

    reader_id = reader.execute("CLIENT", "ID")
    assert reader.execute("SET", "big", "x" * (64 << 20)) == "OK"
    reader.send_command("GET", "big")  # and does not read the reply
    assert wait_until(lambda: int(fields_of_id(reader_id)["omem"]) > 32 << 20, 5)
    assert r.rpush("nothing", "x") == 1
    assert parked.read_replies(101, timeout=10)[1:] == ["PONG"] * 100


def test_client_kill_by_id(connect):
    killer, victim = connect(), connect()
    victim_id = victim.execute("CLIENT", "ID")
    assert killer.execute("CLIENT", "KILL", "ID", str(victim_id)) == 1
    data, closed = victim.read_until_closed(timeout=5)
    assert closed and data == b""
    assert killer.execute("CLIENT", "KILL", "ID", str(victim_id)) == 0
    assert killer.execute("CLIENT", "KILL", "ID", "99999999") == 0
    # The filter form skips the caller unless SKIPME no.
    own = killer.execute("CLIENT", "ID")
    assert killer.execute("CLIENT", "KILL", "ID", str(own)) == 0
    assert killer.execute("PING") == "PONG"
    assert killer.execute("CLIENT", "KILL", "FOO", "bar") == SYNTAX


def test_client_kill_by_addr(connect):
    killer, victim, victim2 = connect(), connect(), connect()
    addr = _client_fields(victim.execute("CLIENT", "INFO").decode())["addr"]
    assert killer.execute("CLIENT", "KILL", "ADDR", addr) == 1
    assert victim.read_until_closed(timeout=5)[1]
    assert killer.execute("CLIENT", "KILL", "ADDR", "1.2.3.4:5") == 0
    # The old form takes the address alone and answers OK or an error.
    addr2 = _client_fields(victim2.execute("CLIENT", "INFO").decode())["addr"]
    assert killer.execute_raw("CLIENT", "KILL", addr2) == b"+OK\r\n"
    assert victim2.read_until_closed(timeout=5)[1]
    assert killer.execute("CLIENT", "KILL", "1.2.3.4:5") == err("ERR No such client")


def test_unknown_command(raw):
    assert raw.execute_raw("FOO", "a", "b") == \
        b"-ERR unknown command 'FOO', with args beginning with: 'a' 'b' \r\n"
    assert raw.execute("foo") == err("ERR unknown command 'foo', with args beginning with: ")
    assert raw.execute("foo", "a b", "", "c") == \
        err("ERR unknown command 'foo', with args beginning with: 'a b' '' 'c' ")
    # The argument list is cut at 128 characters, the name at 128.
    assert raw.execute("FOOBAR", "a" * 100, "b" * 100, "c") == \
        err("ERR unknown command 'FOOBAR', with args beginning with: '%s' '%s' " % ("a" * 100, "b" * 25))
    assert raw.execute("Z" * 200) == err("ERR unknown command '%s', with args beginning with: " % ("Z" * 128))
    assert raw.execute("PING") == "PONG"


def test_commands_are_case_insensitive(raw):
    assert raw.execute("set", "k", "v") == "OK"
    assert raw.execute("GeT", "k") == b"v"
    assert raw.execute("ping") == "PONG"
    assert raw.execute("get") == arity("get")


def test_resp3_reply_shapes(resp3, r):
    r.set("f", "1")
    assert resp3.execute_raw("GET", "missing") == b"_\r\n"
    assert resp3.execute_raw("INCRBYFLOAT", "f", "1.5") == b"$3\r\n2.5\r\n"  # still a bulk string
    assert resp3.execute_raw("MGET", "f", "missing") == b"*2\r\n$3\r\n2.5\r\n_\r\n"
    assert resp3.execute_raw("SET", "n", "v", "GET") == b"_\r\n"
    assert resp3.execute_raw("GETDEL", "missing") == b"_\r\n"
    assert resp3.execute_raw("CLIENT", "GETNAME") == b"_\r\n"
    assert resp3.execute_raw("COMMAND", "INFO", "nosuch") == b"*1\r\n_\r\n"
    assert resp3.execute_raw("CONFIG", "GET", "maxmemory") == b"%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n"
    assert resp3.execute_raw("CONFIG", "GET", "nosuch") == b"%0\r\n"
    assert resp3.execute_raw("EXISTS", "f") == b":1\r\n"
    assert resp3.execute_raw("TYPE", "f") == b"+string\r\n"
    assert resp3.execute_raw("PING") == b"+PONG\r\n"
    assert resp3.execute_raw("GET", "a", "b") == b"-ERR wrong number of arguments for 'get' command\r\n"
    resp3.send_command("TIME")
    reply, wire = resp3.read_reply_with_raw()
    assert wire.startswith(b"*2\r\n$") and len(reply) == 2 and all(x.isdigit() for x in reply)
    resp3.send_command("SCAN", "0")
    reply, wire = resp3.read_reply_with_raw()
    assert wire.startswith(b"*2\r\n$1\r\n0\r\n*") and sorted(reply[1]) == [b"f", b"n"]


def test_resp3_verbatim_text(resp3):
    info = resp3.execute("INFO", "server")
    assert isinstance(info, Verbatim) and info.fmt == "txt" and info.startswith("# Server")
    client = resp3.execute("CLIENT", "INFO")
    assert isinstance(client, Verbatim) and client.fmt == "txt"
    assert "resp=3" in client.split()


def test_second_server_on_a_taken_port_refuses_to_start(server, raw):
    """Each ember worker listens with SO_REUSEPORT; another server of the same user must still
    not be able to share the port and silently take half of the connections."""
    import subprocess

    cmd = harness.ServerProcess(server.config)._server_command(server.port)
    second = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
    assert second.returncode != 0
    assert b"Address already in use" in second.stdout + second.stderr
    assert raw.execute("PING") == "PONG"


def test_info_instantaneous_rates(connect, raw):
    """instantaneous_ops_per_sec and the kbps figures follow recent traffic (a ~1.6 s window)."""
    busy = connect()
    batch = b"*1\r\n$4\r\nPING\r\n" * 200
    deadline = time.monotonic() + 1.2
    while time.monotonic() < deadline:  # bounded: ~1.2 s of pipelined PINGs
        busy.send_raw(batch)
        for _ in range(200):
            assert busy.read_reply() == "PONG"
    text = _info(raw, "stats")
    assert int(_info_field(text, "instantaneous_ops_per_sec")) > 100
    assert float(_info_field(text, "instantaneous_input_kbps")) > 0
    assert float(_info_field(text, "instantaneous_output_kbps")) > 0
