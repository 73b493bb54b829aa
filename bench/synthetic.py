"""Synthetic journals for benchmarks: plausible entries, real embeddings for a base set, perturbed copies beyond it."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from journal_mcp.core.models import NewEntry
from journal_mcp.search.embeddings import Embedder
from journal_mcp.search.indexing import backfill_store, model_id_for
from journal_mcp.store.storage import JournalStore

SUBJECTS = [
    "the training job",
    "the vLLM server",
    "the tokenizer",
    "the CI pipeline",
    "the Postgres migration",
    "the Docker build",
    "the React dashboard",
    "the Kubernetes deployment",
    "the data loader",
    "the cache layer",
    "the user",
    "the code review",
    "the benchmark script",
    "the embedding model",
    "the SQLite journal",
]
EVENTS = [
    "ran out of GPU memory at batch size 64",
    "was slow because of a missing index",
    "failed on a timezone bug",
    "needed a retry with exponential backoff",
    "leaked file handles under load",
    "broke after a dependency upgrade",
    "worked once the config was simplified",
    "was blocked by a race condition",
    "returned stale results",
    "preferred smaller pull requests",
    "hit a rate limit from the API",
    "deadlocked on a lock ordering issue",
]
LESSONS = [
    "Measure before optimising.",
    "Write the failing test first.",
    "Pin versions in the lock file.",
    "Log to stderr, never to stdout.",
    "Keep the MCP layer thin.",
    "Check the error message says how to fix it.",
    "Use UTC in storage and local time for display.",
    "Batch the writes in one transaction.",
    "Ask the user before changing the public API.",
    "Profile with py-spy instead of guessing.",
]


def entry_text(rng: random.Random, words: int | None = None) -> str:
    parts = [f"{rng.choice(SUBJECTS).capitalize()} {rng.choice(EVENTS)}.", rng.choice(LESSONS)]
    if rng.random() < 0.5:
        parts.append(f"Also, {rng.choice(SUBJECTS)} {rng.choice(EVENTS)}.")
    text = " ".join(parts) + f" (note {rng.randrange(10**6)})"
    if words:
        while len(text.split()) < words:
            text += " " + rng.choice(LESSONS)
        text = " ".join(text.split()[:words])
    return text


def make_entries(n: int, seed: int = 0, start: datetime | None = None) -> list[NewEntry]:
    """n user-journal entries, one every 10 minutes; 40% have a second section."""
    rng = random.Random(seed)
    start = start or datetime(2025, 1, 1, tzinfo=UTC)
    entries = []
    for i in range(n):
        sections = {"observations": entry_text(rng)}
        if rng.random() < 0.4:
            sections["technical_insights"] = entry_text(rng)
        moment = start + timedelta(minutes=10 * i)
        entries.append(
            NewEntry(
                id=f"user/{moment:%Y%m%d-%H%M%S-%f}-{i % 0xFFFFFF:06x}",
                journal="user",
                created_at=moment,
                sections=sections,
                content_hash=f"bench{i}",
                source="bench",
            )
        )
    return entries


def build_journal(db_path: Path, n: int, embedder: Embedder, *, real: int = 2000, seed: int = 0) -> dict[str, float]:
    """A journal of n entries: the first `real` embedded by the model (timed, the backfill path), the rest
    copies of those vectors with small Gaussian noise (so 100k entries build in about a minute)."""
    store = JournalStore(db_path)
    entries = make_entries(n, seed)
    base = entries[: min(real, n)]
    store.add_entries(base)
    model_id = model_id_for(store, embedder.identity)
    assert model_id is not None
    started = time.perf_counter()
    backfill_store(store, model_id, embedder, batch_size=64)
    seconds = time.perf_counter() - started
    rest = entries[len(base) :]
    if rest:
        rng = np.random.default_rng(seed)
        stored = store.vector_rows(model_id)
        pool = np.frombuffer(b"".join(r.vector for r in stored), dtype="<f4").reshape(len(stored), -1)
        for offset in range(0, len(rest), 5000):
            chunk = rest[offset : offset + 5000]
            store.add_entries(chunk)
            payload = {}
            for entry in chunk:
                rows = []
                for section, body in entry.sections.items():
                    vector = pool[rng.integers(len(pool))] + rng.normal(0, 0.02, pool.shape[1]).astype(np.float32)
                    vector /= np.linalg.norm(vector)
                    rows.append((section, 0, 0, len(body), vector.astype("<f4").tobytes()))
                payload[entry.id] = rows
            store.save_embeddings(model_id, payload)
    vectors = store.vector_stats(model_id)[0]
    store.close()
    return {"backfill_entries_per_s": len(base) / seconds, "real_entries": len(base), "vectors": vectors}
