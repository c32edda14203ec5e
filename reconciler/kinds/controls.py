"""What every kind of document has besides its API fields: the controls (`key`, `id`, `protect`,
`ignore_changes`), the metadata room the ownership marker takes, and the rule that a document
asks the API for exactly the fields it sets (`api_fields`)."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

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
from assistants.canonical import MARKER_KEY
from assistants.kinds import Kind
from reconciler.marker import IDENT_PATTERN

Ident = Annotated[str, StringConstraints(pattern=IDENT_PATTERN)]
FunctionName = Annotated[str, StringConstraints(pattern=limits.FUNCTION_NAME_PATTERN)]
MetadataMap = dict[
    Annotated[str, StringConstraints(min_length=1, max_length=limits.METADATA_KEY_MAX)],
    Annotated[StrictStr, StringConstraints(max_length=limits.METADATA_VALUE_MAX)],
]

ReasoningEffort = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]

CONTROL_FIELDS = ("kind", "key", "id", "protect", "ignore_changes")
"""Read by the tool, never sent to the API."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DocumentSpec(Strict):
    """The controls every document has; a kind's spec adds its API fields."""

    KIND: ClassVar[Kind]
    SOURCE_FIELDS: ClassVar[tuple[str, ...]] = ("instructions_file",)

    key: Ident = Field(description="Stable identity in this repository, unique per kind.")
    id: StrictStr | None = Field(default=None, description="Adopt this existing object.")
    protect: StrictBool = Field(default=False, description="Never delete this object.")
    ignore_changes: list[StrictStr] = Field(
        default_factory=list,
        description="Dotted paths left to humans, as plans print them, e.g. `metadata.owner`.",
    )

    @field_validator("metadata", check_fields=False)
    @classmethod
    def _metadata_room(cls, value: dict[str, str]) -> dict[str, str]:
        return check_metadata_room(value)

    @model_validator(mode="after")
    def _one_instructions_source(self) -> DocumentSpec:
        if getattr(self, "instructions", None) is not None and \
                getattr(self, "instructions_file", None) is not None:
            raise ValueError("give `instructions` or `instructions_file`, not both")
        return self

    def api_fields(self) -> dict[str, Any]:
        """The fields this document asks of the API, as JSON, in the order they were declared
        (controls and `*_file` sources left out; unset fields left out, meaning the API's
        default or, for a server-resolved field, what the server resolves)."""
        data = self.model_dump(mode="json", by_alias=True, exclude_none=True,
                               exclude={*CONTROL_FIELDS, *self.SOURCE_FIELDS})
        self.drop_sources(data)
        return data

    def drop_sources(self, data: dict[str, Any]) -> None:
        """Remove the nested `*_file` keys (already read into their fields) from `data`."""

    def written_resolved(self) -> tuple[str, ...]:
        """The server-resolved fields this document sets, sorted (the marker's `set`)."""
        return tuple(sorted(f for f in self.KIND.resolved_fields if getattr(self, f) is not None))

    def write_only_values(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self.KIND.write_only_fields
                if getattr(self, f) is not None}


def check_metadata_room(value: dict[str, str]) -> dict[str, str]:
    """The marker's key is reserved, and takes one of the API's pairs."""
    if MARKER_KEY in value:
        raise ValueError(f"metadata key `{MARKER_KEY}` is reserved for the ownership marker")
    if len(value) > limits.METADATA_PAIRS_MAX - 1:
        raise ValueError(
            f"metadata has {len(value)} pairs; at most {limits.METADATA_PAIRS_MAX - 1} are "
            f"allowed (the API's {limits.METADATA_PAIRS_MAX} less one for `{MARKER_KEY}`)"
        )
    return value


def check_ignore_paths(paths: list[str], fields: tuple[str, ...], nested: tuple[str, ...]) -> None:
    """Each path names a field the API returns (`fields`), and a part only inside `nested`;
    never the marker."""
    for path in paths:
        head, _, rest = path.partition(".")
        if head not in fields:
            raise ValueError(f"ignore_changes: `{path}` is not a field the API returns; use one "
                             "of " + ", ".join(fields))
        if rest and head not in nested:
            raise ValueError(f"ignore_changes: `{path}`: only inside {', '.join(nested)} can a "
                             "part be ignored")
        if path == f"metadata.{MARKER_KEY}":
            raise ValueError(f"ignore_changes: `{path}` is the ownership marker")


def check_tools_unique(tools: list[Any], ident: Any) -> list[Any]:
    seen: set[str] = set()
    for tool in tools:
        name = ident(tool)
        if name in seen:
            raise ValueError(f"{name} appears twice in tools")
        seen.add(name)
    return tools
