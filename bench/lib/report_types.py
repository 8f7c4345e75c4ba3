"""The data-type part of the benchmark report: RSS per element per scenario and
redis-benchmark ops/s per type command, ember beside Redis, with the issue's bars."""
import csv
import os
import statistics

BAR_TYPES_RSS = 0.7
BAR_TYPES_RPS = 1.5


def _rows(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return list(csv.DictReader(f))


def load(results_dir):
    memory = {}
    for r in _rows(os.path.join(results_dir, "types-memory.csv")):
        per = (int(r["rss_after"]) - int(r["rss_before"])) / int(r["elements"])
        memory.setdefault(r["scenario"], {})[r["server"]] = per
    runs = {}  # test -> server -> round -> ops/s
    for r in _rows(os.path.join(results_dir, "types-runs.csv")):
        runs.setdefault(r["test"], {}).setdefault(r["server"], {})[r["round"]] = float(r["rps"])
    rps = {}
    for test, d in runs.items():
        rps[test] = {server: statistics.median(v.values()) for server, v in d.items()}
        # The ratio is the median of the per-round ratios (a round's two runs are paired).
        e, r = d.get("ember", {}), d.get("redis", {})
        paired = [e[k] / r[k] for k in e if k in r and r[k]]
        if paired:
            rps[test]["ratio"] = statistics.median(paired)
    return memory, rps


def _ratio(d):
    if "ratio" in d:
        return d["ratio"]
    e, r = d.get("ember"), d.get("redis")
    return e / r if e is not None and r else None


def render(memory, rps):
    if not memory and not rps:
        return [], []
    lines, bars = [], []
    if memory:
        lines += ["", "| data type (RSS growth / element) | ember B | redis B | ratio |",
                  "|---|---:|---:|---:|"]
        for scenario, d in memory.items():
            ratio = _ratio(d)
            lines.append("| {} | {:.1f} | {:.1f} | {} |".format(
                scenario, d.get("ember", float("nan")), d.get("redis", float("nan")),
                "n/a" if ratio is None else f"{ratio:.2f}x"))
        ratios = [(s, _ratio(d)) for s, d in memory.items() if _ratio(d) is not None]
        bars.append({"bar": f"data-type RSS per element <= {BAR_TYPES_RSS}x Redis",
                     "pass": all(v <= BAR_TYPES_RSS for _, v in ratios) if ratios else None,
                     "detail": ", ".join(f"{s} {v:.2f}x" for s, v in ratios)})
    if rps:
        lines += ["", "| type command, P16 (median of rounds) | ember ops/s | redis ops/s | ratio |", "|---|---:|---:|---:|"]
        for test, d in rps.items():
            ratio = _ratio(d)
            lines.append("| {} | {:,.0f} | {:,.0f} | {} |".format(
                test, d.get("ember", 0), d.get("redis", 0),
                "n/a" if ratio is None else f"{ratio:.2f}x"))
        ratios = [(t, _ratio(d)) for t, d in rps.items() if _ratio(d) is not None]
        bars.append({"bar": f"data-type commands at P16 >= {BAR_TYPES_RPS}x Redis",
                     "pass": all(v >= BAR_TYPES_RPS for _, v in ratios) if ratios else None,
                     "detail": ", ".join(f"{t} {v:.2f}x" for t, v in ratios)})
    return lines, bars
