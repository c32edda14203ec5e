"""What is sent: the body of each change, row by row (DESIGN "Diff and plan": the canonical form
compares; the body sends what the user wrote). Each row is a config, a live assistant as a server
holds it, and the exact body (None: a noop)."""

from __future__ import annotations

from typing import Any

import pytest

from assistants.canonical import MARKER_KEY
from assistants.kinds.assistant import ASSISTANT
from reconciler.config.resolved import Document
from reconciler.kinds.assistant import AssistantSpec
from reconciler.plan.change import Action
from reconciler.plan.diff import update_between
from tests.support.planning import live_sha256, plan_create, plan_update, record
from tests.support.planning import written as desired_fields

OWNER = "acme"
MARKER = f"v1;owner={OWNER};key=k"


def desired(**fields: Any) -> Document:
    return Document(AssistantSpec(key="k", model="gpt-4o", **fields), "k.yaml:1")


def live(**fields: Any) -> dict[str, Any]:
    """A live assistant carrying this owner's marker for key `k`, and `fields`."""
    metadata = {MARKER_KEY: MARKER, **fields.pop("metadata", {})}
    return {"id": "asst_1", "object": "assistant", "created_at": 1, "model": "gpt-4o",
            "metadata": metadata, **fields}


def search(**settings: Any) -> dict[str, Any]:
    return {"type": "file_search", "file_search": settings}


def ranking(ranker: str | None, threshold: float) -> dict[str, Any]:
    options: dict[str, Any] = {"score_threshold": threshold}
    if ranker:
        options["ranker"] = ranker
    return {"ranking_options": options}


def func(name: str, **fields: Any) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name, **fields}}


CODE = {"type": "code_interpreter"}
SERVER_FUNC = {"strict": False, "parameters": {}}  # what a server fills in

