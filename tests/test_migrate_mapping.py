"""The mapping of one assistant document to an agent document: each row of the table in
AGENTS-FACTS.md ("From an assistant to an agent"), losses named with their values, supplied
values, controls, overrides, fleets, `--model`, and comments and key order kept."""

from __future__ import annotations

import io

import pytest
import yaml

from reconciler.migrate.findings import Findings
from reconciler.migrate.mapping import Mapper, agent_ignore_path
from reconciler.migrate.yaml_edit import round_trip


def migrate_text(text: str, models: dict[str, str] | None = None) -> tuple[str, Findings]:
    """The agent document's text and the findings; `*_file` paths get a `new/` prefix."""
    dumper, docs = round_trip(text)
    findings = Mapper(lambda ref, key, holder: f"new/{ref}", models or {}).document(docs[0])
    buffer = io.StringIO()
    dumper.dump_all(docs, buffer)
    return buffer.getvalue(), findings


def migrated(text: str, models: dict[str, str] | None = None) -> tuple[dict, Findings]:
    out, findings = migrate_text(text, models)
    return yaml.safe_load(out), findings


def lost(findings: Findings) -> dict[str, object]:
    return {x.field: x.value for x in findings.lost}


def test_same_fields_carry_over_unchanged_and_lose_nothing():
    agent, f = migrated("key: hr\nmodel: gpt-4o\nname: HR Helper\ninstructions: Be kind.\n"
                        "metadata: {team: people}\n")
    assert agent == {"kind": "agent", "key": "hr", "model": "gpt-4o", "name": "HR Helper",
                     "instructions": "Be kind.", "metadata": {"team": "people"}}
    assert f.lost == [] and f.supplied == []
    assert f.carried == ["key", "model", "name", "instructions", "metadata"]


def test_a_name_longer_than_an_agents_is_cut_and_reported_whole():
    name = "N" * 200
    agent, f = migrated(f"key: k\nmodel: m\nname: {name}\n")
    assert agent["name"] == "N" * 128
    assert lost(f) == {"name": name}


def test_reasoning_effort_becomes_reasoning_effort_without_loss():
    agent, f = migrated("key: k\nmodel: o3\nreasoning_effort: high\n")
    assert agent["reasoning"] == {"effort": "high"} and "reasoning_effort" not in agent
    assert f.lost == [] and "reasoning_effort -> reasoning.effort" in f.carried


@pytest.mark.parametrize("written", ["", "response_format: auto\n", "response_format: null\n",
                                     "response_format: {type: text}\n"])
def test_a_text_response_format_is_the_agents_default_and_loses_nothing(written):
    agent, f = migrated(f"key: k\nmodel: m\n{written}")
    assert agent == {"kind": "agent", "key": "k", "model": "m"}
    assert f.lost == []


def test_json_schema_becomes_a_text_format_and_loses_name_description_and_strict():
    agent, f = migrated("""key: k
model: m
response_format:
  type: json_schema
  json_schema:
    name: contract
    description: One contract.
    schema_file: ../schemas/contract.json
    strict: true
""")
    assert agent["text"] == {"format": {"type": "json_schema",
                                        "schema_file": "new/../schemas/contract.json"}}
    assert lost(f) == {"response_format.json_schema.name": "contract",
                       "response_format.json_schema.description": "One contract.",
                       "response_format.json_schema.strict": True}
    assert all(x.suggestion for x in f.lost)


def test_an_inline_schema_is_carried_and_strict_false_is_no_loss():
    agent, f = migrated("key: k\nmodel: m\nresponse_format: {type: json_schema, json_schema: "
                        "{name: r, schema: {type: object}, strict: false}}\n")
    assert agent["text"] == {"format": {"type": "json_schema", "schema": {"type": "object"}}}
    assert lost(f) == {"response_format.json_schema.name": "r"}


def test_a_json_schema_without_schema_gets_one_supplied():
    agent, f = migrated("key: k\nmodel: m\nresponse_format: {type: json_schema, "
                        "json_schema: {name: r}}\n")
    assert agent["text"]["format"]["schema"] == {"type": "object"}
    assert [s.field for s in f.supplied] == ["text.format.schema"]


def test_json_object_has_no_equivalent_and_suggests_a_json_schema_format():
    agent, f = migrated("key: k\nmodel: m\nresponse_format: {type: json_object}\n")
    assert "text" not in agent and "response_format" not in agent
    assert lost(f) == {"response_format": {"type": "json_object"}}
    assert "json_schema" in f.lost[0].suggestion


def test_a_function_tool_is_flattened_and_its_strict_is_lost():
    agent, f = migrated("""key: k
model: m
tools:
  - type: function
    function:
      name: lookup
      description: Look up.
      parameters_file: ../schemas/lookup.json
      strict: true
  - type: function
    function: {name: other, description: Other., parameters: {type: object}, strict: false}
""")
    assert agent["tools"] == [
        {"type": "function", "name": "lookup", "description": "Look up.",
         "parameters_file": "new/../schemas/lookup.json"},
        {"type": "function", "name": "other", "description": "Other.",
         "parameters": {"type": "object"}}]
    assert lost(f) == {"tools[0].function.strict": True}


