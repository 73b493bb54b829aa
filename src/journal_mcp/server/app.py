"""The MCP layer: five journal tools, each parse -> delegate to `Journal` -> format.

Built by `build_server()` (no module globals); the `Journal` and its background embedding work
live in the server's lifespan, opened once the client has its tool list (server/lifecycle.py), so
nothing on the way to `tools/list` imports the storage or search layers. Blocking work (SQLite,
the model) runs in worker threads so the event loop always answers.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp_types import CallToolResult, TextContent, Tool, ToolAnnotations
from pydantic import BaseModel, Field, ValidationError, ValidatorFunctionWrapHandler, WrapValidator

from journal_mcp.core.config import PROJECT_HEADER, Settings
from journal_mcp.core.errors import JournalError
from journal_mcp.core.models import EntryListing, EntryView, EntryViews, SearchResult, WriteResult
from journal_mcp.server import formatting, prompts
from journal_mcp.server.arguments import describe
from journal_mcp.server.lifecycle import JournalOpener, OpenAfterListing
from journal_mcp.server.wire import run_stdio

if TYPE_CHECKING:
    from journal_mcp.service.journal import Journal
    from journal_mcp.service.projects import ProjectJournals

log = logging.getLogger(__name__)

SERVER_NAME = "private-journal"

INSTRUCTIONS = """\
A private journal that persists across sessions: your memory of what you learned, decided and felt.
- Before starting a task, call search_journal with a natural-language description of it to recall
  earlier solutions, decisions and gotchas (it finds paraphrases, not only exact words).
- After finishing a task (or when you learn something worth keeping), call process_thoughts.
  project_notes go to this project's journal; every other section goes to your user-wide journal.
- list_recent_entries / read_recent_entries show what was written lately; read_journal_entry
  reads one whole entry by the `path` a search or listing returned.
Entries are private to this machine; secrets (API keys, tokens, passwords) are redacted before
storage."""

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
APPEND_ONLY = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False
)

T = TypeVar("T")
HIDDEN_TOOLS = frozenset({"process_feelings"})  # v1's tool: callable, not listed (as in private-journal-mcp)


@dataclass
class AppState:
    opener: JournalOpener
    route_projects: bool = False
    projects: ProjectJournals | None = None  # a shared server: each client's own project journal

    async def journal(self) -> Journal:
        journal = await self.opener.journal()
        if self.route_projects and self.projects is None:
            from journal_mcp.service.projects import ProjectJournals
            from journal_mcp.transfer.legacy import import_legacy_once

            self.projects = ProjectJournals(journal, on_open=import_legacy_once)
        return journal


async def _journal(ctx: Context[Any, Any]) -> Journal:
    state: AppState = ctx.request_context.lifespan_context
    try:
        journal = await state.journal()
        request = ctx.request_context.request  # the HTTP request; None over stdio
        if state.projects is None or request is None:
            return journal
        return state.projects.for_project(request.headers.get(PROJECT_HEADER))
    except JournalError as exc:
        raise ToolError(str(exc)) from exc


async def _call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a blocking journal call in a worker thread; JournalErrors become tool errors the model reads."""
    try:
        return await anyio.to_thread.run_sync(lambda: fn(*args, **kwargs))
    except JournalError as exc:
        raise ToolError(str(exc)) from exc


def _result(text: str, data: BaseModel) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=text)], structured_content=data.model_dump(mode="json")
    )


def _none_or_text(value: object, handler: ValidatorFunctionWrapHandler) -> object:
    return None if value is None else handler(value)


# Text that may be left out (or null). Declared as `str`, not `str | None`, so the SDK never parses
# a JSON-looking string ('{"a": 1}', 'null', '[1]') into something else: text is stored verbatim.
if TYPE_CHECKING:
    OptionalText = str | None
else:
    OptionalText = Annotated[str, WrapValidator(_none_or_text)]
Limit = Annotated[int, Field(ge=1, le=100, description="Maximum number of entries to return (1-100).")]
JournalChoice = Annotated[
    Literal["both", "project", "user"],
    Field(description="Which journal: 'project' (this project's notes), 'user' (your global notes) or 'both'."),
]


