"""The prompts (slash commands), the entries as resources and v1's hidden process_feelings, through the
in-memory client; and that a real stdio server advertises what it serves and opens the journal only when
the client has its tool list."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mcp.shared.exceptions import MCPError

from journal_mcp.service.journal import Journal
from tests.journal.helpers import ok, text_of

pytestmark = pytest.mark.anyio


async def test_recall_prompt_runs_the_search_and_names_the_entries(client, journal: Journal) -> None:
    written = journal.write({"technical_insights": "vLLM: --gpu-memory-utilization 0.85 stopped the OOM at startup."})
    (entry,) = written.entries
    prompts = {p.name: p for p in (await client.list_prompts()).prompts}
    assert set(prompts) == {"recall", "reflect"}
    assert [(a.name, a.required) for a in prompts["recall"].arguments] == [("topic", True)]
    recalled = await client.get_prompt("recall", {"topic": "vLLM OOM"})
    text = recalled.messages[0].content.text
    assert recalled.messages[0].role == "user"
    assert "vLLM OOM" in text and entry.path in text and "read_journal_entry" in text
    nothing = (await client.get_prompt("recall", {"topic": "kubernetes ingress"})).messages[0].content.text
    assert "No relevant entries found." in nothing and "say so plainly" in nothing


async def test_reflect_prompt_names_the_sections_and_takes_a_focus(client) -> None:
    plain = (await client.get_prompt("reflect", {})).messages[0].content.text
    for section in ("process_thoughts", "search_journal", "project_notes", "technical_insights", "user_context"):
        assert section in plain, section
    focused = (await client.get_prompt("reflect", {"focus": "the failed deploy"})).messages[0].content.text
    assert focused.endswith("Focus on: the failed deploy")


async def test_entries_are_read_only_resources_by_id(client, journal: Journal) -> None:
    (entry,) = journal.write({"observations": "The staging cluster drains nodes at 02:00."}).entries
    (template,) = (await client.list_resource_templates()).resource_templates
    assert template.uri_template == "journal://entries/{journal}/{entry}" and template.mime_type == "text/markdown"
    read = await client.read_resource(f"journal://entries/{entry.path}")
    assert "The staging cluster drains nodes at 02:00." in read.contents[0].text
    for uri in ("journal://entries/user/nope", "journal://entries/project/..%2F..%2Fetc%2Fpasswd"):
        with pytest.raises(MCPError):
            await client.read_resource(uri)


async def test_v1_process_feelings_is_answered_but_not_listed(client, journal: Journal) -> None:
    assert "process_feelings" not in {t.name for t in (await client.list_tools()).tools}
    result = await client.call_tool("process_feelings", {"diary_entry": "Relieved: the migration finally passed."})
    (entry,) = ok(result)["entries"]
    assert entry["type"] == "user" and entry["sections"] == ["Feelings"]
    assert journal.read(entry["path"]).sections == {"Feelings": "Relieved: the migration finally passed."}
    missing = await client.call_tool("process_feelings", {})
    assert missing.is_error and "diary_entry" in text_of(missing)


@pytest.mark.subprocess
def test_a_stdio_server_answers_the_handshake_before_opening_the_journal(journal_env: dict[str, str]) -> None:
    """Claude Code's discover probe and the tool listing come first; the journal is opened after."""
    log = Path(journal_env["HOME"]) / "server.log"
    meta = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "journal_mcp"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log.open("wb"),
        env={**journal_env, "JOURNAL_MCP_LOG_LEVEL": "INFO"},
        cwd=journal_env["CLAUDE_PROJECT_DIR"],
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:

        def ask(rid: int, method: str) -> dict[str, object]:
            message = {"jsonrpc": "2.0", "id": rid, "method": method, "params": {"_meta": meta}}
            proc.stdin.write((json.dumps(message) + "\n").encode())  # type: ignore[union-attr]
            proc.stdin.flush()  # type: ignore[union-attr]
            answer: dict[str, object] = json.loads(proc.stdout.readline())  # type: ignore[union-attr]
            return answer

        discovered = ask(1, "server/discover")["result"]
        assert "Journal ready" not in log.read_text(encoding="utf-8")  # not opened for the probe
        capabilities = discovered["capabilities"]  # type: ignore[index]
        assert {"tools", "prompts", "resources"} <= set(capabilities)  # and it serves all three
        listed = ask(2, "tools/list")["result"]
        assert len(listed["tools"]) == 5  # type: ignore[index]
        deadline = time.monotonic() + 30
        while "Journal ready" not in log.read_text(encoding="utf-8") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "Journal ready" in log.read_text(encoding="utf-8"), "the journal was not opened after the listing"
    finally:
        proc.kill()
        proc.wait()
