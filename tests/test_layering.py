"""The domain core never imports a transport (DESIGN §1): estate/ stays usable from any channel."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {"aiogram", "fastapi", "starlette", "jinja2", "uvicorn", "aiohttp", "bot", "console", "desk"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_estate_imports_no_transport():
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_modules(path) & FORBIDDEN)
        for path in (ROOT / "estate").rglob("*.py")
    }
    offenders = {k: v for k, v in offenders.items() if v}
    assert offenders == {}


def test_dialogs_import_no_transport():
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_modules(path) & FORBIDDEN)
        for path in (ROOT / "dialogs").rglob("*.py")
    }
    offenders = {k: v for k, v in offenders.items() if v}
    assert offenders == {}


def test_nothing_imports_the_composition_root():
    offenders = [
        str(path.relative_to(ROOT))
        for pkg in ("estate", "dialogs", "bot", "console")
        for path in (ROOT / pkg).rglob("*.py")
        if "desk" in imported_modules(path)
    ]
    assert offenders == []


def test_the_checker_sees_a_forbidden_import(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("from fastapi import FastAPI\nimport aiogram.types\n", encoding="utf-8")
    assert {"fastapi", "aiogram"} <= imported_modules(sample)


def full_imports(path: Path) -> set[str]:
    """Dotted names of everything a module imports (absolute imports only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_estate_core_imports_no_area():
    """`estate/core` is the bottom layer: settings, database, clock, rules, jobs machinery; areas build on it."""
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name
            for name in full_imports(path)
            if name.startswith("estate.") and not name.startswith("estate.core")
        )
        for path in (ROOT / "estate" / "core").rglob("*.py")
    }
    offenders = {k: v for k, v in offenders.items() if v}
    assert offenders == {}
