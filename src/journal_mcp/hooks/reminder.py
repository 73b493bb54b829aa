"""The end-of-work reminders: the session's, once a session, and a pack agent's, once a task; each only
when that work used tools and wrote nothing to the journal."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from journal_mcp.core.config import Settings
from journal_mcp.core.errors import StorageError
from journal_mcp.core.models import parse_iso_utc
from journal_mcp.store.reading import open_read_only

REMINDER = (
    "Before you stop: nothing from this session is in the private journal yet. If the work taught something "
    "worth not relearning (a decision and its reason, a gotcha, a fix, how this user likes to work), record it "
    "now with the private-journal server's process_thoughts tool: project_notes for this codebase, "
    "technical_insights or user_context for what holds beyond it. If nothing is worth keeping, just stop."
)
SUBAGENT_REMINDER = (
    "Before you hand your answer back: nothing from this task is in the private journal yet. If it taught "
    "something worth not relearning (a decision and its reason, a measured number, a gotcha, what this user "
    "needs), record it now with the private-journal server's process_thoughts tool: project_notes for this "
    "codebase, technical_insights for what holds beyond it. Then give your answer as you meant to. If nothing is "
    "worth keeping, just give it."
)
WROTE = re.compile(r'"name"\s*:\s*"mcp__[\w-]*private-journal__process_thoughts"')
TOOL_USE = re.compile(r'"type"\s*:\s*"tool_use"')


def transcripts(transcript_path: str | None) -> Iterator[Path]:
    """The session's transcript and its subagents' (`<session>/subagents/*.jsonl` beside it)."""
    if not transcript_path:
        return
    main = Path(transcript_path)
    yield main
    subagents = main.with_suffix("") / "subagents"
    if subagents.is_dir():
        yield from sorted(subagents.glob("*.jsonl"))


def scan(transcript_path: str | None) -> tuple[bool, bool]:
    """(did the session use any tool, did it call process_thoughts), from its transcripts."""
    return scan_files(transcripts(transcript_path))


def scan_files(paths: Iterable[Path]) -> tuple[bool, bool]:
    """(did any of these transcripts use a tool, did any call process_thoughts)."""
    worked = wrote = False
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        worked = worked or bool(TOOL_USE.search(text))
        wrote = wrote or bool(WROTE.search(text))
    return worked, wrote


def wrote_since(settings: Settings, started_at: str | None) -> bool:
    """True when the journal has an entry newer than the session's start (a write the transcripts miss)."""
    if not started_at:
        return False
    since = parse_iso_utc(started_at)
    for path in {settings.project_db_path, settings.user_db_path}:
        try:
            conn = open_read_only(path, 0.2)
        except StorageError:
            continue
        try:
            row = conn.execute("SELECT max(created_at) FROM entries").fetchone()
        except sqlite3.Error:  # an unreadable journal cannot show a write; the reminder is the safe side
            row = None
        finally:
            conn.close()
        if row and row[0] and parse_iso_utc(str(row[0])) >= since:
            return True
    return False


def reminder(settings: Settings, event: dict[str, object], started_at: str | None) -> str | None:
    """The reminder to give, or None: not when a Stop hook already continued the turn, nor without work done."""
    if event.get("stop_hook_active"):
        return None
    transcript = event.get("transcript_path")
    worked, wrote = scan(transcript if isinstance(transcript, str) else None)
    if not worked or wrote or wrote_since(settings, started_at):
        return None
    return REMINDER


def subagent_reminder(event: dict[str, object]) -> str | None:
    """A pack agent's reminder, or None: not when a stop hook already continued it, nor without its own
    transcript showing tool use and no process_thoughts call."""
    if event.get("stop_hook_active"):
        return None
    transcript = event.get("agent_transcript_path")
    if not isinstance(transcript, str) or not transcript:
        return None
    worked, wrote = scan_files([Path(transcript)])
    return SUBAGENT_REMINDER if worked and not wrote else None


def as_output(text: str) -> str:
    return json.dumps({"decision": "block", "reason": text})
