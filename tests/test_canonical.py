"""Every equivalence of API-FACTS "Semantics" and DESIGN "Diff and plan", one row each: the two
sides must have the same canonical form (or, in the second table, must not)."""

from __future__ import annotations

import pytest

from assistants.canonical import sha256_of
from assistants.kinds.assistant import canonical

BASE = {"model": "gpt-4o"}

EQUAL = [
    ("null name equals empty", {"name": None}, {"name": ""}),
    ("null name equals absent", {"name": None}, {}),
    ("null description equals empty", {"description": None}, {"description": ""}),
    ("null instructions equals empty", {"instructions": None}, {"instructions": ""}),
    ("null tools equals []", {"tools": None}, {"tools": []}),
    ("null metadata equals {}", {"metadata": None}, {"metadata": {}}),
    ("null tool_resources equals {}", {"tool_resources": None}, {"tool_resources": {}}),
    ("temperature default 1.0", {}, {"temperature": 1.0}),
    ("temperature 1 equals 1.0", {"temperature": 1}, {"temperature": 1.0}),
    ("temperature 0.2 int/float", {"temperature": 0.5}, {"temperature": 0.50}),
    ("top_p default", {}, {"top_p": 1}),
    ("top_p null", {"top_p": None}, {"top_p": 1.0}),
    ("response_format auto", {}, {"response_format": "auto"}),
    ("response_format null", {"response_format": None}, {"response_format": "auto"}),
    ("metadata key order", {"metadata": {"a": "1", "b": "2"}}, {"metadata": {"b": "2", "a": "1"}}),
    ("unknown live fields ignored", {}, {"id": "x", "object": "assistant", "created_at": 1.5,
                                         "updated_at": 9, "whatever": {"x": 1}}),
    (
        "function strict false and parameters {} filled",
        {"tools": [{"type": "function", "function": {"name": "f"}}]},
        {"tools": [{"type": "function",
                    "function": {"name": "f", "strict": False, "parameters": {}}}]},
    ),
    (
        "function description null",
        {"tools": [{"type": "function", "function": {"name": "f"}}]},
        {"tools": [{"type": "function", "function": {"name": "f", "description": None}}]},
    ),
    (
        "file_search ranking_options default filled as auto",
        {"tools": [{"type": "file_search"}]},
        {"tools": [{"type": "file_search", "file_search": {
            "ranking_options": {"ranker": "auto", "score_threshold": 0.0}}}]},
    ),
    (
        "file_search empty settings",
        {"tools": [{"type": "file_search", "file_search": {}}]},
        {"tools": [{"type": "file_search", "file_search": None}]},
    ),
    (
        "ranker auto at threshold 0 is the default",
        {"tools": [{"type": "file_search"}]},
        {"tools": [{"type": "file_search", "file_search": {
            "ranking_options": {"ranker": "auto", "score_threshold": 0}}}]},
    ),
    (
        "ranker absent at threshold 0 is the default",
        {"tools": [{"type": "file_search"}]},
        {"tools": [{"type": "file_search", "file_search": {
            "ranking_options": {"score_threshold": 0.0}}}]},
    ),
    ("temperature 0 int/float", {"temperature": 0}, {"temperature": 0.0}),
    ("score_threshold 1 equals 1.0", {"tools": [{"type": "file_search", "file_search": {
        "ranking_options": {"ranker": "auto", "score_threshold": 1}}}]},
     {"tools": [{"type": "file_search", "file_search": {
         "ranking_options": {"ranker": "auto", "score_threshold": 1.0}}}]}),
    ("file_search settings of null values", {"tools": [{"type": "file_search"}]},
     {"tools": [{"type": "file_search", "file_search": {"max_num_results": None,
                                                          "ranking_options": None}}]}),
    ("an unknown tool type keeps only its set keys", {"tools": [{"type": "retrieval"}]},
     {"tools": [{"type": "retrieval", "retrieval": None}]}),
    ("unknown keys of a code_interpreter tool are ignored", {"tools": [{"type": "code_interpreter"}]},
     {"tools": [{"type": "code_interpreter", "code_interpreter": {"container": "auto"}}]}),
    ("metadata [] from a server equals {}", {}, {"metadata": []}),
    ("tool_resources [] from a server equals {}", {}, {"tool_resources": []}),
    (
        "a vector_stores helper list inside tool_resources is ignored",
        {},
        {"tool_resources": {"file_search": {"vector_stores": [{"file_ids": ["f1"]},
                                                              {"file_ids": ["f2"]}]}}},
    ),
    (
        "max_num_results kept beside filled ranking options",
        {"tools": [{"type": "file_search", "file_search": {"max_num_results": 8}}]},
        {"tools": [{"type": "file_search", "file_search": {"max_num_results": 8,
                    "ranking_options": {"ranker": "auto", "score_threshold": 0}}}]},
    ),
    (
        "tools order carries no meaning",
        {"tools": [{"type": "code_interpreter"}, {"type": "function", "function": {"name": "a"}},
                   {"type": "function", "function": {"name": "b"}}]},
        {"tools": [{"type": "function", "function": {"name": "b"}},
                   {"type": "code_interpreter"}, {"type": "function", "function": {"name": "a"}}]},
    ),
    (
        "per-tool empty tool_resources filled by the server",
        {"tools": [{"type": "file_search"}, {"type": "code_interpreter"}]},
        {"tools": [{"type": "file_search"}, {"type": "code_interpreter"}],
         "tool_resources": {"file_search": {"vector_store_ids": []},
                            "code_interpreter": {"file_ids": []}}},
    ),
    (
        "tool_resources null lists",
        {},
        {"tool_resources": {"file_search": {"vector_store_ids": None}, "code_interpreter": None}},
    ),
    (
        "file_ids order carries no meaning",
        {"tool_resources": {"code_interpreter": {"file_ids": ["file-b", "file-a"]}}},
        {"tool_resources": {"code_interpreter": {"file_ids": ["file-a", "file-b"]}}},
    ),
    (
        "json_schema strict false equals absent",
        {"response_format": {"type": "json_schema", "json_schema": {"name": "x"}}},
        {"response_format": {"type": "json_schema", "json_schema": {"name": "x", "strict": False,
                                                                    "description": None}}},
    ),
]

