"""Pure: a desired assistant and a live one in, a `Change` out, with the smallest body that makes
the live assistant equal to the desired one.

Both sides are compared in the canonical form (assistants/canonical.py). An update's body holds
only the changed top-level fields; `metadata`, `tools` and `tool_resources` are sent whole because
the API replaces them. A field the config no longer sets is reset: `null` for the nullable
scalars, `"auto"` for response_format, `{}`/`[]` for the maps and lists, and an explicit empty
list for each `tool_resources` entry the live assistant still has (whether the API would clear an
entry left out is not documented, so it is never left to chance).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assistants.canonical import MANAGED_FIELDS, WRITE_ONLY_FIELDS, canonical
from assistants.models import MARKER_KEY
from reconciler.plan.change import Action, Change
from reconciler.plan.desired import DesiredAssistant
from reconciler.plan.live import LiveAssistant
from reconciler.plan.marker import desired_fields, form_sha256, write_only_values

RESET_VALUES: dict[str, Any] = {
    "name": None,
    "description": None,
    "instructions": None,
    "temperature": None,
    "top_p": None,
    "response_format": "auto",
    "metadata": {},
    "tools": [],
}


def live_sha256(live: Mapping[str, Any]) -> str:
    """Digest of an API object's canonical form (identity.form_sha256): volatile fields
    don't make a plan stale."""
    return form_sha256(canonical(live))


def desired_form(desired: DesiredAssistant, owner: str) -> dict[str, Any]:
    """`canonical(desired_fields(spec, owner))`: what the API should hold."""
    return canonical(desired_fields(desired.spec, owner))


def plan_create(desired: DesiredAssistant, owner: str) -> Change:
    after = desired_form(desired, owner)
    body = {**after, **write_only_values(desired.spec)}
    return Change(Action.CREATE, desired.key, None, tuple(body), None, body, body, None,
                  desired.source)


def plan_update(desired: DesiredAssistant, live: LiveAssistant, owner: str) -> Change:
    """An update with the minimal body, or a noop."""
    live_id, sha = live.id, live.sha256
    if not desired.ignore_changes and sha == desired.form_sha256(owner):
        return Change(Action.NOOP, desired.key, live_id, live_sha256=sha, source=desired.source)
    live_form = live.readable_form()
    spec = desired.spec
    want = desired_form(desired, owner)
    marker_value = want["metadata"][MARKER_KEY]
    if spec.ignore_changes:
        want = dict(want)
        for path in spec.ignore_changes:
            _copy_path(live_form, want, path.split("."))
        want["metadata"] = dict(sorted({**want.get("metadata", {}),
                                        MARKER_KEY: marker_value}.items()))

    # Write-only fields are never returned: compare the digests the markers carry.
    marker = live.marker
    write_only = None
    if desired.write_only_digest != (marker.write_only_digest if marker else None):
        wanted = write_only_values(spec)
        write_only = {name: wanted.get(name) for name in WRITE_ONLY_FIELDS}
    return update_between(desired.key, live_id, want, live_form, write_only, desired.source,
                          sha)


def update_between(
    key: str,
    live_id: str,
    want: Mapping[str, Any],
    live_form: Mapping[str, Any],
    write_only: Mapping[str, Any] | None = None,
    source: str | None = None,
    sha: str | None = None,
) -> Change:
    """The update (or noop) that turns canonical `live_form` into canonical `want`, plus any
    write-only values to send; `sha` is `live_form`'s hash when already known."""
    # Both are canonical forms, so they hold managed fields only: equal means nothing differs.
    fields = [] if want == live_form else [f for f in MANAGED_FIELDS
                                           if want.get(f) != live_form.get(f)]
    if sha is None:
        sha = form_sha256(live_form)
    if not fields and not write_only:
        return Change(Action.NOOP, key, live_id, live_sha256=sha, source=source)
    body = {f: _target_value(f, want, live_form) for f in fields}
    before = {f: live_form.get(f) for f in fields}
    after = {f: want.get(f) for f in fields}
    for name, value in (write_only or {}).items():
        fields.append(name)
        body[name] = value
        before[name] = None  # write-only: never readable
        after[name] = value
    return Change(Action.UPDATE, key, live_id, tuple(fields), before, after, body, sha, source)


def plan_delete(live: LiveAssistant, twin: DesiredAssistant | None = None,
                owner: str | None = None) -> Change:
    """The delete of `live`; `twin` is the document with its key, whose form it has when it
    was read without its own (live.FormNeed)."""
    marker = live.marker
    key = marker.key if marker else live.id
    if live.form is None and twin is not None and owner is not None:
        live_form: Mapping[str, Any] = desired_form(twin, owner)
    else:
        live_form = live.readable_form()
    return Change(Action.DELETE, key, live.id, (), dict(live_form), None, None, live.sha256,
                  None)


def _target_value(field: str, want: Mapping[str, Any], live: Mapping[str, Any]) -> Any:
    if field == "tool_resources":
        target = dict(want.get("tool_resources", {}))
        for tool_type, resource in live.get("tool_resources", {}).items():
            if tool_type not in target:
                target[tool_type] = {name: [] for name in resource}
        return target
    if field in want:
        return want[field]
    return RESET_VALUES[field]


def _copy_path(source: dict[str, Any], target: dict[str, Any], parts: list[str]) -> None:
    """Make `target` hold at `parts` what `source` holds there (absent stays absent): the
    desired value of an ignored field is whatever the live assistant has."""
    head, rest = parts[0], parts[1:]
    if not rest:
        if head in source:
            target[head] = source[head]
        else:
            target.pop(head, None)
        return
    sub_source = source.get(head)
    sub_target = target.get(head)
    if not isinstance(sub_source, dict):
        sub_source = {}
    sub_target = dict(sub_target) if isinstance(sub_target, dict) else {}
    _copy_path(sub_source, sub_target, rest)
    if sub_target:
        target[head] = sub_target
    else:
        target.pop(head, None)
