"""The loader's good paths: discovery order, documents, sources, file references, variables,
settings and the config digest."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from reconciler.config.loader import load_config
from reconciler.config.settings import ProjectSettings
from reconciler.errors import ConfigError
from tests.support.files import write


def doc(key: str, extra: str = "") -> str:
    return f"key: {key}\nmodel: gpt-4o\n{extra}"


def test_directories_are_read_recursively_in_sorted_order(here: Path) -> None:
    write(here / "configs/b.yaml", doc("b"))
    write(here / "configs/a/z.yml", doc("az"))
    write(here / "configs/a.yaml", doc("a"))
    write(here / "configs/c/d/e.yaml", doc("cde"))
    write(here / "configs/notes.txt", "not yaml")
    write(here / "configs/.github/workflows/plan.yaml", "on: [pull_request]\njobs: {}\n")
    write(here / "configs/.hidden.yaml", doc("hidden"))
    config = load_config(["configs/"], env={})
    assert [a.spec.key for a in config.documents] == ["az", "a", "b", "cde"]
    assert [a.source for a in config.documents] == [
        "configs/a/z.yml:1", "configs/a.yaml:1", "configs/b.yaml:1", "configs/c/d/e.yaml:1"]
    assert config.paths == ("configs",)
    assert config.roots == (Path("configs/"),)


def test_files_follow_argument_order_and_are_read_once(here: Path) -> None:
    write(here / "x/two.yaml", doc("two"))
    write(here / "x/one.yaml", doc("one"))
    config = load_config(["x/two.yaml", "./x"], env={})
    assert [a.spec.key for a in config.documents] == ["two", "one"]
    assert config.paths == ("x/two.yaml", "x")


def test_multi_document_files_skip_empty_documents(here: Path) -> None:
    write(here / "all.yaml", "# yaml-language-server: $schema=schema.json\n"
                             + doc("first") + "---\n---\n# only a comment\n---\n" + doc("second"))
    config = load_config(["all.yaml"], env={})
    assert [(a.spec.key, a.source) for a in config.documents] == [
        ("first", "all.yaml:2"), ("second", "all.yaml:8")]


def test_paths_outside_the_current_directory_are_absolute(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "repo/a.yaml", doc("a"))
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    config = load_config([tmp_path / "repo"], env={})
    assert config.documents[0].source == f"{(tmp_path / 'repo/a.yaml').as_posix()}:1"


@pytest.mark.parametrize("cwd, arg, shown", [
    ("repo", ".", "team/a.yaml"),
    ("repo", "./team/", "team/a.yaml"),
    ("repo/team", "..", "a.yaml"),  # `..` from team/ is repo/, and a.yaml is back in team/
    ("repo/team", "../team", "a.yaml"),
    ("elsewhere", "../repo", "{tmp}/repo/team/a.yaml"),
])
def test_sources_read_as_typed_from_wherever_the_walk_starts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cwd: str, arg: str, shown: str) -> None:
    write(tmp_path / "repo/team/a.yaml", doc("a"))
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / cwd)
    config = load_config([arg], env={})
    assert config.documents[0].source == shown.format(tmp=tmp_path.as_posix()) + ":1"


def test_file_references_are_read_verbatim(here: Path) -> None:
    prompt = "Line one.\n\n  Indented line with trailing spaces.  \n"
    write(here / "cfg/prompts/helper.md", prompt)
    write(here / "cfg/schemas/lookup.json", '{"type": "object", "properties": {"id": '
                                            '{"type": "string"}}}')
    write(here / "cfg/schemas/record.yaml", "type: object\nproperties:\n  n: {type: integer}\n")
    write(here / "cfg/bots/helper.yaml", doc("helper", """\
instructions_file: ../prompts/helper.md
tools:
  - type: function
    function: {name: lookup, parameters_file: ../schemas/lookup.json}
response_format:
  type: json_schema
  json_schema: {name: record, schema_file: ../schemas/record.yaml, strict: true}
"""))
    spec = load_config(["cfg"], env={}).documents[0].spec
    assert spec.instructions == prompt
    assert spec.instructions_file is None
    body = spec.api_fields()
    assert body["instructions"].endswith("  \n")
    assert body["tools"][0]["function"]["parameters"] == {
        "type": "object", "properties": {"id": {"type": "string"}}}
    assert body["response_format"]["json_schema"]["schema"] == {
        "type": "object", "properties": {"n": {"type": "integer"}}}


def test_variables_defaults_and_escapes(here: Path) -> None:
    write(here / "a.yaml", doc("a", """\
name: "${TEAM} bot"
description: 'costs $${PRICE}, home ${HOME_DIR:-/srv}, ${EMPTY:-fallback}'
instructions: "literal $$ and $x stay"
temperature: ${TEMP:-0.2}
metadata:
  team: ${TEAM}
  build: "${BUILD:-7}"
  ${NOT_IN_KEYS}: kept
tool_resources:
  file_search: {vector_store_ids: ["${STORE:-vs_default}"]}
