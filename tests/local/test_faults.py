"""Fault injection, over a real socket: latency, 429 every Nth request, 500s before and after
the work, all repeatable with a seed."""

from __future__ import annotations

import time

import pytest

from assistants.local.faults import FaultInjector, Faults, Verdict


def statuses(handle, requests: list[tuple[str, str, dict | None]]) -> list[int]:
    with handle.client() as http:
        return [http.request(method, path, json=body).status_code
                for method, path, body in requests]


def test_latency_added(serve):
    handle = serve(latency_ms=150)
    with handle.client() as http:
        http.get("/assistants")  # connection set up
        started = time.perf_counter()
        assert http.get("/assistants").status_code == 200
        assert time.perf_counter() - started >= 0.15


def test_every_nth_request_429_with_both_headers(serve):
    handle = serve(rate_limit_every=3, retry_after_ms=1500)
    with handle.client() as http:
        answers = [http.get("/assistants") for _ in range(7)]
    assert [r.status_code for r in answers] == [200, 200, 429, 200, 200, 429, 200]
    limited = answers[2]
    assert limited.headers["Retry-After"] == "2"
    assert limited.headers["retry-after-ms"] == "1500"
    error = limited.json()["error"]
    assert error["type"] == "rate_limit_error" and error["message"]
    assert set(error) == {"message", "type", "param", "code"}
    assert [e["status"] for e in handle.log_entries()] == [r.status_code for r in answers]


def test_rate_limited_write_does_nothing(serve):
    handle = serve(rate_limit_every=1)
    with handle.client() as http:
        assert http.post("/assistants", json={"model": "m"}).status_code == 429
    handle.options = {}
    handle.restart()
    with handle.client() as http:
        assert http.get("/assistants").json()["data"] == []


def test_fail_rate_repeats_with_seed(serve):
    requests = [("GET", "/assistants", None)] * 30
    first = statuses(serve(fail_rate=0.4, seed=11), requests)
    second = statuses(serve(fail_rate=0.4, seed=11), requests)
    assert first == second
    assert set(first) == {200, 500}


def test_fail_before_does_not_write(serve):
    handle = serve(fail_rate=0.5, seed=3)
    codes = statuses(handle, [("POST", "/assistants", {"model": "m"})] * 20)
    assert 500 in codes
    handle.options = {}
    handle.restart()
    with handle.client() as http:
        assert len(http.get("/assistants", params={"limit": 100}).json()["data"]) == \
            codes.count(200)


def test_fail_after_performs_the_write_then_500(serve):
    handle = serve(fail_after_rate=0.5, seed=5)
    creates = [("POST", "/assistants", {"model": "m", "name": f"a{i}"}) for i in range(20)]
    codes = statuses(handle, creates)
    assert set(codes) == {200, 500}
    reads = statuses(handle, [("GET", "/assistants?limit=100", None)] * 10)
    assert set(reads) == {200}  # reads are never failed after the fact
    with handle.client() as http:
        names = {a["name"] for a in http.get("/assistants", params={"limit": 100}).json()["data"]}
    assert names == {f"a{i}" for i in range(20)}  # every create happened, 500 or not
    entries = handle.log_entries()
    assert [e["status"] for e in entries[:20]] == codes
    failed = [e for e in entries if e["status"] == 500]
    assert all(e["body"]["name"] for e in failed)


def test_fail_after_repeats_with_seed(serve):
    creates = [("POST", "/assistants", {"model": "m"})] * 20
    assert statuses(serve(fail_after_rate=0.3, seed=9), creates) == \
        statuses(serve(fail_after_rate=0.3, seed=9), creates)


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_injector_verdicts_are_seeded(method):
    faults = Faults(fail_rate=0.2, fail_after_rate=0.3, rate_limit_every=7, seed=42)
    injectors = [FaultInjector(faults), FaultInjector(faults)]
    runs = [[injector.decide(method) for _ in range(200)] for injector in injectors]
    assert runs[0] == runs[1]
    assert {Verdict.PASS, Verdict.RATE_LIMIT, Verdict.FAIL_BEFORE, Verdict.FAIL_AFTER} \
        == set(runs[0])
    assert all(v is Verdict.RATE_LIMIT for v in runs[0][6::7])


def test_retry_after_rounds_up():
    assert Faults(retry_after_ms=1).retry_after_seconds == 1
    assert Faults(retry_after_ms=2000).retry_after_seconds == 2
    assert Faults(retry_after_ms=2001).retry_after_seconds == 3


def test_faults_aimed_at_one_query_spare_the_others():
    faults = Faults(rate_limit_every=2, fail_rate=1.0, seed=1, only_query="order=desc")
    injector = FaultInjector(faults)
    asc = [injector.decide("GET", "limit=100&order=asc") for _ in range(5)]
    desc = [injector.decide("GET", "limit=100&order=desc") for _ in range(4)]
    assert asc == [Verdict.PASS] * 5  # and they drew nothing: the desc ones count from 1
    assert desc == [Verdict.FAIL_BEFORE, Verdict.RATE_LIMIT] * 2
