"""Project settings: `assistants.project.yaml` at a config root.

```yaml
owner: acme-assistants     # written in the ownership marker; [A-Za-z0-9._-]{1,64}
max_deletes: 2             # default for `apply --max-deletes`; >= 0
environments:              # optional; see environments.py
  staging: {endpoint: https://gateway.internal/v1, variables: {STORE: vs_stg}}
  production: {owner: acme-prod, max_deletes: 1}
```

The file is read only at a config root, is not an assistant, takes `${VAR}` like any document,
and rejects unknown keys. When several roots each have one, they must agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictStr,
    StringConstraints,
    ValidationError,
)

from reconciler.config.spec_errors import validation_problems
from reconciler.config.variables import substitute
from reconciler.config.yaml_marks import Mark
from reconciler.config.yaml_source import parse_documents, read_text
from reconciler.errors import Problem
from reconciler.marker import IDENT_PATTERN

SETTINGS_FILE = "assistants.project.yaml"


class EnvironmentSettings(BaseModel):
    """One entry of `environments:`: what differs in that environment (each optional)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    endpoint: Annotated[str, StringConstraints(min_length=1)] | None = Field(
        default=None, description="Assistants API base URL of this environment "
                                  "(--endpoint still wins).")
    owner: Annotated[str, StringConstraints(pattern=IDENT_PATTERN)] | None = Field(
        default=None, description="Owner in this environment, else the top-level `owner`.")
    max_deletes: int | None = Field(
        default=None, ge=0, strict=True,
        description="How many deletes `apply` may do here without `--max-deletes`.")
    variables: dict[str, StrictStr] = Field(
        default_factory=dict,
        description="Values of ${VAR} in this environment, before the process environment.")


@dataclass(frozen=True)
class ProjectSettings:
    owner: str | None = None
    max_deletes: int | None = None
    source: str | None = None  # the settings file as shown to the user
    environments: dict[str, EnvironmentSettings] | None = None  # None: none declared
    environments_line: int = 0  # where `environments:` is, for errors about it


class SettingsFile(BaseModel):
    """What `assistants.project.yaml` may say."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    owner: Annotated[str, StringConstraints(pattern=IDENT_PATTERN)] | None = Field(
        default=None, description="Owner named in the ownership marker of every assistant.")
    max_deletes: int | None = Field(
        default=None, ge=0, strict=True,
        description="How many deletes `apply` may do without `--max-deletes`.")
    environments: dict[Annotated[str, StringConstraints(pattern=IDENT_PATTERN)],
                       EnvironmentSettings] | None = Field(
        default=None, min_length=1,
        description="Named environments (staging, production, ...); `--env NAME` selects one.")


@dataclass(frozen=True)
class FoundSettings:
    """Settings read from one root, with the marks of their keys for disagreement errors."""

    settings: ProjectSettings
    marks: dict[str, Mark]


def read_settings(file: Path, display: str,
                  env: Mapping[str, str]) -> tuple[FoundSettings | None, list[Problem]]:
    """Read one settings file; an empty file means no settings."""
    text, problems = read_text(file, display)
    if text is None:
        return None, problems
    docs, problems = parse_documents(text, display, file)
    if problems:
        return None, problems
    if not docs:
        return FoundSettings(ProjectSettings(source=display), {}), []
    if len(docs) > 1:
        extra = docs[1]
        return None, [Problem(display, extra.start.line, extra.start.col,
                              f"{SETTINGS_FILE} holds one document, found {len(docs)}")]
    doc = docs[0]
    if not isinstance(doc.data, dict):
        return None, [doc.problem((), f"{SETTINGS_FILE} must be a mapping of settings "
                                      f"(owner, max_deletes)")]
    problems = substitute(doc, env)
    if problems:
        return None, problems
    try:
        parsed = SettingsFile.model_validate(doc.data)
    except ValidationError as err:
        return None, validation_problems(err, SettingsFile, doc)
    marks = {str(k): doc.mark((k,)) for k in doc.data}
    settings = ProjectSettings(owner=parsed.owner, max_deletes=parsed.max_deletes,
                               source=display, environments=parsed.environments,
                               environments_line=marks["environments"].line
                               if "environments" in marks else 0)
    return FoundSettings(settings, marks), []


def merge_settings(found: list[FoundSettings]) -> tuple[ProjectSettings, list[Problem]]:
    """One set of settings from several roots; a value set in two roots must be equal."""
    if not found:
        return ProjectSettings(), []
    owner: tuple[str, str] | None = None  # (value, source)
    max_deletes: tuple[int, str] | None = None
    problems: list[Problem] = []
    for item in found:
        s = item.settings
        for name, value, seen in (("owner", s.owner, owner), ("max_deletes", s.max_deletes,
                                                             max_deletes)):
            if value is None:
                continue
            if seen is None:
                if name == "owner":
                    owner = (value, s.source or "")  # type: ignore[assignment]
                else:
                    max_deletes = (value, s.source or "")  # type: ignore[assignment]
            elif seen[0] != value:
                mark = item.marks.get(name, Mark(1, 1))
                problems.append(Problem(
                    s.source or SETTINGS_FILE, mark.line, mark.col,
                    f"`{name}` is `{value}` here but `{seen[0]}` in {seen[1]}; settings of "
                    f"all config roots must agree"))
    sources = [f.settings.source for f in found if f.settings.source]
    declared = [f for f in found if f.settings.environments is not None]
    for item in declared[1:]:
        if item.settings.environments != declared[0].settings.environments:
            mark = item.marks.get("environments", Mark(1, 1))
            problems.append(Problem(
                item.settings.source or SETTINGS_FILE, mark.line, mark.col,
                f"`environments` differ from those in {declared[0].settings.source}; settings "
                f"of all config roots must agree"))
    first = declared[0].settings if declared else ProjectSettings()
    return ProjectSettings(owner=owner[0] if owner else None,
                           max_deletes=max_deletes[0] if max_deletes else None,
                           source=sources[0] if sources else None,
                           environments=first.environments,
                           environments_line=first.environments_line), problems
