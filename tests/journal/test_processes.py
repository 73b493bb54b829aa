"""Real processes: the stdio server as a subprocess, and two writers sharing one journal."""

from __future__ import annotations

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
from tests.journal.helpers import ok

pytestmark = pytest.mark.subprocess


def server_params(env: dict[str, str], *args: str) -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable, args=["-m", "journal_mcp", *args], env=env, cwd=env["CLAUDE_PROJECT_DIR"]
    )


@pytest.mark.anyio
async def test_stdio_subprocess_full_round_trip(journal_env: dict[str, str]) -> None:
    started = time.perf_counter()
    async with Client(server_params(journal_env), read_timeout_seconds=60) as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        handshake = time.perf_counter() - started
        assert len(tools) == 5
        wrote = ok(
            await client.call_tool(
                "process_thoughts", {"project_notes": "stdio works", "observations": "so does the user journal"}
            )
        )
        paths = [e["path"] for e in wrote["entries"]]
        listed = ok(await client.call_tool("list_recent_entries", {}))
        assert {h["path"] for h in listed["hits"]} == set(paths)
        found = ok(await client.call_tool("search_journal", {"query": "stdio"}))
        assert found["hits"][0]["path"] in paths
        entry = ok(await client.call_tool("read_journal_entry", {"path": found["hits"][0]["path"]}))
        assert entry["sections"] == {"Project Notes": "stdio works"}
        full = ok(await client.call_tool("read_recent_entries", {"limit": 2}))
        assert len(full["entries"]) == 2
    print(f"spawn to tools/list: {handshake:.2f}s")


def test_stdout_carries_only_protocol(journal_env: dict[str, str]) -> None:
    """Anything but JSON-RPC on stdout would break every client."""
    request = (
        '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",'
        '"capabilities":{},"clientInfo":{"name":"t","version":"1"}}}\n'
    )
    proc = subprocess.run(
        [sys.executable, "-m", "journal_mcp"],
        input=request,
        capture_output=True,
        text=True,
        env={**journal_env, "JOURNAL_MCP_LOG_LEVEL": "DEBUG"},
        timeout=60,
    )
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    assert lines and all(
        line.startswith('{"jsonrpc"') or line.startswith('{"id"') or line.startswith("{") for line in lines
    ), proc.stdout
    assert '"private-journal"' in lines[0]


WRITER = textwrap.dedent("""
    import sys
    from journal_mcp.core.config import Settings
    from journal_mcp.service.journal import Journal
    journal = Journal(Settings.from_env({"HOME": sys.argv[1], "CLAUDE_PROJECT_DIR": sys.argv[2],
                                         "JOURNAL_MCP_SEMANTIC": "0"}))
    for i in range(int(sys.argv[4])):
        journal.write({"observations": f"writer {sys.argv[3]} entry {i}", "project_notes": f"p {sys.argv[3]} {i}"})
    print("done")
""")


def test_two_processes_writing_one_journal_lose_nothing(journal_env: dict[str, str], tmp_path: Path) -> None:
    count = 150
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, journal_env["HOME"], journal_env["CLAUDE_PROJECT_DIR"], name, str(count)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err
        assert out.strip() == "done"
    journal = Journal(Settings.from_env(journal_env))
    for kind in ("user", "project"):
        store = journal.store(kind)  # type: ignore[arg-type]
        assert store is not None
        assert store.count_entries([kind]) == 2 * count
        assert store.integrity_check() == "ok"
    texts = {h.excerpt for h in journal.search("writer", limit=100, type="user").hits}
    assert len(texts) == 100
    journal.close()


@pytest.mark.anyio
async def test_python_dash_m_and_console_script_both_serve(journal_env: dict[str, str]) -> None:
    script = Path(sys.executable).with_name("journal-mcp")
    assert script.exists(), "the journal-mcp console script is installed next to the interpreter"
    params = StdioServerParameters(command=str(script), args=[], env=journal_env, cwd=journal_env["CLAUDE_PROJECT_DIR"])
    with anyio.fail_after(60):
        async with Client(params) as client:
            assert len((await client.list_tools()).tools) == 5


OPEN_AT = textwrap.dedent(
    """
    import sys, time
    from journal_mcp.store.storage import JournalStore
    start = float(sys.argv[2])
    while time.time() < start:
        pass
    store = JournalStore(sys.argv[1])
    print("read-write" if store.read_only_reason is None else f"read-only: {store.read_only_reason}")
    """
)


def test_processes_creating_one_new_journal_at_the_same_instant_all_get_it_read_write(tmp_path: Path) -> None:
    """Several sessions starting together on a journal that does not exist yet (a new machine)."""
    for round_no in range(4):
        db = tmp_path / f"round{round_no}" / "journal" / "journal.db"
        start = time.time() + 2.0
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", OPEN_AT, str(db), str(start)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(6)
        ]
        for proc in procs:
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
            assert out.strip() == "read-write", out + err
        assert (db.parent / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
