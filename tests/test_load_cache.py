"""The load cache (reconciler/load_cache.py): a file loaded before is taken from the cache only
while it, and every file it names, are unchanged and still allowed; the cache never changes a
result or an error, and a cache that cannot be used only costs time."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from assistants.errors import ConfigError
from reconciler.load_cache import FORMAT
from reconciler.loader import Config, load_config

SCHEMA = {"type": "object", "properties": {"q": {"type": "string"}}}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("ASSISTANTS_CACHE_DIR", str(directory))
    return directory


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    (root / "assistants").mkdir(parents=True)
    (root / "prompts").mkdir()
    (root / "schemas").mkdir()
    (root / "prompts/hr.md").write_text("Be kind.\n", encoding="utf-8")
    (root / "schemas/q.json").write_text(json.dumps(SCHEMA), encoding="utf-8")
    (root / "assistants/hr.yaml").write_text(
        "key: hr\nmodel: gpt-4o\nname: HR\ninstructions_file: ../prompts/hr.md\n"
        "tools:\n  - type: function\n    function:\n      name: ask\n"
        "      parameters_file: ../schemas/q.json\n", encoding="utf-8")
    (root / "assistants/it.yaml").write_text("key: it\nmodel: gpt-4o\nname: IT\n",
                                             encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return root


def entries(cache: Path) -> dict[bytes, str]:
    with sqlite3.connect(cache / f"load-v{FORMAT}.sqlite") as db:
        return dict(db.execute("SELECT key, entry FROM entries"))


def rewrite_entries(cache: Path, change: Callable[[str], str]) -> None:
    """Change every stored entry, as a way to see whether a load used it."""
    db = sqlite3.connect(cache / f"load-v{FORMAT}.sqlite")
    with db:
        for key, entry in list(db.execute("SELECT key, entry FROM entries")):
            db.execute("UPDATE entries SET entry = ? WHERE key = ?", (change(entry), key))
    db.close()


def rename_all(entry: str) -> str:
    """Every stored spec named "from the cache" (an entry is a line of JSON about its
    documents, then a line of JSON for each one's spec)."""
    head, *specs = entry.split("\n")
    return "\n".join([head, *(json.dumps({**json.loads(spec), "name": "from the cache"})
                              for spec in specs)])


def fields_set(value: Any) -> Any:
    """Which fields each model in `value` was given, all the way down."""
    if isinstance(value, BaseModel):
        return {"set": sorted(value.model_fields_set),
                **{name: fields_set(getattr(value, name)) for name in type(value).model_fields}}
    if isinstance(value, (list, tuple)):
        return [fields_set(item) for item in value]
    return None


def names(config: Config) -> dict[str, str | None]:
    return {d.spec.key: d.spec.name for d in config.assistants}


def test_an_unchanged_file_comes_from_the_cache_with_the_same_result(cache: Path,
                                                                     project: Path) -> None:
    first = load_config([project])
    assert len(entries(cache)) == 2
    second = load_config([project])
    assert second == first  # specs, sources, digests: the same config
    assert fields_set(second.assistants) == fields_set(first.assistants)
    hr = second.assistants[0].spec
    assert hr.instructions == "Be kind.\n"  # read from its file, not stored in the entry
    assert all("Be kind" not in entry for entry in entries(cache).values())
    rewrite_entries(cache, rename_all)
    assert names(load_config([project])) == {"hr": "from the cache", "it": "from the cache"}


def test_the_examples_load_the_same_from_the_cache(cache: Path) -> None:
    examples = Path(__file__).resolve().parents[1] / "examples"
    first = load_config([examples])
    without_variables = [f for f in (examples / "assistants").glob("*.yaml")
                         if "${" not in f.read_text()]
    assert len(entries(cache)) == len(without_variables) > 0
    second = load_config([examples])
    assert second == first
    assert fields_set(second.assistants) == fields_set(first.assistants)


@pytest.mark.parametrize("edit", ["yaml", "prompt", "schema"])
def test_editing_a_file_or_a_file_it_names_loads_it_again(cache: Path, project: Path,
                                                          edit: str) -> None:
    load_config([project])
    rewrite_entries(cache, rename_all)
    if edit == "yaml":
        path = project / "assistants/hr.yaml"
        path.write_text(path.read_text().replace("name: HR", "name: People"))
    elif edit == "prompt":
        (project / "prompts/hr.md").write_text("Be brief.\n")
    else:
        (project / "schemas/q.json").write_text(json.dumps({**SCHEMA, "required": ["q"]}))
    hr = load_config([project]).assistants[0].spec
    assert hr.name == ("People" if edit == "yaml" else "HR")
    assert hr.instructions == ("Be brief.\n" if edit == "prompt" else "Be kind.\n")
    assert hr.tools[0].function.parameters.get("required") == (  # type: ignore[union-attr]
        ["q"] if edit == "schema" else None)


def test_a_copy_of_the_config_elsewhere_finds_the_same_entries(cache: Path, project: Path,
                                                              tmp_path: Path) -> None:
    load_config([project])
    rewrite_entries(cache, rename_all)
    shutil.copytree(project, tmp_path / "checkout")
    copy = load_config([tmp_path / "checkout"])
    assert names(copy) == {"hr": "from the cache", "it": "from the cache"}
    assert copy.assistants[0].source == "checkout/assistants/hr.yaml:1"


def test_a_named_file_that_is_now_the_file_itself_is_refused(cache: Path, project: Path,
                                                             tmp_path: Path) -> None:
    # The prompt's text is the YAML's own, so only where it resolves tells the two apart.
    yaml_text = (project / "assistants/hr.yaml").read_text()
    (project / "prompts/hr.md").write_text(yaml_text)
    assert load_config([project]).assistants[0].spec.instructions == yaml_text
    shutil.copytree(project, tmp_path / "elsewhere")
    (tmp_path / "elsewhere/prompts/hr.md").unlink()
    (tmp_path / "elsewhere/prompts/hr.md").symlink_to("../assistants/hr.yaml")
    with pytest.raises(ConfigError) as raised:
        load_config([tmp_path / "elsewhere"])
    assert "names the file it is in" in str(raised.value)


def test_a_yaml_file_read_as_parameters_stays_data_on_a_warm_cache(cache: Path,
                                                                   project: Path) -> None:
    hr = project / "assistants/hr.yaml"
    hr.write_text(hr.read_text().replace("../schemas/q.json", "q-params.yaml"))
    (project / "assistants/q-params.yaml").write_text("type: object\n")
    for hit in (False, True):
        config = load_config([project])
        assert [d.spec.key for d in config.assistants] == ["hr", "it"]
        assert config.assistants[0].spec.tools[0].function.parameters == {  # type: ignore
            "type": "object"}
        assert names(config)["hr"] == ("from the cache" if hit else "HR")
        rewrite_entries(cache, rename_all)


def test_a_named_file_that_became_a_symlink_out_of_the_root_is_refused(
        cache: Path, project: Path, tmp_path: Path) -> None:
    load_config([project])
    assert len(entries(cache)) == 2
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "hr.md").write_text("Be kind.\n")  # the same text, somewhere not allowed
    (project / "prompts/hr.md").unlink()
    (project / "prompts/hr.md").symlink_to(outside / "hr.md")
    with pytest.raises(ConfigError) as raised:
        load_config([project])
    assert "resolves (through a symlink) outside the config root" in str(raised.value)


