"""What the embedded server knows of saved agents (`/agents`): the request fields, limits and
choices (AGENTS-FACTS, widened to the `openai` SDK's types where those accept more, such as the
`ultrafast` tier and the `automations` tool), and the defaults it resolves.

The defaults live in one table per *defaults dialect*, so tests can check a client against a
server that resolves them otherwise (`Faults.agent_defaults`, `serve --agent-defaults`):

- `published` (the default): what OpenAI documents. An omitted `reasoning.effort` is the
  model's default by `MODEL_EFFORTS` (`gpt-5*` and the o-series `o1`, `o3`, ... "medium",
  any other model "none"); `text` `{format: {type: text}, verbosity: medium}`; `service_tier`
  `auto`; 6 concurrent subagents when enabled without a number; each tool's defaults filled.
- `shifted`: another server's resolution of the same omissions: reasoning models default to
  "high", verbosity `low`, service tier `default`, 4 subagents, web search `high`/`cached`,
  computer use with screenshots, MCP connections from the environment.
- `unresolved`: a server that resolves nothing it need not: an omitted effort comes back
  null (as the SDK's `AgentReasoning.effort` allows) and tools come back as they were sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

REQUEST_FIELDS = (
    "model", "name", "instructions", "metadata", "tools", "reasoning", "text", "service_tier",
    "multi_agent", "compaction", "experimental",
)
NAME_MAX = 128
INSTRUCTIONS_MAX = 1_048_576
TOOLS_JSON_MAX = 3 * 1024 * 1024  # the tool list as compact UTF-8 JSON
EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
SUMMARIES = ("concise", "detailed", "auto")
VERBOSITIES = ("low", "medium", "high")
SERVICE_TIERS = ("auto", "default", "flex", "priority", "fast", "ultrafast")
TEXT_FORMATS = ("text", "json_schema")
TOOL_TYPES = ("function", "tool_search", "programmatic_tool_calling", "mcp", "web_search",
              "computer_use", "automations")
TRANSPORTS = ("http", "stdio")
CONNECTION_ORIGINS = ("service", "environment")
CONTEXT_SIZES = ("low", "medium", "high")
SEARCH_MODES = ("disabled", "cached", "live")
LOCATION_FIELDS = ("city", "country", "region", "timezone")
SUBAGENTS_MAX = 2**31 - 1

REASONING_MODEL = re.compile(r"^(gpt-5|o\d)")
"""Models whose default effort is a reasoning one (gpt-5, gpt-5-mini, o3, o4-mini, ...)."""


@dataclass(frozen=True)
class AgentDefaults:
    """How one server resolves what a request left out."""

    reasoning_effort: str | None  # the default effort of a reasoning model
    other_effort: str | None  # of any other model
    verbosity: str
    service_tier: str
    subagents: int
    fill_tools: bool = True
    tools: dict[str, dict[str, Any]] = field(default_factory=dict)


PUBLISHED_TOOLS: dict[str, dict[str, Any]] = {
    "function": {"defer_loading": False},
    "programmatic_tool_calling": {"enabled": True},
    "mcp": {"allowed_tools": None, "connection_origin": "service", "credential_id": None,
            "request_metadata": {}, "required": False},
    "web_search": {"allowed_domains": None, "context_size": "medium", "location": None,
                   "mode": "live"},
    "computer_use": {"include_screenshots": False},
}

DIALECTS: dict[str, AgentDefaults] = {
    "published": AgentDefaults("medium", "none", "medium", "auto", 6, tools=PUBLISHED_TOOLS),
    "shifted": AgentDefaults("high", "none", "low", "default", 4, tools={
        **PUBLISHED_TOOLS,
        "mcp": {**PUBLISHED_TOOLS["mcp"], "connection_origin": "environment"},
        "web_search": {**PUBLISHED_TOOLS["web_search"], "context_size": "high",
                       "mode": "cached"},
        "computer_use": {"include_screenshots": True},
    }),
    "unresolved": AgentDefaults(None, None, "medium", "auto", 6, fill_tools=False),
}
DIALECT_NAMES = tuple(DIALECTS)


def model_effort(model: str, defaults: AgentDefaults) -> str | None:
    """The effort a server gives an agent of `model` whose request named none."""
    if REASONING_MODEL.match(model):
        return defaults.reasoning_effort
    return defaults.other_effort
