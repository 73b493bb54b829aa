"""Two journals, one broken: writes are all or nothing, reads serve the healthy one with a notice."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from journal_mcp.core.config import Settings
from journal_mcp.core.errors import CorruptJournalError, ForeignDatabaseError, StorageError
from journal_mcp.service.journal import Journal
from journal_mcp.store.storage import JournalStore

from ..readonly import can_mount_read_only, with_read_only


def both_written(settings: Settings) -> None:
    with Journal(settings) as journal:
        for i in range(40):
            journal.write(
                {"project_notes": f"project note {i} " + "p" * 400, "observations": f"user note {i} " + "u" * 400}
            )


def rot(db: Path) -> None:
    """Overwrite a page in the middle of the file, as a failing disk would."""
    with sqlite_checkpointed(db):
        pass
    data = bytearray(db.read_bytes())
    page = 4096
    middle = (len(data) // page // 2) * page
    data[middle : middle + page] = b"\xde\xad\xbe\xef" * (page // 4)
    db.write_bytes(bytes(data))


class sqlite_checkpointed:
    def __init__(self, db: Path) -> None:
        self.db = db

    def __enter__(self) -> None:
        import sqlite3

        conn = sqlite3.connect(self.db)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()

    def __exit__(self, *exc: object) -> None:
        return None


def test_a_damaged_journal_refuses_writes_and_both_serves_the_other(settings: Settings) -> None:
    both_written(settings)
    rot(settings.user_db_path)
    with Journal(settings) as journal:
        with pytest.raises(CorruptJournalError, match="journal-mcp doctor"):
            journal.write({"observations": "not into a damaged journal"})
        with pytest.raises(CorruptJournalError):
            journal.write({"project_notes": "nor half of it", "observations": "into the damaged one"})
        listing = journal.recent(limit=100)
        assert listing.hits and {h.type for h in listing.hits} <= {"project", "user"}
        project = journal.recent(type="project", limit=100)
        assert len(project.hits) == 40  # the healthy journal is whole, and got nothing from the refused write


def test_an_unopenable_journal_leaves_type_both_working_with_a_notice(settings: Settings) -> None:
    both_written(settings)
    settings.user_db_path.write_bytes(b"garbage, not a database " * 500)
    for suffix in ("-wal", "-shm"):
        Path(f"{settings.user_db_path}{suffix}").unlink(missing_ok=True)
    with Journal(settings) as journal:
        listing = journal.recent(limit=100)
        assert len(listing.hits) == 40 and {h.type for h in listing.hits} == {"project"}
        assert listing.notice and "user journal is unavailable" in listing.notice
        found = journal.search("project note")
        assert found.hits and found.notice and "user journal is unavailable" in found.notice
        assert journal.read_recent(limit=3).notice
        with pytest.raises(ForeignDatabaseError):
            journal.recent(type="user")  # asked for the broken one alone: its error, not an empty list


def test_a_failed_second_write_takes_the_first_back(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    with Journal(settings) as journal:
        journal.write({"project_notes": "open both", "observations": "open both"})
        user = journal.store("user")
        assert user is not None

        def fail(*args: object, **kwargs: object) -> int:
            raise StorageError("Could not write to the journal: disk I/O error.")

        monkeypatch.setattr(user, "add_entries", fail)
        for _ in range(3):  # retries leave no copies behind
            with pytest.raises(StorageError, match="Nothing was written"):
                journal.write({"project_notes": "half", "observations": "other half"})
        assert [h.excerpt for h in journal.recent(type="project").hits] == ["open both"]


WRITE_BOTH = """
import json, sys
from journal_mcp.core.config import Settings
from journal_mcp.core.errors import JournalError
from journal_mcp.service.journal import Journal
with Journal(Settings.from_env()) as journal:
    try:
        journal.write({"feelings": "user half", "project_notes": "project half"})
        print(json.dumps({"ok": True}))
    except JournalError as exc:
        print(json.dumps({"ok": False, "error": str(exc)}))
"""


def test_a_read_only_project_journal_writes_nothing_anywhere(journal_env: dict[str, str]) -> None:
    """The real case of issue 12: the project journal on a read-only mount, the user journal writable."""
    if not can_mount_read_only():
        pytest.skip("this kernel does not allow unprivileged mount namespaces")
    settings = Settings.from_env(journal_env)
    with Journal(settings) as journal:
        journal.write({"project_notes": "before", "feelings": "before"})
    before = settings.user_db_path.read_bytes()
    for _ in range(3):
        run = subprocess.run(
            with_read_only(settings.project_journal_dir, sys.executable, "-c", WRITE_BOTH),
            capture_output=True,
            text=True,
            env=journal_env,
            timeout=120,
        )
        result = json.loads(run.stdout.strip().splitlines()[-1])
        assert not result["ok"] and "read-only" in result["error"] and "nothing was written" in result["error"]
    with Journal(settings) as journal:
        assert [h.excerpt for h in journal.recent(type="user").hits] == ["before"]
    assert JournalStore(settings.user_db_path).count_entries() == 1
    assert before  # the user journal was there all along
