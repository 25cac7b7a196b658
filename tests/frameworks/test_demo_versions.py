"""The demo computes every index run and PAR cycle with the framework version that applies to its
period's year and block (frameworks.queries.framework_version_for), not the newest; and the
2022–2024 versions shipped beside the 2025 ones differ from them only as their files say."""

from pathlib import Path

import pytest

import chiso.frameworks
from chiso.assessments.models import Cycle
from chiso.frameworks.documents import document_from_yaml
from chiso.frameworks.queries import framework_version_for
from chiso.indices.models import IndexRun

DATA = Path(chiso.frameworks.__file__).parent / "data"


def _applies(version, period, block) -> bool:
    year = period.year
    return ((version.applies_from is None or version.applies_from <= year)
            and (version.applies_to is None or version.applies_to >= year)
            and (not version.blocks or block.code in version.blocks))


def _wrong(rows) -> list[str]:
    return [f"{r.version} for {r.period.code} {r.block.code}" for r in rows
            if not _applies(r.version, r.period, r.block) or framework_version_for(r.version.framework, r.period, r.block) != r.version]


def test_every_demo_run_and_par_cycle_uses_the_version_of_its_year_and_block(demo_province, db):
    runs = list(IndexRun.objects.select_related("version__framework", "period", "block"))
    cycles = list(Cycle.objects.select_related("version__framework", "period", "block"))
    assert _wrong(runs) == []
    assert _wrong(cycles) == []
    # Not vacuous: the years before the 2025 reform are there, under their own versions.
    used = {(r.version.framework.code, r.period.code, r.block.code): r.version.label for r in runs}
    assert used[("DDCI-SO", "2022", "department")].startswith("2022–")
    assert used[("DDCI-XA", "2023", "district")].startswith("2022–2024")
    assert used[("DDCI-XA", "2025", "commune")].startswith("2025")
    by_year = {c.period.code: c.version for c in cycles if c.version.framework.code == "PAR-SO"}
    assert by_year["2022"] == by_year["2023"] != by_year["2025"]
    assert (by_year["2022"].applies_from, by_year["2022"].applies_to) == (2022, 2024)
    assert by_year["2025"].number > by_year["2022"].number  # numbers follow the years


def _nodes(name: str) -> dict[str, dict]:
    return {row["iCode"]: row for row in document_from_yaml(name, (DATA / name).read_bytes())["iMeta"]}


@pytest.mark.parametrize("old, new", [("ddci_districts_2022_2024.yaml", "ddci_communes.yaml"),
                                      ("par_departments_2022_2024.yaml", "par_departments.yaml")])
def test_the_2022_2024_version_is_the_same_framework_with_the_differences_its_header_names(old, new):
    before, after = (document_from_yaml(n, (DATA / n).read_bytes()) for n in (old, new))
    assert before["framework"] == after["framework"]  # importing either keeps the framework's names
    assert (before["version"]["applies_from"], before["version"]["applies_to"]) == (2022, 2024)
    assert after["version"]["applies_from"] == 2025
    assert before["steps"] == after["steps"]
    old_nodes, new_nodes = _nodes(old), _nodes(new)
    keys = ("Level", "Parent", "Type", "Direction", "Weight", "max_points", "part")
    changed = {code for code in old_nodes.keys() | new_nodes.keys()
               if code not in old_nodes or code not in new_nodes
               or any(old_nodes[code].get(k) != new_nodes[code].get(k) for k in keys)}
    if old.startswith("ddci"):  # the districts were asked the same questions about UBND huyện
        assert changed == set()
        assert "UBND huyện" in old_nodes["ld1"]["name_vi"] and "UBND xã" in new_nodes["ld1"]["name_vi"]
    else:  # criterion 8.2: the DDCI ranking alone until the Decision 766 score was added in 2025
        assert changed == {"F8.2.1", "F8.2.2"} and "F8.2.2" not in old_nodes
        assert old_nodes["F8.2.1"]["max_points"] == new_nodes["F8.2"]["max_points"] == old_nodes["F8.2"]["max_points"]
