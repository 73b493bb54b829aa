"""Embedding runtimes side by side: ONNX Runtime (the default) and sentence-transformers (the baseline),
in the same run, through real `journal-mcp` processes on realistic entries.

    .venv/bin/python bench/bench_runtime.py [--entries 10000] [--ingest 300] [--burst 600] [--repeat 3]
                                             [--runtimes onnx sentence-transformers]

For each runtime it measures:
- spawn -> first semantic answer: a stdio server on a journal of `--entries` embedded entries, asked
  `search_journal` every 50 ms from the moment it is spawned until an answer is "hybrid" (median of
  `--repeat` spawns);
- RSS after searches: the server's resident memory after 40 distinct searches on that journal;
- ingest: a server backfilling `--ingest` realistic entries written without vectors; entries/s from
  the moment the model is ready until none is left, entries per CPU-second the server used (what the
  rate would be on one free core: the figure to compare when the machine is shared), and the
  server's peak RSS (VmHWM) meanwhile;
- burst: `--burst` short entries written through one server as fast as the client can, and how fast
  they are all embedded (first write -> last embedded);
- CLI `journal-mcp search` end to end (process start to exit, median of `--repeat`).
The ONNX graph is built once into a temporary cache first (that one-off time is printed too).
Everything runs in a temporary directory; your journals are not touched. Prints the load average.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_search import peak_rss_mb, server_pid
from bench.realistic import COMPONENTS, TECH, realistic_entries
from bench.realistic_journal import build, journal_entries
from journal_mcp.search.embeddings import ModelIdentity, load_embedder
from journal_mcp.store.storage import JournalStore

QUERIES = [
    "why was {c} slow",
    "what did we decide about {c}",
    "problems with {t} configuration",
    "what went wrong when deploying {c}",
    "lessons about {t}",
]


def queries(n: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(QUERIES).format(c=rng.choice(COMPONENTS), t=rng.choice(TECH)) for _ in range(n)]


def rss_mb(pid: int | None) -> float:
    if pid is None:
        return float("nan")
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of a process so far (its threads included)."""
    if pid is None:
        return float("nan")
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def environment(home: Path, cache: Path, runtime: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    return {
        **keep,
        "HOME": str(home),
        "CLAUDE_PROJECT_DIR": str(home),  # no project: the user journal only
        "JOURNAL_MCP_CACHE_DIR": str(cache),
        "JOURNAL_MCP_RUNTIME": runtime,
        "JOURNAL_MCP_SEMANTIC": "1",
        "JOURNAL_MCP_LOG_LEVEL": "WARNING",
    }


def params(env: dict[str, str]) -> StdioServerParameters:
    return StdioServerParameters(command=sys.executable, args=["-m", "journal_mcp"], env=env, cwd=env["HOME"])


def structured(result: Any) -> dict[str, Any]:
    if result.is_error:
        raise RuntimeError(str(result.content))
    return dict(result.structured_content)


async def first_semantic_answer(env: dict[str, str]) -> float:
    started = time.perf_counter()
    async with Client(params(env), read_timeout_seconds=600) as client:
        while True:
            found = structured(await client.call_tool("search_journal", {"query": "why was the tokenizer slow"}))
            if found["mode"] == "hybrid":
                return time.perf_counter() - started
            await anyio.sleep(0.05)


async def rss_after_searches(env: dict[str, str], count: int = 40) -> tuple[float, float]:
    async with Client(params(env), read_timeout_seconds=600) as client:
        pid = server_pid()
        while structured(await client.call_tool("search_journal", {"query": "warm up"}))["mode"] != "hybrid":
            await anyio.sleep(0.1)
        latencies = []
        for query in queries(count):
            started = time.perf_counter()
            structured(await client.call_tool("search_journal", {"query": query}))
            latencies.append(time.perf_counter() - started)
        return rss_mb(pid), statistics.median(latencies) * 1000


def missing(db: Path, identity: ModelIdentity) -> int:
    """Entries of the journal at `db` without vectors of this model (all of them until the server registers it)."""
    store = JournalStore(db)
    try:
        model_id = store.find_model_id(identity.name, identity.dimension, identity.fingerprint)
        return store.count_entries() if model_id is None else store.count_missing_embeddings(model_id)
    finally:
        store.close()


async def ingest(env: dict[str, str], db: Path, model: ModelIdentity, total: int) -> tuple[float, float, float]:
    async with Client(params(env), read_timeout_seconds=600) as client:
        pid = server_pid()
        while structured(await client.call_tool("search_journal", {"query": "warm up"}))["mode"] != "hybrid":
            await anyio.sleep(0.05)
        started = time.perf_counter()
        cpu = cpu_seconds(pid)
        while missing(db, model) > 0:
            await anyio.sleep(0.1)
        seconds = time.perf_counter() - started
        return total / seconds, total / (cpu_seconds(pid) - cpu), peak_rss_mb(pid)


async def burst(env: dict[str, str], db: Path, model: ModelIdentity, count: int) -> tuple[float, float]:
    async with Client(params(env), read_timeout_seconds=600) as client:
        while structured(await client.call_tool("search_journal", {"query": "warm up"}))["mode"] != "hybrid":
            await anyio.sleep(0.05)
        started = time.perf_counter()
        for i in range(count):
            text = f"short note {i}: the {random.choice(COMPONENTS)} needed a retry around {random.choice(TECH)}"
            structured(await client.call_tool("process_thoughts", {"technical_insights": text}))
        written = time.perf_counter() - started
        while missing(db, model) > 0:
            await anyio.sleep(0.02)
        return count / written, count / (time.perf_counter() - started)


def cli_search(env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "journal_mcp", "search", "why was the tokenizer slow", "--limit", "5"],
        env=env,
        cwd=env["HOME"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0 or "keyword results only" in proc.stdout + proc.stderr:
        raise RuntimeError(f"journal-mcp search did not search by meaning: {proc.stdout}{proc.stderr}")
    return seconds


def unembedded_journal(home: Path, n: int, seed: int) -> Path:
    db = home / ".private-journal" / "journal.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    store = JournalStore(db)
    store.add_entries(journal_entries(n, seed)[0])
    store.close()
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=10_000, help="journal size for start-up, RSS and CLI")
    parser.add_argument("--real", type=int, default=1000, help="entries of that journal embedded by the model")
    parser.add_argument("--ingest", type=int, default=300, help="realistic entries to backfill")
    parser.add_argument("--burst", type=int, default=600, help="short writes in the burst")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--runtimes", nargs="+", default=["onnx", "sentence-transformers"])
    parser.add_argument("--cache", type=Path, help="keep real vectors of the realistic journal here between runs")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-runtime-") as tmp:
        root = Path(tmp)
        cache = root / "model-cache"
        started = time.perf_counter()
        embedder = load_embedder(None, runtime="onnx", cache_dir=cache)
        print(f"ONNX graph built and cached once: {time.perf_counter() - started:.1f} s")
        model = embedder.identity
        big = root / "big"
        (big / ".private-journal").mkdir(parents=True)
        built = build(big / ".private-journal" / "journal.db", args.entries, embedder, real=args.real, cache=args.cache)
        print(f"journal: {built.entries} realistic entries, {built.chunks} chunk vectors")
        sample = list(realistic_entries(200, seed=5))
        chars = statistics.mean(sum(len(t) for t in s.values()) for s in sample)
        print(f"realistic entries: {chars:.0f} characters on average")
        del embedder

        rows: dict[str, dict[str, str]] = {}
        for runtime in args.runtimes:
            env = environment(big, cache, runtime)
            row = rows[runtime] = {}
            spawn = [anyio.run(first_semantic_answer, env) for _ in range(args.repeat)]
            row["spawn -> first semantic answer (s)"] = f"{statistics.median(spawn):.2f}"
            rss, p50 = anyio.run(rss_after_searches, env)
            row[f"RSS after 40 searches, {args.entries} entries (MB)"] = f"{rss:.0f}"
            row["search p50 over MCP (ms)"] = f"{p50:.1f}"
            cli = [cli_search(env) for _ in range(args.repeat)]
            row["CLI search end to end (s)"] = f"{statistics.median(cli):.2f}"

            home = root / f"ingest-{runtime}"
            db = unembedded_journal(home, args.ingest, seed=11)
            rate, per_cpu, peak = anyio.run(ingest, environment(home, cache, runtime), db, model, args.ingest)
            row[f"ingest, {args.ingest} realistic entries (entries/s)"] = f"{rate:.1f}"
            row["... per CPU-second of the server (entries)"] = f"{per_cpu:.1f}"
            row["peak RSS during the ingest (MB)"] = f"{peak:.0f}"

            home = root / f"burst-{runtime}"
            db = unembedded_journal(home, 1, seed=12)
            writes, embedded = anyio.run(burst, environment(home, cache, runtime), db, model, args.burst)
            row[f"burst of {args.burst} short writes: written (entries/s)"] = f"{writes:.0f}"
            row["... and all embedded (entries/s)"] = f"{embedded:.0f}"
            print(f"{runtime}: done", flush=True)

        names = list(next(iter(rows.values())))
        width = max(len(n) for n in names)
        print()
        print(f"{'measure':<{width}} | " + " | ".join(f"{r:>21}" for r in rows))
        for name in names:
            print(f"{name:<{width}} | " + " | ".join(f"{rows[r][name]:>21}" for r in rows))
        print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
