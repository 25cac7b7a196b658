"""Demo data of the assessments app: the PAR Index of Cao Bằng's departments.

- PAR 2022: the whole cycle done — self-assessments with evidence, appraisal with two
  explanation rounds, the council's decision, survey points from a survey index run, the
  results computed and published through the index run machinery.
- PAR 2023: published too, although four units never submitted: the secretariat closed them as
  not submitted (chưa nộp) and the expert team appraised what they had; Sở Tư pháp explained and
  was appraised a second time.
- PAR 2025: opened on the units after the reform of 01/03/2025 (the seven departments that ended
  on 28/02/2025 are left out for their successors); Sở Tài chính withdrew its submission and
  submitted again; Sở Ngoại vụ was closed as not submitted; Sở Tư pháp went through two
  explanation rounds with working-day deadlines (the second across Tết) and a round-2 appraisal;
  the council gave bonus and penalty points by the framework's reasons, within their caps; published.

Every number is synthetic (fixed seed). The many claims and appraisals of the synthetic units
are written in bulk, together with the audit events the services would have written (with the
dates they would have had), so that loading stays fast; the steps a person would show in a
demo (the council's decision, survey points, results, publication) go through the services.
"""

from __future__ import annotations

import datetime
import zlib
from decimal import Decimal

import numpy as np
import yaml
from django.utils import timezone

from chiso.accounts.models import Role, User
from chiso.accounts.services import user_create
from chiso.audit.services import audit_record_many
from chiso.frameworks.models import Framework, FrameworkVersion, Node
from chiso.frameworks.queries import framework_version_for
from chiso.frameworks.services import framework_import
from chiso.indices.models import IndexRun
from chiso.indices.services import ValueEntry, indicator_values_set, run_create, run_publish
from chiso.units.models import Block, Period, Unit

from .models import Assessment, Cycle, Evidence, Item, Question
from .services import (
    REASON_ACCEPTED, Event, assessment_bonus_penalty_set, council_decide, cycle_create, cycle_publish, cycle_results_compute,
    event_fields, explanation_deadline, points_text, survey_points_apply,
)

Status = Assessment.Status
SYNTHETIC = "Dữ liệu mô phỏng (demo) — synthetic"
SURVEY_CODE = "PAR-SO-DTXHH"
COUNCIL = ["Triệu Văn Lãnh", "Nông Thị Thư", "Lương Văn Hội", "Hoàng Văn Thẩm", "Đàm Văn Cường", "Mạc Thị Hoa", "Bế Văn Nam"]
COMMENTS = [
    "Tài liệu kiểm chứng chưa thể hiện thời hạn ban hành.",
    "Chưa đủ báo cáo theo quy định.",
    "Tỷ lệ hoàn thành thực tế thấp hơn số liệu tự đánh giá.",
    "Kế hoạch thiếu nội dung phân công trách nhiệm.",
]


def _at(year: int, month: int, day: int, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour, 0))


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _officer(unit: Unit) -> User:
    """The unit's officer: the demo account for Sở Tài chính, an account without a password for the others."""
    officer = unit.officers.filter(role=Role.UNIT_OFFICER).order_by("pk").first()
    if officer is None:
        officer = user_create(username=f"canbo.{unit.code.lower()}", password=None, role=Role.UNIT_OFFICER, unit=unit,
                              full_name=f"Cán bộ đầu mối CCHC — {unit.name_vi}", by=None)
    return officer


def _round(value: float, step: float) -> Decimal:
    return (Decimal(str(round(value / step))) * Decimal(str(step))).quantize(Decimal("0.01"))


