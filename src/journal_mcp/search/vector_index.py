"""Exact vector search over one store's chunk vectors for one model: a matrix in memory.

SQLite holds the vectors (float32 blobs, the source of truth); this index mirrors them as one
matrix with per-row metadata (entry, journal kind, section, time). Half precision halves
the memory (100k entries: ~110 MB instead of ~215 MB) and the time to scan it; it is only used
to find candidates: every row whose half-precision score comes within RESCORE_MARGIN of the
cut-off is scored again from its float32 vector in SQLite, so results and scores are exactly
those of float32 brute force (the rounding error of a dot product of two unit vectors in half
precision is below 2^-10, far inside the margin). The matrix is float16 only when torch is
loaded (the sentence-transformers runtime): numpy has no fast float16 product, so with the ONNX
runtime, which never imports torch, it is float32 (twice the memory, a plain BLAS product). It is
loaded lazily on
the first search and kept current cheaply: `PRAGMA data_version` (other connections' commits)
plus the store's own write counter say whether anything changed at all; if so, (count, max id)
of the model's vectors says whether only new rows were added (vector ids are never reused, so
they are loaded incrementally) or something else happened (reloaded from scratch).

Filters are a boolean mask over rows applied before the top results are chosen, and every
allowed row is scored.
"""

from __future__ import annotations

import functools
import logging
import sys
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from journal_mcp.core.models import iso_utc
from journal_mcp.core.sections import SECTION_TITLES
from journal_mcp.store.storage import Filters, JournalStore
from journal_mcp.store.vector_tables import VectorRow

log = logging.getLogger(__name__)

PAGE_ROWS = 8192
KIND_CODES = {"project": 0, "user": 1}
SECTION_CODES = {name: i for i, name in enumerate(SECTION_TITLES)}
UNKNOWN_SECTION = len(SECTION_CODES)
SECTION_NAMES = list(SECTION_TITLES)
# Below this share of allowed rows, score only those rows; above it, score all and mask.
SPARSE_SHARE = 0.125
RESCORE_MARGIN = 0.01


@dataclass(frozen=True)
class ChunkMatch:
    """An entry's best chunk for a query."""

    entry_id: str
    cosine: float
    vector_id: int
    section: str


@dataclass(frozen=True)
class _Snapshot:
    """An immutable view of the first `size` rows: searches read it while a refresh appends behind it."""

    size: int
    matrix: npt.NDArray[np.float16] | npt.NDArray[np.float32]
    vector_ids: npt.NDArray[np.int64]
    entry_ords: npt.NDArray[np.int32]
    kinds: npt.NDArray[np.int8]
    sections: npt.NDArray[np.int8]
    times: npt.NDArray[np.int64]  # created_at, microseconds since the epoch (UTC)
    entry_ids: list[str]  # ordinal -> entry id (shared with the index; only ever appended to)
    entry_ord: dict[str, int]  # entry id -> ordinal (likewise)


def _empty(dimension: int, dtype: type[np.floating]) -> _Snapshot:
    return _Snapshot(
        0,
        np.zeros((0, dimension), dtype),
        np.zeros(0, np.int64),
        np.zeros(0, np.int32),
        np.zeros(0, np.int8),
        np.zeros(0, np.int8),
        np.zeros(0, np.int64),
        [],
        {},
    )


def _micros(iso_texts: list[str]) -> npt.NDArray[np.int64]:
    # Stored form is fixed-width UTC ('...T12:00:00.123456Z'): numpy parses it without the Z.
    return np.array([t.rstrip("Z") for t in iso_texts], dtype="datetime64[us]").astype(np.int64)


