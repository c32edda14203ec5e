"""The measurements: each returns plain numbers, timed with `time.perf_counter` (wall) or
`time.process_time` (CPU of this process). A plan is timed as a user runs it:
`python -m reconciler.cli plan DIR` (what the `assistants` console script runs), a whole process,
start-up and imports included."""

from __future__ import annotations

import asyncio
import cProfile
import dataclasses
import io
import json
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from assistants.kinds import Kind
from bench.server import API_KEY, ROOT, Server
from bench.workload import OWNER

PAGE = 100


@dataclasses.dataclass
class Listing:
    seconds: float
    requests: int
    bytes: int
    ids: list[str]
    objects: list[dict[str, Any]] = dataclasses.field(default_factory=list)


async def floor_listing(server: Server, keep: bool = False, *,
                        kind: Kind | None = None) -> Listing:
    """The floor: a bare httpx loop reading every page of `kind`'s collection (assistants by
    default) with `limit=100&order=asc` (JSON parsed, since the cursor is in it), nothing
    else; the objects are kept with `keep`."""
    ids: list[str] = []
    objects: list[dict[str, Any]] = []
    requests = size = 0
    path = kind.path if kind is not None else "assistants"
    headers = {**server.headers, **({"OpenAI-Beta": kind.beta} if kind is not None else {})}
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=server.base_url + "/", headers=headers,
                                 timeout=60) as http:
        after = None
        while True:
            params = {"limit": str(PAGE), "order": "asc"}
            if after:
                params["after"] = after
            response = await http.get(path, params=params)
            response.raise_for_status()
            requests += 1
            size += len(response.content)
            page = response.json()
            ids.extend(item["id"] for item in page["data"])
            if keep:
                objects.extend(page["data"])
            if not page["has_more"]:
                break
            after = page["last_id"]
    return Listing(time.perf_counter() - started, requests, size, ids, objects)


async def two_ended_listing(server: Server, kind: Kind) -> Listing:
    """`kind`'s collection alone, read as a plan reads it: our client's listing from both ends
    (`AssistantsClient.list_all(kind=...)`, no start-up), timed from the first request to the
    last page; `requests` as the client counted them."""
    from reconciler.cli.session import open_client

    async with open_client(run_context(server)) as client:
        started = time.perf_counter()
        items = await client.list_all(kind=kind)
        seconds = time.perf_counter() - started
        requests = client.stats["requests"]
    return Listing(seconds, requests, 0, [str(item["id"]) for item in items])


async def both_listings(server: Server, kinds: list[Kind]) -> Listing:
    """Every kind's collection at once on one client, as a plan reads them (each from both
    ends, concurrently), nothing else: the network part of a plan of several kinds."""
    from reconciler.cli.session import open_client

    async with open_client(run_context(server)) as client:
        started = time.perf_counter()
        found = await asyncio.gather(*(client.list_all(kind=kind) for kind in kinds))
        seconds = time.perf_counter() - started
        requests = client.stats["requests"]
    return Listing(seconds, requests, 0, [str(item["id"]) for items in found for item in items])


async def make_plan_seconds(server: Server, state: Any) -> tuple[float, dict[str, int]]:
    """Wall seconds of `make_plan` for a loaded, resolved config (`session.load`): the
    listings of its kinds, concurrently, each page turned into records as it arrives, and
    build_plan; and the plan's summary."""
    from reconciler.cli.session import make_plan, open_client

    run = run_context(server)
    async with open_client(run) as client:
        started = time.perf_counter()
        plan = await make_plan(run, client, state)
        seconds = time.perf_counter() - started
    return seconds, dict(plan.summary)


def run_context(server: Server):
    from reconciler.cli.context import RunContext

    return RunContext(endpoint=server.base_url, owner=None,
                      env={"OPENAI_API_KEY": API_KEY, "NO_COLOR": "1"})


def process_env(server: Server | None = None, pythonpath: str | None = None) -> dict[str, str]:
    """The environment of a measured process: this checkout's code first on PYTHONPATH (never an
    installed copy), the server's endpoint and a key, nothing that selects an owner or env."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PORTKEY_API_KEY", "ASSISTANTS_OWNER", "ASSISTANTS_ENV")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (pythonpath, str(ROOT)) if p)
    env["NO_COLOR"] = "1"
    if server is not None:
        env.update(OPENAI_API_KEY=API_KEY, ASSISTANTS_ENDPOINT=server.base_url)
    return env


def plan_command(config_dir: Path) -> list[str]:
    """`assistants plan DIR`, as the console script runs it."""
    return [sys.executable, "-m", "reconciler.cli", "plan", str(config_dir)]


def run_process(command: list[str], env: dict[str, str]) -> float:
    """Wall seconds of `command` as a whole process (it must exit 0; its output is read)."""
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{command[1:]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return seconds


def peak_rss(command: list[str], env: dict[str, str]) -> int:
    """Peak RSS in bytes of `command` as a whole process, started by a small wrapper
    (bench/rss_child.py: a child of this process would inherit its high-water mark)."""
    out = subprocess.run([sys.executable, "-m", "bench.rss_child", *command], env=env,
                         check=True, capture_output=True, text=True, cwd=ROOT)
    return int(json.loads(out.stdout)["peak"])


async def plan_and_apply(server: Server, config_dir: Path) -> dict[str, int]:
    """Requests of a plan followed by the apply of its changes (one client, as `apply` does)."""
    from reconciler.apply.applier import Applier
    from reconciler.cli.session import load, make_plan, open_client

    run = run_context(server)
    _, state = load(run, [str(config_dir)])
    async with open_client(run) as client:
        plan = await make_plan(run, client, state)
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
    from assistants.kinds.assistant import ASSISTANT
    from reconciler.apply.applier import Applier
    from reconciler.cli.session import open_client
    from reconciler.config.loader import load_config
    from reconciler.config.resolved import Document
    from reconciler.plan.build import build_plan
    from reconciler.plan.live import LiveRecord

    config = load_config([str(config_dir)])
    changed = [Document(d.spec.model_copy(update={"temperature": temperature}), d.source)
               if i < count else d for i, d in enumerate(config.documents)]
    config = dataclasses.replace(config, documents=tuple(changed))
    client = open_client(run_context(server))
    async with client:
        live = await client.list_all()
        plan = build_plan(config.resolve(OWNER), [LiveRecord.of(ASSISTANT, o) for o in live],
                          endpoint=client.endpoint)
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
    """CPU seconds of load_config (and its wall time) and of build_plan (canonical form,
    matching, diff) on an unchanged config, no network (the live assistants are given), in
    this one process, nothing cached; a cProfile of both into `profile_out` if given."""
    from assistants.kinds.assistant import ASSISTANT
    from reconciler.config.loader import load_config
    from reconciler.plan.build import build_plan as build
    from reconciler.plan.live import LiveRecord

    def build_plan(config: Any, live: list[dict[str, Any]], owner: str, endpoint: str) -> Any:
        records = [LiveRecord.of(ASSISTANT, obj) for obj in live]
        return build(config.resolve(owner), records, endpoint=endpoint)

    started, wall = time.process_time(), time.perf_counter()
    config = load_config([str(config_dir)])
    loaded, load_wall = time.process_time(), time.perf_counter() - wall
    plan = build_plan(config, live, OWNER, endpoint=server.base_url)
    built = time.process_time()
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
