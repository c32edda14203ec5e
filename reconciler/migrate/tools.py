"""The mapping of `tools` and `response_format` (AGENTS-FACTS.md, "From an assistant to an
agent"): function tools are flattened, file_search and code_interpreter have no agent
equivalent, and a json_schema response format becomes a json_schema text format."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ruamel.yaml.comments import CommentedMap

from reconciler.migrate.findings import Findings
from reconciler.migrate.yaml_edit import (
    is_flow,
    is_true,
    new_map,
    remove_item,
    remove_key,
    replace_key,
)

Rewrite = Callable[[str, str, CommentedMap], str]
"""A `*_file` path as the assistant document writes it (with its key and the mapping that holds
it, for errors) -> as the agent's does."""

SUPPLIED_DESCRIPTION = ""
"""An agent's function tool requires `description`; one the assistant left out becomes "": the
model sees what it saw before (the name and the parameters) and nothing is made up."""

SUPPLIED_PARAMETERS = (("type", "object"), ("properties", {}))
"""An agent's function tool requires `parameters`; a function without them takes no arguments,
which is this JSON Schema (the Assistants API's reading of absent parameters)."""

SUPPLIED_SCHEMA = (("type", "object"),)
"""A json_schema text format requires `schema`; an assistant's json_schema may omit it."""

SUGGEST = {
    "file_search": "agents have no file search: serve the documents through an MCP server tool "
                   "(`type: mcp`), or give them to the environment the agent runs in",
    "code_interpreter": "agents have no hosted code interpreter: run code through an MCP server "
                        "tool, or a function tool your application executes",
    "tool_resources.file_search": "the vector stores stay on the server: reach them through "
                                  "the tool that replaces file_search (an MCP server)",
    "tool_resources.code_interpreter": "the files stay on the server: hand them to the tool "
                                       "that replaces code_interpreter",
    "function.strict": "agent function tools have no `strict`: check the arguments where the "
                       "function runs",
    "json_object": "write a json_schema text format instead: `text: {format: {type: "
                   "json_schema, schema: {...}}}` (or `schema_file:`)",
    "json_schema.strict": "a json_schema text format has no `strict`: check the output against "
                          "the schema in the application if it must match exactly",
    "json_schema.name": "a json_schema text format holds only `schema`: keep the name as a "
                        "YAML comment or in the schema's `title`",
    "json_schema.description": "a json_schema text format holds only `schema`: put the "
                               "description in the schema's `description`",
    "partial": "an override that changes only part of `response_format` cannot be carried: "
               "write this environment's whole `text` format in its override",
    "text_over_schema": "in this environment the assistant had no json_schema format, but "
                        "the agent's document has one: give this environment its own agent "
                        "document, or drop the format",
}

_TEXT_LIKE = ("auto", "none", None)


def map_tools(m: CommentedMap, rewrite: Rewrite, f: Findings, prefix: str) -> None:
    """Flatten function tools; remove file_search and code_interpreter (lost, with their
    settings)."""
    tools = m["tools"]
    if not isinstance(tools, list):
        return
    gone: list[int] = []
    for i, tool in enumerate(tools):
        where = f"{prefix}tools[{i}]"
        kind = tool.get("type") if isinstance(tool, dict) else None
        if kind == "function" and isinstance(tool.get("function"), dict):
            tools[i] = _function(tool, where, rewrite, f)
        else:
            f.lose(where, tool, SUGGEST.get(str(kind)))
            gone.append(i)
    for i in reversed(gone):  # from the end: removing keeps the earlier indices
        remove_item(tools, i)
    if not tools and not prefix:
        remove_key(m, "tools")  # none left: the agent's default
        return
    f.carry(f"{prefix}tools")  # an override keeps `tools: []`: it still replaces the list


