"""The journal behind a running server: opened in a background thread once the client has its tool list.

A client's first requests (Claude Code's `server/discover` probe, which it gives up on after 3 s,
then `tools/list`) need none of the journal, so a server answers them as fast as a bare MCPServer:
importing the storage and search layers (sqlite-utils, numpy), opening the databases and starting
the embedding model's load all wait until the listing has been answered, or until a tool is called,
or at most `OPEN_ANYWAY_AFTER` seconds (long enough that a slow handshake on a busy machine never
shares the CPU with the model's load). A tool call waits for the opening (off the event loop);
if it failed, every call says why.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import anyio.to_thread
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext

from journal_mcp.core.errors import JournalError

if TYPE_CHECKING:
    from journal_mcp.service.journal import Journal

log = logging.getLogger(__name__)

OPEN_ANYWAY_AFTER = 10.0  # seconds: a client that never lists the tools still gets the journal and model


class JournalOpener:
    """Opens the journal once (in a thread), hands it to tool calls, and closes it at shutdown."""

    def __init__(self, open_journal: Callable[[], Journal], *, owned: bool) -> None:
        self._open_journal = open_journal
        self._owned = owned
        self._go = threading.Event()
        self._done = threading.Event()
        self._closing = False
        self._journal: Journal | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="journal-open", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def release(self) -> None:
        """Open now (the client has what it needs to start, or wants the journal)."""
        self._go.set()

    def _run(self) -> None:
        self._go.wait(OPEN_ANYWAY_AFTER)
        if self._closing:
            self._done.set()
            return
        try:
            journal = self._open_journal()
            if journal.semantic is not None:
                journal.semantic.start(journal)
            self._journal = journal
            log.info("Journal ready (user journal %s).", journal.settings.user_journal_dir)
        except BaseException as exc:  # every tool call reports it; the server keeps answering
            log.error("The journal could not be opened: %s", exc)
            self._error = exc
        finally:
            self._done.set()

    async def journal(self) -> Journal:
        """The open journal; waits for the opening. Raises the JournalError that stopped it."""
        self.release()
        if not self._done.is_set():
            await anyio.to_thread.run_sync(self._done.wait)
        if self._journal is None:
            if isinstance(self._error, JournalError):
                raise self._error
            raise JournalError(f"The journal could not be opened: {type(self._error).__name__}: {self._error}")
        return self._journal

    def close(self) -> None:
        """Stop the embedding worker and close the journal (after an opening under way has finished)."""
        self._closing = True
        self._go.set()
        self._done.wait()
        journal = self._journal
        if journal is None:
            return
        if journal.semantic is not None:
            journal.semantic.stop()
        if self._owned:
            journal.close()


class OpenAfterListing:
    """Server middleware: once the client's tool listing is answered, open the journal (a tool call opens it too)."""

    def __init__(self, opener_of: Callable[[Any], JournalOpener]) -> None:
        self._opener_of = opener_of

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.method != "tools/list":
            return await call_next(ctx)
        try:
            return await call_next(ctx)
        finally:
            self._opener_of(ctx.lifespan_context).release()
