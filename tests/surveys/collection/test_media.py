"""Issue 20: location and media questions (geopoint, image, file, audio) in surveys that are not anonymous."""

import datetime
import io
import os
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation
from PIL import Image

from chiso.accounts.models import Role
from chiso.audit.models import AuditRecord
from chiso.core.tabular import ImportFailed
from chiso.surveys.collection.formdef import FormDef
from chiso.surveys.collection.housekeeping import MEDIA_GRACE, clear_unnamed_media
from chiso.surveys.collection.media import geopoint_problem
from chiso.surveys.collection.offline import offline_unsupported
from chiso.surveys.collection.xlsform import xlsform_parse, xlsform_write
from chiso.surveys.fieldwork.exports import table_specs
from chiso.surveys.models import Draft, Response, Survey
from chiso.surveys.services import questionnaire_import, survey_open_now, survey_version_set

pytestmark = pytest.mark.django_db

HEADER = ("type", "name", "label", "appearance", "parameters", "body::accept")
MEDIA_ROWS = [
    ("begin_group", "g", "Nơi và ảnh", "field-list", "", ""),
    ("geopoint", "vi_tri", "Vị trí trụ sở", "", "", ""),
    ("image", "anh", "Ảnh biển hiệu", "", "max-pixels=20", ""),
    ("file", "tep", "Giấy phép (PDF)", "", "", ".pdf"),
    ("end_group", "", "", "", "", ""),
    ("text", "ghi_chu", "Ghi chú", "", "", ""),
]


def png(width=4, height=4) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def media_version(blocks, xlsform):
    content = xlsform(MEDIA_ROWS, settings={"form_id": "co_so", "version": "1"}, survey_header=HEADER)
    return questionnaire_import(file_name="co_so.xlsx", content=content, by=None).version


@pytest.fixture
def plain_version(blocks, xlsform):
    return questionnaire_import(file_name="don_gian.xlsx", content=xlsform([("text", "y_kien", "Ý kiến")], settings={"form_id": "don_gian", "version": "1"}), by=None).version


def test_an_xlsform_with_a_location_and_a_photo_is_accepted_video_still_refused(blocks, xlsform):
    parsed = xlsform_parse("f.xlsx", xlsform(MEDIA_ROWS, survey_header=HEADER))
    form = FormDef(parsed.survey)
    assert {e.type for e in form.root.walk()} >= {"geopoint", "image", "file"}
    with pytest.raises(ImportFailed):
        xlsform_parse("f.xlsx", xlsform([("video", "phim", "Phim")]))


def test_an_anonymous_survey_refuses_media_questions_and_says_why(make_survey, media_version, plain_version):
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        make_survey(media_version, code="an-danh")
    message = " ".join(refused.value.messages)
    assert "vi_tri (geopoint)" in message and "anh (image)" in message and "tep (file)" in message
    assert "ẩn danh" in message and "xác định" in message, message
    assert not Survey.objects.filter(code="an-danh").exists()
    survey = make_survey(plain_version, code="an-danh")
    with pytest.raises(ValidationError):
        survey_version_set(survey=survey, version=media_version, by=None)
    Survey.objects.filter(pk=survey.pk).update(version=media_version)  # e.g. set before the rule existed
    survey.refresh_from_db()
    with pytest.raises(ValidationError, match="vi_tri"):
        survey_open_now(survey=survey, by=None)


def test_the_survey_form_refuses_then_creates_a_survey_that_is_not_anonymous(make_user, media_version, period):
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    fields = {"code": "co-so", "title_vi": "Khảo sát cơ sở", "period": period.pk, "version": media_version.pk,
              "opens_at": "2023-01-01T08:00", "closes_at": "2030-01-01T17:00"}
    refused = client.post("/surveys/new/", fields)
    assert refused.status_code == 200 and "vi_tri (geopoint)" in refused.content.decode()
    assert not Survey.objects.exists()
    created = client.post("/surveys/new/", {**fields, "not_anonymous": "on"})
    assert created.status_code == 302
    survey = Survey.objects.get(code="co-so")
    assert survey.anonymous is False
    assert AuditRecord.objects.filter(new_value__contains="không ẩn danh").exists()
    assert "Không ẩn danh" in client.get(f"/surveys/{survey.code}/").content.decode()


