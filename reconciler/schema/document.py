"""The JSON Schema of one document, assistant or agent, for editors (yaml-language-server) and CI
linters.

Built from each kind's document model (`AssistantSpec`, `AgentSpec`, by alias), so it cannot
drift from the validator; then completed with what pydantic validators check in Python: `x` and
`x_file` are alternatives, the metadata key `managed-by` is reserved and at most 15 pairs are
allowed, and the keys of environments and fleets, which the loader reads before a document is
validated. A document with `kind: agent` is checked against the agent's schema, any other
against the assistant's. The loader remains the authority (it also checks files, variables and
uniqueness of keys across files): a document the schema accepts may still fail `assistants
validate`, but not the other way round for schema-level rules.
"""

from __future__ import annotations

import copy
from typing import Any

from assistants import limits
from assistants.canonical import MARKER_KEY
from reconciler.kinds.agent import AgentSpec
from reconciler.kinds.assistant import AssistantSpec
from reconciler.kinds.controls import DocumentSpec

SCHEMA_ID = "https://json-schema.org/draft/2020-12/schema"
EACH = r"\$\{each\.[A-Za-z_][A-Za-z0-9_-]*\}"
FILE_PAIRS = {  # per definition of each kind: the inline value and its `*_file` alternative
    "FunctionDefinition": ("parameters", "parameters_file"),
    "JsonSchemaFormat": ("schema", "schema_file"),
    "AgentFunctionTool": ("parameters", "parameters_file"),
    "AgentTextFormatJsonSchema": ("schema", "schema_file"),
}


def yaml_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of one YAML document of either kind."""
    assistant, assistant_defs = _kind_schema(AssistantSpec, "")
    agent, agent_defs = _kind_schema(AgentSpec, "Agent")
    schema: dict[str, Any] = {
        "$schema": SCHEMA_ID,
        "title": "Assistant or agent (assistants-reconciler)",
        "description": (
            "One OpenAI Assistants API v2 assistant, or with `kind: agent` one saved agent, as a "
            "YAML document managed by assistants-reconciler. Every field is managed: an omitted "
            "field means the API's default (for an agent's reasoning, text, service_tier and "
            "multi_agent: what the server resolves). Controls (`kind`, `key`, `id`, `protect`, "
            "`ignore_changes`) are read by the tool and never sent. `instructions_file`, "
            "`parameters_file` and `schema_file` name files relative to the YAML file. String "
            "values may use ${VAR} and ${VAR:-default}; write $${ for a literal ${. See "
            "docs/configuration.md."
        ),
        "type": "object",
        "if": {"properties": {"kind": {"const": "agent"}}, "required": ["kind"]},
        "then": {"$ref": "#/$defs/AgentDocument"},
        "else": {"$ref": "#/$defs/AssistantDocument"},
        "$defs": {**assistant_defs, **agent_defs, "AssistantDocument": assistant,
                  "AgentDocument": agent},
    }
    return schema


def _kind_schema(model: type[DocumentSpec], prefix: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The schema of one kind's document and its definitions (named with `prefix`)."""
    base = copy.deepcopy(model.model_json_schema(
        by_alias=True, mode="validation", ref_template=f"#/$defs/{prefix}{{model}}"))
    defs = {f"{prefix}{name}": value for name, value in base.pop("$defs", {}).items()}
    for name, (inline, file_key) in FILE_PAIRS.items():
        if name in defs:
            _one_of_pair(defs[name], inline, file_key)
    _one_of_pair(base, "instructions", "instructions_file")
    props = base["properties"]
    kind = model.KIND
    props["kind"] = {"const": kind.name, "description": "The kind of object: `assistant` (the "
                     "default) or `agent`."}
    metadata = props["metadata"]
    metadata["maxProperties"] = limits.METADATA_PAIRS_MAX - 1
    names = metadata.setdefault("propertyNames", {})
    names["not"] = {"const": MARKER_KEY}
    metadata["description"] = (
        f"Up to {limits.METADATA_PAIRS_MAX - 1} string pairs (the API allows "
        f"{limits.METADATA_PAIRS_MAX}; `{MARKER_KEY}` is reserved for the ownership marker). "
        "Quote numbers: values are strings."
    )
    props["key"]["description"] = (
        f"Stable identity of the {kind.name} in this repository, unique per kind: 1-64 "
        f"letters, digits, `.`, `_` or `-`. Renaming the {kind.name} keeps it."
    )
    props["model"]["description"] = "Model id, e.g. gpt-4o or o3-mini."
    props["tools"]["description"] = (
        f"At most {limits.TOOLS_MAX} tools; each type (and function name) once.")
    base.pop("title", None)
    add_environment_keys(base)
    return base, defs


def _one_of_pair(node: dict[str, Any], inline: str, file_key: str) -> None:
    """`inline` and `file_key` may not both be given."""
    node.setdefault("allOf", []).append({"not": {"required": [inline, file_key]}})


def add_environment_keys(schema: dict[str, Any]) -> None:
    """Add the four keys to the schema of one document, in place."""
    props = schema["properties"]
    fields = {k: copy.deepcopy(v) for k, v in props.items() if k != "key"}
    props["environments"] = {
        "type": "array", "items": {"type": "string"}, "uniqueItems": True,
        "description": "Environments (of assistants.project.yaml) where this object exists; "
                       "default: all.",
    }
    props["overrides"] = {
        "type": "object",
        "description": "Per environment, fields merged over this document (maps key by key, "
                       "lists and scalars replaced), e.g. `staging: {model: gpt-4o-mini}`.",
        "additionalProperties": {"type": "object", "properties": fields,
                                 "additionalProperties": False},
    }
    props["for_each"] = {
        "type": "array", "minItems": 1,
        "items": {"type": "object", "minProperties": 1,
                  "additionalProperties": {"type": ["string", "number", "boolean"]}},
        "description": "A fleet: one object per item; ${each.FIELD} is replaced in every "
                       "string of the document, keys included.",
    }
    props["for_each_file"] = {
        "type": "string",
        "description": "A fleet from a file relative to this one: CSV with a header row, or a "
                       "YAML/JSON list of maps.",
    }
    key = props["key"]
    key["anyOf"] = [{"pattern": key.pop("pattern")}, {"pattern": EACH}]
    schema.setdefault("allOf", []).append({"not": {"required": ["for_each", "for_each_file"]}})
