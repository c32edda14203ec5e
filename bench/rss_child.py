"""Run one plan in a fresh process and print its peak RSS (ru_maxrss) as JSON, with the peak
after the imports alone (the interpreter, pydantic, httpx ...) as the baseline.

    python -m bench.rss_child http://127.0.0.1:PORT/v1 CONFIG_DIR
"""

from __future__ import annotations

import asyncio
import io
import json
import resource
import sys

from bench.server import API_KEY
from reconciler.context import RunContext
from reconciler.render import render_text
from reconciler.workflow import make_plan


def _maxrss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


async def _plan(endpoint: str, config_dir: str) -> dict[str, int]:
    run = RunContext(endpoint=endpoint, env={"OPENAI_API_KEY": API_KEY})
    _, plan, client = await make_plan(run, [config_dir])
    await client.aclose()
    render_text(plan, io.StringIO(), color=False)
    return plan.summary


def main() -> None:
    endpoint, config_dir = sys.argv[1:3]
    baseline = _maxrss_bytes()
    summary = asyncio.run(_plan(endpoint, config_dir))
    print(json.dumps({"baseline": baseline, "peak": _maxrss_bytes(), **summary}))


if __name__ == "__main__":
    main()
