"""A kind of API object is data: `Kind` says everything the engine needs of one collection.

Listing, matching, diff, plan, apply, journal, rollback, drift, import and the renderers take a
`Kind` (from a document, a change or a listing) and never name one. Each module beside this one
declares one kind: its collection path and beta header, the fields compared and sent, the ones
the server never returns (write-only) or resolves when omitted, the value a body sends to reset
a field, and how a live object becomes the comparable (canonical) form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Form = Mapping[str, Any]


@dataclass(frozen=True, eq=False)
class Kind:
    """One kind of API object. Kinds are singletons, compared and hashed by identity."""

    name: str  # "assistant": what documents (`kind:`), plans and messages call it
    plural: str  # "assistants"
    path: str  # the collection under the endpoint: "assistants"
    beta: str  # the `OpenAI-Beta` header value every request carries
    managed_fields: tuple[str, ...]  # compared and sent, in the order plans list them
    canonical: Callable[[Mapping[str, Any]], dict[str, Any]]  # API-shaped JSON -> its form
    reset_values: Mapping[str, Any]  # what a body sends for a field the config no longer sets
    write_only_fields: tuple[str, ...] = ()  # accepted, never returned: compared by digest
    resolved_fields: tuple[str, ...] = ()
    """Fields the server resolves when omitted (the model's default effort, ...): a document
    that omits one accepts the live value, unless the marker says the document had set it."""
    adopt_live: Callable[[Form, Form, Form], Form] = field(
        default=lambda want, live, written: want)
    """(want, live, written) -> `want` (a canonical form) with the parts the document
    (`written`: its API fields) leaves to the server read from `live`."""
    resolved_paths: Callable[[Form], list[str]] = field(default=lambda written: [])
    """The paths of the parts a server resolves that a document's API fields set (inside
    `resolved_fields` and tools): the marker keeps their digest, so that removing one is seen."""
    completes: Mapping[str, Callable[[Any, Form], Any]] = field(default_factory=dict)
    """Fields whose sent value also depends on the live form: {field: (written or None,
    live form) -> value} (an assistant's `tool_resources` clears each entry it no longer has)."""

    def body_value(self, field_name: str, written: Form, live_form: Form) -> Any:
        """What a body sends for a changed field: the value as written, else its reset."""
        complete = self.completes.get(field_name)
        if complete is not None:
            return complete(written.get(field_name), live_form)
        if field_name in written:
            return written[field_name]
        return self.reset_values.get(field_name)

    @property
    def label(self) -> str:
        """How a title names this kind before a key: nothing for the default kind, else
        `agent `."""
        return "" if self.name == DEFAULT_KIND else f"{self.name} "


DEFAULT_KIND = "assistant"
"""The kind of a document that names none; plans and messages name every other kind."""


def all_kinds() -> tuple[Kind, ...]:
    """Every kind, in the order plans and listings take them."""
    from assistants.kinds.agent import AGENT
    from assistants.kinds.assistant import ASSISTANT

    return (ASSISTANT, AGENT)


def kind_named(name: str) -> Kind:
    """The kind called `name`; KeyError when there is none."""
    for kind in all_kinds():
        if kind.name == name:
            return kind
    raise KeyError(name)
