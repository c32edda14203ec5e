"""`validate --format json`: the verdict and every problem as data, for pipelines that would
rather not parse `file:line:col: message` lines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from reconciler.errors import Problem


def validate_document(count: int, problems: Sequence[Problem],
                      envs: Sequence[str | None] | None = None) -> dict[str, Any]:
    """`{"valid", "assistants", "problems": [{"file", "line", "column", "message", "env"}]}`.

    `env` names the environment a problem belongs to; null when the config declares none, or
    when every environment has the problem."""
    envs = envs if envs is not None else [None] * len(problems)
    return {
        "valid": not problems,
        "assistants": count,
        "problems": [{"file": p.path or None, "line": p.line or None, "column": p.col or None,
                      "message": p.message, "env": e} for p, e in zip(problems, envs, strict=True)],
    }


def render_validate_json(count: int, problems: Sequence[Problem], out: TextIO,
                         envs: Sequence[str | None] | None = None) -> None:
    document = validate_document(count, problems, envs)
    out.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
