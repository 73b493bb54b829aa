"""Reading and writing clients' config files: JSON, JSON with comments (VS Code, Gemini CLI) and TOML (Codex).

Every format answers the same questions: the entry for a server name, the document with an entry
set or removed (everything else kept), and the bytes to write. A file that does not parse is an
McpConfigError naming the file and the place, and nothing is written.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import json5
import tomlkit
import tomlkit.exceptions
import tomlkit.items

from agent_pack.errors import McpConfigError

Entry = dict[str, Any]


def _hint(path: Path) -> str:
    return f"fix {path} by hand (nothing was changed), or rerun with --no-mcp"


def _read_text(path: Path) -> str | None:
    if not path.exists():
        return None
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise McpConfigError(f"{path} is not UTF-8 text", hint=_hint(path)) from exc
    except OSError as exc:
        raise McpConfigError(f"cannot read {path}: {exc.strerror or exc}", hint=_hint(path)) from exc


@dataclass(frozen=True)
class JsonServers:
    """A JSON object whose `key` maps server names to entries. `comments`: the client accepts JSONC."""

    key: str = "mcpServers"
    comments: bool = False

    def load(self, path: Path) -> dict[str, Any] | None:
        text = _read_text(path)
        if text is None:
            return None
        if not text.strip():
            return {}
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            if not self.comments:
                raise McpConfigError(
                    f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}", hint=_hint(path)
                ) from exc
            # JSON with comments and trailing commas, as VS Code and Gemini CLI accept (json5 reads it).
            try:
                data = json5.loads(text)
            except ValueError as exc5:
                raise McpConfigError(f"{path} is not valid JSON with comments: {exc5}", hint=_hint(path)) from exc5
        if not isinstance(data, dict):
            raise McpConfigError(f"{path} must hold a JSON object, not {type(data).__name__}", hint=_hint(path))
        if not isinstance(data.get(self.key, {}), dict):
            raise McpConfigError(f'{path}: "{self.key}" must be a JSON object', hint=_hint(path))
        return data

    def has_comments(self, path: Path) -> bool:
        """True when the file parses only as JSONC: rewriting it drops its comments (a backup keeps them)."""
        text = _read_text(path)
        if not text or not text.strip():
            return False
        try:
            json.loads(text)
        except json.JSONDecodeError:
            return True
        return False

    def get(self, doc: Any, name: str) -> Entry | None:
        entry = (doc or {}).get(self.key, {}).get(name)
        return entry if isinstance(entry, dict) else None

    def put(self, doc: Any, name: str, entry: Entry) -> dict[str, Any]:
        result = copy.deepcopy(doc) if doc is not None else {}
        result.setdefault(self.key, {})[name] = copy.deepcopy(entry)
        return result

    def drop(self, doc: Any, name: str) -> dict[str, Any]:
        result = copy.deepcopy(doc)
        result.get(self.key, {}).pop(name, None)
        return result

    def is_empty(self, doc: Any) -> bool:
        return doc == {} or doc == {self.key: {}}

    def dump(self, doc: Any) -> bytes:
        return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


@dataclass(frozen=True)
class TomlServers:
    """A TOML file with one `[TABLE.NAME]` table per server (Codex's `[mcp_servers.NAME]`).

    tomlkit edits the document in place, so the user's comments, order and formatting survive.
    """

    table: str = "mcp_servers"

    def load(self, path: Path) -> tomlkit.TOMLDocument | None:
        text = _read_text(path)
        if text is None:
            return None
        try:
            doc = tomlkit.parse(text)
        except tomlkit.exceptions.ParseError as exc:
            raise McpConfigError(f"{path} is not valid TOML: {exc}", hint=_hint(path)) from exc
        if not isinstance(doc.get(self.table, {}), dict):
            raise McpConfigError(f"{path}: [{self.table}] must be a table", hint=_hint(path))
        return doc

    def has_comments(self, path: Path) -> bool:
        return False  # tomlkit keeps them

    def get(self, doc: Any, name: str) -> Entry | None:
        if doc is None:
            return None
        entry = doc.get(self.table, {}).get(name)
        if isinstance(entry, tomlkit.items.Item):
            entry = entry.unwrap()
        return entry if isinstance(entry, dict) else None

    def put(self, doc: Any, name: str, entry: Entry) -> tomlkit.TOMLDocument:
        result = copy.deepcopy(doc) if doc is not None else tomlkit.document()
        if self.table not in result:
            servers = tomlkit.table(is_super_table=True)
            result[self.table] = servers
        table = tomlkit.table()
        for key, value in entry.items():
            table[key] = _inline(value)
        result[self.table][name] = table
        return result

    def drop(self, doc: Any, name: str) -> tomlkit.TOMLDocument:
        result = copy.deepcopy(doc)
        servers = result.get(self.table)
        if servers is not None and name in servers:
            del servers[name]
            if not servers:
                del result[self.table]
        return result

    def is_empty(self, doc: Any) -> bool:
        return not doc.unwrap() and not doc.as_string().strip()

    def dump(self, doc: Any) -> bytes:
        text = tomlkit.dumps(doc).rstrip("\n")  # removing our table leaves the blank line before it
        return (text + "\n" if text else "").encode("utf-8")


def _inline(value: Any) -> Any:
    """Nested tables inside a server (`http_headers`, `env`) as inline tables, the way Codex's docs write them."""
    if isinstance(value, dict):
        table = tomlkit.inline_table()
        for key, item in value.items():
            table[key] = _inline(item)
        return table
    return value


Format = JsonServers | TomlServers