class VectorIndex:
    """The vectors of one model in one store. Thread-safe; searches never wait for the database."""

    def __init__(
        self, store: JournalStore, model_id: int, dimension: int, *, dtype: type[np.floating] | None = None
    ) -> None:
        self.store = store
        self.model_id = model_id
        self.dimension = dimension
        self._lock = threading.Lock()
        if dtype is None:
            dtype = np.float16 if "torch" in sys.modules else np.float32
        self._dtype: type[np.floating] = dtype
        self._snapshot = _empty(dimension, self._dtype)
        # Growable buffers behind the snapshot (rows >= size are scratch).
        self._matrix = self._snapshot.matrix
        self._vector_ids = self._snapshot.vector_ids
        self._entry_ords = self._snapshot.entry_ords
        self._kinds = self._snapshot.kinds
        self._sections = self._snapshot.sections
        self._times = self._snapshot.times
        self._entry_ids: list[str] = []
        self._entry_ord: dict[str, int] = {}
        self._loaded_max = 0
        self._seen: tuple[int, int] | None = None  # (data_version, local_generation) at the last check
        self.full_loads = 0  # how many times the index was rebuilt from scratch (tests read it)

    @property
    def size(self) -> int:
        return self._snapshot.size

    # -- keeping current ------------------------------------------------------------------------

    def refresh(self) -> None:
        """Bring the matrix up to date with the database (cheap when nothing changed)."""
        with self._lock:
            seen = (self.store.data_version(), self.store.local_generation)
            if seen == self._seen:
                return
            count, max_id = self.store.vector_stats(self.model_id)
            size = self._snapshot.size
            if count == size and max_id == self._loaded_max:
                self._seen = seen
                return
            if count > size and max_id > self._loaded_max and size > 0:
                self._append(self.store.vector_rows(self.model_id, self._loaded_max))
                if self._snapshot.size == count:
                    self._seen = seen
                    return
                log.debug("Vectors were removed as well as added: reloading the index.")
            self._reload(count)
            self._seen = seen

    def _reload(self, expected: int) -> None:
        self.full_loads += 1
        self._snapshot = _empty(self.dimension, self._dtype)
        self._entry_ids = []
        self._entry_ord = {}
        self._loaded_max = 0
        self._reserve(expected)
        while True:
            page = self.store.vector_rows(self.model_id, self._loaded_max, PAGE_ROWS)
            if not page:
                break
            self._append(page)
        log.debug("Vector index for model %d loaded: %d rows.", self.model_id, self._snapshot.size)

    def _reserve(self, rows: int) -> None:
        if rows <= self._matrix.shape[0]:
            return
        size = self._snapshot.size

        def grow(array: npt.NDArray, shape: tuple[int, ...]) -> npt.NDArray:
            bigger = np.zeros(shape, dtype=array.dtype)
            bigger[:size] = array[:size]
            return bigger

        self._matrix = grow(self._matrix, (rows, self.dimension))
        self._vector_ids = grow(self._vector_ids, (rows,))
        self._entry_ords = grow(self._entry_ords, (rows,))
        self._kinds = grow(self._kinds, (rows,))
        self._sections = grow(self._sections, (rows,))
        self._times = grow(self._times, (rows,))

    def _append(self, rows: list[VectorRow]) -> None:
        if not rows:
            return
        start = self._snapshot.size
        end = start + len(rows)
        if end > self._matrix.shape[0]:
            self._reserve(max(end, int(self._matrix.shape[0] * 1.25) + 1024))
        block = np.frombuffer(b"".join(r.vector for r in rows), dtype="<f4")
        if block.size != len(rows) * self.dimension:
            raise ValueError(f"stored vectors of model {self.model_id} do not have dimension {self.dimension}")
        self._matrix[start:end] = block.reshape(len(rows), self.dimension)
        self._vector_ids[start:end] = [r.id for r in rows]
        ords = []
        for r in rows:
            ordinal = self._entry_ord.get(r.entry_id)
            if ordinal is None:
                ordinal = self._entry_ord[r.entry_id] = len(self._entry_ids)
                self._entry_ids.append(r.entry_id)
            ords.append(ordinal)
        self._entry_ords[start:end] = ords
        self._kinds[start:end] = [KIND_CODES[r.kind] for r in rows]
        self._sections[start:end] = [SECTION_CODES.get(r.section, UNKNOWN_SECTION) for r in rows]
        self._times[start:end] = _micros([r.created_at for r in rows])
        self._loaded_max = rows[-1].id
        self._snapshot = _Snapshot(
            end,
            self._matrix[:end],
            self._vector_ids[:end],
            self._entry_ords[:end],
            self._kinds[:end],
            self._sections[:end],
            self._times[:end],
            self._entry_ids,
            self._entry_ord,
        )

    # -- searching ------------------------------------------------------------------------------

    def score(self, query: npt.NDArray[np.float32], filters: Filters) -> Scored:
        """`query` against every row `filters` allow, once: ask the result for the top entries and for
        particular entries' best chunks without another pass over the matrix."""
        snap = self._snapshot
        return Scored(self, snap, query, self._approx_scores(snap, query, filters))

    def search(self, query: npt.NDArray[np.float32], filters: Filters, limit: int) -> list[ChunkMatch]:
        """The `limit` entries whose best allowed chunk is most similar to `query`, best first."""
        return self.score(query, filters).top(limit)

    def _top_entries(
        self, snap: _Snapshot, scores: npt.NDArray[np.float32], limit: int, allowed: int
    ) -> list[ChunkMatch]:
        """Best `limit` entries by `scores`: take the best chunks, widening until they cover enough entries."""
        take = min(allowed, limit * 4)
        while True:
            top = np.argpartition(-scores, take - 1)[:take] if take < snap.size else np.arange(snap.size)
            top = top[np.argsort(-scores[top], kind="stable")]
            top = top[scores[top] > -np.inf]
            matches = self._best_per_entry(snap, scores, top)
            if len(matches) >= limit or take >= allowed:
                return matches[:limit]
            take = min(allowed, take * 4)

    def _exact_best(
        self, snap: _Snapshot, rows: npt.NDArray[np.intp], query: npt.NDArray[np.float32]
    ) -> list[ChunkMatch]:
        """Score `rows` from their float32 vectors in SQLite; each entry's best row, best first."""
        if rows.size == 0:
            return []
        ids = snap.vector_ids[rows].tolist()
        blobs = self.store.vectors_by_id(ids)
        exact = np.empty((rows.size, self.dimension), dtype=np.float32)
        for i, vector_id in enumerate(ids):
            blob = blobs.get(vector_id)
            # A vector deleted since the snapshot was taken: its half-precision copy is all there is.
            exact[i] = np.frombuffer(blob, dtype="<f4") if blob is not None else snap.matrix[rows[i]]
        scores = np.full(snap.size, -np.inf, dtype=np.float32)
        scores[rows] = exact @ query
        order = rows[np.argsort(-scores[rows], kind="stable")]
        return self._best_per_entry(snap, scores, order)

    def _approx_scores(
        self, snap: _Snapshot, query: npt.NDArray[np.float32], filters: Filters
    ) -> npt.NDArray[np.float32]:
        """The cosine of every row in the matrix's precision (vectors are normalised); rows the filters
        exclude score -inf."""
        if snap.size == 0:
            return np.zeros(0, np.float32)
        mask = self._mask(snap, filters)
        allowed = int(np.count_nonzero(mask))
        if allowed < snap.size * SPARSE_SHARE:
            scores = np.full(snap.size, -np.inf, dtype=np.float32)
            rows = np.flatnonzero(mask)
            scores[rows] = snap.matrix[rows].astype(np.float32, copy=False) @ query
            return scores
        full = _matvec(snap.matrix, query)
        if allowed < snap.size:
            full[~mask] = -np.inf
        return full

    @staticmethod
    def _mask(snap: _Snapshot, filters: Filters) -> npt.NDArray[np.bool_]:
        mask = np.isin(snap.kinds, [KIND_CODES[k] for k in filters.kinds])
        if filters.sections:
            mask &= np.isin(snap.sections, [SECTION_CODES.get(s, UNKNOWN_SECTION) for s in filters.sections])
        if filters.since is not None:
            mask &= snap.times >= _micros_one(filters.since)
        if filters.until is not None:
            mask &= snap.times <= _micros_one(filters.until)
        return mask

    def _best_per_entry(
        self, snap: _Snapshot, scores: npt.NDArray[np.float32], ordered_rows: npt.NDArray[np.intp]
    ) -> list[ChunkMatch]:
        """The first row of each entry in `ordered_rows` (best first), as matches in that order."""
        if ordered_rows.size == 0:
            return []
        ordinals = snap.entry_ords[ordered_rows]
        _, first = np.unique(ordinals, return_index=True)
        rows = ordered_rows[np.sort(first)]
        names = SECTION_NAMES
        return [
            ChunkMatch(
                entry_id=snap.entry_ids[ordinal],
                cosine=cosine,
                vector_id=vector_id,
                section=names[code] if code < len(names) else "",
            )
            for ordinal, cosine, vector_id, code in zip(
                snap.entry_ords[rows].tolist(),
                scores[rows].tolist(),
                snap.vector_ids[rows].tolist(),
                snap.sections[rows].tolist(),
                strict=True,
            )
        ]


