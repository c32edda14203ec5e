"""`build_plan` (pure: values in, a value out): match the config's desired objects to the live
records of their kind, diff each pair, and gather the changes into a `Plan`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from assistants.kinds import Kind
from assistants.limits import METADATA_PAIRS_MAX
from reconciler.config.resolved import Desired, DesiredState
from reconciler.errors import PlanError, TooManyDeletesError
from reconciler.plan.change import Action, Change
from reconciler.plan.diff import plan_create, plan_delete, plan_update
from reconciler.plan.live import LiveRecord
from reconciler.plan.matching import Matching, match
from reconciler.plan.model import Orphan, Plan
from reconciler.words import count_kinds


def build_plan(
    state: DesiredState,
    live: Iterable[LiveRecord],
    *,
    endpoint: str,
    prune: bool = False,
    only: Sequence[str] = (),
    takeover: bool = False,
) -> Plan:
    """Pure: the plan that makes `live` (records of every kind listed) look like `state`."""
    owner = state.owner
    by_kind: dict[Kind, list[LiveRecord]] = {}
    for record in live:
        by_kind.setdefault(record.kind, []).append(record)
    kinds = sorted({*by_kind, *state.kinds()}, key=lambda k: k.name)
    matchings = {kind: match([d for d in state.desired if d.kind is kind], by_kind.get(kind, []),
                             owner, takeover=takeover) for kind in kinds}
    wanted = set(only)
    known = {(d.kind.name, d.key) for d in state.desired} | {
        (kind.name, a.marker.key) for kind, m in matchings.items() for a in m.orphans if a.marker}
    unknown = wanted - {key for _, key in known} - {f"{name}:{key}" for name, key in known}
    if unknown:
        raise PlanError(f"--only names keys that are neither in the config nor on the server: "
                        f"{', '.join(sorted(unknown))}")
    changes: list[Change] = []
    orphans: list[Orphan] = []
    for kind, matching in matchings.items():
        for pair in matching.pairs:
            if not selected(kind, pair.desired.key, wanted):
                continue
            changes.append(plan_create(pair.desired) if pair.live is None
                           else plan_update(pair.desired, pair.live))
        _orphans(kind, matching, state, prune, wanted, changes, orphans)

    creating = [(c.kind, c.key) for c in changes if c.action is Action.CREATE]
    notes_of_bodies = [note for c in changes if (note := _metadata_overflow(c))]
    held = [(kind.name, *h) for kind, m in matchings.items() for h in m.held_elsewhere]
    notes = [*(n for m in matchings.values() for n in m.notes),
             *owner_hints(held, creating, owner), *notes_of_bodies]
    return Plan(
        endpoint=endpoint,
        owner=owner,
        paths=state.paths,
        config_sha256=state.config_sha256,
        changes=tuple(sorted(changes, key=lambda c: (c.key, c.kind, c.id or ""))),
        orphans=tuple(sorted(orphans, key=lambda o: (o.key, o.kind, o.id))),
        unmanaged=sum(m.unmanaged for m in matchings.values()),
        foreign=sum(m.foreign for m in matchings.values()),
        notes=tuple(notes),
        environment=state.environment,
    )


def selected(kind: Kind, key: str, wanted: set[str]) -> bool:
    """Whether `--only` (`wanted`; empty: everything) names `key`, alone (every kind's) or as
    `KIND:key` (`agent:hr-helper`, that kind's only)."""
    return not wanted or key in wanted or f"{kind.name}:{key}" in wanted


def _orphans(kind: Kind, matching: Matching, state: DesiredState, prune: bool,
             wanted: set[str], changes: list[Change], orphans: list[Orphan]) -> None:
    """The owner's live objects of `kind` that no document matched: deletes with `prune`
    (never protected ones, never from a config with no documents), else orphans."""
    kept = {p.desired.key: p.live.id for p in matching.pairs if p.live}
    by_key: dict[str, Desired] = {d.key: d for d in state.desired if d.kind is kind}
    for record in matching.orphans:
        marker = record.marker
        key, ident = (marker.key if marker else "?"), record.id
        if not selected(kind, key, wanted):
            continue
        if marker and marker.protect:
            reason = "protected: never deleted"
        elif not state.desired:
            reason = "the config holds no documents: nothing is deleted"
        elif prune:
            changes.append(plan_delete(record, by_key.get(key), delete_reason(key, kept)))
            continue
        elif key in kept:
            reason = (f"a second {kind.name} for `{key}`, which is {kept[key]}; --prune "
                      "deletes this copy")
        else:
            reason = "not in the config; --prune deletes it"
        orphans.append(Orphan(key, ident, reason, kind.name))


def _metadata_overflow(change: Change) -> str | None:
    """A note when a body's metadata holds more pairs than the API takes: an object adopted
    with all 16 pairs used, whose `ignore_changes` keeps them beside the marker."""
    metadata = (change.body or {}).get("metadata")
    if not isinstance(metadata, Mapping) or len(metadata) <= METADATA_PAIRS_MAX:
        return None
    return (f"{change.key}: its metadata would hold {len(metadata)} pairs with the ownership "
            f"marker, and the API takes {METADATA_PAIRS_MAX}: the server will refuse the "
            f"{change.action}; remove a pair on the server, or stop ignoring `metadata`")


def delete_reason(key: str, kept: Mapping[str, str]) -> str:
    """Why this owner's object with `key` is deleted: `kept` maps the config's keys to the
    live object each one keeps."""
    if key in kept:
        return f"a second copy of `{key}`; the kept one is {kept[key]}"
    return "removed from the config"


def owner_hints(held: Iterable[tuple[str, str, str]], creating: Sequence[tuple[str, str]],
                owner: str) -> list[str]:
    """One note per other owner whose markers carry (kind, key)s this plan creates: a mistyped
    owner would otherwise create the whole fleet again, silently."""
    by_owner: dict[str, list[str]] = {}
    wanted = set(creating)
    for kind, other, key in held:
        if (kind, key) in wanted:
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
    kinds = [c.kind for c in plan.changes if c.action is Action.DELETE]
    if len(kinds) > max_deletes:
        raise TooManyDeletesError(len(kinds), max_deletes, count_kinds(kinds))
