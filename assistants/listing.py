"""The listing: every assistant, read from both ends at once (DESIGN.md, "Listing").

The ascending end starts alone, so a server of up to `PAGE_SIZE` assistants is read with one
request. When its first page says `has_more`, the descending end starts too, and from then on
both ask for their next page together (one round at a time, so the number of requests does
not depend on which answer comes first) until `meeting.meet` says their union is complete.

Safety before speed: an end that repeats an id, sends an empty page with `has_more`, or a
cursor that does not advance is reported and never looped on (the last two stop that end),
and any such fault or a disagreement where the ends meet makes both ends run to the end; the
union is then taken, with one warning naming the inconsistency. A server that rejects
`order=desc` or ignores `order` is read with one cursor.

Items come out oldest first: the ascending end's pages as they arrive, then what only the
descending end read, reversed; or, for a caller that orders them itself (a plan), each end's
pages as they arrive, so nothing is held. A caller about to create something can `confirm` a listing
whose ends met in the middle: both ends then read on to their ends, so every assistant has
been listed in both orders (servers exist whose cursor skips items).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from assistants.errors import BadRequestError, TransportError
from assistants.meeting import End, meet

PAGE_SIZE = 100

Fetch = Callable[[dict[str, str]], Awaitable[Any]]
Shape = Callable[[str], TransportError]
Say = Callable[[str], None]


class _End:
    """One end of the listing: its cursor and what it has read."""

    def __init__(self, order: str) -> None:
        self.order = order
        self.ids: list[str] = []
        self.seen: set[str] = set()
        self.cursor: str | None = None
        self.cursors: set[str] = set()
        self.pages = 0
        self.ended = False  # the server said this was the last page
        self.stopped = False  # a fault: the cursor cannot be followed
        self.problems: list[str] = []  # the first repeated id, then why it stopped
        self.last_created: Any = None

    @property
    def running(self) -> bool:
        return not (self.ended or self.stopped)

    def params(self) -> dict[str, str]:
        params = {"limit": str(PAGE_SIZE), "order": self.order}
        if self.cursor is not None:
            params["after"] = self.cursor
        return params

    def view(self) -> End:
        return End(self.order, self.ids, self.ended, self.last_created)

    def take(self, page: Any, shape: Shape) -> list[dict[str, Any]]:
        """The page's items this end had not read, in page order; moves the cursor on."""
        data = page.get("data") if isinstance(page, dict) else None
        if not isinstance(page, dict) or not isinstance(data, list | None):
            raise shape("expected a list object with `data`")
        data = data or []
        self.pages += 1
        fresh: list[dict[str, Any]] = []
        for item in data:
            if not isinstance(item, dict) or item.get("id") in (None, ""):
                raise shape("a listed item has no `id`")
            ident = str(item["id"])
            if ident in self.seen:
                if not self.problems:
                    self.problems.append(f"the {self.order} listing returned {ident} twice")
                continue
            self.seen.add(ident)
            self.ids.append(ident)
            fresh.append(item)
        if data:
            self.last_created = data[-1].get("created_at")
        has_more = page.get("has_more")
        if has_more is None:  # dialects without `has_more`: a full page may have a next one
            has_more = len(data) >= PAGE_SIZE
        cursor = page.get("last_id") or (data[-1]["id"] if data else None)
        if not has_more:
            self.ended = True
        elif not data:
            self._stop(f"the {self.order} listing sent an empty page with `has_more: true`")
        elif cursor in (None, ""):
            self._stop(f"the {self.order} listing said `has_more` but gave no cursor")
        elif str(cursor) in self.cursors:
            self._stop(f"the {self.order} listing's cursor {str(cursor)!r} did not advance")
        else:
            self.cursor = str(cursor)
            self.cursors.add(self.cursor)
        return fresh

    @property
    def problem(self) -> str | None:
        return "; ".join(self.problems) or None

    def _stop(self, problem: str) -> None:
        self.stopped = True
        self.problems.append(problem)


