"""Chunking long sections into overlapping windows that fit the model."""

from __future__ import annotations

import itertools

import pytest

from journal_mcp.search.chunking import chunk_text, whitespace_spans


def words(n: int) -> str:
    return " ".join(f"w{i}" for i in range(n))


def test_short_text_is_one_chunk_without_calling_the_tokenizer() -> None:
    def explode(_: str) -> list[tuple[int, int]]:
        raise AssertionError("tokenizer called for short text")

    assert [(c.start, c.end) for c in chunk_text("short text", explode, 254)] == [(0, 10)]


def test_text_within_the_window_is_one_chunk() -> None:
    text = words(254)
    chunks = chunk_text(text, whitespace_spans, 254)
    assert len(chunks) == 1 and chunks[0].text == text


def test_long_text_is_split_into_overlapping_windows_covering_everything() -> None:
    text = words(1000)
    chunks = chunk_text(text, whitespace_spans, 254, overlap=32)
    tokens = [c.text.split() for c in chunks]
    assert all(len(t) <= 254 for t in tokens)
    assert len(chunks) == 5  # windows start at 0, 222, 444, 666, 888
    for before, after in itertools.pairwise(tokens):
        assert before[-32:] == after[:32]
    covered = {w for t in tokens for w in t}
    assert covered == set(text.split())
    assert chunks[0].start == 0 and chunks[-1].end == len(text)
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text


def test_chunk_spans_follow_the_tokenizer_not_characters() -> None:
    text = "alpha  beta\n\ngamma delta epsilon zeta eta theta"
    chunks = chunk_text(text, whitespace_spans, 3, overlap=1)
    assert [c.text.split() for c in chunks] == [
        ["alpha", "beta", "gamma"],
        ["gamma", "delta", "epsilon"],
        ["epsilon", "zeta", "eta"],
        ["eta", "theta"],
    ]


@pytest.mark.parametrize(("max_tokens", "overlap"), [(0, 0), (10, 10), (10, -1)])
def test_bad_window_settings_are_refused(max_tokens: int, overlap: int) -> None:
    with pytest.raises(ValueError):
        chunk_text(words(50), whitespace_spans, max_tokens, overlap)
