"""Private-journal MCP server: a SQLite journal with keyword and semantic search."""


def main() -> None:
    """Console-script entry point (`journal-mcp`)."""
    import sys

    if len(sys.argv) == 3 and sys.argv[1] == "hook" and sys.argv[2] in ("session-start", "stop"):
        # A Claude Code hook has a second: skip building the whole CLI (its parsers import the server's modules).
        from journal_mcp.hooks.run import run_hook

        sys.exit(run_hook(sys.argv[2], sys.stdin, sys.stdout))
    from journal_mcp.cli.app import main as cli_main

    cli_main()
