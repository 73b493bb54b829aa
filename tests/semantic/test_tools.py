"""search_journal over MCP (in-memory client) with semantic search attached."""

from __future__ import annotations

import threading

import pytest
from mcp import Client

from journal_mcp.core.config import Settings
from journal_mcp.server.app import build_server
from journal_mcp.service.journal import Journal
from journal_mcp.service.semantic import SemanticSearch
from tests.journal.helpers import ok, text_of
from tests.semantic.fakes import HashEmbedder

pytestmark = pytest.mark.anyio


async def test_search_tool_reports_hybrid_hits_with_scores_and_signals(semantic_journal: Journal) -> None:
    async with Client(build_server(journal=semantic_journal)) as client:
        ok(await client.call_tool("process_thoughts", {"technical_insights": "cuda out of memory at batch 64"}))
        result = await client.call_tool("search_journal", {"query": "memory batch"})
        data = ok(result)
        assert data["mode"] == "hybrid" and data["notice"] is None
        assert data["hits"][0]["matched"] == ["semantic", "keyword"]
        assert "[Score: 0." in text_of(result) and "matched: semantic, keyword" in text_of(result)


async def test_search_tool_says_when_the_model_is_still_loading(settings: Settings) -> None:
    gate = threading.Event()

    def load() -> HashEmbedder:
        gate.wait(10)
        return HashEmbedder()

    service = SemanticSearch(load)
    journal = Journal(settings, semantic=service)
    async with Client(build_server(journal=journal)) as client:
        ok(await client.call_tool("process_thoughts", {"observations": "written while loading"}))
        result = await client.call_tool("search_journal", {"query": "loading"})
        data = ok(result)
        assert data["mode"] == "keyword" and len(data["hits"]) == 1
        assert "still loading; keyword results only" in text_of(result)
        gate.set()
    journal.close()
