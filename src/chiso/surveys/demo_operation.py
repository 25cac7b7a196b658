"""Demo of the survey operation (Surveys II): a frame of Cao Bằng businesses, a stratified sample
for the DDCI 2025 departments survey, invitations sent (console), synthetic responses for 2023
and 2025 with a few speeders, straight-liners, duplicates and odd answers, the quality flags and
the analyst's decisions, and the indicator table that becomes a DDCI-SO 2025 draft run with
its sampling rank intervals (bootstrap over the respondents).

Every business, answer and figure here is synthetic (fixed seeds: the same demo everywhere).
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import math
import random
import smtplib
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from chiso.accounts.demo import DEMO_PASSWORD
from chiso.accounts.models import Role, User
from chiso.accounts.services import user_create
from chiso.frameworks.models import Framework, Node
from chiso.frameworks.queries import framework_version_for
from chiso.indices.demo import SYNTHETIC
from chiso.indices.models import IndexRun
from chiso.indices.services import ValueEntry, indicator_values_set, run_create
from chiso.units.models import Block, Period, Unit

from chiso.surveys.collection.answers import answers_flat
from chiso.surveys.collection.evaluation import Evaluation
from chiso.surveys.demo import DEMO_SURVEY
from chiso.surveys.fieldwork.frames import TAX_WEIGHTS, frame_import
from chiso.surveys.fieldwork.indicators import indicator_rules_import, indicator_values_write
from chiso.surveys.fieldwork.mailing import invitation_opt_out, invitation_resend, invitations_email, member_invitation
from chiso.surveys.fieldwork.quality import quality_check, response_decide
from chiso.surveys.fieldwork.sampling import sample_draw
from chiso.surveys.fieldwork.sampling_error import run_sampling_compute
from chiso.surveys.models import Invitation, PaperForm, QualityFlag, Response, SampleFrame, SampleMember, Survey, SurveyAnalysis
from chiso.surveys.queries import units_choices
from chiso.surveys.services import (
    draft_for_token,
    draft_save,
    idempotency_hash,
    invitation_revoke,
    paper_form_settle,
    paper_form_start,
    response_store,
    response_submit,
    survey_create,
    survey_paper_double_entry_set,
)

DATA = Path(__file__).resolve().parent / "data"
FRAME_NAME = "Doanh nghiệp tỉnh Cao Bằng 2025 (mô phỏng)"
FRAME_SIZE = 1500
SAMPLE_SIZE = 360
SEED = 2025
SURVEY_2023 = "ddci-2023-so-nganh"
RESPONSES = {"2025": 300, "2023": 180}
RULES_FILE = "ddci_departments_indicators.csv"
BASE_URL = "http://127.0.0.1:8000"
# Invitations the secretariat revokes, whose e-mail sent again bounces, or goes out again.
CONTACT = {"revoked": 3, "bounced": 2, "resent": 2}
# Paper forms typed twice: PAPER_FORMS make a batch; the first mistyped one is settled, the other
# (one form more) waits to be settled in the demo.
PAPER_FORMS = 5
PAPER_MISTYPED = ("PB-003", "PB-006")
PAPER_CLERKS = [("nhaplieu1", "Hà Thị Nhập (nhập liệu)"), ("nhaplieu2", "Lục Văn Liệu (nhập liệu)")]
# VSIC 2018 codes of the demo frame, with the questionnaire's sector each belongs to.
SECTORS = [
    ("0111", 4), ("0145", 3), ("0210", 2), ("0810", 1), ("1010", 2), ("1629", 1), ("2392", 1), ("4100", 5), ("4210", 3),
    ("4330", 2), ("4610", 3), ("4711", 6), ("4752", 3), ("4933", 3), ("5510", 3), ("5610", 4), ("7911", 1),
]
LEGAL_FORMS = [("Công ty TNHH", 6), ("Công ty cổ phần", 2), ("Doanh nghiệp tư nhân", 2), ("Hợp tác xã", 1)]
ANALYSIS = {
    "min_cell": 5,
    "min_answers_per_unit": 30,
    "quality": {
        "ranges": {"so_lao_dong": [0, 1000]},
        "rules": [{"when": "${nam_thanh_lap} >= 2024 and ${so_lao_dong} > 200",
                   "message": "Doanh nghiệp mới thành lập nhưng có trên 200 lao động"}],
    },
    "weighting": {
        "method": "raking",
        "variables": [
            {"question": "nganh_nghe", "frame_field": "sector",
             "map": {"A": "nong_lam", "B": "cong_nghiep", "C": "cong_nghiep", "F": "cong_nghiep", "G": "thuong_mai", "H": "thuong_mai",
                     "I": "du_lich", "N": "du_lich"}},
            {"question": "so_lao_dong", "frame_field": "size",
             "bins": {"micro": [0, 10], "small": [11, 100], "medium": [101, 200], "large": [201, None]}},
        ],
    },
}
SECTION_CHOICE = ANALYSIS["weighting"]["variables"][0]["map"]


def _tax_code(number: int) -> str:
    body = f"48{number:07d}"  # 48: Cao Bằng's tax office prefix
    check = (10 - sum(int(d) * w for d, w in zip(body, TAX_WEIGHTS)) % 11) % 10
    return body + str(check)


def frame_csv() -> bytes:
    """The synthetic frame as a secretariat would export it from the business register."""
    rng = random.Random(SEED)
    communes = list(Unit.objects.filter(block__code="commune").order_by("code").values_list("name_vi", flat=True)) or ["Phường Thục Phán"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Mã số thuế", "Tên doanh nghiệp", "Loại hình", "Ngành VSIC", "Số lao động", "Xã, phường", "Địa chỉ", "Email", "Điện thoại"])
    for n in range(1, FRAME_SIZE + 1):
        sector = rng.choices([s for s, _w in SECTORS], [w for _s, w in SECTORS])[0]
        form = rng.choices([f for f, _w in LEGAL_FORMS], [w for _f, w in LEGAL_FORMS])[0]
        employees = max(1, int(rng.lognormvariate(2.3, 1.1)))
        commune = rng.choice(communes)
        email = f"dn{n:04d}@doanhnghiep-demo.vn" if rng.random() < 0.8 else ""
        writer.writerow([_tax_code(n), f"{form} Mô phỏng {n:04d}", form, sector, employees, commune,
                         f"Số {rng.randint(1, 200)}, {commune}", email, f"09{rng.randint(10_000_000, 99_999_999)}"])
    return out.getvalue().encode("utf-8")


def load() -> None:
    survey = Survey.objects.filter(code=DEMO_SURVEY).select_related("period", "version").first()
    period_2023 = Period.objects.filter(code="2023").first()
    if survey is None or SampleFrame.objects.filter(name=FRAME_NAME).exists():
        return  # the surveys demo is missing, or this demo was loaded already
    frame = frame_import(name=FRAME_NAME, file_name="doanh_nghiep_cao_bang.csv", content=frame_csv(), by=None).frame
    _analysis(survey)
    sample = sample_draw(survey=survey, frame=frame, strata=["sector", "size"], size=SAMPLE_SIZE, replacement_ratio=0.5, seed=SEED, by=None)
    _send(sample)
    _simulate_contact(sample)
    _responses(survey, RESPONSES["2025"], seed=SEED, day=timezone.localdate())
    _clean(survey)
    _indicators(survey, run=True)
    _paper(survey)
    if period_2023 is not None and not Survey.objects.filter(code=SURVEY_2023).exists():
        closes = timezone.make_aware(datetime.datetime(2023, 5, 31, 17, 0))
        survey_2023 = survey_create(
            code=SURVEY_2023, title_vi="Khảo sát DDCI 2023 – Sở, ban, ngành", title_en="DDCI 2023 – Departments", period=period_2023,
            version=survey.version, opens_at=closes - datetime.timedelta(days=75), closes_at=closes, by=None
        )
        _analysis(survey_2023, weighting={})  # no frame of 2023 businesses: unweighted
        _responses(survey_2023, RESPONSES["2023"], seed=2023, day=datetime.date(2023, 5, 30))
        _clean(survey_2023)
        _indicators(survey_2023, run=False)


def _analysis(survey: Survey, **changes) -> None:
    SurveyAnalysis.objects.update_or_create(survey=survey, defaults={**ANALYSIS, **changes})


def _mail_connection(mode: str = "a"):
    """The console backend writes to var/demo-mail.txt rather than over the demo's logins (any
    other backend is used as configured)."""
    if settings.EMAIL_BACKEND.endswith("console.EmailBackend"):
        path = Path(getattr(settings, "VAR_DIR", Path("var"))) / "demo-mail.txt"
        path.parent.mkdir(parents=True, exist_ok=True)

        @contextlib.contextmanager
        def to_file():
            with path.open(mode, encoding="utf-8") as stream:
                yield mail.get_connection(stream=stream)

        return to_file()
    return contextlib.nullcontext(mail.get_connection())


def _send(sample) -> None:
    """Invitation e-mails through the mail backend (see _mail_connection)."""
    with _mail_connection("w") as connection:
        invitations_email(sample=sample, kind="invitation", base_url=BASE_URL, connection=connection, by=None)


def _simulate_contact(sample) -> None:
    """What the respondents did, through the same doors as on the site: some completed (their
    answers are among the synthetic responses), some opened their link, a few opted out; the
    secretariat revoked a few links; two e-mails sent again bounced and two went out again.
    With the demo's fixed-token invitations (never sent), every status of the invitations
    page is there: created, sent, opened, bounced, opted out, revoked, completed."""
    rng = random.Random(SEED + 1)
    completed, started, declined, waiting = [], [], [], []
    for member in SampleMember.objects.filter(sample=sample, invitation__isnull=False).select_related("invitation", "entry").order_by("pk"):
        draw = rng.random()
        if draw < 0.58:
            completed.append(member.invitation_id)
        elif draw < 0.68:
            started.append(member)
        elif draw < 0.72:
            declined.append(member)
        else:
            waiting.append(member)
    # Completed: the synthetic responses are not submitted through the links (they are stored
    # with their own days and durations), so the batch's mark is set here.
    Invitation.objects.filter(pk__in=completed).update(status=Invitation.Status.COMPLETED)
    for member in started:
        draft_for_token(token=member_invitation(member)[1])  # the link opened: a draft, "opened"
    for member in declined:
        invitation_opt_out(token=member_invitation(member)[1])
    secretariat = User.objects.filter(username="thuky").first()
    if secretariat is None:
        return
    for member in waiting[:CONTACT["revoked"]]:
        invitation_revoke(invitation=member.invitation, by=secretariat, reason="Doanh nghiệp đã giải thể (demo).")
    bounced = waiting[CONTACT["revoked"]:CONTACT["revoked"] + CONTACT["bounced"]]
    resent = waiting[CONTACT["revoked"] + CONTACT["bounced"]:CONTACT["revoked"] + CONTACT["bounced"] + CONTACT["resent"]]
    for member in bounced:
        try:
            invitation_resend(invitation=member.invitation, base_url=BASE_URL, by=secretariat, connection=_RefusingBackend())
        except ValidationError:
            pass  # the refusal is kept on the member: the invitations page shows it bounced
    with _mail_connection() as connection:
        for member in resent:
            invitation_resend(invitation=member.invitation, base_url=BASE_URL, by=secretariat, connection=connection)


class _RefusingBackend(BaseEmailBackend):
    """A mail server that refuses the address, as a bounce reads in the demo."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({m: (550, b"5.1.1 Mailbox does not exist (demo)") for e in email_messages for m in e.to})


