"""`build_plan` (pure: values in, a value out): match the config's desired assistants to the
live records, diff each pair, and gather the changes into a `Plan`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from assistants.errors import PlanError, TooManyDeletesError
from reconciler.plan.change import Action, Change
from reconciler.plan.diff import plan_create, plan_delete, plan_update
from reconciler.plan.live import LiveAssistant
from reconciler.plan.matching import match
from reconciler.plan.model import Orphan, Plan

if TYPE_CHECKING:  # the config's shape only: plan/ reads no files
    from reconciler.config.loader import Config


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
    matching = match(config.assistants, live, owner, takeover=takeover)
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
        environment=config.environment.name if config.environment else None,
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
