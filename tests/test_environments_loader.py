"""Environments and fleets as the loader reads them: what a document becomes in each
environment, what a fleet expands to, and the errors a user gets for each mistake."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli.main import main
from reconciler.config.loader import load_config
from reconciler.errors import ConfigError
from reconciler.plan.model import Plan

SETTINGS = """\
owner: acme
environments:
  staging: {variables: {STORE: vs_stg}}
  production: {owner: acme-prod, variables: {STORE: vs_prod}}
"""


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg/assistants.project.yaml").write_text(SETTINGS, encoding="utf-8")


def write(name: str, text: str) -> None:
    path = Path("cfg") / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def specs(environment: str | None, env: dict[str, str] | None = None) -> dict[str, dict]:
    config = load_config(["cfg"], env=env or {}, environment=environment)
    return {a.key: a.spec.api_fields() | {"source": a.source} for a in config.documents}


def problems(environment: str | None = "staging") -> list[str]:
    with pytest.raises(ConfigError) as err:
        load_config(["cfg"], env={}, environment=environment)
    return [str(p) for p in err.value.problems]


def test_overrides_merge_maps_key_by_key_and_replace_lists_and_scalars() -> None:
    write("a.yaml", """\
key: a
model: gpt-4o
tools: [{type: file_search}, {type: code_interpreter}]
metadata: {team: hr, tier: gold}
overrides:
  staging:
    model: gpt-4o-mini
    tools: [{type: code_interpreter}]
    metadata: {tier: bronze}
    instructions_file: staging.md
""")
    write("staging.md", "Be brief.\n")
    staging, production = specs("staging")["a"], specs("production")["a"]
    assert staging["model"] == "gpt-4o-mini"
    assert [t["type"] for t in staging["tools"]] == ["code_interpreter"]
    assert staging["metadata"] == {"team": "hr", "tier": "bronze"}
    assert staging["instructions"] == "Be brief.\n"
    assert production["model"] == "gpt-4o"
    assert [t["type"] for t in production["tools"]] == ["file_search", "code_interpreter"]
    assert production["metadata"] == {"team": "hr", "tier": "gold"}
    assert "instructions" not in production


def test_membership_variables_and_the_environment_name() -> None:
    write("a.yaml", """\
key: a
model: gpt-4o
metadata: {store: "${STORE}", env: "${ASSISTANTS_ENV}", shell: "${SHELL_ONLY:-none}"}
---
key: b
model: gpt-4o
environments: [production]
""")
    staging = specs("staging", {"STORE": "from-the-process", "SHELL_ONLY": "set"})
    assert sorted(staging) == ["a"]
    assert staging["a"]["metadata"] == {"store": "vs_stg", "env": "staging", "shell": "set"}
    assert sorted(specs("production")) == ["a", "b"]
    assert specs("production")["a"]["metadata"]["store"] == "vs_prod"


def test_an_error_in_an_override_names_the_override_line() -> None:
    write("a.yaml", "key: a\nmodel: gpt-4o\noverrides:\n  staging: {temperature: 7}\n")
    assert problems() == ["cfg/a.yaml:4:26: `temperature` must be between 0 and 2, got 7"]
    assert specs("production")["a"]["model"] == "gpt-4o"


def test_unknown_environment_names_in_documents() -> None:
    write("a.yaml", "key: a\nmodel: gpt-4o\nenvironments: [stagin]\noverrides:\n  prod: {}\n")
    assert problems() == [
        "cfg/a.yaml:3:16: unknown environment `stagin` — did you mean `staging`? (declared: "
        "staging, production)",
        "cfg/a.yaml:5:3: unknown environment `prod` — did you mean `production`? (declared: "
        "staging, production)"]


def test_a_config_without_environments_refuses_env_and_environment_keys(tmp_path) -> None:
    (tmp_path / "cfg/assistants.project.yaml").write_text("owner: acme\n")
    write("a.yaml", "key: a\nmodel: gpt-4o\n")
    with pytest.raises(ConfigError, match="--env staging: the config declares no environments"):
        load_config(["cfg"], env={}, environment="staging")
    # ASSISTANTS_ENV set for a whole CI job is just a variable for such a config
    assert load_config(["cfg"], env={}, environment="staging", named_by="ASSISTANTS_ENV")
    write("a.yaml", "key: a\nmodel: gpt-4o\nenvironments: [staging]\n")
    assert problems(None) == ["cfg/a.yaml:3:16: unknown environment `staging` (the config "
                              "declares none)"]


def test_for_each_replaces_every_string_and_key_and_types_plain_scalars() -> None:
    write("fleet.yaml", """\
key: bot-${each.name}
for_each:
  - {name: a, temp: 0.5, flag: x}
  - {name: b, temp: 1, flag: y}
