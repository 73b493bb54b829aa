"""Each MCP tool through the in-memory client: behaviour, filters and bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from journal_mcp.service.journal import Journal
from tests.journal.helpers import error_text, ok, text_of

pytestmark = pytest.mark.anyio

TOOLS = {"process_thoughts", "search_journal", "list_recent_entries", "read_recent_entries", "read_journal_entry"}


async def test_tool_list_schemas_and_annotations(client) -> None:
    listed = {t.name: t for t in (await client.list_tools()).tools}
    assert set(listed) == TOOLS
    props = listed["process_thoughts"].input_schema["properties"]
    for name in (
        "reflections",
        "observations",
        "feelings",
        "project_notes",
        "user_context",
        "technical_insights",
        "world_knowledge",
    ):
        assert name in props, name
        assert props[name].get("description")
    search = listed["search_journal"].input_schema
    assert search["required"] == ["query"]
    assert set(search["properties"]) >= {"query", "limit", "type", "sections", "since", "until", "min_score"}
    assert set(listed["list_recent_entries"].input_schema["properties"]) == {"limit", "type", "days"}
    assert set(listed["read_recent_entries"].input_schema["properties"]) == {"limit", "type"}
    assert listed["read_journal_entry"].input_schema["required"] == ["path"]
    for name, tool in listed.items():
        assert tool.description and len(tool.description) > 60, name
        assert tool.output_schema, name
        assert tool.annotations.read_only_hint is (name != "process_thoughts"), name
        assert tool.annotations.open_world_hint is False


async def test_server_has_instructions(client) -> None:
    assert "search_journal" in (client.instructions or "")


async def test_process_thoughts_splits_project_and_user(client, settings) -> None:
    data = ok(
        await client.call_tool(
            "process_thoughts",
            {
                "project_notes": "The serving config lives in deploy/values.yaml",
                "feelings": "Relieved the rollout worked",
                "reflections": "I should profile before optimising",
                "technical_insights": "Continuous batching doubles throughput",
            },
        )
    )
    kinds = {e["type"]: e for e in data["entries"]}
    assert set(kinds) == {"project", "user"}
    assert kinds["project"]["sections"] == ["Project Notes"]
    assert kinds["user"]["sections"] == ["Reflections", "Feelings", "Technical Insights"]
    assert settings.project_db_path.exists() and settings.user_db_path.exists()
    project = ok(await client.call_tool("read_journal_entry", {"path": kinds["project"]["path"]}))
    user = ok(await client.call_tool("read_journal_entry", {"path": kinds["user"]["path"]}))
    assert project["timestamp"] == user["timestamp"]
    assert project["sections"] == {"Project Notes": "The serving config lives in deploy/values.yaml"}
    # v1's `feelings` is kept as its own section next to v2's `reflections`.
    assert user["sections"]["Feelings"] == "Relieved the rollout worked"
    assert user["sections"]["Reflections"] == "I should profile before optimising"


async def test_only_user_sections_create_no_project_journal(client, settings) -> None:
    ok(await client.call_tool("process_thoughts", {"world_knowledge": "HBM3 has ~3 TB/s"}))
    assert settings.user_db_path.exists()
    assert not settings.project_journal_dir.exists()


async def test_v1_agent_arguments_work_unchanged(client) -> None:
    result = await client.call_tool(
        "process_thoughts", {"feelings": "frustrated with TypeScript", "user_context": "Jesse likes small PRs"}
    )
    assert "Thoughts recorded successfully." in text_of(result)
    found = ok(await client.call_tool("search_journal", {"query": "TypeScript", "sections": ["feelings"]}))
    assert len(found["hits"]) == 1


async def test_search_natural_language_and_ranking(client) -> None:
    await client.call_tool("process_thoughts", {"technical_insights": "vLLM ran out of GPU memory at startup"})
    await client.call_tool("process_thoughts", {"technical_insights": "Triton dynamic batching config"})
    await client.call_tool("process_thoughts", {"technical_insights": "Tea is nice"})
    data = ok(await client.call_tool("search_journal", {"query": "times I was stuck on GPU memory with vLLM"}))
    assert data["hits"][0]["excerpt"].startswith("vLLM ran out of GPU memory")
    assert "keyword" in data["hits"][0]["matched"]
    assert all("Tea" not in h["excerpt"] for h in data["hits"])
    text = text_of(await client.call_tool("search_journal", {"query": "GPU memory"}))
    assert "Found 1 relevant entry:" in text and "Path: user/" in text and "Excerpt:" in text


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced',
        "gpu*",
        "(memory",
        "NEAR",
        "a AND",
        "OR OR",
        "x:y",
        "-minus",
        "NOT",
        "^start",
        "{col}",
        "'; DROP TABLE entries; --",
        "\u0000",
        "💥",
        "   .",
    ],
)
async def test_fts_syntax_in_queries_never_errors(client, query: str) -> None:
    await client.call_tool("process_thoughts", {"observations": "gpu memory AND near misses (parenthesised)"})
    result = await client.call_tool("search_journal", {"query": query})
    assert not result.is_error, text_of(result)


async def test_sections_filter_accepts_keys_and_display_names(client) -> None:
    await client.call_tool("process_thoughts", {"technical_insights": "kv-cache paging", "observations": "kv-cache"})
    for sections in (["technical_insights"], ["Technical Insights"], ["technical insights"]):
        data = ok(await client.call_tool("search_journal", {"query": "kv-cache", "sections": sections}))
        assert len(data["hits"]) == 1
        assert "Technical Insights" in data["hits"][0]["sections"]


async def test_type_filter(client) -> None:
    await client.call_tool("process_thoughts", {"project_notes": "quantize to int8", "technical_insights": "int8 wins"})
    both = ok(await client.call_tool("search_journal", {"query": "int8"}))
    project = ok(await client.call_tool("search_journal", {"query": "int8", "type": "project"}))
    user = ok(await client.call_tool("search_journal", {"query": "int8", "type": "user"}))
    assert len(both["hits"]) == 2
    assert [h["type"] for h in project["hits"]] == ["project"]
    assert [h["type"] for h in user["hits"]] == ["user"]


async def test_date_filters_are_applied_before_the_limit(journal: Journal, client) -> None:
    now = datetime.now(UTC)
    for i in range(60):
        journal.write({"technical_insights": f"batching note {i}"}, created_at=now - timedelta(days=60 - i))
    for i in range(5):
        journal.write({"technical_insights": f"batching old {i}"}, created_at=now - timedelta(days=400 + i))
    old = ok(await client.call_tool("search_journal", {"query": "batching", "until": "300d", "limit": 10}))
    assert len(old["hits"]) == 5 and all("old" in h["excerpt"] for h in old["hits"])
    recent = ok(await client.call_tool("search_journal", {"query": "batching", "since": "10d", "limit": 5}))
    assert len(recent["hits"]) == 5 and all("note" in h["excerpt"] for h in recent["hits"])
    day = (now - timedelta(days=30)).astimezone().date().isoformat()
    one_day = ok(await client.call_tool("search_journal", {"query": "batching", "since": day, "until": day}))
    assert len(one_day["hits"]) == 1


async def test_list_recent_entries_newest_first_within_days(journal: Journal, client) -> None:
    now = datetime.now(UTC)
    journal.write({"observations": "ancient"}, created_at=now - timedelta(days=90))
    journal.write({"observations": "older"}, created_at=now - timedelta(days=2))
    journal.write({"project_notes": "newest"}, created_at=now - timedelta(hours=1))
    data = ok(await client.call_tool("list_recent_entries", {}))
    assert [h["excerpt"] for h in data["hits"]] == ["newest", "older"]
    assert [h["excerpt"] for h in ok(await client.call_tool("list_recent_entries", {"days": 365}))["hits"]] == [
        "newest",
        "older",
        "ancient",
    ]
    assert len(ok(await client.call_tool("list_recent_entries", {"limit": 1}))["hits"]) == 1
    assert [h["type"] for h in ok(await client.call_tool("list_recent_entries", {"type": "project"}))["hits"]] == [
        "project"
    ]
    assert "Recent entries (last 30 days)" in text_of(await client.call_tool("list_recent_entries", {}))


async def test_read_recent_entries_full_text(client) -> None:
    long_text = "word " * 400
    await client.call_tool("process_thoughts", {"world_knowledge": long_text})
    await client.call_tool("process_thoughts", {"observations": "second"})
    data = ok(await client.call_tool("read_recent_entries", {"limit": 5}))
    assert data["entries"][0]["sections"] == {"Observations": "second"}
    assert data["entries"][1]["sections"]["World Knowledge"] == long_text.strip()
    assert "## World Knowledge" in text_of(await client.call_tool("read_recent_entries", {}))


@pytest.mark.parametrize(
    "path",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "~/.ssh/id_rsa",
        "user/../../x",
        "project/20261122-101503-123456-a1b2c3",
        "user/20261122-101503-123456-a1b2c3",
        "",
        "user/20261122-101503-123456-a1b2c3\n",
        "C:\\Windows",
        "file:///etc/passwd",
    ],
)
async def test_read_journal_entry_rejects_anything_but_a_known_id(client, path: str) -> None:
    await client.call_tool("process_thoughts", {"project_notes": "x", "observations": "y"})
    assert "No journal entry has the id" in error_text(await client.call_tool("read_journal_entry", {"path": path}))


async def test_symlinks_planted_in_the_journal_directory_are_never_followed(client, settings, tmp_path) -> None:
    """Ids resolve to database rows, never to files: a symlink named like an entry reads nothing."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    data = ok(await client.call_tool("process_thoughts", {"observations": "real entry"}))
    entry_id = data["entries"][0]["path"]
    planted = "user/20260101-000000-000000-abcdef"
    for name in (planted.split("/", 1)[1], planted.split("/", 1)[1] + ".md", "secret"):
        (settings.user_journal_dir / name).symlink_to(secret)
    for path in (planted, str(settings.user_journal_dir / "secret"), "user/secret"):
        text = error_text(await client.call_tool("read_journal_entry", {"path": path}))
        assert "No journal entry" in text and "TOP SECRET" not in text
    assert "real entry" in text_of(await client.call_tool("read_journal_entry", {"path": entry_id}))


