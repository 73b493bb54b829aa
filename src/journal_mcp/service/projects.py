"""Per-client project journals for one shared server (`serve --http`).

A stdio server belongs to one session and one project. A shared HTTP server serves many: each
client names its project in the `X-Private-Journal-Project` header (agent-pack writes it into the
project's `.mcp.json`), and its project notes go to that project's own journal. The user journal,
the open databases and the loaded model are shared.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from journal_mcp.core.config import PROJECT_HEADER, Settings, default_project_journal, projects_root
from journal_mcp.core.errors import InvalidInputError
from journal_mcp.service.journal import Journal


class ProjectJournals:
    """The journal for each client's project, all sharing the base journal's stores and model."""

    def __init__(self, base: Journal, *, on_open: Callable[[Journal], object] | None = None) -> None:
        self.base = base
        self._on_open = on_open  # run once for each project's journal (the server imports old journals)
        self._by_dir: dict[str, Journal] = {}
        self._lock = threading.Lock()

    def for_project(self, project_dir: str | None) -> Journal:
        """The journal for `project_dir` (an absolute path of an existing directory); the base one for None."""
        if project_dir is None or not project_dir.strip():
            return self.base
        path = Path(project_dir.strip())
        if not path.is_absolute() or not path.is_dir():
            raise InvalidInputError(
                f"The {PROJECT_HEADER} header must be the absolute path of an existing project directory; "
                f"got {project_dir!r}. Re-run `agent-pack install --http URL` in the project to fix the registration."
            )
        key = str(path.resolve())
        with self._lock:
            found = self._by_dir.get(key)
            if found is None:
                settings = project_settings(self.base.settings, Path(key))
                found = Journal(settings, semantic=self.base.semantic, share_stores_with=self.base)
                if self._on_open is not None:
                    self._on_open(found)
                self._by_dir[key] = found
            return found


def project_settings(base: Settings, project_dir: Path) -> Settings:
    """`base` with the project journal of `project_dir`, decided as for a server started there."""
    root = base.projects_root or projects_root({}, Path.home())
    journal_dir, legacy = default_project_journal(project_dir, Path.home(), root, base.user_journal_dir)
    return base.model_copy(
        update={"project_dir": project_dir, "project_journal_dir": journal_dir, "legacy_project_journal_dir": legacy}
    )
