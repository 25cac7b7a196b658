"""Exports for analysts: CSV, XLSX, SPSS and Stata with labels and a codebook, and no identity."""

import csv
import datetime
import io
import logging
import math
import shutil
import zipfile

import pyreadstat
import pytest
from django.test import Client
from openpyxl import load_workbook

from chiso.accounts.models import Role
from chiso.accounts.services import user_create
from chiso.jobs.models import Job
from chiso.surveys.fieldwork import exports
from chiso.surveys.fieldwork.exports import Variable, survey_export
from chiso.surveys.fieldwork.mailing import invitations_email
from chiso.surveys.models import SurveyAnalysis
from chiso.surveys.fieldwork.quality import quality_check, response_decide
from chiso.surveys.fieldwork.sampling import sample_draw
from chiso.surveys.services import questionnaire_import

from tests.surveys.conftest import ddci_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(ddci_survey, store, make_frame):
    """A sampled, invited survey with three responses (two identical), one excluded."""
    sample = sample_draw(survey=ddci_survey, frame=make_frame(10), strata=[], size=4, seed=1, by=None)
    invitations_email(sample=sample, kind="invitation", base_url="http://testserver", by=None)
    first = store(ddci_survey, ddci_answers(gop_y="Công ty Thử 001 góp ý"), key="a", duration=300)
    store(ddci_survey, ddci_answers(gop_y="Công ty Thử 001 góp ý"), key="b", duration=320)
    store(ddci_survey, ddci_answers(units=("S-TP",), nganh_nghe="thuong_mai", can_cai_thien="thu_tuc chi_phi"), key="c", duration=400)
    quality_check(survey=ddci_survey)
    response_decide(response=first, include=False, reason="Trùng", by=user_create(username="pt", password="x" * 20, role=Role.ANALYST, by=None))
    return ddci_survey


IDENTITY = ("Công ty Thử 00", "@example.vn", "48000", "/s/")


def _no_identity(text: str) -> None:
    for needle in IDENTITY:
        assert needle not in text, needle


def test_csv_zip_has_both_tables_the_codebook_and_no_identity(answered, tmp_path):
    target = survey_export(survey=answered, fmt="csv", target=tmp_path / "x.zip")
    with zipfile.ZipFile(target) as archive:
        assert sorted(archive.namelist()) == ["codebook.csv", "danh_gia.csv", "responses.csv"]
        responses = list(csv.DictReader(io.StringIO(archive.read("responses.csv").decode("utf-8-sig"))))
        ratings = list(csv.DictReader(io.StringIO(archive.read("danh_gia.csv").decode("utf-8-sig"))))
        codebook = archive.read("codebook.csv").decode("utf-8-sig")
        everything = "".join(archive.read(n).decode("utf-8-sig") for n in archive.namelist())
    assert len(responses) == 3 and len(ratings) == 5
    assert {r["included"] for r in responses} == {"0", "1"} and any("duplicate" in r["quality_flags"] for r in responses)
    by_id = {r["response_id"]: r for r in responses}
    assert {r["response_id"] for r in ratings} <= set(by_id)
    assert {r["ma_don_vi"] for r in ratings} == {"S-TC", "S-XD", "S-TP"}
    assert sorted(r["can_cai_thien_thu_tuc"] for r in responses) == ["", "", "1"]  # a 0/1 column per choice
    assert "gop_y" not in responses[0]  # free text only when asked for
    assert "loai_hinh" in codebook and "tnhh (2.0)=Công ty trách nhiệm hữu hạn" in codebook.replace("(2)", "(2.0)") or "tnhh (2)=Công ty trách nhiệm hữu hạn" in codebook
    _no_identity(everything)


