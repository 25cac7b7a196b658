"""The public form without an account: filing, the code shown once, following and rating; and
its defences: honeypot, rate limits per address, size limits, attachments checked by content."""

import re
import struct

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chiso.feedback.models import Attachment, Feedback, FilerContact, Rating
from chiso.feedback.services import feedback_answer, feedback_publish, feedback_route

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00" + b"\x00" * 200


def jpeg_with_exif() -> bytes:
    exif = b"Exif\x00\x00" + b"GPS 22.6667N 106.25E Owner: Nguyen Van Minh"
    app1 = b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    scan = b"\xff\xda" + struct.pack(">H", 8) + b"\x01\x01\x00\x00\x3f\x00" + b"\x12\x34\x56" + b"\xff\xd9"
    return b"\xff\xd8" + app0 + app1 + scan


def form_data(defaults, **overrides):
    data = {
        "filer_kind": "business", "type": defaults["thu-tuc"].pk, "unit": "", "title": "Hồ sơ bị trả lại",
        "text": "Hồ sơ đăng ký kinh doanh bị trả lại ba lần.", "name": "Nguyễn Văn Minh", "organisation": "Công ty TNHH Minh Khai",
        "email": "minh@minhkhai.example", "consent_publish": "on", "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def client():
    return Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR="203.0.113.9")


def test_the_form_needs_no_login_and_is_in_vietnamese(client, defaults):
    html = client.get("/gopy/gui/").content.decode()
    assert 'lang="vi"' in html and "Gửi phản ánh, kiến nghị" in html
    assert 'name="website"' in html and 'aria-hidden="true"' in html  # the honeypot, hidden from people


