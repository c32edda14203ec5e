"""The `*_file` keys of a document: `instructions_file`, an assistant's
`tools[].function.parameters_file` and `response_format.json_schema.schema_file`, an agent's
`tools[].parameters_file` and `text.format.schema_file`.

Each path is relative to the YAML file that names it and must stay inside the config root (no
absolute paths, no `../` out of it, no symlink resolving outside it). Instructions are read
verbatim (a trailing newline is part of the prompt); parameters and schemas are JSON (`.json`)
or YAML (anything else) and must be mappings. The `*_file` key is then replaced by the value it
names, so `AssistantSpec` validates the content like an inline value. Variables are not
substituted inside referenced files.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.config.settings import SETTINGS_FILE
from reconciler.config.yaml_marks import DataPath
from reconciler.config.yaml_source import (
    YamlDocument,
    display_path,
    parse_documents,
    read_text,
)
from reconciler.errors import Problem


@dataclass
class FileRefs:
    """What resolving a document's `*_file` keys found."""

    origins: dict[DataPath, str] = field(default_factory=dict)  # value path -> file as written
    targets: set[Path] = field(default_factory=set)  # resolved files read as structured data
    problems: list[Problem] = field(default_factory=list)
    root_real: Path | None = None  # the config root, resolved
    dirs: dict[str, str] | None = None  # directories resolved so far (PathCache.dirs)


@dataclass
class PathCache:
    """Config roots and directories resolved so far, shared by the documents of one load."""

    roots: dict[Path, Path] = field(default_factory=dict)
    dirs: dict[str, str] = field(default_factory=dict)

    def root_real(self, root: Path) -> Path:
        real = self.roots.get(root)
        if real is None:
            real = self.roots[root] = root.resolve()
        return real


def resolve_file_refs(doc: YamlDocument, root: Path,
                      cache: PathCache | None = None) -> FileRefs:
    """Replace every `*_file` key of `doc.data` in place with the content it names."""
    refs = FileRefs()
    data = doc.data
    cache = cache or PathCache()
    refs.root_real = cache.root_real(root)
    refs.dirs = cache.dirs
    _replace(doc, root, data, (), "instructions_file", "instructions", False, refs)
    tools = data.get("tools")
    if isinstance(tools, list):
        for i, tool in enumerate(tools):
            function = tool.get("function") if isinstance(tool, dict) else None
            if isinstance(function, dict):
                _replace(doc, root, function, ("tools", i, "function"), "parameters_file",
                         "parameters", True, refs)
            elif isinstance(tool, dict) and tool.get("type") == "function":  # an agent's
                _replace(doc, root, tool, ("tools", i), "parameters_file", "parameters", True,
                         refs)
    for at in (("response_format", "json_schema"), ("text", "format")):
        outer = data.get(at[0])
        inner = outer.get(at[1]) if isinstance(outer, dict) else None
        if isinstance(inner, dict):
            _replace(doc, root, inner, at, "schema_file", "schema", True, refs)
    return refs


def _replace(doc: YamlDocument, root: Path, mapping: dict[str, Any], at: DataPath,
             file_key: str, value_key: str, structured: bool, refs: FileRefs) -> None:
    if file_key not in mapping:
        return
    problems = refs.problems
    ref = mapping.pop(file_key)
    key_path, value_path = (*at, file_key), (*at, value_key)
    if value_key in mapping:
        problems.append(doc.problem(key_path, f"give `{value_key}` or `{file_key}`, not both",
                                    key=True))
        return
    if not isinstance(ref, str) or not ref:
        problems.append(doc.problem(key_path, f"`{file_key}` must be a relative file path"))
        return
    try:
        target, real, error = _locate(doc.file, root, ref, file_key, refs.root_real, refs.dirs)
    except (OSError, ValueError) as err:  # a name too long, a NUL byte, a loop of symlinks
        reason = getattr(err, "strerror", None) or str(err)
        problems.append(doc.problem(key_path, f"`{file_key}` file `{ref}` cannot be read: "
                                              f"{reason}"))
        return
    if error is not None:
        problems.append(doc.problem(key_path, error))
        return
    assert target is not None and real is not None
    if _is_itself(real, doc.file, refs.dirs):
        problems.append(doc.problem(key_path, f"`{file_key}` names the file it is in "
                                              f"(`{ref}`)"))
        return
    if structured:  # a YAML file read as parameters or a schema is data, not an assistant
        refs.targets.add(real)
    display = display_path(target)
    text, errors = read_text(target, display)
    if text is None:
        problems.extend(_read_for(doc, key_path, file_key, errors))
        return
    value: Any = text
    if structured:
        value, errors = parse_structured(text, display, target)
        if not errors and not isinstance(value, dict):
            errors = [Problem(display, 1, 1, f"must hold a mapping (a JSON Schema object) "
                                             f"for `{value_key}`")]
        if errors:
            problems.extend(_read_for(doc, key_path, file_key, errors))
            return
    mapping[value_key] = value
    doc.link_mark(value_path, key_path)
    refs.origins[value_path] = ref


def _read_for(doc: YamlDocument, key_path: DataPath, file_key: str,
              problems: list[Problem]) -> list[Problem]:
    """`problems` found in a file a document reads, each naming the `*_file` key (and where
    it is) that reads it: the file alone does not say which field it is for."""
    mark = doc.mark(key_path)
    where = f" (read for `{file_key}` at {doc.path}:{mark.line}:{mark.col})"
    return [Problem(p.path, p.line, p.col, p.message + where) for p in problems]


