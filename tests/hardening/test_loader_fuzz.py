"""Loader fuzzing: whatever bytes or structures a YAML author (or a broken editor) leaves in a
config, `assistants validate` exits 0 or 1, never with a traceback or an "internal error", and an
exit 1 always says where: at least one `error: path:line:col: message` or `error: path: message`
line on stderr.

Inputs: random bytes; near-YAML text; mutated example files; deep nesting; huge scalars; odd
encodings; anchors, aliases and merge keys; valid-ish documents with wrong types and keys; broken
settings files; `*_file` references to odd paths; `${VAR}` syntax.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.config.loader import load_config
from reconciler.errors import ConfigError
from tests.hardening.hypothesis_profile import HARDENING
from tests.hardening.strategies import documents
from tests.support.cli import run_cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE_FILES = sorted(p for p in EXAMPLES.rglob("*") if p.suffix in (".yaml", ".yml", ".md",
                                                                       ".json"))
EXAMPLE_YAML = [p.read_bytes() for p in EXAMPLE_FILES if p.suffix in (".yaml", ".yml")]
LOCATED = re.compile(r"^error: [^\s:][^:]*(:\d+:\d+)?: \S")


def check_validate(folder: Path, cwd: Path) -> None:
    """`assistants validate folder`: exit 0, or exit 1 with located error lines only."""
    result = run_cli(["validate", folder.name], cwd=cwd)  # run_cli fails on "internal error"
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output, result.output
    if result.exit_code == 0:
        assert result.stdout.startswith("Valid: "), result.output
        return
    lines = result.stderr.splitlines()
    assert lines, "exit 1 without a message"
    assert any(LOCATED.match(line) for line in lines), result.stderr
    for line in lines:
        assert line.startswith("error: "), result.stderr


def fuzz_files(tmp: Path, files: dict[str, bytes]) -> None:
    folder = tmp / "cfg"
    if folder.exists():
        for path in sorted(folder.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        folder.rmdir()
    folder.mkdir(parents=True)
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    check_validate(folder, tmp)
    # The engine itself: a Config or a ConfigError, nothing else.
    try:
        load_config([folder], env={})
    except ConfigError as err:
        assert err.problems


# --- generators ------------------------------------------------------------------------------

YAMLISH = st.sampled_from([
    "key", "model", "name", "tools", "type", "function", "file_search", "metadata", "temperature",
    "instructions_file", "parameters_file", "tool_resources", "response_format", "json_schema",
    "schema_file", "ignore_changes", "protect", "id", "<<", ": ", ":", "- ", "-", "\n", "\n  ",
    "  ", "\t", "[", "]", "{", "}", ",", "&a ", "*a", "&b ", "*b", "!!str ", "!!python/object ",
    "!x ", "|", ">", "'", '"', "#", "%YAML 1.1\n", "---\n", "...\n", "?", "${", "}", "$${",
    "${HOME}", "${X:-1}", "null", "~", "true", "1", "1.5", "-1", "0x1F", ".inf", "1e3",
    "2001-12-14", "=", "\\", "\ufeff", "é", "\u2028", "\x85", "\r", "\r\n", "gpt-4o",
])
near_yaml = st.lists(YAMLISH, max_size=60).map("".join)


@st.composite
def mutated_example(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(EXAMPLE_YAML)))
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        op = draw(st.sampled_from(["delete", "insert", "flip", "truncate", "duplicate",
                                   "splice"]))
        at = draw(st.integers(0, len(data) - 1))
        if op == "delete":
            del data[at:at + draw(st.integers(1, 20))]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8)
                               | near_yaml.map(lambda s: s.encode()))
        elif op == "flip":
            data[at] = draw(st.integers(0, 255))
        elif op == "truncate":
            del data[at:]
        elif op == "duplicate":
            data[at:at] = data[at:at + draw(st.integers(1, 40))]
        else:
            other = draw(st.sampled_from(EXAMPLE_YAML))
            data[at:at] = other[: draw(st.integers(0, len(other)))]
    return bytes(data)


def nested(kind: str, depth: int) -> bytes:
    if kind == "flow-list":
        return b"key: k\nmodel: m\ntools: " + b"[" * depth + b"]" * depth + b"\n"
    if kind == "flow-map":
        return b"key: k\nmodel: m\nmetadata: " + b"{a: " * depth + b"b" + b"}" * depth + b"\n"
    if kind == "block-list":
        return b"key: k\nmodel: m\ntools:\n" + b"".join(b"  " * i + b"-\n" for i in range(depth))
    if kind == "block-map":
        return b"".join(b" " * i + b"a:\n" for i in range(depth))
    return b"key: k\nmodel: m\nmetadata: " + b"[{" * depth + b"}]" * depth + b"\n"


def huge_scalar(field: str, size: int, style: str) -> bytes:
    body = "x" * size
    value = {"plain": body, "quoted": f'"{body}"', "block": "|\n  " + body}[style]
    return f"key: k\nmodel: m\n{field}: {value}\n".encode()


ENCODINGS = ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252", "utf-8-sig",
             "utf-7", "shift_jis", "koi8-r"]
TEXT_WITH_ACCENTS = "key: k\nmodel: m\nname: Café — naïve ☃ 東京\ninstructions: héllo\n"

ALIAS_DOCS = [
    b"a: &a [1, 2]\nb: *a\nkey: k\nmodel: m\n",
    b"&a key: k\nmodel: *a\n",
    b"key: &a k\nmodel: m\nmetadata: {*a : v}\n",
    b"key: k\nmodel: m\nbase: &b {name: n}\n<<: *b\n",
    b"key: k\nmodel: m\n<<: [*undefined]\n",
    b"key: k\nmodel: m\n<<: 5\n",
    b"key: k\nmodel: m\n<<: [1, 2]\n",
    b"x: &a\n  <<: *a\nkey: k\nmodel: m\n",
    b"&a [*a]\n",
    b"&a {k: *a}\n",
    b"key: k\nmodel: m\ntools: &t [{type: code_interpreter}, *t]\n",
    b"? &k [a]\n: *k\n",
    b"key: k\nmodel: m\nmetadata: {<<: {a: b}, <<: {c: d}}\n",
    b"key: k\nmodel: m\nmetadata: &m {a: b}\n---\nkey: j\nmodel: m\nmetadata: *m\n",
    b"a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
]

scalars = (st.none() | st.booleans() | st.integers(-2**70, 2**70)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20)
           | st.sampled_from(["${UNSET}", "${X:-2}", "$${x}", "${", "../x", "/etc/passwd"]))
weird_keys = (st.text(max_size=12) | st.integers(-5, 5) | st.booleans() | st.none()
              | st.floats(allow_nan=False) | st.sampled_from(
                  ["key", "model", "tools", "metadata", "instruction", "Key", "type", "<<"]))
anything = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                        | st.dictionaries(weird_keys, inner, max_size=4), max_leaves=12)


@st.composite
def wrong_documents(draw: st.DrawFn) -> Any:
    """A valid document with some values replaced by anything, some keys added or renamed."""
    doc: dict[Any, Any] = draw(documents())
    for _ in range(draw(st.integers(1, 4))):
        choice = draw(st.sampled_from(["replace", "add", "rename", "nest"]))
        keys = list(doc)
        if choice == "replace" and keys:
            doc[draw(st.sampled_from(keys))] = draw(anything)
        elif choice == "add":
            doc[draw(weird_keys)] = draw(anything)
        elif choice == "rename" and keys:
            old = draw(st.sampled_from(keys))
            doc[draw(weird_keys)] = doc.pop(old)
        elif choice == "nest":
            tools = doc.setdefault("tools", [])
            if isinstance(tools, list):
                tools.append(draw(st.fixed_dictionaries(
                    {"type": st.sampled_from(["function", "file_search", "code_interpreter",
                                              "retrieval", 3])},
                    optional={"function": anything, "file_search": anything,
                              "extra": anything})))
    return doc


def dump(value: Any) -> bytes:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False).encode("utf-8")


# --- tests -----------------------------------------------------------------------------------

@settings(HARDENING, max_examples=150)
@given(st.binary(max_size=400))
def test_random_bytes(tmp_path, data):
    fuzz_files(tmp_path, {"a.yaml": data})


@settings(HARDENING, max_examples=200)
@given(near_yaml)
def test_near_yaml_text(tmp_path, text):
    fuzz_files(tmp_path, {"a.yaml": text.encode("utf-8")})


@settings(HARDENING, max_examples=150)
@given(mutated_example())
def test_mutated_example_files(tmp_path, data):
    fuzz_files(tmp_path, {"a.yaml": data})


@pytest.mark.parametrize("kind", ["flow-list", "flow-map", "block-list", "block-map", "mixed"])
@pytest.mark.parametrize("depth", [50, 1000, 20000])
def test_deep_nesting(tmp_path, kind, depth):
    fuzz_files(tmp_path, {"a.yaml": nested(kind, depth)})


@pytest.mark.parametrize("field", ["name", "instructions", "model", "key", "unknown"])
@pytest.mark.parametrize("size,style", [(300_000, "plain"), (1_048_000, "quoted"),
                                        (1_100_000, "block")])
def test_huge_scalars(tmp_path, field, size, style):
    fuzz_files(tmp_path, {"a.yaml": huge_scalar(field, size, style)})


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_odd_encodings(tmp_path, encoding):
    fuzz_files(tmp_path, {"a.yaml": TEXT_WITH_ACCENTS.encode(encoding, errors="replace")})


@pytest.mark.parametrize("data", ALIAS_DOCS, ids=range(len(ALIAS_DOCS)))
def test_anchors_aliases_and_merges(tmp_path, data):
    fuzz_files(tmp_path, {"a.yaml": data})


@settings(HARDENING, max_examples=250)
@given(wrong_documents())
def test_valid_ish_documents_with_wrong_types_and_keys(tmp_path, doc):
    fuzz_files(tmp_path, {"a.yaml": dump(doc)})


@settings(HARDENING, max_examples=100)
@given(st.lists(wrong_documents() | anything, min_size=1, max_size=4))
def test_multi_document_files(tmp_path, docs):
    data = yaml.safe_dump_all(docs, allow_unicode=True).encode("utf-8")
    fuzz_files(tmp_path, {"a.yaml": data})


@settings(HARDENING, max_examples=100)
@given(st.dictionaries(st.sampled_from(["owner", "max_deletes", "ownr", 1, None]), anything,
                       max_size=3) | anything | st.binary(max_size=60).map(bytes))
def test_settings_files(tmp_path, settings_value):
    data = settings_value if isinstance(settings_value, bytes) else dump(settings_value)
    fuzz_files(tmp_path, {"a.yaml": b"key: k\nmodel: m\n", "assistants.project.yaml": data})


ODD_PATHS = st.sampled_from([
    "a.yaml", "./a.yaml", "b.yaml", "sub", "sub/", "missing.md", "", ".", "..", "../cfg/a.yaml",
    "x" * 300, "sub/" + "y" * 255 + ".md", "a\0b", "~/x", "/etc/passwd", "C:\\x", "\\x",
    "sub/../../x", "p.md", "p.json", "link", "a.yaml/x", "%2e%2e/x", "\u2028.md",
]) | st.text(max_size=30)


@settings(HARDENING, max_examples=150)
@given(ODD_PATHS, st.sampled_from(["instructions_file", "parameters_file", "schema_file"]),
       st.sampled_from([b"{}", b"[1]", b"not json", b"\xff\xfe", b"a: 1\n---\nb: 2\n", b""]))
def test_file_references_to_odd_paths(tmp_path, ref, kind, content):
    if kind == "instructions_file":
        doc = {"key": "k", "model": "m", "instructions_file": ref}
    elif kind == "parameters_file":
        doc = {"key": "k", "model": "m", "tools": [
            {"type": "function", "function": {"name": "f", "parameters_file": ref}}]}
    else:
        doc = {"key": "k", "model": "m", "response_format": {
            "type": "json_schema", "json_schema": {"name": "s", "schema_file": ref}}}
    fuzz_files(tmp_path, {"a.yaml": dump(doc), "b.yaml": b"key: b\nmodel: m\n",
                          "p.md": content, "p.json": content, "sub/q.md": b"q"})


@settings(HARDENING, max_examples=150)
@given(st.lists(st.sampled_from(["${", "}", "$", "$${", ":-", "A", "1", "_", "${X}", "${UNSET}",
                                 "${X:-", "${:-}", "{", " ", "\n", "'", '"', ":"]),
                max_size=12).map("".join))
def test_variable_syntax(tmp_path, value):
    data = dump({"key": "k", "model": "m", "name": value, "description": value})
    plain = f"key: k\nmodel: m\ntemperature: {value}\n".encode()
    fuzz_files(tmp_path, {"a.yaml": data, "b.yaml": plain.replace(b"key: k", b"key: j")})


def test_a_self_reference_is_an_error_not_a_vanished_assistant(tmp_path):
    """A document naming its own file as `instructions_file` or `parameters_file` once made the
    file "data", so validate said `Valid: 0 assistants` and the assistant silently vanished."""
    for doc in ({"key": "k", "model": "m", "instructions_file": "a.yaml"},
                {"key": "k", "model": "m", "tools": [
                    {"type": "function", "function": {"name": "f", "parameters_file": "a.yaml"}}]}):
        folder = tmp_path / "cfg"
        folder.mkdir(exist_ok=True)
        (folder / "a.yaml").write_bytes(dump(doc))
        result = run_cli(["validate", "cfg"], cwd=tmp_path)
        assert result.exit_code == 1, result.output
        assert "names the file it is in" in result.stderr


def test_an_instructions_file_that_is_also_an_assistant_keeps_the_assistant(tmp_path):
    """Only `parameters_file` and `schema_file` targets are data files; a YAML file read as
    instructions text by another document is still an assistant."""
    folder = tmp_path / "cfg"
    folder.mkdir()
    (folder / "a.yaml").write_bytes(b"key: a\nmodel: m\n")
    (folder / "b.yaml").write_bytes(b"key: b\nmodel: m\ninstructions_file: a.yaml\n")
    config = load_config([folder], env={})
    assert sorted(d.spec.key for d in config.documents) == ["a", "b"]


def test_a_file_name_too_long_is_a_located_error(tmp_path):
    folder = tmp_path / "cfg"
    folder.mkdir()
    (folder / "a.yaml").write_bytes(dump({"key": "k", "model": "m",
                                          "instructions_file": "x" * 300}))
    result = run_cli(["validate", "cfg"], cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cfg/a.yaml:3:"), result.stderr


def test_true_and_one_are_different_mapping_keys(tmp_path):
    folder = tmp_path / "cfg"
    folder.mkdir()
    (folder / "a.yaml").write_bytes(b"key: k\nmodel: m\nmetadata: {1: a, true: b}\n")
    result = run_cli(["validate", "cfg"], cwd=tmp_path)
    assert result.exit_code == 1
    assert "duplicate key" not in result.stderr, result.stderr
    assert "key `true` is the same as `1` (line 3) once read" in result.stderr
