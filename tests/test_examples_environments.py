"""The example of environments and a fleet (examples-environments/) loads, converges, matches
the JSON Schema, and its CI plans both environments and promotes staging to production."""

from __future__ import annotations

import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from reconciler.config.loader import load_config
from reconciler.schema.document import yaml_json_schema
from tests.support.cli import run_cli

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples-environments"


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def test_each_environment_gets_its_model_store_owner_and_fleet() -> None:
    staging = load_config(["examples-environments"], env={}, environment="staging")
    production = load_config(["examples-environments"], env={}, environment="production")
    keys = ["hr-helper", "support-acme", "support-globex", "support-initech"]
    assert [a.key for a in staging.documents] == keys
    assert [a.key for a in production.documents] == keys
    hr = {c.environment.name: {a.key: a.spec for a in c.documents}["hr-helper"]  # type: ignore[union-attr]
          for c in (staging, production)}
    assert (hr["staging"].model, hr["production"].model) == ("gpt-4o-mini", "gpt-4o")
    stores = {name: spec.api_fields()["tool_resources"]["file_search"]["vector_store_ids"]
              for name, spec in hr.items()}
    assert stores == {"staging": ["vs_stg_hr"], "production": ["vs_prod_hr"]}
    assert production.environment.settings.owner == "acme-assistants-prod"  # type: ignore[union-attr]
    support = {a.key: a for a in staging.documents}["support-globex"]
    assert support.spec.name == "Support (Globex)"
    assert support.source == "examples-environments/assistants/support.yaml:4[row 3]"
    prompt = (EXAMPLE / "prompts/support.md").read_text(encoding="utf-8")
    assert support.spec.instructions == prompt


def test_the_documents_match_the_json_schema() -> None:
    validator = jsonschema.Draft202012Validator(yaml_json_schema())
    for path in sorted((EXAMPLE / "assistants").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            assert list(validator.iter_errors(doc)) == [], path


def test_staging_applies_locally_and_then_plans_no_change(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    db = str(tmp_path / "local.db")
    applied = run_cli(["apply", ".", "--env", "staging", "--local", "--db", db,
                       "--auto-approve"], cwd=repo)
    assert applied.exit_code == 0, applied.output
    again = run_cli(["plan", ".", "--local", "--db", db, "--detailed-exitcode"], cwd=repo,
                    env={"ASSISTANTS_ENV": "staging"})
    assert again.exit_code == 0, again.output
    assert "No changes" in again.stdout


def test_ci_plans_both_environments_and_promotes_staging_to_production() -> None:
    workflows = EXAMPLE / ".github/workflows"
    plan = yaml.safe_load((workflows / "plan.yml").read_text())
    job = plan["jobs"]["plan"]
    assert job["strategy"]["matrix"]["env"] == ["staging", "production"]
    planned = [s for s in job["steps"] if s.get("with", {}).get("command") == "plan"]
    assert planned[0]["with"]["env"] == "${{ matrix.env }}"

    apply = yaml.safe_load((workflows / "apply.yml").read_text())
    staging, production = apply["jobs"]["staging"], apply["jobs"]["production"]
    uses = [s["with"] for s in staging["steps"] if "with" in s and "command" in s["with"]]
    assert [(w["command"], w["env"]) for w in uses] == [("apply", "staging"),
                                                      ("plan", "production")]
    assert production["needs"] == "staging"
    assert production["environment"] == "production"
    final = [s["with"] for s in production["steps"] if s.get("with", {}).get("command")]
    assert final == [{"command": "apply", "env": "production",
                      "plan-file": "plan-production.json",
                      "args": "--ids-out assistant-ids-production.json"}]
