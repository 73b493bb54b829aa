"""The in-memory vector index: exact filtered top-k, incremental loading, change detection across processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from journal_mcp.core.models import NewEntry
from journal_mcp.search.vector_index import VectorIndex
from journal_mcp.store.storage import Filters, JournalStore

DIM = 16
BASE = datetime(2026, 1, 1, tzinfo=UTC)


def add(store: JournalStore, model_id: int, rng: np.random.Generator, n: int, start: int = 0) -> dict[str, np.ndarray]:
    """n entries, one per hour from BASE+start hours, kinds alternating, 1-2 sections each, random vectors."""
    vectors: dict[str, np.ndarray] = {}
    entries = []
    for i in range(start, start + n):
        kind = "user" if i % 2 else "project"
        sections = {"project_notes": f"n{i}"} if kind == "project" else {"observations": f"o{i}"}
        if kind == "user" and i % 3 == 0:
            sections["technical_insights"] = f"t{i}"
        entries.append(
            NewEntry(
                id=f"{kind}/e{i:06d}",
                journal=kind,
                created_at=BASE + timedelta(hours=i),
                sections=sections,
                content_hash=str(i),
            )
        )
    store.add_entries(entries)
    payload = {}
    for e in entries:
        rows = []
        for s_i, section in enumerate(e.sections):
            v = rng.standard_normal(DIM).astype(np.float32)
            v /= np.linalg.norm(v)
            vectors[f"{e.id}|{section}"] = v
            rows.append((section, s_i, 0, 1, v.tobytes()))
        payload[e.id] = rows
    store.save_embeddings(model_id, payload)
    return vectors


def brute_force(
    vectors: dict[str, np.ndarray], query: np.ndarray, filters: Filters, limit: int
) -> list[tuple[str, float]]:
    best: dict[str, float] = {}
    for key, v in vectors.items():
        entry_id, section = key.split("|")
        kind = entry_id.split("/")[0]
        hour = int(entry_id.split("e")[-1])
        when = BASE + timedelta(hours=hour)
        if kind not in filters.kinds or (filters.sections and section not in filters.sections):
            continue
        if (filters.since and when < filters.since) or (filters.until and when > filters.until):
            continue
        best[entry_id] = max(best.get(entry_id, -2.0), float(v @ query))
    return sorted(best.items(), key=lambda kv: -kv[1])[:limit]


@pytest.fixture
def store(tmp_path: Path) -> JournalStore:
    s = JournalStore(tmp_path / "j" / "journal.db")
    yield s
    s.close()


@pytest.fixture(params=["float32", "float16"])
def dtype(request: pytest.FixtureRequest) -> type[np.floating]:
    """Both matrix precisions: float32 (the ONNX runtime: scores are exact) and float16 (torch loaded:
    scores pick candidates, rescored from float32 in SQLite)."""
    if request.param == "float16":
        pytest.importorskip("torch")
        return np.float16
    return np.float32


def indexed(
    store: JournalStore, seed: int, count: int, dtype: type[np.floating]
) -> tuple[VectorIndex, dict[str, np.ndarray], np.random.Generator]:
    """An index over `count` random entries, their vectors, and the generator for the queries."""
    rng = np.random.default_rng(seed)
    model = store.model_id("m", DIM, "f")
    vectors = add(store, model, rng, count)
    index = VectorIndex(store, model, DIM, dtype=dtype)
    index.refresh()
    return index, vectors, rng


FILTERS = [
    Filters(),
    Filters(kinds=("user",)),
    Filters(sections=["technical_insights"]),
    Filters(since=BASE + timedelta(hours=100), until=BASE + timedelta(hours=119)),
    Filters(kinds=("user",), sections=["observations"], since=BASE + timedelta(hours=500)),
    Filters(since=BASE + timedelta(days=3650)),
]


@pytest.mark.parametrize("filters", FILTERS)
def test_results_equal_brute_force_with_filters_applied_before_top_k(
    store: JournalStore, filters: Filters, dtype: type[np.floating]
) -> None:
    index, vectors, rng = indexed(store, 7, 1000, dtype)
    for _ in range(5):
        query = rng.standard_normal(DIM).astype(np.float32)
        query /= np.linalg.norm(query)
        got = [(m.entry_id, m.cosine) for m in index.search(query, filters, 10)]
        want = brute_force(vectors, query, filters, 10)
        assert [g[0] for g in got] == [w[0] for w in want]
        assert np.allclose([g[1] for g in got], [w[1] for w in want], atol=1e-5)


def test_a_selective_filter_still_fills_the_limit(store: JournalStore, dtype: type[np.floating]) -> None:
    rng = np.random.default_rng(1)
    model = store.model_id("m", DIM, "f")
    add(store, model, rng, 2000)
    index = VectorIndex(store, model, DIM, dtype=dtype)
    index.refresh()
    window = Filters(since=BASE + timedelta(hours=1000), until=BASE + timedelta(hours=1019))  # 20 of 2000
    query = rng.standard_normal(DIM).astype(np.float32)
    hits = index.search(query, window, 10)
    assert len(hits) == 10
    assert all(1000 <= int(h.entry_id.split("e")[-1]) <= 1019 for h in hits)


def test_new_vectors_are_loaded_incrementally_and_removed_ones_trigger_a_reload(store: JournalStore) -> None:
    rng = np.random.default_rng(2)
    model = store.model_id("m", DIM, "f")
    add(store, model, rng, 50)
    index = VectorIndex(store, model, DIM)
    index.refresh()
    assert index.full_loads == 1
    first = index.size
    add(store, model, rng, 30, start=50)
    index.refresh()
    assert index.full_loads == 1 and index.size > first
    index.refresh()  # nothing changed: no database work beyond the version check
    assert index.full_loads == 1
    store.delete_embeddings(model)
    add(store, model, rng, 5, start=80)
    index.refresh()
    assert index.full_loads == 2
    assert index.size == store.vector_stats(model)[0]


def test_vectors_of_another_model_are_never_mixed_in(store: JournalStore) -> None:
    rng = np.random.default_rng(3)
    old = store.model_id("m", DIM, "old")
    new = store.model_id("m", DIM, "new")
    add(store, old, rng, 20)
    index = VectorIndex(store, new, DIM)
    index.refresh()
    assert index.size == 0
    assert index.search(np.ones(DIM, np.float32), Filters(), 10) == []


def test_a_second_connection_sees_writes_from_the_first(tmp_path: Path) -> None:
    path = tmp_path / "j" / "journal.db"
    writer, reader = JournalStore(path), JournalStore(path)
    rng = np.random.default_rng(4)
    model = writer.model_id("m", DIM, "f")
    add(writer, model, rng, 10)
    index = VectorIndex(reader, model, DIM)
    index.refresh()
    before = index.size
    add(writer, model, rng, 10, start=10)
    index.refresh()
    assert index.size > before and index.full_loads == 1
    writer.close()
    reader.close()


WRITER = textwrap.dedent("""
    import sys
    import numpy as np
    from tests.semantic.test_vector_index import add, DIM
    from journal_mcp.store.storage import JournalStore
    store = JournalStore(sys.argv[1])
    add(store, store.model_id("m", DIM, "f"), np.random.default_rng(9), 25, start=int(sys.argv[2]))
    store.close()
