"""Shared fixtures: temp journals, settings without semantic search, an in-memory MCP client."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from journal_mcp.core.config import Settings
from journal_mcp.service.journal import Journal


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache of built ONNX graphs for the whole test session (building one takes seconds)."""
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture
def journal_env(tmp_path: Path, model_cache: Path) -> dict[str, str]:
    """Environment for a server whose project and user journals live under tmp_path."""
    home = tmp_path / "home"
    project = tmp_path / "project"
    home.mkdir()
    project.mkdir()
    return {
        "HOME": str(home),
        "CLAUDE_PROJECT_DIR": str(project),
        "JOURNAL_MCP_SEMANTIC": "0",
        "JOURNAL_MCP_CACHE_DIR": str(model_cache),
        "PATH": os.environ.get("PATH", ""),
    }


@pytest.fixture
def settings(journal_env: dict[str, str]) -> Settings:
    return Settings.from_env(journal_env)


@pytest.fixture
def journal(settings: Settings) -> Journal:
    j = Journal(settings)
    yield j
    j.close()


@pytest.fixture
async def client(journal: Journal) -> AsyncIterator[object]:
    from mcp import Client

    from journal_mcp.server.app import build_server

    async with Client(build_server(journal=journal)) as c:
        yield c
