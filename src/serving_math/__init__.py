"""serving-math: an MCP server with the arithmetic of LLM serving (memory fit, latency and
throughput bounds, SLA checks) over a catalogue of accelerators and model architectures whose
every figure names its public source."""


def main() -> None:
    """Console-script entry point (`serving-math`)."""
    from serving_math.cli import main as cli_main

    cli_main()
