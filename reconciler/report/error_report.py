"""A failed command under `--format json`: one document `{"error": {...}}` on stdout, so a
pipeline that parses stdout always gets JSON (the human line still goes to stderr).

    {"error": {"type": "stale_plan_error", "message": "saved plan is stale, ...",
               "reasons": [...]}}

`type` is the exception's class in snake case (`config_error`, `credential_error`,
`plan_error`, `stale_plan_error`, `too_many_deletes_error`, `transport_error`, `api_error`'s
subclasses such as `not_found_error`, `usage_error`, `internal_error`); the other members
depend on it: `problems` (config), `reasons` (stale plan), `count`/`limit` (deletes),
`method`/`url`/`status`/`code` (HTTP)."""

from __future__ import annotations

import json
import re
from typing import Any, TextIO

from assistants.errors import APIError, TransportError
from reconciler.errors import ConfigError, StalePlanError, TooManyDeletesError


def error_type(err: BaseException) -> str:
    """`StalePlanError` -> `stale_plan_error`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(err).__name__).lower()


def error_document(err: BaseException, *, message: str | None = None,
                   kind: str | None = None) -> dict[str, Any]:
    """The document for `err`; `message` and `kind` replace its text and type (a bug's)."""
    body: dict[str, Any] = {"type": kind or error_type(err), "message": message or str(err)}
    if isinstance(err, ConfigError):
        body["problems"] = [{"file": p.path or None, "line": p.line or None,
                             "column": p.col or None, "message": p.message}
                            for p in err.problems]
    elif isinstance(err, StalePlanError):
        body["reasons"] = list(err.reasons)
    elif isinstance(err, TooManyDeletesError):
        body.update(count=err.count, limit=err.limit)
    elif isinstance(err, APIError):
        body.update(method=err.method or None, url=err.url or None, status=err.status,
                    code=err.code)
    elif isinstance(err, TransportError):
        body.update(method=err.method or None, url=err.url or None, sent=err.sent)
    return {"error": body}


def render_error_json(err: BaseException, out: TextIO, **kw: str | None) -> None:
    out.write(json.dumps(error_document(err, **kw), indent=2, ensure_ascii=False) + "\n")
    out.flush()