class Scored:
    """One query scored against every allowed row of one snapshot of an index.

    With a float32 matrix the scores are exact and both questions are answered from them alone.
    With a float16 matrix they only pick candidates: the rows within RESCORE_MARGIN of the cut-off
    (for `top`) or the listed entries' rows (for `best_for`) are scored again from float32 in SQLite.
    """

    def __init__(
        self, index: VectorIndex, snap: _Snapshot, query: npt.NDArray[np.float32], scores: npt.NDArray[np.float32]
    ) -> None:
        self._index = index
        self._snap = snap
        self._query = query
        self._scores = scores
        self._exact = snap.matrix.dtype == np.float32

    def top(self, limit: int) -> list[ChunkMatch]:
        """The `limit` entries whose best allowed chunk is most similar to the query, best first."""
        snap, scores = self._snap, self._scores
        allowed = int(np.count_nonzero(scores > -np.inf))
        if allowed == 0:
            return []
        rough = self._index._top_entries(snap, scores, limit, allowed)
        if self._exact:
            return rough
        cutoff = rough[-1].cosine - RESCORE_MARGIN if len(rough) >= limit else -np.inf
        rows = np.flatnonzero((scores >= cutoff) & (scores > -np.inf))
        return self._index._exact_best(snap, rows, self._query)[:limit]

    def best_for(self, entry_ids: list[str]) -> dict[str, ChunkMatch]:
        """Each listed entry's best allowed chunk (entries without vectors are absent)."""
        snap, scores = self._snap, self._scores
        ords = [snap.entry_ord[e] for e in entry_ids if e in snap.entry_ord]
        if not ords or snap.size == 0:
            return {}
        mine = np.isin(snap.entry_ords, np.array(ords, dtype=np.int32)) & (scores > -np.inf)
        rows = np.flatnonzero(mine)
        if self._exact:
            ordered = rows[np.argsort(-scores[rows], kind="stable")]
            matches = self._index._best_per_entry(snap, scores, ordered)
        else:
            matches = self._index._exact_best(snap, rows, self._query)
        return {m.entry_id: m for m in matches}