class _Writer:
    """Claims, appraisals and transitions in bulk, with the audit events the services write."""

    def __init__(self, cycle: Cycle, seed: str):
        self.cycle = cycle
        self.rng = np.random.default_rng(zlib.crc32(seed.encode()))
        self.events: list[dict] = []
        self.items: list[Item] = []
        self.evidence: list[Evidence] = []
        self.questions: list[Question] = []

    def event(self, assessment, code, by, at, *, item=None, field="", old="", new="", reason=""):
        self.events.append(event_fields(cycle=self.cycle, assessment=assessment, item=item, code=code, field=field,
                                          old=old, new=new, reason=reason, by=by, at=at))

    def transition(self, assessment, to, by, at, reason="", code=Event.TRANSITION):
        self.event(assessment, code, by, at, field="status", old=assessment.status, new=to, reason=reason)
        assessment.status = to

    def claim(self, assessment, officer, at, quality: float, share_done: float = 1.0):
        items = list(assessment.items.select_related("node").filter(part=Item.SELF).order_by("order"))
        done = items[: int(round(len(items) * share_done))]
        for n, item in enumerate(done):
            node = item.node
            if node.na_allowed and self.rng.random() < 0.1:
                item.self_na, item.self_points = True, None
            else:
                share = float(np.clip(0.88 + 0.06 * quality + 0.1 * self.rng.normal(), 0, 1))
                item.self_points = _round(share * node.max_points, node.points_step or 0.25)
            when = at + datetime.timedelta(minutes=7 * n)
            self.event(assessment, Event.SELF_ASSESSED, officer, when, item=item, field="self_points",
                       new=points_text(item.self_points, item.self_na))
            if node.evidence_required and not item.self_na and item.self_points > 0:
                number = f"{10 + n}/{'KH' if n % 3 else 'BC'}-{assessment.unit.code.removeprefix('S-')}"
                evidence = Evidence(item=item, kind=Evidence.Kind.DOCUMENT, doc_number=number,
                                    doc_date=datetime.date(self.cycle.period.year, 1 + n % 12, 1 + n % 27),
                                    doc_title=f"{'Kế hoạch' if n % 3 else 'Báo cáo'} — {node.name_vi}"[:500], added_by=officer, added_at=when)
                self.evidence.append(evidence)
                self.event(assessment, Event.EVIDENCE_ADDED, officer, when, item=item, field="evidence",
                           new=f"{number} ({evidence.doc_date:%d/%m/%Y}) {evidence.doc_title}")
            self.items.append(item)

    def appraise(self, assessment, expert, at, strictness: float = 0.15):
        items = [i for i in self.items if i.assessment_id == assessment.pk]
        for n, item in enumerate(items):
            node = item.node
            points, na = item.self_points, item.self_na
            comment = ""
            if not na and points and self.rng.random() < strictness:
                step = Decimal(str(node.points_step or 0.25))
                points = max(Decimal(0), points - step * int(self.rng.integers(1, 3)))
                comment = COMMENTS[n % len(COMMENTS)]
            item.appraised_points, item.appraised_na, item.appraisal_comment = points, na, comment
            item.appraised_by, item.appraised_at = expert, at + datetime.timedelta(minutes=3 * n)
            self.event(assessment, Event.APPRAISED, expert, item.appraised_at, item=item, field="appraised_points",
                       new=points_text(points, na), reason=comment)

    def ask(self, assessment, expert, at, codes: list[str], questions: list[str]):
        """An explanation round: the questions, with the deadline in working days."""
        number = assessment.explanation_round + 1
        for item in self.items:
            if item.assessment_id == assessment.pk and item.code in codes:
                question = questions[codes.index(item.code)]
                item.explanation_request, item.explanation_round = question, number
                item.explanation, item.explained_at = "", None
                self.event(assessment, Event.EXPLANATION_ASKED, expert, at, item=item, field="explanation_request", new=question)
                self.questions.append(Question(item=item, round=number, text=question, asked_by=expert, asked_at=at))
        assessment.explanation_round = number
        assessment.explanation_due = explanation_deadline(at, self.cycle.explanation_days)
        self.transition(assessment, Status.EXPLANATION_REQUESTED, expert, at, reason=f"Lần {number}: {', '.join(codes)}; hạn {timezone.localtime(assessment.explanation_due):%d/%m/%Y}")

    def answer(self, assessment, officer, at, text: str):
        for item in self.items:
            if item.assessment_id == assessment.pk and item.explanation_round == assessment.explanation_round and item.explanation_request:
                item.explanation, item.explained_at = text, at
                self.event(assessment, Event.EXPLAINED, officer, at, item=item, field="explanation", new=text)
                for q in self.questions:
                    if q.item is item and q.round == assessment.explanation_round:
                        q.answer, q.answered_by, q.answered_at = text, officer, at

    def explained(self, assessment, officer, at):
        assessment.appraisal_round = 2
        self.transition(assessment, Status.EXPLAINED, officer, at)

    def reappraise(self, assessment, expert, at, changes: dict[str, tuple[Decimal, str]]):
        """Round 2 (phúc tra): new points on some items; the comment answers the item's latest question."""
        for item in self.items:
            if item.assessment_id == assessment.pk and item.code in changes:
                points, comment = changes[item.code]
                self.event(assessment, Event.REAPPRAISED, expert, at, item=item, field="round2_points",
                           old=points_text(item.round2_points, item.round2_na), new=points_text(points, False), reason=comment)
                item.round2_points, item.round2_na, item.round2_comment, item.round2_by, item.round2_at = points, False, comment, expert, at
                answered = [q for q in self.questions if q.item is item and q.answer]
                if answered:
                    answered[-1].reply, answered[-1].replied_by, answered[-1].replied_at = comment, expert, at

    def accept(self, assessment, expert, at):
        """Chấp nhận hàng loạt: the claims of every claimed item, one audit record each."""
        for n, item in enumerate(i for i in self.items if i.assessment_id == assessment.pk and i.appraised_points is None and not i.appraised_na):
            item.appraised_points, item.appraised_na, item.appraised_by = item.self_points, item.self_na, expert
            item.appraised_at = at + datetime.timedelta(seconds=n)
            self.event(assessment, Event.CLAIM_ACCEPTED, expert, item.appraised_at, item=item, field="appraised_points",
                       new=points_text(item.self_points, item.self_na), reason=REASON_ACCEPTED)

    def close_unsubmitted(self, assessment, secretariat, expert, at, reason: str):
        """Chưa nộp: closed past the deadline, then appraised on what the unit had (0 where it claimed nothing)."""
        assessment.not_submitted = True
        self.transition(assessment, Status.SUBMITTED, secretariat, at, reason=reason, code=Event.NOT_SUBMITTED)
        claimed = {i.pk for i in self.items if i.assessment_id == assessment.pk}
        for item in assessment.items.select_related("node").filter(part=Item.SELF).order_by("order"):
            if item.pk not in claimed:
                item.appraised_points, item.appraised_by, item.appraised_at = Decimal(0), expert, at + datetime.timedelta(days=1)
                item.appraisal_comment = "Đơn vị không tự đánh giá, không có tài liệu kiểm chứng"
                self.items.append(item)
                self.event(assessment, Event.APPRAISED, expert, item.appraised_at, item=item, field="appraised_points",
                           new="0", reason=item.appraisal_comment)
        self.transition(assessment, Status.UNDER_APPRAISAL, expert, at + datetime.timedelta(days=1))
        self.accept(assessment, expert, at + datetime.timedelta(days=1))

    def save(self, assessments):
        # One UPDATE per item: far quicker here than bulk_update's CASE expressions.
        fields = ["self_points", "self_na", "appraised_points", "appraised_na", "appraisal_comment", "appraised_by_id",
                  "appraised_at", "explanation_request", "explanation_round", "explanation", "explained_at",
                  "round2_points", "round2_na", "round2_comment", "round2_by_id", "round2_at"]
        for item in self.items:
            Item.objects.filter(pk=item.pk).update(lock_version=item.lock_version + 1, **{f: getattr(item, f) for f in fields})
        Evidence.objects.bulk_create(self.evidence, batch_size=500)
        Question.objects.bulk_create(self.questions)
        audit_record_many(self.events)
        for a in assessments:
            Assessment.objects.filter(pk=a.pk).update(
                status=a.status, submitted_at=a.submitted_at, submitted_by=a.submitted_by,
                explanation_round=a.explanation_round, explanation_due=a.explanation_due,
                appraisal_round=a.appraisal_round, not_submitted=a.not_submitted,
            )