def test_xlsx_workbook_with_a_sheet_per_table_and_free_text_on_request(answered, tmp_path):
    target = survey_export(survey=answered, fmt="xlsx", target=tmp_path / "x.xlsx", include_text=True)
    book = load_workbook(target, read_only=True)
    assert book.sheetnames == ["responses", "danh_gia", "codebook"]
    rows = list(book["responses"].iter_rows(values_only=True))
    assert "gop_y" in rows[0] and len(rows) == 4
    assert any("Công ty Thử 001 góp ý" in str(v) for row in rows for v in row)  # what the respondent typed, as asked


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_spss_and_stata_files_carry_value_and_variable_labels(answered, tmp_path, fmt):
    target = survey_export(survey=answered, fmt=fmt, target=tmp_path / f"x.{fmt}.zip")
    with zipfile.ZipFile(target) as archive:
        assert sorted(archive.namelist()) == ["codebook.csv", f"danh_gia.{fmt}", f"responses.{fmt}"]
        archive.extractall(tmp_path)
    read = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    data, meta = read(str(tmp_path / f"responses.{fmt}"))
    assert len(data) == 3
    assert meta.column_names_to_labels["loai_hinh"] == "Loại hình doanh nghiệp"
    labels = meta.variable_value_labels["loai_hinh"]
    assert labels[2] == "Công ty trách nhiệm hữu hạn" and set(data["loai_hinh"]) == {2}
    ratings, meta = read(str(tmp_path / f"danh_gia.{fmt}"))
    assert meta.variable_value_labels["minh_bach"][4] == "Đồng ý" and set(ratings["minh_bach"]) == {4}
    assert len(ratings) == 5
    text = " ".join(str(v) for v in data.astype(str).to_numpy().ravel())
    _no_identity(text)


def test_the_csv_is_streamed_and_exports_run_in_the_background(answered, make_user, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(make_user("phantich", Role.ANALYST))
    response = client.get(f"/surveys/{answered.code}/export/responses.csv")
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("response_id,submitted_on,channel") and len(text.splitlines()) == 4
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(f"/surveys/{answered.code}/export/", {"format": "dta"})
    job = Job.objects.get(kind="surveys_export")
    assert page.status_code == 302 and job.status == Job.Status.DONE and job.output_file.endswith(".dta.zip")
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 200
    client.force_login(make_user("lanhdao", Role.LEADER))
    assert client.get(f"/surveys/{answered.code}/export/").status_code == 403


def test_weights_appear_in_exports_when_set(answered, tmp_path):
    SurveyAnalysis.objects.create(survey=answered, weighting={"method": "poststratification", "variables": [
        {"question": "nganh_nghe", "frame_field": "sector", "map": {"G": "thuong_mai", "C": "du_lich"}}]})
    target = survey_export(survey=answered, fmt="csv", target=tmp_path / "w.zip")
    with zipfile.ZipFile(target) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("responses.csv").decode("utf-8-sig"))))
    weights = sorted(float(r["weight"]) for r in rows)
    assert weights[0] != weights[-1] and sum(weights) == pytest.approx(3.0)


# --- SPSS and Stata through the readstat program, and without it --------------------------------

LONG_TEXT = "Thủ tục " + "rườm rà, " * 400  # about 4,000 bytes: over Stata's 2,045-byte strings


@pytest.fixture
def awkward(make_survey, store, xlsform):
    """A survey whose labels and answers test the writers: quotes, line breaks, long texts, decimals,
    choices with non-whole codes, a missing number, and a repeat nobody answered."""
    content = xlsform(
        [
            ("select_one muc", "muc", 'Mức "hài lòng"\nchung'),
            ("select_one ty_le", "ty_le", "Tỷ lệ"),
            ("decimal", "diem", "Điểm trung bình " + "rất dài " * 60),
            ("integer", "so_lan", "Số lần"),
            ("text", "y_kien", "Ý kiến \\ góp ý"),
            ("begin_repeat", "lan", "Lần"),
            ("integer", "thu_tu", "Thứ tự"),
            ("end_repeat", "", ""),
        ],
        choices=[("muc", "a", "Rất hài lòng với " + "thủ tục " * 30), ("muc", "b", "Không"),
                 ("ty_le", "0.5", "Một nửa"), ("ty_le", "1.5", "Một rưỡi")],
        settings={"form_id": "kho", "version": "1"},
    )
    survey = make_survey(questionnaire_import(file_name="kho.xlsx", content=content, by=None).version, code="kho")
    store(survey, {"muc": "a", "ty_le": "0.5", "diem": "7.25", "so_lan": "3", "y_kien": 'Cần "một cửa",\nnhanh hơn', "lan": []}, key="1")
    store(survey, {"muc": "b", "ty_le": "1.5", "diem": "", "so_lan": "0", "y_kien": LONG_TEXT, "lan": []}, key="2")
    return survey


def _read_back(path, fmt):
    data, meta = (pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta)(str(path))
    if "so_lan" in data:
        data = data.sort_values("so_lan").reset_index(drop=True)
    return data, meta


