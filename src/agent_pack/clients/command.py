"""The plan for `install`/`update`/`uninstall` with `--client NAME` (repeatable): Claude Code's and the others'."""

from __future__ import annotations

from agent_pack import plan
from agent_pack.agents import bundled_agents, bundled_skills
from agent_pack.clients import CLAUDE_CODE, get
from agent_pack.manifest import Manifest
from agent_pack.scope import Scope
from agent_pack.servers import servers_to_register


def build_plan(
    command: plan.Mode, scope: Scope, current: Manifest, options: plan.Options, names: list[str] | None
) -> plan.Plan:
    """No --client: Claude Code (agents and server), as always. Otherwise the named clients, in order."""
    wanted = list(dict.fromkeys(names or [CLAUDE_CODE]))
    others = [get(name) for name in wanted if name != CLAUDE_CODE]  # an unknown name fails before anything
    if command == "uninstall":
        the_plan = (
            plan.plan_uninstall(scope, current, options)
            if CLAUDE_CODE in wanted
            else plan.empty_plan(scope, current, command)
        )
        if others and options.mcp:
            from agent_pack.clients.planning import add_uninstalls

            add_uninstalls(the_plan, scope, [c.name for c in others], options)
        return the_plan
    the_plan = (
        plan.plan_install(scope, current, bundled_agents(), command, options, bundled_skills())
        if CLAUDE_CODE in wanted
        else plan.empty_plan(scope, current, command)
    )
    if others and options.mcp:
        from agent_pack.clients.planning import add_installs

        add_installs(the_plan, scope, others, servers_to_register(options.http_url), command, options)
    return the_plan
