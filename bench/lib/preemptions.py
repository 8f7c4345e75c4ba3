#!/usr/bin/env python3
"""Reads `perf script -F time,trace` output of sched:sched_switch events recorded on the server's
core and prints every span longer than --min-ms during which a server thread was runnable but
off the core (switched out in state R), with the tasks that ran meanwhile: it tells a server's
own stall from a core taken by someone else. Each span says when it began (seconds into the
trace), which shows a periodic intruder's period."""
import argparse
import re
import sys

SWITCH = re.compile(r"^\s*([\d.]+):\s.*prev_comm=(.*?) prev_pid=(\d+) .*prev_state=(\S+) ==> "
                    r"next_comm=(.*?) next_pid=(\d+)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tids", help="the server's thread ids, comma-separated")
    ap.add_argument("--min-ms", type=float, default=0.5)
    args = ap.parse_args()
    tids = {int(t) for t in args.tids.split(",")}
    off = {}  # tid -> (switched out at, {task that ran meanwhile})
    spans = []  # (ms off the core, when it began, tasks that ran)
    first = None
    for line in sys.stdin:
        m = SWITCH.search(line)
        if not m:
            continue
        t = float(m.group(1))
        first = t if first is None else first
        prev_pid, prev_state = int(m.group(3)), m.group(4)
        next_comm, next_pid = m.group(5), int(m.group(6))
        if next_pid in off:
            out_at, ran = off.pop(next_pid)
            spans.append(((t - out_at) * 1000, out_at - first, ran))
        for _, ran in off.values():
            ran.add(next_comm)
        if prev_pid in tids and prev_state.startswith("R"):
            off[prev_pid] = (t, {next_comm})
    long_spans = sorted((s for s in spans if s[0] >= args.min_ms), key=lambda s: -s[0])
    print("server preempted %d times; %d for %.1f ms or more; longest:" % (
        len(spans), len(long_spans), args.min_ms))
    for ms, at, ran in long_spans[:15]:
        print("  %.2f ms at %.3f s, the core ran: %s" % (ms, at, ", ".join(sorted(ran))))


if __name__ == "__main__":
    main()
