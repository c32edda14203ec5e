"""The JSON Schema of one assistant document, for editors (yaml-language-server) and CI linters.

Built from `AssistantSpec` (by alias), so it cannot drift from the validator; then completed
with what pydantic validators check in Python: `x` and `x_file` are alternatives, the metadata
key `managed-by` is reserved and at most 15 pairs are allowed. The loader remains the authority
(it also checks files, variables and uniqueness of keys across files): a document the schema
accepts may still fail `assistants validate`, but not the other way round for schema-level rules.
"""

from __future__ import annotations

import copy
from typing import Any

from assistants import limits
from assistants.canonical import MARKER_KEY
from reconciler.config.schema_fleet import add_environment_keys
from reconciler.kinds.assistant import AssistantSpec

SCHEMA_ID = "https://json-schema.org/draft/2020-12/schema"


def yaml_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of one assistant YAML document."""
    base = copy.deepcopy(AssistantSpec.model_json_schema(by_alias=True, mode="validation"))
    schema: dict[str, Any] = {
        "$schema": SCHEMA_ID,
        "title": "Assistant (assistants-reconciler)",
        "description": (
            "One OpenAI Assistants API v2 assistant, as a YAML document managed by "
            "assistants-reconciler. Every field is managed: an omitted field means the API's "
            "default. Controls (`key`, `id`, `protect`, `ignore_changes`) are read by the tool "
            "and never sent. `instructions_file`, `parameters_file` and `schema_file` name files "
            "relative to the YAML file. String values may use ${VAR} and ${VAR:-default}; "
            "write $${ for a literal ${. See docs/configuration.md."
        ),
    }
    schema.update(base)
    props = schema["properties"]
    defs = schema.get("$defs", {})

    _one_of_pair(schema, "instructions", "instructions_file")
    if "FunctionDefinition" in defs:
        _one_of_pair(defs["FunctionDefinition"], "parameters", "parameters_file")
    if "JsonSchemaFormat" in defs:
        _one_of_pair(defs["JsonSchemaFormat"], "schema", "schema_file")

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
        "Stable identity of the assistant in this repository: 1-64 letters, digits, `.`, `_` "
        "or `-`. Renaming the assistant keeps it."
    )
    props["model"]["description"] = "Model id, e.g. gpt-4o or o3-mini."
    for name, text in (
        ("name", f"Display name, at most {limits.NAME_MAX} characters."),
        ("description", f"At most {limits.DESCRIPTION_MAX} characters."),
        ("instructions", f"System instructions, at most {limits.INSTRUCTIONS_MAX:,} characters."),
        ("tools", f"At most {limits.TOOLS_MAX} tools; each type (and function name) once."),
    ):
        props[name]["description"] = text
    add_environment_keys(schema)
    return schema


def _one_of_pair(node: dict[str, Any], inline: str, file_key: str) -> None:
    """`inline` and `file_key` may not both be given."""
    node.setdefault("allOf", []).append({"not": {"required": [inline, file_key]}})
