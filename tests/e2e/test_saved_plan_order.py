"""Issue 22 item 1: the reviewed path sends what was reviewed. Structured Outputs emit keys in
schema order, so the order of `properties` is part of the assistant: `apply --plan` must send
the bytes `apply .` sends, and the journal and a rollback must keep that order too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tests.support.cli import run_cli

SCHEMA = {"type": "object", "properties": {"zeta": {"type": "string"},
                                           "alpha": {"type": "number"},
                                           "mid": {"type": "boolean"}},
          "required": ["zeta", "alpha", "mid"], "additionalProperties": False}
PARAMS = {"type": "object", "properties": {"zz": {"type": "string"}, "aa": {"type": "string"}}}


def write(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "assistants.project.yaml").write_text("owner: order\n")
    doc = {"key": "ordered", "model": "gpt-4o",
           "tools": [{"type": "function", "function": {"name": "find", "parameters": PARAMS}}],
           "response_format": {"type": "json_schema",
                               "json_schema": {"name": "rec", "schema": SCHEMA}}}
    (folder / "a.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))


def posts(handle) -> list[str]:
    """The JSON text of each body POSTed to the collection, in the order keys were sent."""
    return [json.dumps(e["body"]) for e in handle.log_entries()
            if e["method"] == "POST" and e["path"] == "/v1/assistants"]


def keys_in_order(body: dict[str, Any]) -> tuple[list[str], list[str]]:
    schema = body["response_format"]["json_schema"]["schema"]["properties"]
    params = body["tools"][0]["function"]["parameters"]["properties"]
    return list(schema), list(params)


def test_apply_plan_sends_the_bytes_apply_sends_through_journal_and_rollback(serve, tmp_path):
    write(tmp_path / "cfg")
    direct, reviewed = serve(), serve()
    env = {"OPENAI_API_KEY": "sk-order"}
    done = run_cli(["apply", "cfg", "--auto-approve", "--endpoint", direct.base_url],
                   env=env, cwd=tmp_path)
    assert done.exit_code == 0, done.output

    review = tmp_path / "review"
    write(review / "cfg")
    planned = run_cli(["plan", "cfg", "--endpoint", reviewed.base_url, "--out", "p.json"],
                      env=env, cwd=review)
    assert planned.exit_code == 0, planned.output
    assert keys_in_order(json.loads((review / "p.json").read_text())["changes"][0]["body"]) == (
        ["zeta", "alpha", "mid"], ["zz", "aa"])
    applied = run_cli(["apply", "--plan", "p.json"], env=env, cwd=review)
    assert applied.exit_code == 0, applied.output
    (sent_direct,), (sent_reviewed,) = posts(direct), posts(reviewed)
    assert sent_reviewed == sent_direct  # byte for byte
    assert keys_in_order(json.loads(sent_direct)) == (["zeta", "alpha", "mid"], ["zz", "aa"])

    (journal,) = sorted((review / ".assistants" / "history").glob("*.json"))
    entry = json.loads(journal.read_text())["entries"][0]
    assert keys_in_order(entry["body"]) == (["zeta", "alpha", "mid"], ["zz", "aa"])

    # Delete it (prune), then roll the delete back: the assistant is created again from what
    # the server held, in its order.
    (review / "cfg" / "a.yaml").write_text("key: other\nmodel: gpt-4o\n")
    pruned = run_cli(["apply", "cfg", "--endpoint", reviewed.base_url, "--prune",
                      "--max-deletes", "1", "--auto-approve"], env=env, cwd=review)
    assert pruned.exit_code == 0, pruned.output
    journals = sorted((review / ".assistants" / "history").glob("*.json"))
    back = run_cli(["rollback", str(journals[-1]), "--out", "back.json"], env=env, cwd=review)
    assert back.exit_code == 0, back.output
    (recreate,) = [c for c in json.loads((review / "back.json").read_text())["changes"]
                   if c["action"] == "create" and c["key"] == "ordered"]
    assert keys_in_order(recreate["body"]) == (["zeta", "alpha", "mid"], ["zz", "aa"])
    again = run_cli(["apply", "--plan", "back.json", "--max-deletes", "1"], env=env, cwd=review)
    assert again.exit_code == 0, again.output
    assert keys_in_order(json.loads(posts(reviewed)[-1])) == (["zeta", "alpha", "mid"],
                                                              ["zz", "aa"])
