"""Build a realistic journal database for benchmarks: realistic entries, the ten needles, real vectors.

The first `real` entries (and every needle) are embedded by the model, through the same code path
as the server's backfill; beyond that, entries keep their realistic text (so the keyword index is
realistic) and get copies of real chunk vectors with small noise, so 100k entries build in minutes.
Real vectors can be cached in a directory (`cache`): embedding 1,000 realistic entries takes a few
minutes on two cores, and the benchmarks rebuild the same journal often.
"""

from __future__ import annotations

import hashlib
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from journal_mcp.core.models import NewEntry
from journal_mcp.search.embeddings import Embedder
from journal_mcp.search.indexing import backfill_store, model_id_for
from journal_mcp.store.storage import JournalStore

from .needles import NEEDLES
from .realistic import realistic_entries, realistic_sections

START = datetime(2025, 1, 1, tzinfo=UTC)


@dataclass
class Built:
    entries: int
    real_entries: int
    embed_s: float  # embedding time of the real entries (0 when taken from the cache)
    chunks: int
    needle_ids: dict[str, str]  # needle name -> entry id


def _moments(n: int, seed: int) -> list[datetime]:
    """Writing times as agents write: sessions of 1-6 entries minutes apart, sessions hours to days apart."""
    rng = random.Random(seed + 2)
    moments: list[datetime] = []
    moment = START
    while len(moments) < n:
        for _ in range(rng.randint(1, 6)):
            moment += timedelta(minutes=rng.uniform(3, 40))
            moments.append(moment)
        moment += timedelta(hours=rng.uniform(2, 72))
    return moments[:n]


def _entry(i: int, moment: datetime, sections: dict[str, str]) -> NewEntry:
    digest = hashlib.sha256(repr(sorted(sections.items())).encode()).hexdigest()
    return NewEntry(
        id=f"user/{moment:%Y%m%d-%H%M%S-%f}-{i % 0xFFFFFF:06x}",
        journal="user",
        created_at=moment,
        sections=sections,
        content_hash=digest,
        source="bench",
    )


def journal_entries(n: int, seed: int = 0) -> tuple[list[NewEntry], dict[str, str]]:
    """`n` realistic entries with the needles spread through them (each needle entry also has a
    realistic second section), and the needles' entry ids."""
    sections = list(realistic_entries(n, seed))
    rng = np.random.default_rng(seed)
    slots = sorted(rng.choice(n, size=min(len(NEEDLES), n), replace=False).tolist())
    filler = random.Random(seed + 1)
    needle_ids: dict[str, str] = {}
    for slot, needle in zip(slots, NEEDLES, strict=False):
        extra = realistic_sections(filler)
        extra.pop(needle.section, None)
        sections[slot] = {needle.section: needle.text, **dict(list(extra.items())[:1])}
    entries = [_entry(i, m, s) for i, (m, s) in enumerate(zip(_moments(n, seed), sections, strict=True))]
    for slot, needle in zip(slots, NEEDLES, strict=False):
        needle_ids[needle.name] = entries[slot].id
    return entries, needle_ids


def build(
    db_path: Path, n: int, embedder: Embedder, *, real: int = 1000, seed: int = 0, cache: Path | None = None
) -> Built:
    """A journal of `n` realistic entries at `db_path` (which must not exist yet)."""
    entries, needle_ids = journal_entries(n, seed)
    needle_set = set(needle_ids.values())
    base = [e for i, e in enumerate(entries) if i < real or e.id in needle_set]
    store = JournalStore(db_path)
    model_id = model_id_for(store, embedder.identity)
    assert model_id is not None
    store.add_entries(base)
    seconds = 0.0
    key = hashlib.sha256(
        f"{embedder.identity.fingerprint}|{seed}|{','.join(e.content_hash for e in base)}".encode()
    ).hexdigest()[:16]
    cached = cache / f"realistic-{key}.npz" if cache else None
    if cached is not None and cached.is_file():
        _restore(store, model_id, cached, base)
    else:
        started = time.perf_counter()
        backfill_store(store, model_id, embedder, batch_size=32)
        seconds = time.perf_counter() - started
        if cached is not None:
            cache.mkdir(parents=True, exist_ok=True)  # type: ignore[union-attr]
            _save(store, model_id, cached, base)
    kept = {e.id for e in base}
    rest = [e for e in entries if e.id not in kept]
    _add_copies(store, model_id, rest, seed)
    chunks = store.vector_stats(model_id)[0]
    store.close()
    return Built(len(entries), len(base), seconds, chunks, needle_ids)


def _save(store: JournalStore, model_id: int, path: Path, entries: list[NewEntry]) -> None:
    rows = store.vector_rows(model_id)
    spans = [store.chunk_span(r.id) for r in rows]
    hashes = {e.id: e.content_hash for e in entries}
    np.savez(
        path,
        entry=np.array([hashes[r.entry_id] for r in rows]),
        section=np.array([r.section for r in rows]),
        start=np.array([s[1] if s else 0 for s in spans]),
        end=np.array([s[2] if s else 0 for s in spans]),
        vector=np.stack([np.frombuffer(r.vector, dtype="<f4") for r in rows]),
    )


def _restore(store: JournalStore, model_id: int, path: Path, entries: list[NewEntry]) -> None:
    """Cached vectors are keyed by content hash, so a change of writing times keeps them."""
    ids = {e.content_hash: e.id for e in entries}
    data = np.load(path)
    payload: dict[str, list[tuple[str, int, int, int, bytes]]] = {}
    for entry, section, start, end, vector in zip(
        data["entry"], data["section"], data["start"], data["end"], data["vector"], strict=True
    ):
        rows = payload.setdefault(ids[str(entry)], [])
        number = sum(1 for r in rows if r[0] == str(section))
        rows.append((str(section), number, int(start), int(end), vector.astype("<f4").tobytes()))
    store.save_embeddings(model_id, payload)


def _add_copies(store: JournalStore, model_id: int, rest: list[NewEntry], seed: int) -> None:
    if not rest:
        return
    rng = np.random.default_rng(seed)
    stored = store.vector_rows(model_id)
    pool = np.stack([np.frombuffer(r.vector, dtype="<f4") for r in stored])
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
