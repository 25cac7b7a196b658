"""Small factories for the survey tests: the example DDCI form, units, a survey, complete answers."""

import copy
import datetime
import functools
import io
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import Workbook

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def xlsform_bytes(survey_rows, choices=(), settings=None, survey_header=("type", "name", "label")) -> bytes:
    """An XLSForm workbook from rows, as a secretariat would type it in Excel."""
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(list(survey_header))
    for row in survey_rows:
        sheet.append(list(row))
    if choices:
        choice_sheet = book.create_sheet("choices")
        choice_sheet.append(["list_name", "name", "label"])
        for row in choices:
            choice_sheet.append(list(row))
    settings = settings or {"form_id": "test_form", "version": "1"}
    settings_sheet = book.create_sheet("settings")
    settings_sheet.append(list(settings))
    settings_sheet.append(list(settings.values()))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def departments(make_unit, period):
    return [
        make_unit("S-TC", name_vi="Sở Tài chính", name_en="Department of Finance"),
        make_unit("S-TP", name_vi="Sở Tư pháp", name_en="Department of Justice"),
        make_unit("S-XD", name_vi="Sở Xây dựng", name_en="Department of Construction"),
        make_unit("S-CU", name_vi="Sở đã giải thể", valid_to=datetime.date(2020, 1, 1)),
    ]


@functools.cache
def _ddci_parsed():
    from chiso.surveys.collection.xlsform import xlsform_parse

    path = EXAMPLES / "ddci_departments.xlsx"
    return path, xlsform_parse(path.name, path.read_bytes())


@pytest.fixture
def ddci_version(blocks, monkeypatch):
    """The example DDCI form, stored as a version through `questionnaire_import`. pyxform parses
    it once per test process (a parse depends on the file alone; it took 0.15 s in each of some
    two hundred tests); its parsing is tested on its own (collection/test_xlsform.py)."""
    from chiso.surveys import services

    path, parsed = _ddci_parsed()
    with monkeypatch.context() as patch:
        patch.setattr(services, "xlsform_parse", lambda file_name, content: copy.deepcopy(parsed))
        return services.questionnaire_import(file_name=path.name, content=path.read_bytes(), by=None).version


@pytest.fixture
def make_survey(blocks, period):
    from chiso.surveys.services import survey_create

    counter = iter(range(1, 1000))

    def make(version, code=None, opens=-1, closes=30, **fields):
        now = timezone.now()
        fields.setdefault("by", None)  # the system, as the demo loader
        return survey_create(
            code=code or f"survey-{next(counter)}", title_vi="Khảo sát DDCI thử", period=period, version=version,
            opens_at=now + datetime.timedelta(days=opens), closes_at=now + datetime.timedelta(days=closes), **fields,
        )

    return make


@pytest.fixture
def ddci_survey(make_survey, ddci_version, departments):
    return make_survey(ddci_version, code="ddci-test")


def ddci_answers(units=("S-TC", "S-XD"), **overrides) -> dict:
    """A complete, valid set of answers to the example departments form."""
    entries = [
        {"minh_bach": "4", "nang_dong": "3", "canh_tranh": "5", "so_lan_di_lai": "2", "chi_phi_khong_chinh_thuc": "khong", "diem_chung": "7"}
        for _ in units
    ]
    answers = {
        "loai_hinh": "tnhh", "nganh_nghe": "du_lich", "so_lao_dong": "12", "nam_thanh_lap": "2010",
        "don_vi_lien_he": " ".join(units), "hinh_thuc_lien_he": "truc_tiep", "danh_gia": entries,
    }
    answers.update(overrides)
    return answers


@pytest.fixture
def answers():
    return ddci_answers


@pytest.fixture
def xlsform():
    return xlsform_bytes


# --- Surveys II ---------------------------------------------------------------------------------

def tax_code(number: int, prefix: str = "48") -> str:
    """A tax code with a correct check digit."""
    from chiso.surveys.fieldwork.frames import TAX_WEIGHTS

    body = f"{prefix}{number:07d}"
    return body + str((10 - sum(int(d) * w for d, w in zip(body, TAX_WEIGHTS)) % 11) % 10)


def frame_csv(rows, header=("Mã số thuế", "Tên doanh nghiệp", "Loại hình", "Ngành VSIC", "Quy mô", "Xã, phường", "Địa chỉ", "Email", "Điện thoại")) -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.fixture
def make_frame(db):
    """A frame of `n` businesses spread over sectors C and G, sizes micro and small, two communes."""
    from chiso.surveys.fieldwork.frames import frame_import

    def make(n=40, name="Khung thử", emails=True):
        rows = []
        for i in range(1, n + 1):
            sector = "1010" if i % 2 else "4711"
            size = "nhỏ" if i % 4 in (0, 1) else "siêu nhỏ"
            rows.append([tax_code(i), f"Công ty Thử {i:03d}", "Công ty TNHH", sector, size, "Xã A" if i % 3 else "Xã B", f"Số {i}",
                         f"dn{i}@example.vn" if emails else "", "0912345678"])
        return frame_import(name=name, file_name="frame.csv", content=frame_csv(rows), by=None).frame

    return make


def store_response(survey, answers, *, key, duration=None, day=None, channel="web"):
    """Store a checked response as the web form would (through the same evaluation)."""
    from chiso.surveys.collection.evaluation import Evaluation
    from chiso.surveys.services import idempotency_hash, response_store, units_choices

    evaluation = Evaluation(survey.version.form, answers, external=units_choices(survey))
    assert not evaluation.errors(), evaluation.errors()
    return response_store(survey=survey, version=survey.version, evaluation=evaluation, key=idempotency_hash(survey.pk, key),
                          day=day or timezone.localdate(), channel=channel, duration_seconds=duration)


@pytest.fixture
def store():
    return store_response
