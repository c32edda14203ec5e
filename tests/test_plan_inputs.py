"""Reading again, while the listing is taken in, the live assistants settled early for a
document that turns out not to pair with them (reconciler/plan_inputs.py `load_while_listing`,
`LiveIntake.doubtful`): one gone meanwhile is planned as gone, one whose marker changed stops
the plan, and a failed listing is reported before any read, as it would be without them."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Awaitable, Callable, Generator
from typing import Any

import pytest

from assistants.errors import NotFoundError, PlanError, ServerError, TransportError
from reconciler.diff import Forms
from reconciler.live_intake import LiveIntake
from reconciler.load_file import Loaded
from reconciler.loader import Config
from reconciler.plan import Plan, build_plan
from reconciler.plan_inputs import load_while_listing
from reconciler.settings import ProjectSettings
from tests.test_live_intake import OWNER, desired, twin

B = desired("b", name="B")  # in the config
DATA = desired("k", name="Data")  # found by the load, then left out as another file's data
CONFIG = Config(paths=("c",), roots=(), settings=ProjectSettings(owner=OWNER),
                assistants=(B,), config_sha256="0" * 64)
F = twin(DATA, "asst_1")  # settled early for DATA: doubtful once the config is known
G = twin(B, "asst_2")  # settled early for B: stays settled

Fetch = Callable[[str], Awaitable[dict[str, Any]]]


def steps(intake: LiveIntake) -> Generator[int, None, Config]:
    """A load as `load_steps(..., watch=intake)` runs one."""
    yield 2
    intake.settings_known(CONFIG.settings)
    for item in (DATA, B):
        intake.loaded(Loaded(assistants=[(None, item, "")]))  # type: ignore[list-item]
        yield 0
    for _ in range(5):  # the listing's page is taken in meanwhile
        yield 0
    return CONFIG


def plan_with(listing: Callable[[Any], Awaitable[list[Any]]], fetch: Fetch,
              prune: bool = False) -> Plan:
    forms = Forms()
    intake = LiveIntake(forms)

    async def main() -> Plan:
        config, owner = await load_while_listing(steps(intake), listing, lambda c: OWNER,
                                                 intake, fetch, prune=prune)
        return build_plan(config, intake.kept, owner, endpoint="e", prune=prune, forms=forms)

    return asyncio.run(main())


async def one_page(on_page: Callable[[list[dict[str, Any]]], None]) -> list[Any]:
    on_page(copy.deepcopy([F, G]))
    await asyncio.sleep(0)
    return []


def test_an_assistant_read_again_is_planned_as_it_is_now() -> None:
    read: list[str] = []

    async def fetch(ident: str) -> dict[str, Any]:
        read.append(ident)
        return {**copy.deepcopy(F), "name": "Renamed meanwhile"}

    plan = plan_with(one_page, fetch, prune=True)
    assert read == ["asst_1"]
    now = [{**copy.deepcopy(F), "name": "Renamed meanwhile"}, copy.deepcopy(G)]
    assert plan.to_json() == build_plan(CONFIG, now, OWNER, endpoint="e",
                                        prune=True).to_json()


def test_an_assistant_gone_before_it_is_read_again_is_planned_as_gone() -> None:
    async def fetch(ident: str) -> dict[str, Any]:
        raise NotFoundError(f"No assistant found with id '{ident}'.", status=404,
                            method="GET", url=f"http://x/v1/assistants/{ident}")

    plan = plan_with(one_page, fetch, prune=True)
    assert plan.to_json() == build_plan(CONFIG, [copy.deepcopy(G)], OWNER, endpoint="e",
                                        prune=True).to_json()


def test_an_assistant_whose_marker_changed_meanwhile_stops_the_plan() -> None:
    async def fetch(ident: str) -> dict[str, Any]:
        return twin(B, ident)  # re-keyed to `b`: it would now come before asst_2

    with pytest.raises(PlanError) as err:
        plan_with(one_page, fetch, prune=True)
    assert str(err.value) == ("assistant asst_1 changed owner or key while the plan was being "
                              "made; make the plan again")


def test_a_failed_listing_is_reported_before_reading_anything_again() -> None:
    read: list[str] = []

    async def failing_listing(on_page: Callable[[list[dict[str, Any]]], None]) -> list[Any]:
        on_page(copy.deepcopy([F, G]))
        raise ServerError("HTTP 500 on page 2", status=500, method="GET",
                          url="http://x/v1/assistants?after=asst_2")

    async def fetch(ident: str) -> dict[str, Any]:
        read.append(ident)
        raise TransportError("connection refused", method="GET",
                             url=f"http://x/v1/assistants/{ident}")

    with pytest.raises(ServerError):
        plan_with(failing_listing, fetch)
    assert read == []
