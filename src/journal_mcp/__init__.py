"""Private-journal MCP server: a SQLite journal with keyword and semantic search."""


def main() -> None:
    """Console-script entry point (`journal-mcp`)."""
    import sys

    if len(sys.argv) == 3 and sys.argv[1] == "hook":
        # A Claude Code hook has a second: skip building the whole CLI (its parsers import the server's modules).
        from journal_mcp.hooks.run import EVENTS, run_hook

        if sys.argv[2] in EVENTS:
            sys.exit(run_hook(sys.argv[2], sys.stdin, sys.stdout))
    if len(sys.argv) == 1:
        # What MCP clients start: straight to the stdio server. The CLI's parser, its commands and rich
        # would only delay the first answer (Claude Code's version probe gives up after 3 s).
        import os
        import signal

        for signum in (signal.SIGINT, signal.SIGTERM):  # stopped while starting: nothing is open yet
            signal.signal(signum, lambda _signum, _frame: os._exit(0))
        from journal_mcp.server.stdio import main as serve_main

        serve_main()
    from journal_mcp.cli.app import main as cli_main

    cli_main()