def test_a_function_without_description_or_parameters_gets_the_required_values_supplied():
    agent, f = migrated("key: k\nmodel: m\ntools:\n  - type: function\n    function: {name: ping}\n")
    assert agent["tools"] == [{"type": "function", "name": "ping", "description": "",
                               "parameters": {"type": "object", "properties": {}}}]
    assert {s.field: s.value for s in f.supplied} == {
        "tools[0].description": "", "tools[0].parameters": {"type": "object", "properties": {}}}
    assert f.lost == []


def test_file_search_code_interpreter_and_their_resources_are_lost_with_their_values():
    agent, f = migrated("""key: k
model: m
tools:
  - type: file_search
    file_search: {max_num_results: 8}
  - type: function
    function: {name: f, description: d, parameters: {type: object}}
  - type: code_interpreter
tool_resources:
  file_search: {vector_store_ids: [vs_hr]}
  code_interpreter: {file_ids: [file-1]}
""")
    assert agent["tools"] == [{"type": "function", "name": "f", "description": "d",
                               "parameters": {"type": "object"}}]
    assert "tool_resources" not in agent
    assert lost(f) == {
        "tools[0]": {"type": "file_search", "file_search": {"max_num_results": 8}},
        "tools[2]": {"type": "code_interpreter"},
        "tool_resources.file_search": {"vector_store_ids": ["vs_hr"]},
        "tool_resources.code_interpreter": {"file_ids": ["file-1"]}}
    suggestions = {x.field: x.suggestion for x in f.lost}
    assert "MCP" in suggestions["tools[0]"] and "MCP" in suggestions["tools[2]"]


def test_only_file_search_leaves_no_tools_key():
    agent, f = migrated("key: k\nmodel: m\ntools: [{type: file_search}]\n")
    assert "tools" not in agent and list(lost(f)) == ["tools[0]"]


@pytest.mark.parametrize(("field", "value"), [("temperature", 0.2), ("top_p", 0.9),
                                              ("description", "Answers questions.")])
def test_sampling_and_description_have_no_equivalent(field, value):
    agent, f = migrated(f"key: k\nmodel: m\n{field}: {value}\n")
    assert field not in agent
    assert lost(f) == {field: value}


@pytest.mark.parametrize("written", ["temperature: 1", "top_p: 1.0", "description: ''",
                                     "temperature: null"])
def test_a_default_value_is_left_out_without_loss(written):
    agent, f = migrated(f"key: k\nmodel: m\n{written}\n")
    assert agent == {"kind": "agent", "key": "k", "model": "m"}
    assert f.lost == []


def test_controls_are_carried_and_an_assistant_id_is_not():
    agent, f = migrated("key: k\nid: asst_abc\nmodel: m\nprotect: true\n"
                        "environments: [staging]\nignore_changes: [metadata.owner, name]\n")
    assert agent == {"kind": "agent", "key": "k", "model": "m", "protect": True,
                     "environments": ["staging"], "ignore_changes": ["metadata.owner", "name"]}
    assert f.lost == []
    assert any("asst_abc" in note for note in f.notes)


@pytest.mark.parametrize(("path", "expected"), [
    ("name", "name"), ("instructions", "instructions"), ("model", "model"),
    ("metadata", "metadata"), ("metadata.owner", "metadata.owner"), ("tools", "tools"),
    ("tools.function:lookup", "tools.function:lookup"),
    ("tools.function:lookup.function", "tools.function:lookup"),
    ("tools.function:lookup.function.description", "tools.function:lookup.description"),
    ("tools.function:lookup.function.parameters.properties",
     "tools.function:lookup.parameters.properties"),
    ("response_format", "text"),
    ("response_format.json_schema.schema", "text.format.schema"),
    ("tools.function:lookup.function.strict", None), ("tools.file_search", None),
    ("tools.code_interpreter", None), ("description", None), ("temperature", None),
    ("top_p", None), ("tool_resources", None), ("tool_resources.file_search", None),
    ("response_format.json_schema.strict", None),
])
def test_ignore_changes_paths_are_named_as_an_agent_names_them(path, expected):
    assert agent_ignore_path(path) == expected


def test_ignore_changes_with_only_dropped_paths_is_removed():
    agent, f = migrated("key: k\nmodel: m\nignore_changes: [description, temperature]\n")
    assert "ignore_changes" not in agent
    assert len(f.notes) == 2 and f.lost == []


