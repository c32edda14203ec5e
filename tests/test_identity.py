"""The ownership marker and desired↔live matching, pure."""

from __future__ import annotations

import pytest

from reconciler.config.resolved import Document
from reconciler.errors import ConfigError, PlanError
from reconciler.kinds.assistant import AssistantSpec
from reconciler.marker import Marker, parse_marker, require_owner
from tests.support.planning import matched as match
from tests.support.planning import written as desired_fields


def want(key: str, **fields) -> Document:
    return Document(AssistantSpec(key=key, model="gpt-4o", **fields), f"{key}.yaml:1")


def live(ident: str, marker: str | None = None, **fields) -> dict:
    metadata = {"managed-by": marker} if marker else {}
    return {"id": ident, "model": "gpt-4o", "metadata": metadata, **fields}


@pytest.mark.parametrize("marker", [
    Marker("acme", "hr-helper"),
    Marker("acme.team_1", "a.b-c", protect=True),
    Marker("o", "k", write_only_digest="0123456789abcdef"),
    Marker("o", "k", protect=True, write_only_digest="0123456789abcdef"),
])
def test_marker_round_trips(marker):
    text = str(marker)
    assert len(text) <= 512
    assert parse_marker(text) == marker


@pytest.mark.parametrize("value", [None, 7, "", "acme/hr", "v2;owner=a;key=b", "v1;owner=;key=b",
                                   "v1;owner=a b;key=c", "v1;key=b"])
def test_foreign_or_broken_markers_are_not_ours(value):
    assert parse_marker(value) is None


def test_desired_fields_carry_the_marker_and_write_only_digest():
    plain = desired_fields(AssistantSpec(key="k", model="m", metadata={"team": "x"}), "acme")
    assert plain["metadata"] == {"team": "x", "managed-by": "v1;owner=acme;key=k"}
    effort = desired_fields(AssistantSpec(key="k", model="o3", reasoning_effort="high",
                                          protect=True), "acme")
    marker = parse_marker(effort["metadata"]["managed-by"])
    assert marker.protect and marker.write_only_digest and len(marker.write_only_digest) == 16
    assert effort["reasoning_effort"] == "high"


def test_matching_prefers_id_then_marker_then_create():
    found = match(
        [want("by-id", id="asst_x"), want("by-marker"), want("new")],
        [live("asst_x"), live("asst_m", "v1;owner=acme;key=by-marker"), live("asst_u")],
        "acme",
    )
    pairs = {p.desired.key: p.live.id if p.live else None for p in found.pairs}
    assert pairs == {"by-id": "asst_x", "by-marker": "asst_m", "new": None}
    assert (found.unmanaged, found.foreign, found.orphans) == (1, 0, ())


def test_a_stale_id_falls_back_to_the_marker_with_a_note():
    found = match([want("k", id="asst_gone")], [live("asst_new", "v1;owner=acme;key=k")], "acme")
    assert found.pairs[0].live.id == "asst_new"
    assert "asst_gone" in found.notes[0] and "matched by its marker" in found.notes[0]


def test_duplicates_of_one_key_leave_the_extra_as_an_orphan():
    found = match([want("k")], [live("asst_1", "v1;owner=acme;key=k"),
                                live("asst_2", "v1;owner=acme;key=k")], "acme")
    assert found.pairs[0].live.id == "asst_1"
    assert [o.id for o in found.orphans] == ["asst_2"]


def test_metadata_that_is_not_a_map_carries_no_marker():
    odd = [{"id": "asst_s", "metadata": "v1;owner=acme;key=k"}, {"id": "asst_l", "metadata": [1]}]
    matching = match([want("k")], odd, "acme")
    assert matching.unmanaged == 2 and matching.pairs[0].live is None


