"""The ownership marker: its codec, the owner rule, and the API fields it is written into.

Every managed assistant carries one reserved metadata pair, `managed-by`, whose value is

    v1;owner=<owner>;key=<key>[;protect][;wo=<digest>]

- `owner` and `key` are `[A-Za-z0-9._-]{1,64}`, so the value stays far below the API's 512.
- `protect` is present when the document says `protect: true`: the assistant is never deleted,
  even after its document is removed (the marker is all that is left to say so).
- `wo` is the first 16 hex digits of the sha256 of the write-only fields (`reasoning_effort`):
  servers accept them but never return them, so the digest is how a plan tells they changed.

Matching assistants by these markers is matching.py's job; the digests of canonical forms are
assistants/canonical.py's.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assistants.canonical import WRITE_ONLY_FIELDS, sha256_of
from assistants.errors import ConfigError
from assistants.models import IDENT_PATTERN, MARKER_KEY, AssistantSpec

_IDENT = re.compile(IDENT_PATTERN)
MARKER_VERSION = "v1"


@dataclass(frozen=True)
class Marker:
    owner: str
    key: str
    protect: bool = False
    write_only_digest: str | None = None

    def __str__(self) -> str:
        parts = [MARKER_VERSION, f"owner={self.owner}", f"key={self.key}"]
        if self.protect:
            parts.append("protect")
        if self.write_only_digest:
            parts.append(f"wo={self.write_only_digest}")
        return ";".join(parts)


def parse_marker(value: Any) -> Marker | None:
    """The marker in a metadata value, or None when it is not one of ours (any version)."""
    if not isinstance(value, str) or not value.startswith(MARKER_VERSION + ";"):
        return None
    return _parse_marker(value)


@functools.lru_cache(maxsize=32768)
def _parse_marker(value: str) -> Marker | None:
    """Markers are parsed several times per plan (matching, diff, orphans): once suffices, as
    `Marker` is frozen."""
    fields: dict[str, str] = {}
    flags: set[str] = set()
    for part in value.split(";")[1:]:
        name, sep, text = part.partition("=")
        if sep:
            fields[name] = text
        else:
            flags.add(name)
    owner, key = fields.get("owner", ""), fields.get("key", "")
    if not (_IDENT.match(owner) and _IDENT.match(key)):
        return None
    return Marker(owner, key, "protect" in flags, fields.get("wo") or None)


def marker_value(live: Mapping[str, Any]) -> Any:
    """The value under the marker's key in `live`'s metadata, whatever it is (None: none)."""
    metadata = live.get("metadata")
    return metadata.get(MARKER_KEY) if isinstance(metadata, Mapping) else None


def live_marker(live: Mapping[str, Any]) -> Marker | None:
    return parse_marker(marker_value(live))


def write_only_values(spec: AssistantSpec) -> dict[str, Any]:
    return {f: getattr(spec, f) for f in WRITE_ONLY_FIELDS if getattr(spec, f) is not None}


def write_only_digest(values: Mapping[str, Any]) -> str | None:
    return sha256_of(dict(values))[:16] if values else None


def require_owner(owner: str | None, settings_source: str | None = None) -> str:
    """The owner, or a ConfigError saying how to set one."""
    if not owner:
        raise ConfigError(
            "no owner set: pass --owner NAME, set ASSISTANTS_OWNER, or put `owner: NAME` in "
            "assistants.project.yaml at the config root"
        )
    if not _IDENT.match(owner):
        where = f" (from {settings_source})" if settings_source else ""
        raise ConfigError(f"owner `{owner}`{where} must match [A-Za-z0-9._-]{{1,64}}")
    return owner


def desired_fields(spec: AssistantSpec, owner: str) -> dict[str, Any]:
    """What the API should hold for `spec`: its fields plus the ownership marker."""
    data = spec.api_fields()
    digest = write_only_digest(write_only_values(spec))
    marker = Marker(owner, spec.key, spec.protect, digest)
    data["metadata"] = {**data.get("metadata", {}), MARKER_KEY: str(marker)}
    return data