""")


@pytest.mark.subprocess
def test_another_process_writing_is_picked_up_incrementally(tmp_path: Path) -> None:
    path = tmp_path / "j" / "journal.db"
    store = JournalStore(path)
    model = store.model_id("m", DIM, "f")
    add(store, model, np.random.default_rng(5), 10)
    index = VectorIndex(store, model, DIM)
    index.refresh()
    before = index.size
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", WRITER, str(path), "10"], check=True, cwd=root, timeout=60)
    index.refresh()
    assert index.full_loads == 1
    assert index.size == store.vector_stats(model)[0] > before
    ids = {m.entry_id for m in index.search(np.ones(DIM, np.float32), Filters(), 100)}
    assert "user/e000011" in ids
    store.close()


def test_near_ties_below_half_precision_are_ordered_exactly_as_float32(
    store: JournalStore, dtype: type[np.floating]
) -> None:
    """Vectors differing by less than float16 can resolve: the float32 rescoring still orders them exactly."""
    rng = np.random.default_rng(11)
    model = store.model_id("m", DIM, "f")
    base = rng.standard_normal(DIM).astype(np.float32)
    base /= np.linalg.norm(base)
    entries, payload, vectors = [], {}, {}
    for i in range(300):
        v = base + rng.standard_normal(DIM).astype(np.float32) * 1e-4
        v /= np.linalg.norm(v)
        entry_id = f"user/e{i:06d}"
        entries.append(
            NewEntry(
                id=entry_id,
                journal="user",
                created_at=BASE + timedelta(hours=i),
                sections={"observations": "x"},
                content_hash=str(i),
            )
        )
        payload[entry_id] = [("observations", 0, 0, 1, v.tobytes())]
        vectors[f"{entry_id}|observations"] = v
    store.add_entries(entries)
    store.save_embeddings(model, payload)
    index = VectorIndex(store, model, DIM, dtype=dtype)
    index.refresh()
    query = rng.standard_normal(DIM).astype(np.float32)
    query = (query / np.linalg.norm(query) + base) / 2  # cosines near 0.5, differences around 1e-5
    query /= np.linalg.norm(query)
    got = [(m.entry_id, m.cosine) for m in index.search(query, Filters(), 10)]
    want = brute_force(vectors, query, Filters(), 10)
    assert [g[0] for g in got] == [w[0] for w in want]
    assert [g[1] for g in got] == pytest.approx([w[1] for w in want], abs=1e-6)


@pytest.mark.parametrize("filters", FILTERS[:5])
def test_best_chunks_of_listed_entries_equal_brute_force(
    store: JournalStore, filters: Filters, dtype: type[np.floating]
) -> None:
    index, vectors, rng = indexed(store, 8, 600, dtype)
    query = rng.standard_normal(DIM).astype(np.float32)
    query /= np.linalg.norm(query)
    everything = dict(brute_force(vectors, query, filters, 10_000))
    listed = [f"{'user' if i % 2 else 'project'}/e{i:06d}" for i in range(0, 600, 7)] + ["user/missing"]
    scored = index.score(query, filters)
    got = {e: m.cosine for e, m in scored.best_for(listed).items()}
    want = {e: everything[e] for e in listed if e in everything}
    assert got.keys() == want.keys()
    assert all(abs(got[e] - want[e]) < 1e-5 for e in want)
    # The same scored query answers the top entries too.
    assert [m.entry_id for m in scored.top(10)] == [e for e, _ in brute_force(vectors, query, filters, 10)]


def test_a_float32_matrix_answers_without_reading_vectors_back(
    store: JournalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its scores are already exact: no rescoring query per search (the float16 matrix needs one)."""
    rng = np.random.default_rng(10)
    model = store.model_id("m", DIM, "f")
    add(store, model, rng, 300)
    index = VectorIndex(store, model, DIM, dtype=np.float32)
    index.refresh()

    def refuse(ids: list[int]) -> dict[int, bytes]:
        raise AssertionError(f"read {len(ids)} vectors back from SQLite")

    monkeypatch.setattr(store, "vectors_by_id", refuse)
    scored = index.score(np.ones(DIM, np.float32) / 4, Filters())
    top = scored.top(10)
    assert len(top) == 10
    assert set(scored.best_for([m.entry_id for m in top])) == {m.entry_id for m in top}


