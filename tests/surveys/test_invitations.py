"""Participants: typeable codes, the code page and its limit, resend and revoke, downloads, letters."""

import hashlib
import re
import shutil
import subprocess

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, override_settings

from chiso.accounts.models import Role
from chiso.audit.models import AuditRecord
from chiso.surveys.collection import links
from chiso.surveys.fieldwork.mailing import invitation_letters_pdf, invitation_resend, invitations_email, message_template_set
from chiso.surveys.models import Draft, Invitation, SampleMember
from chiso.surveys.fieldwork.sampling import sample_draw
from chiso.surveys.services import (
    AccessRefused,
    draft_for_code,
    draft_for_token,
    invitation_code,
    invitation_revoke,
    invitations_create,
    response_submit,
    responses_flush,
)

pytestmark = pytest.mark.django_db
BASE = "http://testserver"


def _client(user=None):
    client = Client(HTTP_HOST="127.0.0.1")
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def sample(ddci_survey, make_frame):
    return sample_draw(survey=ddci_survey, frame=make_frame(12), strata=[], size=6, seed=7, by=None)


# --- codes ---------------------------------------------------------------------------------------

def test_a_code_is_eight_characters_without_look_alikes_and_a_check_character():
    codes = {links.link_code(f"salt-{n}") for n in range(300)}
    assert len(codes) == 300
    for code in codes:
        assert len(code) == 9 and set(code) <= set(links.ALPHABET) and not set(code) & set("ILOU")
        assert links.check_character(code[:-1]) == code[-1]
    # The check character catches every single mistyped character and every swap of neighbours.
    for code in list(codes)[:40]:
        for i in range(9):
            for other in links.ALPHABET:
                if other != code[i]:
                    assert links.code_normalise(code[:i] + other + code[i + 1:]) is None
        for i in range(8):
            if code[i] != code[i + 1]:
                swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
                assert links.code_normalise(swapped) is None, (code, i)


def test_a_code_is_read_as_typed_small_letters_dashes_and_look_alikes():
    code = links.link_code("x")
    shown = links.code_shown(code)
    assert re.fullmatch(r"[0-9A-Z]{3}-[0-9A-Z]{3}-[0-9A-Z]{3}", shown)
    assert links.code_normalise(shown.lower()) == code
    assert links.code_normalise(" ".join(code)) == code
    one = "1" + code[1:]
    one = one[:-1] + links.check_character(one[:-1])
    assert links.code_normalise("I" + one[1:]) == one and links.code_normalise("l" + one[1:]) == one
    assert links.code_normalise("short") is None


def test_only_keyed_hashes_of_the_link_and_the_code_are_kept(ddci_survey):
    [(invitation, token)] = invitations_create(survey=ddci_survey, labels=["DN-1"], by=None)
    code = invitation_code(invitation)
    row = Invitation.objects.filter(pk=invitation.pk).values().get()
    stored = " ".join(str(v) for v in row.values())
    assert token not in stored and code not in stored
    assert row["code_hash"] == links.code_hashes(code)[0] != hashlib.sha256(code.encode()).hexdigest()
    # Both are made again from the salt, for letters and downloads.
    assert links.link_token(invitation.link_salt) == token and invitation_code(invitation) == code
    assert draft_for_code(code=code).invitation_id == invitation.pk == draft_for_token(token=token).invitation_id


def test_the_code_page_opens_the_form_from_a_typed_code(ddci_survey):
    [(invitation, _token)] = invitations_create(survey=ddci_survey, labels=["DN-1"], by=None)
    code = invitation_code(invitation)
    client = _client()
    opened = client.post("/s/", {"code": links.code_shown(code).lower()}, follow=True)
    assert opened.status_code == 200 and Draft.objects.get().invitation_id == invitation.pk
    mistyped = code[:-1] + ("A" if code[-1] != "A" else "B")
    refused = _client().post("/s/", {"code": mistyped})
    assert refused.status_code == 400 and "gõ nhầm" in refused.content.decode()
    assert f'value="{mistyped}"' in refused.content.decode()  # shown again to mend one character


@override_settings(CHISO_SURVEY_OPEN_RATE="3/h")
def test_guessing_codes_is_limited_per_address_but_typos_cost_nothing(ddci_survey):
    [(invitation, _token)] = invitations_create(survey=ddci_survey, labels=["DN-1"], by=None)
    client = _client()
    typo = links.link_code("typo")
    typo = typo[:-1] + next(c for c in links.ALPHABET if c != typo[-1])
    for _ in range(5):  # caught by the check character: not a guess, not counted
        assert "gõ nhầm" in client.post("/s/", {"code": typo}).content.decode()
    guesses = [links.link_code(f"guess-{n}") for n in range(4)]
    statuses = [client.post("/s/", {"code": guess}).status_code for guess in guesses]
    assert statuses == [400, 400, 400, 429]
    # the right code from the same address is refused too while the limit holds
    assert client.post("/s/", {"code": invitation_code(invitation)}).status_code == 429
    assert _client().post("/s/", {"code": invitation_code(invitation)}, REMOTE_ADDR="10.0.0.9").status_code == 302


