"""search, recent, show, stats and help through the real entry points: JSON, plain text and terminal output."""

from __future__ import annotations

import pytest

from journal_mcp.cli import app as cli
from journal_mcp.core.config import Settings
from journal_mcp.service.journal import Journal
from tests.cli.conftest import CliRunner, run_subprocess


@pytest.fixture
def written(journal_env: dict[str, str]) -> dict[str, str]:
    journal = Journal(Settings.from_env(journal_env))
    try:
        first = journal.write(
            {
                "project_notes": "The flaky GPU test needs CUDA_VISIBLE_DEVICES=0.",
                "technical_insights": "pin the driver",
            }
        )
        second = journal.write({"user_context": "Prefers small commits and plain logging."})
    finally:
        journal.close()
    ids = {e.type + ":" + e.sections[0]: e.path for e in first.entries + second.entries}
    return ids


def test_search_json_and_plain(run_cli: CliRunner, written: dict[str, str]) -> None:
    result = run_cli("search", "flaky GPU", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert data["mode"] == "keyword"
    assert data["hits"][0]["path"] == written["project:Project Notes"]
    plain = run_cli("search", "flaky GPU")
    assert plain.code == 0
    assert "Found 1 relevant entry:" in plain.out
    assert written["project:Project Notes"] in plain.out
    assert "\x1b[" not in plain.out  # no colour codes when piped
    filtered = run_cli("search", "commits", "--type", "project", "--json").json()
    assert filtered["hits"] == []
    by_section = run_cli("search", "driver", "--sections", "Technical Insights", "--json").json()
    assert len(by_section["hits"]) == 1


def test_recent_and_show(run_cli: CliRunner, written: dict[str, str]) -> None:
    listing = run_cli("recent", "--days", "1", "--json").json()
    assert {h["path"] for h in listing["hits"]} == set(written.values())
    only_user = run_cli("recent", "--type", "user", "--limit", "1", "--json").json()
    assert [h["path"] for h in only_user["hits"]] == [written["user:User Context"]]
    entry_id = written["user:User Context"]
    shown = run_cli("show", entry_id, "--json").json()
    assert shown["sections"] == {"User Context": "Prefers small commits and plain logging."}
    plain = run_cli("show", entry_id)
    assert plain.out.startswith(f"# Journal entry {entry_id}")
    assert "## User Context" in plain.out


def test_stats(run_cli: CliRunner, written: dict[str, str]) -> None:
    data = run_cli("stats", "--json").json()
    assert data["shared"] is False
    by_type = {j["type"]: j for j in data["journals"]}
    assert by_type["project"]["entries"] == 1
    assert by_type["project"]["sections"] == {"Project Notes": 1}
    assert by_type["user"]["sections"] == {"User Context": 1, "Technical Insights": 1}
    assert by_type["user"]["entries"] == 2
    assert by_type["user"]["db_bytes"] > 0
    assert by_type["user"]["first"] <= by_type["user"]["last"]
    plain = run_cli("stats").out
    assert "journal: project | user" in plain
    assert "entries: 1 | 2" in plain


@pytest.mark.subprocess
def test_terminal_output_uses_tables_and_colour(journal_env: dict[str, str], written: dict[str, str]) -> None:
    env = {**journal_env, "FORCE_COLOR": "1", "TTY_COMPATIBLE": "1", "COLUMNS": "120"}
    result = run_subprocess(env, "search", "flaky GPU")
    assert result.code == 0, result.err
    assert "\x1b[" in result.out
    assert "━" in result.out or "─" in result.out  # a table
    assert written["project:Project Notes"] in result.out


def test_errors_have_clear_messages_and_exit_codes(run_cli: CliRunner, written: dict[str, str]) -> None:
    missing = run_cli("show", "user/20200101-000000-000000-abcdef")
    assert missing.code == 1
    assert "No journal entry has the id" in missing.err
    bad_date = run_cli("search", "x", "--since", "last tuesday")
    assert bad_date.code == 2
    assert "Cannot read 'last tuesday' as a date" in bad_date.err
    bad_limit = run_cli("recent", "--limit", "500")
    assert bad_limit.code == 2 and "limit must be" in bad_limit.err
    with pytest.raises(SystemExit) as usage:
        cli.run(["search"])  # missing QUERY: argparse's usage error
    assert usage.value.code == 2


def test_every_command_has_help_with_examples(capsys: pytest.CaptureFixture[str]) -> None:
    names = [c.name for c in cli.COMMANDS]
    assert {"serve", "search", "recent", "show", "stats", "import", "export", "backup"} <= set(names)
    for name in [*names, None]:
        with pytest.raises(SystemExit) as done:
            cli.run([name, "--help"] if name else ["--help"])
        assert done.value.code == 0
        text = capsys.readouterr().out
        assert "examples:" in text, name
        assert "exit codes:" in text, name


@pytest.mark.subprocess
def test_console_script_entry_point(journal_env: dict[str, str], written: dict[str, str]) -> None:
    result = run_subprocess(journal_env, "recent", "--json")
    assert result.code == 0, result.err
    assert '"hits"' in result.out


def test_stats_of_a_shared_journal(
    run_cli: CliRunner, journal_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAUDE_PROJECT_DIR", journal_env["HOME"])  # started in $HOME: no project
    journal = Journal(Settings.from_env({**journal_env, "CLAUDE_PROJECT_DIR": journal_env["HOME"]}))
    journal.write({"project_notes": "p", "feelings": "u"})
    journal.close()
    data = run_cli("stats", "--json").json()
    assert data["shared"] is True
    assert [(j["type"], j["entries"]) for j in data["journals"]] == [("project", 1), ("user", 1)]
    plain = run_cli("stats")
    assert "entries: 1 | 1" in plain.out
    assert "one database" in plain.err


@pytest.mark.real_model
@pytest.mark.subprocess
def test_reindex_stats_and_hybrid_search_with_the_real_model(
    journal_env: dict[str, str], written: dict[str, str]
) -> None:
    env = {k: v for k, v in journal_env.items() if k != "JOURNAL_MCP_SEMANTIC"}
    before = run_subprocess(env, "stats", "--json").json()
    assert [e["embedded"] for e in before["embeddings"]] == [0, 0]
    reindexed = run_subprocess(env, "reindex", "--json", timeout=300)
    assert reindexed.code == 0, reindexed.err
    assert reindexed.json()["entries"] == 3
    after = run_subprocess(env, "stats", "--json").json()
    assert after["semantic"] is True
    assert [e["coverage"] for e in after["embeddings"]] == [1.0, 1.0]
    assert all(m["configured"] for e in after["embeddings"] for m in e["models"])
    found = run_subprocess(env, "search", "graphics card problems", "--json", timeout=300)
    assert found.code == 0, found.err
    data = found.json()
    assert data["mode"] == "hybrid"
    gpu = {written["project:Project Notes"], written["user:Technical Insights"]}
    assert data["hits"][0]["path"] in gpu  # found by meaning: neither "graphics" nor "card" is in the text
    assert "semantic" in data["hits"][0]["matched"]
