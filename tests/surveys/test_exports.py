"""Exports for analysts: CSV, XLSX, SPSS and Stata with labels and a codebook, and no identity."""

import csv
import io
import zipfile

import pyreadstat
import pytest
from django.test import Client
from openpyxl import load_workbook

from chiso.accounts.models import Role
from chiso.jobs.models import Job
from chiso.surveys.exports import survey_export
from chiso.surveys.mailing import invitations_email
from chiso.surveys.models import SurveyAnalysis
from chiso.surveys.quality import quality_check, response_decide
from chiso.surveys.sampling import sample_draw

from .conftest import ddci_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(ddci_survey, store, make_frame):
    """A sampled, invited survey with three responses (two identical), one excluded."""
    sample = sample_draw(survey=ddci_survey, frame=make_frame(10), strata=[], size=4, seed=1)
    invitations_email(sample=sample, kind="invitation", base_url="http://testserver")
    first = store(ddci_survey, ddci_answers(gop_y="Công ty Thử 001 góp ý"), key="a", duration=300)
    store(ddci_survey, ddci_answers(gop_y="Công ty Thử 001 góp ý"), key="b", duration=320)
    store(ddci_survey, ddci_answers(units=("S-TP",), nganh_nghe="thuong_mai", can_cai_thien="thu_tuc chi_phi"), key="c", duration=400)
    quality_check(survey=ddci_survey)
    from chiso.accounts.services import user_create

    response_decide(response=first, include=False, reason="Trùng", by=user_create(username="pt", password="x" * 20, role=Role.ANALYST))
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
