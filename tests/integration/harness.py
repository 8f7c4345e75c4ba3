"""Starts and stops one real server process on a free loopback port.

The target is ember (``EMBER_SERVER``, default ``<repo>/build/release/ember-server``) or, with
``EMBER_TEST_TARGET=redis``, Debian's ``redis-server``, which lets the suite itself be checked
against the ground truth. Processes are only ever stopped by their own PID.
"""

import atexit
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGET = os.environ.get("EMBER_TEST_TARGET", "ember").strip().lower() or "ember"
if TARGET not in ("ember", "redis"):
    raise RuntimeError("EMBER_TEST_TARGET must be 'ember' or 'redis', not %r" % TARGET)
IS_REDIS = TARGET == "redis"
EMBER_SERVER = os.environ.get("EMBER_SERVER") or os.path.join(REPO, "build", "release", "ember-server")
REDIS_SERVER = os.environ.get("EMBER_REDIS_SERVER", "/usr/bin/redis-server")
# Sanitizer builds are several times slower: stretch every time budget.
SANITIZED = os.environ.get("EMBER_SANITIZED") == "1"
SLOWDOWN = 4.0 if SANITIZED else 1.0

STARTUP_TIMEOUT = 10.0 * SLOWDOWN
STOP_TIMEOUT = 10.0 * SLOWDOWN
URING_UNAVAILABLE = "io_uring is not available"


@dataclass(frozen=True)
class ServerConfig:
    shards: int
    backend: str  # "epoll", "uring", or "redis" for the redis-server target

    @property
    def name(self):
        return "redis" if self.backend == "redis" else "shards%d-%s" % (self.shards, self.backend)


EMBER_CONFIGS = [ServerConfig(1, "epoll"), ServerConfig(4, "uring"), ServerConfig(4, "epoll"),
                 ServerConfig(1, "uring")]
REDIS_CONFIG = ServerConfig(1, "redis")
# Heavy tests (many keys, benchmarks) run against this configuration only.
HEAVY_CONFIG = REDIS_CONFIG if IS_REDIS else ServerConfig(4, "uring")
HEAVY_FALLBACK = ServerConfig(4, "epoll")


def selected_configs():
    """The configurations the parametrized `server` fixture runs; EMBER_TEST_CONFIGS="1:epoll,4:uring"
    narrows them."""
    if IS_REDIS:
        return [REDIS_CONFIG]
    spec = os.environ.get("EMBER_TEST_CONFIGS", "").strip()
    if not spec:
        return list(EMBER_CONFIGS)
    configs = []
    for item in spec.split(","):
        shards, _, backend = item.strip().partition(":")
        configs.append(ServerConfig(int(shards), backend or "epoll"))
    return configs


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_RUNNING = {}  # pid -> ServerProcess, for the exit safety net below
_PDEATHSIG = ["setpriv", "--pdeathsig", "TERM"] if shutil.which("setpriv") else []


@atexit.register
def _stop_leftovers():
    """If pytest is interrupted before fixtures tear down, still stop every server we started."""
    for server in list(_RUNNING.values()):
        server.stop(timeout=3)
        server.remove_log()


class ServerStartError(RuntimeError):
    pass


class BackendUnavailable(ServerStartError):
    pass


