#!/usr/bin/env python3
"""Turns the raw results of bench/compare.sh into markdown tables and bars.

    report.py RESULTS_DIR [--title TEXT]

Reads RESULTS_DIR/runs.csv (one row per redis-benchmark run) and
RESULTS_DIR/memory.csv (one row per load), prints the markdown report to
stdout, and writes it to RESULTS_DIR/report.md plus the medians, ratios and
bar outcomes to RESULTS_DIR/summary.json. Stdlib only.

Per workload: medians over rounds for each server, and the median over rounds
of the per-round ratio ember/redis (the two servers of a round are paired).
"""
import argparse
import csv
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report_types  # noqa: E402

A, B = "ember", "redis"

# Bars from the issue: (key, description, threshold, direction).
BAR_THROUGHPUT_P16 = 1.5  # ember ops/s >= 1.5x redis at pipeline 16
BAR_CPU_P1 = 0.7  # ember CPU/request <= 0.7x redis at pipeline 1
BAR_RSS = 0.6  # ember RSS bytes/key <= 0.6x redis


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def ratio(a, b):
    return a / b if a is not None and b else None


def load_runs(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["round"] = int(r["round"])
        r["pipeline"] = int(r["pipeline"])
        r["requests"] = int(r["requests"])
        for k in ("rps", "p50_ms", "p99_ms", "wall_s"):
            r[k] = float(r[k])
        ticks, hz = int(r["cpu_ticks"]), int(r["clk_tck"])
        r["cpu_us_per_req"] = ticks / hz * 1e6 / r["requests"]
        # CPU share of core 0 used by the *idle* server while this one ran.
        idle = int(r.get("idle_other_ticks") or 0)
        r["idle_other_share"] = idle / hz / max(r["wall_s"], 1e-9) if idle > 5 else 0.0
        # CPU share of core 0 taken by anything else (a build, another job): noise.
        foreign = int(r.get("foreign_core0_ticks") or 0)
        # Ignore up to 10 ticks: tick-granular accounting jitters by a few.
        r["foreign_share"] = foreign / hz / max(r["wall_s"], 1e-9) if foreign > 10 else 0.0
    return rows


def summarize_runs(rows):
    order = []
    for r in rows:
        if r["workload"] not in order:
            order.append(r["workload"])
    out = []
    for wl in order:
        mine = [r for r in rows if r["workload"] == wl]
        by = {s: [r for r in mine if r["server"] == s] for s in (A, B)}
        rounds = sorted({r["round"] for r in mine})
        pair = {}
        for rd in rounds:
            a = [r for r in by[A] if r["round"] == rd]
            b = [r for r in by[B] if r["round"] == rd]
            if a and b:
                pair[rd] = (a[0], b[0])
        entry = {"workload": wl, "pipeline": mine[0]["pipeline"],
                 "command": mine[0]["command"], "rounds": len(pair)}
        for s in (A, B):
            for k in ("rps", "cpu_us_per_req", "p50_ms", "p99_ms"):
                entry[f"{s}_{k}"] = median(r[k] for r in by[s])
        entry["rps_ratio"] = median(ratio(a["rps"], b["rps"]) for a, b in pair.values())
        entry["cpu_ratio"] = median(
            ratio(a["cpu_us_per_req"], b["cpu_us_per_req"]) for a, b in pair.values())
        entry["rps_ratio_per_round"] = [ratio(a["rps"], b["rps"]) for a, b in pair.values()]
        entry["max_idle_other_share"] = max(r["idle_other_share"] for r in mine)
        entry["max_foreign_share"] = max(r["foreign_share"] for r in mine)
        out.append(entry)
    return out


def load_memory(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    out = []
    for variant in dict.fromkeys(r["variant"] for r in rows):
        e = {"variant": variant}
        for s in (A, B):
            r = [x for x in rows if x["variant"] == variant and x["server"] == s]
            if r:
                r = r[-1]
                e["keys"] = int(r["keys"])
                e[f"{s}_bytes_per_key"] = (float(r["rss_after"]) - float(r["rss_before"])) / int(r["keys"])
            else:
                e[f"{s}_bytes_per_key"] = None
        e["ratio"] = ratio(e[f"{A}_bytes_per_key"], e[f"{B}_bytes_per_key"])
        out.append(e)
    return out


def fmt(x, spec):
    return "n/a" if x is None else format(x, spec)


def fmt_ratio(x):
    return "n/a" if x is None else f"{x:.2f}x"


ABSOLUTE_RSS = {"plain": 50.0, "ttl": 54.0}


def absolute_bar(name, values):
    vals = [(k, v, limit) for k, v, limit in values if v is not None]
    if not vals:
        return {"bar": name, "pass": None, "worst": None, "detail": "no data"}
    ok = all(v <= limit for _, v, limit in vals)
    detail = ", ".join(f"{k} {v:.1f} B" for k, v, _ in vals)
    return {"bar": name, "pass": ok, "worst": None, "limit": None, "detail": detail}


def bars(runs, memory):
    def bar(name, values, limit, at_least):
        vals = [(k, v) for k, v in values if v is not None]
        if not vals:
            return {"bar": name, "pass": None, "worst": None, "detail": "no data"}
        worst = min(v for _, v in vals) if at_least else max(v for _, v in vals)
        ok = worst >= limit if at_least else worst <= limit
        detail = ", ".join(f"{k} {v:.2f}x" for k, v in vals)
        return {"bar": name, "pass": ok, "worst": worst, "limit": limit, "detail": detail}

    return [
        bar(f"throughput at pipeline 16 >= {BAR_THROUGHPUT_P16}x Redis (every P16 workload)",
            [(r["workload"], r["rps_ratio"]) for r in runs if r["pipeline"] == 16],
            BAR_THROUGHPUT_P16, True),
        bar(f"server CPU per request at pipeline 1 <= {BAR_CPU_P1}x Redis (every P1 workload)",
            [(r["workload"], r["cpu_ratio"]) for r in runs if r["pipeline"] == 1],
            BAR_CPU_P1, False),
        bar(f"RSS bytes per key <= {BAR_RSS}x Redis (16-byte values, plain and with TTL)",
            [(m["variant"], m["ratio"]) for m in memory if m["variant"] in ABSOLUTE_RSS],
            BAR_RSS, False),
        absolute_bar("RSS bytes per key <= 50 without TTL, <= 54 with (16-byte values)",
                     [(m["variant"], m.get(f"{A}_bytes_per_key"), limit) for m in memory
                      for limit in [ABSOLUTE_RSS.get(m["variant"])] if limit is not None]),
    ]


def render(runs, memory, bar_results, title):
    lines = [title, ""] if title else []
    if runs:
        lines += ["| workload | ember ops/s | redis ops/s | ratio | ember µs CPU/req "
                  "| redis µs CPU/req | ratio | ember p50/p99 ms | redis p50/p99 ms |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in runs:
        lines.append("| {} | {} | {} | {} | {} | {} | {} | {}/{} | {}/{} |".format(
            r["workload"], fmt(r["ember_rps"], ",.0f"), fmt(r["redis_rps"], ",.0f"),
            fmt_ratio(r["rps_ratio"]), fmt(r["ember_cpu_us_per_req"], ".2f"),
            fmt(r["redis_cpu_us_per_req"], ".2f"), fmt_ratio(r["cpu_ratio"]),
            fmt(r["ember_p50_ms"], ".3f"), fmt(r["ember_p99_ms"], ".3f"),
            fmt(r["redis_p50_ms"], ".3f"), fmt(r["redis_p99_ms"], ".3f")))
    if memory:
        if runs:
            lines.append("")
        lines += ["| memory (RSS growth / key) | keys | ember B/key | redis B/key | ratio |",
                  "|---|---:|---:|---:|---:|"]
        for m in memory:
            lines.append("| {} | {:,} | {} | {} | {} |".format(
                m["variant"], m["keys"], fmt(m["ember_bytes_per_key"], ".1f"),
                fmt(m["redis_bytes_per_key"], ".1f"), fmt_ratio(m["ratio"])))
    noisy = [r["workload"] for r in runs if r["max_idle_other_share"] > 0.05]
    if noisy:
        lines += ["", "Note: the idle server used >5% of core 0 while the other was measured in: "
                  + ", ".join(noisy) + " (see idle_other_ticks in runs.csv)."]
    disturbed = [f'{r["workload"]} ({r["max_foreign_share"]:.0%})'
                 for r in runs if r["max_foreign_share"] > 0.05]
    if disturbed:
        lines += ["", "Note: other processes took >5% of core 0 during some runs of: "
                  + ", ".join(disturbed) + "; those ratios are noisy, rerun on an idle machine."]
    spreads = [(max(x) / min(x), r["workload"]) for r in runs
               if len(x := [v for v in r["rps_ratio_per_round"] if v]) > 1]
    if spreads:
        worst, wl = max(spreads)
        lines += ["", f"Per-round ops/s ratios vary by up to {worst - 1:.0%} (max/min across rounds; widest: {wl})."]
    lines += ["", "Bars:"]
    for b in bar_results:
        tag = {True: "PASS", False: "FAIL", None: "N/A "}[b["pass"]]
        lines.append(f"- [{tag}] {b['bar']}: {b['detail']}")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results_dir")
    ap.add_argument("--title", default="")
    args = ap.parse_args()

    runs = summarize_runs(load_runs(os.path.join(args.results_dir, "runs.csv")))
    memory = load_memory(os.path.join(args.results_dir, "memory.csv"))
    bar_results = bars(runs, memory)
    type_lines, type_bars = report_types.render(*report_types.load(args.results_dir))
    bar_results += type_bars
    text = render(runs, memory, bar_results, args.title)
    if type_lines:
        text += "\n".join(type_lines) + "\n"
        for b in type_bars:
            mark = "N/A " if b["pass"] is None else ("PASS" if b["pass"] else "FAIL")
            text += f"- [{mark}] {b['bar']}: {b['detail']}\n"
    sys.stdout.write(text)
    with open(os.path.join(args.results_dir, "report.md"), "w") as f:
        f.write(text)
    with open(os.path.join(args.results_dir, "summary.json"), "w") as f:
        json.dump({"workloads": runs, "memory": memory, "bars": bar_results}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
