"""The ONNX runtime against sentence-transformers (the reference), on the packaged all-MiniLM-L6-v2:
same vectors, same tokens, same identity; prefixes and pooling from the model's files; its graph cache;
fallback to sentence-transformers for what it cannot run; queries served ahead of bulk work."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from journal_mcp.core.errors import ModelUnavailableError
from journal_mcp.search.embeddings import load_embedder, packaged_model_path
from journal_mcp.search.onnx_embedder import GRAPH_VERSION, OnnxEmbedder

pytestmark = pytest.mark.real_model

VARIED = [
    "The quick brown fox jumps over the lazy dog.",
    "Debugging the payment webhook took all afternoon; the retry logic double-charged two customers.",
    "x",
    "",
    "   leading spaces\n\nblank lines\tand tabs   ",
    "Café, naïve résumé, Straße; 日本語のテキスト; emoji 😀🚀; Ελληνικά; русский текст.",
    "def embed(self, texts: Sequence[str]) -> Vectors:\n    return np.zeros((0, 384), dtype=np.float32)",
    "ERROR 2026-01-01T00:00:00Z pid=4242 OOMKilled: container exceeded 24Gi limit (exit 137)",
    "word " * 600,  # far past the window: truncated exactly as sentence-transformers truncates
    " ".join(f"token{i}" for i in range(300)),
    "Short.",
    "A longer reflection about the week: the refactor went well, but the tests were slow and I should have "
    "split the storage module earlier. Next time, measure first, then change one thing at a time.",
]


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray((a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)))


def test_vectors_match_sentence_transformers_on_varied_text(onnx_embedder: Any, st_embedder: Any) -> None:
    assert isinstance(onnx_embedder, OnnxEmbedder)
    ours = onnx_embedder.embed(VARIED)
    reference = st_embedder.embed(VARIED)
    assert ours.shape == reference.shape == (len(VARIED), 384) and ours.dtype == np.float32
    assert cosines(ours, reference).min() > 0.999, cosines(ours, reference)
    # One at a time (no padding in the batch) gives the same vectors as in a batch.
    alone = np.vstack([onnx_embedder.embed([t]) for t in VARIED[:4]])
    assert cosines(alone, ours[:4]).min() > 0.9999
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_the_identity_window_and_tokens_are_sentence_transformers(onnx_embedder: Any, st_embedder: Any) -> None:
    # Equivalent vectors keep the identity: journals embedded with sentence-transformers are not re-embedded.
    assert onnx_embedder.identity == st_embedder.identity
    assert onnx_embedder.max_tokens == st_embedder.max_tokens == 254
    for text in VARIED:
        assert onnx_embedder.token_spans(text) == st_embedder.token_spans(text)


def test_configured_prefixes_go_before_queries_and_passages(st_embedder: Any, model_cache: Path) -> None:
    plain = load_embedder(None, runtime="onnx", cache_dir=model_cache)
    prefixed = load_embedder(
        None, runtime="onnx", cache_dir=model_cache, query_prefix="query: ", passage_prefix="passage: "
    )
    reference = load_embedder(None, runtime="sentence-transformers", query_prefix="query: ", passage_prefix="passage: ")
    texts = ["GPU memory ran out during training", "planted tulips in the garden"]
    passages = prefixed.embed(texts)
    queries = prefixed.embed(texts, query=True)
    assert cosines(passages, plain.embed([f"passage: {t}" for t in texts])).min() > 0.9999
    assert cosines(queries, plain.embed([f"query: {t}" for t in texts])).min() > 0.9999
    assert cosines(passages, queries).max() < 0.999  # the prefixes made a difference
    # The passage prefix changes every stored vector: a new identity, so journals re-embed.
    assert prefixed.identity.fingerprint != plain.identity.fingerprint
    assert prefixed.identity.name == plain.identity.name
    # The prefix's tokens take room in the window: chunks get that much shorter.
    assert prefixed.max_tokens == plain.max_tokens - len(plain.token_spans("passage: "))
    # sentence-transformers with the same prefixes: the same vectors and the same identity.
    assert reference.identity == prefixed.identity
    assert cosines(reference.embed(texts), passages).min() > 0.999
    assert cosines(reference.embed(texts, query=True), queries).min() > 0.999


def model_copy(tmp_path: Path, name: str) -> Path:
    """The packaged model's files under a new name (weights linked, not copied)."""
    source = packaged_model_path()
    assert source is not None
    target = tmp_path / name
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.safetensors"))
    (target / "model.safetensors").symlink_to(source / "model.safetensors")
    return target


