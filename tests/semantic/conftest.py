"""Fixtures for semantic search: a journal with the fake embedder, and the real model loaded once."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from journal_mcp.core.config import Settings
from journal_mcp.service.journal import Journal
from journal_mcp.service.semantic import SemanticSearch
from tests.semantic.fakes import HashEmbedder


@pytest.fixture
def fake() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture
def semantic_journal(settings: Settings, fake: HashEmbedder) -> Iterator[Journal]:
    """A journal whose semantic search uses the fake embedder, started and ready."""
    service = SemanticSearch(lambda: fake, recheck_seconds=0.2)
    journal = Journal(settings, semantic=service)
    service.start(journal)
    assert service.wait_ready(10)
    yield journal
    service.stop()
    journal.close()


@pytest.fixture
def journal_log() -> Iterator[list[str]]:
    """Messages logged by journal_mcp at WARNING and above during the test."""
    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    handler = Collect(logging.WARNING)
    logger = logging.getLogger("journal_mcp")
    logger.addHandler(handler)
    yield messages
    logger.removeHandler(handler)


@pytest.fixture(scope="session")
def real_embedder() -> Any:
    """The packaged all-MiniLM-L6-v2, loaded once per test session."""
    from journal_mcp.search.embeddings import load_embedder

    return load_embedder(None)
