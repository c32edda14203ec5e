"""Matching desired assistants to live ones (pure).

In order: an explicit `id:`, then this owner's marker with the same key, else create. Live
assistants carrying this owner's marker that nothing matched are orphans (deleted only with
`--prune`, never when protected); assistants of another owner are never touched without
`--takeover`; the rest are unmanaged and only counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistants.errors import PlanError
from reconciler.desired import DesiredAssistant
from reconciler.live import LiveAssistant, records


@dataclass(frozen=True)
class Pair:
    """A desired assistant and the live one it maps to (None: to be created)."""

    desired: DesiredAssistant
    live: LiveAssistant | None
    note: str | None = None


@dataclass(frozen=True)
class Matching:
    pairs: tuple[Pair, ...]
    orphans: tuple[LiveAssistant, ...]  # this owner's, absent from the config
    unmanaged: int  # no marker of ours or anyone's
    foreign: int  # another owner's marker, left alone
    notes: tuple[str, ...] = field(default=())


def match(
    desired: Sequence[DesiredAssistant],
    live: Iterable[LiveAssistant | Mapping[str, Any]],
    owner: str,
    *,
    takeover: bool = False,
) -> Matching:
    """Pair each desired assistant with at most one live assistant (records, or API objects);
    classify the rest."""
    live = records(live)
    by_id = {a.id: a for a in live}
    by_key: dict[str, list[LiveAssistant]] = {}
    for assistant in live:
        if assistant.marker and assistant.marker.owner == owner:
            by_key.setdefault(assistant.marker.key, []).append(assistant)

    used: set[str] = set()
    pairs: list[Pair] = []
    conflicts: list[str] = []
    notes: list[str] = []
    for want in desired:
        found: LiveAssistant | None = None
        note = None
        if want.id and want.id in used:
            conflicts.append(f"{want.key} ({want.source}) claims id {want.id}, already claimed")
        elif want.id and want.id in by_id:
            found = by_id[want.id]
        elif want.id:
            note = f"{want.key}: id {want.id} (at {want.source}) was not found on the server"
        if found is None:
            candidates = [a for a in by_key.get(want.key, ()) if a.id not in used]
            found = candidates[0] if candidates else None
        if found is not None:
            marker = found.marker
            if marker and marker.owner != owner and not takeover:
                conflicts.append(
                    f"{want.key} ({want.source}) is {found.id}, owned by `{marker.owner}`"
                )
            used.add(found.id)
        if note:
            notes.append(note + ("; matched by its marker" if found else "; it will be created"))
        pairs.append(Pair(want, found, note))
    if conflicts:
        raise PlanError(
            "refusing to plan (another owner's assistants need --takeover; an id belongs to one "
            "document): " + "; ".join(conflicts)
        )

    orphans, unmanaged, foreign = [], 0, 0
    for assistant in live:
        if assistant.id in used:
            continue
        if assistant.marker is None:
            unmanaged += 1
        elif assistant.marker.owner == owner:
            orphans.append(assistant)
        else:
            foreign += 1
    return Matching(tuple(pairs), tuple(orphans), unmanaged, foreign, tuple(notes))
