"""The saved agent document: what a YAML document of `kind: agent` may say (AGENTS-FACTS).

Strict like the assistant's: unknown keys are errors (with a pointer to the migration table for
an assistant's field), and the Agents API's limits are checked here. Secrets never go on an
agent: an MCP transport header whose name carries a credential is refused, pointing to
`credential_id` (the API's own rule: transport headers are non-secret).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
    field_validator,
    model_validator,
)

from assistants import limits
from assistants.canonical import tool_ident
from assistants.kinds import Kind
from assistants.kinds.agent import AGENT, MANAGED_FIELDS
from reconciler.kinds.controls import (
    DocumentSpec,
    FunctionName,
    MetadataMap,
    ReasoningEffort,
    Strict,
    check_ignore_paths,
    check_tools_unique,
)

AGENT_NAME_MAX = 128
AGENT_INSTRUCTIONS_MAX = 1_048_576
NonEmpty = Annotated[str, StringConstraints(min_length=1)]
MIGRATION = "see the migration table in docs/migration.md"

SECRET_HEADER = re.compile(r"authorization|cookie|token|key|secret|password", re.IGNORECASE)
"""Header names that carry a credential: `Authorization`, `Cookie`, `Proxy-Authorization`,
`X-API-Key`, `X-Auth-Token`, ..."""


class FunctionTool(Strict):
    type: Literal["function"]
    name: FunctionName
    description: StrictStr = Field(description="Required by the Agents API.")
    parameters: dict[str, Any] | None = None
    parameters_file: StrictStr | None = Field(
        default=None,
        description="Path of a JSON or YAML file holding `parameters`, relative to this YAML file.",
    )
    defer_loading: StrictBool | None = None

    @model_validator(mode="after")
    def _one_source(self) -> FunctionTool:
        if self.parameters is not None and self.parameters_file is not None:
            raise ValueError("give `parameters` or `parameters_file`, not both")
        if self.parameters is None and self.parameters_file is None:
            raise ValueError(f"function `{self.name}` needs `parameters` (a JSON Schema object; "
                             "`{type: object, properties: {}}` for none) or `parameters_file`")
        return self


class ToolSearchTool(Strict):
    type: Literal["tool_search"]


class ProgrammaticToolCallingTool(Strict):
    type: Literal["programmatic_tool_calling"]
    enabled: StrictBool | None = None


class HttpTransport(Strict):
    type: Literal["http"]
    server_url: NonEmpty
    headers: dict[str, StrictStr] | None = Field(
        default=None, description="Non-secret headers; a credential goes in `credential_id`.")

    @field_validator("headers")
    @classmethod
    def _no_secrets(cls, headers: dict[str, str] | None) -> dict[str, str] | None:
        for name in headers or {}:
            if SECRET_HEADER.search(name):
                raise ValueError(
                    f"header `{name}` carries a credential, and transport headers are stored "
                    "on the agent in the clear: keep the secret in a vault credential and name "
                    "it with the tool's `credential_id`")
        return headers


class StdioTransport(Strict):
    type: Literal["stdio"]
    command: NonEmpty
    cwd: NonEmpty
    args: list[StrictStr] | None = None
    env_vars: list[StrictStr] | None = None


Transport = Annotated[HttpTransport | StdioTransport, Field(discriminator="type")]


class McpTool(Strict):
    type: Literal["mcp"]
    server_label: NonEmpty
    transport: Transport
    allowed_tools: list[StrictStr] | None = None
    connection_origin: Literal["service", "environment"] | None = None
    credential_id: StrictStr | None = None
    request_metadata: dict[str, Any] | None = None
    required: StrictBool | None = None


class Location(Strict):
    city: StrictStr | None = None
    country: StrictStr | None = None
    region: StrictStr | None = None
    timezone: StrictStr | None = None


class WebSearchTool(Strict):
    type: Literal["web_search"]
    allowed_domains: list[StrictStr] | None = None
    context_size: Literal["low", "medium", "high"] | None = None
    location: Location | None = None
    mode: Literal["disabled", "cached", "live"] | None = None


class ComputerUseTool(Strict):
    type: Literal["computer_use"]
    include_screenshots: StrictBool | None = None


Tool = Annotated[
    FunctionTool | ToolSearchTool | ProgrammaticToolCallingTool | McpTool | WebSearchTool
    | ComputerUseTool,
    Field(discriminator="type"),
]


class Reasoning(Strict):
    effort: ReasoningEffort | None = Field(
        default=None, description="Omitted: the model's default, which the server fills in.")
    summary: Literal["concise", "detailed", "auto"] | None = None


class TextFormatText(Strict):
    type: Literal["text"]


class TextFormatJsonSchema(Strict):
    type: Literal["json_schema"]
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    schema_file: StrictStr | None = Field(
        default=None,
        description="Path of a JSON or YAML file holding `schema`, relative to this YAML file.",
    )

    model_config = Strict.model_config | {"populate_by_name": True}

    @model_validator(mode="after")
    def _one_source(self) -> TextFormatJsonSchema:
        if self.schema_ is not None and self.schema_file is not None:
            raise ValueError("give `schema` or `schema_file`, not both")
        if self.schema_ is None and self.schema_file is None:
            raise ValueError("a json_schema format needs `schema` or `schema_file`")
        return self


class Text(Strict):
    format: Annotated[TextFormatText | TextFormatJsonSchema, Field(discriminator="type")] | None = None
    verbosity: Literal["low", "medium", "high"] | None = None


class MultiAgent(Strict):
    enabled: StrictBool
    max_concurrent_subagents: StrictInt | None = Field(default=None, ge=1)


NESTED_IGNORABLE = ("metadata", "tools", "reasoning", "text", "multi_agent")


class AgentSpec(DocumentSpec):
    """One saved agent as a YAML document describes it. `reasoning`, `text`, `service_tier`
    and `multi_agent` are resolved by the server when omitted: an omitted one accepts what
    the server holds, a written one is compared as written, a removed one is reset."""

    KIND: ClassVar[Kind] = AGENT
    FOREIGN_KEYS: ClassVar[dict[str, str]] = {
        **{name: f"agents have no `{name}`; {MIGRATION}" for name in (
            "temperature", "top_p", "description", "tool_resources")},
        "response_format": f"an agent's output format is `text.format`; {MIGRATION}",
        "reasoning_effort": f"an agent's effort is `reasoning: {{effort: ...}}`; {MIGRATION}",
    }

    model: NonEmpty
    name: Annotated[str, StringConstraints(max_length=AGENT_NAME_MAX)] | None = None
    instructions: Annotated[str, StringConstraints(max_length=AGENT_INSTRUCTIONS_MAX)] | None = None
    instructions_file: StrictStr | None = Field(
        default=None, description="Path of a UTF-8 file holding the instructions, read verbatim."
    )
    metadata: MetadataMap = Field(default_factory=dict)
    tools: list[Tool] = Field(default_factory=list, max_length=limits.TOOLS_MAX)
    reasoning: Reasoning | None = None
    text: Text | None = None
    service_tier: Literal["auto", "default", "flex", "priority", "fast"] | None = None
    multi_agent: MultiAgent | None = None

    @field_validator("ignore_changes")
    @classmethod
    def _ignorable(cls, paths: list[str]) -> list[str]:
        check_ignore_paths(paths, MANAGED_FIELDS, NESTED_IGNORABLE)
        return paths

    @field_validator("tools")
    @classmethod
    def _tools_unique(cls, tools: list[Any]) -> list[Any]:
        return check_tools_unique(tools, lambda t: tool_ident(t.model_dump()))

    def drop_sources(self, data: dict[str, Any]) -> None:
        for tool in data.get("tools", []):
            if tool.get("type") == "function":
                tool.pop("parameters_file", None)
        text_format = data.get("text", {}).get("format")
        if isinstance(text_format, dict):
            text_format.pop("schema_file", None)
