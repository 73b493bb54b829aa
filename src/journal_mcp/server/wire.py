"""The stdio wire: answer requests the SDK's JSON parser refuses (lone UTF-16 surrogates).

JSON allows ``"\\ud800"``; the SDK's parser rejects it and drops the message, so the client waits
forever. Python's own JSON parser reads it; lone surrogates become U+FFFD and the request goes on.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
import mcp_types as types
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage
from pydantic import ValidationError


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    return value


def repair(item: SessionMessage | Exception) -> SessionMessage | Exception:
    """A message the SDK could not parse, parsed again with lone surrogates replaced; else the error."""
    if not isinstance(item, ValidationError):
        return item
    errors = item.errors()
    raw = errors[0].get("input") if errors else None
    if not isinstance(raw, str):
        return item
    try:
        message = types.jsonrpc_message_adapter.validate_python(_clean(json.loads(raw)), by_name=False)
    except (ValueError, ValidationError):
        return item
    return SessionMessage(message)


async def run_stdio(lowlevel: Any) -> None:
    """`MCPServer.run_stdio_async`, with `repair` between the transport and the session."""
    async with stdio_server() as (read_stream, write_stream):
        send, receive = anyio.create_memory_object_stream[SessionMessage | Exception](0)

        async def pump() -> None:
            async with send:
                async for item in read_stream:
                    await send.send(repair(item))

        async with anyio.create_task_group() as group:
            group.start_soon(pump)
            await lowlevel.run(receive, write_stream, lowlevel.create_initialization_options())
