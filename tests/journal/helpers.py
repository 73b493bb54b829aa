"""Small helpers for reading MCP tool results in tests."""

from __future__ import annotations

from typing import Any

# A raw JSON-RPC `initialize` request, for tests that speak to a server's stdio or HTTP directly.
INITIALIZE: dict[str, Any] = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}


def text_of(result: Any) -> str:
    return "".join(getattr(block, "text", "") for block in result.content)


def ok(result: Any) -> dict[str, Any]:
    assert not result.is_error, text_of(result)
    return result.structured_content


def error_text(result: Any) -> str:
    assert result.is_error, f"expected an error, got: {text_of(result)}"
    return text_of(result)
