"""`journal-mcp export`: markdown in private-journal-mcp's layout (round trip through import) and JSON Lines."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from journal_mcp.core.config import Settings
from journal_mcp.service.journal import Journal
from journal_mcp.transfer.oldformat import FILE_NAME, parse_entry
from tests.cli.conftest import CliRunner, mode

BASE = datetime(2026, 3, 29, 0, 59, 58, 123456, tzinfo=UTC)


def fill(env: dict[str, str]) -> list[tuple[str, datetime, dict[str, str]]]:
    """Entries in both journals, some at the same instant, with microseconds, markdown and unicode."""
    journal = Journal(Settings.from_env(env))
    try:
        journal.write(
            {"project_notes": "Build with `make -j8`.\n\n### Gotcha\n\n- flaky test_x", "feelings": "Calm. ☕"},
            created_at=BASE,
        )
        journal.write(
            {"reflections": "Line one\nline two\n\n\nafter blank lines"}, created_at=BASE + timedelta(hours=5)
        )
        journal.write(
            {"technical_insights": "---\nnot: frontmatter\n---"}, created_at=BASE + timedelta(days=40, microseconds=1)
        )
        for i in range(1, 6):
            journal.write({"world_knowledge": f"fact {i}"}, created_at=BASE - timedelta(days=i, microseconds=7 * i))
    finally:
        journal.close()
    return entries_of(env)


def entries_of(env: dict[str, str]) -> list[tuple[str, datetime, dict[str, str]]]:
    journal = Journal(Settings.from_env(env))
    try:
        rows = []
        for store, kinds in journal.targets(("project", "user")):
            rows += [(e.journal, e.created_at, e.sections) for e in store.iter_entries(kinds)]
        return sorted(rows, key=lambda r: (r[1], r[0], sorted(r[2].items())))
    finally:
        journal.close()


def fresh_env(tmp_path: Path, name: str) -> dict[str, str]:
    home, project = tmp_path / name / "home", tmp_path / name / "project"
    home.mkdir(parents=True)
    project.mkdir(parents=True)
    return {
        "HOME": str(home),
        "CLAUDE_PROJECT_DIR": str(project),
        "JOURNAL_MCP_SEMANTIC": "0",
        "PATH": os.environ.get("PATH", ""),
    }


def test_markdown_round_trip_into_an_empty_journal(
    run_cli: CliRunner, journal_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = fill(journal_env)
    dest = tmp_path / "export"
    result = run_cli("export", "--format", "markdown", dest, "--json")
    assert result.code == 0, result.err
    assert result.json()["entries"] == len(original) == 9
    files = sorted(dest.rglob("*.md"))
    assert len(files) == 9
    for file in files:  # the exact layout: <type>/YYYY-MM-DD/HH-MM-SS-micros.md
        assert file.parent.parent.parent == dest
        assert file.parent.parent.name in ("project", "user")
        assert FILE_NAME.match(file.name) and file.name.count("-") == 3, file
        assert file.read_text(encoding="utf-8").startswith('---\ntitle: "')

    other = fresh_env(tmp_path, "other")
    for name, value in other.items():
        monkeypatch.setenv(name, value)
    imported = run_cli("import", dest, "--json")  # DIR/project and DIR/user name their journals
    assert imported.code == 0, imported.out
    assert imported.json()["imported"] == 9
    assert entries_of(other) == original  # same types, times to the microsecond, sections and text


def test_export_then_import_into_the_same_journal_adds_nothing(
    run_cli: CliRunner, journal_env: dict[str, str], tmp_path: Path
) -> None:
    fill(journal_env)
    run_cli("export", "--format", "markdown", tmp_path / "e", "--type", "user")
    report = run_cli("import", tmp_path / "e", "--type", "user", "--json").json()
    assert report["imported"] == 0
    assert report["duplicates"] == 8


def test_single_type_export_is_the_plain_layout(
    run_cli: CliRunner, journal_env: dict[str, str], tmp_path: Path
) -> None:
    fill(journal_env)
    dest = tmp_path / "p"
    assert run_cli("export", dest, "--type", "project").code == 0
    (file,) = dest.rglob("*.md")
    assert file.parent.parent == dest
    parsed = parse_entry(file.read_text(encoding="utf-8"), file.relative_to(dest))
    assert parsed.created_at == BASE
    assert parsed.timestamp_source == "timestamp"


def test_export_files_are_private(run_cli: CliRunner, journal_env: dict[str, str], tmp_path: Path) -> None:
    fill(journal_env)
    dest = tmp_path / "priv"
    run_cli("export", dest)
    run_cli("export", "--format", "jsonl", tmp_path / "out" / "all.jsonl")
    for directory, _dirs, files in os.walk(dest):
        assert mode(Path(directory)) == 0o700
        for name in files:
            assert mode(Path(directory, name)) == 0o600
    assert mode(tmp_path / "out") == 0o700
    assert mode(tmp_path / "out" / "all.jsonl") == 0o600


def test_export_refuses_to_overwrite(run_cli: CliRunner, journal_env: dict[str, str], tmp_path: Path) -> None:
    fill(journal_env)
    dest = tmp_path / "busy"
    dest.mkdir()
    (dest / "keep.txt").write_text("mine", encoding="utf-8")
    result = run_cli("export", dest)
    assert result.code == 2
    assert "--force" in result.err
    assert sorted(p.name for p in dest.iterdir()) == ["keep.txt"]
    target = tmp_path / "x.jsonl"
    target.write_text("old", encoding="utf-8")
    assert run_cli("export", "--format", "jsonl", target).code == 2
    assert target.read_text(encoding="utf-8") == "old"
    assert run_cli("export", "--format", "jsonl", target, "--force").code == 0
    assert len(target.read_text(encoding="utf-8").splitlines()) == 9


def test_jsonl_export(run_cli: CliRunner, journal_env: dict[str, str], tmp_path: Path) -> None:
    original = fill(journal_env)
    result = run_cli("export", "--format", "jsonl")  # standard output
    assert result.code == 0
    lines = [json.loads(line) for line in result.out.splitlines()]
    assert len(lines) == len(original)
    first = lines[0]
    assert set(first) == {"id", "type", "timestamp", "sections"}
    got = sorted((r["type"], datetime.fromisoformat(r["timestamp"]), r["sections"]) for r in lines)
    assert got == sorted(original)
    assert all(r["id"].startswith(r["type"] + "/") for r in lines)
    assert "exported 9 entries" in result.err


def test_markdown_export_needs_a_destination(run_cli: CliRunner) -> None:
    result = run_cli("export", "--format", "markdown")
    assert result.code == 2
    assert "needs a destination" in result.err


def test_entries_of_the_same_instant_get_distinct_files(
    run_cli: CliRunner, journal_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = Journal(Settings.from_env(journal_env))
    journal.write({"feelings": "first"}, created_at=BASE)
    journal.write({"feelings": "second"}, created_at=BASE)
    journal.close()
    original = entries_of(journal_env)
    report = run_cli("export", tmp_path / "same", "--type", "user", "--json").json()
    assert len(report["renamed"]) == 1 and report["renamed"][0].endswith("-123456-2.md")
    other = fresh_env(tmp_path, "other")
    for name, value in other.items():
        monkeypatch.setenv(name, value)
    assert run_cli("import", tmp_path / "same", "--type", "user").code == 0
    assert entries_of(other) == original
