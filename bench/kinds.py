"""Issue 24's bench: a plan over N agents and M assistants against the slower of its two
listings plus start-up. `python -m bench.kinds` (see bench/README.md).

    python -m bench.kinds --record          # 5,000 agents + 5,000 assistants at 40 ms, best of 3

One config of N `kind: agent` and M assistant documents (bench/mixed_workload.py), their live
twins seeded into one store, all ours and unchanged (the plan is all noops), served by
`assistants serve --latency-ms L --log`. Side by side, alternating `--reps` times: each
collection's listing alone in this process (our client's listing from both ends,
`list_all(kind=...)`, no start-up) and the single-cursor floor of each (a bare httpx loop), then
`python -m reconciler.cli plan DIR` as a whole process. Start-up is bench/startup.py's
one-assistant plan (no latency), measured first. Requests = the plan's, as the server logged
them, against what the two collections need from both ends (bench/listing.py
`two_ended_requests` of each). Where the plan's time goes: both listings at once on one client
and `make_plan` (both listings, records, build_plan), in this process with the config loaded,
and the load alone in a fresh process (bench/load_child.py), each rep beside the plan.

Target: plan <= max(agents' listing, assistants' listing) + start-up, and the plan's list
requests <= two_ended_requests(N) + two_ended_requests(M), every request a list request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.listing import record as record_between
from bench.listing import two_ended_requests
from bench.measure import (
    both_listings,
    floor_listing,
    make_plan_seconds,
    plan_command,
    process_env,
    run_context,
    run_process,
    two_ended_listing,
)
from bench.mixed_workload import seed_mixed, write_mixed_config
from bench.server import ROOT, Server, stack
from bench.startup import bench_startup

HERE = Path(__file__).resolve().parent
BEGIN, END = "<!-- kinds: begin -->", "<!-- kinds: end -->"
KINDS = ("agent", "assistant")
PATHS = {"agent": "/v1/agents", "assistant": "/v1/assistants"}


def _kind(name: str) -> Any:
    from assistants.kinds import kind_named

    return kind_named(name)


def _stats(values: list[float]) -> dict[str, Any]:
    return {"best": min(values), "median": statistics.median(values), "runs": values}


def _log_lines(log: Path) -> list[dict[str, Any]]:
    text = log.read_text(encoding="utf-8") if log.exists() else ""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def count_requests(entries: list[dict[str, Any]]) -> dict[str, int]:
    """The logged requests: in all, and the list requests (GET of the collection) by kind."""
    out = {"all": len(entries)}
    for name in KINDS:
        out[name] = sum(1 for e in entries if e["method"] == "GET" and e["path"] == PATHS[name])
    return out


def noop_plan_command(config: Path) -> list[str]:
    """`assistants plan DIR --detailed-exitcode`: a plan that finds a change exits 2, which
    stops the bench (run_process wants 0), so every plan timed was all noops."""
    return [*plan_command(config), "--detailed-exitcode"]


def one_rep(server: Server, config: Path, log: Path, state: Any) -> dict[str, Any]:
    """One round: each listing alone (both ends, then a single cursor), both listings at
    once, make_plan in process, the load in a fresh process, then the plan as a whole
    process."""
    out: dict[str, Any] = {}
    for name in KINDS:
        kind = _kind(name)
        out[f"listing_{name}"] = asyncio.run(two_ended_listing(server, kind))
        out[f"floor_{name}"] = asyncio.run(floor_listing(server, kind=kind))
    out["both"] = asyncio.run(both_listings(server, [_kind(name) for name in KINDS]))
    out["make_plan"], summary = asyncio.run(make_plan_seconds(server, state))
    assert summary["noop"] == len(state.desired) and summary["noop"] == sum(
        summary.values()), summary
    mark = len(_log_lines(log))
    out["load"] = load_seconds(config, server)
    out["plan"] = run_process(noop_plan_command(config), process_env(server))
    out["plan_requests"] = count_requests(_log_lines(log)[mark:])
    return out


def load(run: Any, paths: list[str]) -> Any:
    from reconciler.cli.session import load as session_load

    return session_load(run, paths)


def load_seconds(config: Path, server: Server) -> float:
    """Wall seconds of loading and resolving the config as a plan does, timed inside a fresh
    process of its own (bench/load_child.py)."""
    done = subprocess.run([sys.executable, "-m", "bench.load_child", str(config)],
                          env=process_env(server), capture_output=True, text=True, cwd=ROOT,
                          check=True)
    return float(json.loads(done.stdout)["load"])


def bench_kinds(agents: int, assistants: int, latency_ms: int, reps: int, work: Path, *,
                startup_reps: int = 5, once: bool = False) -> dict[str, Any]:
    config = write_mixed_config(work / "config", agents, assistants)
    seeded = seed_mixed(work / "live.db", config)
    assert seeded == {"agent": agents, "assistant": assistants}, seeded
    startup = bench_startup(work / "startup", startup_reps, warm_up=not once, import_reps=1)
    log = work / "requests.jsonl"
    runs: list[dict[str, Any]] = []
    with Server(work / "live.db", latency_ms, log_path=log) as server:
        state = load(run_context(server), [str(config)])[1]
        if not once:  # the page cache (config files, the interpreter), the server
            run_process(noop_plan_command(config), process_env(server))
        for _ in range(reps):
            runs.append(one_rep(server, config, log, state))
        del state
    return summarize(agents, assistants, latency_ms, runs, startup)


def summarize(agents: int, assistants: int, latency_ms: int, runs: list[dict[str, Any]],
              startup: dict[str, Any]) -> dict[str, Any]:
    sizes = {"agent": agents, "assistant": assistants}
    result: dict[str, Any] = {
        "agents": agents, "assistants": assistants, "latency_ms": latency_ms, "reps": len(runs),
        "plan": _stats([r["plan"] for r in runs]),
        "startup": {"plan_one": startup["plan"], "bare_imports": startup["bare_imports"],
                    "reps": startup["reps"]},
        "load": _stats([r["load"] for r in runs]),
    }
    for name in KINDS:
        result[f"listing_{name}"] = _stats([r[f"listing_{name}"].seconds for r in runs])
        result[f"floor_{name}"] = _stats([r[f"floor_{name}"].seconds for r in runs])
        last = runs[-1]
        result[f"listing_{name}_requests"] = last[f"listing_{name}"].requests
        result[f"listing_{name}_count"] = len(last[f"listing_{name}"].ids)
        result[f"floor_{name}_requests"] = last[f"floor_{name}"].requests
        result[f"min_{name}"] = two_ended_requests(sizes[name])
    result["both"] = _stats([r["both"].seconds for r in runs])
    result["both_requests"] = runs[-1]["both"].requests
    result["make_plan"] = _stats([r["make_plan"] for r in runs])
    bound = [max(r["listing_agent"].seconds, r["listing_assistant"].seconds) for r in runs]
    result["bound"] = {
        "best": min(bound) + startup["plan"]["best"],
        "median": statistics.median(bound) + startup["plan"]["median"],
    }
    result["requests"] = runs[-1]["plan_requests"]
    result["requests_min"] = result["min_agent"] + result["min_assistant"]
    return result


def met(result: dict[str, Any]) -> dict[str, bool]:
    q = result["requests"]
    lists = q["agent"] + q["assistant"]
    return {"time": result["plan"]["best"] <= result["bound"]["best"],
            "requests": lists == q["all"] and lists <= result["requests_min"]}


def _bm(stats: dict[str, Any]) -> str:
    return f"{stats['best']:.3f} ({stats['median']:.3f})"


def render(result: dict[str, Any]) -> str:
    """The Markdown section (between `BEGIN` and `END`, for bench/results.md)."""
    r, q, ok = result, result["requests"], met(result)
    plan, bound, startup = r["plan"], r["bound"], r["startup"]["plan_one"]
    lists = q["agent"] + q["assistant"]
    over = plan["best"] - bound["best"]
    lines = [
        BEGIN,
        f"## Two kinds: plan of {r['agents']:,} agents and {r['assistants']:,} assistants "
        "(issue 24)",
        "",
        f"`python -m bench.kinds --record`, at {r['latency_ms']} ms added latency "
        "(`assistants serve --latency-ms --log`, one process serving both collections), all "
        "documents ours and unchanged (the plan is all noops). Side by side, alternating, best "
        f"(median) of {r['reps']}: each collection's listing alone in this process (our "
        "client's listing from both ends, `list_all(kind=...)`; and the single-cursor floor, a "
        "bare httpx loop with `limit=100`), then `assistants plan DIR` as a whole process. "
        f"Start-up = bench/startup.py's one-assistant plan without latency, best (median) of "
        f"{r['startup']['reps']}: {_bm(startup)} s. Requests = what the server logged for one "
        f"plan; minimum = `two_ended_requests` of each collection. Stack: {stack()}.",
        "",
        "| | agents | assistants |",
        "|---|---:|---:|",
        f"| listing from both ends alone (s) | {_bm(r['listing_agent'])} "
        f"| {_bm(r['listing_assistant'])} |",
        f"| its requests (two-ended minimum) | {r['listing_agent_requests']} "
        f"({r['min_agent']}) | {r['listing_assistant_requests']} ({r['min_assistant']}) |",
        f"| single-cursor floor (s) | {_bm(r['floor_agent'])} | {_bm(r['floor_assistant'])} |",
        f"| its requests | {r['floor_agent_requests']} | {r['floor_assistant_requests']} |",
        f"| the plan's list requests | {q['agent']} | {q['assistant']} |",
        "",
        "| target | figure | |",
        "|---|---|---|",
        f"| plan <= max(listing alone) + start-up | {plan['best']:.3f} s / "
        f"{bound['best']:.3f} s = {plan['best'] / bound['best']:.2f}x "
        f"({plan['median'] / bound['median']:.2f}x) "
        f"| {'met' if ok['time'] else f'missed by {over:.2f} s'} |",
        f"| list requests <= both collections from both ends | {lists} / "
        f"{r['requests_min']}; {q['all']} requests in all "
        f"({'all list' if lists == q['all'] else 'NOT all list requests'}) "
        f"| {'met' if ok['requests'] else 'missed'} |",
        "",
        *decomposition(r),
        END,
    ]
    return "\n".join(lines) + "\n"


def decomposition(r: dict[str, Any]) -> list[str]:
    """Where the whole-process plan's time goes, from parts measured beside it."""
    plan, startup = r["plan"]["best"], r["startup"]["plan_one"]["best"]
    load, make_plan = r["load"]["best"], r["make_plan"]["best"]
    slower = max(r["listing_agent"]["best"], r["listing_assistant"]["best"])
    return [
        "",
        f"Where the plan's {plan:.3f} s go (best of each): start-up {startup:.3f} s; loading "
        f"and resolving the {r['agents'] + r['assistants']:,} documents {_bm(r['load'])} s (in "
        "a fresh process, bench/load_child.py; a plan loads its config before its first "
        "request, so that a bad config sends none); `make_plan` in this process with the "
        f"config loaded {_bm(r['make_plan'])} s (both listings concurrently, each page turned "
        "into records as it arrives, then build_plan). Their sum, "
        f"{startup + load + make_plan:.3f} s, is the plan's time to within what they share "
        "(the start-up's one-page plan also imports, lists and renders). Both listings at "
        f"once on one client, nothing else: {_bm(r['both'])} s for {r['both_requests']} "
        f"requests, against {slower:.3f} s for the slower alone.",
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.kinds", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=5000)
    parser.add_argument("--assistants", type=int, default=5000)
    parser.add_argument("--latency-ms", type=int, default=40)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--startup-reps", type=int, default=5)
    parser.add_argument("--once", action="store_true",
                        help="no warm-up runs, the config loaded once")
    parser.add_argument("--workdir", default=None, help="where the temporary files go")
    parser.add_argument("--out", default=str(HERE / "out"),
                        help="directory of kinds.md and kinds.json (default bench/out/)")
    parser.add_argument("--record", action="store_true",
                        help="also write the section into bench/results.md")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    if args.workdir:
        Path(args.workdir).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-kinds-", dir=args.workdir) as tmp:
        result = bench_kinds(args.agents, args.assistants, args.latency_ms, args.reps,
                             Path(tmp), startup_reps=args.startup_reps, once=args.once)
    section = render(result)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "kinds.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (out / "kinds.md").write_text(section, encoding="utf-8")
    if args.record:
        record_between(section, HERE / "results.md", BEGIN, END)
    print(section)
    return result


if __name__ == "__main__":
    main()
