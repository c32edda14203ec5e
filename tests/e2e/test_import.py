"""`import` end to end against `assistants serve`: 50 assistants created with the official `openai`
SDK round-trip through import, validate, a plan that only adds the ownership marker, apply, and a
plan with nothing to do; plus keys, skips, the settings file and the 16-metadata-pairs case."""

from __future__ import annotations

import json

import pytest
import yaml
from openai import OpenAI

from assistants.canonical import MARKER_KEY
from reconciler.marker import live_marker
from tests.support.cli import run_cli

KEY = "sk-import"

PARAMS = {"type": "object", "properties": {"id": {"type": "string", "description": "Ticket ${id}"},
                                           "n": {"type": "integer", "minimum": 1}},
          "required": ["id"], "additionalProperties": False}
SCHEMA = {"type": "object", "properties": {"total": {"type": "number"}}, "required": ["total"],
          "additionalProperties": False}


def env_for(handle) -> dict[str, str]:
    return {"OPENAI_API_KEY": KEY, "ASSISTANTS_ENDPOINT": handle.base_url}


def sdk(handle) -> OpenAI:
    return OpenAI(base_url=handle.base_url, api_key=KEY, max_retries=0)


def varied(i: int) -> dict:
    """The create arguments of assistant number `i`: every field in some of them."""
    args: dict = {"model": ["gpt-4o", "gpt-4o-mini", "gpt-4.1"][i % 3]}
    names = ["Support Bot", None, f"Agent {i}", "Überprüfer — QA ✓", "???", "x" * 120,
             "Tab\there, NEL\x85 and LS\u2028: 'quoted' \"too\""]
    name = names[i % len(names)]
    if name is not None:
        args["name"] = name
    if i % 4 == 1:
        args["description"] = f"Handles case {i}; costs $5 and keeps ${{HOME}} literal."
    match i % 5:
        case 0:
            args["instructions"] = f"Answer briefly (#{i})."
        case 1:
            args["instructions"] = f"Line one of {i}.\n  indented line\n\ntrailing newline\n"
        case 2:
            args["instructions"] = ("Long instructions. " * 2000) + f"End {i}."
        case 3:
            args["instructions"] = "No trailing newline\nbut two lines, a ${VAR} and $${x}"
    tools: list = []
    if i % 3 == 0:
        tools.append({"type": "code_interpreter"})
    if i % 4 == 0:
        search: dict = {"max_num_results": 5 + i % 10}
        if i % 8 == 0:
            search["ranking_options"] = {"ranker": "default_2024_08_21", "score_threshold": 0.4}
        tools.append({"type": "file_search", "file_search": search})
    if i % 2 == 1:
        tools.append({"type": "function", "function": {
            "name": f"lookup_{i}", "description": "Look something up.", "parameters": PARAMS,
            "strict": i % 4 == 3}})
    if tools:
        args["tools"] = tools
    if i % 6 == 0:
        resources: dict = {"code_interpreter": {"file_ids": [f"file-{i}a", f"file-{i}b"]}}
        if i % 4 == 0:
            resources["file_search"] = {"vector_store_ids": [f"vs_{i}"]}
        args["tool_resources"] = resources
    if i % 3 != 2:
        pairs = 15 if i == 9 else 1 + i % 4
        args["metadata"] = {f"k{j}": ["yes", "4410", "2024-01-01", "null", "a: b"][j % 5]
                            for j in range(pairs)}
    if i % 7 == 3:
        args["temperature"] = 0.3
    if i % 7 == 4:
        args["top_p"] = 0.85
    if i % 7 == 5:
        args["temperature"], args["top_p"] = 0, 0.5
    formats = [None, {"type": "json_object"}, {"type": "text"}, "auto",
               {"type": "json_schema", "json_schema": {"name": f"record_{i}", "schema": SCHEMA,
                                                       "strict": True,
                                                       "description": "One record."}}]
    if formats[i % 5] is not None and "code_interpreter" not in {t["type"] for t in tools}:
        args["response_format"] = formats[i % 5]
    return args


def live_all(handle) -> list[dict]:
    with handle.client() as client:
        return client.get("/assistants", params={"limit": 100, "order": "asc"}).json()["data"]


