"""The house's one-way imports, checked on the source: the leaves import no app.

core (tabular reading, uploads, PDF, the base layout) and formats sit under every app, and the
engine under Django itself; the site shell (home, menus, demo) is the one place allowed to import
every app. A leaf that imports an app would make that app a dependency of all the others.
"""

import ast
from pathlib import Path

import chiso

SRC = Path(chiso.__file__).resolve().parent


def chiso_imports(package: str) -> dict[str, set[str]]:
    """{module file: the chiso modules it imports} for every module of a package, at any depth."""
    found = {}
    for path in (SRC / package).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("chiso"):
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names if alias.name.startswith("chiso"))
        found[str(path.relative_to(SRC))] = names
    return found


def test_core_imports_no_app():
    allowed = ("chiso.core", "chiso.formats")
    wrong = {path: sorted(n for n in names if not n.startswith(allowed)) for path, names in chiso_imports("core").items()}
    assert {path: names for path, names in wrong.items() if names} == {}


def test_formats_imports_nothing_of_chiso_but_itself():
    wrong = {path: sorted(n for n in names if not n.startswith("chiso.formats")) for path, names in chiso_imports("formats").items()}
    assert {path: names for path, names in wrong.items() if names} == {}


def test_the_engine_imports_neither_django_nor_the_apps():
    for path in (SRC / "engine").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            modules = [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else (
                [alias.name for alias in node.names] if isinstance(node, ast.Import) else [])
            for module in modules:
                assert not module.startswith("django"), (path, module)
                assert not module.startswith("chiso.") or module.startswith("chiso.engine"), (path, module)


def test_no_app_imports_the_site_shell():
    for package in [p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists() and p.name != "site"]:
        for path, names in chiso_imports(package).items():
            assert not any(n.startswith("chiso.site") for n in names), (package, path)