def _responses(survey: Survey, count: int, *, seed: int, day: datetime.date) -> None:
    """Synthetic answers: each department has a latent quality, so rankings differ; a few
    departments are rarely dealt with (under the minimum); a few responses are doubtful."""
    rng = np.random.default_rng(seed)
    external = units_choices(survey)
    codes = [c.name for c in external.get("units_department.csv", [])]
    if not codes:
        return
    quality = {code: float(rng.normal(0, 1)) for code in codes}
    ended = set(Unit.objects.filter(code__in=codes, valid_to__isnull=False).values_list("code", flat=True))
    popularity = np.array([0.2 if code in ended else 1.0 for code in codes])
    popularity /= popularity.sum()
    form = survey.version.form
    sectors = ["nong_lam", "cong_nghiep", "thuong_mai", "du_lich"]
    stored = []
    for number in range(count):
        key = idempotency_hash(survey.pk, f"demo-ii-{seed}-{number}")
        kind = "normal"
        if number % 37 == 5:
            kind = "speeder"
        elif number % 71 == 9:
            kind = "straight"
        if number in (11, 12):
            kind = "odd"
        k = 3 if kind == "straight" else int(rng.choice([1, 2, 2, 3]))
        picked = list(rng.choice(codes, size=min(k, len(codes)), replace=False, p=popularity))
        entries = []
        for code in picked:
            q = quality[code]

            def likert(shift=0.0):
                return str(int(np.clip(round(3.3 + 0.9 * q + shift + rng.normal(0, 0.9)), 1, 5)))

            informal = rng.random() < 1 / (1 + math.exp(1.4 + 0.8 * q))
            entry = {
                "minh_bach": likert(), "nang_dong": likert(-0.2), "canh_tranh": likert(0.1),
                "so_lan_di_lai": str(int(min(50, rng.poisson(max(0.5, 2.2 - 0.6 * q))))),
                "chi_phi_khong_chinh_thuc": "khong_tra_loi" if rng.random() < 0.05 else ("co" if informal else "khong"),
                "diem_chung": str(int(np.clip(round(6.5 + 1.2 * q + rng.normal(0, 1.5)), 1, 10))),
            }
            if entry["chi_phi_khong_chinh_thuc"] == "co":
                entry["ty_le_chi_phi"] = str(round(float(rng.uniform(0.5, 3)), 1))
            if kind == "straight":
                entry.update(minh_bach="5", nang_dong="5", canh_tranh="5")
            entries.append(entry)
        # Industry is over-represented among respondents: the weights correct it.
        sector = str(rng.choice(sectors, p=[0.15, 0.45, 0.25, 0.15]))
        answers = {
            "loai_hinh": str(rng.choice(["dntn", "tnhh", "co_phan", "htx"], p=[0.2, 0.55, 0.15, 0.1])), "nganh_nghe": sector,
            "so_lao_dong": str(max(1, int(rng.lognormal(2.6, 1.0)))), "nam_thanh_lap": str(int(rng.integers(1995, 2023))),
            "don_vi_lien_he": " ".join(picked), "hinh_thuc_lien_he": str(rng.choice(["truc_tiep", "truc_tuyen"])), "danh_gia": entries,
        }
        if kind == "odd":
            answers.update(so_lao_dong="4500" if number == 11 else "320", nam_thanh_lap=str(day.year))
        duration = int(rng.integers(60, 110)) if kind == "speeder" else int(rng.lognormal(math.log(420 + 120 * len(picked)), 0.35))
        evaluation = Evaluation(form, answers, external=external, language="vi")
        if evaluation.errors():
            raise ValueError(f"synthetic response {number} does not pass the form: {evaluation.errors()}")
        submitted = day - datetime.timedelta(days=int(rng.integers(0, 28)))
        stored.append((evaluation, key, submitted, duration))
    # Two exact copies of earlier forms (a form entered twice).
    stored += [(stored[n][0], idempotency_hash(survey.pk, f"demo-ii-{seed}-copy-{n}"), stored[n][2], stored[n][3]) for n in (3, 4)]
    for evaluation, key, submitted, duration in stored:
        if not Response.objects.filter(idempotency_key=key).exists():
            response_store(survey=survey, version=survey.version, evaluation=evaluation, key=key, day=submitted,
                           channel=Response.Channel.WEB, duration_seconds=duration)


