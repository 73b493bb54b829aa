"""Tell a journal-mcp database from anyone else's before changing a byte of it.

Every database this server creates carries ``PRAGMA application_id = APPLICATION_ID``. Journals
made before that (schema_migrations naming only our migrations) are recognised and stamped. Any
other SQLite file is refused before a migration, a WAL switch or any write, and so is a journal
written by a newer journal-mcp. Everything here only reads.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from journal_mcp.core.errors import ForeignDatabaseError, StorageError
from journal_mcp.store.migrations import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

__all__ = ["APPLICATION_ID", "Identity", "identify"]

Kind = Literal["new", "journal", "legacy-journal"]


@dataclass(frozen=True)
class Identity:
    kind: Kind
    schema_version: int


def identify(conn: sqlite3.Connection, path: Path | str) -> Identity:
    """What the database on `conn` is; raises when it is not ours or too new. Reads only."""
    try:
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.OperationalError:
        raise  # locked, or cannot be opened here (e.g. a read-only directory): the caller decides
    except sqlite3.DatabaseError as exc:
        raise ForeignDatabaseError(
            f"{path} is not a readable SQLite database ({exc}); refusing to use it as a journal. "
            "Move it away, or run `journal-mcp doctor` if it was a journal."
        ) from exc
    if app_id == APPLICATION_ID:
        _check_version(version, path)
        return Identity("journal", version)
    if app_id == 0 and not tables and version == 0:
        return Identity("new", 0)
    if app_id == 0 and _is_legacy_journal(conn, tables, version):
        _check_version(version, path)
        return Identity("legacy-journal", version)
    raise ForeignDatabaseError(
        f"{path} is another application's SQLite database (application_id {app_id}, "
        f"{len(tables)} table(s)), not a journal; it was left untouched. Move it away or point the journal "
        "elsewhere (JOURNAL_MCP_PROJECT_JOURNAL / JOURNAL_MCP_USER_JOURNAL)."
    )


def _check_version(version: int, path: Path | str) -> None:
    if version > SCHEMA_VERSION:
        raise StorageError(
            f"The journal {path} was written by a newer journal-mcp (schema {version}, this one knows "
            f"{SCHEMA_VERSION}); it was left untouched. Upgrade journal-agent-pack to use it."
        )


def _is_legacy_journal(conn: sqlite3.Connection, tables: set[str], version: int) -> bool:
    """A journal from before application_id: our migration names, in order, and nothing else's."""
    if "schema_migrations" not in tables or "entries" not in tables or "sections" not in tables:
        return False
    names = [row[0] for row in conn.execute("SELECT name FROM schema_migrations ORDER BY name")]
    known = [name for name, _ in MIGRATIONS]
    return bool(names) and names == known[: len(names)] and len(names) == version
