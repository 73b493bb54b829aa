from agent_pack.cli import main

main()
