"""ember-cli's connections: TLS (--tls --cacert --cert --key --insecure, rediss://) and a unix
socket against a redis-server started with TLS by the test, and -c following MOVED / ASK between
two fake cluster nodes, compared with redis-cli."""

import os
import shutil
import socket
import subprocess
import tempfile
import threading

import pytest

import harness
from test_ember_cli import EMBER_CLI, REDIS_CLI, TIMEOUT, run

pytestmark = pytest.mark.skipif(not os.path.exists(EMBER_CLI), reason="ember-cli is not built")


# --- TLS and unix sockets, against a redis-server started with TLS ----------------------------

def make_certs(d):
    def ssl(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True, timeout=TIMEOUT)
    ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test-ca",
        "-keyout", "ca.key", "-out", "ca.crt")
    for name in ("server", "client"):
        ssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", name + ".key",
            "-out", name + ".csr")
        with open(os.path.join(d, name + ".ext"), "w") as f:
            f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
        ssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-days", "1", "-extfile", name + ".ext", "-out", name + ".crt")


@pytest.fixture(scope="module")
def tls_redis():
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    d = tempfile.mkdtemp(prefix="ember-cli-tls-")
    try:
        make_certs(d)
        tls_port = harness.free_port()
        sock = os.path.join(d, "redis.sock")
        args = ["--tls-port", str(tls_port), "--tls-cert-file", os.path.join(d, "server.crt"),
                "--tls-key-file", os.path.join(d, "server.key"), "--tls-ca-cert-file", os.path.join(d, "ca.crt"),
                "--tls-auth-clients", "optional", "--unixsocket", sock]
        for srv in harness.module_server(harness.REDIS_CONFIG, args):
            yield srv, tls_port, d, sock
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_tls_connections(tls_redis):
    _, port, d, _ = tls_redis
    ca = os.path.join(d, "ca.crt")
    base = ["-h", "127.0.0.1", "-p", str(port), "--tls"]
    assert run(EMBER_CLI, *base, "--cacert", ca, "PING")[:2] == (0, b"PONG\n")
    assert run(EMBER_CLI, *base, "--cacert", ca, "--cert", os.path.join(d, "client.crt"),
               "--key", os.path.join(d, "client.key"), "SET", "t", "1")[:2] == (0, b"OK\n")
    # Not trusted without the CA; --insecure skips the check.
    rc, out, err = run(EMBER_CLI, *base, "PING")
    assert rc == 1 and b"Could not negotiate a TLS connection" in err, err
    assert run(EMBER_CLI, *base, "--insecure", "PING")[:2] == (0, b"PONG\n")
    assert run(EMBER_CLI, "-u", "rediss://127.0.0.1:%d" % port, "--cacert", ca, "GET", "t")[:2] == (0, b"1\n")
    # The formats through TLS are those of redis-cli.
    for args in (["--no-raw", "CONFIG", "GET", "tls-port"], ["-3", "--no-raw", "HGETALL", "none"]):
        theirs = run(REDIS_CLI, *base, "--cacert", ca, *args)
        ours = run(EMBER_CLI, *base, "--cacert", ca, *args)
        assert ours == theirs


def test_unix_socket(tls_redis):
    _, _, _, sock = tls_redis
    assert run(EMBER_CLI, "-s", sock, "PING")[:2] == (0, b"PONG\n")
    rc, _, err = run(EMBER_CLI, "-s", sock + ".missing", "PING")
    assert rc == 1 and b"No such file or directory" in err



# --- -c: MOVED and ASK, against two fake cluster nodes ----------------------------------------

class FakeNode:
    """A RESP server on a free port answering every command with reply_fn(args); logs commands."""

    def __init__(self, reply_fn):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.reply_fn, self.log = reply_fn, []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn):
        with conn, conn.makefile("rb") as f:
            while True:
                line = f.readline()
                if not line:
                    return
                args = []
                for _ in range(int(line[1:])):
                    size = int(f.readline()[1:])
                    args.append(f.read(size + 2)[:-2])
                self.log.append(args)
                conn.sendall(self.reply_fn(args))

    def close(self):
        self.sock.close()


def test_cluster_mode_follows_moved_and_ask():
    b = FakeNode(lambda args: b"+OK\r\n" if args[0] == b"ASKING" else b"$5\r\nvalue\r\n")
    a = FakeNode(lambda args: (b"-MOVED 3999 127.0.0.1:%d\r\n" if args[0] == b"GET" else b"-ASK 12 127.0.0.1:%d\r\n")
                 % b.port)
    try:
        for command, on_b in ((["GET", "k"], [[b"GET", b"k"]]), (["SET", "k", "v"], [[b"ASKING"], [b"SET", b"k", b"v"]])):
            results = []
            for tool in (REDIS_CLI, EMBER_CLI):
                b.log.clear()
                results.append((run(tool, "-c", "-p", str(a.port), *command), list(b.log)))
            assert results[1] == results[0], command
            assert results[1] == ((0, b"value\n", b""), on_b)
        # Without -c the redirection is just an error.
        assert run(EMBER_CLI, "-p", str(a.port), "GET", "k")[:2] == (0, b"MOVED 3999 127.0.0.1:%d\n\n" % b.port)
    finally:
        a.close()
        b.close()
