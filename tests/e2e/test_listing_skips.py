"""Issue 14: on a server whose cursor skips items, a plan must not create second copies.

The server (`assistants serve --skip-paging`) sorts by whole-second `created_at` but compares a
cursor's id as a string, as a real open-source server does. 37 older assistants, then one apply
creates 110 in about a second: a single ascending cursor over the 147 skips some of the 110.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from assistants.local.objects import new_assistant
from assistants.local.store import Store
from reconciler.marker import live_marker
from tests.local.helpers import seed_store
from tests.support.cli import run_cli

OWNER = "skips"


def bots(folder: Path, count: int) -> Path:
    folder.mkdir()
    (folder / "assistants.project.yaml").write_text(f"owner: {OWNER}\n")
    for i in range(count):
        (folder / f"bot-{i:03}.yaml").write_text(f"key: bot-{i:03}\nmodel: gpt-4o\n"
                                                 f"name: Bot {i}\n")
    return folder


def live_keys(db: Path) -> Counter[str]:
    """Every live assistant's marker key, read from the store itself (no listing)."""
    store = Store(db)
    try:
        records = [store.get(i) for (i,) in store._db.execute(
            "SELECT id FROM assistants WHERE deleted = 0").fetchall()]
    finally:
        store.close()
    return Counter(m.key if (m := live_marker(r or {})) else "(unmanaged)" for r in records)


def test_apply_then_plan_on_a_skipping_server_creates_no_second_copies(serve, tmp_path):
    db = tmp_path / "skip.db"
    store = Store(db)
    older = int(time.time()) - 3600
    store.insert_many(new_assistant({"model": "gpt-4o", "name": f"old-{i}"},
                                    created_at=older + i) for i in range(37))
    store.close()
    handle = serve(db=db, skip_paging=True)
    env = {"OPENAI_API_KEY": "sk-skip", "ASSISTANTS_ENDPOINT": handle.base_url}
    config = bots(tmp_path / "bots", 110)

    applied = run_cli(["apply", str(config), "--auto-approve"], env=env, cwd=tmp_path)
    assert applied.exit_code == 0, applied.output
    with handle.client() as http:  # one bare ascending cursor, as the tool listed before
        walked: list[str] = []
        params: dict[str, object] = {"limit": 100, "order": "asc"}
        while True:
            body = http.get("/assistants", params=params).raise_for_status().json()
            walked += [a["id"] for a in body["data"]]
            if not body["has_more"]:
                break
            params["after"] = body["last_id"]
    assert len(set(walked)) < 147, "the fault must make a single cursor skip assistants"
    keys = live_keys(db)
    assert keys == Counter({"(unmanaged)": 37} | {f"bot-{i:03}": 1 for i in range(110)})

    planned = run_cli(["plan", str(config), "--detailed-exitcode", "--format", "json"],
                      env=env, cwd=tmp_path)
    assert planned.exit_code == 0, planned.output  # nothing to change: no create
    assert '"create": 0' in planned.stdout

    again = run_cli(["apply", str(config), "--auto-approve"], env=env, cwd=tmp_path)
    assert again.exit_code == 0, again.output
    assert live_keys(db) == keys  # no second copies
    posts = [e for e in handle.log_entries() if e["method"] == "POST"]
    assert len(posts) == 110


def test_plan_confirms_its_creates_and_finds_what_the_listing_skipped(serve, tmp_path):
    """The ascending cursor skips assistants 100..104 (ids chosen so) where the two ends do
    not overlap: the first listing misses them and would plan their keys as creates. Before
    it does, the plan reads both ends on to their ends, finds them, warns, and plans again."""
    db = tmp_path / "meet.db"
    ids = seed_store(db, 250, per_second=7, id_seed=14)
    store = Store(db)
    for n, ident in enumerate(ids[100:105]):
        record = store.get(ident)
        assert record is not None
        record.update(name=f"Bot {n}", metadata={"managed-by": f"v1;owner={OWNER};key=bot-{n:03}"})
        store.replace(record)
    store.close()
    handle = serve(db=db, skip_paging=True)
    env = {"OPENAI_API_KEY": "sk-skip", "ASSISTANTS_ENDPOINT": handle.base_url}
    config = bots(tmp_path / "bots", 5)

    planned = run_cli(["plan", str(config), "--detailed-exitcode"], env=env, cwd=tmp_path)
    assert planned.exit_code == 0, planned.output
    assert "No changes. 5 assistants match the config." in planned.stdout
    warnings = [line for line in planned.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "skips items" in warnings[0] and "found 5" in warnings[0]
    gets = [e for e in handle.log_entries() if e["method"] == "GET"]
    assert len(gets) == 6  # 3 pages each way: the meeting after 3, then both ends on to the end
