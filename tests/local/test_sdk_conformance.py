"""The official `openai` SDK against `assistants serve` over a real socket."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import openai
import pytest
from openai import OpenAI

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def sdk(serve):
    handle = serve()
    client = OpenAI(base_url=handle.base_url, api_key="sk-test", max_retries=0)
    yield client, handle
    client.close()


def test_crud_round_trip(sdk):
    client, handle = sdk
    created = client.beta.assistants.create(
        model="gpt-4o", name="HR Helper", instructions="Answer policy questions.\n",
        description="d", tools=[{"type": "file_search"},
                                {"type": "function", "function": {"name": "lookup"}}],
        metadata={"team": "people", "tier": "1"}, temperature=0.2,
    )
    assert created.id.startswith("asst_") and created.object == "assistant"
    assert created.tools[0].file_search.ranking_options.ranker == "default_2024_08_21"
    assert created.tools[1].function.strict is False
    assert created.tool_resources.file_search.vector_store_ids == []

    fetched = client.beta.assistants.retrieve(created.id)
    assert fetched == created

    renamed = client.beta.assistants.update(created.id, name="People Helper")
    assert renamed.name == "People Helper"
    assert renamed.model_dump(exclude={"name"}) == created.model_dump(exclude={"name"})

    remapped = client.beta.assistants.update(created.id, metadata={"team": "ops"})
    assert remapped.metadata == {"team": "ops"}  # replaced wholesale, "tier" gone
    assert client.beta.assistants.retrieve(created.id).metadata == {"team": "ops"}

    deleted = client.beta.assistants.delete(created.id)
    assert (deleted.id, deleted.deleted, deleted.object) == (created.id, True,
                                                             "assistant.deleted")
    with pytest.raises(openai.NotFoundError) as info:
        client.beta.assistants.retrieve(created.id)
    assert info.value.body["message"] == f"No assistant found with id '{created.id}'."

    posts = [e for e in handle.log_entries() if e["method"] == "POST"]
    assert posts[1]["body"] == {"name": "People Helper"}  # the SDK sends only what changed


def test_auto_pagination_over_250(sdk):
    client, handle = sdk
    with ThreadPoolExecutor(8) as pool:
        created = list(pool.map(
            lambda i: client.beta.assistants.create(model="gpt-4o", name=f"a{i:03d}").id,
            range(250)))
    listed = [a.id for a in client.beta.assistants.list(limit=100)]
    assert sorted(listed) == sorted(created) and len(set(listed)) == 250
    gets = [e for e in handle.log_entries() if e["method"] == "GET"]
    assert len(gets) == 3
    ascending = [a.id for a in client.beta.assistants.list(order="asc", limit=7)]
    assert ascending == listed[::-1]


def test_sdk_errors_map(sdk):
    client, _ = sdk
    with pytest.raises(openai.BadRequestError) as info:
        client.beta.assistants.create(model="gpt-4o", name="n" * 257)
    assert info.value.body["param"] == "name"
    with pytest.raises(openai.BadRequestError) as info:
        client.beta.assistants.list(extra_headers={"OpenAI-Beta": "assistants=v1"})
    assert info.value.code == "invalid_beta"
