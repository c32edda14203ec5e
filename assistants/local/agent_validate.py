"""Validation of saved-agent requests (create and update), with OpenAI's 400 envelope.

The checks and their messages are those of `validate.py`; only the fields differ. Fields an
assistant has and an agent lacks (`temperature`, `tool_resources`, `response_format`, ...) are
unrecognized request arguments, and so are the assistant tools `file_search` and
`code_interpreter` (an invalid `tools[i].type`).
"""

from __future__ import annotations

import json
from typing import Any

from assistants.local import agent_rules as rules
from assistants.local.errors import invalid
from assistants.local.validate import (
    check_array,
    check_bool,
    check_choice,
    check_metadata,
    check_name,
    check_number,
    check_object,
    check_string,
    require,
    type_name,
)


def validate_agent_request(body: Any, *, create: bool) -> dict[str, Any]:
    """Check a create (`model` required) or update body; return it unchanged."""
    if not isinstance(body, dict):
        raise invalid(f"Invalid type for request body: expected an object, but got "
                      f"{type_name(body)} instead.", None, "invalid_type")
    unknown = [key for key in body if key not in rules.REQUEST_FIELDS]
    if unknown:
        plural = "s" if len(unknown) > 1 else ""
        raise invalid(f"Unrecognized request argument{plural} supplied: {', '.join(unknown)}")
    if create:
        require(body, "model", "model")
    if "model" in body:
        check_string(body["model"], "model", min_length=1)
    check_string(body.get("name"), "name", rules.NAME_MAX, nullable=True)
    check_string(body.get("instructions"), "instructions", rules.INSTRUCTIONS_MAX, nullable=True)
    check_metadata(body.get("metadata"))
    check_choice(body.get("service_tier"), "service_tier", rules.SERVICE_TIERS, nullable=True)
    check_reasoning(body.get("reasoning"))
    check_text(body.get("text"))
    check_multi_agent(body.get("multi_agent"))
    check_agent_tools(body.get("tools"))
    compaction = check_object(body.get("compaction"), "compaction", ("async",), nullable=True)
    check_bool(compaction.get("async"), "compaction.async")
    if "experimental" in body:
        experimental = check_object(body["experimental"], "experimental", ("time_awareness",))
        if "time_awareness" in experimental:
            check_bool(experimental["time_awareness"], "experimental.time_awareness",
                       nullable=False)
    return body


def check_reasoning(value: Any) -> None:
    reasoning = check_object(value, "reasoning", ("effort", "summary"), nullable=True)
    check_choice(reasoning.get("effort"), "reasoning.effort", rules.EFFORTS, nullable=True)
    check_choice(reasoning.get("summary"), "reasoning.summary", rules.SUMMARIES, nullable=True)


def check_text(value: Any) -> None:
    text = check_object(value, "text", ("format", "verbosity"), nullable=True)
    check_choice(text.get("verbosity"), "text.verbosity", rules.VERBOSITIES, nullable=True)
    if text.get("format") is None:
        return
    fmt = check_object(text["format"], "text.format")
    require(fmt, "type", "text.format.type")
    check_choice(fmt["type"], "text.format.type", rules.TEXT_FORMATS)
    if fmt["type"] == "text":
        check_object(fmt, "text.format", ("type",))
        return
    check_object(fmt, "text.format", ("type", "schema"))  # no name, description or strict
    require(fmt, "schema", "text.format.schema")
    check_object(fmt["schema"], "text.format.schema")


def check_multi_agent(value: Any) -> None:
    if value is None:
        return
    config = check_object(value, "multi_agent", ("enabled", "max_concurrent_subagents"))
    require(config, "enabled", "multi_agent.enabled")
    check_bool(config["enabled"], "multi_agent.enabled", nullable=False)
    check_number(config.get("max_concurrent_subagents"), "multi_agent.max_concurrent_subagents",
                 1, rules.SUBAGENTS_MAX, integer=True)


def check_agent_tools(value: Any) -> None:
    tools = check_array(value, "tools", 2**31, nullable=True)
    size = len(json.dumps(tools, separators=(",", ":"), ensure_ascii=False).encode())
    if size > rules.TOOLS_JSON_MAX:
        raise invalid(f"Invalid 'tools': the tool list must fit within {rules.TOOLS_JSON_MAX} "
                      f"bytes of compact JSON, but it takes {size}.", "tools",
                      "array_above_max_length")
    for index, tool in enumerate(tools):
        param = f"tools[{index}]"
        tool = check_object(tool, param)
        require(tool, "type", f"{param}.type")
        check_choice(tool["type"], f"{param}.type", rules.TOOL_TYPES)
        TOOL_CHECKS[tool["type"]](tool, param)


