"""YAML files and directories → the desired state (`Config`), or a `ConfigError` listing every
problem found in every file.

Steps for each document (load_file.py): read safely (`yaml_source`), substitute `${VAR}`, read
the files named by `instructions_file`, `parameters_file` and `schema_file` (`file_refs`),
validate with `AssistantSpec`, map validation errors back to lines (`spec_errors`); or take it
from the load cache (`load_cache`). Then keys must be unique across all documents and the
settings of all roots must agree.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from assistants.canonical import sha256_of
from assistants.errors import ConfigError, Problem
from reconciler.desired import DesiredAssistant
from reconciler.file_refs import PathCache
from reconciler.load_cache import open_cache
from reconciler.load_file import Loaded, Placed, YamlFile, load_file
from reconciler.load_share import Share, start_share
from reconciler.settings import (
    SETTINGS_FILE,
    FoundSettings,
    ProjectSettings,
    merge_settings,
    read_settings,
)
from reconciler.yaml_source import display_path

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Config:
    paths: tuple[str, ...]
    roots: tuple[Path, ...]
    settings: ProjectSettings
    assistants: tuple[DesiredAssistant, ...]
    config_sha256: str


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


class LoadWatch(Protocol):
    """Told what a load finds as it finds it, before the load is over (and whether or not it
    succeeds): the merged settings, then each file's `Loaded`, in no particular order (a file
    that turns out to be another's data, or a key defined twice, is among them)."""

    def settings_known(self, settings: ProjectSettings) -> None: ...

    def loaded(self, item: Loaded) -> None: ...


def load_steps(paths: Sequence[str | os.PathLike[str]], *,
               env: Mapping[str, str] | None = None,
               watch: LoadWatch | None = None) -> Generator[int | Share, None, Config]:
    """`load_config` one file at a time, for a caller that overlaps loading with I/O: the first
    value yielded is the number of YAML files found, then one value follows each file read, and
    `DECIDED` once whether to share the load is decided (`until_decided`). When another process
    loads a share of the files, the value is the `Share`, and when its `claimed_all` there is
    nothing to do but wait for it (`finish_steps` shows how). The generator returns the
    `Config` (or raises the `ConfigError`) exactly as `load_config`; `watch` is told what it
    finds meanwhile."""
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
    if watch is not None:
        watch.settings_known(settings)

    # Each file is read, resolved and validated at once, so that its YAML data and marks are
    # freed before the next one. A YAML file that another document names as `parameters_file`
    # or `schema_file` is data, not an assistant, and is left out once all files are read (its
    # problems are reported where it is read as data).
    # A file unchanged since an earlier load comes from the load cache (load_cache.py), at a
    # fifth of the cost. From SHARE_MIN_FILES on, a second process shares the rest of the work
    # (load_share.py), unless the first SHARE_PROBE_FILES showed that the cache holds nearly
    # all: then the second process would cost more CPU than it saves time. `watch` hears of
    # each file loaded here or by that process (live_intake.py plans with it meanwhile).
    resolved = PathCache()
    cache = open_cache()
    load = functools.partial(load_file, env=env, resolved=resolved, cache=cache)
    share: Share[YamlFile, Loaded] | None = None
    told = watch.loaded if watch is not None else None

    def here(file: YamlFile) -> Loaded:
        """`load` in this process (the shared child loads without telling `watch`)."""
        item = load(file)
        if told is not None:
            told(item)
        return item

    try:
        loaded: list[Loaded] = []
        may_share = len(files) >= SHARE_MIN_FILES
        if not may_share:
            yield DECIDED
        probe = SHARE_PROBE_FILES if may_share else len(files)
        for file in files[:probe]:
            loaded.append(here(file))
            yield 0
        rest = files[probe:]
        misses = sum(not item.cached for item in loaded)
        if rest and misses * 4 > probe:
            if cache is not None:
                cache.close()  # no database connection across the fork
            share = start_share(load, rest, 0)
            if share is not None:
                share.on_result = told
        if may_share:
            yield DECIDED
        if share is None:
            for file in rest:
                loaded.append(here(file))
                yield 0
        else:
            for file in share.claims():
                share.keep(here(file))
                share.take_ready()
                yield share
            while not share.finished:
                yield share  # claimed_all: the caller waits for `fileno()` or calls `wait()`
                share.take_ready()
            loaded += share.results()
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
    first: dict[str, Placed] = {}
    for item in kept:
        for placed, key, found in _documents(item):
            if key in first:
                problems.append(placed.problem(f"duplicate assistant key `{key}`: also "
                                               f"defined at {first[key].place}"))
                continue
            first[key] = placed
            if found is not None:
                desired, digest = found
                digests[key] = digest
                assistants.append(desired)
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


