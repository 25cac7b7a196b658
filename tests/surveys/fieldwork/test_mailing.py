"""Contacting the sample: one link per business in e-mails, reminders and letters; opt-out."""

import logging
import re
import shutil
import smtplib
import subprocess

import pytest
import segno
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client

from chiso.accounts.models import Role
from chiso.jobs.models import Job
from chiso.surveys.collection.logfilters import redact
from chiso.surveys.fieldwork.mailing import (
    _letter_html,
    invitations_email,
    letters_pdf,
    member_invitation,
    member_values,
    message_template_set,
    send_error_text,
)
from chiso.surveys.models import Draft, Invitation, SampleMember
from chiso.surveys.fieldwork.sampling import sample_draw
from chiso.surveys.services import draft_for_token, token_hash

pytestmark = pytest.mark.django_db
BASE = "http://testserver"
LINK = re.compile(r"http://testserver/s/([A-Za-z0-9_\-]{24})/")


@pytest.fixture
def sample(ddci_survey, make_frame):
    return sample_draw(survey=ddci_survey, frame=make_frame(12), strata=[], size=6, seed=7, by=None)


def _tokens(messages):
    return [LINK.search(m.body).group(1) for m in messages]


def test_invitations_carry_one_single_use_link_each_and_only_its_hash_is_kept(sample):
    result = invitations_email(sample=sample, kind="invitation", base_url=BASE, by=None)
    assert result == {"sent": 6, "failed": 0, "total": 6} and len(mail.outbox) == 6
    message = mail.outbox[0]
    assert "Kính gửi Công ty Thử" in message.body and message.subject.startswith("Thư mời tham gia Khảo sát DDCI thử")
    tokens = _tokens(mail.outbox)
    assert len(set(tokens)) == 6
    assert all(Invitation.objects.filter(token_hash=token_hash(t)).exists() for t in tokens)
    assert not Invitation.objects.filter(token_hash__in=tokens).exists()  # the token itself is stored nowhere
    assert f"/s/{tokens[0]}/optout/" in message.body
    # a second run sends nothing: everyone has had the invitation
    assert invitations_email(sample=sample, kind="invitation", base_url=BASE, by=None)["total"] == 0
    # the link opens the form
    draft = draft_for_token(token=tokens[0])
    assert draft.invitation.member.sample == sample


def test_reminders_repeat_the_same_link_and_skip_who_finished_or_declined(sample):
    invitations_email(sample=sample, kind="invitation", base_url=BASE, by=None)
    first = dict(zip([m.to[0] for m in mail.outbox], _tokens(mail.outbox)))
    members = list(SampleMember.objects.filter(sample=sample, active=True).select_related("entry", "invitation").order_by("pk"))
    Invitation.objects.filter(pk=members[0].invitation_id).update(status=Invitation.Status.COMPLETED)
    SampleMember.objects.filter(pk=members[1].pk).update(opted_out_at="2025-01-01T00:00:00Z")
    mail.outbox.clear()
    result = invitations_email(sample=sample, kind="reminder", base_url=BASE, by=None)
    assert result["sent"] == 4 and {m.to[0] for m in mail.outbox} == {m.entry.email for m in members[2:]}
    assert all(first[m.to[0]] == token for m, token in zip(mail.outbox, _tokens(mail.outbox)))
    assert "Nhắc lại" in mail.outbox[0].subject
    assert SampleMember.objects.get(pk=members[2].pk).reminders == 1


def test_a_failing_message_is_recorded_and_the_rest_are_sent(sample, monkeypatch):
    original = EmailBackend.send_messages

    def flaky(self, messages):
        if messages[0].to[0].startswith("dn3@"):
            raise OSError("mailbox unavailable")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    result = invitations_email(sample=sample, kind="invitation", base_url=BASE, by=None)
    failed = SampleMember.objects.filter(sample=sample).exclude(send_error="")
    assert result["sent"] + result["failed"] == 6
    if failed.exists():  # dn3 may not be sampled
        assert result["failed"] == 1 and failed.get().emailed_at is None
        assert failed.get().send_error == "Không kết nối được máy chủ thư"  # in words, never the exception's repr


def test_a_refused_address_is_recorded_in_words_with_the_servers_codes():
    refused = smtplib.SMTPRecipientsRefused({"dn1@example.vn": (550, b"5.1.1 Mailbox does not exist")})
    text = send_error_text(refused)
    assert text == "Máy chủ thư của người nhận từ chối địa chỉ (SMTP 550 5.1.1)"
    assert "dn1@" not in text and "Mailbox" not in text and "{" not in text
    assert send_error_text(smtplib.SMTPDataError(554, b"Spam")) == "Máy chủ thư từ chối thư (SMTP 554)"
    assert send_error_text(ValueError("x")) == "Không gửi được thư"