def _survey_run(par: FrameworkVersion, period: Period, block: Block) -> IndexRun:
    """A survey index run (điều tra xã hội học): satisfaction in % on each PAR survey item."""
    survey_nodes = [n for n in par.nodes.filter(type=Node.Type.INDICATOR).order_by("order") if (n.extra or {}).get("part") == "survey"]
    framework = Framework.objects.filter(code=SURVEY_CODE).first()
    if framework is None:
        doc = {
            "framework": {"code": SURVEY_CODE, "name_vi": "Điều tra xã hội học Chỉ số CCHC các sở (tỷ lệ hài lòng, %)",
                          "name_en": "PAR Index sociological survey of departments (satisfaction, %)", "method": "composite"},
            "version": {"label": "demo", "blocks": ["department"], "source": SYNTHETIC},
            "steps": [{"aggregate": {"method": "amean"}}],
            "iMeta": [{"iCode": "DTXHH", "Level": 2, "Type": "Aggregate", "name_vi": "Mức độ hài lòng chung", "Unit": "%"}]
            + [{"iCode": n.code, "Level": 1, "Parent": "DTXHH", "Type": "Indicator", "Weight": 1, "Unit": "%",
                "name_vi": n.name_vi, "name_en": n.name_en} for n in survey_nodes],
        }
        framework_import(file_name="par_so_dtxhh.yaml", content=yaml.safe_dump(doc, allow_unicode=True).encode(), by=None)
        framework = Framework.objects.get(code=SURVEY_CODE)
    version = framework_version_for(framework, period, block)
    published = IndexRun.objects.filter(version__framework=framework, period=period, block=block, status=IndexRun.Status.PUBLISHED).first()
    if published:
        return published
    rng = np.random.default_rng(zlib.crc32(f"{SURVEY_CODE}|{period.year}".encode()))
    entries = []
    for unit in Unit.objects.active_in(period).filter(block=block).order_by("code"):
        level = rng.normal(78, 6)
        for node in survey_nodes:
            entries.append(ValueEntry(unit=unit, code=node.code, source=SYNTHETIC,
                                      value=round(float(np.clip(level + rng.normal(0, 5), 40, 99)), 1)))
    indicator_values_set(framework=framework, period=period, entries=entries, by=None, source_kind="synthetic")
    return run_publish(run=run_create(version=version, period=period, block=block, by=None, title=f"Điều tra xã hội học Chỉ số CCHC các sở — {period.name_vi}"), by=None)


