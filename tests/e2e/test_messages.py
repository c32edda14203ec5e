"""Messages a user reads (issue 22, item 6): count words agree with their numbers, and a
warning about the server's listing comes once per run, naming the step and what to do."""

from __future__ import annotations

import time
from pathlib import Path

from assistants.local.objects import new_assistant
from assistants.local.store import Store
from reconciler.words import count, plural
from tests.support.cli import run_cli


def bots(folder: Path, number: int, owner: str = "words") -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "assistants.project.yaml").write_text(f"owner: {owner}\n")
    for i in range(number):
        (folder / f"bot-{i:03}.yaml").write_text(f"key: bot-{i:03}\nmodel: gpt-4o\n"
                                                 f"name: Bot {i}\n")
    return folder


def test_count_words_agree_with_their_numbers():
    assert [count(n, "assistant") for n in (0, 1, 2)] == ["0 assistants", "1 assistant",
                                                          "2 assistants"]
    assert (plural("second copy", 2), plural("key", 3), plural("match", 2)) == (
        "second copies", "keys", "matches")


def test_one_assistant_reads_in_the_singular(tmp_path):
    config = bots(tmp_path / "cfg", 1)
    valid = run_cli(["validate", "cfg"], cwd=tmp_path)
    assert valid.stdout.startswith("Valid: 1 assistant in cfg"), valid.stdout
    assert run_cli(["apply", "cfg", "--local", "--auto-approve"], cwd=tmp_path).exit_code == 0
    plan = run_cli(["plan", "cfg", "--local"], cwd=tmp_path)
    assert "No changes. 1 assistant matches the config." in plan.stdout
    drift = run_cli(["drift", "cfg", "--local"], cwd=tmp_path)
    assert "No drift: 1 assistant matches the config." in drift.stdout
    (config / "bot-000.yaml").unlink()
    bots(config, 0)
    (config / "other.yaml").write_text("key: other\nmodel: gpt-4o\n")
    refused = run_cli(["apply", "cfg", "--local", "--auto-approve", "--prune"], cwd=tmp_path)
    assert "plan deletes 1 assistant but --max-deletes is 0" in refused.stderr
    imported = run_cli(["import", "--all", "--local", "--owner", "words", "--out", "back"],
                       cwd=tmp_path)
    assert "Imported 1 assistant into back." in imported.stdout
    assert "(s)" not in plan.output + drift.output + refused.output + imported.output


def test_a_listing_warning_comes_once_and_names_the_step(serve, tmp_path):
    """A server whose cursor skips items (`--skip-paging`): one apply creating 110 assistants
    after 37 older ones lists the server before planning and again after creating."""
    db = tmp_path / "skip.db"
    store = Store(db)
    older = int(time.time()) - 3600
    store.insert_many(new_assistant({"model": "gpt-4o", "name": f"old-{i}"},
                                    created_at=older + i) for i in range(37))
    store.close()
    handle = serve(db=db, skip_paging=True)
    env = {"OPENAI_API_KEY": "sk-words", "ASSISTANTS_ENDPOINT": handle.base_url}
    config = bots(tmp_path / "bots", 110)
    applied = run_cli(["apply", str(config), "--auto-approve"], env=env, cwd=tmp_path)
    assert applied.exit_code == 0, applied.output
    (config / "bot-110.yaml").write_text("key: bot-110\nmodel: gpt-4o\n")
    again = run_cli(["apply", str(config), "--auto-approve"], env=env, cwd=tmp_path)
    assert again.exit_code == 0, again.output
    for result, step in ((applied, "(after creating)"), (again, "(before planning)")):
        warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
        inconsistent = [w for w in warnings if "listing is inconsistent" in w]
        assert len(inconsistent) == 1, result.stderr
        assert step in inconsistent[0]
        assert "run `assistants plan` again" in inconsistent[0]