def test_templates_are_editable_and_unknown_placeholders_refused(ddci_survey, sample):
    message_template_set(survey=ddci_survey, kind="invitation", subject="Mời {{ten_doanh_nghiep}}", body="Xin trả lời: {{duong_dan}}", by=None)
    invitations_email(sample=sample, kind="invitation", base_url=BASE, by=None)
    assert mail.outbox[0].subject.startswith("Mời Công ty Thử") and mail.outbox[0].body.startswith("Xin trả lời: http://testserver/s/")
    with pytest.raises(ValidationError) as error:
        message_template_set(survey=ddci_survey, kind="reminder", subject="", body="{{duong_dan}} {{ma_so_thue}}", by=None)
    assert "ma_so_thue" in error.value.messages[0]
    with pytest.raises(ValidationError):
        message_template_set(survey=ddci_survey, kind="reminder", subject="", body="Không có đường dẫn", by=None)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) reads the PDF back")
def test_letters_are_a_pdf_page_each_with_the_link_and_a_qr_code(sample, tmp_path):
    invitations_email(sample=sample, kind="invitation", base_url=BASE, by=None)
    emailed = _tokens(mail.outbox)
    content, count = letters_pdf(sample=sample, base_url=BASE)
    assert content.startswith(b"%PDF") and count == 6
    path = tmp_path / "letters.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert text.count("\f") >= 5  # one page per letter
    assert "Kính gửi Công ty Thử" in text and "quét mã QR" in text
    assert sum(token in text.replace("\n", "") for token in emailed) >= 5  # the e-mail's link, again
    assert SampleMember.objects.filter(sample=sample, letter_at__isnull=False).count() == 6



def test_a_letter_carries_the_qr_code_of_its_own_link(sample):
    member = SampleMember.objects.filter(sample=sample, active=True).select_related("entry", "sample__survey").first()
    _invitation, token = member_invitation(member)
    values = member_values(member, token, BASE)
    html = _letter_html(member, values, "Kính gửi {{ten_doanh_nghiep}}\n{{duong_dan}}")
    assert segno.make(f"{BASE}/s/{token}/", error="m").svg_data_uri(scale=4, border=2) in html
    assert f'<span class="link">{BASE}/s/{token}/</span>' in html and member.entry.name in html


def test_opting_out_stops_reminders_and_keeps_the_token_out_of_logs(sample, caplog):
    invitations_email(sample=sample, kind="invitation", base_url=BASE, by=None)
    token = _tokens(mail.outbox)[0]
    client = Client()
    page = client.get(f"/s/{token}/optout/")
    assert page.status_code == 200 and "Từ chối tham gia" in page.content.decode()
    assert client.post(f"/s/{token}/optout/").status_code == 200
    member = SampleMember.objects.get(invitation__token_hash=token_hash(token))
    assert member.opted_out_at is not None
    mail.outbox.clear()
    invitations_email(sample=sample, kind="reminder", base_url=BASE, by=None)
    assert member.entry.email not in [m.to[0] for m in mail.outbox] and len(mail.outbox) == 5
    assert client.post("/s/" + "x" * 24 + "/optout/").status_code == 404
    assert token not in redact(f'"GET /s/{token}/optout/ HTTP/1.1" 200')
    logging.getLogger("django.server").warning('"POST /s/%s/optout/ HTTP/1.1" 200', token)
    assert token not in caplog.text


def test_sending_and_letters_run_as_background_jobs_for_the_secretariat_only(sample, make_user, ddci_survey, django_capture_on_commit_callbacks):
    secretariat = make_user("thuky", Role.SECRETARIAT)
    analyst = make_user("phantich", Role.ANALYST)
    client = Client()
    client.force_login(analyst)
    assert client.post(f"/surveys/{ddci_survey.code}/contact/send/invitation/").status_code == 403
    assert client.get(f"/surveys/{ddci_survey.code}/contact/").status_code == 403
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/surveys/{ddci_survey.code}/contact/send/invitation/")
    job = Job.objects.get(kind="surveys_invitation")
    assert response.status_code == 302 and response["Location"].endswith(f"/jobs/{job.pk}/")
    assert job.status == Job.Status.DONE and job.result["sent"] == 6 and len(mail.outbox) == 6
    page = client.get(f"/surveys/{ddci_survey.code}/contact/").content.decode()
    assert "Gửi thư nhắc" in page
    assert Draft.objects.count() == 0
