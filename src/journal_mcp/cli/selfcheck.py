"""`journal-mcp self-check`: start the real server over stdio on a throw-away journal and use every tool."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

PROBE = "journal-mcp self-check probe: the quick brown fox tunes vLLM batch sizes"


async def run_self_check(report: Callable[[str], None] = print, *, timeout: float = 120.0) -> bool:
    """True when a fresh server wrote, listed, searched and read a probe entry."""
    with tempfile.TemporaryDirectory(prefix="journal-self-check-") as tmp:
        env = {
            **os.environ,
            "HOME": tmp,
            "JOURNAL_MCP_USER_JOURNAL": str(Path(tmp) / "user"),
            "JOURNAL_MCP_PROJECT_JOURNAL": str(Path(tmp) / "project"),
            "CLAUDE_PROJECT_DIR": tmp,
        }
        params = StdioServerParameters(command=sys.executable, args=["-m", "journal_mcp"], env=env, cwd=tmp)
        started = time.perf_counter()
        try:
            with anyio.fail_after(timeout):
                async with Client(params, read_timeout_seconds=timeout) as client:
                    tools = {t.name for t in (await client.list_tools()).tools}
                    report(f"ok   server answered in {time.perf_counter() - started:.2f}s with {len(tools)} tools")
                    wrote = await client.call_tool(
                        "process_thoughts", {"project_notes": PROBE, "technical_insights": PROBE}
                    )
                    _expect(not wrote.is_error, f"process_thoughts failed: {_text(wrote)}")
                    paths = [e["path"] for e in wrote.structured_content["entries"]]
                    report(f"ok   wrote {len(paths)} probe entries")
                    listed = await client.call_tool("list_recent_entries", {"limit": 5})
                    _expect(
                        {h["path"] for h in listed.structured_content["hits"]} >= set(paths),
                        "listing misses it",
                    )
                    report("ok   listed them")
                    found = await client.call_tool("search_journal", {"query": "fox tuning batch sizes"})
                    _expect(not found.is_error, f"search failed: {_text(found)}")
                    hits = [h["path"] for h in found.structured_content["hits"]]
                    _expect(bool(set(hits) & set(paths)), "search did not find the probe")
                    mode = found.structured_content["mode"]
                    report(f"ok   found them by search ({mode})")
                    read = await client.call_tool("read_journal_entry", {"path": paths[0]})
                    _expect(PROBE in _text(read), "read_journal_entry returned other text")
                    report("ok   read one back")
        except (AssertionError, Exception) as exc:  # the check reports any failure as a failed check
            report(f"FAIL {exc}")
            return False
    return True


def _text(result: Any) -> str:
    return "".join(getattr(block, "text", "") for block in result.content)


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)