class ServerProcess:
    """One server process. start() blocks until it answers PING; stop() returns the exit code."""

    def __init__(self, config, extra_args=()):
        self.config = config
        self.extra_args = list(extra_args)
        self.port = None
        self.proc = None
        self.log_path = None
        self.exit_code = None

    @property
    def is_redis(self):
        return self.config.backend == "redis"

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def command_line(self, port):
        # setpriv --pdeathsig: the kernel sends SIGTERM to the server if pytest dies without
        # tearing down (killed, or SIGTERM from `timeout`), so no server outlives its test run.
        return _PDEATHSIG + self._server_command(port)

    def _server_command(self, port):
        if self.is_redis:
            return [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "no", "--protected-mode", "no", *self.extra_args]
        return [EMBER_SERVER, "--host", "127.0.0.1", "--port", str(port), "--shards",
                str(self.config.shards), "--io-backend", self.config.backend, *self.extra_args]

    def start(self, port=None):
        """Starts on a free port, or on `port` (no retry then: in use is an error)."""
        if port is not None:
            self._start_once(port)
            return self
        if not self.is_redis and not os.access(EMBER_SERVER, os.X_OK):
            raise ServerStartError("ember-server binary not found at %s (build it, or set EMBER_SERVER; "
                                   "EMBER_TEST_TARGET=redis runs the suite against redis-server)"
                                   % EMBER_SERVER)
        last_error = None
        for _ in range(3):  # a free port can be taken by someone else before we bind it
            try:
                self._start_once()
                return self
            except ServerStartError as e:
                last_error = e
                if isinstance(e, BackendUnavailable) or "in use" not in str(e):
                    raise
        raise last_error

    def _start_once(self, port=None):
        self.port = port or free_port()
        fd, self.log_path = tempfile.mkstemp(prefix="ember-it-%s-" % self.config.name, suffix=".log")
        with os.fdopen(fd, "wb") as log:
            self.proc = subprocess.Popen(self.command_line(self.port), stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=log, cwd=tempfile.gettempdir())
        _RUNNING[self.proc.pid] = self
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            code = self.proc.poll()
            if code is not None:
                self.exit_code = code
                text = self.log()
                error = BackendUnavailable if URING_UNAVAILABLE in text else ServerStartError
                raise error("server %s exited with code %s during startup; its output:\n%s"
                            % (self.config.name, code, text))
            if self._answers_ping():
                return
            time.sleep(0.02)
        self.stop()
        raise ServerStartError("server %s did not answer PING within %.0fs; its output:\n%s"
                               % (self.config.name, STARTUP_TIMEOUT, self.log()))

    def _answers_ping(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1.0) as s:
                s.settimeout(1.0)
                s.sendall(b"*1\r\n$4\r\nPING\r\n")
                data = b""
                while not data.endswith(b"\r\n"):
                    chunk = s.recv(64)
                    if not chunk:
                        return False
                    data += chunk
                # A server with requirepass answers NOAUTH: up all the same.
                return data == b"+PONG\r\n" or data.startswith(b"-NOAUTH")
        except OSError:
            return False

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log(self, tail=20000):
        if not self.log_path:
            return ""
        try:
            with open(self.log_path, "rb") as f:
                data = f.read()
        except OSError:
            return ""
        return data[-tail:].decode("utf-8", "replace")

    def signal(self, sig):
        if self.alive():
            self.proc.send_signal(sig)

    def wait(self, timeout):
        """Waits for the process to exit; returns its exit code or None on timeout."""
        try:
            self.exit_code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        return self.exit_code

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM, wait up to `timeout`, then SIGKILL. Returns the exit code (negative: signal)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            if self.wait(timeout) is None:
                self.proc.kill()  # SIGKILL by PID; Popen ignores an already reaped process
                self.wait(10)
        self.exit_code = self.proc.returncode
        _RUNNING.pop(self.proc.pid, None)
        return self.exit_code

    def remove_log(self):
        if self.log_path:
            try:
                os.unlink(self.log_path)
            except OSError:
                pass
            self.log_path = None

    def __repr__(self):
        return "<server %s pid=%s port=%s>" % (self.config.name, self.pid, self.port)


def module_server(config, extra_args=()):
    """Generator body of a module-scoped fixture: a server of its own, started (a start failure
    fails the test), then stopped by PID with its log removed."""
    import pytest  # only fixtures use this

    srv = ServerProcess(config, extra_args)
    try:
        srv.start()
    except ServerStartError as e:
        srv.remove_log()
        pytest.fail(str(e), pytrace=False)
    yield srv
    srv.stop()
    srv.remove_log()
