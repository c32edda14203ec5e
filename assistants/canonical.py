"""What every kind's comparison shares: deterministic JSON, digests of canonical forms, the
ownership marker's metadata key, and how plans name a tool.

Each kind's canonical form (the one form in which a desired and a live object are compared) is
declared by its module in assistants/kinds/. The canonical form is for comparing only: bodies
are built from the values as the user wrote them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

MARKER_KEY = "managed-by"
"""The metadata key of the ownership marker (reconciler/marker.py)."""


def tool_ident(tool: Any) -> str:
    """How plans and `ignore_changes` name a tool: `function:<name>` (an assistant's function
    nests its name under `function`, an agent's has it at the top), `mcp:<server_label>`, or
    its type."""
    if not is_map(tool):
        return canonical_json(tool)
    kind = tool.get("type")
    if kind == "function":
        function = tool.get("function")
        if is_map(function):
            return f"function:{function.get('name')}"
        if "name" in tool:
            return f"function:{tool.get('name')}"
    if kind == "mcp" and "server_label" in tool:
        return f"mcp:{tool.get('server_label')}"
    return str(kind)


_CANONICAL_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value: Any) -> str:
    """Deterministic JSON text: sorted keys, no spaces, UTF-8 kept."""
    # One encoder for every call: `json.dumps` with options builds a new one each time.
    return _CANONICAL_ENCODER.encode(value)


def sha256_of(value: Any) -> str:
    return text_sha256(canonical_json(value))


def text_sha256(text: str) -> str:
    # A lone surrogate (JSON allows "\ud800") is hashed, not refused.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


EMPTY = (None, "", [], {})  # compared with `in`, never changed
"""The values that mean "not set" in a canonical form."""


def is_map(value: Any) -> bool:
    return type(value) is dict or isinstance(value, Mapping)


def drop_empty(mapping: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if v not in EMPTY}


def float_or_kept(value: Any) -> Any:
    """A number as a float (`1` equals `1.0`); any other value as it is."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


# -- digests: what plans record of a canonical form ------------------------------------------


def form_sha256(form: Mapping[str, Any]) -> str:
    """The digest a plan records of a canonical form (`live_sha256` in plans): the sha256 of
    the form without the ownership marker, joined with the marker (`marked_sha256`). Equal
    digests mean equal forms."""
    form = form if type(form) is dict else dict(form)
    metadata = form.get("metadata")
    if not isinstance(metadata, Mapping) or MARKER_KEY not in metadata:
        return marked_sha256(core_sha256(form), None)
    rest = {k: v for k, v in metadata.items() if k != MARKER_KEY}
    core = {k: v for k, v in form.items() if k != "metadata"}
    if rest:
        core["metadata"] = rest
    return marked_sha256(core_sha256(core), metadata[MARKER_KEY])


def core_sha256(form: Mapping[str, Any]) -> str:
    """The digest of a canonical form without its marker: the sha256 of its JSON with the
    instructions left out, joined with the sha256 of the instructions. (The instructions are
    most of an assistant, a few KB; hashing their text is a third of the cost of writing them
    out as JSON first, and a plan digests every live assistant.)"""
    form = form if type(form) is dict else dict(form)
    instructions = form.get("instructions")
    if not isinstance(instructions, str):  # none, or a server's odd value: part of the JSON
        return text_sha256(f"{canonical_json(form)}\n")
    rest = {k: v for k, v in form.items() if k != "instructions"}
    # JSON text holds no raw line break, so the line break separates the two parts.
    return text_sha256(f"{canonical_json(rest)}\n{text_sha256(instructions)}")


def marked_sha256(core_sha256: str, marker: Any) -> str:
    """The digest of a form whose marker-less part has digest `core_sha256` and whose marker
    value is `marker` (None: it has none)."""
    tail = "" if marker is None else canonical_json(marker)  # "" is no JSON text: no clash
    return text_sha256(f"{core_sha256}\n{tail}")
