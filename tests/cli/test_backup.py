"""`journal-mcp backup`: a verified copy of a live journal while real writer processes keep writing."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from journal_mcp.core.config import Settings
from journal_mcp.service.journal import Journal
from tests.cli.conftest import CliRunner, mode, run_subprocess

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from journal_mcp.core.config import Settings
    from journal_mcp.service.journal import Journal

    stop, log, name = Path(sys.argv[1]), open(sys.argv[2], "a", encoding="utf-8"), sys.argv[3]
    journal = Journal(Settings.from_env())
    i = 0
    while not stop.exists():
        result = journal.write({"feelings": f"writer {name} entry {i} " + "words " * 80})
        for entry in result.entries:
            log.write(entry.path + "\\n")  # written only after the write was acknowledged
        log.flush()
        i += 1
    journal.close()
    """
)


def prefill(env: dict[str, str], count: int) -> None:
    """Enough entries that the backup takes a while, written in bulk."""
    journal = Journal(Settings.from_env(env))
    start = datetime(2025, 1, 1, tzinfo=UTC)
    items = [(start + timedelta(minutes=i), {"reflections": f"old entry {i} " + "filler " * 150}) for i in range(count)]
    journal.add_prepared("user", items, source="test")
    journal.add_prepared("project", items[:100], source="test")
    journal.close()


def ids_in(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {r[0] for r in conn.execute("SELECT id FROM entries")}
    finally:
        conn.close()


def acknowledged(logs: list[Path]) -> set[str]:
    return {line for log in logs for line in log.read_text(encoding="utf-8").splitlines() if line}


@pytest.mark.subprocess
def test_backup_during_concurrent_writes(journal_env: dict[str, str], tmp_path: Path) -> None:
    prefill(journal_env, 3000)
    stop = tmp_path / "stop"
    logs = [tmp_path / f"writer{i}.log" for i in range(2)]
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(stop), str(log), str(i)],
            env=journal_env,
            cwd=journal_env["CLAUDE_PROJECT_DIR"],
        )
        for i, log in enumerate(logs)
    ]
    try:
        deadline = time.monotonic() + 60
        while any(not log.exists() or log.stat().st_size < 2000 for log in logs):
            assert time.monotonic() < deadline, "writers did not start"
            assert all(w.poll() is None for w in writers), "a writer died"
            time.sleep(0.05)
        before = acknowledged(logs)
        dest = tmp_path / "backups" / "now"
        result = run_subprocess(journal_env, "backup", str(dest), "--json")
        during = acknowledged(logs) - before
    finally:
        stop.touch()
        for writer in writers:
            assert writer.wait(timeout=60) == 0
    assert result.code == 0, result.err
    report = result.json()
    assert {c["journal"] for c in report["copies"]} == {"project", "user"}
    assert all(c["integrity"] == "ok" for c in report["copies"])
    copied = ids_in(dest / "user.db")
    assert before <= copied  # every write acknowledged before the backup started is in it
    assert len(copied) >= 3000 + len(before)
    assert during, "the writers should have kept writing while the backup ran"
    conn = sqlite3.connect(dest / "user.db")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    finally:
        conn.close()
    assert mode(dest) == 0o700 and mode(tmp_path / "backups") == 0o700
    assert mode(dest / "user.db") == 0o600 and mode(dest / "project.db") == 0o600
    assert sorted(p.name for p in dest.iterdir()) == ["project.db", "user.db"]  # no temp files left


def test_backup_refuses_to_overwrite_without_force(
    run_cli: CliRunner, journal_env: dict[str, str], tmp_path: Path
) -> None:
    prefill(journal_env, 5)
    target = tmp_path / "user-backup.db"
    target.write_bytes(b"precious")
    result = run_cli("backup", target, "--type", "user")
    assert result.code == 2
    assert "--force" in result.err
    assert target.read_bytes() == b"precious"
    forced = run_cli("backup", target, "--type", "user", "--force", "--json")
    assert forced.code == 0, forced.err
    assert len(ids_in(target)) == 5
    assert mode(target) == 0o600


def test_backup_of_a_shared_journal_is_one_file(
    run_cli: CliRunner, journal_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOURNAL_MCP_PROJECT_JOURNAL", str(Path(journal_env["HOME"]) / ".private-journal"))
    env = {**journal_env, "JOURNAL_MCP_PROJECT_JOURNAL": str(Path(journal_env["HOME"]) / ".private-journal")}
    journal = Journal(Settings.from_env(env))
    journal.write({"project_notes": "p", "feelings": "u"})
    journal.close()
    report = run_cli("backup", tmp_path / "b", "--json").json()
    assert [c["journal"] for c in report["copies"]] == ["both"]
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["journal.db"]
    assert len(ids_in(tmp_path / "b" / "journal.db")) == 2


def test_backup_with_no_journal_fails_clearly(run_cli: CliRunner, tmp_path: Path) -> None:
    result = run_cli("backup", tmp_path / "b")
    assert result.code == 1
    assert "no journal to back up yet" in result.err
    assert not (tmp_path / "b").exists()


def test_backup_never_replaces_a_live_journal(run_cli: CliRunner, journal_env: dict[str, str]) -> None:
    prefill(journal_env, 3)
    live = Path(journal_env["HOME"]) / ".private-journal" / "journal.db"
    before = live.read_bytes()
    for dest in (live, live.parent / "copy.db"):
        result = run_cli("backup", dest, "--type", "user", "--force")
        assert result.code == 2
        assert "live journal directory" in result.err
    assert live.read_bytes() == before
    assert not (live.parent / "copy.db").exists()
