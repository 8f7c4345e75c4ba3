"""Starts and stops a real server process on a free loopback port (ember, or redis-server to
validate the tests themselves with EMBER_TEST_TARGET=redis)."""
import os
import signal
import socket
import subprocess
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGET = os.environ.get("EMBER_TEST_TARGET", "ember")
SANITIZED = os.environ.get("EMBER_SANITIZED") == "1"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, shards=1, backend="epoll", extra=()):
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="ember-test-", suffix=".log", delete=False)
        if TARGET == "redis":
            cmd = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                   "--appendonly", "no", "--protected-mode", "no"]
        else:
            binary = os.environ.get("EMBER_SERVER", os.path.join(REPO, "build/release/ember-server"))
            cmd = [binary, "--host", "127.0.0.1", "--port", str(self.port), "--shards", str(shards),
                   "--io-backend", backend, *extra]
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self):
        deadline = time.time() + 15
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited at start:\n" + self.output())
            # Ready = answers PING: listeners open before the data set has loaded, and until
            # then every command but a few gets -LOADING.
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    reply = sock.recv(64)
                    if reply.startswith(b"+PONG") or reply.startswith(b"-NOAUTH"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("server did not start:\n" + self.output())

    def output(self):
        with open(self.log.name, "r", errors="replace") as f:
            return f.read()

    def stop(self, timeout=15):
        """SIGTERM, wait, SIGKILL as a last resort. Returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        os.unlink(self.log.name)
        return self.proc.returncode
