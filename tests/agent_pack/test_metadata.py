"""Packaging metadata a user (or PyPI) reads: no made-up URLs, honest classifiers, README links that work off GitHub."""

from __future__ import annotations

import json
import re
import tomllib

from tests.agent_pack.helpers import REPO

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_the_manifests_name_no_url_the_project_does_not_have() -> None:
    """The project has no public repository yet: a homepage/repository URL would be a dead link."""
    for name in ("plugin.json", "marketplace.json"):
        text = (REPO / ".claude-plugin" / name).read_text(encoding="utf-8")
        manifest = json.loads(text)
        assert "homepage" not in manifest and "repository" not in manifest, name
        assert not re.search(r"https?://", text), name
    assert "urls" not in PYPROJECT


def test_classifiers_give_python_versions_and_status_and_the_license_is_spdx() -> None:
    classifiers = PYPROJECT["classifiers"]
    assert f"Programming Language :: Python :: {PYPROJECT['requires-python'].removeprefix('>=')}" in classifiers
    assert any(c.startswith("Development Status :: ") for c in classifiers)
    # PEP 639: with an SPDX `license` expression, PyPI rejects License :: classifiers.
    assert PYPROJECT["license"] == "MIT" and not any(c.startswith("License :: ") for c in classifiers)


def test_the_readme_has_no_relative_links() -> None:
    """PyPI renders README.md without the repository, so a relative link there leads nowhere."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    relative = [m.group(0) for m in re.finditer(r"\]\((?!https?://|#)[^)]*\)", readme)]
    assert relative == []
