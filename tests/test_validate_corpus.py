"""The error corpus: every broken config under tests/corpus/ fails `assistants validate` with
exactly the `path:line:col: message` lines below, exit 1, and no traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli.main import main
from reconciler.config.yaml_source import MAX_FILE_BYTES

CORPUS = Path(__file__).parent / "corpus"

CASES: list[tuple[str, list[str], list[str]]] = [
    ("absolute-file-path", ["absolute-file-path"], [
        'absolute-file-path/assistant.yaml:7:24: `parameters_file` must be relative to this file, not absolute: `/etc/hosts`',
    ]),
    ("bad-function-name", ["bad-function-name"], [
        'bad-function-name/assistant.yaml:6:13: `tools[0].function.name` must be 1 to 64 letters, digits, `_` or `-`, got "look up employee"',
    ]),
    ("bad-key-chars", ["bad-key-chars"], [
        'bad-key-chars/assistant.yaml:1:6: `key` must be 1 to 64 letters, digits, `.`, `_` or `-`, got "hr helper/v2"',
    ]),
    ("bad-parameters-json", ["bad-parameters-json"], [
        'bad-parameters-json/lookup.json:3:43: invalid JSON: Expecting property name enclosed in double quotes (read for `parameters_file` at bad-parameters-json/assistant.yaml:7:24)',
    ]),
    ("bad-reasoning-effort", ["bad-reasoning-effort"], [
        'bad-reasoning-effort/assistant.yaml:3:19: `reasoning_effort` must be one of none, minimal, low, medium, high, xhigh, max, got a string ("extreme")',
    ]),
    ("bad-settings", ["bad-settings"], [
        'bad-settings/assistants.project.yaml:1:1: unknown key `ownr` — did you mean `owner`?',
        'bad-settings/assistants.project.yaml:2:14: `max_deletes` must be at least 0, got -1',
    ]),
    ("bad-variable-syntax", ["bad-variable-syntax"], [
        'bad-variable-syntax/assistant.yaml:3:14: bad variable reference `${PRICE and ${1ABC}`: expected `${NAME}` or `${NAME:-default}` (write `$${` for a literal `${`)',
    ]),
    ("billion-laughs", ["billion-laughs"], [
        'billion-laughs/assistant.yaml:7:8: aliases expand to more than 10,000 nodes (at *d); refusing a possible alias bomb',
    ]),
    ("binary", ["binary"], [
        'binary/assistant.yaml:2:14: binary file (NUL byte); expected UTF-8 text',
    ]),
    ("description-too-long", ["description-too-long"], [
        'description-too-long/assistant.yaml:3:14: `description` is 518 characters long; the limit is 512',
    ]),
    ("duplicate-key-across-files", ["duplicate-key-across-files"], [
        'duplicate-key-across-files/b.yaml:2:6: duplicate assistant key `helper`: also defined at duplicate-key-across-files/a.yaml:1:6',
    ]),
    ("duplicate-mapping-key", ["duplicate-mapping-key"], [
        'duplicate-mapping-key/assistant.yaml:5:1: duplicate key `temperature` (first defined at line 3)',
    ]),
    ("file-escaping-root", ["file-escaping-root"], [
        'file-escaping-root/assistant.yaml:3:20: `instructions_file` file `../../../../etc/passwd` is outside the config root `file-escaping-root`',
    ]),
    ("instructions-and-file", ["instructions-and-file"], [
        'instructions-and-file/assistant.yaml:4:1: give `instructions` or `instructions_file`, not both',
    ]),
    ("instructions-too-long", ["instructions-too-long"], [
        'instructions-too-long/assistant.yaml:3:20: `instructions` (read from `prompt.md`) is 256,001 characters long; the limit is 256,000',
    ]),
    ("metadata-number", ["metadata-number"], [
        'metadata-number/assistant.yaml:5:14: `metadata.headcount` must be a string, got an integer (42); quote it: "42"',
    ]),
    ("metadata-reserved", ["metadata-reserved"], [
        'metadata-reserved/assistant.yaml:5:3: metadata key `managed-by` is reserved for the ownership marker',
    ]),
    ("metadata-too-many-pairs", ["metadata-too-many-pairs"], [
        "metadata-too-many-pairs/assistant.yaml:3:1: metadata has 16 pairs; at most 15 are allowed (the API's 16 less one for `managed-by`)",
    ]),
    ("missing-instructions-file", ["missing-instructions-file"], [
        'missing-instructions-file/assistant.yaml:3:20: `instructions_file` file `prompts/missing.md` not found (looked for missing-instructions-file/prompts/missing.md)',
    ]),
    ("missing-key", ["missing-key"], [
        'missing-key/assistant.yaml:1:1: missing required key `key`',
    ]),
    ("missing-model", ["missing-model"], [
        'missing-model/assistant.yaml:1:1: missing required key `model`',
    ]),
    ("name-too-long", ["name-too-long"], [
        'name-too-long/assistant.yaml:3:7: `name` is 257 characters long; the limit is 256',
    ]),
    ("nested-wrong-types", ["nested-wrong-types"], [
        'nested-wrong-types/assistant.yaml:6:24: `tools[0].file_search.max_num_results` must be between 1 and 50, got 80',
        'nested-wrong-types/assistant.yaml:7:33: `tools[0].file_search.ranking_options.ranker` must be one of auto, default_2024_08_21, got a string ("best")',
        'nested-wrong-types/assistant.yaml:7:56: `tools[0].file_search.ranking_options.score_threshold` must be between 0 and 1, got 2',
        'nested-wrong-types/assistant.yaml:9:33: `tools[1].function.strict` must be true or false, got a string ("true")',
        'nested-wrong-types/assistant.yaml:9:41: unknown key `paramters` — did you mean `parameters`?',
    ]),
    ("non-mapping-document", ["non-mapping-document"], [
        'non-mapping-document/assistants.yaml:4:1: a document must be a mapping (one assistant or agent), got a list',
    ]),
    ("non-utf8", ["non-utf8"], [
        'non-utf8/assistant.yaml:3:10: not UTF-8 text (byte 0xe9); save it as UTF-8',
    ]),
    ("python-tag", ["python-tag"], [
        'python-tag/assistant.yaml:2:8: unsupported tag `!!python/object/apply:os.system`: only plain YAML values are allowed',
    ]),
    ("response-format-invalid", ["response-format-invalid"], [
        'response-format-invalid/assistant.yaml:7:5: unknown key `shema` — did you mean `schema`?',
    ]),
    ("settings-below-root", ["settings-below-root"], [
        'settings-below-root/team/assistants.project.yaml:1:1: assistants.project.yaml is read only at a config root (here settings-below-root); move it there or pass settings-below-root/team as its own path',
    ]),
    ("symlink-escape", ["symlink-escape"], [
        'symlink-escape/assistant.yaml:3:20: `instructions_file` file `prompts/link.md` resolves (through a symlink) outside the config root `symlink-escape`',
    ]),
    ("temperature-range", ["temperature-range"], [
        'temperature-range/assistant.yaml:3:14: `temperature` must be between 0 and 2, got 2.5',
    ]),
    ("too-many-file-ids", ["too-many-file-ids"], [
        'too-many-file-ids/assistant.yaml:6:5: `tool_resources.code_interpreter.file_ids` has 21 items; the limit is 20',
    ]),
    ("too-many-tools", ["too-many-tools"], [
        'too-many-tools/assistant.yaml:3:1: `tools` has 129 items; the limit is 128',
    ]),
    ("too-many-vector-stores", ["too-many-vector-stores"], [
        'too-many-vector-stores/assistant.yaml:6:5: `tool_resources.file_search.vector_store_ids` has 2 items; the limit is 1',
    ]),
    ("top-p-range", ["top-p-range"], [
        'top-p-range/assistant.yaml:3:8: `top_p` must be between 0 and 1, got -0.1',
    ]),
    ("undefined-variable", ["undefined-variable"], [
        'undefined-variable/assistant.yaml:2:8: variable `ASSISTANTS_CORPUS_UNSET_MODEL` is not set (set it, or give a default: `${ASSISTANTS_CORPUS_UNSET_MODEL:-value}`)',
        'undefined-variable/assistant.yaml:5:24: variable `ASSISTANTS_CORPUS_UNSET_STORE` is not set (set it, or give a default: `${ASSISTANTS_CORPUS_UNSET_STORE:-value}`)',
    ]),
    ("unknown-key", ["unknown-key"], [
        'unknown-key/assistant.yaml:3:1: unknown key `instruction` — did you mean `instructions`?',
    ]),
    ("unknown-tool-type", ["unknown-tool-type"], [
        'unknown-tool-type/assistant.yaml:5:11: `tools[1].type` must be one of file_search, code_interpreter, function, got "web_search"',
        'unknown-tool-type/assistant.yaml:6:5: `tools[2]` needs a `type`: one of file_search, code_interpreter, function',
    ]),
    ("wrong-type", ["wrong-type"], [
        'wrong-type/assistant.yaml:3:8: `tools` must be a list, got a string ("file_search")',
        'wrong-type/assistant.yaml:4:10: `protect` must be true or false, got a string ("yes")',
    ]),
    ("yaml-syntax-error", ["yaml-syntax-error"], [
        "yaml-syntax-error/assistant.yaml:4:1: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence)",
    ]),
    ("oversize", ["oversize"], [
        "oversize/big.yaml:1:1: file is 1,100,023 bytes; the limit is 1,048,576 bytes (1 MiB)",
    ]),
    ("settings-disagree", ["settings-disagree/team-a", "settings-disagree/team-b"], [
        "settings-disagree/team-b/assistants.project.yaml:1:8: `owner` is `team-b` here but `team-a` in settings-disagree/team-a/assistants.project.yaml; settings of all config roots must agree",
    ]),
    ("missing-path", ["no-such-dir"], [
        "no-such-dir: no such file or directory",
    ]),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the corpus, plus the files too big to keep in git."""
    root = tmp_path_factory.mktemp("corpus") / "corpus"
    shutil.copytree(CORPUS, root, symlinks=True)
    big = "key: big\nmodel: gpt-4o\n" + "# padding\n" * 110_000
    assert len(big) > MAX_FILE_BYTES
    (root / "oversize" / "big.yaml").write_text(big)
    return root


@pytest.fixture
def run(corpus: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(corpus)
    for name in ("ASSISTANTS_CORPUS_UNSET_MODEL", "ASSISTANTS_CORPUS_UNSET_STORE",
                 "HR_VECTOR_STORE", "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)

    def invoke(*args: str):
        return CliRunner().invoke(main, ["validate", *args])

    return invoke


def test_corpus_has_a_case_per_directory() -> None:
    dirs = {p.name for p in CORPUS.iterdir() if p.is_dir()}
    assert dirs == {name for name, *_ in CASES if name != "missing-path"}
    assert len(CASES) >= 25


@pytest.mark.parametrize(("name", "args", "expected"), CASES, ids=[c[0] for c in CASES])
def test_broken_config_reports_exact_errors(run, name: str, args: list[str],
                                            expected: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line]
    assert lines == [f"error: {line}" for line in expected]


def test_all_errors_of_all_files_in_one_run(run) -> None:
    names = ["unknown-key", "metadata-number", "yaml-syntax-error", "undefined-variable",
             "duplicate-mapping-key", "binary"]
    result = run(*names)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    expected = [f"error: {line}" for name, _, lines_ in CASES if name in names
                for line in lines_]
    assert sorted(lines) == sorted(expected)
    assert len(lines) == 7
