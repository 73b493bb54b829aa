"""`journal-mcp serve --http`: a real server process on a free loopback port, bearer token on every request."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from journal_mcp.core.config import Settings
from journal_mcp.server.httpserve import TOKEN_ENV, is_loopback, load_or_create_token
from tests.cli.conftest import mode, run_subprocess
from tests.httpserver import Running, free_port, start_server
from tests.journal.helpers import INITIALIZE as INIT
from tests.journal.helpers import ok

MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@pytest.fixture
def http_server(journal_env: dict[str, str], tmp_path: Path) -> Iterator[Running]:
    yield from start_server(journal_env, tmp_path)


def client_for(server: Running, token: str | None = None, project: Path | str | None = None) -> Client:
    headers = {"Authorization": f"Bearer {token or server.token}"}
    if project is not None:
        headers["X-Private-Journal-Project"] = str(project)
    http = create_mcp_http_client(headers=headers)
    return Client(streamable_http_client(server.url, http_client=http), read_timeout_seconds=60)


pytestmark = [pytest.mark.subprocess, pytest.mark.anyio]


async def test_client_with_token_does_a_full_round_trip(http_server: Running, journal_env: dict[str, str]) -> None:
    printed = http_server.stdout.read_text(encoding="utf-8")
    assert f"agent-pack install --http {http_server.url}" in printed
    assert http_server.token not in printed  # not even on the first run: clients fetch it themselves
    token_file = Path(journal_env["HOME"]) / ".private-journal" / "http-token"
    assert mode(token_file) == 0o600
    assert len(http_server.token) >= 32

    async with client_for(http_server) as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        assert tools == {
            "process_thoughts",
            "search_journal",
            "list_recent_entries",
            "read_recent_entries",
            "read_journal_entry",
        }
        wrote = ok(await client.call_tool("process_thoughts", {"project_notes": "over http", "feelings": "shared"}))
        paths = {e["path"] for e in wrote["entries"]}
        listed = ok(await client.call_tool("list_recent_entries", {}))
        assert {h["path"] for h in listed["hits"]} == paths
        found = ok(await client.call_tool("search_journal", {"query": "http"}))
        assert found["hits"][0]["path"] in paths
        entry = ok(await client.call_tool("read_journal_entry", {"path": found["hits"][0]["path"]}))
        assert entry["sections"] == {"Project Notes": "over http"}
        full = ok(await client.call_tool("read_recent_entries", {"limit": 5}))
        assert len(full["entries"]) == 2


async def test_requests_without_the_right_token_get_401(http_server: Running) -> None:
    async with httpx2.AsyncClient(timeout=10) as http:
        cases: list[dict[str, str]] = [
            {},
            {"Authorization": "Bearer wrong-token-wrong-token-wrong"},
            {"Authorization": f"Bearer {http_server.token}x"},
            {"Authorization": f"Basic {http_server.token}"},
            {"Authorization": http_server.token},
        ]
        for headers in cases:
            response = await http.post(http_server.url, json=INIT, headers={**MCP_HEADERS, **headers})
            assert response.status_code == 401, headers
            assert response.headers["www-authenticate"].startswith("Bearer")
            assert "mcp-session-id" not in response.headers  # never reached MCP
        other = await http.get(http_server.url.replace("/mcp", "/anything"))
        assert other.status_code == 401
        good = await http.post(
            http_server.url, json=INIT, headers={**MCP_HEADERS, "Authorization": f"Bearer {http_server.token}"}
        )
        assert good.status_code == 200


async def test_two_clients_at_once(http_server: Running) -> None:
    results: dict[int, Any] = {}

    async def session(n: int) -> None:
        async with client_for(http_server) as client:
            written = set()
            for i in range(5):
                wrote = ok(await client.call_tool("process_thoughts", {"observations": f"client {n} note {i}"}))
                written |= {e["path"] for e in wrote["entries"]}
            found = ok(await client.call_tool("search_journal", {"query": f"client {n}", "limit": 20}))
            results[n] = (written, {h["path"] for h in found["hits"]})

    async with anyio.create_task_group() as tg:
        tg.start_soon(session, 1)
        tg.start_soon(session, 2)
    for written, found in results.values():
        assert len(written) == 5
        assert written <= found
    assert not results[1][0] & results[2][0]


async def test_each_client_gets_its_own_projects_journal(
    http_server: Running, tmp_path: Path, journal_env: dict[str, str]
) -> None:
    """One shared server, two projects: project notes go to each client's project, the user journal is shared."""
    alpha, beta = tmp_path / "alpha", tmp_path / "beta"
    alpha.mkdir()
    beta.mkdir()
    async with client_for(http_server, project=alpha) as a, client_for(http_server, project=beta) as b:
        ok(await a.call_tool("process_thoughts", {"project_notes": "alpha uses vLLM", "observations": "from alpha"}))
        ok(await b.call_tool("process_thoughts", {"project_notes": "beta uses Triton", "observations": "from beta"}))
        a_project = ok(await a.call_tool("list_recent_entries", {"type": "project"}))
        b_project = ok(await b.call_tool("list_recent_entries", {"type": "project"}))
        assert [h["excerpt"] for h in a_project["hits"]] == ["alpha uses vLLM"]
        assert [h["excerpt"] for h in b_project["hits"]] == ["beta uses Triton"]
        found = ok(await a.call_tool("search_journal", {"query": "Triton", "type": "project"}))
        assert found["hits"] == []  # beta's project notes are not alpha's
        shared = ok(await a.call_tool("list_recent_entries", {"type": "user"}))
        assert {h["excerpt"] for h in shared["hits"]} == {"from alpha", "from beta"}
        path = ok(await b.call_tool("process_thoughts", {"project_notes": "beta again"}))["entries"][0]["path"]
        assert "beta again" in ok(await b.call_tool("read_journal_entry", {"path": path}))["text"]
        assert (await a.call_tool("read_journal_entry", {"path": path})).is_error  # not in alpha's journal
    for project, note in ((alpha, "alpha uses vLLM"), (beta, "beta uses Triton")):
        db = Settings.from_env({**journal_env, "CLAUDE_PROJECT_DIR": str(project)}).project_db_path
        assert db.exists() and mode(db.parent) == 0o700 and not (project / ".private-journal").exists()
        assert note.encode() in db.read_bytes() or note.encode() in Path(f"{db}-wal").read_bytes()
    async with client_for(http_server, project="relative/dir") as bad:
        result = await bad.call_tool("list_recent_entries", {})
        assert result.is_error and "absolute path of an existing project directory" in result.content[0].text


