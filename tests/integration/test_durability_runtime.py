"""Durability while the server runs, as Redis 7.0 does it: -LOADING while a big file loads at
start, CONFIG SET appendonly / appendfsync at run time, SHUTDOWN and SIGTERM refused when the
final save fails, BGSAVE into a directory that went away, and a full disk (a small tmpfs)
refusing writes with -MISCONF until space comes back."""

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest
import redis

import harness
from harness import IS_REDIS, SLOWDOWN, ServerConfig, ServerProcess

pytestmark = pytest.mark.skipif(IS_REDIS, reason="ember's persistence (flags, shards)")

MISCONF_RDB = ("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "
               "persist to disk. Commands that may modify the data set are disabled, because this "
               "instance is configured to report errors during writes if RDB snapshotting fails "
               "(stop-writes-on-bgsave-error option). Please check the Redis logs for details "
               "about the RDB error.")
LOADING = b"-LOADING Redis is loading the dataset in memory\r\n"


def client(srv):
    return redis.Redis(host="127.0.0.1", port=srv.port, socket_timeout=10 * SLOWDOWN)


def persistence(r):
    return r.info("persistence")


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout * SLOWDOWN
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    pytest.fail("timed out waiting for " + what, pytrace=False)


# ---------------------------------------------------------------------------------------------
# 1. -LOADING while the data set loads

def write_big_rdb(path, keys):
    """An RDB 9 file of `keys` short strings in db 0, written fast (checksum 0: not checked)."""
    with open(path, "wb") as f:
        f.write(b"REDIS0009\xfe\x00")
        chunk = []
        for i in range(keys):
            k, v = b"key:%d" % i, b"v%d" % i
            chunk.append(b"\x00%c%s%c%s" % (len(k), k, len(v), v))
            if len(chunk) == 100_000:
                f.write(b"".join(chunk))
                chunk = []
        f.write(b"".join(chunk))
        f.write(b"\xff" + b"\x00" * 8)


def call(sock, *args):
    """One command on a raw socket; the first reply line (enough for errors and INFO's size)."""
    out = b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)
    sock.sendall(out)
    data = b""
    while not data.endswith(b"\r\n"):
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    if data.startswith(b"$"):
        size = int(data[1:data.index(b"\r\n")])
        while len(data) < data.index(b"\r\n") + 2 + size + 2:
            data += sock.recv(65536)
    return data


def raw(srv, *args):
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10 * SLOWDOWN) as sock:
        return call(sock, *args)


def test_clients_get_loading_while_a_big_snapshot_loads(tmp_path):
    # key-load-delay (Redis's own knob for this) makes the load last ~2 s on any machine: a
    # fast one loaded 2M plain keys before the first connect went through.
    keys = 200_000
    write_big_rdb(str(tmp_path / "dump.rdb"), keys)
    srv = ServerProcess(ServerConfig(4, "epoll"),
                        ["--data-dir", str(tmp_path), "--key-load-delay", "10"])
    srv.port = harness.free_port()
    fd, srv.log_path = tempfile.mkstemp(prefix="ember-it-loading-", suffix=".log")
    with os.fdopen(fd, "wb") as log:
        # Started by hand: start() waits for +PONG, which only comes once loading is done.
        srv.proc = subprocess.Popen(srv.command_line(srv.port), stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=log)
    harness._RUNNING[srv.proc.pid] = srv
    try:
        deadline = time.monotonic() + 10 * SLOWDOWN
        sock = None
        while sock is None and time.monotonic() < deadline:
            try:
                sock = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
            except OSError:
                time.sleep(0.002)
        assert sock is not None, srv.log()
        with sock:
            sock.settimeout(5 * SLOWDOWN)
            assert call(sock, b"PING") == LOADING  # PING has no loading flag in Redis 7.0
            assert call(sock, b"GET", b"key:1") == LOADING
            info = call(sock, b"INFO", b"persistence").decode()
            assert "loading:1\r\n" in info
            fields = dict(l.split(":", 1) for l in info.split("\r\n") if ":" in l)
            assert int(fields["loading_total_bytes"]) == os.path.getsize(tmp_path / "dump.rdb")
            for name in ("loading_start_time", "loading_loaded_bytes", "loading_loaded_perc",
                         "loading_eta_seconds", "loading_rdb_used_mem"):
                assert name in fields
            assert call(sock, b"SET", b"x", b"1") == LOADING
            assert call(sock, b"TIME").startswith(b"*2")  # loading flag: answered
            while True:
                reply = call(sock, b"PING")
                if reply == b"+PONG\r\n":
                    break
                assert reply == LOADING
                assert time.monotonic() < deadline, "still loading"
                time.sleep(0.01)
            assert call(sock, b"DBSIZE") == b":%d\r\n" % keys
            assert b"loading:0" in call(sock, b"INFO", b"persistence")
        r = client(srv)
        assert r.get("key:199999") == b"v199999"
        assert r.config_get("key-load-delay") == {"key-load-delay": "10"}
        assert b"errorstat_LOADING:count=" in raw(srv, b"INFO", b"errorstats")
    finally:
        srv.stop()
        srv.remove_log()