def _function(tool: CommentedMap, where: str, rewrite: Rewrite, f: Findings) -> CommentedMap:
    """`{type: function, function: {name, description, parameters, strict}}` ->
    `{type: function, name, description, parameters}`; comments kept with their keys."""
    function: CommentedMap = tool["function"]
    new = CommentedMap()
    new["type"] = tool["type"]
    if "type" in tool.ca.items:
        new.ca.items["type"] = tool.ca.items["type"]
    for key in function:
        value = function[key]
        if key == "strict":
            if is_true(value):
                f.lose(f"{where}.function.strict", True, SUGGEST["function.strict"])
            continue
        new[key] = rewrite(value, key, function) if key == "parameters_file" else value
        if key in function.ca.items:
            new.ca.items[key] = function.ca.items[key]
    name = function.get("name")
    if "description" not in new:
        _insert_after(new, "name", "description", SUPPLIED_DESCRIPTION)
        f.supply(f"{where}.description", SUPPLIED_DESCRIPTION,
                 f"an agent's function tool requires a description; `{name}` had none")
    if "parameters" not in new and "parameters_file" not in new:
        parameters = new_map(*SUPPLIED_PARAMETERS, flow=True)
        _insert_after(new, "description", "parameters", parameters)
        f.supply(f"{where}.parameters", dict(SUPPLIED_PARAMETERS),
                 f"an agent's function tool requires parameters; `{name}` takes none")
    if is_flow(tool) or (is_flow(function) and len(new) <= 3):
        new.fa.set_flow_style()
    f.carried.append(f"{where} function {name} -> flat function tool")
    return new


def _insert_after(m: CommentedMap, after: str, key: str, value: Any) -> None:
    keys = list(m)
    m.insert(keys.index(after) + 1 if after in keys else len(keys), key, value)


def map_response_format(m: CommentedMap, rewrite: Rewrite, f: Findings, prefix: str,
                        base_schema: bool) -> None:
    """`response_format` -> `text` (json_schema), nothing (text, auto, none), or a loss."""
    value = m["response_format"]
    where = f"{prefix}response_format"
    kind = value.get("type") if isinstance(value, dict) else value
    if kind in _TEXT_LIKE or kind == "text":
        if prefix and base_schema:
            f.lose(where, value, SUGGEST["text_over_schema"])
        else:
            f.notes.append(f"{where} {kind or 'null'}: the agent's default text format, "
                           "nothing to write")
        remove_key(m, "response_format")
    elif kind == "json_object":
        f.lose(where, value, SUGGEST["json_object"])
        remove_key(m, "response_format")
    elif kind == "json_schema" and isinstance(value.get("json_schema"), dict):
        replace_key(m, "response_format", "text", _text_format(value, where, rewrite, f))
    else:
        f.lose(where, value, SUGGEST["partial"])
        remove_key(m, "response_format")


def _text_format(value: CommentedMap, where: str, rewrite: Rewrite,
                 f: Findings) -> CommentedMap:
    schema: CommentedMap = value["json_schema"]
    fmt = CommentedMap()
    fmt["type"] = value["type"]
    if "schema_file" in schema:
        fmt["schema_file"] = rewrite(schema["schema_file"], "schema_file", schema)
        f.carry(f"{where}.json_schema.schema_file", "text.format.schema_file")
    elif "schema" in schema:
        fmt["schema"] = schema["schema"]
        f.carry(f"{where}.json_schema.schema", "text.format.schema")
    else:
        fmt["schema"] = new_map(*SUPPLIED_SCHEMA, flow=True)
        f.supply("text.format.schema", dict(SUPPLIED_SCHEMA),
                 "a json_schema text format requires a schema; the assistant's had none")
    for part in ("name", "description"):
        if schema.get(part) not in (None, ""):
            f.lose(f"{where}.json_schema.{part}", schema[part], SUGGEST[f"json_schema.{part}"])
    if is_true(schema.get("strict")):
        f.lose(f"{where}.json_schema.strict", True, SUGGEST["json_schema.strict"])
    flow = is_flow(value)
    if flow:
        fmt.fa.set_flow_style()
    return new_map(("format", fmt), flow=flow)


def is_json_schema(value: Any) -> bool:
    return isinstance(value, dict) and value.get("type") == "json_schema"

