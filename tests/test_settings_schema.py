"""The JSON Schema of `assistants.project.yaml` (issue 22, item 8): committed beside the
examples, pointed at by the example's editor comment, and the example settings files pass it
while what the loader refuses does not."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from reconciler.schema.settings import settings_json_schema
from tests.support.cli import run_cli

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "examples" / "assistants.project.schema.json"


def validator() -> jsonschema.Draft202012Validator:
    schema = settings_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_committed_schema_is_current_and_the_example_points_at_it():
    assert json.loads(COMMITTED.read_text()) == settings_json_schema(), (
        "run: assistants schema --settings > examples/assistants.project.schema.json")
    printed = run_cli(["schema", "--settings"])
    assert printed.exit_code == 0 and json.loads(printed.stdout) == settings_json_schema()
    first = (REPO / "examples" / "assistants.project.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=assistants.project.schema.json"


def test_the_example_settings_files_pass_it():
    for path in (REPO / "examples" / "assistants.project.yaml",
                 REPO / "examples-environments" / "assistants.project.yaml"):
        errors = list(validator().iter_errors(yaml.safe_load(path.read_text())))
        assert errors == [], (path, [e.message for e in errors])


def test_what_the_loader_refuses_fails_it():
    for bad in ({"owner": "has spaces"}, {"max_deletes": -1}, {"onwer": "typo"},
                {"environments": {"prod": {"max_deletes": "2"}}},
                {"environments": {"prod": {"region": "eu"}}}):
        assert list(validator().iter_errors(bad)), bad
