"""Re-embed a whole journal, and report how much of it is embedded (for `journal-mcp reindex` and other CLIs).

from journal_mcp.service.reindex import reindex, status
embedded = reindex(journal, load_embedder(settings.model), progress=bar)
print(status(journal, embedder.identity).model_dump_json(indent=2))
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from pydantic import BaseModel

from journal_mcp.search.embeddings import Embedder, ModelIdentity
from journal_mcp.search.indexing import backfill_store, model_id_for
from journal_mcp.service.journal import Journal

Progress = Callable[[int, int], None]  # (entries done so far, total)


class ModelCoverage(BaseModel):
    name: str
    dimension: int
    fingerprint: str
    current: bool  # the model this process uses (when known)
    entries_embedded: int
    vectors: int


class StoreCoverage(BaseModel):
    path: str
    entries: int
    embedded: int | None  # by the current model (None when no model was given)
    pending: int | None
    models: list[ModelCoverage]


class EmbeddingStatus(BaseModel):
    model: str | None
    fingerprint: str | None
    stores: list[StoreCoverage]


def status(journal: Journal, identity: ModelIdentity | None = None) -> EmbeddingStatus:
    """Embedding coverage of each existing journal database: entries, embedded, pending, per model."""
    stores: list[StoreCoverage] = []
    for store, _ in journal.targets(("project", "user")):
        models = [
            ModelCoverage(
                name=name,
                dimension=dim,
                fingerprint=fp,
                current=identity is not None
                and (name, dim, fp) == (identity.name, identity.dimension, identity.fingerprint),
                entries_embedded=embedded,
                vectors=vectors,
            )
            for _, name, dim, fp, embedded, vectors in store.embedding_counts()
        ]
        entries = store.count_entries()
        current = next((m for m in models if m.current), None)
        embedded = None if identity is None else (current.entries_embedded if current else 0)
        stores.append(
            StoreCoverage(
                path=str(store.path or ":memory:"),
                entries=entries,
                embedded=embedded,
                pending=None if embedded is None else entries - embedded,
                models=models,
            )
        )
    return EmbeddingStatus(
        model=identity.name if identity else None,
        fingerprint=identity.fingerprint if identity else None,
        stores=stores,
    )


def reindex(journal: Journal, embedder: Embedder, progress: Progress | None = None, *, batch_size: int = 64) -> int:
    """Forget every stored vector (of every model) and embed all entries again with `embedder`.

    Returns the number of entries embedded. If interrupted, what is left is embedded by the next
    server start's backfill.
    """
    targets = [store for store, _ in journal.targets(("project", "user"))]
    total = sum(store.count_entries() for store in targets)
    done = 0
    if progress is not None:
        progress(0, total)
    for store in targets:
        store.delete_embeddings()
        model_id = model_id_for(store, embedder.identity)
        assert model_id is not None  # delete_embeddings succeeded, so the store is writable

        def advance(count: int) -> None:
            nonlocal done
            done += count
            if progress is not None:
                progress(done, total)

        backfill_store(store, model_id, embedder, batch_size=batch_size, progress=advance)
    return done


@contextmanager
def progress_bar(description: str = "Embedding entries") -> Iterator[Progress]:
    """A rich progress bar on stderr, as a `Progress` callback."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as RichProgress

    with RichProgress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(file=sys.stderr),
    ) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
