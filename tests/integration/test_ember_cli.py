"""ember-cli, the built binary beside EMBER_SERVER, against a server of this module: its output is
compared byte for byte with redis-cli's for the same commands on the same server (terminal format
through a pty, raw when piped, --csv, --json, RESP2 and RESP3); the REPL is driven through a pty
(history in a temporary HOME, TAB completion, hints); --pipe, --scan, --bigkeys/--memkeys/--hotkeys,
-x, -e, -r/-i, bad input, MONITOR and Ctrl-C, --eval, bench. TLS, unix sockets and -c are in
test_ember_cli_connect.py."""

import os
import pty
import select
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

import harness
from resp_client import RespClient

REDIS_CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"
EMBER_CLI = os.path.join(os.path.dirname(os.path.abspath(harness.EMBER_SERVER)), "ember-cli")
TIMEOUT = 20 * harness.SLOWDOWN

pytestmark = pytest.mark.skipif(not os.path.exists(EMBER_CLI), reason="ember-cli is not built")


@pytest.fixture(scope="module")
def srv():
    """One server for the module (the client, not the server configuration, is under test)."""
    config = harness.REDIS_CONFIG if harness.IS_REDIS else harness.ServerConfig(1, "epoll")
    yield from harness.module_server(config)


@pytest.fixture
def db(srv):
    """A raw connection to srv, on an empty keyspace."""
    with RespClient(port=srv.port, timeout=TIMEOUT) as c:
        assert c.execute("FLUSHALL") == "OK"
        yield c


def run(tool, *args, stdin=None, env=None, timeout=TIMEOUT):
    proc = subprocess.run([tool, *args], input=stdin, capture_output=True, timeout=timeout, env=env)
    return proc.returncode, proc.stdout, proc.stderr


def both(port, *args, stdin=None):
    """(redis-cli's (rc, stdout), ember-cli's (rc, stdout)) for the same arguments."""
    base = ["-h", "127.0.0.1", "-p", str(port)]
    theirs = run(REDIS_CLI, *base, *args, stdin=stdin)
    ours = run(EMBER_CLI, *base, *args, stdin=stdin)
    return theirs[:2], ours[:2]


def seed(c):
    c.execute("RPUSH", "list", "a", "b c", "x\x01y", "", "é")
    c.execute("HSET", "hash", "f1", "v1", "f2", "2")
    c.execute("SET", "str", 'he"llo\nworld')
    c.execute("SADD", "set", "m1")
    c.execute("ZADD", "zset", "1.5", "a", "2", "b")
    c.execute("SET", "counter", "41")
    for i in range(12):
        c.execute("RPUSH", "long", str(i))


COMMANDS = [
    ["LRANGE", "list", "0", "-1"], ["GET", "str"], ["GET", "missing"], ["INCRBY", "counter", "0"],
    ["HGETALL", "hash"], ["HGETALL", "missing"], ["SMEMBERS", "set"], ["SMEMBERS", "missing"],
    ["ZRANGE", "zset", "0", "-1", "WITHSCORES"], ["ZSCORE", "zset", "a"], ["LRANGE", "long", "0", "-1"],
    ["LRANGE", "missing", "0", "-1"], ["PING"], ["EXISTS", "str", "list"], ["BOGUS", "x"], ["SET", "str"],
    ["CONFIG", "GET", "maxmemory-policy"], ["COMMAND", "DOCS", "get", "set"], ["COMMAND", "INFO", "get"],
    ["INFO", "keyspace"], ["TYPE", "hash"], ["MGET", "str", "missing", "counter"],
]


@pytest.mark.parametrize("resp", [[], ["-3"]], ids=["resp2", "resp3"])
@pytest.mark.parametrize("mode", ["--no-raw", "--raw", "--csv", "--json", None])
def test_output_matches_redis_cli_byte_for_byte(srv, db, mode, resp):
    seed(db)
    flags = resp + ([mode] if mode else [])
    for command in COMMANDS:
        theirs, ours = both(srv.port, *flags, *command)
        assert ours == theirs, (flags, command)


def test_delimiters_and_resp3_types(srv, db):
    seed(db)
    for args in (["-d", ":", "-D", ",", "LRANGE", "list", "0", "-1"], ["-3", "--raw", "HGETALL", "hash"],
                 ["-3", "--csv", "ZRANGE", "zset", "0", "-1", "WITHSCORES"], ["-2", "--json", "HGETALL", "hash"]):
        theirs, ours = both(srv.port, *args)
        assert ours == theirs, args


