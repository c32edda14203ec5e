"""Run one plan in a fresh process and print its peak RSS as JSON, with the peak after the
imports alone (the interpreter, pydantic, httpx ...) as the baseline.

    python -m bench.rss_child http://127.0.0.1:PORT/v1 CONFIG_DIR

The peak is VmHWM of /proc/self/status: on Linux, `ru_maxrss` survives execve, so a process
started by a large parent (the harness) reports the parent's high-water mark until it exceeds
it. `ru_maxrss` is printed too, and `child_peak`: the peak RSS of the child a large load is
shared with (reconciler/load_share.py), which counts the pages it shares with this process
since the fork as well.
"""

from __future__ import annotations

import asyncio
import io
import json
import resource
import sys

from bench.server import API_KEY
from reconciler.cli.context import RunContext
from reconciler.cli.session import plan_paths
from reconciler.report.render import render_text


def _maxrss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def _hwm_bytes() -> int:
    """The peak RSS of this process image (VmHWM), else ru_maxrss."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return _maxrss_bytes()


async def _plan(endpoint: str, config_dir: str) -> dict[str, int]:
    run = RunContext(endpoint=endpoint, env={"OPENAI_API_KEY": API_KEY})
    _, plan = await plan_paths(run, [config_dir])
    render_text(plan, io.StringIO(), color=False)
    return plan.summary


def main() -> None:
    endpoint, config_dir = sys.argv[1:3]
    baseline = _hwm_bytes()
    summary = asyncio.run(_plan(endpoint, config_dir))
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(json.dumps({"baseline": baseline, "peak": _hwm_bytes(), "ru_maxrss": _maxrss_bytes(),
                      "child_peak": children, **summary}))


if __name__ == "__main__":
    main()
