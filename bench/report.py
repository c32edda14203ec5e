"""The Markdown report of a benchmark run (bench/results.md with `--record`)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bench.stages import STAGES


def _row(n: int, cells: list[str]) -> str:
    """A table row: N, then the cells."""
    return f"| {n:,} | " + " | ".join(cells) + " |"


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "n/a"


def render(results: list[dict[str, Any]], info: dict[str, str], args: argparse.Namespace) -> str:
    """The Markdown report; every section has a heading (the smoke test checks them)."""
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {info['nproc']} CPUs, {info['cpu']}, Python {info['python']}, "
        f"{info['platform']}.",
        f"Server: `assistants serve --latency-ms {args.latency_ms}` on loopback (a separate "
        f"process); {args.reps} repetitions, alternating with the floor; best (median).",
        "Command: `python -m bench.run " + " ".join(sys.argv[1:]) + "`",
        "",
        "## Plan vs floor",
        "",
        "Plan = `make_plan` (load the YAML + prompt files, list, build the plan) + rendering the "
        "text plan, in process, exactly what `assistants plan DIR` runs. Floor = a bare httpx "
        "loop listing the same assistants with `limit=100`. Target: plan <= 1.25x floor. "
        "Load cache (reconciler/load_cache.py): warm = it holds the unchanged config's files, as "
        "after any earlier run; the 1%-changed plan starts from that cache too (its changed "
        "files are loaded in full); cold = an empty cache, as a first run or a CI job that "
        "does not keep it (it is written); none = `ASSISTANTS_NO_CACHE=1`.",
        "",
        "| N | floor (s) | plan, 0% changed, warm (s) | ratio | plan, 1% changed, warm (s) "
        "| ratio | plan, 0% changed, cold (s) | ratio | plan, 0% changed, none (s) | ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        p = r["plan"]
        cells = [f"{p['floor']['best']:.3f} ({p['floor']['median']:.3f})"]
        for name in ("plan_0", "plan_1", "plan_0_cold", "plan_0_off"):
            cells += [f"{p[name]['best']:.3f} ({p[name]['median']:.3f})",
                      f"{_ratio(p[name]['best'], p['floor']['best'])} "
                      f"({_ratio(p[name]['median'], p['floor']['median'])})"]
        lines.append(_row(r["n"], cells))
    lines += [
        "",
        "## Apply vs floor",
        "",
        "Updates planned by `build_plan`, executed by `Applier` at the given concurrency. Floor = "
        "ceil(updates / concurrency) x latency; bare = the same writes from a bare httpx loop at "
        "the same concurrency (what this server can do at all). Target: apply <= 1.3x floor.",
        "",
        "| N | updates @ concurrency | floor (s) | apply (s) | ratio | bare httpx (s) | "
        "apply / bare |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        a = r["apply"]
        lines.append(
            f"| {r['n']:,} | {a['updates']} @ {a['concurrency']} | {a['floor']:.3f} "
            f"| {a['apply']['best']:.3f} ({a['apply']['median']:.3f}) "
            f"| {_ratio(a['apply']['best'], a['floor'])} "
            f"| {a['bare']['best']:.3f} ({a['bare']['median']:.3f}) "
            f"| {_ratio(a['apply']['best'], a['bare']['best'])} |")
    lines += [
        "",
        "## CPU per unchanged assistant",
        "",
        "CPU time (`time.process_time`, plus the child a large load is shared with, see "
        "reconciler/load_share.py) for `load_config` and `build_plan` (canonical form, matching, "
        "diff, hashes) on an unchanged config, live data given, per assistant, garbage "
        "collector paused as in `make_plan`; and the wall time of the load, which the child "
        "shortens. With the load cache warm, cold (empty, then written) and none. "
        "Target: under 200 us.",
        "",
        "| N | cache | load CPU (us) | load wall (us) | build_plan (us) | total CPU (us) |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for r in results:
        for label, c in (("warm", r["cpu"]), ("cold", r["cpu"]["cold"]),
                         ("none", r["cpu"]["off"])):
            lines.append(f"| {r['n']:,} | {label} | {c['load_us']:.0f} "
                         f"| {c['load_wall_us']:.0f} | {c['build_plan_us']:.0f} "
                         f"| {c['total_us']:.0f} |")
    lines += [
        "",
        "## Where a full load's CPU goes",
        "",
        "CPU per file of loading it in full (no load cache, one process), each stage timed "
        "alone over the same files (bench/stages.py, up to 2,000 of them), best of 3. libyaml = "
        "PyYAML's C parser turning the text into events, without nodes, values or checks: the "
        "least any load on PyYAML spends. What the whole load adds beyond the other columns "
        "is resolving file references, the digests and the compact form.",
        "",
        "| N | " + " | ".join(label for _, label in STAGES) + " |",
        "|---:|" + "---:|" * len(STAGES),
    ]
    for r in results:
        cells = [f"{r['stages'][name]:.0f}" if name in r["stages"] else "n/a"
                 for name, _ in STAGES]
        lines.append(_row(r["n"], cells))
    lines += [
        "",
        "## Peak RSS",
        "",
        "Peak RSS (VmHWM; `ru_maxrss` survives execve on Linux, so it would show the harness's "
        "own peak) of a fresh process running one plan (bench/rss_child.py); baseline = the "
        "same after imports only. Live JSON = bytes of all list pages. Target: peak < 3x live "
        "JSON. Load child = the peak of the process a large load is shared with (none when the "
        "load cache serves it); it was forked from the plan's process, so part of it is pages "
        "the two share.",
        "",
        "| N | cache | live JSON (MB) | baseline (MB) | peak (MB) | peak / live JSON | "
        "(peak - baseline) / live JSON | load child peak (MB) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    mb = 1024 * 1024
    for r in results:
        for label, s in (("warm", r["rss"]), ("cold", r["rss"]["cold"])):
            lines.append(
                f"| {r['n']:,} | {label} | {s['live_json'] / mb:.1f} | {s['baseline'] / mb:.1f} "
                f"| {s['peak'] / mb:.1f} | {_ratio(s['peak'], s['live_json'])} "
                f"| {_ratio(s['peak'] - s['baseline'], s['live_json'])} "
                f"| {s.get('child_peak', 0) / mb:.1f} |")
    lines += [
        "",
        "## Requests",
        "",
        "Made / minimum. Plan: the pages of a listing from both ends (ceil(N/100), plus at most "
        "two: the ends must overlap; bench/listing.py). Plan + apply of the 1% change: "
        "that + changes. Apply bench: one request per update. Peer: ceil(N/100) + N.",
        "",
        "| N | plan 0% | plan 1% | plan + apply 1% | apply | per-assistant GET peer |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        q = r["requests"]
        lines.append(
            f"| {r['n']:,} | {q['plan_0']} / {q['plan_min']} | {q['plan_1']} / {q['plan_min']} "
            f"| {q['plan_apply_1']} / {q['plan_apply_1_min']} | {q['apply']} / {q['apply_min']} "
            f"| {q['peer']} / {q['peer_min']} |")
    lines += [
        "",
        "## Per-assistant GET peer",
        "",
        "List the ids, then GET every assistant with 10 in flight (what a Terraform provider's "
        "refresh does); network only, so a lower bound for that approach. Ratio = peer / our "
        "plan (0% changed, best).",
        "",
        "| N | peer (s) | our plan (s) | time ratio | peer requests | our requests | "
        "request ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        p, q = r["peer"], r["requests"]
        ours = r["plan"]["plan_0"]["best"]
        lines.append(
            f"| {r['n']:,} | {p['seconds']:.3f} | {ours:.3f} | {_ratio(p['seconds'], ours)} "
            f"| {p['requests']} | {q['plan_0']} | {_ratio(p['requests'], q['plan_0'])} |")
    return "\n".join(lines) + "\n"
