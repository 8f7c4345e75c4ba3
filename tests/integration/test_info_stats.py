"""INFO as Redis 7 lays it out: every section, commandstats / latencystats on request, several
sections per call in any case; real values for the cluster, CPU, replication and persistence
fields; per-command calls, time, rejected and failed calls; error replies by their first word;
latency percentiles; CONFIG RESETSTAT clearing them."""

import re

from helpers import err
from resp_client import RespClient

DEFAULT = ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Modules",
           "Errorstats", "Cluster", "Keyspace"]
ALL = DEFAULT[:8] + ["Commandstats", "Errorstats", "Latencystats"] + DEFAULT[9:]


def _info(c, *sections):
    reply = c.execute("INFO", *sections)
    assert isinstance(reply, bytes), reply
    return reply.decode()


def _headers(text):
    return re.findall(r"^# (\w+)\r$", text, re.M)


def _fields(text):
    return dict(re.findall(r"^([^#\r\n][^:\r\n]*):(.*)\r$", text, re.M))


def _cmdstats(c):
    stats = {}
    for name, body in re.findall(r"^cmdstat_(\S+?):(\S+)\r$", _info(c, "commandstats"), re.M):
        stats[name] = {k: float(v) for k, v in (kv.split("=") for kv in body.split(","))}
    return stats


def test_sections_in_redis_order(raw):
    assert _headers(_info(raw)) == DEFAULT
    assert _headers(_info(raw, "default")) == DEFAULT
    assert _headers(_info(raw, "all")) == ALL
    assert _headers(_info(raw, "EVERYTHING")) == ALL
    assert _headers(_info(raw, "default", "commandstats")) == DEFAULT[:8] + ["Commandstats"] + DEFAULT[8:]
    assert _headers(_info(raw, "keyspace", "SERVER", "Clients")) == ["Server", "Clients", "Keyspace"]
    for name in ("persistence", "replication", "cpu", "modules", "errorstats", "cluster",
                 "commandstats", "latencystats"):
        assert _headers(_info(raw, name.upper())) == [h for h in ALL if h.lower() == name], name
    assert _info(raw, "nosuch") == ""
    # A blank line between sections, none after the last.
    text = _info(raw, "server", "cluster")
    assert "\r\n\r\n# Cluster\r\n" in text and text.endswith("cluster_enabled:0\r\n")


def test_fields_clients_read_during_setup(raw):
    f = _fields(_info(raw, "everything"))
    assert f["cluster_enabled"] == "0"
    assert f["role"] == "master" and f["connected_slaves"] == "0"
    assert re.fullmatch(r"[0-9a-f]{40}", f["master_replid"])
    assert re.fullmatch(r"[0-9a-f]{40}", f["run_id"])
    assert f["loading"] == "0" and f["aof_enabled"] == "0" and f["rdb_bgsave_in_progress"] == "0"
    assert int(f["rdb_changes_since_last_save"]) >= 0
    assert f["rdb_last_bgsave_status"] == "ok"
    for name in ("used_cpu_sys", "used_cpu_user", "used_cpu_sys_children", "used_cpu_user_children",
                 "used_cpu_sys_main_thread", "used_cpu_user_main_thread"):
        assert re.fullmatch(r"\d+\.\d{6}", f[name]), name
    assert float(f["used_cpu_sys"]) + float(f["used_cpu_user"]) > 0
    # The threads running commands are part of the process (/proc counts in 10 ms ticks).
    assert float(f["used_cpu_user_main_thread"]) <= float(f["used_cpu_user"]) + 0.02
    assert float(f["used_cpu_sys_main_thread"]) <= float(f["used_cpu_sys"]) + 0.02
    assert int(f["total_error_replies"]) >= 0
    assert f["redis_version"].startswith("7.")


def test_writes_count_as_unsaved_changes(raw):
    before = int(_fields(_info(raw, "persistence"))["rdb_changes_since_last_save"])
    for i in range(5):
        assert raw.execute("SET", "k%d" % i, "v") == "OK"
    after = int(_fields(_info(raw, "persistence"))["rdb_changes_since_last_save"])
    assert after >= before + 5