def test_overrides_are_mapped_by_the_same_table_per_environment():
    agent, f = migrated("""key: k
model: gpt-4o
overrides:
  staging: {model: gpt-4o-mini, temperature: 0.5, reasoning_effort: low}
  production:
    id: asst_prod
    response_format: {type: json_object}
    tools: [{type: function, function: {name: f, strict: true}}]
""", models={"gpt-4o-mini": "gpt-4.1-mini"})
    assert agent["overrides"] == {
        "staging": {"model": "gpt-4.1-mini", "reasoning": {"effort": "low"}},
        "production": {"tools": [{"type": "function", "name": "f", "description": "",
                                  "parameters": {"type": "object", "properties": {}}}]}}
    assert lost(f) == {"overrides.staging.temperature": 0.5,
                       "overrides.production.response_format": {"type": "json_object"},
                       "overrides.production.tools[0].function.strict": True}
    assert [s.field for s in f.supplied] == ["overrides.production.tools[0].description",
                                             "overrides.production.tools[0].parameters"]


def test_an_override_back_to_text_under_a_schema_is_a_loss():
    _, f = migrated("key: k\nmodel: m\nresponse_format: {type: json_schema, json_schema: "
                    "{name: r, schema: {type: object}}}\n"
                    "overrides: {staging: {response_format: auto}}\n")
    assert "overrides.staging.response_format" in lost(f)


def test_a_fleet_template_keeps_each_and_variables_verbatim_and_rewrites_its_file():
    agent, f = migrated("""key: support-${each.customer}
for_each_file: customers.csv
name: Support (${each.name})
model: ${MODEL:-gpt-4o-mini}
instructions_file: ../prompts/${each.customer}.md
metadata: {customer: "${each.customer}"}
""")
    assert agent == {"kind": "agent", "key": "support-${each.customer}",
                     "for_each_file": "new/customers.csv", "name": "Support (${each.name})",
                     "model": "${MODEL:-gpt-4o-mini}",
                     "instructions_file": "new/../prompts/${each.customer}.md",
                     "metadata": {"customer": "${each.customer}"}}
    assert f.lost == []


def test_model_mapping_renames_only_the_named_models():
    agent, f = migrated("key: k\nmodel: gpt-4o\n", models={"gpt-4o": "gpt-4.1", "x": "y"})
    assert agent["model"] == "gpt-4.1"
    assert "model gpt-4o -> gpt-4.1 (--model)" in f.carried
    agent, _ = migrated("key: k\nmodel: o3\n", models={"gpt-4o": "gpt-4.1"})
    assert agent["model"] == "o3"


def test_comments_and_key_order_stay():
    out, _ = migrate_text("""# yaml-language-server: $schema=../assistants.schema.json
# The HR assistant.
key: hr   # stable
model: gpt-4o
description: Removed.
# Humans own the owner.
metadata:
  owner: people   # who
  team: hr
temperature: 0.2
# Left to humans.
ignore_changes: [metadata.owner]
reasoning_effort: low  # cheap
name: "HR"
""")
    assert out == """# yaml-language-server: $schema=../assistants.schema.json
# The HR assistant.
kind: agent
key: hr   # stable
model: gpt-4o
# Humans own the owner.
metadata:
  owner: people   # who
  team: hr
# Left to humans.
ignore_changes: [metadata.owner]
reasoning: {effort: low} # cheap
name: "HR"
"""


def test_an_explicit_kind_assistant_becomes_agent_in_place():
    out, _ = migrate_text("key: k\nkind: assistant\nmodel: m\n")
    assert out == "key: k\nkind: agent\nmodel: m\n"


def test_a_yaml_1_1_yes_is_read_as_the_project_reads_it():
    # PyYAML reads `strict: yes` as true; the round-trip reader (YAML 1.2) as a string
    out, f = migrate_text("key: k\nmodel: m\ntools:\n  - type: function\n"
                          "    function: {name: f, description: d, parameters: {}, strict: yes}\n")
    assert lost(f) == {"tools[0].function.strict": True}
    assert "strict" not in out


def test_comments_around_removed_tools_stay_with_what_they_describe():
    out, _ = migrate_text("""key: k
model: m
tools:
  # search the handbook
  - type: file_search   # top-k
  # the lookup function
  - type: function  # flattened
    function:
      name: lookup   # by id
      description: Look up.
      parameters: {type: object}
  # run code
  - type: code_interpreter
# about metadata
metadata: {a: b}
""")
    assert out == """kind: agent
key: k
model: m
tools:
  # the lookup function
  - type: function  # flattened
    name: lookup     # by id
    description: Look up.
    parameters: {type: object}
# about metadata
metadata: {a: b}
"""


def test_an_override_that_empties_tools_or_unsets_the_effort_still_does():
    agent, f = migrated("""key: k
model: m
reasoning_effort: high
tools: [{type: function, function: {name: f, description: d, parameters: {}}}]
overrides:
  staging: {tools: [{type: file_search}], reasoning_effort: null}
""")
    assert agent["overrides"] == {"staging": {"tools": [], "reasoning": None}}
    assert list(lost(f)) == ["overrides.staging.tools[0]"]
