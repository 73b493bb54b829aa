"""The MCP interface: the tools server (stdio), the shared HTTP server and the text a model reads."""