def test_a_deleted_named_file_is_an_error_as_without_a_cache(cache: Path,
                                                             project: Path) -> None:
    load_config([project])
    assert len(entries(cache)) == 2
    (project / "prompts/hr.md").unlink()
    with pytest.raises(ConfigError) as raised:
        load_config([project])
    assert "`instructions_file` file `../prompts/hr.md` not found" in str(raised.value)


def test_a_file_with_variables_is_never_stored(cache: Path, project: Path) -> None:
    (project / "assistants/it.yaml").write_text(
        "key: it\nmodel: gpt-4o\nname: ${IT_NAME}\n", encoding="utf-8")
    first = load_config([project], env={"IT_NAME": "s3cret-value"})
    assert names(first)["it"] == "s3cret-value"
    assert len(entries(cache)) == 1  # hr only
    assert b"s3cret-value" not in (cache / f"load-v{FORMAT}.sqlite").read_bytes()
    assert names(load_config([project], env={"IT_NAME": "other"}))["it"] == "other"


def test_errors_are_the_same_on_a_warm_cache(cache: Path, project: Path) -> None:
    # A key defined twice: the one in the valid, cached file is quoted by line and column.
    (project / "assistants/zz.yaml").write_text("key: it\nmodel: gpt-4o\n")
    (project / "assistants/bad.yaml").write_text("key: bad\nmodel: gpt-4o\ntemprature: 1\n")
    messages = []
    for _ in range(2):
        with pytest.raises(ConfigError) as raised:
            load_config([project])
        messages.append([str(problem) for problem in raised.value.problems])
    assert messages[0] == messages[1]
    assert ("project/assistants/zz.yaml:1:6: duplicate assistant key `it`: also defined at "
            "project/assistants/it.yaml:1:6") in messages[1]
    assert any(m.startswith("project/assistants/bad.yaml:3:1: unknown key `temprature`")
               for m in messages[1])
    assert len(entries(cache)) == 3  # hr, it and zz: each loaded without a problem