UPDATES: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any] | None]] = [
    ("pinned dated ranker is sent as pinned",
     {"tools": [search(**ranking("default_2024_08_21", 0.5))]},
     live(tools=[search(**ranking("auto", 0.5))]),
     {"tools": [search(**ranking("default_2024_08_21", 0.5))]}),
    ("auto accepts the dated ranker the server filled in (issue 22 item 2)",
     {"tools": [search(**ranking("auto", 0.5))]},
     live(tools=[search(**ranking("default_2024_08_21", 0.5))]), None),
    ("a pinned dated ranker differs from a server that omits ranking options (issue 22.2)",
     {"tools": [search(**ranking("default_2024_08_21", 0))]}, live(tools=[search()]),
     {"tools": [search(**ranking("default_2024_08_21", 0))]}),
    ("a pinned dated ranker differs from a server holding auto",
     {"tools": [search(**ranking("default_2024_08_21", 0))]},
     live(tools=[search(**ranking("auto", 0))]),
     {"tools": [search(**ranking("default_2024_08_21", 0))]}),
    ("an unpinned ranker accepts the dated default",
     {"tools": [search(**ranking(None, 0.5))]},
     live(tools=[search(**ranking("default_2024_08_21", 0.5))]), None),
    ("an unpinned ranker accepts auto",
     {"tools": [search(**ranking(None, 0.5))]},
     live(tools=[search(**ranking("auto", 0.5))]), None),
    ("an unpinned ranker equals a live one without a ranker",
     {"tools": [search(**ranking(None, 0.5))]}, live(tools=[search(**ranking(None, 0.5))]),
     None),
    ("auto equals a live one without a ranker",
     {"tools": [search(**ranking("auto", 0.5))]}, live(tools=[search(**ranking(None, 0.5))]),
     None),
    ("an unpinned ranker beside live settings without ranking",
     {"tools": [search(**ranking(None, 0.5))]}, live(tools=[search(max_num_results=3)]),
     {"tools": [search(**ranking(None, 0.5))]}),
    ("file_search settings without ranking changed",
     {"tools": [search(max_num_results=4)]}, live(tools=[search(max_num_results=3)]),
     {"tools": [search(max_num_results=4)]}),
    ("an unpinned ranker still sees a threshold change",
     {"tools": [search(**ranking(None, 0.5))]},
     live(tools=[search(**ranking("auto", 0.4))]),
     {"tools": [search(**ranking(None, 0.5))]}),
    ("default ranking filled by the server is no change",
     {"tools": [search()]}, live(tools=[search(**ranking("default_2024_08_21", 0))]), None),
    ("tools reordered is no change",
     {"tools": [func("b"), CODE, func("a")]},
     live(tools=[func("a", **SERVER_FUNC), func("b", **SERVER_FUNC), CODE]), None),
    ("tools are sent in config order",
     {"tools": [func("b"), CODE, func("a", description="new")]},
     live(tools=[func("a", **SERVER_FUNC), func("b", **SERVER_FUNC), CODE]),
     {"tools": [func("b"), CODE, func("a", description="new")]}),
    ("nested values are sent as given",
     {"tools": [func("f", strict=False, parameters={"type": "object", "properties": {}})]},
     live(tools=[func("f", description="old", **SERVER_FUNC)]),
     {"tools": [func("f", parameters={"type": "object", "properties": {}}, strict=False)]}),
    ("temperature 0 is sent as 0", {"temperature": 0.0}, live(temperature=0.7),
     {"temperature": 0.0}),
    ("temperature 0 equals a live 0", {"temperature": 0.0}, live(temperature=0), None),
    ("a default written out is sent as written", {"temperature": 1.0}, live(temperature=0.5),
     {"temperature": 1.0}),
    ("removed temperature is reset with null", {}, live(temperature=0.5),
     {"temperature": None}),
    ("removed top_p 0 is reset with null", {}, live(top_p=0.0), {"top_p": None}),
    ("removed name is reset with null", {}, live(name="Old"), {"name": None}),
    ("removed description is reset with null", {}, live(description="Old"),
     {"description": None}),
    ("removed instructions are reset with null", {}, live(instructions="Old"),
     {"instructions": None}),
    ("removed response_format is reset with auto", {},
     live(response_format={"type": "json_schema", "json_schema": {"name": "x"}}),
     {"response_format": "auto"}),
    ("removed tools are reset with []", {}, live(tools=[CODE]), {"tools": []}),
    ("removed tool_resources get explicit empty lists", {},
     live(tool_resources={"code_interpreter": {"file_ids": ["f1"]},
                          "file_search": {"vector_store_ids": ["vs_1"]}}),
     {"tool_resources": {"code_interpreter": {"file_ids": []},
                         "file_search": {"vector_store_ids": []}}}),
    ("a removed tool_resources entry gets an explicit empty list",
     {"tool_resources": {"file_search": {"vector_store_ids": ["vs_2"]}}},
     live(tool_resources={"code_interpreter": {"file_ids": ["f1"]},
                          "file_search": {"vector_store_ids": ["vs_1"]}}),
     {"tool_resources": {"file_search": {"vector_store_ids": ["vs_2"]},
                         "code_interpreter": {"file_ids": []}}}),
    ("removed metadata keeps the marker", {}, live(metadata={"team": "x"}),
     {"metadata": {MARKER_KEY: MARKER}}),
    ("a removed reasoning_effort is sent as null", {},
     live(metadata={MARKER_KEY: desired_fields(AssistantSpec(
         key="k", model="gpt-4o", reasoning_effort="high"), OWNER)["metadata"][MARKER_KEY]}),
     {"metadata": {MARKER_KEY: MARKER}, "reasoning_effort": None}),
    ("an added reasoning_effort is sent with the marker's digest", {"reasoning_effort": "low"},
     live(), {"metadata": desired_fields(AssistantSpec(
         key="k", model="gpt-4o", reasoning_effort="low"), OWNER)["metadata"],
              "reasoning_effort": "low"}),
]


@pytest.mark.parametrize("fields,live_assistant,body", [r[1:] for r in UPDATES],
                         ids=[r[0] for r in UPDATES])
def test_update_body(fields, live_assistant, body):
    change = plan_update(desired(**fields), record(live_assistant), OWNER)
    if body is None:
        assert change.action is Action.NOOP, change.body
        return
    assert change.action is Action.UPDATE
    assert change.body == body
    assert list(change.body.get("tools", [])) == body.get("tools", [])  # in this order
    assert set(change.fields) == set(body)
    if "reasoning_effort" in body:  # write-only: never readable before
        assert change.before["reasoning_effort"] is None
        assert change.after["reasoning_effort"] == body["reasoning_effort"]


CREATES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("pinned ranker as pinned", {"tools": [search(**ranking("default_2024_08_21", 0.5))]},
     {"tools": [search(**ranking("default_2024_08_21", 0.5))]}),
    ("tools in config order", {"tools": [func("b"), CODE, func("a")]},
     {"tools": [func("b"), CODE, func("a")]}),
    ("temperature 0 sent", {"temperature": 0}, {"temperature": 0.0}),
    ("write-only fields sent", {"reasoning_effort": "high"}, {"reasoning_effort": "high"}),
    ("defaults written out are sent", {"temperature": 1, "response_format": "auto"},
     {"temperature": 1.0, "response_format": "auto"}),
]


