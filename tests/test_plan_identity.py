"""`build_plan` on identity questions (issue 14): the same plan whatever the order of documents
and live assistants, deletes that say why, and a note when another owner holds the keys a plan
would create. Pure: values in, a plan out."""

from __future__ import annotations

import io
import itertools
import json

import pytest

from reconciler.config.loader import Config
from reconciler.config.resolved import Document
from reconciler.config.settings import ProjectSettings
from reconciler.kinds.assistant import AssistantSpec
from reconciler.plan.change import Action, Change
from reconciler.plan.model import Plan
from reconciler.report.render import render_markdown, render_text
from tests.support.planning import plan_of as build_plan


def want(key: str, **fields) -> Document:
    return Document(AssistantSpec(key=key, model="gpt-4o", **fields), f"{key}.yaml:1")


def live(ident: str, owner: str, key: str, created_at: int = 1, **fields) -> dict:
    return {"id": ident, "object": "assistant", "created_at": created_at, "model": "gpt-4o",
            "metadata": {"managed-by": f"v1;owner={owner};key={key}"}, **fields}


def config(*assistants: Document) -> Config:
    return Config(paths=("c",), roots=(), settings=ProjectSettings(owner="acme"),
                  documents=assistants, config_sha256="0" * 64)


def plan_of(documents, world, owner="acme", **options) -> Plan:
    return build_plan(config(*documents), world, owner, endpoint="e", **options)


def test_the_plan_does_not_depend_on_the_order_of_documents_or_live_assistants():
    documents = [want("a"), want("b", id="asst_x"), want("c", name="C")]
    world = [live("asst_x", "acme", "a"), live("asst_c2", "acme", "c", created_at=9),
             live("asst_c1", "acme", "c", created_at=9), live("asst_old", "acme", "gone")]
    plans = {plan_of(docs, list(lives), prune=True).to_json()
             for docs in itertools.permutations(documents)
             for lives in itertools.permutations(world)}
    assert len(plans) == 1
    changes = json.loads(plans.pop())["changes"]
    assert [(c["action"], c["key"], c["id"]) for c in changes] == [
        ("create", "a", None), ("update", "b", "asst_x"), ("update", "c", "asst_c1"),
        ("delete", "c", "asst_c2"), ("delete", "gone", "asst_old")]


def test_each_delete_says_why():
    plan = plan_of([want("k")], [live("asst_2", "acme", "k", created_at=5),
                                 live("asst_1", "acme", "k", created_at=5),
                                 live("asst_9", "acme", "removed")], prune=True)
    reasons = {c.id: c.reason for c in plan.changes if c.action is Action.DELETE}
    assert reasons == {"asst_2": "a second copy of `k`; the kept one is asst_1",
                       "asst_9": "removed from the config"}
    data = json.loads(plan.to_json())
    assert {c["id"]: c.get("reason") for c in data["changes"]} == {
        "asst_1": None, **reasons}
    assert "reason" not in next(c for c in data["changes"] if c["action"] == "noop")


def test_a_saved_plan_keeps_the_reasons():
    plan = plan_of([want("k")], [live("asst_9", "acme", "removed")], prune=True)
    again = Plan.from_json(plan.to_json())
    assert again == plan and again.to_json() == plan.to_json()
    (delete,) = [c for c in again.changes if c.action is Action.DELETE]
    assert delete.reason == "removed from the config"
    assert Change.from_dict(delete.to_dict()) == delete


def test_a_reason_that_is_not_a_string_is_refused():
    data = Change.delete(kind="assistant", key="k", id="asst_1", before={}, live_sha256="0",
                         reason="x").to_dict()
    with pytest.raises(TypeError, match="reason"):
        Change.from_dict({**data, "reason": 7})


def test_text_and_markdown_show_the_reason_on_the_delete_line():
    plan = plan_of([want("k")], [live("asst_1", "acme", "k"), live("asst_2", "acme", "k"),
                                 live("asst_9", "acme", "removed")], prune=True)
    text = io.StringIO()
    render_text(plan, text)
    assert "  - k (asst_2): a second copy of `k`; the kept one is asst_1\n" in text.getvalue()
    assert "  - removed (asst_9): removed from the config\n" in text.getvalue()
    markdown = io.StringIO()
    render_markdown(plan, markdown)
    assert "| - delete | `removed` | `asst_9` | removed from the config |" in markdown.getvalue()
    assert ("<summary><code>- k (asst_2)</code>: a second copy of `k`; the kept one is "
            "asst_1</summary>") in markdown.getvalue()


def test_creating_keys_another_owner_holds_names_that_owner():
    """Issue 14.5: under a mistyped owner every assistant would be created again, silently."""
    documents = [want("a"), want("b"), want("c")]
    world = [live("asst_1", "holdout", "a"), live("asst_2", "holdout", "b"),
             live("asst_3", "bystander", "zz")]
    plan = plan_of(documents, world, owner="someone-else")
    assert plan.summary["create"] == 3
    (note,) = plan.notes
    assert note.startswith("owner `holdout` already has 2 of the 3 keys this plan creates "
                           "under owner `someone-else` (a, b)")
    assert "--owner holdout" in note and "--takeover" in note
    assert json.loads(plan.to_json())["notes"] == [note]
    text = io.StringIO()
    render_text(plan, text)
    assert f"  note: {note}\n" in text.getvalue()


def test_no_owner_note_when_nothing_held_elsewhere_is_created():
    world = [live("asst_1", "holdout", "a")]
    assert plan_of([want("a")], world, owner="holdout").notes == ()
    assert plan_of([want("a"), want("b")], world, owner="acme", only=["b"]).notes == ()
