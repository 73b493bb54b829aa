"""Reading a sentence-transformers model's files (no model loaded), pooling, and bulk batching."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from journal_mcp.core.config import Settings
from journal_mcp.core.errors import InvalidInputError
from journal_mcp.search.model_files import Pipeline, Prefixes, UnsupportedPipeline, read_pipeline
from journal_mcp.search.onnx_embedder import OnnxEmbedder, pool


def model_dir(
    tmp_path: Path,
    *,
    pooling: dict | None = None,
    modules: list | None = None,
    prompts: dict | None = None,
    name: str = "model",
) -> Path:
    d = tmp_path / name
    (d / "1_Pooling").mkdir(parents=True)
    (d / "modules.json").write_text(
        json.dumps(
            modules
            or [
                {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
            ]
        ),
        encoding="utf-8",
    )
    (d / "1_Pooling" / "config.json").write_text(
        json.dumps({"pooling_mode_mean_tokens": True} if pooling is None else pooling), encoding="utf-8"
    )
    (d / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 256}), encoding="utf-8")
    (d / "config.json").write_text(json.dumps({"model_type": "bert", "max_position_embeddings": 512}), encoding="utf-8")
    if prompts is not None:
        (d / "config_sentence_transformers.json").write_text(json.dumps({"prompts": prompts}), encoding="utf-8")
    return d


def read(d: Path, name: str = "model", query: str | None = None, passage: str | None = None) -> Pipeline:
    return read_pipeline(d, name=name, query_prefix=query, passage_prefix=passage)


def test_the_packaged_models_pipeline_shape(tmp_path: Path) -> None:
    p = read(model_dir(tmp_path))
    assert p == Pipeline(max_seq_length=256, pooling="mean", normalize=True, prefixes=Prefixes())


@pytest.mark.parametrize(
    ("key", "mode"),
    [
        ("pooling_mode_cls_token", "cls"),
        ("pooling_mode_max_tokens", "max"),
        ("pooling_mode_mean_sqrt_len_tokens", "mean_sqrt_len"),
    ],
)
def test_pooling_modes(tmp_path: Path, key: str, mode: str) -> None:
    assert read(model_dir(tmp_path, pooling={key: True, "pooling_mode_mean_tokens": False})).pooling == mode


@pytest.mark.parametrize(
    "pooling",
    [
        {"pooling_mode_mean_tokens": True, "pooling_mode_cls_token": True},
        {"pooling_mode_lasttoken": True},
        {},
        {"pooling_mode_mean_tokens": True, "include_prompt": False},
    ],
)
def test_pooling_only_sentence_transformers_can_do_is_refused(tmp_path: Path, pooling: dict) -> None:
    with pytest.raises(UnsupportedPipeline):
        read(model_dir(tmp_path, pooling=pooling))


def test_an_extra_module_is_refused(tmp_path: Path) -> None:
    modules = [
        {"idx": 0, "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "path": "2_Dense", "type": "sentence_transformers.models.Dense"},
    ]
    with pytest.raises(UnsupportedPipeline, match="Dense"):
        read(model_dir(tmp_path, modules=modules))


def test_prefixes_config_then_card_then_configured(tmp_path: Path) -> None:
    prompted = model_dir(tmp_path, prompts={"query": "q: ", "document": "d: "}, name="e5-small-v2")
    assert read(prompted, "e5-small-v2").prefixes == Prefixes("q: ", "d: ")  # the config beats the card
    e5 = model_dir(tmp_path, name="e5-small-v2-local")
    assert read(e5, "e5-small-v2-local").prefixes == Prefixes("query: ", "passage: ")
    bge = model_dir(tmp_path, name="bge")
    assert read(bge, "BAAI/bge-small-en-v1.5").prefixes.query.startswith("Represent this sentence")
    assert read(bge, "BAAI/bge-small-en-v1.5").prefixes.passage == ""
    assert read(e5, "e5", query="", passage="p: ").prefixes == Prefixes("", "p: ")  # configured beats both
    assert read(model_dir(tmp_path, name="all-MiniLM"), "all-MiniLM-L6-v2").prefixes == Prefixes()


def test_pool_mean_ignores_padding_and_normalises() -> None:
    hidden = np.array([[[1.0, 0.0], [3.0, 4.0], [100.0, 100.0]]], dtype=np.float32)
    mask = np.array([[1, 1, 0]], dtype=np.int64)
    pipeline = Pipeline(max_seq_length=8, pooling="mean", normalize=True, prefixes=Prefixes())
    vector = pool(hidden, mask, pipeline)
    expected = np.array([2.0, 2.0]) / np.linalg.norm([2.0, 2.0])
    assert np.allclose(vector[0], expected)
    cls = pool(hidden, mask, Pipeline(8, "cls", True, Prefixes()))
    assert np.allclose(cls[0], [1.0, 0.0])
    largest = pool(hidden, mask, Pipeline(8, "max", True, Prefixes()))
    assert np.allclose(largest[0], np.array([3.0, 4.0]) / 5.0)


def test_bulk_batches_group_similar_lengths_within_the_token_budget() -> None:
    embedder = OnnxEmbedder.__new__(OnnxEmbedder)  # only the batching, no model
    embedder.token_budget = 1000
    lengths = [10, 250, 12, 240, 11, 200, 9] * 10
    batches = list(embedder._batches(lengths))
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for batch in batches:
        assert max(lengths[i] for i in batch) * len(batch) <= 1000
    # Sorted by length: a batch never mixes a 250-token text with 10-token ones.
    assert all(max(lengths[i] for i in b) - min(lengths[i] for i in b) <= 50 for b in batches)


def test_runtime_and_prefix_settings(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "CLAUDE_PROJECT_DIR": str(tmp_path)}
    default = Settings.from_env(env)
    assert default.runtime == "auto" and default.query_prefix is None
    assert default.cache_dir == tmp_path / ".cache" / "journal-mcp"
    chosen = Settings.from_env(
        {
            **env,
            "JOURNAL_MCP_RUNTIME": "ONNX",
            "JOURNAL_MCP_PASSAGE_PREFIX": "passage: ",
            "JOURNAL_MCP_CACHE_DIR": str(tmp_path / "c"),
        }
    )
    assert chosen.runtime == "onnx" and chosen.passage_prefix == "passage: " and chosen.cache_dir == tmp_path / "c"
    assert Settings.from_env({**env, "XDG_CACHE_HOME": str(tmp_path / "x")}).cache_dir == tmp_path / "x" / "journal-mcp"
    with pytest.raises(
        InvalidInputError, match=r"JOURNAL_MCP_RUNTIME='torch' is not one of: auto, onnx, sentence-transformers"
    ):
        Settings.from_env({**env, "JOURNAL_MCP_RUNTIME": "torch"})