DIFFERENT = [
    ("temperature 0.2 vs default", {"temperature": 0.2}, {}),
    ("name differs", {"name": "a"}, {"name": "b"}),
    ("instructions trailing newline matters", {"instructions": "x\n"}, {"instructions": "x"}),
    ("model differs", {"model": "gpt-4o-mini"}, {}),
    ("response_format text is not auto", {"response_format": {"type": "text"}}, {}),
    ("function strict true", {"tools": [{"type": "function", "function": {"name": "f",
                                                                           "strict": True}}]},
     {"tools": [{"type": "function", "function": {"name": "f"}}]}),
    ("score_threshold set", {"tools": [{"type": "file_search", "file_search": {
        "ranking_options": {"score_threshold": 0.4}}}]}, {"tools": [{"type": "file_search"}]}),
    ("metadata value", {"metadata": {"a": "1"}}, {"metadata": {"a": "2"}}),
    ("metadata key removed", {"metadata": {"a": "1"}}, {"metadata": {"a": "1", "b": "2"}}),
    ("vector store swapped", {"tool_resources": {"file_search": {"vector_store_ids": ["vs_1"]}}},
     {"tool_resources": {"file_search": {"vector_store_ids": ["vs_2"]}}}),
    ("a tool removed", {"tools": [{"type": "code_interpreter"}]}, {"tools": []}),
    ("temperature 0 is not the default", {"temperature": 0}, {}),
    ("top_p 0 is not the default", {"top_p": 0.0}, {"top_p": None}),
    (
        "ranker auto differs from the dated ranker beside a threshold",
        {"tools": [{"type": "file_search", "file_search": {
            "ranking_options": {"ranker": "auto", "score_threshold": 0.5}}}]},
        {"tools": [{"type": "file_search", "file_search": {
            "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0.5}}}]},
    ),
    ("metadata that is not a map differs", {"metadata": {}}, {"metadata": ["a", "b"]}),
    ("metadata text differs", {}, {"metadata": "team=x"}),
    ("tools that are not a list differ", {}, {"tools": {"type": "code_interpreter"}}),
    ("a temperature that is no number differs", {}, {"temperature": "warm"}),
    ("ranking options that are text differ", {"tools": [{"type": "file_search"}]},
     {"tools": [{"type": "file_search", "file_search": {"ranking_options": "auto"}}]}),
    ("tool_resources entry that is not a map differs", {},
     {"tool_resources": {"file_search": ["vs_1"]}}),
]


PINNED = [
    ("pinned dated ranker kept as written",
     {"ranker": "default_2024_08_21", "score_threshold": 0.5},
     {"ranker": "default_2024_08_21", "score_threshold": 0.5}),
    ("auto counts as no ranker (it accepts the server's)",
     {"ranker": "auto", "score_threshold": 0.5}, {"score_threshold": 0.5}),
    ("absent ranker stays absent", {"score_threshold": 1}, {"score_threshold": 1.0}),
    ("a pinned dated ranker at threshold 0 is kept (issue 22 item 2)",
     {"ranker": "default_2024_08_21", "score_threshold": 0},
     {"ranker": "default_2024_08_21", "score_threshold": 0.0}),
    ("auto at threshold 0 is the default", {"ranker": "auto", "score_threshold": 0}, None),
]


@pytest.mark.parametrize("ranking,expected", [(r, e) for _, r, e in PINNED],
                         ids=[name for name, _, _ in PINNED])
def test_ranking_options_keep_the_ranker_as_written(ranking, expected):
    tool = {"type": "file_search", "file_search": {"ranking_options": ranking}}
    (form,) = canonical({**BASE, "tools": [tool]})["tools"]
    assert form.get("file_search", {}).get("ranking_options") == expected


MALFORMED = [
    ("metadata a list", {"metadata": [1, 2]}),
    ("metadata text", {"metadata": "x"}),
    ("tools a map", {"tools": {"a": 1}}),
    ("a tool that is text", {"tools": ["code_interpreter", {"type": "code_interpreter"}]}),
    ("function a list", {"tools": [{"type": "function", "function": [1]}]}),
    ("file_search settings a list", {"tools": [{"type": "file_search", "file_search": [1]}]}),
    ("ranking options text", {"tools": [{"type": "file_search",
                                         "file_search": {"ranking_options": "auto"}}]}),
    ("vector_stores objects", {"tool_resources": {"file_search": {
        "vector_stores": [{"file_ids": ["a"]}, {"file_ids": ["b"]}]}}}),
    ("vector_store_ids objects", {"tool_resources": {"file_search": {
        "vector_store_ids": [{"id": "vs_1"}, "vs_2"]}}}),
    ("tool_resources a list", {"tool_resources": [["x"]]}),
    ("temperature text", {"temperature": "warm"}),
    ("score_threshold text", {"tools": [{"type": "file_search", "file_search": {
        "ranking_options": {"score_threshold": "high"}}}]}),
    ("vector_store_ids text", {"tool_resources": {"file_search": {"vector_store_ids": "vs_1"}}}),
    ("top_p a map", {"top_p": {"value": 1}}),
    ("response_format a list", {"response_format": ["auto"]}),
    ("json_schema a list", {"response_format": {"type": "json_schema", "json_schema": [1]}}),
]


@pytest.mark.parametrize("live", [lv for _, lv in MALFORMED], ids=[n for n, _ in MALFORMED])
def test_malformed_live_values_have_a_form(live):
    form = canonical({**BASE, **live})
    assert canonical(form) == form
    sha256_of(form)  # and a digest


@pytest.mark.parametrize("desired,live", [(d, lv) for _, d, lv in EQUAL],
                         ids=[name for name, _, _ in EQUAL])
def test_equivalent_forms_compare_equal(desired, live):
    assert canonical({**BASE, **desired}) == canonical({**BASE, **live})
    assert sha256_of(canonical({**BASE, **desired})) == sha256_of(canonical({**BASE, **live}))


@pytest.mark.parametrize("desired,live", [(d, lv) for _, d, lv in DIFFERENT],
                         ids=[name for name, _, _ in DIFFERENT])
def test_real_differences_stay_different(desired, live):
    assert canonical({**BASE, **desired}) != canonical({**BASE, **live})


@pytest.mark.parametrize("obj", [d for _, d, _ in EQUAL + DIFFERENT] + [lv for _, _, lv in EQUAL])
def test_canonical_form_is_idempotent(obj):
    once = canonical({**BASE, **obj})
    assert canonical(once) == once


def test_canonical_keeps_only_managed_non_default_fields():
    live = {
        "id": "asst_1", "object": "assistant", "created_at": 1, "model": "gpt-4o", "name": "N",
        "description": None, "instructions": "Be kind.", "tools": [], "tool_resources": {},
        "metadata": {}, "temperature": 1.0, "top_p": 1.0, "response_format": "auto",
    }
    assert canonical(live) == {"model": "gpt-4o", "name": "N", "instructions": "Be kind."}


def test_a_missing_or_empty_model_is_absent_from_the_form():
    assert canonical({"name": "N"}) == {"name": "N"}
    assert canonical({"model": "", "name": "N"}) == {"name": "N"}


def test_canonical_json_is_sorted_compact_and_keeps_utf8():
    from assistants.canonical import canonical_json

    assert canonical_json({"b": "é", "a": [1, 2]}) == '{"a":[1,2],"b":"é"}'


def test_tools_have_one_plain_form_and_any_mapping_type_is_read():
    from types import MappingProxyType

    tools = [{"type": "code_interpreter"}, {"type": "file_search"}]
    assert canonical({"tools": tools})["tools"] == tools
    proxied = {"metadata": MappingProxyType({"b": "2", "a": "1"}),
               "tools": [MappingProxyType({"type": "function",
                                           "function": MappingProxyType({"name": "f"})})],
               "tool_resources": MappingProxyType({"file_search": MappingProxyType(
                   {"vector_store_ids": ["vs_1"]})}),
               "response_format": MappingProxyType({"type": "text"})}
    assert canonical(proxied) == {
        "metadata": {"a": "1", "b": "2"},
        "tools": [{"type": "function", "function": {"name": "f"}}],
        "tool_resources": {"file_search": {"vector_store_ids": ["vs_1"]}},
        "response_format": {"type": "text"}}
    sha256_of(canonical(proxied))  # plain JSON values all through


def test_tools_sort_by_type_then_name_and_malformed_items_last():
    tools = ["odd", {"type": "function", "function": {"name": "b"}}, {"type": "code_interpreter"},
             {"type": "function", "function": {"name": "a"}}]
    assert canonical({"tools": tools})["tools"] == [tools[2], tools[3], tools[1], "odd"]


def test_malformed_lists_are_kept_as_they_are_and_inputs_are_never_changed():
    import copy

    live = {"tools": [{"type": "file_search", "file_search": {"max_num_results": 3,
                                                              "ranking_options": {}}}],
            "tool_resources": {"file_search": {"vector_store_ids": "vs_1"}}}
    before = copy.deepcopy(live)
    form = canonical(live)
    assert live == before
    assert form["tool_resources"] == {"file_search": {"vector_store_ids": "vs_1"}}
    assert form["tools"] == [{"type": "file_search", "file_search": {"max_num_results": 3}}]


FORMS = [
    ("unknown tool", {"tools": [{"type": "retrieval", "retrieval": None}]},
     {"tools": [{"type": "retrieval"}]}),
    ("file_search settings a list", {"tools": [{"type": "file_search", "file_search": [1]}]},
     {"tools": [{"type": "file_search", "file_search": [1]}]}),
    ("json_schema", {"response_format": {"type": "json_schema", "json_schema": {
        "name": "x", "strict": False, "schema": None}}},
     {"response_format": {"type": "json_schema", "json_schema": {"name": "x"}}}),
    ("ids sorted as text, not as JSON", {"tool_resources": {"code_interpreter": {
        "file_ids": ["a#", 'a"']}}},
     {"tool_resources": {"code_interpreter": {"file_ids": ['a"', "a#"]}}}),
]


@pytest.mark.parametrize("obj,form", [r[1:] for r in FORMS], ids=[r[0] for r in FORMS])
def test_the_form_of(obj, form):
    assert canonical(obj) == form


def test_a_dated_default_ranker_filled_in_is_adopted_by_a_config_that_names_none():
    """The canonical form keeps a dated ranker (the user may have pinned it); the kind's
    `adopt_live` reads it into a desired form that names no ranker, so the two are equal."""
    from assistants.kinds.assistant import adopt_default_ranker

    desired = canonical({**BASE, "tools": [{"type": "file_search"}]})
    live = canonical({**BASE, "tools": [{"type": "file_search", "file_search": {
        "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0.0}}}]})
    assert desired != live
    assert adopt_default_ranker(desired, live) == live
    pinned = canonical({**BASE, "tools": [{"type": "file_search", "file_search": {
        "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0}}}]})
    assert adopt_default_ranker(pinned, canonical({**BASE, "tools": [{"type": "file_search"}]})
                                ) != canonical({**BASE, "tools": [{"type": "file_search"}]})