def _documents(item: Loaded) -> list[tuple[Placed, str, tuple[DesiredAssistant, str] | None]]:
    """Each document of a file with a `key`, in the file's order: its place, its key, and the
    desired assistant with its digest (None: the document is invalid). An invalid document's
    key counts for duplicates, so that one run reports both its errors and a duplicate."""
    valid = [(placed, desired.key, (desired, digest))
             for placed, desired, digest in item.assistants]
    invalid = [(placed, key, None) for placed, key in item.invalid_keys]
    found: list[tuple[Placed, str, tuple[DesiredAssistant, str] | None]] = [*valid, *invalid]
    return sorted(found, key=lambda d: (d[0].line, d[0].key.line, d[0].key.col))


SHARE_MIN_FILES = 500
"""From this many YAML files on, a second process shares the loading (where load_share allows)."""

SHARE_PROBE_FILES = 32
"""Files loaded before deciding to share: a second process starts when over a quarter of them
were not in the load cache."""

DECIDED = -1
"""What `load_steps` yields once it has decided whether to share the load."""


def until_decided(steps: Generator[int | Share, None, Config]) -> None:
    """Run `load_steps`, after its first value, until it has decided whether to share the load:
    a process forks only while no other thread is alive (load_share.py), so a caller that
    starts threads (a DNS lookup while connecting) must wait for this. Closes `steps` when
    interrupted."""
    try:
        while next(steps) != DECIDED:
            pass
    except BaseException:
        steps.close()
        raise


def _config_digest(settings: ProjectSettings, digests: Mapping[str, str]) -> str:
    """sha256 of the resolved desired state, `{"assistants": {key: spec digest}, "settings":
    {...}}` as canonical JSON: independent of which files hold the documents and in what order
    (instructions inline or from a file digest alike; load_file._SpecText). Each spec's digest
    is taken as its file is loaded (so by whichever process loads it), or comes from the load
    cache."""
    state = {"assistants": digests,
             "settings": {"owner": settings.owner, "max_deletes": settings.max_deletes}}
    return sha256_of(state)


def _discover(given: list[str], problems: list[Problem]) -> tuple[list[YamlFile], list[Path]]:
    files: list[YamlFile] = []
    roots: list[Path] = []
    seen: set[Path] = set()

    def add(path: Path, root: Path, real: Path | None = None, shown: str | None = None) -> None:
        real = real or path.resolve()
        if real not in seen:
            seen.add(real)
            files.append(YamlFile(path, shown or display_path(path), root, real))

    for arg in given:
        path = Path(arg)
        if not path.exists():
            problems.append(Problem(display_path(path), 0, 0, "no such file or directory"))
            continue
        if path.is_dir():
            root = path
            if root not in roots:
                roots.append(root)
            for file, real, shown in _walk(path, set()):
                if file.name == SETTINGS_FILE:
                    if file.parent != path:
                        problems.append(Problem(
                            display_path(file), 1, 1,
                            f"{SETTINGS_FILE} is read only at a config root (here "
                            f"{display_path(path)}); move it there or pass "
                            f"{display_path(file.parent)} as its own path"))
                    continue
                add(file, root, real, shown)
        else:
            root = _file_root(path)
            if root not in roots:
                roots.append(root)
            if path.name != SETTINGS_FILE:
                add(path, root)
    return files, roots


def _walk(directory: Path, visited: set[Path], real_dir: Path | None = None,
          shown: str | None = None) -> list[tuple[Path, Path, str | None]]:
    """YAML files under `directory`, recursively, in sorted order; dot-names skipped. Each comes
    with its resolved path (the resolved directory joined with the name, unless a symlink) and
    its `display_path` (the directory's joined with the name: one `getcwd` per directory)."""
    real = real_dir or directory.resolve()
    if real in visited:
        return []
    visited.add(real)
    if shown is None and os.name == "posix":
        shown = display_path(directory)
    prefix = None if shown is None else "" if shown == "." else shown.rstrip("/") + "/"
    if prefix and prefix.startswith("/") and (os.getcwd() + "/").startswith(prefix):
        prefix = None  # above the current directory: a name below may be relative again
    out: list[tuple[Path, Path, str | None]] = []
    with os.scandir(directory) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        link = entry.is_symlink()
        child = None if prefix is None else prefix + name
        if entry.is_dir():
            out.extend(_walk(directory / name, visited, None if link else real / name, child))
        elif entry.is_file() and _suffix(name) in YAML_SUFFIXES:
            path = directory / name
            out.append((path, path.resolve() if link else real / name, child))
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
