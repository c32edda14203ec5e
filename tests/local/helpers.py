"""In-process access to the embedded API for the tests of tests/local."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from assistants.local import Faults, create_app
from assistants.local.objects import ID_ALPHABET, new_assistant
from assistants.local.store import Store

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


def seed_store(db: Path, count: int, *, per_second: int | None = None,
               id_seed: int | None = None) -> list[str]:
    """`count` assistants written straight into the store, in creation order: all in one
    second, or `per_second` a second; ids from `random.Random(id_seed)` when given."""
    rng = random.Random(id_seed)
    records = []
    for i in range(count):
        second = 1_700_000_000 + (i // per_second if per_second else 0)
        record = new_assistant({"model": "gpt-4o", "name": f"a{i}"}, created_at=second)
        if id_seed is not None:
            record["id"] = "asst_" + "".join(rng.choice(ID_ALPHABET) for _ in range(24))
        records.append(record)
    store = Store(db)
    store.insert_many(records)
    store.close()
    return [r["id"] for r in records]
