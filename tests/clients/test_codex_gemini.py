"""The OpenAI Codex CLI and Gemini CLI (pinned in test-tools/) read what `agent-pack install --client` wrote.

Gemini CLI's `gemini mcp list` also starts each server and reports whether it connected. Codex's
`codex mcp list/get` only read the configuration (connecting needs a model session), so for Codex
the test shows that it parses our entry into the transport we meant.
"""

from __future__ import annotations

import contextlib
import json
import stat
import subprocess
from pathlib import Path

import pytest

from tests.clients.conftest import BIN, JOURNAL_MCP, VENV_BIN, needs_tools
from tests.httpserver import start_server

CODEX = BIN / "codex"
GEMINI = BIN / "gemini"
pytestmark = [
    pytest.mark.external,
    needs_tools,
    pytest.mark.skipif(
        not (CODEX.exists() and GEMINI.exists()), reason="run `npm ci --prefix test-tools` for Codex and Gemini CLI"
    ),
]


def run(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False)


def agent_pack(env: dict[str, str], cwd: Path, *args: str) -> str:
    result = run([str(VENV_BIN / "agent-pack"), *args], env, cwd)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    return project


def trust_for_gemini(env: dict[str, str], project: Path) -> None:
    """What answering Gemini CLI's folder-trust prompt writes: it starts no server in an untrusted folder."""
    path = Path(env["HOME"]) / ".gemini" / "trustedFolders.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({str(project): "TRUST_FOLDER"}), encoding="utf-8")


def gemini_line(env: dict[str, str], project: Path) -> tuple[str, str]:
    result = run([str(GEMINI), "mcp", "list"], env, project)
    output = result.stdout + result.stderr
    line = next((ln for ln in output.splitlines() if "private-journal:" in ln), "")
    return line, output


@pytest.mark.parametrize("scope", ["--project", "--user"])
def test_gemini_cli_connects_to_the_registered_server(client_env: dict[str, str], project: Path, scope: str) -> None:
    agent_pack(client_env, project, "install", "--client", "gemini-cli", *(["--user"] if scope == "--user" else []))
    trust_for_gemini(client_env, project)
    line, output = gemini_line(client_env, project)
    assert line.startswith("✓ private-journal:") and "Connected" in line, output
    assert str(JOURNAL_MCP) in line
    agent_pack(client_env, project, "uninstall", "--client", "gemini-cli", *(["--user"] if scope == "--user" else []))
    line, output = gemini_line(client_env, project)
    assert line == "", output


def test_gemini_cli_reports_a_broken_registration(client_env: dict[str, str], project: Path) -> None:
    """The oracle can fail: a server command that does not exist is not Connected."""
    settings = project / ".gemini" / "settings.json"
    settings.parent.mkdir()
    settings.write_text(json.dumps({"mcpServers": {"private-journal": {"command": str(project / "nope")}}}))
    trust_for_gemini(client_env, project)
    line, output = gemini_line(client_env, project)
    assert line.startswith("✗ private-journal:") and "Disconnected" in line, output


def codex_get(env: dict[str, str], cwd: Path) -> dict[str, object]:
    result = run([str(CODEX), "mcp", "get", "--json", "private-journal"], env, cwd)
    assert result.returncode == 0, result.stdout + result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_codex_reads_the_user_registration(client_env: dict[str, str], project: Path) -> None:
    config = Path(client_env["HOME"]) / ".codex" / "config.toml"
    config.parent.mkdir()
    config.write_text('# mine\nmodel = "o3"\n', encoding="utf-8")
    agent_pack(client_env, project, "install", "--user", "--client", "codex")
    data = codex_get(client_env, project)
    assert data["enabled"] is True
    assert data["transport"] == {
        "type": "stdio",
        "command": str(JOURNAL_MCP),
        "args": [],
        "env": None,
        "env_vars": [],
        "cwd": None,
    }
    listing = run([str(CODEX), "mcp", "list"], client_env, project).stdout
    assert "private-journal" in listing and "enabled" in listing
    assert config.read_text(encoding="utf-8").startswith('# mine\nmodel = "o3"\n')
    agent_pack(client_env, project, "uninstall", "--user", "--client", "codex")
    gone = run([str(CODEX), "mcp", "get", "--json", "private-journal"], client_env, project)
    assert gone.returncode != 0
    assert config.read_text(encoding="utf-8") == '# mine\nmodel = "o3"\n'


def test_codex_reads_a_trusted_projects_http_registration(client_env: dict[str, str], project: Path) -> None:
    """In a trusted project Codex reads .codex/config.toml: the URL, and the header helper instead of a token."""
    url = "http://127.0.0.1:8765/mcp"
    agent_pack(client_env, project, "install", "--client", "codex", "--http", url)
    config = Path(client_env["HOME"]) / ".codex" / "config.toml"
    config.parent.mkdir(exist_ok=True)
    config.write_text(f'[projects."{project}"]\ntrust_level = "trusted"\n', encoding="utf-8")
    transport = codex_get(client_env, project)["transport"]
    assert isinstance(transport, dict)
    assert transport["type"] == "streamable_http" and transport["url"] == url
    assert transport["http_headers_helper"] == "<redacted>"  # Codex hides the command; it is set
    written = (project / ".codex" / "config.toml").read_text(encoding="utf-8")
    assert f'http_headers_helper = "{JOURNAL_MCP} http-headers --project {project}"' in written
    assert transport["http_headers"] is None and transport["env_http_headers"] is None


@pytest.mark.subprocess
def test_gemini_cli_connects_to_the_shared_http_server_from_the_user_registration(
    client_env: dict[str, str], project: Path, tmp_path: Path
) -> None:
    """The printed `--user --http URL --client gemini-cli` line: Gemini CLI connects with the token (kept in
    ~/.gemini/settings.json, mode 0600, not in the project) and names the open project via $PWD."""
    with contextlib.closing(start_server(client_env, tmp_path, cwd=tmp_path)) as running:
        server = next(running)
        agent_pack(client_env, project, "install", "--user", "--http", server.url, "--client", "gemini-cli")
        settings = Path(client_env["HOME"]) / ".gemini" / "settings.json"
        assert stat.S_IMODE(settings.stat().st_mode) == 0o600
        entry = json.loads(settings.read_text(encoding="utf-8"))["mcpServers"]["private-journal"]
        assert entry == {
            "httpUrl": server.url,
            "headers": {"Authorization": f"Bearer {server.token}", "X-Private-Journal-Project": "$PWD"},
        }
        trust_for_gemini(client_env, project)
        line, output = gemini_line(client_env, project)
        assert line.startswith("✓ private-journal:") and "Connected" in line, output
        assert not any(project.iterdir())