# --- revoke and resend -------------------------------------------------------------------------------

def test_revoking_closes_the_link_and_the_code_and_is_recorded(ddci_survey, make_user, answers):
    secretariat = make_user("thuky", Role.SECRETARIAT)
    [(invitation, token)] = invitations_create(survey=ddci_survey, labels=["DN-1"], by=None)
    code = invitation_code(invitation)
    Draft.objects.filter(pk=draft_for_token(token=token).pk).update(answers=answers())
    with pytest.raises(PermissionDenied):
        invitation_revoke(invitation=invitation, by=make_user("phantich", Role.ANALYST), reason="x")
    invitation_revoke(invitation=invitation, by=secretariat, reason="Doanh nghiệp đã giải thể")
    assert Invitation.objects.get(pk=invitation.pk).status == "revoked" and not Draft.objects.exists()
    for opener in (lambda: draft_for_token(token=token), lambda: draft_for_code(code=code)):
        with pytest.raises(AccessRefused) as refused:
            opener()
        assert refused.value.reason == "unknown"
    record = AuditRecord.objects.get(event="invitation.revoked")
    assert record.by == secretariat and record.reason == "Doanh nghiệp đã giải thể" and record.old_value == "in_progress"
    with pytest.raises(ValidationError):
        invitation_revoke(invitation=invitation, by=secretariat)


def test_revoking_and_resending_say_nothing_about_answers_waiting_for_their_batch(ddci_survey, sample, make_user, answers):
    """A business that submitted is "opened" until its batch: revoking it or sending it again
    goes exactly as for one still answering, and its answers still count."""
    secretariat = make_user("thuky", Role.SECRETARIAT)
    invitations_email(sample=sample, kind="invitation", base_url=BASE, by=None)
    members = list(SampleMember.objects.filter(sample=sample, active=True).select_related("invitation").order_by("pk"))
    submitted, answering = members[0].invitation, members[1].invitation
    for invitation, n in ((submitted, 1), (answering, 2)):
        salt_token = links.link_token(invitation.link_salt)
        Draft.objects.filter(pk=draft_for_token(token=salt_token).pk).update(answers=answers())
    response_submit(survey_id=ddci_survey.pk, draft_key=Draft.objects.get(invitation=submitted).key, client_key="k1")
    mail.outbox.clear()
    for invitation in (submitted, answering):
        invitation_resend(invitation=Invitation.objects.get(pk=invitation.pk), base_url=BASE, by=secretariat)
    assert len(mail.outbox) == 2
    client = _client(secretariat)
    pages = [client.post(f"/surveys/{ddci_survey.code}/invitations/{i.pk}/revoke/", {"reason": "thử"}, follow=True) for i in (submitted, answering)]
    assert [p.status_code for p in pages] == [200, 200]
    assert all("Đã thu hồi lời mời" in p.content.decode() for p in pages)
    assert set(Invitation.objects.filter(pk__in=[submitted.pk, answering.pk]).values_list("status", flat=True)) == {"revoked"}
    responses_flush(survey=ddci_survey, force=True)
    assert Invitation.objects.get(pk=submitted.pk).status == "completed"  # its answers count, with its batch
    assert Invitation.objects.get(pk=answering.pk).status == "revoked"


def test_sending_one_invitation_again_repeats_its_link_and_is_refused_where_the_page_says_why(sample, make_user):
    secretariat = make_user("thuky", Role.SECRETARIAT)
    invitations_email(sample=sample, kind="invitation", base_url=BASE, by=None)
    first = {m.to[0]: m.body for m in mail.outbox}
    member = SampleMember.objects.filter(sample=sample, active=True).select_related("invitation", "entry").first()
    mail.outbox.clear()
    invitation_resend(invitation=member.invitation, base_url=BASE, by=secretariat)
    [message] = mail.outbox
    link = re.search(r"http://testserver/s/[A-Za-z0-9_\-]{24}/", first[member.entry.email]).group(0)
    assert message.to == [member.entry.email] and link in message.body
    assert AuditRecord.objects.filter(event="invitation.resent", by=secretariat).count() == 1
    with pytest.raises(PermissionDenied):
        invitation_resend(invitation=member.invitation, base_url=BASE, by=make_user("lanhdao", Role.LEADER))
    Invitation.objects.filter(pk=member.invitation_id).update(status="completed")
    with pytest.raises(ValidationError):
        invitation_resend(invitation=Invitation.objects.get(pk=member.invitation_id), base_url=BASE, by=secretariat)
    [(hand, _token)] = invitations_create(survey=sample.survey, labels=["Bưu điện xã"], by=None)
    with pytest.raises(ValidationError, match="in thư mời"):
        invitation_resend(invitation=hand, base_url=BASE, by=secretariat)


