"""Demo data of the frameworks app: every shipped framework (data/*.yaml)."""

from pathlib import Path

from .services import framework_import

DATA = Path(__file__).resolve().parent / "data"


def load() -> None:
    for path in sorted(DATA.glob("*.yaml")):
        framework_import(file_name=path.name, content=path.read_bytes())
