"""Search and ingest on realistic journals (1k / 10k / 100k entries) served by a real `journal-mcp`.

    .venv/bin/python bench/bench_realistic.py [--sizes 1000 10000 100000] [--real 1000] [--cache DIR]

Entries come from `realistic.py` (several sections, ~1,100 characters on average, a long tail) with
the ten paraphrased needles of `needles.py` among them. The first `--real` entries and the needles
are embedded by the model (timed: the backfill's entries/s); beyond that, entries keep their
realistic text and get perturbed copies of real vectors. Over MCP it measures: time to semantic
search ready, search_journal p50/p95 (distinct realistic queries, each embedded), how many needles
are in the top 3, process_thoughts p50 for a realistic entry, how fast a burst of realistic writes is
embedded, and the server's peak RSS. Beside the needles, in the same run: their ranks by plain cosine
over the same stored vectors (what private-journal-mcp's search amounts to). `--cache DIR` keeps the
real vectors between runs (`--real 10000` embeds a whole 10k journal: ~11 minutes once, then cached).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_search import peak_rss_mb, percentile, server_pid
from bench.needles import NEEDLES
from bench.realistic import COMPONENTS, TECH, realistic_sections
from bench.realistic_journal import Built, build

QUERY_TEMPLATES = [
    "why was {c} slow",
    "what did we decide about {c}",
    "problems with {t} configuration",
    "times the tests were flaky",
    "what does the user prefer for code review",
    "errors in {c} after the upgrade",
    "how I felt about the release",
    "{t} connection pool gotchas",
    "retries and timeouts in {c}",
    "migration that took too long",
]


def queries(count: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    return [
        rng.choice(QUERY_TEMPLATES).format(c=rng.choice(COMPONENTS), t=rng.choice(TECH)) + f" {i}" for i in range(count)
    ]


def cosine_needle_ranks(db: Path, embedder: Any, built: Built) -> dict[str, int]:
    """Each needle's rank by plain cosine (its best chunk against every entry's best chunk), over the
    journal's own stored vectors: the baseline private-journal-mcp's search amounts to."""
    import numpy as np

    from journal_mcp.search.indexing import model_id_for
    from journal_mcp.store.storage import JournalStore

    store = JournalStore(db)
    try:
        model_id = model_id_for(store, embedder.identity)
        assert model_id is not None
        rows = store.vector_rows(model_id)
    finally:
        store.close()
    matrix = np.stack([np.frombuffer(r.vector, dtype="<f4") for r in rows])
    owners = np.array([r.entry_id for r in rows])
    ranks = {}
    for needle in NEEDLES:
        scores = matrix @ embedder.embed([needle.query], query=True)[0]
        best: dict[str, float] = {}
        for entry_id, score in zip(owners.tolist(), scores.tolist(), strict=True):
            best[entry_id] = max(best.get(entry_id, -2.0), score)
        target = built.needle_ids[needle.name]
        ranks[needle.name] = 1 + sum(1 for e, v in best.items() if v > best[target] and e != target)
    return ranks


def count_embedded(db: Path) -> tuple[int, int]:
    import sqlite3

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        entries = conn.execute("SELECT count(*) FROM entries").fetchone()[0]
        embedded = conn.execute("SELECT count(DISTINCT entry_id) FROM embedded_entries").fetchone()[0]
    return int(entries), int(embedded)


async def measure(env: dict[str, str], built: Built, count: int, burst: int) -> dict[str, Any]:
    params = StdioServerParameters(command=sys.executable, args=["-m", "journal_mcp"], env=env, cwd=env["HOME"])
    results: dict[str, Any] = {}
    started = time.perf_counter()
    async with Client(params, read_timeout_seconds=600) as client:
        while True:
            found = await client.call_tool("search_journal", {"query": "warm up"})
            data = found.structured_content or {}
            if data.get("mode") == "hybrid" and not data.get("notice"):
                break
            await anyio.sleep(0.2)
        results["ready_s"] = time.perf_counter() - started
        latencies = []
        for query in queries(count):
            t = time.perf_counter()
            result = await client.call_tool("search_journal", {"query": query})
            latencies.append((time.perf_counter() - t) * 1000)
            assert not result.is_error and result.structured_content["mode"] == "hybrid"
        results["search_p50_ms"] = statistics.median(latencies)
        results["search_p95_ms"] = percentile(latencies, 0.95)
        ranks = {}
        for needle in NEEDLES:
            result = await client.call_tool("search_journal", {"query": needle.query, "limit": 10})
            paths = [h["path"] for h in result.structured_content["hits"]]
            target = built.needle_ids.get(needle.name)
            ranks[needle.name] = paths.index(target) + 1 if target in paths else None
        results["needles_top3"] = sum(1 for r in ranks.values() if r is not None and r <= 3)
        results["needle_ranks"] = ranks
        rng = random.Random(5)
        writes = []
        db = Path(env["JOURNAL_MCP_USER_JOURNAL"]) / "journal.db"
        burst_started = time.perf_counter()
        for _ in range(burst):
            t = time.perf_counter()
            wrote = await client.call_tool("process_thoughts", realistic_sections(rng))
            writes.append((time.perf_counter() - t) * 1000)
            assert not wrote.is_error
        while True:
            entries, embedded = count_embedded(db)
            if embedded >= entries:
                break
            await anyio.sleep(0.05)
        results["burst_embedded_per_s"] = burst / (time.perf_counter() - burst_started)
        results["process_thoughts_p50_ms"] = statistics.median(writes)
        results["peak_rss_mb"] = peak_rss_mb(server_pid())
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--real", type=int, default=1000, help="entries embedded by the model; the rest are copies")
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--burst", type=int, default=100, help="realistic writes whose embedding is timed")
    parser.add_argument("--cache", type=Path, help="keep the real vectors here between runs")
    args = parser.parse_args()
    print(f"cpus: {os.cpu_count()}  load: {os.getloadavg()[0]:.2f}  python: {sys.version.split()[0]}", flush=True)
    from journal_mcp.search.embeddings import load_embedder

    embedder = load_embedder(None)
    rows = []
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix="journal-realistic-") as tmp:
            home = Path(tmp)
            built = build(home / "user" / "journal.db", n, embedder, real=args.real, cache=args.cache)
            env = {
                "HOME": str(home),
                "PATH": os.environ.get("PATH", ""),
                "JOURNAL_MCP_USER_JOURNAL": str(home / "user"),
                "JOURNAL_MCP_PROJECT_JOURNAL": str(home / "project"),
                "CLAUDE_PROJECT_DIR": str(home),
                "JOURNAL_MCP_LOG_LEVEL": "WARNING",
            }
            cosine = cosine_needle_ranks(home / "user" / "journal.db", embedder, built)
            measured = anyio.run(measure, env, built, args.queries, args.burst)
            measured["cosine_needles_top3"] = sum(1 for r in cosine.values() if r <= 3)
            measured["cosine_needle_ranks"] = cosine
        backfill = f"{built.real_entries / built.embed_s:.1f} entries/s" if built.embed_s else "cached"
        row = {
            "entries": n,
            "embedded_by_model": built.real_entries,
            "chunks": built.chunks,
            "backfill_entries_per_s": backfill,
            **measured,
        }
        rows.append(row)
        print(f"\n== {n} realistic entries ({built.real_entries} embedded by the model), load {os.getloadavg()[0]:.2f}")
        for key, value in row.items():
            print(f"  {key:26s} {value:10.2f}" if isinstance(value, float) else f"  {key:26s} {value}", flush=True)
    print(
        "\n| entries (embedded by the model) | ready | search p50 / p95 | needles in top 3 (plain cosine) "
        "| process_thoughts p50 | burst embedding | backfill | peak RSS |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['entries']:,} ({r['embedded_by_model']:,}) | {r['ready_s']:.1f} s | {r['search_p50_ms']:.1f} / {r['search_p95_ms']:.1f} ms "
            f"| {r['needles_top3']}/10 ({r['cosine_needles_top3']}/10) | {r['process_thoughts_p50_ms']:.1f} ms | {r['burst_embedded_per_s']:.1f} "
            f"entries/s | {r['backfill_entries_per_s']} | {r['peak_rss_mb']:.0f} MB |"
        )


if __name__ == "__main__":
    main()
