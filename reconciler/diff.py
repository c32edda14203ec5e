"""Pure: a desired assistant and a live one in, a `Change` out, with the smallest body that makes
the live assistant equal to the desired one.

The canonical form compares; the body sends what the user wrote. Both sides are compared in the
canonical form (assistants/canonical.py), but a body is built from the values as written (after
`${VAR}` and `*_file` resolution, with ignored parts taken from the live assistant): tools in the
config's order, a pinned ranker as pinned, nested values as given. An update's body holds only
the changed top-level fields; `metadata`, `tools` and `tool_resources` are sent whole because
the API replaces them. A field the config no longer sets is reset: `null` for the nullable
scalars and for a removed write-only field, `"auto"` for response_format, `{}`/`[]` for the maps
and lists, and an explicit empty list for each `tool_resources` entry the live assistant still
has (whether the API would clear an entry left out is not documented, so it is never left to
chance).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assistants.canonical import (
    DEFAULT_RANKERS,
    MANAGED_FIELDS,
    RESOURCE_LISTS,
    WRITE_ONLY_FIELDS,
    canonical,
)
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
from reconciler.ignore import keep_ignored

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
    """What is kept of a live assistant once its page is taken in: its id and marker (all that
    matching reads), its canonical form and digest being in `Forms`."""


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
    marker = marker_value(live)
    if marker is not None:
        stub["metadata"] = {MARKER_KEY: marker}
    return stub


def plan_create(desired: DesiredAssistant, owner: str) -> Change:
    """A create whose body is the fields as written, the marker and the write-only fields."""
    written = desired_fields(desired.spec, owner)
    body = {**written, **write_only_values(desired.spec)}
    after = {**canonical(written), **write_only_values(desired.spec)}
    return Change(Action.CREATE, desired.key, None, tuple(after), None, after, body, None,
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
    written = desired_fields(spec, owner)
    if spec.ignore_changes:
        written = _with_marker(keep_ignored(written, live_form, spec.ignore_changes),
                               written["metadata"][MARKER_KEY])

    # Write-only fields are never returned: compare the digests the markers carry.
    marker = live_marker(live)
    write_only = None
    if desired.write_only_digest != (marker.write_only_digest if marker else None):
        wanted = write_only_values(spec)
        write_only = {name: wanted.get(name) for name in WRITE_ONLY_FIELDS}
    return update_between(desired.key, live_id, canonical(written), live_form, write_only,
                          desired.source, sha, written)


_NO_FORMS = Forms()  # never added to: every form is worked out when asked for


def update_between(
    key: str,
    live_id: str,
    want: Mapping[str, Any],
    live_form: Mapping[str, Any],
    write_only: Mapping[str, Any] | None = None,
    source: str | None = None,
    sha: str | None = None,
    written: Mapping[str, Any] | None = None,
) -> Change:
    """The update (or noop) that turns canonical `live_form` into canonical `want`, plus any
    write-only values to send; `sha` is `live_form`'s hash when already known. The body sends
    `written` (the API-shaped values `want` is the form of; `want` itself when None)."""
    sent = want if written is None else written
    want = adopt_default_ranker(want, live_form)
    # Both are canonical forms, so they hold managed fields only: equal means nothing differs.
    fields = [] if want == live_form else [f for f in MANAGED_FIELDS
                                           if want.get(f) != live_form.get(f)]
    if sha is None:
        sha = form_sha256(live_form)
    if not fields and not write_only:
        return Change(Action.NOOP, key, live_id, live_sha256=sha, source=source)
    body = {f: _target_value(f, sent, live_form) for f in fields}
    before = {f: live_form.get(f) for f in fields}
    after = {f: want.get(f) for f in fields}
    for name, value in (write_only or {}).items():
        fields.append(name)
        body[name] = value
        before[name] = None  # write-only: never readable
        after[name] = value
    return Change(Action.UPDATE, key, live_id, tuple(fields), before, after, body, sha, source)


def adopt_default_ranker(want: Mapping[str, Any], live_form: Mapping[str, Any]) -> Mapping[str, Any]:
    """`want` with a file_search tool's unpinned ranker read as the live one when that is a
    default ranker: a config that names no ranker accepts whichever default the server filled
    in (`auto` or `default_2024_08_21`), while a pinned ranker is compared as written."""
    ranking = _ranking_of(want)
    live_ranking = _ranking_of(live_form)
    if ranking is None or "ranker" in ranking or live_ranking is None:
        return want
    ranker = live_ranking.get("ranker")
    if ranker is None or ranker not in DEFAULT_RANKERS:
        return want
    tools = [_with_ranker(t, ranker) if isinstance(t, dict) and t.get("type") == "file_search"
             else t for t in want["tools"]]
    return {**want, "tools": tools}


def _ranking_of(form: Mapping[str, Any]) -> dict[str, Any] | None:
    """The canonical ranking options of `form`'s file_search tool (None: none or malformed)."""
    tools = form.get("tools")
    for tool in tools if isinstance(tools, list) else ():
        if isinstance(tool, dict) and tool.get("type") == "file_search":
            settings = tool.get("file_search")
            ranking = settings.get("ranking_options") if isinstance(settings, dict) else None
            return ranking if isinstance(ranking, dict) else None
    return None


def _with_ranker(tool: dict[str, Any], ranker: str) -> dict[str, Any]:
    settings = tool["file_search"]
    ranking = {**settings["ranking_options"], "ranker": ranker}
    return {**tool, "file_search": {**settings, "ranking_options": ranking}}


def _with_marker(written: dict[str, Any], marker: str) -> dict[str, Any]:
    """The ownership marker back in `written` after `ignore_changes` (an ignored `metadata`
    takes the live map, which an adopted assistant has without it)."""
    metadata = written.get("metadata")
    metadata = dict(metadata) if isinstance(metadata, Mapping) else {}
    metadata[MARKER_KEY] = marker
    return {**written, "metadata": metadata}


def plan_delete(live: Mapping[str, Any], forms: Forms | None = None) -> Change:
    marker = live_marker(live)
    live_form, sha = (forms or _NO_FORMS).live(live)
    key = marker.key if marker else str(live.get("id"))
    return Change(Action.DELETE, key, str(live.get("id")), (), live_form, None, None, sha, None)


def _target_value(field: str, sent: Mapping[str, Any], live: Mapping[str, Any]) -> Any:
    """What the body sends for a changed field: the value as written, else its reset value."""
    if field == "tool_resources":
        written = sent.get("tool_resources")
        target = dict(written) if isinstance(written, Mapping) else {}
        resources = live.get("tool_resources")
        for tool_type in resources if isinstance(resources, dict) else ():
            if tool_type not in target:
                target[tool_type] = {RESOURCE_LISTS[tool_type]: []}
        return target
    if field in sent:
        return sent[field]
    return RESET_VALUES[field]
