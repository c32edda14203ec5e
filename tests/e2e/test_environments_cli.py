"""Environments and fleets through the command line, against two `assistants serve` at once
(staging and production): each environment lands on its own server with its own model, vector
store, owner and members; a saved plan carries its environment; a removed CSV row is one delete;
bad input is one clear error that writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.support.cli import run_cli
from tests.support.files import write

CREDENTIALS = {"OPENAI_API_KEY": "sk-e2e"}


def project(root: Path, staging, production) -> Path:
    """A config with two environments on two servers, an override, a production-only
    assistant and a fleet of three tenants from a CSV."""
    write(root / "assistants.project.yaml", f"""\
owner: acme
environments:
  staging:
    endpoint: {staging.base_url}
    variables: {{HR_STORE: vs_stg_hr}}
  production:
    endpoint: {production.base_url}
    owner: acme-prod
    max_deletes: 1
    variables: {{HR_STORE: vs_prod_hr}}
""")
    write(root / "hr.yaml", """\
key: hr-helper
model: gpt-4o
tool_resources:
  file_search: {vector_store_ids: ["${HR_STORE}"]}
metadata: {env: "${ASSISTANTS_ENV}", team: people}
overrides:
  staging:
    model: gpt-4o-mini
    metadata: {tier: cheap}
---
key: auditor
model: gpt-4o
environments: [production]
""")
    write(root / "support.yaml", """\
key: support-${each.tenant}
for_each_file: tenants.csv
name: Support (${each.tenant})
model: gpt-4o-mini
metadata: {tenant: "${each.tenant}", region: "${each.region}"}
""")
    write(root / "tenants.csv", "tenant,region\nacme,eu\nglobex,us\ninitech,eu\n")
    return root


def live(handle) -> dict[str, dict]:
    """The server's assistants by name of their key in the marker (over HTTP)."""
    with handle.client(timeout=30) as client:
        data = client.get("/assistants", params={"limit": 100}).json()["data"]
    out = {}
    for item in data:
        marker = item["metadata"].get("managed-by", "")
        fields = dict(part.split("=", 1) for part in marker.split(";")[1:] if "=" in part)
        out[fields.get("key", item["id"])] = {**item, "owner": fields.get("owner")}
    return out


def cli(args: list[str], cwd: Path, **env: str):
    return run_cli(args, env={**CREDENTIALS, **env}, cwd=cwd)


def test_each_environment_lands_on_its_server_and_then_plans_empty(serve, tmp_path):
    staging, production = serve(), serve()
    project(tmp_path / "cfg", staging, production)
    for name in ("staging", "production"):
        applied = cli(["apply", "cfg", "--env", name, "--auto-approve"], tmp_path)
        assert applied.exit_code == 0, applied.output
    for name in ("staging", "production"):
        again = cli(["plan", "cfg", "--detailed-exitcode"], tmp_path, ASSISTANTS_ENV=name)
        assert again.exit_code == 0, again.output
        assert "No changes" in again.stdout

    stg, prod = live(staging), live(production)
    assert sorted(stg) == ["hr-helper", "support-acme", "support-globex", "support-initech"]
    assert sorted(prod) == ["auditor", "hr-helper", "support-acme", "support-globex",
                            "support-initech"]
    assert stg["hr-helper"]["model"] == "gpt-4o-mini"  # the override
    assert stg["hr-helper"]["metadata"] == {"env": "staging", "team": "people", "tier": "cheap",
                                            "managed-by": stg["hr-helper"]["metadata"]["managed-by"]}
    assert prod["hr-helper"]["model"] == "gpt-4o"
    assert prod["hr-helper"]["metadata"]["env"] == "production"
    assert "tier" not in prod["hr-helper"]["metadata"]
    assert (stg["hr-helper"]["tool_resources"]["file_search"]["vector_store_ids"]
            == ["vs_stg_hr"])
    assert (prod["hr-helper"]["tool_resources"]["file_search"]["vector_store_ids"]
            == ["vs_prod_hr"])
    assert {a["owner"] for a in stg.values()} == {"acme"}
    assert {a["owner"] for a in prod.values()} == {"acme-prod"}
    assert prod["support-globex"]["name"] == "Support (globex)"
    assert prod["support-globex"]["metadata"]["region"] == "us"


