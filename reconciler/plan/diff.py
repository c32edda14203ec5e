"""Pure: a desired object and a live one in, a `Change` out, with the smallest body that makes
the live object equal to the desired one. Nothing here names a kind: the `Kind` of each side
says which fields are managed, write-only or resolved by the server, and how a field resets.

The canonical form compares; the body sends what the user wrote. Both sides are compared in the
canonical form (config/resolved.py made the desired one once), but a body is built from the
values as written (after `${VAR}` and `*_file` resolution, with ignored parts taken from the
live object): tools in the config's order, a pinned ranker as pinned, nested values as given.
An update's body holds only the changed top-level fields; maps and lists are sent whole
because the API replaces them. A field the config no longer sets is reset (the kind's
`reset_values`, or a value completed from the live object, such as an assistant's
`tool_resources` entries cleared one by one).

A server-resolved field (an agent's `reasoning`, ...) that the document omits accepts the live
value, unless the live marker says the document had set it: then it was removed, and is reset.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assistants.canonical import MARKER_KEY, form_sha256
from assistants.kinds import Kind
from reconciler.config.resolved import Desired
from reconciler.marker import Marker
from reconciler.plan.change import Change
from reconciler.plan.ignore import keep_ignored
from reconciler.plan.live import LiveRecord


def plan_create(desired: Desired) -> Change:
    """A create whose body is the fields as written, the marker and the write-only fields."""
    body = {**desired.written, **desired.write_only}
    after = {**desired.form, **desired.write_only}
    return Change.create(kind=desired.kind.name, key=desired.key, after=after, body=body,
                         source=desired.source)


def plan_update(desired: Desired, live: LiveRecord) -> Change:
    """An update with the minimal body, or a noop (`update_between` decides; equal digests
    are its shortcut)."""
    kind = desired.kind
    if not desired.ignore_changes and live.sha256 == desired.form_sha256:
        return _noop(desired, live)
    live_form = live.kept_form()
    written, want = desired.written, desired.form
    if desired.ignore_changes:
        written = _with_marker(keep_ignored(written, live_form, desired.ignore_changes),
                               written["metadata"][MARKER_KEY])
        want = kind.canonical(written)
    # What the live marker says of earlier writes counts only when the marker is ours (an
    # object taken over from another owner, or adopted, has no history with this document).
    ours = live.marker if live.marker and live.marker.owner == desired.marker.owner else None
    marker = ours or Marker("", "")
    write_only = {}
    if desired.marker.write_only_digest != marker.write_only_digest:  # never returned
        write_only = {name: desired.write_only.get(name) for name in kind.write_only_fields}
    # A field whose resolved parts changed since our last write is sent again, so that a part
    # removed from it is resolved anew (a part added with the value the server already holds
    # is only recorded that way). An object without our marker (adopted) had none removed.
    wrote, had = dict(desired.marker.resolved), dict(marker.resolved)
    resend = tuple(f for f in sorted({*wrote, *had}) if ours is not None
                   and wrote.get(f) != had.get(f) and f in written)
    return update_between(kind, desired.key, live.id, want, live_form, written=written,
                          write_only=write_only, pinned=marker.written, resend=resend,
                          sha=live.sha256, source=desired.source)


def update_between(kind: Kind, key: str, live_id: str, want: Mapping[str, Any],
                   live_form: Mapping[str, Any], *, written: Mapping[str, Any] | None = None,
                   write_only: Mapping[str, Any] | None = None, pinned: tuple[str, ...] = (),
                   resend: tuple[str, ...] = (), sha: str | None = None,
                   source: str | None = None) -> Change:
    """The one place that decides "noop": the update (or noop) that turns canonical
    `live_form` into canonical `want`, plus any write-only values to send. The body sends
    `written` (the API-shaped values `want` is the form of; `want` itself when None).
    `pinned`: the server-resolved fields our live marker says the document had set; `resend`:
    fields sent as written even when equal (a part the server resolves was removed from them).
    `sha` is `live_form`'s digest when known."""
    sent = want if written is None else written
    want = kind.adopt_live(want, live_form, sent)
    # A resolved field is compared when the document sets it (even to its default) or had set
    # it (a removal: reset); one it leaves alone accepts what the server holds.
    live_compared = {f: v for f, v in live_form.items() if f not in kind.resolved_fields
                     or f in want or f in sent or f in pinned}
    fields = [f for f in kind.managed_fields
              if want.get(f) != live_compared.get(f) or f in resend]
    sha = form_sha256(live_form) if sha is None else sha
    if not fields and not write_only:
        return Change.noop(kind=kind.name, key=key, id=live_id, live_sha256=sha, source=source)
    body = {f: kind.body_value(f, sent, live_form) for f in fields}
    before: dict[str, Any] = {f: live_form.get(f) for f in fields}
    after: dict[str, Any] = {f: want.get(f) for f in fields}
    for name, value in (write_only or {}).items():
        fields.append(name)
        body[name] = value
        before[name] = None  # write-only: never readable
        after[name] = value
    return Change.update(kind=kind.name, key=key, id=live_id, fields=tuple(fields),
                         before=before, after=after, body=body, live_sha256=sha, source=source)


def _noop(desired: Desired, live: LiveRecord) -> Change:
    return Change.noop(kind=desired.kind.name, key=desired.key, id=live.id,
                       live_sha256=live.sha256, source=desired.source)


def _with_marker(written: dict[str, Any], marker: str) -> dict[str, Any]:
    """The ownership marker back in `written` after `ignore_changes` (an ignored `metadata`
    takes the live map, which an adopted object has without it)."""
    metadata = written.get("metadata")
    metadata = dict(metadata) if isinstance(metadata, Mapping) else {}
    metadata[MARKER_KEY] = marker
    return {**written, "metadata": metadata}


def plan_delete(live: LiveRecord, twin: Desired | None = None,
                reason: str | None = None) -> Change:
    """The delete of `live`; `twin` is the document with its key, whose form it has when it
    was read without its own (live.FormNeed)."""
    marker = live.marker
    key = marker.key if marker else live.id
    if live.form is None and twin is not None:
        live_form: Mapping[str, Any] = twin.form
    else:
        live_form = live.kept_form()
    return Change.delete(kind=live.kind.name, key=key, id=live.id, before=dict(live_form),
                         live_sha256=live.sha256, reason=reason)
