"""The official `openai` SDK's `client.beta.agents` against the embedded API, in process (the
SDK's own HTTP library, httpx2, with an ASGI transport): every operation, the omitted and null
fields of an update, auto-paging in both orders, and the SDK's error classes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx2
import openai
import pytest
from openai import AsyncOpenAI

from tests.support.agents import agents_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

FUNCTION = {"type": "function", "name": "lookup_order", "description": "Find an order.",
            "parameters": {"type": "object", "properties": {"id": {"type": "string"}}}}


def run(tmp_path: Path, scenario: Callable[[AsyncOpenAI, Any], Awaitable[None]]) -> None:
    app = agents_app(tmp_path / "sdk.db")
    http = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app))

    async def main() -> None:
        async with AsyncOpenAI(base_url="http://sdk.localhost/v1", api_key="sk-sdk",
                               http_client=http, max_retries=0) as client:
            await scenario(client, app)

    asyncio.run(main())


def test_create_retrieve_update_delete(tmp_path):
    async def scenario(client: AsyncOpenAI, app: Any) -> None:
        agents = client.beta.agents
        created = await agents.create(
            model="gpt-5", name="Support", instructions="Be brief.\n",
            metadata={"team": "support", "tier": "1"}, tools=[FUNCTION],
            text={"format": {"type": "json_schema", "schema": {"type": "object"}}})
        assert created.id.startswith("agent_") and created.object == "agent"
        assert created.reasoning.effort == "medium" and created.reasoning.summary is None
        assert created.text.verbosity == "medium" and created.service_tier == "auto"
        assert created.multi_agent.enabled is False
        assert created.tools[0].name == "lookup_order"
        assert created.tools[0].defer_loading is False
        assert await agents.retrieve(created.id) == created

        renamed = await agents.update(created.id, name="Helpdesk")
        assert renamed.name == "Helpdesk" and renamed.updated_at > created.updated_at
        unchanged = {"name", "updated_at"}
        assert renamed.model_dump(exclude=unchanged) == created.model_dump(exclude=unchanged)

        reset = await agents.update(created.id, name=None, metadata=None, reasoning=None,
                                    text=None, tools=[{"type": "web_search"}])
        assert reset.name is None and reset.metadata == {}
        assert reset.reasoning.effort == "medium" and reset.text.format.type == "text"
        assert reset.tools[0].type == "web_search" and reset.tools[0].context_size == "medium"
        assert reset.instructions == "Be brief.\n"  # omitted: left as it was

        deleted = await agents.delete(created.id)
        assert (deleted.id, deleted.object, deleted.deleted) == (created.id, "agent.deleted",
                                                                True)
        with pytest.raises(openai.NotFoundError) as info:
            await agents.retrieve(created.id)
        assert info.value.body["message"] == f"No agent found with id '{created.id}'."

        posts = [e for e in app.state.request_log.entries if e["method"] == "POST"]
        assert posts[1]["body"] == {"name": "Helpdesk"}  # the SDK sends only what it is given
        assert posts[2]["body"]["reasoning"] is None  # and a null as null

    run(tmp_path, scenario)


def test_auto_paging_in_both_orders(tmp_path):
    async def scenario(client: AsyncOpenAI, app: Any) -> None:
        made = [(await client.beta.agents.create(model="gpt-4o", name=f"a{i:02d}")).id
                for i in range(45)]
        newest_first = [agent.id async for agent in client.beta.agents.list(limit=20)]
        oldest_first = [agent.id async for agent in client.beta.agents.list(order="asc",
                                                                            limit=20)]
        assert oldest_first == made and newest_first == made[::-1]
        gets = [e for e in app.state.request_log.entries if e["method"] == "GET"]
        assert len(gets) == 6  # three pages each way, each after the last one's last_id
        assert "after=" + made[-20] in gets[1]["query"]

    run(tmp_path, scenario)


def test_errors_are_the_sdks_classes(tmp_path):
    async def scenario(client: AsyncOpenAI, app: Any) -> None:
        with pytest.raises(openai.BadRequestError) as info:
            await client.beta.agents.create(model="gpt-5", name="n" * 129)
        assert info.value.body["param"] == "name"
        with pytest.raises(openai.BadRequestError) as info:
            await client.beta.agents.create(model="gpt-5", extra_body={"temperature": 0.2})
        assert info.value.body["message"] == "Unrecognized request argument supplied: temperature"
        with pytest.raises(openai.BadRequestError) as info:
            await client.beta.agents.list(extra_headers={"OpenAI-Beta": "assistants=v2"})
        assert info.value.code == "invalid_beta"
        with pytest.raises(openai.NotFoundError):
            await client.beta.agents.update("agent_missing", name="x")
        with pytest.raises(openai.NotFoundError):
            await client.beta.agents.delete("agent_missing")

    run(tmp_path, scenario)
