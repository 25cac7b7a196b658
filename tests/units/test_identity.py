"""A unit's identity: chiso's code beside the official code, which the 2025 reform hands on.

The national lists of Cao Bằng (tests/data/units-vn-2025/SOURCE.md) are imported as they are:
every new commune keeps the official code of one of its former communes.
"""

import csv
import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from chiso.accounts.models import Role
from chiso.audit.queries import history
from chiso.core.tabular import ImportFailed
from chiso.units.importing import units_import
from chiso.units.models import Period, Unit, UnitSuccession
from chiso.units.queries import unit_predecessor_weights

DATA = Path(__file__).resolve().parents[1] / "data" / "units-vn-2025"
pytestmark = pytest.mark.usefixtures("blocks")


def as_csv(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def national_files() -> list[tuple[str, bytes]]:
    before = json.loads((DATA / "caobang_before.json").read_text(encoding="utf-8"))["data"][0]
    after = json.loads((DATA / "caobang_after.json").read_text(encoding="utf-8"))["data"][0]
    old = [("Mã ĐVHC", "Tên", "Khối", "Mã cấp trên", "Hiệu lực đến")]
    for district in before["level2s"]:
        old.append((district["level2_id"], district["name"], "district", "", "30/06/2025"))
        old += [(c["level3_id"], c["name"], "commune_pre2025", district["level2_id"], "30/06/2025") for c in district["level3s"]]
    new = [("official_code", "name_vi", "block", "valid_from")]
    lineage = [("predecessor_code", "successor_code", "date", "share")]
    for commune in after["level2s"]:
        new.append((commune["level2_id"], commune["name"], "commune", "01/07/2025"))
        lineage += [(o["old_id"], commune["level2_id"], "01/07/2025", f"{1 / len(commune['merges']):.4f}")
                    for o in commune["merges"]]
    return [("truoc.csv", as_csv(old)), ("sau.csv", as_csv(new)), ("ke_thua.csv", as_csv(lineage))]


@pytest.mark.django_db
def test_the_national_lists_import_as_they_are_with_official_codes_handed_on():
    summary = units_import(files=national_files(), by=None)
    assert (summary.units_created, summary.lineage_created) == (10 + 161 + 56, 161)
    assert Unit.objects.filter(block__code="commune_pre2025").count() == 161
    # 01273: Phường Hợp Giang until 30/06/2025, then Phường Thục Phán — two units, one official code.
    holders = list(Unit.objects.filter(official_code="01273").order_by("code"))
    assert [(u.code, u.name_vi) for u in holders] == [("01273", "Phường Hợp Giang"), ("01273-20250701", "Phường Thục Phán")]
    thuc_phan = holders[1]
    formed_from = set(UnitSuccession.objects.filter(successor=thuc_phan).values_list("predecessor__name_vi", flat=True))
    assert formed_from == {"Phường Sông Hiến", "Phường Hợp Giang", "Phường Đề Thám", "Xã Hưng Đạo", "Xã Hoàng Tung"}
    assert holders[0].parent.official_code == "040" and holders[0].parent.block.code == "district"
    period = Period.objects.create(code="2024", year=2024, name_vi="Năm 2024", start_date=datetime.date(2024, 1, 1),
                                   end_date=datetime.date(2024, 12, 31))
    weights = unit_predecessor_weights(thuc_phan, period)
    assert len(weights) == 5 and abs(sum(weights.values()) - 1) < 1e-9
    assert history(thuc_phan).filter(event="unit.created").count() == 1
    assert history(thuc_phan).filter(event="succession.created").count() == 5
    again = units_import(files=national_files(), by=None)
    assert not again.changed and again.units_unchanged == 227


@pytest.mark.django_db
def test_an_official_code_held_twice_at_once_is_refused():
    files = national_files()
    still_open = files[0][1].decode().replace("Phường Hợp Giang,commune_pre2025,040,30/06/2025",
                                              "Phường Hợp Giang,commune_pre2025,040,")
    with pytest.raises(ImportFailed) as failure:
        units_import(files=[("truoc.csv", still_open.encode()), *files[1:]], by=None)
    text = " ".join(str(p) for p in failure.value.problems)
    assert "01273" in text and "Phường Hợp Giang" in text
    assert not Unit.objects.exists()


@pytest.mark.django_db
def test_reused_codes_in_the_code_column_say_how_to_import_them():
    content = "code,name_vi,block,valid_from,valid_to\n01273,Phường Hợp Giang,commune_pre2025,,30/06/2025\n" \
              "01273,Phường Thục Phán,commune,01/07/2025,\n"
    with pytest.raises(ImportFailed) as failure:
        units_import(files=[("units.csv", content.encode())], by=None)
    [problem] = failure.value.problems
    assert problem.row == 3 and "official_code" in problem.message


@pytest.mark.django_db
def test_an_ambiguous_reference_asks_for_chiso_code(make_unit):
    make_unit("A-1", official_code="999", valid_from=datetime.date(2024, 1, 1), valid_to=datetime.date(2025, 6, 30))
    make_unit("A-2", official_code="999", valid_from=datetime.date(2025, 7, 1))
    lineage = "predecessor_code,successor_code,date\n999,A-2,01/01/2020\n"  # neither existed on 31/12/2019
    with pytest.raises(ImportFailed) as failure:
        units_import(files=[("lineage.csv", lineage.encode())], by=None)
    assert "A-1" in str(failure.value.problems[0]) and "A-2" in str(failure.value.problems[0])


@pytest.mark.django_db
def test_only_the_secretariat_imports(make_user):
    with pytest.raises(PermissionDenied):
        units_import(files=national_files(), by=make_user("pt", Role.ANALYST))
    summary = units_import(files=national_files()[:1], by=make_user("tk", Role.SECRETARIAT))
    assert summary.units_created == 171
    assert history(Unit.objects.get(code="01273")).get().by.username == "tk"
