"""The packages import downwards only (docs/architecture.md, "How the code is layered"): a module
may import its own package and those on lower floors, never one above."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sodai.config import PROJECT_ROOT

FLOORS = {"jobs": 1, "expectations": 2, "sodai": 3, "dashboards": 4, "orchestration": 5}


def _imported_packages(path: Path) -> set[str]:
    """The project's top-level packages a module imports (at module level or inside functions)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {name.split(".")[0] for name in names} & FLOORS.keys()
    return found


@pytest.mark.parametrize("package", FLOORS)
def test_a_package_imports_only_itself_and_lower_floors(package):
    upward = [
        f"{path.relative_to(PROJECT_ROOT)} imports {imported}"
        for path in sorted((PROJECT_ROOT / package).rglob("*.py"))
        for imported in sorted(_imported_packages(path))
        if FLOORS[imported] > FLOORS[package]
    ]
    assert upward == []


def test_the_check_sees_an_upward_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from orchestration.cli import app\n    import sodai.config\n")
    assert _imported_packages(module) == {"orchestration", "sodai"}