@pytest.mark.parametrize("value, ok", [
    ("21.0285 105.8542", True), ("21.0285 105.8542 12 5", True), ("-33.9,18.4", True),
    ("", False), ("21.0285", False), ("91 10", False), ("10 181", False), ("a b", False), ("1 2 3 -4", False), ("nan 1", False),
])
def test_a_location_is_latitude_longitude_then_altitude_and_accuracy(value, ok):
    assert (geopoint_problem(value) is None) is ok


@pytest.fixture
def open_media_survey(make_survey, media_version, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return make_survey(media_version, code="co-so", open_link=True, anonymous=False)


def _first_page(client, survey) -> str:
    page = client.get(f"/s/open/{survey.open_key}/", follow=True)
    url = page.redirect_chain[-1][0]
    assert re.search(r"/s/r/[^/]+/p/[^/]+/$", url), url
    text = page.content.decode()
    assert 'type="file"' in text and 'accept=".pdf"' in text and 'enctype="multipart/form-data"' in text
    assert "geopoint-locate" in text and "geopoint.js" in text
    assert 'id="not-anonymous"' in text and "không ẩn danh" in text  # the respondent is told
    return url


def test_a_respondent_gives_a_location_and_a_photo_and_the_answer_names_the_stored_file(open_media_survey, tmp_path):
    client = Client(HTTP_HOST="127.0.0.1")
    url = _first_page(client, open_media_survey)
    bad = client.post(url, {"_shown": ["vi_tri", "anh", "tep"], "vi_tri": "91 200", "action": "next",
                            "anh": SimpleUploadedFile("bien.png", png(), content_type="image/png")})
    assert bad.status_code == 200 and "-90" in bad.content.decode()
    draft = Draft.objects.get()
    kept = draft.answers["anh"]
    assert kept.startswith("anh-") and kept.endswith(".png")
    stored = tmp_path / "surveys" / "co-so" / kept
    assert stored.read_bytes().startswith(b"\x89PNG")
    good = client.post(url, {"_shown": ["vi_tri", "anh", "tep"], "vi_tri": "21.0285 105.8542 12 5", "action": "next"})
    assert good.status_code == 302
    draft.refresh_from_db()
    assert draft.answers["vi_tri"] == "21.0285 105.8542 12 5" and draft.answers["anh"] == kept  # no new file: the old one is kept


def test_a_photo_is_scaled_to_max_pixels(open_media_survey, tmp_path):
    client = Client(HTTP_HOST="127.0.0.1")
    url = _first_page(client, open_media_survey)
    client.post(url, {"_shown": ["anh"], "anh": SimpleUploadedFile("to.png", png(80, 40)), "action": "save"})
    with Image.open(tmp_path / "surveys" / "co-so" / Draft.objects.get().answers["anh"]) as image:
        assert image.size == (20, 10)


def test_a_file_of_the_wrong_type_or_over_the_limit_is_refused_and_nothing_is_kept(open_media_survey, tmp_path, settings):
    client = Client(HTTP_HOST="127.0.0.1")
    url = _first_page(client, open_media_survey)
    with translation.override("vi"):
        wrong = client.post(url, {"_shown": ["tep", "anh"], "action": "next",
                                  "tep": SimpleUploadedFile("giay_phep.pdf", png()),  # a picture named .pdf
                                  "anh": SimpleUploadedFile("anh.png", b"not a picture at all")})
    text = wrong.content.decode()
    assert wrong.status_code == 200 and "giay_phep.pdf" in text and "anh.png" in text
    assert not (tmp_path / "surveys" / "co-so").exists() or not any((tmp_path / "surveys" / "co-so").iterdir())
    assert not Draft.objects.get().answers.get("tep")
    settings.CHISO_UPLOAD_MAX_BYTES = {"survey_media": 50}
    big = client.post(url, {"_shown": ["anh"], "action": "next", "anh": SimpleUploadedFile("lon.png", png(40, 40))})
    assert big.status_code == 413 and "CHISO_UPLOAD_MAX_BYTES_SURVEY_MEDIA" in big.content.decode()  # stopped as it streamed in
    assert not Draft.objects.get().answers.get("anh")


def test_exports_carry_the_place_and_the_stored_file_name(media_version):
    [main] = table_specs(media_version.form)
    kinds = {v.name: v.kind for v in main.variables}
    assert kinds["vi_tri"] == kinds["anh"] == kinds["tep"] == "string"


def test_a_refresh_of_the_page_keeps_the_stored_file(open_media_survey):
    client = Client(HTTP_HOST="127.0.0.1")
    url = _first_page(client, open_media_survey)
    client.post(url, {"_shown": ["anh"], "anh": SimpleUploadedFile("a.png", png()), "action": "save"})
    kept = Draft.objects.get().answers["anh"]
    refreshed = client.post(url + "refresh/", {"_shown": ["anh", "vi_tri"], "vi_tri": "1 2"})
    assert refreshed.status_code == 200 and kept in refreshed.content.decode()


def test_the_secretariat_downloads_the_files_that_written_responses_name(open_media_survey, tmp_path, make_user):
    folder = tmp_path / "surveys" / "co-so"
    folder.mkdir(parents=True)
    (folder / "anh-1.png").write_bytes(png())
    (folder / "anh-2.png").write_bytes(png())  # a draft never sent: not in the download
    Response.objects.create(survey=open_media_survey, version=open_media_survey.version, answers={"anh": "anh-1.png", "vi_tri": "1 2"},
                            channel="web", submitted_on=datetime.date(2026, 1, 5), idempotency_key="k1")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    assert "media.zip" in client.get(f"/surveys/{open_media_survey.code}/export/").content.decode()
    download = client.get(f"/surveys/{open_media_survey.code}/export/media.zip")
    assert download.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        assert archive.namelist() == ["anh-1.png"]
    officer = Client(HTTP_HOST="127.0.0.1")
    officer.force_login(make_user("nguoi_khac", Role.LEADER))
    assert officer.get(f"/surveys/{open_media_survey.code}/export/media.zip").status_code in (302, 403)


def test_a_questionnaire_with_media_questions_is_written_back_and_read_again(media_version):
    again = xlsform_parse("co_so.xlsx", xlsform_write(media_version.survey))
    types = {e.name: e.type for e in FormDef(again.survey).root.walk()}
    assert types["vi_tri"] == "geopoint" and types["anh"] == "image" and types["tep"] == "file"


def test_the_offline_form_does_not_carry_media_questions(media_version):
    assert {"vi_tri", "anh", "tep"} <= set(offline_unsupported(media_version.form))


def test_housekeeping_deletes_the_files_no_answers_name_once_old_enough(open_media_survey, tmp_path):
    folder = tmp_path / "surveys" / "co-so"
    folder.mkdir(parents=True)
    for name in ("anh-gui.png", "anh-nhap.png", "anh-thay.png", "anh-moi.png"):
        (folder / name).write_bytes(png())
    now = timezone.now()
    old = (now - MEDIA_GRACE - datetime.timedelta(minutes=1)).timestamp()
    for name in ("anh-gui.png", "anh-nhap.png", "anh-thay.png"):
        os.utime(folder / name, (old, old))
    Response.objects.create(survey=open_media_survey, version=open_media_survey.version, answers={"anh": "anh-gui.png"},
                            channel="web", submitted_on=datetime.date(2026, 1, 5), idempotency_key="k1")
    Draft.objects.create(key="d", survey=open_media_survey, version=open_media_survey.version, answers={"anh": "anh-nhap.png"})
    # anh-thay.png: replaced by the respondent before sending, named by nothing; anh-moi.png: too new to judge
    assert clear_unnamed_media(now=now) == 1
    assert sorted(p.name for p in folder.iterdir()) == ["anh-gui.png", "anh-moi.png", "anh-nhap.png"]
    Draft.objects.all().delete()  # the draft expires: its photo goes at the next housekeeping
    assert clear_unnamed_media(now=now) == 1
    assert sorted(p.name for p in folder.iterdir()) == ["anh-gui.png", "anh-moi.png"]
