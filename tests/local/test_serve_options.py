"""`assistants serve` options a pipeline relies on, over a real socket: `--port 0` names the
port it listens on, `--models` answers OpenAI's `model_not_found` for any other model (so an
SDK's default model cannot overwrite one unnoticed), and a 429 says the wait its headers say."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest
from starlette.testclient import TestClient

from tests.support.agents import AGENT_HEADERS, agents_app

HEADERS = {"Authorization": "Bearer sk-test", "OpenAI-Beta": "assistants=v2"}


def test_port_zero_prints_the_port_it_listens_on(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler.cli.main", "serve", "--port", "0", "--db",
         str(tmp_path / "db.sqlite")], stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        banner = process.stderr.readline()
        assert banner.startswith("Serving the Assistants API at http://127.0.0.1:"), banner
        url = banner.split()[5]
        port = int(url.split(":")[2].split("/")[0])
        assert port != 0
        response = httpx.get(f"{url}/assistants", headers=HEADERS, timeout=10)
        assert response.status_code == 200 and response.json()["object"] == "list"
    finally:
        process.terminate()
        assert process.wait(10) == 0


def test_models_restricts_create_and_modify_with_openais_error(serve):
    handle = serve(models="gpt-4o,gpt-4o-mini")
    with handle.client() as http:
        made = http.post("/assistants", json={"model": "gpt-4o", "name": "kept"})
        assert made.status_code == 200
        ident = made.json()["id"]
        unknown = http.post("/assistants", json={"model": "gpt-9"})
        assert unknown.status_code == 404
        assert unknown.json() == {"error": {
            "message": "The model `gpt-9` does not exist or you do not have access to it.",
            "type": "invalid_request_error", "param": "model", "code": "model_not_found"}}
        # What the portkey-ai SDK's update() sends when no model is given.
        update = http.post(f"/assistants/{ident}",
                           json={"model": "portkey-default", "name": "renamed"})
        assert update.status_code == 404
        assert update.json()["error"]["code"] == "model_not_found"
        after = http.get(f"/assistants/{ident}").json()
        assert (after["model"], after["name"]) == ("gpt-4o", "kept")
        assert http.post(f"/assistants/{ident}", json={"model": "gpt-4o-mini"}).status_code == 200


def test_without_models_any_model_is_accepted(serve):
    with serve().client() as http:
        assert http.post("/assistants", json={"model": "anything-at-all"}).status_code == 200


@pytest.mark.parametrize(("retry_after_ms", "said", "seconds"), [
    (200, "200ms", "1"), (1500, "1.5s", "2"), (2000, "2s", "2"),
])
def test_a_429_says_the_wait_its_headers_say(serve, retry_after_ms, said, seconds):
    handle = serve(rate_limit_every=1, retry_after_ms=retry_after_ms)
    with handle.client() as http:
        response = http.get("/assistants")
    assert response.status_code == 429
    assert response.headers["retry-after-ms"] == str(retry_after_ms)
    assert response.headers["retry-after"] == seconds  # whole seconds, rounded up
    assert response.json()["error"]["message"] == (
        f"Rate limit reached for requests. Please try again in {said}.")


def test_serve_accepts_requests_without_a_key_unless_api_key_is_given(serve):
    """Issue 22: keyless by default; `--keyless` is still accepted (hidden, a no-op)."""
    for handle in (serve(), serve(keyless=True)):
        with httpx.Client(base_url=handle.base_url, headers={"OpenAI-Beta": "agents=v1"}) as http:
            made = http.post("/agents", json={"model": "gpt-5"})
            assert made.status_code == 200, made.text
            assert http.get("/assistants", headers={"OpenAI-Beta": "assistants=v2"}
                            ).status_code == 200
    keyed = serve(api_key="sk-only")
    with httpx.Client(base_url=keyed.base_url, headers={"OpenAI-Beta": "agents=v1"}) as http:
        assert http.get("/agents").status_code == 401
        assert http.get("/agents", headers={"Authorization": "Bearer sk-only"}).status_code == 200


def test_agent_defaults_option_serves_another_dialect(serve):
    handle = serve(agent_defaults="shifted")
    with httpx.Client(base_url=handle.base_url, headers={"OpenAI-Beta": "agents=v1"}) as http:
        agent = http.post("/agents", json={"model": "gpt-5"}).json()
        assert (agent["reasoning"]["effort"], agent["text"]["verbosity"]) == ("high", "low")
        assert http.get(f"/agents/{agent['id']}").json() == agent
    assert [e["path"] for e in handle.log_entries()] == ["/v1/agents",
                                                         f"/v1/agents/{agent['id']}"]
    # --local reads the same database in process, resolving as OpenAI publishes
    with TestClient(agents_app(handle.db_path), base_url="http://local/v1",
                    headers=AGENT_HEADERS) as local:
        seen = local.get(f"/agents/{agent['id']}").json()
    assert seen["id"] == agent["id"] and seen["reasoning"]["effort"] == "medium"
