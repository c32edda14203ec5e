"""`Plan`: every change for one config against one live world, frozen, sorted and serialisable.

`build_plan` is pure (values in, a value out). The same inputs give byte-identical JSON: changes
are sorted by key then id, and every mapping inside them by key. A saved plan carries the config's
sha256 and each target's live sha256 so that apply can refuse a stale one.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from assistants.errors import PlanError, TooManyDeletesError
from reconciler.change import Action, Change
from reconciler.diff import plan_create, plan_delete, plan_update
from reconciler.live import LiveAssistant, records
from reconciler.loader import Config
from reconciler.matching import match

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Orphan:
    """One of this owner's assistants that the config no longer names, and is not deleting."""

    key: str
    id: str
    reason: str


@dataclass(frozen=True)
class Plan:
    endpoint: str
    owner: str
    paths: tuple[str, ...]
    config_sha256: str
    changes: tuple[Change, ...]
    orphans: tuple[Orphan, ...] = ()
    unmanaged: int = 0
    foreign: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def summary(self) -> dict[str, int]:
        counts = Counter(c.action for c in self.changes)
        return {str(a): counts.get(a, 0) for a in Action}

    @property
    def pending(self) -> tuple[Change, ...]:
        """The changes that write something."""
        return tuple(c for c in self.changes if c.action is not Action.NOOP)

    def to_json(self) -> str:
        data = {
            "format_version": FORMAT_VERSION,
            "endpoint": self.endpoint,
            "owner": self.owner,
            "paths": list(self.paths),
            "config_sha256": self.config_sha256,
            "changes": [sorted_keys(c.to_dict()) for c in self.changes],
            "orphans": [vars(o) for o in self.orphans],
            "unmanaged": self.unmanaged,
            "foreign": self.foreign,
            "notes": list(self.notes),
            "summary": self.summary,
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str, source: str = "plan") -> Plan:
        try:
            data = json.loads(text)
            if data.get("format_version") != FORMAT_VERSION:
                raise PlanError(
                    f"{source}: plan format {data.get('format_version')!r} is not "
                    f"{FORMAT_VERSION}; make the plan again with this version of the tool"
                )
            return cls(
                endpoint=data["endpoint"],
                owner=data["owner"],
                paths=tuple(data["paths"]),
                config_sha256=data["config_sha256"],
                changes=tuple(Change.from_dict(c) for c in data["changes"]),
                orphans=tuple(Orphan(**o) for o in data.get("orphans", [])),
                unmanaged=data.get("unmanaged", 0),
                foreign=data.get("foreign", 0),
                notes=tuple(data.get("notes", [])),
            )
        except PlanError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            raise PlanError(f"{source}: not a plan file this tool wrote ({err})") from None


def build_plan(
    config: Config,
    live: Iterable[LiveAssistant | Mapping[str, Any]],
    owner: str,
    *,
    endpoint: str,
    prune: bool = False,
    only: Sequence[str] = (),
    takeover: bool = False,
) -> Plan:
    """Pure: the plan that makes `live` (records from `read_live`, or API objects) look like
    `config`."""
    wanted = set(only)
    matching = match(config.assistants, records(live), owner, takeover=takeover)
    orphan_keys = {a.marker.key for a in matching.orphans if a.marker}
    unknown = wanted - {d.key for d in config.assistants} - orphan_keys
    if unknown:
        raise PlanError(f"--only names keys that are neither in the config nor on the server: "
                        f"{', '.join(sorted(unknown))}")
    changes: list[Change] = []
    for pair in matching.pairs:
        if wanted and pair.desired.key not in wanted:
            continue
        if pair.live is None:
            changes.append(plan_create(pair.desired, owner))
        else:
            changes.append(plan_update(pair.desired, pair.live, owner))

    orphans: list[Orphan] = []
    kept = {p.desired.key: p.live.id for p in matching.pairs if p.live}
    by_key = {d.key: d for d in config.assistants}
    for assistant in matching.orphans:
        marker = assistant.marker
        key, ident = (marker.key if marker else "?"), assistant.id
        if wanted and key not in wanted:
            continue
        if marker and marker.protect:
            orphans.append(Orphan(key, ident, "protected: never deleted"))
        elif not config.assistants:
            orphans.append(Orphan(key, ident, "the config holds no assistants: nothing is deleted"))
        elif prune:
            changes.append(replace(plan_delete(assistant, by_key.get(key), owner),
                                   reason=delete_reason(key, kept)))
        elif key in kept:
            orphans.append(Orphan(key, ident, f"a second assistant for `{key}`, which is "
                                  f"{kept[key]}; --prune deletes this copy"))
        else:
            orphans.append(Orphan(key, ident, "not in the config; --prune deletes it"))

    creating = {c.key for c in changes if c.action is Action.CREATE}
    notes = [*matching.notes, *owner_hints(matching.held_elsewhere, creating, owner)]
    return Plan(
        endpoint=endpoint,
        owner=owner,
        paths=config.paths,
        config_sha256=config.config_sha256,
        changes=tuple(sorted(changes, key=lambda c: (c.key, c.id or ""))),
        orphans=tuple(sorted(orphans, key=lambda o: (o.key, o.id))),
        unmanaged=matching.unmanaged,
        foreign=matching.foreign,
        notes=tuple(notes),
    )


def delete_reason(key: str, kept: Mapping[str, str]) -> str:
    """Why this owner's assistant with `key` is deleted: `kept` maps the config's keys to the
    live assistant each one keeps."""
    if key in kept:
        return f"a second copy of `{key}`; the kept one is {kept[key]}"
    return "removed from the config"


def owner_hints(held: Iterable[tuple[str, str]], creating: set[str], owner: str) -> list[str]:
    """One note per other owner whose markers carry keys this plan creates: a mistyped owner
    would otherwise create the whole fleet again, silently."""
    by_owner: dict[str, list[str]] = {}
    for other, key in held:
        if key in creating:
            by_owner.setdefault(other, []).append(key)
    return [f"owner `{other}` already has {len(keys)} of the {len(creating)} keys this plan "
            f"creates under owner `{owner}` ({_some(keys)}): if they are yours, pass "
            f"--owner {other}; to adopt them, give each document its `id:` and pass --takeover"
            for other, keys in sorted(by_owner.items())]


def _some(keys: Sequence[str], shown: int = 5) -> str:
    """`a, b, c` or `a, b, c, d, e and 7 more`."""
    keys = sorted(keys)
    more = f" and {len(keys) - shown} more" if len(keys) > shown else ""
    return ", ".join(keys[:shown]) + more


def check_deletes(plan: Plan, max_deletes: int) -> None:
    """Raise before any write when the plan deletes more than allowed."""
    count = plan.summary[Action.DELETE]
    if count > max_deletes:
        raise TooManyDeletesError(count, max_deletes)


def sorted_keys(value: Any) -> Any:
    """`value` with every mapping's keys sorted, recursively: deterministic JSON."""
    if isinstance(value, dict):
        return {k: sorted_keys(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [sorted_keys(v) for v in value]
    return value
