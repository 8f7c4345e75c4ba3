"""TLS and mutual TLS on a port of their own, beside the plain one.

The test makes its own CA, server and client certificates with `openssl`, and connects with
redis-cli --tls and redis-py (ssl=True). Every test runs on both io backends; against
redis-server (EMBER_TEST_TARGET=redis) the same tests check themselves.
"""

import os
import shutil
import socket
import ssl
import subprocess
import time

import pytest
import redis

from harness import EMBER_SERVER, IS_REDIS, REDIS_SERVER, ServerConfig, free_port

CONFIGS = [ServerConfig(1, "epoll"), ServerConfig(2, "uring")]
TIMEOUT = 10.0

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl tool")


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def _issue(directory, name, subject, ca, extensions=None):
    """A key and a certificate for `subject`, signed by `ca` (a (cert, key) pair)."""
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
             "-subj", subject, cwd=directory)
    args = ["x509", "-req", "-in", name + ".csr", "-CA", ca[0], "-CAkey", ca[1], "-CAcreateserial",
            "-out", name + ".crt", "-days", "2"]
    if extensions:
        with open(os.path.join(directory, name + ".ext"), "w") as f:
            f.write(extensions)
        args += ["-extfile", name + ".ext"]
    _openssl(*args, cwd=directory)
    return os.path.join(directory, name + ".crt"), os.path.join(directory, name + ".key")


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("tls"))
    paths = {}
    for ca in ("ca", "rogue-ca"):
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca + ".key", "-out",
                 ca + ".crt", "-days", "2", "-subj", "/CN=%s" % ca, cwd=d)
        paths[ca] = (os.path.join(d, ca + ".crt"), os.path.join(d, ca + ".key"))
    san = "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
    paths["server"] = _issue(d, "server", "/CN=ember-server-one", paths["ca"], san)
    paths["server2"] = _issue(d, "server2", "/CN=ember-server-two", paths["ca"], san)
    paths["client"] = _issue(d, "client", "/CN=client", paths["ca"])
    paths["rogue-client"] = _issue(d, "rogue-client", "/CN=rogue", paths["rogue-ca"])
    paths["dir"] = d
    return paths


def _tls_args(certs, tls_port, auth="yes"):
    return ["--tls-port", str(tls_port), "--tls-cert-file", certs["server"][0], "--tls-key-file",
            certs["server"][1], "--tls-ca-cert-file", certs["ca"][0], "--tls-auth-clients", auth]


@pytest.fixture(params=CONFIGS, ids=lambda c: c.name)
def tls_server(request, make_server, certs):
    """A server with TLS on a port of its own (clients must show a certificate)."""
    tls_port = free_port()
    srv = make_server(request.param.shards, request.param.backend, _tls_args(certs, tls_port))
    srv.tls_port = tls_port
    return srv


def _client(certs, port, cert="client", **kwargs):
    options = dict(host="127.0.0.1", port=port, ssl=True, ssl_ca_certs=certs["ca"][0],
                   socket_timeout=TIMEOUT, decode_responses=True)
    if cert is not None:
        options.update(ssl_certfile=certs[cert][0], ssl_keyfile=certs[cert][1])
    options.update(kwargs)
    return redis.Redis(**options)


def _context(certs, cert="client"):
    context = ssl.create_default_context(cafile=certs["ca"][0])
    if cert is not None:
        context.load_cert_chain(*certs[cert])
    return context


def _tls_socket(certs, port, cert="client"):
    sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    return _context(certs, cert).wrap_socket(sock, server_hostname="localhost")


def _refused(certs, port, cert):
    """True when the server ends the handshake (or the first exchange right after it, where TLS
    1.3 reports a refused certificate) instead of answering PING."""
    try:
        with _tls_socket(certs, port, cert) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64) == b""
    except (ssl.SSLError, ConnectionError):
        return True


def _redis_cli(port, *args, certs, cert="client"):
    cmd = ["redis-cli", "-p", str(port), "--tls", "--cacert", certs["ca"][0]]
    if cert is not None:
        cmd += ["--cert", certs[cert][0], "--key", certs[cert][1]]
    return subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=TIMEOUT)


