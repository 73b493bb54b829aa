"""Turn entries into stored chunk vectors: used on write, by the background backfill and by reindex."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from journal_mcp.search.chunking import DEFAULT_OVERLAP, chunk_text
from journal_mcp.search.embeddings import Embedder, ModelIdentity
from journal_mcp.store.storage import JournalStore

log = logging.getLogger(__name__)

DEFAULT_BATCH = 32


class HasSections(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def sections(self) -> Mapping[str, str]: ...


def model_id_for(store: JournalStore, identity: ModelIdentity) -> int | None:
    """The store's id for this model, registering it when the store is writable (None if it cannot)."""
    if store.read_only_reason is not None:
        return store.find_model_id(identity.name, identity.dimension, identity.fingerprint)
    return store.model_id(identity.name, identity.dimension, identity.fingerprint)


def embed_entries(
    store: JournalStore,
    model_id: int,
    embedder: Embedder,
    entries: Sequence[HasSections],
    *,
    overlap: int = DEFAULT_OVERLAP,
) -> int:
    """Chunk, embed and store every section of `entries` in one transaction; returns entries written."""
    if not entries:
        return 0
    overlap = min(overlap, embedder.max_tokens // 4)
    texts: list[str] = []
    layout: list[tuple[str, str, int, int, int]] = []  # entry id, section, chunk number, start, end
    for entry in entries:
        for section, body in entry.sections.items():
            for number, chunk in enumerate(chunk_text(body, embedder.token_spans, embedder.max_tokens, overlap)):
                texts.append(chunk.text)
                layout.append((entry.id, section, number, chunk.start, chunk.end))
    vectors = embedder.embed(texts)
    if vectors.shape != (len(texts), embedder.identity.dimension):
        raise ValueError(
            f"the embedder returned vectors of shape {vectors.shape} for {len(texts)} texts "
            f"(expected dimension {embedder.identity.dimension})"
        )
    by_entry: dict[str, list[tuple[str, int, int, int, bytes]]] = {}
    for (entry_id, section, number, start, end), vector in zip(layout, vectors, strict=True):
        by_entry.setdefault(entry_id, []).append((section, number, start, end, vector.astype("<f4").tobytes()))
    return store.save_embeddings(model_id, by_entry)


def backfill_store(
    store: JournalStore,
    model_id: int,
    embedder: Embedder,
    *,
    batch_size: int = DEFAULT_BATCH,
    progress: Callable[[int], None] | None = None,
    stop: threading.Event | None = None,
    model_lock: threading.Lock | None = None,
    before_batch: Callable[[], None] | None = None,
) -> int:
    """Embed every entry of `store` that this model has not embedded yet, in batches; returns entries embedded.

    Safe to run in several processes at once: an entry another process embedded first is skipped.
    `before_batch` runs before each batch (the server embeds fresh writes there, ahead of old entries).
    """
    done = 0
    while stop is None or not stop.is_set():
        if before_batch is not None:
            before_batch()
        batch = store.entries_missing_embeddings(model_id, batch_size)
        if not batch:
            break
        if model_lock is not None:
            with model_lock:
                written = embed_entries(store, model_id, embedder, batch)
        else:
            written = embed_entries(store, model_id, embedder, batch)
        done += len(batch)
        if progress is not None:
            progress(len(batch))
        if written == 0 and len(batch) < batch_size:
            break
    return done
