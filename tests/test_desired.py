"""A loaded assistant (reconciler/desired.py) holds the spec its document validates to, prompt
included: a prompt edited or removed after the load changes nothing of the plan made from it,
and planning validates nothing again."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from assistants.kinds.assistant import canonical
from reconciler.config.loader import load_config
from reconciler.kinds.assistant import AssistantSpec
from tests.support.planning import plan_of as build_plan
from tests.support.planning import written as desired_fields

DOCUMENT = """\
key: hr
model: gpt-4o
name: HR
instructions_file: ../prompts/hr.md
tools:
  - type: function
    function:
      name: ask
      parameters: {type: object, properties: {n: {type: number, maximum: 10}}}
metadata: {team: people}
temperature: 0.2
"""


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    (root / "assistants").mkdir(parents=True)
    (root / "prompts").mkdir()
    (root / "prompts/hr.md").write_text("Be kind.\n", encoding="utf-8")
    (root / "assistants/hr.yaml").write_text(DOCUMENT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return root


def expected_spec() -> AssistantSpec:
    import yaml

    data = yaml.safe_load(DOCUMENT)
    del data["instructions_file"]
    return AssistantSpec.model_validate({**data, "instructions": "Be kind.\n"})


def test_the_spec_is_the_one_the_document_validates_to(project: Path) -> None:
    (hr,) = load_config([project]).documents
    assert (hr.key, hr.spec.id, hr.spec.protect, hr.spec.ignore_changes) == ("hr", None, False, [])
    assert hr.spec == expected_spec()
    assert hr.spec.model_fields_set == expected_spec().model_fields_set
    assert json.dumps(hr.spec.api_fields()) == json.dumps(expected_spec().api_fields())


def test_a_prompt_edited_after_the_load_is_not_read_again(project: Path) -> None:
    (hr,) = load_config([project]).documents
    (project / "prompts/hr.md").write_text("Be curt.\n", encoding="utf-8")
    assert hr.spec.instructions == "Be kind.\n"


def test_planning_validates_and_reads_nothing_again(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config([project])
    live = [{"id": "asst_1", **desired_fields(expected_spec(), "acme")}]
    validated: list[object] = []
    real = AssistantSpec.model_validate.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(AssistantSpec, "model_validate",
                        classmethod(lambda cls, data, **kw: validated.append(data)
                                    or real(cls, data, **kw)))
    (project / "prompts/hr.md").unlink()
    plan = build_plan(config, live, "acme", endpoint="e")
    assert plan.summary["noop"] == 1
    edited = [{**live[0], "temperature": 0.9}]
    assert build_plan(config, edited, "acme", endpoint="e").summary["update"] == 1
    assert validated == []


def test_the_digests_planning_reads_come_from_the_spec(project: Path) -> None:
    """A document is resolved once for its owner: body, form, digest and marker agree."""
    from assistants.canonical import form_sha256

    (hr,) = load_config([project]).resolve("acme").desired
    assert hr.form_sha256 == form_sha256(canonical(desired_fields(expected_spec(), "acme")))
    assert hr.form == canonical(hr.written)
    assert str(hr.marker) == "v1;owner=acme;key=hr"
    assert hr.marker.write_only_digest is None and hr.write_only == {}


def test_a_value_json_would_not_give_back_is_kept(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        DOCUMENT.replace("maximum: 10", "maximum: .inf").replace(
            "instructions_file: ../prompts/hr.md", "instructions: Hi"), encoding="utf-8")
    (hr,) = load_config([tmp_path / "a.yaml"]).documents
    parameters = hr.spec.tools[0].function.parameters  # type: ignore[union-attr]
    assert math.isinf(parameters["properties"]["n"]["maximum"])


def test_a_document_adopting_another_keys_copy_is_paired_from_records(tmp_path: Path) -> None:
    """`e` adopts asst_1 (marked `d`) by id; `d` is unchanged in asst_2. Reading the listing
    as records that keep a form only where a document may need it must still pair `e` with
    asst_1 (an update) and `d` with asst_2 (a noop)."""
    from reconciler.plan.live import FormNeed

    (tmp_path / "d.md").write_text("Be kind.\n", encoding="utf-8")
    (tmp_path / "a_e.yaml").write_text("key: e\nmodel: gpt-4o\nid: asst_1\nname: E\n")
    (tmp_path / "b_d.yaml").write_text("key: d\nmodel: gpt-4o\ninstructions_file: d.md\n")
    config = load_config([tmp_path])
    d = AssistantSpec(key="d", model="gpt-4o", instructions="Be kind.\n")
    live = [{"id": "asst_1", "model": "gpt-4o",
             "metadata": {"managed-by": "v1;owner=acme;key=d"}},
            {"id": "asst_2", **desired_fields(d, "acme")}]
    (tmp_path / "d.md").unlink()

    from assistants.kinds.assistant import ASSISTANT

    need = FormNeed(ASSISTANT, config.resolve("acme").desired, "acme")
    plan = build_plan(config, [need.record(obj) for obj in live], "acme", endpoint="e")
    assert plan.summary == {"create": 0, "update": 1, "delete": 0, "noop": 1}


def test_a_lone_surrogate_in_a_schema_file_is_hashed_not_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "key: s\nmodel: gpt-4o\ntools:\n  - type: function\n    function:\n"
        "      name: f\n      parameters_file: p.json\n")
    (tmp_path / "p.json").write_text('{"type": "object", "description": "x\\ud800y"}')
    config = load_config([tmp_path])
    assert build_plan(config, [], "acme", endpoint="e").summary["create"] == 1