def _closed_soon(sock, timeout=5.0):
    """Reads until the server closes the connection (True) or `timeout` passes (False)."""
    sock.settimeout(timeout)
    try:
        while sock.recv(4096):
            pass
        return True
    except ConnectionError:
        return True
    except socket.timeout:
        return False


def test_redis_cli_over_tls(tls_server, certs):
    out = _redis_cli(tls_server.tls_port, "SET", "tls:cli", "hello", certs=certs)
    assert out.returncode == 0 and out.stdout.strip() == "OK", out
    out = _redis_cli(tls_server.tls_port, "GET", "tls:cli", certs=certs)
    assert out.stdout.strip() == "hello"
    # The plain port serves alongside, the same data.
    assert redis.Redis(port=tls_server.port, decode_responses=True).get("tls:cli") == "hello"


def test_redis_py_pipelines_and_big_values(tls_server, certs):
    c = _client(certs, tls_server.tls_port)
    assert c.ping() is True
    pipe = c.pipeline(transaction=False)
    for i in range(2000):
        pipe.set("tls:k%d" % i, "v%d" % i)
    assert all(pipe.execute())
    assert c.mget(["tls:k0", "tls:k1999"]) == ["v0", "v1999"]
    big = "x" * (3 * 1024 * 1024 + 17)  # many TLS records each way
    assert c.set("tls:big", big) is True
    assert c.get("tls:big") == big
    assert c.strlen("tls:big") == len(big)
    c.close()


def test_pubsub_over_tls(tls_server, certs):
    sub = _client(certs, tls_server.tls_port).pubsub()
    sub.subscribe("tls:chan")
    assert sub.get_message(timeout=TIMEOUT)["type"] == "subscribe"
    assert _client(certs, tls_server.tls_port).publish("tls:chan", "m1") == 1
    message = sub.get_message(timeout=TIMEOUT)
    assert message["type"] == "message" and message["data"] == "m1"
    sub.close()


def test_client_without_a_valid_certificate_is_refused(tls_server, certs):
    port = tls_server.tls_port
    assert _refused(certs, port, cert=None)
    assert _refused(certs, port, cert="rogue-client")  # signed by a CA the server does not trust
    with pytest.raises(redis.ConnectionError):
        _client(certs, port, cert=None).ping()
    out = _redis_cli(port, "PING", certs=certs, cert=None)
    assert out.returncode != 0 and "PONG" not in out.stdout
    assert _client(certs, port).ping() is True  # the server is fine


@pytest.mark.parametrize("mode", ["no", "optional"])
def test_auth_clients_no_and_optional(make_server, certs, mode):
    tls_port = free_port()
    make_server(1, "epoll", _tls_args(certs, tls_port, auth=mode))
    assert _client(certs, tls_port, cert=None).ping() is True
    assert _client(certs, tls_port).ping() is True
    # optional still checks a certificate that is shown; no does not ask for one.
    assert _refused(certs, tls_port, cert="rogue-client") == (mode == "optional")


def test_plain_text_and_garbage_on_the_tls_port_are_closed(tls_server, certs):
    ok = _client(certs, tls_server.tls_port)
    assert ok.set("tls:survivor", "1") is True
    for payload in (b"PING\r\n", b"*1\r\n$4\r\nPING\r\n", os.urandom(3000),
                    b"\x16\x03\x01\x00\x05hello" + b"\x00" * 64):
        with socket.create_connection(("127.0.0.1", tls_server.tls_port), timeout=TIMEOUT) as s:
            s.sendall(payload)
            assert _closed_soon(s), payload[:16]
    assert ok.get("tls:survivor") == "1"  # the open TLS client never noticed
    assert redis.Redis(port=tls_server.port).ping() is True


