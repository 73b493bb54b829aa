"""The file format of the TypeScript `private-journal-mcp`: read one entry file, write one.

A journal is a directory of ``YYYY-MM-DD/HH-MM-SS-<micros>.md`` files (local time). Each file is::

    ---
    title: "2:30:45 PM - May 31, 2025"
    date: 2025-05-31T14:30:45.123Z
    timestamp: 1748701845123
    ---

    ## Feelings

    text...

The first releases wrote no frontmatter (a ``# 2:30:45 PM - May 31, 2025`` title line instead) and a
single diary text without ``## `` headings; that text becomes the ``feelings`` section.

Pure functions: no database, no directory walking (see importer.py and exporter.py).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import PurePath

import frontmatter
import yaml
from pydantic import BaseModel

from journal_mcp.core.sections import SECTION_TITLES, section_title

FILE_NAME = re.compile(r"^(\d{2})-(\d{2})-(\d{2})-(\d{6})(?:-\d+)?\.md$")  # export adds -N on a clash
DAY_DIR = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# Only headings that name a known section split an entry, so "## Summary" inside a section stays text.
_HEADING = re.compile(
    r"^## (" + "|".join(re.escape(t) for t in SECTION_TITLES.values()) + r")[ \t]*$", re.MULTILINE | re.IGNORECASE
)
_OLD_TITLE = re.compile(r"^# \d{1,2}:\d{2}(?::\d{2})? ?[AP]M - .+$", re.IGNORECASE)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_KEY_BY_TITLE = {title.lower(): key for key, title in SECTION_TITLES.items()}


class FormatError(ValueError):
    """A file is not a readable private-journal-mcp entry (the message says why)."""


class ParsedEntry(BaseModel):
    """One entry read from an old journal file."""

    created_at: datetime  # UTC
    sections: dict[str, str]  # section key -> text, in file order
    timestamp_source: str  # frontmatter timestamp, frontmatter date, or file name


def parse_entry(text: str, relative_path: PurePath) -> ParsedEntry:
    """Read an entry file's text; `relative_path` (``YYYY-MM-DD/HH-MM-SS-micros.md``) dates it if nothing else does.

    Raises FormatError for malformed frontmatter, an entry without text, or no usable time.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    metadata: dict[str, object] = {}
    body = text
    if text.startswith("---"):
        try:
            post = frontmatter.loads(text)
        except yaml.YAMLError as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise FormatError(f"malformed frontmatter ({first})") from None
        if not isinstance(post.metadata, dict) or not post.metadata:
            raise FormatError("malformed frontmatter (no closing '---' or no key: value lines)")
        metadata = dict(post.metadata)
        body = post.content
    else:
        lines = body.lstrip("\n").split("\n", 1)
        if lines and _OLD_TITLE.match(lines[0].strip()):
            body = lines[1] if len(lines) > 1 else ""
    sections = parse_sections(body)
    if not sections:
        raise FormatError("empty entry (no text after the frontmatter)")
    created_at, source = _entry_time(metadata, relative_path)
    return ParsedEntry(created_at=created_at, sections=sections, timestamp_source=source)


def parse_sections(body: str) -> dict[str, str]:
    """Split a body on known ``## Section`` headings; text without headings is v1's ``feelings``."""
    sections: dict[str, str] = {}

    def add(key: str, text: str) -> None:
        text = text.strip()
        if text:
            sections[key] = f"{sections[key]}\n\n{text}" if key in sections else text

    matches = list(_HEADING.finditer(body))
    add("feelings", body[: matches[0].start()] if matches else body)
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(body)
        add(_KEY_BY_TITLE[match.group(1).lower()], body[match.end() : end])
    return sections


def _entry_time(metadata: dict[str, object], relative_path: PurePath) -> tuple[datetime, str]:
    from_name = _time_from_path(relative_path)
    stamp = metadata.get("timestamp")
    if isinstance(stamp, int | float) and not isinstance(stamp, bool):
        try:
            moment = datetime.fromtimestamp(int(stamp) // 1000, UTC) + timedelta(milliseconds=int(stamp) % 1000)
        except (OverflowError, OSError, ValueError):
            raise FormatError(f"timestamp {stamp!r} is out of range") from None
        return _refine(moment, from_name), "timestamp"
    date = metadata.get("date")
    if isinstance(date, str):
        try:
            date = datetime.fromisoformat(date.replace("Z", "+00:00"))
        except ValueError:
            raise FormatError(f"date {date!r} is not an ISO 8601 time") from None
    if isinstance(date, datetime):
        moment = date if date.tzinfo else date.astimezone()
        return _refine(moment.astimezone(UTC), from_name), "date"
    if from_name is not None:
        return from_name, "file name"
    raise FormatError("no time: no 'timestamp' or 'date' in the frontmatter and the name is not HH-MM-SS-micros.md")


def _refine(moment: datetime, from_name: datetime | None) -> datetime:
    """Add the file name's microseconds when they agree with the frontmatter's milliseconds.

    private-journal-mcp names files with milliseconds * 1000 plus a random 0-999, and this
    server's export names them with the entry's exact microseconds, so an exported journal
    imports back to the microsecond.
    """
    if from_name is not None and from_name.microsecond // 1000 == moment.microsecond // 1000:
        return moment.replace(microsecond=from_name.microsecond)
    return moment


def _time_from_path(relative_path: PurePath) -> datetime | None:
    name = FILE_NAME.match(relative_path.name)
    day = DAY_DIR.match(relative_path.parent.name) if relative_path.parent.name else None
    if name is None or day is None:
        return None
    try:
        local = datetime(int(day[1]), int(day[2]), int(day[3]), int(name[1]), int(name[2]), int(name[3]), int(name[4]))
    except ValueError:
        return None
    return local.astimezone().astimezone(UTC)  # the old server named files in local time


def entry_path(created_at: datetime) -> PurePath:
    """Where an entry written at `created_at` lives in a journal: local ``YYYY-MM-DD/HH-MM-SS-micros.md``."""
    local = created_at.astimezone()
    return PurePath(f"{local:%Y-%m-%d}", f"{local:%H-%M-%S}-{local.microsecond:06d}.md")


def render_entry(created_at: datetime, sections: dict[str, str]) -> str:
    """An entry file exactly as private-journal-mcp writes it."""
    utc = created_at.astimezone(UTC)
    local = created_at.astimezone()
    hour = local.hour % 12 or 12
    title = f"{hour}:{local:%M:%S} {'AM' if local.hour < 12 else 'PM'} - {local:%B} {local.day}, {local.year}"
    millis = (utc - EPOCH) // timedelta(milliseconds=1)
    body = "\n\n".join(f"## {section_title(key)}\n\n{text}" for key, text in sections.items())
    return (
        f'---\ntitle: "{title}"\ndate: {utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z\n'
        f"timestamp: {millis}\n---\n\n{body}\n"
    )
