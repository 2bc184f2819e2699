"""Imports run one way: bot/ → handlers/ → storage/. Handlers never see HTTP, XML or a platform."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "handlers": {"bot", "flask", "wechatpy", "requests", "werkzeug", "xmltodict", "gunicorn"},
    "storage": {"bot", "handlers", "flask", "wechatpy", "requests", "werkzeug", "gunicorn"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_does_not_import_upwards_or_platforms(package):
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
        if _imports(path) & FORBIDDEN[package]
    }
    assert offenders == {}


def test_each_domain_lives_in_its_own_package():
    """A domain is one folder: no flat `handlers/<domain>_*.py` beside `handlers/<domain>/`."""
    domains = {p.parent.name for p in (ROOT / "handlers").glob("*/__init__.py")}
    assert {"reports", "referrals", "meetings"} <= domains
    strays = [
        p.name
        for p in (ROOT / "handlers").glob("*.py")
        if p.stem.split("_")[0] in domains or p.stem in {"minutes", "bulletins"}
    ]
    assert strays == []
