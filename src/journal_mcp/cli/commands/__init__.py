"""The `journal-mcp` commands, one module per group; each module lists its `COMMANDS`."""
