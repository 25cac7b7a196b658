"""Contacting the sample: invitation e-mails, reminders, printed letters with a QR code, opt-out.

Every sampled business has one invitation: one single-use link that the e-mail, the letter and
every reminder carry. The link is derived from a random salt kept on the invitation and the
server's secret key (like Django's password-reset links), so it can be sent again without being
stored; only its hash is stored, as for any invitation. Completing the survey closes it.
Sending runs as a background job (tasks.py), never inside a request.
"""

from __future__ import annotations

import re
import smtplib
import socket
from collections.abc import Callable

import segno
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from chiso.accounts.permissions import surveys_check
from chiso.audit.services import audit_record
from chiso.core.pdf import html_document
from chiso.surveys.collection.links import code_shown, link_token
from chiso.surveys.models import Invitation, MessageTemplate, Sample, SampleMember, Survey
from chiso.surveys.services import InvitationEventCode, invitation_code, invitation_new, invitations_spent, token_hash

PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
PLACEHOLDERS = ("ten_doanh_nghiep", "ten_khao_sat", "duong_dan", "han_chot", "duong_dan_tu_choi", "dia_chi", "ma_khao_sat", "trang_nhap_ma")
# Neither completed nor revoked: an invitation that may still be answered.
_OPEN_STATUSES = (Invitation.Status.NOT_STARTED, Invitation.Status.IN_PROGRESS)
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
        "Hoặc vào trang {{trang_nhap_ma}} và nhập mã khảo sát: {{ma_khao_sat}}\n\n"
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


class MailingEventCode:
    TEMPLATE_CHANGED = "survey.message_template_changed"
    INVITATIONS_SENT = "sample.invitations_sent"
    REMINDERS_SENT = "sample.reminders_sent"


def message_template_set(*, survey: Survey, kind: str, subject: str, body: str, by, issuer: str = "", reference: str = "",
                         place: str = "") -> MessageTemplate:
    """The wording of the invitations or reminders sent in the province's name (one per kind)."""
    surveys_check(by)
    unknown = template_check(subject + "\n" + body)
    if unknown:
        raise ValidationError(
            _("Unknown placeholder %(names)s; use %(known)s.") % {"names": ", ".join("{{%s}}" % n for n in unknown), "known": ", ".join("{{%s}}" % n for n in PLACEHOLDERS)}
        )
    if "duong_dan" not in PLACEHOLDER.findall(body):
        raise ValidationError(_("The text must contain the link, {{duong_dan}}."))
    old = MessageTemplate.objects.filter(survey=survey, kind=kind).first()
    with transaction.atomic():
        row, _created = MessageTemplate.objects.update_or_create(survey=survey, kind=kind, defaults={
            "subject": subject.strip()[:255], "body": body, "issuer": issuer.strip()[:255], "reference": reference.strip()[:100], "place": place.strip()[:100]})
        audit_record(event=MailingEventCode.TEMPLATE_CHANGED, obj=survey, by=by, field=kind,
                     old=f"{old.subject}\n{old.body}" if old else "", new=f"{row.subject}\n{row.body}")
    return row


# --- links ---------------------------------------------------------------------------------------

@transaction.atomic
def member_invitation(member: SampleMember) -> tuple[Invitation, str]:
    """The member's invitation and its token, creating both on first contact."""
    member = SampleMember.objects.select_for_update(of=("self",)).select_related("invitation", "entry", "sample__survey").get(pk=member.pk)
    invitation = member.invitation
    if invitation is None:
        invitation, token = invitation_new(survey=member.sample.survey, label=member.entry.name)
        member.invitation = invitation
        member.save(update_fields=["invitation"])
        return invitation, token
    token = link_token(invitation.link_salt)
    if not invitation.link_salt or token_hash(token) != invitation.token_hash:
        # The secret key changed since the link was made: the old link can no longer be re-created.
        raise ValidationError(_("The link of %(name)s cannot be made again (the server's secret key changed).") % {"name": member.entry.name})
    return invitation, token


def invitation_link(invitation: Invitation) -> str:
    """The token of an invitation made with a salt, made again ("" when it cannot be)."""
    token = link_token(invitation.link_salt) if invitation.link_salt else ""
    return token if token and token_hash(token) == invitation.token_hash else ""


def member_values(member: SampleMember, token: str, base_url: str, invitation: Invitation | None = None) -> dict[str, str]:
    invitation = invitation or member.invitation or Invitation.objects.filter(token_hash=token_hash(token)).first()
    return invitation_values(invitation, token, base_url, name=member.entry.name, survey=member.sample.survey,
                             address=", ".join(x for x in (member.entry.address, member.entry.commune) if x))


