"""Matching desired objects to live ones of the same kind (pure).

In order: every document's explicit `id:` first, then this owner's marker with the document's
key for the documents left (of several copies of one key, the oldest by `created_at`, then id;
the others are second copies), else create. So the result depends on neither the order of the
documents and files nor that of the listing. Live objects carrying this owner's marker that
nothing matched are orphans (deleted only with `--prune`, never when protected); objects of
another owner are never touched without `--takeover`; the rest are unmanaged and only counted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from reconciler.config.resolved import Desired
from reconciler.errors import PlanError
from reconciler.plan.live import LiveRecord


@dataclass(frozen=True)
class Pair:
    """A desired object and the live one it maps to (None: to be created)."""

    desired: Desired
    live: LiveRecord | None
    note: str | None = None


@dataclass(frozen=True)
class Matching:
    pairs: tuple[Pair, ...]
    orphans: tuple[LiveRecord, ...]  # this owner's, absent from the config
    unmanaged: int  # no marker of ours or anyone's
    foreign: int  # another owner's marker, left alone
    notes: tuple[str, ...] = field(default=())
    held_elsewhere: tuple[tuple[str, str], ...] = field(default=())
    """(owner, key), sorted: a key to be created that another owner's marker carries."""


def match(
    desired: Sequence[Desired],
    live: Sequence[LiveRecord],
    owner: str,
    *,
    takeover: bool = False,
) -> Matching:
    """Pair each desired object with at most one live record of its kind (`desired` and `live`
    are of one kind); classify the rest. Every explicit `id:` is resolved before any marker,
    and a key's copies are taken oldest first, so the result depends on neither the order of
    the documents nor that of the listing."""
    by_id = {a.id: a for a in live}
    found, notes, conflicts = _by_explicit_id(desired, by_id, owner, takeover)
    used = {a.id for a in found.values()}
    copies = _copies_by_key(live, owner)
    pairs: list[Pair] = []
    for index, want in enumerate(desired):
        paired = found.get(index)
        if paired is None:
            paired = next((a for a in copies.get(want.key, ()) if a.id not in used), None)
            if paired is not None:
                used.add(paired.id)
        pairs.append(Pair(want, paired, notes.get(index)))
    if conflicts:
        raise PlanError(
            "refusing to plan (another owner's objects need --takeover; an id belongs to one "
            "document): " + "; ".join(sorted(conflicts))
        )
    note_lines = sorted(
        note + ("; matched by its marker" if pair.live is not None else "; it will be created")
        for pair in pairs if (note := pair.note))
    orphans, unmanaged, foreign = [], 0, 0
    for obj in live:
        if obj.id in used:
            continue
        if obj.marker is None:
            unmanaged += 1
        elif obj.marker.owner == owner:
            orphans.append(obj)
        else:
            foreign += 1
    return Matching(tuple(pairs), tuple(orphans), unmanaged, foreign, tuple(note_lines),
                    _held_elsewhere(pairs, live, owner))


def _by_explicit_id(
    desired: Sequence[Desired],
    by_id: Mapping[str, LiveRecord],
    owner: str,
    takeover: bool,
) -> tuple[dict[int, LiveRecord], dict[int, str], list[str]]:
    """The documents' explicit `id:`s, resolved before any marker: {document index: live},
    {document index: note} for ids not found, and the conflicts (an id named twice, another
    owner's object without --takeover)."""
    found: dict[int, LiveRecord] = {}
    notes: dict[int, str] = {}
    conflicts: list[str] = []
    claimed: dict[str, Desired] = {}
    for index, want in enumerate(desired):
        if not want.id:
            continue
        if want.id not in by_id:
            notes[index] = f"{want.key}: id {want.id} (at {want.source}) was not found on the server"
            continue
        first = claimed.setdefault(want.id, want)
        if first is not want:
            one, two = sorted([(first.key, first.source), (want.key, want.source)])
            conflicts.append(f"{two[0]} ({two[1]}) claims id {want.id}, already claimed by "
                             f"{one[0]} ({one[1]})")
            continue
        obj = by_id[want.id]
        marker = obj.marker
        if marker and marker.owner != owner and not takeover:
            conflicts.append(f"{want.key} ({want.source}) is {want.id}, owned by `{marker.owner}`")
        found[index] = obj
    return found, notes, conflicts


def _copies_by_key(live: Sequence[LiveRecord], owner: str) -> dict[str, list[LiveRecord]]:
    """This owner's live objects by their marker's key, oldest first (`age`)."""
    copies: dict[str, list[LiveRecord]] = {}
    for obj in live:
        marker = obj.marker
        if marker and marker.owner == owner:
            copies.setdefault(marker.key, []).append(obj)
    for found in copies.values():
        found.sort(key=age)
    return copies


def age(live: LiveRecord) -> tuple[float, str]:
    """Sort key of copies of one key: `created_at`, then id. An object without a numeric
    `created_at` counts as the newest."""
    return (math.inf if live.created_at is None else live.created_at, live.id)


def _held_elsewhere(pairs: Sequence[Pair], live: Sequence[LiveRecord],
                    owner: str) -> tuple[tuple[str, str], ...]:
    """(owner, key) for each key to be created that another owner's marker carries: a
    mistyped owner would otherwise create the whole fleet again."""
    creating = {p.desired.key for p in pairs if p.live is None}
    return tuple(sorted({(a.marker.owner, a.marker.key) for a in live
                         if a.marker and a.marker.owner != owner and a.marker.key in creating}))