def test_shutdown_while_loading_exits_without_saving(tmp_path):
    write_big_rdb(str(tmp_path / "dump.rdb"), 200_000)
    size = os.path.getsize(tmp_path / "dump.rdb")
    srv = ServerProcess(ServerConfig(2, "epoll"), ["--data-dir", str(tmp_path), "--save", "3600 1",
                                                   "--key-load-delay", "50"])  # a 10 s load
    srv.port = harness.free_port()
    fd, srv.log_path = tempfile.mkstemp(prefix="ember-it-loading-", suffix=".log")
    with os.fdopen(fd, "wb") as log:
        srv.proc = subprocess.Popen(srv.command_line(srv.port), stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=log)
    harness._RUNNING[srv.proc.pid] = srv
    try:
        time.sleep(0.2)
        srv.signal(signal.SIGTERM)
        assert srv.wait(20) == 0, srv.log()
        assert "loading stopped" in srv.log()
        assert os.path.getsize(tmp_path / "dump.rdb") == size  # a partial data set never saved
    finally:
        srv.stop()
        srv.remove_log()


# ---------------------------------------------------------------------------------------------
# 2./3. CONFIG SET appendonly and appendfsync at run time

def aof_args(data_dir, fsync="everysec"):
    return ["--data-dir", str(data_dir), "--appendonly", "yes", "--appendfsync", fsync]


def test_config_set_appendonly_yes_starts_from_the_data_set_not_an_old_aof(make_server, tmp_path):
    old = make_server(shards=2, backend="epoll", extra_args=aof_args(tmp_path))
    client(old).mset({"stale:1": "x", "stale:2": "y"})
    old.stop()
    # The same directory without the AOF, then switched on at run time: the old AOF is no
    # part of the data any more.
    srv = make_server(shards=2, backend="epoll", extra_args=["--data-dir", str(tmp_path)])
    r = client(srv)
    assert r.dbsize() == 0
    r.set("before", "1")
    assert r.config_set("appendonly", "yes")
    st = persistence(r)
    assert st["aof_enabled"] == 1 and st["aof_base_size"] > 0  # the base is written first
    r.set("after", "2")
    manifest = open(tmp_path / "appendonlydir" / "appendonly.aof.manifest").read()
    assert "type h" not in manifest, manifest  # the old files are gone, not history
    assert len(os.listdir(tmp_path / "appendonlydir")) == 3  # manifest, base, increment
    srv.signal(signal.SIGKILL)
    srv.wait(10)
    again = make_server(shards=3, backend="epoll", extra_args=aof_args(tmp_path))
    assert sorted(client(again).keys("*")) == [b"after", b"before"]


def test_config_set_appendonly_yes_on_an_empty_data_set_drops_the_old_aof(make_server, tmp_path):
    old = make_server(shards=1, backend="epoll", extra_args=aof_args(tmp_path))
    client(old).set("stale", "x")
    old.stop()
    srv = make_server(shards=1, backend="epoll", extra_args=["--data-dir", str(tmp_path)])
    r = client(srv)
    assert r.config_set("appendonly", "yes")
    r.set("new", "1")
    # Off and on again in one run: what was written while it was off is in the new base.
    assert r.config_set("appendonly", "no")
    r.set("while-off", "1")
    assert r.config_set("appendonly", "yes")
    r.set("last", "1")
    srv.signal(signal.SIGKILL)
    srv.wait(10)
    again = make_server(shards=2, backend="epoll", extra_args=aof_args(tmp_path))
    assert sorted(client(again).keys("*")) == [b"last", b"new", b"while-off"]