def test_import_round_trip_of_50_sdk_assistants(serve, tmp_path):
    handle = serve()
    env = env_for(handle)
    client = sdk(handle)
    created = [client.beta.assistants.create(**varied(i)) for i in range(50)]
    before = {a["id"]: a for a in live_all(handle)}
    assert len(before) == 50

    out = tmp_path / "imported"
    imported = run_cli(["import", "--all", "--out", str(out), "--owner", "team-a"], env=env,
                       cwd=tmp_path)
    assert imported.exit_code == 0, imported.output
    assert "Imported 50 assistants" in imported.stdout
    assert imported.stderr == ""
    assert (out / "assistants.project.yaml").read_text().endswith("owner: team-a\n")
    docs = {}
    for path in out.glob("*.yaml"):
        if path.name != "assistants.project.yaml":
            doc = yaml.safe_load(path.read_text())
            docs[doc["id"]] = (path, doc)
    assert set(docs) == {a.id for a in created}
    keys = [doc["key"] for _, doc in docs.values()]
    assert len(set(keys)) == 50
    assert {"support-bot", "support-bot-2", "support-bot-3"} <= set(keys)
    unnamed = [a.id for a in created if a.name is None][0]
    assert docs[unnamed][1]["key"] == unnamed.replace("_", "-").lower()
    long_one = created[2]
    path, doc = docs[long_one.id]
    assert doc["instructions_file"] == f"{doc['key']}.md"
    assert (path.parent / doc["instructions_file"]).read_text() == long_one.instructions
    multi = created[1]
    path, doc = docs[multi.id]
    assert (path.parent / doc["instructions_file"]).read_text() == multi.instructions
    assert docs[created[0].id][1]["instructions"] == "Answer briefly (#0)."

    valid = run_cli(["validate", str(out)], env=env)
    assert valid.exit_code == 0, valid.output
    assert "Valid: 50 assistants" in valid.stdout

    plan_file = tmp_path / "plan.json"
    planned = run_cli(["plan", str(out), "--out", str(plan_file), "--detailed-exitcode"], env=env)
    assert planned.exit_code == 2, planned.output
    plan = json.loads(plan_file.read_text())
    assert plan["summary"] == {"create": 0, "update": 50, "delete": 0, "noop": 0}
    for change in plan["changes"]:
        assert change["fields"] == ["metadata"], change
        live_metadata = before[change["id"]].get("metadata") or {}
        body_metadata = dict(change["body"]["metadata"])
        marker = body_metadata.pop(MARKER_KEY)
        assert marker == f"v1;owner=team-a;key={change['key']}"
        assert body_metadata == live_metadata
        assert set(change["body"]) == {"metadata"}

    applied = run_cli(["apply", "--plan", str(plan_file)], env=env, cwd=tmp_path)
    assert applied.exit_code == 0, applied.output
    assert "Apply: 0 created, 50 updated, 0 deleted, 0 failed." in applied.stdout
    after = {a["id"]: a for a in live_all(handle)}
    for ident, assistant in after.items():
        assert live_marker(assistant).owner == "team-a"
        for field in ("name", "description", "instructions", "tools", "tool_resources",
                      "temperature", "top_p", "response_format", "model"):
            assert assistant.get(field) == before[ident].get(field), (ident, field)

    final = run_cli(["plan", str(out), "--detailed-exitcode"], env=env)
    assert final.exit_code == 0, final.output
    assert "No changes. 50 assistants match the config." in final.stdout


