"""Claude Code's own CLI: the plugin validates, and `claude mcp list` connects to the server agent-pack registered."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx2
import pytest

from tests.clients.conftest import CLAUDE, REPO, VENV_BIN, needs_tools, trust_project

pytestmark = [pytest.mark.external, needs_tools]


def claude(env: dict[str, str], *args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLAUDE), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("target", [".", ".claude/agents", ".claude-plugin/marketplace.json"])
def test_claude_plugin_validate_passes(client_env: dict[str, str], target: str) -> None:
    result = claude(client_env, "plugin", "validate", target)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation passed" in result.stdout
    report = json.loads(claude(client_env, "plugin", "validate", "--json", target).stdout)
    assert report["success"] is True


def test_claude_plugin_validate_sees_every_agent_and_the_server(client_env: dict[str, str]) -> None:
    out = claude(client_env, "plugin", "validate", ".").stdout
    for path in sorted((REPO / ".claude" / "agents").glob("*.md")):
        assert f"agents: journal-agent-pack:{path.stem}" in out
    assert "mcpServers: private-journal stdio journal-mcp" in out


def test_claude_plugin_validate_catches_a_broken_agent(client_env: dict[str, str], tmp_path: Path) -> None:
    """The real validator is a useful oracle: a horizontal rule read as frontmatter is an error there too."""
    agents = tmp_path / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "atlas.md").write_text("---\n\n## Identity\n\nYou are Atlas.\n\n---\n\nMore.\n", encoding="utf-8")
    result = claude(client_env, "plugin", "validate", str(agents))
    assert result.returncode == 1 and "Frontmatter must be a YAML mapping" in result.stdout
    lint = subprocess.run(
        [str(VENV_BIN / "agent-pack"), "validate", str(agents)], capture_output=True, text=True, check=False
    )
    assert lint.returncode == 1 and "must be a YAML mapping" in lint.stdout


def test_claude_mcp_list_connects_to_the_installed_server(client_env: dict[str, str], tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    install = subprocess.run(
        [str(VENV_BIN / "agent-pack"), "install", "--project", str(project)],
        env=client_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    # Approve the project's .mcp.json server the way Claude Code records it, and trust the project.
    (project / ".claude" / "settings.local.json").write_text(
        json.dumps({"enabledMcpjsonServers": ["private-journal"]}), encoding="utf-8"
    )
    trust_project(Path(client_env["HOME"]), project)
    # From another working directory's viewpoint the command must still work: it is an absolute path.
    result = claude(client_env, "mcp", "list", cwd=project)
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("private-journal:")), "")
    assert str(VENV_BIN / "journal-mcp") in line, result.stdout + result.stderr
    assert "Connected" in line, result.stdout + result.stderr


def test_user_scope_registers_through_the_claude_cli(client_env: dict[str, str], tmp_path: Path) -> None:
    env = dict(client_env, PATH=f"{CLAUDE.parent}:{client_env['PATH']}")
    work = tmp_path / "work"
    work.mkdir()
    agent_pack = str(VENV_BIN / "agent-pack")
    result = subprocess.run(
        [agent_pack, "install", "--user"], env=env, cwd=work, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    listed = claude(env, "mcp", "list", cwd=work)
    assert "private-journal:" in listed.stdout and "Connected" in listed.stdout, listed.stdout + listed.stderr
    result = subprocess.run(
        [agent_pack, "uninstall", "--user"], env=env, cwd=work, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "private-journal" not in claude(env, "mcp", "list", cwd=work).stdout


@pytest.mark.subprocess
def test_claude_mcp_list_connects_to_the_shared_http_server(client_env: dict[str, str], tmp_path: Path) -> None:
    """`journal-mcp serve --http` + `agent-pack install --http URL`: Claude Code connects with the token, not without."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    token = "t" * 20 + "-shared-server-token-for-the-test"
    env = dict(client_env, JOURNAL_MCP_TOKEN=token)
    server = subprocess.Popen(
        [str(VENV_BIN / "journal-mcp"), "serve", "--http", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, "the HTTP server exited"
            try:
                if httpx2.get(url, timeout=2).status_code == 401:
                    break
            except httpx2.TransportError:
                pass
            assert time.monotonic() < deadline, "the HTTP server did not come up"
            time.sleep(0.2)
        project = tmp_path / "project"
        project.mkdir()
        install = subprocess.run(
            [str(VENV_BIN / "agent-pack"), "install", "--project", str(project), "--http", url],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert install.returncode == 0, install.stdout + install.stderr
        (project / ".claude" / "settings.local.json").write_text(
            json.dumps({"enabledMcpjsonServers": ["private-journal"]}), encoding="utf-8"
        )
        trust_project(Path(env["HOME"]), project)
        listed = claude(env, "mcp", "list", cwd=project)
        line = next((ln for ln in listed.stdout.splitlines() if ln.startswith("private-journal:")), "")
        assert url in line and "Connected" in line, listed.stdout + listed.stderr
        wrong = claude(dict(env, JOURNAL_MCP_TOKEN="w" * 40), "mcp", "list", cwd=project)
        line = next((ln for ln in wrong.stdout.splitlines() if ln.startswith("private-journal:")), "")
        assert url in line and "Failed to connect" in line and "401" in line, wrong.stdout + wrong.stderr
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
