"""End to end over a real socket: for each edit a user makes to a YAML file, the plan's body holds
exactly the changed fields, apply sends exactly that body in one request, and the next plan is
empty. One server for the module; each test works on its own key."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistants.canonical import tool_ident
from tests.support.cli import run_cli
from tests.support.server import start_server

PROMPT = "You help the finance team.\nBe exact.\nCite the policy section.\n"
PARAMS = {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}

BASE: dict[str, Any] = {
    "name": "Finance Helper",
    "model": "gpt-4o",
    "description": "Answers finance questions.",
    "instructions_file": "prompt.md",
    "tools": [
        {"type": "file_search", "file_search": {"max_num_results": 8, "ranking_options": {
            "ranker": "default_2024_08_21", "score_threshold": 0.5}}},
        {"type": "function", "function": {"name": "lookup_invoice", "description": "Find one.",
                                          "parameters_file": "params.json"}},
        {"type": "function", "function": {"name": "list_vendors", "strict": True,
                                          "parameters": {"type": "object", "properties": {},
                                                         "additionalProperties": False}}},
    ],
    "tool_resources": {"file_search": {"vector_store_ids": ["vs_finance"]}},
    "metadata": {"team": "finance", "tier": "gold"},
    "temperature": 0.3,
    "response_format": {"type": "json_schema",
                        "json_schema": {"name": "answer", "schema": {"type": "object"}}},
}


def tools(doc: dict) -> list[dict]:
    return doc["tools"]


def function(doc: dict, name: str) -> dict:
    return next(t["function"] for t in tools(doc) if t.get("function", {}).get("name") == name)


Edit = Callable[[dict, Path], None]


def set_(path: str, value: Any) -> Edit:
    def edit(doc: dict, _: Path) -> None:
        *parents, last = path.split(".")
        target = doc
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value
    return edit


def drop(path: str) -> Edit:
    def edit(doc: dict, _: Path) -> None:
        *parents, last = path.split(".")
        target = doc
        for part in parents:
            target = target[part]
        del target[last]
    return edit


def write_file(name: str, text: str) -> Edit:
    def edit(_: dict, folder: Path) -> None:
        (folder / name).write_text(text, encoding="utf-8")
    return edit


def fn(name: str, **changes: Any) -> Edit:
    def edit(doc: dict, _: Path) -> None:
        target = function(doc, name)
        for key, value in changes.items():
            if value is None:
                target.pop(key, None)
            else:
                target[key] = value
    return edit


def both(*edits: Edit) -> Edit:
    def edit(doc: dict, folder: Path) -> None:
        for one in edits:
            one(doc, folder)
    return edit


def reorder_tools(doc: dict, _: Path) -> None:
    doc["tools"] = list(reversed(doc["tools"]))


def remove_tool(name: str) -> Edit:
    def edit(doc: dict, _: Path) -> None:
        doc["tools"] = [t for t in tools(doc) if t.get("function", {}).get("name") != name
                        and t["type"] != name]
    return edit


def add_code_interpreter(doc: dict, _: Path) -> None:
    doc["tools"].append({"type": "code_interpreter"})
    doc["tool_resources"]["code_interpreter"] = {"file_ids": ["file-b", "file-a"]}


def reorder_keys(doc: dict, _: Path) -> None:
    items = list(doc.items())
    doc.clear()
    doc.update(dict(reversed(items)))


def ranking(options: dict) -> Edit:
    def edit(doc: dict, _: Path) -> None:
        for tool in tools(doc):
            if tool["type"] == "file_search":
                tool["file_search"]["ranking_options"] = options
    return edit


IGNORE_LOOKUP = set_("ignore_changes", ["tools.function:lookup_invoice.function.description"])


def file_search_settings(settings: dict) -> Edit:
    def edit(doc: dict, _: Path) -> None:
        for tool in tools(doc):
            if tool["type"] == "file_search":
                tool["file_search"] = settings
    return edit


# (id, edit, fields the plan must change; empty means no change at all)
EDITS: list[tuple[str, Edit, set[str]]] = [
    ("name changed", set_("name", "Finance Bot"), {"name"}),
    ("name line deleted", drop("name"), {"name"}),
    ("description changed", set_("description", "Finance questions only."), {"description"}),
    ("description line deleted", drop("description"), {"description"}),
    ("model changed", set_("model", "gpt-4o-mini"), {"model"}),
    ("instructions file edited", write_file("prompt.md", PROMPT + "Never guess.\n"),
     {"instructions"}),
    ("instructions trailing newline removed", write_file("prompt.md", PROMPT.rstrip("\n")),
     {"instructions"}),
    ("instructions inline instead of file, same text",
     both(drop("instructions_file"), set_("instructions", PROMPT)), set()),
    ("instructions removed", drop("instructions_file"), {"instructions"}),
    ("temperature changed", set_("temperature", 0.9), {"temperature"}),
    ("temperature line deleted", drop("temperature"), {"temperature"}),
    ("temperature set to its default", set_("temperature", 1), {"temperature"}),
    ("top_p added", set_("top_p", 0.5), {"top_p"}),
    ("response_format json_object", set_("response_format", {"type": "json_object"}),
     {"response_format"}),
    ("response_format schema strict", set_("response_format.json_schema.strict", True),
     {"response_format"}),
    ("response_format line deleted", drop("response_format"), {"response_format"}),
    ("response_format auto", set_("response_format", "auto"), {"response_format"}),
    ("metadata key added", set_("metadata.region", "eu"), {"metadata"}),
    ("metadata key removed", drop("metadata.tier"), {"metadata"}),
    ("metadata value changed", set_("metadata.team", "treasury"), {"metadata"}),
    ("metadata all removed", drop("metadata"), {"metadata"}),
    ("tools reordered", reorder_tools, set()),
    ("yaml keys reordered", reorder_keys, set()),
    ("function description changed", fn("lookup_invoice", description="Find an invoice."),
     {"tools"}),
    ("function parameters file edited",
     write_file("params.json", json.dumps({**PARAMS, "required": []})), {"tools"}),
    ("function strict turned on", fn("lookup_invoice", strict=True), {"tools"}),
    ("function strict false equals absent", fn("lookup_invoice", strict=False), set()),
    ("function removed", remove_tool("list_vendors"), {"tools"}),
    ("function added", lambda d, _: d["tools"].append(
        {"type": "function", "function": {"name": "pay", "parameters": PARAMS}}), {"tools"}),
    ("file_search max results", file_search_settings({"max_num_results": 20}), {"tools"}),
    ("file_search ranking threshold", file_search_settings(
        {"max_num_results": 8, "ranking_options": {"score_threshold": 0.4}}), {"tools"}),
    # `auto` accepts the ranker the server holds (issue 22 item 2; DESIGN "Diff and plan")
    ("ranker written as auto", ranking({"ranker": "auto", "score_threshold": 0.5}), set()),
    ("ranker pin removed", ranking({"score_threshold": 0.5}), set()),
    ("ranker pinned the same, threshold 0", ranking({"ranker": "default_2024_08_21",
                                                     "score_threshold": 0}), {"tools"}),
    ("tools reordered and one changed",
     both(reorder_tools, fn("list_vendors", description="Vendors.")), {"tools"}),
    ("tool part ignored and edited", both(IGNORE_LOOKUP, fn("lookup_invoice",
                                                            description="Edited.")), set()),
    ("tool part ignored while tools change",
     both(IGNORE_LOOKUP, fn("lookup_invoice", description=None),
          fn("list_vendors", description="Vendors.")), {"tools"}),
    ("code_interpreter with files added", add_code_interpreter, {"tools", "tool_resources"}),
    ("vector store swapped", set_("tool_resources.file_search.vector_store_ids", ["vs_new"]),
     {"tool_resources"}),
    ("vector store removed", drop("tool_resources"), {"tool_resources"}),
    ("file_search tool removed", remove_tool("file_search"), {"tools"}),
    ("reasoning_effort added", both(drop("temperature"), set_("model", "o3-mini"),
                                    set_("reasoning_effort", "high")),
     {"model", "temperature", "metadata", "reasoning_effort"}),
    ("protect turned on", set_("protect", True), {"metadata"}),
    ("name and temperature together", both(set_("name", "FinBot"), set_("temperature", 0.1)),
     {"name", "temperature"}),
]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    handle = start_server(tmp_path_factory.mktemp("server"))
    env = {"OPENAI_API_KEY": "sk-e2e-key", "ASSISTANTS_ENDPOINT": handle.base_url,
           "ASSISTANTS_OWNER": "e2e"}
    yield handle, env
    handle.stop()


def write_config(folder: Path, doc: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "assistant.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))


@pytest.mark.parametrize("name,edit,fields", EDITS, ids=[e[0] for e in EDITS])
def test_edit_plans_exactly_its_fields_and_converges(world, tmp_path, name, edit, fields):
    handle, env = world
    key = "k-" + "".join(c if c.isalnum() else "-" for c in name)[:60]
    doc = {"key": key, **copy.deepcopy(BASE)}
    write_config(tmp_path, doc)
    (tmp_path / "prompt.md").write_text(PROMPT)
    (tmp_path / "params.json").write_text(json.dumps(PARAMS))
    created = run_cli(["apply", str(tmp_path), "--auto-approve", "--only", key], env=env)
    assert created.exit_code == 0, created.output

    edit(doc, tmp_path)
    write_config(tmp_path, doc)
    plan_file = tmp_path / "plan.json"
    planned = run_cli(["plan", str(tmp_path), "--only", key, "--out", str(plan_file)], env=env)
    assert planned.exit_code == 0, planned.output
    plan = json.loads(plan_file.read_text())
    (change,) = plan["changes"]
    if not fields:
        assert change["action"] == "noop", planned.stdout
        assert "No changes." in planned.stdout
        return
    assert change["action"] == "update"
    assert set(change["fields"]) == fields
    assert set(change["body"]) == fields
    if "tools" in fields:  # sent in the config's order, ignored parts as the server has them
        assert [tool_ident(t) for t in change["body"]["tools"]] == [
            tool_ident(t) for t in doc["tools"]]
        if "ignore_changes" in doc:
            assert function(change["body"], "lookup_invoice")["description"] == "Find one."

    before = len(handle.log_entries())
    applied = run_cli(["apply", "--plan", str(plan_file)], env=env)
    assert applied.exit_code == 0, applied.output
    writes = [e for e in handle.log_entries()[before:] if e["method"] == "POST"]
    assert [(e["path"], e["body"]) for e in writes] == [
        (f"/v1/assistants/{change['id']}", change["body"])
    ]

    again = run_cli(["plan", str(tmp_path), "--only", key, "--detailed-exitcode"], env=env)
    assert again.exit_code == 0, again.stdout
    assert "No changes. 1 assistant match the config." in again.stdout
