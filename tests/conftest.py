"""Fixtures shared by every test suite."""

from __future__ import annotations

import itertools
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

from tests.support.server import ServerHandle, start_server  # noqa: E402


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., ServerHandle]]:
    """Factory: `serve(**cli_options)` starts `assistants serve` in a subprocess on a free
    loopback port, with its own db and request log under `tmp_path`; every server it started
    is stopped at teardown. Example: `handle = serve(rate_limit_every=3, seed=7)`."""
    handles: list[ServerHandle] = []
    counter = itertools.count()

    def start(**options: Any) -> ServerHandle:
        handle = start_server(tmp_path / f"server-{next(counter)}", **options)
        handles.append(handle)
        return handle

    yield start
    for handle in handles:
        handle.stop()


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`tmp_path`, made the current directory (paths in messages are then relative)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
