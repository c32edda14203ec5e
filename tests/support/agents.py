"""The embedded `/agents` for tests: an app or a transport in one of the defaults dialects
(`published`, `shifted`, `unresolved`: see `assistants/local/agent_rules.py`), and seeding.

    transport = agents_transport(tmp_path / "db", dialect="shifted")
    client = AssistantsClient(BASE, AGENT_HEADERS, transport=transport)   # the reconciler's
    resolved("gpt-5", "shifted")["reasoning"]  ->  {"effort": "high", "summary": None}
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

import httpx
from starlette.applications import Starlette

from assistants.local import Faults, create_app
from assistants.local.agent_objects import new_agent, public
from assistants.local.agent_rules import DIALECT_NAMES, DIALECTS
from assistants.local.store import Store

AGENT_HEADERS = {"Authorization": "Bearer sk-test", "OpenAI-Beta": "agents=v1"}
AGENT_DIALECTS = DIALECT_NAMES
BASE_URL = "http://agents.localhost/v1"


def agents_app(db_path: os.PathLike[str] | str, *, dialect: str = "published",
               faults: Faults | None = None, **options: Any) -> Starlette:
    """The embedded API over `db_path`, resolving agents' defaults as `dialect` does."""
    faults = dataclasses.replace(faults or Faults(), agent_defaults=dialect)
    return create_app(db_path, faults=faults, **options)


def agents_transport(db_path: os.PathLike[str] | str, *, dialect: str = "published",
                     **options: Any) -> httpx.ASGITransport:
    """An in-process transport on `agents_app` (no socket)."""
    return httpx.ASGITransport(app=agents_app(db_path, dialect=dialect, **options))


def resolved(model: str, dialect: str = "published") -> dict[str, Any]:
    """The settings an agent of `model` whose request named none comes back with."""
    agent = public(new_agent({"model": model}), DIALECTS[dialect])
    return {key: agent[key] for key in ("reasoning", "text", "service_tier", "multi_agent")}


def seed_agents(store: Store, count: int, *, created_at: int = 1_700_000_000,
                **fields: Any) -> list[str]:
    """Insert `count` agents sharing one `created_at` second; their ids in insertion order."""
    records = [new_agent({"model": "gpt-5", "name": f"agent-{i:04d}", **fields},
                         created_at=created_at) for i in range(count)]
    store.agents.insert_many(records)
    return [record["id"] for record in records]
