"""The loader reports every error of a config in one run, each naming its field (issue 14.7)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reconciler.config.loader import load_config
from reconciler.errors import ConfigError
from tests.support.files import write


def errors_of(*paths: str) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        load_config(list(paths), env={})
    return [str(p) for p in raised.value.problems]


@pytest.mark.parametrize("text", [
    "key: a\nmodel: 5\n---\nkey: a\nmodel: gpt-4o\n",
    "key: a\nmodel: gpt-4o\n---\nkey: a\nmodel: 5\n",
], ids=["invalid first", "invalid second"])
def test_a_duplicate_key_is_reported_with_the_other_errors(here: Path, text: str) -> None:
    write(here / "c/x.yaml", text)
    errors = errors_of("c")
    assert len(errors) == 2
    assert any("`model` must be a string, got an integer (5)" in e for e in errors)
    assert "c/x.yaml:4:6: duplicate assistant key `a`: also defined at c/x.yaml:1:6" in errors


def test_a_duplicate_across_files_of_an_invalid_document_is_reported(here: Path) -> None:
    write(here / "c/a.yaml", "key: k\nmodel: gpt-4o\ntemperature: 9\n")
    write(here / "c/b.yaml", "key: k\nmodel: gpt-4o\ninstruction: typo\n")
    errors = errors_of("c")
    assert "c/b.yaml:1:6: duplicate assistant key `k`: also defined at c/a.yaml:1:6" in errors
    assert len(errors) == 3


@pytest.mark.parametrize("field,line", [
    ("instructions_file: ../outside.md", "instructions_file"),
    ("tools:\n  - type: function\n    function:\n      name: f\n"
     "      parameters_file: ../outside.json", "parameters_file"),
])
def test_a_file_outside_the_root_names_its_field(here: Path, field: str, line: str) -> None:
    write(here / "outside.md", "hi")
    write(here / "outside.json", "{}")
    write(here / "c/a.yaml", f"key: a\nmodel: gpt-4o\n{field}\n")
    (error,) = errors_of("c")
    assert f": `{line}` file `../outside." in error and "is outside the config root `c`" in error


def test_a_file_through_a_symlink_outside_the_root_names_its_field(here: Path) -> None:
    write(here / "secret.md", "hi")
    (here / "c").mkdir()
    os.symlink(here / "secret.md", here / "c/link.md")
    write(here / "c/a.yaml", "key: a\nmodel: gpt-4o\ninstructions_file: link.md\n")
    (error,) = errors_of("c")
    assert "c/a.yaml:3:20: `instructions_file` file `link.md` resolves (through a symlink)" in error


def test_a_directory_named_as_a_file_names_its_field(here: Path) -> None:
    (here / "c/prompts").mkdir(parents=True)
    write(here / "c/a.yaml", "key: a\nmodel: gpt-4o\ninstructions_file: prompts\n")
    assert errors_of("c") == ["c/a.yaml:3:20: `instructions_file` file `prompts` is not a file"]


@pytest.mark.parametrize("content,message", [
    ("{oops", "invalid JSON"),
    ("[1, 2]", "must hold a mapping (a JSON Schema object) for `parameters`"),
])
def test_a_broken_parameters_file_names_the_field_that_reads_it(here: Path, content: str,
                                                                 message: str) -> None:
    write(here / "c/p.json", content)
    write(here / "c/a.yaml", "key: a\nmodel: gpt-4o\ntools:\n  - type: function\n"
                             "    function:\n      name: f\n      parameters_file: p.json\n")
    (error,) = errors_of("c")
    assert error.startswith("c/p.json:1:")
    assert message in error
    assert error.endswith("(read for `parameters_file` at c/a.yaml:7:24)")
