"""The benchmark harness at N=200 (no timings asserted), and `plan_paths` on a config of many
files: the plan of records (forms kept only where needed) equals the plan of whole objects, and
errors come in the order a user expects."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path

import pytest

from assistants.errors import TransportError
from bench import run as bench_run
from bench.workload import OWNER, seed_store, write_config
from reconciler.cli.context import RunContext
from reconciler.cli.session import endpoint_label, open_client, plan_paths
from reconciler.config.loader import load_config
from reconciler.errors import ConfigError
from tests.support.cli import NO_WAIT
from tests.support.planning import plan_of as build_plan

HEADINGS = ("## Targets (issue 15)", "## Plan vs floor", "## Start-up", "## Apply vs floor",
            "## CPU per assistant", "## Where a full load's CPU goes", "## Peak RSS",
            "## Requests", "## Per-assistant GET peer")


@pytest.mark.bench
def test_harness_reports_every_section_with_minimal_requests(tmp_path: Path) -> None:
    out = tmp_path / "out"
    data = bench_run.main(["--sizes", "200", "--reps", "1", "--updates", "40",
                           "--latency-ms", "5", "--startup-reps", "1", "--cpu-reps", "1",
                           "--once",
                           "--out", str(out), "--workdir", str(tmp_path)])
    report = (out / "report.md").read_text(encoding="utf-8")
    for heading in HEADINGS:
        assert heading in report
    assert "Machine:" in report and "at commit" in report
    for gone in ("load cache", "load_cache", "load child", "load_share", "no_cache", "warm"):
        assert gone not in report.lower()
    saved = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert saved["results"] == json.loads(json.dumps(data["results"]))

    (result,) = data["results"]
    assert set(bench_run.SECTIONS) <= set(result)
    assert result["managed"] == 100
    # Every plan is a whole process, timed beside the floor of its own server.
    for name in bench_run.PLANS:
        assert len(result["plan"][name]["plan"]["runs"]) == 1
        assert len(result["plan"][name]["floor"]["runs"]) == 1
    q = result["requests"]
    assert q["floor"] == 2
    assert q["plan_min"] == 3  # the ascending end alone, then both ends once: they meet
    for name in bench_run.PLANS:  # as the server logged them, and all list requests
        assert q[name] == q[f"{name}_lists"] == q["plan_min"], name
    assert q["changes"] == 2
    assert q["plan_apply_1"] == q["plan_apply_1_min"] == 5
    assert q["apply"] == q["apply_min"] == 40
    assert q["peer"] == q["peer_min"] == 202
    assert result["plan"]["changed"] == 2
    # Peak RSS of whole processes: a plan holds more than the imports alone.
    startup = data["startup"]
    assert startup["rss"]["plan"] > startup["rss"]["bare_imports"] > 0
    assert result["rss"]["plan_0"] > 0 and result["rss"]["plan_100"] > 0
    assert result["rss"]["live_json"] > 200 * 4000
    # Start-up: the four processes ran and their imports were timed (never compared: timings).
    for name in ("interpreter", "bare_imports", "plan", "plan_no_trio"):
        assert startup[name]["best"] > 0
    imports = startup["imports"]
    assert imports["total_us"] > 0 and startup["imports_no_trio_total_us"] > 0
    assert {"reconciler", "assistants"} <= {name for name, _ in imports["top"]}
    # Each stage of a full load is a part of it, measured over the config's files.
    stages = result["stages"]
    assert 0 < stages["parse"] < stages["load_file"]
    assert 0 < stages["validate"] < stages["load_file"]
    assert result["cpu"]["load_us"] > 0 and result["cpu"]["build_plan_us"] > 0


@pytest.fixture()
def big_config(tmp_path: Path) -> Path:
    return write_config(tmp_path / "config", 120)


def _refused_endpoint() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"  # nothing listens there now


def _remote(owner: str | None = None) -> RunContext:
    return RunContext(endpoint=_refused_endpoint(), owner=owner, timeout=5,
                      env={"OPENAI_API_KEY": "sk-test", **NO_WAIT})


def test_a_plan_of_records_equals_the_plan_of_whole_objects(big_config: Path,
                                                            tmp_path: Path) -> None:
    db = tmp_path / "local.db"
    n = seed_store(db, big_config)
    run = RunContext(local=True, db=str(db))

    async def both():
        config, plan = await plan_paths(run, [str(big_config)])
        async with open_client(run) as client:
            live = await client.list_all()
            again = build_plan(load_config([str(big_config)]), live, OWNER,
                               endpoint=endpoint_label(run, client))
        return config, plan, again

    config, plan, again = asyncio.run(both())
    assert len(config.documents) == n
    assert plan.summary["noop"] == n
    assert plan.to_json() == again.to_json()


def test_config_error_wins_over_a_listing_error(big_config: Path) -> None:
    bad = big_config / "assistants" / "asst-00077.yaml"
    bad.write_text(bad.read_text(encoding="utf-8") + "temprature: 0.5\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        asyncio.run(plan_paths(_remote(), [str(big_config)]))
    assert "asst-00077.yaml" in str(err.value)


def test_missing_owner_wins_over_a_listing_error(big_config: Path) -> None:
    (big_config / "assistants.project.yaml").write_text("max_deletes: 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="no owner"):
        asyncio.run(plan_paths(_remote(), [str(big_config)]))


def test_listing_error_of_a_valid_config(big_config: Path) -> None:
    with pytest.raises(TransportError):
        asyncio.run(plan_paths(_remote(), [str(big_config)]))


def test_config_error_wins_over_a_missing_credential(big_config: Path) -> None:
    bad = big_config / "assistants" / "asst-00003.yaml"
    bad.write_text("key: [unclosed\n", encoding="utf-8")
    run = RunContext(endpoint="http://127.0.0.1:9/v1", env={})
    with pytest.raises(ConfigError):
        asyncio.run(plan_paths(run, [str(big_config)]))
