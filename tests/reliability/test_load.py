"""Load and faults with real server processes sharing one user journal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters

from journal_mcp.core.config import Settings
from journal_mcp.service.journal import Journal
from tests.readonly import can_mount_read_only, with_read_only

pytestmark = [pytest.mark.subprocess, pytest.mark.anyio]

WRITERS = 4
ENTRIES_PER_WRITER = 250


def params(env: dict[str, str]) -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable, args=["-m", "journal_mcp"], env=env, cwd=env["CLAUDE_PROJECT_DIR"]
    )


async def test_four_writers_and_a_searcher_lose_nothing(journal_env: dict[str, str]) -> None:
    acked: dict[str, str] = {}
    failures: list[str] = []
    searches = 0
    writers_done = anyio.Event()

    async def writer(n: int) -> None:
        async with Client(params(journal_env), read_timeout_seconds=120) as client:
            for i in range(ENTRIES_PER_WRITER):
                text = f"writer {n} entry {i} about continuous batching"
                result = await client.call_tool("process_thoughts", {"technical_insights": text})
                if result.is_error:
                    failures.append("".join(getattr(b, "text", "") for b in result.content))
                    continue
                acked[result.structured_content["entries"][0]["path"]] = text

    async def searcher() -> None:
        nonlocal searches
        async with Client(params(journal_env), read_timeout_seconds=120) as client:
            while not writers_done.is_set():
                result = await client.call_tool("search_journal", {"query": "continuous batching", "limit": 20})
                if result.is_error:
                    failures.append("search: " + "".join(getattr(b, "text", "") for b in result.content))
                searches += 1

    started = time.perf_counter()
    with anyio.fail_after(600):
        async with anyio.create_task_group() as tg:
            tg.start_soon(searcher)
            async with anyio.create_task_group() as writers:
                for n in range(WRITERS):
                    writers.start_soon(writer, n)
            writers_done.set()
    elapsed = time.perf_counter() - started
    assert failures == []
    assert len(acked) == WRITERS * ENTRIES_PER_WRITER
    journal = Journal(Settings.from_env(journal_env))
    store = journal.store("user")
    assert store is not None
    assert store.integrity_check() == "ok"
    assert store.count_entries() == WRITERS * ENTRIES_PER_WRITER
    stored = store.get_entries(list(acked))
    assert {i: e.sections["technical_insights"] for i, e in stored.items()} == acked
    texts = [r[0] for r in store.conn.execute("SELECT body FROM sections")]
    assert len(texts) == len(set(texts)) == WRITERS * ENTRIES_PER_WRITER  # each exactly once
    journal.close()
    print(f"{len(acked)} writes by {WRITERS} processes and {searches} searches in {elapsed:.1f}s")
    assert searches > 0


KILLED_WRITER = textwrap.dedent("""
    import sys
    from journal_mcp.core.config import Settings
    from journal_mcp.service.journal import Journal
    journal = Journal(Settings.from_env({"HOME": sys.argv[1], "CLAUDE_PROJECT_DIR": sys.argv[2],
                                         "JOURNAL_MCP_SEMANTIC": "0"}))
    i = 0
    while True:
        result = journal.write({"observations": f"durable entry {i} " + "x" * 2000})
        # Acknowledge only after write() returned: the entry is committed.
        print(result.entries[0].path, flush=True)
        i += 1
""")


def test_sigkill_mid_write_loses_no_acknowledged_entry(journal_env: dict[str, str]) -> None:
    for _ in range(3):
        proc = subprocess.Popen(
            [sys.executable, "-c", KILLED_WRITER, journal_env["HOME"], journal_env["CLAUDE_PROJECT_DIR"]],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        acked: list[str] = []
        deadline = time.monotonic() + 60
        while len(acked) < 150 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if line:
                acked.append(line.strip())
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert len(acked) >= 150
        journal = Journal(Settings.from_env(journal_env))
        store = journal.store("user")
        assert store is not None
        assert store.integrity_check() == "ok"
        assert set(store.get_entries(acked)) == set(acked)
        journal.write({"observations": "the next start works"})
        journal.close()


async def test_read_only_journal_directory_keeps_serving_reads(journal_env: dict[str, str]) -> None:
    """The disk refusing writes: the real server, in a mount namespace where the journal is read-only."""
    if not can_mount_read_only():
        pytest.skip("this kernel does not allow unprivileged mount namespaces")
    # Project journals live in the data directory: keep it off the read-only disk here.
    journal_env = {**journal_env, "XDG_DATA_HOME": str(Path(journal_env["HOME"]).parent / "data")}
    journal = Journal(Settings.from_env(journal_env))
    first = journal.write({"observations": "written before the disk went read-only"})
    journal.close()
    home = journal_env["HOME"]
    db = Settings.from_env(journal_env).user_db_path
    before = db.read_bytes()
    argv = with_read_only(Path(home), sys.executable, "-m", "journal_mcp")
    server = StdioServerParameters(
        command=argv[0], args=argv[1:], env=journal_env, cwd=journal_env["CLAUDE_PROJECT_DIR"]
    )
    with anyio.fail_after(120):
        async with Client(server, read_timeout_seconds=60) as client:
            listed = await client.call_tool("list_recent_entries", {})
            assert not listed.is_error
            assert [h["path"] for h in listed.structured_content["hits"]] == [first.entries[0].path]
            found = await client.call_tool("search_journal", {"query": "read-only disk"})
            assert not found.is_error and found.structured_content["hits"]
            refused = await client.call_tool("process_thoughts", {"observations": "during the outage"})
            assert refused.is_error
            assert "read-only" in "".join(getattr(b, "text", "") for b in refused.content)
            project_only = await client.call_tool("process_thoughts", {"project_notes": "project disk is fine"})
            assert not project_only.is_error  # the project journal is on a writable disk
    assert db.read_bytes() == before
