"""A planned create renders what is sent (issue 22, item 7): the tools in the config's order
and shape, not the comparison form's `function:NAME` keys in sorted order."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import run_cli

BOT = """\
key: bot
model: gpt-4o
tools:
  - type: function
    function:
      name: zeta
  - type: file_search
    file_search:
      ranking_options: {ranker: default_2024_08_21, score_threshold: 0.5}
  - type: function
    function: {name: alpha}
"""


def project(folder: Path) -> Path:
    folder.mkdir()
    (folder / "assistants.project.yaml").write_text("owner: rendered\n")
    (folder / "bot.yaml").write_text(BOT)
    return folder


def test_a_create_renders_its_tools_as_written(tmp_path):
    project(tmp_path / "cfg")
    for fmt in ("text", "markdown"):
        planned = run_cli(["plan", "cfg", "--local", "--format", fmt], cwd=tmp_path)
        assert planned.exit_code == 0, planned.output
        lines = [x.strip("+ ") for x in planned.stdout.splitlines()]
        assert "function:zeta:" not in lines and "file_search:" in lines  # not keyed
        tools = lines.index("tools:")
        assert lines[tools + 1:tools + 5] == ["[0]:", 'type: "function"', "function:",
                                              'name: "zeta"']
        assert lines.index("[1]:") < lines.index('type: "file_search"') < lines.index("[2]:")
        assert lines.index("[2]:") < lines.index('name: "alpha"')
        assert 'score_threshold: 0.5' in lines