# --- the list, downloads, letters --------------------------------------------------------------------

def test_the_invitation_page_lists_each_status_with_its_day_and_its_actions(ddci_survey, sample, make_user):
    secretariat = make_user("thuky", Role.SECRETARIAT)
    invitations_email(sample=sample, kind="invitation", base_url=BASE, by=None)
    [(hand, _token)] = invitations_create(survey=ddci_survey, labels=["Điểm một cửa"], by=None)
    [(gone, _token)] = invitations_create(survey=ddci_survey, labels=["Thu hồi"], by=None)
    invitation_revoke(invitation=gone, by=secretariat, reason="trùng")
    html = _client(secretariat).get(f"/surveys/{ddci_survey.code}/invitations/status/").content.decode()
    assert re.search(rf'id="i-{hand.pk}" data-state="created">.*?\d\d/\d\d/\d{{4}}', html, re.S)
    assert f'id="i-{gone.pk}" data-state="revoked"' in html and "đã thu hồi" in html
    sent = SampleMember.objects.filter(sample=sample, active=True).first().invitation_id
    row = re.search(rf'id="i-{sent}" data-state="sent">(.*?)</tr>', html, re.S).group(1)
    assert "Gửi lại" in row and "Thu hồi" in row
    assert "Gửi lại" not in re.search(rf'id="i-{gone.pk}".*?</tr>', html, re.S).group(0)
    assert _client(make_user("phantich", Role.ANALYST)).get(f"/surveys/{ddci_survey.code}/invitations/status/").status_code == 403


def test_links_made_by_hand_download_as_csv_and_sms_at_creation(ddci_survey, make_user):
    client = _client(make_user("thuky", Role.SECRETARIAT))
    page = client.post(f"/surveys/{ddci_survey.code}/invitations/", {"labels": "=HYPERLINK(\"x\")\nBưu điện xã A"})
    html = page.content.decode()
    ids = re.search(r"links\.csv\?ids=([\d,]+)", html).group(1)
    codes = re.findall(r'class="survey-code">([0-9A-Z-]{11})<', html)
    assert len(codes) == 2
    csv_text = client.get(f"/surveys/{ddci_survey.code}/invitations/links.csv?ids={ids}").content.decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("Nhãn,Đường dẫn,Mã khảo sát") and len(lines) == 3
    assert any(line.startswith("'=HYPERLINK") or line.startswith("\"'=HYPERLINK") for line in lines)  # a formula stays text
    assert all(code in csv_text for code in codes)
    sms = client.get(f"/surveys/{ddci_survey.code}/invitations/links.txt?ids={ids}").content.decode()
    assert len(sms.strip().splitlines()) == 2 and all("Kính mời trả lời" in line for line in sms.splitlines())
    token = re.search(r"/s/([A-Za-z0-9_\-]{24})/", sms).group(1)
    assert draft_for_token(token=token).survey == ddci_survey


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_letters_for_links_made_by_hand_carry_the_official_heading_and_the_code(ddci_survey, make_user, tmp_path):
    message_template_set(survey=ddci_survey, kind="letter", subject="", body="Kính gửi {{ten_doanh_nghiep}}\n{{duong_dan}}\nMã: {{ma_khao_sat}}",
                         issuer="Ủy ban nhân dân tỉnh Cao Bằng", reference="125/UBND-KT", place="Cao Bằng", by=None)
    created = invitations_create(survey=ddci_survey, labels=["Hộ kinh doanh A", "Hộ kinh doanh B"], by=None)
    invitation_revoke(invitation=created[1][0], by=make_user("thuky", Role.SECRETARIAT), reason="trùng")
    content, count = invitation_letters_pdf(survey=ddci_survey, invitations=Invitation.objects.filter(survey=ddci_survey), base_url=BASE)
    assert count == 1
    path = tmp_path / "letter.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "ỦY BAN NHÂN DÂN TỈNH", "CAO BẰNG", "Số: 125/UBND-KT",
                  "Cao Bằng, ngày", "Kính gửi Hộ kinh doanh A", links.code_shown(invitation_code(created[0][0]))):
        assert words in text, words
    assert "Hộ kinh doanh B" not in text
