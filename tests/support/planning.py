"""Building blocks for tests of planning: a document resolved for an owner, a live object as
a record, a plan from a loaded config and API objects. Each is one call into the real code
(config/resolved.py, plan/live.py, plan/build.py); nothing is re-implemented."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from assistants.kinds import Kind
from assistants.kinds.assistant import ASSISTANT
from reconciler.config.loader import Config
from reconciler.config.resolved import Desired, Document, resolve
from reconciler.kinds.controls import DocumentSpec
from reconciler.plan import build, diff
from reconciler.plan.change import Change
from reconciler.plan.live import LiveRecord
from reconciler.plan.matching import Matching, match
from reconciler.plan.model import Plan

Live = Mapping[str, Any] | LiveRecord


def record(obj: Live, kind: Kind = ASSISTANT) -> LiveRecord:
    """An API object as the record a plan keeps of it (its form kept)."""
    return obj if isinstance(obj, LiveRecord) else LiveRecord.of(kind, obj)


def resolved(document: Document | DocumentSpec, owner: str) -> Desired:
    if isinstance(document, DocumentSpec):
        document = Document(document, f"{document.key}.yaml:1")
    return resolve(document.spec, document.source, owner)


def written(spec: DocumentSpec, owner: str) -> dict[str, Any]:
    """What the API should hold for `spec`: its fields as written plus the marker."""
    return dict(resolved(spec, owner).written)


def live_sha256(obj: Mapping[str, Any], kind: Kind = ASSISTANT) -> str:
    return LiveRecord.of(kind, obj).sha256


def plan_create(document: Document | DocumentSpec, owner: str) -> Change:
    return diff.plan_create(resolved(document, owner))


def plan_update(document: Document | DocumentSpec, live: Live, owner: str) -> Change:
    return diff.plan_update(resolved(document, owner), record(live))


def matched(documents: Iterable[Document], live: Iterable[Live], owner: str,
            **options: Any) -> Matching:
    return match([resolved(d, owner) for d in documents], [record(o) for o in live], owner,
                 **options)


def plan_of(config: Config, live: Iterable[Live], owner: str, *, endpoint: str = "e",
            **options: Any) -> Plan:
    """The plan for `config` against `live` (API objects of any kind, or records)."""
    return build.build_plan(config.resolve(owner), [record(o) for o in live], endpoint=endpoint,
                            **options)


def assistants_only(config: Config) -> Config:
    """`config` with its assistant documents alone (the examples hold an agent too), for tests
    of what only assistants have (their server dialects)."""
    from dataclasses import replace

    return replace(config, documents=tuple(d for d in config.documents
                                           if d.kind is ASSISTANT))
