import pytest
import redis

from wire_client import RawClient, RespError


def err(fn, *args):
    with pytest.raises(redis.ResponseError) as e:
        fn(*args)
    return str(e.value)


def test_ping_echo_time(r, raw):
    assert r.ping() is True
    assert raw.call("PING", "hi") == b"hi"
    assert raw.call("PING") == "PONG"
    assert r.echo("x\x00y") == b"x\x00y"
    seconds, micros = r.time()
    assert seconds > 1600000000 and 0 <= micros < 1000000


def test_unknown_command_and_arity(r):
    assert err(r.execute_command, "FOO", "a", "b") == \
        "unknown command 'FOO', with args beginning with: 'a' 'b' "
    assert err(r.execute_command, "ECHO") == "wrong number of arguments for 'echo' command"


def test_hello_resp2_and_resp3(raw):
    reply = raw.call("HELLO")
    assert reply[0] == b"server" and reply[5] == 2
    reply = raw.call("HELLO", "3")
    assert isinstance(reply, dict)
    assert reply[b"proto"] == 3 and reply[b"server"] == b"redis"
    assert reply[b"mode"] == b"standalone" and reply[b"role"] == b"master"
    assert raw.call("GET", "missing-key") is None
    raw.call("SET", "f", "1.5")
    assert raw.call("INCRBYFLOAT", "f", "1") == b"2.5"
    conf = raw.call("CONFIG", "GET", "maxmemory")
    assert conf == {b"maxmemory": b"0"}
    err = raw.call("HELLO", "4")
    assert isinstance(err, RespError) and str(err).startswith("NOPROTO")
    reply = raw.call("HELLO", "2", "SETNAME", "myname")
    assert isinstance(reply, list)
    assert raw.call("CLIENT", "GETNAME") == b"myname"


def test_quit_closes(server):
    c = RawClient(server.port)
    assert c.call("QUIT") == "OK"
    with pytest.raises((ConnectionError, OSError)):
        c.read()
    c.close()


def test_info(r):
    r.set("a", 1)
    r.set("b", 2, ex=100)
    info = r.info("all")
    for field in ["redis_version", "connected_clients", "used_memory", "total_commands_processed",
                  "keyspace_hits", "maxmemory", "maxmemory_policy", "used_memory_rss", "uptime_in_seconds"]:
        assert field in info, field
    assert info["connected_clients"] >= 1
    assert info["db0"]["keys"] == 2 and info["db0"]["expires"] == 1
    before = r.info("stats")["total_commands_processed"]
    for _ in range(10):
        r.ping()
    assert r.info("stats")["total_commands_processed"] >= before + 10
    assert set(r.info("memory")) >= {"used_memory", "used_memory_human", "mem_fragmentation_ratio"}


def test_command_introspection(raw):
    assert raw.call("COMMAND", "COUNT") > 50
    info = raw.call("COMMAND", "INFO", "get", "nosuchcommand")
    assert info[0][0] == b"get" and info[0][1] == 2 and info[1] is None
    assert raw.call("COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2") == [b"a", b"b"]
    assert str(raw.call("COMMAND", "GETKEYS", "ECHO", "hi")) == "ERR The command has no key arguments"
    assert str(raw.call("COMMAND", "GETKEYS", "PING")) == \
        "ERR wrong number of arguments for 'command|getkeys' command"
    assert b"get" in raw.call("COMMAND", "LIST")
    docs = raw.call("COMMAND", "DOCS", "get")
    assert docs[0] == b"get"


def test_config(r):
    assert r.config_get("maxmemory") == {"maxmemory": "0"}
    assert "maxmemory-policy" in r.config_get("*max*")
    assert r.config_set("maxmemory-policy", "allkeys-lru")
    assert r.config_get("maxmemory-policy") == {"maxmemory-policy": "allkeys-lru"}
    r.config_set("maxmemory-policy", "noeviction")
    assert err(r.config_set, "nosuch", "1").startswith("Unknown option or number of arguments for CONFIG SET - 'nosuch'")
    assert r.config_resetstat()


def test_client_commands(server, r):
    my_id = r.client_id()
    assert my_id > 0
    assert r.client_getname() is None
    assert r.client_setname("worker-1")
    assert r.client_getname() == "worker-1"
    assert err(r.client_setname, "bad name") == \
        "Client names cannot contain spaces, newlines or special characters."
    listing = r.client_list()
    assert any(c["name"] == "worker-1" and int(c["id"]) == my_id for c in listing)
    victim = RawClient(server.port)
    victim_id = victim.call("CLIENT", "ID")
    assert r.client_kill_filter(_id=victim_id) == 1
    with pytest.raises((ConnectionError, OSError)):
        for _ in range(20):  # the kill lands within a tick
            victim.call("PING")
            import time
            time.sleep(0.05)
    victim.close()
    assert r.ping()
