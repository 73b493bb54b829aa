"""The embedding model as a service the journal uses: loads it in the background, keeps every entry
embedded, and hands a search what its vector side needs (the query vector, the vector indexes).
The search itself is `journal_mcp.search.hybrid`.

Life cycle: `start()` (from the server's lifespan) returns at once and loads the model in a
daemon thread; until it is ready, or when it cannot load, searches return keyword results with a
notice saying why. Once ready, the worker backfills entries that have no vector for this model
(written before the model was ready, by a process that was killed before embedding, or before a
model change), then sleeps until woken by a write it could not embed at once or by another
process's commit, re-checking now and then.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel

from journal_mcp.core.config import Settings
from journal_mcp.core.errors import JournalError, ModelUnavailableError
from journal_mcp.core.models import JournalType
from journal_mcp.search.embeddings import Embedder, load_configured_embedder
from journal_mcp.search.hybrid import SemanticInputs
from journal_mcp.search.indexing import DEFAULT_BATCH, HasSections, backfill_store, embed_entries, model_id_for
from journal_mcp.search.keyword import TermCounts
from journal_mcp.search.ranking import DEFAULT_MIN_SCORE
from journal_mcp.search.vector_index import VectorIndex
from journal_mcp.store.storage import JournalStore

log = logging.getLogger(__name__)

State = Literal["loading", "ready", "unavailable"]
QUERY_CACHE_SIZE = 256
RECHECK_SECONDS = 30.0
WRITE_BATCH = 64  # most queued entries embedded (and stored in one transaction) per model call
WRITE_WAIT_SECONDS = 5.0  # how long a search waits for just-written entries to be embedded


class SemanticStatus(BaseModel):
    state: State
    reason: str | None = None
    model: str | None = None
    pending: int = 0  # entries the backfill still has to embed (as of its last pass)


class StoreSource(Protocol):
    """Where the worker finds the stores to keep embedded (a `Journal`)."""

    def targets(
        self, kinds: Sequence[JournalType], problems: list[str] | None = None
    ) -> list[tuple[JournalStore, tuple[JournalType, ...]]]: ...

    def open_stores(self) -> list[JournalStore]: ...


class SemanticSearch:
    """The embedding model as a service for a `Journal`: loading, the worker that keeps every entry
    embedded, the query-vector cache, the vector indexes, and the inputs of a hybrid search. Thread-safe."""

    def __init__(
        self,
        load: Callable[[], Embedder],
        *,
        min_score: float = DEFAULT_MIN_SCORE,
        batch_size: int = DEFAULT_BATCH,
        cache_size: int = QUERY_CACHE_SIZE,
        recheck_seconds: float = RECHECK_SECONDS,
    ) -> None:
        self._load = load
        self.min_score = min_score
        self.batch_size = batch_size
        self.recheck_seconds = recheck_seconds
        self._embedder: Embedder | None = None
        self._state: State = "loading"
        self._reason: str | None = None
        self._pending = 0
        self._ready = threading.Event()
        self._settled = threading.Event()  # set once loading succeeded or failed
        self._wake = threading.Event()
        self._idle = threading.Event()  # set after a backfill pass, cleared when new work is signalled
        self._backfill_needed = True
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._model_lock = threading.Lock()  # one embedding job at a time
        # Entries written but not embedded yet; the worker embeds them before anything else.
        self._writes: list[tuple[JournalStore, list[HasSections]]] = []
        self._writes_done = threading.Condition()
        self._indexes: dict[int, tuple[JournalStore, VectorIndex | None]] = {}
        self._indexes_lock = threading.Lock()
        self._cache: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()
        self._term_counts = TermCounts()
        self.query_embeddings = 0  # model calls for queries (the cache saves the rest)

    # -- life cycle -----------------------------------------------------------------------------

    def start(self, journal: StoreSource) -> None:
        """Load the model and keep the journal embedded, in a background thread. Returns at once."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(journal,), name="journal-embeddings", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the worker to finish its current batch and exit (a model still loading is abandoned)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            if self._settled.is_set():  # loading cannot be interrupted; the daemon thread just ends with us
                self._thread.join(timeout)
            self._thread = None

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Block until the model is loaded (True) or failed to load / timed out (False)."""
        self._settled.wait(timeout)
        return self._ready.is_set()

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Block until a backfill pass found nothing left to embed (tests and benchmarks use it)."""
        return self.wait_ready(timeout) and self._idle.wait(timeout)

    def status(self) -> SemanticStatus:
        model = self._embedder.identity.name if self._embedder is not None else None
        return SemanticStatus(state=self._state, reason=self._reason, model=model, pending=self._pending)

    def notice(self) -> str | None:
        """Why searches are keyword-only right now, or None when semantic search works."""
        if self._state == "loading":
            return "semantic search unavailable: the embedding model is still loading; keyword results only"
        if self._state == "unavailable":
            return f"semantic search unavailable: {self._reason}; keyword results only"
        return None

    def _run(self, journal: StoreSource) -> None:
        try:
            embedder = self._load()
        except ModelUnavailableError as exc:
            self._fail(str(exc))
            return
        except Exception as exc:  # an unexpected loader failure must not kill the server: report it
            log.exception("Loading the embedding model failed.")
            self._fail(f"{type(exc).__name__}: {exc}")
            return
        if self._stop.is_set():
            return  # the server shut down while the model loaded
        try:
            embedder.embed(["warm-up " * 100, "warm up"])  # first calls are slow: pay that before users do
        except Exception as exc:  # a model that loads but cannot embed is as good as no model
            log.exception("The embedding model loaded but failed to embed.")
            self._fail(f"the model loaded but cannot embed ({type(exc).__name__}: {exc})")
            return
        self._embedder = embedder
        self._state = "ready"
        self._ready.set()
        self._settled.set()
        log.info("Semantic search ready (%s).", embedder.identity.name)
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self._embed_writes()
                # A full pass counts unembedded entries (a scan of the journal): only at start-up, when a
                # write could not be queued or failed, and every recheck_seconds (other processes' leftovers).
                if self._backfill_needed:
                    self._backfill_needed = False
                    self.backfill(journal)
            except JournalError as exc:
                self._backfill_needed = True
                log.error("Embedding backfill stopped: %s It will be retried.", exc)
            except Exception:  # the worker must outlive a bad batch; the traceback goes to the log
                self._backfill_needed = True
                log.exception("Embedding backfill failed; it will be retried in %.0f s.", self.recheck_seconds)
            else:
                if not self._wake.is_set():
                    self._idle.set()
            if not self._wake.wait(self.recheck_seconds):
                self._backfill_needed = True

    def _signal(self, *, backfill: bool = True) -> None:
        """Tell the worker there is work: queued writes, or (`backfill`) entries to look for."""
        if backfill:
            self._backfill_needed = True
        self._idle.clear()
        self._wake.set()

    def _fail(self, reason: str) -> None:
        # Log before settling: whoever waits on _settled may read the log at once.
        log.error("Semantic search unavailable, serving keyword search only: %s", reason)
        self._reason = reason.rstrip(".")
        self._state = "unavailable"
        self._settled.set()

    # -- embedding ------------------------------------------------------------------------------

    def backfill(self, journal: StoreSource) -> int:
        """Embed every entry of every existing store that has no vector for this model."""
        embedder = self._embedder
        if embedder is None:
            return 0
        total = 0
        # Also the project journals a shared server opened for its clients (they share the stores).
        # A journal that cannot be opened is skipped (logged), so the healthy one is still embedded.
        problems: list[str] = []
        try:
            stores = {id(store): store for store, _ in journal.targets(("project", "user"), problems)}
        except JournalError as exc:
            problems.append(str(exc))
            stores = {}
        for problem in problems:
            log.warning("Backfill skips %s.", problem)
        stores.update((id(store), store) for store in journal.open_stores())
        for store in stores.values():
            if store.read_only_reason is not None or store.corrupt_reason is not None:
                continue
            try:
                model_id = model_id_for(store, embedder.identity)
                if model_id is None:
                    continue
                self._pending = store.count_missing_embeddings(model_id)
            except JournalError as exc:
                log.warning("Backfill skips %s: %s", store.path or "memory", exc)
                continue
            if self._pending == 0:
                continue
            log.info("Embedding %d journal entries in %s.", self._pending, store.path or "memory")

            def progress(count: int) -> None:
                self._pending = max(0, self._pending - count)

            total += backfill_store(
                store,
                model_id,
                embedder,
                batch_size=self.batch_size,
                progress=progress,
                stop=self._stop,
                model_lock=self._model_lock,
                before_batch=self._embed_writes,
            )
        self._pending = 0
        if total:
            log.info("Embedded %d entries.", total)
        return total

    def entries_written(self, store: JournalStore, entries: Sequence[HasSections]) -> None:
        """Hand just-written entries to the worker to embed, and return at once.

        The write is already durable; until the worker has embedded them (a few tens of ms) a search
        waits for it, so a search right after a write finds the entry by meaning. Before the model is
        ready, or if embedding fails, the entries stay pending and the backfill embeds them.
        """
        worker = self._thread
        if self._embedder is not None and worker is not None and worker.is_alive():
            with self._writes_done:
                self._writes.append((store, list(entries)))
            self._signal(backfill=False)
        else:
            self._signal()

    def _embed_writes(self) -> None:
        """Embed queued writes (worker thread only): everything queued so far, a few batches per store.

        A burst of small writes is embedded together rather than one model call and one transaction
        each; the writes stay queued (searches wait for them) until they are stored.
        """
        embedder = self._embedder
        assert embedder is not None
        while True:
            with self._writes_done:
                if not self._writes:
                    self._writes_done.notify_all()
                    return
                taken = list(self._writes)
            by_store: dict[int, tuple[JournalStore, list[HasSections]]] = {}
            for store, entries in taken:
                by_store.setdefault(id(store), (store, []))[1].extend(entries)
            try:
                for store, entries in by_store.values():
                    model_id = model_id_for(store, embedder.identity)
                    if model_id is None:
                        continue
                    for start in range(0, len(entries), WRITE_BATCH):
                        with self._model_lock:
                            embed_entries(store, model_id, embedder, entries[start : start + WRITE_BATCH])
            except Exception as exc:  # the entries stay pending: the backfill retries them
                self._backfill_needed = True
                log.warning("Could not embed new entries now (%s); the backfill will retry.", exc)
            finally:
                with self._writes_done:
                    del self._writes[: len(taken)]

    def await_writes(self, timeout: float = WRITE_WAIT_SECONDS) -> bool:
        """Wait until entries written so far are embedded (False on timeout)."""
        with self._writes_done:
            return self._writes_done.wait_for(lambda: not self._writes, timeout)

    def query_vector(self, query: str) -> npt.NDArray[np.float32]:
        """The query's embedding, from a small LRU cache when it was asked before."""
        with self._cache_lock:
            cached = self._cache.get(query)
            if cached is not None:
                self._cache.move_to_end(query)
                return cached
        assert self._embedder is not None
        vector = self._embedder.embed([query], query=True)[0]
        self.query_embeddings += 1
        with self._cache_lock:
            self._cache[query] = vector
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return vector

    # -- searching ------------------------------------------------------------------------------

    def index_for(self, store: JournalStore) -> VectorIndex | None:
        """This model's index over `store`, current with the database (None if the store has no model id)."""
        embedder = self._embedder
        assert embedder is not None
        with self._indexes_lock:
            known = self._indexes.get(id(store))
            if known is None or known[0] is not store:
                model_id = model_id_for(store, embedder.identity)
                index = None if model_id is None else VectorIndex(store, model_id, embedder.identity.dimension)
                known = self._indexes[id(store)] = (store, index)
        index = known[1]
        if index is not None:
            index.refresh()
        return index

    def search_inputs(self, query: str, min_score: float | None = None) -> tuple[SemanticInputs | None, str | None]:
        """What a hybrid search for `query` needs from the model, or None and the notice saying why it is keyword-only.

        Waits (a few tens of ms) for just-written entries to be embedded first, so they are found by meaning.
        """
        if self._embedder is None:
            return None, self.notice()
        self.await_writes()
        try:
            vector = self.query_vector(query)
        except (RuntimeError, ValueError) as exc:
            log.error("Embedding the query failed: %s", exc)
            return None, f"semantic search unavailable: the model failed on this query ({exc}); keyword results only"
        return (
            SemanticInputs(
                vector=vector,
                index_for=self.index_for,
                term_counts=self._term_counts,
                min_score=self.min_score if min_score is None else min_score,
                notice=self._pending_notice(),
            ),
            None,
        )

    def _pending_notice(self) -> str | None:
        if self._pending:
            return f"{self._pending} older entries are still being embedded; until then they are found by keywords only"
        return None


def create_semantic(settings: Settings) -> SemanticSearch | None:
    """The semantic search service the settings ask for (None when JOURNAL_MCP_SEMANTIC=0)."""
    if not settings.semantic:
        return None
    return SemanticSearch(lambda: load_configured_embedder(settings))
