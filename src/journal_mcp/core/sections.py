"""The journal's section names: snake_case keys (tool arguments) and their display names (headings)."""

from __future__ import annotations

from journal_mcp.core.errors import InvalidInputError

# Order is the order sections are shown in an entry. `feelings` is v1's name for what v2 calls
# `reflections`; both are kept as separate sections so agents of either version work unchanged.
SECTION_TITLES: dict[str, str] = {
    "reflections": "Reflections",
    "feelings": "Feelings",
    "observations": "Observations",
    "project_notes": "Project Notes",
    "user_context": "User Context",
    "technical_insights": "Technical Insights",
    "world_knowledge": "World Knowledge",
}

# Sections written to the project journal; every other section goes to the user journal.
PROJECT_SECTIONS: frozenset[str] = frozenset({"project_notes"})

_LOOKUP: dict[str, str] = {}
for _key, _title in SECTION_TITLES.items():
    _LOOKUP[_key] = _key
    _LOOKUP[_title.lower()] = _key
    _LOOKUP[_key.replace("_", "-")] = _key


def section_key(name: str) -> str:
    """Return the snake_case key for a section given as key or display name, any case.

    >>> section_key("Technical Insights")
    'technical_insights'
    """
    key = _LOOKUP.get(" ".join(name.strip().split()).lower())
    if key is None:
        valid = ", ".join(SECTION_TITLES)
        raise InvalidInputError(f"Unknown section {name!r}. Valid sections: {valid}.")
    return key


def section_keys(names: list[str] | None) -> list[str] | None:
    """Normalise an optional list of section names (None or empty means: all sections)."""
    if not names:
        return None
    return list(dict.fromkeys(section_key(n) for n in names))


def section_title(key: str) -> str:
    return SECTION_TITLES[key]