def test_stalled_handshakes_do_not_hold_up_others(tls_server, certs):
    stalled = []
    for _ in range(5):
        s = socket.create_connection(("127.0.0.1", tls_server.tls_port), timeout=TIMEOUT)
        s.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")  # a ClientHello's first bytes
        stalled.append(s)
    idle = socket.create_connection(("127.0.0.1", tls_server.tls_port), timeout=TIMEOUT)  # silent
    try:
        start = time.monotonic()
        c = _client(certs, tls_server.tls_port)
        for i in range(50):
            assert c.incr("tls:counter") == i + 1
        out = _redis_cli(tls_server.tls_port, "PING", certs=certs)
        assert out.stdout.strip() == "PONG"
        assert time.monotonic() - start < 5.0
    finally:
        for s in stalled + [idle]:
            s.close()
    assert c.ping() is True


def test_config_get_and_set(tls_server, certs):
    plain = redis.Redis(port=tls_server.port, decode_responses=True)
    got = plain.config_get("tls-*")
    assert got["tls-port"] == str(tls_server.tls_port)
    assert got["tls-cert-file"] == certs["server"][0]
    assert got["tls-auth-clients"] == "yes"
    assert got["tls-protocols"] == "" and got["tls-ciphers"] == "" and got["tls-ciphersuites"] == ""
    assert got["tls-prefer-server-ciphers"] == "no"
    with pytest.raises(redis.ResponseError) as e:
        plain.config_set("tls-auth-clients", "maybe")
    assert str(e.value) == ("CONFIG SET failed (possibly related to argument 'tls-auth-clients') - "
                            "argument(s) must be one of the following: no, yes, optional")
    for name, value in (("tls-cert-file", "/nonexistent.crt"), ("tls-protocols", "TLSv1.9")):
        with pytest.raises(redis.ResponseError) as e:
            plain.config_set(name, value)
        assert str(e.value) == ("CONFIG SET failed (possibly related to argument '%s') - Unable to "
                                "update TLS configuration. Check server logs." % name)
    assert plain.config_get("tls-cert-file")["tls-cert-file"] == certs["server"][0]

    before = _tls_socket(certs, tls_server.tls_port)
    assert dict(before.getpeercert()["subject"][0])["commonName"] == "ember-server-one"
    assert plain.execute_command("CONFIG", "SET", "tls-cert-file", certs["server2"][0],
                                 "tls-key-file", certs["server2"][1]) == "OK"
    after = _tls_socket(certs, tls_server.tls_port)
    assert dict(after.getpeercert()["subject"][0])["commonName"] == "ember-server-two"
    for s in (before, after):  # the connection from before the change keeps working
        s.sendall(b"PING\r\n")
        assert s.recv(64) == b"+PONG\r\n"
        s.close()
    assert plain.config_set("tls-auth-clients", "no") is True
    assert _client(certs, tls_server.tls_port, cert=None).ping() is True


def test_protocols_and_ciphersuites(make_server, certs):
    tls_port = free_port()
    make_server(1, "epoll", _tls_args(certs, tls_port) +
                ["--tls-protocols", "TLSv1.3", "--tls-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"])
    with _tls_socket(certs, tls_port) as s:
        assert s.version() == "TLSv1.3"
        assert s.cipher()[0] == "TLS_CHACHA20_POLY1305_SHA256"
    context = _context(certs)
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    with socket.create_connection(("127.0.0.1", tls_port), timeout=TIMEOUT) as raw:
        with pytest.raises((ssl.SSLError, ConnectionError)):
            context.wrap_socket(raw, server_hostname="localhost").do_handshake()


def test_port_zero_turns_off_plain_tcp(certs):
    tls_port = free_port()
    if IS_REDIS:
        cmd = [REDIS_SERVER, "--save", "", "--port", "0"]
    else:
        cmd = [EMBER_SERVER, "--shards", "1", "--io-backend", "epoll", "--port", "0"]
    log_path = os.path.join(certs["dir"], "tls-only.log")
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd + _tls_args(certs, tls_port), stdout=log, stderr=log,
                                stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:  # the harness's readiness check needs a plain port: this one has none
            try:
                assert _client(certs, tls_port).ping() is True
                break
            except redis.ConnectionError:
                assert proc.poll() is None and time.monotonic() < deadline, open(log_path).read()
                time.sleep(0.05)
        assert _client(certs, tls_port).config_get("port")["port"] == "0"
    finally:
        proc.terminate()
        assert proc.wait(TIMEOUT) == 0