def test_import_skips_known_and_foreign_assistants_and_warns_on_full_metadata(serve, tmp_path):
    handle = serve()
    env = env_for(handle)
    client = sdk(handle)
    ours = client.beta.assistants.create(
        model="gpt-4o", name="Ours", metadata={MARKER_KEY: "v1;owner=team-a;key=ours;protect"})
    theirs = client.beta.assistants.create(
        model="gpt-4o", name="Theirs", metadata={MARKER_KEY: "v1;owner=team-b;key=theirs"})
    full = client.beta.assistants.create(
        model="gpt-4o", name="Full", metadata={f"k{j}": str(j) for j in range(16)})
    odd = client.beta.assistants.create(model="gpt-4o", name="Odd",
                                        metadata={MARKER_KEY: "terraform"})

    out = tmp_path / "cfg"
    first = run_cli(["import", "--all", "--out", str(out)], env={**env, "ASSISTANTS_OWNER": "team-a"})
    assert first.exit_code == 0, first.output
    assert f"skipped: {theirs.id}: managed by owner `team-b`" in first.stderr
    assert "full has 16 metadata pairs" in first.stderr
    assert "not an ownership marker of this tool" in first.stderr
    ours_doc = yaml.safe_load((out / "ours.yaml").read_text())
    assert ours_doc == {"key": "ours", "id": ours.id, "name": "Ours", "model": "gpt-4o",
                        "protect": True}
    assert len(yaml.safe_load((out / "full.yaml").read_text())["metadata"]) == 16
    invalid = run_cli(["validate", str(out)], env=env)
    assert invalid.exit_code == 1
    assert "full.yaml" in invalid.stderr and "metadata" in invalid.stderr

    # Into the same folder again: what it holds is skipped, the settings file is kept.
    again = run_cli(["import", "--all", "--out", str(out)], env=env)
    assert again.exit_code == 0, again.output
    assert "Imported 0 assistants" in again.stdout
    for ident in (ours.id, full.id, odd.id):
        assert f"skipped: {ident}: already in" in again.stderr

    # Named explicitly, another owner's assistant is imported, with the --takeover warning.
    named = run_cli(["import", "--id", theirs.id, "--out", str(out)], env=env)
    assert named.exit_code == 0, named.output
    assert "managed by owner `team-b`; planning it needs --takeover" in named.stderr
    assert yaml.safe_load((out / "theirs.yaml").read_text())["key"] == "theirs"


@pytest.mark.parametrize("args", [[], ["--all", "--id", "asst_x"]])
def test_import_needs_all_or_ids(args, tmp_path):
    result = run_cli(["import", *args, "--out", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert "give --all or at least one --id" in result.stderr


def test_import_never_overwrites(serve, tmp_path):
    handle = serve()
    env = env_for(handle)
    sdk(handle).beta.assistants.create(model="gpt-4o", name="Clash")
    out = tmp_path / "out"
    out.mkdir()
    (out / "clash.yaml").write_text("# mine\n")
    result = run_cli(["import", "--all", "--out", str(out), "--owner", "o"], env=env)
    assert result.exit_code == 1
    assert f"import would overwrite {out / 'clash.yaml'}" in result.stderr
    assert (out / "clash.yaml").read_text() == "# mine\n"
    assert not (out / "assistants.project.yaml").exists()


def test_import_without_an_owner_says_how_to_set_one(serve, tmp_path):
    handle = serve()
    sdk(handle).beta.assistants.create(model="gpt-4o", name="Lonely")
    out = tmp_path / "out"
    result = run_cli(["import", "--all", "--out", str(out)], env=env_for(handle))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["lonely.yaml"]
    assert "note: no owner is set; before planning, put `owner: NAME` in" in result.stderr
    planned = run_cli(["plan", str(out)], env=env_for(handle))
    assert planned.exit_code == 1 and "no owner set" in planned.stderr


def test_import_of_managed_assistants_keeps_their_write_only_fields(serve, tmp_path):
    """data-analyst is applied with `reasoning_effort: medium`, which no server returns: import
    recovers it from the marker's digest, so the imported files plan as no change at all."""
    from pathlib import Path

    examples = Path(__file__).resolve().parents[2] / "examples"
    handle = serve()
    env = env_for(handle)
    assert run_cli(["apply", str(examples), "--auto-approve"], env=env, cwd=tmp_path).exit_code == 0
    out = tmp_path / "imported"
    imported = run_cli(["import", "--all", "--out", str(out), "--owner", "acme-assistants"],
                       env=env, cwd=tmp_path)
    assert imported.exit_code == 0, imported.output
    assert yaml.safe_load((out / "data-analyst.yaml").read_text())["reasoning_effort"] == "medium"
    again = run_cli(["plan", str(out), "--detailed-exitcode"], env=env, cwd=tmp_path)
    assert again.exit_code == 0, again.output
    assert "No changes. 4 assistants match the config." in again.stdout