def _export(survey, fmt, folder):
    folder.mkdir()
    target = survey_export(survey=survey, fmt=fmt, target=folder / f"x.{fmt}.zip", include_text=True)
    with zipfile.ZipFile(target) as archive:
        assert sorted(archive.namelist()) == ["codebook.csv", f"lan.{fmt}", f"responses.{fmt}"]
        archive.extractall(folder)
    return _read_back(folder / f"responses.{fmt}", fmt), _read_back(folder / f"lan.{fmt}", fmt)


@pytest.mark.skipif(not shutil.which("readstat"), reason="needs the readstat program (Debian package readstat)")
@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_readstat_and_pyreadstat_write_the_same_values_and_labels(awkward, tmp_path, monkeypatch, caplog, fmt):
    (tool, tool_meta), (tool_repeat, _) = _export(awkward, fmt, tmp_path / "tool")
    monkeypatch.setattr(exports.shutil, "which", lambda name: None)  # as on a server without the package
    monkeypatch.setattr(exports, "_without_readstat_warned", False)
    with caplog.at_level(logging.WARNING, logger="chiso.surveys.fieldwork.exports"):
        (memory, memory_meta), (memory_repeat, _) = _export(awkward, fmt, tmp_path / "memory")
    assert [r.getMessage().startswith("The readstat program is not installed") for r in caplog.records] == [True]  # once, not per table

    for data, meta in ((tool, tool_meta), (memory, memory_meta)):
        assert list(data["so_lan"]) == [0, 3] and list(data["muc"]) == [2, 1]
        assert data["diem"][1] == 7.25 and math.isnan(data["diem"][0])  # a missing number stays missing
        assert list(data["ty_le"]) == [1.5, 0.5]
        assert data["y_kien"][1] == 'Cần "một cửa",\nnhanh hơn'  # quotes and line breaks inside a value survive
        assert meta.column_names_to_labels["muc"] == "Mức 'hài lòng' chung"  # one line, no double quotes
        assert meta.column_names_to_labels["y_kien"] == "Ý kiến / góp ý"
        assert meta.variable_value_labels["muc"][2] == "Không"
        assert meta.variable_value_labels["included"] == {0: "Loại", 1: "Sử dụng"}
    assert (fmt == "sav") == ("ty_le" in tool_meta.variable_value_labels)  # Stata labels whole numbers only
    assert tool_meta.variable_value_labels == memory_meta.variable_value_labels
    assert tool_meta.column_names_to_labels == memory_meta.column_names_to_labels
    assert list(tool.columns) == list(memory.columns)
    for name in tool.columns:
        if name == "y_kien":
            continue
        assert tool[name].fillna(-1).tolist() == memory[name].fillna(-1).tolist(), name

    variable_label = tool_meta.column_names_to_labels["diem"]
    value_label = tool_meta.variable_value_labels["muc"][1]
    if fmt == "sav":  # labels cut to the format's bytes, never inside a letter
        assert len(variable_label.encode()) <= 255 and len(value_label.encode()) <= 120 and value_label.startswith("Rất hài lòng")
        assert tool["y_kien"][0] == LONG_TEXT.strip() == memory["y_kien"][0]
    else:
        assert 75 < len(variable_label) <= 80 and 75 < len(value_label) <= 80 and value_label.startswith("Rất hài lòng")
        long = tool["y_kien"][0]
        assert len(long.encode()) <= 2045 and LONG_TEXT.startswith(long) and len(long) > 600  # Stata's longest string
        assert memory["y_kien"][0] == LONG_TEXT.strip()  # pyreadstat writes a strL
    assert len(tool_repeat) == len(memory_repeat) == 0  # an empty table is still a file with its columns
    assert "thu_tu" in tool_repeat.columns


def test_a_readstat_failure_is_reported_with_its_message(awkward, tmp_path, monkeypatch):
    fake = tmp_path / "readstat"
    fake.write_text("#!/bin/sh\necho 'Error processing input.csv: Unable to open file' >&2\nexit 0\n")  # it exits 0 on errors too
    fake.chmod(0o755)
    monkeypatch.setattr(exports.shutil, "which", lambda name: str(fake))
    with pytest.raises(exports.ExportError) as failure:
        survey_export(survey=awkward, fmt="sav", target=tmp_path / "x.sav.zip")
    assert "Unable to open file" in str(failure.value)
    assert "responses" in failure.value.user_message and "ReadStat" in failure.value.user_message


