"""Plan and apply against the network floor: `python -m bench.run` (see bench/README.md).

For each N: write a config of N assistants, seed the same N into a fresh store, start
`assistants serve --latency-ms L`, then measure, in this order:
1. plan (0% and 1% changed, with the load cache warm; 0% with it cold and off) against the floor
   listing, alternating, `--reps` times;
2. CPU per unchanged assistant of load_config + build_plan, load cache warm, cold, off (and a
   cProfile with --profile), and where a full load's CPU goes, stage by stage (stages.py);
3. peak RSS of a plan in a fresh process, against the bytes of all list pages;
4. requests of plan, and of plan + apply of the 1% change, against the minimum;
5. the per-assistant-GET peer at parallelism 10;
6. apply of `--updates` updates at `--concurrency` against ceil(updates/concurrency) x latency.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench import measure, stages
from bench.listing import BEGIN as LISTING_BEGIN
from bench.listing import END as LISTING_END
from bench.listing import two_ended_requests
from bench.report import render
from bench.server import Server
from bench.workload import changed_indices, seed_store, write_config

HERE = Path(__file__).resolve().parent

SECTIONS = ("plan", "apply", "cpu", "stages", "rss", "requests", "peer")


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": str(os.cpu_count()), "cpu": cpu, "python": platform.python_version(),
            "platform": platform.platform()}


def _stats(values: list[float]) -> dict[str, float]:
    return {"best": min(values), "median": statistics.median(values), "runs": values}


def bench_size(n: int, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    log = _log
    share = args.changed_share
    config_a = write_config(work / "config-unchanged", n)
    changed = changed_indices(n, share)
    config_b = write_config(work / "config-changed", n, changed)
    db = work / "live.db"
    # The load cache (reconciler/load_cache.py) as a team's runs find it: `warm` holds the
    # unchanged config's files (main's last run); a cold run starts from an empty one.
    caches = LoadCaches(work / "caches")
    with caches, caches.cold():  # seeding loads the config too: never into the user's cache
        seed_store(db, config_a)
    log(f"N={n}: wrote {n} documents and prompts twice, seeded {n} live assistants")
    result: dict[str, Any] = {"n": n, "latency_ms": args.latency_ms}
    with Server(db, args.latency_ms) as server, caches:
        # Warm up: connections, imports, the server's page cache, the warm load cache.
        asyncio.run(measure.floor_listing(server))
        asyncio.run(measure.plan_once(server, config_a))

        floors, plans0, cold0, off0, plans1 = [], [], [], [], []
        last0 = last1 = None
        for rep in range(args.reps):
            floors.append(asyncio.run(measure.floor_listing(server)))
            last0 = asyncio.run(measure.plan_once(server, config_a))
            plans0.append(last0)
            floors.append(asyncio.run(measure.floor_listing(server)))
            with caches.cold():
                cold0.append(asyncio.run(measure.plan_once(server, config_a)))
            floors.append(asyncio.run(measure.floor_listing(server)))
            with caches.off():
                off0.append(asyncio.run(measure.plan_once(server, config_a)))
            floors.append(asyncio.run(measure.floor_listing(server)))
            with caches.copy_of_warm():  # the 1% of files changed are not in it
                last1 = asyncio.run(measure.plan_once(server, config_b))
            plans1.append(last1)
            log(f"N={n} rep {rep + 1}: floor "
                f"{'/'.join(f'{f.seconds:.3f}' for f in floors[-4:])} s, plan 0% "
                f"{last0.seconds:.3f} s (cold cache {cold0[-1].seconds:.3f} s, no cache "
                f"{off0[-1].seconds:.3f} s), plan 1% {last1.seconds:.3f} s")
        assert last0 is not None and last1 is not None
        assert last0.summary["update"] == 0 and last1.summary["update"] == len(changed), (
            last0.summary, last1.summary)
        floor = floors[-1]
        result["plan"] = {
            "floor": _stats([f.seconds for f in floors]),
            "plan_0": _stats([p.seconds for p in plans0]),
            "plan_0_cold": _stats([p.seconds for p in cold0]),
            "plan_0_off": _stats([p.seconds for p in off0]),
            "plan_1": _stats([p.seconds for p in plans1]),
            "changed": len(changed),
        }

        import httpx

        with httpx.Client(base_url=server.base_url + "/", headers=server.headers) as http:
            live, after = [], None
            while True:
                params = {"limit": "100", "order": "asc", **({"after": after} if after else {})}
                page = http.get("assistants", params=params).json()
                live.extend(page["data"])
                if not page["has_more"]:
                    break
                after = page["last_id"]
        cpu_runs, cold_runs, off_runs = [], [], []
        for rep in range(max(1, args.reps)):
            profile = (HERE / "out" / f"profile-{n}.txt") if args.profile and rep == 0 else None
            if profile:
                profile.parent.mkdir(exist_ok=True)
            cpu_runs.append(measure.cpu_per_assistant(server, config_a, live, profile))
            with caches.cold():
                cold_runs.append(measure.cpu_per_assistant(server, config_a, live))
            with caches.off():
                off_runs.append(measure.cpu_per_assistant(server, config_a, live))
        del live
        result["cpu"] = {**_cpu_figures(cpu_runs, n),
                         "cold": _cpu_figures(cold_runs, n), "off": _cpu_figures(off_runs, n)}
        log(f"N={n}: CPU {result['cpu']}")
        result["stages"] = stages.load_stages(config_a)
        log(f"N={n}: load stages {result['stages']}")

        rss = measure.peak_rss(server, config_a)
        with caches.cold():
            rss_cold = measure.peak_rss(server, config_a)
        result["rss"] = {**rss, "live_json": floor.bytes,
                         "cold": {**rss_cold, "live_json": floor.bytes}}
        log(f"N={n}: RSS {rss}, cold {rss_cold}, live JSON {floor.bytes}")

        peer = asyncio.run(measure.peer_per_get(server))
        result["peer"] = {"seconds": peer.seconds, "requests": peer.requests}
        log(f"N={n}: peer {peer.seconds:.3f} s, {peer.requests} requests")

        both = asyncio.run(measure.plan_and_apply(server, config_b))  # live now = config B
        result["requests"] = {
            "floor": floor.requests,
            "plan_0": last0.requests,
            "plan_1": last1.requests,
            "plan_min": two_ended_requests(n),
            "plan_apply_1": both["requests"],
            "plan_apply_1_min": two_ended_requests(n) + both["changes"],
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


class LoadCaches:
    """The load cache each measurement runs with (ASSISTANTS_CACHE_DIR of this process and of
    the processes it starts): the warm one, unless inside `cold()`, `off()` or
    `copy_of_warm()`."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.warm = directory / "warm"
        self._saved: dict[str, str | None] = {}

    def __enter__(self) -> LoadCaches:
        for name in ("ASSISTANTS_CACHE_DIR", "ASSISTANTS_NO_CACHE"):
            self._saved[name] = os.environ.pop(name, None)
        os.environ["ASSISTANTS_CACHE_DIR"] = str(self.warm)
        return self

    def __exit__(self, *exc: object) -> None:
        for name, value in self._saved.items():
            os.environ.pop(name, None)
            if value is not None:
                os.environ[name] = value

    @contextlib.contextmanager
    def cold(self) -> Iterator[None]:
        """An empty cache (it gets written, as a first run's is)."""
        with self._using(self.directory / "cold"):
            yield

    @contextlib.contextmanager
    def off(self) -> Iterator[None]:
        """No load cache at all (ASSISTANTS_NO_CACHE=1)."""
        os.environ["ASSISTANTS_NO_CACHE"] = "1"
        try:
            yield
        finally:
            del os.environ["ASSISTANTS_NO_CACHE"]

    @contextlib.contextmanager
    def copy_of_warm(self) -> Iterator[None]:
        """The warm cache as it is now, left unchanged by what runs inside."""
        copy = self.directory / "copy"
        if self.warm.is_dir():  # the load cache is gone (issue 15): nothing writes it now
            shutil.copytree(self.warm, copy)
        with self._using(copy):
            yield

    @contextlib.contextmanager
    def _using(self, directory: Path) -> Iterator[None]:
        os.environ["ASSISTANTS_CACHE_DIR"] = str(directory)
        try:
            yield
        finally:
            os.environ["ASSISTANTS_CACHE_DIR"] = str(self.warm)
            shutil.rmtree(directory, ignore_errors=True)