def test_non_loopback_host_needs_allow_remote(journal_env: dict[str, str]) -> None:
    for host in ("0.0.0.0", "192.168.1.5", "::"):
        result = run_subprocess(journal_env, "serve", "--http", "--host", host, "--port", str(free_port()), timeout=60)
        assert result.code == 2, result.err
        assert "--allow-remote" in result.err
    assert not (Path(journal_env["HOME"]) / ".private-journal" / "http-token").exists()  # refused before anything


def test_loopback_detection() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "[::1]", "127.8.9.10"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "10.0.0.1", "example.com", ""))


def test_token_from_environment_and_file(journal_env: dict[str, str]) -> None:
    settings = Settings.from_env(journal_env)
    created = load_or_create_token(settings, {})
    assert created.created and mode(Path(created.origin)) == 0o600
    assert mode(Path(created.origin).parent) == 0o700
    again = load_or_create_token(settings, {})
    assert again.value == created.value and not again.created
    os.chmod(created.origin, 0o644)
    assert load_or_create_token(settings, {}).value == created.value
    assert mode(Path(created.origin)) == 0o600  # tightened
    env_token = "e" * 40
    assert load_or_create_token(settings, {TOKEN_ENV: env_token}).value == env_token
    from journal_mcp.core.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="at least"):
        load_or_create_token(settings, {TOKEN_ENV: "short"})


def test_a_token_file_that_is_a_link_or_has_another_name_is_refused_not_followed(
    journal_env: dict[str, str], tmp_path: Path
) -> None:
    """The token file gets a journal file's checks: a symlink (to a token someone else knows) or a hard
    link is refused with the path named, and the file it points to is neither read nor changed."""
    from journal_mcp.core.errors import UnsafePathError

    settings = Settings.from_env(journal_env)
    created = load_or_create_token(settings, {})
    token_file = Path(created.origin)
    planted = tmp_path / "planted-token"
    planted.write_text("p" * 40 + "\n", encoding="utf-8")
    planted.chmod(0o644)
    token_file.unlink()
    token_file.symlink_to(planted)
    with pytest.raises(UnsafePathError, match="http-token"):
        load_or_create_token(settings, {})
    assert planted.read_text(encoding="utf-8") == "p" * 40 + "\n" and mode(planted) == 0o644
    token_file.unlink()
    os.link(planted, token_file)
    with pytest.raises(UnsafePathError, match="hard links"):
        load_or_create_token(settings, {})
    token_file.unlink()
    token_file.write_text("short\n", encoding="utf-8")
    replaced = load_or_create_token(settings, {})  # no usable token: a new one, 0600
    assert replaced.created and len(replaced.value) >= 32 and mode(token_file) == 0o600


def test_snippet_hides_a_stored_token_unless_asked(journal_env: dict[str, str]) -> None:
    from journal_mcp.server.httpserve import registration_text

    token = load_or_create_token(Settings.from_env(journal_env), {})
    url = "http://127.0.0.1:8765/mcp"
    hidden = registration_text(url, token, reveal=False)
    assert token.value not in hidden and token.origin in hidden and "mode 0600" in hidden
    assert "Authorization" not in hidden and ".mcp.json snippet" not in hidden
    shown = registration_text(url, token, reveal=True)
    assert f"token: {token.value}" in shown


@pytest.mark.real_model
async def test_clients_share_one_loaded_model(journal_env: dict[str, str], tmp_path: Path) -> None:
    """The point of the shared server: one process loads the model once and serves hybrid search to every client."""
    env = {k: v for k, v in journal_env.items() if k != "JOURNAL_MCP_SEMANTIC"}
    servers = start_server(env, tmp_path)
    server = next(servers)
    try:
        async with client_for(server) as first, client_for(server) as second:
            ok(await first.call_tool("process_thoughts", {"technical_insights": "Pin the NVIDIA driver to 550."}))
            with anyio.fail_after(120):
                while True:
                    found = ok(await second.call_tool("search_journal", {"query": "graphics card software version"}))
                    if found["mode"] == "hybrid" and not found["notice"]:
                        break
                    await anyio.sleep(0.5)
            assert found["hits"] and "semantic" in found["hits"][0]["matched"]
            again = ok(await first.call_tool("search_journal", {"query": "which GPU driver release"}))
            assert again["mode"] == "hybrid" and again["hits"]
    finally:
        next(servers, None)


def test_port_in_use_is_a_clear_error(journal_env: dict[str, str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_subprocess(journal_env, "serve", "--http", "--port", str(port), timeout=60)
    assert result.code == 2
    assert f"127.0.0.1:{port} is already in use" in result.err