def invitation_values(invitation: Invitation, token: str, base_url: str, *, name: str = "", survey: Survey | None = None, address: str = "") -> dict[str, str]:
    """What a message's placeholders stand for, for one invitation (sampled or made by hand)."""
    survey = survey or invitation.survey
    code = invitation_code(invitation) if invitation is not None else ""
    return {
        "ten_doanh_nghiep": name or (invitation.label if invitation is not None else ""),
        "ten_khao_sat": survey.title_vi,
        "duong_dan": base_url + reverse("surveys_public:token", args=[token]),
        "duong_dan_tu_choi": base_url + reverse("surveys_public:optout", args=[token]),
        "han_chot": formats.date_format(timezone.localtime(survey.closes_at), "SHORT_DATE_FORMAT"),
        "dia_chi": address,
        "ma_khao_sat": code_shown(code) if code else "",
        "trang_nhap_ma": base_url + reverse("surveys_public:code"),
    }


# --- e-mail ----------------------------------------------------------------------------------------

def members_to_email(sample: Sample, kind: str):
    members = (
        SampleMember.objects.filter(sample=sample, active=True, opted_out_at__isnull=True)
        .exclude(entry__email="")
        .select_related("entry", "invitation", "sample__survey")
        .order_by("pk")
    )
    members = members.exclude(invitation__status=Invitation.Status.REVOKED)
    if kind == MessageTemplate.Kind.INVITATION:
        return members.filter(emailed_at__isnull=True)
    # Reminders: to those contacted before who have not finished (nor submitted answers that
    # wait for their batch).
    return members.filter(emailed_at__isnull=False).exclude(invitation__status=Invitation.Status.COMPLETED).exclude(
        invitation__in=invitations_spent(sample.survey)
    )


def invitations_email(
    *, sample: Sample, kind: str, base_url: str, by, progress: Callable[..., None] | None = None, connection=None,
) -> dict:
    """Send the invitation (or a reminder) to every member due one; returns counts.

    A message that fails is recorded on its member and the rest go on; a member is marked as
    e-mailed only once the backend has taken the message. One audit record for the batch, with its
    counts (sent / due, failed).
    """
    surveys_check(by)
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
                    invitation, token = member_invitation(member)
                except ValidationError as error:
                    SampleMember.objects.filter(pk=member.pk).update(send_error=" ".join(error.messages)[:255])
                    failed += 1
                    continue
                values = member_values(member, token, base_url, invitation)
                message = mail.EmailMessage(
                    subject=template_render(subject_tpl, values).replace("\n", " "), body=template_render(body_tpl, values),
                    to=[member.entry.email], connection=connection,
                )
                try:
                    message.send()
                except Exception as error:  # SMTP refusals, timeouts: recorded, the batch goes on
                    SampleMember.objects.filter(pk=member.pk).update(send_error=send_error_text(error))
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
        event = MailingEventCode.INVITATIONS_SENT if kind == MessageTemplate.Kind.INVITATION else MailingEventCode.REMINDERS_SENT
        audit_record(event=event, obj=sample, parents=(survey,), by=by, new=f"{sent} / {total}", details={"failed": failed})
    return {"sent": sent, "failed": failed, "total": total}


# --- letters -----------------------------------------------------------------------------------------

LETTER_CSS = """
@page { size: A4; margin: 20mm 20mm 20mm 30mm; }
body { font-family: "Times New Roman", "DejaVu Serif", "Noto Serif", serif; font-size: 13pt; line-height: 1.4; color: #111; }
.letter { page-break-after: always; }
.letter:last-child { page-break-after: auto; }
.heading { display: table; width: 100%; margin-bottom: 8mm; font-size: 12pt; }
.heading > div { display: table-cell; text-align: center; vertical-align: top; }
.heading .issuer { width: 40%; }
.heading .issuer strong { text-transform: uppercase; }
.heading .issuer strong, .heading .nation strong { display: block; }
.heading .nation { width: 60%; }
.heading .motto { font-weight: bold; }
.heading .rule { display: block; width: 35%; margin: 1mm auto 2mm; border-top: 1px solid #111; }
.heading .date { font-style: italic; margin-top: 3mm; }
.survey-title { font-weight: bold; text-align: center; margin-bottom: 6mm; }
.qr { float: right; width: 42mm; margin: 0 0 4mm 6mm; text-align: center; font-size: 9pt; }
.qr img { width: 42mm; height: 42mm; }
.link { font-family: "DejaVu Sans Mono", monospace; font-size: 10pt; word-break: break-all; }
.code { font-family: "DejaVu Sans Mono", monospace; font-size: 16pt; font-weight: bold; }
p { margin: 0 0 3mm; }
"""

# Quốc hiệu and tiêu ngữ, as every administrative document carries them (Decree 30/2020/NĐ-CP).
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