def _cycle(framework: Framework, period: Period, block: Block, secretariat, due: datetime.datetime) -> Cycle | None:
    if Cycle.objects.filter(version__framework=framework, period=period, block=block).exists():
        return None  # a second demo load changes nothing
    version = framework_version_for(framework, period, block)  # the criteria that applied to that year
    if version is None:
        return None
    return cycle_create(
        version=version, period=period, block=block, by=secretariat, title=f"Chỉ số CCHC năm {period.year} của các sở, ban, ngành",
        self_assessment_due=due, appraisal_due=due + datetime.timedelta(days=21), council_due=due + datetime.timedelta(days=35),
        explanation_days=5, council_size=9, quorum_percent=50,
    )


def _load_2022(par: Framework, block, secretariat, expert, council_user) -> None:
    period = Period.objects.filter(code="2022").first()
    if period is None:
        return
    cycle = _cycle(par, period, block, secretariat, _at(2023, 1, 31, 17))
    if cycle is None:
        return
    # The cycle was opened on 5 January 2023: its events say so.
    writer = _Writer(cycle, "PAR-SO|2022")
    assessments = list(cycle.assessments.select_related("unit").order_by("unit__code"))
    quality = writer.rng.normal(0, 1, len(assessments))
    for i, a in enumerate(assessments):
        officer = _officer(a.unit)
        writer.claim(a, officer, _at(2023, 1, 10 + i % 15), quality[i])
        a.submitted_at, a.submitted_by = _at(2023, 1, 26 + i % 5, 16), officer
        writer.transition(a, Status.SUBMITTED, officer, a.submitted_at)
        writer.transition(a, Status.UNDER_APPRAISAL, expert, _at(2023, 2, 2))
        writer.appraise(a, expert, _at(2023, 2, 3 + i % 10))
        if i % 7 == 2:  # two units were asked to explain
            first = [it.code for it in writer.items if it.assessment_id == a.pk and it.appraisal_comment][:1] or \
                    [next(it.code for it in writer.items if it.assessment_id == a.pk)]
            writer.ask(a, expert, _at(2023, 2, 14), first, ["Đề nghị cung cấp văn bản chứng minh thời hạn ban hành."])
            writer.answer(a, officer, _at(2023, 2, 17), "Văn bản được ban hành đúng hạn; gửi kèm sổ đăng ký văn bản đi.")
            writer.explained(a, officer, _at(2023, 2, 17))
        writer.transition(a, Status.APPRAISED, expert, _at(2023, 2, 24))
    writer.save(assessments)
    _decide_and_publish(cycle, assessments, secretariat, council_user, block, datetime.date(2023, 3, 8), "03/BB-HĐTĐ")


def _decide_and_publish(cycle, assessments, secretariat, council_user, block, meeting: datetime.date, minutes: str) -> None:
    council_decide(cycle=cycle, assessments=[a for a in assessments if a.status == Status.APPRAISED], by=council_user,
                   meeting_date=meeting, members_present=COUNCIL, votes_for=7, minutes_number=minutes,
                   note="Hội đồng thống nhất kết quả thẩm định của Tổ chuyên viên.")
    survey_points_apply(cycle=cycle, run=_survey_run(cycle.version, cycle.period, block), by=secretariat)
    cycle_results_compute(cycle=cycle, by=secretariat)
    cycle_publish(cycle=cycle, by=secretariat)


