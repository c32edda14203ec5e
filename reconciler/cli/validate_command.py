"""The `validate` command: load the config as a plan would, and report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from assistants.errors import ConfigError
from reconciler.cli.context import RunContext
from reconciler.report.validate_report import render_validate_json


def validate_command(run: RunContext, paths: Sequence[str], fmt: str, out: TextIO) -> None:
    """Load as a plan would; with `fmt` json the document goes to `out` whether or not the
    config is valid, and a `ConfigError` still ends the command (exit 1, lines on stderr)."""
    from reconciler.config.loader import load_config

    try:
        config = load_config(paths or (".",))
    except ConfigError as err:
        if fmt == "json":
            render_validate_json(0, err.problems, out)
        raise
    count = len(config.assistants)
    if fmt == "json":
        render_validate_json(count, [], out)
        return
    where = ", ".join(config.paths)
    out.write(f"Valid: {count} assistant{'s' if count != 1 else ''} in {where}\n")
