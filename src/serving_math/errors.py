"""The serving-math error hierarchy; the MCP layer turns these into tool errors a model reads."""

from __future__ import annotations

from collections.abc import Iterable


class ServingMathError(Exception):
    """Base class: every message is a full sentence naming the argument and what is accepted."""


class InvalidArgument(ServingMathError):
    """An argument has a value outside what the formulas accept."""

    def __init__(self, argument: str, problem: str, accepted: str) -> None:
        self.argument = argument
        super().__init__(f"{argument}: {problem}; accepted: {accepted}.")


class UnknownName(InvalidArgument):
    """A model or accelerator name that is not in the catalogue."""

    def __init__(self, argument: str, given: str, known: Iterable[str], hint: str = "") -> None:
        self.known = sorted(known)
        accepted = "one of " + ", ".join(self.known)
        if hint:
            accepted += f" ({hint})"
        super().__init__(argument, f"unknown {argument} {given!r}", accepted)


class CatalogError(ServingMathError):
    """A catalogue file (shipped or the user's) cannot be read or has an invalid entry."""
