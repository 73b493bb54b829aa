"""The MCP Inspector's CLI against the real `journal-mcp`: list the tools, then call each of the five."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from tests.clients.conftest import INSPECTOR, JOURNAL_MCP, NODE22, needs_tools

pytestmark = [pytest.mark.external, needs_tools]

TOOLS = {"process_thoughts", "search_journal", "list_recent_entries", "read_recent_entries", "read_journal_entry"}


def inspect(env: dict[str, str], *args: str, exit_code: int = 0) -> dict[str, Any]:
    result = subprocess.run(
        [str(NODE22), str(INSPECTOR), "--cli", str(JOURNAL_MCP), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == exit_code, result.stdout + result.stderr
    # The first JSON document is the server's answer (after a tool error the CLI prints a second one).
    data, _ = json.JSONDecoder().raw_decode(result.stdout.lstrip())
    assert isinstance(data, dict)
    return data


def call(env: dict[str, str], tool: str, **arguments: str) -> dict[str, Any]:
    args = ["--method", "tools/call", "--tool-name", tool]
    for key, value in arguments.items():
        args += ["--tool-arg", f"{key}={value}"]
    result = inspect(env, *args)
    assert not result.get("isError"), result
    return result


def text(result: dict[str, Any]) -> str:
    return "\n".join(part["text"] for part in result["content"] if part["type"] == "text")


def test_inspector_lists_the_five_tools(client_env: dict[str, str]) -> None:
    tools = inspect(client_env, "--method", "tools/list")["tools"]
    assert {t["name"] for t in tools} == TOOLS
    assert all(t["description"] and t["inputSchema"]["type"] == "object" for t in tools)


def test_inspector_calls_every_tool(client_env: dict[str, str]) -> None:
    written = call(
        client_env, "process_thoughts", technical_insights="vLLM prefix caching halved p99 for the inspector probe"
    )
    (entry,) = written["structuredContent"]["entries"]
    path = entry["path"]
    found = call(client_env, "search_journal", query="prefix caching")
    assert path in json.dumps(found)
    listed = call(client_env, "list_recent_entries", limit="5")
    assert path in json.dumps(listed)
    recent = call(client_env, "read_recent_entries", limit="1")
    assert "prefix caching" in text(recent)
    read = call(client_env, "read_journal_entry", path=path)
    assert "vLLM prefix caching halved p99" in text(read)


def test_inspector_sees_a_tool_error_for_a_bad_argument(client_env: dict[str, str]) -> None:
    result = inspect(
        client_env,
        *("--method", "tools/call", "--tool-name", "read_journal_entry", "--tool-arg", "path=../../etc/passwd"),
        exit_code=5,  # the Inspector CLI's exit code for a tool result with isError
    )
    assert result.get("isError") is True and "No journal entry has the id" in text(result)
