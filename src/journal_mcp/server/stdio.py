"""Serve MCP over stdio, and stop promptly and cleanly on SIGINT or SIGTERM.

The SDK's stdio transport reads stdin in a worker thread that cancellation cannot interrupt, so a
signal alone leaves the server waiting until the client closes stdin (Claude Code sends SIGINT,
then SIGTERM 100 ms later, at every session end). Here stdin reaches the transport through a pipe
this process owns: a signal closes that pipe, and the server shuts down exactly as when the client
closes stdin - the requests it already answered stay answered, the lifespan stops the embedding
worker and closes the journal (every acknowledged write was committed before it was acknowledged).

After a clean stop the process leaves with `os._exit`: tearing down the interpreter's modules
(the SDK's thousands of pydantic models) takes about a second and has nothing left to save.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from types import FrameType
from typing import TYPE_CHECKING, NoReturn

from journal_mcp.core import logs
from journal_mcp.core.config import Settings
from journal_mcp.core.errors import InvalidInputError, JournalError

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

TTY_HINT = """\
journal-mcp is an MCP server: it now waits for JSON-RPC messages on stdin from an MCP client such as
Claude Code, which starts it by itself (`claude mcp list` shows whether it connects). To use the
journal yourself: journal-mcp search QUERY, journal-mcp recent, journal-mcp --help. Ctrl-C stops it."""


class StdinGate:
    """A pipe between the real stdin and fd 0 that `close()` turns into end-of-file."""

    def __init__(self) -> None:
        self._source = os.dup(0)
        read_end, self._sink = os.pipe()
        os.dup2(read_end, 0)
        os.close(read_end)
        self._open = True
        self._lock = threading.Lock()  # a write and the close never overlap (the fd is never reused under a write)
        self._pump = threading.Thread(target=self._forward, name="stdin-gate", daemon=True)

    def start(self) -> None:
        self._pump.start()

    def _forward(self) -> None:
        while True:
            try:
                chunk = os.read(self._source, 1 << 16)
            except OSError:
                chunk = b""
            with self._lock:
                if not self._open:
                    return
                if not chunk:  # the client closed stdin
                    self._close_locked()
                    return
                try:
                    view = memoryview(chunk)
                    while view:
                        view = view[os.write(self._sink, view) :]
                except OSError:  # the transport stopped reading
                    self._close_locked()
                    return

    def close(self, reason: str) -> None:
        """End the transport's input. Safe from a signal handler: the work happens in a thread."""
        threading.Thread(target=self._close, args=(reason,), name="stdin-gate-close", daemon=True).start()

    def _close(self, reason: str) -> None:
        log.info("%s: finishing and exiting.", reason)
        with self._lock:
            self._close_locked()

    def _close_locked(self) -> None:
        if self._open:
            self._open = False
            os.close(self._sink)


def main() -> NoReturn:
    """`journal-mcp` with no arguments: serve the journal over stdio with the settings from the environment."""
    try:
        settings = Settings.from_env()
    except JournalError as exc:  # the CLI's exit codes: 2 for input the user can fix, 1 otherwise
        print(f"error: {exc}", file=sys.stderr)
        _exit_now(2 if isinstance(exc, InvalidInputError) else 1)
    serve_settings(settings)


def serve_settings(settings: Settings) -> NoReturn:
    """Serve the journal `settings` describe over stdio until the client or a signal stops it; then exit."""
    _leave_on_signal()
    if sys.stdin.isatty():  # a person ran it to see what it is
        print(TTY_HINT, file=sys.stderr, flush=True)
    from journal_mcp.server.app import build_server

    logs.configure(settings.log_level)
    serve_stdio(build_server(settings))


def _leave_on_signal() -> None:
    """Until the server runs, nothing is open: a SIGINT or SIGTERM just ends the process (no traceback)."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, lambda signum, _frame: os._exit(0))  # no flushing: a handler may interrupt a write


def serve_stdio(server: MCPServer) -> NoReturn:
    """Run `server` on stdin/stdout until the client closes stdin or a SIGINT/SIGTERM arrives, then exit."""
    gate = StdinGate()
    stopping = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        if stopping.is_set():  # a second signal: stop waiting for the clean shutdown
            os._exit(128 + signum)
        stopping.set()
        # Nothing else here (no logging, no flushing): a handler may have interrupted a write to stderr.
        gate.close(reason=f"{signal.Signals(signum).name} received")

    for signum in STOP_SIGNALS:
        signal.signal(signum, on_signal)
    gate.start()
    server.run("stdio")
    _exit_now(0)


def _exit_now(code: int) -> NoReturn:
    """Flush what is buffered and leave without the slow interpreter teardown."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