def test_a_model_named_like_e5_gets_the_e5_card_prefixes(tmp_path: Path, model_cache: Path) -> None:
    e5 = load_embedder(str(model_copy(tmp_path, "e5-small-v2")), runtime="onnx", cache_dir=model_cache)
    assert isinstance(e5, OnnxEmbedder)
    assert (e5.pipeline.prefixes.query, e5.pipeline.prefixes.passage) == ("query: ", "passage: ")
    plain = load_embedder(str(model_copy(tmp_path, "plain")), runtime="onnx", cache_dir=model_cache)
    assert cosines(e5.embed(["a note"], query=True), plain.embed(["query: a note"])).min() > 0.9999


def test_prompts_in_the_models_config_are_used(tmp_path: Path, model_cache: Path) -> None:
    directory = model_copy(tmp_path, "prompted")
    config = directory / "config_sentence_transformers.json"
    data = json.loads(config.read_text(encoding="utf-8"))
    data["prompts"] = {"query": "search_query: ", "document": "search_document: "}
    config.write_text(json.dumps(data), encoding="utf-8")
    embedder = load_embedder(str(directory), runtime="onnx", cache_dir=model_cache)
    assert isinstance(embedder, OnnxEmbedder)
    assert embedder.pipeline.prefixes.query == "search_query: "
    assert embedder.pipeline.prefixes.passage == "search_document: "


def test_cls_pooling_matches_sentence_transformers(tmp_path: Path, model_cache: Path) -> None:
    """bge models pool the [CLS] token: the pooling mode comes from the model's files."""
    directory = model_copy(tmp_path, "cls-pooled")
    pooling = directory / "1_Pooling" / "config.json"
    data = json.loads(pooling.read_text(encoding="utf-8"))
    data.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    pooling.write_text(json.dumps(data), encoding="utf-8")
    ours = load_embedder(str(directory), runtime="onnx", cache_dir=model_cache)
    reference = load_embedder(str(directory), runtime="sentence-transformers")
    assert isinstance(ours, OnnxEmbedder) and ours.pipeline.pooling == "cls"
    assert cosines(ours.embed(VARIED), reference.embed(VARIED)).min() > 0.999


def test_a_pipeline_only_sentence_transformers_can_run_falls_back_to_it(tmp_path: Path, model_cache: Path) -> None:
    directory = model_copy(tmp_path, "with-dense")
    modules = json.loads((directory / "modules.json").read_text(encoding="utf-8"))
    modules.insert(2, {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"})
    (directory / "modules.json").write_text(json.dumps(modules), encoding="utf-8")
    with pytest.raises(ModelUnavailableError, match=r"ONNX runtime cannot run .*Dense"):
        load_embedder(str(directory), runtime="onnx", cache_dir=model_cache)
    # auto: no error, sentence-transformers takes it (it then fails on the missing Dense files: that is its job).
    with pytest.raises(ModelUnavailableError, match="Cannot load the embedding model"):
        load_embedder(str(directory), runtime="auto", cache_dir=model_cache)


def test_the_graph_is_built_once_cached_and_rebuilt_when_damaged(tmp_path: Path, onnx_embedder: Any) -> None:
    cache = tmp_path / "cache"
    first = load_embedder(None, runtime="onnx", cache_dir=cache)
    graphs = list((cache / "onnx").glob(f"*-v{GRAPH_VERSION}.onnx"))
    assert len(graphs) == 1 and graphs[0].stat().st_size > 80_000_000
    assert not list((cache / "onnx").glob(".building-*"))
    graphs[0].write_bytes(b"not a graph")
    again = load_embedder(None, runtime="onnx", cache_dir=cache)
    assert graphs[0].stat().st_size > 80_000_000
    text = ["the cached graph is the same model"]
    assert cosines(again.embed(text), first.embed(text)).min() > 0.9999
    assert cosines(again.embed(text), onnx_embedder.embed(text)).min() > 0.9999


def test_an_unwritable_cache_still_loads_the_model(tmp_path: Path, onnx_embedder: Any) -> None:
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("in the way", encoding="utf-8")
    embedder = load_embedder(None, runtime="onnx", cache_dir=blocked)
    assert cosines(embedder.embed(["x y z"]), onnx_embedder.embed(["x y z"])).min() > 0.9999


def test_a_query_is_not_kept_waiting_behind_a_bulk_embedding(onnx_embedder: Any) -> None:
    bulk = [f"entry {i}: " + "a long section about the refactor and the tests " * 30 for i in range(400)]
    started = threading.Event()
    finished = threading.Event()

    def run_bulk() -> None:
        started.set()
        onnx_embedder.embed(bulk)
        finished.set()

    worker = threading.Thread(target=run_bulk)
    worker.start()
    started.wait()
    vector = onnx_embedder.embed(["what did I learn about tests"], query=True)
    answered_while_bulk_ran = not finished.is_set()
    worker.join()
    assert vector.shape == (1, 384)
    assert answered_while_bulk_ran, "the query waited for the whole bulk job"
