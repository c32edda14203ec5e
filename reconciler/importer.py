"""`import`: adopt assistants that already exist, writing one YAML document per assistant.

Only reads the server. Each document holds `id:` (so the first plan matches it) and a `key`
derived from the name (a slug; the id when there is no name; made unique), and the assistant's
fields in canonical form, so the first plan after an import adds just the ownership marker.
Multi-line instructions go to a Markdown file beside the YAML, read back verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistants.canonical import canonical
from assistants.models import MARKER_KEY
from reconciler.identity import live_marker

_SLUG = re.compile(r"[^a-z0-9]+")
KEY_MAX = 64


@dataclass(frozen=True)
class ImportedFile:
    key: str
    id: str
    path: Path
    extra_files: tuple[Path, ...] = ()
    warning: str | None = None


def slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")[:KEY_MAX].strip("-")


def derive_keys(assistants: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """`{id: key}`: our marker's key when there is one, else a slug of the name, else the id;
    made unique with `-2`, `-3`, ... in listing order."""
    keys: dict[str, str] = {}
    taken: set[str] = set()
    for assistant in assistants:
        ident = str(assistant.get("id"))
        marker = live_marker(assistant)
        base = (marker.key if marker else slug(assistant.get("name") or "")) or slug(ident) or "a"
        key, n = base, 1
        while key in taken:
            n += 1
            suffix = f"-{n}"
            key = base[: KEY_MAX - len(suffix)] + suffix
        taken.add(key)
        keys[ident] = key
    return keys


def document(assistant: Mapping[str, Any], key: str) -> tuple[dict[str, Any], str | None]:
    """The YAML document for one live assistant and, when the instructions are multi-line,
    the text for the instructions file (the document then names it)."""
    form = canonical(assistant)
    doc: dict[str, Any] = {"key": key, "id": str(assistant.get("id"))}
    instructions = form.pop("instructions", None)
    metadata = {k: v for k, v in form.pop("metadata", {}).items() if k != MARKER_KEY}
    doc.update({k: v for k, v in form.items() if k in ("name", "model", "description")})
    text_file = None
    if instructions is not None and "\n" in instructions:
        doc["instructions_file"] = f"{key}.md"
        text_file = instructions
    elif instructions is not None:
        doc["instructions"] = instructions
    doc.update({k: v for k, v in form.items() if k not in doc})
    if metadata:
        doc["metadata"] = metadata
    marker = live_marker(assistant)
    if marker and marker.protect:
        doc["protect"] = True
    return doc, text_file


def write_import(assistants: Iterable[Mapping[str, Any]], out_dir: Path) -> list[ImportedFile]:
    """Write one file per assistant under `out_dir`; never overwrites an existing file."""
    assistants = list(assistants)
    keys = derive_keys(assistants)
    planned: list[tuple[Path, str]] = []
    results: list[ImportedFile] = []
    for assistant in assistants:
        key = keys[str(assistant.get("id"))]
        doc, text = document(assistant, key)
        path = out_dir / f"{key}.yaml"
        planned.append((path, yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                                        width=100)))
        extra: tuple[Path, ...] = ()
        if text is not None:
            planned.append((out_dir / f"{key}.md", text))
            extra = (out_dir / f"{key}.md",)
        warning = None
        if len(doc.get("metadata", {})) > 15:
            warning = (f"{key}: {len(doc['metadata'])} metadata pairs; at most 15 leave room for "
                       "the ownership marker, remove one before applying")
        results.append(ImportedFile(key, str(assistant.get("id")), path, extra, warning))
    existing = [str(p) for p, _ in planned if p.exists()]
    if existing:
        from assistants.errors import ConfigError

        raise ConfigError(f"import would overwrite {', '.join(existing)}; nothing was written "
                          "(choose another --out or move them away)")
    out_dir.mkdir(parents=True, exist_ok=True)
    for path, text in planned:
        path.write_text(text, encoding="utf-8")
    return results


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line strings, so prompts and descriptions stay readable."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)
