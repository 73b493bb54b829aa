"""Load and fault benchmark: N server processes writing to one journal while another searches.

    .venv/bin/python bench/bench_load.py --writers 8 --entries 1000 [--semantic] [--kills 5]

Prints writes/s, search latency percentiles, errors seen by clients, whether every acknowledged
write is present exactly once, and (with --kills) how SIGKILLed writers left the journal.
Everything runs on loopback/stdio in a temporary directory; your journals are not touched.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import anyio
from mcp import Client, StdioServerParameters

from journal_mcp.core.config import Settings
from journal_mcp.service.journal import Journal


def server(env: dict[str, str]) -> StdioServerParameters:
    return StdioServerParameters(command=sys.executable, args=["-m", "journal_mcp"], env=env, cwd=env["HOME"])


async def load(env: dict[str, str], writers: int, entries: int) -> dict[str, object]:
    acked: dict[str, str] = {}
    errors: list[str] = []
    latencies: list[float] = []
    done = anyio.Event()

    async def writer(n: int) -> None:
        async with Client(server(env), read_timeout_seconds=600) as client:
            for i in range(entries):
                text = f"writer {n} entry {i}: tuned the dynamic batcher and the kv-cache block size"
                result = await client.call_tool("process_thoughts", {"technical_insights": text})
                if result.is_error:
                    errors.append(str(result.content))
                else:
                    acked[result.structured_content["entries"][0]["path"]] = text

    async def searcher() -> None:
        async with Client(server(env), read_timeout_seconds=600) as client:
            while not done.is_set():
                started = time.perf_counter()
                result = await client.call_tool("search_journal", {"query": "batching trouble", "limit": 10})
                latencies.append(time.perf_counter() - started)
                if result.is_error:
                    errors.append("search: " + str(result.content))

    started = time.perf_counter()
    async with anyio.create_task_group() as tg:
        tg.start_soon(searcher)
        async with anyio.create_task_group() as group:
            for n in range(writers):
                group.start_soon(writer, n)
        done.set()
    elapsed = time.perf_counter() - started
    journal = Journal(Settings.from_env(env))
    store = journal.store("user")
    assert store is not None
    stored = store.get_entries(list(acked))
    exact = all(stored[i].sections["technical_insights"] == t for i, t in acked.items() if i in stored)
    result = {
        "writes acknowledged": len(acked),
        "writes/s": round(len(acked) / elapsed, 1),
        "entries stored": store.count_entries(),
        "every acknowledged write present exactly once": len(stored) == len(acked) == store.count_entries() and exact,
        "client-visible errors": len(errors),
        "searches": len(latencies),
        "search p50 ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "search p95 ms": round(statistics.quantiles(latencies, n=20)[18] * 1000, 1) if len(latencies) > 20 else None,
        "integrity_check": store.integrity_check(),
    }
    journal.close()
    return result


KILLED = """
import sys
from journal_mcp.core.config import Settings
from journal_mcp.service.journal import Journal
journal = Journal(Settings.from_env())
i = 0
while True:
    print(journal.write({"observations": f"kill test {i} " + "x" * 4000}).entries[0].path, flush=True)
    i += 1
"""


def kills(env: dict[str, str], rounds: int) -> dict[str, object]:
    lost = 0
    total = 0
    for _ in range(rounds):
        proc = subprocess.Popen([sys.executable, "-c", KILLED], stdout=subprocess.PIPE, text=True, env=env)
        assert proc.stdout is not None
        acked = [proc.stdout.readline().strip() for _ in range(300)]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        journal = Journal(Settings.from_env(env))
        store = journal.store("user")
        assert store is not None
        lost += len(set(acked) - set(store.get_entries(acked)))
        total += len(acked)
        assert store.integrity_check() == "ok"
        journal.close()
    return {"SIGKILL rounds": rounds, "acknowledged before kill": total, "lost": lost, "integrity_check": "ok"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--entries", type=int, default=500)
    parser.add_argument("--semantic", action="store_true", help="load the model in every server (slow to start)")
    parser.add_argument("--kills", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="journal-bench-load-") as tmp:
        env = {
            **os.environ,
            "HOME": tmp,
            "CLAUDE_PROJECT_DIR": str(Path(tmp) / "project"),
            "JOURNAL_MCP_SEMANTIC": "1" if args.semantic else "0",
            "JOURNAL_MCP_LOG_LEVEL": "WARNING",
        }
        Path(env["CLAUDE_PROJECT_DIR"]).mkdir()
        print(f"{args.writers} writer processes x {args.entries} entries + 1 searcher, semantic={args.semantic}")
        for key, value in anyio.run(load, env, args.writers, args.entries).items():
            print(f"  {key}: {value}")
        if args.kills:
            for key, value in kills(env, args.kills).items():
                print(f"  {key}: {value}")


if __name__ == "__main__":
    main()
