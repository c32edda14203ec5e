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
(`config_known`), except noops whose document was loaded already (`LiveIntake`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assistants.errors import ConfigError, PlanError
from reconciler.desired import DesiredAssistant
from reconciler.diff import Forms, LiveStub
from reconciler.identity import live_marker, marker_value, require_owner
from reconciler.load_file import Loaded
from reconciler.loader import Config
from reconciler.settings import ProjectSettings


class LiveIntake:
    """Takes the live assistants one by one (`take`), in listing order, and keeps in `kept`,
    in that order, each one's stub (or, malformed, itself): what `build_plan` is given with
    `forms`.

    While the config loads, it is told each file loaded (`loaded`; it is a `LoadWatch`), and
    settles a stub already when the document with its key is loaded and asks for exactly it
    (`_Early`): without that, a load slower than the listing (no load cache) would keep every
    form until it ends. Once the config is known, `doubtful` names the stubs settled that way
    that matching would not pair with that document after all (another document names the
    id, or the document was another's data); their forms are gone, so the caller reads those
    assistants again (`restore`) before `config_known`."""

    def __init__(self, forms: Forms, owner: str | None = None) -> None:
        self.forms = forms
        self.kept: list[Mapping[str, Any]] = []
        self._owner = owner  # --owner, which wins over the settings' owner
        self._early: _Early | None = None
        self._rules: _Rules | None = None

    def settings_known(self, settings: ProjectSettings) -> None:
        try:
            owner = require_owner(self._owner or settings.owner)
        except ConfigError:  # the load will fail for want of an owner
            return
        self._early = _Early(owner, self.forms, self.kept)

    def loaded(self, item: Loaded) -> None:
        if self._early is not None:
            for _, desired, _ in item.assistants:
                self._early.desired(desired)

    def take(self, live: Mapping[str, Any]) -> None:
        if self._rules is not None:
            self.kept.append(self._rules.reduce(live))
            return
        self.kept.append(self.forms.take(live))
        if self._early is not None:
            self._early.seen(len(self.kept) - 1)

    def take_page(self, page: list[dict[str, Any]]) -> None:
        for live in page:
            self.take(live)

    def doubtful(self, config: Config, owner: str) -> list[int]:
        """Where in `kept` are the stubs settled before the config was known that matching
        would not pair with the document they were settled for. Settles nothing more early."""
        early, self._early = self._early, None
        if early is None:
            return []
        by_key = {d.key: d for d in config.assistants}
        by_id = {d.id: d for d in config.assistants if d.id}
        doubtful = []
        for index in early.settled_at:
            desired, _ = self.forms.settled(self.kept[index])  # type: ignore[misc]
            named_by = by_id.get(str(self.kept[index].get("id")))
            if (owner != early.owner or by_key.get(desired.key) is not desired
                    or not (named_by is None or named_by is desired)):
                doubtful.append(index)
        return doubtful

    def restore(self, index: int, live: Mapping[str, Any] | None) -> None:
        """Put `live`, read again, in the place of its stub at `index` (None: it is gone). Its
        marker must be the one listed: it decided which copy of a key came first."""
        stub = self.kept[index]
        if live is None:
            self.kept[index] = _GONE
            return
        if marker_value(live) != marker_value(stub):
            raise PlanError(f"assistant {stub.get('id')} changed owner or key while the plan "
                            f"was being made; make the plan again")
        self.kept[index] = self.forms.take(live)

    def config_known(self, config: Config, owner: str, *, prune: bool) -> None:
        """From now on, cut down what planning will not need; those taken so far too."""
        self._early = None
        self._rules = _Rules(config, owner, prune, self.forms)
        self.kept = [self._rules.reduce(live) for live in self.kept if live is not _GONE]


_GONE: Mapping[str, Any] = LiveStub()
"""In `kept`, an assistant read again that was gone by then."""


def _is_twin(forms: Forms, desired: DesiredAssistant, live: Mapping[str, Any], owner: str
             ) -> bool:
    """Whether `live` (from `Forms.take`) is exactly what `desired` asks for, as a noop of
    `diff.plan_update` would find, given that matching pairs them."""
    return (desired.id in (None, str(live.get("id")))
            and not desired.ignore_changes
            and forms.digest(live) == desired.form_sha256(owner))


class _Early:
    """Settling while the config loads: a stub is settled when it is the first copy of its
    key in the listing and the first document loaded with that key asks for exactly it."""

    def __init__(self, owner: str, forms: Forms, kept: list[Mapping[str, Any]]) -> None:
        self.owner = owner
        self.by_key: dict[str, DesiredAssistant] = {}
        self.settled_at: list[int] = []
        self._forms = forms
        self._kept = kept
        self._first_at: dict[str, int] = {}  # key -> where its first copy is in `kept`
        for index in range(len(kept)):
            self.seen(index)

    def seen(self, index: int) -> None:
        marker = live_marker(self._kept[index])
        if marker is None or marker.owner != self.owner or marker.key in self._first_at:
            return
        self._first_at[marker.key] = index
        if marker.key in self.by_key:
            self._settle(index, self.by_key[marker.key])

    def desired(self, desired: DesiredAssistant) -> None:
        if desired.key in self.by_key:  # defined twice: the load fails
            return
        self.by_key[desired.key] = desired
        if desired.key in self._first_at:
            self._settle(self._first_at[desired.key], desired)

    def _settle(self, index: int, desired: DesiredAssistant) -> None:
        stub = self._kept[index]
        if _is_twin(self._forms, desired, stub, self.owner):
            self._forms.settle(stub, desired)
            self.settled_at.append(index)


class _Rules:
    """The module docstring's rules, for one config and owner: `reduce` must see the live
    assistants in listing order (a key's first copy listed, usually its oldest, is the one
    settled; when matching keeps an older one, plan.py deletes the settled one by its digest)."""

    def __init__(self, config: Config, owner: str, prune: bool, forms: Forms) -> None:
        self._owner = owner
        self._prune = prune
        self._forms = forms
        self._by_key = {d.key: d for d in config.assistants}
        self._by_id = {d.id: d for d in config.assistants if d.id}
        self._seen_keys: set[str] = set()

    def reduce(self, live: Mapping[str, Any]) -> Mapping[str, Any]:
        """`live` itself, or its stub (a stub settled early stays settled)."""
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
        if (first and (named_by is None or named_by is desired)
                and _is_twin(self._forms, desired, live, self._owner)):
            return self._forms.settle(live, desired)
        return live

    def _whole(self, live: Mapping[str, Any]) -> Mapping[str, Any]:
        """What `Forms.take` keeps of `live` (taken once)."""
        return live if isinstance(live, LiveStub) else self._forms.take(live)
