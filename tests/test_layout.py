"""The house's layering: the engines and the store never reach for HTTP."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTTP = ("flask", "werkzeug", "api")


def imported(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


@pytest.mark.parametrize("package", ["imaging", "search", "recommend", "market", "store"])
def test_engines_and_the_store_do_not_import_http(package):
    offenders = {str(path.relative_to(ROOT)): name for path in (ROOT / package).rglob("*.py")
                 for name in imported(path) if name.split(".")[0] in HTTP}
    assert not offenders, offenders
