"""`validate --format json`: the verdict and every problem as data, for pipelines that would
rather not parse `file:line:col: message` lines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from assistants.errors import Problem


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
