"""The example GitOps repository validates as shipped, with no environment variables set."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli.main import main
from reconciler.config.loader import load_config

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("HR_VECTOR_STORE", raising=False)


def test_validate_examples_exits_zero() -> None:
    # the CI workflow inside examples/.github/ is YAML too, and must be skipped
    assert (REPO / "examples/.github/workflows/plan.yml").is_file()
    result = CliRunner().invoke(main, ["validate", "examples/"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Valid: 4 assistants and 1 agent in examples"


def test_examples_load_with_no_environment() -> None:
    config = load_config(["examples"], env={})
    assert config.settings.owner == "acme-assistants"
    assert config.settings.max_deletes == 2
    assert config.settings.source == "examples/assistants.project.yaml"
    specs = {a.spec.key: a.spec for a in config.documents if a.kind.name == "assistant"}
    assert sorted(specs) == ["contract-extractor", "data-analyst", "hr-helper", "it-service-desk"]
    for item in config.documents:
        assert item.source.startswith(f"examples/{item.kind.plural}/")
    (agent,) = [a for a in config.documents if a.kind.name == "agent"]
    assert agent.key == "it-triage"
    body = agent.spec.api_fields()
    assert [t["type"] for t in body["tools"]] == ["function", "mcp", "web_search"]
    assert body["tools"][1]["credential_id"] == "cred_demo_itdocs"
    assert "parameters_file" not in body["tools"][0] and body["tools"][0]["parameters"]

    hr = specs["hr-helper"].api_fields()
    assert hr["tool_resources"]["file_search"]["vector_store_ids"] == ["vs_demo_hr"]
    assert [t["type"] for t in hr["tools"]] == ["file_search"]

    desk = specs["it-service-desk"].api_fields()
    functions = [t["function"] for t in desk["tools"]]
    assert len(functions) >= 2
    assert all(f["parameters"]["type"] == "object" for f in functions)

    analyst = specs["data-analyst"]
    assert analyst.reasoning_effort is not None and analyst.temperature is None
    assert analyst.tool_resources and analyst.tool_resources.code_interpreter
    assert analyst.tool_resources.code_interpreter.file_ids
    assert sum(s.reasoning_effort is not None for s in specs.values()) == 1

    contract = specs["contract-extractor"].api_fields()
    prompt = (REPO / "examples/prompts/contract-extractor.md").read_text(encoding="utf-8")
    assert contract["instructions"] == prompt
    assert contract["response_format"]["json_schema"]["schema"]["type"] == "object"


def test_vector_store_comes_from_the_environment_when_set() -> None:
    config = load_config(["examples"], env={"HR_VECTOR_STORE": "vs_live_123"})
    hr = next(a.spec for a in config.documents if a.spec.key == "hr-helper")
    assert hr.api_fields()["tool_resources"]["file_search"]["vector_store_ids"] == ["vs_live_123"]


def test_a_single_example_file_validates_from_its_project_root() -> None:
    result = CliRunner().invoke(main, ["validate", "examples/assistants/contract-extractor.yaml"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "Valid: 1 assistant in examples/assistants/contract-extractor.yaml")


def test_a_subdirectory_of_the_project_explains_the_escape() -> None:
    result = CliRunner().invoke(main, ["validate", "examples/assistants"])
    assert result.exit_code == 1
    assert ("error: examples/assistants/contract-extractor.yaml:6:20: "
            "`instructions_file` file `../prompts/contract-extractor.md` is outside the config "
            "root `examples/assistants` "
            "(pass the project root `examples` instead)") in result.output.splitlines()
