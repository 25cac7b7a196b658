"""Demo data of the frameworks app: every shipped framework (data/*.yaml)."""

from pathlib import Path

from .documents import document_from_yaml
from .services import framework_import

DATA = Path(__file__).resolve().parent / "data"


def _first_year(path: Path) -> int:
    return int((document_from_yaml(path.name, path.read_bytes()).get("version") or {}).get("applies_from") or 0)


def load() -> None:
    # Oldest years first, so that a framework's version numbers follow its years (the 2022–2024
    # version is v1, the one from 2025 v2), whatever the files are called.
    for path in sorted(DATA.glob("*.yaml"), key=lambda p: (_first_year(p), p.name)):
        framework_import(file_name=path.name, content=path.read_bytes(), by=None)
