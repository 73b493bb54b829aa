"""Tool arguments a model can read about: pydantic's validation errors as one sentence per argument.

The SDK reports a bad argument as pydantic's dump ("1 validation error for search_journalArguments
... https://errors.pydantic.dev/..."). A model does better with the argument's name, what it gave
and what is accepted.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

_KINDS = {
    "string_type": "must be text (a JSON string)",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "list_type": 'must be a list of strings, e.g. ["technical_insights", "Project Notes"]',
    "missing": "is required",
    "string_unicode": "must be valid Unicode text",
    "finite_number": "must be a finite number",
}


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _one(error: Any) -> str:
    loc = [str(part) for part in error.get("loc", ())]
    name = loc[0] if loc else "argument"
    if len(loc) > 1:
        name += "[" + "][".join(loc[1:]) + "]"
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "literal_error":
        wanted = f"must be one of {ctx.get('expected', '')}"
    elif kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        words = {"greater_than": "above", "greater_than_equal": "at least", "less_than": "below"}
        bound = next(iter(ctx.values()), "")
        wanted = f"must be {words.get(kind, 'at most')} {bound}"
    else:
        wanted = _KINDS.get(kind, str(error.get("msg", "is not valid")).lower())
    if kind == "missing":
        return f"{name} {wanted}."
    return f"{name} {wanted}; got {_shown(error.get('input'))}."


def describe(tool: str, exc: ValidationError) -> str:
    """One sentence per bad argument, e.g. "limit must be a whole number; got 'abc'."."""
    return f"Invalid arguments for {tool}: " + " ".join(_one(e) for e in exc.errors(include_url=False))