def _load_2023(par: Framework, block, secretariat, expert, council_user) -> None:
    """Four units never submitted: closed as not submitted and appraised on what they had."""
    period = Period.objects.filter(code="2023").first()
    if period is None:
        return
    cycle = _cycle(par, period, block, secretariat, _at(2024, 1, 31, 17))
    if cycle is None:
        return
    writer = _Writer(cycle, "PAR-SO|2023")
    assessments = list(cycle.assessments.select_related("unit").order_by("unit__code"))
    quality = writer.rng.normal(0, 1, len(assessments))
    for i, a in enumerate(assessments):
        officer = _officer(a.unit)
        if i % 4 == 0 and a.unit.code not in ("S-TC", "S-TP"):  # never submitted
            writer.claim(a, officer, _at(2024, 1, 15), quality[i], share_done=0.4)
            writer.close_unsubmitted(a, secretariat, expert, _at(2024, 2, 2),
                                     "Quá hạn nộp 31/01/2024, đơn vị không nộp tự đánh giá (Công văn đôn đốc 15/HĐTĐ)")
            writer.transition(a, Status.APPRAISED, expert, _at(2024, 2, 20))
            continue
        writer.claim(a, officer, _at(2024, 1, 8 + i % 15), quality[i])
        a.submitted_at, a.submitted_by = _at(2024, 1, 25 + i % 5, 16), officer
        writer.transition(a, Status.SUBMITTED, officer, a.submitted_at)
        writer.transition(a, Status.UNDER_APPRAISAL, expert, _at(2024, 2, 1))
        writer.appraise(a, expert, _at(2024, 2, 2 + i % 10), strictness=0.3 if a.unit.code == "S-TP" else 0.15)
        if a.unit.code == "S-TP":
            asked = ([it.code for it in writer.items if it.assessment_id == a.pk and it.appraisal_comment]
                     + [it.code for it in writer.items if it.assessment_id == a.pk])[:2]
            writer.ask(a, expert, _at(2024, 2, 14), asked, ["Đề nghị giải trình và bổ sung tài liệu kiểm chứng.",
                                                           "Số liệu tự đánh giá khác báo cáo năm; đề nghị làm rõ."][: len(asked)])
            writer.answer(a, officer, _at(2024, 2, 19), "Đơn vị gửi bổ sung báo cáo năm và sổ theo dõi văn bản.")
            writer.explained(a, officer, _at(2024, 2, 19))
            claims = {it.code: it.self_points for it in writer.items if it.assessment_id == a.pk}
            writer.reappraise(a, expert, _at(2024, 2, 21), {asked[0]: (claims[asked[0]], "Chấp nhận giải trình, đủ tài liệu kiểm chứng.")})
        writer.transition(a, Status.APPRAISED, expert, _at(2024, 2, 23))
    writer.save(assessments)
    _decide_and_publish(cycle, assessments, secretariat, council_user, block, datetime.date(2024, 3, 7), "04/BB-HĐTĐ")


