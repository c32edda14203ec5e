"""Ownership marker and the matching of desired assistants to live ones.

Every managed assistant carries one reserved metadata pair, `managed-by`, whose value is

    v1;owner=<owner>;key=<key>[;protect][;wo=<digest>]

- `owner` and `key` are `[A-Za-z0-9._-]{1,64}`, so the value stays far below the API's 512.
- `protect` is present when the document says `protect: true`: the assistant is never deleted,
  even after its document is removed (the marker is all that is left to say so).
- `wo` is the first 16 hex digits of the sha256 of the write-only fields (`reasoning_effort`):
  servers accept them but never return them, so the digest is how a plan tells they changed.

Matching, in order: an explicit `id:`, then this owner's marker with the same key, else create.
Live assistants carrying this owner's marker that nothing matched are orphans (deleted only with
`--prune`, never when protected); assistants of another owner are never touched without
`--takeover`; the rest are unmanaged and only counted.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistants.canonical import WRITE_ONLY_FIELDS, canonical_json, sha256_of, text_sha256
from assistants.errors import ConfigError, PlanError
from assistants.models import IDENT_PATTERN, MARKER_KEY, AssistantSpec

if TYPE_CHECKING:  # desired.py builds on this module
    from reconciler.desired import DesiredAssistant

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


def form_sha256(form: Mapping[str, Any]) -> str:
    """The digest a plan records of a canonical form (`diff.live_sha256`): the sha256 of the
    form without the ownership marker, joined with the marker (`marked_sha256`). Equal digests
    mean equal forms; and the digest of a desired assistant needs no form of its marker: the
    marker-less part is worked out from its spec (desired.py)."""
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


@dataclass(frozen=True)
class Pair:
    """A desired assistant and the live one it maps to (None: to be created)."""

    desired: DesiredAssistant
    live: Mapping[str, Any] | None
    note: str | None = None


@dataclass(frozen=True)
class Matching:
    pairs: tuple[Pair, ...]
    orphans: tuple[Mapping[str, Any], ...]  # this owner's, absent from the config
    unmanaged: int  # no marker of ours or anyone's
    foreign: int  # another owner's marker, left alone
    notes: tuple[str, ...] = field(default=())


def match(
    desired: Sequence[DesiredAssistant],
    live: Iterable[Mapping[str, Any]],
    owner: str,
    *,
    takeover: bool = False,
) -> Matching:
    """Pair each desired assistant with at most one live assistant; classify the rest."""
    live = list(live)
    by_id = {str(a.get("id")): a for a in live}
    markers = [live_marker(a) for a in live]  # each read once: a plan has thousands
    marker_of = {id(a): m for a, m in zip(live, markers, strict=True)}
    by_key: dict[str, list[Mapping[str, Any]]] = {}
    for assistant, marker in zip(live, markers, strict=True):
        if marker and marker.owner == owner:
            by_key.setdefault(marker.key, []).append(assistant)

    used: set[str] = set()
    pairs: list[Pair] = []
    conflicts: list[str] = []
    notes: list[str] = []
    for want in desired:
        found: Mapping[str, Any] | None = None
        note = None
        if want.id and want.id in used:
            conflicts.append(f"{want.key} ({want.source}) claims id {want.id}, already claimed")
        elif want.id and want.id in by_id:
            found = by_id[want.id]
        elif want.id:
            note = f"{want.key}: id {want.id} (at {want.source}) was not found on the server"
        if found is None:
            candidates = [a for a in by_key.get(want.key, ()) if str(a.get("id")) not in used]
            found = candidates[0] if candidates else None
        if found is not None:
            marker = marker_of[id(found)]
            if marker and marker.owner != owner and not takeover:
                conflicts.append(
                    f"{want.key} ({want.source}) is {found.get('id')}, owned by `{marker.owner}`"
                )
            used.add(str(found.get("id")))
        if note:
            notes.append(note + ("; matched by its marker" if found else "; it will be created"))
        pairs.append(Pair(want, found, note))
    if conflicts:
        raise PlanError(
            "refusing to plan (another owner's assistants need --takeover; an id belongs to one "
            "document): " + "; ".join(conflicts)
        )

    orphans, unmanaged, foreign = [], 0, 0
    for assistant, marker in zip(live, markers, strict=True):
        if str(assistant.get("id")) in used:
            continue
        if marker is None:
            unmanaged += 1
        elif marker.owner == owner:
            orphans.append(assistant)
        else:
            foreign += 1
    return Matching(tuple(pairs), tuple(orphans), unmanaged, foreign, tuple(notes))
