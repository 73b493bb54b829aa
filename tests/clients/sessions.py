"""Real `claude -p` sessions against the scripted Messages API, with the pack installed three ways.

`install(mode, ...)` puts the agents, the private-journal server and the hooks where a user's install
would: `project` (agent-pack install --project), `user` (agent-pack install --user) or `plugin` (the
plugin from a clean copy of this checkout, through `claude plugin marketplace add` and `plugin install`).
`run_session` starts Claude Code non-interactively as root with the journal tools permitted.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tests.clients.conftest import CLAUDE, REPO, VENV_BIN, trust_project
from tests.clients.fakeapi import FakeAnthropic

Mode = Literal["project", "user", "plugin"]
MODES: tuple[Mode, ...] = ("project", "user", "plugin")
PLUGIN = "journal-agent-pack"
# Server-level permission rules: every tool of the journal server, under either name.
ALLOWED = ["mcp__private-journal", f"mcp__plugin_{PLUGIN}_private-journal"]


def copy_checkout(target: Path) -> Path:
    """The plugin's files as a fresh clone has them (tracked and new, not ignored: no .venv, no node_modules)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for rel in filter(None, listed.split("\0")):
        source = REPO / rel
        if source.is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / rel)
    return target


def run(env: dict[str, str], *argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), cwd=cwd, env=env, capture_output=True, text=True, timeout=180, check=False)


def _ok(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, f"{result.args}: {result.stdout}{result.stderr}"


def approve_project_servers(home: Path, project: Path) -> None:
    """Approve the project's .mcp.json servers (merged into settings.local.json) and trust the project."""
    path = project / ".claude" / "settings.local.json"
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data["enabledMcpjsonServers"] = ["private-journal"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    trust_project(home, project)


def install(mode: Mode, env: dict[str, str], project: Path, plugin_source: Path) -> None:
    home = Path(env["HOME"])
    if mode == "project":
        _ok(run(env, str(VENV_BIN / "agent-pack"), "install", "--project", str(project), cwd=project))
        approve_project_servers(home, project)
    elif mode == "user":
        path_env = dict(env, PATH=f"{CLAUDE.parent}:{env['PATH']}")  # `claude mcp add --scope user`
        _ok(run(path_env, str(VENV_BIN / "agent-pack"), "install", "--user", cwd=project))
        trust_project(home, project)
    else:
        _ok(run(env, str(CLAUDE), "plugin", "marketplace", "add", str(plugin_source), cwd=project))
        _ok(run(env, str(CLAUDE), "plugin", "install", f"{PLUGIN}@{PLUGIN}", cwd=project))
        trust_project(home, project)


@dataclass
class Session:
    result: subprocess.CompletedProcess[str]
    fake: FakeAnthropic

    @property
    def first_request_text(self) -> str:
        messages = self.fake.messages()
        return json.dumps(messages[0]) if messages else ""


def run_session(env: dict[str, str], project: Path, fake: FakeAnthropic, prompt: str) -> Session:
    """`claude -p` in `project` against `fake`: root cannot bypass permissions, so the journal tools are allowed."""
    session_env = dict(env, ANTHROPIC_BASE_URL=fake.url, ANTHROPIC_API_KEY="sk-ant-test-dummy-key")
    result = run(
        session_env, str(CLAUDE), "-p", prompt, "--allowedTools", *ALLOWED, "--output-format", "text", cwd=project
    )
    return Session(result, fake)
