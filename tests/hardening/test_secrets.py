"""Secrets: no credential ever leaves in output, files or exception text; credentials never go
over plain http to another machine; redirects are never followed with them.

Every auth profile gets distinctive fake values (some shaped like no known key format, so that
only exact scrubbing can hide them), and every place the tool writes is grepped for each value:
stdout and stderr (with --verbose), plan files, journals, `--ids-out`, drift reports, imported
YAML, and the text and attributes of every exception raised on an error path, including answers
from a hostile server that echoes every request header back.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistants.client import AssistantsClient, RetryPolicy
from assistants.errors import AssistantsError
from tests.hardening.hypothesis_profile import HARDENING
from tests.support.chaos_proxy import ChaosProxy, proxied_server, when
from tests.support.cli import Run, run_cli
from tests.support.server import ServerHandle

SECRET_VALUES = {
    "OPENAI_API_KEY": "oaiKEY-Zq9XwVb7RtL2-distinct",
    "PORTKEY_API_KEY": "pkyKEY-Jm4Hq8Ws2Nv6-distinct",
    "PORTKEY_CONFIG": "pcfg-Ty7Ux3Lp9Ke1-distinct",
    "PORTKEY_VIRTUAL_KEY": "pvk-Bn5Cm2Xd8Fg4-distinct",
    "PORTKEY_PROVIDER_API_KEY": "provKEY-Rs6Et1Yh9Ju3-distinct",
    "PORTKEY_CUSTOM_HOST": "https://user:hostPW-Qa1Ws2Ed3@llm.internal.example/v1",
}
SK_SHAPED = "sk-proj-AbCdEf0123456789-distinct"
USERINFO_PASSWORD = "urlPW-Kk8Ll9Mm0-distinct"
QUERY_SECRET = "querySECRET-Pp1Oo2Ii3-distinct"
# The distinctive part of each value: none may appear anywhere, whole or as the tail.
NEEDLES = [v.split("-", 1)[1] if not v.startswith("https") else "hostPW-Qa1Ws2Ed3"
           for v in SECRET_VALUES.values()] + [
    "AbCdEf0123456789", "Kk8Ll9Mm0", "Pp1Oo2Ii3"]

PROFILES = {
    "openai": {"OPENAI_API_KEY": SECRET_VALUES["OPENAI_API_KEY"]},
    "openai-sk-shaped": {"OPENAI_API_KEY": SK_SHAPED},
    "portkey-config": {"PORTKEY_API_KEY": SECRET_VALUES["PORTKEY_API_KEY"],
                       "PORTKEY_CONFIG": SECRET_VALUES["PORTKEY_CONFIG"]},
    "portkey-virtual-key": {"PORTKEY_API_KEY": SECRET_VALUES["PORTKEY_API_KEY"],
                            "PORTKEY_VIRTUAL_KEY": SECRET_VALUES["PORTKEY_VIRTUAL_KEY"]},
    "portkey-provider": {"PORTKEY_API_KEY": SECRET_VALUES["PORTKEY_API_KEY"],
                         "PORTKEY_PROVIDER": "openai",
                         "PORTKEY_PROVIDER_API_KEY": SECRET_VALUES["PORTKEY_PROVIDER_API_KEY"],
                         "PORTKEY_CUSTOM_HOST": SECRET_VALUES["PORTKEY_CUSTOM_HOST"]},
}


def assert_no_secret(text: str, where: str) -> None:
    for needle in NEEDLES:
        assert needle not in text, f"{needle!r} leaked in {where}:\n{text}"


def check_run(run: Run, where: str) -> None:
    assert "Traceback" not in run.output, run.output
    assert_no_secret(run.stdout, f"{where} stdout")
    assert_no_secret(run.stderr, f"{where} stderr")


def files_text(root: Path) -> Iterator[tuple[Path, str]]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".json", ".yaml", ".md", ".txt", ".jsonl") \
                and "server" not in path.parts[-2]:
            yield path, path.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="module")
def backend(tmp_path_factory) -> Iterator[tuple[ServerHandle, ChaosProxy]]:
    with proxied_server(tmp_path_factory.mktemp("secrets-server")) as pair:
        yield pair


def write_config(folder: Path, owner: str, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "assistants.project.yaml").write_text(f"owner: {owner}\nmax_deletes: 5\n")
    (folder / "one.yaml").write_text(f"key: one\nmodel: gpt-4o\nname: One{extra}\n")
    (folder / "two.yaml").write_text("key: two\nmodel: gpt-4o\ntemperature: 0.5\n")
    return folder


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_no_credential_in_any_output_or_file(profile, backend, tmp_path):
    handle, proxy = backend
    owner = f"secrets-{profile}"
    config = write_config(tmp_path / "config", owner)
    # The endpoint carries a secret query parameter too: it rides on requests, never printed.
    endpoint = f"{proxy.base_url}?api-version=2024&key={QUERY_SECRET}"
    env = {**PROFILES[profile], "ASSISTANTS_ENDPOINT": endpoint}
    runs = {
        "validate": run_cli(["validate", str(config), "--verbose"], env=env, cwd=tmp_path),
        "plan": run_cli(["plan", str(config), "--verbose", "--out", "plan.json"], env=env,
                        cwd=tmp_path),
        "plan-json": run_cli(["plan", str(config), "--format", "json", "--verbose"], env=env,
                             cwd=tmp_path),
        "apply-saved": run_cli(["apply", "--plan", "plan.json", "--verbose", "--ids-out",
                                "ids.json"], env=env, cwd=tmp_path),
    }
    write_config(tmp_path / "config", owner, extra=" edited")
    runs["apply"] = run_cli(["apply", str(config), "--auto-approve", "--verbose", "--ids-out",
                             "ids2.json"], env=env, cwd=tmp_path)
    (config / "two.yaml").unlink()
    runs["apply-prune"] = run_cli(["apply", str(config), "--auto-approve", "--prune",
                                   "--verbose"], env=env, cwd=tmp_path)
    write_config(tmp_path / "config", owner, extra=" drifted")
    for fmt in ("text", "json", "markdown"):
        runs[f"drift-{fmt}"] = run_cli(["drift", str(config), "--format", fmt, "--verbose",
                                        "--output", f"drift.{fmt}.txt"], env=env, cwd=tmp_path)
    runs["import"] = run_cli(["import", "--all", "--out", "imported", "--verbose"], env=env,
                             cwd=tmp_path)
    # Error paths: a hostile server echoing every header in its error bodies and headers.
    for status in (400, 401, 403, 404, 409, 422, 500):
        proxy.reset(when(f"echo:{status}"))
        runs[f"echo-{status}"] = run_cli(["plan", str(config), "--verbose"], env=env,
                                         cwd=tmp_path)
        proxy.reset()
    proxy.reset(when("echo:400", method="POST"))
    (config / "three.yaml").write_text("key: three\nmodel: gpt-4o\n")
    runs["echo-on-create"] = run_cli(["apply", str(config), "--auto-approve", "--verbose"],
                                     env=env, cwd=tmp_path)
    proxy.reset(when(f"redirect:http://127.0.0.1:9/v1/assistants?token={QUERY_SECRET}"))
    runs["redirect"] = run_cli(["plan", str(config), "--verbose"], env=env, cwd=tmp_path)
    proxy.reset()

    for name, run in runs.items():
        check_run(run, f"{profile}/{name}")
    # The runs did what they should (a run that fails early would prove nothing).
    for name in ("validate", "plan", "plan-json", "apply-saved", "apply", "apply-prune",
                 "import"):
        assert runs[name].exit_code == 0, (name, runs[name].output)
    assert runs["drift-text"].exit_code == 2
    for status in (400, 401, 403, 404, 409, 422, 500):
        assert runs[f"echo-{status}"].exit_code == 1
        assert "error: GET http://127.0.0.1:" in runs[f"echo-{status}"].stderr
    assert "x + three: failed: POST http://127.0.0.1:" in runs["echo-on-create"].stdout
    assert "not followed" in runs["redirect"].stderr
    # Every file the tool wrote: plan, journals, ids, drift reports, imported YAML.
    written = list(files_text(tmp_path))
    names = {p.name for p, _ in written}
    assert {"plan.json", "ids.json", "ids2.json", "drift.json.txt",
            "drift.markdown.txt"} <= names, names
    assert any(".assistants" in p.parts for p, _ in written), "no journal written"
    assert any("imported" in p.parts for p, _ in written), "nothing imported"
    for path, text in written:
        assert_no_secret(text, str(path))


def test_the_credentials_really_reach_the_server(backend, tmp_path):
    """The other tests would pass vacuously if nothing were sent: the proxy sees each header."""
    _, proxy = backend
    config = write_config(tmp_path / "config", "secrets-sent")
    for profile, env in PROFILES.items():
        proxy.reset()
        run = run_cli(["plan", str(config)], env={**env, "ASSISTANTS_ENDPOINT": proxy.base_url},
                      cwd=tmp_path)
        assert run.exit_code == 0, run.output
        sent = json.dumps(proxy.headers_seen)
        for name, value in env.items():
            if name != "PORTKEY_PROVIDER":
                assert value in sent, (profile, name)


# --- exception text, in process ----------------------------------------------------------------

def echo_app(status: int, kind: str):
    def handler(request: httpx.Request) -> httpx.Response:
        seen = dict(request.headers)
        text = json.dumps(seen)
        if kind == "json":
            body = json.dumps({"error": {"message": f"bad key {text}", "type": text,
                                         "param": text, "code": text}})
            return httpx.Response(status, content=body, headers={"x-echo": text[:2000],
                                  "content-type": "application/json"})
        if kind == "html":
            return httpx.Response(status, content=f"<html><title>{text}</title>{text}</html>",
                                  headers={"content-type": "text/html"})
        if kind == "text":
            return httpx.Response(status, content=f"denied for {text}",
                                  headers={"content-type": "text/plain"})
        if kind == "portkey":
            return httpx.Response(status, json={"status": "failure", "message": text},
                                  headers={"x-portkey-gateway-exception": "true"})
        if kind == "fastapi":
            return httpx.Response(status, json={"detail": [{"loc": ["header", text],
                                                            "msg": text}]})
        if kind == "truncated":
            return httpx.Response(status, content=text.encode()[: len(text) // 2],
                                  headers={"content-type": "application/json"})
        if kind == "redirect":
            return httpx.Response(307, headers={"location": f"https://elsewhere.test/{text}"})
        raise httpx.ConnectError(f"cannot connect; headers were {text}", request=request)

    return handler


ERROR_CASES = [(s, k) for s in (400, 401, 403, 404, 409, 422, 429, 500, 502, 412, 446)
               for k in ("json", "html", "text", "portkey", "fastapi")] + [
    (200, "truncated"), (200, "text"), (200, "html"), (307, "redirect"), (0, "connect")]


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_no_credential_in_exception_text(profile):
    env = {**PROFILES[profile], "ASSISTANTS_ENDPOINT":
           f"https://user:{USERINFO_PASSWORD}@gateway.test/v1?key={QUERY_SECRET}"}
    if profile.startswith("openai") or profile == "portkey-provider":
        # Basic auth from the URL would clash with a Bearer key (refused): no userinfo here.
        env["ASSISTANTS_ENDPOINT"] = f"https://gateway.test/v1?key={QUERY_SECRET}"

    async def attempt(status: int, kind: str) -> list[AssistantsError]:
        client = AssistantsClient.from_env(
            None, env, transport=httpx.MockTransport(echo_app(status, kind)),
            retry=RetryPolicy(max_attempts=2, backoff_base=0, backoff_max=0))
        errors = []
        async with client:
            for op in (client.list_all(), client.get("asst_1"),
                       client.create({"model": "m"}), client.modify("asst_1", {"name": "n"}),
                       client.delete("asst_1")):
                try:
                    await op
                except AssistantsError as err:
                    errors.append(err)
        return errors

    async def everything() -> list[AssistantsError]:
        out = []
        for status, kind in ERROR_CASES:
            out += await attempt(status, kind)
        return out

    errors = asyncio.run(everything())
    assert len(errors) >= 5 * len(ERROR_CASES) - 10  # nearly every operation failed
    for err in errors:
        text = " ".join([str(err), repr(err), repr(err.args),
                         *(repr(v) for v in vars(err).values())])
        assert_no_secret(text, f"{type(err).__name__}")


# --- where credentials may go -------------------------------------------------------------------

NON_LOOPBACK = ["http://203.0.113.1/v1", "http://203.0.113.1:8080/v1",
                f"http://user:{USERINFO_PASSWORD}@203.0.113.1/v1",
                f"http://203.0.113.1/v1?key={QUERY_SECRET}", "http://[2001:db8::1]/v1",
                "http://0.0.0.0:8080/v1", "http://127.0.0.1.nip.io/v1",
                "http://localhost.example.com/v1", "http://2130706433/v1",
                "http://10.0.0.1/v1", "http://192.168.1.10/v1", "HTTP://203.0.113.1/v1"]


@pytest.mark.parametrize("endpoint", NON_LOOPBACK)
@pytest.mark.parametrize("profile", ["openai", "portkey-config", "portkey-provider"])
def test_credentials_refused_over_plain_http_to_another_machine(endpoint, profile, tmp_path,
                                                                 monkeypatch):
    async def no_network(*args, **kwargs):  # pragma: no cover - reached only by the bug
        raise AssertionError("a request was attempted")

    monkeypatch.setattr(httpx.AsyncClient, "send", no_network)
    config = write_config(tmp_path / "config", "secrets-http")
    env = {**PROFILES[profile], "ASSISTANTS_ENDPOINT": endpoint}
    started = time.monotonic()
    run = run_cli(["plan", str(config), "--verbose"], env=env, cwd=tmp_path)
    assert time.monotonic() - started < 2.0
    assert run.exit_code == 1
    refusal = ("refusing to send credentials over plain http" in run.stderr
               or "the endpoint URL carries user:password" in run.stderr)  # refused earlier
    assert refusal, run.output
    check_run(run, endpoint)


def test_loopback_http_is_allowed(backend, tmp_path):
    _, proxy = backend
    config = write_config(tmp_path / "config", "secrets-loopback")
    for host in ("127.0.0.1", "localhost"):
        run = run_cli(["plan", str(config)], cwd=tmp_path, env={
            **PROFILES["openai"],
            "ASSISTANTS_ENDPOINT": proxy.base_url.replace("127.0.0.1", host)})
        assert run.exit_code == 0, run.output


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("origin", ["other", "same"])
def test_redirects_are_not_followed(status, origin, backend, tmp_path):
    """A server answering a redirect, to another origin or its own: the tool stops there with
    a message, and the redirect target never receives a request (with or without keys)."""
    _, proxy = backend
    catcher = ChaosProxy().start()  # answers nothing useful; only counts what reaches it
    try:
        target = (f"http://127.0.0.1:{catcher.port}/v1/assistants" if origin == "other"
                  else f"{proxy.base_url}/assistants?moved=1")
        proxy.reset(lambda n, method, path: f"redirect-{status}:{target}" if n == 1 else None)
        config = write_config(tmp_path / "config", "secrets-redirect")
        run = run_cli(["plan", str(config)], cwd=tmp_path,
                      env={**PROFILES["portkey-config"], "ASSISTANTS_ENDPOINT": proxy.base_url})
        served = len(proxy.log)
        proxy.reset()
    finally:
        catcher.stop()
    assert run.exit_code == 1
    assert "not followed" in run.stderr, run.output
    if origin == "other":
        assert "credentials are never sent to another origin" in run.stderr
    assert catcher.log == []
    assert served == 1  # not followed to the same origin either
    check_run(run, "redirect")


# --- whatever a user puts in the endpoint and the key variables ---------------------------------

ENDPOINT_PARTS = st.sampled_from([
    "http://", "https://", "HTTPS://", "ftp://", "//", "http:/", "", "[", "]", "::1", "[::1]",
    "127.0.0.1", "localhost", "203.0.113.1", "gateway.test", ":", ":0", ":99999", ":-1", ":x",
    "@", "user:pw@", "/v1", "/", "?", "key=v", "#", "%", "%zz", " ", "\t", "\n", "é",
    "..", "xn--", "0x7f.1", "1e3",
])


url_like = st.tuples(
    st.sampled_from(["http://", "https://", "HTTPS://", "ftp://", "", "http:/"]),
    st.sampled_from(["", "", "user:pw@", "@", ":@"]),
    st.sampled_from(["127.0.0.1", "localhost", "[::1]", "203.0.113.1", "gateway.test",
                     "[2001:db8::1]", "", "é.test", "a b", "[::1"]),
    st.sampled_from(["", "", ":8080", ":0", ":99999", ":x", ":"]),
    st.sampled_from(["/v1", "", "/", "/v1/", "/a%zz", "/v1/../.."]),
    st.sampled_from(["", "", "?api-version=1", "?", "#frag", "?a=%"]),
).map("".join)


@settings(HARDENING, max_examples=120)
@given((url_like | url_like | st.lists(ENDPOINT_PARTS, max_size=6).map("".join)
        | st.text(max_size=30))
       .filter(lambda e: "\x00" not in e),  # no environment variable can hold a NUL
       st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=8, max_size=24)
       .filter(lambda k: k.strip() == k and len(set(k)) > 3)
       | st.text(max_size=12).filter(lambda k: "\x00" not in k))
def test_any_endpoint_and_key_give_a_message_never_a_crash_or_a_leak(tmp_path, monkeypatch,
                                                                    endpoint, key):
    """No network: every request attempt fails to connect. The tool either refuses the endpoint
    or the key with a message, or reports the failed connection; it never crashes, and a key it
    accepted is never printed."""
    async def unreachable(self, request, **kwargs):
        raise httpx.ConnectError("unreachable in this test", request=request)

    async def no_wait(seconds):
        return None

    monkeypatch.setattr(httpx.AsyncClient, "send", unreachable)
    monkeypatch.setattr(asyncio, "sleep", no_wait)  # the client's backoff between attempts
    config = write_config(tmp_path / "config", "fuzz-endpoint")
    run = run_cli(["plan", str(config), "--verbose"], cwd=tmp_path,
                  env={"OPENAI_API_KEY": key, "ASSISTANTS_ENDPOINT": endpoint})
    assert run.exit_code == 1, run.output
    assert "Traceback" not in run.output
    (line,) = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
    assert line
    if len(key.strip()) >= 8 and all(" " <= ch <= "~" for ch in key) and key not in endpoint:
        # the message with the key blanked out: a key that is a word of our own text (such as
        # `--endpoi`) is no leak
        blank = run_cli(["plan", str(config), "--verbose"], cwd=tmp_path,
                        env={"OPENAI_API_KEY": "x" * len(key), "ASSISTANTS_ENDPOINT": endpoint})
        assert run.output.count(key.strip()) <= blank.output.count(key.strip())
