"""Seed fidelity: each agent's body is the user's seed text, changed only by the documented normalisations.

Normalisations (docs/agent-pack.md): frontmatter made valid YAML (descriptions double-quoted; seed 001's
backslash-n sequences kept as YAML escapes so they read as the newlines they stand for), seed 000's mojibake
heading restored to its emoji, a frontmatter added where a seed had none, the journal rhythm appended to
the agents whose seeds lack it, one last line in every agent naming the serving-math tools (SERVING_MATH), and
in the user's descriptions "Task tool" named by its current name, "Agent tool".
Seed 002 (a prompt template) becomes its system prompt plus its three inputs.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

from agent_pack.agentfile import parse_agent
from agent_pack.validate import COLORS, MODEL_ALIASES, NAME_RE
from tests.agent_pack.helpers import AGENTS_DIR, REPO

SEEDS = Path(os.environ.get("JOURNAL_AGENT_PACK_SEEDS", REPO.parent / "shared" / "seeds"))
pytestmark = pytest.mark.skipif(
    not SEEDS.is_dir(), reason=f"the seed documents are not at {SEEDS} (set JOURNAL_AGENT_PACK_SEEDS)"
)

RHYTHM = """## 📔 JOURNAL RHYTHM

- MCP tools: mcp__private-journal__{process_thoughts, search_journal, list_recent_entries, read_journal_entry}

**Every task begins with search and ends with reflection.**

### **BEFORE any work**

Search for prior solutions, patterns, and gotchas with `mcp__private-journal__search_journal`.

### **AFTER completing work**

Document insights and learnings with `mcp__private-journal__process_thoughts`.
"""


def agent_tool(description: str) -> str:
    """Claude Code's subagent tool was renamed from Task to Agent; the user's examples name it by its new name."""
    return description.replace("Task tool", "Agent tool")


# The one line appended to every agent (after the journal rhythm, as its own paragraph): the serving-math
# server's tools, so the agents compute sizing numbers instead of guessing them (issue 16).
SERVING_MATH = (
    "**Serving math:** compute memory fit, latency, throughput and SLA feasibility with "
    "`mcp__serving-math__check_sla`, `mcp__serving-math__memory_fit` and `mcp__serving-math__estimate_performance` "
    "instead of estimating them, and state the assumptions they report.\n"
)


def without_serving_math(body: str) -> str:
    """The body with the serving-math line taken off its end (it must be there, exactly once, last)."""
    assert body.endswith("\n\n" + SERVING_MATH) and body.count("mcp__serving-math__check_sla") == 1
    return body.removesuffix("\n" + SERVING_MATH)


def seed_text(number: str) -> str:
    (path,) = SEEDS.glob(f"{number}_*.txt")
    return path.read_text(encoding="utf-8")


def agent(name: str) -> tuple[dict[str, object], str]:
    parsed = parse_agent((AGENTS_DIR / f"{name}.md").read_text(encoding="utf-8"), name)
    assert parsed.frontmatter is not None
    return parsed.frontmatter, parsed.body


def seed_frontmatter(text: str) -> tuple[dict[str, str], str]:
    """The seeds' frontmatter is not YAML (unquoted ': '), so read it line by line as `key: value`."""
    head, _, body = text[len("---\n") :].partition("\n---\n")
    fields = dict(line.split(": ", 1) for line in head.splitlines())
    return fields, body


def unmojibake(text: str) -> str:
    """Undo UTF-8 read as Windows-1252, line by line where that round-trips."""
    out = []
    for line in text.split("\n"):
        try:
            out.append(line.encode("cp1252").decode("utf-8"))
        except (UnicodeEncodeError, UnicodeDecodeError):
            out.append(line)
    return "\n".join(out)


def test_000_ai_platform_architect() -> None:
    fields, body = seed_frontmatter(seed_text("000"))
    fm, agent_body = agent("ai-platform-architect")
    assert "Task tool" in fields["description"]
    assert fm == {
        "name": fields["name"],
        "description": agent_tool(fields["description"]),
        "model": "sonnet",
        "color": "blue",
    }
    assert "ðŸ“”" in body  # the seed's mojibake ...
    agent_body = without_serving_math(agent_body)
    assert agent_body.lstrip("\n") == unmojibake(body).lstrip("\n")  # ... is the only other change to the body
    assert "## 📔 JOURNAL RHYTHM" in agent_body


def test_001_ml_deployment_engineer() -> None:
    fields, body = seed_frontmatter(seed_text("001"))
    fm, agent_body = agent("ml-deployment-engineer")
    assert "Task tool" in fields["description"]
    assert fm["description"] == agent_tool(fields["description"]).replace("\\n", "\n")
    assert "\n\n<example>\nContext:" in str(fm["description"])
    assert (fm["name"], fm["model"], fm["color"]) == (fields["name"], "inherit", "red")
    assert without_serving_math(agent_body).lstrip("\n") == body.lstrip("\n").rstrip("\n") + "\n\n" + RHYTHM


def test_002_prompt_template_became_an_agent() -> None:
    lines = seed_text("002").splitlines()
    system = "\n".join(lines[lines.index("- role: system") + 2 : lines.index("- role: user")])
    fm, body = agent("ai-model-inference-serving-architect")
    body = without_serving_math(body)
    assert fm["name"] == "-".join(re.findall(r"[a-z0-9]+", "AI Model Inference Serving Architect".lower()))
    assert fm["model"] in MODEL_ALIASES and fm["model"] != "gpt-4o"
    assert str(fm["description"]).startswith(lines[1]) and "Use this agent when" in str(fm["description"])
    assert body.lstrip("\n").startswith(system + "\n\n## Inputs\n")
    assert "Design an AI model inference serving architecture based on the following parameters." in body
    variables = re.findall(r"^- name: (\w+)\ndescription: (.+)\nrequired: true$", "\n".join(lines), re.M)
    assert [v for v, _ in variables] == ["model_characteristics", "workload_profile", "infrastructure_constraints"]
    for variable, description in variables:
        assert f"(`{variable}`): {description}" in body
    assert body.endswith(RHYTHM)


def test_003_atlas_got_a_frontmatter_and_kept_every_line() -> None:
    seed = seed_text("003")
    fm, body = agent("atlas-model-serving-engineer")
    body = without_serving_math(body)
    assert fm["name"] == "atlas-model-serving-engineer" and "Use this agent when" in str(fm["description"])
    assert body.lstrip("\n") == seed.rstrip("\n") + "\n\n" + RHYTHM
    assert body.count("\n---\n") == seed.count("\n---\n")  # the horizontal rules are still rules


def test_every_agent_is_valid_unique_and_keeps_the_journal_rhythm() -> None:
    names, colors = set(), set()
    for path in sorted(AGENTS_DIR.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        fm, body = agent(path.stem)
        assert path.stem == fm["name"]
        assert NAME_RE.match(str(fm["name"])) and fm["color"] in COLORS and fm["model"] in MODEL_ALIASES
        names.add(fm["name"])
        colors.add(fm["color"])
        assert "JOURNAL RHYTHM" in body and "search_journal" in body and "process_thoughts" in body
        assert body.endswith("\n\n" + SERVING_MATH)
        assert not re.search("ð|â€|Ã", text), f"mojibake left in {path.name}"
        yaml.safe_load(text.split("\n---\n")[0][4:])  # the frontmatter is plain YAML
    assert len(names) == 4 and len(colors) == 4