def test_a_narrower_root_refuses_what_a_wider_one_allowed(cache: Path, project: Path) -> None:
    load_config([project])
    assert len(entries(cache)) == 2
    (project / "assistants/assistants.project.yaml").write_text("owner: team\n")
    with pytest.raises(ConfigError) as raised:
        load_config([project / "assistants"])
    assert "`../prompts/hr.md` is outside the config root" in str(raised.value)


def test_specs_come_back_with_their_key_order(cache: Path, project: Path) -> None:
    # The order of `properties` is the order a strict JSON schema makes the model answer in.
    (project / "assistants/order.yaml").write_text(
        "key: order\nmodel: gpt-4o\nname: Order\nmetadata: {team: hr, env: prod}\n"
        "instructions: null\n"
        "response_format:\n  type: json_schema\n  json_schema:\n    name: answer\n"
        "    strict: true\n    schema:\n      type: object\n      additionalProperties: false\n"
        "      required: [reasoning, answer]\n      properties:\n"
        "        reasoning: {type: string}\n        answer: {type: string}\n")
    cold = load_config([project]).assistants[2].spec
    rewrite_entries(cache, rename_all)
    warm = load_config([project]).assistants[2].spec
    assert warm.name == "from the cache"
    assert json.dumps(warm.api_fields()) == json.dumps({**cold.api_fields(),
                                                        "name": "from the cache"})
    assert fields_set(warm) == fields_set(cold)  # `instructions: null` was set


def test_what_json_would_change_is_not_stored(cache: Path, project: Path) -> None:
    (project / "assistants/odd.yaml").write_text(
        "key: odd\nmodel: gpt-4o\ntools:\n  - type: function\n    function:\n"
        "      name: f\n      parameters: {type: object, properties: {2: {type: number}, "
        "x: {type: number, maximum: .inf}}}\n")
    first = load_config([project])
    assert len(entries(cache)) == 2  # hr and it; not odd
    second = load_config([project])
    assert second == first
    properties = second.assistants[2].spec.tools[0].function.parameters["properties"]  # type: ignore
    assert list(properties) == [2, "x"] and properties["x"]["maximum"] == float("inf")


def test_a_locked_cache_is_left_alone(cache: Path, project: Path) -> None:
    load_config([project])
    path = cache / f"load-v{FORMAT}.sqlite"
    inode = path.stat().st_ino
    (project / "assistants/new.yaml").write_text("key: new\nmodel: gpt-4o\n")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA locking_mode=EXCLUSIVE")  # another run holding the whole file,
    other.execute("BEGIN EXCLUSIVE")  # for longer than a load waits
    try:
        assert [d.spec.key for d in load_config([project]).assistants] == ["hr", "it", "new"]
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert path.stat().st_ino == inode
    assert len(entries(cache)) == 2  # kept; the new file is stored next time


def test_a_damaged_cache_file_is_replaced(cache: Path, project: Path) -> None:
    first = load_config([project])
    path = cache / f"load-v{FORMAT}.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    data[4096:] = b"\xff" * (len(data) - 4096)  # every page after the header's
    path.write_bytes(bytes(data))
    assert load_config([project]) == first
    rewrite_entries(cache, rename_all)  # a new file, with both files stored again
    assert names(load_config([project])) == {"hr": "from the cache", "it": "from the cache"}


def test_a_corrupt_cache_file_is_replaced(cache: Path, project: Path) -> None:
    first = load_config([project])
    path = cache / f"load-v{FORMAT}.sqlite"
    for stale in cache.iterdir():
        stale.unlink()
    path.write_bytes(b"this is not a database" * 100)
    assert load_config([project]) == first
    assert len(entries(cache)) == 2


def test_an_entry_of_another_shape_is_loaded_again(cache: Path, project: Path) -> None:
    first = load_config([project])
    rewrite_entries(cache, lambda entry: entry.replace('"digest":', '"sha":'))
    assert load_config([project]) == first


def test_an_unusable_cache_directory_costs_nothing_but_time(
        tmp_path: Path, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("ASSISTANTS_CACHE_DIR", str(blocker / "cache"))
    assert names(load_config([project])) == {"hr": "HR", "it": "IT"}


def test_the_cache_can_be_turned_off(cache: Path, project: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANTS_NO_CACHE", "1")
    load_config([project])
    assert not cache.exists()


def test_the_default_place_follows_xdg(tmp_path: Path, project: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSISTANTS_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    load_config([project])
    assert (tmp_path / "xdg/assistants-reconciler" / f"load-v{FORMAT}.sqlite").is_file()
    assert os.stat(tmp_path / "xdg/assistants-reconciler").st_mode & 0o077 == 0


def test_without_a_home_there_is_no_cache(tmp_path: Path, project: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ASSISTANTS_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(os.path, "expanduser", lambda path: path)  # as with no HOME, no user
    monkeypatch.chdir(project)
    assert names(load_config(["."])) == {"hr": "HR", "it": "IT"}
    assert not (project / "~").exists()
