"""The journal's MCP prompts (slash commands in Claude Code) and its entries as read-only resources.

- `recall(topic)`: runs the search itself and hands the model what the journal holds about the topic,
  with the entry ids, asking it to read what matters and say what the journal knows.
  In Claude Code: `/mcp__private-journal__recall vLLM memory`.
- `reflect(focus?)`: asks the model to write what this session taught it, section by section.
- Entries as resources: `journal://entries/{journal}/{entry}`, e.g.
  `journal://entries/user/20261122-101503-123456-a1b2c3` (the entry's id after `journal://entries/`),
  read as Markdown. Read-only: there is no way to change an entry through a resource.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any

import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError
from pydantic import Field

from journal_mcp.core.errors import JournalError
from journal_mcp.server import formatting

if TYPE_CHECKING:
    from journal_mcp.service.journal import Journal

RECALL_HITS = 8
ENTRY_URI = "journal://entries/{journal}/{entry}"

REFLECT = """\
Reflect on this session and record it in your private journal with process_thoughts (one call).
First call search_journal with the session's main topic, so you add what is new instead of repeating it.
Then write only the sections you have something real for:
- project_notes: about THIS project - decisions and why, what failed, gotchas, commands, where things live.
- technical_insights: lessons that hold beyond this project (debugging techniques, library behaviour).
- user_context: what you learned about working with the user - preferences, decisions, their reasons.
- observations: facts and surprises worth remembering; open questions.
- reflections: how the work went, honestly - what worried or pleased you. Nobody else reads it.
Be concrete (names, numbers, error messages) so a later search finds it. Secrets are redacted before storage,
but leave them out anyway."""


def register(server: MCPServer, journal_of: Callable[[Context[Any, Any]], Awaitable[Journal]]) -> None:
    """Add the prompts and the entry resource template to `server`; `journal_of(ctx)` gives the journal."""

    @server.prompt(title="Recall what the journal knows about a topic")
    async def recall(
        ctx: Context,
        topic: Annotated[str, Field(description="What to recall, e.g. 'vLLM memory settings' or 'the deploy script'.")],
    ) -> str:
        """Search the journal for a topic and have the model sum up what it knows, with entry ids."""
        journal = await journal_of(ctx)
        try:
            found = await anyio.to_thread.run_sync(lambda: journal.search(topic, limit=RECALL_HITS))
        except JournalError as exc:
            return f"The journal search for {topic!r} failed: {exc}"
        return (
            f"What does my private journal know about: {topic}\n\n"
            f"search_journal found:\n\n{formatting.search_text(found)}\n\n"
            "Read the entries that matter in full (read_journal_entry with their path), then tell me what the "
            "journal knows about this: decisions and their reasons, gotchas, preferences, open questions - each "
            "with its entry id. If nothing relevant was found, say so plainly instead of guessing."
        )

    @server.prompt(title="Reflect on this session in the journal")
    def reflect(
        focus: Annotated[
            str | None, Field(description="Optional: what to reflect on in particular, e.g. 'the failed deploy'.")
        ] = None,
    ) -> str:
        """Ask the model to record what this session taught it, in the right journal sections."""
        return REFLECT if not focus else f"{REFLECT}\n\nFocus on: {focus}"

    @server.resource(ENTRY_URI, name="journal-entry", title="Journal entry", mime_type="text/markdown")
    async def entry(ctx: Context, journal: str, entry: str) -> str:
        """One journal entry as Markdown, by its id: journal://entries/user/20261122-101503-123456-a1b2c3."""
        opened = await journal_of(ctx)
        try:
            view = await anyio.to_thread.run_sync(lambda: opened.read(f"{journal}/{entry}"))
        except JournalError as exc:
            raise ResourceError(str(exc)) from exc
        return view.text
