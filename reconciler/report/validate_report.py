"""`validate --format json`: the verdict and every problem as data, for pipelines that would
rather not parse `file:line:col: message` lines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from assistants.kinds import all_kinds
from reconciler.errors import Problem


def validate_document(kinds: Sequence[str], problems: Sequence[Problem],
                      envs: Sequence[str | None] | None = None) -> dict[str, Any]:
    """`{"valid", "assistants", "agents", "problems": [{"file", "line", "column", "message",
    "env"}]}`: how many valid documents of each kind (`kinds`: one kind name per document, of
    every environment checked), and every problem.

    `env` names the environment a problem belongs to; null when the config declares none, or
    when every environment has the problem."""
    envs = envs if envs is not None else [None] * len(problems)
    return {
        "valid": not problems,
        **{kind.plural: list(kinds).count(kind.name) for kind in all_kinds()},
        "problems": [{"file": p.path or None, "line": p.line or None, "column": p.col or None,
                      "message": p.message, "env": e} for p, e in zip(problems, envs, strict=True)],
    }


def render_validate_json(kinds: Sequence[str], problems: Sequence[Problem], out: TextIO,
                         envs: Sequence[str | None] | None = None,
                         error: dict[str, Any] | None = None) -> None:
    """`error`, on a failure: the `{"type", "message", "problems"}` every command's JSON
    error document holds (report/error_report.py), beside the verdict."""
    document = validate_document(kinds, problems, envs)
    if error is not None:
        document["error"] = error
    out.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