def test_filing_shows_the_code_once_and_the_code_follows_the_feedback(client, defaults, units):
    response = client.post("/gopy/gui/", form_data(defaults, unit=units["tc"].pk), follow=True)
    html = response.content.decode()
    code = re.search(r'id="tracking-code">([A-Z0-9-]+)<', html).group(1)
    feedback = Feedback.objects.get()
    assert feedback.unit_suggested == units["tc"] and feedback.state == Feedback.State.RECEIVED
    assert code not in client.get("/gopy/da-gui/").content.decode()  # shown once
    followed = client.post("/gopy/tra-cuu/", {"code": code}, follow=True)
    assert code not in followed.redirect_chain[-1][0]  # the code never travels in a URL
    assert "Hồ sơ bị trả lại" in followed.content.decode()
    wrong = client.post("/gopy/tra-cuu/", {"code": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 400 and "Không có phản ánh nào" in wrong.content.decode()


def test_the_honeypot_stores_nothing(client, defaults):
    response = client.post("/gopy/gui/", form_data(defaults, website="http://spam.example"), follow=True)
    assert response.status_code == 200 and not Feedback.objects.exists()
    assert 'id="tracking-code"' not in response.content.decode()


def test_filings_are_limited_per_address(client, defaults, settings):
    settings.CHISO_FEEDBACK_RATE_LIMITS = {"file": [(2, 3600)], "track": [(3, 600)]}
    for _ in range(2):
        assert client.post("/gopy/gui/", form_data(defaults), follow=True).status_code == 200
    refused = client.post("/gopy/gui/", form_data(defaults))
    assert refused.status_code == 429 and Feedback.objects.count() == 2
    other = Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR="198.51.100.4")
    assert other.post("/gopy/gui/", form_data(defaults), follow=True).status_code == 200
    for _ in range(3):
        client.post("/gopy/tra-cuu/", {"code": "AAAA-BBBB-CCCC"})
    assert client.post("/gopy/tra-cuu/", {"code": "AAAA-BBBB-CCCC"}).status_code == 429  # no guessing codes


def test_attachments_are_checked_by_content_and_stored_under_neutral_names(client, defaults, settings):
    renamed = client.post("/gopy/gui/", form_data(defaults, files=[upload("hoa-don.pdf", EXE)]))
    assert renamed.status_code == 400 and "không phải là tệp PDF" in renamed.content.decode()
    mislabelled = client.post("/gopy/gui/", form_data(defaults, files=[upload("anh.png", PDF)]))
    assert mislabelled.status_code == 400 and not Feedback.objects.exists()
    good = client.post("/gopy/gui/", form_data(defaults, files=[upload("CongTyMinhKhai_don.pdf", PDF), upload("anh.jpg", jpeg_with_exif())]), follow=True)
    assert good.status_code == 200
    stored = list(Attachment.objects.order_by("pk"))
    assert [a.display_name for a in stored] == ["Tệp đính kèm 1.pdf", "Tệp đính kèm 2.jpg"]
    assert all("MinhKhai" not in a.file for a in stored)
    photo = (settings.MEDIA_ROOT / stored[1].file).read_bytes()
    assert b"GPS" not in photo and b"Nguyen Van Minh" not in photo and photo.startswith(b"\xff\xd8") and photo.endswith(b"\xff\xd9")


def test_size_limits(client, defaults, settings):
    settings.CHISO_FEEDBACK_ATTACHMENTS = {"file_bytes": 1000, "total_bytes": 1500, "files": 2}
    big = client.post("/gopy/gui/", form_data(defaults, files=[upload("a.pdf", PDF + b"0" * 300_000)]))
    assert big.status_code == 413 and not Feedback.objects.exists()  # refused before reading
    one_too_big = client.post("/gopy/gui/", form_data(defaults, files=[upload("a.pdf", PDF + b"0" * 1100)]))
    assert one_too_big.status_code == 400
    too_many = client.post("/gopy/gui/", form_data(defaults, files=[upload(f"{i}.pdf", PDF) for i in range(3)]))
    assert too_many.status_code == 400 and "tối đa 2 tệp" in too_many.content.decode()
    long_text = client.post("/gopy/gui/", form_data(defaults, text="x" * 5001))
    assert long_text.status_code == 400 and not Feedback.objects.exists()


def test_an_anonymous_filer_follows_rates_once_and_sees_the_published_answer(client, defaults, units, staff):
    response = client.post("/gopy/gui/", form_data(defaults, anonymous="on", name="", organisation="", email=""), follow=True)
    code = re.search(r'id="tracking-code">([A-Z0-9-]+)<', response.content.decode()).group(1)
    feedback = Feedback.objects.get()
    assert feedback.anonymous and not FilerContact.objects.exists()
    feedback = feedback_route(feedback=feedback, unit=units["tc"], by=staff["secretariat"])
    feedback = feedback_answer(feedback=feedback, text="Sở đã hướng dẫn bổ sung một lần.", by=staff["officer"])
    page = client.post("/gopy/tra-cuu/", {"code": code}, follow=True)
    ref_url = page.redirect_chain[-1][0]
    assert "Sở đã hướng dẫn bổ sung một lần." in page.content.decode()
    client.post(ref_url + "danh-gia/", {"answered": str(feedback.public_id), "score": "4"}, follow=True)
    again = client.post(ref_url + "danh-gia/", {"answered": str(feedback.public_id), "score": "1"}, follow=True)
    assert "đã đánh giá" in again.content.decode()
    assert list(Rating.objects.values_list("score", flat=True)) == [4]
    stranger = Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR="198.51.100.7")
    assert stranger.get(ref_url).status_code == 302  # a reference is useless without its cookie
    feedback_publish(feedback=feedback, summary="Doanh nghiệp hỏi về hồ sơ bị trả lại.", by=staff["secretariat"])
    listing = stranger.get("/gopy/cong-khai/").content.decode()
    assert "Hồ sơ bị trả lại" in listing
    detail = stranger.get(f"/gopy/cong-khai/{feedback.public_id}/").content.decode()
    assert "Doanh nghiệp hỏi về hồ sơ bị trả lại." in detail and "ba lần" not in detail  # the summary, not the text
