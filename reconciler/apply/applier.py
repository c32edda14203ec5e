"""Executing a plan through the client: creates, then updates, then deletes, each phase in
parallel up to a bound.

Retries of reads, modifies and deletes live in the client. A create is not idempotent, so a create
whose outcome is unknown (a 5xx, a timeout or a reset after the request was sent) is never sent
again blindly: once the phase is over, one listing per kind looks for the objects' markers;
those found were created, the rest are sent again, for a bounded number of rounds. One key never
yields two objects of a kind, and one listing serves every uncertain create of a round.

Every failure becomes the `Outcome` of the change it concerns, and the changes that do not
depend on it are still attempted: no change depends on another (an update or a delete names its
own object), so a failed create, a failed marker lookup or a failed settling step never stops
the updates and deletes. What stops a run: `--fail-fast` (once one outcome has failed, the
changes not yet started are recorded as skipped), and anything that is not an `AssistantsError`
(a bug, or the run being cancelled); the caller's journal keeps the outcomes reported so far.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from assistants.client import AssistantsClient, create_outcome_unknown
from assistants.errors import AssistantsError, NotFoundError
from assistants.kinds import Kind, kind_named
from reconciler.marker import live_marker
from reconciler.plan.change import Action, Change, Outcome
from reconciler.plan.model import Plan

CREATE_ROUNDS = 4
SETTLE_SECONDS = 1.1
"""How long after its last create an apply waits before settling races: `created_at` has
one-second resolution, so by then every copy that could tie with or precede ours exists."""

SKIPPED = "skipped: an earlier change failed and --fail-fast is set"
RERUN = "run apply again (it finds the object by its marker, never creating a second)"
Found = dict[tuple[str, str], dict[str, Any]]  # (kind, key) -> the live object with our marker

Report = Callable[[Outcome], None]


class Applier:
    def __init__(
        self,
        client: AssistantsClient,
        owner: str,
        *,
        concurrency: int = 8,
        fail_fast: bool = False,
        report: Report | None = None,
        settle_seconds: float | None = None,  # None: SETTLE_SECONDS
    ):
        self.client, self.owner = client, owner
        self.limit = asyncio.Semaphore(max(1, concurrency))
        self.fail_fast = fail_fast
        self.report = report or (lambda outcome: None)
        self.settle_seconds = SETTLE_SECONDS if settle_seconds is None else settle_seconds
        self.stopped = False
        self._last_create = 0.0

    async def run(self, plan: Plan) -> list[Outcome]:
        """One outcome per pending change of `plan` (see the module docstring for what stops
        a run before that)."""
        by_action = {a: [c for c in plan.changes if c.action is a] for a in Action}
        created = await self._creates(by_action[Action.CREATE])
        updated = await self._phase(by_action[Action.UPDATE], self._update)
        deleted = await self._phase(by_action[Action.DELETE], self._delete)
        # Settled last, so that the wait it may need overlaps the updates and deletes.
        return await self._settle_races(created) + updated + deleted

    async def _phase(
        self, changes: Sequence[Change], step: Callable[[Change], Awaitable[Outcome]]
    ) -> list[Outcome]:
        return list(await asyncio.gather(*(self._guarded(c, step) for c in changes)))

    async def _guarded(
        self, change: Change, step: Callable[[Change], Awaitable[Outcome]]
    ) -> Outcome:
        async with self.limit:
            if self.stopped:
                outcome = Outcome.failed(change, id=change.id, error=SKIPPED)
            else:
                try:
                    outcome = await step(change)
                except AssistantsError as err:
                    outcome = Outcome.failed(change, id=change.id, error=str(err))
        return self._finish(outcome)

    def _finish(self, outcome: Outcome) -> Outcome:
        if not outcome.ok and self.fail_fast:
            self.stopped = True
        self.report(outcome)
        return outcome

    async def _update(self, change: Change) -> Outcome:
        kind = kind_named(change.kind)
        try:
            result = await self.client.modify(str(change.id), change.body or {}, kind=kind)
        except NotFoundError:
            return Outcome.failed(change, id=change.id, error=f"{change.key} ({change.id}) no "
                                  "longer exists on the server; plan again")
        return Outcome.succeeded(change, id=change.id, result=kind.canonical(result))

    async def _delete(self, change: Change) -> Outcome:
        try:
            await self.client.delete(str(change.id), kind=kind_named(change.kind))
        except NotFoundError:
            return Outcome.succeeded(change, id=change.id, note="already gone")
        return Outcome.succeeded(change, id=change.id)

    async def _creates(self, changes: Sequence[Change]) -> list[Outcome]:
        done: list[Outcome] = []
        pending = list(changes)
        tries = 0  # rounds sent: --fail-fast may end them early
        while pending and not self.stopped and tries < CREATE_ROUNDS:
            tries += 1
            attempts = await asyncio.gather(*(self._try_create(c) for c in pending))
            unknown = [c for c, outcome in zip(pending, attempts, strict=True) if outcome is None]
            done += [o for o in attempts if o is not None]
            confirmed, pending = await self._confirm(unknown)
            done += confirmed
        for change in pending:
            stop = ", not tried again as --fail-fast is set" if self.stopped else ""
            done.append(self._finish(Outcome.failed(change, error=(
                f"outcome still unknown after {tries} {'try' if tries == 1 else 'tries'}{stop}; "
                + RERUN))))
        return done

    async def _confirm(self, unknown: list[Change]) -> tuple[list[Outcome], list[Change]]:
        """The creates among `unknown` that the server holds (found by their markers), and
        those it certainly does not, to be sent again. When the lookup itself fails, nothing
        is certain: each of them is a failed outcome, never sent again."""
        if not unknown:
            return [], []
        try:
            found = await self._find_created(unknown)
        except AssistantsError as err:
            return [self._finish(Outcome.failed(change, error=(
                f"outcome unknown, and looking for its marker failed: {err}; " + RERUN)))
                for change in unknown], []
        confirmed = [self._finish(Outcome.succeeded(
            change, id=str(live.get("id")), result=kind_named(change.kind).canonical(live),
            note="created; confirmed by its marker after an unknown outcome"))
            for change in unknown if (live := found.get((change.kind, change.key)))]
        return confirmed, [c for c in unknown if (c.kind, c.key) not in found]

    async def _settle_races(self, outcomes: list[Outcome]) -> list[Outcome]:
        """Another apply of the same config may have created the same keys at the same time.
        With no lock to take, the survivor of each key is the first copy in the server's
        ascending listing, and an apply only ever deletes its own copy, adopting the survivor.

        Why it converges: the listing happens `settle_seconds` after our last create. A copy
        created later than that has a later `created_at`, so it sorts after ours and its own
        apply yields to ours; any copy that could tie with ours or precede it already exists,
        so we see it and yield if it sorts first. Whatever order a server gives same-second
        ties, both sides agree, and no apply deletes a copy another one reported as its own.

        When that listing fails, the creates stand (they happened) with a note: a copy another
        apply made at the same time would be named by the next plan."""
        created = {(o.change.kind, o.change.key): o for o in outcomes
                   if o.ok and o.change.action is Action.CREATE}
        if not created:
            return outcomes
        wait = self.settle_seconds - (time.monotonic() - self._last_create)
        if wait > 0:
            await asyncio.sleep(wait)
        try:
            first = await self._find_created([o.change for o in created.values()])
        except AssistantsError as err:
            return [self._unsettled(o, err) if created.get((o.change.kind, o.change.key)) is o
                    else o for o in outcomes]
        settled = []
        for outcome in outcomes:
            ident = (outcome.change.kind, outcome.change.key)
            winner = first.get(ident) if created.get(ident) is outcome else None
            if winner is None or str(winner.get("id")) == outcome.id:
                settled.append(outcome)
            else:
                settled.append(await self._yield_to(outcome, winner))
        return settled

    def _unsettled(self, outcome: Outcome, err: AssistantsError) -> Outcome:
        unsettled = Outcome.succeeded(
            outcome.change, id=outcome.id, result=outcome.result,
            note=f"created; could not look for a copy another apply made at the same time "
            f"({err}): a plan names any second copy, and apply --prune removes it")
        self.report(unsettled)
        return unsettled

    async def _yield_to(self, outcome: Outcome, winner: dict[str, Any]) -> Outcome:
        """Our copy of a key another apply created first: delete ours, adopt theirs. A failed
        delete leaves two copies, which the outcome says (a plan names the second)."""
        kept = str(winner.get("id"))
        kind = kind_named(outcome.change.kind)
        try:
            await self.client.delete(str(outcome.id), kind=kind)
        except NotFoundError:
            pass
        except AssistantsError as err:
            return self._finish(Outcome.failed(
                outcome.change, id=outcome.id, error=f"another apply created it at the same "
                f"time (kept {kept}), and deleting our copy {outcome.id} failed: {err}; a plan "
                "names it as a second copy, and apply --prune removes it"))
        yielded = Outcome.succeeded(outcome.change, id=kept, result=kind.canonical(winner),
                                    note=f"another apply created it at the same time; kept "
                                    f"{kept}, deleted our copy {outcome.id}")
        self.report(yielded)
        return yielded

    async def _try_create(self, change: Change) -> Outcome | None:
        """The outcome, or None when it is unknown (the caller looks for the marker)."""
        async with self.limit:
            if self.stopped:
                return self._finish(Outcome.failed(change, error=SKIPPED))
            kind = kind_named(change.kind)
            try:
                result = await self.client.create(change.body or {}, kind=kind)
                outcome = Outcome.succeeded(change, id=str(result.get("id")),
                                            result=kind.canonical(result))
            except AssistantsError as err:
                if create_outcome_unknown(err):
                    self._last_create = time.monotonic()
                    return None
                outcome = Outcome.failed(change, error=str(err))
            self._last_create = time.monotonic()
        return self._finish(outcome)

    async def _find_created(self, changes: Iterable[Change]) -> Found:
        """The live object of each change's (kind, key) that carries our marker, if any: one
        listing per kind, concurrently."""
        keys: dict[str, set[str]] = {}
        for change in changes:
            keys.setdefault(change.kind, set()).add(change.key)
        names = sorted(keys)
        found = await asyncio.gather(*(self._find_of(kind_named(n), keys[n]) for n in names))
        return {(name, key): obj for name, objs in zip(names, found, strict=True)
                for key, obj in objs.items()}

    async def _find_of(self, kind: Kind, wanted: set[str]) -> dict[str, dict[str, Any]]:
        def mine(listed: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
            found: dict[str, dict[str, Any]] = {}
            for obj in listed:
                marker = live_marker(obj)
                if marker and marker.owner == self.owner and marker.key in wanted:
                    found.setdefault(marker.key, obj)
            return found

        # A key not found is created again, so it is
        # confirmed absent first (`confirm`: both ends of the listing read to their ends).
        return mine(await self.client.list_all(
            confirm=lambda listed: len(mine(listed)) < len(wanted), kind=kind))