def test_a_failed_export_job_tells_the_person_why_and_leaves_no_file(awkward, tmp_path, monkeypatch, make_user, django_capture_on_commit_callbacks, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    fake = tmp_path / "readstat"
    fake.write_text("#!/bin/sh\necho 'Error processing input.csv: Unable to open file' >&2\nexit 0\n")
    fake.chmod(0o755)
    monkeypatch.setattr(exports.shutil, "which", lambda name: str(fake))
    client = Client()
    client.force_login(make_user("phantich", Role.ANALYST))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/surveys/{awkward.code}/export/", {"format": "sav"})
    job = Job.objects.get(kind="surveys_export")
    assert job.status == Job.Status.FAILED and "ReadStat" in job.message and "Unable" not in job.message
    assert not list((tmp_path / "media").rglob("*.zip"))


@pytest.fixture
def dated(make_survey, store, xlsform):
    """Dates, whole numbers and a select_multiple with or_other (its text question is x_other)."""
    content = xlsform(
        [("date", "ngay", "Ngày làm thủ tục"), ("integer", "so_ngay", "Số ngày"), ("select_multiple kenh or_other", "kenh", "Kênh")],
        choices=[("kenh", "mot_cua", "Một cửa"), ("kenh", "truc_tuyen", "Trực tuyến")],
        settings={"form_id": "ngay", "version": "1"},
    )
    survey = make_survey(questionnaire_import(file_name="ngay.xlsx", content=content, by=None).version, code="ngay")
    store(survey, {"ngay": "2025-03-13", "so_ngay": "12", "kenh": "mot_cua other", "kenh_other": "Bưu điện"}, key="1")
    store(survey, {"ngay": "", "so_ngay": "3", "kenh": "truc_tuyen"}, key="2")
    return survey


@pytest.mark.parametrize("fmt", ["sav", "dta"])
@pytest.mark.parametrize("tool", ["readstat", "memory"])
def test_dates_are_dates_whole_numbers_integers_and_the_other_column_keeps_apart(dated, tmp_path, monkeypatch, fmt, tool):
    if tool == "memory":
        monkeypatch.setattr(exports.shutil, "which", lambda name: None)
    elif not shutil.which("readstat"):
        pytest.skip("needs the readstat program (Debian package readstat)")
    target = survey_export(survey=dated, fmt=fmt, target=tmp_path / f"x.{fmt}.zip", include_text=True)
    with zipfile.ZipFile(target) as archive:
        archive.extractall(tmp_path)
    data, meta = (pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta)(str(tmp_path / f"responses.{fmt}"))
    data = data.sort_values("so_ngay").reset_index(drop=True)
    assert list(data["so_ngay"]) == [3, 12]
    # a date, and a missing one, through either writer (ReadStat's file gets its formats afterwards)
    assert data["ngay"][1] == datetime.date(2025, 3, 13) and data["ngay"].isna()[0]
    assert meta.original_variable_types["ngay"] in ("DATE11", "DATE8", "%td")
    assert meta.original_variable_types["so_ngay"] in ("F8.0", "%9.0f", "%10.0g")  # shown as a whole number
    assert isinstance(data["submitted_on"][0], datetime.date)  # the date submitted too
    assert list(data["kenh__other"]) == [0, 1] and list(data["kenh_other"]) == ["", "Bưu điện"]  # the 0/1 column and the text, apart


def test_the_csv_names_the_other_choice_apart_from_its_text(dated, tmp_path):
    target = survey_export(survey=dated, fmt="csv", target=tmp_path / "x.zip", include_text=True)
    with zipfile.ZipFile(target) as archive:
        header = archive.read("responses.csv").decode("utf-8-sig").splitlines()[0].split(",")
    assert "kenh__other" in header and "kenh_other" in header and "kenh_mot_cua" in header


@pytest.mark.parametrize("numeric", [False, True])
def test_a_columns_reader_gives_what_its_value_gives(numeric):
    """The per-export readers (chosen once per column) answer as `Variable.value` does, cell by cell."""
    variables = [
        Variable("q1", "", "choice", source="q", codes={"a": 1, "b": 2}), Variable("q2", "", "string", source="q"),
        Variable("q3", "", "date", source="q"), Variable("q4", "", "number", source="q"),
        Variable("q5", "", "number", source="q", integer=True), Variable("q6", "", "binary", source="q", choice="b"),
    ]
    answers = [None, "", "a", "b", "a b", ["a", "b"], 2, 2.0, "2", "2.5", "x", 0, True, {"k": 1}, "2025-03-13"]
    for variable in variables:
        read = variable.reader(numeric)
        for answer in answers:
            scope = {"q": answer}
            assert read(scope) == variable.value(scope, numeric) and type(read(scope)) is type(variable.value(scope, numeric)), (variable.kind, answer)
