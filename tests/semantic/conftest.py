"""Fixtures for semantic search: a journal with the fake embedder, and the real model loaded once."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
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


RUNTIMES = ["onnx", "sentence-transformers"]


@pytest.fixture(scope="session", params=RUNTIMES)
def real_embedder(request: pytest.FixtureRequest, model_cache: Path) -> Any:
    """The packaged all-MiniLM-L6-v2 on each runtime, each loaded once per test session."""
    return loaded_model(request.param, model_cache)


@pytest.fixture(scope="session")
def onnx_embedder(model_cache: Path) -> Any:
    return loaded_model("onnx", model_cache)


@pytest.fixture(scope="session")
def st_embedder(model_cache: Path) -> Any:
    return loaded_model("sentence-transformers", model_cache)


_LOADED: dict[str, Any] = {}


def loaded_model(runtime: str, cache: Path) -> Any:
    from journal_mcp.search.embeddings import load_embedder

    if runtime not in _LOADED:
        _LOADED[runtime] = load_embedder(None, runtime=runtime, cache_dir=cache)  # type: ignore[arg-type]
    return _LOADED[runtime]
