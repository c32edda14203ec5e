"""In-process access to the embedded API for the tests of tests/local."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from assistants.local import Faults, create_app
from assistants.local.objects import new_assistant

HEADERS = {"Authorization": "Bearer sk-test", "OpenAI-Beta": "assistants=v2"}


def local_client(tmp_path: Path, *, faults: Faults | None = None,
                 api_key: str | None = None, headers: dict[str, str] | None = None) -> TestClient:
    """A sync client on a fresh in-process app (`client.app.state.store` is its store)."""
    app = create_app(tmp_path / "local.db", faults=faults, api_key=api_key,
                     log_path=tmp_path / "requests.jsonl")
    return TestClient(app, base_url="http://testserver/v1",
                      headers=HEADERS if headers is None else headers)


def seed(store: Any, count: int, *, created_at: int = 1_700_000_000, **fields: Any) -> list[str]:
    """Insert `count` assistants sharing one `created_at` second; their ids in insertion order."""
    records = [new_assistant({"model": "gpt-4o", "name": f"seed-{i:04d}", **fields},
                             created_at=created_at) for i in range(count)]
    store.insert_many(records)
    return [r["id"] for r in records]
