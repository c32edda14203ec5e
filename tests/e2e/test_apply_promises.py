"""Apply's, `--only`'s and `ignore_changes`' promises, pinned end to end (issue 19): exactly
which writes reach `assistants serve`, read from its request log and its state afterwards.

Where a promise needs the world to change while apply runs (an assistant deleted by hand just
before apply writes to it; creates whose outcome stays unknown), a `ChaosProxy` sits in front of
the server and its script does that to one request, so the run is the same every time."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
import yaml

from assistants.canonical import MARKER_KEY
from reconciler.marker import live_marker
from tests.support.chaos_proxy import ChaosProxy, proxied_server
from tests.support.cli import run_cli

OWNER = "promises"
SKIPPED = "skipped: an earlier change failed and --fail-fast is set"


def env_for(base_url: str) -> dict[str, str]:
    return {"OPENAI_API_KEY": "sk-promises", "ASSISTANTS_ENDPOINT": base_url}


def write_config(folder: Path, docs: list[dict]) -> Path:
    """A config folder holding the settings file and `docs`, all in one file."""
    folder.mkdir(exist_ok=True)
    (folder / "assistants.project.yaml").write_text(f"owner: {OWNER}\n")
    for old in folder.glob("*.yaml"):
        if old.name != "assistants.project.yaml":
            old.unlink()
    if docs:
        (folder / "assistants.yaml").write_text(yaml.safe_dump_all(docs, sort_keys=False))
    return folder


def marker(key: str, protect: bool = False, owner: str = OWNER) -> str:
    return f"v1;owner={owner};key={key}" + (";protect" if protect else "")


def create_by_hand(client: httpx.Client, key: str | None, owner: str = OWNER, **fields) -> str:
    """An assistant made straight through the API (with `owner`'s marker for `key`)."""
    body = {"model": "gpt-4o", **fields}
    if key is not None:
        body["metadata"] = {**body.get("metadata", {}), MARKER_KEY: marker(key, owner=owner)}
    response = client.post("/assistants", json=body)
    assert response.status_code == 200, response.text
    return response.json()["id"]


def live(client: httpx.Client) -> list[dict]:
    response = client.get("/assistants", params={"limit": 100, "order": "asc"})
    assert response.status_code == 200, response.text
    return response.json()["data"]


def ids_by_key(client: httpx.Client) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for assistant in live(client):
        found = live_marker(assistant)
        key = found.key if found and found.owner == OWNER else "(not ours)"
        keys.setdefault(key, []).append(assistant["id"])
    return keys


def writes(entries: list[dict]) -> list[tuple[str, str]]:
    return [(e["method"], e["path"]) for e in entries if e["method"] in ("POST", "DELETE")]


def doc(key: str, **fields) -> dict:
    return {"key": key, "model": "gpt-4o", **fields}


# -- 1. --only ------------------------------------------------------------------------------


def test_only_plans_and_applies_only_the_named_key(serve, tmp_path):
    handle = serve()
    env = env_for(handle.base_url)
    with handle.client() as client:
        b_id = create_by_hand(client, "b", name="B")
    config = write_config(tmp_path / "config", [doc("a", name="A"), doc("b", name="B2"),
                                                doc("c", name="C")])
    planned = run_cli(["plan", str(config), "--only", "a", "--format", "json"], env=env)
    assert planned.exit_code == 0, planned.output
    assert [(c["action"], c["key"]) for c in json.loads(planned.stdout)["changes"]] == [
        ("create", "a")]

    applied = run_cli(["apply", str(config), "--only", "a", "--auto-approve"], env=env,
                      cwd=tmp_path)
    assert applied.exit_code == 0, applied.output
    assert writes(handle.log_entries()) == [("POST", "/v1/assistants")] * 2  # b by hand, then a
    with handle.client() as client:
        assert ids_by_key(client).keys() == {"a", "b"}
        assert client.get(f"/assistants/{b_id}").json()["name"] == "B"


@pytest.mark.parametrize(
    ("config_keys", "only", "remaining"),
    [
        # a is in the config: --only a --prune deletes its second copy, no other orphan.
        (["a", "b"], ["a"], {"a": 1, "x": 1, "y": 1}),
        # a left the config: both copies are orphans of a; x and y stay.
        (["b"], ["a"], {"x": 1, "y": 1}),
        # x is only on the server: --only x --prune deletes exactly it.
        (["a", "b"], ["x"], {"a": 2, "y": 1}),
    ],
    ids=["second-copy", "removed-key", "orphan-only-on-server"],
)
def test_only_with_prune_deletes_only_the_named_keys_copies(serve, tmp_path, config_keys, only,
                                                            remaining):
    handle = serve()
    env = env_for(handle.base_url)
    with handle.client() as client:
        for key in ("a", "a", "x", "y"):
            create_by_hand(client, key, name=key.upper())
        before = ids_by_key(client)
    config = write_config(tmp_path / "config",
                          [doc(k, name=k.upper()) for k in config_keys])
    args = ["apply", str(config), "--prune", "--max-deletes", "9", "--auto-approve"]
    result = run_cli(args + [a for key in only for a in ("--only", key)], env=env, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    with handle.client() as client:
        after = ids_by_key(client)
    assert {k: len(v) for k, v in after.items()} == remaining
    deleted = [path for method, path in writes(handle.log_entries()) if method == "DELETE"]
    gone = {i for ids in before.values() for i in ids} - {i for ids in after.values() for i in ids}
    assert sorted(deleted) == sorted(f"/v1/assistants/{i}" for i in gone)
    assert all(i in before[only[0]] for i in gone)
    assert ("POST", "/v1/assistants") not in writes(handle.log_entries()[4:])  # b not created


# -- 2. failures and --fail-fast --------------------------------------------------------------


def delete_by_hand_before(proxy: ChaosProxy, upstream: str, method: str, path: str):
    """A proxy script: just before `method path` reaches the server, someone deletes that
    assistant by hand (once); the request then goes on and meets a 404."""
    done = []

    def script(n: int, m: str, p: str) -> None:
        if m == method and p == path and not done:
            done.append(n)
            headers = {"Authorization": "Bearer sk-hand", "OpenAI-Beta": "assistants=v2"}
            assert httpx.delete(upstream + p.removeprefix("/v1"),
                                headers=headers).status_code == 200
        return None

    return script


def create_script(actions: list[str]):
    """The n-th create (POST /v1/assistants) gets actions[n-1]; later ones the last action."""
    seen = []

    def script(n: int, m: str, p: str) -> str | None:
        if (m, p) != ("POST", "/v1/assistants"):
            return None
        seen.append(n)
        return actions[min(len(seen), len(actions)) - 1]

    return script


@pytest.mark.parametrize("fail_fast", [False, True], ids=["default", "fail-fast"])
def test_a_failed_update_skips_later_changes_only_with_fail_fast(tmp_path, fail_fast):
    with proxied_server(tmp_path / "server") as (handle, proxy):
        with handle.client() as client:
            ids = {key: create_by_hand(client, key, name=key) for key in ("a", "b", "c", "x")}
        config = write_config(tmp_path / "config",
                              [doc(k, name=k.upper()) for k in ("a", "b", "c")])
        proxy.script = delete_by_hand_before(proxy, handle.base_url, "POST",
                                             f"/v1/assistants/{ids['b']}")
        ids_file = tmp_path / "ids.json"
        args = ["apply", str(config), "--prune", "--max-deletes", "1", "--auto-approve",
                "--concurrency", "1", "--ids-out", str(ids_file)]
        args += ["--fail-fast"] if fail_fast else []
        result = run_cli(args, env=env_for(proxy.base_url), cwd=tmp_path)
        sent = writes(handle.log_entries())
        with handle.client() as client:
            names = {a["id"]: a["name"] for a in live(client)}

    assert result.exit_code == 1, result.output
    assert f"b ({ids['b']}): failed: b ({ids['b']}) no longer exists" in result.stdout
    assert "unknown" not in result.output
    assert ("POST", f"/v1/assistants/{ids['a']}") in sent and names[ids["a"]] == "A"
    ids_out = json.loads(ids_file.read_text())
    assert "b" not in ids_out and ids_out["a"] == ids["a"]  # b is gone: no id to deploy
    later = [("POST", f"/v1/assistants/{ids['c']}"), ("DELETE", f"/v1/assistants/{ids['x']}")]
    if fail_fast:
        assert not set(later) & set(sent)
        assert names == {ids["a"]: "A", ids["c"]: "c", ids["x"]: "x"}
        assert f"~ c ({ids['c']}): failed: {SKIPPED}" in result.stdout
        assert f"- x ({ids['x']}): failed: {SKIPPED}" in result.stdout
        assert "Apply: 0 created, 1 updated, 0 deleted, 3 failed." in result.stdout
    else:
        assert set(later) <= set(sent)
        assert names == {ids["a"]: "A", ids["c"]: "C"}
        assert SKIPPED not in result.stdout
        assert "Apply: 0 created, 2 updated, 1 deleted, 1 failed." in result.stdout
        assert ids_out == {"a": ids["a"], "c": ids["c"]}


def test_fail_fast_sends_no_create_after_a_failed_one(tmp_path):
    with proxied_server(tmp_path / "server") as (handle, proxy):
        with handle.client() as client:
            c_id = create_by_hand(client, "c", name="c")
        config = write_config(tmp_path / "config",
                              [doc(k, name=k.upper()) for k in ("a", "b", "c")])
        proxy.script = create_script(["status:400", "pass"])
        result = run_cli(["apply", str(config), "--auto-approve", "--concurrency", "1",
                          "--fail-fast"], env=env_for(proxy.base_url), cwd=tmp_path)
        sent = [(m, p) for _, m, p, _ in proxy.log if m in ("POST", "DELETE")]
        with handle.client() as client:
            keys = ids_by_key(client)

    assert result.exit_code == 1, result.output
    assert sent == [("POST", "/v1/assistants")]
    assert keys == {"c": [c_id]}
    assert "unknown" not in result.output
    failed = sorted(line for line in result.stdout.splitlines() if line.startswith("x "))
    assert len(failed) == 3 and failed[0].startswith("x + a: failed: POST ")
    assert failed[1:] == [f"x + b: failed: {SKIPPED}", f"x ~ c ({c_id}): failed: {SKIPPED}"]


# -- 3. a delete that finds the assistant gone ----------------------------------------------


def test_deleting_an_assistant_already_gone_counts_as_done(tmp_path):
    with proxied_server(tmp_path / "server") as (handle, proxy):
        with handle.client() as client:
            keep = create_by_hand(client, "keep", name="KEEP")
            gone = create_by_hand(client, "gone", name="GONE")
        config = write_config(tmp_path / "config", [doc("keep", name="KEEP")])
        proxy.script = delete_by_hand_before(proxy, handle.base_url, "DELETE",
                                             f"/v1/assistants/{gone}")
        result = run_cli(["apply", str(config), "--prune", "--max-deletes", "1",
                          "--auto-approve"], env=env_for(proxy.base_url), cwd=tmp_path)
        statuses = [e["status"] for e in handle.log_entries()
                    if (e["method"], e["path"]) == ("DELETE", f"/v1/assistants/{gone}")]
        with handle.client() as client:
            remaining = [a["id"] for a in live(client)]

    assert statuses == [200, 404]  # by hand, then ours
    assert result.exit_code == 0, result.output
    assert f"- gone ({gone}): deleted (already gone)" in result.stdout
    assert "Apply: 0 created, 0 updated, 1 deleted, 0 failed." in result.stdout
    assert remaining == [keep]


# -- 4. --ids-out after a prune -------------------------------------------------------------


def test_ids_out_after_prune_lists_only_assistants_that_remain(serve, tmp_path):
    handle = serve()
    env = env_for(handle.base_url)
    config = write_config(tmp_path / "config", [doc("a", name="A"), doc("b", name="B")])
    assert run_cli(["apply", str(config), "--auto-approve"], env=env, cwd=tmp_path).exit_code == 0
    with handle.client() as client:
        create_by_hand(client, "a", name="A")  # a second copy of a
        create_by_hand(client, "x", name="X")  # an orphan
    write_config(config, [doc("a", name="A"), doc("b", name="B2"), doc("c", name="C")])
    ids_file = tmp_path / "ids.json"
    result = run_cli(["apply", str(config), "--auto-approve", "--prune", "--max-deletes", "2",
                      "--ids-out", str(ids_file)], env=env, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert "2 deleted" in result.stdout
    with handle.client() as client:
        after = ids_by_key(client)
    assert json.loads(ids_file.read_text()) == {"a": after["a"][0], "b": after["b"][0],
                                                "c": after["c"][0]}
    assert {k: len(v) for k, v in after.items()} == {"a": 1, "b": 1, "c": 1}


# -- 5. ignore_changes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "ignored", "sent"),
    [
        # The live assistant has the server's default temperature: nothing to keep, nothing sent.
        ({"temperature": 0.3}, "temperature", {}),
        # Nothing live under tool_resources: no empty map is left to send.
        ({"tool_resources": {"file_search": {"vector_store_ids": ["vs_new"]}}},
         "tool_resources.file_search.vector_store_ids", {}),
        # ... while what the config sets beside the ignored path is still sent.
        ({"tool_resources": {"file_search": {"vector_store_ids": ["vs_new"]},
                             "code_interpreter": {"file_ids": ["file-a"]}}},
         "tool_resources.file_search.vector_store_ids",
         {"tool_resources": {"code_interpreter": {"file_ids": ["file-a"]}}}),
    ],
    ids=["temperature", "nested-vector-store-ids", "nested-with-sibling"],
)
def test_an_ignored_field_the_live_assistant_lacks_is_not_sent(serve, tmp_path, edit, ignored,
                                                               sent):
    handle = serve()
    env = env_for(handle.base_url)
    first = doc("bot", name="Bot", tools=[{"type": "code_interpreter"}, {"type": "file_search"}])
    config = write_config(tmp_path / "config", [first])
    assert run_cli(["apply", str(config), "--auto-approve"], env=env, cwd=tmp_path).exit_code == 0
    with handle.client() as client:
        (bot,) = live(client)
    write_config(config, [{**first, "name": "Bot 2", **edit, "ignore_changes": [ignored]}])
    count = len(handle.log_entries())

    result = run_cli(["apply", str(config), "--auto-approve"], env=env, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    posts = [e for e in handle.log_entries()[count:] if e["method"] == "POST"]
    assert [(e["path"], e["body"]) for e in posts] == [(f"/v1/assistants/{bot['id']}",
                                                       {"name": "Bot 2", **sent})]
    with handle.client() as client:
        (after,) = live(client)
    changed = {"name", "updated_at", *sent}
    assert {k: v for k, v in after.items() if k not in changed} == {
        k: v for k, v in bot.items() if k not in changed}
    again = run_cli(["plan", str(config), "--detailed-exitcode"], env=env)
    assert again.exit_code == 0, again.output


def test_ignored_metadata_still_carries_the_marker_and_protect(serve, tmp_path):
    handle = serve()
    env = env_for(handle.base_url)
    with handle.client() as client:
        bot_id = create_by_hand(client, None, name="Bot", metadata={"team": "by-hand"})
    adopted = doc("bot", id=bot_id, name="Bot", metadata={"team": "from-git"},
                  ignore_changes=["metadata"])
    config = write_config(tmp_path / "config", [adopted])

    def metadata() -> dict:
        with handle.client() as client:
            return client.get(f"/assistants/{bot_id}").json()["metadata"]

    assert run_cli(["apply", str(config), "--auto-approve"], env=env, cwd=tmp_path).exit_code == 0
    assert metadata() == {"team": "by-hand", MARKER_KEY: marker("bot")}
    assert run_cli(["plan", str(config), "--detailed-exitcode"], env=env).exit_code == 0

    write_config(config, [{**adopted, "protect": True}])
    assert run_cli(["apply", str(config), "--auto-approve"], env=env, cwd=tmp_path).exit_code == 0
    assert metadata() == {"team": "by-hand", MARKER_KEY: marker("bot", protect=True)}

    write_config(config, [doc("other", name="Other")])
    pruned = run_cli(["apply", str(config), "--auto-approve", "--prune", "--max-deletes", "9"],
                     env=env, cwd=tmp_path)
    assert pruned.exit_code == 0, pruned.output
    assert "protected: never deleted" in pruned.stdout
    assert all(method != "DELETE" for method, _ in writes(handle.log_entries()))
    assert metadata()[MARKER_KEY] == marker("bot", protect=True)


# -- 6. creates whose outcome stays unknown ---------------------------------------------------


@pytest.mark.parametrize(
    ("actions", "fail_fast", "exit_code", "copies"),
    [
        # Refused before the work, every time: sent again each round, never found.
        (["status:500"], False, 1, {}),
        # Done, then a 500: found by its marker, never sent again.
        (["status-after:500"], False, 0, {"a": 1, "b": 1}),
        # One create refused (400), the other unknown and not found: --fail-fast stops the
        # rounds, and the message says how often it was really tried.
        (["status:400", "status:500", "pass"], True, 1, {}),
    ],
    ids=["never-created", "created-then-500", "fail-fast"],
)
def test_unknown_creates_are_tried_as_often_as_the_message_says(tmp_path, actions, fail_fast,
                                                                exit_code, copies):
    with proxied_server(tmp_path / "server") as (handle, proxy):
        with handle.client() as client:  # another owner's `a` confirms none of our creates
            create_by_hand(client, "a", owner="someone-else", name="Theirs")
        config = write_config(tmp_path / "config", [doc("a", name="A"), doc("b", name="B")])
        proxy.script = create_script(actions)
        result = run_cli(["apply", str(config), "--auto-approve"] +
                         (["--fail-fast"] if fail_fast else []),
                         env=env_for(proxy.base_url), cwd=tmp_path)
        creates = [a for _, m, p, a in proxy.log if (m, p) == ("POST", "/v1/assistants")]
        with handle.client() as client:
            counts = {k: len(v) for k, v in ids_by_key(client).items()}

    assert result.exit_code == exit_code, result.output
    assert counts == {"(not ours)": 1, **copies}
    if copies:
        assert len(creates) == 2
        assert result.stdout.count("created; confirmed by its marker after an unknown "
                                   "outcome") == 2
        return
    tries = [int(n) for n in re.findall(r"outcome still unknown after (\d+) tr(?:y|ies)\b",
                                        result.stdout)]
    refused = creates.count("status:400")
    assert len(tries) == 2 - refused, result.stdout
    assert len(creates) == refused + sum(tries), (creates, result.stdout)
    if not fail_fast:
        assert min(tries) > 1
