"""Claude Code's own CLI: the plugin validates, and `claude mcp list` connects to the server agent-pack registered."""

from __future__ import annotations

import contextlib
import json
import subprocess
from pathlib import Path

import pytest

from tests.clients.conftest import CLAUDE, REPO, VENV_BIN, needs_tools, trust_project
from tests.httpserver import start_server

pytestmark = [pytest.mark.external, needs_tools]


def claude(env: dict[str, str], *args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLAUDE), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def approve(env: dict[str, str], project: Path) -> None:
    """Approve the project's .mcp.json server the way Claude Code records it, and trust the project."""
    (project / ".claude" / "settings.local.json").write_text(
        json.dumps({"enabledMcpjsonServers": ["private-journal", "serving-math"]}), encoding="utf-8"
    )
    trust_project(Path(env["HOME"]), project)


def journal_line(env: dict[str, str], project: Path, server: str = "private-journal") -> tuple[str, str]:
    """`claude mcp list` in the project: the server's line, and the whole output for messages."""
    result = claude(env, "mcp", "list", cwd=project)
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith(f"{server}:")), "")
    return line, result.stdout + result.stderr


def agent_pack(env: dict[str, str], *args: str) -> None:
    result = subprocess.run([str(VENV_BIN / "agent-pack"), *args], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


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
    assert "mcpServers: private-journal stdio ${CLAUDE_PLUGIN_ROOT}/plugin/bin/journal-mcp" in out
    assert (
        'hooks: SessionStart startup|resume|clear|compact command "\\"${CLAUDE_PLUGIN_ROOT}/plugin/bin/journal-mcp\\" hook session-start"'
        in out
    )
    assert 'hooks: Stop command "\\"${CLAUDE_PLUGIN_ROOT}/plugin/bin/journal-mcp\\" hook stop"' in out
    assert "skills: journal-agent-pack:private-journal" in out
    assert "serving-math stdio ${CLAUDE_PLUGIN_ROOT}/plugin/bin/serving-math" in out


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
    agent_pack(client_env, "install", "--project", str(project))
    approve(client_env, project)
    # From another working directory's viewpoint the command must still work: it is an absolute path.
    line, output = journal_line(client_env, project)
    assert str(VENV_BIN / "journal-mcp") in line, output
    assert "Connected" in line, output
    line, output = journal_line(client_env, project, "serving-math")
    assert str(VENV_BIN / "serving-math") in line and "Connected" in line, output


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
    math = next((ln for ln in listed.stdout.splitlines() if ln.startswith("serving-math:")), "")
    assert "Connected" in math, listed.stdout + listed.stderr
    result = subprocess.run(
        [agent_pack, "uninstall", "--user"], env=env, cwd=work, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    after = claude(env, "mcp", "list", cwd=work).stdout
    assert "private-journal" not in after and "serving-math" not in after


@pytest.mark.subprocess
def test_the_shared_servers_printed_set_up_works_verbatim(client_env: dict[str, str], tmp_path: Path) -> None:
    """Start `journal-mcp serve --http`, run the Claude Code line it prints in a project, approve the server as
    the text says, and `claude mcp list` shows ✔ Connected. No exported variable; no token in the project."""
    with contextlib.closing(start_server(client_env, tmp_path, cwd=tmp_path)) as running:
        server = next(running)
        printed = server.stdout.read_text(encoding="utf-8")
        assert server.token not in printed
        command = next(ln.strip() for ln in printed.splitlines() if ln.strip().startswith("agent-pack install --http"))
        project = tmp_path / "project"
        project.mkdir()
        ran = subprocess.run(["bash", "-c", command], cwd=project, env=client_env, capture_output=True, text=True)
        assert ran.returncode == 0, ran.stdout + ran.stderr
        approve(client_env, project)
        expected = next(ln for ln in printed.splitlines() if "claude mcp list` then shows: " in ln)
        line, output = journal_line(client_env, project)
        assert line == expected.split("then shows: ", 1)[1], output
        assert line.endswith("✔ Connected")
        for path in project.rglob("*"):
            assert not path.is_file() or server.token not in path.read_text(encoding="utf-8"), path
        # The oracle can fail: a client whose token file holds another token is refused.
        other = tmp_path / "other-journal"
        other.mkdir(mode=0o700)
        (other / "http-token").write_text("w" * 40 + "\n", encoding="utf-8")
        line, output = journal_line(dict(client_env, JOURNAL_MCP_USER_JOURNAL=str(other)), project)
        assert server.url in line and "Failed to connect" in line and "401" in line, output


def test_plugin_install_connects_both_servers(client_env: dict[str, str], tmp_path: Path) -> None:
    """Plugin mode: the marketplace in this checkout, the plugin installed, both servers connected
    from PATH (the package's venv bin directory)."""
    env = dict(client_env, PATH=f"{VENV_BIN}:{client_env['PATH']}")
    work = tmp_path / "work"
    work.mkdir()
    added = claude(env, "plugin", "marketplace", "add", str(REPO), cwd=work)
    assert added.returncode == 0, added.stdout + added.stderr
    installed = claude(env, "plugin", "install", "journal-agent-pack@journal-agent-pack", cwd=work)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    listed = claude(env, "mcp", "list", cwd=work).stdout
    for server in ("private-journal", "serving-math"):
        line = next((ln for ln in listed.splitlines() if ln.startswith(f"plugin:journal-agent-pack:{server}:")), "")
        assert "Connected" in line, listed