"""))
    spec = load_config(["a.yaml"], env={"TEAM": "people", "EMPTY": ""}).documents[0].spec
    assert spec.name == "people bot"
    assert spec.description == "costs ${PRICE}, home /srv, "
    assert spec.instructions == "literal $$ and $x stay"
    assert spec.temperature == 0.2
    assert spec.metadata == {"team": "people", "build": "7", "${NOT_IN_KEYS}": "kept"}
    assert spec.tool_resources is not None
    assert spec.tool_resources.file_search is not None
    assert spec.tool_resources.file_search.vector_store_ids == ["vs_default"]


def test_variables_do_not_apply_inside_referenced_files(here: Path) -> None:
    write(here / "p.md", "Hello ${NAME}\n")
    write(here / "a.yaml", doc("a", "instructions_file: p.md\n"))
    spec = load_config(["a.yaml"], env={"NAME": "x"}).documents[0].spec
    assert spec.instructions == "Hello ${NAME}\n"


def test_env_defaults_to_the_process_environment(here: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOADER_TEST_MODEL", "gpt-4o-mini")
    write(here / "a.yaml", "key: a\nmodel: ${LOADER_TEST_MODEL}\n")
    assert load_config(["a.yaml"]).documents[0].spec.model == "gpt-4o-mini"


def test_settings_at_the_root(here: Path) -> None:
    write(here / "cfg/assistants.project.yaml", "owner: ${OWNER:-acme}\nmax_deletes: 3\n")
    write(here / "cfg/a.yaml", doc("a"))
    config = load_config(["cfg"], env={})
    assert config.settings == ProjectSettings(owner="acme", max_deletes=3,
                                              source="cfg/assistants.project.yaml")
    assert [a.spec.key for a in config.documents] == ["a"]


def test_a_file_argument_uses_the_enclosing_project_root(here: Path) -> None:
    write(here / "cfg/assistants.project.yaml", "owner: acme\n")
    write(here / "cfg/prompts/p.md", "Hi\n")
    write(here / "cfg/bots/a.yaml", doc("a", "instructions_file: ../prompts/p.md\n"))
    config = load_config(["cfg/bots/a.yaml"], env={})
    assert config.settings.owner == "acme"
    assert config.roots == (Path("cfg"),)
    assert config.documents[0].spec.instructions == "Hi\n"


def test_no_settings_and_empty_directories(here: Path) -> None:
    (here / "empty").mkdir()
    config = load_config(["empty"], env={})
    assert config.settings == ProjectSettings()
    assert config.documents == ()


def test_settings_of_several_roots_that_agree_merge(here: Path) -> None:
    write(here / "a/assistants.project.yaml", "owner: acme\n")
    write(here / "b/assistants.project.yaml", "owner: acme\nmax_deletes: 1\n")
    config = load_config(["a", "b"], env={})
    assert (config.settings.owner, config.settings.max_deletes) == ("acme", 1)


def test_merge_keys_and_anchors_are_supported(here: Path) -> None:
    write(here / "a.yaml", """\
key: a
model: gpt-4o
tools:
  - &search {type: file_search, file_search: {max_num_results: 5}}
metadata:
  <<: {team: ops, tier: gold}
  tier: silver
""")
    spec = load_config(["a.yaml"], env={}).documents[0].spec
    assert spec.metadata == {"team": "ops", "tier": "silver"}


def test_config_digest_follows_resolved_content_not_layout(here: Path) -> None:
    write(here / "p.md", "v1\n")
    write(here / "a.yaml", doc("a", "instructions_file: p.md\ndescription: ${D:-x}\n"))
    write(here / "b.yaml", doc("b"))
    first = load_config(["."], env={}).config_sha256
    assert load_config(["b.yaml", "a.yaml"], env={}).config_sha256 == first
    assert load_config(["."], env={"D": "y"}).config_sha256 != first
    write(here / "p.md", "v1\n\n")
    assert load_config(["."], env={}).config_sha256 != first
    write(here / "p.md", "v1\n")
    write(here / "assistants.project.yaml", "owner: someone\n")
    assert load_config(["."], env={}).config_sha256 != first
    assert len(first) == 64 and int(first, 16) >= 0


def test_problems_are_collected_not_raised_one_by_one(here: Path) -> None:
    write(here / "a.yaml", "key: a\nmodel: gpt-4o\nnmae: x\n")
    write(here / "b.yaml", "key: b\n")
    with pytest.raises(ConfigError) as info:
        load_config(["."], env={})
    assert [str(p) for p in info.value.problems] == [
        "a.yaml:3:1: unknown key `nmae` — did you mean `name`?",
        "b.yaml:1:1: missing required key `model`",
    ]


def test_json_parameters_are_plain_json(here: Path) -> None:
    params = {"type": "object", "properties": {"on": {"type": "boolean"}}}
    write(here / "s.json", json.dumps(params))
    write(here / "a.yaml", doc("a", "tools: [{type: function, function: "
                                    "{name: f, parameters_file: s.json}}]\n"))
    spec = load_config(["a.yaml"], env={}).documents[0].spec
    assert spec.api_fields()["tools"][0]["function"]["parameters"] == params
    assert os.fspath(Path("a.yaml")) == "a.yaml"


def test_a_directory_read_as_a_file_says_so(tmp_path: Path) -> None:
    from reconciler.config.yaml_source import read_text

    text, problems = read_text(tmp_path, "d.yaml")
    assert text is None
    assert [str(p) for p in problems] == ["d.yaml:1:1: cannot read file: Is a directory"]


def test_import_and_drift_read_yaml_with_the_alias_bound() -> None:
    from reconciler.config.yaml_source import load_yaml_documents

    (doc,) = load_yaml_documents("key: a\nmodel: &m gpt-4o\nname: *m\n", "a.yaml")
    assert doc.data == {"key": "a", "model": "gpt-4o", "name": "gpt-4o"}
    assert doc.marks[("name",)].key is not None and doc.marks[("name",)].key.line == 3
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcd", "bcde", strict=True):
        levels.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 10)}]")
    with pytest.raises(ConfigError) as err:
        load_yaml_documents("\n".join(levels) + "\n", "bomb.yaml")
    assert "refusing a possible alias bomb" in str(err.value)
    assert len(err.value.problems) == 1
