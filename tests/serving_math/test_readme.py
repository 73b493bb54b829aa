"""The README's worked example is the tool's real, current output (regenerate it when the model changes)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

from tests.agent_pack.helpers import REPO


def test_readme_example_is_the_real_output() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- serving-math example: serving-math (.+?) -->\n```\n\$ [^\n]+\n(.*?)```", readme, re.S)
    assert match, "the README's serving-math example block is missing"
    args, shown = shlex.split(match.group(1)), match.group(2)
    out = subprocess.run(
        [sys.executable, "-m", "serving_math", *args], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout == shown
