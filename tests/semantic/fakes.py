"""A deterministic stand-in for the embedding model: hashed bag of words, normalised."""

from __future__ import annotations

import re
import threading
import zlib
from collections.abc import Sequence

import numpy as np

from journal_mcp.search.chunking import whitespace_spans
from journal_mcp.search.embeddings import ModelIdentity, Vectors

_WORD = re.compile(r"\w+")


class HashEmbedder:
    """Texts sharing words get similar vectors; no shared word means cosine 0. Counts its calls."""

    def __init__(self, *, dimension: int = 256, fingerprint: str = "fake-1", max_tokens: int = 254) -> None:
        self._identity = ModelIdentity(name="fake-hash", dimension=dimension, fingerprint=fingerprint)
        self._max_tokens = max_tokens
        self.calls = 0
        self.texts_embedded = 0
        self._lock = threading.Lock()

    @property
    def identity(self) -> ModelIdentity:
        return self._identity

    @property
    def max_tokens(self) -> int:
        return self._max_tokens

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        return whitespace_spans(text)

    def embed(self, texts: Sequence[str], *, query: bool = False) -> Vectors:
        with self._lock:
            self.calls += 1
            self.texts_embedded += len(texts)
        dim = self._identity.dimension
        salt = self._identity.fingerprint.encode()
        out = np.zeros((len(texts), dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                out[row, zlib.crc32(salt + word.encode()) % dim] += 1.0
            norm = float(np.linalg.norm(out[row]))
            if norm == 0:
                out[row, 0] = 1.0
            else:
                out[row] /= norm
        return out
