"""A large load shared with a forked child (reconciler/load_share.py): the same results in the
same order as one process, whatever the child does, and the same errors.

Each case runs in a fresh interpreter (tests/support/clean_process.py), where sharing is
allowed; each checks that the child really did part of the work."""

from __future__ import annotations

from pathlib import Path

from tests.support.clean_process import run_python

SHARE = """
import json, os, sys, time
from reconciler.load_share import Share, can_share

assert can_share(), "a fresh interpreter on 2+ CPUs may share"
PARENT = os.getpid()
in_child = lambda: os.getpid() != PARENT

def drain(share, work):
    for item in share.claims():
        share.keep(work(item))
        share.take_ready()
    while not share.finished:
        share.wait()
        share.take_ready()
    return share.results()
"""


def test_every_result_comes_back_in_item_order_from_both_processes() -> None:
    out = run_python(SHARE + """
def work(i):
    time.sleep(0.001)
    return [i * i, in_child()]

share = Share(work, list(range(300)))
results = drain(share, work)
print(json.dumps({"values": [r[0] for r in results],
                  "by_child": sum(r[1] for r in results)}))
""")
    assert out["values"] == [i * i for i in range(300)]
    assert 0 < out["by_child"] < 300  # both did some


def test_a_child_that_dies_midway_loses_nothing() -> None:
    out = run_python(SHARE + """
done_in_child = 0
def work(i):
    global done_in_child
    time.sleep(0.001)
    if in_child():
        done_in_child += 1
        if done_in_child == 40:  # killed with results claimed but not sent
            os._exit(9)
    return i * 3

share = Share(work, list(range(300)))
print(json.dumps(drain(share, work)))
""")
    assert out == [i * 3 for i in range(300)]


def test_a_child_that_dies_holding_the_claim_lock_does_not_hang_this_process() -> None:
    out = run_python(SHARE + """
class DiesHoldingTheLock(Share):
    child_claims = 0

    def _claim_back(self, *args):
        DiesHoldingTheLock.child_claims += 1
        if DiesHoldingTheLock.child_claims == 5:  # this process still has many to claim
            self._lock.acquire()
            os._exit(9)
        return super()._claim_back(*args)

def work(i):
    time.sleep(0.001)
    return -i

share = DiesHoldingTheLock(work, list(range(300)))
print(json.dumps(drain(share, work)))
""", timeout=60)
    assert out == [-i for i in range(300)]


def test_results_asked_for_early_does_what_is_left_here() -> None:
    out = run_python(SHARE + """
def work(i):
    time.sleep(0.001)
    if in_child() and i < 290:
        os._exit(9)
    return i + 1

share = Share(work, list(range(300)))
print(json.dumps(share.results()))  # no claims() first
""")
    assert out == [i + 1 for i in range(300)]


def test_an_error_in_the_child_is_raised_here_as_one_process_raises_it() -> None:
    out = run_python(SHARE + """
def work(i):
    time.sleep(0.001)
    if i == 250:
        raise ValueError(f"item {i} is bad")
    return i

share = Share(work, list(range(300)))
try:
    drain(share, work)
except ValueError as err:
    print(json.dumps(str(err)))
""")
    assert out == "item 250 is bad"


def test_ctrl_c_stops_the_child_at_once_under_asyncio_run() -> None:
    """asyncio.run's SIGINT handler, inherited through the fork, would only cancel the child's
    copy of the main task (and wake the parent's loop): the child must die instead."""
    out = run_python(SHARE + """
import asyncio, signal

async def main():
    share = Share(lambda i: time.sleep(0.05), list(range(200)))
    time.sleep(0.5)  # the child is at work
    os.kill(share._process.pid, signal.SIGINT)
    share._process.join(5)
    code = share._process.exitcode
    share.close()
    return code

print(json.dumps(asyncio.run(main())))
""")
    assert out == -2  # killed by SIGINT


def test_close_stops_a_running_child() -> None:
    out = run_python(SHARE + """
share = Share(lambda i: time.sleep(10), list(range(10)))
started = time.monotonic()
share.close()
print(json.dumps([share._process.is_alive(), time.monotonic() - started < 5]))
""")
    assert out == [False, True]