def test_a_saved_production_plan_applies_without_env(serve, tmp_path):
    staging, production = serve(), serve()
    cfg = project(tmp_path / "cfg", staging, production)
    assert cli(["apply", "cfg", "--env", "production", "--auto-approve"],
               tmp_path).exit_code == 0
    hr = cfg / "hr.yaml"
    hr.write_text(hr.read_text().replace("team: people", "team: people-ops"))
    planned = cli(["plan", "cfg", "--env", "production", "--out", "plan.json", "--format",
                   "markdown"], tmp_path)
    assert planned.exit_code == 0, planned.output
    assert "environment `production`" in planned.stdout
    saved = json.loads((tmp_path / "plan.json").read_text())
    assert saved["environment"] == "production"
    assert saved["endpoint"] == production.base_url
    assert saved["summary"]["update"] == 1

    refused = cli(["apply", "--plan", "plan.json", "--env", "staging"], tmp_path)
    assert refused.exit_code == 1
    assert "plan.json is a plan for `production`" in refused.stderr
    # the variable pointing elsewhere does not win over the environment's endpoint
    applied = cli(["apply", "--plan", "plan.json"], tmp_path,
                  ASSISTANTS_ENDPOINT=staging.base_url)
    assert applied.exit_code == 0, applied.output
    assert live(production)["hr-helper"]["metadata"]["team"] == "people-ops"
    assert live(staging) == {}
    journals = sorted((tmp_path / ".assistants/history").glob("*.json"))
    assert json.loads(journals[-1].read_text())["environment"] == "production"


def test_a_removed_csv_row_plans_exactly_one_delete(serve, tmp_path):
    staging, production = serve(), serve()
    cfg = project(tmp_path / "cfg", staging, production)
    assert cli(["apply", "cfg", "--env", "staging", "--auto-approve"], tmp_path).exit_code == 0
    (cfg / "tenants.csv").write_text("tenant,region\nacme,eu\ninitech,eu\n")
    planned = cli(["plan", "cfg", "--env", "staging", "--prune", "--format", "json"], tmp_path)
    assert planned.exit_code == 0, planned.output
    pending = [(c["action"], c["key"]) for c in json.loads(planned.stdout)["changes"]
               if c["action"] != "noop"]
    assert pending == [("delete", "support-globex")]


def test_flags_beat_the_environment_and_say_so(serve, tmp_path):
    staging, production = serve(), serve()
    project(tmp_path / "cfg", staging, production)
    result = cli(["plan", "cfg", "--env", "production", "--endpoint", staging.base_url,
                  "--owner", "someone", "--format", "json"], tmp_path,
                 ASSISTANTS_OWNER="ignored")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert (plan["endpoint"], plan["owner"]) == (staging.base_url, "someone")
    assert "endpoint from --endpoint overrides the `production` environment's" in result.stderr
    assert "owner `someone` from --owner overrides `acme-prod`" in result.stderr
    # ASSISTANTS_OWNER loses to the environment's owner, beats the top-level one
    prod = json.loads(cli(["plan", "cfg", "--env", "production", "--format", "json"], tmp_path,
                          ASSISTANTS_OWNER="other").stdout)
    stg = cli(["plan", "cfg", "--env", "staging", "--format", "json"], tmp_path,
              ASSISTANTS_OWNER="other")
    assert prod["owner"] == "acme-prod"
    assert json.loads(stg.stdout)["owner"] == "other"
    assert "owner `other` from ASSISTANTS_OWNER overrides `acme`" in stg.stderr


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def test_bad_input_is_one_clear_error_and_writes_nothing(serve, tmp_path):
    staging, production = serve(), serve()
    cfg = project(tmp_path / "cfg", staging, production)

    (cfg / "tenants.csv").write_text("tenant,region\nacme,eu\nglobex,us\nacme,us\n")
    dup = cli(["apply", "cfg", "--env", "staging", "--auto-approve"], tmp_path)
    assert dup.exit_code == 1
    assert error_lines(dup) == [
        "error: cfg/support.yaml:1:6: duplicate assistant key `support-acme`: also defined at "
        "cfg/support.yaml:1:6[row 2] [row 4 of cfg/tenants.csv]"]
    (cfg / "tenants.csv").write_text("tenant,region\nacme,eu\n")

    unknown = cli(["plan", "cfg", "--env", "prod"], tmp_path)
    assert unknown.exit_code == 1
    assert error_lines(unknown) == ["error: --env prod: unknown environment — did you mean "
                                    "`production`? (declared: staging, production)"]
    none = cli(["plan", "cfg"], tmp_path)
    assert error_lines(none) == ["error: cfg/assistants.project.yaml declares environments "
                                 "(staging, production): choose one with --env NAME or "
                                 "ASSISTANTS_ENV"]
    hr = cfg / "hr.yaml"
    text = hr.read_text()
    hr.write_text(text.replace("environments: [production]", "environments: [prodution]"))
    member = cli(["apply", "cfg", "--env", "staging", "--auto-approve"], tmp_path)
    assert error_lines(member) == ["error: cfg/hr.yaml:13:16: unknown environment `prodution` "
                                   "— did you mean `production`? (declared: staging, "
                                   "production)"]
    hr.write_text(text.replace("${HR_STORE}", "${HR_STORE_ID}"))
    missing = cli(["apply", "cfg", "--env", "production", "--auto-approve"], tmp_path)
    assert missing.exit_code == 1
    assert error_lines(missing) == [
        "error: cfg/hr.yaml:4:36: `tool_resources.file_search.vector_store_ids[0]`: variable "
        "`HR_STORE_ID` is not set (set it, or give a default: `${HR_STORE_ID:-value}`)"]
    for handle in (staging, production):
        assert [e for e in handle.log_entries() if e.get("method") == "POST"] == []
        assert live(handle) == {}


