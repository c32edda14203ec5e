"""Every API-FACTS field limit, table-driven: over the limit is a 400 naming the field in
OpenAI's envelope; exactly at the limit is accepted."""

from __future__ import annotations

from typing import Any

import pytest

from assistants import limits
from tests.local.helpers import local_client

M = {"model": "gpt-4o"}
CI = {"type": "code_interpreter"}


def fs(**settings: Any) -> dict[str, Any]:
    return {"type": "file_search", "file_search": settings}


def fn(**function: Any) -> dict[str, Any]:
    return {"type": "function", "function": function}


def pairs(n: int) -> dict[str, str]:
    return {f"k{i}": "v" for i in range(n)}


# (id, body, param, code)
REJECTED: list[tuple[str, dict[str, Any], str | None, str | None]] = [
    ("model-missing", {}, "model", "missing_required_parameter"),
    ("model-type", {"model": 5}, "model", "invalid_type"),
    ("model-empty", {"model": ""}, "model", "empty_string"),
    ("name-long", {**M, "name": "n" * (limits.NAME_MAX + 1)}, "name", "string_above_max_length"),
    ("name-type", {**M, "name": 5}, "name", "invalid_type"),
    ("description-long", {**M, "description": "d" * (limits.DESCRIPTION_MAX + 1)},
     "description", "string_above_max_length"),
    ("instructions-long", {**M, "instructions": "i" * (limits.INSTRUCTIONS_MAX + 1)},
     "instructions", "string_above_max_length"),
    ("tools-many", {**M, "tools": [CI] * (limits.TOOLS_MAX + 1)}, "tools",
     "array_above_max_length"),
    ("tools-type", {**M, "tools": {"type": "code_interpreter"}}, "tools", "invalid_type"),
    ("tool-kind", {**M, "tools": [{"type": "retrieval"}]}, "tools[0].type", "invalid_value"),
    ("tool-no-type", {**M, "tools": [{}]}, "tools[0].type", "missing_required_parameter"),
    ("tool-extra", {**M, "tools": [{**CI, "function": {}}]}, "tools[0].function",
     "unknown_parameter"),
    ("max-results-low", {**M, "tools": [fs(max_num_results=0)]},
     "tools[0].file_search.max_num_results", "integer_below_min_value"),
    ("max-results-high", {**M, "tools": [fs(max_num_results=51)]},
     "tools[0].file_search.max_num_results", "integer_above_max_value"),
    ("max-results-float", {**M, "tools": [fs(max_num_results=5.5)]},
     "tools[0].file_search.max_num_results", "invalid_type"),
    ("ranker", {**M, "tools": [fs(ranking_options={"ranker": "best", "score_threshold": 0})]},
     "tools[0].file_search.ranking_options.ranker", "invalid_value"),
    ("threshold-high", {**M, "tools": [fs(ranking_options={"score_threshold": 1.5})]},
     "tools[0].file_search.ranking_options.score_threshold", "decimal_above_max_value"),
    ("threshold-low", {**M, "tools": [fs(ranking_options={"score_threshold": -0.1})]},
     "tools[0].file_search.ranking_options.score_threshold", "decimal_below_min_value"),
    ("threshold-missing", {**M, "tools": [fs(ranking_options={"ranker": "auto"})]},
     "tools[0].file_search.ranking_options.score_threshold", "missing_required_parameter"),
    ("fn-name-space", {**M, "tools": [fn(name="bad name")]}, "tools[0].function.name",
     "invalid_value"),
    ("fn-name-long", {**M, "tools": [fn(name="f" * 65)]}, "tools[0].function.name",
     "invalid_value"),
    ("fn-name-empty", {**M, "tools": [CI, fn(name="")]}, "tools[1].function.name",
     "invalid_value"),
    ("fn-missing", {**M, "tools": [{"type": "function"}]}, "tools[0].function",
     "missing_required_parameter"),
    ("fn-no-name", {**M, "tools": [fn(description="x")]}, "tools[0].function.name",
     "missing_required_parameter"),
    ("fn-strict", {**M, "tools": [fn(name="f", strict="yes")]}, "tools[0].function.strict",
     "invalid_type"),
    ("fn-parameters", {**M, "tools": [fn(name="f", parameters=[])]},
     "tools[0].function.parameters", "invalid_type"),
    ("fn-extra", {**M, "tools": [fn(name="f", foo=1)]}, "tools[0].function.foo",
     "unknown_parameter"),
    ("file-ids", {**M, "tool_resources": {"code_interpreter": {
        "file_ids": ["file"] * (limits.CODE_INTERPRETER_FILES_MAX + 1)}}},
     "tool_resources.code_interpreter.file_ids", "array_above_max_length"),
    ("vector-stores", {**M, "tool_resources": {"file_search": {
        "vector_store_ids": ["vs_1", "vs_2"]}}},
     "tool_resources.file_search.vector_store_ids", "array_above_max_length"),
    ("resources-extra", {**M, "tool_resources": {"retrieval": {}}},
     "tool_resources.retrieval", "unknown_parameter"),
    ("metadata-pairs", {**M, "metadata": pairs(limits.METADATA_PAIRS_MAX + 1)}, "metadata",
     "object_above_max_properties"),
    ("metadata-key", {**M, "metadata": {"k" * (limits.METADATA_KEY_MAX + 1): "v"}},
     "metadata", "string_above_max_length"),
    ("metadata-value", {**M, "metadata": {"k": "v" * (limits.METADATA_VALUE_MAX + 1)}},
     "metadata.k", "string_above_max_length"),
    ("metadata-number", {**M, "metadata": {"k": 1}}, "metadata.k", "invalid_type"),
    ("metadata-type", {**M, "metadata": ["k"]}, "metadata", "invalid_type"),
    ("temperature-high", {**M, "temperature": 2.01}, "temperature", "decimal_above_max_value"),
    ("temperature-low", {**M, "temperature": -0.1}, "temperature", "decimal_below_min_value"),
    ("temperature-type", {**M, "temperature": "hot"}, "temperature", "invalid_type"),
    ("temperature-bool", {**M, "temperature": True}, "temperature", "invalid_type"),
    ("top-p-high", {**M, "top_p": 1.01}, "top_p", "decimal_above_max_value"),
    ("top-p-low", {**M, "top_p": -1}, "top_p", "decimal_below_min_value"),
    ("format-none", {**M, "response_format": "none"}, "response_format", "invalid_value"),
    ("format-type", {**M, "response_format": {"type": "xml"}}, "response_format.type",
     "invalid_value"),
    ("format-extra", {**M, "response_format": {"type": "text", "x": 1}}, "response_format.x",
     "unknown_parameter"),
    ("format-schema-missing", {**M, "response_format": {"type": "json_schema"}},
     "response_format.json_schema", "missing_required_parameter"),
    ("format-schema-name", {**M, "response_format": {
        "type": "json_schema", "json_schema": {"name": "a b"}}},
     "response_format.json_schema.name", "invalid_value"),
    ("reasoning-effort", {**M, "reasoning_effort": "extreme"}, "reasoning_effort",
     "invalid_value"),
]

