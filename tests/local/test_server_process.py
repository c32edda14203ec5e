"""`assistants serve` as a process: start-up line, restart on the same db, clean shutdown on
signals, a required key, and concurrent writers."""

from __future__ import annotations

import re
import signal
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest


def test_startup_line(serve):
    handle = serve()
    line = handle.stderr().splitlines()[0]
    assert re.fullmatch(r"Serving the Assistants API at http://127\.0\.0\.1:\d+/v1 \(db: .+\)",
                        line)
    assert handle.base_url in line and str(handle.db_path) in line


def test_data_survives_restart(serve):
    handle = serve()
    with handle.client() as http:
        created = [http.post("/assistants", json={
            "model": "gpt-4o", "name": f"a{i}", "metadata": {"i": str(i)},
            "tools": [{"type": "code_interpreter"}], "reasoning_effort": "low"}).json()
            for i in range(3)]
        http.delete(f"/assistants/{created[1]['id']}")
        before = http.get("/assistants").json()
    handle.restart()
    with handle.client() as http:
        assert http.get("/assistants").json() == before
        assert http.get(f"/assistants/{created[0]['id']}").json() == created[0]
        assert http.get(f"/assistants/{created[1]['id']}").status_code == 404
        assert http.post("/assistants", json={"model": "m"}).status_code == 200
        assert len(http.get("/assistants").json()["data"]) == 3
    assert len(handle.log_entries()) == 10  # one log across both runs
    assert handle.stderr().count("Serving the Assistants API") == 2


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_clean_exit_on_signal(serve, sig):
    handle = serve()
    process = handle.process
    process.send_signal(sig)
    assert process.wait(10) == 0
    assert "Traceback" not in handle.stderr()


def test_required_api_key(serve):
    handle = serve(api_key="sk-only-this")
    with httpx.Client(base_url=handle.base_url) as http:
        beta = {"OpenAI-Beta": "assistants=v2"}
        assert http.get("/assistants", headers=beta).status_code == 401
        wrong = http.get("/assistants", headers={**beta, "Authorization": "Bearer sk-other"})
        assert wrong.status_code == 401
        right = http.get("/assistants", headers={**beta, "x-portkey-api-key": "sk-only-this"})
        assert right.status_code == 200
    assert "sk-only-this" not in handle.log_path.read_text()


def test_concurrent_writers(serve):
    handle = serve()
    with handle.client(limits=httpx.Limits(max_connections=16)) as http:

        def create(i: int) -> str:
            return http.post("/assistants", json={"model": "m", "name": str(i)}).json()["id"]

        with ThreadPoolExecutor(16) as pool:
            ids = list(pool.map(create, range(80)))
        assert len(set(ids)) == 80
        listed = http.get("/assistants", params={"limit": 100}).json()["data"]
    assert sorted(a["id"] for a in listed) == sorted(ids)