model: gpt-4o
temperature: ${each.temp}
instructions_file: prompts/${each.name}.md
metadata: {"${each.flag}-key": "literal $${each.name}"}
""")
    write("prompts/a.md", "A ${each.name}\n")
    write("prompts/b.md", "B\n")
    got = specs("staging")
    assert sorted(got) == ["bot-a", "bot-b"]
    assert got["bot-a"]["temperature"] == 0.5 and got["bot-b"]["temperature"] == 1
    assert got["bot-a"]["instructions"] == "A ${each.name}\n"  # files are not substituted
    assert got["bot-a"]["metadata"] == {"x-key": "literal ${each.name}"}
    assert got["bot-b"]["source"] == "cfg/fleet.yaml:1[item 2]"


def test_every_item_reads_the_files_of_the_template_and_items_are_data() -> None:
    write("fleet.yaml", """\
key: bot-${each.name}
for_each_file: items.json
model: gpt-4o
instructions_file: prompt.md
tools:
  - type: function
    function: {name: lookup, parameters_file: params.json}
metadata: {note: "${each.note}", store: "${STORE}"}
""")
    write("items.json", '[{"name": "a", "note": "${STORE}"}, {"name": "b", "note": "x"}]')
    write("prompt.md", "Hi.\n")
    write("params.json", '{"type": "object"}')
    got = specs("staging")
    for key in ("bot-a", "bot-b"):
        assert got[key]["instructions"] == "Hi.\n"
        assert got[key]["tools"][0]["function"]["parameters"] == {"type": "object"}
        assert got[key]["metadata"]["store"] == "vs_stg"
    assert got["bot-a"]["metadata"]["note"] == "${STORE}"  # an item's value is data


def test_for_each_file_yaml_is_data_not_an_assistant() -> None:
    write("fleet.yaml", "key: bot-${each.name}\nfor_each_file: items.yaml\nmodel: gpt-4o\n")
    write("items.yaml", "- {name: a}\n- {name: b}\n")
    assert sorted(specs("staging")) == ["bot-a", "bot-b"]


@pytest.mark.parametrize(("files", "expected"), [
    ({"t.csv": "tenant\n"},
     "cfg/t.csv:1:1: empty: a header row and at least one row needed (for_each_file at "
     "cfg/fleet.yaml:2)"),
    ({"t.csv": "tenant,region\nacme,eu\nglobex\n"},
     "cfg/t.csv:3:1: row 3 has 1 value; the header has 2 columns (for_each_file at "
     "cfg/fleet.yaml:2)"),
    ({"t.csv": "tenant\nacme\nglobex\n", "fleet.yaml": "metadata: {r: '${each.region}'}\n"},
     "cfg/fleet.yaml:4:15: unknown `${each.region}` (fields: tenant) [row 2 of cfg/t.csv]"),
    ({"t.csv": "tenant\nacme\nacme\n"},
     "cfg/fleet.yaml:1:6: duplicate assistant key `s-acme`: also defined at "
     "cfg/fleet.yaml:1:6[row 2] [row 3 of cfg/t.csv]"),
    ({"t.csv": "tenant\nacme\n", "fleet.yaml": "temperature: 9\n"},
     "cfg/fleet.yaml:4:14: `temperature` must be between 0 and 2, got 9 [row 2 of cfg/t.csv]"),
])
def test_fleet_errors_name_the_template_line_and_the_item(files: dict[str, str],
                                                          expected: str) -> None:
    write("fleet.yaml", "key: s-${each.tenant}\nfor_each_file: t.csv\nmodel: gpt-4o\n"
          + files.pop("fleet.yaml", ""))
    for name, text in files.items():
        write(name, text)
    assert problems() == [expected]


def test_each_outside_a_fleet_says_what_is_missing() -> None:
    write("a.yaml", "key: a\nmodel: gpt-4o\nname: ${each.name}\n")
    assert problems() == ["cfg/a.yaml:3:7: `${each.name}` is for fleets: add `for_each` or "
                          "`for_each_file` to this document (or write `$${` for a literal `${`)"]


def test_for_each_file_stays_inside_the_config_root(tmp_path: Path) -> None:
    (tmp_path / "outside.csv").write_text("tenant\nacme\n")
    write("fleet.yaml", "key: s-${each.tenant}\nfor_each_file: ../outside.csv\nmodel: gpt-4o\n")
    assert problems() == ["cfg/fleet.yaml:2:16: `for_each_file` file `../outside.csv` is "
                          "outside the config root `cfg`"]


def test_validate_checks_every_environment_and_names_it() -> None:
    write("a.yaml", "key: a\nmodel: gpt-4o\noverrides:\n  production: {top_p: 3}\n")
    result = CliRunner().invoke(main, ["validate", "cfg", "--format", "json"])
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert [(p["line"], p["env"]) for p in problems] == [(4, "production")]
    assert "(environment `production`)" in result.stderr
    write("a.yaml", "key: a\nmodel: gpt-4o\n")
    ok = CliRunner().invoke(main, ["validate", "cfg"])
    assert ok.exit_code == 0
    assert ok.stdout == "Valid: 2 assistants in cfg (staging: 1, production: 1)\n"


def test_a_plan_without_an_environment_key_still_loads() -> None:
    data = {"format_version": 1, "endpoint": "e", "owner": "o", "paths": [],
            "config_sha256": "", "changes": []}
    assert Plan.from_json(json.dumps(data)).environment is None
    again = Plan.from_json(Plan.from_json(json.dumps(data)).to_json())
    assert json.loads(again.to_json())["environment"] is None