ACCEPTED: list[tuple[str, dict[str, Any]]] = [
    ("name", {"name": "n" * limits.NAME_MAX}),
    ("description", {"description": "d" * limits.DESCRIPTION_MAX}),
    ("instructions", {"instructions": "i" * limits.INSTRUCTIONS_MAX}),
    ("tools", {"tools": [fn(name=f"f{i}") for i in range(limits.TOOLS_MAX)]}),
    ("file-ids", {"tool_resources": {"code_interpreter": {
        "file_ids": ["file"] * limits.CODE_INTERPRETER_FILES_MAX}}}),
    ("vector-stores", {"tool_resources": {"file_search": {"vector_store_ids": ["vs_1"]}}}),
    ("metadata", {"metadata": {f"{i:02d}" + "k" * (limits.METADATA_KEY_MAX - 2):
                               "v" * limits.METADATA_VALUE_MAX
                               for i in range(limits.METADATA_PAIRS_MAX)}}),
    ("temperature-0", {"temperature": 0}), ("temperature-2", {"temperature": 2}),
    ("top-p-0", {"top_p": 0}), ("top-p-1", {"top_p": 1.0}),
    ("max-results", {"tools": [fs(max_num_results=1)]}),
    ("max-results-50", {"tools": [fs(max_num_results=50)]}),
    ("threshold", {"tools": [fs(ranking_options={"ranker": "auto", "score_threshold": 1})]}),
    ("fn-name-64", {"tools": [fn(name="f-_9" * 16)]}),
    ("json-schema", {"response_format": {"type": "json_schema", "json_schema": {
        "name": "out", "schema": {"type": "object"}, "strict": True}}}),
    *[(f"effort-{e}", {"reasoning_effort": e}) for e in limits.REASONING_EFFORTS],
]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with local_client(tmp_path_factory.mktemp("limits")) as client:
        yield client


