"""Pure helpers: query building, time bounds, sections, config, excerpts, redaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from journal_mcp.core.config import Settings
from journal_mcp.core.errors import InvalidInputError
from journal_mcp.core.sections import section_key
from journal_mcp.core.timeparse import parse_time_bound
from journal_mcp.search.excerpts import EXCERPT_CHARS, excerpt_around
from journal_mcp.store.fts import match_expression


def test_match_expression_quotes_and_ors_terms() -> None:
    assert match_expression('GPU "memory" AND (oom*)') == '"gpu" OR "memory" OR "and" OR "oom"'
    assert match_expression("config.yaml CUDA_ERROR_OOM") == '"config yaml" OR "cuda_error_oom"'
    assert match_expression("  ... ") is None


def test_time_bounds() -> None:
    now = datetime(2026, 11, 22, 12, tzinfo=UTC)
    assert parse_time_bound("7d", now=now) == now - timedelta(days=7)
    assert parse_time_bound("12h", now=now) == now - timedelta(hours=12)
    assert parse_time_bound("2026-11-01T10:00:00Z") == datetime(2026, 11, 1, 10, tzinfo=UTC)
    start = parse_time_bound("2026-11-01")
    end = parse_time_bound("2026-11-01", end_of_day=True)
    assert timedelta(hours=23, minutes=59) < end - start < timedelta(days=1)
    for bad in ("soon", "7x", "2026-02-30", "1/2/2026"):
        with pytest.raises(InvalidInputError, match="ISO date"):
            parse_time_bound(bad)


def test_section_names() -> None:
    assert section_key("Technical Insights") == "technical_insights"
    assert section_key("technical_insights") == "technical_insights"
    assert section_key("  project   notes ") == "project_notes"
    with pytest.raises(InvalidInputError, match="Valid sections"):
        section_key("Mood")


def test_settings_resolution(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "CLAUDE_PROJECT_DIR": str(tmp_path / "p")}
    s = Settings.from_env(env)
    # Project journals live in the user's data directory, keyed by the project's real path.
    assert s.project_journal_dir.parent == tmp_path / ".local" / "share" / "journal-mcp" / "projects"
    assert s.project_journal_dir.name.startswith("p-") and len(s.project_journal_dir.name) == 2 + 16
    assert s.legacy_project_journal_dir == tmp_path / "p" / ".private-journal"
    xdg = Settings.from_env({**env, "XDG_DATA_HOME": str(tmp_path / "data")})
    assert xdg.project_journal_dir.parent == tmp_path / "data" / "journal-mcp" / "projects"
    assert Settings.from_env({**env, "XDG_DATA_HOME": "relative"}).projects_root == s.projects_root
    other = Settings.from_env({**env, "CLAUDE_PROJECT_DIR": str(tmp_path / "q" / "p")})
    assert other.project_journal_dir != s.project_journal_dir  # same name, another project
    assert s.user_journal_dir == tmp_path / ".private-journal"
    assert (
        Settings.from_env({**env, "PRIVATE_JOURNAL_PATH": str(tmp_path / "old")}).user_journal_dir == tmp_path / "old"
    )
    explicit = Settings.from_env({**env, "PRIVATE_JOURNAL_PATH": "x", "JOURNAL_MCP_USER_JOURNAL": str(tmp_path / "u")})
    assert explicit.user_journal_dir == tmp_path / "u"
    assert Settings.from_env(env, model="/m").model == "/m"  # a flag beats the environment
    with pytest.raises(InvalidInputError, match="JOURNAL_MCP_SEMANTIC"):
        Settings.from_env({**env, "JOURNAL_MCP_SEMANTIC": "maybe"})


def test_excerpt_centres_on_the_first_query_word() -> None:
    text = "filler " * 100 + "the kv-cache overflowed at batch 64 " + "tail " * 100
    excerpt = excerpt_around(text, "kv-cache overflow")
    assert "kv-cache overflowed" in excerpt
    assert excerpt.startswith("…") and excerpt.endswith("…")
    assert len(excerpt) <= EXCERPT_CHARS + 64
    assert excerpt_around("short text", "nothing") == "short text"
