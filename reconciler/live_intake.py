"""What a plan keeps of each live assistant, decided as its page arrives.

The live assistants of a large plan are some 50 MB of JSON, twice that once parsed. As each
one is taken in, its canonical form and digest are worked out and kept with a stub of it (its
id and marker, all that matching reads), and the rest of it is let go (`Forms.take`). Once the
config is known, the form goes too when planning will never read it:

- the assistant is what the document with its marker's key asks for, and matching cannot pair
  it with anything else (`_Rules.settles`): a noop, whose digest stays (`Forms.settle`);
- it is not this owner's (no marker, or another owner's) and no document names its id: it is
  only counted (`Forms.forget`; its form is never worked out);
- it is this owner's, no document has its key or names its id, and nothing is pruned: it is
  only named, as an orphan.

Everything else (an update, a delete, whatever an explicit `id:` or a second copy of a key
might pair) keeps its form. Those taken before the config is known keep theirs until it is
(`config_known`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.desired import DesiredAssistant
from reconciler.diff import Forms, LiveStub
from reconciler.identity import live_marker
from reconciler.loader import Config


class LiveIntake:
    """Takes the live assistants one by one (`take`), in listing order, and keeps in `kept`,
    in that order, each one whole or its stub: what `build_plan` is given with `forms`."""

    def __init__(self, forms: Forms) -> None:
        self.forms = forms
        self.kept: list[Mapping[str, Any]] = []
        self._rules: _Rules | None = None

    def take(self, live: Mapping[str, Any]) -> None:
        if self._rules is None:
            self.kept.append(self.forms.take(live))
        else:
            self.kept.append(self._rules.reduce(live))

    def take_page(self, page: list[dict[str, Any]]) -> None:
        for live in page:
            self.take(live)

    def config_known(self, config: Config, owner: str, *, prune: bool) -> None:
        """From now on, cut down what planning will not need; those taken so far too."""
        self._rules = _Rules(config, owner, prune, self.forms)
        self.kept = [self._rules.reduce(live) for live in self.kept]


class _Rules:
    """The module docstring's rules, for one config and owner: `reduce` must see the live
    assistants in listing order (matching gives a key's first copy to its document)."""

    def __init__(self, config: Config, owner: str, prune: bool, forms: Forms) -> None:
        self._owner = owner
        self._prune = prune
        self._forms = forms
        self._by_key = {d.key: d for d in config.assistants}
        self._by_id = {d.id: d for d in config.assistants if d.id}
        self._seen_keys: set[str] = set()

    def reduce(self, live: Mapping[str, Any]) -> Mapping[str, Any]:
        """`live` itself, or its stub."""
        named_by = self._by_id.get(str(live.get("id")))
        marker = live_marker(live)
        if marker is None or marker.owner != self._owner:
            return self._whole(live) if named_by else self._forms.forget(live)
        first = marker.key not in self._seen_keys
        self._seen_keys.add(marker.key)
        desired = self._by_key.get(marker.key)
        if desired is None:
            return self._whole(live) if named_by or self._prune else self._forms.forget(live)
        live = self._whole(live)
        # `is`: comparing two desired assistants with `==` would validate both specs.
        if first and (named_by is None or named_by is desired) and self.settles(desired, live):
            return self._forms.settle(live, desired)
        return live

    def settles(self, desired: DesiredAssistant, live: Mapping[str, Any]) -> bool:
        """Whether `live`, the first copy of `desired`'s key that no other document names, is
        exactly what `desired` asks for: then matching pairs them (`identity.match`: a
        document's own `id:`, else the first unclaimed copy of its key) and the plan is a
        noop (`diff.plan_update`)."""
        return (desired.id in (None, str(live.get("id")))
                and not desired.ignore_changes
                and self._forms.digest(live) == desired.form_sha256(self._owner))

    def _whole(self, live: Mapping[str, Any]) -> Mapping[str, Any]:
        """What `Forms.take` keeps of `live` (taken once)."""
        return live if isinstance(live, LiveStub) else self._forms.take(live)
