"""`assistants schema`: a valid draft 2020-12 schema that accepts every example document and
rejects the corpus's schema-level mistakes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from reconciler.cli.main import main
from reconciler.schema.document import yaml_json_schema

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((REPO / "examples" / "assistants").glob("*.yaml"))
CORPUS = REPO / "tests" / "corpus"

SCHEMA_LEVEL = [
    "unknown-key", "wrong-type", "name-too-long", "description-too-long", "too-many-tools",
    "bad-function-name", "too-many-file-ids", "too-many-vector-stores",
    "metadata-too-many-pairs", "metadata-number", "metadata-reserved", "temperature-range",
    "top-p-range", "bad-reasoning-effort", "missing-model", "missing-key", "bad-key-chars",
    "instructions-and-file", "unknown-tool-type", "response-format-invalid",
    "nested-wrong-types",
]


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = yaml_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_schema_is_described() -> None:
    schema = yaml_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] and schema["description"]
    for document in ("AssistantDocument", "AgentDocument"):
        props = schema["$defs"][document]["properties"]
        for name in ("key", "id", "protect", "ignore_changes", "instructions_file", "kind"):
            assert props[name].get("description"), (document, name)
    assert "parameters_file" in schema["$defs"]["FunctionDefinition"]["properties"]
    assert "schema_file" in schema["$defs"]["JsonSchemaFormat"]["properties"]
    assert "parameters_file" in schema["$defs"]["AgentFunctionTool"]["properties"]
    assert "schema_file" in schema["$defs"]["AgentTextFormatJsonSchema"]["properties"]


AGENT = {"kind": "agent", "key": "a", "model": "gpt-5",
         "tools": [{"type": "function", "name": "f", "description": "d",
                    "parameters": {"type": "object"}}],
         "reasoning": {"effort": "high"}, "text": {"verbosity": "low"}}


@pytest.mark.parametrize("doc,ok", [
    (AGENT, True),
    ({**AGENT, "temperature": 0.2}, False),  # an assistant's field
    ({**AGENT, "kind": "assistant"}, False),  # `reasoning` is no assistant field
    ({**AGENT, "tools": [{"type": "function", "function": {"name": "f"}}]}, False),
    ({**AGENT, "service_tier": "flex", "multi_agent": {"enabled": True}}, True),
], ids=["agent", "temperature-on-agent", "agent-fields-on-assistant", "nested-function",
        "settings"])
def test_the_kind_chooses_the_schema(validator, doc, ok: bool) -> None:
    assert (list(validator.iter_errors(doc)) == []) is ok


def test_cli_prints_the_schema() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output) == yaml_json_schema()


def test_committed_example_schema_is_current() -> None:
    committed = json.loads((REPO / "examples" / "assistants.schema.json").read_text())
    assert committed == yaml_json_schema(), "run: assistants schema > examples/assistants.schema.json"


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_schema_accepts_every_example(validator, path: Path) -> None:
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
    assert docs
    for doc in docs:
        assert [e.message for e in validator.iter_errors(doc)] == []


@pytest.mark.parametrize("case", SCHEMA_LEVEL)
def test_schema_rejects_schema_level_mistakes(validator, case: str) -> None:
    docs = []
    for path in sorted((CORPUS / case).glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
    assert docs
    assert any(list(validator.iter_errors(doc)) for doc in docs)
