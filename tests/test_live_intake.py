"""What a plan keeps of the live assistants (reconciler/live_intake.py, `Forms` in diff.py): cut
down to stubs as they are taken in, they give exactly the plan the whole assistants give,
whenever the config becomes known; and only what a change needs keeps its canonical form."""

from __future__ import annotations

import copy
from types import MappingProxyType
from typing import Any

import pytest

from assistants.models import AssistantSpec
from reconciler.diff import Forms, LiveStub, live_sha256
from reconciler.identity import core_sha256, desired_fields, form_sha256, marked_sha256
from reconciler.live_intake import LiveIntake
from reconciler.load_file import Loaded
from reconciler.loader import Config, DesiredAssistant
from reconciler.plan import Plan, build_plan
from reconciler.settings import ProjectSettings

OWNER = "acme"


def desired(key: str, **fields: Any) -> DesiredAssistant:
    return DesiredAssistant(AssistantSpec(key=key, model="gpt-4o", **fields), f"{key}.yaml:1")


def twin(item: DesiredAssistant, ident: str, **changes: Any) -> dict[str, Any]:
    """`item` as a server holds it after `plan` created it, with `changes`."""
    return {"id": ident, "object": "assistant", "created_at": 1,
            **desired_fields(item.spec, OWNER), **changes}


def marked(ident: str, marker: str, **fields: Any) -> dict[str, Any]:
    return {"id": ident, "model": "gpt-4o", "metadata": {"managed-by": marker}, **fields}


SAME = desired("same", instructions="Be brief.", metadata={"team": "hr"})
EDITED = desired("edited", temperature=0.5)
IGNORING = desired("ignoring", name="Ign", metadata={"owner": "me", "team": "x"},
                   ignore_changes=["metadata.owner", "name"])
NEW = desired("new", temperature=0.2)
TWICE = desired("twice", name="Two copies")
ADOPT = desired("adopt", id="asst_7", name="Adopted")
MOVED = desired("moved", id="asst_8", name="Named by id")  # asst_8 is SAME_TOO's twin
SAME_TOO = desired("same-too", name="Same too")
WRITE_ONLY = desired("write-only", reasoning_effort="low")
OWN_ID = desired("own-id", id="asst_13", name="Its own id")

CONFIG = Config(paths=("c",), roots=(), settings=ProjectSettings(owner=OWNER),
                assistants=(SAME, EDITED, IGNORING, NEW, TWICE, ADOPT, MOVED, SAME_TOO,
                            WRITE_ONLY, OWN_ID),
                config_sha256="0" * 64)

LIVE = [
    twin(SAME, "asst_1"),
    twin(EDITED, "asst_2", temperature=0.9),
    twin(IGNORING, "asst_3", name="Renamed by hand",
         metadata={**desired_fields(IGNORING.spec, OWNER)["metadata"], "owner": "someone",
                   "team": "y"}),
    marked("asst_4", f"v1;owner={OWNER};key=gone"),
    twin(TWICE, "asst_5"),
    twin(TWICE, "asst_6"),
    marked("asst_7", f"v1;owner={OWNER};key=old-key", name="Adopted"),
    twin(SAME_TOO, "asst_8"),
    marked("asst_9", "v1;owner=someone-else;key=same"),
    {"id": "asst_10", "model": "gpt-4o", "name": "Made by hand"},
    {"id": "asst_11", "model": "gpt-4o", "temperature": "warm"},  # malformed, unmanaged
    {**twin(WRITE_ONLY, "asst_12"), "metadata": {"managed-by": f"v1;owner={OWNER};key=write-only"}},
    twin(OWN_ID, "asst_13"),
    marked("asst_14", f"v1;owner={OWNER};key=kept;protect"),
]


def through_intake(live: list[dict[str, Any]], known_after: int, prune: bool
                   ) -> tuple[Plan, LiveIntake]:
    forms = Forms()
    intake = LiveIntake(forms)
    for i, assistant in enumerate(copy.deepcopy(live)):
        if i == known_after:
            intake.config_known(CONFIG, OWNER, prune=prune)
        intake.take(assistant)
    if known_after >= len(live):
        intake.config_known(CONFIG, OWNER, prune=prune)
    return build_plan(CONFIG, intake.kept, OWNER, endpoint="e", prune=prune, forms=forms), intake


