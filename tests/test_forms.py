"""Canonical forms worked out ahead of `build_plan` (reconciler/diff.py `Forms`, filled while
the listing is in flight) give exactly the plan worked out without them, and are not changed
by planning."""

from __future__ import annotations

import copy

from assistants.models import AssistantSpec
from reconciler.diff import Forms
from reconciler.identity import desired_fields
from reconciler.loader import Config, DesiredAssistant
from reconciler.plan import build_plan
from reconciler.settings import ProjectSettings

OWNER = "acme"


def desired(key: str, **fields) -> DesiredAssistant:
    return DesiredAssistant(AssistantSpec(key=key, model="gpt-4o", **fields), f"{key}.yaml:1")


def live_twin(item: DesiredAssistant, ident: str, **changes) -> dict:
    return {"id": ident, "object": "assistant", "created_at": 1,
            **desired_fields(item.spec, OWNER), **changes}


def test_forms_given_ahead_give_the_same_plan_and_stay_unchanged() -> None:
    same = desired("same", instructions="Be brief.", metadata={"team": "hr"})
    edited = desired("edited", temperature=0.5)
    ignoring = desired("ignoring", name="Ign", metadata={"owner": "me", "team": "x"},
                       ignore_changes=["metadata.owner", "name"])
    new = desired("new", temperature=0.2)
    live = [
        live_twin(same, "asst_1"),
        live_twin(edited, "asst_2", temperature=0.9),
        live_twin(ignoring, "asst_3", name="Renamed by hand",
                  metadata={**desired_fields(ignoring.spec, OWNER)["metadata"],
                            "owner": "someone else", "team": "y"}),
        {"id": "asst_4", "model": "gpt-4o",
         "metadata": {"managed-by": f"v1;owner={OWNER};key=gone"}},
    ]
    config = Config(paths=("c",), roots=(), settings=ProjectSettings(owner=OWNER),
                    assistants=(same, edited, ignoring, new), config_sha256="0" * 64)

    forms = Forms()
    for assistant in live:
        forms.add_live(assistant)
    for item in config.assistants:
        forms.add_desired(item, OWNER)
    kept = copy.deepcopy((forms._live, forms._desired))

    ahead = build_plan(config, live, OWNER, endpoint="e", prune=True, forms=forms)
    again = build_plan(config, live, OWNER, endpoint="e", prune=True, forms=forms)
    plain = build_plan(config, live, OWNER, endpoint="e", prune=True)
    assert ahead.to_json() == again.to_json() == plain.to_json()
    assert ahead.summary == {"create": 1, "update": 2, "delete": 1, "noop": 1}
    # `ignoring` changes `team` only: the ignored name and metadata.owner stay as they are.
    (update,) = [c for c in ahead.changes if c.key == "ignoring"]
    assert update.body == {"metadata": {**live[2]["metadata"], "team": "x"}}
    assert (forms._live, forms._desired) == kept
    # A create lists its fields in the API's order, the marker's metadata in its place.
    (create,) = [c for c in ahead.changes if c.key == "new"]
    assert create.fields == ("model", "metadata", "temperature")


def test_a_form_for_another_owner_is_not_reused() -> None:
    item = desired("k")
    forms = Forms()
    forms.add_desired(item, "first-owner")
    marker = forms.desired(item, "second-owner")["metadata"]["managed-by"]
    assert "owner=second-owner" in marker
