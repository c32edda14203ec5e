"""The client against the embedded API in process (`local_client`, httpx.ASGITransport)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from test_client_fakes import Sleeps, run

from assistants.client import AssistantsClient, RetryPolicy, create_outcome_unknown
from assistants.errors import BadRequestError, NotFoundError, ServerError
from assistants.local import Faults, create_app
from reconciler.cli.local_client import local_client


def test_full_lifecycle_against_the_embedded_api(tmp_path: Path) -> None:
    async def go() -> None:
        async with local_client(tmp_path / "db") as client:
            assert client.endpoint == "http://local.invalid/v1"
            created = [await client.create({"model": "gpt-4o", "name": f"a{i}"}) for i in range(3)]
            ids = [a["id"] for a in created]
            assert [a["id"] for a in await client.list_all()] == ids
            assert (await client.get(ids[0]))["name"] == "a0"
            modified = await client.modify(ids[0], {"name": "renamed", "metadata": {"k": "v"}})
            assert (modified["name"], modified["metadata"]) == ("renamed", {"k": "v"})
            await client.delete(ids[1])
            with pytest.raises(NotFoundError):
                await client.get(ids[1])
            with pytest.raises(NotFoundError):
                await client.delete(ids[1])
            with pytest.raises(BadRequestError):
                await client.create({"model": "gpt-4o", "bogus": 1})
            assert [a["id"] for a in await client.list_all()] == [ids[0], ids[2]]
            assert client.stats["retries"] == 0

    run(go())


def test_listing_pages_through_more_than_100(tmp_path: Path) -> None:
    async def go() -> None:
        async with local_client(tmp_path / "db") as client:
            for i in range(205):
                await client.create({"model": "gpt-4o", "name": f"a{i}"})
            before = client.stats["requests"]
            names = [a["name"] for a in await client.list_all()]
            assert names == [f"a{i}" for i in range(205)]
            assert client.stats["requests"] - before == 3

    run(go())


def test_create_failing_after_the_write_is_not_repeated(tmp_path: Path) -> None:
    app = create_app(tmp_path / "db", faults=Faults(fail_after_rate=1.0, seed=1))
    client = AssistantsClient("http://local.invalid/v1", {"Authorization": "Bearer local"},
                              transport=httpx.ASGITransport(app=app), sleep=Sleeps(),
                              retry=RetryPolicy(backoff_base=0))

    async def go() -> None:
        async with client:
            with pytest.raises(ServerError) as info:
                await client.create({"model": "gpt-4o", "name": "once"})
            assert create_outcome_unknown(info.value)

    run(go())
    assert client.stats["requests"] == 1
    names = [a.get("name") for a in run(_list_local(tmp_path / "db"))]
    assert names == ["once"]  # it was created, exactly once


async def _list_local(db: Path) -> list[dict]:
    async with local_client(db) as client:
        return await client.list_all()
