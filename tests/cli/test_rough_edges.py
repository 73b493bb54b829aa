"""What a newcomer hits first: --version, bare `journal-mcp` on a terminal, closed pipes, early argument
errors, and messages that name the CLI's own commands."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from journal_mcp.core.config import Settings
from journal_mcp.service.journal import Journal
from tests.cli.conftest import CliRunner, run_subprocess

SCRIPT = Path(sys.executable).with_name("journal-mcp")


def test_version(run_cli: CliRunner, journal_env: dict[str, str]) -> None:
    result = run_subprocess(journal_env, "--version")
    assert result.code == 0 and result.out.startswith("journal-mcp ") and result.out.split()[1][0].isdigit()


def test_show_of_an_unknown_id_points_to_the_cli_commands(run_cli: CliRunner) -> None:
    result = run_cli("show", "user/20200101-000000-000000-abcdef")
    assert result.code == 1
    assert "No journal entry has the id" in result.err
    assert "hint: `journal-mcp search QUERY` and `journal-mcp recent` print entry ids" in result.err
    assert "search_journal" not in result.err and "list_recent_entries" not in result.err


def test_search_rejects_a_bad_date_before_loading_the_model(
    run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The model would take seconds to load (and here cannot load at all): the date is checked first."""
    monkeypatch.setenv("JOURNAL_MCP_SEMANTIC", "1")
    monkeypatch.setenv("JOURNAL_MCP_MODEL", "/nonexistent/model")
    for args in (["--since", "last tuesday"], ["--limit", "0"], ["--sections", "nonsense"]):
        result = run_cli("search", "gpu", *args)
        assert result.code == 2, (args, result.err)
        assert "loading the embedding model" not in result.err, args


def test_a_closed_pipe_ends_quietly(journal_env: dict[str, str]) -> None:
    """`journal-mcp export --format jsonl | head -c 300`, `stats --json | head`: no traceback, a shell's SIGPIPE code."""
    with Journal(Settings.from_env(journal_env)) as journal:
        for i in range(400):
            journal.write({"observations": f"entry {i}: " + "padding " * 60})
    # The reader is gone before the command writes anything (head done early, or never reading).
    for args in (["stats", "--json"], ["recent", "--json"], ["export", "--format", "jsonl"]):
        read_end, write_end = os.pipe()
        os.close(read_end)
        proc = subprocess.run(
            [str(SCRIPT), *args], stdout=write_end, stderr=subprocess.PIPE, env=journal_env, timeout=60
        )
        os.close(write_end)
        stderr = proc.stderr.decode()
        assert proc.returncode == 141, (args, stderr)
        assert "Traceback" not in stderr and "BrokenPipe" not in stderr, (args, stderr)
    # The reader takes 300 bytes of a long export, then goes (`| head -c 300`).
    proc = subprocess.Popen(
        [str(SCRIPT), "export", "--format", "jsonl"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=journal_env
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert len(proc.stdout.read(300)) == 300
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141, stderr
    assert "Traceback" not in stderr, stderr


def test_bare_journal_mcp_on_a_terminal_says_what_it_is_and_stops_on_ctrl_c(journal_env: dict[str, str]) -> None:
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        [str(SCRIPT)], stdin=terminal, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=journal_env
    )
    os.close(terminal)
    try:
        assert proc.stderr is not None
        seen = b""
        deadline = time.monotonic() + 60
        while b"--help" not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stderr], [], [], 1)
            if ready:
                seen += os.read(proc.stderr.fileno(), 4096)
        text = seen.decode()
        assert "journal-mcp is an MCP server" in text and "journal-mcp search QUERY" in text, text
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=10)
        assert code == 0, text + proc.stderr.read().decode()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(controller)


def test_no_hint_when_a_client_starts_it(journal_env: dict[str, str]) -> None:
    proc = subprocess.run([str(SCRIPT)], input="", capture_output=True, text=True, env=journal_env, timeout=60)
    assert proc.returncode == 0 and "MCP server" not in proc.stderr


@pytest.mark.subprocess
def test_self_check_fails_when_search_by_meaning_does_not_work(journal_env: dict[str, str]) -> None:
    """Keyword search alone is not a working install: a model that cannot load fails the check, saying why."""
    env = {**journal_env, "JOURNAL_MCP_MODEL": str(Path(journal_env["HOME"]) / "no-such-model")}
    result = run_subprocess(env, "self-check", timeout=300)
    assert result.code == 1, result.out
    assert "ok   found them by keywords" in result.out
    assert "FAIL semantic search does not work: semantic search unavailable:" in result.out
