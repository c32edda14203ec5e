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
    form_sha256,
)
from assistants.models import MARKER_KEY
from reconciler.plan.change import Action, Change
from reconciler.plan.desired import DesiredAssistant
from reconciler.plan.ignore import keep_ignored
from reconciler.plan.live import LiveAssistant
from reconciler.plan.marker import desired_fields, write_only_values

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
    """Digest of an API object's canonical form (assistants.canonical.form_sha256): volatile fields
    don't make a plan stale."""
    return form_sha256(canonical(live))


def desired_form(desired: DesiredAssistant, owner: str) -> dict[str, Any]:
    """`canonical(desired_fields(spec, owner))`: what the API should hold."""
    return canonical(desired_fields(desired.spec, owner))


def plan_create(desired: DesiredAssistant, owner: str) -> Change:
    """A create whose body is the fields as written, the marker and the write-only fields."""
    written = desired_fields(desired.spec, owner)
    body = {**written, **write_only_values(desired.spec)}
    after = {**canonical(written), **write_only_values(desired.spec)}
    return Change(Action.CREATE, desired.key, None, tuple(after), None, after, body, None,
                  desired.source)


def plan_update(desired: DesiredAssistant, live: LiveAssistant, owner: str) -> Change:
    """An update with the minimal body, or a noop."""
    live_id, sha = live.id, live.sha256
    if not desired.ignore_changes and sha == desired.form_sha256(owner):
        return Change(Action.NOOP, desired.key, live_id, live_sha256=sha, source=desired.source)
    live_form = live.kept_form()
    spec = desired.spec
    written = desired_fields(spec, owner)
    if spec.ignore_changes:
        written = _with_marker(keep_ignored(written, live_form, spec.ignore_changes),
                               written["metadata"][MARKER_KEY])

    # Write-only fields are never returned: compare the digests the markers carry.
    marker = live.marker
    write_only = None
    if desired.write_only_digest != (marker.write_only_digest if marker else None):
        wanted = write_only_values(spec)
        write_only = {name: wanted.get(name) for name in WRITE_ONLY_FIELDS}
    return update_between(desired.key, live_id, canonical(written), live_form, write_only,
                          desired.source, sha, written)


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


def plan_delete(live: LiveAssistant, twin: DesiredAssistant | None = None,
                owner: str | None = None) -> Change:
    """The delete of `live`; `twin` is the document with its key, whose form it has when it
    was read without its own (live.FormNeed)."""
    marker = live.marker
    key = marker.key if marker else live.id
    if live.form is None and twin is not None and owner is not None:
        live_form: Mapping[str, Any] = desired_form(twin, owner)
    else:
        live_form = live.kept_form()
    return Change(Action.DELETE, key, live.id, (), dict(live_form), None, None, live.sha256,
                  None)


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