def _cpu_figures(runs: list[dict[str, float]], n: int) -> dict[str, float]:
    best = min(runs, key=lambda r: r["load"] + r["build_plan"])
    return {
        "load_us": best["load"] / n * 1e6,
        "load_wall_us": best["load_wall"] / n * 1e6,
        "build_plan_us": best["build_plan"] / n * 1e6,
        "total_us": (best["load"] + best["build_plan"]) / n * 1e6,
    }


def _log(line: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {line}", file=sys.stderr, flush=True)


def _listing_section(path: Path) -> str:
    """The two-ended listing's table (bench/listing.py) in `path`, kept across a record."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if LISTING_BEGIN in text and LISTING_END in text:
        return LISTING_BEGIN + text.split(LISTING_BEGIN, 1)[1].split(LISTING_END, 1)[0] + \
            LISTING_END + "\n"
    return ""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000",
                        help="comma-separated N (default 1000,10000)")
    parser.add_argument("--reps", type=int, default=3, help="repetitions (default 3)")
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
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    info = machine()
    if args.workdir:
        Path(args.workdir).mkdir(parents=True, exist_ok=True)
    results = []
    for n in (int(s) for s in args.sizes.split(",") if s.strip()):
        with tempfile.TemporaryDirectory(prefix=f"bench-{n}-", dir=args.workdir) as tmp:
            results.append(bench_size(n, args, Path(tmp)))
    report = render(results, info, args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    data = {"machine": info, "args": vars(args), "results": results}
    (out / "report.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    (out / "report.md").write_text(report, encoding="utf-8")
    if args.record:
        kept = _listing_section(HERE / "results.md")
        (HERE / "results.md").write_text(report + (f"\n{kept}" if kept else ""),
                                         encoding="utf-8")
    print(report)
    return data


if __name__ == "__main__":
    main()
