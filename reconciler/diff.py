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

from assistants.canonical import MANAGED_FIELDS, WRITE_ONLY_FIELDS, canonical, sha256_of
from assistants.models import MARKER_KEY
from reconciler.change import Action, Change
from reconciler.identity import desired_fields, live_marker, parse_marker, write_only_values
from reconciler.loader import DesiredAssistant

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
    """Hash of the live assistant's canonical form: volatile fields don't make a plan stale."""
    return sha256_of(canonical(live))


class Forms:
    """Canonical forms worked out once: each live assistant's with its sha256, and each desired
    assistant's for the owner. `make_plan` adds them while the listing is still in flight
    (plan_inputs.py), so that `build_plan` has little left to do but compare; a form not added
    is worked out when asked for."""

    def __init__(self) -> None:
        # id(obj) -> (obj, ...): holding `obj` keeps its id from being reused meanwhile.
        self._live: dict[int, tuple[Mapping[str, Any], dict[str, Any], str]] = {}
        self._desired: dict[int, tuple[DesiredAssistant, str, dict[str, Any]]] = {}

    def add_live(self, live: Mapping[str, Any]) -> None:
        try:
            form = canonical(live)
            sha = sha256_of(form)
        except Exception:  # a malformed field: `live` meets it again in build_plan and raises
            return
        self._live[id(live)] = (live, form, sha)

    def live(self, live: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
        """The canonical form of `live` and its sha256."""
        known = self._live.get(id(live))
        if known is not None and known[0] is live:
            return known[1], known[2]
        form = canonical(live)
        return form, sha256_of(form)

    def add_desired(self, desired: DesiredAssistant, owner: str) -> None:
        self._desired[id(desired)] = (desired, owner, _desired_form(desired, owner))

    def desired(self, desired: DesiredAssistant, owner: str) -> dict[str, Any]:
        """`canonical(desired_fields(spec, owner))`; the caller must not change it."""
        known = self._desired.get(id(desired))
        if known is not None and known[0] is desired and known[1] == owner:
            return known[2]
        return _desired_form(desired, owner)


def _desired_form(desired: DesiredAssistant, owner: str) -> dict[str, Any]:
    return canonical(desired_fields(desired.spec, owner))


def plan_create(desired: DesiredAssistant, owner: str, forms: Forms | None = None) -> Change:
    spec = desired.spec
    after = (forms or _NO_FORMS).desired(desired, owner)
    body = {**after, **write_only_values(spec)}
    return Change(Action.CREATE, spec.key, None, tuple(body), None, body, body, None,
                  desired.source)


def plan_update(desired: DesiredAssistant, live: Mapping[str, Any], owner: str,
                forms: Forms | None = None) -> Change:
    """An update with the minimal body, or a noop."""
    spec = desired.spec
    forms = forms or _NO_FORMS
    live_form, sha = forms.live(live)
    want = forms.desired(desired, owner)
    marker_value = want["metadata"][MARKER_KEY]
    if spec.ignore_changes:
        want = dict(want)
        for path in spec.ignore_changes:
            _copy_path(live_form, want, path.split("."))
        want["metadata"] = dict(sorted({**want.get("metadata", {}),
                                        MARKER_KEY: marker_value}.items()))

    # Write-only fields are never returned: compare the digests the markers carry.
    marker = live_marker(live)
    wanted_digest = parse_marker(marker_value).write_only_digest  # type: ignore[union-attr]
    write_only = None
    if wanted_digest != (marker.write_only_digest if marker else None):
        wanted = write_only_values(spec)
        write_only = {name: wanted.get(name) for name in WRITE_ONLY_FIELDS}
    return update_between(spec.key, str(live.get("id")), want, live_form, write_only,
                          desired.source, sha)


_NO_FORMS = Forms()  # never added to: every form is worked out when asked for


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
        sha = sha256_of(live_form if type(live_form) is dict else dict(live_form))
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


def plan_delete(live: Mapping[str, Any], forms: Forms | None = None) -> Change:
    marker = live_marker(live)
    live_form, sha = (forms or _NO_FORMS).live(live)
    key = marker.key if marker else str(live.get("id"))
    return Change(Action.DELETE, key, str(live.get("id")), (), live_form, None, None, sha, None)


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
