"""Split section text into overlapping chunks that fit the model's window.

MiniLM reads at most 256 tokens (254 of content) and silently ignores the rest, so a long
section is cut into windows of `max_tokens` tokens that overlap by `overlap` tokens; each chunk
is embedded on its own and an entry scores as its best chunk. Chunks are character spans of the
original text, so a hit's excerpt can show the passage that matched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_OVERLAP = 32

TokenSpans = Callable[[str], list[tuple[int, int]]]


@dataclass(frozen=True)
class Chunk:
    start: int  # character offsets into the section text
    end: int
    text: str


def chunk_text(text: str, token_spans: TokenSpans, max_tokens: int, overlap: int = DEFAULT_OVERLAP) -> list[Chunk]:
    """Overlapping chunks of at most `max_tokens` tokens covering all of `text` (one chunk when it fits)."""
    if max_tokens < 1:
        raise ValueError(f"max_tokens must be positive; got {max_tokens}.")
    if not 0 <= overlap < max_tokens:
        raise ValueError(f"overlap must be in 0..{max_tokens - 1}; got {overlap}.")
    # A token covers at least one character, so text this short fits without asking the tokenizer.
    if len(text) <= max_tokens:
        return [Chunk(0, len(text), text)]
    spans = token_spans(text)
    if len(spans) <= max_tokens:
        return [Chunk(0, len(text), text)]
    chunks: list[Chunk] = []
    step = max_tokens - overlap
    first = 0
    while True:
        last = min(first + max_tokens, len(spans)) - 1
        start = 0 if first == 0 else spans[first][0]
        end = len(text) if last == len(spans) - 1 else spans[last][1]
        chunks.append(Chunk(start, end, text[start:end]))
        if last == len(spans) - 1:
            return chunks
        first += step


def whitespace_spans(text: str) -> list[tuple[int, int]]:
    """A stand-in tokenizer (one token per whitespace-separated word), for tests and fake embedders."""
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for i, ch in enumerate(text):
        if ch.isspace():
            if start is not None:
                spans.append((start, i))
                start = None
        elif start is None:
            start = i
    if start is not None:
        spans.append((start, len(text)))
    return spans