@pytest.mark.parametrize("fields,sent", [r[1:] for r in CREATES], ids=[r[0] for r in CREATES])
def test_create_body_is_what_was_written(fields, sent):
    spec = desired(**fields)
    change = plan_create(spec, OWNER)
    assert (change.action, change.id, change.before, change.live_sha256, change.source) == (
        Action.CREATE, None, None, None, "k.yaml:1")
    assert set(change.fields) == set(change.after) <= set(change.body)
    marker = desired_fields(spec.spec, OWNER)["metadata"]
    assert change.body == {"model": "gpt-4o", "tools": [], "metadata": marker, **sent}
    assert list(change.body.get("tools", [])) == sent.get("tools", [])


LOOKUP = "tools.function:lookup.function.description"
IGNORED: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any] | None]] = [
    ("an ignored tool part is no change",
     {"ignore_changes": [LOOKUP], "tools": [func("lookup", description="mine")]},
     live(tools=[func("lookup", description="by hand")]), None),
    ("an ignored tool part keeps its live value when tools are sent",
     {"ignore_changes": [LOOKUP],
      "tools": [func("lookup", description="mine"), func("pay", description="new")]},
     live(tools=[func("pay", **SERVER_FUNC), func("lookup", description="by hand")]),
     {"tools": [func("lookup", description="by hand"), func("pay", description="new")]}),
    ("an ignored tool part beside a malformed live tool",
     {"ignore_changes": [LOOKUP], "tools": [func("lookup", description="mine"), CODE]},
     live(tools=["code_interpreter", {"type": "function", "function": None},
                 func("lookup", description="by hand")]),
     {"tools": [func("lookup", description="by hand"), CODE]}),
    ("an ignored tool part the live assistant lacks is left out",
     {"ignore_changes": [LOOKUP], "tools": [func("lookup", description="mine"), CODE]},
     live(tools=[func("lookup")]), {"tools": [func("lookup"), CODE]}),
    ("ignoring the whole definition of a tool the live assistant lacks adds it whole",
     {"ignore_changes": ["tools.function:lookup.function"],
      "tools": [func("lookup", description="mine"), CODE]},
     live(tools=[CODE]), {"tools": [func("lookup", description="mine"), CODE]}),
    ("an ignored tool keeps its live settings",
     {"ignore_changes": ["tools.file_search.file_search.ranking_options"],
      "tools": [search(max_num_results=4), CODE]},
     live(tools=[search(max_num_results=4, **ranking("default_2024_08_21", 0.3))]),
     {"tools": [search(max_num_results=4, **ranking("default_2024_08_21", 0.3)), CODE]}),
    ("an ignored whole tool only the live assistant has is kept",
     {"ignore_changes": ["tools.function:manual"], "tools": [CODE]},
     live(tools=[func("manual", description="by hand")]),
     {"tools": [CODE, func("manual", description="by hand")]}),
    ("an ignored metadata key the live assistant lacks is left out",
     {"ignore_changes": ["metadata.owner"], "metadata": {"owner": "me", "team": "a"}},
     live(metadata={"team": "b"}), {"metadata": {"team": "a", MARKER_KEY: MARKER}}),
    ("an ignored metadata key with a dot keeps its live value",
     {"ignore_changes": ["metadata.app.version"], "metadata": {"app.version": "2", "t": "a"}},
     live(metadata={"app.version": "1", "t": "b"}),
     {"metadata": {"app.version": "1", "t": "a", MARKER_KEY: MARKER}}),
    ("ignored metadata on an adopted assistant keeps the marker",
     {"ignore_changes": ["metadata"], "id": "asst_1", "metadata": {"team": "a"}},
     {"id": "asst_1", "model": "gpt-4o", "metadata": {"team": "hand"}},
     {"metadata": {"team": "hand", MARKER_KEY: MARKER}}),
    ("an ignored part leaves no empty map behind",
     {"ignore_changes": ["tool_resources.code_interpreter.file_ids"],
      "tool_resources": {"code_interpreter": {"file_ids": ["f1"]},
                         "file_search": {"vector_store_ids": ["vs_2"]}}},
     live(tool_resources={"file_search": {"vector_store_ids": ["vs_1"]}}),
     {"tool_resources": {"file_search": {"vector_store_ids": ["vs_2"]}}}),
    ("an ignored field keeps its live value", {"ignore_changes": ["temperature"],
                                               "temperature": 0.2, "name": "N"},
     live(temperature=0.9), {"name": "N"}),
]


