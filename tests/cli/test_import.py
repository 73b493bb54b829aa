"""`journal-mcp import`: journals in private-journal-mcp's exact format, built here, through the real CLI."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from journal_mcp.core.config import Settings
from journal_mcp.service.journal import Journal
from tests.cli.conftest import CliRunner
from tests.cli.oldjournal import old_entry_path, tree_digest, write_old_entry

GITHUB_TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
T1 = datetime(2025, 5, 31, 14, 30, 45, 123000, tzinfo=UTC)
T2 = datetime(2025, 6, 2, 9, 5, 1, 7000, tzinfo=UTC)
T3 = datetime(2025, 4, 1, 23, 59, 59, 999000, tzinfo=UTC)
T4 = datetime(2025, 3, 15, 8, 0, 0, 250000, tzinfo=UTC)


def build_old_journal(root: Path) -> dict[str, Path]:
    """Four good entries (v2, v2 with a secret, v1 without headings, oldest without frontmatter) and four bad files."""
    files = {
        "v2": write_old_entry(
            root,
            T1,
            {
                "Feelings": "Relieved the migration worked.",
                "Technical Insights": "WAL lets readers run beside a writer.",
            },
        ),
        "secret": write_old_entry(
            root,
            T2,
            {"Project Notes": f"Deploy notes.\n\n## Summary\n\nThe token was {GITHUB_TOKEN}, rotate it.\n\nDone."},
            random_micros=0,
        ),
    }
    v1 = write_old_entry(root, T3, {}, random_micros=999)
    v1.write_text(
        v1.read_text(encoding="utf-8") + "A v1 diary entry with no section headings at all.\n", encoding="utf-8"
    )
    files["v1"] = v1
    oldest = old_entry_path(root, T4, 5)
    oldest.parent.mkdir(parents=True, exist_ok=True)
    oldest.write_text(
        "# 8:00:00 AM - March 15, 2025\n\nThe very first format: a title line, no frontmatter.\n", encoding="utf-8"
    )
    files["oldest"] = oldest
    day = root / "2025-06-03"
    day.mkdir(exist_ok=True)
    (day / "10-00-00-000001.md").write_text("---\ntitle: [unclosed\n---\n\n## Feelings\n\nlost?\n", encoding="utf-8")
    (day / "10-00-01-000001.md").write_text('---\ntitle: "x"\ntimestamp: 1748944801000\n---\n\n', encoding="utf-8")
    (day / "10-00-02-000001.md").write_bytes(b"---\ntimestamp: 1748944802000\n---\n\n## Feelings\n\n\xff\xfe broken\n")
    os.symlink(day / "missing-target.md", day / "10-00-03-000001.md")
    (files["v2"].parent / (files["v2"].name + ".embedding")).write_text('{"embedding": [0.1, 0.2]}', encoding="utf-8")
    return files


@pytest.fixture
def old_journal(tmp_path: Path) -> Path:
    root = tmp_path / "old" / "journal"
    build_old_journal(root)
    return root


def stored(env: dict[str, str]) -> list[tuple[str, datetime, dict[str, str]]]:
    journal = Journal(Settings.from_env(env))
    try:
        rows = []
        for kind in ("project", "user"):
            store = journal.store(kind)  # type: ignore[arg-type]
            if store is not None:
                rows += [(e.journal, e.created_at, e.sections) for e in store.iter_entries((kind,))]
        return sorted(rows, key=lambda r: r[1])
    finally:
        journal.close()


def test_import_keeps_times_and_sections_and_reports_skips(
    run_cli: CliRunner, old_journal: Path, journal_env: dict[str, str]
) -> None:
    result = run_cli("import", old_journal, "--type", "user", "--json")
    assert result.code == 3, result.err  # partly done: some files were skipped
    report = result.json()
    assert report["files"] == 8
    assert report["imported"] == 4
    assert report["by_type"] == {"user": 4}
    assert report["sidecars_ignored"] == 1
    assert report["redactions"] == 1
    reasons = {Path(s["path"]).name: s["reason"] for s in report["skipped"]}
    assert reasons.keys() == {"10-00-00-000001.md", "10-00-01-000001.md", "10-00-02-000001.md", "10-00-03-000001.md"}
    assert "malformed frontmatter" in reasons["10-00-00-000001.md"]
    assert "empty entry" in reasons["10-00-01-000001.md"]
    assert "not UTF-8" in reasons["10-00-02-000001.md"]
    assert "unreadable" in reasons["10-00-03-000001.md"]

    entries = stored(journal_env)
    assert [kind for kind, _, _ in entries] == ["user"] * 4
    by_time = {created: sections for _, created, sections in entries}
    # The frontmatter's milliseconds, refined by the file name's extra microseconds (same millisecond).
    assert by_time[T1 + timedelta(microseconds=417)] == {
        "feelings": "Relieved the migration worked.",
        "technical_insights": "WAL lets readers run beside a writer.",
    }
    notes = by_time[T2]["project_notes"]
    assert GITHUB_TOKEN not in notes and "[REDACTED:github-token]" in notes
    assert "## Summary" in notes and notes.endswith("Done.")  # an unknown heading stays part of the text
    assert by_time[T3 + timedelta(microseconds=999)] == {
        "feelings": "A v1 diary entry with no section headings at all."
    }
    oldest = [s for c, s in by_time.items() if abs(c - T4) < timedelta(seconds=1)]
    assert oldest == [{"feelings": "The very first format: a title line, no frontmatter."}]


def test_import_twice_adds_nothing_and_never_touches_sources(
    run_cli: CliRunner, old_journal: Path, journal_env: dict[str, str]
) -> None:
    before = tree_digest(old_journal)
    first = run_cli("import", old_journal, "--type", "user", "--json").json()
    second = run_cli("import", old_journal, "--type", "user", "--json").json()
    assert first["imported"] == 4
    assert second["imported"] == 0
    assert second["duplicates"] == 4
    assert len(stored(journal_env)) == 4
    assert tree_digest(old_journal) == before


def test_dry_run_counts_and_writes_nothing(run_cli: CliRunner, old_journal: Path, journal_env: dict[str, str]) -> None:
    result = run_cli("import", old_journal, "--type", "project", "--dry-run")
    assert result.code == 3
    assert "would import 4 entries (4 project)" in result.out
    assert "dry run: nothing was written" in result.out
    home, project = Path(journal_env["HOME"]), Path(journal_env["CLAUDE_PROJECT_DIR"])
    assert not (home / ".private-journal").exists()
    assert not (project / ".private-journal").exists()
    # After a real import, a dry run finds only duplicates.
    run_cli("import", old_journal, "--type", "project")
    again = run_cli("import", old_journal, "--type", "project", "--dry-run", "--json").json()
    assert again["imported"] == 0 and again["duplicates"] == 4


def test_journal_type_inferred_from_location(run_cli: CliRunner, tmp_path: Path, journal_env: dict[str, str]) -> None:
    project_root = tmp_path / "someproject" / ".private-journal"
    write_old_entry(project_root, T1, {"Project Notes": "from a project journal"})
    user_root = Path(journal_env["HOME"]) / ".private-journal"  # also where the new user journal lives
    write_old_entry(user_root, T2, {"User Context": "from the user journal"})
    report = run_cli("import", project_root, user_root, "--json").json()
    assert report["by_type"] == {"project": 1, "user": 1}
    kinds = {kind: sections for kind, _, sections in stored(journal_env)}
    assert kinds == {
        "project": {"project_notes": "from a project journal"},
        "user": {"user_context": "from the user journal"},
    }


def test_unknown_location_needs_type(run_cli: CliRunner, old_journal: Path, journal_env: dict[str, str]) -> None:
    result = run_cli("import", old_journal)
    assert result.code == 2
    assert "--type project or --type user" in result.err
    assert stored(journal_env) == []


def test_missing_path_is_reported(run_cli: CliRunner, tmp_path: Path) -> None:
    result = run_cli("import", tmp_path / "nope", "--type", "user", "--json")
    assert result.code == 3
    assert result.json()["skipped"] == [{"path": str(tmp_path / "nope"), "reason": "no such file or directory"}]


def test_oversized_section_is_skipped_not_truncated(
    run_cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOURNAL_MCP_MAX_SECTION_CHARS", "50")
    root = tmp_path / "big"
    write_old_entry(root, T1, {"Feelings": "x" * 51})
    report = run_cli("import", root, "--type", "user", "--json").json()
    assert report["imported"] == 0
    assert "JOURNAL_MCP_MAX_SECTION_CHARS" in report["skipped"][0]["reason"]


def test_configured_user_journal_is_inferred_as_user(
    run_cli: CliRunner, tmp_path: Path, journal_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tmp_path / "synced" / "journal"  # PRIVATE_JOURNAL_PATH of the old server, honoured by this one
    write_old_entry(old, T1, {"Feelings": "synced elsewhere"})
    monkeypatch.setenv("PRIVATE_JOURNAL_PATH", str(old))
    report = run_cli("import", old, "--json").json()
    assert report["by_type"] == {"user": 1}
    assert (old / "journal.db").exists()  # the new user journal lives beside the old files


@pytest.mark.subprocess
def test_import_and_export_on_a_terminal(old_journal: Path, journal_env: dict[str, str], tmp_path: Path) -> None:
    """With a terminal (progress bars on stderr, colour), the real console script gives the same results."""
    from tests.cli.conftest import run_subprocess

    env = {**journal_env, "FORCE_COLOR": "1", "TTY_COMPATIBLE": "1", "COLUMNS": "100"}
    result = run_subprocess(env, "import", str(old_journal), "--type", "user")
    assert result.code == 3, result.err
    assert "imported 4 entries (4 user)" in result.out
    assert "4 file(s) skipped" in re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", result.out)
    assert "━" not in result.out  # the progress bar is on stderr only
    exported = run_subprocess(env, "export", str(tmp_path / "out"))
    assert exported.code == 0, exported.err
    assert len(list((tmp_path / "out").rglob("*.md"))) == 4
