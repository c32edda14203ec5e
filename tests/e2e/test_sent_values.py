"""End to end against `assistants serve`, where the server's state is what matters: what the tool
sends is what the user wrote (a temperature of 0, a pinned ranker, tools in config order, `null`
for a removed write-only field, ignored parts as the server has them); import writes what the
server holds; plans read as defaults and indented blocks; malformed live data is planned or
named in one line, never an internal error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from assistants.local.store import Store
from tests.support.cli import run_cli

SCHEMA = {"type": "object", "properties": {"supplier": {"type": "string"},
                                           "total": {"type": "number"}},
          "required": ["supplier"]}


def env_for(handle) -> dict[str, str]:
    return {"OPENAI_API_KEY": "sk-sent", "ASSISTANTS_ENDPOINT": handle.base_url,
            "ASSISTANTS_OWNER": "e2e"}


def write(folder: Path, **doc: Any) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.yaml").write_text(yaml.safe_dump({"key": "a", "model": "gpt-4o", **doc},
                                                  sort_keys=False))


def apply(folder: Path, env: dict[str, str]) -> None:
    done = run_cli(["apply", str(folder), "--auto-approve"], env=env)
    assert done.exit_code == 0, done.output


def only_assistant(handle) -> dict[str, Any]:
    with handle.client() as client:
        (assistant,) = client.get("/assistants").json()["data"]
    return assistant


def posts(handle, since: int = 0) -> list[dict[str, Any]]:
    return [e["body"] for e in handle.log_entries()[since:] if e["method"] == "POST"]


def plan_json(folder: Path, env: dict[str, str]) -> dict[str, Any]:
    planned = run_cli(["plan", str(folder), "--format", "json"], env=env)
    assert planned.exit_code == 0, planned.output
    return json.loads(planned.stdout)


def test_temperature_zero_is_stored_as_zero(serve, tmp_path):
    handle = serve()
    env = env_for(handle)
    write(tmp_path, temperature=0.7)
    apply(tmp_path, env)
    write(tmp_path, temperature=0.0)
    apply(tmp_path, env)
    assert only_assistant(handle)["temperature"] == 0
    assert posts(handle)[-1] == {"temperature": 0.0}
    assert "No changes." in run_cli(["plan", str(tmp_path)], env=env).stdout


def test_a_removed_reasoning_effort_is_sent_as_null(serve, tmp_path):
    handle = serve()
    env = env_for(handle)
    write(tmp_path, model="o3-mini", reasoning_effort="high")
    apply(tmp_path, env)
    assert posts(handle)[-1]["reasoning_effort"] == "high"
    write(tmp_path, model="o3-mini")
    seen = len(handle.log_entries())
    apply(tmp_path, env)
    (sent,) = posts(handle, seen)
    assert sent["reasoning_effort"] is None and "reasoning_effort" in sent
    assert "wo=" not in sent["metadata"]["managed-by"]


def test_a_pinned_ranker_and_the_tool_order_reach_the_server(serve, tmp_path):
    handle = serve()
    env = env_for(handle)
    tools = [{"type": "function", "function": {"name": "zeta"}}, {"type": "code_interpreter"},
             {"type": "file_search", "file_search": {"ranking_options": {
                 "ranker": "auto", "score_threshold": 0.5}}}]
    write(tmp_path, tools=tools)
    apply(tmp_path, env)
    live = only_assistant(handle)
    assert [t["type"] for t in live["tools"]] == ["function", "code_interpreter", "file_search"]
    assert live["tools"][2]["file_search"]["ranking_options"]["ranker"] == "auto"
    tools[2]["file_search"]["ranking_options"]["ranker"] = "default_2024_08_21"
    write(tmp_path, tools=tools)
    (change,) = plan_json(tmp_path, env)["changes"]
    assert change["fields"] == ["tools"]
    apply(tmp_path, env)
    ranking = only_assistant(handle)["tools"][2]["file_search"]["ranking_options"]
    assert ranking == {"ranker": "default_2024_08_21", "score_threshold": 0.5}


def test_an_ignored_tool_part_keeps_the_servers_value_when_tools_are_sent(serve, tmp_path):
    handle = serve()
    env = env_for(handle)
    lookup = {"type": "function", "function": {"name": "lookup_order", "description": "Mine."}}
    write(tmp_path, tools=[lookup])
    apply(tmp_path, env)
    ident = only_assistant(handle)["id"]
    with handle.client() as client:  # a human edits the description
        edited = {**lookup, "function": {**lookup["function"], "description": "By hand."}}
        assert client.post(f"/assistants/{ident}", json={"tools": [edited]}).status_code == 200
    ignore = ["tools.function:lookup_order.function.description"]
    write(tmp_path, ignore_changes=ignore,
          tools=[lookup, {"type": "function", "function": {"name": "pay"}}])
    apply(tmp_path, env)
    functions = {t["function"]["name"]: t["function"] for t in only_assistant(handle)["tools"]}
    assert set(functions) == {"lookup_order", "pay"}
    assert functions["lookup_order"]["description"] == "By hand."
    assert "No changes." in run_cli(["plan", str(tmp_path)], env=env).stdout


def test_an_unknown_ignore_path_inside_tools_is_a_located_error(tmp_path):
    write(tmp_path, ignore_changes=["tools.function:lookup.function.nme"],
          tools=[{"type": "function", "function": {"name": "lookup"}}])
    checked = run_cli(["validate", str(tmp_path)])
    assert checked.exit_code == 1
    (line,) = [ln for ln in checked.stderr.splitlines() if "nme" in ln]
    assert line.startswith(f"error: {tmp_path / 'a.yaml'}:") or "a.yaml:" in line
    assert "tools.function:lookup.function.description" in line


def test_import_writes_the_servers_ranker_and_tool_order(serve, tmp_path):
    handle = serve()
    env = env_for(handle)
    tools = [{"type": "file_search", "file_search": {"ranking_options": {
        "ranker": "default_2024_08_21", "score_threshold": 0.5}}},
        {"type": "function", "function": {"name": "b"}}, {"type": "code_interpreter"}]
    with handle.client() as client:
        assert client.post("/assistants", json={"model": "gpt-4o", "name": "Imp",
                                                "tools": tools}).status_code == 200
    out = tmp_path / "imported"
    done = run_cli(["import", "--all", "--out", str(out)], env=env, cwd=tmp_path)
    assert done.exit_code == 0, done.output
    doc = yaml.safe_load((out / "imp.yaml").read_text())
    assert [t["type"] for t in doc["tools"]] == ["file_search", "function", "code_interpreter"]
    ranking = doc["tools"][0]["file_search"]["ranking_options"]
    assert ranking == {"ranker": "default_2024_08_21", "score_threshold": 0.5}
    (change,) = plan_json(out, env)["changes"]
    assert change["fields"] == ["metadata"]


def test_plans_read_defaults_and_nested_values_as_blocks(serve, tmp_path):
    handle = serve()
    env = env_for(handle)
    fmt = {"type": "json_schema", "json_schema": {"name": "contract_record", "schema": SCHEMA}}
    write(tmp_path, response_format=fmt, temperature=0.3)
    created = run_cli(["plan", str(tmp_path)], env=env).stdout
    assert "response_format.json_schema" not in created
    assert "      +     json_schema:\n" in created
    assert '      +                 supplier:\n      +                     type: "string"\n' \
        in created
    apply(tmp_path, env)
    write(tmp_path)
    for args in ([], ["--format", "markdown"]):
        text = run_cli(["plan", str(tmp_path), *args], env=env).stdout
        assert "response_format: json_schema contract_record -> auto (default)" in text
        assert "temperature: 0.3 -> 1.0 (default)" in text
        assert "sha256" not in text
    (change,) = plan_json(tmp_path, env)["changes"]
    assert change["body"] == {"response_format": "auto", "temperature": None}


def odd_record(ident: str, **fields: Any) -> dict[str, Any]:
    return {"id": ident, "object": "assistant", "created_at": 1, "name": None,
            "description": None, "model": "gpt-4o", "instructions": None, "tools": [],
            "tool_resources": {}, "metadata": {}, "temperature": 1.0, "top_p": 1.0,
            "response_format": "auto", **fields}


def test_malformed_live_data_is_planned_never_an_internal_error(serve, tmp_path):
    handle = serve()
    env = env_for(handle)
    cfg = tmp_path / "cfg"
    write(cfg, id="asst_odd", metadata={"team": "x"},
          tool_resources={"file_search": {"vector_store_ids": ["vs_1"]}},
          tools=[{"type": "file_search"}])
    store = Store(handle.db_path)  # what another server might hold, behind the API's back
    store.insert(odd_record(
        "asst_odd", metadata=["team", "x"], tools={"type": "file_search"},
        tool_resources={"file_search": {"vector_stores": [{"file_ids": ["f1"]},
                                                          {"file_ids": ["f2"]}]}},
        temperature="warm", response_format=["auto"]))
    store.insert(odd_record("asst_other", metadata="not a map", tools=[[]], tool_resources=[]))
    store.close()
    for fmt in ("text", "markdown", "json"):
        planned = run_cli(["plan", str(cfg), "--format", fmt], env=env)
        assert planned.exit_code == 0, planned.output
    (change,) = plan_json(cfg, env)["changes"]
    assert set(change["fields"]) == {"tools", "tool_resources", "metadata", "temperature",
                                     "response_format"}
    imported = run_cli(["import", "--all", "--out", str(tmp_path / "imported")], env=env,
                       cwd=tmp_path)
    assert imported.exit_code == 0, imported.output
    assert "asst_other" in imported.output and "`metadata` (str)" in imported.stderr
    apply(cfg, env)
    assert "No changes." in run_cli(["plan", str(cfg)], env=env).stdout