# --- the terminal format, through a pseudo-terminal -------------------------------------------

def pty_run(argv, env=None, timeout=TIMEOUT):
    """Runs argv on a pty until it exits; returns (exit code, everything it wrote)."""
    pid, fd = pty.fork()
    if pid == 0:
        if env is not None:
            os.environ.clear()
            os.environ.update(env)
        os.execv(argv[0], argv)
    out = b""
    deadline = time.time() + timeout
    while time.time() < deadline:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    else:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), out


def test_terminal_output_matches_redis_cli(srv, db):
    seed(db)
    base = ["-h", "127.0.0.1", "-p", str(srv.port)]
    for command in COMMANDS[:12]:
        for resp in ([], ["-3"]):
            theirs = pty_run([REDIS_CLI, *base, *resp, *command])
            ours = pty_run([EMBER_CLI, *base, *resp, *command])
            assert ours == theirs, command
    # Piped, the same commands are raw (no quotes, no "(integer)").
    rc, out, _ = run(EMBER_CLI, *base, "LRANGE", "list", "0", "1")
    assert (rc, out) == (0, b"a\nb c\n")


# --- connection options and errors ------------------------------------------------------------

def test_stdin_last_argument_repeat_and_db(srv, db):
    base = ["-p", str(srv.port)]
    assert run(EMBER_CLI, *base, "-x", "SET", "fromstdin", stdin=b"line1\nline2\n")[:2] == (0, b"OK\n")
    assert db.execute("GET", "fromstdin") == b"line1\nline2\n"
    start = time.time()
    assert run(EMBER_CLI, *base, "-r", "3", "-i", "0.1", "INCR", "n")[:2] == (0, b"1\n2\n3\n")
    assert time.time() - start >= 0.2
    assert run(EMBER_CLI, *base, "-n", "2", "SET", "in2", "v")[:2] == (0, b"OK\n")
    assert run(EMBER_CLI, "-u", "redis://127.0.0.1:%d/2" % srv.port, "GET", "in2")[:2] == (0, b"v\n")
    assert run(EMBER_CLI, *base, "GET", "in2")[:2] == (0, b"\n")
    # Commands piped in on stdin, one a line (no command on the command line).
    rc, out, _ = run(EMBER_CLI, *base, stdin=b"SET piped 'a b'\nGET piped\nGET \"x\\x41y\"\n")
    assert (rc, out) == (0, b"OK\na b\n\n")


def test_error_exit_codes_and_messages(srv, db):
    port = str(srv.port)
    rc, out, err = run(EMBER_CLI, "-p", port, "-e", "BOGUS")
    assert rc == 1 and out == b"" and b"unknown command" in err
    assert run(EMBER_CLI, "-p", port, "BOGUS")[0] == 0
    theirs, ours = both(srv.port, "-e", "BOGUS")
    assert ours == theirs == (1, b"")
    dead = str(harness.free_port())
    theirs = run(REDIS_CLI, "-p", dead, "PING")
    ours = run(EMBER_CLI, "-p", dead, "PING")
    assert ours == theirs
    assert ours[0] == 1 and b"Could not connect to Redis at 127.0.0.1:%s: Connection refused" % dead.encode() in ours[2]
    rc, _, err = run(EMBER_CLI, "-u", "http://127.0.0.1:%s" % port, "PING")
    assert rc == 1 and err == b"Invalid URI scheme\n"
    rc, _, err = run(EMBER_CLI, "-u", "redis://127.0.0.1:notaport", "PING")
    assert rc == 1 and b"Invalid port in URI" in err
    rc, _, err = run(EMBER_CLI, "--no-such-flag")
    assert rc == 1 and err == b"Unrecognized option or bad number of args for: '--no-such-flag'\n"
    rc, out, _ = run(EMBER_CLI, "--version")
    assert rc == 0 and out.startswith(b"ember-cli ")


