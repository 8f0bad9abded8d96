"""The docs cover the project: every route, every setting and every command is in README.md or
docs/API.md (Datasette and sqlite-utils keep theirs true the same way)."""

import re
from pathlib import Path

import click
import pytest

from api.config import load_config

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def docs():
    return (ROOT / "README.md").read_text(encoding="utf-8") + (ROOT / "docs" / "API.md").read_text(encoding="utf-8")


def _generic(path):
    """/api/artworks/<artwork_id>/image and /api/artworks/<id>/image name the same route."""
    return re.sub(r"<[^>]*>|\{[^}]*\}", "<>", path)


def test_every_route_is_documented(app, docs):
    written = {_generic(found) for found in re.findall(r"/api/[A-Za-z0-9_<>{}/.:-]*", docs)}
    missing = sorted({_generic(rule.rule) for rule in app.url_map.iter_rules()
                      if rule.rule.startswith("/api/")} - written)
    assert not missing, f"routes missing from README.md and docs/API.md: {missing}"


class _Recorder(dict):
    def __init__(self):
        super().__init__()
        self.names = set()

    def get(self, key, default=None):
        self.names.add(key)
        return default


def test_every_setting_is_documented(docs):
    environ = _Recorder()
    load_config(environ)
    assert {"DATA_DIR", "SECRET_KEY", "SEARCH_WARM"} <= environ.names
    missing = sorted(name for name in environ.names if not re.search(rf"\b{name}\b", docs))
    assert not missing, f"settings missing from the docs: {missing}"


def _commands(group, prefix=""):
    for name, command in group.commands.items():
        yield f"{prefix}{name}"
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix}{name} ")


def test_every_command_is_documented(app, docs):
    ours = [name for name in _commands(app.cli) if name.split()[0] not in ("run", "shell", "routes")]
    assert "init-db" in ours and "evaluate search" in ours
    missing = [name for name in ours if name not in docs]
    assert not missing, f"commands missing from the docs: {missing}"
