"""A plan's two inputs read at once: the config (CPU: parse and validate YAML) and the live
assistants (network: one round trip per page of 100).

The listing runs as a task. Meanwhile this event loop loads the config one file at a time
(a second process may load a share of it, see load_share.py, which this loop awaits without
blocking), while another task takes in each page of live assistants as it arrives: their
canonical forms, and, once the config is known, only what the plan will need of each
(live_intake.py). Every step is short and yields to the loop, so each page is taken in, and
the next asked for, as soon as it arrives; what is left for `build_plan` after the last page
is comparing.

Errors come out as if the steps ran one after the other: a config error first (the listing is
dropped, nothing is written), then a missing owner, then a connection or listing error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Generator, Mapping
from typing import Any

from assistants.errors import NotFoundError
from reconciler.live_intake import LiveIntake
from reconciler.load_share import Share
from reconciler.loader import Config

OnPage = Callable[[list[dict[str, Any]]], None]
Listing = Callable[[OnPage], Coroutine[Any, Any, list[dict[str, Any]]]]

_LIVE_PER_STEP = 10
"""Live assistants taken in one step (each takes some 40 µs)."""

_TAKE_PAUSE = 0.001
_FILE_PAUSE = 0.002
"""Seconds this loop idles after a step of live assistants or a file it loads itself while the
listing is in flight: a page that arrives meanwhile is taken in at once. `asyncio.sleep(0)`
would not do: the listing reads each page in many small chunks, and each chunk would wait for
a whole step of every other task (measured: 0.3 s more per 10,000 assistants). When another
process shares the load, this one loading less is no loss; alone it does not pause."""


async def load_while_listing(
    steps: Generator[int | Share, None, Config],
    listing: Listing,
    owner_of: Callable[[Config], str],
    intake: LiveIntake,
    fetch: Callable[[str], Awaitable[dict[str, Any]]],
    *,
    prune: bool,
) -> tuple[Config, str]:
    """The loaded config and its owner, with the listed assistants taken in by `intake` (which
    `steps` tells what it loads). `owner_of` runs once the config is loaded, before the
    listing's outcome is looked at, so that a missing owner is reported before a listing
    error. `fetch` reads one assistant again, for `LiveIntake.doubtful`."""
    pages: asyncio.Queue[list[dict[str, Any]] | None] = asyncio.Queue()
    listed = asyncio.ensure_future(listing(pages.put_nowait))
    taken = asyncio.ensure_future(_take_pages(pages, intake, listed))
    try:
        config = await _load(steps, listed)
        owner = owner_of(config)
        for index in intake.doubtful(config, owner):
            intake.restore(index, await _read_again(fetch, intake.kept[index], listed))
        intake.config_known(config, owner, prune=prune)
        await listed
        pages.put_nowait(None)  # the end: the intake task finishes the pages before it
        await taken
        return config, owner
    finally:
        for task in (listed, taken):
            if not task.done():
                task.cancel()
        await asyncio.gather(listed, taken, return_exceptions=True)  # none left unawaited


async def _read_again(fetch: Callable[[str], Awaitable[dict[str, Any]]],
                      stub: Mapping[str, Any], listed: asyncio.Future[Any]
                      ) -> dict[str, Any] | None:
    """The assistant `stub` stands for, read again; None when it is gone. A listing that
    failed says so first: it does not wait for, or give way to, a read after it."""
    if listed.done() and not listed.cancelled() and listed.exception() is not None:
        await listed
    try:
        return await fetch(str(stub.get("id")))
    except NotFoundError:
        return None
    except Exception:
        await listed
        raise


async def _load(steps: Generator[int | Share, None, Config], listed: asyncio.Future[Any]) -> Config:
    try:
        while True:
            try:
                step = next(steps)
            except StopIteration as done:
                return done.value
            if not isinstance(step, Share):
                await asyncio.sleep(0)  # loading alone: take in what has arrived, go on
            elif step.claimed_all:
                await _readable(step.fileno())
            else:
                await _pause(_FILE_PAUSE, listed)
    finally:
        steps.close()  # cancelled (Ctrl-C): a load share stops at once


async def _take_pages(pages: asyncio.Queue[list[dict[str, Any]] | None], intake: LiveIntake,
                      listed: asyncio.Future[Any]) -> None:
    while (page := await pages.get()) is not None:
        for i, live in enumerate(page):
            intake.take(live)
            if i % _LIVE_PER_STEP == _LIVE_PER_STEP - 1:
                await _pause(_TAKE_PAUSE, listed)


async def _pause(seconds: float, listed: asyncio.Future[Any]) -> None:
    await asyncio.sleep(0 if listed.done() else seconds)


async def _readable(fd: int) -> None:
    """Wait, without blocking the loop, until `fd` can be read (or is at its end)."""
    loop = asyncio.get_running_loop()
    ready = loop.create_future()
    loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
    try:
        await ready
    finally:
        loop.remove_reader(fd)
