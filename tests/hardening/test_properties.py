"""Property tests over generated valid specs, in process against the embedded API:

- create, then plan: nothing to do;
- a random edit plans one update whose body holds exactly the differing fields, and after apply
  the plan is empty;
- the canonical form is idempotent (and insensitive to key order, `1` vs `1.0`, null vs empty);
- YAML written by `import` loads back to the same spec.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from assistants.canonical import MARKER_KEY
from assistants.client import AssistantsClient
from assistants.kinds.assistant import (
    MANAGED_FIELDS,
    WRITE_ONLY_FIELDS,
    adopt_default_ranker,
    canonical,
)
from reconciler.apply.applier import Applier
from reconciler.cli.local_client import local_client
from reconciler.config.importer import write_import
from reconciler.config.loader import load_config
from reconciler.kinds.assistant import AssistantSpec
from reconciler.marker import live_marker
from reconciler.plan.change import Action
from tests.hardening.hypothesis_profile import HARDENING
from tests.hardening.strategies import (
    OWNER,
    configs,
    documents,
    edits,
    spec_fields,
    write_config,
)
from tests.support.planning import plan_of as build_plan

ENDPOINT = "local:test"


def plan_against(client: AssistantsClient, folder: Path):
    async def go():
        config = load_config([folder], env={})
        live = await client.list_all()
        return config, build_plan(config, live, OWNER, endpoint=ENDPOINT)

    return go()


async def apply(client: AssistantsClient, folder: Path):
    _, plan = await plan_against(client, folder)
    # One process, so no concurrent apply to settle with: skip the settling wait.
    outcomes = await Applier(client, OWNER, settle_seconds=0).run(plan)
    assert all(o.ok for o in outcomes), [o.error for o in outcomes if not o.ok]
    return plan


def without_marker(live: dict[str, Any]) -> dict[str, Any]:
    form = canonical(live)
    metadata = {k: v for k, v in form.pop("metadata", {}).items() if k != MARKER_KEY}
    return {**form, "metadata": metadata} if metadata else form


SERVED_RANKER = {"tools": [{"type": "file_search", "file_search": {
    "ranking_options": {"ranker": "default_2024_08_21"}}}]}


def expected_fields(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    """What the update from document `before` to document `after` must send, computed from the
    documents alone: the managed fields whose canonical values differ, plus the write-only
    fields (and the metadata that carries their digest) when those differ."""
    # The server holds `before` with an unpinned ranker filled in (as the embedded API does),
    # and the diff reads an unpinned ranker in `after` as whichever default the server holds.
    old = adopt_default_ranker(canonical(AssistantSpec.model_validate(before).api_fields()),
                               SERVED_RANKER)
    new = adopt_default_ranker(canonical(AssistantSpec.model_validate(after).api_fields()), old)
    fields = {f for f in MANAGED_FIELDS if old.get(f) != new.get(f)}
    if any(before.get(f) != after.get(f) for f in WRITE_ONLY_FIELDS):
        fields |= {"metadata", *WRITE_ONLY_FIELDS}
    return fields


@settings(HARDENING, max_examples=40)
@given(configs())
def test_create_then_plan_is_empty(docs):
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_config(Path(tmp) / "config", docs)

        async def go():
            async with local_client(Path(tmp) / "db") as client:
                first = await apply(client, folder)
                assert {c.action for c in first.changes} == {Action.CREATE}
                _, again = await plan_against(client, folder)
                assert again.pending == (), [c.to_dict() for c in again.pending]
                live = await client.list_all()
                assert sorted(live_marker(a).key for a in live) == sorted(d["key"] for d in docs)

        asyncio.run(go())


@settings(HARDENING, max_examples=60)
@given(st.data())
def test_a_random_edit_sends_exactly_the_differing_fields_then_converges(data):
    before = data.draw(documents(key="edited"), label="before")
    after = data.draw(edits(before), label="after")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "config"

        async def go():
            async with local_client(Path(tmp) / "db") as client:
                await apply(client, write_config(folder, [before]))
                _, plan = await plan_against(client, write_config(folder, [after]))
                (change,) = plan.changes
                want = expected_fields(before, after)
                if not want:
                    assert change.action is Action.NOOP
                else:
                    assert change.action is Action.UPDATE
                    assert set(change.body) == want == set(change.fields)
                await apply(client, folder)
                _, again = await plan_against(client, folder)
                assert again.pending == (), [c.to_dict() for c in again.pending]
                (live,) = await client.list_all()
                spec = AssistantSpec.model_validate(after)
                served = without_marker(live)
                assert adopt_default_ranker(canonical(spec.api_fields()), served) == served

        asyncio.run(go())


# Live-looking objects: nulls where empties are meant, ints for floats, extra fields, defaults.
live_noise = st.fixed_dictionaries({}, optional={
    "object": st.just("assistant"), "created_at": st.integers(0, 2**31),
    "updated_at": st.floats(0, 1e9), "id": st.just("asst_x"),
    "name": st.none() | st.just(""), "description": st.none() | st.just(""),
    "tools": st.none() | st.just([]), "metadata": st.none() | st.just({}),
    "tool_resources": st.none() | st.just({}) | st.just({"file_search": {"vector_store_ids": []}}),
    "temperature": st.none() | st.just(1) | st.just(1.0), "top_p": st.none() | st.just(1),
    "response_format": st.none() | st.just("auto"),
})


@settings(HARDENING, max_examples=200)
@given(spec_fields(), live_noise)
def test_canonical_form_is_idempotent_and_ignores_noise(fields, noise):
    api = AssistantSpec.model_validate({"key": "k", **fields}).api_fields()
    once = canonical(api)
    assert canonical(once) == once
    # Server noise on fields the spec leaves at their default changes nothing.
    noisy = {**{k: v for k, v in noise.items() if k not in api}, **api}
    assert canonical(noisy) == once
    # Key order is irrelevant; integers equal their floats.
    reordered = dict(reversed(list(api.items())))
    for name in ("temperature", "top_p"):
        if isinstance(reordered.get(name), float) and reordered[name].is_integer():
            reordered[name] = int(reordered[name])
    assert canonical(reordered) == once


@settings(HARDENING, max_examples=40)
@given(configs(max_size=3))
# Found in CI: key `.` is written as `_..yaml` and `_..md`, not `..md`.
@example([{"key": ".", "model": "gpt-4o", "instructions": "\n", "description": ""}])
def test_import_writes_yaml_that_loads_back_to_the_same_spec(docs):
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_config(Path(tmp) / "config", docs)

        async def go():
            async with local_client(Path(tmp) / "db") as client:
                await apply(client, folder)
                return await client.list_all()

        live = asyncio.run(go())
        out = Path(tmp) / "imported"
        result = write_import(live, out)
        # The documents `import` builds and the YAML it wrote are the same data.
        loaded = {d.spec.key: d.spec for d in load_config([out], env={}).documents}
        assert sorted(loaded) == sorted(d["key"] for d in docs)
        by_key = {d["key"]: d for d in docs}
        for imported in result.files:
            spec = loaded[imported.key]
            assert spec.id == imported.id
            # The same key as the original (our marker) and the same API fields, less the
            # write-only ones a server never returns.
            original = AssistantSpec.model_validate(
                {k: v for k, v in by_key[imported.key].items() if k not in WRITE_ONLY_FIELDS})
            # (An unpinned ranker comes back pinned to the server's default ranker, which the
            # diff takes as equal: diff.adopt_default_ranker.)
            imported_form = canonical(spec.api_fields())
            assert adopt_default_ranker(canonical(original.api_fields()),
                                        imported_form) == imported_form
            # Long or multi-line instructions went to the file the document names.
            written_doc = yaml.safe_load(imported.path.read_text(encoding="utf-8"))
            if "instructions_file" in written_doc:
                text = (out / written_doc["instructions_file"]).read_bytes().decode("utf-8")
                assert imported.extra_files == (out / written_doc["instructions_file"],)
                assert text == spec.instructions


def test_import_of_a_key_starting_with_a_dot_loads_back(tmp_path):
    """Found by the property above: `.yaml` was a hidden file the loader skips (fixed in
    edc88c4)."""
    async def go():
        async with local_client(tmp_path / "db") as client:
            await apply(client, write_config(tmp_path / "config", [{"key": ".", "model": "m"}]))
            return await client.list_all()

    write_import(asyncio.run(go()), tmp_path / "imported")
    loaded = load_config([tmp_path / "imported"], env={})
    assert [d.spec.key for d in loaded.documents] == ["."]


def test_import_keeps_a_next_line_character(tmp_path):
    """Found by the property above: PyYAML wrote U+0085 in a single-quoted scalar, where YAML
    reads it as a line break (fixed in edc88c4)."""
    async def go():
        async with local_client(tmp_path / "db") as client:
            await client.create({"model": "m", "name": "a\x85b"})
            return await client.list_all()

    write_import(asyncio.run(go()), tmp_path / "imported")
    (loaded,) = load_config([tmp_path / "imported"], env={}).documents
    assert loaded.spec.name == "a\x85b"
