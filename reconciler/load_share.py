"""Work on a list of items shared with a second process, so that two CPUs parse YAML at once.

The parent takes items from the front of the list, a forked child from the back, each claiming
one at a time under a lock, so both finish together however busy each CPU is (the parent also
takes in list pages; a local server may share the machine). The child sends its results back
through a pipe in small pickled batches, which the parent takes in between its own items, so
no step of the parent's event loop waits long.

Only where it is cheap and safe: Linux (`fork`: the child starts with everything imported and
needs nothing pickled on the way in), at least two CPUs for this process, and no other thread
alive (a thread holding a lock at the fork would leave it locked in the child). Anywhere else
`start_share` returns None and the caller does all the work itself.

If anything goes wrong in the child (an exception, a result that does not pickle, the child
killed), the items it claimed but did not send are done by the parent, so an error is raised
exactly as a one-process run raises it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

CHILD_NICENESS = 5
"""The child yields the CPU to the parent and to anything else on the machine (a local server)."""

BATCH = 16
"""Results per message from the child: small enough to take in between two steps."""

_DONE = "done"

_LOCK_CHECK_SECONDS = 0.5
"""How often a process waiting for the claim lock checks that the other one is alive."""


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def can_share() -> bool:
    return (sys.platform.startswith("linux") and available_cpus() >= 2
            and threading.active_count() == 1)


class Share(Generic[T, R]):
    """`work` applied to each of `items`, by this process (`claim`, then `work` here) and by a
    forked child. Iterate `claims()` for this process's items (`keep` each result, and
    `take_ready()` now and then); then, until `finished`, wait for `fileno()` to be readable
    (or `wait()`) and `take_ready()`; `results()` gives every result in item order."""

    def __init__(self, work: Callable[[T], R], items: Sequence[T]):
        self._work, self._items = work, items
        context = multiprocessing.get_context("fork")
        self._lock = context.Lock()
        # [next unclaimed from the front, end of the unclaimed (the child claims end - 1)]
        self._bounds = context.RawArray("q", [0, len(items)])
        self._alone = False  # the other process is gone: claims need no lock any more
        self._reader, writer = context.Pipe(duplex=False)
        _enlarge_pipe(writer.fileno())
        self._process = context.Process(target=self._run_child, args=(writer,), daemon=True)
        self._process.start()
        writer.close()  # the child holds the only writing end: its exit means EOF here
        self._mine: list[R] = []
        self._theirs: dict[int, R] = {}
        self.on_result: Callable[[R], None] | None = None  # told each result of the child
        self.claimed_all = False  # this process has no item left to claim: it can only wait
        self.finished = False  # every result of the child is in (or it is gone)

    def claims(self) -> Iterator[T]:
        """This process's items, each claimed as it is asked for; the caller applies `work`
        and hands the result to `keep`."""
        while (index := self._claim_front()) is not None:
            yield self._items[index]
        self.claimed_all = True

    def keep(self, result: R) -> None:
        self._mine.append(result)

    def fileno(self) -> int:
        """Readable when the child has sent something (or is gone)."""
        return self._reader.fileno()

    def wait(self) -> None:
        """Block until `fileno()` is readable (for a caller without an event loop)."""
        self._reader.poll(None)

    def take_ready(self) -> None:
        """Take in every batch the child has sent (without waiting for more)."""
        while not self.finished and self._reader.poll():
            self._take_one()

    def results(self) -> list[R]:
        """Every result in item order: the items this process has not claimed yet and the
        child's missing ones (if it failed) are done here."""
        for item in self.claims():
            self.keep(self._work(item))
        while not self.finished:
            self._take_one()
        self.close()
        claimed_by_child = range(self._bounds[1], len(self._items))
        missing = [i for i in claimed_by_child if i not in self._theirs]
        for index in missing:
            self._theirs[index] = self._work(self._items[index])
        return self._mine + [self._theirs[i] for i in claimed_by_child]

    def close(self) -> None:
        """Stop the child if it still runs and free the pipe (idempotent)."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._reader.close()
        self.finished = True

    def _take_one(self) -> None:
        try:
            message = self._reader.recv()
        except Exception:  # EOF (the child is gone), a broken pipe, a batch that did not load
            message = _DONE
        if message == _DONE:
            self.finished = True
        else:
            self._theirs.update(message)
            if self.on_result is not None:
                for _, result in message:
                    self.on_result(result)

    def _claim_front(self) -> int | None:
        with self._locked(self._process.is_alive):
            index, end = self._bounds
            if index >= end:
                return None
            self._bounds[0] = index + 1
            return index

    def _claim_back(self, parent: int) -> int | None:
        with self._locked(lambda: os.getppid() == parent):
            start, end = self._bounds
            if start >= end:
                return None
            self._bounds[1] = end - 1
            return end - 1

    @contextlib.contextmanager
    def _locked(self, other_alive: Callable[[], bool]) -> Iterator[None]:
        """The claim lock; or, once the other process is gone (it may have died holding it),
        none: each claim is one store, and what a dead child claimed is redone anyway."""
        held = False
        while not (held or self._alone):
            held = self._lock.acquire(timeout=_LOCK_CHECK_SECONDS)
            if not held:
                self._alone = not other_alive()
        try:
            yield
        finally:
            if held:
                self._lock.release()

    def _run_child(self, writer: Any) -> None:
        parent = os.getppid()
        try:
            # Ctrl-C stops the child at once (it inherited the parent's handler, which would
            # wake the parent's event loop instead), and it yields the CPU to the parent.
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.set_wakeup_fd(-1)
            os.nice(CHILD_NICENESS)
            batch: list[tuple[int, R]] = []
            while (index := self._claim_back(parent)) is not None:
                batch.append((index, self._work(self._items[index])))
                if len(batch) >= BATCH:
                    writer.send(batch)
                    batch = []
            writer.send(batch)
            writer.send(_DONE)
        except BaseException:  # noqa: BLE001 - the parent redoes what it did not get
            pass
        finally:
            writer.close()


def start_share(work: Callable[[T], R], items: Sequence[T],
                minimum: int) -> Share[T, R] | None:
    """A `Share` of `work` over `items`, when there are at least `minimum` and `can_share()`."""
    if len(items) < minimum or not can_share():
        return None
    try:
        return Share(work, items)
    except OSError:  # no processes or pipes left: one process will do
        return None


def _enlarge_pipe(fd: int) -> None:
    """A 1 MiB pipe buffer (Linux; 64 KiB by default), so the child seldom waits on the parent."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except (ImportError, OSError):  # pragma: no cover - not Linux, or over the system's limit
        pass
