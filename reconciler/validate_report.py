"""`validate --format json`: the verdict and every problem as data, for pipelines that would
rather not parse `file:line:col: message` lines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from assistants.errors import ConfigError, Problem
from reconciler.context import RunContext


def validate_document(count: int, problems: Sequence[Problem]) -> dict[str, Any]:
    """`{"valid", "assistants", "problems": [{"file", "line", "column", "message", "env"}]}`.

    `env` names the environment a problem belongs to; null until configs declare them."""
    return {
        "valid": not problems,
        "assistants": count,
        "problems": [{"file": p.path or None, "line": p.line or None, "column": p.col or None,
                      "message": p.message, "env": None} for p in problems],
    }


def render_validate_json(count: int, problems: Sequence[Problem], out: TextIO) -> None:
    out.write(json.dumps(validate_document(count, problems), indent=2, ensure_ascii=False) + "\n")


def validate_command(run: RunContext, paths: Sequence[str], fmt: str, out: TextIO) -> None:
    """Load as a plan would; with `fmt` json the document goes to `out` whether or not the
    config is valid, and a `ConfigError` still ends the command (exit 1, lines on stderr)."""
    from reconciler.loader import load_config

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
