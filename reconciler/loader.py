"""YAML files and directories → the desired state (`Config`), or a `ConfigError` listing every
problem found in every file.

Steps for each document: read safely (`yaml_source`), substitute `${VAR}`, read the files named
by `instructions_file`, `parameters_file` and `schema_file` (`file_refs`), validate with
`AssistantSpec`, map validation errors back to lines (`spec_errors`). Then keys must be unique
across all documents and the settings of all roots must agree.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from assistants.errors import ConfigError, Problem
from assistants.models import AssistantSpec
from reconciler.file_refs import FileRefs, resolve_file_refs
from reconciler.settings import (
    SETTINGS_FILE,
    FoundSettings,
    ProjectSettings,
    merge_settings,
    read_settings,
)
from reconciler.spec_errors import validation_problems
from reconciler.variables import substitute
from reconciler.yaml_source import (
    YamlDocument,
    display_path,
    parse_documents,
    read_text,
)

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class DesiredAssistant:
    spec: AssistantSpec
    source: str  # "configs/hr.yaml:1": the file as the user named it, line of the document


@dataclass(frozen=True)
class Config:
    paths: tuple[str, ...]
    roots: tuple[Path, ...]
    settings: ProjectSettings
    assistants: tuple[DesiredAssistant, ...]
    config_sha256: str


@dataclass(frozen=True)
class _File:
    path: Path
    display: str
    root: Path


def load_config(paths: Sequence[str | os.PathLike[str]], *,
                env: Mapping[str, str] | None = None) -> Config:
    """Load every assistant under `paths` (files or directories; `.` when empty)."""
    env = os.environ if env is None else env
    given = [os.fspath(p) for p in paths] or ["."]
    problems: list[Problem] = []
    files, roots = _discover(given, problems)

    found: list[FoundSettings] = []
    for root in roots:
        settings_file = root / SETTINGS_FILE
        if settings_file.is_file():
            item, errors = read_settings(settings_file, display_path(settings_file), env)
            problems.extend(errors)
            if item is not None:
                found.append(item)
    settings, errors = merge_settings(found)
    problems.extend(errors)

    assistants: list[DesiredAssistant] = []
    key_places: dict[str, str] = {}
    for doc, spec in _load_assistants(files, env, problems):
        place = _key_place(doc)
        if spec.key in key_places:
            problems.append(doc.problem(("key",), f"duplicate assistant key `{spec.key}`: "
                                                  f"also defined at {key_places[spec.key]}"))
            continue
        key_places[spec.key] = place
        assistants.append(DesiredAssistant(spec, f"{doc.path}:{doc.start.line}"))

    if problems:
        raise ConfigError([_one_line(p) for p in problems])
    return Config(
        paths=tuple(Path(os.path.normpath(p)).as_posix() for p in given),
        roots=tuple(roots),
        settings=settings,
        assistants=tuple(assistants),
        config_sha256=config_digest(settings, assistants),
    )


def config_digest(settings: ProjectSettings, assistants: Sequence[DesiredAssistant]) -> str:
    """sha256 of the resolved desired state: settings and every spec (with file contents and
    variables resolved), independent of file layout and order."""
    state = {
        "settings": {"owner": settings.owner, "max_deletes": settings.max_deletes},
        "assistants": sorted(
            (a.spec.model_dump(mode="json", by_alias=True) for a in assistants),
            key=lambda spec: spec["key"],
        ),
    }
    text = json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _discover(given: list[str], problems: list[Problem]) -> tuple[list[_File], list[Path]]:
    files: list[_File] = []
    roots: list[Path] = []
    seen: set[Path] = set()

    def add(path: Path, root: Path) -> None:
        real = path.resolve()
        if real not in seen:
            seen.add(real)
            files.append(_File(path, display_path(path), root))

    for arg in given:
        path = Path(arg)
        if not path.exists():
            problems.append(Problem(display_path(path), 0, 0, "no such file or directory"))
            continue
        if path.is_dir():
            root = path
            if root not in roots:
                roots.append(root)
            for file in _walk(path, set()):
                if file.name == SETTINGS_FILE:
                    if file.parent != path:
                        problems.append(Problem(
                            display_path(file), 1, 1,
                            f"{SETTINGS_FILE} is read only at a config root (here "
                            f"{display_path(path)}); move it there or pass "
                            f"{display_path(file.parent)} as its own path"))
                    continue
                add(file, root)
        else:
            root = _file_root(path)
            if root not in roots:
                roots.append(root)
            if path.name != SETTINGS_FILE:
                add(path, root)
    return files, roots


def _walk(directory: Path, visited: set[Path]) -> list[Path]:
    """YAML files under `directory`, recursively, in sorted order; dot-names skipped."""
    real = directory.resolve()
    if real in visited:
        return []
    visited.add(real)
    out: list[Path] = []
    for entry in sorted(directory.iterdir(), key=lambda p: p.name):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            out.extend(_walk(entry, visited))
        elif entry.is_file() and entry.suffix in YAML_SUFFIXES:
            out.append(entry)
    return out


def _file_root(file: Path) -> Path:
    """A file's root: the nearest enclosing directory (within the current directory) holding a
    settings file, else the file's own directory. So `assistants validate configs/hr.yaml` may
    use `../prompts/hr.md` when `configs/` is the project."""
    parent = file.parent
    absolute = Path(os.path.abspath(parent))
    cwd = Path.cwd()
    if absolute == cwd or cwd in absolute.parents:
        probe, probe_abs = parent, absolute
        while True:
            if (probe / SETTINGS_FILE).is_file():
                return probe
            if probe_abs == cwd:
                break
            probe, probe_abs = Path(os.path.normpath(probe / "..")), probe_abs.parent
    return parent


@dataclass
class _Parsed:
    file: _File
    problems: list[Problem]  # of the file itself (reading, YAML, non-mapping documents)
    docs: list[tuple[YamlDocument, FileRefs, list[Problem]]]  # with variable problems


def _load_assistants(files: list[_File], env: Mapping[str, str],
                     problems: list[Problem]) -> list[tuple[YamlDocument, AssistantSpec]]:
    """Parse every file, resolve variables and file references, then validate. A YAML file
    that another document names as `parameters_file` or `schema_file` is data, not an
    assistant, and is left out (its problems are reported where it is read as data)."""
    parsed = [_parse(file, env) for file in files]
    referenced = {target for p in parsed for _, refs, _ in p.docs for target in refs.targets}
    out: list[tuple[YamlDocument, AssistantSpec]] = []
    for item in parsed:
        if item.file.path.resolve() in referenced:
            continue
        problems.extend(item.problems)
        for doc, refs, errors in item.docs:
            errors = errors + refs.problems
            try:
                spec = AssistantSpec.model_validate(doc.data)
            except ValidationError as err:
                errors.extend(validation_problems(err, AssistantSpec, doc, refs.origins))
            else:
                if not errors:
                    out.append((doc, spec))
            problems.extend(errors)
    return out


def _parse(file: _File, env: Mapping[str, str]) -> _Parsed:
    text, problems = read_text(file.path, file.display)
    if text is None:
        return _Parsed(file, problems, [])
    docs, errors = parse_documents(text, file.display, file.path)
    problems = problems + errors
    out: list[tuple[YamlDocument, FileRefs, list[Problem]]] = []
    for doc in docs:
        if not isinstance(doc.data, dict):
            kind = "a list" if isinstance(doc.data, list) else "a single value"
            problems.append(doc.problem((), f"a document must be a mapping (one assistant), "
                                            f"got {kind}"))
            continue
        errors = substitute(doc, env)
        out.append((doc, resolve_file_refs(doc, file.root), errors))
    return _Parsed(file, problems, out)


# Line breaks (as str.splitlines sees them) and other control characters: a message quoting a
# key or a value holding one would break the one-problem-per-line output.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _one_line(problem: Problem) -> Problem:
    """`problem` with every unprintable character of its path and message escaped."""
    def escape(text: str) -> str:
        return _UNPRINTABLE.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"),
                                text)

    path, message = escape(problem.path), escape(problem.message)
    if (path, message) == (problem.path, problem.message):
        return problem
    return Problem(path, problem.line, problem.col, message)


def _key_place(doc: YamlDocument) -> str:
    mark = doc.mark(("key",))
    return f"{doc.path}:{mark.line}:{mark.col}"
