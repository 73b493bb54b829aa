"""The Claude Code hooks: the session-start briefing and the end-of-work reminder (in-process, real SQLite)."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from journal_mcp.core.config import Settings
from journal_mcp.hooks.briefing import BUDGET_CHARS, HEADER
from journal_mcp.hooks.reminder import REMINDER, SUBAGENT_REMINDER
from journal_mcp.hooks.run import run_hook
from journal_mcp.service.journal import Journal


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    project = tmp_path / "project"
    project.mkdir()
    return {
        "HOME": str(tmp_path / "home"),
        "CLAUDE_PROJECT_DIR": str(project),
        "JOURNAL_MCP_PROJECT_JOURNAL": str(tmp_path / "project-journal"),
        "JOURNAL_MCP_USER_JOURNAL": str(tmp_path / "user-journal"),
        "JOURNAL_MCP_SEMANTIC": "0",
    }


def hook(env: dict[str, str], name: str, event: dict[str, object] | str) -> str:
    out = io.StringIO()
    raw = event if isinstance(event, str) else json.dumps(event)
    assert run_hook(name, io.StringIO(raw), out, env) == 0
    return out.getvalue()


def context(env: dict[str, str], session: str = "s1") -> str:
    data = json.loads(hook(env, "session-start", {"session_id": session, "hook_event_name": "SessionStart"}))
    assert data["hookSpecificOutput"]["hookEventName"] == "SessionStart"
    return str(data["hookSpecificOutput"]["additionalContext"])


def write(env: dict[str, str], **sections: str) -> str:
    with Journal(Settings.from_env(env)) as journal:
        return journal.write(sections).entries[0].path


def transcript(tmp_path: Path, *tool_names: str) -> Path:
    path = tmp_path / "session.jsonl"
    lines = [{"type": "user", "message": {"content": "hello"}}]
    for name in tool_names:
        block = {"type": "tool_use", "id": "t1", "name": name, "input": {}}
        lines.append({"type": "assistant", "message": {"content": [block]}})
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    return path


def test_briefing_names_the_newest_project_entries_with_their_ids(env: dict[str, str]) -> None:
    ids = [write(env, project_notes=f"note {i}: vLLM batch size {i * 8} was best") for i in range(7)]
    user_id = write(env, technical_insights="FP8 KV cache halves memory")
    text = context(env)
    assert text.startswith(HEADER)
    assert "7 entries" in text and all(i in text for i in ids[-5:]) and ids[0] not in text
    assert user_id in text and "search_journal" in text and "process_thoughts" in text


def test_briefing_stays_within_its_budget(env: dict[str, str]) -> None:
    for i in range(12):
        write(env, project_notes=f"long note {i} " + "word " * 400, technical_insights="insight " * 300)
    text = context(env)
    assert len(text) <= BUDGET_CHARS and text.count("- project/") >= 1


def test_a_missing_journal_is_an_empty_briefing_and_nothing_is_created(env: dict[str, str]) -> None:
    text = context(env)
    assert "no entries yet" in text
    assert not Path(env["JOURNAL_MCP_PROJECT_JOURNAL"]).exists() and not Path(env["JOURNAL_MCP_USER_JOURNAL"]).exists()


def test_a_file_that_is_not_a_database_is_reported_not_fatal(env: dict[str, str]) -> None:
    directory = Path(env["JOURNAL_MCP_PROJECT_JOURNAL"])
    directory.mkdir()
    (directory / "journal.db").write_bytes(b"garbage" * 1000)
    text = context(env)
    assert "This project's journal: unreadable now" in text


@pytest.fixture
def locked(env: dict[str, str]) -> Iterator[None]:
    write(env, project_notes="before the lock")
    holder = sqlite3.connect(Path(env["JOURNAL_MCP_PROJECT_JOURNAL"]) / "journal.db", isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("CREATE TABLE IF NOT EXISTS held (x)")
    yield
    holder.execute("ROLLBACK")
    holder.close()


def test_a_locked_journal_is_reported_instead_of_waited_for(env: dict[str, str], locked: None) -> None:
    assert "This project's journal: unreadable now" in context(env)


def test_the_briefing_changes_nothing(env: dict[str, str]) -> None:
    write(env, project_notes="one")
    db = Path(env["JOURNAL_MCP_PROJECT_JOURNAL"]) / "journal.db"
    before = db.read_bytes()
    context(env)
    assert db.read_bytes() == before


def test_hooks_off_by_environment_variable(env: dict[str, str], tmp_path: Path) -> None:
    off = dict(env, JOURNAL_MCP_HOOKS="0")
    assert hook(off, "session-start", {"session_id": "s1"}) == ""
    assert hook(off, "stop", {"session_id": "s1", "transcript_path": str(transcript(tmp_path, "Read"))}) == ""


def test_bad_input_never_fails(env: dict[str, str]) -> None:
    assert "additionalContext" in hook(env, "session-start", "not json {")
    assert hook(env, "stop", "[1, 2]") == ""


def test_the_reminder_comes_once_a_session_after_work_without_a_write(env: dict[str, str], tmp_path: Path) -> None:
    context(env, "s1")
    event = {"session_id": "s1", "transcript_path": str(transcript(tmp_path, "Read", "Edit"))}
    answer = json.loads(hook(env, "stop", event))
    assert answer == {"decision": "block", "reason": REMINDER}
    assert hook(env, "stop", event) == ""  # once a session
    assert hook(env, "stop", dict(event, session_id="s2")) != ""  # another session is reminded on its own


def test_no_reminder_when_the_turn_was_already_continued_or_nothing_was_done(
    env: dict[str, str], tmp_path: Path
) -> None:
    worked = str(transcript(tmp_path, "Read"))
    assert hook(env, "stop", {"session_id": "s1", "transcript_path": worked, "stop_hook_active": True}) == ""
    chat = tmp_path / "chat"
    chat.mkdir()
    assert hook(env, "stop", {"session_id": "s2", "transcript_path": str(transcript(chat))}) == ""
    assert hook(env, "stop", {"transcript_path": worked}) == ""  # no session id: cannot be once a session


@pytest.mark.parametrize(
    "name",
    ["mcp__private-journal__process_thoughts", "mcp__plugin_journal-agent-pack_private-journal__process_thoughts"],
)
def test_no_reminder_when_the_session_wrote(env: dict[str, str], tmp_path: Path, name: str) -> None:
    assert hook(env, "stop", {"session_id": "s1", "transcript_path": str(transcript(tmp_path, "Read", name))}) == ""


def test_no_reminder_when_a_subagent_or_another_client_wrote_since_the_session_started(
    env: dict[str, str], tmp_path: Path
) -> None:
    context(env, "s1")
    write(env, project_notes="written by a subagent")
    assert hook(env, "stop", {"session_id": "s1", "transcript_path": str(transcript(tmp_path, "Agent"))}) == ""


def test_a_subagent_transcript_counts(env: dict[str, str], tmp_path: Path) -> None:
    main = transcript(tmp_path, "Agent")
    sub = main.with_suffix("") / "subagents"
    sub.mkdir(parents=True)
    (sub / "agent-1.jsonl").write_text(
        json.dumps({"message": {"content": [{"type": "tool_use", "name": "mcp__private-journal__process_thoughts"}]}}),
        encoding="utf-8",
    )
    assert hook(env, "stop", {"session_id": "s1", "transcript_path": str(main)}) == ""


def test_a_pack_agent_that_worked_without_writing_is_reminded_once_per_task(
    env: dict[str, str], tmp_path: Path
) -> None:
    """SubagentStop reads the agent's own transcript (not the session's): once per agent id, never when a stop
    hook already continued it, when it did nothing, or when it wrote."""
    worked = str(transcript(tmp_path, "Read", "Grep"))
    event = {"session_id": "s1", "agent_id": "a1b2", "agent_type": "ai-platform-architect"}
    answer = json.loads(hook(env, "subagent-stop", dict(event, agent_transcript_path=worked)))
    assert answer == {"decision": "block", "reason": SUBAGENT_REMINDER}
    assert hook(env, "subagent-stop", dict(event, agent_transcript_path=worked)) == ""  # once per task
    assert hook(env, "subagent-stop", dict(event, agent_id="c3d4", agent_transcript_path=worked)) != ""  # another task
    active = dict(event, agent_id="e5f6", agent_transcript_path=worked, stop_hook_active=True)
    assert hook(env, "subagent-stop", active) == ""
    chat = tmp_path / "chat"
    chat.mkdir()
    idle = dict(event, agent_id="a7", agent_transcript_path=str(transcript(chat)))
    assert hook(env, "subagent-stop", idle) == ""
    wrote = tmp_path / "wrote"
    wrote.mkdir()
    journaled = str(transcript(wrote, "Read", "mcp__plugin_journal-agent-pack_private-journal__process_thoughts"))
    assert hook(env, "subagent-stop", dict(event, agent_id="a8", agent_transcript_path=journaled)) == ""
    # The session's transcript is not the agent's: without the agent's own path, nothing to judge.
    assert hook(env, "subagent-stop", dict(event, agent_id="a9", transcript_path=worked)) == ""
    assert hook(env, "subagent-stop", {"agent_transcript_path": worked, "agent_id": "a10"}) == ""  # no session id
    assert hook(env, "subagent-stop", dict(event, agent_id="../x", agent_transcript_path=worked)) == ""


def test_the_subagent_hook_matches_exactly_the_pack_agents_in_every_install() -> None:
    """The matcher in agent-pack's settings and in the plugin's hooks.json names the bundled agents, as project
    and user installs (`<name>`) and the plugin (`journal-agent-pack:<name>`) type them, and no other agent."""
    import re

    from agent_pack.agents import bundled_agents
    from agent_pack.hooks_config import HOOKS, PACK_AGENTS

    root = Path(__file__).resolve().parents[2]
    plugin = json.loads((root / "hooks" / "hooks.json").read_text(encoding="utf-8"))
    assert plugin["hooks"]["SubagentStop"][0]["matcher"] == PACK_AGENTS == HOOKS["SubagentStop"][0]
    names = [a.agent.name for a in bundled_agents()]
    assert len(names) == 4
    for name in names:
        assert re.search(PACK_AGENTS, name) and re.search(PACK_AGENTS, f"journal-agent-pack:{name}")
    for other in ("general-purpose", "Explore", "other-plugin:ai-platform-architect", "ai-platform-architect-2"):
        assert not re.search(PACK_AGENTS, other), other


def test_the_hook_process_imports_no_model_numpy_or_mcp(env: dict[str, str]) -> None:
    code = (
        "import sys; sys.argv = ['journal-mcp', 'hook', 'session-start']\n"
        "import journal_mcp\n"
        "try:\n    journal_mcp.main()\n"
        "except SystemExit:\n    pass\n"
        "heavy = [m for m in ('numpy', 'torch', 'sentence_transformers', 'mcp', 'sqlite_utils') if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], input='{"session_id": "s1"}', env=env, capture_output=True, text=True, check=True
    )
    assert "HEAVY []" in result.stderr, result.stderr
    assert HEADER in json.loads(result.stdout)["hookSpecificOutput"]["additionalContext"]
