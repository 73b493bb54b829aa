"""Private data stays private: after every kind of write, journal directories are 0700 and files 0600.

Run under umask 0, the most careless setting a user can have: nothing may rely on the umask.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters

from journal_mcp.core.config import Settings
from journal_mcp.service.journal import Journal
from journal_mcp.service.reindex import reindex
from tests.cli.conftest import mode, run_subprocess
from tests.cli.oldjournal import write_old_entry
from tests.semantic.fakes import HashEmbedder

pytestmark = pytest.mark.subprocess


@pytest.fixture
def careless_umask() -> Iterator[None]:
    previous = os.umask(0)
    yield
    os.umask(previous)


def assert_private(*roots: Path) -> None:
    for root in roots:
        assert mode(root) == 0o700, root
        for directory, dirs, files in os.walk(root):
            for name in dirs:
                assert mode(Path(directory, name)) == 0o700, Path(directory, name)
            for name in files:
                assert mode(Path(directory, name)) == 0o600, Path(directory, name)


def test_every_kind_of_write_leaves_journals_private(
    journal_env: dict[str, str], tmp_path: Path, careless_umask: None
) -> None:
    settings = Settings.from_env(journal_env)
    journals = (settings.project_journal_dir, settings.user_journal_dir)

    # 1. process_thoughts in this process
    journal = Journal(settings)
    journal.write({"project_notes": "first project note", "observations": "first observation"})
    assert_private(*journals)

    # 2. a real stdio server process writing (it creates its own -wal/-shm files)
    async def write_through_server() -> None:
        params = StdioServerParameters(
            command=sys.executable,
            args=["-m", "journal_mcp"],
            env=journal_env,
            cwd=journal_env["CLAUDE_PROJECT_DIR"],
        )
        async with Client(params, read_timeout_seconds=60) as client:
            result = await client.call_tool("process_thoughts", {"project_notes": "via server", "feelings": "calm"})
            assert not result.is_error

    anyio.run(write_through_server)
    assert_private(*journals)

    # 3. import of an old private-journal-mcp journal
    old = tmp_path / "old" / ".private-journal"
    write_old_entry(old, datetime.now(UTC) - timedelta(days=3), {"Feelings": "imported"})
    imported = run_subprocess(journal_env, "import", "--type", "user", str(old))
    assert imported.code == 0, imported.err
    assert_private(*journals)

    # 4. embeddings written by a reindex
    assert reindex(journal, HashEmbedder()) >= 4
    journal.close()
    assert_private(*journals)

    # 5. what leaves the journal: a backup and an export are as private as the journal
    backup = run_subprocess(journal_env, "backup", str(tmp_path / "backup"))
    assert backup.code == 0, backup.err
    exported = run_subprocess(journal_env, "export", "--format", "markdown", str(tmp_path / "export"))
    assert exported.code == 0, exported.err
    assert_private(tmp_path / "backup", tmp_path / "export", *journals)
