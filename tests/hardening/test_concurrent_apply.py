"""Two applies of the same config at the same time (two CI jobs, a retry racing the original):
never two assistants for one key; each run exits 0, or the second finds its saved plan stale.

The race is forced, not hoped for: a chaos proxy holds each process's first listing until both
have asked, so both plan against the same empty (or same old) world before either writes. Each
`apply` is a real `python -m reconciler.cli.main` subprocess.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from reconciler.marker import live_marker
from tests.support.chaos_proxy import ChaosProxy, Script
from tests.support.server import ServerHandle

KEYS = [f"bot-{i}" for i in range(6)]


def write_config(folder: Path, owner: str, temperature: float = 0.5) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "assistants.project.yaml").write_text(f"owner: {owner}\n")
    for key in KEYS:
        (folder / f"{key}.yaml").write_text(
            f"key: {key}\nmodel: gpt-4o\nname: {key}\ntemperature: {temperature}\n")
    return folder


def counts(handle: ServerHandle, owner: str) -> Counter[str]:
    with handle.client() as client:
        data = client.get("/assistants", params={"limit": 100, "order": "asc"}).json()["data"]
    return Counter(m.key for a in data if (m := live_marker(a)) and m.owner == owner)


def first_listing_of_each(processes: int) -> Script:
    """The first GET of the collection of each of `processes` clients waits at a barrier."""
    held = [0]

    def script(n: int, method: str, path: str) -> str | None:
        if method == "GET" and path == "/v1/assistants" and held[0] < processes:
            held[0] += 1
            return f"barrier:{processes}"
        return None

    return script


def run_together(commands: list[list[str]], env: dict[str, str], cwd: Path
                 ) -> list[subprocess.CompletedProcess[str]]:
    procs = [subprocess.Popen([sys.executable, "-m", "reconciler.cli.main", *c], env=env, cwd=cwd,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for c in commands]
    out = []
    for proc, command in zip(procs, commands, strict=True):
        stdout, stderr = proc.communicate(timeout=60)
        out.append(subprocess.CompletedProcess(command, proc.returncode, stdout, stderr))
    return out


@pytest.fixture
def raced(serve):
    handle = serve(latency_ms=30)
    proxy = ChaosProxy(upstream=handle.base_url).start()
    yield handle, proxy
    proxy.stop()


def environment(proxy: ChaosProxy) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PORTKEY_", "OPENAI_", "ASSISTANTS_", "GITHUB_"))}
    return {**env, "OPENAI_API_KEY": "sk-concurrent", "ASSISTANTS_ENDPOINT": proxy.base_url}


def test_two_applies_of_the_same_config_at_once_leave_one_assistant_per_key(raced, tmp_path):
    handle, proxy = raced
    config = write_config(tmp_path / "config", "race")
    proxy.reset(first_listing_of_each(2))
    results = run_together([["apply", str(config), "--auto-approve"]] * 2,
                           environment(proxy), tmp_path)
    for result in results:
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
    assert counts(handle, "race") == Counter({key: 1 for key in KEYS})
    # The race really happened: both planned every create and both created.
    for result in results:
        assert "Plan: 6 to create" in result.stdout, result.stdout
    creates = [e for e in handle.log_entries()
               if (e["method"], e["path"], e["status"]) == ("POST", "/v1/assistants", 200)]
    deletes = [e for e in handle.log_entries() if (e["method"], e["status"]) == ("DELETE", 200)]
    assert len(creates) == 2 * len(KEYS)
    assert len(creates) - len(deletes) == len(KEYS)
    assert sum(r.stdout.count("another apply created it at the same time") for r in results) \
        == len(KEYS)
    # And the config has converged: a third run has nothing to do.
    proxy.reset()
    (again,) = run_together([["plan", str(config), "--detailed-exitcode"]], environment(proxy),
                            tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr


def test_a_saved_plan_applied_twice_in_a_row_is_refused_the_second_time(raced, tmp_path):
    handle, proxy = raced
    config = write_config(tmp_path / "config", "saved-seq")
    env = environment(proxy)
    (made,) = run_together([["plan", str(config), "--out", "plan.json"]], env, tmp_path)
    assert made.returncode == 0, made.stderr
    (first,) = run_together([["apply", "--plan", "plan.json"]], env, tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    writes_before = len([e for e in handle.log_entries() if e["method"] != "GET"])
    (second,) = run_together([["apply", "--plan", "plan.json"]], env, tmp_path)
    assert second.returncode == 1
    assert "saved plan is stale, nothing was written" in second.stderr
    assert "bot-0 now exists as asst_" in second.stderr
    assert len([e for e in handle.log_entries() if e["method"] != "GET"]) == writes_before
    assert counts(handle, "saved-seq") == Counter({key: 1 for key in KEYS})


@pytest.mark.parametrize("phase", ["create", "update"])
def test_a_saved_plan_applied_twice_at_once_never_duplicates(phase, raced, tmp_path):
    """Both processes check the plan against the same world (forced by the barrier), so both may
    pass the staleness check: creates are then settled to one survivor per key, updates are the
    same body twice. Each run exits 0, or 1 saying the plan is stale; never a duplicate."""
    handle, proxy = raced
    owner = f"saved-{phase}"
    config = write_config(tmp_path / "config", owner)
    env = environment(proxy)
    if phase == "update":
        (setup,) = run_together([["apply", str(config), "--auto-approve"]], env, tmp_path)
        assert setup.returncode == 0, setup.stderr
        write_config(tmp_path / "config", owner, temperature=0.9)
    (made,) = run_together([["plan", str(config), "--out", "plan.json"]], env, tmp_path)
    assert made.returncode == 0, made.stderr
    # The saved-plan check reads each target (update) or lists (create): hold those reads.
    if phase == "update":
        held = [0]

        def script(n: int, method: str, path: str) -> str | None:
            if method == "GET" and path.startswith("/v1/assistants/") and held[0] < 2 * len(KEYS):
                held[0] += 1
                return f"barrier:{2 * len(KEYS)}"
            return None

        proxy.reset(script)
    else:
        proxy.reset(first_listing_of_each(2))
    results = run_together([["apply", "--plan", "plan.json"]] * 2, env, tmp_path)
    proxy.reset()
    for result in results:
        assert "Traceback" not in result.stderr
        assert result.returncode == 0 or (result.returncode == 1 and "stale" in result.stderr), \
            result.stdout + result.stderr
    assert any(r.returncode == 0 for r in results)
    assert counts(handle, owner) == Counter({key: 1 for key in KEYS})
    (again,) = run_together([["plan", str(config), "--detailed-exitcode"]], env, tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr


def test_racing_applies_against_a_server_ordering_same_second_ties_by_id(raced, tmp_path):
    """Servers list by `created_at` in whole seconds, and order same-second assistants by id,
    not by creation order. Both racing applies start creating just after a second begins, and
    the second one's creates land 0.45 s later (after the first has listed to settle): both must
    still agree on one survivor per key."""
    handle, proxy = raced

    def make_script():
        held = [0]
        traces: list[str] = []

        def script(n: int, method: str, path: str) -> str | None:
            if method == "GET" and path == "/v1/assistants":
                if held[0] < 2:
                    held[0] += 1
                    return "barrier-second:2"
                return "sort-by-id"
            if method == "POST" and path == "/v1/assistants":
                trace = proxy.current_headers.get("x-portkey-trace-id", "")
                if trace not in traces:
                    traces.append(trace)
                return "delay:0.45" if traces.index(trace) == 1 else None
            return None

        return script

    for round_ in range(3):
        owner = f"race-ties-{round_}"
        config = write_config(tmp_path / f"config-{round_}", owner)
        proxy.reset(make_script())
        results = run_together([["apply", str(config), "--auto-approve"]] * 2,
                               environment(proxy), tmp_path)
        proxy.reset()
        for result in results:
            assert result.returncode == 0, result.stdout + result.stderr
        assert counts(handle, owner) == Counter({key: 1 for key in KEYS}), round_
