"""YAML files and directories → the desired state (`Config`), or one `ConfigError` listing every
problem found in every file.

`load_config` finds the YAML files, reads the settings of each root, loads each file
(document.py: parse, substitute, read referenced files, validate), leaves out the YAML files
that other documents read as data, and checks that keys are unique across all documents.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistants.canonical import sha256_of
from reconciler.config.document import Loaded, Placed, YamlFile, load_file
from reconciler.config.environments import Environment, select
from reconciler.config.file_refs import PathCache
from reconciler.config.resolved import DesiredState, Document, resolve
from reconciler.config.settings import (
    SETTINGS_FILE,
    FoundSettings,
    ProjectSettings,
    merge_settings,
    read_settings,
)
from reconciler.config.yaml_source import display_path
from reconciler.errors import ConfigError, Problem

__all__ = ["Config", "Document", "load_config"]

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Config:
    paths: tuple[str, ...]
    roots: tuple[Path, ...]
    settings: ProjectSettings
    documents: tuple[Document, ...]
    config_sha256: str
    environment: Environment | None = None  # the one loaded for, when the config declares any

    def resolve(self, owner: str) -> DesiredState:
        """Every document resolved for `owner` (config/resolved.py): what a plan is made of."""
        return DesiredState(
            owner=owner,
            desired=tuple(resolve(d.spec, d.source, owner) for d in self.documents),
            paths=self.paths, config_sha256=self.config_sha256,
            environment=self.environment.name if self.environment else None)


def load_config(paths: Sequence[str | os.PathLike[str]], *,
                env: Mapping[str, str] | None = None,
                environment: str | None = None, named_by: str = "--env") -> Config:
    """Load every assistant under `paths` (files or directories; `.` when empty) for
    `environment`, which a config declaring environments needs (environments.select;
    `named_by` says where the name came from: `--env` or `ASSISTANTS_ENV`)."""
    env = os.environ if env is None else env
    given = [os.fspath(p) for p in paths] or ["."]
    problems: list[Problem] = []
    files, roots = _discover(given, problems)
    settings = _read_settings(roots, env, problems)
    if problems:
        raise ConfigError([_one_line(p) for p in problems])
    current = select(settings, environment, named_by)
    declared = settings.environments

    # A YAML file that another document names as `parameters_file` or `schema_file` is data,
    # not an assistant: it is left out once all files are read (its problems are reported where
    # it is read as data).
    resolved = PathCache()
    loaded: list[Loaded] = [load_file(file, env, resolved, declared, current)
                             for file in files]
    referenced = {target for item in loaded for target in item.targets}
    kept = [item for file, item in zip(files, loaded, strict=True) if file.real not in referenced]
    for item in kept:
        problems.extend(item.problems)

    documents: list[Document] = []
    digests: dict[str, dict[str, str]] = {}  # kind's plural -> key -> digest
    first: dict[tuple[str, str], Placed] = {}
    for item in kept:
        for placed, (kind, key), found in _documents(item):
            if (kind, key) in first:
                problems.append(placed.problem(f"duplicate {kind} key `{key}`: also "
                                               f"defined at {first[kind, key].place}"))
                continue
            first[kind, key] = placed
            if found is not None:
                document, digest = found
                digests.setdefault(document.kind.plural, {})[key] = digest
                documents.append(document)

    if problems:
        raise ConfigError([_one_line(p) for p in problems])
    return Config(
        paths=tuple(Path(os.path.normpath(p)).as_posix() for p in given),
        roots=tuple(roots),
        settings=settings,
        documents=tuple(documents),
        config_sha256=_config_digest(settings, digests, current),
        environment=current,
    )


def declared_environments(paths: Sequence[str | os.PathLike[str]], *,
                          env: Mapping[str, str] | None = None) -> list[str] | None:
    """The environments the settings under `paths` declare (None: none), for commands that
    go through every one (`validate` without `--env`)."""
    problems: list[Problem] = []
    _, roots = _discover([os.fspath(p) for p in paths] or ["."], problems)
    settings = _read_settings(roots, os.environ if env is None else env, problems)
    if problems:
        raise ConfigError([_one_line(p) for p in problems])
    return list(settings.environments) if settings.environments is not None else None


Found = tuple[Placed, tuple[str, str], tuple[Document, str] | None]


def _documents(item: Loaded) -> list[Found]:
    """Each document of a file with a `key`, in the file's order: its place, its kind and key,
    and the document with its digest (None: the document is invalid). An invalid document's
    key counts for duplicates, so that one run reports both its errors and a duplicate."""
    valid = [(placed, (document.kind.name, document.key), (document, digest))
             for placed, document, digest in item.documents]
    invalid = [(placed, kind_key, None) for placed, kind_key in item.invalid_keys]
    found: list[Found] = [*valid, *invalid]
    return sorted(found, key=lambda d: (d[0].line, d[0].key.line, d[0].key.col))


def _read_settings(roots: list[Path], env: Mapping[str, str],
                   problems: list[Problem]) -> ProjectSettings:
    """The settings of every root, merged (they must agree); their problems added."""
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
    return settings


def _config_digest(settings: ProjectSettings, digests: Mapping[str, Mapping[str, str]],
                   current: Environment | None = None) -> str:
    """sha256 of the resolved desired state, `{"assistants": {key: spec digest}, "agents":
    {...}, "settings": {...}}` as canonical JSON (a kind without documents is left out, but for
    assistants): independent of which files hold the documents and in what order (instructions
    inline or from a file alike; document.spec_digest)."""
    state: dict[str, object] = {
        **digests, "assistants": digests.get("assistants", {}),
        "settings": {"owner": settings.owner, "max_deletes": settings.max_deletes}}
    if current is not None:  # only then: the digests of configs without environments stay
        state["environment"] = {"name": current.name,
                                **current.settings.model_dump(mode="json")}
    return sha256_of(state)


def _discover(given: list[str], problems: list[Problem]) -> tuple[list[YamlFile], list[Path]]:
    """The YAML files under `given` (each once, however often it is reached) and the config
    roots; a missing path or a misplaced settings file is a problem."""
    files: list[YamlFile] = []
    roots: list[Path] = []
    seen: set[Path] = set()

    def add(path: Path, root: Path, real: Path) -> None:
        if real not in seen:
            seen.add(real)
            files.append(YamlFile(path, display_path(path), root, real))

    for arg in given:
        path = Path(arg)
        if not path.exists():
            problems.append(Problem(display_path(path), 0, 0, "no such file or directory"))
            continue
        if path.is_dir():
            root = path
            if root not in roots:
                roots.append(root)
            for file, real in _walk(path, path.resolve(), set()):
                if file.name == SETTINGS_FILE:
                    if file.parent != path:
                        problems.append(Problem(
                            display_path(file), 1, 1,
                            f"{SETTINGS_FILE} is read only at a config root (here "
                            f"{display_path(path)}); move it there or pass "
                            f"{display_path(file.parent)} as its own path"))
                    continue
                add(file, root, real)
        else:
            root = _file_root(path)
            if root not in roots:
                roots.append(root)
            if path.name != SETTINGS_FILE:
                add(path, root, path.resolve())
    return files, roots


def _walk(directory: Path, real: Path, visited: set[Path]) -> list[tuple[Path, Path]]:
    """YAML files under `directory` (resolved: `real`), recursively, in sorted order; dot-names
    skipped; each with its resolved path. A directory reached again through a symlink is not
    walked twice."""
    if real in visited:
        return []
    visited.add(real)
    out: list[tuple[Path, Path]] = []
    with os.scandir(directory) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        path = directory / name
        # Below a resolved directory, only a symlink needs resolving.
        resolved = path.resolve() if entry.is_symlink() else real / name
        if entry.is_dir():
            out.extend(_walk(path, resolved, visited))
        elif entry.is_file() and name.endswith(YAML_SUFFIXES):
            out.append((path, resolved))
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