def test_config_set_appendfsync_applies_to_the_open_aof_at_once(make_server, tmp_path):
    srv = make_server(shards=2, backend="epoll", extra_args=aof_args(tmp_path, "no"))
    r = client(srv)
    pending = lambda: persistence(r)["aof_pending_bio_fsync"]
    r.set("a", "1")
    time.sleep(1.5)
    assert pending() == 1  # "no": nothing ever fsynced by us
    assert r.config_set("appendfsync", "always")
    assert pending() == 0  # switching to always syncs what came before
    for i in range(20):
        r.set("k%d" % i, i)
        assert pending() == 0, "write %d replied before its fsync" % i
    assert r.config_set("appendfsync", "no")
    r.set("b", "2")
    time.sleep(1.5)
    assert pending() == 1
    assert r.config_set("appendfsync", "everysec")
    wait_for(lambda: pending() == 0, 3, "the everysec fsync")
    assert r.config_get("appendfsync") == {"appendfsync": "everysec"}


# ---------------------------------------------------------------------------------------------
# 4. SHUTDOWN / SIGTERM when the final save fails

def shutdown_error(r, *args):
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("SHUTDOWN", *args)
    return str(e.value)


def test_shutdown_is_refused_while_the_final_save_fails(make_server, tmp_path):
    data = tmp_path / "data"
    srv = make_server(shards=2, backend="epoll",
                      extra_args=["--data-dir", str(data), "--save", "3600 1"])
    r = client(srv)
    r.set("k", "v")
    shutil.rmtree(data)  # the final save cannot be written
    assert shutdown_error(r) == "Errors trying to SHUTDOWN. Check logs."
    assert shutdown_error(r, "SAVE") == "Errors trying to SHUTDOWN. Check logs."
    srv.signal(signal.SIGTERM)
    time.sleep(1)
    assert srv.alive(), "SIGTERM with a failing save must not stop the server"
    assert "errors trying to shut down the server" in srv.log()
    assert r.get("k") == b"v"
    os.makedirs(data)
    srv.signal(signal.SIGTERM)
    assert srv.wait(10) == 0
    again = make_server(shards=1, backend="epoll", extra_args=["--data-dir", str(data)])
    assert client(again).get("k") == b"v"


@pytest.mark.parametrize("how", ["NOSAVE", "FORCE"])
def test_shutdown_nosave_or_force_exits_even_when_saving_fails(make_server, tmp_path, how):
    data = tmp_path / "data"
    srv = make_server(shards=2, backend="epoll",
                      extra_args=["--data-dir", str(data), "--save", "3600 1"])
    r = client(srv)
    r.set("k", "v")
    shutil.rmtree(data)
    try:
        r.execute_command("SHUTDOWN", how)
    except redis.ConnectionError:
        pass
    assert srv.wait(10) == 0


def test_shutdown_with_save_points_saves_first(make_server, tmp_path):
    srv = make_server(shards=2, backend="epoll",
                      extra_args=["--data-dir", str(tmp_path), "--save", "3600 1"])
    r = client(srv)
    r.set("k", "v")
    try:
        r.shutdown()
    except redis.ConnectionError:
        pass
    assert srv.wait(10) == 0
    assert "DB saved on disk" in srv.log()
    again = make_server(shards=3, backend="epoll", extra_args=["--data-dir", str(tmp_path)])
    assert client(again).get("k") == b"v"


# ---------------------------------------------------------------------------------------------
# 5. BGSAVE into an unusable directory

