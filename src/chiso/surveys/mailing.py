"""Contacting the sample: invitation e-mails, reminders, printed letters with a QR code, opt-out.

Every sampled business has one invitation: one single-use link that the e-mail, the letter and
every reminder carry. The link is derived from a random salt kept on the invitation and the
server's secret key (like Django's password-reset links), so it can be sent again without being
stored; only its hash is stored, as for any invitation. Completing the survey closes it.
Sending runs as a background job (tasks.py), never inside a request.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Callable

from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.crypto import salted_hmac
from django.utils.html import escape
from django.utils.translation import gettext as _

from .models import Invitation, MessageTemplate, Sample, SampleMember, Survey
from .services import invitations_spent, token_hash

LINK_KEY = "chiso.surveys.invitation-link"
PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
PLACEHOLDERS = ("ten_doanh_nghiep", "ten_khao_sat", "duong_dan", "han_chot", "duong_dan_tu_choi", "dia_chi")
CHUNK = 200

DEFAULTS = {
    MessageTemplate.Kind.INVITATION: (
        "Thư mời tham gia {{ten_khao_sat}}",
        "Kính gửi {{ten_doanh_nghiep}},\n\n"
        "Ủy ban nhân dân tỉnh trân trọng mời Quý doanh nghiệp tham gia {{ten_khao_sat}}. "
        "Ý kiến của Quý doanh nghiệp giúp tỉnh đánh giá khách quan chất lượng điều hành của các sở, ban, ngành "
        "và địa phương, từ đó cải thiện môi trường kinh doanh.\n\n"
        "Quý doanh nghiệp vui lòng trả lời phiếu trực tuyến tại đường dẫn dưới đây trước ngày {{han_chot}}:\n"
        "{{duong_dan}}\n\n"
        "Đường dẫn chỉ dùng cho Quý doanh nghiệp và chỉ nộp được một lần; có thể dừng lại và trả lời tiếp bằng "
        "chính đường dẫn này. Câu trả lời được giữ ẩn danh: không cơ quan nào biết doanh nghiệp nào đã trả lời gì.\n\n"
        "Nếu không muốn tham gia và không muốn nhận thêm thư, xin bấm: {{duong_dan_tu_choi}}\n\n"
        "Trân trọng cảm ơn.\nBan Tổ chức khảo sát",
    ),
    MessageTemplate.Kind.REMINDER: (
        "Nhắc lại: {{ten_khao_sat}}",
        "Kính gửi {{ten_doanh_nghiep}},\n\n"
        "Ban Tổ chức chưa nhận được phiếu trả lời của Quý doanh nghiệp cho {{ten_khao_sat}}. "
        "Khảo sát kết thúc ngày {{han_chot}}; Quý doanh nghiệp có thể trả lời (hoặc trả lời tiếp) tại:\n"
        "{{duong_dan}}\n\n"
        "Nếu không muốn tham gia và không muốn nhận thêm thư, xin bấm: {{duong_dan_tu_choi}}\n\n"
        "Trân trọng cảm ơn.\nBan Tổ chức khảo sát",
    ),
    MessageTemplate.Kind.LETTER: (
        "",
        "Kính gửi {{ten_doanh_nghiep}}\n{{dia_chi}}\n\n"
        "Ủy ban nhân dân tỉnh trân trọng mời Quý doanh nghiệp tham gia {{ten_khao_sat}}. "
        "Ý kiến của Quý doanh nghiệp giúp tỉnh cải thiện môi trường kinh doanh.\n\n"
        "Quý doanh nghiệp vui lòng quét mã QR bên cạnh bằng điện thoại, hoặc nhập đường dẫn dưới đây vào trình duyệt, "
        "và trả lời trước ngày {{han_chot}}:\n{{duong_dan}}\n\n"
        "Đường dẫn chỉ dùng cho Quý doanh nghiệp và chỉ nộp được một lần. "
        "Câu trả lời được giữ ẩn danh: không cơ quan nào biết doanh nghiệp nào đã trả lời gì.",
    ),
}


# --- templates ---------------------------------------------------------------------------------

def template_check(text: str) -> list[str]:
    """The placeholders in `text` that chiso does not know."""
    return sorted({name for name in PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})


def template_render(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def message_template_get(survey: Survey, kind: str) -> tuple[str, str]:
    row = MessageTemplate.objects.filter(survey=survey, kind=kind).first()
    return (row.subject, row.body) if row else DEFAULTS[kind]


def message_template_set(*, survey: Survey, kind: str, subject: str, body: str) -> MessageTemplate:
    unknown = template_check(subject + "\n" + body)
    if unknown:
        raise ValidationError(
            _("Unknown placeholder %(names)s; use %(known)s.") % {"names": ", ".join("{{%s}}" % n for n in unknown), "known": ", ".join("{{%s}}" % n for n in PLACEHOLDERS)}
        )
    if "duong_dan" not in PLACEHOLDER.findall(body):
        raise ValidationError(_("The text must contain the link, {{duong_dan}}."))
    row, _created = MessageTemplate.objects.update_or_create(survey=survey, kind=kind, defaults={"subject": subject.strip()[:255], "body": body})
    return row


# --- links ---------------------------------------------------------------------------------------

def link_token(salt: str) -> str:
    """The invitation's token: 24 URL-safe characters from the salt and the secret key."""
    digest = salted_hmac(LINK_KEY, salt, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


@transaction.atomic
def member_invitation(member: SampleMember) -> tuple[Invitation, str]:
    """The member's invitation and its token, creating both on first contact."""
    member = SampleMember.objects.select_for_update(of=("self",)).select_related("invitation", "entry", "sample__survey").get(pk=member.pk)
    invitation = member.invitation
    if invitation is None:
        salt = secrets.token_hex(16)
        token = link_token(salt)
        invitation = Invitation.objects.create(survey=member.sample.survey, token_hash=token_hash(token), label=member.entry.name[:255], link_salt=salt)
        member.invitation = invitation
        member.save(update_fields=["invitation"])
        return invitation, token
    token = link_token(invitation.link_salt)
    if not invitation.link_salt or token_hash(token) != invitation.token_hash:
        # The secret key changed since the link was made: the old link can no longer be re-created.
        raise ValidationError(_("The link of %(name)s cannot be made again (the server's secret key changed).") % {"name": member.entry.name})
    return invitation, token


def member_values(member: SampleMember, token: str, base_url: str) -> dict[str, str]:
    survey = member.sample.survey
    return {
        "ten_doanh_nghiep": member.entry.name,
        "ten_khao_sat": survey.title_vi,
        "duong_dan": base_url + reverse("surveys_public:token", args=[token]),
        "duong_dan_tu_choi": base_url + reverse("surveys_public:optout", args=[token]),
        "han_chot": formats.date_format(timezone.localtime(survey.closes_at), "SHORT_DATE_FORMAT"),
        "dia_chi": ", ".join(x for x in (member.entry.address, member.entry.commune) if x),
    }


# --- e-mail ----------------------------------------------------------------------------------------

def members_to_email(sample: Sample, kind: str):
    members = (
        SampleMember.objects.filter(sample=sample, active=True, opted_out_at__isnull=True)
        .exclude(entry__email="")
        .select_related("entry", "invitation", "sample__survey")
        .order_by("pk")
    )
    if kind == MessageTemplate.Kind.INVITATION:
        return members.filter(emailed_at__isnull=True)
    # Reminders: to those contacted before who have not finished (nor submitted answers that
    # wait for their batch).
    return members.filter(emailed_at__isnull=False).exclude(invitation__status=Invitation.Status.COMPLETED).exclude(
        invitation__in=invitations_spent(sample.survey)
    )


def invitations_email(
    *, sample: Sample, kind: str, base_url: str, progress: Callable[..., None] | None = None, connection=None,
) -> dict:
    """Send the invitation (or a reminder) to every member due one; returns counts.

    A message that fails is recorded on its member and the rest go on; a member is marked as
    e-mailed only once the backend has taken the message.
    """
    if kind not in (MessageTemplate.Kind.INVITATION, MessageTemplate.Kind.REMINDER):
        raise ValueError(kind)
    survey = sample.survey
    subject_tpl, body_tpl = message_template_get(survey, kind)
    ids = list(members_to_email(sample, kind).values_list("pk", flat=True))
    total, sent, failed = len(ids), 0, 0
    connection = connection or mail.get_connection()
    if progress:
        progress(0, total)
    connection.open()
    try:
        for start in range(0, total, CHUNK):
            members = SampleMember.objects.filter(pk__in=ids[start:start + CHUNK]).select_related("entry", "invitation", "sample__survey").order_by("pk")
            for member in members:
                try:
                    _invitation, token = member_invitation(member)
                except ValidationError as error:
                    SampleMember.objects.filter(pk=member.pk).update(send_error=" ".join(error.messages)[:255])
                    failed += 1
                    continue
                values = member_values(member, token, base_url)
                message = mail.EmailMessage(
                    subject=template_render(subject_tpl, values).replace("\n", " "), body=template_render(body_tpl, values),
                    to=[member.entry.email], connection=connection,
                )
                try:
                    message.send()
                except Exception as error:  # SMTP refusals, timeouts: recorded, the batch goes on
                    SampleMember.objects.filter(pk=member.pk).update(send_error=str(error)[:255])
                    failed += 1
                    continue
                now = timezone.now()
                if kind == MessageTemplate.Kind.INVITATION:
                    SampleMember.objects.filter(pk=member.pk).update(emailed_at=now, send_error="")
                else:
                    SampleMember.objects.filter(pk=member.pk).update(reminded_at=now, reminders=member.reminders + 1, send_error="")
                sent += 1
            if progress:
                progress(min(start + CHUNK, total), total)
    finally:
        connection.close()
    return {"sent": sent, "failed": failed, "total": total}


# --- letters -----------------------------------------------------------------------------------------

LETTER_CSS = """
@page { size: A4; margin: 22mm 20mm; }
body { font-family: "DejaVu Sans", "Noto Sans", sans-serif; font-size: 11pt; line-height: 1.45; color: #111; }
.letter { page-break-after: always; }
.letter:last-child { page-break-after: auto; }
.head { font-size: 9.5pt; color: #333; margin-bottom: 12mm; }
.qr { float: right; width: 42mm; margin: 0 0 4mm 6mm; text-align: center; font-size: 8pt; }
.qr img { width: 42mm; height: 42mm; }
.link { font-family: "DejaVu Sans Mono", monospace; font-size: 9.5pt; word-break: break-all; }
p { margin: 0 0 3mm; }
"""


def letters_members(sample: Sample, only_without_email: bool = False):
    members = SampleMember.objects.filter(sample=sample, active=True, opted_out_at__isnull=True).exclude(
        invitation__status=Invitation.Status.COMPLETED
    ).exclude(invitation__in=invitations_spent(sample.survey))
    if only_without_email:
        members = members.filter(entry__email="")
    return members.select_related("entry", "invitation", "sample__survey").order_by("entry__commune", "entry__name", "pk")


def _letter_html(member: SampleMember, values: dict[str, str], body: str) -> str:
    import segno

    qr = segno.make(values["duong_dan"], error="m").svg_data_uri(scale=4, border=2)
    scan = escape(_("Scan to answer"))
    paragraphs = []
    for block in template_render(body, values).split("\n\n"):
        lines = [escape(line) for line in block.split("\n")]
        lines = [f'<span class="link">{line}</span>' if values["duong_dan"] in line else line for line in lines]
        paragraphs.append("<p>" + "<br>".join(lines) + "</p>")
    return (
        '<section class="letter">'
        f'<div class="head">{escape(values["ten_khao_sat"])}</div>'
        f'<div class="qr"><img src="{qr}" alt="QR">{scan}</div>'
        + "".join(paragraphs)
        + "</section>"
    )


def letters_pdf(*, sample: Sample, base_url: str, only_without_email: bool = False, progress: Callable[..., None] | None = None) -> tuple[bytes, int]:
    """One A4 page per member still to answer: the letter text, the link and its QR code.

    Rendered in chunks whose pages are joined into one PDF, so thousands of letters do not need
    one huge HTML document. Returns the PDF and the number of letters.
    """
    from chiso.core.pdf import html_document

    _subject, body = message_template_get(sample.survey, MessageTemplate.Kind.LETTER)
    ids = list(letters_members(sample, only_without_email).values_list("pk", flat=True))
    total = len(ids)
    if progress:
        progress(0, total)
    documents, pages, letters = [], [], 0
    for start in range(0, max(total, 1), CHUNK):
        chunk = SampleMember.objects.filter(pk__in=ids[start:start + CHUNK]).select_related("entry", "invitation", "sample__survey")
        order = {pk: i for i, pk in enumerate(ids[start:start + CHUNK])}
        sections = []
        for member in sorted(chunk, key=lambda m: order[m.pk]):
            try:
                _invitation, token = member_invitation(member)
            except ValidationError as error:
                SampleMember.objects.filter(pk=member.pk).update(send_error=" ".join(error.messages)[:255])
                continue
            sections.append(_letter_html(member, member_values(member, token, base_url), body))
        if not sections:
            continue
        letters += len(sections)
        html = f"<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><style>{LETTER_CSS}</style></head><body>{''.join(sections)}</body></html>"
        document = html_document(html).render()
        documents.append(document)
        pages.extend(document.pages)
        SampleMember.objects.filter(pk__in=ids[start:start + CHUNK]).update(letter_at=timezone.now())
        if progress:
            progress(min(start + CHUNK, total), total)
    if not documents:
        raise ValidationError(_("No letter to print: every member has answered, opted out or has an e-mail address."))
    return documents[0].copy(pages).write_pdf(), letters


# --- opting out ----------------------------------------------------------------------------------------

def invitation_opt_out(*, token: str) -> bool:
    """The respondent declines: no more reminders. False when the link is not an invitation."""
    invitation = Invitation.objects.filter(token_hash=token_hash(token)).first()
    if invitation is None:
        return False
    SampleMember.objects.filter(invitation=invitation, opted_out_at__isnull=True).update(opted_out_at=timezone.now())
    return True
