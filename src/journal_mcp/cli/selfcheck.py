"""`journal-mcp self-check`: start the real server over stdio on a throw-away journal and use every tool.

It passes only when search works by meaning: the embedding model must load and find the probe by a
paraphrase that shares no word with it (a keyword search could not find it), on either runtime.
"""

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

MODEL_POLL_SECONDS = 0.5

PROBE = "The GPU ran out of memory while serving the model, so I lowered the batch size."
KEYWORDS = "GPU batch size"
PARAPHRASE = "VRAM exhausted during inference"  # no word in common with PROBE: only meaning can match it


async def run_self_check(report: Callable[[str], None] = print, *, timeout: float = 300.0) -> bool:
    """True when a fresh server wrote, listed, searched and read a probe entry."""
    with tempfile.TemporaryDirectory(prefix="journal-self-check-") as tmp:
        env = {
            **os.environ,
            "HOME": tmp,
            "JOURNAL_MCP_USER_JOURNAL": str(Path(tmp) / "user"),
            "JOURNAL_MCP_PROJECT_JOURNAL": str(Path(tmp) / "project"),
            "CLAUDE_PROJECT_DIR": tmp,
            "JOURNAL_MCP_SEMANTIC": "1",  # the point of the check, whatever the caller's environment says
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
                    found = await _search(client, KEYWORDS)
                    _expect(bool(_hits(found) & set(paths)), "keyword search did not find the probe")
                    report(f"ok   found them by keywords ({found['mode']})")
                    waited = time.perf_counter()
                    while True:  # until the model has loaded and embedded the probe (fail_after bounds it)
                        found = await _search(client, PARAPHRASE)
                        notice = found["notice"] or ""
                        _expect(
                            "unavailable" not in notice or "still loading" in notice,
                            f"semantic search does not work: {notice}",
                        )
                        if found["mode"] != "keyword" and {
                            h["path"] for h in found["hits"] if "semantic" in h["matched"]
                        } & set(paths):
                            break
                        await anyio.sleep(MODEL_POLL_SECONDS)
                    report(f"ok   the embedding model loaded and answered ({time.perf_counter() - waited:.1f}s more)")
                    report(f"ok   found them by meaning ({PARAPHRASE!r}, no word in common)")
                    read = await client.call_tool("read_journal_entry", {"path": paths[0]})
                    _expect(PROBE in _text(read), "read_journal_entry returned other text")
                    report("ok   read one back")
        except TimeoutError:
            report(
                f"FAIL no answer within {timeout:.0f}s (semantic search must work: is the embedding model installed?)"
            )
            return False
        except Exception as exc:  # the check reports any failure as a failed check
            while isinstance(exc, ExceptionGroup) and len(exc.exceptions) == 1:
                exc = exc.exceptions[0]  # the client's task group wraps what went wrong
            report(f"FAIL {exc}")
            return False
    return True


async def _search(client: Client, query: str) -> dict[str, Any]:
    found = await client.call_tool("search_journal", {"query": query})
    _expect(not found.is_error, f"search failed: {_text(found)}")
    result: dict[str, Any] = found.structured_content
    return result


def _hits(found: dict[str, Any]) -> set[str]:
    return {h["path"] for h in found["hits"]}


def _text(result: Any) -> str:
    return "".join(getattr(block, "text", "") for block in result.content)


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)
