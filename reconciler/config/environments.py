"""Environments: which one a load is for, and what a document becomes in it.

The settings file declares them (`environments:` in `assistants.project.yaml`); `--env NAME`
(or `ASSISTANTS_ENV`) picks one. A document may say where it exists (`environments: [..]`,
default all) and what differs in one (`overrides: {ENV: {...}}`, merged over the document:
maps key by key, lists and scalars replaced). Both keys are read here and removed before the
document is validated as an assistant.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.config.settings import SETTINGS_FILE, EnvironmentSettings, ProjectSettings
from reconciler.config.spec_errors import closest
from reconciler.config.yaml_marks import DataPath
from reconciler.config.yaml_source import YamlDocument
from reconciler.errors import ConfigError, Problem

FIXED = ("key", "environments", "overrides", "for_each", "for_each_file")
"""Document keys an override may not set: identity, membership and fleets are the same in
every environment."""

ENV_VARIABLE = "ASSISTANTS_ENV"
"""The process variable naming the environment, and the `${VAR}` that names it in documents."""


@dataclass(frozen=True)
class Environment:
    """The environment a load is for, with what its entry in the settings says."""

    name: str
    settings: EnvironmentSettings = field(default_factory=EnvironmentSettings)

    def variables(self, env: Mapping[str, str]) -> dict[str, str]:
        """`${VAR}` values here: the environment's `variables`, then the process environment;
        `${ASSISTANTS_ENV}` is the environment's name."""
        return {**env, **self.settings.variables, ENV_VARIABLE: self.name}


def did_you_mean(name: str, known: list[str]) -> str:
    """` — did you mean `x`?` when a known name is close (or the only one it begins), then
    the declared names."""
    if not known:
        return " (the config declares none)"
    close = closest(name, known)
    begun = [k for k in known if name and k.startswith(name)]
    guess = close or (begun[0] if len(begun) == 1 else None)  # `prod` for `production`
    hint = f" — did you mean `{guess}`?" if guess else ""
    return f"{hint} (declared: {', '.join(known)})"


def select(settings: ProjectSettings, name: str | None, given: str = "--env") -> Environment | None:
    """The environment `name` names in `settings` (None when none is declared and none asked);
    a config with environments needs one, and a name must be declared."""
    declared = settings.environments
    where = settings.source or SETTINGS_FILE
    if declared is None:
        if name is None or given == ENV_VARIABLE:  # a variable set for every job: ignored
            return None
        raise ConfigError(f"{given} {name}: the config declares no environments (add "
                          f"`environments:` to {SETTINGS_FILE}, or leave {given} out)")
    names = list(declared)
    if name is None:
        raise ConfigError(f"{where} declares environments ({', '.join(names)}): choose one with "
                          f"--env NAME or {ENV_VARIABLE}")
    if name not in declared:
        raise ConfigError(f"{given} {name}: unknown environment{did_you_mean(name, names)}")
    return Environment(name, declared[name])


def place_document(doc: YamlDocument, declared: Mapping[str, Any] | None,
                   current: Environment | None) -> tuple[bool, list[Problem]]:
    """Remove `environments` and `overrides` from `doc.data`, check the names they use, and
    merge the current environment's override over the document. False: the document does not
    exist in the current environment."""
    data: dict[str, Any] = doc.data
    problems: list[Problem] = []
    known = list(declared or ())
    members = data.pop("environments", None)
    overrides = data.pop("overrides", None)
    present = True
    if members is not None:
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            problems.append(doc.problem(("environments",), "`environments` must be a list of "
                                                           "environment names"))
        else:
            for i, member in enumerate(members):
                if member not in known:
                    problems.append(_unknown(doc, ("environments", i), member, known))
            present = current is None or current.name in members
    if overrides is not None:
        if not isinstance(overrides, dict):
            problems.append(doc.problem(("overrides",), "`overrides` must map environment "
                                                        "names to fields, e.g. "
                                                        "`staging: {model: gpt-4o-mini}`"))
        else:
            for name, value in overrides.items():
                if name not in known:
                    problems.append(_unknown(doc, ("overrides", name), str(name), known,
                                             key=True))
                elif value is not None and not isinstance(value, dict):
                    problems.append(doc.problem(("overrides", name), f"`overrides.{name}` must "
                                                                     f"be a mapping of fields"))
                else:
                    problems.extend(doc.problem(("overrides", name, k), f"`{k}` cannot be "
                                                f"overridden per environment", key=True)
                                    for k in FIXED if k in (value or {}))
            if current is not None and present and not problems:
                override = overrides.get(current.name)
                if isinstance(override, dict):
                    _merge(doc, data, override, (), ("overrides", current.name))
    return present, problems


def _unknown(doc: YamlDocument, path: DataPath, name: str, known: list[str], *,
             key: bool = False) -> Problem:
    return doc.problem(path, f"unknown environment `{name}`{did_you_mean(name, known)}", key=key)


def _merge(doc: YamlDocument, base: dict[str, Any], override: dict[str, Any], at: DataPath,
           origin: DataPath) -> None:
    """Merge `override` into `base` in place: maps key by key, lists and scalars replaced; the
    marks of merged values point at the override, so errors name its line."""
    for name, value in override.items():
        path, from_path = (*at, name), (*origin, name)
        current = base.get(name)
        if isinstance(value, dict) and isinstance(current, dict):
            _merge(doc, current, value, path, from_path)
            continue
        base[name] = value
        # `x_file` in an override replaces `x` of the document, and `x` replaces `x_file`
        other = name.removesuffix("_file") if name.endswith("_file") else f"{name}_file"
        base.pop(other, None)
        for old in [p for p in doc.marks if p[:len(path)] == path]:
            del doc.marks[old]
        for src in [p for p in doc.marks if p[:len(from_path)] == from_path]:
            doc.marks[(*path, *src[len(from_path):])] = doc.marks[src]