@pytest.fixture(scope="module")
def existing(client) -> str:
    return client.post("/assistants", json={"model": "gpt-4o", "name": "keep"}).json()["id"]


def assert_rejected(response, param, code) -> None:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error"
    assert (error["param"], error["code"]) == (param, code)
    assert error["message"]


@pytest.mark.parametrize(("body", "param", "code"), [c[1:] for c in REJECTED],
                         ids=[c[0] for c in REJECTED])
def test_create_rejects(client, body, param, code):
    before = client.app.state.store.count()
    assert_rejected(client.post("/assistants", json=body), param, code)
    assert client.app.state.store.count() == before


@pytest.mark.parametrize(("body", "param", "code"),
                         [c[1:] for c in REJECTED if c[0] not in ("model-missing",)],
                         ids=[c[0] for c in REJECTED if c[0] != "model-missing"])
def test_modify_rejects_and_changes_nothing(client, existing, body, param, code):
    body = {k: v for k, v in body.items() if k != "model" or param == "model"}
    before = client.get(f"/assistants/{existing}").json()
    assert_rejected(client.post(f"/assistants/{existing}", json=body), param, code)
    assert client.get(f"/assistants/{existing}").json() == before


@pytest.mark.parametrize("body", [c[1] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_accepted_at_the_limit(client, existing, body):
    created = client.post("/assistants", json={"model": "gpt-4o", **body})
    assert created.status_code == 200, created.text
    modified = client.post(f"/assistants/{existing}", json=body)
    assert modified.status_code == 200, modified.text


@pytest.mark.parametrize(("message", "body"), [
    ("Invalid 'name': string too long. Expected a string with maximum length 256, but got a "
     "string with length 300 instead.", {**M, "name": "n" * 300}),
    ("Missing required parameter: 'model'.", {}),
    ("Invalid type for 'metadata.team': expected a string, but got an integer instead.",
     {**M, "metadata": {"team": 7}}),
    ("Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 3 "
     "instead.", {**M, "temperature": 3}),
    ("Invalid value: 'fast'. Supported values are: 'auto' and 'default_2024_08_21'.",
     {**M, "tools": [fs(ranking_options={"ranker": "fast", "score_threshold": 0})]}),
    ("Invalid 'tools': array too long. Expected an array with maximum length 128, but got an "
     "array with length 129 instead.", {**M, "tools": [CI] * 129}),
    ("Unrecognized request argument supplied: instruction", {**M, "instruction": "x"}),
    ("Unrecognized request arguments supplied: a, b", {**M, "a": 1, "b": 2}),
])
def test_messages_in_openai_style(client, message, body):
    response = client.post("/assistants", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == message