async def test_ids_of_the_other_journal_kind_are_not_found(client) -> None:
    data = ok(await client.call_tool("process_thoughts", {"observations": "only user"}))
    user_id = data["entries"][0]["path"]
    swapped = "project/" + user_id.split("/", 1)[1]
    assert "No journal entry" in error_text(await client.call_tool("read_journal_entry", {"path": swapped}))


@pytest.mark.parametrize(
    ("tool", "args", "expect"),
    [
        ("process_thoughts", {}, "at least one non-empty section"),
        ("process_thoughts", {"feelings": "   \n\t"}, "at least one non-empty section"),
        ("process_thoughts", {"feelings": ""}, "at least one non-empty section"),
        ("process_thoughts", {"feelings": 42}, "feelings"),
        ("process_thoughts", {"feelings": "x" * 100_001}, "limit is 100,000"),
        ("search_journal", {"query": "x", "sections": ["mood"]}, "Valid sections: reflections"),
        ("search_journal", {"query": "x", "limit": 0}, "limit"),
        ("search_journal", {"query": "x", "limit": 101}, "limit"),
        ("search_journal", {"query": "x", "type": "team"}, "type"),
        ("search_journal", {"query": "x", "since": "last tuesday-ish"}, "Cannot read 'last tuesday-ish' as a date"),
        ("search_journal", {"query": "x", "until": "2026-13-45"}, "Cannot read"),
        ("search_journal", {"query": "x", "since": "2026-02-01", "until": "2026-01-01"}, "swap them"),
        ("search_journal", {"query": ""}, "query must be"),
        ("search_journal", {"query": "x", "min_score": 3}, "min_score"),
        ("search_journal", {}, "query"),
        ("list_recent_entries", {"limit": 500}, "limit"),
        ("list_recent_entries", {"days": -1}, "days"),
        ("list_recent_entries", {"type": "everyone"}, "type"),
        ("read_recent_entries", {"limit": 0}, "limit"),
        ("read_journal_entry", {}, "path"),
    ],
)
async def test_bad_input_is_a_clear_tool_error_and_writes_nothing(client, journal: Journal, tool, args, expect):
    before = journal.read_recent(limit=100).entries
    message = error_text(await client.call_tool(tool, args))
    assert expect in message
    assert journal.read_recent(limit=100).entries == before


async def test_control_characters_and_surrogates_are_stored_safely(client) -> None:
    data = ok(await client.call_tool("process_thoughts", {"observations": "nul\x00bell\x07 tab\tok \ud800 lone 🎉"}))
    entry = ok(await client.call_tool("read_journal_entry", {"path": data["entries"][0]["path"]}))
    body = entry["sections"]["Observations"]
    assert "\x00" not in body and "\x07" not in body and "\ud800" not in body
    assert "tab\tok" in body and "🎉" in body and body.count("\ufffd") == 3


async def test_secrets_are_redacted_before_storage(client, settings) -> None:
    key = "AKIA" + "IOSFODNN7EXAMPLE"
    data = ok(await client.call_tool("process_thoughts", {"project_notes": f"deploy key {key} works"}))
    assert data["redactions"] == 1
    entry = ok(await client.call_tool("read_journal_entry", {"path": data["entries"][0]["path"]}))
    assert key not in entry["text"] and "[REDACTED:aws-access-key]" in entry["text"]
    assert key.encode() not in settings.project_db_path.read_bytes()
