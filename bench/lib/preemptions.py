#!/usr/bin/env python3
"""Reads `perf script -F time,trace` output of sched:sched_switch events recorded on the
server's core and prints every span longer than --min-ms during which the server was runnable
but off the core (switched out in state R), with the tasks that ran meanwhile: it tells a
server's own stall from a core taken by someone else."""
import argparse
import re
import sys

SWITCH = re.compile(r"^\s*([\d.]+):\s.*prev_comm=(.*?) prev_pid=(\d+) .*prev_state=(\S+) ==> "
                    r"next_comm=(.*?) next_pid=(\d+)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("comm", help="the server threads' name as the scheduler sees it")
    ap.add_argument("--min-ms", type=float, default=0.5)
    args = ap.parse_args()
    out_at = None
    ran = {}
    spans = []
    for line in sys.stdin:
        m = SWITCH.search(line)
        if not m:
            continue
        t = float(m.group(1))
        prev_comm, prev_state, next_comm = m.group(2), m.group(4), m.group(5)
        if prev_comm == args.comm and prev_state.startswith("R"):
            out_at, ran = t, {}
        if out_at is None:
            continue
        if next_comm == args.comm:
            spans.append(((t - out_at) * 1000, ran))
            out_at = None
        else:
            ran[next_comm] = ran.get(next_comm, 0) + 1
    long_spans = sorted((s for s in spans if s[0] >= args.min_ms), key=lambda s: -s[0])
    print("server preempted %d times; %d for %.1f ms or more; longest:" % (
        len(spans), len(long_spans), args.min_ms))
    for ms, ran in long_spans[:15]:
        print("  %.2f ms, the core ran: %s" % (ms, ", ".join(sorted(ran))))


if __name__ == "__main__":
    main()