def _only_type(tool: dict[str, Any], param: str) -> None:
    check_object(tool, param, ("type",))


def _function(tool: dict[str, Any], param: str) -> None:
    check_object(tool, param, ("type", "name", "description", "parameters", "defer_loading",
                               "async"))
    check_name(tool, param)
    require(tool, "description", f"{param}.description")
    check_string(tool["description"], f"{param}.description")
    require(tool, "parameters", f"{param}.parameters")
    check_object(tool["parameters"], f"{param}.parameters")
    _flag(tool, "defer_loading", param)
    check_bool(tool.get("async"), f"{param}.async")


def _flag(tool: dict[str, Any], key: str, param: str) -> None:
    """An optional boolean that may not be null (the SDK types it `bool`, not Optional)."""
    if key in tool:
        check_bool(tool[key], f"{param}.{key}", nullable=False)


def _programmatic(tool: dict[str, Any], param: str) -> None:
    check_object(tool, param, ("type", "enabled"))
    _flag(tool, "enabled", param)


def _mcp(tool: dict[str, Any], param: str) -> None:
    check_object(tool, param, ("type", "server_label", "transport", "allowed_tools",
                               "connection_origin", "credential_id", "request_metadata",
                               "required"))
    require(tool, "server_label", f"{param}.server_label")
    check_string(tool["server_label"], f"{param}.server_label", min_length=1)
    require(tool, "transport", f"{param}.transport")
    check_transport(tool["transport"], f"{param}.transport")
    _strings(tool.get("allowed_tools"), f"{param}.allowed_tools")
    check_choice(tool.get("connection_origin"), f"{param}.connection_origin",
                 rules.CONNECTION_ORIGINS, nullable=True)
    check_string(tool.get("credential_id"), f"{param}.credential_id", nullable=True)
    check_object(tool.get("request_metadata"), f"{param}.request_metadata", nullable=True)
    _flag(tool, "required", param)


def check_transport(value: Any, param: str) -> None:
    transport = check_object(value, param)
    require(transport, "type", f"{param}.type")
    check_choice(transport["type"], f"{param}.type", rules.TRANSPORTS)
    if transport["type"] == "http":
        check_object(transport, param, ("type", "server_url", "headers"))
        require(transport, "server_url", f"{param}.server_url")
        check_string(transport["server_url"], f"{param}.server_url", min_length=1)
        headers = check_object(transport.get("headers"), f"{param}.headers", nullable=True)
        for name, header in headers.items():
            check_string(header, f"{param}.headers.{name}")
        return
    check_object(transport, param, ("type", "command", "cwd", "args", "env_vars"))
    for key in ("command", "cwd"):
        require(transport, key, f"{param}.{key}")
        check_string(transport[key], f"{param}.{key}", min_length=1)
    _strings(transport.get("args"), f"{param}.args")
    _strings(transport.get("env_vars"), f"{param}.env_vars")


def _strings(value: Any, param: str) -> None:
    for index, item in enumerate(check_array(value, param, 2**31, nullable=True)):
        check_string(item, f"{param}[{index}]")


def _web_search(tool: dict[str, Any], param: str) -> None:
    check_object(tool, param, ("type", "allowed_domains", "context_size", "location", "mode"))
    _strings(tool.get("allowed_domains"), f"{param}.allowed_domains")
    check_choice(tool.get("context_size"), f"{param}.context_size", rules.CONTEXT_SIZES,
                 nullable=True)
    check_choice(tool.get("mode"), f"{param}.mode", rules.SEARCH_MODES, nullable=True)
    location = check_object(tool.get("location"), f"{param}.location", rules.LOCATION_FIELDS,
                            nullable=True)
    for key, part in location.items():
        check_string(part, f"{param}.location.{key}", nullable=True)


def _computer_use(tool: dict[str, Any], param: str) -> None:
    check_object(tool, param, ("type", "include_screenshots"))
    _flag(tool, "include_screenshots", param)


TOOL_CHECKS = {
    "function": _function,
    "tool_search": _only_type,
    "programmatic_tool_calling": _programmatic,
    "mcp": _mcp,
    "web_search": _web_search,
    "computer_use": _computer_use,
    "automations": _only_type,
}