def _is_itself(real: Path, file: Path, dirs: dict[str, str] | None) -> bool:
    """Whether `real` (resolved) is `file`. Both sides are resolved absolute paths, so comparing
    their text is comparing the paths."""
    return os.fspath(real) == (_plain_entry_text(file, dirs) or os.path.realpath(file))


def _locate(file: Path, root: Path, ref: str, file_key: str,
            root_real: Path | None = None,
            dirs: dict[str, str] | None = None) -> tuple[Path | None, Path | None, str | None]:
    """The file `ref` names (relative to `file`) and its resolved path, or why it may not be
    read."""
    if os.path.isabs(ref) or ref.startswith(("/", "\\")):
        return None, None, (f"`{file_key}` must be relative to this file, not absolute: `{ref}`")
    target = file.parent / ref
    lexical = os.path.normpath(os.path.abspath(target))
    root_abs = os.path.normpath(os.path.abspath(root))
    if not _within(lexical, root_abs):
        lexical_path, root_path = Path(lexical), Path(root_abs)
        hint = ""
        for project in root_path.parents:
            if project in lexical_path.parents and (project / SETTINGS_FILE).is_file():
                hint = f" (pass the project root `{_shown(project)}` instead)"
                break
        return None, None, (f"`{file_key}` file `{ref}` is outside the config root "
                            f"`{_shown(root)}`{hint}")
    plain = _plain_entry_stat(target, dirs)
    mode = None  # of the target, when its lstat says it is no symlink (so stat would agree)
    if plain is None:  # a symlink, `..`, or missing: the general way
        if not target.exists():
            return None, None, (f"`{file_key}` file `{ref}` not found "
                                f"(looked for {_shown(target)})")
        real = Path(os.path.realpath(target))
    else:
        real, mode = Path(plain[0]), plain[1]
    root_real = root_real or root.resolve()
    if not _within(str(real), str(root_real)):
        return None, None, (f"`{file_key}` file `{ref}` resolves (through a symlink) outside "
                            f"the config root `{_shown(root)}`")
    if not (stat.S_ISREG(mode) if mode is not None else target.is_file()):
        return None, None, f"`{file_key}` file `{ref}` is not a file"
    return target, real, None


def _plain_entry_text(target: Path, dirs: dict[str, str] | None) -> str | None:
    """`target` resolved, when it exists and its last part is a plain name and no symlink: then
    it is its directory resolved (cached in `dirs` for the load) joined with the name."""
    found = _plain_entry_stat(target, dirs)
    return None if found is None else found[0]


def _plain_entry_stat(target: Path, dirs: dict[str, str] | None) -> tuple[str, int] | None:
    """`_plain_entry_text` with the entry's `st_mode` (its `lstat`, which is its `stat` as the
    entry is no symlink)."""
    if dirs is None:
        return None
    text = os.fspath(target)
    parent, name = os.path.split(text)
    if name in ("", ".", "..") or not parent:
        return None
    try:
        mode = os.lstat(text).st_mode
    except (OSError, ValueError):  # the general way reports it as it always has
        return None
    if stat.S_ISLNK(mode):
        return None
    real_parent = dirs.get(parent)
    if real_parent is None:
        real_parent = dirs[parent] = os.path.realpath(parent)
    return os.path.join(real_parent, name), mode


def _within(path: str, root: str) -> bool:
    """`path` is `root` or below it (both absolute and normalised)."""
    if path == root:
        return True
    if os.name != "posix":  # pragma: no cover - drive letters and case: let pathlib decide
        return Path(root) in Path(path).parents
    return path.startswith(root if root.endswith("/") else root + "/")


def parse_structured(text: str, display: str, file: Path,
                     expected: str = "one YAML document") -> tuple[Any, list[Problem]]:
    """The data of a JSON file (by its suffix) or of a one-document YAML file, read with the
    config's own YAML reader; or the problems, each naming `display`."""
    if file.suffix.lower() == ".json":
        try:
            return json.loads(text, object_pairs_hook=_no_duplicates), []
        except _DuplicateKey as err:
            return None, [Problem(display, 1, 1, f"duplicate key `{err.args[0]}` in JSON")]
        except json.JSONDecodeError as err:
            return None, [Problem(display, err.lineno, err.colno, f"invalid JSON: {err.msg}")]
    docs, problems = parse_documents(text, display, file)
    if problems:
        return None, problems
    if len(docs) != 1:
        return None, [Problem(display, 1, 1, f"expected {expected}, found {len(docs)}")]
    return docs[0].data, []


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _shown(path: Path) -> str:
    return display_path(path)


def locate_ref(doc: YamlDocument, root: Path, ref: str, key_path: DataPath, file_key: str,
               cache: PathCache) -> tuple[Path, Path] | Problem:
    """The file `ref` names for `file_key` (relative to `doc`, inside the config root) and its
    resolved path, or the problem (at `key_path`) why it may not be read."""
    try:
        target, real, error = _locate(doc.file, root, ref, file_key, cache.root_real(root),
                                      cache.dirs)
    except (OSError, ValueError) as err:
        reason = getattr(err, "strerror", None) or str(err)
        return doc.problem(key_path, f"`{file_key}` file `{ref}` cannot be read: {reason}")
    if error is not None:
        return doc.problem(key_path, error)
    assert target is not None and real is not None
    if _is_itself(real, doc.file, cache.dirs):
        return doc.problem(key_path, f"`{file_key}` names the file it is in (`{ref}`)")
    return target, real
