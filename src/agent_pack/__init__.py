"""Install the journal-agent-pack subagents into Claude Code projects."""