def test_bgsave_into_a_missing_directory_fails_as_redis_then_recovers(make_server, tmp_path):
    data = tmp_path / "data"
    srv = make_server(shards=2, backend="epoll",
                      extra_args=["--data-dir", str(data), "--save", "3600 1"])
    r = client(srv)
    r.set("k", "v")
    shutil.rmtree(data)
    # Redis's fork succeeds and its child fails: "started", then the status says why.
    assert raw(srv, b"BGSAVE") == b"+Background saving started\r\n"
    wait_for(lambda: persistence(r)["rdb_last_bgsave_status"] == "err", 5, "bgsave status err")
    with pytest.raises(redis.ResponseError) as e:
        r.set("k2", "v")
    assert str(e.value) == MISCONF_RDB
    assert r.get("k") == b"v"  # reads keep working
    assert "Failed opening the temp RDB file" in srv.log()
    # stop-writes-on-bgsave-error no: writes go on despite the failed save.
    assert r.config_set("stop-writes-on-bgsave-error", "no")
    assert r.set("k2", "v")
    assert r.config_set("stop-writes-on-bgsave-error", "yes")
    with pytest.raises(redis.ResponseError):
        r.set("k3", "v")
    os.makedirs(data)
    assert raw(srv, b"BGSAVE") == b"+Background saving started\r\n"
    wait_for(lambda: persistence(r)["rdb_last_bgsave_status"] == "ok", 5, "bgsave status ok")
    wait_for(lambda: _write_ok(r), 2, "writes accepted again")
    assert os.path.exists(data / "dump.rdb")


def _write_ok(r):
    try:
        return r.set("k3", "v")
    except redis.ResponseError:
        return False


def test_config_set_dir_is_protected_as_in_redis(make_server, tmp_path):
    srv = make_server(shards=1, backend="epoll", extra_args=["--data-dir", str(tmp_path)])
    (tmp_path / "file").write_text("x")
    with pytest.raises(redis.ResponseError) as e:
        client(srv).config_set("dir", str(tmp_path / "file"))
    assert str(e.value) == ("CONFIG SET failed (possibly related to argument 'dir') - can't set "
                            "protected config")


# ---------------------------------------------------------------------------------------------
# 7. A full disk: a small tmpfs as the data directory (needs mount; skipped where refused)

@pytest.fixture
def small_tmpfs(tmp_path):
    mnt = tmp_path / "tmpfs"
    mnt.mkdir()
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)],
                              capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as e:
        pytest.skip("cannot mount a tmpfs: %s" % e)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs: %s" % done.stderr.decode().strip())
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True, timeout=10)


def fill(mnt):
    """Fills the file system; returns the filler's path."""
    path = os.path.join(str(mnt), "filler")
    with open(path, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    return path


def test_full_disk_refuses_writes_with_misconf_then_recovers(small_tmpfs, tmp_path):
    srv = ServerProcess(ServerConfig(2, "epoll"),
                        ["--data-dir", str(small_tmpfs), "--save", "3600 1", "--appendonly",
                         "yes", "--appendfsync", "always"])
    try:
        srv.start()
        r = client(srv)
        value = "x" * 1000
        acked = 0
        for i in range(200):
            r.set("k%d" % i, value)
            acked = i + 1
        filler = fill(small_tmpfs)
        # The AOF cannot grow: a write that cannot be made durable under "always" stops the
        # server (as Redis); so switch to everysec first and the writes go to the backlog.
        assert r.config_set("appendfsync", "everysec")
        refused = None
        for i in range(200, 2000):
            try:
                r.set("k%d" % i, value)
                acked = i + 1
            except redis.ResponseError as e:
                refused = str(e)
                break
            time.sleep(0.002)
        assert refused is not None and refused.startswith("MISCONF"), refused
        assert persistence(r)["aof_last_write_status"] == "err"
        assert raw(srv, b"BGSAVE") == b"+Background saving started\r\n"
        wait_for(lambda: persistence(r)["rdb_last_bgsave_status"] == "err", 5, "bgsave error")
        assert r.get("k0") == value.encode()  # reads keep working
        os.unlink(filler)
        wait_for(lambda: persistence(r)["aof_last_write_status"] == "ok", 5, "AOF recovery")
        assert raw(srv, b"BGSAVE") == b"+Background saving started\r\n"
        wait_for(lambda: persistence(r)["rdb_last_bgsave_status"] == "ok", 5, "bgsave ok")
        wait_for(lambda: _set_ok(r, "after", "1"), 3, "writes accepted again")
        srv.stop()
        srv.start()
        r = client(srv)
        assert r.get("after") == b"1"
        for i in range(acked):
            assert r.exists("k%d" % i), "acknowledged write k%d lost" % i
    finally:
        srv.stop()
        srv.remove_log()


def _set_ok(r, key, value):
    try:
        return r.set(key, value)
    except redis.ResponseError:
        return False
