"""Promises no test pinned (issue 22, item 11), each against the embedded API (`--local`,
hand edits through the same HTTP API): a saved plan's deletes are checked for staleness, a
rollback undoes only what succeeded, an environment's `max_deletes: 0` holds, `overrides` and
`ignore_changes` refuse what they must, a fleet item's boolean reads `true`, and the summary
lines keep create, update and delete counts apart."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from reconciler.cli.local_client import local_client
from reconciler.marker import live_marker
from tests.support.cli import Run, run_cli

DB = Path(".assistants") / "local.db"


def project(folder: Path, docs: dict[str, str], settings: str = "owner: pinned\n") -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "assistants.project.yaml").write_text(settings)
    for old in folder.glob("*.yaml"):
        if old.name != "assistants.project.yaml":
            old.unlink()
    for key, text in docs.items():
        (folder / f"{key}.yaml").write_text(f"key: {key}\nmodel: gpt-4o\n{text}")
    return folder


def by_hand(root: Path, ident: str, body: dict[str, Any] | None) -> None:
    """Edit (or with None, delete) an assistant as a person would, outside the tool."""
    async def go() -> None:
        async with local_client(root / DB) as client:
            if body is None:
                await client.delete(ident)
            else:
                await client.modify(ident, body)
    asyncio.run(go())


def live(root: Path) -> dict[str, dict[str, Any]]:
    async def go() -> list[dict[str, Any]]:
        async with local_client(root / DB) as client:
            return await client.list_all()
    return {m.key: a for a in asyncio.run(go()) if (m := live_marker(a))}


def cli(root: Path, *args: str) -> Run:
    return run_cli(list(args), cwd=root)


def applied(root: Path, *args: str) -> Run:
    result = cli(root, "apply", "cfg", "--local", "--auto-approve", *args)
    assert result.exit_code == 0, result.output
    return result


# --- a saved plan's deletes --------------------------------------------------------------------

def pruning_plan(root: Path) -> str:
    """`a` and `b` applied, then `b` removed from the config and a prune saved: b's id."""
    project(root / "cfg", {"a": "name: A\n", "b": "name: B\n"})
    applied(root)
    ident = live(root)["b"]["id"]
    project(root / "cfg", {"a": "name: A\n"})
    planned = cli(root, "plan", "cfg", "--local", "--prune", "--out", "p.json")
    assert planned.exit_code == 0 and "1 to delete" in planned.stdout, planned.output
    return ident


def test_a_hand_edited_orphan_is_not_deleted_by_a_saved_plan(tmp_path):
    ident = pruning_plan(tmp_path)
    by_hand(tmp_path, ident, {"description": "someone still uses this"})
    result = cli(tmp_path, "apply", "--plan", "p.json", "--max-deletes", "1")
    assert result.exit_code == 1
    assert f"b ({ident}) changed on the server since the plan" in result.stderr
    assert live(tmp_path)["b"]["description"] == "someone still uses this"


def test_an_orphan_made_protected_is_not_deleted_by_a_saved_plan(tmp_path):
    ident = pruning_plan(tmp_path)
    marker = live(tmp_path)["b"]["metadata"]["managed-by"]
    by_hand(tmp_path, ident, {"metadata": {"managed-by": marker + ";protect"}})
    result = cli(tmp_path, "apply", "--plan", "p.json", "--max-deletes", "1")
    assert result.exit_code == 1
    assert f"b ({ident}) changed on the server since the plan" in result.stderr
    assert "b" in live(tmp_path)


def test_a_delete_target_already_gone_is_reported(tmp_path):
    ident = pruning_plan(tmp_path)
    by_hand(tmp_path, ident, None)
    result = cli(tmp_path, "apply", "--plan", "p.json", "--max-deletes", "1")
    assert result.exit_code == 1
    assert f"b ({ident}) was deleted since the plan" in result.stderr


# --- rollback ----------------------------------------------------------------------------------

