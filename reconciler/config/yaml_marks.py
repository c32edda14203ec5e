"""Where YAML values came from: 1-based marks, the paths that name values, the scalar tags."""

from __future__ import annotations

from dataclasses import dataclass

import yaml

DataPath = tuple[str | int, ...]

TAG = "tag:yaml.org,2002:"
SCALAR_TAGS = frozenset(f"{TAG}{t}" for t in ("str", "int", "float", "bool", "null"))
STR_TAG = f"{TAG}str"


@dataclass(frozen=True)
class Mark:
    """A 1-based line and column."""

    line: int
    col: int


@dataclass(frozen=True)
class Located:
    """Where a value sits: its key (for mapping entries) and the value itself."""

    value: Mark
    key: Mark | None = None
    text: str | None = None  # the scalar as written, for "quote it" hints
    plain: bool = False  # an unquoted scalar


def mark_of(mark: yaml.Mark) -> Mark:
    """PyYAML's 0-based mark as ours."""
    return Mark(mark.line + 1, mark.column + 1)