def test_password_user_and_uri(make_server):
    s = make_server(extra_args=["--requirepass", "sekret"])
    port = str(s.port)
    # Wrong password: the same message and exit code as redis-cli.
    theirs = run(REDIS_CLI, "-p", port, "-a", "wrong", "PING")
    ours = run(EMBER_CLI, "-p", port, "-a", "wrong", "PING")
    assert ours == theirs
    assert b"AUTH failed: WRONGPASS" in ours[2]
    assert run(EMBER_CLI, "-p", port, "-a", "sekret", "--no-auth-warning", "PING") == (0, b"PONG\n", b"")
    assert run(EMBER_CLI, "-p", port, "--user", "default", "--pass", "sekret", "--no-auth-warning", "PING")[:2] == (0, b"PONG\n")
    rc, out, err = run(EMBER_CLI, "-u", "redis://default:sekret@127.0.0.1:%s/3" % port, "SET", "k", "v")
    assert (rc, out) == (0, b"OK\n") and b"may not be safe" in err
    env = dict(os.environ, REDISCLI_AUTH="sekret")
    assert run(EMBER_CLI, "-p", port, "-n", "3", "GET", "k", env=env) == (0, b"v\n", b"")


# --- operator tools ---------------------------------------------------------------------------

def resp_command(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else a.encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def test_pipe_mass_insert_of_a_million_commands(srv, db):
    n = 200_000 if harness.SANITIZED else 1_000_000  # a sanitized server is several times slower
    parts = [b"*3\r\n$3\r\nSET\r\n$%d\r\nkey:%d\r\n$1\r\nv\r\n" % (len(b"key:%d" % i), i) for i in range(n)]
    parts.insert(500, resp_command("NOSUCHCOMMAND"))
    parts.append(resp_command("INCR", "key:1"))  # an error: the value is not an integer
    data = b"".join(parts)
    rc, out, err = run(EMBER_CLI, "-p", str(srv.port), "--pipe", stdin=data, timeout=120 * harness.SLOWDOWN)
    assert out == (b"All data transferred. Waiting for the last reply...\n"
                   b"Last reply received from server.\n"
                   b"errors: 2, replies: %d\n" % (n + 2)), (out, err)
    assert rc == 1
    assert b"unknown command" in err and b"not an integer" in err
    assert db.execute("DBSIZE") == n
    # A clean stream exits 0, and the summary is redis-cli's.
    small = b"".join(resp_command("SET", "p%d" % i, "x") for i in range(100))
    theirs, ours = both(srv.port, "--pipe", stdin=small)
    assert ours == theirs == (0, b"All data transferred. Waiting for the last reply...\n"
                                 b"Last reply received from server.\nerrors: 0, replies: 100\n")


def test_scan_pattern_count(srv, db):
    for i in range(300):
        db.execute("SET", "user:%d" % i, "x")
        db.execute("SET", "item:%d" % i, "x")
    for args in (["--scan"], ["--scan", "--pattern", "user:1*"]):
        theirs, ours = both(srv.port, *args)
        assert ours[0] == 0
        assert sorted(ours[1].splitlines()) == sorted(theirs[1].splitlines())
    _, ours = both(srv.port, "--scan", "--pattern", "user:1*")
    assert len(ours[1].splitlines()) == 111
    # --count (redis-cli 7.2's; 7.0 lacks it) sets SCAN's COUNT.
    rc, out, _ = run(EMBER_CLI, "-p", str(srv.port), "--scan", "--pattern", "item:*", "--count", "50")
    assert rc == 0 and sorted(out.splitlines()) == sorted(b"item:%d" % i for i in range(300))


def summary(out):
    return out[out.index(b"-------- summary -------"):]


def test_bigkeys_memkeys_match_redis_cli(srv, db):
    seed(db)
    db.execute("SET", "big string", "x" * 1000)
    for args in (["--bigkeys"], ["--memkeys"], ["--memkeys-samples", "5"]):
        theirs, ours = both(srv.port, *args)
        assert ours[0] == theirs[0] == 0
        assert summary(ours[1]) == summary(theirs[1]), args
        head = b"\n# Scanning the entire keyspace to find biggest keys as well as\n"
        assert ours[1].startswith(head) and theirs[1].startswith(head)
    _, ours = both(srv.port, "--bigkeys")
    assert b"Biggest string found '\"big string\"' has 1000 bytes" in ours[1]
    assert b"3 strings with 1014 bytes (37.50% of keys, avg size 338.00)" in ours[1]


def test_hotkeys_with_lfu(srv, db):
    assert db.execute("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu") == "OK"
    try:
        db.execute("SET", "hot", "1")
        db.execute("SET", "cold", "1")
        for _ in range(200):
            db.execute("GET", "hot")
        theirs, ours = both(srv.port, "--hotkeys")
        assert ours[0] == theirs[0] == 0
        assert summary(ours[1]) == summary(theirs[1])
        assert b"keyname: \"hot\"" in ours[1]
    finally:
        db.execute("CONFIG", "SET", "maxmemory-policy", "noeviction")
    rc, out, _ = run(EMBER_CLI, "-p", str(srv.port), "--hotkeys")
    assert rc == 1 and b"LFU" in out


def test_stat_and_latency_modes(srv, db):
    port = str(srv.port)
    db.execute("SET", "a", "1")
    rc, out, _ = run(EMBER_CLI, "-p", port, "--stat", "-i", "0.1", "-r", "3")
    lines = out.decode().splitlines()
    assert rc == 0 and lines[0].startswith("------- data ------") and len(lines) == 5, out
    assert lines[2].split()[0] == "1"  # keys
    rc, out, _ = run(EMBER_CLI, "-p", port, "--latency", "-i", "0.3")
    fields = out.split()
    assert rc == 0 and len(fields) == 4, out
    assert 0 <= float(fields[0]) <= float(fields[2]) <= float(fields[1]) and int(fields[3]) > 5
    for mode, marker in (("--latency-history", b"seconds range"), ("--latency-dist", b"samples ---")):
        p = subprocess.Popen([EMBER_CLI, "-p", port, mode, "-i", "0.2"], stdout=subprocess.PIPE)
        time.sleep(0.7)
        p.send_signal(signal.SIGINT)
        out, _ = p.communicate(timeout=TIMEOUT)
        assert p.returncode == 0 and marker in out, (mode, out)


# --- streaming: MONITOR and subscribed mode ---------------------------------------------------

def wait_for(predicate, timeout=TIMEOUT):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_monitor_streams_and_ctrl_c_exits(srv, db):
    p = subprocess.Popen([EMBER_CLI, "-p", str(srv.port), "MONITOR"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert wait_for(lambda: b"flags=O" in db.execute("CLIENT", "LIST"))
        db.execute("SET", "watched", "value")
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=TIMEOUT)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 130, (out, err)
    assert b'"SET" "watched" "value"' in out


def test_subscribed_mode_matches_redis_cli(srv, db):
    procs = [subprocess.Popen([tool, "-p", str(srv.port), "SUBSCRIBE", "news", "sport"], stdout=subprocess.PIPE)
             for tool in (REDIS_CLI, EMBER_CLI)]
    try:
        assert wait_for(lambda: db.execute("PUBSUB", "NUMSUB", "sport")[1] == 2)
        assert db.execute("PUBLISH", "news", "hello") == 2
        assert db.execute("PUBLISH", "sport", "a\x00b") == 2
        time.sleep(0.3)
        for p in procs:
            p.send_signal(signal.SIGINT)
        outs = [p.communicate(timeout=TIMEOUT)[0] for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert outs[1] == outs[0]
    assert outs[1] == b"subscribe\nnews\n1\nsubscribe\nsport\n2\nmessage\nnews\nhello\nmessage\nsport\na\x00b\n"


# --- the REPL, through a pseudo-terminal ------------------------------------------------------

class Repl:
    def __init__(self, port, home, extra=()):
        env = {"HOME": home, "TERM": "xterm", "PATH": os.environ.get("PATH", "")}
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ.clear()
            os.environ.update(env)
            os.execv(EMBER_CLI, [EMBER_CLI, "-p", str(port), *extra])
        self.buf = b""

    def expect(self, needle, timeout=TIMEOUT):
        deadline = time.time() + timeout
        while needle not in self.buf:
            if time.time() > deadline:
                raise AssertionError("%r not seen; got %r" % (needle, self.buf[-2000:]))
            r, _, _ = select.select([self.fd], [], [], 0.1)
            if r:
                try:
                    self.buf += os.read(self.fd, 65536)
                except OSError:
                    break
        before, _, self.buf = self.buf.partition(needle)
        return before

    def send(self, data):
        os.write(self.fd, data)

    def close(self):
        try:
            try:
                self.send(b"\x15quit\r")
            except OSError:
                pass  # already gone
            deadline = time.time() + TIMEOUT
            while time.time() < deadline:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    return os.waitstatus_to_exitcode(status)
                time.sleep(0.05)
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        finally:
            os.close(self.fd)


@pytest.fixture
def home():
    with tempfile.TemporaryDirectory(prefix="ember-cli-home-") as d:
        yield d


def test_repl_commands_quoting_prompt_and_help(srv, db, home):
    prompt = b"127.0.0.1:%d> " % srv.port
    repl = Repl(srv.port, home)
    try:
        repl.expect(prompt)
        repl.send(b'set k "a\\x00b"\r')
        assert b"OK\r\n" in repl.expect(prompt)
        assert db.execute("GET", "k") == b"a\x00b"
        repl.send(b"get k\r")
        assert b'"a\\x00b"\r\n' in repl.expect(prompt)
        repl.send(b"set 'single quoted' 'x \"y\"'\r")
        repl.expect(prompt)
        assert db.execute("GET", "single quoted") == b'x "y"'
        repl.send(b'set bad "unbalanced\r')
        assert b"Invalid argument(s)" in repl.expect(prompt)
        repl.send(b"rpush l a b\r")
        assert b"(integer) 2\r\n" in repl.expect(prompt)
        repl.send(b"lrange l 0 -1\r")
        assert b'1) "a"\r\n2) "b"\r\n' in repl.expect(prompt)
        repl.send(b"3 incr n\r")
        assert b"(integer) 3\r\n" in repl.expect(prompt)
        repl.send(b"select 2\r")
        repl.expect(b"127.0.0.1:%d[2]> " % srv.port)
        repl.send(b"multi\r")
        repl.expect(b"[2](TX)> ")
        repl.send(b"discard\r")
        repl.expect(b"127.0.0.1:%d[2]> " % srv.port)
        repl.send(b"help get\r")
        text = repl.expect(b"[2]> ")
        assert b"GET" in text and b"summary:" in text and b"value of a key" in text
        repl.send(b"help @hash\r")
        text = repl.expect(b"[2]> ")
        assert b"HGETALL" in text and b"HSET" in text and b"LRANGE" not in text
    finally:
        assert repl.close() == 0


def test_repl_history_completion_and_hints(srv, db, home):
    prompt = b"127.0.0.1:%d> " % srv.port
    repl = Repl(srv.port, home)
    try:
        repl.expect(prompt)
        # TAB completes a command name (in the case it was started in) and a subcommand.
        db.execute("RPUSH", "l", "x")
        repl.send(b"lran\t")
        repl.expect(b"ge ")
        repl.send(b"l 0 -1\r")
        assert b'1) "x"' in repl.expect(prompt)
        repl.send(b"CONFIG GE\t")
        repl.expect(b"T ")
        repl.send(b"maxmemory-policy\r")
        assert b'"noeviction"' in repl.expect(prompt)
        repl.send(b"\x15hge\t")  # completes to the common prefix "hget"...
        repl.expect(b"t")
        repl.send(b"\t")  # ...and, asked again, lists the candidates
        listing = repl.expect(prompt)
        assert b"hget     hgetall" in listing
        # The hint after "get " is the argument syntax, in grey.
        repl.send(b"\x15get ")
        repl.expect(b"\x1b[90mkey")
        repl.send(b"\x15set remembered yes\r")
        repl.expect(prompt)
        repl.send(b"\x04")  # Ctrl-D on an empty line: the end
    finally:
        assert repl.close() == 0
    history = open(os.path.join(home, ".ember_cli_history"), "rb").read()
    assert b"remembered" in history
    # A new session recalls it with the up arrow.
    repl = Repl(srv.port, home)
    try:
        repl.expect(prompt)
        db.execute("DEL", "remembered")
        time.sleep(0.3)  # let libedit put the terminal in raw mode before the arrow key
        repl.send(b"\x1b[A\r")
        assert b"OK\r\n" in repl.expect(prompt)
        assert db.execute("GET", "remembered") == b"yes"
    finally:
        repl.close()


def test_repl_reconnects_after_the_connection_is_lost(srv, db, home):
    prompt = b"127.0.0.1:%d> " % srv.port
    repl = Repl(srv.port, home)
    try:
        repl.expect(prompt)
        repl.send(b"client setname victim\r")
        repl.expect(prompt)
        assert db.execute("CLIENT", "KILL", "SKIPME", "yes") >= 1
        repl.send(b"ping\r")
        assert b"Error: Server closed the connection" in repl.expect(prompt)
        repl.send(b"ping\r")
        assert b"PONG" in repl.expect(prompt)
        repl.send(b"monitor\r")
        repl.expect(b"Reading messages")
        assert wait_for(lambda: b"flags=O" in db.execute("CLIENT", "LIST"))
        os.kill(repl.pid, signal.SIGINT)  # Ctrl-C ends MONITOR, back to the prompt
        repl.expect(prompt)
        repl.send(b"ping\r")
        assert b"PONG" in repl.expect(prompt)
    finally:
        repl.close()


def test_repl_not_connected_prompt(home):
    repl = Repl(harness.free_port(), home)
    try:
        assert b"Could not connect to Redis" in repl.expect(b"not connected> ")
    finally:
        repl.close()


def test_eval_file_and_askpass(srv, redis_ref, make_server, tmp_path):
    script = tmp_path / "s.lua"
    script.write_text("return {KEYS[1], KEYS[2], ARGV[1], #ARGV}")
    # On redis-server (and on ember, whatever its EVAL answers) the same bytes as redis-cli.
    for port in (redis_ref.port, srv.port):
        theirs, ours = both(port, "--eval", str(script), "k1", "k2", ",", "a1", "a2")
        assert ours == theirs
    theirs, ours = both(redis_ref.port, "--no-raw", "--eval", str(script), "k1", "k2", ",", "a1")
    assert ours == theirs == (0, b'1) "k1"\n2) "k2"\n3) "a1"\n4) (integer) 1\n')
    rc, _, err = run(EMBER_CLI, "-p", str(srv.port), "--eval", str(tmp_path / "missing.lua"))
    assert rc == 1 and b"Can't open file" in err
    s = make_server(extra_args=["--requirepass", "hidden"])
    assert run(EMBER_CLI, "-p", str(s.port), "--askpass", "PING", stdin=b"hidden\n")[:2] == (0, b"PONG\n")


def test_bench_runs_ember_loadgen(srv):
    if not os.path.exists(os.path.join(os.path.dirname(EMBER_CLI), "ember-loadgen")):
        pytest.skip("ember-loadgen is not built")
    rc, out, err = run(EMBER_CLI, "-p", str(srv.port), "bench", "-n", "3000", "-c", "2", "-P", "4",
                       "-t", "set,get", "-q", "--threads", "2")
    lines = out.decode().splitlines()
    assert rc == 0, err
    assert [line.split(":")[0] for line in lines] == ["SET", "GET"] and "requests per second" in lines[0]
    assert "p99=" in lines[1]
    rc, out, _ = run(EMBER_CLI, "-p", str(srv.port), "bench", "-n", "1000", "-t", "ping", "--csv")
    assert rc == 0 and out.startswith(b'"test","rps"')


def test_bench_threads_custom_command_and_histogram(srv, db):
    if not os.path.exists(os.path.join(os.path.dirname(EMBER_CLI), "ember-loadgen")):
        pytest.skip("ember-loadgen is not built")
    key = "bench:counter"
    # A trailing command, as redis-benchmark's: every one of the 3000 requests reaches the server,
    # however the clients are spread over threads.
    rc, out, err = run(EMBER_CLI, "-p", str(srv.port), "bench", "-n", "3000", "-c", "5",
                       "--threads", "3", "-P", "3", "INCR", key)
    assert rc == 0, err
    assert out.decode().startswith(f"INCR {key}: ") and db.execute("GET", key) == b"3000"
    # __rand_int__ is filled from -r: 2000 random elements of 0..99 give a count near 100.
    rc, out, err = run(EMBER_CLI, "-p", str(srv.port), "bench", "-n", "2000", "-r", "100",
                       "--histogram", "PFADD", "bench:hll", "element:__rand_int__")
    assert rc == 0, err
    assert 90 <= db.execute("PFCOUNT", "bench:hll") <= 100
    text = out.decode()
    assert "Latency by percentile distribution:" in text
    assert "Cumulative distribution of latencies:" in text
    assert "100.000% <=" in text and "(cumulative count 2000)" in text
    rc, _, err = run(EMBER_CLI, "-p", str(srv.port), "bench", "-n", "10", "-c", "2", "--threads", "3")
    assert rc != 0 and b"--threads" in err