def _matvec(
    matrix: npt.NDArray[np.float16] | npt.NDArray[np.float32], query: npt.NDArray[np.float32]
) -> npt.NDArray[np.float32]:
    """matrix @ query, on one thread.

    float32 goes through SimSIMD's dot-product kernels when it is installed (a dependency): numpy's
    BLAS product splits the scan over every core and waits for the slowest, so on a busy machine it
    took 40 ms for 235k chunks against SimSIMD's 17 ms (22 and 17 ms on a quiet one). A float16 matrix
    only exists when torch is loaded: torch has a fast float16 product on the CPU (numpy has none).
    """
    if matrix.dtype == np.float16:
        import torch

        product = torch.mv(torch.from_numpy(matrix), torch.from_numpy(query.astype(np.float16)))
        return product.numpy().astype(np.float32)
    simd = _simsimd()
    if simd is not None and matrix.flags.c_contiguous and matrix.shape[0] > 0:
        scores = simd.cdist(np.ascontiguousarray(query[None, :]), matrix, metric="dot", out_dtype="float32")
        return np.asarray(scores, dtype=np.float32).reshape(-1)
    return np.asarray(matrix @ query, dtype=np.float32)


@functools.cache
def _simsimd() -> Any:
    """The SimSIMD module, or None (numpy's product is used instead) when it cannot be imported."""
    try:
        import simsimd
    except ImportError:
        log.warning("simsimd is not installed: vector search uses numpy's product (slower on busy cores)")
        return None
    return simsimd


def _micros_one(moment: datetime) -> int:
    return int(_micros([iso_utc(moment)])[0])
