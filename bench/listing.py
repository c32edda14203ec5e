"""Bench of the two-ended listing: `assistants plan` (a whole process, start-up included) on a
server of N assistants of which 8 are managed, against the single-cursor floor.

    python -m bench.listing --record            # 5,000 and 10,000 at 40 ms; 1,000 and 10,000 at 200 ms

For each (N, latency), side by side in one run, alternating `--reps` times: the floor (a bare
httpx loop listing every page with `limit=100&order=asc`, in process, JSON parsed) and
`python -m reconciler.cli plan DIR` against the same `assistants serve --latency-ms L --log`
(bench/measure.py runs both, as bench/run.py does).
Reported: best (median) seconds, the ratio, and the requests the server logged for one plan
(and whether every one was a list request). `--record` writes the table into bench/results.md
between the markers below, leaving the rest of the file as it is.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.measure import floor_listing, plan_command, process_env, run_process
from bench.server import Server, stack
from bench.workload import OWNER, write_config

HERE = Path(__file__).resolve().parent
MANAGED = 8
PER_SECOND = 10  # assistants created in the same second: ties for the listing to get right
BEGIN, END = "<!-- two-ended listing: begin -->", "<!-- two-ended listing: end -->"


def two_ended_requests(n: int, page: int = 100) -> int:
    """List requests of a listing from both ends on a well-behaved server whose `created_at`
    tells the ends apart: one page up to `page`; else one round of the ascending end alone,
    then rounds of both, until they overlap (or the ascending end reaches the last page)."""
    if n <= page:
        return 1
    rounds = 2
    while page * (2 * rounds - 1) < n + 1 and page * rounds < n:
        rounds += 1
    return 2 * rounds - 1


def seed(db: Path, config: Path, n: int) -> None:
    """N records: the live twins of the config's 8 assistants spread among N - 8 unmanaged
    ones (a name, a model, a paragraph of instructions), `PER_SECOND` to a second."""
    from assistants.local.objects import new_assistant
    from assistants.local.store import Store
    from reconciler.config.loader import load_config
    twins = [dict(d.written) for d in load_config([str(config)]).resolve(OWNER).desired]
    every = n // len(twins)
    records = []
    for i in range(n):
        body = (twins[i // every] if i % every == 0 and i // every < len(twins) else
                {"model": "gpt-4o-mini", "name": f"Other team's assistant {i}",
                 "instructions": f"Help team {i % 40} with their questions. " * 8})
        records.append(new_assistant(body, created_at=1_700_000_000 + i // PER_SECOND))
    store = Store(db)
    try:
        store.insert_many(records)
    finally:
        store.close()


def plan_process(server: Server, config: Path) -> float:
    """Seconds for `python -m reconciler.cli plan DIR` as a whole process."""
    return run_process(plan_command(config), process_env(server))


def fixed_cost(work: Path, reps: int) -> float:
    """Best seconds of a plan whose listing is one page at no latency (the 8 managed
    assistants alone): start-up, imports, config, rendering, the part no listing saves."""
    config = write_config(work / "config", MANAGED)
    seed(work / "fixed.db", config, MANAGED)
    with Server(work / "fixed.db", 0) as server:
        return min(plan_process(server, config) for _ in range(reps))


def bench_one(n: int, latency_ms: int, reps: int, work: Path) -> dict[str, Any]:
    config = write_config(work / "config", MANAGED)
    db, log = work / "live.db", work / "requests.jsonl"
    seed(db, config, n)
    floors: list[float] = []
    plans: list[float] = []
    with Server(db, latency_ms, log_path=log) as server:
        floor_requests = 0
        requests: list[dict[str, Any]] = []
        for _ in range(reps):
            floor = asyncio.run(floor_listing(server))
            floors.append(floor.seconds)
            floor_requests = floor.requests
            mark = _lines(log)
            plans.append(plan_process(server, config))
            requests = [json.loads(line) for line in log.read_text().splitlines()[mark:]]
    lists = [r for r in requests if r["method"] == "GET" and r["path"] == "/v1/assistants"]
    return {"n": n, "latency_ms": latency_ms, "floor": _stats(floors), "plan": _stats(plans),
            "floor_requests": floor_requests, "plan_requests": len(requests),
            "plan_list_requests": len(lists), "expected_requests": two_ended_requests(n)}


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def _stats(values: list[float]) -> dict[str, float]:
    return {"best": min(values), "median": statistics.median(values)}


def render(rows: list[dict[str, Any]], fixed: float, reps: int) -> str:
    lines = [
        BEGIN,
        "## Two-ended listing: plan of N assistants, 8 managed",
        "",
        "`python -m bench.listing --record`. Floor = a bare httpx loop listing every page with "
        "`limit=100&order=asc` (in process). Plan = `assistants plan DIR` as a whole process "
        f"(start-up included). Fixed = the same plan when the listing is one page at no "
        f"latency: {fixed:.2f} s here (interpreter, imports, config, rendering), the part no "
        "listing saves; the last column leaves it out. "
        f"Best (median) of {reps}, alternating. Requests = what the server logged for one plan; "
        "\"two-ended\" = what a listing from both ends needs on a well-behaved server. "
        "Targets at 40 ms: plan <= 0.6x floor; at 5,000, <= 54 list requests and no other. "
        f"Stack: {stack()}.",
        "",
        "| N | latency | floor (s) | plan (s) | plan / floor | plan requests (all list) | "
        "floor requests | two-ended | (plan - fixed) / floor |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        only_lists = "yes" if r["plan_requests"] == r["plan_list_requests"] else "NO"
        lines.append(
            f"| {r['n']:,} | {r['latency_ms']} ms | {r['floor']['best']:.3f} "
            f"({r['floor']['median']:.3f}) | {r['plan']['best']:.3f} ({r['plan']['median']:.3f})"
            f" | {r['plan']['best'] / r['floor']['best']:.2f}x "
            f"({r['plan']['median'] / r['floor']['median']:.2f}x) | {r['plan_requests']} "
            f"({only_lists}) | {r['floor_requests']} | {r['expected_requests']} | "
            f"{(r['plan']['best'] - fixed) / r['floor']['best']:.2f}x |")
    lines.append(END)
    return "\n".join(lines) + "\n"


def record(table: str, path: Path, begin: str = BEGIN, end: str = END) -> None:
    """Put `table` between the markers of `path` (appended when they are missing)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + table + rest.split(end, 1)[1].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + table
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(prog="python -m bench.listing", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", default="5000@40,10000@40,1000@200,10000@200",
                        help="comma-separated N@latency_ms (default: %(default)s)")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--record", action="store_true", help="write into bench/results.md")
    args = parser.parse_args(argv)
    rows = []
    for run in args.runs.split(","):
        n, latency = (int(part) for part in run.split("@"))
        with tempfile.TemporaryDirectory(prefix=f"bench-listing-{n}-") as tmp:
            rows.append(bench_one(n, latency, args.reps, Path(tmp)))
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-listing-fixed-") as tmp:
        fixed = fixed_cost(Path(tmp), args.reps)
    table = render(rows, fixed, args.reps)
    if args.record:
        record(table, HERE / "results.md")
    print(table)
    return rows


if __name__ == "__main__":
    main()
