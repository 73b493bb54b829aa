"""The scripted model for the session tests: delegate to one agent, which searches and writes the journal.

The main agent calls the `Agent` tool with the agent type Claude Code lists for the agent under test.
Inside that subagent (recognised by its system prompt, the agent's body) the model loads the journal
tools with `ToolSearch`, using the names the agent's own text gives, then calls search_journal and
process_thoughts with a unique marker, then answers. Every tool result is kept for the assertions.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

from tests.clients.fakeapi import Block, text, tool_use

# Claude Code connects MCP servers in the background; ToolSearch says when one is still connecting.
CONNECT_RETRIES = 30
AGENT_TYPES_HEADING = "Available agent types for the Agent tool:"
AGENT_LINE = re.compile(r"^- ([\w:.-]+): ", re.M)
# `mcp__server__{a, b}` (the journal rhythm's list) and `mcp__server__tool`.
BRACED = re.compile(r"\b(mcp__[\w-]+?__)\{([^}]*)\}")
TOOL_NAME = re.compile(r"\bmcp__[\w-]+?__[a-z_]+\b")


def all_text(value: Any) -> str:
    """Every string inside a request part, joined: system blocks, messages, tool results."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(all_text(v) for v in value)
    if isinstance(value, dict):
        return "\n".join(all_text(v) for k, v in value.items() if k in ("text", "content", "description"))
    return ""


def listed_agent_types(body: dict[str, Any]) -> list[str]:
    """The agent types Claude Code offers the main agent (a system message, or the Agent tool's description)."""
    agent_tool = [t for t in body.get("tools", []) if t.get("name") == "Agent"]
    found = []
    for chunk in [all_text(agent_tool), all_text(body.get("messages", []))]:
        for part in chunk.split(AGENT_TYPES_HEADING)[1:]:
            block = part.split("\n\n")[0]
            found += AGENT_LINE.findall(block)
    return found


def tool_names_in(body_text: str) -> list[str]:
    """The MCP tool names an agent's text gives, with `mcp__server__{a, b}` expanded."""
    names = [prefix + item.strip() for prefix, items in BRACED.findall(body_text) for item in items.split(",")]
    names += TOOL_NAME.findall(BRACED.sub("", body_text))
    return list(dict.fromkeys(n for n in names if n))


def system_text(body: dict[str, Any]) -> str:
    system = body.get("system", "")
    return all_text(system)


def tool_results(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """tool_use_id -> its tool_result block, for every result in the request's messages."""
    results = {}
    for message in body.get("messages", []):
        content = message.get("content")
        if isinstance(content, list):
            for block in content:
                if isinstance(block, dict) and block.get("type") == "tool_result":
                    results[block["tool_use_id"]] = block
    return results


@dataclass
class RoundTrip:
    """The script for one session. `agent` is the agent's name; `body_start` a line only its body has."""

    agent: str
    body_start: str
    marker: str
    chosen_type: str | None = None
    offered_types: list[str] = field(default_factory=list)
    subagent_system: str | None = None
    calls: dict[str, Block] = field(default_factory=dict)  # tool_use id -> the call
    results: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __call__(self, body: dict[str, Any]) -> list[Block]:
        self.results.update(tool_results(body))
        turns = sum(1 for m in body.get("messages", []) if m.get("role") == "assistant")
        if self.body_start in system_text(body):
            self.subagent_system = system_text(body)
            return self._remember(self._subagent(turns))
        if any(t.get("name") == "Agent" for t in body.get("tools", [])) and turns == 0:
            self.offered_types = listed_agent_types(body)
            matches = [t for t in self.offered_types if t == self.agent or t.endswith(":" + self.agent)]
            if not matches:
                return [text(f"no agent type for {self.agent} among {self.offered_types}")]
            self.chosen_type = matches[0]
            prompt = "Design the serving topology for a 7B model on one L4 at 20 requests per second."
            call = {"subagent_type": self.chosen_type, "description": "serving design", "prompt": prompt}
            return self._remember([tool_use("Agent", dict(call, run_in_background=False))])
        return [text(f"finished {self.marker}")]

    def _subagent(self, turns: int) -> list[Block]:
        names = tool_names_in(self.subagent_system or "")
        search = next(n for n in names if n.endswith("__search_journal"))
        write = next(n for n in names if n.endswith("__process_thoughts"))
        done = [c["name"] for c in self.calls.values() if c["id"] in self.results]
        last = next(reversed(self.calls.values()), None)
        if not done or (last is not None and last["name"] == "ToolSearch" and self._still_connecting(last)):
            if len(done) >= CONNECT_RETRIES:
                return [text("the journal tools never became available")]
            if done:
                time.sleep(1)  # as a model would: "try searching again" once the servers have connected
            return [tool_use("ToolSearch", {"query": f"select:{search},{write}"})]
        if search not in done:
            return [tool_use(search, {"query": "serving latency on L4"})]
        if write not in done:
            return [tool_use(write, {"project_notes": f"Round trip {self.marker}: one L4 serves the 7B model."})]
        return [text(f"Design done; recorded {self.marker}.")]

    def _still_connecting(self, call: Block) -> bool:
        return "still connecting" in result_text(self.results.get(call["id"], {}))

    def _remember(self, blocks: list[Block]) -> list[Block]:
        for block in blocks:
            if block["type"] == "tool_use":
                block.setdefault("id", f"toolu_{len(self.calls) + 1:04d}_{self.marker[-6:]}")
                self.calls[block["id"]] = block
        return blocks

    def outcome(self, name_suffix: str) -> tuple[Block, dict[str, Any]] | None:
        """The last call whose tool name ends with `name_suffix`, and its result, if both were seen."""
        found = None
        for call_id, call in self.calls.items():
            if call["name"].endswith(name_suffix) and call_id in self.results:
                found = call, self.results[call_id]
        return found


def result_text(result: dict[str, Any]) -> str:
    return all_text(result.get("content", ""))


def dumps(value: Any) -> str:
    return json.dumps(value, indent=1)[:4000]