COUNT_SHARES = """
import reconciler.loader as loader

used = []  # for each load that decided whether to share: whether it did
real_start = loader.start_share
def start_share(*args):
    share = real_start(*args)
    used.append(share is not None)
    return share
loader.start_share = start_share
"""

LOAD_BOTH_WAYS = COUNT_SHARES + """
import json
from assistants.errors import ConfigError

def load(minimum):
    loader.SHARE_MIN_FILES = minimum
    try:
        config = loader.load_config([CONFIG], env={"TEAM": "x"})
    except ConfigError as err:
        return {"errors": [str(p) for p in err.problems]}
    return {"sha": config.config_sha256,
            "assistants": [[d.source, d.spec.model_dump(mode="json")]
                           for d in config.assistants]}

print(json.dumps({"alone": load(10**9), "shared": load(2), "used": used}))
"""


def _big_config(tmp_path: Path) -> Path:
    from bench.workload import write_config

    return write_config(tmp_path / "config", 120)


def _load_both_ways(config: Path) -> dict:
    # Without the load cache, or the second load would take every file from it.
    return run_python(f"CONFIG = {str(config)!r}\n" + LOAD_BOTH_WAYS,
                      env={"ASSISTANTS_NO_CACHE": "1"})


def test_a_shared_load_gives_the_same_config(tmp_path: Path) -> None:
    out = _load_both_ways(_big_config(tmp_path))
    assert out["used"] == [True]  # the second load only
    assert len(out["alone"]["assistants"]) == 120
    assert out["shared"] == out["alone"]


def test_a_load_mostly_in_the_cache_is_not_shared(tmp_path: Path) -> None:
    config = _big_config(tmp_path)
    out = run_python(f"CONFIG = {str(config)!r}\n" + COUNT_SHARES + """
import json
loader.SHARE_MIN_FILES = 2
cold = loader.load_config([CONFIG])
warm = loader.load_config([CONFIG])
print(json.dumps({"same": cold == warm, "used": used}))
""", env={"ASSISTANTS_CACHE_DIR": str(tmp_path / "cache")})
    assert out == {"same": True, "used": [True]}  # the cold load only


def test_both_processes_of_a_shared_load_take_unchanged_files_from_the_cache(
        tmp_path: Path) -> None:
    config = _big_config(tmp_path)
    files = sorted((config / "assistants").glob("*.yaml"))
    out = run_python(f"CONFIG = {str(config)!r}\nPIDS = {str(tmp_path / 'pids')!r}\n"
                     + COUNT_SHARES + """
import json, os, sqlite3
from pathlib import Path
from reconciler.load_cache import open_cache

first = loader.load_config([CONFIG])
db = sqlite3.connect(open_cache().path)
with db:  # every entry names its assistant differently, to see which files came from it
    for key, entry in list(db.execute("SELECT key, entry FROM entries")):
        head, spec = entry.split("\\n")  # a line about the document, then its spec
        entry = head + "\\n" + json.dumps({**json.loads(spec), "name": "cached"})
        db.execute("UPDATE entries SET entry = ? WHERE key = ?", (entry, key))
db.close()
# The first files changed (not in the cache), so that the load decides to share the rest.
for path in sorted(Path(CONFIG, "assistants").glob("*.yaml"))[:loader.SHARE_PROBE_FILES]:
    path.write_text(path.read_text() + "# edited\\n")
import reconciler.load_file as load_file
real_from_entry = load_file._from_entry
def from_entry(*args):
    with open(PIDS, "a") as pids:
        pids.write(f"{os.getpid()}\\n")
    return real_from_entry(*args)
load_file._from_entry = from_entry
loader.SHARE_MIN_FILES = 2
second = loader.load_config([CONFIG])
print(json.dumps({"names": [d.spec.name for d in second.assistants], "used": used}))
""", env={"ASSISTANTS_CACHE_DIR": str(tmp_path / "cache")})
    probe = 32
    assert out["used"] == [True]
    assert len(out["names"]) == len(files) == 120
    assert "cached" not in out["names"][:probe]
    assert set(out["names"][probe:]) == {"cached"}
    assert len(set((tmp_path / "pids").read_text().split())) == 2  # both read the cache


