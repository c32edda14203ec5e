"""`--ids-out` after `--fail-fast` (issue 22, item 8): the ids that are known are kept, those
of the updates the failure stopped included."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import run_cli


def write(folder: Path, docs: dict[str, str]) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "assistants.project.yaml").write_text("owner: ids\n")
    for key, text in docs.items():
        (folder / f"{key}.yaml").write_text(f"key: {key}\n{text}")
    return folder


def test_ids_out_keeps_the_known_ids_when_fail_fast_stops(serve, tmp_path):
    handle = serve(models="gpt-4o")
    env = {"OPENAI_API_KEY": "sk-ids", "ASSISTANTS_ENDPOINT": handle.base_url}
    config = write(tmp_path / "cfg", {"kept": "model: gpt-4o\nname: Kept\n",
                                      "same": "model: gpt-4o\nname: Same\n"})
    first = run_cli(["apply", "cfg", "--auto-approve", "--ids-out", "ids.json"], env=env,
                    cwd=tmp_path)
    assert first.exit_code == 0, first.output
    before = json.loads((tmp_path / "ids.json").read_text())
    write(config, {"kept": "model: gpt-4o\nname: Kept again\n",
                   "broken": "model: no-such-model\n"})
    result = run_cli(["apply", "cfg", "--auto-approve", "--fail-fast", "--ids-out", "ids.json"],
                     env=env, cwd=tmp_path)
    assert result.exit_code == 1, result.output
    assert "x + broken: failed" in result.stdout
    assert f"~ kept ({before['kept']}): failed: skipped" in result.stdout
    assert json.loads((tmp_path / "ids.json").read_text()) == {"kept": before["kept"],
                                                               "same": before["same"]}
