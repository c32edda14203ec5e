"""What an agent document may not say, end to end: an MCP transport header carrying a
credential is refused by `validate` (and by `plan`, before any request) with a file:line error
pointing to `credential_id`, the secret never echoed; `temperature` on an agent says agents have
none and points at the migration table."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.agent_docs import env_for, project, write_doc
from tests.support.cli import run_cli
from tests.support.server import ServerHandle, start_server

SECRET = "s3cr3t-value-never-printed"
CREDENTIAL_HEADERS = ("Authorization", "Cookie", "X-Api-Key", "X-Auth-Token",
                      "Proxy-Authorization", "X-Client-Secret", "X-Db-Password")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServerHandle]:
    handle = start_server(tmp_path_factory.mktemp("serve-validate"))
    yield handle
    handle.stop()


def leaky_agent(folder: Path, header: str) -> Path:
    """An agent whose MCP transport sends `header` (line 12 of `leaky.yaml`; `headers:` is
    line 10)."""
    path = folder / "leaky.yaml"
    path.write_text(
        "kind: agent\n"
        "key: leaky\n"
        "model: gpt-5\n"
        "tools:\n"
        "  - type: mcp\n"
        "    server_label: tickets\n"
        "    transport:\n"
        "      type: http\n"
        "      server_url: https://mcp.example.com/sse\n"
        "      headers:\n"
        "        X-Region: eu\n"
        f"        {header}: {SECRET}\n")
    return path


@pytest.mark.parametrize("header", CREDENTIAL_HEADERS)
def test_a_credential_header_is_refused_pointing_to_credential_id(server, tmp_path, header):
    folder = project(tmp_path / "cfg")
    leaky_agent(folder, header)
    checked = run_cli(["validate", "cfg"], cwd=tmp_path)
    assert checked.exit_code == 1, checked.output
    (error,) = checked.stderr.splitlines()
    assert error.startswith("error: cfg/leaky.yaml:10:"), error  # the `headers:` line
    assert f"header `{header}` carries a credential" in error
    assert "`credential_id`" in error
    assert SECRET not in checked.output

    before = len(server.log_entries())
    planned = run_cli(["plan", "cfg"], env=env_for(server, "validate"), cwd=tmp_path)
    assert planned.exit_code == 1, planned.output
    assert "`credential_id`" in planned.stderr and SECRET not in planned.output
    assert server.log_entries()[before:] == []  # nothing sent, not even a listing


def test_temperature_on_an_agent_points_at_the_migration_table(tmp_path):
    folder = project(tmp_path / "cfg")
    write_doc(folder, "warm.yaml", {"kind": "agent", "key": "warm", "model": "gpt-5",
                                    "name": "Warm", "temperature": 0.3})
    checked = run_cli(["validate", "cfg"], cwd=tmp_path)
    assert checked.exit_code == 1, checked.output
    (error,) = checked.stderr.splitlines()
    assert error.startswith("error: cfg/warm.yaml:5:"), error
    assert "agents have no `temperature`" in error
    assert "migration table" in error and "docs/migration.md" in error


def test_the_same_document_as_an_assistant_keeps_its_temperature(tmp_path):
    folder = project(tmp_path / "cfg")
    write_doc(folder, "warm.yaml", {"key": "warm", "model": "gpt-4o", "temperature": 0.3})
    checked = run_cli(["validate", "cfg"], cwd=tmp_path)
    assert checked.exit_code == 0, checked.output