class Listing:
    """One listing of the server: iterate `pages()` once; then `confirm()` if needed."""

    def __init__(self, fetch: Fetch, *, shape: Shape, warn: Say, log: Say | None = None) -> None:
        self._fetch, self._shape, self._warn, self._log = fetch, shape, warn, log
        self.asc, self.desc = _End("asc"), _End("desc")
        self.one_cursor: str | None = None  # why the descending end was dropped
        self.problem: str | None = None  # the inconsistency that made both ends run on
        self.requests = 0
        self._both = 0  # ids read by both ends
        self._held: list[dict[str, Any]] = []  # what the descending end read, in its order
        self._listed: set[str] = set()  # every id handed out

    # -- the listing -------------------------------------------------------------------------

    async def pages(self, *, oldest_first: bool = True) -> AsyncIterator[list[dict[str, Any]]]:
        """Every assistant once, in pages as they arrive (see the module doc). The next round
        is asked for before a page is handed on, so the caller's work on it overlaps the
        network. With `oldest_first` off (a plan: matching orders a key's copies by
        `created_at` itself), what the descending end reads is handed on as it arrives too,
        instead of being held until the ends meet."""
        pending = self._launch([self.asc])
        handed: set[str] = set()
        try:
            while pending:
                answers = await asyncio.gather(*pending.values())
                fresh, held = self._take(dict(zip(pending, answers, strict=True)))
                pending = self._launch(self._next_ends())
                if oldest_first:
                    self._held += held
                else:
                    fresh = _unhanded(fresh + held, handed)
                if fresh:
                    yield fresh
            self._check_outcome()
            tail = [item for item in reversed(self._held)
                    if str(item["id"]) not in self.asc.seen and str(item["id"]) not in handed]
            self._held = []
            self._listed = self.asc.seen | self.desc.seen
            if tail:
                yield tail
        finally:
            for task in pending.values():
                task.cancel()
            await asyncio.gather(*pending.values(), return_exceptions=True)

    @property
    def confirmable(self) -> bool:
        """Whether `confirm` would read anything: the listing followed a cursor, one end
        stopped before its end, and the server lists in both orders."""
        followed = self.asc.pages > 1 or self.desc.pages > 0
        return (followed and self.one_cursor is None
                and any(e.running for e in (self.asc, self.desc)))

    async def confirm(self) -> list[dict[str, Any]]:
        """Read both ends on to their ends, so that each has listed the whole server in its
        order; return the assistants `pages()` did not hand out, warning when there are any
        (the server's cursor skips items)."""
        found: dict[str, dict[str, Any]] = {}
        ends = [e for e in (self.asc, self.desc) if e.running] if self.confirmable else []
        while ends:
            pending = self._launch(ends)
            try:
                answers = await asyncio.gather(*pending.values())
            finally:
                for task in pending.values():
                    task.cancel()
                await asyncio.gather(*pending.values(), return_exceptions=True)
            for end, page in zip(ends, answers, strict=True):
                for item in end.take(page, self._shape):
                    if str(item["id"]) not in self._listed:
                        found.setdefault(str(item["id"]), item)
            ends = [e for e in ends if e.running]
        self._listed |= found.keys()
        if found:
            self._warn(f"the server's listing skips items: reading both ends on to their "
                       f"ends found {len(found)} assistant{'s' if len(found) != 1 else ''} the first "
                       "listing missed "
                       f"({', '.join(sorted(found)[:5])}{', ...' if len(found) > 5 else ''})")
        return list(found.values())

    # -- rounds ------------------------------------------------------------------------------

    def _launch(self, ends: list[_End]) -> dict[str, asyncio.Task[Any]]:
        return {e.order: asyncio.ensure_future(self._get(e)) for e in ends}

    async def _get(self, end: _End) -> Any:
        self.requests += 1
        if end is self.desc and end.pages == 0:
            try:
                return await self._fetch(end.params())
            except BadRequestError as err:  # a server that lists in one order only
                self._drop(f"the server rejects order=desc ({err.status})", warn=False)
                return None
        return await self._fetch(end.params())

    def _take(self, answers: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Take in one round's pages: the ascending end's new items, and the descending
        end's."""
        fresh: list[dict[str, Any]] = []
        held: list[dict[str, Any]] = []
        if "asc" in answers:
            fresh = self.asc.take(answers["asc"], self._shape)
            self._both += sum(1 for item in fresh if str(item["id"]) in self.desc.seen)
        page = answers.get("desc")
        if page is not None and self.one_cursor is None:
            if self.desc.pages == 0 and self._ignores_order(page):
                self._drop("the server ignores order=desc (both orders start with "
                           f"{self.asc.ids[0]})", warn=True)
            else:
                held = self.desc.take(page, self._shape)
                self._both += sum(1 for item in held if str(item["id"]) in self.asc.seen)
        return fresh, held

    def _ignores_order(self, page: Any) -> bool:
        data = page.get("data") if isinstance(page, dict) else None
        first = data[0].get("id") if isinstance(data, list) and data and isinstance(
            data[0], dict) else None
        return bool(self.asc.ids) and first is not None and str(first) == self.asc.ids[0]

    def _drop(self, why: str, *, warn: bool) -> None:
        self.one_cursor = why
        (self._warn if warn else self._say)(f"{why}: listing with one cursor")

    def _next_ends(self) -> list[_End]:
        """Who reads on in the next round; none when the union is complete."""
        asc, desc = self.asc, self.desc
        if self.one_cursor is not None:
            return [asc] if asc.running else []
        if self.problem is None:
            problem = asc.problem or desc.problem
            verdict = meet(asc.view(), desc.view(), self._both)
            if problem is None and verdict.complete:
                return []
            self.problem = problem or verdict.problem
        return [e for e in (asc, desc) if e.running]

    def _check_outcome(self) -> None:
        """Raise when no end could be read through; warn about an inconsistency."""
        asc, desc = self.asc, self.desc
        if self.one_cursor is not None:
            if asc.stopped:
                raise self._shape(f"could not list every assistant: {asc.problem}")
            if asc.problem:
                self._warn(f"the server's listing is inconsistent: {asc.problem}")
            return
        if self.problem is None:
            return
        if not (asc.ended or desc.ended):
            raise self._shape(f"could not list every assistant: {asc.problem or '-'}; "
                              f"{desc.problem or '-'}")
        only_asc = len(asc.seen - desc.seen) if desc.ended else 0
        only_desc = len(desc.seen - asc.seen) if asc.ended else 0
        counts = "".join(
            f"; {n} only in the {order}ending order" for n, order in
            ((only_asc, "asc"), (only_desc, "desc")) if n)
        read = ("in both orders" if asc.ended and desc.ended
                else f"in the {'asc' if asc.ended else 'desc'}ending order")
        self._warn(f"the server's listing is inconsistent: {self.problem}; read it to the end "
                   f"{read} and took the union ({len(asc.seen | desc.seen)} assistants{counts})")

    def _say(self, line: str) -> None:
        if self._log is not None:
            self._log(line)


def _unhanded(items: list[dict[str, Any]], handed: set[str]) -> list[dict[str, Any]]:
    """The items whose ids are not in `handed` (each once), added to it: where the two ends
    overlap, both read the same assistants."""
    out = []
    for item in items:
        ident = str(item["id"])
        if ident not in handed:
            handed.add(ident)
            out.append(item)
    return out