def letter_heading(survey: Survey, *, day=None) -> str:
    """The official heading: issuing body and số/ký hiệu on the left, quốc hiệu, tiêu ngữ,
    place and date on the right (the letter template's fields; dotted lines left to fill by hand)."""
    row = MessageTemplate.objects.filter(survey=survey, kind=MessageTemplate.Kind.LETTER).first()
    issuer = (row.issuer if row else "") or "ỦY BAN NHÂN DÂN TỈNH"
    reference = (row.reference if row else "") or "Số: ……/……"
    if not reference.lower().startswith("số"):
        reference = f"Số: {reference}"
    place = (row.place if row else "") or "……"
    day = day or timezone.localdate()
    return (
        '<div class="heading">'
        f'<div class="issuer"><strong>{escape(issuer)}</strong><span class="rule"></span>{escape(reference)}</div>'
        f'<div class="nation"><strong>{NATION}</strong><span class="motto">{MOTTO}</span><span class="rule"></span>'
        f'<div class="date">{escape(place)}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}</div></div>'
        "</div>"
    )


def _letter_html(_member, values: dict[str, str], body: str, heading: str = "") -> str:
    qr = segno.make(values["duong_dan"], error="m").svg_data_uri(scale=4, border=2)
    scan = escape(_("Scan to answer"))
    code = values.get("ma_khao_sat", "")
    paragraphs = []
    for block in template_render(body, values).split("\n\n"):
        lines = [escape(line) for line in block.split("\n")]
        lines = [f'<span class="link">{line}</span>' if values["duong_dan"] in line else line for line in lines]
        if code:
            lines = [line.replace(escape(code), f'<span class="code">{escape(code)}</span>') for line in lines]
        paragraphs.append("<p>" + "<br>".join(lines) + "</p>")
    return (
        '<section class="letter">'
        + heading
        + f'<div class="survey-title">{escape(values["ten_khao_sat"])}</div>'
        f'<div class="qr"><img src="{qr}" alt="QR">{scan}</div>'
        + "".join(paragraphs)
        + "</section>"
    )


def _pdf(sections_by_chunk, progress=None, total=0):
    """Render chunks of letters (lists of sections) into one PDF; returns (pdf, letters)."""
    documents, pages, letters = [], [], 0
    for done, sections in sections_by_chunk:
        if sections:
            letters += len(sections)
            html = f"<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><style>{LETTER_CSS}</style></head><body>{''.join(sections)}</body></html>"
            document = html_document(html).render()
            documents.append(document)
            pages.extend(document.pages)
        if progress:
            progress(min(done, total), total)
    if not documents:
        return None, 0
    return documents[0].copy(pages).write_pdf(), letters


def letters_members(sample: Sample, only_without_email: bool = False):
    members = SampleMember.objects.filter(sample=sample, active=True, opted_out_at__isnull=True).exclude(
        invitation__status__in=(Invitation.Status.COMPLETED, Invitation.Status.REVOKED)
    ).exclude(invitation__in=invitations_spent(sample.survey))
    if only_without_email:
        members = members.filter(entry__email="")
    return members.select_related("entry", "invitation", "sample__survey").order_by("entry__commune", "entry__name", "pk")


def letters_pdf(*, sample: Sample, base_url: str, only_without_email: bool = False, progress: Callable[..., None] | None = None) -> tuple[bytes, int]:
    """One A4 page per member still to answer: the official heading, the letter text, the link,
    its QR code and the typeable code.

    Rendered in chunks whose pages are joined into one PDF, so thousands of letters do not need
    one huge HTML document. Returns the PDF and the number of letters.
    """
    _subject, body = message_template_get(sample.survey, MessageTemplate.Kind.LETTER)
    heading = letter_heading(sample.survey)
    ids = list(letters_members(sample, only_without_email).values_list("pk", flat=True))
    total = len(ids)
    if progress:
        progress(0, total)

    def chunks():
        for start in range(0, max(total, 1), CHUNK):
            chunk = SampleMember.objects.filter(pk__in=ids[start:start + CHUNK]).select_related("entry", "invitation", "sample__survey")
            order = {pk: i for i, pk in enumerate(ids[start:start + CHUNK])}
            sections = []
            for member in sorted(chunk, key=lambda m: order[m.pk]):
                try:
                    invitation, token = member_invitation(member)
                except ValidationError as error:
                    SampleMember.objects.filter(pk=member.pk).update(send_error=" ".join(error.messages)[:255])
                    continue
                sections.append(_letter_html(member, member_values(member, token, base_url, invitation), body, heading))
            if sections:
                SampleMember.objects.filter(pk__in=ids[start:start + CHUNK]).update(letter_at=timezone.now())
            yield start + CHUNK, sections

    content, letters = _pdf(chunks(), progress, total)
    if content is None:
        raise ValidationError(_("No letter to print: every member has answered, opted out or has an e-mail address."))
    return content, letters


