"""Issue 15's targets, side by side: `python -m bench.run` (see bench/README.md).

`assistants plan` is timed as a user runs it: `python -m reconciler.cli plan DIR`, a whole
process, start-up and imports included. First, once: start-up (a one-assistant plan against
`python -c "import httpx, pydantic, yaml, click"`, bench/startup.py). Then for each N: write the
config of N assistants and one of 100 of them, seed two servers (N live twins of which the
config manages all; the same N of which 100 are ours and the rest another team's), start
`assistants serve --latency-ms L --log` for each, and measure, in this order:
1. plan against the floor listing of its server, alternating, `--reps` times: 100 managed of N,
   N managed (nothing cached: there is no cache), N managed with 1% changed;
2. CPU per assistant of load_config and build_plan (and a cProfile with --profile), and where a
   full load's CPU goes, stage by stage (stages.py);
3. peak RSS of the plans as whole processes, against the bytes of all list pages;
4. requests of each plan (the server's log), and of plan + apply of the 1% change;
5. the per-assistant-GET peer at parallelism 10;
6. apply of `--updates` updates at `--concurrency` against ceil(updates/concurrency) x latency.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import measure, stages
from bench.kinds import BEGIN as KINDS_BEGIN
from bench.kinds import END as KINDS_END
from bench.listing import BEGIN as LISTING_BEGIN
from bench.listing import END as LISTING_END
from bench.listing import two_ended_requests
from bench.report import render
from bench.server import Server, stack
from bench.startup import bench_startup
from bench.workload import changed_indices, live_twins, seed_store, spread, write_config

HERE = Path(__file__).resolve().parent
MANAGED = 100  # the config of target 1: 100 files, N assistants on the server

SECTIONS = ("plan", "apply", "cpu", "stages", "rss", "requests", "peer")
PLANS = ("plan_100", "plan_0", "plan_1")  # 100 managed of N; N managed; N managed, 1% changed


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE,
                            capture_output=True, text=True).stdout.strip()
    return {"nproc": str(os.cpu_count()), "cpu": cpu, "python": platform.python_version(),
            "platform": platform.platform(), "commit": commit or "unknown", "stack": stack(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def _stats(values: list[float]) -> dict[str, Any]:
    return {"best": min(values), "median": statistics.median(values), "runs": values}


def _logged(log: Path, since: int) -> list[dict[str, Any]]:
    """The requests the server logged after its first `since` lines."""
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return [json.loads(line) for line in lines[since:]]


def _count(log: Path) -> int:
    return len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0


def bench_size(n: int, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    log = _log
    config_a = write_config(work / "config-unchanged", n)
    changed = changed_indices(n, args.changed_share)
    config_b = write_config(work / "config-changed", n, changed)
    managed = spread(n, min(MANAGED, n))
    config_s = write_config(work / "config-100", n, indices=managed)
    twins = live_twins(config_a)
    seed_store(work / "live.db", config_a, twins=twins)
    seed_store(work / "live-100.db", config_a, managed=managed, twins=twins)
    del twins
    log(f"N={n}: wrote {n} documents and prompts twice and {len(managed)} once, seeded "
        f"{n} live assistants twice ({len(managed)} of them ours in the second)")
    result: dict[str, Any] = {"n": n, "latency_ms": args.latency_ms, "managed": len(managed)}
    logs = {"all": work / "requests.jsonl", "100": work / "requests-100.jsonl"}
    with Server(work / "live.db", args.latency_ms, log_path=logs["all"]) as server, \
            Server(work / "live-100.db", args.latency_ms, log_path=logs["100"]) as server_s:
        runs = {  # plan: (its server, its log, its config)
            "plan_100": (server_s, logs["100"], config_s),
            "plan_0": (server, logs["all"], config_a),
            "plan_1": (server, logs["all"], config_b),
        }
        # Warm up: the page cache (config files, the interpreter), the servers.
        for srv, _, config in runs.values() if not args.once else ():
            asyncio.run(measure.floor_listing(srv))
            measure.run_process(measure.plan_command(config), measure.process_env(srv))

        floors: dict[str, list[float]] = {name: [] for name in runs}
        plans: dict[str, list[float]] = {name: [] for name in runs}
        logged: dict[str, list[dict[str, Any]]] = {}
        floor_of: dict[str, measure.Listing] = {}
        for rep in range(args.reps):
            for name, (srv, path, config) in runs.items():
                floor_of[name] = asyncio.run(measure.floor_listing(srv))
                floors[name].append(floor_of[name].seconds)
                mark = _count(path)
                plans[name].append(measure.run_process(measure.plan_command(config),
                                                       measure.process_env(srv)))
                logged[name] = _logged(path, mark)
            log(f"N={n} rep {rep + 1}: " + ", ".join(
                f"{name} {plans[name][-1]:.3f} s / floor {floors[name][-1]:.3f} s"
                for name in runs))
        result["plan"] = {
            **{name: {"floor": _stats(floors[name]), "plan": _stats(plans[name])}
               for name in runs},
            "changed": len(changed),
        }
        floor = floor_of["plan_0"]

        with_live = asyncio.run(measure.floor_listing(server, keep=True))
        live = with_live.objects
        cpu_runs = []
        for rep in range(max(1, args.cpu_reps)):
            profile = (HERE / "out" / f"profile-{n}.txt") if args.profile and rep == 0 else None
            if profile:
                profile.parent.mkdir(exist_ok=True)
            cpu_runs.append(measure.cpu_per_assistant(server, config_a, live, profile))
        del live, with_live
        result["cpu"] = _cpu_figures(cpu_runs, n)
        log(f"N={n}: CPU {result['cpu']}")
        result["stages"] = stages.load_stages(config_a)
        log(f"N={n}: load stages {result['stages']}")

        result["rss"] = {
            "live_json": floor.bytes,
            "plan_0": measure.peak_rss(measure.plan_command(config_a),
                                       measure.process_env(server)),
            "plan_100": measure.peak_rss(measure.plan_command(config_s),
                                         measure.process_env(server_s)),
            "live_json_100": floor_of["plan_100"].bytes,
        }
        log(f"N={n}: RSS {result['rss']}")

        peer = asyncio.run(measure.peer_per_get(server))
        result["peer"] = {"seconds": peer.seconds, "requests": peer.requests}
        log(f"N={n}: peer {peer.seconds:.3f} s, {peer.requests} requests")

        both = asyncio.run(measure.plan_and_apply(server, config_b))  # live now = config B
        minimum = two_ended_requests(n)
        result["requests"] = {
            "floor": floor.requests,
            "plan_min": minimum,
            **{name: len(logged[name]) for name in runs},
            **{f"{name}_lists": sum(1 for r in logged[name] if r["method"] == "GET"
                                    and r["path"] == "/v1/assistants") for name in runs},
            "plan_apply_1": both["requests"],
            "plan_apply_1_min": minimum + both["changes"],
            "changes": both["changes"],
            "peer": peer.requests,
            "peer_min": math.ceil(n / 100) + n,
        }

        updates = min(args.updates, n)
        applies = []
        for rep in range(args.reps):
            temperature = 0.9 if rep % 2 == 0 else 0.6
            applies.append(asyncio.run(measure.apply_once(server, config_b, updates,
                                                          args.concurrency, temperature)))
            log(f"N={n} apply rep {rep + 1}: {applies[-1].seconds:.3f} s "
                f"(bare httpx {applies[-1].bare_seconds:.3f} s)")
        result["apply"] = {
            "updates": updates,
            "concurrency": args.concurrency,
            "floor": math.ceil(updates / args.concurrency) * args.latency_ms / 1000,
            "apply": _stats([a.seconds for a in applies]),
            "bare": _stats([a.bare_seconds for a in applies]),
            "requests": applies[-1].requests,
            "requests_min": updates,
        }
        result["requests"]["apply"] = applies[-1].requests
        result["requests"]["apply_min"] = updates
    return result


def _cpu_figures(runs: list[dict[str, float]], n: int) -> dict[str, float]:
    best = min(runs, key=lambda r: r["load"] + r["build_plan"])
    return {
        "load_s": best["load"], "load_wall_s": best["load_wall"],
        "build_plan_s": best["build_plan"],
        "load_us": best["load"] / n * 1e6,
        "load_wall_us": best["load_wall"] / n * 1e6,
        "build_plan_us": best["build_plan"] / n * 1e6,
        "total_us": (best["load"] + best["build_plan"]) / n * 1e6,
    }


def _log(line: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {line}", file=sys.stderr, flush=True)


NOTES_BEGIN, NOTES_END = "<!-- notes: begin -->", "<!-- notes: end -->"


def kept_sections(path: Path) -> str:
    """The parts of `path` a record keeps: the notes written by hand, the two-ended listing's
    table (bench/listing.py) and the two kinds' section (bench/kinds.py), each between its
    markers."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    kept = []
    for begin, end in ((NOTES_BEGIN, NOTES_END), (LISTING_BEGIN, LISTING_END),
                       (KINDS_BEGIN, KINDS_END)):
        if begin in text and end in text:
            kept.append(begin + text.split(begin, 1)[1].split(end, 1)[0] + end + "\n")
    return "\n".join(kept)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000",
                        help="comma-separated N (default 1000,10000)")
    parser.add_argument("--reps", type=int, default=5, help="repetitions (default 5)")
    parser.add_argument("--startup-reps", type=int, default=20,
                        help="repetitions of the start-up comparison (default 20)")
    parser.add_argument("--cpu-reps", type=int, default=2,
                        help="repetitions of the in-process CPU measurement (default 2)")
    parser.add_argument("--latency-ms", type=int, default=20, help="server latency (default 20)")
    parser.add_argument("--changed-share", type=float, default=0.01,
                        help="share of assistants changed in the second plan (default 0.01)")
    parser.add_argument("--updates", type=int, default=500, help="updates applied (default 500)")
    parser.add_argument("--concurrency", type=int, default=16, help="apply concurrency (16)")
    parser.add_argument("--profile", action="store_true",
                        help="write a cProfile of load + build_plan to bench/out/profile-N.txt")
    parser.add_argument("--out", default=str(HERE / "out"),
                        help="directory for report.md and report.json (default bench/out)")
    parser.add_argument("--record", action="store_true",
                        help="also write the report to bench/results.md")
    parser.add_argument("--workdir", default=None, help="where to write configs and the db")
    parser.add_argument("--once", action="store_true",
                        help="run every process once: no untimed run before the timed ones, "
                        "one `-X importtime` run (a smoke run, whose timings nobody reads)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    info: dict[str, Any] = {**machine(), "argv": list(sys.argv[1:] if argv is None else argv)}
    if args.workdir:
        Path(args.workdir).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-startup-", dir=args.workdir) as tmp:
        startup = bench_startup(Path(tmp), args.startup_reps, warm_up=not args.once,
                                import_reps=1 if args.once else 3)
    _log(f"start-up: plan {startup['plan']['best']:.3f} s, bare imports "
         f"{startup['bare_imports']['best']:.3f} s")
    results = []
    for n in (int(s) for s in args.sizes.split(",") if s.strip()):
        with tempfile.TemporaryDirectory(prefix=f"bench-{n}-", dir=args.workdir) as tmp:
            results.append(bench_size(n, args, Path(tmp)))
    report = render(results, startup, info, args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    data = {"machine": info, "args": vars(args), "startup": startup, "results": results}
    (out / "report.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    (out / "report.md").write_text(report, encoding="utf-8")
    if args.record:
        kept = kept_sections(HERE / "results.md")
        (HERE / "results.md").write_text(report + (f"\n{kept}" if kept else ""),
                                         encoding="utf-8")
    print(report)
    return data


if __name__ == "__main__":
    main()