def build_server(
    settings: Settings | None = None, *, journal: Journal | None = None, route_projects: bool = False
) -> MCPServer:
    """Create the MCP server. `journal` lets tests inject one (e.g. with a fake embedder).

    `route_projects` (the shared HTTP server): a client's `X-Private-Journal-Project` header picks
    the project journal its project notes go to and are read from.
    """

    def open_journal() -> Journal:
        if journal is not None:
            return journal
        from journal_mcp.service.journal import Journal
        from journal_mcp.service.semantic import create_semantic
        from journal_mcp.transfer.legacy import import_legacy_once

        resolved = settings or Settings.from_env()
        opened = Journal(resolved, semantic=create_semantic(resolved))
        import_legacy_once(opened)
        return opened

    @asynccontextmanager
    async def lifespan(_: MCPServer) -> AsyncIterator[AppState]:
        opener = JournalOpener(open_journal, owned=journal is None)
        opener.start()
        try:
            yield AppState(opener=opener, route_projects=route_projects)
        finally:
            await anyio.to_thread.run_sync(opener.close)

    server = JournalServer(
        SERVER_NAME,
        instructions=INSTRUCTIONS,
        version=_version(),
        lifespan=lifespan,
        middleware=[OpenAfterListing(lambda state: state.opener)],
    )

    @server.tool(annotations=APPEND_ONLY, title="Write to the private journal")
    async def process_thoughts(
        ctx: Context,
        reflections: Annotated[
            OptionalText,
            Field(
                description="Your honest, unfiltered reflections on how the work went: what you think and "
                "feel about it, what worried or pleased you. Nobody else reads this."
            ),
        ] = None,
        observations: Annotated[
            OptionalText,
            Field(description="Things you noticed while working: facts, surprises, patterns, open questions."),
        ] = None,
        feelings: Annotated[
            OptionalText,
            Field(description="(v1 name, kept for older agents) What you are feeling, written as it is."),
        ] = None,
        project_notes: Annotated[
            OptionalText,
            Field(
                description="Notes about THIS project: architecture decisions that worked or failed, "
                "gotchas, commands, where things live. Stored in the project's own journal."
            ),
        ] = None,
        user_context: Annotated[
            OptionalText,
            Field(
                description="What you learned about working with your human collaborator: preferences, "
                "decisions and their reasons, communication style."
            ),
        ] = None,
        technical_insights: Annotated[
            OptionalText,
            Field(
                description="Lessons beyond this project: debugging techniques, design patterns, "
                "library behaviour, e.g. 'vLLM: set --gpu-memory-utilization 0.85 to avoid OOM at startup'."
            ),
        ] = None,
        world_knowledge: Annotated[
            OptionalText,
            Field(description="Anything else worth remembering: domain knowledge, surprising facts."),
        ] = None,
    ) -> Annotated[CallToolResult, WriteResult]:
        """Write to your PRIVATE JOURNAL. Give one or more sections (at least one non-empty).

        project_notes are stored in this project's journal; all other sections in your user-wide
        journal (one entry per journal, same timestamp). Returns the new entries' ids. Use it after
        finishing a task to record what you learned, so a future search_journal finds it.
        """
        result = await _call(
            (await _journal(ctx)).write,
            {
                "reflections": reflections,
                "observations": observations,
                "feelings": feelings,
                "project_notes": project_notes,
                "user_context": user_context,
                "technical_insights": technical_insights,
                "world_knowledge": world_knowledge,
            },
        )
        return _result(formatting.write_text(result), result)

    @server.tool(annotations=READ_ONLY, title="Search the private journal")
    async def search_journal(
        ctx: Context,
        query: Annotated[
            str,
            Field(
                description="What to look for, in natural language: e.g. 'times I was stuck on GPU memory', "
                "'what the user prefers for logging', or exact names like 'CUDA_ERROR_OUT_OF_MEMORY'."
            ),
        ],
        limit: Limit = 10,
        type: JournalChoice = "both",
        sections: Annotated[
            list[str] | None,
            Field(
                description="Only search these sections, by key or display name, e.g. "
                "['technical_insights', 'Project Notes']. Omit for all sections."
            ),
        ] = None,
        since: Annotated[
            OptionalText,
            Field(
                description="Only entries written at or after this: ISO date/time ('2026-11-01') or a span "
                "back from now ('7d', '12h', '2w')."
            ),
        ] = None,
        until: Annotated[
            OptionalText,
            Field(
                description="Only entries written at or before this (same forms as since; a date includes "
                "that whole day)."
            ),
        ] = None,
        min_score: Annotated[
            float | None,
            Field(
                description="Drop hits whose score is below this (0..1.5; every hit, whichever signal found "
                "it). Default 0.2: a low threshold that keeps paraphrases (which often score 0.25-0.35)."
            ),
        ] = None,
    ) -> Annotated[CallToolResult, SearchResult]:
        """Search your journal by meaning and by keywords; best matches first.

        Finds entries that say the same thing in other words (semantic search) and entries that
        contain the exact words, names or codes (keyword search); each hit says which matched, its
        its score (what the hits are ranked by), time, journal and an excerpt. Pass a hit's `path` to
        read_journal_entry for the full entry. Search before starting work to reuse what you learned.
        """
        result = await _call(
            (await _journal(ctx)).search,
            query,
            limit=limit,
            type=type,
            sections=sections,
            since=since,
            until=until,
            min_score=min_score,
        )
        return _result(formatting.search_text(result), result)

    @server.tool(annotations=READ_ONLY, title="List recent journal entries")
    async def list_recent_entries(
        ctx: Context,
        limit: Limit = 10,
        type: JournalChoice = "both",
        days: Annotated[float, Field(gt=0, le=36500, description="How many days back to look (default 30).")] = 30,
    ) -> Annotated[CallToolResult, EntryListing]:
        """List recent journal entries, newest first, with an excerpt of each (use read_journal_entry for
        the full text, or read_recent_entries to get the newest entries whole)."""
        result = await _call((await _journal(ctx)).recent, limit=limit, type=type, days=days)
        return _result(formatting.listing_text(result, days), result)

    @server.tool(annotations=READ_ONLY, title="Read the newest journal entries in full")
    async def read_recent_entries(
        ctx: Context,
        limit: Annotated[int, Field(ge=1, le=100, description="How many of the newest entries (default 5).")] = 5,
        type: JournalChoice = "both",
    ) -> Annotated[CallToolResult, EntryViews]:
        """Read the full text of the newest journal entries, newest first: a quick way to catch up on
        what you were doing in earlier sessions."""
        result = await _call((await _journal(ctx)).read_recent, limit=limit, type=type)
        return _result(formatting.views_text(result), result)

    @server.tool(annotations=READ_ONLY, title="Read one journal entry")
    async def read_journal_entry(
        ctx: Context,
        path: Annotated[
            str,
            Field(
                description="The entry's id exactly as search_journal or list_recent_entries returned it "
                "in `path`, e.g. 'user/20261122-101503-123456-a1b2c3'."
            ),
        ],
    ) -> Annotated[CallToolResult, EntryView]:
        """Read one whole journal entry (all sections, time, journal) by the id a search or listing returned."""
        result = await _call((await _journal(ctx)).read, path)
        return _result(result.text, result)

    @server.tool(annotations=APPEND_ONLY, title="Write a diary entry (v1)")
    async def process_feelings(
        ctx: Context,
        diary_entry: Annotated[str, Field(description="The diary entry, written as it is.")],
    ) -> Annotated[CallToolResult, WriteResult]:
        """private-journal-mcp v1's tool, for agents written for it: the same as process_thoughts(feelings=...).

        Not in tools/list (the TypeScript server did not list it either); new agents use process_thoughts.
        """
        result = await _call((await _journal(ctx)).write, {"feelings": diary_entry})
        return _result(formatting.write_text(result), result)

    prompts.register(server, _journal)
    return server


class JournalServer(MCPServer):
    """MCPServer that answers the hidden legacy tools but leaves them out of tools/list, explains bad
    arguments in sentences, and survives undecodable requests on stdio."""

    async def list_tools(self) -> list[Tool]:
        return [tool for tool in await super().list_tools() if tool.name not in HIDDEN_TOOLS]

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
        """Argument errors as one sentence per argument (what it must be, what was given), not pydantic's dump."""
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            cause = exc.__cause__
            if isinstance(cause, ValidationError) and not isinstance(exc, UnexpectedToolError):
                raise ToolError(describe(name, cause)) from cause
            raise

    async def run_stdio_async(self) -> None:
        await run_stdio(self._lowlevel_server)  # answers requests with lone surrogates (see server.wire)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("journal-agent-pack")
    except PackageNotFoundError:
        return "0"
