"""Start-up: a one-assistant `assistants plan` against a loopback server (no latency) against
a bare `python -c "import httpx, pydantic, yaml, click"`, both whole processes, alternating;
and where the plan's import time goes (`python -X importtime`).

httpcore imports `trio` on its first request when trio is installed (httpcore/_synchronization.py
tries it); trio is none of our dependencies, so the plan is also timed with trio hidden (a
`trio` package on PYTHONPATH whose import fails, as on a clean install).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.measure import peak_rss, plan_command, process_env, run_process
from bench.server import ROOT, Server
from bench.workload import seed_store, write_config

BARE_IMPORTS = "import httpx, pydantic, yaml, click"


def _stats(values: list[float]) -> dict[str, Any]:
    return {"best": min(values), "median": statistics.median(values), "runs": values}


def hide_trio(directory: Path) -> Path:
    """A directory to put first on PYTHONPATH so that `import trio` fails."""
    package = directory / "trio"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text(
        'raise ImportError("trio hidden by bench/startup.py: a clean install has none")\n',
        encoding="utf-8")
    return directory


def bench_startup(work: Path, reps: int, *, warm_up: bool = True,
                  import_reps: int = 3) -> dict[str, Any]:
    """Best and median seconds of: the interpreter alone, the bare imports, the plan, the plan
    without trio, alternating `reps` times (after one warm-up run of each, with `warm_up`);
    import times over `import_reps` runs; the plan's peak RSS."""
    config = write_config(work / "config", 1)
    seed_store(work / "one.db", config)
    no_trio = str(hide_trio(work / "no-trio"))
    with Server(work / "one.db", 0) as server:
        env, env_no_trio = process_env(server), process_env(server, pythonpath=no_trio)
        runs: dict[str, tuple[list[str], dict[str, str]]] = {
            "interpreter": ([sys.executable, "-c", "pass"], env),
            "bare_imports": ([sys.executable, "-c", BARE_IMPORTS], env),
            "plan": (plan_command(config), env),
            "plan_no_trio": (plan_command(config), env_no_trio),
        }
        for command, run_env in runs.values() if warm_up else ():  # the page cache, the server
            run_process(command, run_env)
        times: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(reps):
            for name, (command, run_env) in runs.items():
                times[name].append(run_process(command, run_env))
        imports = import_times(plan_command(config), env, import_reps)
        imports_no_trio = import_times(plan_command(config), env_no_trio, import_reps)
        rss = {"plan": peak_rss(plan_command(config), env),
               "bare_imports": peak_rss([sys.executable, "-c", BARE_IMPORTS], env)}
    return {"reps": reps, **{name: _stats(values) for name, values in times.items()},
            "imports": imports, "imports_no_trio_total_us": imports_no_trio["total_us"],
            "rss": rss}


def import_times(command: list[str], env: dict[str, str], reps: int = 3) -> dict[str, Any]:
    """`-X importtime` of `command`, each module's least self time over `reps` runs: the total,
    the top packages by self time (a package = the first part of a module's name), and trio's
    cumulative time with the module that imported it."""
    best: dict[str, int] = {}
    lines: list[tuple[int, str, int]] = []  # (depth, module, cumulative) of the last run
    for _ in range(reps):
        done = subprocess.run([command[0], "-X", "importtime", *command[1:]], env=env,
                              capture_output=True, text=True, cwd=ROOT, check=True)
        lines = []
        for line in done.stderr.splitlines():
            if not line.startswith("import time:") or "imported package" in line:
                continue
            self_us, cumulative, name = line[len("import time:"):].split("|")
            module = name.strip()
            depth = (len(name) - 1 - len(name.lstrip())) // 2
            best[module] = min(best.get(module, 1 << 62), int(self_us))
            lines.append((depth, module, int(cumulative)))
    packages: dict[str, int] = defaultdict(int)
    for module, self_us in best.items():
        packages[module.split(".")[0]] += self_us
    top = sorted(packages.items(), key=lambda item: -item[1])[:10]
    trio = {"cumulative_us": 0, "imported_by": ""}
    for index, (depth, module, cumulative) in enumerate(lines):
        if module == "trio":
            parent = next((m for d, m, _ in lines[index + 1:] if d < depth), "")
            trio = {"cumulative_us": cumulative, "imported_by": parent}
    return {"total_us": sum(best.values()), "top": top, "trio": trio}
