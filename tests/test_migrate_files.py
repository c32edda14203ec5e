"""Migrate on files: the layout under DIR, `*_file` paths that resolve from DIR to the same
files inside the agents' config root, the settings file, refusal to overwrite, and nothing
written when any input is invalid."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from reconciler.errors import ConfigError
from reconciler.migrate.run import Request, migrate
from tests.support.files import write

SCHEMA = '{"type": "object", "properties": {"id": {"type": "string"}}}\n'


def project(root: Path) -> Path:
    """A config root with a settings file, a prompt, a JSON schema, a YAML parameters file
    (data, not a document), a fleet with its CSV, and a file of two documents."""
    write(root / "assistants.project.yaml", "owner: acme\n")
    write(root / "prompts" / "hr.md", "Be kind.\n")
    write(root / "schemas" / "contract.json", SCHEMA)
    write(root / "schemas" / "lookup.yaml", "type: object\nproperties: {id: {type: string}}\n")
    write(root / "assistants" / "hr.yaml", """# yaml-language-server: $schema=../schema.json
key: hr
model: gpt-4o
instructions_file: ../prompts/hr.md
tools:
  - type: function
    function: {name: lookup, description: Look up., parameters_file: ../schemas/lookup.yaml}
response_format:
  type: json_schema
  json_schema: {name: contract, schema_file: ../schemas/contract.json}
""")
    write(root / "assistants" / "fleet" / "tenants.csv", "tenant\nacme\nglobex\n")
    write(root / "assistants" / "fleet" / "support.yaml", """key: support-${each.tenant}
for_each_file: tenants.csv
model: gpt-4o-mini
instructions_file: ../../prompts/hr.md
""")
    write(root / "assistants" / "pair.yaml", "key: one\nmodel: m\n---\nkey: two\nmodel: m\n"
                                             "temperature: 0.5\n")
    return root


def file_refs(doc: dict) -> list[str]:
    refs = [doc.get("instructions_file"), doc.get("for_each_file")]
    refs += [t.get("parameters_file") for t in doc.get("tools", [])]
    refs.append(doc.get("text", {}).get("format", {}).get("schema_file"))
    return [r for r in refs if r]


def test_agents_inside_path_mirror_its_layout_and_name_the_same_files(here):
    project(here / "configs")
    report = migrate(Request("configs", "configs/agents"))
    out = here / "configs" / "agents"
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == ["assistants/fleet/support.yaml", "assistants/hr.yaml",
                       "assistants/pair.yaml"]  # no settings file, no data file
    assert report.root == "configs"
    checked = 0
    for source in ("assistants/hr.yaml", "assistants/fleet/support.yaml"):
        old = yaml.safe_load((here / "configs" / source).read_text())
        new = yaml.safe_load((out / source).read_text())
        old_refs = [r for r in [old.get("instructions_file"), old.get("for_each_file")] if r]
        for old_ref, new_ref in zip(old_refs, file_refs(new), strict=False):
            before = ((here / "configs" / source).parent / old_ref).resolve()
            after = ((out / source).parent / new_ref).resolve()
            assert after == before and after.is_file()
            assert (here / "configs").resolve() in after.parents
            checked += 1
    hr = yaml.safe_load((out / "assistants" / "hr.yaml").read_text())
    for ref in file_refs(hr):
        target = (out / "assistants" / ref).resolve()
        assert target.is_file() and (here / "configs").resolve() in target.parents
    assert hr["tools"][0]["parameters_file"] == "../../schemas/lookup.yaml"
    assert hr["text"]["format"]["schema_file"] == "../../schemas/contract.json"
    assert checked == 3
    assert (out / "assistants" / "hr.yaml").read_text().startswith(
        "# yaml-language-server: $schema=../../schema.json\n")


def test_a_file_of_several_documents_yields_one_file_with_as_many(here):
    project(here / "configs")
    report = migrate(Request("configs", "configs/agents"))
    docs = list(yaml.safe_load_all((here / "configs/agents/assistants/pair.yaml").read_text()))
    assert [d["key"] for d in docs] == ["one", "two"]
    assert all(d["kind"] == "agent" for d in docs)
    by_key = {m.key: m for m in report.migrated}
    assert by_key["one"].lossless and not by_key["two"].lossless
    assert by_key["two"].source == "configs/assistants/pair.yaml:4"


def test_agents_outside_path_may_not_name_files_outside_their_root(here):
    project(here / "configs")
    with pytest.raises(ConfigError) as caught:
        migrate(Request("configs", "agents"))
    message = str(caught.value.problems[0])
    assert message.startswith("configs/assistants/fleet/support.yaml:1:1: `for_each_file`") or \
        "outside `agents`" in message
    assert all("outside `agents`" in p.message for p in caught.value.problems)
    assert "--out configs/agents" in caught.value.problems[0].message
    assert not (here / "agents").exists()


def test_agents_outside_path_without_files_get_the_settings_file(here):
    write(here / "configs" / "assistants.project.yaml", "owner: acme\nmax_deletes: 1\n")
    write(here / "configs" / "a.yaml", "key: a\nmodel: m\n")
    report = migrate(Request("configs", "agents"))
    assert (here / "agents" / "assistants.project.yaml").read_text() == \
        "owner: acme\nmax_deletes: 1\n"
    assert report.root == "agents"
    assert sorted(report.files_written) == ["agents/a.yaml", "agents/assistants.project.yaml"]


def test_an_existing_file_is_never_overwritten_without_force(here):
    write(here / "configs" / "a.yaml", "key: a\nmodel: m\n")
    write(here / "configs" / "b.yaml", "key: b\nmodel: m\n")
    migrate(Request("configs", "agents"))
    (here / "agents" / "a.yaml").write_text("# mine\n")
    (here / "agents" / "b.yaml").unlink()
    with pytest.raises(ConfigError) as caught:
        migrate(Request("configs", "agents"))
    assert [str(p) for p in caught.value.problems] == [
        "agents/a.yaml: exists and differs from what migrate would write; nothing was written "
        "(pass --force to replace it)"]
    assert (here / "agents" / "a.yaml").read_text() == "# mine\n"
    assert not (here / "agents" / "b.yaml").exists()  # nothing written at all
    report = migrate(Request("configs", "agents", force=True))
    assert sorted(report.files_written) == ["agents/a.yaml", "agents/b.yaml"]
    assert yaml.safe_load((here / "agents" / "a.yaml").read_text())["kind"] == "agent"


def test_running_again_over_the_same_output_writes_nothing(here):
    write(here / "configs" / "a.yaml", "key: a\nmodel: m\n")
    migrate(Request("configs", "agents"))
    again = migrate(Request("configs", "agents"))
    assert again.files_written == () and [m.key for m in again.migrated] == ["a"]


def test_nothing_is_written_when_any_document_is_invalid(here):
    write(here / "configs" / "good.yaml", "key: good\nmodel: m\n")
    write(here / "configs" / "bad.yaml", "key: bad\nmodel: m\ntemprature: 0.2\n")
    with pytest.raises(ConfigError) as caught:
        migrate(Request("configs", "configs/agents"))
    assert str(caught.value).startswith("configs/bad.yaml:3:1: unknown key `temprature`")
    assert not (here / "configs" / "agents").exists()


def test_every_environment_is_validated_and_overrides_are_carried(here):
    write(here / "configs" / "assistants.project.yaml", """owner: acme