def _clean(survey: Survey) -> None:
    """The quality check, then the analyst's decisions on the clearest cases."""
    quality_check(survey=survey)
    analyst = User.objects.filter(username="phantich").first()
    if analyst is None:
        return
    for flag in QualityFlag.objects.filter(response__survey=survey, code=QualityFlag.Code.STRAIGHT_LINING).select_related("response"):
        response_decide(response=flag.response, include=False, reason="Chọn cùng một mức cho mọi câu hỏi đánh giá ở cả ba sở (demo).", by=analyst)
    seen = set()
    duplicates = Response.objects.filter(survey=survey, flags__code=QualityFlag.Code.DUPLICATE).distinct().order_by("id")
    for response in duplicates:
        signature = str(sorted(response.answers.items(), key=str))
        if signature in seen:
            response_decide(response=response, include=False, reason="Phiếu nhập trùng: giữ một bản (demo).", by=analyst)
        seen.add(signature)


def _paper_answers(codes: list[str], rng: random.Random) -> dict:
    picked = rng.sample(codes, k=min(len(codes), rng.randint(1, 2)))
    entries = [
        {"minh_bach": str(rng.randint(2, 5)), "nang_dong": str(rng.randint(1, 5)), "canh_tranh": str(rng.randint(2, 5)),
         "so_lan_di_lai": str(rng.randint(1, 4)), "chi_phi_khong_chinh_thuc": "khong", "diem_chung": str(rng.randint(4, 10))}
        for _code in picked
    ]
    return {
        "loai_hinh": rng.choice(["dntn", "tnhh", "co_phan", "htx"]), "nganh_nghe": rng.choice(["nong_lam", "cong_nghiep", "thuong_mai", "du_lich"]),
        "so_lao_dong": str(rng.randint(2, 120)), "nam_thanh_lap": str(rng.randint(1995, 2022)),
        "don_vi_lien_he": " ".join(picked), "hinh_thuc_lien_he": rng.choice(["truc_tiep", "truc_tuyen"]), "danh_gia": entries,
    }


