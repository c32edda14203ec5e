"""The reconciler's side of each kind: the document model a YAML document of that kind is
validated with (`kind: assistant`, the default, or `kind: agent`). The API side of each kind
(fields, server defaults, canonical form) is in assistants/kinds/."""

from __future__ import annotations

import difflib
from typing import Any

from reconciler.kinds.agent import AgentSpec
from reconciler.kinds.assistant import AssistantSpec
from reconciler.kinds.controls import DocumentSpec

KIND_KEY = "kind"
SPECS: dict[str, type[DocumentSpec]] = {"assistant": AssistantSpec, "agent": AgentSpec}


def spec_for(name: Any) -> tuple[type[DocumentSpec] | None, str | None]:
    """The document model of kind `name`, or None and the problem to report."""
    if isinstance(name, str) and name in SPECS:
        return SPECS[name], None
    close = difflib.get_close_matches(name, list(SPECS), n=1) if isinstance(name, str) else None
    hint = f" — did you mean `{close[0]}`?" if close else ""
    return None, f"unknown kind `{name}`{hint} (kinds: {', '.join(SPECS)})"
