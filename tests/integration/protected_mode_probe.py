"""Runs inside a network namespace of its own (test_protected_mode.py starts it with unshare):
gives the namespace's loopback device a second, non-loopback address, starts servers bound to
all interfaces, and reports as JSON what a client connecting from that address and one from
127.0.0.1 receive. Every server it starts it stops by PID."""

import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time

EXTERNAL = "10.77.0.1"
TIMEOUT = 5.0


def read_reply(host, port, send=b"*1\r\n$4\r\nPING\r\n", pause=0.2, tls=None):
    """Everything the server sends before it closes (or stays quiet for TIMEOUT); over TLS
    when `tls` (an ssl.SSLContext) is given."""
    with socket.create_connection((host, port), timeout=TIMEOUT) as plain:
        s = tls.wrap_socket(plain) if tls else plain
        time.sleep(pause)  # a refusal is written at accept, before any command
        try:
            s.sendall(send)
        except OSError:
            pass
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except (ConnectionError, ssl.SSLError):
                break
            if not chunk:
                break
            data += chunk
            if data.endswith(b"\r\n") and not data.startswith(b"-DENIED"):
                break  # one reply is enough
        return data.decode("latin-1")


def command(port, *args):
    parts = [b"*%d\r\n" % len(args)] + [b"$%d\r\n%s\r\n" % (len(a), a.encode()) for a in args]
    return read_reply("127.0.0.1", port, b"".join(parts), pause=0)


# The kernel stops a server whose probe died before stopping it.
PDEATHSIG = ["setpriv", "--pdeathsig", "TERM"] if shutil.which("setpriv") else []


def start(cmd, port, ready_host):
    proc = subprocess.Popen(PDEATHSIG + cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if read_reply(ready_host, port, pause=0).startswith(("+PONG", "-NOAUTH", "-DENIED")):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    proc.wait()
    raise RuntimeError("server did not start: %r" % cmd)


def server_command(target, port, extra):
    if target == "redis":
        return [os.environ["PROBE_REDIS_SERVER"], "--port", str(port), "--save", "",
                "--appendonly", "no", *extra]
    shards, backend = target.split(":")
    return [os.environ["PROBE_EMBER_SERVER"], "--port", str(port), "--shards", shards,
            "--io-backend", backend, *extra]


def make_certificate(directory):
    """A self-signed server certificate; returns (cert, key) paths."""
    cert, key = os.path.join(directory, "server.crt"), os.path.join(directory, "server.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=probe"], check=True,
                   capture_output=True, timeout=60)
    return cert, key


def probe_tls(target, port, tls_port, cert, key):
    """An external client on the TLS port: the refusal comes once the handshake is done."""
    extra = ["--tls-port", str(tls_port), "--tls-cert-file", cert, "--tls-key-file", key,
             "--tls-auth-clients", "no"] + ([] if target == "redis" else ["--host", "0.0.0.0"])
    proc = start(server_command(target, port, extra), port, "127.0.0.1")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        return {"external": read_reply(EXTERNAL, tls_port, tls=context),
                "loopback": read_reply("127.0.0.1", tls_port, tls=context)}
    finally:
        proc.terminate()
        proc.wait(10)


def probe(target, port, extra, before=(), bound=None):
    proc = start(server_command(target, port, extra), port, bound or "127.0.0.1")
    try:
        for args in before:
            command(port, *args)
        if bound:  # bound to the external address only: no loopback client can reach it
            return {"external": read_reply(EXTERNAL, port)}
        return {"external": read_reply(EXTERNAL, port), "loopback": read_reply("127.0.0.1", port)}
    finally:
        proc.terminate()
        proc.wait(10)


def main():
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    subprocess.run(["ip", "addr", "add", EXTERNAL + "/24", "dev", "lo"], check=True)
    port = 7000 + os.getpid() % 1000
    ember_all = ["--host", "0.0.0.0"]
    results = {}
    scratch = tempfile.mkdtemp(prefix="ember-protected-mode-")
    certificate = make_certificate(scratch) if shutil.which("openssl") else None
    for target in sys.argv[1:]:
        all_interfaces = [] if target == "redis" else ember_all
        results[target] = {
            "default": probe(target, port, all_interfaces),
            "bound_to_the_address": probe(target, port, ["--bind", EXTERNAL], bound=EXTERNAL),
            "protected_mode_no": probe(target, port, all_interfaces + ["--protected-mode", "no"]),
            "password": probe(target, port, all_interfaces + ["--requirepass", "secret"]),
            "config_set_no": probe(target, port, all_interfaces,
                                   before=[("CONFIG", "SET", "protected-mode", "no")]),
        }
        if shutil.which("openssl"):
            results[target]["tls"] = probe_tls(target, port, port + 1, *certificate)
    shutil.rmtree(scratch, ignore_errors=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