def test_a_shared_load_reports_the_same_errors_in_the_same_order(tmp_path: Path) -> None:
    config = _big_config(tmp_path)
    files = sorted((config / "assistants").glob("*.yaml"))
    # Errors near both ends (the parent loads from the front, the child from the back), a
    # duplicate key across the two, and a YAML file another file reads as data.
    files[1].write_text(files[1].read_text() + "temprature: 0.5\n")
    files[-2].write_text("key: [unclosed\n")
    files[-1].write_text(files[-1].read_text().replace("key: asst-00119", "key: asst-00000"))
    files[5].write_text(files[5].read_text().replace("name: ", "name: ${MISSING}", 1))
    out = _load_both_ways(config)
    assert out["used"] == [True]  # the second load only
    errors = out["alone"]["errors"]
    assert len(errors) == 4
    assert any("temprature" in e for e in errors)
    assert any("duplicate assistant key `asst-00000`" in e for e in errors)
    assert out["shared"]["errors"] == errors


PLAN_BOTH_WAYS = COUNT_SHARES + """
import asyncio, json
from bench.workload import OWNER
from reconciler.context import RunContext
from reconciler.plan import build_plan
from reconciler.workflow import endpoint_label, make_plan

loader.SHARE_MIN_FILES = 2
run = RunContext(local=True, db=DB)

async def both():
    # A document that adopts by id the live twin of another document: settled for that one
    # while the config loads, then read again (LiveIntake.doubtful).
    async with (await make_plan(run, [CONFIG]))[2] as client:
        twin = next(a for a in await client.list_all()
                    if a["metadata"]["managed-by"].endswith("key=asst-00060"))
    with open(CONFIG + "/assistants/adopter.yaml", "w") as f:
        f.write(f"key: adopter\\nmodel: gpt-4o\\nid: {twin['id']}\\n")
    config, plan, client = await make_plan(run, [CONFIG])
    async with client:
        live = await client.list_all()
    again = build_plan(loader.load_config([CONFIG]), live, OWNER,
                       endpoint=endpoint_label(run, client))
    return plan.to_json(), again.to_json()

made, again = asyncio.run(both())
print(json.dumps({"same": made == again, "used": used, "plan": json.loads(made)["summary"]}))
"""


def test_a_plan_over_a_shared_load_equals_the_one_process_plan(tmp_path: Path) -> None:
    config = _big_config(tmp_path)
    db = str(tmp_path / "local.db")
    run_python(f"""
from bench.workload import seed_store
seed_store({db!r}, {str(config)!r})
print(0)
""")
    # One update and one create besides the noops; and `adopter` (see PLAN_BOTH_WAYS).
    first = sorted((config / "assistants").glob("*.yaml"))[0]
    first.write_text(first.read_text().replace("temperature: 0.1", "temperature: 0.9"))
    (config / "assistants" / "new.yaml").write_text("key: brand-new\nmodel: gpt-4o\n")
    out = run_python(f"CONFIG, DB = {str(config)!r}, {db!r}\n" + PLAN_BOTH_WAYS,
                     env={"ASSISTANTS_NO_CACHE": "1"})  # else the files of earlier tests hit
    assert out["used"][0] is True
    assert out["same"] is True
    assert out["plan"] == {"create": 2, "update": 2, "delete": 0, "noop": 118}


def test_a_plan_against_a_host_name_still_shares_its_load(serve, tmp_path: Path) -> None:
    # Connecting to a host name looks it up in a thread; no fork may follow that.
    handle = serve()
    endpoint = handle.base_url.replace("127.0.0.1", "localhost")
    config = _big_config(tmp_path)
    out = run_python(f"CONFIG, ENDPOINT = {str(config)!r}, {endpoint!r}\n" + COUNT_SHARES + """
import asyncio, json
from reconciler.context import RunContext
from reconciler.workflow import make_plan

loader.SHARE_MIN_FILES = 2
run = RunContext(endpoint=ENDPOINT, env={"OPENAI_API_KEY": "sk-test"})

async def plan():
    config, plan, client = await make_plan(run, [CONFIG])
    await client.aclose()
    return plan.summary

print(json.dumps({"summary": asyncio.run(plan()), "used": used}))
""", env={"ASSISTANTS_NO_CACHE": "1"})
    assert out["summary"]["create"] == 120
    assert out["used"] == [True]
