"""Fixtures shared by every test suite."""

from __future__ import annotations

import itertools
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# `tests` has no __init__.py, so pytest puts tests/ (not the repo) on sys.path; make
# `tests.support` importable however pytest is started.
REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.support.server import ServerHandle, reap, start_server  # noqa: E402


@pytest.fixture(scope="session")
def _stopping() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Servers told to stop, waited for once at the end of the session."""
    processes: list[subprocess.Popen[bytes]] = []
    yield processes
    reap(processes)


@pytest.fixture
def serve(tmp_path: Path, _stopping: list[subprocess.Popen[bytes]]
          ) -> Iterator[Callable[..., ServerHandle]]:
    """Factory: `serve(**cli_options)` starts `assistants serve` in a subprocess on a free
    loopback port, with its own db and request log under `tmp_path`; every server it started
    is told to stop at teardown (and waited for at the end of the session). Example:
    `handle = serve(rate_limit_every=3, seed=7)`."""
    handles: list[ServerHandle] = []
    counter = itertools.count()

    def start(**options: Any) -> ServerHandle:
        handle = start_server(tmp_path / f"server-{next(counter)}", **options)
        handles.append(handle)
        return handle

    yield start
    for handle in handles:
        process = handle.terminate()
        if process is not None:
            _stopping.append(process)


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`tmp_path`, made the current directory (paths in messages are then relative)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
