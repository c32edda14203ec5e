"""Apply's delete limit, pinned end to end (issue 19, beside test_apply_promises.py): an explicit
`--max-deletes` wins over `max_deletes` in the settings, also when it is 0, for a fresh apply
and for a saved plan alike."""

from __future__ import annotations

import pytest
import yaml

from tests.support.cli import run_cli


def env_for(handle) -> dict[str, str]:
    return {"OPENAI_API_KEY": "sk-limits", "ASSISTANTS_ENDPOINT": handle.base_url}


@pytest.mark.parametrize("saved", [False, True], ids=["fresh", "saved-plan"])
@pytest.mark.parametrize(
    ("flag", "refused"),
    [([], False), (["--max-deletes", "0"], True), (["--max-deletes", "1"], False)],
    ids=["settings-allow-5", "explicit-0", "explicit-1"],
)
def test_explicit_max_deletes_wins_over_the_settings(serve, tmp_path, saved, flag, refused):
    handle = serve()
    env = env_for(handle)
    config = tmp_path / "config"
    config.mkdir()
    (config / "assistants.project.yaml").write_text("owner: limits\nmax_deletes: 5\n")
    docs = [{"key": key, "model": "gpt-4o"} for key in ("keep", "drop")]
    (config / "a.yaml").write_text(yaml.safe_dump_all(docs))
    assert run_cli(["apply", str(config), "--auto-approve"], env=env,
                   cwd=tmp_path).exit_code == 0
    (config / "a.yaml").write_text(yaml.safe_dump(docs[0]))
    before = len(handle.log_entries())

    if saved:
        plan_file = tmp_path / "plan.json"
        assert run_cli(["plan", str(config), "--prune", "--out", str(plan_file)],
                       env=env).exit_code == 0
        args = ["apply", "--plan", str(plan_file), *flag]
    else:
        args = ["apply", str(config), "--prune", "--auto-approve", *flag]
    result = run_cli(args, env=env, cwd=tmp_path)

    deletes = [e for e in handle.log_entries()[before:] if e["method"] == "DELETE"]
    if refused:
        assert result.exit_code == 1
        assert "deletes 1 assistant but --max-deletes is 0" in result.stderr
        assert deletes == []
    else:
        assert result.exit_code == 0, result.output
        assert len(deletes) == 1
