"""Helpers for the agent-pack tests: run the real CLI in-process, hash a directory tree."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from agent_pack.cli import main
from tests.cliresult import Result

REPO = Path(__file__).resolve().parents[2]
AGENTS_DIR = REPO / ".claude" / "agents"


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> Result:
    capsys.readouterr()
    try:
        main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    else:  # pragma: no cover - main always exits
        code = 0
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def tree_digest(root: Path) -> dict[str, str]:
    """Every file and directory under root with a hash of its content (directories as 'dir')."""
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        found[rel] = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def shipped() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(AGENTS_DIR.glob("*.md"))}
