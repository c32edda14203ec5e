"""`build_plan` is pure: matching, deletes and their reasons, `--only`, order and the plan file,
checked on values (no server)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from reconciler.config.loader import Config
from reconciler.config.resolved import Document
from reconciler.config.settings import ProjectSettings
from reconciler.errors import PlanError, TooManyDeletesError
from reconciler.kinds.assistant import AssistantSpec
from reconciler.plan.build import check_deletes
from reconciler.plan.change import Action
from reconciler.plan.model import Plan, sorted_keys
from tests.support.planning import plan_of as build_plan
from tests.support.planning import written as desired_fields

OWNER = "acme"


def desired(key: str, **fields: Any) -> Document:
    return Document(AssistantSpec(key=key, model="gpt-4o", **fields), f"{key}.yaml:1")


def config(*items: Document) -> Config:
    return Config(paths=("c",), roots=(), settings=ProjectSettings(owner=OWNER),
                  documents=items, config_sha256="0" * 64)


def twin(item: Document, ident: str, created_at: int = 1, **changes: Any) -> dict:
    return {"id": ident, "created_at": created_at, **desired_fields(item.spec, OWNER), **changes}


def marked(ident: str, key: str, *flags: str) -> dict:
    marker = ";".join([f"v1;owner={OWNER};key={key}", *flags])
    return {"id": ident, "model": "gpt-4o", "metadata": {"managed-by": marker}}


A, B = desired("a", name="A"), desired("b", temperature=0.5)
LIVE = [twin(A, "asst_1"), twin(B, "asst_2", temperature=0.9), marked("asst_3", "gone"),
        marked("asst_4", "kept", "protect"), twin(A, "asst_5", created_at=2),
        {"id": "asst_6", "model": "gpt-4o"},
        {"id": "asst_7", "model": "m", "metadata": {"managed-by": "v1;owner=other;key=x"}}]


def plan(*, prune: bool = False, only: tuple[str, ...] = (), items=(A, B), live=None) -> Plan:
    return build_plan(config(*items), LIVE if live is None else live, OWNER, endpoint="e",
                      prune=prune, only=only)


def test_actions_counts_and_order():
    made = plan()
    assert [(c.action, c.key, c.id) for c in made.changes] == [
        (Action.NOOP, "a", "asst_1"), (Action.UPDATE, "b", "asst_2")]
    assert made.summary == {"create": 0, "update": 1, "delete": 0, "noop": 1}
    assert (made.unmanaged, made.foreign) == (1, 1)
    assert [c.key for c in made.pending] == ["b"]


def test_orphans_are_named_with_their_reason_without_prune():
    reasons = {(o.key, o.id): o.reason for o in plan().orphans}
    assert reasons == {
        ("a", "asst_5"): "a second assistant for `a`, which is asst_1; --prune deletes this copy",
        ("gone", "asst_3"): "not in the config; --prune deletes it",
        ("kept", "asst_4"): "protected: never deleted",
    }


def test_prune_deletes_all_but_the_protected():
    made = plan(prune=True)
    deletes = sorted((c.key, c.id) for c in made.changes if c.action is Action.DELETE)
    assert deletes == [("a", "asst_5"), ("gone", "asst_3")]
    assert [(o.key, o.reason) for o in made.orphans] == [("kept", "protected: never deleted")]
    with pytest.raises(TooManyDeletesError):
        check_deletes(made, 1)
    check_deletes(made, 2)


def test_an_empty_config_deletes_nothing_even_with_prune():
    made = plan(prune=True, items=())
    assert made.changes == ()
    assert {o.reason for o in made.orphans} >= {
        "the config holds no documents: nothing is deleted"}


def test_only_keeps_the_named_keys_and_refuses_unknown_ones():
    made = plan(prune=True, only=("b", "gone"))
    assert sorted((c.action, c.key) for c in made.changes) == [
        (Action.DELETE, "gone"), (Action.UPDATE, "b")]
    assert made.orphans == ()
    with pytest.raises(PlanError, match="nope"):
        plan(only=("nope",))


def test_a_document_without_a_live_twin_is_created():
    made = plan(items=(A, desired("new", name="New")), live=[twin(A, "asst_1")])
    (create,) = made.pending
    assert (create.action, create.key, create.id) == (Action.CREATE, "new", None)


def test_the_plan_file_round_trips_and_refuses_what_it_did_not_write():
    made = plan(prune=True)
    text = made.to_json()
    assert Plan.from_json(text) == made and Plan.from_json(text).to_json() == text
    with pytest.raises(PlanError, match=r"^plan: plan format 3 is not 2 \(or 1\)"):
        Plan.from_json(text.replace('"format_version": 2', '"format_version": 3'))
    with pytest.raises(PlanError, match="not a plan file"):
        Plan.from_json('{"format_version": 2}')


def test_a_plan_of_format_1_is_read_as_assistants():
    """Plans saved before changes carried their kind (format 1) still apply."""
    made = plan(prune=True)
    data = json.loads(made.to_json())
    data["format_version"] = 1
    for change in data["changes"]:
        del change["kind"]
    for orphan in data["orphans"]:
        del orphan["kind"]
    old = Plan.from_json(json.dumps(data))
    assert old.changes == made.changes and old.orphans == made.orphans
    assert {c.kind for c in old.changes} == {"assistant"}


def test_sorted_keys_sorts_every_mapping():
    value = {"b": [{"y": 1, "x": 2}], "a": None}
    assert list(sorted_keys(value)) == ["a", "b"]
    assert list(sorted_keys(value)["b"][0]) == ["x", "y"]


def test_plans_and_orphans_are_frozen_and_count_nothing_by_default():
    from dataclasses import FrozenInstanceError

    made = Plan(endpoint="e", owner="o", paths=(), config_sha256="c", changes=())
    assert (made.unmanaged, made.foreign, made.orphans, made.notes) == (0, 0, (), ())
    with pytest.raises(FrozenInstanceError):
        made.changes = ()  # type: ignore[misc]
    orphan = plan().orphans[0]
    with pytest.raises(FrozenInstanceError):
        orphan.reason = ""  # type: ignore[misc]
    assert len({orphan, orphan}) == 1


def test_the_plan_file_is_indented_utf8_and_older_files_default_their_counts():
    made = Plan(endpoint="e", owner="o", paths=(), config_sha256="c", changes=(),
                notes=("naïve note",), unmanaged=2, foreign=3)
    text = made.to_json()
    assert text.startswith('{\n  "format_version": 2,\n') and "naïve note" in text
    assert Plan.from_json(text) == made
    bare = {k: v for k, v in json.loads(text).items()
            if k not in ("orphans", "unmanaged", "foreign", "notes")}
    old = Plan.from_json(json.dumps(bare))
    assert (old.orphans, old.unmanaged, old.foreign, old.notes) == ((), 0, 0, ())


def test_another_owners_assistant_named_by_id_needs_takeover():
    claimed = desired("x", id="asst_7", name="Mine now")
    with pytest.raises(PlanError, match="--takeover"):
        plan(items=(claimed,))
    taken = build_plan(config(claimed), LIVE, OWNER, endpoint="e", takeover=True)
    assert [(c.action, c.id) for c in taken.changes] == [(Action.UPDATE, "asst_7")]


def test_changes_of_one_key_are_sorted_by_id():
    kept, copy = twin(A, "asst_9", created_at=1), twin(A, "asst_2", created_at=2)
    made = plan(prune=True, items=(A,), live=[kept, copy])
    assert [(c.action, c.id) for c in made.changes] == [
        (Action.DELETE, "asst_2"), (Action.NOOP, "asst_9")]
