"""Private-journal MCP server: a SQLite journal with keyword and semantic search."""


def main() -> None:
    """Console-script entry point (`journal-mcp`)."""
    from journal_mcp.cli.app import main as cli_main

    cli_main()
