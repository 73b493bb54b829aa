"""The embedding interface: what every runtime implements, and what a stored vector records.

An `Embedder` turns texts into L2-normalised float32 vectors and says who it is
(`ModelIdentity`: name, dimension and a SHA-256 fingerprint of its weights), so vectors of two
models, or of two versions of one model, are never mixed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from journal_mcp.search.model_files import Prefixes

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

    def embed(self, texts: Sequence[str], *, query: bool = False) -> Vectors:
        """One L2-normalised float32 row per text: passages, or search queries with `query=True`.

        A model with query and passage prefixes (e5, bge) adds the matching one; a runtime may
        serve queries ahead of bulk work.
        """
        ...


def identity_fingerprint(weights: str, prefixes: Prefixes) -> str:
    """The weights' fingerprint, folded with the passage prefix when there is one (it changes every vector)."""
    if not prefixes.passage:
        return weights
    return hashlib.sha256(f"{weights}\0passage-prefix\0{prefixes.passage}".encode()).hexdigest()
