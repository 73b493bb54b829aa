"""`journal-mcp hook session-start|stop|subagent-stop`: read the hook's JSON, answer on stdout, never fail the session."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from journal_mcp.core.config import Settings
from journal_mcp.core.errors import JournalError
from journal_mcp.core.models import iso_utc

log = logging.getLogger(__name__)

OFF = ("0", "false", "no", "off")
STATE_DAYS = 7  # session markers older than this are removed at the next session start


def state_dir(env: Mapping[str, str]) -> Path:
    """Per-session markers (when it started, whether it was reminded): `$XDG_STATE_HOME/journal-mcp/sessions`."""
    base = env.get("XDG_STATE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".local" / "state")
    return Path(base) / "journal-mcp" / "sessions"


def _session_file(env: Mapping[str, str], event: Mapping[str, Any], suffix: str) -> Path | None:
    session = str(event.get("session_id") or "")
    if not session or not all(c.isalnum() or c in "-_" for c in session):
        return None
    return state_dir(env) / f"{session}.{suffix}"


def _prune(directory: Path) -> None:
    cutoff = time.time() - STATE_DAYS * 86400
    for path in directory.glob("*.*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue


def _mark(path: Path | None, text: str) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        log.warning("cannot record the session marker %s: %s", path, exc)


def session_start(settings: Settings, env: Mapping[str, str], event: Mapping[str, Any]) -> str:
    from journal_mcp.hooks.briefing import briefing

    started = _session_file(env, event, "start")
    if started is not None and not started.exists():
        _mark(started, iso_utc(datetime.now(UTC)))
        _prune(started.parent)
    output = {"hookSpecificOutput": {"hookEventName": "SessionStart", "additionalContext": briefing(settings)}}
    return json.dumps(output)


def stop(settings: Settings, env: Mapping[str, str], event: Mapping[str, Any]) -> str:
    from journal_mcp.hooks.reminder import as_output, reminder

    reminded = _session_file(env, event, "reminded")
    if reminded is not None and reminded.exists():
        return ""
    started = _session_file(env, event, "start")
    started_at = started.read_text(encoding="utf-8").strip() if started is not None and started.is_file() else None
    text = reminder(settings, dict(event), started_at)
    if text is None:
        return ""
    if reminded is None:  # without a session id it cannot be once a session: stay quiet
        return ""
    _mark(reminded, iso_utc(datetime.now(UTC)))
    return as_output(text)


def subagent_stop(settings: Settings, env: Mapping[str, str], event: Mapping[str, Any]) -> str:
    """One of the pack's agents is about to hand back its answer: once per task, when it used tools and
    wrote nothing, ask it to record what it learned (it knows the details; the main agent gets a summary)."""
    from journal_mcp.hooks.reminder import as_output, subagent_reminder

    agent = str(event.get("agent_id") or "")
    marker = _session_file(env, event, f"{agent}.reminded") if agent.replace("-", "").isalnum() else None
    if marker is None or marker.exists():  # without ids it cannot be once a task: stay quiet
        return ""
    text = subagent_reminder(dict(event))
    if text is None:
        return ""
    _mark(marker, iso_utc(datetime.now(UTC)))
    return as_output(text)


HANDLERS = {"session-start": session_start, "stop": stop, "subagent-stop": subagent_stop}
EVENTS = tuple(HANDLERS)  # the `journal-mcp hook` arguments


def _event(raw: str) -> dict[str, Any]:
    """The hook's input; anything that is not a JSON object is read as an empty one (the hook still runs)."""
    try:
        event = json.loads(raw) if raw.strip() else {}
    except ValueError:
        log.warning("the hook's input is not JSON; running without it")
        return {}
    return event if isinstance(event, dict) else {}


def run_hook(name: str, stdin: IO[str], stdout: IO[str], env: Mapping[str, str] | None = None) -> int:
    """Run hook `name`; always exit 0 (a broken journal or input is reported on stderr, never fails the session)."""
    env = os.environ if env is None else env
    if (env.get("JOURNAL_MCP_HOOKS") or "1").strip().lower() in OFF:
        return 0
    try:
        event = _event(stdin.read())
        cwd = event.get("cwd")
        settings = Settings.from_env(env, cwd=Path(cwd) if isinstance(cwd, str) and cwd else None)
        answer = HANDLERS[name](settings, env, event)
    except (JournalError, OSError, ValueError) as exc:
        print(f"journal-mcp hook {name}: {exc}", file=sys.stderr)
        return 0
    if answer:
        stdout.write(answer + "\n")
    return 0
