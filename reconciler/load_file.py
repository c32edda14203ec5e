"""One YAML file → what it defines (`Loaded`): its documents' validated specs with their
digests and places, its problems, and the files it reads as data. A file unchanged since an
earlier load comes from the load cache (load_cache.py); loader.py puts the files together.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistants.canonical import text_sha256
from assistants.errors import Problem
from assistants.models import IDENT_PATTERN, AssistantSpec
from reconciler.desired import UNSET, DesiredAssistant, FileText, summary_of
from reconciler.file_refs import FileRefs, PathCache, reread, resolve_file_refs
from reconciler.load_cache import LoadCache, entry_key
from reconciler.spec_errors import validation_problems
from reconciler.variables import substitute
from reconciler.yaml_marks import Mark
from reconciler.yaml_source import YamlDocument, parse_documents, read_text


@dataclass(frozen=True)
class YamlFile:
    """A YAML file found under a config root."""

    path: Path
    display: str
    root: Path
    real: Path  # resolved, symlinks followed


@dataclass(frozen=True)
class Placed:
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
class Loaded:
    """What loading one file found (without the file: another process may have loaded it and
    pickled this back, and four paths cost more to unpickle than the rest)."""

    problems: list[Problem] = field(default_factory=list)  # in the order they are reported
    assistants: list[tuple[Placed, DesiredAssistant, str]] = field(default_factory=list)  # + digest
    targets: set[Path] = field(default_factory=set)  # files its `*_file` keys name
    invalid_keys: list[tuple[Placed, str]] = field(default_factory=list)  # the string `key`
    # of each document that failed validation: a duplicate key is reported with its errors
    cached: bool = False  # taken from the load cache
    cache_entry: tuple[bytes, str] | None = None  # to store in the load cache: key, entry


_KEY = re.compile(IDENT_PATTERN)
_INSTRUCTIONS_FILE = "instructions_file"
_FROM_INSTRUCTIONS_FILE = ("instructions",)  # FileRefs.origins' path of instructions read


def load_file(file: YamlFile, env: Mapping[str, str], resolved: PathCache,
              cache: LoadCache | None = None) -> Loaded:
    """`_load_fresh`, unless the load cache holds the file as it is now."""
    text, problems = read_text(file.path, file.display)
    if text is None or cache is None:
        return _load_fresh(file, text, problems, env, resolved)
    key = entry_key(text)
    entry = cache.get(key)
    if entry is not None:
        item = _from_entry(entry, file, resolved)
        if item is not None:
            return item
    return _load_fresh(file, text, problems, env, resolved, cache_key=key)


def _from_entry(entry: str, file: YamlFile, resolved: PathCache) -> Loaded | None:
    """The file as a cache entry recorded it (an entry is keyed by the text alone, wherever the
    file is), when every file it named still may be read from here and holds the same text;
    else None."""
    item = Loaded(cached=True)
    try:
        for doc, fields in _entry_docs(entry):
            instructions = doc.get("instructions", UNSET)
            for file_key, ref, sha in doc["files"]:
                found = reread(file.path, file.root, ref, file_key, resolved)
                if found is None or text_sha256(found[1]) != sha:
                    return None
                if file_key == _INSTRUCTIONS_FILE:
                    instructions = FileText(found[0], sha)
                else:
                    item.targets.add(Path(found[0]))
            (line, col), start = doc["key"], doc["line"]
            placed = Placed(file.display, start, Mark(line, col))
            desired = DesiredAssistant.compact(doc["plan"], fields, instructions, placed.source)
            item.assistants.append((placed, desired, doc["digest"]))
    except (KeyError, TypeError, ValueError):  # an entry of another shape: load it again
        return None
    return item


def _load_fresh(file: YamlFile, text: str | None, problems: list[Problem],
                env: Mapping[str, str], resolved: PathCache,
                cache_key: bytes | None = None) -> Loaded:
    """Parse one file's text, resolve variables and file references, then validate each
    document: the file's own problems (reading, YAML, non-mapping documents) first, then each
    document's. With a `cache_key`, a file without problems or variables comes with its entry
    for the load cache."""
    item = Loaded()
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
    # Kept as JSON (desired.py) only what JSON gives back as it was: plain data (string keys,
    # finite numbers), checked before validation consumes it; stored in the load cache only
    # without variables as well (their values stay off disk).
    plain = [_plain(doc.data) for doc, _, _ in prepared]
    record = (cache_key is not None and all(plain)
              and not any(doc.has_variables for doc, _, _ in prepared))
    recorded: list[tuple[dict[str, Any], str]] = []
    for (doc, errors, refs), is_plain in zip(prepared, plain, strict=True):
        errors = errors + refs.problems
        key = doc.data.get("key")
        try:
            spec = AssistantSpec.model_validate(doc.data)
        except ValidationError as err:
            errors.extend(validation_problems(err, AssistantSpec, doc, refs.origins))
        else:
            if not errors:
                placed = Placed(doc.path, doc.start.line, doc.mark(("key",)))
                text = _spec_text(spec)
                summary = summary_of(spec)
                instructions = (FileText(*refs.instructions_file) if refs.instructions_file
                                else text.instructions)
                desired = (DesiredAssistant.compact(summary, text.fields, instructions,
                                                    placed.source) if is_plain
                           else DesiredAssistant(spec, placed.source))
                item.assistants.append((placed, desired, text.digest))
                if record:
                    recorded.append(_entry_doc(placed, text, refs, summary))
        if errors and isinstance(key, str) and _KEY.match(key):  # a bad key has its error
            item.invalid_keys.append((Placed(doc.path, doc.start.line, doc.mark(("key",))), key))
        doc.data = None  # validated: the spec holds what is needed, free the YAML values
        item.problems.extend(errors)
    if record and not item.problems:
        assert cache_key is not None
        item.cache_entry = (cache_key, _entry_text(recorded))
    return item


@dataclass(frozen=True)
class _SpecText:
    """A spec as the load cache keeps it, and its digest."""

    fields: str  # JSON of the fields its document set, in its order (files and variables
    # resolved), instructions left out: they are hashed once, and an entry need not hold a prompt
    instructions: Any  # str, None, or UNSET (not set)
    digest: str  # sha256 of `fields` and of the instructions' sha256: any edit of a document's
    # content changes it (even to a value equal to the default, or of key order, which a
    # strict JSON schema's `properties` make significant); moving text between files does not


def _spec_text(spec: AssistantSpec) -> _SpecText:
    fields = spec.model_dump(mode="json", by_alias=True, exclude_unset=True)
    instructions = fields.pop("instructions", UNSET)
    text = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    tail = ("-" if instructions is UNSET else "null" if instructions is None
            else text_sha256(instructions))
    return _SpecText(text, instructions, text_sha256(f"{text}\n{tail}"))


def _plain(value: Any) -> bool:
    """Whether `value` is made of what JSON holds as it is: dicts with string keys, lists,
    strings, bools, ints, finite floats and None."""
    kind = type(value)
    if kind is str or kind is bool or kind is int or value is None:
        return True
    if kind is float:
        return math.isfinite(value)
    if kind is dict:
        return all(type(k) is str and _plain(v) for k, v in value.items())
    if kind is list:
        return all(_plain(item) for item in value)
    return False


def _entry_doc(placed: Placed, text: _SpecText, refs: FileRefs,
               summary: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """One document as the load cache keeps it: where it is, its digest, the files it read and
    what planning needs of it (`summary_of`), and its spec's fields (which `AssistantSpec`
    validates back to an equal spec with the same fields set, when a change needs it).
    Instructions read from a file are left out: the file is read anyway, to see that it is
    unchanged."""
    doc = {"line": placed.line, "key": [placed.key.line, placed.key.col], "digest": text.digest,
           "files": refs.read, "plan": summary}
    if text.instructions is not UNSET and _FROM_INSTRUCTIONS_FILE not in refs.origins:
        doc["instructions"] = text.instructions  # a string, or null
    return doc, text.fields


def _entry_text(docs: list[tuple[dict[str, Any], str]]) -> str:
    """A file's cache entry: one line of JSON for all its documents, then each document's
    fields on a line of their own (compact JSON holds no line break), as they are."""
    head = json.dumps([doc for doc, _ in docs], separators=(",", ":"))
    return "\n".join([head, *(fields for _, fields in docs)])


def _entry_docs(entry: str) -> list[tuple[dict[str, Any], str]]:
    head, *fields = entry.split("\n")
    docs = json.loads(head)
    if not isinstance(docs, list) or len(docs) != len(fields):
        raise ValueError("not a cache entry")
    return list(zip(docs, fields, strict=True))
