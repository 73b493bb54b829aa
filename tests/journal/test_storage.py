"""The database layer: migrations, file modes, durability settings, sharing one journal."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from journal_mcp.core.config import Settings
from journal_mcp.core.errors import StorageError
from journal_mcp.service.journal import Journal
from journal_mcp.store.migrations import MIGRATIONS, SCHEMA_VERSION
from journal_mcp.store.storage import Filters, JournalStore


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_in_memory_store_migrates_to_current_schema() -> None:
    store = JournalStore(":memory:")
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    names = [r[0] for r in store.conn.execute("SELECT name FROM schema_migrations ORDER BY name")]
    assert names == [name for name, _ in MIGRATIONS]


def test_store_accepts_an_open_connection() -> None:
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    store = JournalStore(conn)
    assert store.count_entries() == 0


def test_file_store_is_wal_full_sync_with_busy_timeout(tmp_path: Path) -> None:
    store = JournalStore(tmp_path / "j" / "journal.db")
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_modes_and_gitignore_after_every_kind_of_write(settings: Settings) -> None:
    journal = Journal(settings)
    journal.write({"project_notes": "a", "observations": "b"})
    for directory in (settings.project_journal_dir, settings.user_journal_dir):
        assert mode(directory) == 0o700
        assert (directory / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
        for child in directory.iterdir():
            assert mode(child) == 0o600, child
    store = journal.store("user")
    assert store is not None
    store.save_embeddings(store.model_id("m", 2, "f"), {})
    journal.close()
    for directory in (settings.project_journal_dir, settings.user_journal_dir):
        for child in directory.iterdir():
            assert mode(child) == 0o600, child


def test_reading_never_creates_a_journal(settings: Settings) -> None:
    journal = Journal(settings)
    assert journal.search("anything").hits == []
    assert journal.recent().hits == []
    assert not settings.project_journal_dir.exists()
    assert not settings.user_journal_dir.exists()


def test_uncreatable_journal_directory_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the journal directory should go", encoding="utf-8")
    with pytest.raises(StorageError, match="Cannot create the journal directory"):
        JournalStore(blocker / "journal" / "journal.db")


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    JournalStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StorageError, match="newer journal-mcp"):
        JournalStore(path)


def test_same_place_journals_are_one_database_listed_once(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    # Started in $HOME (or /): the project journal *is* the user journal.
    for cwd in (home, Path("/")):
        settings = Settings.from_env({"HOME": str(home)}, cwd=cwd)
        assert settings.shared_journal
        journal = Journal(settings)
        journal.write({"project_notes": "p note", "observations": "u note"}, created_at=datetime.now(UTC))
        listed = journal.recent(limit=50).hits
        assert len(listed) == len({h.path for h in listed})
        assert len(journal.search("note").hits) == len({h.path for h in journal.search("note").hits})
        journal.close()
    final = Journal(Settings.from_env({"HOME": str(home)}, cwd=home))
    assert len(final.recent(limit=50).hits) == 4
    assert len(final.search("note", type="project").hits) == 2
    final.close()


def test_explicit_same_directory_for_both_journals(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    settings = Settings.from_env(
        {"HOME": str(tmp_path), "JOURNAL_MCP_PROJECT_JOURNAL": str(shared), "JOURNAL_MCP_USER_JOURNAL": str(shared)},
        cwd=tmp_path / "proj",
    )
    journal = Journal(settings)
    journal.write({"project_notes": "alpha", "technical_insights": "alpha"})
    assert len(journal.search("alpha").hits) == 2
    assert journal.store("project") is journal.store("user")
    journal.close()


def user_entries(store: JournalStore, count: int, day: Callable[[int], int], sections: Callable[[int], dict]) -> None:
    """`count` user entries: entry i on January `day(i)` 2026, with `sections(i)`."""
    from journal_mcp.core.models import NewEntry

    store.add_entries(
        [
            NewEntry(
                id=f"user/20260101-000000-{i:06d}-abcdef",
                journal="user",
                created_at=BASE.replace(day=day(i)),
                sections=sections(i),
                content_hash=str(i),
            )
            for i in range(count)
        ]
    )


BASE = datetime(2026, 1, 1, tzinfo=UTC)


def test_keyword_search_filters_inside_sql(tmp_path: Path) -> None:
    store = JournalStore(tmp_path / "j.db")
    base = BASE
    user_entries(store, 40, lambda i: 1 + i % 28, lambda i: {"observations" if i % 2 else "feelings": f"token {i}"})
    hits = store.keyword_search('"token"', Filters(kinds=("user",), sections=["feelings"]), 100)
    assert len(hits) == 20 and all(h.section == "feelings" for h in hits)
    since = base.replace(day=20)
    assert all(
        e.created_at >= since
        for e in store.get_entries(
            [h.entry_id for h in store.keyword_search('"token"', Filters(since=since), 100)]
        ).values()
    )
    assert store.keyword_search('"token"', Filters(kinds=("project",)), 100) == []


def test_section_matches_lists_every_matching_section_within_the_filters(tmp_path: Path) -> None:
    """What the hybrid keyword signal reads: one row per section (not per entry), filters applied in SQL."""
    store = JournalStore(tmp_path / "j.db")
    base = BASE
    user_entries(
        store,
        10,
        lambda i: 1 + i,
        lambda i: {"observations": f"token {i}", "feelings": "token token" if i % 2 else "other"},
    )
    rows = store.section_matches('"token"', Filters())
    assert sorted((r.entry_id[-13:-7], r.section) for r in rows) == sorted(
        [(f"{i:06d}", "observations") for i in range(10)] + [(f"{i:06d}", "feelings") for i in range(1, 10, 2)]
    )
    doubled = {r.entry_id: r.rank for r in rows if r.section == "feelings"}
    single = {r.entry_id: r.rank for r in rows if r.section == "observations"}
    assert all(doubled[e] < single[e] for e in doubled)  # bm25: lower is better, two matches beat one
    assert {r.section for r in store.section_matches('"token"', Filters(sections=["feelings"]))} == {"feelings"}
    assert len(store.section_matches('"token"', Filters(since=base.replace(day=8)))) == 3 + 2
    assert store.section_matches('"token"', Filters(kinds=("project",))) == []
    store.close()


def test_neighbours_of_many_entries_equal_each_entrys_nearest_in_time(tmp_path: Path) -> None:
    """One statement for many sources: each gets its own nearest `steps` entries of its journal type on
    each side (filters applied), nearest first, ties in time broken by id as the single query does."""
    from journal_mcp.core.models import NewEntry

    store = JournalStore(tmp_path / "j.db")
    base = datetime(2026, 1, 1, tzinfo=UTC)
    entries = [
        NewEntry(
            id=f"{'user' if i % 3 else 'project'}/20260101-000000-{i:06d}-abcdef",
            journal="user" if i % 3 else "project",
            created_at=base + timedelta(minutes=10 * (i // 2)),  # pairs share a time
            sections={"observations": f"n{i}"},
            content_hash=str(i),
        )
        for i in range(60)
    ]
    store.add_entries(entries)
    order = sorted(entries, key=lambda e: (e.created_at, e.id))

    def expected(source: NewEntry, filters: Filters) -> list[tuple[str, int]]:
        key = (source.created_at, source.id)
        same = [
            e for e in order if e.journal == source.journal and (not filters.since or e.created_at >= filters.since)
        ]
        earlier = [e for e in same if (e.created_at, e.id) < key][-2:]
        later = [e for e in same if (e.created_at, e.id) > key][:2]
        return [(e.id, -(i + 1)) for i, e in enumerate(reversed(earlier))] + [
            (e.id, i + 1) for i, e in enumerate(later)
        ]

    for filters in (Filters(), Filters(since=base + timedelta(minutes=100))):
        sources = entries[::5]
        got = store.neighbours_of([e.id for e in sources], filters, 2)
        for source in sources:
            listed = got.get(source.id, (0.0, []))[1]
            want = expected(source, filters)
            assert sorted((n.entry_id, n.distance) for n in listed) == sorted(want), source.id
            assert [n.distance for n in listed if n.distance < 0] == sorted((d for _, d in want if d < 0), reverse=True)
    store.close()


def test_a_lock_while_opening_is_waited_out_not_mistaken_for_a_read_only_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite can answer SQLITE_BUSY at once when several processes switch a new file to WAL."""
    real_configure = JournalStore._configure
    failures = iter([True, True, False])

    def busy_twice(self: JournalStore, conn: sqlite3.Connection) -> None:
        if next(failures):
            exc = sqlite3.OperationalError("database is locked")
            exc.sqlite_errorname = "SQLITE_BUSY"  # type: ignore[attr-defined]
            raise exc
        real_configure(self, conn)

    monkeypatch.setattr(JournalStore, "_configure", busy_twice)
    store = JournalStore(tmp_path / "j" / "journal.db")
    assert store.read_only_reason is None
    with store.write_transaction() as conn:  # and takes write transactions
        conn.execute("SELECT 1")
    store.close()
