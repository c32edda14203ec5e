"""YAML files and directories → the desired state (`Config`), or a `ConfigError` listing every
problem found in every file.

Steps for each document: read safely (`yaml_source`), substitute `${VAR}`, read the files named
by `instructions_file`, `parameters_file` and `schema_file` (`file_refs`), validate with
`AssistantSpec`, map validation errors back to lines (`spec_errors`). Then keys must be unique
across all documents and the settings of all roots must agree.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistants.canonical import sha256_of
from assistants.errors import ConfigError, Problem
from assistants.models import AssistantSpec
from reconciler.file_refs import FileRefs, PathCache, reread, resolve_file_refs
from reconciler.load_cache import LoadCache, entry_key, open_cache, text_sha256
from reconciler.load_share import Share, start_share
from reconciler.settings import (
    SETTINGS_FILE,
    FoundSettings,
    ProjectSettings,
    merge_settings,
    read_settings,
)
from reconciler.spec_errors import validation_problems
from reconciler.variables import substitute
from reconciler.yaml_marks import Mark
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
    real: Path  # resolved, symlinks followed


def load_config(paths: Sequence[str | os.PathLike[str]], *,
                env: Mapping[str, str] | None = None) -> Config:
    """Load every assistant under `paths` (files or directories; `.` when empty)."""
    return finish_steps(load_steps(paths, env=env))


def finish_steps(steps: Generator[int | Share, None, Config]) -> Config:
    """Run `load_steps` to its end without an event loop (on an interruption, closing it stops
    a load share at once)."""
    try:
        while True:
            try:
                step = next(steps)
            except StopIteration as done:
                return done.value
            if isinstance(step, Share) and step.claimed_all:
                step.wait()
    finally:
        steps.close()


def load_steps(paths: Sequence[str | os.PathLike[str]], *,
               env: Mapping[str, str] | None = None) -> Generator[int | Share, None, Config]:
    """`load_config` one file at a time, for a caller that overlaps loading with I/O: the first
    value yielded is the number of YAML files found, then one value follows each file read.
    When another process loads a share of the files, that value is the `Share`, and when its
    `claimed_all` there is nothing to do but wait for it (`finish_steps` shows how). The
    generator returns the `Config` (or raises the `ConfigError`) exactly as `load_config`."""
    env = os.environ if env is None else env
    given = [os.fspath(p) for p in paths] or ["."]
    problems: list[Problem] = []
    files, roots = _discover(given, problems)
    yield len(files)

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

    # Each file is read, resolved and validated at once, so that its YAML data and marks are
    # freed before the next one. A YAML file that another document names as `parameters_file`
    # or `schema_file` is data, not an assistant, and is left out once all files are read (its
    # problems are reported where it is read as data).
    # A file unchanged since an earlier load comes from the load cache (load_cache.py). From
    # SHARE_MIN_FILES on, a second process shares the work (load_share.py).
    resolved = PathCache()
    cache = open_cache()
    load = functools.partial(_load_file, env=env, resolved=resolved, cache=cache)
    share = start_share(load, files, SHARE_MIN_FILES)
    try:
        loaded: list[_Loaded] = []
        if share is None:
            for file in files:
                loaded.append(load(file))
                yield 0
        else:
            for file in share.claims():
                share.keep(load(file))
                share.take_ready()
                yield share
            while not share.finished:
                yield share  # claimed_all: the caller waits for `fileno()` or calls `wait()`
                share.take_ready()
            loaded = share.results()
        if cache is not None:
            cache.save(item.cache_entry for item in loaded if item.cache_entry is not None)
    finally:
        if share is not None:
            share.close()
        if cache is not None:
            cache.close()
    referenced = {target for item in loaded for target in item.targets}
    kept = [item for file, item in zip(files, loaded, strict=True) if file.real not in referenced]
    for item in kept:
        problems.extend(item.problems)

    assistants: list[DesiredAssistant] = []
    digests: dict[str, str] = {}
    first: dict[str, _Placed] = {}
    for item in kept:
        for placed, spec, digest in item.specs:
            if spec.key in first:
                problems.append(placed.problem(f"duplicate assistant key `{spec.key}`: also "
                                               f"defined at {first[spec.key].place}"))
                continue
            first[spec.key] = placed
            digests[spec.key] = digest
            assistants.append(DesiredAssistant(spec, placed.source))
    del loaded, kept, first

    if problems:
        raise ConfigError([_one_line(p) for p in problems])
    return Config(
        paths=tuple(Path(os.path.normpath(p)).as_posix() for p in given),
        roots=tuple(roots),
        settings=settings,
        assistants=tuple(assistants),
        config_sha256=_config_digest(settings, digests),
    )


SHARE_MIN_FILES = 500
"""From this many YAML files on, a second process shares the loading (where load_share allows)."""


def _config_digest(settings: ProjectSettings, digests: Mapping[str, str]) -> str:
    """sha256 of the resolved desired state, `{"assistants": {key: spec digest}, "settings":
    {...}}` as canonical JSON: independent of file layout and order. Each spec's digest is taken
    as its file is loaded (so by whichever process loads it)."""
    state = {"assistants": digests,
             "settings": {"owner": settings.owner, "max_deletes": settings.max_deletes}}
    return sha256_of(state)


def _discover(given: list[str], problems: list[Problem]) -> tuple[list[_File], list[Path]]:
    files: list[_File] = []
    roots: list[Path] = []
    seen: set[Path] = set()

    def add(path: Path, root: Path, real: Path | None = None) -> None:
        real = real or path.resolve()
        if real not in seen:
            seen.add(real)
            files.append(_File(path, display_path(path), root, real))

    for arg in given:
        path = Path(arg)
        if not path.exists():
            problems.append(Problem(display_path(path), 0, 0, "no such file or directory"))
            continue
        if path.is_dir():
            root = path
            if root not in roots:
                roots.append(root)
            for file, real in _walk(path, set()):
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
                add(path, root)
    return files, roots


def _walk(directory: Path, visited: set[Path],
          real_dir: Path | None = None) -> list[tuple[Path, Path]]:
    """YAML files under `directory`, recursively, in sorted order; dot-names skipped. Each comes
    with its resolved path (the resolved directory joined with the name, unless a symlink)."""
    real = real_dir or directory.resolve()
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
        link = entry.is_symlink()
        if entry.is_dir():
            out.extend(_walk(directory / name, visited, None if link else real / name))
        elif entry.is_file() and _suffix(name) in YAML_SUFFIXES:
            path = directory / name
            out.append((path, path.resolve() if link else real / name))
    return out


def _suffix(name: str) -> str:
    """`Path(name).suffix` of a directory entry's name, without building the path (a prompt
    file next to the YAML files costs no `Path`)."""
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


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


@dataclass(frozen=True)
class _Placed:
    """Where a valid document is: what the config and a duplicate-key message need of it."""

    path: str
    line: int  # of the document's start
    key: Mark  # of its `key` value

    @property
    def source(self) -> str:
        return f"{self.path}:{self.line}"

    @property
    def place(self) -> str:
        return f"{self.path}:{self.key.line}:{self.key.col}"

    def problem(self, message: str) -> Problem:
        return Problem(self.path, self.key.line, self.key.col, message)


@dataclass
class _Loaded:
    """What loading one file found (without the file: another process may have loaded it and
    pickled this back, and four paths cost more to unpickle than the rest)."""

    problems: list[Problem] = field(default_factory=list)  # in the order they are reported
    specs: list[tuple[_Placed, AssistantSpec, str]] = field(default_factory=list)  # + digest
    targets: set[Path] = field(default_factory=set)  # files its `*_file` keys name
    cache_entry: tuple[bytes, str] | None = None  # to store in the load cache: key, JSON


_INSTRUCTIONS_FILE = "instructions_file"
_FROM_INSTRUCTIONS_FILE = ("instructions",)  # FileRefs.origins' path of instructions read


def _load_file(file: _File, env: Mapping[str, str], resolved: PathCache,
               cache: LoadCache | None = None) -> _Loaded:
    """`_load_fresh`, unless the load cache holds the file as it is now."""
    text, problems = read_text(file.path, file.display)
    if text is None or cache is None:
        return _load_fresh(file, text, problems, env, resolved)
    key = entry_key(text, file.real, resolved.root_real(file.root))
    entry = cache.get(key)
    if entry is not None:
        item = _from_entry(entry, file, resolved)
        if item is not None:
            return item
    item = _load_fresh(file, text, problems, env, resolved, record=True)
    if item.cache_entry is not None:
        item.cache_entry = (key, item.cache_entry[1])
    return item


def _from_entry(entry: dict[str, Any], file: _File, resolved: PathCache) -> _Loaded | None:
    """The file as a cache entry recorded it, when every file it read still resolves to the
    same place and holds the same text; else None."""
    item = _Loaded()
    try:
        for doc in entry["docs"]:
            data = doc["spec"]
            for file_key, ref, real, sha in doc["files"]:
                found = reread(file.path, file.root, ref, file_key, resolved)
                if found is None or found[0] != real or text_sha256(found[1]) != sha:
                    return None
                if file_key == _INSTRUCTIONS_FILE:
                    data["instructions"] = found[1]
                else:
                    item.targets.add(Path(real))
            spec = AssistantSpec.model_validate(data)
            (line, col), start = doc["key"], doc["line"]
            item.specs.append((_Placed(file.display, start, Mark(line, col)), spec,
                               doc["digest"]))
    except (KeyError, TypeError, ValueError):  # an entry of another shape: load it again
        return None
    return item


def _load_fresh(file: _File, text: str | None, problems: list[Problem],
                env: Mapping[str, str], resolved: PathCache, record: bool = False) -> _Loaded:
    """Parse one file's text, resolve variables and file references, then validate each
    document: the file's own problems (reading, YAML, non-mapping documents) first, then each
    document's. With `record`, a file without problems or variables comes with its cache entry
    (keyed by the caller)."""
    item = _Loaded()
    if text is None:
        item.problems = problems
        return item
    docs, errors = parse_documents(text, file.display, file.path)
    problems = problems + errors
    prepared: list[tuple[YamlDocument, list[Problem], FileRefs]] = []
    for doc in docs:
        if not isinstance(doc.data, dict):
            kind = "a list" if isinstance(doc.data, list) else "a single value"
            problems.append(doc.problem((), f"a document must be a mapping (one assistant), "
                                            f"got {kind}"))
            continue
        errors = substitute(doc, env)
        refs = resolve_file_refs(doc, file.root, resolved)
        item.targets |= refs.targets
        prepared.append((doc, errors, refs))
    item.problems = problems
    record = record and not any(doc.has_variables for doc, _, _ in prepared)
    recorded: list[dict[str, Any]] = []
    for doc, errors, refs in prepared:
        errors = errors + refs.problems
        try:
            spec = AssistantSpec.model_validate(doc.data)
        except ValidationError as err:
            errors.extend(validation_problems(err, AssistantSpec, doc, refs.origins))
        else:
            if not errors:
                placed = _Placed(doc.path, doc.start.line, doc.mark(("key",)))
                # The spec's digest: its canonical JSON, every field, with file contents and
                # variables resolved.
                dumped = spec.model_dump(mode="json", by_alias=True)
                digest = sha256_of(dumped)
                item.specs.append((placed, spec, digest))
                if record:
                    recorded.append(_entry_doc(placed, spec, digest, refs))
        doc.data = None  # validated: the spec holds what is needed, free the YAML values
        item.problems.extend(errors)
    if record and not item.problems:
        item.cache_entry = (b"", json.dumps({"docs": recorded}, separators=(",", ":")))
    return item


def _entry_doc(placed: _Placed, spec: AssistantSpec, digest: str,
               refs: FileRefs) -> dict[str, Any]:
    """One document as the load cache keeps it: its spec as the fields the file set (which
    `AssistantSpec` validates back to an equal spec with the same fields set), without
    instructions read from a file (the file is read anyway, to see that it is unchanged)."""
    dumped = spec.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if _FROM_INSTRUCTIONS_FILE in refs.origins:
        dumped.pop("instructions", None)
    return {"line": placed.line, "key": [placed.key.line, placed.key.col], "digest": digest,
            "spec": dumped, "files": refs.read}


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
