"""A saved plan applies where it was made (issue 22, item 3): the command `plan --out` prints,
pasted as printed, applies a `--local` (and `--db`) plan or an `--endpoint` plan against that
endpoint; an `--endpoint`, `--local` or `--db` pointing elsewhere is refused, naming both."""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

from tests.support.cli import run_cli


def bot(folder: Path, name: str = "Bot") -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "assistants.project.yaml").write_text("owner: saved-endpoint\n")
    (folder / "bot.yaml").write_text(f"key: bot\nmodel: gpt-4o\nname: {name}\n")
    return folder


def printed_command(stdout: str) -> list[str]:
    """The command the plan prints after `--out`, split as a shell would."""
    line = next(x for x in stdout.splitlines() if "apply it with:" in x)
    return shlex.split(line.split("apply it with:", 1)[1])[1:]  # drop `assistants`


def test_a_local_plan_applies_with_the_printed_command(tmp_path):
    bot(tmp_path / "cfg")
    planned = run_cli(["plan", "cfg", "--db", "my.db", "--out", "the plan.json"], cwd=tmp_path)
    assert planned.exit_code == 0, planned.output
    command = printed_command(planned.stdout)
    assert command == ["apply", "--plan", "the plan.json"]
    applied = run_cli(command, cwd=tmp_path)
    assert applied.exit_code == 0, applied.output
    assert "1 created" in applied.stdout
    again = run_cli(["plan", "cfg", "--db", "my.db", "--format", "json"], cwd=tmp_path)
    assert json.loads(again.stdout)["summary"]["create"] == 0
    assert not (tmp_path / ".assistants" / "local.db").exists()  # not the default db
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(tmp_path / "cfg", elsewhere / "cfg")
    (tmp_path / "the plan.json").rename(elsewhere / "p.json")
    moved = run_cli(["apply", "--plan", "p.json"], cwd=elsewhere)
    assert moved.exit_code == 1
    assert "there is no my.db here; run it from the directory the plan was made in" in \
        moved.stderr
    assert not (elsewhere / "my.db").exists()


def test_a_local_plan_refuses_another_db_or_an_endpoint(tmp_path):
    bot(tmp_path / "cfg")
    assert run_cli(["plan", "cfg", "--local", "--out", "p.json"], cwd=tmp_path).exit_code == 0
    other = run_cli(["apply", "--plan", "p.json", "--db", "other.db"], cwd=tmp_path)
    assert other.exit_code == 1
    assert "local:other.db" in other.stderr
    assert "local:.assistants/local.db" in other.stderr
    assert not (tmp_path / "other.db").exists()
    remote = run_cli(["apply", "--plan", "p.json", "--endpoint", "http://127.0.0.1:9/v1"],
                     cwd=tmp_path)
    assert remote.exit_code == 1
    assert "--endpoint points at http://127.0.0.1:9/v1" in remote.stderr
    assert "made against local:.assistants/local.db" in remote.stderr
    same = run_cli(["apply", "--plan", "p.json", "--local"], cwd=tmp_path)
    assert same.exit_code == 0, same.output


def test_an_endpoint_plan_applies_with_the_printed_command_and_refuses_another(serve, tmp_path):
    handle, elsewhere = serve(), serve()
    bot(tmp_path / "cfg")
    key = {"OPENAI_API_KEY": "sk-saved"}
    planned = run_cli(["plan", "cfg", "--endpoint", handle.base_url + "/", "--out", "p.json"],
                      env=key, cwd=tmp_path)
    assert planned.exit_code == 0, planned.output
    refused = run_cli(["apply", "--plan", "p.json", "--endpoint", elsewhere.base_url],
                      env=key, cwd=tmp_path)
    assert refused.exit_code == 1
    assert elsewhere.base_url in refused.stderr and handle.base_url in refused.stderr
    refused_local = run_cli(["apply", "--plan", "p.json", "--local"], env=key, cwd=tmp_path)
    assert refused_local.exit_code == 1
    assert "--local/--db points at local:" in refused_local.stderr
    assert [e for e in elsewhere.log_entries() if e["method"] != "GET"] == []

    applied = run_cli(printed_command(planned.stdout), env=key, cwd=tmp_path)
    assert applied.exit_code == 0, applied.output
    with handle.client() as client:
        names = [a["name"] for a in client.get("/assistants").json()["data"]]
    assert names == ["Bot"]


def test_a_local_journal_rolls_back_with_the_printed_commands(tmp_path):
    bot(tmp_path / "cfg")
    assert run_cli(["apply", "cfg", "--db", "my.db", "--auto-approve"],
                   cwd=tmp_path).exit_code == 0
    journal = next((tmp_path / ".assistants" / "history").glob("*.json"))
    rolled = run_cli(["rollback", str(journal), "--out", "r.json"], cwd=tmp_path)
    assert rolled.exit_code == 0, rolled.output
    applied = run_cli(printed_command(rolled.stdout), cwd=tmp_path)
    assert applied.exit_code == 0, applied.output
    assert "1 deleted" in applied.stdout
    refused = run_cli(["rollback", str(journal), "--out", "r.json", "--local"], cwd=tmp_path)
    assert refused.exit_code == 1
    assert "was written against local:my.db" in refused.stderr


def test_a_pruning_plan_prints_the_delete_allowance_it_needs(tmp_path):
    config = bot(tmp_path / "cfg")
    (config / "extra.yaml").write_text("key: extra\nmodel: gpt-4o\n")
    assert run_cli(["apply", "cfg", "--local", "--auto-approve"], cwd=tmp_path).exit_code == 0
    (config / "extra.yaml").unlink()
    planned = run_cli(["plan", "cfg", "--local", "--prune", "--out", "p.json"], cwd=tmp_path)
    command = printed_command(planned.stdout)
    assert command == ["apply", "--plan", "p.json", "--max-deletes", "1"]
    applied = run_cli(command, cwd=tmp_path)
    assert applied.exit_code == 0 and "1 deleted" in applied.stdout, applied.output
    (config / "assistants.project.yaml").write_text("owner: saved-endpoint\nmax_deletes: 3\n")
    (config / "extra.yaml").write_text("key: extra\nmodel: gpt-4o\n")
    assert run_cli(["apply", "cfg", "--local", "--auto-approve"], cwd=tmp_path).exit_code == 0
    (config / "extra.yaml").unlink()
    planned = run_cli(["plan", "cfg", "--local", "--prune", "--out", "p.json"], cwd=tmp_path)
    assert printed_command(planned.stdout) == ["apply", "--plan", "p.json"]  # settings allow
