"""Transcripts for the byte-for-byte tests against redis-server (pub/sub, tracking): a script of
steps over several connections, run once on redis-server to learn how many frames each
connection gets at each step (by waiting for silence), then on ember reading exactly that many
(its threads may take a moment) and checking that nothing more came."""

import socket
import time

import harness
from resp_client import RespClient

CLIENT_TIMEOUT = 10.0 * harness.SLOWDOWN
QUIET = 0.05  # redis-server answers at once: this much silence means it has said everything
ID = "<id>"   # in a command: the CLIENT ID of the connection named by the step's `target`


def read_quiet(conn, first_timeout=None):
    """Raw frames until the connection stays silent for QUIET seconds (the first frame may take
    up to first_timeout)."""
    frames = []
    if first_timeout is not None:
        frames.append(conn.read_raw_reply(timeout=first_timeout))
    while True:
        try:
            frames.append(conn.read_raw_reply(timeout=QUIET))
        except (socket.timeout, TimeoutError, ConnectionError):  # silent, or closed (QUIT)
            return frames


def S(who, *args, compared=True, target=None, pause=0.0):
    """One step: connection `who` sends `args` (ID replaced by connection `target`'s id; its id
    in the replies is then written as <id>); `pause`: seconds to wait first."""
    return (who, args, compared, target, pause)


def run(port, connections, steps, counts=None):
    """Runs the steps over fresh connections. Without `counts` it learns how many frames each
    connection gets at each step by waiting for silence (redis-server); with them it reads
    exactly that many (ember's threads may take a moment), then checks nothing more came."""
    conns = [RespClient(port=port, timeout=CLIENT_TIMEOUT) for _ in range(connections)]
    ids = [c.execute("CLIENT", "ID") for c in conns]
    transcript, learned = [], []
    try:
        for i, (who, args, compared, target, pause) in enumerate(steps):
            if pause:
                time.sleep(pause * harness.SLOWDOWN)
            real = [str(ids[target]) if a == ID else a for a in args]
            conns[who].send_command(*real)
            step, step_counts = [], []
            for j, conn in enumerate(conns):
                if counts is None:
                    frames = read_quiet(conn, first_timeout=CLIENT_TIMEOUT if j == who else None)
                else:
                    frames = [conn.read_raw_reply() for _ in range(counts[i][j])]
                step_counts.append(len(frames))
                data = b"".join(frames)
                if target is not None:
                    data = data.replace(b":%d\r\n" % ids[target], b":<id>\r\n")
                    data = data.replace(b"redir=%d " % ids[target], b"redir=<id> ")
                step.append(data if compared else b"<not compared>")
            transcript.append((args, step))
            learned.append(step_counts)
        if counts is not None:
            for j, conn in enumerate(conns):
                extra = read_quiet(conn)
                assert not extra, "connection %d got more than redis-server sent: %r" % (j, extra)
    finally:
        for conn in conns:
            conn.close()
    return transcript, learned
