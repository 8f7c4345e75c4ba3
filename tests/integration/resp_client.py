"""A tiny raw-socket RESP client for the integration tests.

It sends commands as RESP arrays (or any raw bytes) and parses RESP2 and RESP3 replies, keeping
the exact bytes of each reply so tests can check wire shapes (``_`` versus ``$-1``, ``%`` versus
``*``). Errors are returned as ``RespError`` values, never raised, so a test can assert on them.

Python types of parsed replies:
  simple string ``+``   -> Simple (a str)
  error ``-`` / ``!``   -> RespError (an Exception instance, returned)
  integer ``:``         -> int
  bulk string ``$``     -> bytes (None for ``$-1``)
  null ``_``            -> None
  double ``,``          -> Double (a float; inf, -inf and nan too)
  boolean ``#``         -> bool
  big number ``(``      -> BigNumber (an int)
  verbatim ``=``        -> Verbatim (a str with .fmt, e.g. "txt")
  array ``*``           -> list (None for ``*-1``)
  map ``%``             -> RespMap (a dict; list keys become tuples)
  set ``~``             -> RespSet (a list, order as sent)
  push ``>``            -> Push (a list)
  attribute ``|``       -> stored in client.attributes; the reply after it is returned
"""

import socket
import time


class Simple(str):
    pass


class Double(float):
    pass


class BigNumber(int):
    pass


class Verbatim(str):
    def __new__(cls, text, fmt):
        obj = super().__new__(cls, text)
        obj.fmt = fmt
        return obj


class RespMap(dict):
    pass


class RespSet(list):
    pass


class Push(list):
    pass


class RespError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __eq__(self, other):
        return isinstance(other, RespError) and other.message == self.message

    def __hash__(self):
        return hash(self.message)

    def __repr__(self):
        return "RespError(%r)" % self.message


class Incomplete(Exception):
    """The buffer does not hold a whole reply yet."""


class ProtocolViolation(Exception):
    """The server sent bytes that are not RESP."""


def encode_command(*args):
    """Encodes one command as a RESP array of bulk strings."""
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        if isinstance(arg, bytes):
            data = arg
        elif isinstance(arg, str):
            data = arg.encode()
        elif isinstance(arg, (int, float)):
            data = repr(arg).encode()
        else:
            raise TypeError("cannot encode %r" % (arg,))
        out.append(b"$%d\r\n" % len(data))
        out.append(data)
        out.append(b"\r\n")
    return b"".join(out)


def _hashable(value):
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple((_hashable(k), _hashable(v)) for k, v in value.items())
    return value


