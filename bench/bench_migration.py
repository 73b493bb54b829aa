"""Import, export and backup speed on a generated private-journal-mcp journal.

    .venv/bin/python -m bench.bench_migration --files 5000

Writes N entry files in private-journal-mcp's format to a temporary directory, then times the real
CLI: `import`, `import` again (all duplicates), `export --format markdown`, `export --format jsonl`
and `backup`. Everything runs in a temporary directory; your journals are not touched.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.cli.oldjournal import write_old_entry

SECTIONS = ["Feelings", "Project Notes", "User Context", "Technical Insights", "World Knowledge"]


def journal_cli(env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "journal_mcp", *args], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="journal-bench-") as tmp:
        root = Path(tmp)
        (root / "home").mkdir()
        (root / "project").mkdir()
        env = {
            **os.environ,
            "HOME": str(root / "home"),
            "CLAUDE_PROJECT_DIR": str(root / "project"),
            "JOURNAL_MCP_SEMANTIC": "0",
        }
        old = root / "old" / ".private-journal"
        start = datetime(2024, 1, 1, tzinfo=UTC)
        for i in range(args.files):
            sections = {
                SECTIONS[(i + k) % 5]: f"entry {i} part {k}: " + "some words " * (20 + i % 60) for k in range(2)
            }
            write_old_entry(
                old, start + timedelta(minutes=37 * i, milliseconds=i % 1000), sections, random_micros=i % 1000
            )
        size = sum(p.stat().st_size for p in old.rglob("*.md"))
        print(f"{args.files} files, {size / 1e6:.1f} MB")
        n = args.files
        t = journal_cli(env, "import", str(old), "--type", "user")
        print(f"import:             {t:6.2f} s  ({n / t:,.0f} files/s, process start included)")
        t = journal_cli(env, "import", str(old), "--type", "user")
        print(f"import again (dup): {t:6.2f} s  ({n / t:,.0f} files/s)")
        t = journal_cli(env, "export", "--format", "markdown", str(root / "md"), "--type", "user")
        print(f"export markdown:    {t:6.2f} s  ({n / t:,.0f} entries/s)")
        t = journal_cli(env, "export", "--format", "jsonl", str(root / "all.jsonl"))
        print(f"export jsonl:       {t:6.2f} s  ({n / t:,.0f} entries/s)")
        t = journal_cli(env, "backup", str(root / "backup"))
        db = root / "home" / ".private-journal" / "journal.db"
        print(f"backup:             {t:6.2f} s  ({db.stat().st_size / 1e6:.1f} MB database, integrity check included)")


if __name__ == "__main__":
    main()
