"""Every mistake a user makes on the command line is one line and exit 1 (never 2: exit 2
means "changes present", and CI must tell drift from a typo)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import run_cli

EXAMPLES = str(Path(__file__).resolve().parents[1] / "examples")


@pytest.mark.parametrize("args,message", [
    (["plan", "--frobnicate"], "No such option '--frobnicate'"),
    (["drift", "--format", "yaml"], "Invalid value for '--format'"),
    (["import"], "give --all or at least one --id"),
    (["apply", "--plan", "p.json", EXAMPLES], "--plan applies the saved plan as reviewed"),
    (["apply", "--plan", "nope.json", "--local"], "--plan nope.json: No such file or directory"),
    (["rollback", "nope.json", "--out", "r.json", "--local"], "nope.json: No such file"),
    (["plan", EXAMPLES, "--local", "--only", "nokey"], "neither in the config nor on the server"),
    (["plan", "missing-dir", "--local"], "missing-dir: no such file or directory"),
    (["validate", EXAMPLES, "--endpoint", "http://127.0.0.1:1/v1"], "No such option '--endpoint'"),
    (["validate", EXAMPLES, "--local"], "No such option '--local'"),
    (["serve", "--owner", "me"], "No such option '--owner'"),
    (["serve", "--endpoint", "http://127.0.0.1:1/v1"], "No such option '--endpoint'"),
    (["serve", "--models", " , "], "Invalid value for --models: name at least one model"),
    (["serve", "--keyless", "--api-key", "k"], "--keyless accepts requests without a key"),
    (["show", "nope.json"], "error: nope.json: No such file or directory"),
    (["drift", EXAMPLES, "--local", "--out", "a.md", "--output", "b.md"], "give --out once"),
])
def test_mistakes_exit_1_with_a_clear_message(tmp_path, args, message):
    result = run_cli(args, cwd=tmp_path)
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_no_owner_says_how_to_set_one(tmp_path):
    (tmp_path / "a.yaml").write_text("key: a\nmodel: gpt-4o\n")
    result = run_cli(["plan", str(tmp_path), "--local"], cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: no owner set: pass --owner NAME, set ASSISTANTS_OWNER, or put `owner: NAME` in "
        "assistants.project.yaml at the config root")


def test_plan_file_that_is_not_a_plan(tmp_path):
    (tmp_path / "p.json").write_text('{"hello": 1}')
    result = run_cli(["apply", "--plan", "p.json", "--local"], cwd=tmp_path)
    assert result.exit_code == 1
    assert "p.json: plan format None is not 2 (or 1)" in result.stderr


@pytest.mark.parametrize("command", ["validate", "plan", "apply", "drift", "import", "serve",
                                     "schema", "rollback", "show"])
def test_every_command_has_help_and_version(command):
    assert run_cli([command, "--version"]).stdout.strip() == "assistants, version 0.1.0"
    assert "Usage: " in run_cli([command, "--help"]).stdout


def test_a_reader_that_leaves_early_gets_no_traceback_and_no_internal_error() -> None:
    """`assistants validate --format json | head -1`: when the reader closes the pipe, the
    command stops quietly (no "internal error", no Python traceback on stderr)."""
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler.cli", "validate", "examples", "--format", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=Path(__file__).resolve().parents[1])
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader leaves before the first line
    stderr = process.stderr.read().decode()
    process.wait(timeout=60)
    assert "internal error" not in stderr
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr
