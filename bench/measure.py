"""The measurements: each returns plain numbers, timed with `time.perf_counter` (wall) or
`time.process_time` (CPU of this process)."""

from __future__ import annotations

import asyncio
import cProfile
import dataclasses
import io
import json
import pstats
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.server import API_KEY, Server
from bench.workload import OWNER

PAGE = 100


@dataclasses.dataclass
class Listing:
    seconds: float
    requests: int
    bytes: int
    ids: list[str]


async def floor_listing(server: Server) -> Listing:
    """The floor: a bare httpx loop reading every page with `limit=100` (JSON parsed, since the
    cursor is in it), nothing else."""
    ids: list[str] = []
    requests = size = 0
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=server.base_url + "/", headers=server.headers,
                                 timeout=60) as http:
        after = None
        while True:
            params = {"limit": str(PAGE), "order": "asc"}
            if after:
                params["after"] = after
            response = await http.get("assistants", params=params)
            response.raise_for_status()
            requests += 1
            size += len(response.content)
            page = response.json()
            ids.extend(item["id"] for item in page["data"])
            if not page["has_more"]:
                break
            after = page["last_id"]
    return Listing(time.perf_counter() - started, requests, size, ids)


def run_context(server: Server):
    from reconciler.cli.context import RunContext

    return RunContext(endpoint=server.base_url, owner=None,
                      env={"OPENAI_API_KEY": API_KEY, "NO_COLOR": "1"})


@dataclasses.dataclass
class PlanRun:
    seconds: float
    requests: int
    summary: dict[str, int]


async def plan_once(server: Server, config_dir: Path) -> PlanRun:
    """What `assistants plan DIR` does, in process, through the same functions: make_plan (load
    the config, list the live assistants, build the plan), then render the text plan."""
    from reconciler.cli.session import load, make_plan, open_client
    from reconciler.report.render import render_text

    run = run_context(server)
    started = time.perf_counter()
    config, owner = load(run, [str(config_dir)])
    async with open_client(run) as client:
        plan = await make_plan(run, client, config, owner)
        render_text(plan, io.StringIO(), color=False)
        seconds = time.perf_counter() - started
        return PlanRun(seconds, client.stats["requests"], plan.summary)


async def plan_and_apply(server: Server, config_dir: Path) -> dict[str, int]:
    """Requests of a plan followed by the apply of its changes (one client, as `apply` does)."""
    from reconciler.apply.applier import Applier
    from reconciler.cli.session import load, make_plan, open_client

    run = run_context(server)
    config, owner = load(run, [str(config_dir)])
    async with open_client(run) as client:
        plan = await make_plan(run, client, config, owner)
        outcomes = await Applier(client, OWNER, concurrency=16).run(plan)
        assert all(o.ok for o in outcomes), [o.error for o in outcomes if not o.ok][:3]
        return {"requests": client.stats["requests"], "changes": len(plan.pending)}


async def peer_per_get(server: Server, parallel: int = 10) -> Listing:
    """The Terraform-provider way: list the ids, then GET every assistant, `parallel` in
    flight. Network only (no config loading, no diff): a lower bound for that approach."""
    started = time.perf_counter()
    listing = await floor_listing(server)
    gate = asyncio.Semaphore(parallel)
    size = listing.bytes
    async with httpx.AsyncClient(base_url=server.base_url + "/", headers=server.headers,
                                 timeout=60,
                                 limits=httpx.Limits(max_connections=parallel)) as http:

        async def get(assistant_id: str) -> int:
            async with gate:
                response = await http.get(f"assistants/{assistant_id}")
                response.raise_for_status()
                response.json()
                return len(response.content)

        sizes = await asyncio.gather(*(get(i) for i in listing.ids))
    size += sum(sizes)
    return Listing(time.perf_counter() - started, listing.requests + len(listing.ids), size,
                   listing.ids)