@pytest.mark.parametrize("fields,live_assistant,body", [r[1:] for r in IGNORED],
                         ids=[r[0] for r in IGNORED])
def test_ignored_parts_keep_their_live_value_in_the_body(fields, live_assistant, body):
    change = plan_update(desired(**fields), record(live_assistant), OWNER)
    if body is None:
        assert change.action is Action.NOOP, change.body
        return
    assert change.body == body
    assert list(change.body.get("tools", [])) == body.get("tools", [])


MALFORMED: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("tools a map", live(tools={"type": "code_interpreter"}), {"tools": []}),
    ("a tool that is text", live(tools=["code_interpreter"]), {"tools": []}),
    ("temperature text", live(temperature="warm"), {"temperature": None}),
    ("tool_resources a list of names", live(tool_resources=["file_search"]),
     {"tool_resources": {}}),
    ("vector_stores objects are ignored",
     live(tool_resources={"file_search": {"vector_stores": [{"file_ids": ["a"]},
                                                            {"file_ids": ["b"]}]}}), {}),
    ("response_format a list", live(response_format=["auto"]), {"response_format": "auto"}),
    ("ranking options text", live(tools=[search(ranking_options="auto")]), {"tools": []}),
]


@pytest.mark.parametrize("live_assistant,body", [r[1:] for r in MALFORMED],
                         ids=[r[0] for r in MALFORMED])
def test_malformed_live_values_are_planned_away(live_assistant, body):
    change = plan_update(desired(), record(live_assistant), OWNER)
    assert (change.body or {}) == body


def test_metadata_that_is_not_a_map_is_replaced_on_an_adopted_assistant():
    adopted = {"id": "asst_1", "model": "gpt-4o", "metadata": ["team", "x"]}
    change = plan_update(desired(id="asst_1", metadata={"team": "x"}), record(adopted),
                         OWNER)
    assert change.body == {"metadata": {"team": "x", MARKER_KEY: MARKER}}
    assert change.before == {"metadata": ["team", "x"]}


def test_an_unpinned_ranker_equals_a_live_one_without_a_ranker_in_the_slow_path():
    form = {"model": "m", "tools": [search(**ranking(None, 0.5))]}
    assert update_between(ASSISTANT, "k", "asst_1", form, dict(form)).action is Action.NOOP


def test_update_between_reads_a_malformed_want_beside_a_ranker():
    want = {"model": "m", "tools": ["odd", search(**ranking(None, 0.5))]}
    live_form = {"model": "m", "tools": [search(**ranking("auto", 0.5))]}
    change = update_between(ASSISTANT, "k", "asst_1", want, live_form)
    assert change.body == {"tools": want["tools"]}
    assert change.after == {"tools": ["odd", search(**ranking("auto", 0.5))]}


def test_update_between_sends_the_written_values_and_compares_the_forms():
    want = {"model": "m", "tools": [{"type": "code_interpreter"}, func("a")]}
    written = {"model": "m", "tools": [func("a", strict=False), CODE]}
    change = update_between(ASSISTANT, "k", "asst_1", want, {"model": "m"}, written=written)
    assert change.body == {"tools": [func("a", strict=False), CODE]}
    assert change.after == {"tools": want["tools"]}
    plain = update_between(ASSISTANT, "k", "asst_1", want, {"model": "m"})
    assert plain.body == {"tools": want["tools"]}
    assert (plain.source, plain.live_sha256) == (None, live_sha256({"model": "m"}))


def test_a_body_with_more_metadata_pairs_than_the_api_takes_is_named_in_the_plan():
    """Adopting an assistant whose 16 pairs `ignore_changes: [metadata]` keeps: the marker
    would be the 17th, which the server refuses; the plan says so before apply."""
    from reconciler.config.loader import Config
    from reconciler.config.settings import ProjectSettings
    from tests.support.planning import plan_of

    spec = AssistantSpec(key="k", model="gpt-4o", id="asst_1", ignore_changes=["metadata"])
    config = Config(paths=("c",), roots=(), settings=ProjectSettings(owner=OWNER),
                    documents=(Document(spec, "k.yaml:1"),), config_sha256="0" * 64)
    full = {"id": "asst_1", "model": "gpt-4o", "metadata": {f"k{i}": "v" for i in range(16)}}
    plan = plan_of(config, [full], OWNER)
    (note,) = [n for n in plan.notes if "metadata" in n]
    assert note.startswith("k: its metadata would hold 17 pairs") and "16" in note
    fits = {**full, "metadata": {f"k{i}": "v" for i in range(15)}}
    assert not [n for n in plan_of(config, [fits], OWNER).notes if "metadata" in n]
