"""The fault matrix, end to end: `plan` and `apply --auto-approve` through every fault a network
and a proxy can produce (429 storms, 5xx before and after the write, connection resets, truncated
bodies and JSON, wrong content types, a proxy's HTML error page, a server slower than the
timeout). Each row asserts:

- each run succeeds, or ends with clear one-line errors that name the request (no traceback);
- never two assistants for one key on the server;
- a rerun without faults converges: apply exits 0, then `plan --detailed-exitcode` exits 0, with
  exactly one assistant per key.

Proxy rows share one `assistants serve` behind a `ChaosProxy` (each row its own owner); rows of
the embedded server's own faults (`--rate-limit-every`, `--fail-rate`, `--fail-after-rate`) get
their own server.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from reconciler.marker import live_marker
from tests.support.chaos_proxy import ChaosProxy, Script, every, first, nth, proxied_server, when
from tests.support.cli import Run, run_cli
from tests.support.server import ServerHandle

KEYS = ("alpha", "beta", "gamma")
REQUEST = re.compile(r"\b(GET|POST|DELETE) http://127\.0\.0\.1:\d+/v1/assistants")


@dataclass(frozen=True)
class Row:
    id: str
    script: Callable[[], Script] | None = None  # a fresh script per command (through the proxy)
    server: dict[str, Any] = field(default_factory=dict)  # own server with these faults
    timeout: float | None = None
    # What the faulty runs may do: "ok" (must succeed) or "either" (succeed or fail clearly).
    expect: str = "either"
    must_mention: str | None = None  # text a failing run must show
    commands: tuple[str, ...] = ("plan", "apply")


ROWS = [
    Row("429-storm-within-budget", lambda: first(4, "status:429"), expect="ok"),
    Row("429-storm-past-budget", lambda: first(40, "status:429"), must_mention="HTTP 429"),
    Row("429-every-2nd-embedded", server={"rate_limit_every": 2, "retry_after_ms": 10},
        expect="ok"),
    Row("503-every-3rd", lambda: every(3, "status:503")),
    Row("500-after-every-create", lambda: when("status-after:500", method="POST"),
        expect="ok"),
    Row("500-before-and-after-embedded",
        server={"fail_rate": 0.25, "fail_after_rate": 0.5, "seed": 5}),
    Row("reset-before-forwarding", lambda: every(2, "reset")),
    Row("reset-after-create", lambda: when("reset-after", method="POST", times=2),
        expect="ok"),
    Row("truncated-body-then-close", lambda: nth({1: "truncate", 3: "truncate"})),
    Row("truncated-json-listing", lambda: nth({1: "truncate-json"}),
        must_mention="truncated JSON"),
    Row("truncated-json-create", lambda: when("truncate-json", method="POST"), expect="ok"),
    Row("content-type-text-plain", lambda: when("content-type:text/plain"), expect="ok"),
    Row("content-type-html-on-json", lambda: when("content-type:text/html"),
        must_mention="HTML page"),
    Row("html-502-page-from-proxy", lambda: every(2, "html-502")),
    Row("html-502-page-every-request", lambda: when("html-502"),
        must_mention="'502 Bad Gateway' (probably from a proxy)", commands=("plan",)),
    Row("html-502-after-create", lambda: when("html-502-after", method="POST"), expect="ok"),
    Row("create-answer-slower-than-timeout",
        lambda: when("slow:1.2", method="POST", times=2), timeout=0.5, expect="ok"),
    Row("listing-slower-than-timeout", lambda: nth({1: "slow:1.2"}), timeout=0.5, expect="ok"),
]


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> Iterator[tuple[ServerHandle, ChaosProxy]]:
    with proxied_server(tmp_path_factory.mktemp("shared-server")) as pair:
        yield pair


def write_config(folder: Path, owner: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "assistants.project.yaml").write_text(f"owner: {owner}\n")
    for key in KEYS:
        (folder / f"{key}.yaml").write_text(
            f"key: {key}\nmodel: gpt-4o\nname: {key.title()}\ninstructions: Be {key}.\n"
            f"metadata: {{row: {owner}}}\n")
    return folder


def counts(handle: ServerHandle, owner: str) -> Counter[str]:
    """Assistants per key of `owner`, read straight from the server (no proxy)."""
    found: Counter[str] = Counter()
    after = None
    with handle.client() as client:
        while True:
            params = {"limit": 100, "order": "asc", **({"after": after} if after else {})}
            for _ in range(50):  # read past the embedded server's own faults
                response = client.get("/assistants", params=params)
                if response.status_code == 200:
                    break
            page = response.json()
            for assistant in page["data"]:
                marker = live_marker(assistant)
                if marker and marker.owner == owner:
                    found[marker.key] += 1
            if not page["has_more"]:
                return found
            after = page["last_id"]


def assert_clear(run: Run, row: Row, what: str) -> None:
    """Success, or every failure said in one line that names the request."""
    assert "Traceback" not in run.output, run.output
    if row.expect == "ok":
        assert run.exit_code == 0, f"{what} must succeed under {row.id}:\n{run.output}"
        return
    assert run.exit_code in (0, 1), run.output
    if run.exit_code == 0:
        return
    errors = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
    failures = [line for line in run.stdout.splitlines() if line.startswith("x ")]
    assert errors or failures, f"{what} exited 1 without saying why:\n{run.output}"
    for line in errors + failures:
        assert REQUEST.search(line) or "outcome still unknown" in line, line
    if row.must_mention:
        assert row.must_mention in run.output, run.output


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_fault_matrix(row: Row, shared, serve, tmp_path):
    owner = f"fm-{row.id}"
    config = write_config(tmp_path / "config", owner)
    if row.server:
        handle = serve(**row.server)
        proxy = None
        endpoint = handle.base_url
    else:
        handle, proxy = shared
        endpoint = proxy.base_url
    env = {"OPENAI_API_KEY": "sk-fault-matrix", "ASSISTANTS_ENDPOINT": endpoint}
    if row.timeout:
        env["ASSISTANTS_TIMEOUT"] = str(row.timeout)

    injected: set[str] = set()
    for command in row.commands:
        args = ["plan", str(config)] if command == "plan" else ["apply", str(config),
                                                               "--auto-approve"]
        if proxy is not None:
            proxy.reset(row.script() if row.script else None)
        result = run_cli(args, env=env, cwd=tmp_path)
        if proxy is not None:
            proxy.settle()
            injected |= {action for _, _, _, action in proxy.log if action != "pass"}
            proxy.reset()
        assert_clear(result, row, command)
        assert all(n == 1 for n in counts(handle, owner).values()), counts(handle, owner)
    # The faults really happened.
    if proxy is not None:
        assert injected, f"{row.id}: the proxy injected nothing"
    else:
        statuses = {e["status"] for e in handle.log_entries()}
        assert statuses & {429, 500}, statuses

    # Without faults: converge, then nothing left to do; one assistant per key.
    clean_env = {**env, "ASSISTANTS_ENDPOINT": handle.base_url}
    clean_env.pop("ASSISTANTS_TIMEOUT", None)
    if row.server:  # the embedded server's faults stay on: rerun until it converges
        for _ in range(4):
            rerun = run_cli(["apply", str(config), "--auto-approve"], env=clean_env, cwd=tmp_path)
            if rerun.exit_code == 0:
                break
            assert_clear(rerun, Row(row.id), "rerun")
    else:
        rerun = run_cli(["apply", str(config), "--auto-approve"], env=clean_env, cwd=tmp_path)
    assert rerun.exit_code == 0, rerun.output
    final = run_cli(["plan", str(config), "--detailed-exitcode"], env=clean_env, cwd=tmp_path)
    if row.server and final.exit_code == 1:  # a 500 from the faulty server itself: once more
        final = run_cli(["plan", str(config), "--detailed-exitcode"], env=clean_env,
                        cwd=tmp_path)
    assert final.exit_code == 0, final.output
    assert counts(handle, owner) == Counter({key: 1 for key in KEYS})


GHOST = Row("create-reaches-server-after-timeout",
            lambda: when("slow-before:0.8", method="POST", times=1), timeout=0.5)


def ghost_apply(shared, tmp_path: Path, owner: str) -> tuple[Path, dict[str, str], Run]:
    """One create reaches the server 0.8 s after it was sent, when the client (timeout 0.5 s)
    has given up on it, looked for its marker, found nothing and created the assistant again."""
    handle, proxy = shared
    config = write_config(tmp_path / "config", owner)
    env = {"OPENAI_API_KEY": "sk-fault-matrix", "ASSISTANTS_ENDPOINT": proxy.base_url,
           "ASSISTANTS_TIMEOUT": "0.5"}
    proxy.reset(GHOST.script())
    applied = run_cli(["apply", str(config), "--auto-approve"], env=env, cwd=tmp_path)
    proxy.settle()
    assert ("slow-before:0.8" in {a for _, _, _, a in proxy.log})
    proxy.reset()
    assert_clear(applied, GHOST, "apply")
    return config, {**env, "ASSISTANTS_ENDPOINT": handle.base_url}, applied


@pytest.mark.xfail(strict=True, reason="NOT GUARANTEED: a create that reaches the server after "
                   "the client timed out (and after apply looked for its marker and settled "
                   "races) leaves a second assistant for the key; no Assistants API has an "
                   "idempotency key to prevent it. The next plan shows it (see the test below).")
def test_a_create_arriving_after_the_timeout_leaves_no_duplicate(shared, tmp_path):
    handle, _ = shared
    ghost_apply(shared, tmp_path, "fm-ghost-a")
    assert counts(handle, "fm-ghost-a") == Counter({key: 1 for key in KEYS})


def test_a_late_duplicate_is_shown_by_the_next_plan_and_pruned(shared, tmp_path):
    handle, _ = shared
    config, env, _ = ghost_apply(shared, tmp_path, "fm-ghost-b")
    found = counts(handle, "fm-ghost-b")
    (dup,) = [key for key, n in found.items() if n == 2]
    planned = run_cli(["plan", str(config)], env=env, cwd=tmp_path)
    assert planned.exit_code == 0
    # The extra copy is named, with what removes it (wording: plan's renderer).
    assert re.search(rf"{dup} \(asst_\w+\).*--prune deletes", planned.output), planned.output
    pruned = run_cli(["apply", str(config), "--auto-approve", "--prune", "--max-deletes", "1"],
                     env=env, cwd=tmp_path)
    assert pruned.exit_code == 0, pruned.output
    assert counts(handle, "fm-ghost-b") == Counter({key: 1 for key in KEYS})


DRIFT_FAULTS = [r for r in ROWS if r.script is not None and r.id in {
    "429-storm-past-budget", "503-every-3rd", "reset-before-forwarding",
    "truncated-body-then-close", "truncated-json-listing", "content-type-html-on-json",
    "html-502-page-from-proxy"}]


@pytest.mark.parametrize("row", DRIFT_FAULTS, ids=[r.id for r in DRIFT_FAULTS])
def test_drift_under_faults_never_reports_a_wrong_status(row, shared, tmp_path):
    """A nightly `drift` job must tell "drift" (2) from "the tool broke" (1): under a fault it
    exits with the true status or 1, never 0 when there is drift nor 2 when there is none.
    `import` under the same fault writes complete files or none and says why."""
    handle, proxy = shared
    owner = f"fm-drift-{row.id}"
    config = write_config(tmp_path / "config", owner)
    env = {"OPENAI_API_KEY": "sk-fault-matrix", "ASSISTANTS_ENDPOINT": proxy.base_url}
    assert run_cli(["apply", str(config), "--auto-approve"], env=env, cwd=tmp_path).exit_code == 0

    def faulty(args: list[str]) -> Run:
        proxy.reset(row.script())
        try:
            result = run_cli(args, env=env, cwd=tmp_path)
        finally:
            proxy.settle()
            proxy.reset()
        assert "Traceback" not in result.output
        if result.exit_code == 1:
            (line,) = [x for x in result.stderr.splitlines() if x.startswith("error: ")]
            assert REQUEST.search(line), line
        return result

    in_sync = faulty(["drift", str(config)])
    assert in_sync.exit_code in (0, 1), in_sync.output
    (config / "alpha.yaml").write_text("key: alpha\nmodel: gpt-4o\nname: Changed\n")
    drifted = faulty(["drift", str(config)])
    assert drifted.exit_code in (2, 1), drifted.output
    imported = faulty(["import", "--all", "--out", "imported"])
    if imported.exit_code == 0:
        assert len(list((tmp_path / "imported").glob("*.yaml"))) >= len(KEYS)
    else:
        assert not (tmp_path / "imported").exists()
