"""Fixtures for the CLI tests: run `journal-mcp` in-process (cli.run) or as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from journal_mcp.cli import app as cli
from tests.cliresult import Result

CliRunner = Callable[..., Result]


@pytest.fixture
def run_cli(
    journal_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> CliRunner:
    """Call `journal-mcp ARGS` in-process with the temp journals; returns exit code and output."""
    for name in (
        "JOURNAL_MCP_USER_JOURNAL",
        "JOURNAL_MCP_PROJECT_JOURNAL",
        "PRIVATE_JOURNAL_PATH",
        "JOURNAL_MCP_TOKEN",
        "XDG_DATA_HOME",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in journal_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(journal_env["CLAUDE_PROJECT_DIR"])

    def run(*args: str) -> Result:
        capsys.readouterr()
        code = cli.run([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def run_subprocess(env: dict[str, str], *args: str, timeout: float = 120) -> Result:
    """`journal-mcp ARGS` as a real process: the installed console script (else `python -m journal_mcp`)."""
    script = Path(sys.executable).with_name("journal-mcp")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "journal_mcp"]
    proc = subprocess.run(
        [*command, *args],
        env={**env, "PYTHONUNBUFFERED": "1"},
        cwd=env["CLAUDE_PROJECT_DIR"],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o777
