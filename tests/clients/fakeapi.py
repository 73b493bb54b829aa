"""A scripted stand-in for the Anthropic Messages API on loopback, for real `claude -p` sessions.

Claude Code is pointed at it with ANTHROPIC_BASE_URL and a dummy key. `/v1/messages` answers with
what the script returns for each request (text and tool_use blocks), as a server-sent-event stream
when the request asks for one and as one JSON message otherwise. `/v1/messages/count_tokens`
answers with a rough count; any other path gets a JSON 404. Every request is recorded.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Block = dict[str, Any]
Script = Callable[[dict[str, Any]], list[Block]]
MODEL = "claude-sonnet-4-5"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None


@dataclass
class FakeAnthropic:
    """Serve `script` on 127.0.0.1 until `close()`; `requests` holds every request seen so far."""

    script: Script
    requests: list[Recorded] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def next_id(self, prefix: str) -> str:
        with self._lock:
            return f"{prefix}_{next(self._ids):06d}"

    def record(self, item: Recorded) -> None:
        with self._lock:
            self.requests.append(item)

    def messages(self) -> list[dict[str, Any]]:
        """The bodies of the /v1/messages requests, in arrival order."""
        with self._lock:
            return [
                r.body
                for r in self.requests
                if r.path.startswith("/v1/messages") and "count_tokens" not in r.path and r.body
            ]

    def answer(self, body: dict[str, Any]) -> list[Block]:
        try:
            blocks = self.script(body)
        except Exception as exc:  # the test reads `errors`; Claude Code gets an ordinary reply
            self.errors.append(f"{type(exc).__name__}: {exc}")
            blocks = [text(f"script error: {exc}")]
        for block in blocks:
            if block["type"] == "tool_use" and "id" not in block:
                block["id"] = self.next_id("toolu")
        return blocks


def text(value: str) -> Block:
    return {"type": "text", "text": value}


def tool_use(name: str, arguments: dict[str, Any]) -> Block:
    return {"type": "tool_use", "name": name, "input": arguments}


def _usage(body: dict[str, Any]) -> dict[str, int]:
    return {"input_tokens": max(1, len(json.dumps(body)) // 4), "output_tokens": 10}


def message(fake: FakeAnthropic, body: dict[str, Any], blocks: list[Block]) -> dict[str, Any]:
    stop = "tool_use" if any(b["type"] == "tool_use" for b in blocks) else "end_turn"
    return {
        "id": fake.next_id("msg"),
        "type": "message",
        "role": "assistant",
        "model": body.get("model") or MODEL,
        "content": blocks,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": _usage(body),
    }


def sse_events(whole: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The event stream of one message, as the Messages API streams it."""
    start = dict(whole, content=[], stop_reason=None)
    yield "message_start", {"type": "message_start", "message": start}
    for index, block in enumerate(whole["content"]):
        if block["type"] == "text":
            yield "content_block_start", {"type": "content_block_start", "index": index, "content_block": text("")}
            delta = {"type": "text_delta", "text": block["text"]}
        else:
            head = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
            yield "content_block_start", {"type": "content_block_start", "index": index, "content_block": head}
            delta = {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}
        yield "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}
        yield "content_block_stop", {"type": "content_block_stop", "index": index}
    yield (
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": whole["stop_reason"], "stop_sequence": None},
            "usage": {"output_tokens": whole["usage"]["output_tokens"]},
        },
    )
    yield "message_stop", {"type": "message_stop"}


def _handler(fake: FakeAnthropic) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet: the test reads `requests`
            pass

        def _body(self) -> dict[str, Any] | None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                data = json.loads(raw) if raw else None
            except ValueError:
                return {"_raw": raw.decode("utf-8", "replace")}
            return data if isinstance(data, dict) else {"_json": data}

        def _json(self, status: int, data: dict[str, Any]) -> None:
            payload = json.dumps(data).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            fake.record(Recorded("GET", self.path, dict(self.headers), None))
            self._json(404, {"type": "error", "error": {"type": "not_found_error", "message": self.path}})

        def do_HEAD(self) -> None:
            fake.record(Recorded("HEAD", self.path, dict(self.headers), None))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self) -> None:
            body = self._body()
            fake.record(Recorded("POST", self.path, dict(self.headers), body))
            path = self.path.split("?")[0]
            if path == "/v1/messages/count_tokens":
                self._json(200, {"input_tokens": _usage(body or {})["input_tokens"]})
                return
            if path != "/v1/messages" or body is None:
                self._json(404, {"type": "error", "error": {"type": "not_found_error", "message": self.path}})
                return
            whole = message(fake, body, fake.answer(body))
            if not body.get("stream"):
                self._json(200, whole)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            for event, data in sse_events(whole):
                self.wfile.write(f"event: {event}\ndata: {json.dumps(data)}\n\n".encode())
            self.wfile.flush()
            self.close_connection = True

    return Handler
