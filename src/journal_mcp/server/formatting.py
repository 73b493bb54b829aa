"""Plain-text renderings of tool results: what a model reads (the old server's listing layout)."""

from __future__ import annotations

from journal_mcp.core.models import EntryListing, EntryViews, Hit, SearchResult, WriteResult


def write_text(result: WriteResult) -> str:
    lines = ["Thoughts recorded successfully."]
    for entry in result.entries:
        lines.append(f"- {entry.type} journal: {', '.join(entry.sections)} (path: {entry.path})")
    if result.redactions:
        lines.append(f"Note: {result.redactions} secret(s) were replaced by [REDACTED:...] before storage.")
    return "\n".join(lines)


def _hit_lines(index: int, hit: Hit, *, with_score: bool) -> list[str]:
    head = f"{index}. "
    if with_score:
        score = f"{hit.score:.3f}" if hit.score is not None else "n/a"
        head += f"[Score: {score}] "
    head += f"{hit.timestamp} ({hit.type})"
    if hit.matched:
        head += f" matched: {', '.join(hit.matched)}"
    return [
        head,
        f"   Sections: {', '.join(hit.sections)}",
        f"   Path: {hit.path}",
        f"   Excerpt: {hit.excerpt}",
    ]


def search_text(result: SearchResult) -> str:
    lines: list[str] = []
    if result.notice:
        lines += [f"Note: {result.notice}", ""]
    if not result.hits:
        lines.append("No relevant entries found.")
        return "\n".join(lines)
    count = len(result.hits)
    lines.append(f"Found {count} relevant {'entry' if count == 1 else 'entries'}:")
    for i, hit in enumerate(result.hits, 1):
        lines += ["", *_hit_lines(i, hit, with_score=True)]
    return "\n".join(lines)


def listing_text(result: EntryListing, days: float) -> str:
    span = f"{days:g} days"
    note = f"Notice: {result.notice}\n" if result.notice else ""
    if not result.hits:
        return f"{note}No entries found in the last {span}."
    lines = [f"{note}Recent entries (last {span}):"]
    for i, hit in enumerate(result.hits, 1):
        lines += ["", *_hit_lines(i, hit, with_score=False)]
    return "\n".join(lines)


def views_text(result: EntryViews) -> str:
    note = f"Notice: {result.notice}\n\n" if result.notice else ""
    if not result.entries:
        return f"{note}The journal has no entries yet."
    return note + "\n---\n\n".join(view.text for view in result.entries)