environments:
  staging: {variables: {STORE: vs_stg}}
  production: {}
""")
    doc = write(here / "configs" / "hr.yaml", """key: hr
model: gpt-4o
metadata: {store: "${STORE}"}
environments: [staging, production]
overrides:
  staging: {model: gpt-4o-mini, temperature: 0.1}
""")
    with pytest.raises(ConfigError) as caught:  # STORE is unset in production
        migrate(Request("configs", "configs/agents"), env={})
    assert "STORE" in str(caught.value)
    assert not (here / "configs" / "agents").exists()
    report = migrate(Request("configs", "configs/agents", environment="staging"), env={})
    agent = yaml.safe_load((here / "configs/agents/hr.yaml").read_text())
    assert agent["metadata"] == {"store": "${STORE}"}  # carried, not resolved
    assert agent["environments"] == ["staging", "production"]
    assert agent["overrides"] == {"staging": {"model": "gpt-4o-mini"}}
    assert [x.field for x in report.migrated[0].findings.lost] == [
        "overrides.staging.temperature"]
    assert doc.read_text().startswith("key: hr\n")  # the assistant is left as it was


@pytest.mark.parametrize(("out", "says"), [("configs", "never over the assistants"),
                                           (".", "holds configs"),
                                           ("configs/.agents", "skips directories")])
def test_out_may_be_neither_path_nor_around_it(here, out, says):
    write(here / "configs" / "a.yaml", "key: a\nmodel: m\n")
    with pytest.raises(ConfigError, match=says):
        migrate(Request("configs", out))


def test_path_must_be_a_directory(here):
    write(here / "a.yaml", "key: a\nmodel: m\n")
    with pytest.raises(ConfigError, match="a.yaml: is not a directory"):
        migrate(Request("a.yaml", "agents"))


def test_documents_of_another_kind_are_left_out_and_named(here):
    # map_files alone: the loader that validates agent documents is another module's
    from reconciler.migrate.layout import choose_layout
    from reconciler.migrate.run import map_files

    write(here / "configs" / "mixed.yaml", "key: a\nmodel: m\n---\nkind: agent\nkey: b\n"
                                           "model: m\n")
    write(here / "configs" / "agents-only.yaml", "kind: agent\nkey: c\nmodel: m\n")
    outputs, skipped = map_files(choose_layout("configs", "configs/agents"), {})
    assert [o.path.as_posix() for o in outputs] == ["configs/agents/mixed.yaml"]
    assert [m.key for m in outputs[0].migrated] == ["a"]
    assert skipped == ["configs/agents-only.yaml:1: kind agent, not an assistant: left out",
                       "configs/mixed.yaml:4: kind agent, not an assistant: left out"]


def test_an_error_names_the_line_of_the_file_path_that_would_leave_the_root(here):
    write(here / "configs" / "prompts" / "a.md", "Hi.\n")
    write(here / "configs" / "a.yaml", "key: a\nmodel: m\n\ninstructions_file: prompts/a.md\n")
    with pytest.raises(ConfigError) as caught:
        migrate(Request("configs", "agents"))
    assert str(caught.value).startswith("configs/a.yaml:4:1: `instructions_file` "
                                        "`prompts/a.md` would name a file outside `agents`")


def test_the_agents_load_beside_the_assistants_and_read_the_same_files(here):
    from reconciler.config.loader import load_config

    project(here / "configs")
    migrate(Request("configs", "configs/agents"))
    documents = load_config(["configs"], env={}).documents
    by_kind: dict[str, dict[str, dict]] = {}
    for document in documents:
        by_kind.setdefault(document.spec.KIND.name, {})[document.spec.key] = \
            document.spec.api_fields()
    assistants, agents = by_kind["assistant"], by_kind["agent"]
    assert sorted(agents) == sorted(assistants) == ["hr", "one", "support-acme",
                                                    "support-globex", "two"]
    hr, hr_agent = assistants["hr"], agents["hr"]
    assert hr_agent["instructions"] == hr["instructions"] == "Be kind.\n"
    assert hr_agent["tools"][0]["parameters"] == hr["tools"][0]["function"]["parameters"]
    assert hr_agent["text"]["format"]["schema"] == \
        hr["response_format"]["json_schema"]["schema"]
    assert agents["support-acme"]["instructions"] == "Be kind.\n"
    # a second run validates the agents of the first with the assistants, and changes nothing
    assert migrate(Request("configs", "configs/agents")).files_written == ()


def test_migrated_overrides_load_in_every_environment_as_the_assistants_did(here):
    from reconciler.config.loader import load_config

    write(here / "configs" / "assistants.project.yaml",
          "owner: acme\nenvironments: {staging: {}, production: {}}\n")
    write(here / "configs" / "schemas" / "p.json", SCHEMA)
    write(here / "configs" / "a.yaml", """key: a
