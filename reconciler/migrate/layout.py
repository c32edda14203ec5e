"""Where migrate reads and writes: the YAML files under PATH, the file each one becomes under
DIR (the same path relative to DIR as to PATH), and `*_file` paths rewritten so that they name
the same file from the new place.

The loader confines every `*_file` path to the config root the document is loaded with. So:
- DIR inside PATH (`--out configs/agents`): the agents are loaded with PATH, beside the
  assistants (keys are unique per kind), under PATH's root and settings; every rewritten path
  stays inside PATH.
- DIR elsewhere: DIR is its own config root. A rewritten path that would leave DIR is an error
  (nothing is copied or inlined): write the agents inside PATH instead. PATH's settings file
  is copied into DIR, so the agents keep their owner and environments.
DIR may be neither PATH itself nor a directory that holds PATH.
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.config.settings import SETTINGS_FILE
from reconciler.config.yaml_source import display_path
from reconciler.errors import ConfigError, Problem

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Layout:
    source: Path  # PATH, a directory: the config root of the assistants
    out: Path  # DIR
    beside: bool  # DIR is inside PATH: the agents are loaded with PATH

    @property
    def load_root(self) -> Path:
        """The config root the agent documents will be loaded with."""
        return self.source if self.beside else self.out

    def target(self, file: Path) -> Path:
        """Where the agent documents of `file` (under PATH) are written."""
        return self.out / file.relative_to(self.source)


def choose_layout(path: str, out: str) -> Layout:
    source, target = Path(path), Path(out)
    if not source.is_dir():
        what = "is not a directory" if source.exists() else "no such directory"
        raise ConfigError(Problem(display_path(source), 0, 0,
                                  f"{what}: migrate reads a config root (the directory you "
                                  "pass to `assistants plan`)"))
    src_abs, out_abs = _absolute(source), _absolute(target)
    if out_abs == src_abs:
        raise ConfigError(f"--out {out}: the agents go into a directory of their own, never "
                          f"over the assistants of {path} (try --out {_join(path, 'agents')})")
    if _within(src_abs, out_abs):
        raise ConfigError(f"--out {out} holds {path}: write the agents inside it instead "
                          f"(--out {_join(path, 'agents')}) or beside it")
    if target.exists() and not target.is_dir():
        raise ConfigError(f"--out {out}: not a directory")
    beside = _within(out_abs, src_abs)
    if beside and any(part.startswith(".") for part in Path(out_abs[len(src_abs):]).parts):
        raise ConfigError(f"--out {out}: the loader skips directories whose name starts with "
                          f"a dot, so the agents would never be read; choose another name")
    return Layout(source, target, beside=beside)


def source_files(layout: Layout) -> list[Path]:
    """The YAML files under PATH, as the loader finds them (sorted, recursively, dot-names and
    the settings file left out), less those under DIR (earlier output)."""
    out_abs = _absolute(layout.out)
    found: list[Path] = []

    def walk(directory: Path) -> None:
        for entry in sorted(os.scandir(directory), key=lambda e: e.name):
            path = directory / entry.name
            if entry.name.startswith(".") or _within(_absolute(path), out_abs):
                continue
            if entry.is_dir():
                walk(path)
            elif entry.name.endswith(YAML_SUFFIXES) and entry.name != SETTINGS_FILE:
                found.append(path)

    walk(layout.source)
    return found


class Rewriter:
    """Rewrites the `*_file` paths of one file's documents for its new place, collecting a
    problem for each path that would leave the config root the agents are loaded with."""

    def __init__(self, layout: Layout, source: Path, target: Path):
        self.layout = layout
        self.source = source
        self.source_dir = _absolute(source.parent)
        self.target_dir = _absolute(target.parent)
        self.root = _absolute(layout.load_root)
        self.problems: list[Problem] = []
        self.line = 0  # of the document being mapped, for problems

    def __call__(self, ref: str, file_key: str, holder: Any = None) -> str:
        if not isinstance(ref, str) or not ref or os.path.isabs(ref):
            return ref  # the loader has accepted it: nothing to rewrite
        named = posixpath.normpath(posixpath.join(self.source_dir, ref.replace("\\", "/")))
        if not _within(named, self.root):
            line, col = _place(holder, file_key) or (self.line, 1 if self.line else 0)
            self.problems.append(Problem(
                display_path(self.source), line, col,
                f"`{file_key}` `{ref}` would name a file outside `{display_path(self.layout.out)}`, "
                "the config root of the agents (--out is outside "
                f"{display_path(self.layout.source)}): write them inside it, e.g. --out "
                f"{_join(display_path(self.layout.source), 'agents')}, so that they load with "
                "the assistants"))
            return ref
        return posixpath.relpath(named, self.target_dir)


def _place(holder: Any, key: str) -> tuple[int, int] | None:
    """The 1-based line and column of `key` in a round-trip mapping, when it knows them."""
    try:
        line, col = holder.lc.key(key)
    except (AttributeError, KeyError, TypeError):
        return None
    return line + 1, col + 1


_MODELINE = re.compile(r"^(# yaml-language-server: \$schema=)(\S+)$", re.MULTILINE)


def rewrite_modeline(text: str, source: Path, target: Path) -> str:
    """Point an editor's `# yaml-language-server: $schema=PATH` comment at the same file from
    the new place (a URL is left as it is)."""
    def moved(match: re.Match[str]) -> str:
        ref = match.group(2)
        if "://" in ref or ref.startswith("/"):
            return match.group(0)
        named = posixpath.normpath(posixpath.join(_absolute(source.parent), ref))
        return match.group(1) + posixpath.relpath(named, _absolute(target.parent))

    return _MODELINE.sub(moved, text)


def _absolute(path: Path) -> str:
    return Path(os.path.abspath(path)).as_posix()


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _join(path: str, name: str) -> str:
    return posixpath.join(Path(path).as_posix(), name)
