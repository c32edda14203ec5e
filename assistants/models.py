"""Models of what a YAML document may say (`AssistantSpec`, with its tool, tool-resource and
response-format types) and of what a server returns (`Assistant`).

`AssistantSpec` is strict: unknown keys are errors and every API limit is checked here, so that a
config that validates is one the API accepts. `Assistant` is lenient: servers differ (API-FACTS:
`null` for lists and maps, float timestamps, ids of any shape, extra fields), so it requires an
id and takes everything else as sent. The client checks each single answer (create, retrieve,
modify) against it; listing items get the same id check inline, since 10,000 model validations
would cost more than the plan's diff. Live assistants stay plain JSON, which
`assistants/canonical.py` normalises.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    StringConstraints,
    field_validator,
    model_validator,
)

from assistants import limits
from assistants.canonical import MANAGED_FIELDS, MARKER_KEY

IDENT_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"
Ident = Annotated[str, StringConstraints(pattern=IDENT_PATTERN)]
FunctionName = Annotated[str, StringConstraints(pattern=limits.FUNCTION_NAME_PATTERN)]
ReasoningEffort = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RankingOptions(_Strict):
    ranker: Literal["auto", "default_2024_08_21"] | None = None
    score_threshold: float = Field(ge=0.0, le=1.0, strict=True)  # required by the API


class FileSearchSettings(_Strict):
    max_num_results: int | None = Field(default=None, ge=1, le=50, strict=True)
    ranking_options: RankingOptions | None = None


class FileSearchTool(_Strict):
    type: Literal["file_search"]
    file_search: FileSearchSettings | None = None


class CodeInterpreterTool(_Strict):
    type: Literal["code_interpreter"]


class FunctionDefinition(_Strict):
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


class FunctionTool(_Strict):
    type: Literal["function"]
    function: FunctionDefinition


Tool = Annotated[FileSearchTool | CodeInterpreterTool | FunctionTool, Field(discriminator="type")]


class CodeInterpreterResources(_Strict):
    file_ids: list[StrictStr] = Field(
        default_factory=list, max_length=limits.CODE_INTERPRETER_FILES_MAX
    )


class FileSearchResources(_Strict):
    vector_store_ids: list[StrictStr] = Field(
        default_factory=list, max_length=limits.VECTOR_STORES_MAX
    )


class ToolResources(_Strict):
    code_interpreter: CodeInterpreterResources | None = None
    file_search: FileSearchResources | None = None


class JsonSchemaFormat(_Strict):
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


class TextFormat(_Strict):
    type: Literal["text"]


class JsonObjectFormat(_Strict):
    type: Literal["json_object"]


class JsonSchemaResponseFormat(_Strict):
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

# The controls: read by the tool, never sent to the API.
CONTROL_FIELDS = ("key", "id", "protect", "ignore_changes")
SOURCE_FIELDS = ("instructions_file",)


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


class AssistantSpec(_Strict):
    """One assistant as a YAML document describes it. Every field is managed: an omitted field
    means the API's default."""

    key: Ident = Field(description="Stable identity of the assistant in this repository.")
    id: StrictStr | None = Field(default=None, description="Adopt this existing assistant.")
    protect: StrictBool = Field(default=False, description="Never delete this assistant.")
    ignore_changes: list[StrictStr] = Field(
        default_factory=list,
        description="Dotted paths left to humans, as plans print them, e.g. `metadata.owner`, "
                    "`temperature` or `tools.function:lookup.function.description`.",
    )

    model: Annotated[str, StringConstraints(min_length=1)]
    name: Annotated[str, StringConstraints(max_length=limits.NAME_MAX)] | None = None
    description: Annotated[str, StringConstraints(max_length=limits.DESCRIPTION_MAX)] | None = None
    instructions: Annotated[str, StringConstraints(max_length=limits.INSTRUCTIONS_MAX)] | None = None
    instructions_file: StrictStr | None = Field(
        default=None, description="Path of a UTF-8 file holding the instructions, read verbatim."
    )
    tools: list[Tool] = Field(default_factory=list, max_length=limits.TOOLS_MAX)
    tool_resources: ToolResources | None = None
    metadata: dict[
        Annotated[str, StringConstraints(min_length=1, max_length=limits.METADATA_KEY_MAX)],
        Annotated[StrictStr, StringConstraints(max_length=limits.METADATA_VALUE_MAX)],
    ] = Field(default_factory=dict)
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

    @field_validator("metadata")
    @classmethod
    def _metadata_room(cls, value: dict[str, str]) -> dict[str, str]:
        if MARKER_KEY in value:
            raise ValueError(f"metadata key `{MARKER_KEY}` is reserved for the ownership marker")
        if len(value) > limits.METADATA_PAIRS_MAX - 1:
            raise ValueError(
                f"metadata has {len(value)} pairs; at most {limits.METADATA_PAIRS_MAX - 1} are "
                f"allowed (the API's {limits.METADATA_PAIRS_MAX} less one for `{MARKER_KEY}`)"
            )
        return value

    @field_validator("ignore_changes")
    @classmethod
    def _ignorable(cls, paths: list[str]) -> list[str]:
        for path in paths:
            head, _, rest = path.partition(".")
            if head not in IGNORABLE_FIELDS:
                raise ValueError(
                    f"ignore_changes: `{path}` is not a field the API returns; use one of "
                    + ", ".join(IGNORABLE_FIELDS)
                )
            if rest and head not in NESTED_IGNORABLE:
                raise ValueError(f"ignore_changes: `{path}`: only inside "
                                 f"{', '.join(NESTED_IGNORABLE)} can a part be ignored")
            if path == f"metadata.{MARKER_KEY}":
                raise ValueError(f"ignore_changes: `{path}` is the ownership marker")
            if head == "tools" and rest:
                _check_tool_path(path, rest)
        return paths

    @field_validator("tools")
    @classmethod
    def _tools_unique(cls, tools: list[Any]) -> list[Any]:
        seen: set[str] = set()
        for tool in tools:
            ident = f"function `{tool.function.name}`" if tool.type == "function" else tool.type
            if ident in seen:
                raise ValueError(f"{ident} appears twice in tools")
            seen.add(ident)
        return tools

    @model_validator(mode="after")
    def _one_instructions_source(self) -> AssistantSpec:
        if self.instructions is not None and self.instructions_file is not None:
            raise ValueError("give `instructions` or `instructions_file`, not both")
        return self

    def api_fields(self) -> dict[str, Any]:
        """The fields this spec asks of the API, as JSON (controls and `*_file` sources left out;
        unset fields left out, meaning the API's default)."""
        data = self.model_dump(
            mode="json",
            by_alias=True,
            exclude_none=True,
            exclude={*CONTROL_FIELDS, *SOURCE_FIELDS},
        )
        for tool in data.get("tools", []):
            tool.get("function", {}).pop("parameters_file", None)
        schema = data.get("response_format")
        if isinstance(schema, dict) and "json_schema" in schema:
            schema["json_schema"].pop("schema_file", None)
        return data


class Assistant(BaseModel):
    """An assistant as a server returns it. Only `id` is required and checked (a number is
    taken as its text): every other field is kept as the server sent it, because
    `assistants/canonical.py` reads whatever shape a field arrives in, and refusing the answer
    to a write that succeeded would report it as failed. The annotations say what the API
    sends; servers also send nulls, `[]` for an empty map, other timestamp formats and extra
    fields."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: Annotated[str, StringConstraints(min_length=1)]
    object: Any = None  # "assistant"
    created_at: Any = None  # int seconds; float or text elsewhere
    model: Any = None  # str
    name: Any = None  # str | None
    description: Any = None  # str | None
    instructions: Any = None  # str | None
    tools: Any = None  # list[dict]
    tool_resources: Any = None  # dict
    metadata: Any = None  # dict[str, str]
    temperature: Any = None  # float
    top_p: Any = None  # float
    response_format: Any = None  # "auto" | dict

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, value: Any) -> Any:
        number = isinstance(value, int | float) and not isinstance(value, bool)
        return str(value) if number else value
