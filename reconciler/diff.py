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
from reconciler.change import Action, Change
from reconciler.desired import DesiredAssistant
from reconciler.identity import (
    desired_fields,
    form_sha256,
    live_marker,
    marker_value,
    write_only_values,
)

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
    """Digest of the live assistant's canonical form (identity.form_sha256): volatile fields
    don't make a plan stale."""
    return form_sha256(canonical(live))


class LiveStub(dict[str, Any]):
    """What is kept of a live assistant once its page is taken in: its id, `created_at` and
    marker (all that matching reads), its canonical form and digest being in `Forms`."""


class Forms:
    """What planning needs of each live assistant, worked out as its page arrives (so that
    `build_plan` has little left to do but compare): its canonical form and digest, kept with
    a `LiveStub` of it (`take`); once the config is known, for most, only the stub (`settle`,
    `forget`; live_intake.py decides). The form of an assistant not taken is worked out when
    asked for."""

    def __init__(self) -> None:
        # id(obj) -> (obj, ...): holding `obj` keeps its id from being reused meanwhile.
        self._live: dict[int, tuple[Mapping[str, Any], dict[str, Any], str]] = {}
        self._settled: dict[int, tuple[Mapping[str, Any], DesiredAssistant, str]] = {}

    def take(self, live: Mapping[str, Any]) -> Mapping[str, Any]:
        """What to keep of `live` instead of it: its stub, with its form and digest kept here;
        `live` itself when a field is malformed (`build_plan` meets it again and says so)."""
        try:
            form = canonical(live)
            sha = form_sha256(form)
        except Exception:
            return live
        stub = _stub(live)
        self._live[id(stub)] = (stub, form, sha)
        return stub

    def live(self, live: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
        """The canonical form of `live` (or of what its stub stands for) and its digest."""
        known = self._live.get(id(live))
        if known is not None and known[0] is live:
            return known[1], known[2]
        if isinstance(live, LiveStub):
            raise AssertionError(f"the form of {live.get('id')} was forgotten")
        form = canonical(live)
        return form, form_sha256(form)

    def digest(self, live: Mapping[str, Any]) -> str | None:
        """The digest of what `take` returned, while its form is kept."""
        known = self._live.get(id(live))
        return known[2] if known is not None and known[0] is live else None

    def settle(self, stub: Mapping[str, Any], desired: DesiredAssistant) -> Mapping[str, Any]:
        """`stub` (from `take`) is what `desired` asks for (its digest is
        `desired.form_sha256(owner)`): `build_plan` pairs them as a noop, without the form."""
        sha = self._live.pop(id(stub))[2]
        self._settled[id(stub)] = (stub, desired, sha)
        return stub

    def forget(self, live: Mapping[str, Any]) -> Mapping[str, Any]:
        """A stub of `live` (or of what `take` returned) without its form: for an assistant
        that planning will only count or name."""
        self._live.pop(id(live), None)
        return live if isinstance(live, LiveStub) else _stub(live)

    def settled(self, live: Mapping[str, Any]) -> tuple[DesiredAssistant, str] | None:
        """The desired assistant a stub from `settle` is a noop for, and its digest."""
        known = self._settled.get(id(live))
        return (known[1], known[2]) if known is not None and known[0] is live else None


def _stub(live: Mapping[str, Any]) -> LiveStub:
    stub = LiveStub(id=live.get("id"))
    if "created_at" in live:  # matching takes the oldest of a key's copies
        stub["created_at"] = live["created_at"]
    marker = marker_value(live)
    if marker is not None:
        stub["metadata"] = {MARKER_KEY: marker}
    return stub


def desired_form(desired: DesiredAssistant, owner: str) -> dict[str, Any]:
    """`canonical(desired_fields(spec, owner))`: what the API should hold."""
    return canonical(desired_fields(desired.spec, owner))


def plan_create(desired: DesiredAssistant, owner: str) -> Change:
    after = desired_form(desired, owner)
    body = {**after, **write_only_values(desired.spec)}
    return Change(Action.CREATE, desired.key, None, tuple(body), None, body, body, None,
                  desired.source)


def plan_update(desired: DesiredAssistant, live: Mapping[str, Any], owner: str,
                forms: Forms | None = None) -> Change:
    """An update with the minimal body, or a noop."""
    forms = forms or _NO_FORMS
    live_id = str(live.get("id"))
    settled = forms.settled(live)
    if settled is not None:  # found a noop as its page arrived (live_intake.py)
        if settled[0] is not desired:
            raise AssertionError(f"{live_id} was settled for another assistant than "
                                 f"{desired.key}")
        return Change(Action.NOOP, desired.key, live_id, live_sha256=settled[1],
                      source=desired.source)
    live_form, sha = forms.live(live)
    if not desired.ignore_changes and sha == desired.form_sha256(owner):
        return Change(Action.NOOP, desired.key, live_id, live_sha256=sha, source=desired.source)
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
    marker = live_marker(live)
    write_only = None
    if desired.write_only_digest != (marker.write_only_digest if marker else None):
        wanted = write_only_values(spec)
        write_only = {name: wanted.get(name) for name in WRITE_ONLY_FIELDS}
    return update_between(desired.key, live_id, want, live_form, write_only, desired.source,
                          sha)


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
