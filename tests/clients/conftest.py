"""Real MCP clients from test-tools/node_modules (installed by `./install.sh --dev` and .ci/run)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = REPO / "test-tools" / "node_modules" / ".bin"
CLAUDE = BIN / "claude"
NODE22 = BIN / "node"
INSPECTOR = BIN / "inspector"
VENV_BIN = Path(sys.executable).parent
JOURNAL_MCP = VENV_BIN / "journal-mcp"

needs_tools = pytest.mark.skipif(
    not BIN.is_dir(),
    reason="test-tools/node_modules is absent: run `npm ci --prefix test-tools` (./install.sh --dev does)",
)


@pytest.fixture
def client_env(tmp_path: Path) -> dict[str, str]:
    """A temp HOME and temp journals, keyword search only (fast), for the clients and the servers they start."""
    home = tmp_path / "home"
    home.mkdir()
    return {
        "HOME": str(home),
        "PATH": os.pathsep.join([str(VENV_BIN), "/usr/local/bin", "/usr/bin", "/bin"]),
        "JOURNAL_MCP_USER_JOURNAL": str(tmp_path / "user-journal"),
        "JOURNAL_MCP_PROJECT_JOURNAL": str(tmp_path / "project-journal"),
        "JOURNAL_MCP_SEMANTIC": "0",
        "DISABLE_AUTOUPDATER": "1",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    }


def trust_project(home: Path, project: Path) -> None:
    """Mark `project` trusted in the temp HOME's ~/.claude.json, as accepting the trust dialog would."""
    path = home / ".claude.json"
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data.setdefault("projects", {})[str(project)] = {"hasTrustDialogAccepted": True}
    path.write_text(json.dumps(data), encoding="utf-8")