class Parser:
    """Parses RESP replies out of a byte buffer. parse(buf, pos) -> (value, end)."""

    def __init__(self):
        self.attributes = []

    @staticmethod
    def _line(buf, pos):
        end = buf.find(b"\r\n", pos)
        if end < 0:
            raise Incomplete()
        return buf[pos:end], end + 2

    def _length(self, line, kind):
        try:
            return int(line)
        except ValueError:
            raise ProtocolViolation("bad %s length %r" % (kind, line))

    def _aggregate(self, buf, pos, count):
        items = []
        for _ in range(count):
            item, pos = self.parse(buf, pos)
            items.append(item)
        return items, pos

    def _blob(self, buf, pos, size):
        if len(buf) < pos + size + 2:
            raise Incomplete()
        if buf[pos + size:pos + size + 2] != b"\r\n":
            raise ProtocolViolation("blob not terminated by CRLF")
        return bytes(buf[pos:pos + size]), pos + size + 2

    def parse(self, buf, pos=0):
        if pos >= len(buf):
            raise Incomplete()
        kind = buf[pos:pos + 1]
        line, after = self._line(buf, pos + 1)
        if kind == b"+":
            return Simple(line.decode("utf-8", "replace")), after
        if kind == b"-":
            return RespError(line.decode("utf-8", "replace")), after
        if kind == b":":
            return int(line), after
        if kind == b"$":
            size = self._length(line, "bulk")
            if size < 0:
                return None, after
            return self._blob(buf, after, size)
        if kind == b"!":
            data, end = self._blob(buf, after, self._length(line, "blob error"))
            return RespError(data.decode("utf-8", "replace")), end
        if kind == b"=":
            data, end = self._blob(buf, after, self._length(line, "verbatim"))
            if data[3:4] != b":":
                raise ProtocolViolation("verbatim string without a format: %r" % data)
            return Verbatim(data[4:].decode("utf-8", "replace"), data[:3].decode()), end
        if kind == b"_":
            if line != b"":
                raise ProtocolViolation("null with payload %r" % line)
            return None, after
        if kind == b",":
            text = line.decode().lower()
            if text in ("inf", "+inf"):
                return Double(float("inf")), after
            if text == "-inf":
                return Double(float("-inf")), after
            return Double(float(text)), after
        if kind == b"#":
            if line not in (b"t", b"f"):
                raise ProtocolViolation("bad boolean %r" % line)
            return line == b"t", after
        if kind == b"(":
            return BigNumber(int(line)), after
        if kind == b"*":
            count = self._length(line, "array")
            if count < 0:
                return None, after
            return self._aggregate(buf, after, count)
        if kind in (b"~", b">"):
            items, end = self._aggregate(buf, after, self._length(line, "aggregate"))
            return (RespSet(items) if kind == b"~" else Push(items)), end
        if kind in (b"%", b"|"):
            flat, end = self._aggregate(buf, after, 2 * self._length(line, "map"))
            result = RespMap()
            for i in range(0, len(flat), 2):
                result[_hashable(flat[i])] = flat[i + 1]
            if kind == b"%":
                return result, end
            self.attributes.append(result)
            return self.parse(buf, end)
        raise ProtocolViolation("unknown reply type %r at %d in %r" % (kind, pos, bytes(buf[pos:pos + 40])))


class RespClient:
    """A blocking RESP connection with a timeout on every socket operation."""

    def __init__(self, host="127.0.0.1", port=6379, timeout=10.0):
        self.timeout = timeout
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.parser = Parser()

    @property
    def attributes(self):
        return self.parser.attributes

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send_raw(self, data):
        self.sock.sendall(data)

    def send_command(self, *args):
        self.sock.sendall(encode_command(*args))

    def _fill(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout("no whole reply within %.1fs; have %r" % (self.timeout, bytes(self.buf[:200])))
        self.sock.settimeout(remaining)
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("connection closed by server; unparsed bytes: %r" % bytes(self.buf[:200]))
        self.buf += chunk

    def read_reply_with_raw(self, timeout=None):
        """Returns (value, exact bytes of the reply)."""
        deadline = time.monotonic() + (timeout if timeout is not None else self.timeout)
        while True:
            try:
                value, end = self.parser.parse(self.buf, 0)
            except Incomplete:
                self._fill(deadline)
                continue
            raw = bytes(self.buf[:end])
            del self.buf[:end]
            return value, raw

    def read_reply(self, timeout=None):
        return self.read_reply_with_raw(timeout)[0]

    def read_raw_reply(self, timeout=None):
        return self.read_reply_with_raw(timeout)[1]

    def read_replies(self, count, timeout=None):
        deadline = time.monotonic() + (timeout if timeout is not None else self.timeout)
        replies = []
        while len(replies) < count:
            replies.append(self.read_reply(timeout=max(0.001, deadline - time.monotonic())))
        return replies

    def execute(self, *args):
        self.send_command(*args)
        return self.read_reply()

    def execute_raw(self, *args):
        """Sends a command; returns the exact bytes of its reply."""
        self.send_command(*args)
        return self.read_raw_reply()

    def read_until_closed(self, timeout=None):
        """Reads until the server closes the connection; returns (all bytes, closed?)."""
        deadline = time.monotonic() + (timeout if timeout is not None else self.timeout)
        data = bytes(self.buf)
        self.buf.clear()
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return data, False
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(1 << 16)
            except socket.timeout:
                return data, False
            except ConnectionResetError:
                return data, True
            if not chunk:
                return data, True
            data += chunk

    def is_open(self, wait=0.2):
        """True when nothing says the server closed this connection within `wait` seconds."""
        _, closed = self.read_until_closed(timeout=wait)
        return not closed
