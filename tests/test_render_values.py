"""How values read in a plan: nested values created or removed whole are indented blocks (never
one dotted path per leaf, never a digest), a reset reads as the default it restores, and a
response format reads as its kind."""

from __future__ import annotations

import io

import pytest

from reconciler.plan.change import Change
from reconciler.plan.model import Plan
from reconciler.report.detail import block, field_lines
from reconciler.report.render import change_lines, render_markdown

SCHEMA = {"type": "object", "properties": {"supplier": {"type": "string"}},
          "required": ["supplier"]}
CONTRACT = {"type": "json_schema", "json_schema": {"name": "contract_record", "schema": SCHEMA}}


def texts(lines) -> list[str]:
    return [text for _, text in lines]


RESETS = [
    ("temperature", 0.3, None, "~ temperature: 0.3 -> 1.0 (default)"),
    ("top_p", 0.0, None, "~ top_p: 0.0 -> 1.0 (default)"),
    ("name", "Old", None, '~ name: "Old" -> null (default)'),
    ("temperature", None, 0.0, "~ temperature: 1.0 (default) -> 0.0"),
    ("response_format", CONTRACT, None,
     "~ response_format: json_schema contract_record -> auto (default)"),
    ("response_format", {"type": "text"}, {"type": "json_object"},
     "~ response_format: text -> json_object"),
]


@pytest.mark.parametrize("field,before,after,expected", RESETS,
                         ids=[f"{r[0]} {r[1]!r}->{r[2]!r}" for r in RESETS])
def test_a_change_of_kind_or_a_reset_is_one_readable_line(field, before, after, expected):
    assert texts(field_lines(field, before, after)) == [expected]


def test_a_new_schema_is_shown_as_a_block_under_its_kind():
    lines = texts(field_lines("response_format", None, CONTRACT))
    assert lines[0] == "~ response_format: auto (default) -> json_schema contract_record"
    assert "+     schema:" in lines and '+                 type: "string"' in lines


def test_a_schema_edited_in_place_is_a_nested_diff():
    edited = {"type": "json_schema", "json_schema": {"name": "contract_record", "schema": {
        **SCHEMA, "required": []}}}
    assert texts(field_lines("response_format", CONTRACT, edited)) == [
        "~ response_format:", '-     json_schema.schema.required[0]: "supplier"']


def test_a_created_assistant_shows_nested_values_as_indented_blocks():
    change = Change.create(kind="assistant", key="k",
                           after={"response_format": CONTRACT,
                                  "tools": [{"type": "function", "function": {"name": "f"}}]},
                           body={}, source=None)
    lines = texts(change_lines(change))
    assert lines[:3] == ["+ response_format:", '+     type: "json_schema"', "+     json_schema:"]
    assert "+                 supplier:" in lines
    assert "+     function:f:" in lines
    assert not any("response_format.json_schema" in text or "sha256" in text for text in lines)


def test_tools_removed_whole_are_blocks_named_as_ignore_changes_names_them():
    lines = texts(field_lines("tools", [{"type": "function", "function": {"name": "f"}},
                                        {"type": "code_interpreter"}], None))
    assert lines == ["~ tools:", "-     function:f:", '-         type: "function"',
                     "-         function:", '-             name: "f"',
                     "-     code_interpreter:", '-         type: "code_interpreter"']


def test_a_value_of_another_shape_is_shown_whole_on_both_sides():
    assert texts(field_lines("metadata", ["a", "b"], {"team": "x"})) == [
        "~ metadata:", '-     ["a", "b"]', '+     team: "x"']


def test_blocks_of_lists_and_multiline_text():
    assert texts(block("anyOf", [{"type": "string"}, {"type": "null"}], "+")) == [
        "+ anyOf:", "+     [0]:", '+         type: "string"', "+     [1]:",
        '+         type: "null"']
    assert texts(block("instructions", "a\nb\n", "-")) == [
        "- instructions: (2 lines)", "-     a", "-     b"]
    assert texts(block("ids", ["x", "y"], "+")) == ['+ ids: ["x", "y"]']


def test_markdown_carries_the_same_blocks():
    change = Change.create(kind="assistant", key="k", after={"response_format": CONTRACT},
                           body={}, source=None)
    plan = Plan(endpoint="e", owner="o", paths=(), config_sha256="c" * 64, changes=(change,))
    out = io.StringIO()
    render_markdown(plan, out)
    assert "\n+     json_schema:\n" in out.getvalue()
    assert "response_format.json_schema" not in out.getvalue()


def test_a_removed_tool_renders_the_live_value_being_removed():
    """Issue 22 item 7: the server filled in the tool's ranking options; removing the tool
    shows them going, not a bare `type`."""
    from reconciler.kinds.assistant import AssistantSpec
    from reconciler.report.render import change_lines
    from tests.support.planning import plan_update

    filled = {"type": "file_search", "file_search": {"ranking_options": {
        "ranker": "default_2024_08_21", "score_threshold": 0.0}}}
    live = {"id": "asst_1", "model": "gpt-4o",
            "tools": [filled, {"type": "code_interpreter"}],
            "metadata": {"managed-by": "v1;owner=o;key=k"}}
    change = plan_update(AssistantSpec(key="k", model="gpt-4o",
                                       tools=[{"type": "code_interpreter"}]), live, "o")
    text = "\n".join(t for _, t in change_lines(change))
    assert "-     file_search:" in text
    assert '-                 ranker: "default_2024_08_21"' in text
