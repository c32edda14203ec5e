"""The applier's error policy, end to end: a failure becomes the outcome of the change it
concerns, and the changes that do not depend on it are still made. `assistants serve` sits
behind a chaos proxy that, once a create has gone by, fails the listings apply makes to look
for markers (after an unknown-outcome create) and to settle races (after a create)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.marker import live_marker
from tests.support.chaos_proxy import ChaosProxy, Script
from tests.support.cli import run_cli
from tests.support.server import ServerHandle

OWNER = "policy"


def write_config(folder: Path, docs: dict[str, float]) -> Path:
    """One document per key, its temperature given."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.yaml"):
        old.unlink()
    (folder / "assistants.project.yaml").write_text(f"owner: {OWNER}\n")
    for key, temperature in docs.items():
        (folder / f"{key}.yaml").write_text(
            f"key: {key}\nmodel: gpt-4o\nname: {key}\ntemperature: {temperature}\n")
    return folder


def live(handle: ServerHandle) -> dict[str, list[dict]]:
    """The owner's assistants per key, read straight from the server."""
    with handle.client() as client:
        data = client.get("/assistants", params={"limit": 100}).json()["data"]
    found: dict[str, list[dict]] = {}
    for assistant in data:
        marker = live_marker(assistant)
        if marker and marker.owner == OWNER:
            found.setdefault(marker.key, []).append(assistant)
    return found


def listings_fail_after_a_create(create_action: str | None) -> Script:
    """A create gets `create_action` (None: forwarded untouched); every listing after it
    answers 503, however often it is retried."""
    created = [False]

    def script(n: int, method: str, path: str) -> str | None:
        if method == "POST" and path == "/v1/assistants":
            created[0] = True
            return create_action
        if created[0] and method == "GET" and path == "/v1/assistants":
            return "status:503"
        return None

    return script


@pytest.fixture
def proxied(serve) -> Iterator[tuple[ServerHandle, ChaosProxy]]:
    handle = serve()
    proxy = ChaosProxy(upstream=handle.base_url).start()
    yield handle, proxy
    proxy.stop()


def env_for(url: str) -> dict[str, str]:
    return {"OPENAI_API_KEY": "sk-test", "ASSISTANTS_ENDPOINT": url}


def test_a_failed_marker_lookup_is_an_outcome_and_the_other_changes_still_run(proxied, tmp_path):
    handle, proxy = proxied
    config = write_config(tmp_path / "config", {"kept": 0.1, "gone": 0.1})
    assert run_cli(["apply", str(config), "--auto-approve"],
                   env=env_for(handle.base_url)).exit_code == 0
    # Through the proxy: the create of `new` is made but answered 500 (outcome unknown), and
    # the listing that looks for its marker fails on every attempt.
    write_config(config, {"kept": 0.7, "new": 0.1})
    proxy.reset(listings_fail_after_a_create("status-after:500"))
    applied = run_cli(["apply", str(config), "--auto-approve", "--prune", "--max-deletes", "1"],
                      env=env_for(proxy.base_url))

    assert applied.exit_code == 1, applied.output
    assert "Traceback" not in applied.output
    failed = [line for line in applied.stdout.splitlines() if line.startswith("x ")]
    assert len(failed) == 1, applied.output
    failed = failed[0]
    assert failed.startswith("x + new: failed: outcome unknown, and looking for its marker "
                             "failed: "), failed
    assert "HTTP 503" in failed and "run apply again" in failed
    assert "Apply: 0 created, 1 updated, 1 deleted, 1 failed." in applied.stdout
    # The update and the delete were made; the create was sent once and never repeated.
    after = live(handle)
    assert after["kept"][0]["temperature"] == 0.7
    assert "gone" not in after
    assert len(after["new"]) == 1
    creates = [a for _, m, p, a in proxy.log if (m, p) == ("POST", "/v1/assistants")]
    assert creates == ["status-after:500"]

    # A rerun finds `new` by its marker: nothing left to do, still one assistant per key.
    proxy.reset()
    rerun = run_cli(["apply", str(config), "--auto-approve", "--prune", "--max-deletes", "1"],
                    env=env_for(handle.base_url))
    assert rerun.exit_code == 0, rerun.output
    assert "No changes" in rerun.stdout, rerun.stdout
    assert {key: len(copies) for key, copies in live(handle).items()} == {"kept": 1, "new": 1}


def test_a_failed_settling_listing_keeps_the_create_and_says_so(proxied, tmp_path):
    handle, proxy = proxied
    config = write_config(tmp_path / "config", {"kept": 0.1})
    assert run_cli(["apply", str(config), "--auto-approve"],
                   env=env_for(handle.base_url)).exit_code == 0
    write_config(config, {"kept": 0.7, "new": 0.1})
    proxy.reset(listings_fail_after_a_create(None))
    applied = run_cli(["apply", str(config), "--auto-approve"], env=env_for(proxy.base_url))

    # The create happened and stands (a journal and a rollback know it); the listing that
    # would settle a race with another apply failed, which the outcome says.
    assert applied.exit_code == 0, applied.output
    new_id = live(handle)["new"][0]["id"]
    assert f"+ new ({new_id}): created (created; could not look for a copy another apply made " \
           "at the same time (" in applied.stdout, applied.stdout
    assert "a plan names any second copy, and apply --prune removes it" in applied.stdout
    assert "Apply: 1 created, 1 updated, 0 deleted, 0 failed." in applied.stdout
    assert live(handle)["kept"][0]["temperature"] == 0.7
