"""Claude Code hooks: a briefing from the journal at session start, one reminder to write before stopping
(the session's, and each of the pack's agents' before it hands back its answer).

They run as `journal-mcp hook session-start|stop|subagent-stop`, read the hook's JSON on stdin and answer on stdout.
They never import numpy, torch or mcp, never change the journal, never wait more than a fraction of a
second for it, and never fail a session: a problem becomes a line in the briefing (and on stderr).
`JOURNAL_MCP_HOOKS=0` turns them all off.
"""
