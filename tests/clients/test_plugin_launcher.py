"""The plugin's launcher (plugin/bin/journal-mcp) on a machine with no journal-mcp: first-run set-up.

The set-up itself is `install.sh --env-only` (tested end to end with install.sh in test_install_sh.py);
here a stand-in install.sh that takes two seconds and then provides a journal-mcp checks what the
launcher does around it: the hook starts it in the background and says so at once, the server waits
for it and then runs, a failed set-up is reported at the next session start.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.clients.conftest import REPO, VENV_BIN

pytestmark = pytest.mark.subprocess

SUCCEEDS = f"""#!/usr/bin/env bash
set -e
[[ "$1" == --env-only ]]
echo "==> installing (stand-in)"
sleep 2
mkdir -p "$JOURNAL_AGENT_PACK_VENV/bin"
ln -s {VENV_BIN / "journal-mcp"} "$JOURNAL_AGENT_PACK_VENV/bin/journal-mcp"
"""
FAILS = """#!/usr/bin/env bash
echo "error: no Python found (looked for 'python3')"
echo "hint: install Python 3.11 or newer"
exit 1
"""


def plugin_root(tmp_path: Path, installer: str) -> Path:
    root = tmp_path / "plugin-root"
    (root / "plugin" / "bin").mkdir(parents=True)
    shutil.copy2(REPO / "plugin" / "bin" / "journal-mcp", root / "plugin" / "bin" / "journal-mcp")
    (root / "install.sh").write_text(installer, encoding="utf-8")
    (root / "install.sh").chmod(0o755)
    return root


def env_for(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {
        "HOME": str(home),
        "PATH": "/usr/bin:/bin",  # no journal-mcp anywhere
        "CLAUDE_PLUGIN_DATA": str(tmp_path / "plugin-data"),
        "JOURNAL_MCP_PROJECT_JOURNAL": str(tmp_path / "pj"),
        "JOURNAL_MCP_USER_JOURNAL": str(tmp_path / "uj"),
        "JOURNAL_MCP_SEMANTIC": "0",
    }


def launch(root: Path, env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    launcher = root / "plugin" / "bin" / "journal-mcp"
    return subprocess.run(
        [str(launcher), *args], input=stdin, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_first_session_starts_the_set_up_says_so_and_the_server_then_runs(tmp_path: Path) -> None:
    root, env = plugin_root(tmp_path, SUCCEEDS), env_for(tmp_path)
    started = time.monotonic()
    result = launch(root, env, "hook", "session-start", stdin='{"session_id": "s1"}')
    assert result.returncode == 0 and time.monotonic() - started < 2, result.stderr
    answer = json.loads(result.stdout)
    assert "setting up the private journal's Python environment" in answer["systemMessage"]
    assert str(tmp_path / "plugin-data" / "setup.log") in answer["systemMessage"]
    assert "not available in this session" in answer["hookSpecificOutput"]["additionalContext"]
    assert launch(root, env, "hook", "stop", stdin="{}").stdout == ""  # the stop hook stays quiet meanwhile
    # The server waits for the set-up in progress, then runs the journal-mcp it installed.
    served = launch(root, dict(env, JOURNAL_AGENT_PACK_SETUP_WAIT="30"), "stats", "--json")
    assert served.returncode == 0, served.stderr
    assert "journals" in json.loads(served.stdout)
    assert "installing (stand-in)" in (tmp_path / "plugin-data" / "setup.log").read_text(encoding="utf-8")
    # From now on the hooks are the real ones.
    brief = json.loads(launch(root, env, "hook", "session-start", stdin='{"session_id": "s2"}').stdout)
    assert "Private journal briefing" in brief["hookSpecificOutput"]["additionalContext"]


def test_a_failed_set_up_is_reported_and_the_server_says_what_to_do(tmp_path: Path) -> None:
    root, env = plugin_root(tmp_path, FAILS), env_for(tmp_path)
    launch(root, env, "hook", "session-start", stdin="{}")
    deadline = time.monotonic() + 20
    while (tmp_path / "plugin-data" / "setup.lock").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    again = json.loads(launch(root, env, "hook", "session-start", stdin="{}").stdout)
    assert "The previous attempt failed: error: no Python found" in again["systemMessage"]
    served = launch(root, dict(env, JOURNAL_AGENT_PACK_SETUP_WAIT="5"))
    assert served.returncode == 1
    assert "setting up the plugin's Python environment failed" in served.stderr or "is setting up" in served.stderr


def test_an_installed_journal_mcp_is_used_and_the_launcher_never_runs_itself(tmp_path: Path) -> None:
    root, env = plugin_root(tmp_path, FAILS), env_for(tmp_path)
    on_path = dict(env, PATH=f"{root / 'plugin' / 'bin'}:{VENV_BIN}:/usr/bin:/bin")
    result = launch(root, on_path, "stats", "--json")
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "plugin-data").exists()  # nothing to set up
    venv = tmp_path / "home" / ".local" / "share" / "journal-agent-pack" / "venv" / "bin"
    venv.mkdir(parents=True)
    os.symlink(VENV_BIN / "journal-mcp", venv / "journal-mcp")  # install.sh's virtualenv comes first
    assert launch(root, env, "stats", "--json").returncode == 0
