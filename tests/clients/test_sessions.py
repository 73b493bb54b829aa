"""Real Claude Code sessions (`claude -p`) with the pack installed per project, per user and as the plugin.

The model is a scripted stand-in on loopback (tests/clients/fakeapi.py): the main agent delegates to one
of the four agents with the `Agent` tool, choosing the agent type Claude Code offers; inside the subagent
the script loads the journal tools with `ToolSearch` by the names the agent's own text gives, then calls
search_journal and process_thoughts with a unique marker (tests/clients/roundtrip.py).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from agent_pack.agentfile import parse_agent
from journal_mcp.core.config import Settings
from journal_mcp.service.journal import Journal
from tests.clients.conftest import REPO, VENV_BIN, needs_tools
from tests.clients.fakeapi import FakeAnthropic, text, tool_use
from tests.clients.roundtrip import RoundTrip, all_text, result_text, system_text, tool_names_in, tool_results
from tests.clients.sessions import MODES, PLUGIN, Mode, Session, copy_checkout, install, run_session

pytestmark = [pytest.mark.external, pytest.mark.subprocess, needs_tools]

AGENTS = sorted(p.stem for p in (REPO / ".claude" / "agents").glob("*.md"))
BRIEFING = "Private journal briefing"
REMINDER = "Before you stop: nothing from this session is in the private journal yet."


@pytest.fixture(scope="module")
def plugin_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_checkout(tmp_path_factory.mktemp("plugin-source"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    return project


def agent_body(mode: Mode, agent: str) -> str:
    """The system prompt Claude Code should give the subagent: the body of the file that mode installs."""
    folder = REPO / ("plugin/agents" if mode == "plugin" else ".claude/agents")
    return parse_agent((folder / f"{agent}.md").read_text(encoding="utf-8")).body.strip()


def journal_search(env: dict[str, str], project: Path, query: str) -> dict[str, object]:
    """The journal as journal-mcp's own CLI finds and reads it (its config decides where it is)."""
    result = subprocess.run(
        [str(VENV_BIN / "journal-mcp"), "search", query, "--keyword", "--json"],
        cwd=project,
        env=dict(env, CLAUDE_PROJECT_DIR=str(project)),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def seed_entry(env: dict[str, str], project: Path, words: str) -> str:
    """Write one project note through the journal's API; return its id."""
    with Journal(Settings.from_env(dict(env, CLAUDE_PROJECT_DIR=str(project)), semantic=False)) as journal:
        return journal.write({"project_notes": words}).entries[0].path


def session_with(
    env: dict[str, str], project: Path, script: Callable[[dict[str, Any]], list[dict[str, Any]]], prompt: str
) -> Session:
    """One `claude -p` session against `script` as the model; it must exit 0."""
    fake = FakeAnthropic(script)
    try:
        session = run_session(env, project, fake, prompt)
    finally:
        fake.close()
    assert session.result.returncode == 0, session.result.stdout + session.result.stderr
    return session


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("agent", AGENTS)
def test_each_agent_searches_and_writes_the_journal(
    client_env: dict[str, str], project: Path, plugin_source: Path, mode: Mode, agent: str
) -> None:
    install(mode, client_env, project, plugin_source)
    seeded = seed_entry(client_env, project, f"Earlier session: L4 throughput notes for {agent}.")
    body = agent_body(mode, agent)
    marker = f"marker-{uuid.uuid4().hex[:12]}"
    script = RoundTrip(agent, body.splitlines()[0] if not body.startswith("#") else body[:200], marker)
    session = session_with(client_env, project, script, "Design the serving topology, please.")
    fake = session.fake
    assert fake.errors == [], fake.errors
    expected_type = f"{PLUGIN}:{agent}" if mode == "plugin" else agent
    assert script.chosen_type == expected_type, script.offered_types
    assert script.subagent_system is not None, "the subagent never ran"
    assert body in script.subagent_system  # its system prompt is the agent's body
    for suffix in ("ToolSearch", "__search_journal", "__process_thoughts"):
        outcome = script.outcome(suffix)
        assert outcome is not None, f"no result for {suffix}: {script.calls}"
        call, result = outcome
        assert not result.get("is_error"), f"{call['name']}: {result_text(result)}"
        assert "No such tool" not in result_text(result) and "No matching deferred tools" not in result_text(result)
    hits = journal_search(client_env, project, marker)["hits"]
    assert hits and marker in json.dumps(hits), hits
    first = session.first_request_text
    assert BRIEFING in first and seeded in first, first[:3000]
    assert REMINDER not in json.dumps(fake.messages())  # the session wrote: no reminder
    assert f"finished {marker}" in session.result.stdout


@dataclass
class Broken:
    kind: str
    release: Callable[[], None] = lambda: None


@pytest.fixture
def broken(request: pytest.FixtureRequest, client_env: dict[str, str]) -> Iterator[Broken]:
    """The project journal missing, not a database, or under another process's exclusive lock at session start."""
    kind: str = request.param
    directory = Path(client_env["JOURNAL_MCP_PROJECT_JOURNAL"])
    if kind == "not-a-database":
        directory.mkdir(parents=True)
        (directory / "journal.db").write_bytes(b"this is not a SQLite database\n" * 100)
    if kind != "locked":
        yield Broken(kind)
        return
    with Journal(Settings.from_env(client_env, semantic=False)) as journal:
        journal.write({"project_notes": "before the lock"})
    holder = sqlite3.connect(directory / "journal.db", isolation_level=None, check_same_thread=False)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("CREATE TABLE IF NOT EXISTS lock_holder (x)")
    released = threading.Event()

    def release() -> None:
        if not released.is_set():
            released.set()
            holder.execute("ROLLBACK")
            holder.execute("PRAGMA locking_mode = NORMAL")
            holder.execute("SELECT count(*) FROM sqlite_master")  # NORMAL takes effect at the next access
            holder.close()

    try:
        yield Broken(kind, release)
    finally:
        release()


# The lock is held while the session starts (the briefing must not wait for it) and released at the first
# request to the model, so the tool calls later (which queue for a lock, by design) go through.
CASES = [(mode, kind) for mode in MODES for kind in ("missing", "not-a-database", "locked")]


@pytest.mark.parametrize(("mode", "broken"), CASES, indirect=["broken"])
def test_a_missing_or_broken_journal_does_not_break_the_session(
    client_env: dict[str, str], project: Path, plugin_source: Path, mode: Mode, broken: Broken
) -> None:
    install(mode, client_env, project, plugin_source)
    agent = "atlas-model-serving-engineer"
    body = agent_body(mode, agent)
    marker = f"marker-{uuid.uuid4().hex[:12]}"
    script = RoundTrip(agent, body[:200], marker)

    def release_then_answer(request: dict[str, Any]) -> list[dict[str, Any]]:
        broken.release()
        return script(request)

    session = session_with(client_env, project, release_then_answer, "Design the serving topology, please.")
    assert f"finished {marker}" in session.result.stdout
    first = session.first_request_text
    assert BRIEFING in first, first[:3000]
    expected = "no entries yet" if broken.kind == "missing" else "unreadable now"
    assert expected in first.split(BRIEFING, 1)[1][:1500], first[:3000]


def test_the_end_of_work_reminder_comes_once_and_only_without_a_write(
    client_env: dict[str, str], project: Path, plugin_source: Path
) -> None:
    """A session that worked (a tool call) and wrote nothing is reminded once; the model's next stop ends it."""
    install("project", client_env, project, plugin_source)
    turns: list[str] = []

    def script(body: dict[str, object]) -> list[dict[str, object]]:
        if not any(t.get("name") == "Agent" for t in body.get("tools", [])):  # type: ignore[union-attr]
            return [text("ok")]
        results = tool_results(body)  # type: ignore[arg-type]
        if not results:
            turns.append("work")
            return [tool_use("ToolSearch", {"query": "select:Read"})]
        turns.append("answer")
        return [text("All done.")]

    session = session_with(client_env, project, script, "Look around.")
    fake = session.fake
    seen = json.dumps(fake.messages())
    assert seen.count(REMINDER) >= 1
    last = json.dumps(fake.messages()[-1])
    assert last.count("Stop hook feedback") == 1, "reminded more than once"
    assert turns == ["work", "answer", "answer"], turns


SUBAGENT_REMINDER = "Before you hand your answer back: nothing from this task is in the private journal yet."


class Forgetful:
    """The script for a pack agent that works (a ToolSearch), then answers without writing. Reminded by the
    SubagentStop hook, it loads the journal tools by the names its text gives, writes a marker, and answers."""

    def __init__(self, agent: str, body_start: str, marker: str) -> None:
        self.trip = RoundTrip(agent, body_start, marker)  # the main agent's delegation, and the calls made
        self.subagent_requests: list[str] = []

    def __call__(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        trip = self.trip
        if trip.body_start not in system_text(body):
            return trip(body)
        trip.results.update(tool_results(body))
        trip.subagent_system = system_text(body)
        seen = all_text(body.get("messages", []))
        self.subagent_requests.append(seen)
        done = [c for c in trip.calls.values() if c["id"] in trip.results]
        if SUBAGENT_REMINDER not in seen:
            if not done:
                return trip._remember([tool_use("ToolSearch", {"query": "select:Read"})])
            return [text("Design done: one L4 serves the 7B model.")]
        write = next(n for n in tool_names_in(trip.subagent_system) if n.endswith("__process_thoughts"))
        if not any(c["name"] == write for c in done):
            last = done[-1]
            loaded = last["name"] == "ToolSearch" and write in json.dumps(last["input"])
            if not loaded or "still connecting" in result_text(trip.results[last["id"]]):
                if loaded:
                    time.sleep(1)
                return trip._remember([tool_use("ToolSearch", {"query": f"select:{write}"})])
            note = f"Reminded, then recorded {trip.marker}: one L4 serves the 7B model."
            return trip._remember([tool_use(write, {"project_notes": note})])
        return [text(f"Design done; recorded {trip.marker}.")]


@pytest.mark.parametrize("mode", ["project", "plugin"])
def test_a_pack_agent_that_forgot_the_journal_is_reminded_once_and_writes(
    client_env: dict[str, str], project: Path, plugin_source: Path, mode: Mode
) -> None:
    """SubagentStop: the agent, not the main session, is asked once to record what it learned; after it
    writes, the session's own Stop reminder stays quiet (the agent's transcript shows the write)."""
    install(mode, client_env, project, plugin_source)
    agent = "ai-platform-architect"
    marker = f"marker-{uuid.uuid4().hex[:12]}"
    script = Forgetful(agent, agent_body(mode, agent)[:200], marker)
    session = session_with(client_env, project, script, "Design the serving topology, please.")
    fake = session.fake
    assert fake.errors == [], fake.errors
    assert script.trip.chosen_type == (f"{PLUGIN}:{agent}" if mode == "plugin" else agent)
    reminded = [r for r in script.subagent_requests if SUBAGENT_REMINDER in r]
    assert reminded, "the agent was never reminded"
    # Claude Code quotes a blocking hook's reason twice in one block ("Stop hook feedback" and the "blocking
    # error" line): once is one feedback block.
    assert reminded[-1].count("Stop hook feedback:\n" + SUBAGENT_REMINDER) == 1, "reminded more than once"
    hits = journal_search(client_env, project, marker)["hits"]
    assert hits and marker in json.dumps(hits), hits
    assert REMINDER not in json.dumps(fake.messages())  # the agent wrote: the session is not reminded
    assert f"finished {marker}" in session.result.stdout