def test_a_rollback_plans_nothing_for_the_entries_that_failed(tmp_path):
    project(tmp_path / "cfg", {"kept": "name: Kept\n", "gone": "name: Gone\n"})
    applied(tmp_path)
    before = live(tmp_path)
    project(tmp_path / "cfg", {"kept": "name: Kept 2\n", "new": "name: New\n"})
    applied(tmp_path, "--prune", "--max-deletes", "1")
    journal = max((tmp_path / ".assistants" / "history").glob("*.json"))
    data = json.loads(journal.read_text())
    actions = {e["key"]: e["action"] for e in data["entries"]}
    assert actions == {"kept": "update", "gone": "delete", "new": "create"}
    for entry in data["entries"]:  # as if the update and the delete had failed
        if entry["action"] != "create":
            entry.update(ok=False, error="HTTP 500: boom", result=None)
    journal.write_text(json.dumps(data))
    by_hand(tmp_path, before["kept"]["id"], {"name": "Edited later by hand"})

    result = cli(tmp_path, "rollback", str(journal), "--out", "r.json", "--local",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    pending = [c for c in json.loads(result.stdout)["changes"] if c["action"] != "noop"]
    assert [(c["action"], c["key"]) for c in pending] == [("delete", "new")]
    assert pending[0]["reason"].startswith("created by the apply being rolled back")
    assert cli(tmp_path, "apply", "--plan", "r.json", "--max-deletes", "1").exit_code == 0
    after = live(tmp_path)
    assert sorted(after) == ["kept"]  # no second copy of `gone`, `new` undone
    assert after["kept"]["name"] == "Edited later by hand"  # not reverted


# --- settings and documents --------------------------------------------------------------------

ENVIRONMENTS = """\
owner: pinned
max_deletes: 5
environments:
  staging: {}
  production: {max_deletes: 0}
"""


def test_an_environments_max_deletes_0_beats_a_positive_top_level_one(tmp_path):
    project(tmp_path / "cfg", {"a": "", "b": ""}, ENVIRONMENTS)
    applied(tmp_path, "--env", "production")
    project(tmp_path / "cfg", {"a": ""}, ENVIRONMENTS)
    refused = cli(tmp_path, "apply", "cfg", "--local", "--auto-approve", "--prune", "--env",
                  "production")
    assert refused.exit_code == 1
    assert "plan deletes 1 assistant but --max-deletes is 0" in refused.stderr
    assert "b" in live(tmp_path)
    applied(tmp_path, "--prune", "--env", "staging")  # the top-level 5 holds elsewhere
    assert "b" not in live(tmp_path)


def test_overrides_cannot_change_the_key(tmp_path):
    project(tmp_path / "cfg", {"a": "overrides:\n  production: {key: b}\n"}, ENVIRONMENTS)
    result = cli(tmp_path, "validate", "cfg")
    assert result.exit_code == 1
    assert "production" in result.stderr and "`key`" in result.stderr, result.stderr


def test_an_override_of_instructions_replaces_the_file_and_the_other_way_round(tmp_path):
    cfg = project(tmp_path / "cfg", {
        "a": "instructions_file: a.md\noverrides:\n  production: {instructions: Inline.}\n",
        "b": "instructions: Inline.\noverrides:\n  production: {instructions_file: b.md}\n",
    }, ENVIRONMENTS)
    (cfg / "a.md").write_text("From a file.\n")
    (cfg / "b.md").write_text("From b file.\n")
    for env, want in (("staging", {"a": "From a file.\n", "b": "Inline."}),
                      ("production", {"a": "Inline.", "b": "From b file.\n"})):
        result = cli(tmp_path, "plan", "cfg", "--local", "--env", env, "--format", "json")
        assert result.exit_code == 0, result.output
        bodies = {c["key"]: c["body"] for c in json.loads(result.stdout)["changes"]}
        assert {k: b["instructions"] for k, b in bodies.items()} == want, env


def test_ignoring_the_marker_is_refused_naming_it(tmp_path):
    project(tmp_path / "cfg", {"a": "ignore_changes: [metadata.managed-by]\n"})
    result = cli(tmp_path, "validate", "cfg")
    assert result.exit_code == 1
    assert "metadata.managed-by" in result.stderr and "marker" in result.stderr


def test_a_fleet_items_boolean_reads_true_and_false_in_a_string(tmp_path):
    cfg = project(tmp_path / "cfg", {})
    (cfg / "fleet.yaml").write_text(
        "key: bot-${each.n}\nfor_each: [{n: 1, beta: true}, {n: 2, beta: false}]\n"
        "model: gpt-4o\nname: Bot ${each.n} beta=${each.beta}\n"
        "metadata: {beta: \"${each.beta}\"}\n")
    result = cli(tmp_path, "plan", "cfg", "--local", "--format", "json")
    assert result.exit_code == 0, result.output
    bodies = {c["key"]: c["body"] for c in json.loads(result.stdout)["changes"]}
    assert bodies["bot-1"]["name"] == "Bot 1 beta=true"
    assert bodies["bot-2"]["name"] == "Bot 2 beta=false"
    assert bodies["bot-1"]["metadata"]["beta"] == "true"


# --- summary lines -----------------------------------------------------------------------------

def test_the_summary_lines_keep_the_three_counts_apart(tmp_path):
    project(tmp_path / "cfg", {"a": "name: A\n", "b": "name: B\n", "c": "name: C\n"})
    applied(tmp_path)
    project(tmp_path / "cfg", {"a": "name: A2\n", "b": "name: B2\n"})
    planned = cli(tmp_path, "plan", "cfg", "--local", "--prune")
    assert "Plan: 0 to create, 2 to update, 1 to delete, 0 unchanged." in planned.stdout
    result = applied(tmp_path, "--prune", "--max-deletes", "1")
    assert "Apply: 0 created, 2 updated, 1 deleted, 0 failed." in result.stdout
