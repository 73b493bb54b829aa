"""LoCoMo retrieval through the real server: does search_journal find the dialogue turns a question needs?

    .venv/bin/python bench/bench_locomo.py [--data PATH] [--journals DIR] [--json OUT]

The task (shared/data/locomo/README.md): each conversation of `locomo-dev.json` becomes its own
journal, one entry per dialogue turn written with `process_thoughts` through a spawned stdio
`journal-mcp` (real model, real embedding worker); every question of categories 1-4 is asked with
`search_journal(question, limit=k)` for k = 5, 10, 25, and the hits are mapped back to dialogue ids.
recall@k = |evidence ∩ top k| / |evidence|, hit@10 = any evidence in the top 10, averaged per
category and overall. Printed beside them, in the same run: plain cosine over the server's own
stored vectors (question embedded here with the same model) and BM25 (SQLite FTS5, every query word
OR-ed), the paper's DRAGON figures, server latency p50/p95 (round trip of search_journal), the
embedding time of the writes, and ranking consistency (scores in order, none negative, limit=5 the
first 5 of limit=10).

`--journals DIR` keeps the journals (DIR/<sample_id>/) and reuses them on the next run, so ranking
changes can be measured without re-embedding; the final figures come from a fresh run.
Exits with status 2 and a message naming the path when the data is missing.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import numpy as np
from mcp import Client, StdioServerParameters

sys.path.insert(0, str(Path(__file__).resolve().parent))

from locomo_data import CATEGORIES, DRAGON, Conversation, DataMissingError, Question, find_data, load

REPO = Path(__file__).resolve().parent.parent
KS = (5, 10, 25)


@dataclass
class Run:
    """One conversation's results through the server."""

    ranked: dict[int, list[list[str]]] = field(default_factory=dict)  # k -> per question, dia_ids in order
    latencies_ms: list[float] = field(default_factory=list)  # limit=10 calls
    out_of_order: int = 0  # results whose scores were not non-increasing
    negative: int = 0  # hits with a negative score
    prefix_mismatch: int = 0  # questions where limit=5 was not the first 5 of limit=10
    write_s: float = 0.0
    embed_s: float = 0.0  # first write to every entry embedded
    entries: int = 0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def server_env(home: Path) -> dict[str, str]:
    env = {
        "HOME": str(home),
        "PATH": os.environ.get("PATH", ""),
        "JOURNAL_MCP_USER_JOURNAL": str(home / "user"),
        "JOURNAL_MCP_PROJECT_JOURNAL": str(home / "project"),
        "CLAUDE_PROJECT_DIR": str(home),
        "JOURNAL_MCP_LOG_LEVEL": "WARNING",
    }
    return env | {k: v for k, v in os.environ.items() if k.startswith("JOURNAL_MCP_") and k not in env}


def db_path(home: Path) -> Path:
    return home / "user" / "journal.db"


def count_embedded(home: Path) -> tuple[int, int]:
    """(entries, entries with a vector) in the conversation's journal, read-only."""
    with sqlite3.connect(f"file:{db_path(home)}?mode=ro", uri=True, timeout=30) as db:
        entries = db.execute("SELECT count(*) FROM entries").fetchone()[0]
        embedded = db.execute("SELECT count(DISTINCT entry_id) FROM embedded_entries").fetchone()[0]
    return int(entries), int(embedded)