def test_other_owners_are_counted_and_refused_without_takeover():
    other = live("asst_o", "v1;owner=them;key=k")
    assert match([want("x")], [other], "acme").foreign == 1
    with pytest.raises(PlanError, match="owned by `them`"):
        match([want("k", id="asst_o")], [other], "acme")
    taken = match([want("k", id="asst_o")], [other], "acme", takeover=True)
    assert taken.pairs[0].live is not None and taken.pairs[0].live.id == "asst_o"


def test_one_id_claimed_by_two_documents_is_refused():
    with pytest.raises(PlanError, match="already claimed"):
        match([want("a", id="asst_1"), want("b", id="asst_1")], [live("asst_1")], "acme")


@pytest.mark.parametrize("owner,message", [(None, "no owner set"), ("", "no owner set"),
                                           ("a b", "must match")])
def test_owner_is_required_and_well_formed(owner, message):
    with pytest.raises(ConfigError, match=message):
        require_owner(owner)


def test_a_second_copy_of_a_key_is_named_as_such_in_the_plan():
    from reconciler.config.loader import Config
    from reconciler.config.settings import ProjectSettings
    from tests.support.planning import plan_of as build_plan

    config = Config(paths=("c",), roots=(), settings=ProjectSettings(owner="acme"),
                    documents=(want("k"),), config_sha256="0" * 64)
    plan = build_plan(config, [live("asst_1", "v1;owner=acme;key=k"),
                               live("asst_2", "v1;owner=acme;key=k")], "acme", endpoint="e")
    (orphan,) = plan.orphans
    assert (orphan.id, orphan.reason) == (
        "asst_2", "a second assistant for `k`, which is asst_1; --prune deletes this copy")


def claims(matching) -> dict[str, str | None]:
    return {p.desired.key: p.live.id if p.live else None for p in matching.pairs}


def test_explicit_ids_are_resolved_before_markers_whatever_the_document_order():
    """Issue 14.3: A (`key: a`) then B (`id: X`, X carrying a's marker) was refused, B then A
    was not. Every `id:` is resolved first: B adopts X and A is created, in both orders."""
    a, b = want("a"), want("b", id="asst_x")
    world = [live("asst_x", "v1;owner=acme;key=a")]
    for documents in ([a, b], [b, a]):
        found = match(documents, world, "acme")
        assert claims(found) == {"a": None, "b": "asst_x"}
        assert found.orphans == ()


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 2, 0)])
def test_the_oldest_copy_of_a_key_is_the_match_whatever_the_listing_order(order):
    copies = [live("asst_z", "v1;owner=acme;key=k", created_at=100),
              live("asst_y", "v1;owner=acme;key=k", created_at=200),
              live("asst_m", "v1;owner=acme;key=k", created_at=100)]  # ties with asst_z: id
    found = match([want("k")], [copies[i] for i in order], "acme")
    assert claims(found) == {"k": "asst_m"}
    assert sorted(o.id for o in found.orphans) == ["asst_y", "asst_z"]


def test_a_copy_without_created_at_counts_as_the_newest():
    found = match([want("k")], [live("asst_a", "v1;owner=acme;key=k"),
                                live("asst_b", "v1;owner=acme;key=k", created_at=5)], "acme")
    assert claims(found) == {"k": "asst_b"}


def test_an_id_claimed_twice_is_refused_in_the_same_words_in_either_order():
    one, two = want("a", id="asst_1"), want("b", id="asst_1")
    messages = set()
    for documents in ([one, two], [two, one]):
        with pytest.raises(PlanError, match="already claimed") as raised:
            match(documents, [live("asst_1")], "acme")
        messages.add(str(raised.value))
    assert len(messages) == 1


def test_keys_to_create_that_another_owner_holds_are_named():
    world = [live("asst_1", "v1;owner=holdout;key=a"), live("asst_2", "v1;owner=holdout;key=b"),
             live("asst_3", "v1;owner=other;key=zz")]
    found = match([want("a"), want("b"), want("c")], world, "someone-else")
    assert found.held_elsewhere == (("holdout", "a"), ("holdout", "b"))
    assert match([want("a")], world, "holdout").held_elsewhere == ()