model: gpt-4o
reasoning_effort: high
tools:
  - {type: function, function: {name: f, description: d, parameters_file: schemas/p.json}}
overrides:
  staging: {model: gpt-4o-mini, tools: [{type: file_search}], reasoning_effort: null}
  production:
    tools: [{type: function, function: {name: g, parameters_file: schemas/p.json}}]
""")
    migrate(Request("configs", "configs/agents"), env={})
    for env, model, tools, reasoning in [
            ("staging", "gpt-4o-mini", [], None),
            ("production", "gpt-4o", ["g"], {"effort": "high"})]:
        documents = load_config(["configs"], env={}, environment=env).documents
        agent = next(d.spec.api_fields() for d in documents if d.spec.KIND.name == "agent")
        assert agent["model"] == model
        assert [t["name"] for t in agent.get("tools", [])] == tools
        assert agent.get("reasoning") == reasoning
        if tools:
            assert agent["tools"][0]["parameters"]["properties"] == {"id": {"type": "string"}}


def test_a_file_that_cannot_be_written_is_one_error(here):
    write(here / "configs" / "sub" / "a.yaml", "key: a\nmodel: m\n")
    write(here / "agents" / "sub", "a file where the directory would go\n")
    with pytest.raises(ConfigError, match=r"^agents/sub/a.yaml: cannot be written: "):
        migrate(Request("configs", "agents"))