def _paper_type(survey: Survey, number: str, clerk, answers: dict) -> None:
    """One clerk types paper form `number` as the paper-entry page does: a draft, saved, submitted."""
    draft = paper_form_start(survey=survey, number=number, by=clerk)
    values = {address: str(value) for address, value in answers_flat(answers).items()}
    draft_save(draft=draft, values=values, page="", addresses=list(values), validate=False)
    response_submit(survey_id=survey.pk, draft_key=draft.key, client_key=f"demo-paper-{number}-{clerk.username}", by=clerk)


def _paper(survey: Survey) -> None:
    """A batch of paper forms typed twice (nhập kép) by two clerks: PB-001 to PB-005, where the
    second clerk mistyped one number on PB-003 and the secretariat settled it from the paper; the
    five make a batch of responses. PB-006 differs too and waits for someone to settle it."""
    secretariat = User.objects.filter(username="thuky").first()
    codes = [c.name for c in units_choices(survey).get("units_department.csv", [])]
    if secretariat is None or not codes or PaperForm.objects.filter(survey=survey).exists():
        return
    clerks = []
    for username, full_name in PAPER_CLERKS:
        clerk = User.objects.filter(username=username).first()
        clerks.append(clerk or user_create(username=username, password=DEMO_PASSWORD, role=Role.SECRETARIAT, full_name=full_name, by=None))
    survey_paper_double_entry_set(survey=survey, required=True, by=secretariat)
    rng = random.Random(SEED + 3)
    for n in range(1, PAPER_FORMS + 2):
        number = f"PB-{n:03d}"
        answers = _paper_answers(codes, rng)
        _paper_type(survey, number, clerks[0], answers)
        if number in PAPER_MISTYPED:
            answers = {**answers, "so_lao_dong": str(int(answers["so_lao_dong"]) * 10)}  # a zero too many
        _paper_type(survey, number, clerks[1], answers)
    settled = PaperForm.objects.get(survey=survey, number=PAPER_MISTYPED[0])
    paper_form_settle(paper_form=settled, chosen={"so_lao_dong": "1"}, by=secretariat)


