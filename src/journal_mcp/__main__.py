from journal_mcp import main

main()
