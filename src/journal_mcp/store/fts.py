"""Turn a natural-language query into a safe FTS5 expression.

Each word becomes a quoted term (a word with inner punctuation, like `config.yaml` or
`CUDA_ERROR_OOM`, becomes a quoted phrase of its parts), and terms are OR-ed so BM25 ranks entries
by how many and how rare the matching words are. Quoting makes FTS syntax in a query (`"`, `*`,
`(`, `NEAR`, `AND`, `-`, `:`) plain text, so no query can raise a syntax error.
"""

from __future__ import annotations

import re

MAX_TERMS = 32
_WORD = re.compile(r"\w+", re.UNICODE)


def query_terms(query: str) -> list[str]:
    """The query's search terms, each a list of tokens joined by spaces (a phrase when several)."""
    terms: list[str] = []
    for chunk in query.split():
        tokens = _WORD.findall(chunk)
        if tokens:
            terms.append(" ".join(tokens))
    return list(dict.fromkeys(t.lower() for t in terms))[:MAX_TERMS]


def match_expression(query: str) -> str | None:
    """An FTS5 MATCH expression for `query`, or None when it has no searchable word."""
    terms = query_terms(query)
    if not terms:
        return None
    return " OR ".join(f'"{term}"' for term in terms)
