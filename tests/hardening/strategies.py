"""Hypothesis strategies for valid assistant documents (what a YAML author may write), and helpers
to write them as a config directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

OWNER = "prop-owner"

# Text a YAML author might write: letters, digits, punctuation, unicode, newlines and tabs.
# `$` is left out: `${...}` is variable syntax, tested on its own in tests/test_loader.py.
_ALPHABET = st.characters(
    blacklist_categories=("Cs", "Cc"),
    blacklist_characters="$",
) | st.sampled_from("\n\t\r\x85\u2028\u2029\x01\x7f")
text = st.text(_ALPHABET, max_size=40)
ident = st.from_regex(r"[A-Za-z0-9._-]{1,20}", fullmatch=True)
function_name = st.from_regex(r"[a-zA-Z0-9_-]{1,20}", fullmatch=True)
unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False, allow_infinity=False)

json_leaf = st.none() | st.booleans() | st.integers(-1000, 1000) | text
json_schema_object = st.dictionaries(
    st.sampled_from(["type", "properties", "required", "description", "x-extra"]),
    st.recursive(json_leaf, lambda inner: st.lists(inner, max_size=3)
                 | st.dictionaries(st.text(_ALPHABET, min_size=1, max_size=8), inner,
                                                   max_size=3),
                 max_leaves=6),
    max_size=4,
)


@st.composite
def function_tools(draw: st.DrawFn) -> list[dict[str, Any]]:
    names = draw(st.lists(function_name, max_size=3, unique=True))
    tools = []
    for name in names:
        function: dict[str, Any] = {"name": name}
        if draw(st.booleans()):
            function["description"] = draw(text)
        if draw(st.booleans()):
            function["parameters"] = draw(json_schema_object)
        if draw(st.booleans()):
            function["strict"] = draw(st.booleans())
        tools.append({"type": "function", "function": function})
    return tools


@st.composite
def tools(draw: st.DrawFn) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if draw(st.booleans()):
        out.append({"type": "code_interpreter"})
    if draw(st.booleans()):
        tool: dict[str, Any] = {"type": "file_search"}
        settings: dict[str, Any] = {}
        if draw(st.booleans()):
            settings["max_num_results"] = draw(st.integers(1, 50))
        if draw(st.booleans()):
            ranking: dict[str, Any] = {"score_threshold": draw(unit)}
            ranker = draw(st.sampled_from([None, "auto", "default_2024_08_21"]))
            if ranker is not None:
                ranking["ranker"] = ranker
            settings["ranking_options"] = ranking
        if settings or draw(st.booleans()):
            tool["file_search"] = settings
        out.append(tool)
    out += draw(function_tools())
    return draw(st.permutations(out))


@st.composite
def tool_resources(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if draw(st.booleans()):
        out["code_interpreter"] = {"file_ids": draw(st.lists(ident, max_size=3, unique=True))}
    if draw(st.booleans()):
        out["file_search"] = {"vector_store_ids": draw(st.lists(ident, max_size=1))}
    return out


response_formats = st.sampled_from([
    "auto", {"type": "text"}, {"type": "json_object"},
]) | st.builds(
    lambda name, strict, schema: {"type": "json_schema",
                                  "json_schema": {"name": name, "strict": strict,
                                                  "schema": schema}},
    function_name, st.booleans(), json_schema_object,
)

metadata = st.dictionaries(
    st.from_regex(r"[a-z][a-z0-9_.-]{0,15}", fullmatch=True).filter(lambda k: k != "managed-by"),
    st.text(_ALPHABET, max_size=30),
    max_size=15,
)

# Each optional field, as a strategy for its value.
OPTIONAL: dict[str, st.SearchStrategy[Any]] = {
    "name": text,
    "description": text,
    "instructions": st.text(_ALPHABET, max_size=200),
    "tools": tools(),
    "tool_resources": tool_resources(),
    "metadata": metadata,
    "temperature": st.floats(0.0, 2.0, allow_nan=False, allow_infinity=False),
    "top_p": unit,
    "response_format": response_formats,
    "reasoning_effort": st.sampled_from(["none", "minimal", "low", "medium", "high"]),
}
MODELS = st.sampled_from(["gpt-4o", "gpt-4o-mini", "o3-mini", "gpt-4.1"])


@st.composite
def spec_fields(draw: st.DrawFn) -> dict[str, Any]:
    """The API-facing fields of one valid document (no `key`)."""
    doc: dict[str, Any] = {"model": draw(MODELS)}
    for name in draw(st.sets(st.sampled_from(sorted(OPTIONAL)))):
        doc[name] = draw(OPTIONAL[name])
    return doc


@st.composite
def documents(draw: st.DrawFn, key: str | None = None) -> dict[str, Any]:
    return {"key": key or draw(ident), **draw(spec_fields())}


@st.composite
def configs(draw: st.DrawFn, max_size: int = 3,
            keys: st.SearchStrategy[str] = ident) -> list[dict[str, Any]]:
    keys = draw(st.lists(keys, min_size=1, max_size=max_size, unique=True))
    return [draw(documents(key=k)) for k in keys]


@st.composite
def edits(draw: st.DrawFn, doc: dict[str, Any]) -> dict[str, Any]:
    """`doc` with some fields removed, some replaced, some added."""
    out = dict(doc)
    touched = draw(st.sets(st.sampled_from(["model", *sorted(OPTIONAL)]), min_size=1))
    for name in touched:
        if name == "model":
            out["model"] = draw(MODELS)
        elif name in out and draw(st.booleans()):
            del out[name]
        else:
            out[name] = draw(OPTIONAL[name])
    return out


class SafeQuotingDumper(yaml.SafeDumper):
    """PyYAML's emitter writes U+0085, U+2028 and U+2029 unescaped in single-quoted or plain
    scalars, where YAML reads them as line breaks: double-quote (escape) any string holding an
    unusual character, as a careful author would."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    odd = any(not ch.isprintable() and ch not in "\n" for ch in value)
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"' if odd else None)


SafeQuotingDumper.add_representer(str, _represent_str)


def dump_yaml(value: Any) -> str:
    return yaml.dump(value, Dumper=SafeQuotingDumper, allow_unicode=True, sort_keys=False)


def write_config(folder: Path, docs: list[dict[str, Any]], owner: str = OWNER) -> Path:
    """One YAML file per document plus the project settings; returns `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.yaml"):
        old.unlink()
    (folder / "assistants.project.yaml").write_text(f"owner: {owner}\n", encoding="utf-8")
    for i, doc in enumerate(docs):
        (folder / f"doc-{i:02}.yaml").write_text(
            dump_yaml(doc), encoding="utf-8")
    return folder
