"""The document keys of environments and fleets in the JSON Schema (schema.py): `environments`,
`overrides`, `for_each`, `for_each_file`. Read by the loader (environments.py, fleet.py) and
removed before a document is validated as an assistant, so `AssistantSpec` does not know them."""

from __future__ import annotations

import copy
from typing import Any

EACH = r"\$\{each\.[A-Za-z_][A-Za-z0-9_-]*\}"


def add_environment_keys(schema: dict[str, Any]) -> None:
    """Add the four keys to the schema of one document, in place."""
    props = schema["properties"]
    fields = {k: copy.deepcopy(v) for k, v in props.items() if k != "key"}
    props["environments"] = {
        "type": "array", "items": {"type": "string"}, "uniqueItems": True,
        "description": "Environments (of assistants.project.yaml) where this assistant exists; "
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
        "description": "A fleet: one assistant per item; ${each.FIELD} is replaced in every "
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
