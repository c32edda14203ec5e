"""The assistant document: what a YAML document of `kind: assistant` (the default) may say.

`AssistantSpec` is strict: unknown keys are errors and every API limit is checked here, so that a
config that validates is one the API accepts.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    StringConstraints,
    field_validator,
    model_validator,
)

from assistants import limits
from assistants.kinds import Kind
from assistants.kinds.assistant import ASSISTANT, MANAGED_FIELDS
from reconciler.kinds.controls import (
    DocumentSpec,
    FunctionName,
    MetadataMap,
    ReasoningEffort,
    Strict,
    check_ignore_paths,
    check_tools_unique,
)


class RankingOptions(Strict):
    ranker: Literal["auto", "default_2024_08_21"] | None = None
    score_threshold: float = Field(ge=0.0, le=1.0, strict=True)  # required by the API


class FileSearchSettings(Strict):
    max_num_results: int | None = Field(default=None, ge=1, le=50, strict=True)
    ranking_options: RankingOptions | None = None


class FileSearchTool(Strict):
    type: Literal["file_search"]
    file_search: FileSearchSettings | None = None


class CodeInterpreterTool(Strict):
    type: Literal["code_interpreter"]


class FunctionDefinition(Strict):
    name: FunctionName
    description: StrictStr | None = None
    parameters: dict[str, Any] | None = None
    parameters_file: StrictStr | None = Field(
        default=None,
        description="Path of a JSON or YAML file holding `parameters`, relative to this YAML file.",
    )
    strict: StrictBool | None = None

    @model_validator(mode="after")
    def _one_source(self) -> FunctionDefinition:
        if self.parameters is not None and self.parameters_file is not None:
            raise ValueError("give `parameters` or `parameters_file`, not both")
        return self


class FunctionTool(Strict):
    type: Literal["function"]
    function: FunctionDefinition


Tool = Annotated[FileSearchTool | CodeInterpreterTool | FunctionTool, Field(discriminator="type")]


class CodeInterpreterResources(Strict):
    file_ids: list[StrictStr] = Field(
        default_factory=list, max_length=limits.CODE_INTERPRETER_FILES_MAX
    )


class FileSearchResources(Strict):
    vector_store_ids: list[StrictStr] = Field(
        default_factory=list, max_length=limits.VECTOR_STORES_MAX
    )


class ToolResources(Strict):
    code_interpreter: CodeInterpreterResources | None = None
    file_search: FileSearchResources | None = None


class JsonSchemaFormat(Strict):
    name: FunctionName
    description: StrictStr | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    schema_file: StrictStr | None = Field(
        default=None,
        description="Path of a JSON or YAML file holding `schema`, relative to this YAML file.",
    )
    strict: StrictBool | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _one_source(self) -> JsonSchemaFormat:
        if self.schema_ is not None and self.schema_file is not None:
            raise ValueError("give `schema` or `schema_file`, not both")
        return self


class TextFormat(Strict):
    type: Literal["text"]


class JsonObjectFormat(Strict):
    type: Literal["json_object"]


class JsonSchemaResponseFormat(Strict):
    type: Literal["json_schema"]
    json_schema: JsonSchemaFormat


ResponseFormat = (
    Literal["auto"]
    | Annotated[
        TextFormat | JsonObjectFormat | JsonSchemaResponseFormat, Field(discriminator="type")
    ]
)

IGNORABLE_FIELDS = MANAGED_FIELDS
"""What `ignore_changes` may name: the fields a server returns (write-only ones it never does)."""
NESTED_IGNORABLE = ("metadata", "tool_resources", "response_format", "tools")
TOOL_PARTS = {"function": ("description", "parameters", "strict"),
              "file_search": ("max_num_results", "ranking_options")}
"""The parts of a tool `ignore_changes` may name, by tool type (below `parameters` and
`ranking_options`, any path)."""


def _check_tool_path(path: str, rest: str) -> None:
    """A path inside `tools` names a tool as plans do (`function:NAME`, `file_search`,
    `code_interpreter`), then a part of it under its type (`function.description`)."""
    ident, *parts = rest.split(".")
    kind, _, name = ident.partition(":")
    named = kind == "function" and re.match(limits.FUNCTION_NAME_PATTERN, name)
    if not (named or ident in ("file_search", "code_interpreter")):
        raise ValueError(f"ignore_changes: `{path}`: a tool is named `function:NAME`, "
                         "`file_search` or `code_interpreter`, as plans print it")
    if not parts:
        return
    allowed = TOOL_PARTS.get(kind, ())
    if parts[0] != kind or not allowed or (len(parts) > 1 and parts[1] not in allowed):
        where = ", ".join(f"`tools.{ident}.{kind}.{p}`" for p in allowed) or "no part"
        raise ValueError(f"ignore_changes: `{path}` names no part of the tool; it has {where}")
    if len(parts) > 2 and parts[1] not in ("parameters", "ranking_options"):
        raise ValueError(f"ignore_changes: `{path}`: `{parts[1]}` has no parts")


class AssistantSpec(DocumentSpec):
    """One assistant as a YAML document describes it. Every field is managed: an omitted field
    means the API's default."""

    KIND: ClassVar[Kind] = ASSISTANT
    FOREIGN_KEYS: ClassVar[dict[str, str]] = {
        "reasoning": "an assistant's effort is `reasoning_effort`; `reasoning` is a saved "
                     "agent's (`kind: agent`)",
        **{name: f"`{name}` is a saved agent's field: add `kind: agent` to make this document "
                 "an agent" for name in ("text", "service_tier", "multi_agent")},
    }

    model: Annotated[str, StringConstraints(min_length=1)]
    name: Annotated[str, StringConstraints(max_length=limits.NAME_MAX)] | None = None
    description: Annotated[str, StringConstraints(max_length=limits.DESCRIPTION_MAX)] | None = None
    instructions: Annotated[str, StringConstraints(max_length=limits.INSTRUCTIONS_MAX)] | None = None
    instructions_file: StrictStr | None = Field(
        default=None, description="Path of a UTF-8 file holding the instructions, read verbatim."
    )
    tools: list[Tool] = Field(default_factory=list, max_length=limits.TOOLS_MAX)
    tool_resources: ToolResources | None = None
    metadata: MetadataMap = Field(default_factory=dict)
    temperature: float | None = Field(
        default=None, ge=0.0, le=2.0, strict=True,
        description="Sampling temperature, 0 to 2 (API default 1). Not for reasoning models.",
    )
    top_p: float | None = Field(
        default=None, ge=0.0, le=1.0, strict=True,
        description="Nucleus sampling, 0 to 1 (API default 1). Not for reasoning models.",
    )
    response_format: ResponseFormat | None = None
    reasoning_effort: ReasoningEffort | None = Field(
        default=None, description="Write-only: sent on create/modify, never returned by the API."
    )

    @field_validator("ignore_changes")
    @classmethod
    def _ignorable(cls, paths: list[str]) -> list[str]:
        check_ignore_paths(paths, IGNORABLE_FIELDS, NESTED_IGNORABLE)
        for path in paths:
            head, _, rest = path.partition(".")
            if head == "tools" and rest:
                _check_tool_path(path, rest)
        return paths

    @field_validator("tools")
    @classmethod
    def _tools_unique(cls, tools: list[Any]) -> list[Any]:
        return check_tools_unique(
            tools, lambda t: f"function `{t.function.name}`" if t.type == "function" else t.type)

    def drop_sources(self, data: dict[str, Any]) -> None:
        for tool in data.get("tools", []):
            tool.get("function", {}).pop("parameters_file", None)
        schema = data.get("response_format")
        if isinstance(schema, dict) and "json_schema" in schema:
            schema["json_schema"].pop("schema_file", None)
