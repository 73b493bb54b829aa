"""Load the shipped catalogue (package data, read with importlib.resources) and the user's files.

User files are `*.toml` or `*.json` in the user catalogue directory (see `serving_math.config`),
with the same shape as the shipped files: lists under `accelerator` and `model`. An entry whose
`id` matches a shipped one replaces it; every entry needs a `source`.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from serving_math.catalog.schema import Accelerator, Entry, ModelArch
from serving_math.errors import CatalogError, UnknownName

E = TypeVar("E", bound=Entry)

SECTIONS: dict[str, type[Entry]] = {"accelerator": Accelerator, "model": ModelArch}


def name_key(name: str) -> str:
    """Compare names loosely: 'NVIDIA A100 80GB', 'a100-80gb' and 'A100_80GB' are one name."""
    key = re.sub(r"[^a-z0-9.]", "", name.lower())
    return key.removeprefix("nvidia").removeprefix("amd").removeprefix("intel") or key


@dataclass
class Table(Generic[E]):
    """Entries of one kind, found by id or any alias."""

    what: str  # the argument name used in errors: "accelerator" or "model"
    entries: dict[str, E] = field(default_factory=dict)
    _index: dict[str, str] = field(default_factory=dict)

    def add(self, entry: E) -> None:
        self.entries[entry.id] = entry
        for name in (entry.id, entry.name, *entry.aliases):
            self._index[name_key(name)] = entry.id

    def get(self, name: str) -> E:
        found = self._index.get(name_key(name))
        if found is None:
            close = difflib.get_close_matches(name_key(name), list(self._index), n=3, cutoff=0.6)
            hint = ""
            if close:
                hint = "did you mean " + " or ".join(sorted({self._index[c] for c in close})) + "?"
            raise UnknownName(self.what, name, self.entries, hint)
        return self.entries[found]

    def __iter__(self) -> Iterator[E]:
        return iter(self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)


@dataclass
class Catalog:
    accelerators: Table[Accelerator]
    models: Table[ModelArch]
    user_dir: Path | None = None
    user_files: list[str] = field(default_factory=list)

    def accelerator(self, name: str) -> Accelerator:
        return self.accelerators.get(name)

    def model(self, name: str) -> ModelArch:
        return self.models.get(name)


def _parse(text: str, origin: str, is_json: bool) -> dict[str, Any]:
    try:
        data = json.loads(text) if is_json else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(f"{origin}: not valid {'JSON' if is_json else 'TOML'}: {exc}.") from exc
    if not isinstance(data, dict):
        raise CatalogError(f"{origin}: the top level must be a table with 'accelerator' and/or 'model' lists.")
    unknown = set(data) - set(SECTIONS)
    if unknown:
        raise CatalogError(
            f"{origin}: unknown section(s) {', '.join(sorted(unknown))}; accepted: 'accelerator' and 'model' lists."
        )
    return data


def _entries(data: dict[str, Any], origin: str) -> list[Entry]:
    out: list[Entry] = []
    for section, cls in SECTIONS.items():
        items = data.get(section, [])
        if not isinstance(items, list):
            raise CatalogError(f"{origin}: '{section}' must be a list of tables ([[{section}]] in TOML).")
        for number, item in enumerate(items, 1):
            label = item.get("id", f"#{number}") if isinstance(item, dict) else f"#{number}"
            try:
                out.append(cls.model_validate({**item, "origin": origin}))
            except (ValidationError, TypeError) as exc:
                raise CatalogError(f"{origin}: {section} {label}: {_explain(exc)}.") from exc
    return out


def _explain(exc: Exception) -> str:
    if not isinstance(exc, ValidationError):
        return "each entry must be a table of fields"
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "entry"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def _shipped() -> list[Entry]:
    out: list[Entry] = []
    data_dir = resources.files("serving_math.catalog") / "data"
    for name in ("accelerators.toml", "models.toml"):
        text = (data_dir / name).read_text(encoding="utf-8")
        out.extend(_entries(_parse(text, name, is_json=False), "shipped"))
    return out


def load_catalog(user_dir: Path | None = None) -> Catalog:
    """The shipped catalogue plus every *.toml / *.json in `user_dir` (sorted by name; later wins)."""
    catalog = Catalog(Table("accelerator"), Table("model"), user_dir=user_dir)
    entries = _shipped()
    if user_dir is not None and user_dir.is_dir():
        for path in sorted(p for p in user_dir.iterdir() if p.suffix in (".toml", ".json") and p.is_file()):
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise CatalogError(f"{path}: cannot be read ({exc.strerror}).") from exc
            entries.extend(_entries(_parse(text, str(path), is_json=path.suffix == ".json"), str(path)))
            catalog.user_files.append(str(path))
    for entry in entries:
        if isinstance(entry, Accelerator):
            catalog.accelerators.add(entry)
        elif isinstance(entry, ModelArch):
            catalog.models.add(entry)
    return catalog