def test_the_product_uses_simsimd_and_agrees_with_numpy_and_the_fallback(
    store: JournalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SimSIMD is a dependency: a missing one would silently make every search slower, so it is checked;
    without it, numpy's product gives the same results."""
    from journal_mcp.search import vector_index

    assert vector_index._simsimd() is not None
    rng = np.random.default_rng(12)
    matrix = rng.standard_normal((1000, DIM)).astype(np.float32)
    query = rng.standard_normal(DIM).astype(np.float32)
    product = vector_index._matvec(matrix, query)
    assert product.dtype == np.float32 and product.shape == (1000,)
    assert np.allclose(product, matrix @ query, atol=1e-5)
    model = store.model_id("m", DIM, "f")
    vectors = add(store, model, rng, 400)
    index = VectorIndex(store, model, DIM, dtype=np.float32)
    index.refresh()
    query /= np.linalg.norm(query)
    with_simd = [(m.entry_id, m.cosine) for m in index.search(query, Filters(), 10)]
    monkeypatch.setattr(vector_index, "_simsimd", lambda: None)
    without = [(m.entry_id, m.cosine) for m in index.search(query, Filters(), 10)]
    want = brute_force(vectors, query, Filters(), 10)
    assert [e for e, _ in with_simd] == [e for e, _ in without] == [e for e, _ in want]
    assert np.allclose([c for _, c in with_simd], [c for _, c in want], atol=1e-6)
