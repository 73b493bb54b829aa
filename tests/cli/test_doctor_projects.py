"""`journal-mcp doctor` and `journal-mcp projects` on real files."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from journal_mcp.core.config import Settings
from journal_mcp.service.journal import Journal


def fill(settings: Settings, count: int = 60) -> None:
    with Journal(settings) as journal:
        for i in range(count):
            journal.write({"observations": f"note {i} " + "x" * 500, "project_notes": f"project {i}"})


def test_doctor_reports_healthy_journals(run_cli: Any, journal_env: dict[str, str]) -> None:
    fill(Settings.from_env(journal_env), 3)
    result = run_cli("doctor")
    assert result.code == 0, result.err
    assert "project journal" in result.out and "user journal" in result.out and "DAMAGED" not in result.out


def test_doctor_recovers_a_damaged_journal_into_a_new_file(
    run_cli: Any, journal_env: dict[str, str], tmp_path: Path
) -> None:
    if shutil.which("sqlite3") is None:
        pytest.skip("needs the sqlite3 shell")
    settings = Settings.from_env(journal_env)
    fill(settings)
    db = settings.user_db_path
    import sqlite3

    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(db.read_bytes())
    middle = (len(data) // 4096 // 2) * 4096
    data[middle : middle + 4096] = b"\x00\xff" * 2048
    db.write_bytes(bytes(data))
    damaged = db.read_bytes()
    result = run_cli("doctor", "--recover", str(tmp_path / "rescue"))
    assert result.code == 1 and "DAMAGED" in result.out
    recovered = tmp_path / "rescue" / "user-recovered.db"
    assert recovered.exists() and "recovered" in result.out
    assert db.read_bytes() == damaged  # the original is never changed
    conn = sqlite3.connect(recovered)
    assert conn.execute("SELECT count(*) FROM entries").fetchone()[0] > 0
    conn.close()


def test_projects_lists_and_relinks_a_moved_project(run_cli: Any, journal_env: dict[str, str], tmp_path: Path) -> None:
    settings = Settings.from_env(journal_env)
    fill(settings, 2)
    listed = run_cli("projects")
    assert listed.code == 0 and str(Path(journal_env["CLAUDE_PROJECT_DIR"]).resolve()) in listed.out
    old = Path(journal_env["CLAUDE_PROJECT_DIR"])
    new = tmp_path / "moved"
    old.rename(new)
    assert "missing" in run_cli("projects").out
    moved = run_cli("projects", "relink", str(old), str(new))
    assert moved.code == 0, moved.err
    after = Settings.from_env({**journal_env, "CLAUDE_PROJECT_DIR": str(new)})
    with Journal(after) as journal:
        assert len(journal.recent(type="project").hits) == 2