async def serve(conv: Conversation, home: Path, questions: list[Question]) -> Run:
    """Write the conversation (unless `home` already holds it), then ask every question."""
    run = Run()
    mapping_file = home / "turns.json"
    params = StdioServerParameters(command=sys.executable, args=["-m", "journal_mcp"], env=server_env(home), cwd=home)
    async with Client(params, read_timeout_seconds=600) as client:
        while True:  # until the model is loaded, so the embedding time below is the embedding alone
            found = await client.call_tool("search_journal", {"query": "warm up"})
            if (found.structured_content or {}).get("mode") == "hybrid":
                break
            await anyio.sleep(0.2)
        if mapping_file.is_file():
            by_path: dict[str, str] = json.loads(mapping_file.read_text(encoding="utf-8"))
        else:
            by_path = {}
            started = time.perf_counter()
            for turn in conv.turns:
                wrote = await client.call_tool("process_thoughts", {"observations": turn.text})
                if wrote.is_error or not wrote.structured_content:
                    raise RuntimeError(f"process_thoughts failed for {turn.dia_id}: {wrote.content}")
                by_path[wrote.structured_content["entries"][0]["path"]] = turn.dia_id
            run.write_s = time.perf_counter() - started
            while True:
                entries, embedded = count_embedded(home)
                if embedded >= entries:
                    break
                await anyio.sleep(0.1)
            run.embed_s = time.perf_counter() - started
            mapping_file.write_text(json.dumps(by_path), encoding="utf-8")
        run.entries = len(by_path)
        for k in KS:
            run.ranked[k] = []
        for question in questions:
            for k in KS:
                t = time.perf_counter()
                result = await client.call_tool("search_journal", {"query": question.question, "limit": k})
                elapsed = (time.perf_counter() - t) * 1000
                data = result.structured_content or {}
                if result.is_error or data.get("mode") != "hybrid" or data.get("notice"):
                    raise RuntimeError(f"search_journal degraded for {question.question!r}: {result.content}")
                hits = data["hits"]
                if k == 10:
                    run.latencies_ms.append(elapsed)
                scores = [h["score"] for h in hits if h.get("score") is not None]
                run.out_of_order += any(a < b for a, b in itertools.pairwise(scores))
                run.negative += sum(s < 0 for s in scores)
                run.ranked[k].append([by_path.get(h["path"], "?") for h in hits])
            if run.ranked[5][-1] != run.ranked[10][-1][:5]:
                run.prefix_mismatch += 1
    return run


def stored_vectors(home: Path) -> tuple[list[str], np.ndarray]:
    """The server's own chunk vectors: entry ids (one per chunk) and a unit-row matrix."""
    with sqlite3.connect(f"file:{db_path(home)}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT entry_id, vector FROM chunk_vectors ORDER BY id").fetchall()
    ids = [r[0] for r in rows]
    matrix = np.stack([np.frombuffer(r[1], dtype=np.float32) for r in rows])
    return ids, matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def cosine_baseline(home: Path, query_vectors: np.ndarray, k: int) -> list[list[str]]:
    by_path: dict[str, str] = json.loads((home / "turns.json").read_text(encoding="utf-8"))
    ids, matrix = stored_vectors(home)
    ranked = []
    for scores in query_vectors @ matrix.T:
        order, seen = [], set()
        for i in np.argsort(-scores):
            dia = by_path[ids[i]]
            if dia not in seen:
                seen.add(dia)
                order.append(dia)
                if len(order) == k:
                    break
        ranked.append(order)
    return ranked