@dataclasses.dataclass
class ApplyRun:
    seconds: float
    requests: int
    updates: int
    bare_seconds: float  # the same writes from a bare httpx loop at the same concurrency


async def apply_once(server: Server, config_dir: Path, count: int, concurrency: int,
                     temperature: float) -> ApplyRun:
    """`count` updates (a new temperature on the first `count` assistants of the config) planned
    by build_plan and executed by Applier at `concurrency`; then the same bodies again, with
    the temperature 0.05 higher, from a bare httpx loop at the same concurrency (the empirical
    floor). Successive calls must pass temperatures at least 0.1 apart."""
    from reconciler.apply.applier import Applier
    from reconciler.cli.session import open_client
    from reconciler.config.loader import DesiredAssistant, load_config
    from reconciler.plan.build import build_plan

    config = load_config([str(config_dir)])
    changed = [DesiredAssistant(d.spec.model_copy(update={"temperature": temperature}), d.source)
               if i < count else d for i, d in enumerate(config.assistants)]
    config = dataclasses.replace(config, assistants=tuple(changed))
    client = open_client(run_context(server))
    async with client:
        live = await client.list_all()
        plan = build_plan(config, live, OWNER, endpoint=client.endpoint)
        assert len(plan.pending) == count, plan.summary
        before = client.stats["requests"]
        started = time.perf_counter()
        outcomes = await Applier(client, OWNER, concurrency=concurrency).run(plan)
        seconds = time.perf_counter() - started
        requests = client.stats["requests"] - before
    assert all(o.ok for o in outcomes), [o.error for o in outcomes if not o.ok][:3]

    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=server.base_url + "/", headers=server.headers,
                                 timeout=60) as http:

        async def post(change: Any) -> None:
            async with gate:
                body = {**change.body, "temperature": round(temperature + 0.05, 2)}
                response = await http.post(f"assistants/{change.id}", json=body)
                response.raise_for_status()
                response.json()

        started = time.perf_counter()
        await asyncio.gather(*(post(c) for c in plan.pending))
        bare = time.perf_counter() - started
    return ApplyRun(seconds, requests, len(plan.pending), bare)


def cpu_per_assistant(server: Server, config_dir: Path, live: list[dict[str, Any]],
                      profile_out: Path | None = None) -> dict[str, float]:
    """CPU seconds for load_config and build_plan (canonical form, matching, diff) on an
    unchanged config, no network (the live assistants are given), with the garbage collector
    paused as `make_plan` pauses it. A large load is shared with a child process
    (reconciler/load_share.py): its CPU is counted too, and the wall time of the load given."""
    from reconciler.config.loader import load_config
    from reconciler.plan.build import build_plan

    started, wall = _cpu_with_children(), time.perf_counter()
    config = load_config([str(config_dir)])
    loaded, load_wall = _cpu_with_children(), time.perf_counter() - wall
    plan = build_plan(config, live, OWNER, endpoint=server.base_url)
    built = _cpu_with_children()
    assert plan.summary["noop"] == len(live), plan.summary
    if profile_out is not None:
        profiler = cProfile.Profile()
        profiler.enable()
        build_plan(load_config([str(config_dir)]), live, OWNER, endpoint=server.base_url)
        profiler.disable()
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(40)
        profile_out.write_text(text.getvalue(), encoding="utf-8")
    return {"load": loaded - started, "build_plan": built - loaded, "load_wall": load_wall}


def _cpu_with_children() -> float:
    """CPU seconds of this process and of its children that have exited (the server is still
    running, so only a load's child counts)."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def peak_rss(server: Server, config_dir: Path) -> dict[str, int]:
    """Peak RSS of a fresh process that plans `config_dir` (bench/rss_child.py): `peak` and
    `baseline` (after the imports) from VmHWM, `ru_maxrss` as getrusage reports it."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.rss_child", server.base_url, str(config_dir)],
        check=True, capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent,
    )
    return json.loads(out.stdout)