def _indicators(survey: Survey, *, run: bool) -> None:
    """Rules from data/ddci_departments_indicators.csv; for 2025 the values and a DDCI-SO draft run."""
    framework = Framework.objects.filter(code="DDCI-SO").first()
    if framework is None:
        return
    indicator_rules_import(survey=survey, framework=framework, file_name=RULES_FILE, content=(DATA / RULES_FILE).read_bytes())
    if not run:
        return
    computation = indicator_values_write(survey=survey, framework=framework)
    block = Block.objects.get(code="department")
    version = framework_version_for(framework, survey.period, block)  # the one that applies to the survey's year
    if version is None or IndexRun.objects.filter(version__framework=framework, period=survey.period, block=block).exists():
        return
    # The indicators the demo questionnaire does not ask about: hard data in a real DDCI, here
    # synthetic — and only for units with enough answers, so that no unit is ranked without them.
    asked = set(survey.indicator_rules.filter(framework=framework).values_list("indicator", flat=True))
    rng = np.random.default_rng(SEED)
    scored = [row["unit"] for row in computation.units if not row["below_minimum"]]
    units = Unit.objects.active_in(survey.period).filter(block=block, code__in=scored).order_by("code")
    entries = [
        ValueEntry(unit=unit, code=node.code, value=round(float(rng.uniform(25, 90)), 1), source=SYNTHETIC)
        for node in version.nodes.filter(type=Node.Type.INDICATOR).exclude(code__in=asked) for unit in units
    ]
    indicator_values_set(framework=framework, period=survey.period, entries=entries, by=None, source_kind="synthetic")
    run = run_create(version=version, period=survey.period, block=block, by=None, title=f"{framework.name_vi} — {survey.period.name_vi} (từ khảo sát {survey.code})")
    run_sampling_compute(run=run)  # the ranking shows how sure each rank is, given the sample