@pytest.mark.parametrize("prune", [False, True])
@pytest.mark.parametrize("known_after", [0, 5, len(LIVE)])
def test_stubs_give_the_plan_of_the_whole_assistants(known_after: int, prune: bool) -> None:
    whole = build_plan(CONFIG, copy.deepcopy(LIVE), OWNER, endpoint="e", prune=prune)
    plan, _ = through_intake(LIVE, known_after, prune)
    assert plan.to_json() == whole.to_json()
    by_key = {(c.key, c.id): c.action for c in plan.changes}
    assert by_key[("same", "asst_1")] == by_key[("twice", "asst_5")] == "noop"
    assert by_key[("own-id", "asst_13")] == "noop"
    assert by_key[("moved", "asst_8")] == "update"  # its id, though SAME_TOO's twin
    assert by_key[("same-too", None)] == "create"
    assert by_key[("adopt", "asst_7")] == "update"
    assert by_key[("write-only", "asst_12")] == "update"
    assert plan.unmanaged == 2 and plan.foreign == 1
    if prune:
        assert by_key[("twice", "asst_6")] == by_key[("gone", "asst_4")] == "delete"
        deleted = next(c for c in plan.changes if c.id == "asst_4")
        assert deleted.before == {"model": "gpt-4o",
                                  "metadata": {"managed-by": f"v1;owner={OWNER};key=gone"}}
    else:
        assert {o.id: o.reason.split(":")[0] for o in plan.orphans} == {
            "asst_4": "not in the config; --prune deletes it",
            "asst_6": "a second assistant for `twice`, which is asst_5; --prune deletes this copy",
            "asst_14": "protected"}


@pytest.mark.parametrize("known_after", [0, len(LIVE)])
def test_only_what_a_change_needs_keeps_its_form(known_after: int) -> None:
    _, intake = through_intake(LIVE, known_after, prune=False)
    assert len(intake.kept) == len(LIVE)
    # Each is cut down to a stub (the malformed asst_11 too: it is only counted), which keeps
    # nothing of its assistant but id and marker.
    stubs = [k for k in intake.kept if isinstance(k, LiveStub)]
    assert len(stubs) == len(LIVE)
    assert all(set(k) <= {"id", "metadata"} for k in stubs)
    assert all(set(k.get("metadata", {})) == {"managed-by"} for k in stubs if "metadata" in k)
    with_form = {k["id"] for k in stubs if intake.forms.digest(k) is not None}
    assert with_form == {"asst_2", "asst_3", "asst_6", "asst_7", "asst_8", "asst_12"}


def while_loading(live: list[dict[str, Any]], order: list[DesiredAssistant | int],
                  prune: bool = False, extra: tuple[DesiredAssistant, ...] = ()
                  ) -> tuple[Plan, list[str]]:
    """`LiveIntake` told the settings, then documents as a load finds them and live assistants
    as the listing brings them, in `order` (a desired assistant, or how many live ones to take
    next); `extra` are told too but are not in the config (another document's data). Returns
    the plan and the ids read again."""
    forms = Forms()
    intake = LiveIntake(forms)
    intake.settings_known(ProjectSettings(owner=OWNER))
    pending = copy.deepcopy(live)
    for step in [*extra, *order]:
        if isinstance(step, DesiredAssistant):
            intake.loaded(Loaded(assistants=[(None, step, "")]))  # type: ignore[list-item]
        else:
            intake.take_page(pending[:step])
            del pending[:step]
    intake.take_page(pending)
    by_id = {a["id"]: a for a in copy.deepcopy(live)}
    fetched = []
    for index in intake.doubtful(CONFIG, OWNER):
        fetched.append(intake.kept[index]["id"])
        intake.restore(index, by_id[intake.kept[index]["id"]])
    intake.config_known(CONFIG, OWNER, prune=prune)
    return build_plan(CONFIG, intake.kept, OWNER, endpoint="e", prune=prune,
                      forms=forms), fetched


