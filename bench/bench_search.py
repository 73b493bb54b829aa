"""Semantic search benchmark: synthetic journals of 1k, 10k and 100k entries served by a real `journal-mcp`.

    .venv/bin/python bench/bench_search.py [--sizes 1000 10000 100000] [--queries 60]

For each size it builds a journal in a temp dir (the first 2,000 entries embedded by the real model,
timed as backfill throughput; beyond that, copies of those vectors with small noise), spawns the
stdio server, and measures over MCP: spawn to tools/list, time until semantic search is ready,
search_journal p50/p95 (distinct queries, so each includes a query embedding; plus a repeated,
cached query) with and without a selective date filter, process_thoughts p50 for a 100-word entry,
and the server's peak RSS (VmHWM). Your journals are not touched.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import EVENTS, SUBJECTS, build_journal, entry_text

from journal_mcp.search.embeddings import load_embedder


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def server_pid() -> int | None:
    """The journal_mcp server this process spawned (found through /proc)."""
    me = os.getpid()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        # The command name (field 2) is in parentheses and may hold spaces: the parent id is the
        # second field after its closing parenthesis.
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == me and b"journal_mcp" in cmdline:
            return int(proc.name)
    return None


def peak_rss_mb(pid: int | None) -> float:
    if pid is None:
        return float("nan")
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def measure(env: dict[str, str], n: int, queries: int) -> dict[str, float]:
    params = StdioServerParameters(command=sys.executable, args=["-m", "journal_mcp"], env=env, cwd=env["HOME"])
    rng = random.Random(1)
    results: dict[str, float] = {}
    started = time.perf_counter()
    async with Client(params, read_timeout_seconds=600) as client:
        await client.list_tools()
        results["spawn_to_tools_list_s"] = time.perf_counter() - started
        while True:
            found = await client.call_tool("search_journal", {"query": "warm up"})
            data = found.structured_content or {}
            if data.get("mode") == "hybrid" and not data.get("notice"):
                break
            await anyio.sleep(0.2)
        results["ready_s"] = time.perf_counter() - started
        texts = [
            f"{s} {e} {i}"
            for i, (s, e) in enumerate((rng.choice(SUBJECTS), rng.choice(EVENTS)) for _ in range(queries * 2))
        ]
        start = datetime(2025, 1, 1, tzinfo=UTC)
        window_from = start + timedelta(minutes=10 * (n // 2))
        window = {
            "since": window_from.isoformat(),
            "until": (window_from + timedelta(minutes=10 * max(20, n // 100))).isoformat(),
        }

        counts: list[int] = []

        async def timed(args: dict[str, Any]) -> float:
            t = time.perf_counter()
            result = await client.call_tool("search_journal", args)
            elapsed = (time.perf_counter() - t) * 1000
            assert not result.is_error and result.structured_content["mode"] == "hybrid"
            assert result.structured_content["hits"], result.structured_content
            counts.append(len(result.structured_content["hits"]))
            return elapsed

        plain = [await timed({"query": q}) for q in texts[:queries]]
        counts.clear()
        filtered = [await timed({"query": q, **window}) for q in texts[queries:]]
        results["filtered_hits_mean"] = statistics.mean(counts)
        cached = [await timed({"query": texts[0]}) for _ in range(queries)]
        results |= {
            "search_p50_ms": statistics.median(plain),
            "search_p95_ms": percentile(plain, 0.95),
            "filtered_p50_ms": statistics.median(filtered),
            "filtered_p95_ms": percentile(filtered, 0.95),
            "cached_p50_ms": statistics.median(cached),
        }
        writes = []
        for _ in range(30):
            t = time.perf_counter()
            wrote = await client.call_tool("process_thoughts", {"observations": entry_text(rng, words=100)})
            writes.append((time.perf_counter() - t) * 1000)
            assert not wrote.is_error
        results["process_thoughts_p50_ms"] = statistics.median(writes)
        results["peak_rss_mb"] = peak_rss_mb(server_pid())
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--real", type=int, default=2000, help="entries embedded by the model; the rest are copies")
    args = parser.parse_args()
    print(f"cpus: {os.cpu_count()}  python: {sys.version.split()[0]}", flush=True)
    embedder = load_embedder(None)
    rows = []
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix="journal-bench-") as tmp:
            home = Path(tmp)
            built = build_journal(home / "user" / "journal.db", n, embedder, real=args.real)
            env = {
                "HOME": str(home),
                "PATH": os.environ.get("PATH", ""),
                "JOURNAL_MCP_USER_JOURNAL": str(home / "user"),
                "JOURNAL_MCP_PROJECT_JOURNAL": str(home / "project"),
                "CLAUDE_PROJECT_DIR": str(home),
                "JOURNAL_MCP_LOG_LEVEL": "WARNING",
            }
            env |= {k: v for k, v in os.environ.items() if k.startswith(("MALLOC_", "JOURNAL_MCP_BENCH_"))}
            measured = anyio.run(measure, env, n, args.queries)
        row = {"entries": n, **built, **measured}
        rows.append(row)
        copies = n - int(built["real_entries"])
        note = f" ({copies} entries are perturbed copies of real vectors)" if copies else ""
        print(f"\n== {n} entries, {int(built['vectors'])} vectors{note}", flush=True)
        for key, value in row.items():
            print(f"  {key:26s} {value:10.2f}" if isinstance(value, float) else f"  {key:26s} {value:>10}")
    print(
        "\n| entries | spawn→tools/list | ready | search p50 / p95 | filtered p50 / p95 | cached p50 "
        "| process_thoughts p50 | backfill | peak RSS |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['entries']:,} | {r['spawn_to_tools_list_s']:.2f} s | {r['ready_s']:.1f} s "
            f"| {r['search_p50_ms']:.1f} / {r['search_p95_ms']:.1f} ms | {r['filtered_p50_ms']:.1f} / "
            f"{r['filtered_p95_ms']:.1f} ms | {r['cached_p50_ms']:.1f} ms | {r['process_thoughts_p50_ms']:.1f} ms "
            f"| {r['backfill_entries_per_s']:.0f} entries/s | {r['peak_rss_mb']:.0f} MB |"
        )


if __name__ == "__main__":
    main()