def _load_2025(par: Framework, block, secretariat, expert, council_user) -> None:
    """After the reform: a withdrawal, a non-submission, two explanation rounds across Tết, round 2, bonus and penalty."""
    period = Period.objects.filter(code="2025").first()
    if period is None:
        return
    cycle = _cycle(par, period, block, secretariat, _at(2026, 1, 30, 17))
    if cycle is None:
        return
    writer = _Writer(cycle, "PAR-SO|2025")
    assessments = list(cycle.assessments.select_related("unit").order_by("unit__code"))
    quality = writer.rng.normal(0, 1, len(assessments))
    for i, a in enumerate(assessments):
        officer = _officer(a.unit)
        code = a.unit.code
        if code == "S-NGV":  # never submitted
            writer.claim(a, officer, _at(2026, 1, 12), quality[i], share_done=0.6)
            writer.close_unsubmitted(a, secretariat, expert, _at(2026, 2, 2),
                                     "Quá hạn nộp 30/01/2026, đơn vị không nộp tự đánh giá dù đã được nhắc hai lần")
            writer.transition(a, Status.APPRAISED, expert, _at(2026, 2, 12))
            continue
        writer.claim(a, officer, _at(2026, 1, 5 + i % 12), quality[i])
        a.submitted_at, a.submitted_by = _at(2026, 1, 20 + i % 8, 16), officer
        writer.transition(a, Status.SUBMITTED, officer, a.submitted_at)
        if code == "S-TC":  # withdrew to add evidence, then submitted again
            writer.event(a, Event.WITHDRAWN, officer, _at(2026, 1, 22, 9), field="submitted_at", old=a.submitted_at,
                         reason="Bổ sung tài liệu kiểm chứng tiêu chí 1.2")
            writer.transition(a, Status.DRAFT, officer, _at(2026, 1, 22, 9), reason="Bổ sung tài liệu kiểm chứng tiêu chí 1.2")
            a.submitted_at = _at(2026, 1, 27, 15)
            writer.transition(a, Status.SUBMITTED, officer, a.submitted_at)
        writer.transition(a, Status.UNDER_APPRAISAL, expert, _at(2026, 2, 3))
        if code == "S-TP":  # two explanation rounds, round 2 across the Tết holiday
            writer.appraise(a, expert, _at(2026, 2, 3), strictness=0.35)
            asked = ([it.code for it in writer.items if it.assessment_id == a.pk and it.appraisal_comment]
                     + [it.code for it in writer.items if it.assessment_id == a.pk])[:2]
            writer.ask(a, expert, _at(2026, 2, 4, 10), asked, ["Đề nghị cung cấp kế hoạch và báo cáo kết quả thực hiện.",
                                                              "Số liệu tự đánh giá khác báo cáo năm; đề nghị làm rõ."][: len(asked)])
            writer.answer(a, officer, _at(2026, 2, 9), "Đơn vị gửi kèm Kế hoạch 05/KH-STP và Báo cáo 120/BC-STP.")
            writer.explained(a, officer, _at(2026, 2, 9, 16))
            claims = {it.code: it.self_points for it in writer.items if it.assessment_id == a.pk}
            writer.reappraise(a, expert, _at(2026, 2, 10, 9), {asked[0]: (claims[asked[0]], "Chấp nhận giải trình lần 1.")})
            writer.transition(a, Status.UNDER_APPRAISAL, expert, _at(2026, 2, 10, 9))
            writer.ask(a, expert, _at(2026, 2, 10, 10), asked[1:], ["Báo cáo 120/BC-STP chưa có số liệu quý IV; đề nghị bổ sung."])
            writer.answer(a, officer, _at(2026, 2, 23), "Bổ sung số liệu quý IV tại Báo cáo 15/BC-STP ngày 23/02/2026.")
            writer.explained(a, officer, _at(2026, 2, 23, 16))
            kept = {it.code: it.appraised_points for it in writer.items if it.assessment_id == a.pk}
            writer.reappraise(a, expert, _at(2026, 2, 25), {asked[-1]: (kept[asked[-1]],
                                                                      "Số liệu quý IV bổ sung chưa khớp báo cáo năm: giữ điểm thẩm định lần 1.")})
        else:
            writer.appraise(a, expert, _at(2026, 2, 4 + i % 6), strictness=0.1)
        writer.transition(a, Status.APPRAISED, expert, _at(2026, 2, 26))
    writer.save(assessments)
    by_code = {a.unit.code: a for a in assessments}
    for code, points, note in (
        ("S-TP", {"bonus.initiative": "1.5", "bonus.award": "1", "bonus.task": "0.5"}, "Mô hình một cửa liên thông điện tử (QĐ 210/QĐ-UBND)"),
        ("S-XD", {"penalty.late_report": "1"}, "Chậm báo cáo CCHC quý III"),
        ("S-NNMT", {"bonus.task": "1", "penalty.complaint": "0.5"}, "Hoàn thành sớm số hóa hồ sơ; 1 phản ánh có căn cứ"),
    ):
        if code in by_code:
            assessment_bonus_penalty_set(assessment=by_code[code], by=council_user, points=points, note=note)
    for a in assessments:
        a.refresh_from_db()
    _decide_and_publish(cycle, assessments, secretariat, council_user, block, datetime.date(2026, 3, 5), "02/BB-HĐTĐ")


def load() -> None:
    par = Framework.objects.filter(code="PAR-SO").first()
    block = Block.objects.filter(code="department").first()
    secretariat, expert, council_user = _user("thuky"), _user("thamdinh"), _user("hoidong")
    if par is None or block is None or None in (secretariat, expert, council_user):
        return
    _load_2022(par, block, secretariat, expert, council_user)
    _load_2023(par, block, secretariat, expert, council_user)
    _load_2025(par, block, secretariat, expert, council_user)
