"""The Markdown report of a benchmark run (bench/results.md with `--record`)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bench.stages import STAGES

MB = 1024 * 1024
PLAN_LABELS = {
    "plan_100": "100 managed (config of 100 files)",
    "plan_0": "all N managed (N files), unchanged",
    "plan_1": "all N managed (N files), 1% changed",
}
TARGETS = {"plan": 1.25, "startup": 1.6, "rss": 3.0, "apply": 1.3}


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "n/a"


def _bm(stats: dict[str, float], digits: int = 3) -> str:
    """Best (median)."""
    return f"{stats['best']:.{digits}f} ({stats['median']:.{digits}f})"


def _ratios(ours: dict[str, float], floor: dict[str, float]) -> str:
    return f"{_ratio(ours['best'], floor['best'])} ({_ratio(ours['median'], floor['median'])})"


def _verdict(best: float, median: float, target: float) -> str:
    if best <= target and median <= target:
        return "met"
    if best <= target:
        return "met on the best run, missed on the median"
    return f"missed by {best / target - 1:.0%}"


def targets(results: list[dict[str, Any]], startup: dict[str, Any]) -> list[str]:
    """The summary: each target of issue 15 with its figure at the largest N."""
    r = max(results, key=lambda row: row["n"])
    n = f"{r['n']:,}"
    lines = [
        "## Targets (issue 15)",
        "",
        f"At N = {n} (the largest size of this run); best (median); met/missed on both.",
        "",
        "| target | figure | |",
        "|---|---|---|",
    ]
    for name, label in (("plan_100", f"1. plan, {r['managed']} managed of {n} on the server"),
                        ("plan_0", f"2. plan, {n} managed from {n} files, nothing cached")):
        p = r["plan"][name]
        best = p["plan"]["best"] / p["floor"]["best"]
        median = p["plan"]["median"] / p["floor"]["median"]
        lines.append(f"| {label} <= 1.25x floor | {p['plan']['best']:.2f} s / "
                     f"{p['floor']['best']:.2f} s = {best:.2f}x ({median:.2f}x) "
                     f"| {_verdict(best, median, TARGETS['plan'])} |")
    q = r["requests"]
    made = [q[name] for name in PLAN_LABELS]
    lists = [q[f"{name}_lists"] for name in PLAN_LABELS]
    ok = all(m == q["plan_min"] for m in made) and made == lists
    lines.append(f"| 3. requests at the minimum: two-ended listing, {q['plan_min']} list requests "
                 f"(single cursor: {q['floor']}) | plans: {', '.join(map(str, made))}, all list"
                 f"{'' if made == lists else ' (NOT all list requests)'}; plan + apply of "
                 f"{q['changes']}: {q['plan_apply_1']} / {q['plan_apply_1_min']} "
                 f"| {'met' if ok and q['plan_apply_1'] == q['plan_apply_1_min'] else 'missed'} |")
    s = r["rss"]
    ratio = s["plan_0"] / s["live_json"]
    lines.append(f"| 4. peak RSS < 3x live JSON, {n} managed | {s['plan_0'] / MB:.1f} MB / "
                 f"{s['live_json'] / MB:.1f} MB = {ratio:.2f}x (100 managed: "
                 f"{s['plan_100'] / MB:.1f} MB = {s['plan_100'] / s['live_json_100']:.2f}x) "
                 f"| {'met' if ratio < TARGETS['rss'] else 'missed'} |")
    best = startup["plan"]["best"] / startup["bare_imports"]["best"]
    median = startup["plan"]["median"] / startup["bare_imports"]["median"]
    clean = startup["plan_no_trio"]["best"] / startup["bare_imports"]["best"]
    lines.append(f"| 5. start-up <= 1.6x bare imports | {startup['plan']['best']:.3f} s / "
                 f"{startup['bare_imports']['best']:.3f} s = {best:.2f}x ({median:.2f}x); "
                 f"without trio {clean:.2f}x | {_verdict(best, median, TARGETS['startup'])} |")
    a = r["apply"]
    best, median = a["apply"]["best"] / a["floor"], a["apply"]["median"] / a["floor"]
    lines.append(f"| apply of {a['updates']} @ {a['concurrency']} <= 1.3x floor "
                 f"| {a['apply']['best']:.2f} s / {a['floor']:.2f} s = {best:.2f}x "
                 f"({median:.2f}x); bare httpx {a['bare']['best']:.2f} s, apply / bare "
                 f"{_ratio(a['apply']['best'], a['bare']['best'])} "
                 f"| {_verdict(best, median, TARGETS['apply'])} |")
    return lines


def render(results: list[dict[str, Any]], startup: dict[str, Any], info: dict[str, Any],
           args: argparse.Namespace) -> str:
    """The Markdown report; every section has a heading (the smoke test checks them)."""
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {info['nproc']} CPUs, {info['cpu']}, Python {info['python']}, "
        f"{info['platform']}, {info.get('stack', 'stack not recorded')}. Run {info['date']} at "
        f"commit {info['commit']}.",
        f"Server: `assistants serve --latency-ms {args.latency_ms} --log` on loopback (a "
        f"separate process); {args.reps} repetitions, alternating with the floor; best (median).",
        "Command: `python -m bench.run " + " ".join(info.get("argv", sys.argv[1:])) + "`",
        "",
        *targets(results, startup),
        "",
        "## Plan vs floor",
        "",
        "Plan = `python -m reconciler.cli plan DIR` (what the `assistants` script runs) as a "
        "whole process: start-up, imports, loading the YAML and prompt files, the two-ended "
        "listing, the plan, the text rendering. Floor = a bare httpx loop in this process "
        "listing every page of the same server with `limit=100&order=asc`, run just before each "
        "plan. Nothing is cached between runs (there is no cache). The 100-managed server holds "
        "the same N assistants, the other N - 100 carrying another owner's marker.",
        "",
        "| N | plan | floor (s) | plan (s) | plan / floor |",
        "|---:|---|---:|---:|---:|",
    ]
    for r in results:
        for name, label in PLAN_LABELS.items():
            p = r["plan"][name]
            lines.append(f"| {r['n']:,} | {label} | {_bm(p['floor'])} | {_bm(p['plan'])} "
                         f"| {_ratios(p['plan'], p['floor'])} |")
    lines += startup_section(startup)
    lines += [
        "",
        "## Apply vs floor",
        "",
        "Updates planned by `build_plan`, executed by `Applier` at the given concurrency (in "
        "process). Floor = ceil(updates / concurrency) x latency; bare = the same writes from a "
        "bare httpx loop at the same concurrency (what this server can do at all).",
        "",
        "| N | updates @ concurrency | floor (s) | apply (s) | ratio | bare httpx (s) | "
        "apply / bare |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        a = r["apply"]
        lines.append(
            f"| {r['n']:,} | {a['updates']} @ {a['concurrency']} | {a['floor']:.3f} "
            f"| {_bm(a['apply'])} | {_ratio(a['apply']['best'], a['floor'])} "
            f"| {_bm(a['bare'])} | {_ratio(a['apply']['best'], a['bare']['best'])} |")
    lines += [
        "",
        "## CPU per assistant",
        "",
        "In process, one process, nothing cached: `load_config` of the N files (CPU and wall) "
        "and `build_plan` (canonical form, matching, diff, hashes) of the unchanged config "
        "with the live assistants given, per assistant and in total. The load runs before the "
        "listing, so its wall time adds to the plan's.",
        "",
        "| N | load CPU (us) | load wall (us) | build_plan (us) | total CPU (us) "
        "| load wall, all N (s) | build_plan, all N (s) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        c = r["cpu"]
        lines.append(f"| {r['n']:,} | {c['load_us']:.0f} | {c['load_wall_us']:.0f} "
                     f"| {c['build_plan_us']:.0f} | {c['total_us']:.0f} "
                     f"| {c['load_wall_s']:.2f} | {c['build_plan_s']:.2f} |")
    lines += [
        "",
        "## Where a full load's CPU goes",
        "",
        "CPU per file, each stage timed alone over the same files (bench/stages.py, up to "
        "2,000 of them), best of 3. libyaml = PyYAML's C parser turning the text into events, "
        "without nodes, values or checks: the least any load on PyYAML spends. Ours = PyYAML's "
        "Python composer (so that the alias bound applies) and our values and checks. What the "
        "whole load adds beyond the other columns is resolving file references and variables "
        "and the desired assistant's digests.",
        "",
        "| N | " + " | ".join(label for _, label in STAGES) + " |",
        "|---:|" + "---:|" * len(STAGES),
    ]
    for r in results:
        cells = [f"{r['stages'][name]:.0f}" if name in r["stages"] else "n/a"
                 for name, _ in STAGES]
        lines.append(f"| {r['n']:,} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Peak RSS",
        "",
        "Peak RSS of `assistants plan` as a whole process (`getrusage(RUSAGE_CHILDREN)` in a "
        "small wrapper that starts it, bench/rss_child.py). Live JSON = bytes of all list pages "
        "of its server. One assistant = the one-assistant plan of the start-up section "
        f"({startup['rss']['plan'] / MB:.1f} MB; bare imports "
        f"{startup['rss']['bare_imports'] / MB:.1f} MB): interpreter, imports, a plan.",
        "",
        "| N | live JSON (MB) | plan, N managed (MB) | / live JSON | (peak - one assistant) / "
        "live JSON | plan, 100 managed (MB) | / its live JSON |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        s, base = r["rss"], startup["rss"]["plan"]
        lines.append(
            f"| {r['n']:,} | {s['live_json'] / MB:.1f} | {s['plan_0'] / MB:.1f} "
            f"| {_ratio(s['plan_0'], s['live_json'])} "
            f"| {_ratio(s['plan_0'] - base, s['live_json'])} | {s['plan_100'] / MB:.1f} "
            f"| {_ratio(s['plan_100'], s['live_json_100'])} |")
    lines += requests_section(results)
    return "\n".join(lines) + "\n"


def startup_section(startup: dict[str, Any]) -> list[str]:
    imports = startup["imports"]
    trio = imports["trio"]
    lines = [
        "",
        "## Start-up",
        "",
        "Whole processes, alternating, best (median) of "
        f"{startup['reps']}: the interpreter alone (`python -c pass`), the bare imports "
        "(`python -c \"import httpx, pydantic, yaml, click\"`), and `assistants plan` of one "
        "assistant against a loopback server without latency (one list request, no changes). "
        "Without trio = the same plan with a `trio` on PYTHONPATH whose import fails, as on a "
        "clean install (httpcore imports trio on its first request when it is installed; trio is "
        "none of our dependencies).",
        "",
        "| interpreter (s) | bare imports (s) | plan, 1 assistant (s) | plan / bare imports "
        "| plan without trio (s) | / bare imports |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {_bm(startup['interpreter'])} | {_bm(startup['bare_imports'])} "
        f"| {_bm(startup['plan'])} | {_ratios(startup['plan'], startup['bare_imports'])} "
        f"| {_bm(startup['plan_no_trio'])} "
        f"| {_ratios(startup['plan_no_trio'], startup['bare_imports'])} |",
        "",
        "Import time of the one-assistant plan (`python -X importtime`, each module's least "
        f"self time of 3 runs, which the instrumentation inflates): {imports['total_us'] / 1000:.0f}"
        f" ms in all, {startup['imports_no_trio_total_us'] / 1000:.0f} ms without trio; trio "
        f"{trio['cumulative_us'] / 1000:.0f} ms cumulative, imported by "
        f"`{trio['imported_by'] or 'nothing'}`. Top packages by self time (a package = the first "
        "part of a module's name; trio's own dependencies, such as attr, count apart):",
        "",
        "| package | self (ms) |",
        "|---|---:|",
    ]
    lines += [f"| {name} | {us / 1000:.1f} |" for name, us in imports["top"]]
    return lines


def requests_section(results: list[dict[str, Any]]) -> list[str]:
    lines = [
        "",
        "## Requests",
        "",
        "Made / minimum, as the server logged them for one whole-process plan. The minimum is "
        "the two-ended listing's (bench/listing.py `two_ended_requests`): ceil(N/100) + 1 at "
        "these sizes, one more than a single cursor, because the two ends must overlap. Plan + "
        "apply of the 1% change (in process, one client): that + changes. Apply bench: one "
        "request per update. Peer: ceil(N/100) + N.",
        "",
        "| N | single cursor (floor) | plan, 100 managed | plan, N managed | plan, 1% changed "
        "| all list requests | plan + apply 1% | apply | per-assistant GET peer |",
        "|---:|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for r in results:
        q = r["requests"]
        only_lists = all(q[name] == q[f"{name}_lists"] for name in PLAN_LABELS)
        lines.append(
            f"| {r['n']:,} | {q['floor']} | {q['plan_100']} / {q['plan_min']} "
            f"| {q['plan_0']} / {q['plan_min']} | {q['plan_1']} / {q['plan_min']} "
            f"| {'yes' if only_lists else 'NO'} "
            f"| {q['plan_apply_1']} / {q['plan_apply_1_min']} | {q['apply']} / {q['apply_min']} "
            f"| {q['peer']} / {q['peer_min']} |")
    lines += [
        "",
        "## Per-assistant GET peer",
        "",
        "List the ids, then GET every assistant with 10 in flight (what a Terraform provider's "
        "refresh does); network only, so a lower bound for that approach. Ratio = peer / our "
        "plan (all N managed, unchanged, best, whole process).",
        "",
        "| N | peer (s) | our plan (s) | time ratio | peer requests | our requests | "
        "request ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        p, q = r["peer"], r["requests"]
        ours = r["plan"]["plan_0"]["plan"]["best"]
        lines.append(
            f"| {r['n']:,} | {p['seconds']:.3f} | {ours:.3f} | {_ratio(p['seconds'], ours)} "
            f"| {p['requests']} | {q['plan_0']} | {_ratio(p['requests'], q['plan_0'])} |")
    return lines
