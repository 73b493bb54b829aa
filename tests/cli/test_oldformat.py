"""The private-journal-mcp file format on its own: render then parse gives back every entry exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import PurePath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journal_mcp.core.sections import SECTION_TITLES
from journal_mcp.transfer.oldformat import FormatError, entry_path, parse_entry, parse_sections, render_entry

# Section text as the journal stores it: stripped, and no line that is exactly a known heading.
text = (
    st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r"), min_size=1)
    .map(str.strip)
    .filter(lambda t: bool(t) and not any(line.lower().startswith("## ") for line in t.splitlines()))
)
sections = st.dictionaries(st.sampled_from(list(SECTION_TITLES)), text, min_size=1).map(
    lambda d: {k: d[k] for k in SECTION_TITLES if k in d}
)
moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC))


@settings(max_examples=200, deadline=None)
@given(moment=moments, secs=sections)
def test_render_then_parse_is_exact(moment: datetime, secs: dict[str, str]) -> None:
    parsed = parse_entry(render_entry(moment, secs), entry_path(moment))
    assert parsed.created_at == moment
    assert parsed.sections == secs


def test_the_exact_old_layout() -> None:
    moment = datetime(2025, 5, 31, 14, 30, 45, 123456, tzinfo=UTC)
    rendered = render_entry(moment, {"feelings": "ok", "project_notes": "notes"})
    local = moment.astimezone()
    hour = local.hour % 12 or 12
    assert rendered.startswith(f'---\ntitle: "{hour}:{local:%M:%S} ')
    assert (
        "\ndate: 2025-05-31T14:30:45.123Z\ntimestamp: 1748701845123\n---\n\n## Feelings\n\nok\n\n## Project Notes\n\nnotes\n"
        in rendered
    )
    assert str(entry_path(moment)) == f"{local:%Y-%m-%d}/{local:%H-%M-%S}-123456.md"


def test_only_known_headings_split_and_preamble_is_feelings() -> None:
    body = "before\n\n## feelings\n\na\n## Notes for later\nstill a\n\n## Technical Insights\n\nb"
    assert parse_sections(body) == {"feelings": "before\n\na\n## Notes for later\nstill a", "technical_insights": "b"}


def test_times_fall_back_from_timestamp_to_date_to_file_name() -> None:
    name = PurePath("2025-05-31", "14-30-45-123999.md")
    only_date = parse_entry("---\ndate: 2025-05-31T12:00:00.500Z\n---\n\nx", name)
    assert only_date.created_at == datetime(2025, 5, 31, 12, 0, 0, 500000, tzinfo=UTC)
    assert only_date.timestamp_source == "date"
    from_name = parse_entry("# 2:30:45 PM - May 31, 2025\n\nx", name)
    assert from_name.created_at == datetime(2025, 5, 31, 14, 30, 45, 123999).astimezone().astimezone(UTC)
    assert from_name.sections == {"feelings": "x"}
    with pytest.raises(FormatError, match="no time"):
        parse_entry("---\ntitle: x\n---\n\nbody", PurePath("notes.md"))
    refined = parse_entry("---\ntimestamp: 1748701845123\n---\n\nx", PurePath("d", "x.md"))
    assert refined.created_at == datetime(2025, 5, 31, 14, 30, 45, 123000, tzinfo=UTC) + timedelta(0)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("---\ntitle: [unclosed\n---\n\nx", "malformed frontmatter"),
        ("---\ntitle: x\nno closing line", "malformed frontmatter"),
        ("---\ntimestamp: 1\n---\n\n   \n", "empty entry"),
        ("---\ntimestamp: 99999999999999999999\n---\n\nx", "out of range"),
    ],
)
def test_bad_files_say_why(text: str, reason: str) -> None:
    with pytest.raises(FormatError, match=reason):
        parse_entry(text, PurePath("2025-05-31", "14-30-45-123999.md"))