def bm25_baseline(conv: Conversation, questions: list[Question], k: int) -> list[list[str]]:
    """Plain BM25 over the turn texts (FTS5, porter stemming, every query word OR-ed)."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(dia_id UNINDEXED, body, tokenize='porter unicode61')")
    db.executemany("INSERT INTO t VALUES (?, ?)", [(turn.dia_id, turn.text) for turn in conv.turns])
    ranked = []
    for question in questions:
        words = [w for w in "".join(c if c.isalnum() else " " for c in question.question).split()]
        match = " OR ".join(f'"{w}"' for w in words)
        rows = db.execute("SELECT dia_id FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT ?", (match, k)).fetchall()
        ranked.append([r[0] for r in rows])
    return ranked


def recall(evidence: frozenset[str], ranked: list[str], k: int) -> float:
    return len(evidence & set(ranked[:k])) / len(evidence)


def scores_table(questions: list[Question], ranked: dict[int, list[list[str]]]) -> dict[str, dict[str, float]]:
    """R@k (for each k in `ranked`) and hit@10 per category and overall."""
    groups: dict[str, list[int]] = {name: [] for name in CATEGORIES.values()}
    for i, q in enumerate(questions):
        groups[CATEGORIES[q.category]].append(i)
    groups["overall"] = list(range(len(questions)))
    table: dict[str, dict[str, float]] = {}
    for name, members in groups.items():
        if not members:
            continue
        row: dict[str, float] = {"n": len(members)}
        for k, lists in ranked.items():
            row[f"R@{k}"] = statistics.mean(recall(questions[i].evidence, lists[i], k) for i in members)
        if 10 in ranked:
            row["hit@10"] = statistics.mean(bool(questions[i].evidence & set(ranked[10][i][:10])) for i in members)
        table[name] = row
    return table


def print_table(title: str, table: dict[str, dict[str, float]]) -> None:
    print(f"\n{title}")
    columns = [c for c in ("R@5", "R@10", "R@25", "hit@10") if c in table["overall"]]
    print(f"  {'group':12s} {'n':>5s} " + " ".join(f"{c:>7s}" for c in columns))
    for name, row in table.items():
        print(f"  {name:12s} {int(row['n']):5d} " + " ".join(f"{row[c]:7.3f}" for c in columns))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", help="locomo-dev.json (default: $LOCOMO_DATA, else shared/data/locomo/ above)")
    parser.add_argument("--journals", type=Path, help="keep the journals here and reuse them on later runs")
    parser.add_argument("--conversations", type=int, help="only the first N conversations")
    parser.add_argument("--max-turns", type=int, help="only the first N turns of each conversation (smoke tests)")
    parser.add_argument("--max-questions", type=int, help="only the first N answerable questions per conversation")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    try:
        conversations = load(find_data(args.data, REPO))
    except DataMissingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    conversations = conversations[: args.conversations]
    if args.max_turns:
        conversations = [trim(c, args.max_turns) for c in conversations]
    per_conv = [c.questions[: args.max_questions] for c in conversations]
    print(f"cpus: {os.cpu_count()}  load: {os.getloadavg()[0]:.2f}  python: {sys.version.split()[0]}", flush=True)
    with tempfile.TemporaryDirectory(prefix="locomo-") as tmp:
        root = args.journals or Path(tmp)
        runs = []
        for conv, questions in zip(conversations, per_conv, strict=True):
            home = root / conv.sample_id
            home.mkdir(parents=True, exist_ok=True)
            run = anyio.run(serve, conv, home, questions)
            runs.append(run)
            note = (
                f"written in {run.write_s:.1f} s, embedded {run.embed_s:.1f} s after the first write"
                if run.write_s
                else "reused"
            )
            print(f"{conv.sample_id}: {run.entries} entries ({note}), {len(questions)} questions", flush=True)
        from journal_mcp.search.embeddings import load_embedder  # heavy import: only once the server runs are done

        embedder = load_embedder(None)
        cosine: dict[int, list[list[str]]] = {10: []}
        bm25: dict[int, list[list[str]]] = {10: []}
        for conv, questions in zip(conversations, per_conv, strict=True):
            vectors = np.asarray(embedder.embed([q.question for q in questions]))
            cosine[10] += cosine_baseline(root / conv.sample_id, vectors, 10)
            bm25[10] += bm25_baseline(conv, questions, 10)
        load_after = os.getloadavg()[0]
    questions = [q for qs in per_conv for q in qs]
    server = {k: [lst for run in runs for lst in run.ranked[k]] for k in KS}
    results: dict[str, Any] = {
        "server": scores_table(questions, server),
        "cosine": scores_table(questions, cosine),
        "bm25": scores_table(questions, bm25),
    }
    print_table("search_journal (this server)", results["server"])
    print_table("plain cosine, same model and vectors", results["cosine"])
    print_table("BM25 (FTS5, porter)", results["bm25"])
    print(f"\nDRAGON (paper, categories 1-4): R@5 {DRAGON[5]:.3f}  R@10 {DRAGON[10]:.3f}  R@25 {DRAGON[25]:.3f}")
    latencies = [ms for run in runs for ms in run.latencies_ms]
    written = [run for run in runs if run.write_s]
    stats = {
        "search_p50_ms": statistics.median(latencies),
        "search_p95_ms": percentile(latencies, 0.95),
        "out_of_order_results": sum(r.out_of_order for r in runs),
        "negative_scores": sum(r.negative for r in runs),
        "limit5_not_prefix_of_limit10": sum(r.prefix_mismatch for r in runs),
        "questions": len(questions),
        "load_avg_end": load_after,
    }
    if written:
        entries = sum(r.entries for r in written)
        stats |= {
            "entries_written": entries,
            "write_s": sum(r.write_s for r in written),
            "embedded_by_s": sum(r.embed_s for r in written),
        }
    results["stats"] = stats
    print()
    for key, value in stats.items():
        print(f"  {key:30s} {value:10.2f}" if isinstance(value, float) else f"  {key:30s} {value:>10}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


def trim(conv: Conversation, turns: int) -> Conversation:
    """The first `turns` turns and the questions whose evidence lies entirely within them."""
    kept = conv.turns[:turns]
    known = {t.dia_id for t in kept}
    return Conversation(conv.sample_id, kept, [q for q in conv.questions if q.evidence <= known])


if __name__ == "__main__":
    sys.exit(main())
