"""Fixtures: the shipped catalogue and an in-memory MCP client of the serving-math server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from serving_math.catalog import Catalog, load_catalog


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
async def math_client(catalog: Catalog) -> AsyncIterator[object]:
    from mcp import Client

    from serving_math.server import build_server

    async with Client(build_server(catalog)) as c:
        yield c