def test_production_max_deletes_and_import_and_rollback_use_the_environment(serve, tmp_path):
    staging, production = serve(), serve()
    cfg = project(tmp_path / "cfg", staging, production)
    assert cli(["apply", "cfg", "--env", "production", "--auto-approve"],
               tmp_path).exit_code == 0
    (cfg / "tenants.csv").write_text("tenant,region\nacme,eu\n")
    too_many = cli(["apply", "cfg", "--env", "production", "--prune", "--auto-approve"],
                   tmp_path)
    assert too_many.exit_code == 1  # the environment's max_deletes is 1, two would go
    assert "2" in too_many.stderr and "1" in too_many.stderr
    assert len(live(production)) == 5

    # import: the endpoint and owner of the environment in the target folder's settings
    out = tmp_path / "imported"
    out.mkdir()
    (out / "assistants.project.yaml").write_text((cfg / "assistants.project.yaml").read_text())
    imported = cli(["import", "--all", "--env", "production", "--out", str(out)], tmp_path,
                   ASSISTANTS_ENDPOINT=staging.base_url)
    assert imported.exit_code == 0, imported.output
    assert "Imported 5 assistants" in imported.stdout
    # Each document holds a production id, so it exists in production only.
    documents = [yaml.safe_load(p.read_text()) for p in sorted(out.glob("*.yaml"))
                 if p.name != "assistants.project.yaml"]
    assert len(documents) == 5
    assert all(d["environments"] == ["production"] for d in documents)
    validated = cli(["validate", str(out), "--format", "json"], tmp_path)
    assert validated.exit_code == 0, validated.output
    assert json.loads(validated.stdout)["valid"] is True

    # rollback of a production apply goes back to production, without --env
    (cfg / "tenants.csv").write_text("tenant,region\nacme,eu\nglobex,us\n")
    pruned = cli(["apply", "cfg", "--env", "production", "--prune", "--auto-approve"], tmp_path)
    assert pruned.exit_code == 0, pruned.output
    assert "support-initech" not in live(production)
    journal = sorted((tmp_path / ".assistants/history").glob("*.json"))[-1]
    rollback = cli(["rollback", str(journal), "--out", "rollback.json"], tmp_path)
    assert rollback.exit_code == 0, rollback.output
    assert cli(["apply", "--plan", "rollback.json"], tmp_path).exit_code == 0
    assert "support-initech" in live(production)
    assert cli(["rollback", str(journal), "--out", "r.json", "--env", "staging"],
               tmp_path).exit_code == 1


def test_drift_names_the_environment_and_the_template_of_a_fleet(serve, tmp_path):
    staging, production = serve(), serve()
    project(tmp_path / "cfg", staging, production)
    assert cli(["apply", "cfg", "--env", "staging", "--auto-approve"], tmp_path).exit_code == 0
    gone = live(staging)["support-globex"]["id"]
    with staging.client(timeout=30) as client:
        assert client.delete(f"/assistants/{gone}").status_code == 200
    drift = cli(["drift", "cfg", "--env", "staging", "--format", "json"], tmp_path,
                GITHUB_ACTIONS="true")
    assert drift.exit_code == 2, drift.output
    report = json.loads(drift.stdout)
    assert report["environment"] == "staging"
    assert [(m["key"], m["source"]) for m in report["missing"]] == [
        ("support-globex", "cfg/support.yaml:1[row 3]")]
    assert ("::warning file=cfg/support.yaml,line=1::support-globex is missing from the server"
            in drift.stderr)
