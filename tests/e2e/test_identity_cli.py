"""Identity through the command line against `assistants serve` (issue 14): the plan does not
depend on the order of the files, deletes say why, and a mistyped owner is pointed out."""

from __future__ import annotations

import json

from tests.support.cli import run_cli
from tests.support.files import write


def env_for(handle, **extra: str) -> dict[str, str]:
    return {"OPENAI_API_KEY": "sk-e2e", "ASSISTANTS_ENDPOINT": handle.base_url, **extra}


def create(handle, marker: str | None = None, name: str = "seeded") -> str:
    """An assistant made directly over HTTP (as by hand, or by another repository)."""
    metadata = {"managed-by": marker} if marker else {}
    with handle.client(timeout=30) as client:
        response = client.post("/assistants", json={"model": "gpt-4o", "name": name,
                                                      "metadata": metadata})
    assert response.status_code == 200, response.text
    return response.json()["id"]


def planned(result) -> list[tuple[str, str, str | None]]:
    assert result.exit_code == 0, result.output
    return [(c["action"], c["key"], c["id"]) for c in json.loads(result.stdout)["changes"]]


def test_the_plan_is_the_same_whichever_file_comes_first(serve, tmp_path):
    handle = serve()
    adopted = create(handle, "v1;owner=acme;key=a")  # carries a's marker; b names its id
    a, b = "key: a\nmodel: gpt-4o\n", f"key: b\nid: {adopted}\nmodel: gpt-4o\n"
    write(tmp_path / "first/1.yaml", a)
    write(tmp_path / "first/2.yaml", b)
    write(tmp_path / "second/1.yaml", b)
    write(tmp_path / "second/2.yaml", a)
    plans = [planned(run_cli(["plan", str(tmp_path / d), "--owner", "acme", "--format", "json"],
                             env=env_for(handle))) for d in ("first", "second")]
    assert plans[0] == plans[1] == [("create", "a", None), ("update", "b", adopted)]


def test_a_pruned_plan_says_why_each_assistant_is_deleted(serve, tmp_path):
    handle = serve()
    write(tmp_path / "c/assistants.project.yaml", "owner: acme\n")
    write(tmp_path / "c/k.yaml", "key: k\nmodel: gpt-4o\nname: seeded\n")
    env = env_for(handle)
    applied = run_cli(["apply", str(tmp_path / "c"), "--auto-approve"], env=env)
    assert applied.exit_code == 0, applied.output
    first = json.loads(run_cli(["plan", str(tmp_path / "c"), "--format", "json"],
                               env=env).stdout)["changes"][0]["id"]
    second = create(handle, "v1;owner=acme;key=k")  # younger, or made in the same second
    removed = create(handle, "v1;owner=acme;key=removed")

    saved = tmp_path / "plan.json"
    text = run_cli(["plan", str(tmp_path / "c"), "--prune", "--out", str(saved)], env=env)
    assert text.exit_code == 0, text.output
    # The oldest copy is kept: by created_at, then (made in the same second) by id.
    with handle.client(timeout=30) as client:
        ages = {i: (client.get(f"/assistants/{i}").json()["created_at"], i)
                for i in (first, second)}
    kept, copy = sorted((first, second), key=ages.__getitem__)
    assert f"  - k ({copy}): a second copy of `k`; the kept one is {kept}\n" in text.stdout
    assert f"  - removed ({removed}): removed from the config\n" in text.stdout
    reasons = {c["id"]: c.get("reason") for c in json.loads(saved.read_text())["changes"]}
    assert reasons == {kept: None, copy: f"a second copy of `k`; the kept one is {kept}",
                       removed: "removed from the config"}

    shown = run_cli(["plan", str(tmp_path / "c"), "--prune", "--format", "markdown"], env=env)
    assert f"| - delete | `removed` | `{removed}` | removed from the config |" in shown.stdout
    done = run_cli(["apply", "--plan", str(saved), "--max-deletes", "2"], env=env)
    assert done.exit_code == 0, done.output


def test_a_mistyped_owner_is_pointed_out_before_it_duplicates_the_fleet(serve, tmp_path):
    handle = serve()
    settings = write(tmp_path / "c/assistants.project.yaml", "owner: holdout\n")
    for key in ("a", "b", "c"):
        write(tmp_path / f"c/{key}.yaml", f"key: {key}\nmodel: gpt-4o\n")
    env = env_for(handle)
    assert run_cli(["apply", str(tmp_path / "c"), "--auto-approve"], env=env).exit_code == 0

    result = run_cli(["plan", str(tmp_path / "c")], env={**env, "ASSISTANTS_OWNER": "someone-else"})
    assert result.exit_code == 0, result.output
    assert "Plan: 3 to create, 0 to update, 0 to delete, 0 unchanged." in result.stdout
    assert ("note: owner `holdout` already has 3 of the 3 keys this plan creates under owner "
            "`someone-else` (a, b, c): if they are yours, pass --owner holdout") in result.stdout
    assert result.stderr.count("overrides") == 1
    assert (f"note: owner `someone-else` from ASSISTANTS_OWNER overrides `holdout` in "
            f"{settings}") in result.stderr

    flag = run_cli(["plan", str(tmp_path / "c"), "--owner", "other", "--format", "json"],
                   env=env)
    assert "note: owner `other` from --owner overrides `holdout`" in flag.stderr
    notes = json.loads(flag.stdout)["notes"]
    assert len(notes) == 1 and notes[0].startswith("owner `holdout` already has 3 of the 3 keys")

    same = run_cli(["plan", str(tmp_path / "c"), "--owner", "holdout"], env=env)
    assert "overrides" not in same.stderr and "note:" not in same.stdout


def test_drift_under_a_mistyped_owner_names_the_owner_that_has_the_keys(serve, tmp_path):
    handle = serve()
    write(tmp_path / "c/assistants.project.yaml", "owner: holdout\n")
    write(tmp_path / "c/a.yaml", "key: a\nmodel: gpt-4o\n")
    env = env_for(handle)
    assert run_cli(["apply", str(tmp_path / "c"), "--auto-approve"], env=env).exit_code == 0
    mistyped = {**env, "ASSISTANTS_OWNER": "holdot"}
    text = run_cli(["drift", str(tmp_path / "c")], env=mistyped)
    assert text.exit_code == 2
    assert "  note: owner `holdout` already has 1 of the 1 keys" in text.stdout
    assert text.stdout.splitlines()[-1].startswith("Drift: 0 changed on the server, 1 missing")
    as_json = run_cli(["drift", str(tmp_path / "c"), "--format", "json"], env=mistyped)
    assert json.loads(as_json.stdout)["notes"][0].startswith("owner `holdout` already has 1")
    markdown = run_cli(["drift", str(tmp_path / "c"), "--format", "markdown"], env=mistyped)
    assert "\n> owner `holdout` already has 1 of the 1 keys" in markdown.stdout
