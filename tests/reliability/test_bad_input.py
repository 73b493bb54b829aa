"""Every bad input gets a clear tool error naming the argument, within a second, with nothing written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

import pytest

from journal_mcp.core.errors import InvalidInputError
from journal_mcp.core.timeparse import parse_time_bound
from journal_mcp.service.journal import MAX_QUERY_CHARS
from tests.journal.helpers import INITIALIZE

pytestmark = pytest.mark.anyio


def text_of(result: Any) -> str:
    return "".join(getattr(block, "text", "") for block in result.content)


@pytest.mark.parametrize("value", ['{"max_tokens": 4096}', "[1, 2]", "null", "42", "true", '"quoted"'])
async def test_json_looking_text_is_stored_verbatim(client: Any, value: str) -> None:
    written = await client.call_tool("process_thoughts", {"feelings": value})
    assert not written.is_error, text_of(written)
    path = written.structured_content["entries"][0]["path"]
    entry = await client.call_tool("read_journal_entry", {"path": path})
    assert entry.structured_content["sections"] == {"Feelings": value}


async def test_explicit_null_means_left_out(client: Any) -> None:
    written = await client.call_tool("process_thoughts", {"feelings": None, "observations": "kept"})
    assert not written.is_error and written.structured_content["entries"][0]["sections"] == ["Observations"]


BAD_CALLS = [
    ("search_journal", {"query": "x", "limit": "abc"}, "limit must be a whole number; got 'abc'"),
    ("search_journal", {"query": "x", "type": "bogus"}, "type must be one of 'both', 'project' or 'user'"),
    ("search_journal", {"query": "x", "sections": "technical_insights"}, "sections must be a list of strings"),
    ("list_recent_entries", {"days": -1}, "days must be above 0"),
    ("search_journal", {"limit": 3}, "query is required"),
    ("process_thoughts", {"feelings": 7}, "feelings must be text"),
    ("search_journal", {"query": "x", "since": "null"}, "Cannot read 'null' as a date"),
    ("search_journal", {"query": "x", "since": "0001-01-01T00:00:00"}, "outside the dates a journal holds"),
    ("search_journal", {"query": "x", "since": "1000000y"}, "outside the dates a journal holds"),
    ("search_journal", {"query": "x", "until": "9999-12-31T23:59:59-12:00"}, "outside the dates a journal holds"),
    ("search_journal", {"query": "x", "since": "2026-13-45"}, "Cannot read"),
    ("search_journal", {"query": "q" * (MAX_QUERY_CHARS + 1)}, "query is 4,001 characters; the limit is 4,000"),
]


@pytest.mark.parametrize(("tool", "args", "expected"), BAD_CALLS)
async def test_bad_arguments_are_clear_errors(client: Any, settings: Any, tool: str, args: dict, expected: str) -> None:
    started = time.monotonic()
    result = await client.call_tool(tool, args)
    assert time.monotonic() - started < 5  # generous on a loaded machine; typically milliseconds
    message = text_of(result)
    assert result.is_error and expected in message, message
    assert "pydantic" not in message and "validation error for" not in message and "Traceback" not in message
    assert not settings.user_db_path.exists() and not settings.project_db_path.exists()  # nothing written


async def test_length_is_checked_after_cleaning(journal: Any) -> None:
    limit = journal.settings.max_section_chars
    written = journal.write({"observations": "  " + "a" * limit + "\n\n  "})  # whitespace is not counted
    assert written.entries
    with pytest.raises(InvalidInputError, match="characters; the limit is"):
        journal.write({"observations": "a" * (limit + 1)})


def test_every_extreme_date_is_an_invalid_input_error() -> None:
    for text in ("0001-01-01", "9999-12-31T23:59:59-12:00", "99999999d", "1e308y", "x" * 1000, "1969-12-31T00:00Z"):
        with pytest.raises(InvalidInputError):
            parse_time_bound(text)


@pytest.mark.subprocess
def test_a_lone_surrogate_over_real_stdio_is_answered(journal_env: dict[str, str]) -> None:
    """The SDK's JSON parser refuses "\\ud800"; the server still answers, storing U+FFFD."""
    requests = [INITIALIZE, {"jsonrpc": "2.0", "method": "notifications/initialized"}]
    lines = [json.dumps(r) for r in requests]
    lines.append(
        '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"process_thoughts","arguments":{"observations":"lone \\ud800 half"}}}'
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "journal_mcp"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**journal_env, "PYTHONPATH": os.pathsep.join(sys.path)},
        cwd=journal_env["CLAUDE_PROJECT_DIR"],
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("\n".join(lines) + "\n")
    proc.stdin.flush()
    answers: dict[int, Any] = {}
    deadline = time.monotonic() + 60
    while 2 not in answers and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        message = json.loads(line)
        answers[message.get("id")] = message
    proc.stdin.close()
    proc.wait(timeout=30)
    assert 2 in answers, answers
    assert answers[2]["result"]["isError"] is False
    from journal_mcp.core.config import Settings
    from journal_mcp.service.journal import Journal

    with Journal(Settings.from_env(journal_env)) as journal:
        assert [h.excerpt for h in journal.recent().hits] == ["lone \ufffd half"]
