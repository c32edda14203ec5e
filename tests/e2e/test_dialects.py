"""Other Assistants servers answer in other dialects (API-FACTS "Semantics"): `null` where OpenAI
returns `{}` or `[]`, float `created_at`, ids without `asst_`, extra fields. A test transport
rewrites the embedded API's answers into each dialect; apply then plan must show no change."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistants.client import AssistantsClient
from assistants.local import create_app
from reconciler.apply.applier import Applier
from reconciler.config.loader import load_config
from reconciler.plan.change import Action
from tests.support.planning import assistants_only
from tests.support.planning import plan_of as build_plan

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
Rewrite = Callable[[dict[str, Any]], dict[str, Any]]


def nulls_for_empties(obj: dict[str, Any]) -> dict[str, Any]:
    out = {k: (None if v in ({}, []) else v) for k, v in obj.items()}
    for tool in out.get("tools") or []:
        function = tool.get("function")
        if isinstance(function, dict) and function.get("parameters") == {}:
            function["parameters"] = None
    resources = out.get("tool_resources") or {}
    for name, resource in list(resources.items()):
        resources[name] = {k: (None if v == [] else v) for k, v in resource.items()}
    return out


def float_created_at(obj: dict[str, Any]) -> dict[str, Any]:
    return {**obj, "created_at": float(obj["created_at"]) + 0.25}


def bare_ids(obj: dict[str, Any]) -> dict[str, Any]:
    return {**obj, "id": obj["id"].removeprefix("asst_")}


def extra_fields(obj: dict[str, Any]) -> dict[str, Any]:
    return {**obj, "updated_at": 1767225600.5, "file_ids": [], "owner_org": {"id": "org_1"},
            "metadata": {**(obj.get("metadata") or {})}}


def no_response_format(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if not (k == "response_format" and v == "auto")}


DIALECTS: dict[str, list[Rewrite]] = {
    "openai": [],
    "nulls": [nulls_for_empties],
    "float created_at": [float_created_at],
    "bare ids": [bare_ids],
    "extra fields": [extra_fields],
    "defaults omitted": [no_response_format],
    "all at once": [nulls_for_empties, float_created_at, bare_ids, extra_fields,
                    no_response_format],
}


class DialectTransport(httpx.AsyncBaseTransport):
    """The embedded API, with every assistant it returns passed through `rewrites`."""

    def __init__(self, inner: httpx.AsyncBaseTransport, rewrites: list[Rewrite]):
        self.inner, self.rewrites = inner, rewrites
        self.bare = bare_ids in rewrites

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.bare:  # the server's own ids have no prefix: put ours back before it sees them
            parts = request.url.path.split("/")
            if len(parts) > 3 and parts[-1] and parts[-2] == "assistants":
                parts[-1] = "asst_" + parts[-1]
                request.url = request.url.copy_with(path="/".join(parts))
        response = await self.inner.handle_async_request(request)
        body = json.loads(await response.aread() or b"null")
        if isinstance(body, dict) and body.get("object") == "list":
            body["data"] = [self._rewrite(a) for a in body["data"]]
            if self.bare:
                for cursor in ("first_id", "last_id"):
                    if body.get(cursor):
                        body[cursor] = body[cursor].removeprefix("asst_")
        elif isinstance(body, dict) and body.get("object") == "assistant":
            body = self._rewrite(body)
        return httpx.Response(response.status_code, json=body,
                              headers={"content-type": "application/json"})

    def _rewrite(self, obj: dict[str, Any]) -> dict[str, Any]:
        for rewrite in self.rewrites:
            obj = rewrite(obj)
        return obj


def client_for(tmp_path: Path, rewrites: list[Rewrite]) -> AssistantsClient:
    inner = httpx.ASGITransport(app=create_app(tmp_path / "dialect.db"))
    return AssistantsClient("http://dialect.localhost/v1", {"Authorization": "Bearer sk-d"},
                            transport=DialectTransport(inner, rewrites))


async def plan_and_apply(client: AssistantsClient, config) -> tuple[dict, dict]:
    owner = config.settings.owner
    first = build_plan(config, await client.list_all(), owner, endpoint=client.endpoint)
    outcomes = await Applier(client, owner, settle_seconds=0).run(first)
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    second = build_plan(config, await client.list_all(), owner, endpoint=client.endpoint)
    return first.summary, second.summary


@pytest.mark.parametrize("dialect", list(DIALECTS))
def test_a_plan_just_applied_shows_no_change_in_every_dialect(tmp_path, dialect):
    config = assistants_only(load_config([EXAMPLES]))

    async def scenario():
        async with client_for(tmp_path, DIALECTS[dialect]) as client:
            return await plan_and_apply(client, config)

    first, second = asyncio.run(scenario())
    assert first["create"] == 4
    assert second == {"create": 0, "update": 0, "delete": 0, "noop": 4}


@pytest.mark.parametrize("dialect", ["nulls", "bare ids", "all at once"])
def test_an_update_converges_in_other_dialects(tmp_path, dialect):
    config = assistants_only(load_config([EXAMPLES]))
    edited_dir = tmp_path / "edited"
    import shutil

    shutil.copytree(EXAMPLES, edited_dir)
    hr = edited_dir / "assistants" / "hr-helper.yaml"
    hr.write_text(hr.read_text().replace("temperature: 0.2", "temperature: 0.7"))
    edited = assistants_only(load_config([edited_dir]))

    async def scenario():
        async with client_for(tmp_path, DIALECTS[dialect]) as client:
            await plan_and_apply(client, config)
            update, after = await plan_and_apply(client, edited)
            plan = build_plan(edited, await client.list_all(), "acme-assistants",
                              endpoint=client.endpoint)
            return update, after, plan

    update, after, plan = asyncio.run(scenario())
    assert update == {"create": 0, "update": 1, "delete": 0, "noop": 3}
    assert after["noop"] == 4
    assert all(c.action is Action.NOOP for c in plan.changes)