DOCS = list(CONFIG.assistants)
ORDERS = {
    "documents first": [*DOCS],
    "documents last": [len(LIVE), *DOCS],
    "documents backwards, interleaved": [x for d in reversed(DOCS) for x in (d, 1)],
    "pages first, then documents": [3, *DOCS[:5], 4, *DOCS[5:]],
}


@pytest.mark.parametrize("prune", [False, True])
@pytest.mark.parametrize("order", ORDERS.values(), ids=ORDERS.keys())
def test_settling_while_the_config_loads_gives_the_same_plan(
        order: list[DesiredAssistant | int], prune: bool) -> None:
    whole = build_plan(CONFIG, copy.deepcopy(LIVE), OWNER, endpoint="e", prune=prune)
    plan, fetched = while_loading(LIVE, order, prune)
    assert plan.to_json() == whole.to_json()
    # SAME_TOO's twin asst_8 was settled for it, but MOVED names asst_8: read again.
    assert fetched == ["asst_8"]


def test_a_document_that_turns_out_to_be_data_unsettles_its_twin() -> None:
    data = desired("data-file", name="Looks like an assistant")
    live = [*LIVE, twin(data, "asst_15")]
    plan, fetched = while_loading(live, [*DOCS], extra=(data,))
    assert plan.to_json() == build_plan(CONFIG, copy.deepcopy(live), OWNER,
                                        endpoint="e").to_json()
    assert sorted(fetched) == ["asst_15", "asst_8"]


def test_an_orphan_keeps_its_form_only_when_pruning() -> None:
    for prune, kept in ((False, set()), (True, {"asst_4"})):
        _, intake = through_intake([LIVE[3]], 0, prune)
        assert {k["id"] for k in intake.kept if intake.forms.digest(k)} == kept


def test_a_malformed_assistant_that_is_paired_is_planned_alike_either_way() -> None:
    broken = [twin(SAME, "asst_1", temperature="warm")]
    whole = build_plan(CONFIG, copy.deepcopy(broken), OWNER, endpoint="e")
    cut, _ = through_intake(broken, 0, prune=False)
    assert cut.to_json() == whole.to_json()
    (change,) = [c for c in whole.changes if c.id == "asst_1"]
    assert change.body == {"temperature": None}  # the unreadable value is reset


def test_the_digest_of_a_form_is_that_of_its_marker_less_part_and_its_marker() -> None:
    item = desired("k", instructions="Hi", metadata={"team": "hr"})
    live = twin(item, "asst_1")
    assert live_sha256(live) == item.form_sha256(OWNER)
    assert live_sha256({**live, "name": "x"}) != item.form_sha256(OWNER)
    assert live_sha256(live) != item.form_sha256("another-owner")
    # A marker-less form and one with an empty metadata map are the same form; an empty
    # marker is a marker.
    assert live_sha256({"model": "m"}) == live_sha256({"model": "m", "metadata": {}})
    assert form_sha256({"model": "m"}) == marked_sha256(core_sha256({"model": "m"}), None)


def test_the_digest_of_a_form_tells_instructions_apart_whatever_their_type() -> None:
    forms = [{"model": "m"}, {"model": "m", "instructions": "Hi"},
             {"model": "m", "instructions": "Hi!"}, {"model": "m", "instructions": 5},
             {"model": "m", "instructions": "5"}, {"model": "m", "instructions": ["Hi"]},
             {"model": "m", "name": "Hi"}, {"model": "m", "instructions": "\n"}]
    digests = [core_sha256(form) for form in forms]
    assert len(set(digests)) == len(forms)
    assert core_sha256({"instructions": "Hi", "model": "m"}) == digests[1]  # order is no part

    class Text(str):
        pass

    # Equal forms, equal digests, whatever mapping or str type holds them.
    assert core_sha256(MappingProxyType({"model": "m"})) == digests[0]
    assert core_sha256({"model": "m", "instructions": Text("Hi")}) == digests[1]
    assert form_sha256({"model": "m", "metadata": {"managed-by": ""}}) != form_sha256(
        {"model": "m"})
