"""The `journal-mcp` command line: commands, human output and reports."""
