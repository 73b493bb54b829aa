"""The session-start briefing: this project's newest journal entries, with ids, in a small budget."""

from __future__ import annotations

from journal_mcp.core.config import Settings
from journal_mcp.core.errors import StorageError
from journal_mcp.core.models import Entry, JournalType
from journal_mcp.core.sections import section_title
from journal_mcp.store.filters import Filters
from journal_mcp.store.reading import count_entries, open_read_only, recent_entries

BUDGET_CHARS = 1500
WAIT_SECONDS = 0.2  # for another process's lock on the journal; then the briefing says it is busy
PROJECT_ENTRIES = 5
USER_ENTRIES = 3
HEADER = "Private journal briefing (private-journal MCP server)"
ADVICE = (
    "Search the journal (search_journal) before starting a piece of work and record what you learned "
    "(process_thoughts) after it; read a whole entry with read_journal_entry and its id."
)


def one_line(entry: Entry, width: int) -> str:
    """`- <id> (<date>, <section>): <first words>` cut to `width` characters between words."""
    key, text = next(iter(entry.sections.items()), ("", ""))
    head = f"- {entry.id} ({entry.local_time:%Y-%m-%d}, {section_title(key) if key else 'empty'}): "
    words = " ".join(text.split())
    room = max(0, width - len(head))
    if len(words) > room:
        words = words[: max(0, room - 1)].rsplit(" ", 1)[0] + "…"
    return head + words


def _read(settings: Settings, kind: JournalType, limit: int) -> tuple[int, list[Entry]]:
    path = settings.project_db_path if kind == "project" else settings.user_db_path
    conn = open_read_only(path, WAIT_SECONDS)
    try:
        kinds: tuple[JournalType, ...] = (kind,)
        return count_entries(conn, kinds), recent_entries(conn, Filters(kinds=kinds), limit)
    finally:
        conn.close()


def briefing(settings: Settings, budget: int = BUDGET_CHARS) -> str:
    """The text for the model's context at session start; never longer than `budget` characters."""
    lines = [HEADER, ADVICE]
    wanted: list[tuple[JournalType, int, str]] = [("project", PROJECT_ENTRIES, "this project's journal")]
    if not settings.shared_journal:
        wanted.append(("user", USER_ENTRIES, "the user journal"))
    for kind, limit, label in wanted:
        try:
            count, entries = _read(settings, kind, limit)
        except StorageError as exc:
            missing = not (settings.project_db_path if kind == "project" else settings.user_db_path).exists()
            lines.append(
                f"{label[0].upper()}{label[1:]}: " + ("no entries yet." if missing else f"unreadable now ({exc})")
            )
            continue
        if not entries:
            lines.append(f"{label[0].upper()}{label[1:]}: no entries yet.")
            continue
        lines.append(f"{label[0].upper()}{label[1:]}: {count} entries; the newest:")
        lines += [one_line(e, 220) for e in entries]
    return fit(lines, budget)


def fit(lines: list[str], budget: int) -> str:
    """Join lines, dropping whole entry lines from the end (then cutting) until the text fits `budget`."""
    text = "\n".join(lines)
    while len(text) > budget and any(line.startswith("- ") for line in lines):
        last = max(i for i, line in enumerate(lines) if line.startswith("- "))
        del lines[last]
        text = "\n".join(lines)
    return text if len(text) <= budget else text[: budget - 1] + "…"