def test_commandstats_count_calls_failures_and_rejections(raw):
    assert raw.execute("CONFIG", "RESETSTAT") == "OK"
    for i in range(10):  # keys on every shard
        assert raw.execute("SET", "key:%d" % i, "v") == "OK"
    assert raw.execute("GET", "key:1") == b"v"
    assert raw.execute("GET") == err("ERR wrong number of arguments for 'get' command")
    assert raw.execute("LPUSH", "key:1", "x").message.startswith("WRONGTYPE")
    assert raw.execute("INCR", "key:2").message.startswith("ERR")
    assert isinstance(raw.execute("CLIENT", "LIST"), bytes)
    assert raw.execute("CONFIG", "GET", "hz") == [b"hz", b"10"]
    stats = _cmdstats(raw)
    assert set(stats["set"]) == {"calls", "usec", "usec_per_call", "rejected_calls", "failed_calls"}
    assert stats["set"]["calls"] == 10 and stats["set"]["failed_calls"] == 0
    assert stats["get"]["calls"] == 1 and stats["get"]["rejected_calls"] == 1
    assert stats["lpush"]["calls"] == 1 and stats["lpush"]["failed_calls"] == 1
    assert stats["incr"]["failed_calls"] == 1
    assert stats["client|list"]["calls"] == 1 and stats["config|get"]["calls"] == 1
    assert "client" not in stats and "del" not in stats
    s = stats["set"]
    assert s["usec"] >= 0 and abs(s["usec_per_call"] - s["usec"] / s["calls"]) < 0.01
    assert raw.execute("CONFIG", "RESETSTAT") == "OK"
    after = _cmdstats(raw)
    assert "set" not in after and "get" not in after  # only CONFIG RESETSTAT ran since


def test_rejected_before_auth(make_server):
    srv = make_server(shards=2)
    with RespClient(port=srv.port) as admin:
        assert admin.execute("CONFIG", "SET", "requirepass", "s3cret") == "OK"
        assert admin.execute("CONFIG", "RESETSTAT") == "OK"
        with RespClient(port=srv.port) as c:
            assert c.execute("GET", "k").message.startswith("NOAUTH")
        stats = _cmdstats(admin)
        assert stats["get"]["rejected_calls"] == 1 and stats["get"]["calls"] == 0
        assert _fields(_info(admin, "errorstats"))["errorstat_NOAUTH"] == "count=1"


def test_errorstats_by_first_word(raw):
    assert raw.execute("CONFIG", "RESETSTAT") == "OK"
    assert _info(raw, "errorstats") == "# Errorstats\r\n"
    assert raw.execute("SET", "s", "v") == "OK"
    assert raw.execute("NOSUCHCOMMAND").message.startswith("ERR unknown command")
    assert raw.execute("INCR", "s").message.startswith("ERR")
    assert raw.execute("LPUSH", "s", "x").message.startswith("WRONGTYPE")
    f = _fields(_info(raw, "errorstats", "stats"))
    assert f["errorstat_ERR"] == "count=2" and f["errorstat_WRONGTYPE"] == "count=1"
    assert f["total_error_replies"] == "3"
    assert raw.execute("CONFIG", "RESETSTAT") == "OK"
    f = _fields(_info(raw, "errorstats", "stats"))
    assert "errorstat_ERR" not in f and f["total_error_replies"] == "0"


def _latency(c):
    lines = re.findall(r"^latency_percentiles_usec_(\S+?):(\S*)\r$", _info(c, "latencystats"), re.M)
    return {name: dict(kv.split("=") for kv in body.split(",") if kv) for name, body in lines}


def test_latencystats_percentiles(raw):
    percentiles = "latency-tracking-info-percentiles"
    try:
        assert raw.execute("CONFIG", "RESETSTAT") == "OK"
        for i in range(50):
            assert raw.execute("SET", "key:%d" % i, "v") == "OK"
        set_ = _latency(raw)["set"]
        assert list(set_) == ["p50", "p99", "p99.9"]
        p50, p99, p999 = (float(set_[k]) for k in ("p50", "p99", "p99.9"))
        assert 0 < p50 <= p99 <= p999
        assert "get" not in _latency(raw)
        assert raw.execute("CONFIG", "SET", percentiles, "0 50 100") == "OK"
        set_ = _latency(raw)["set"]
        assert list(set_) == ["p0", "p50", "p100"]
        assert float(set_["p0"]) <= float(set_["p50"]) <= float(set_["p100"])
        # Off: calls are still counted, their latencies are not.
        assert raw.execute("CONFIG", "SET", "latency-tracking", "no") == "OK"
        assert raw.execute("CONFIG", "RESETSTAT") == "OK"
        assert raw.execute("GET", "key:1") == b"v"
        assert "get" not in _latency(raw) and _cmdstats(raw)["get"]["calls"] == 1
    finally:
        assert raw.execute("CONFIG", "SET", "latency-tracking", "yes",
                           percentiles, "50 99 99.9") == "OK"


def test_out_of_memory_is_a_rejected_call(raw):
    try:
        assert raw.execute("CONFIG", "SET", "maxmemory", "1") == "OK"
        assert raw.execute("CONFIG", "RESETSTAT") == "OK"
        assert raw.execute("SET", "k", "v").message.startswith("OOM ")
        assert raw.execute("GET", "k") is None  # reads still run
        stats = _cmdstats(raw)
        assert stats["set"]["rejected_calls"] == 1 and stats["set"]["calls"] == 0
        assert stats["get"]["calls"] == 1
        assert _fields(_info(raw, "errorstats"))["errorstat_OOM"] == "count=1"
    finally:
        assert raw.execute("CONFIG", "SET", "maxmemory", "0") == "OK"