HAND_LETTERS_MAX = 500  # printed within the request; a sample's letters go through a background job


def invitation_letters_pdf(*, survey: Survey, invitations, base_url: str) -> tuple[bytes, int]:
    """Letters for chosen invitations (made by hand, or one sampled business's): the same
    heading, text, link, QR code and typeable code as the sample's letters. Completed, revoked
    and opted-out invitations, and those whose link cannot be made again, get none."""
    _subject, body = message_template_get(survey, MessageTemplate.Kind.LETTER)
    heading = letter_heading(survey)
    invitations = list(invitations)[:HAND_LETTERS_MAX]
    members = {m.invitation_id: m for m in SampleMember.objects.filter(invitation__in=invitations).select_related("entry", "sample__survey")}
    sections, printed = [], []
    for invitation in invitations:
        member = members.get(invitation.pk)
        token = invitation_link(invitation)
        if invitation.status not in _OPEN_STATUSES or not token or (member is not None and member.opted_out_at):
            continue
        values = member_values(member, token, base_url, invitation) if member else invitation_values(invitation, token, base_url, survey=survey)
        sections.append(_letter_html(member, values, body, heading))
        if member is not None:
            printed.append(member.pk)
    content, letters = _pdf([(len(sections), sections)])
    if content is None:
        raise ValidationError(_("No letter to print: these invitations are completed, revoked or opted out, or their links cannot be made again."))
    SampleMember.objects.filter(pk__in=printed).update(letter_at=timezone.now())
    return content, letters


# --- one invitation: send again ---------------------------------------------------------------------

def invitation_resend(*, invitation: Invitation, base_url: str, by, connection=None) -> Invitation:
    """Gửi lại — e-mail a sampled business its invitation (the same link and code) once more.

    Refused only for what the invitation page shows (completed, revoked, opted out, no e-mail):
    whether answers wait for their batch is not looked up, so the outcome says nothing more.
    """
    surveys_check(by)
    if invitation.status not in _OPEN_STATUSES:
        raise ValidationError(_("This invitation is %(status)s: nothing is sent.") % {"status": invitation.get_status_display().lower()})
    member = SampleMember.objects.filter(invitation=invitation).select_related("entry", "sample__survey").first()
    if member is None or not member.entry.email:
        raise ValidationError(_("There is no e-mail address for this invitation: print its letter instead."))
    if member.opted_out_at:
        raise ValidationError(_("This business has opted out: nothing is sent."))
    invitation, token = member_invitation(member)
    subject, body = message_template_get(invitation.survey, MessageTemplate.Kind.INVITATION)
    values = member_values(member, token, base_url, invitation)
    message = mail.EmailMessage(subject=template_render(subject, values).replace("\n", " "), body=template_render(body, values),
                                to=[member.entry.email], connection=connection)
    try:
        message.send()
    except Exception as error:  # an SMTP refusal: kept on the member and shown as bounced
        SampleMember.objects.filter(pk=member.pk).update(send_error=send_error_text(error))
        raise ValidationError(_("The e-mail could not be sent: %(error)s") % {"error": send_error_text(error)}) from None
    SampleMember.objects.filter(pk=member.pk).update(emailed_at=timezone.now(), send_error="")
    audit_record(event=InvitationEventCode.RESENT, obj=invitation, by=by, parents=[invitation.survey], new=member.entry.email)
    return invitation


# --- opting out ----------------------------------------------------------------------------------------

def invitation_opt_out(*, token: str) -> bool:
    """The respondent declines: no more reminders. False when the link is not an invitation."""
    invitation = Invitation.objects.filter(token_hash=token_hash(token)).first()
    if invitation is None:
        return False
    SampleMember.objects.filter(invitation=invitation, opted_out_at__isnull=True).update(opted_out_at=timezone.now())
    return True


def send_error_text(error: Exception) -> str:
    """Why a message was not sent, as the pages show it: in words, with the mail server's own codes
    (SMTP 550, 5.1.1) but not its free text (English, and sometimes the address), never a repr."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(error.recipients.values()), (None, b""))
        words = _("The recipient's mail server refused the address")
    elif isinstance(error, smtplib.SMTPResponseException):
        code, reply = error.smtp_code, error.smtp_error
        words = _("The mail server refused the message")
    elif isinstance(error, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, socket.timeout, ConnectionError, OSError)):
        return str(_("The mail server could not be reached"))[:255]
    else:
        return str(_("The message could not be sent"))[:255]
    reply = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply or "")
    enhanced = reply.split()[0] if reply[:1].isdigit() and "." in reply.split()[0] else ""
    return f"{words} (SMTP {code}{' ' + enhanced if enhanced else ''})"[:255]
