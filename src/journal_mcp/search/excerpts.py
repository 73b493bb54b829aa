"""Short excerpts of entry text around what matched."""

from __future__ import annotations

import re

from journal_mcp.store.fts import query_terms

EXCERPT_CHARS = 240


def excerpt_around(text: str, query: str | None = None, *, start: int | None = None) -> str:
    """About EXCERPT_CHARS of `text`: around the first query word, or from `start`, else the beginning."""
    flat = " ".join(text.split())
    if len(flat) <= EXCERPT_CHARS:
        return flat
    center: int | None = None
    if query:
        positions = [
            m.start()
            for term in query_terms(query)
            for m in [re.search(r"\b" + re.escape(term.split()[0]), flat, re.IGNORECASE)]
            if m
        ]
        if positions:
            center = min(positions)
    if center is None and start is not None:
        # `start` indexes the original text; map it onto the whitespace-collapsed copy.
        center = len(" ".join(text[:start].split())) + 1 if start else 0
    if center is None:
        center = 0
    begin = max(0, min(center - EXCERPT_CHARS // 3, len(flat) - EXCERPT_CHARS))
    end = begin + EXCERPT_CHARS
    # Widen to word boundaries so no word is cut in half.
    if begin > 0:
        space = flat.rfind(" ", 0, begin)
        begin = space + 1 if space != -1 and begin - space < 30 else begin
    if end < len(flat):
        space = flat.find(" ", end)
        end = space if space != -1 and space - end < 30 else end
    return ("…" if begin > 0 else "") + flat[begin:end] + ("…" if end < len(flat) else "")
