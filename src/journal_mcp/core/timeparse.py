"""Parse the `since` / `until` arguments: ISO dates and times, or relative spans like `7d`."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from journal_mcp.core.errors import InvalidInputError

_RELATIVE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|min|h|d|w|y)\s*(?:ago)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "y": 365 * 86400}

HELP = "Use an ISO date or time (2026-11-01, 2026-11-01T14:30) or a span back from now (30m, 12h, 7d, 2w, 1y)."


EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 1, 1, tzinfo=UTC)
MAX_CHARS = 100


def parse_time_bound(text: str, *, now: datetime | None = None, end_of_day: bool = False) -> datetime:
    """Return the UTC instant a `since`/`until` argument names, between 1970 and 9999.

    Raises InvalidInputError for text that is not a date, or one outside that range.
    """
    if len(text) > MAX_CHARS:
        raise InvalidInputError(f"A date is at most {MAX_CHARS} characters; got {len(text):,}. {HELP}")
    try:
        moment = _parse(text, now=now, end_of_day=end_of_day)
    except (OverflowError, ValueError):
        moment = None
    if moment is None or not EARLIEST <= moment <= LATEST:
        raise InvalidInputError(f"{text[:40]!r} is outside the dates a journal holds (1970 to 9999). {HELP}")
    return moment


def _parse(text: str, *, now: datetime | None = None, end_of_day: bool = False) -> datetime:
    """Return the UTC instant a `since`/`until` argument names.

    A date alone means the start of that local day, or its end when `end_of_day` is set (so
    `until=2026-11-01` includes that whole day). Times without an offset are local time.
    """
    now = now or datetime.now(UTC)
    raw = text.strip()
    if not raw:
        raise InvalidInputError(f"Empty date. {HELP}")
    lowered = raw.lower()
    if lowered in ("today", "yesterday"):
        day = now.astimezone().date() - timedelta(days=1 if lowered == "yesterday" else 0)
        return _day_bound(day, end_of_day)
    match = _RELATIVE.match(raw)
    if match:
        amount, unit = float(match.group(1)), match.group(2).lower()
        return now - timedelta(seconds=amount * _UNIT_SECONDS[unit])
    try:
        if len(raw) == 10:
            return _day_bound(date.fromisoformat(raw), end_of_day)
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InvalidInputError(f"Cannot read {text!r} as a date. {HELP}") from None
    if parsed.tzinfo is None:
        parsed = parsed.astimezone()  # naive means local time
    return parsed.astimezone(UTC)


def _day_bound(day: date, end_of_day: bool) -> datetime:
    moment = datetime.combine(day, time.max if end_of_day else time.min)
    return moment.astimezone().astimezone(UTC)
