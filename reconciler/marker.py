"""The ownership marker: its codec and the owner rule (config writes markers, plan reads them).

Every managed object (assistant or agent) carries one reserved metadata pair, `managed-by`,
whose value is

    v1;owner=<owner>;key=<key>[;protect][;wo=<digest>][;set=<field>,...][;rd=<field>:<digest>,...]

- `owner` and `key` are `[A-Za-z0-9._-]{1,64}`, so the value stays far below the API's 512.
- `protect` is present when the document says `protect: true`: the assistant is never deleted,
  even after its document is removed (the marker is all that is left to say so).
- `wo` is the first 16 hex digits of the sha256 of the write-only fields (`reasoning_effort`):
  servers accept them but never return them, so the digest is how a plan tells they changed.
- `set` lists the server-resolved fields the document wrote (an agent's `reasoning`, `text`,
  ...): a document that omits one accepts what the server resolved, so only the marker can
  tell that a field was removed from the document, and must be reset.
- `rd` holds, per field (`tools`, `reasoning`, ...), the first 6 hex digits of the sha256 of
  the paths of the server-resolved parts the document wrote inside it
  (`tools.web_search.context_size`): when a field's digest changes, that field is sent again as
  written, so that a part removed from it is resolved anew by the server.

Matching assistants by these markers is matching.py's job; the digests of canonical forms are
assistants/canonical.py's.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assistants.canonical import MARKER_KEY, sha256_of
from reconciler.errors import ConfigError

IDENT_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"
"""What keys and owners are made of."""

_IDENT = re.compile(IDENT_PATTERN)
MARKER_VERSION = "v1"


@dataclass(frozen=True)
class Marker:
    owner: str
    key: str
    protect: bool = False
    write_only_digest: str | None = None
    written: tuple[str, ...] = ()  # the server-resolved fields the document set, sorted
    resolved: tuple[tuple[str, str], ...] = ()  # (field, digest of the resolved parts it set)

    def __str__(self) -> str:
        parts = [MARKER_VERSION, f"owner={self.owner}", f"key={self.key}"]
        if self.protect:
            parts.append("protect")
        if self.write_only_digest:
            parts.append(f"wo={self.write_only_digest}")
        if self.written:
            parts.append("set=" + ",".join(self.written))
        if self.resolved:
            parts.append("rd=" + ",".join(f"{name}:{digest}" for name, digest in self.resolved))
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
    written = tuple(sorted(f for f in fields.get("set", "").split(",") if f))
    resolved = tuple(sorted(tuple(item.split(":", 1)) for item in fields.get("rd", "").split(",")
                            if ":" in item))
    return Marker(owner, key, "protect" in flags, fields.get("wo") or None, written,
                  resolved)  # type: ignore[arg-type]


def marker_value(live: Mapping[str, Any]) -> Any:
    """The value under the marker's key in `live`'s metadata, whatever it is (None: none)."""
    metadata = live.get("metadata")
    return metadata.get(MARKER_KEY) if isinstance(metadata, Mapping) else None


def live_marker(live: Mapping[str, Any]) -> Marker | None:
    return parse_marker(marker_value(live))


def write_only_digest(values: Mapping[str, Any]) -> str | None:
    return sha256_of(dict(values))[:16] if values else None


def resolved_digests(paths: list[str]) -> tuple[tuple[str, str], ...]:
    """`paths` (`tools.mcp:docs.required`, ...) grouped by their field, each group digested."""
    groups: dict[str, list[str]] = {}
    for path in paths:
        groups.setdefault(path.split(".", 1)[0], []).append(path)
    return tuple((name, sha256_of(sorted(group))[:6]) for name, group in sorted(groups.items()))


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
