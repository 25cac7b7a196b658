"""Demo feedback: for each demo period, synthetic feedback to the departments, districts or
communes of that year, answered on time, late or not at all, rated, some published, one split
and one merged. Every text, name and date here is made up with a fixed seed.

DEMO_CODE follows an answered feedback in the demo (a real code is random and shown once).
"""

from __future__ import annotations

import datetime
import random

from django.test.utils import override_settings
from django.utils import timezone

from chiso.accounts.models import Role, User
from chiso.units.models import Period, Unit

from .models import Feedback, FeedbackType
from .services import (
    feedback_answer,
    feedback_file,
    feedback_merge,
    feedback_publish,
    feedback_rate,
    feedback_route,
    feedback_split,
    tracking_hash,
)
from .workdays import WorkCalendar

DEMO_CODE = "DEMO-GOPY-2025"
PER_YEAR = 120

TOPICS = [
    ("thu-tuc", "Hồ sơ {what} bị yêu cầu bổ sung nhiều lần", "Doanh nghiệp nộp hồ sơ {what} đã ba lần được yêu cầu bổ sung, mỗi lần một loại giấy tờ khác nhau. Đề nghị hướng dẫn một lần, đầy đủ."),
    ("thu-tuc", "Dịch vụ công trực tuyến {what} không nộp được", "Cổng dịch vụ công báo lỗi khi tải tệp đính kèm hồ sơ {what}. Đề nghị kiểm tra và cho nộp trực tiếp khi hệ thống lỗi."),
    ("dat-dai", "Chậm giao đất cho dự án {what}", "Dự án {what} đã có chủ trương đầu tư nhưng việc giao đất kéo dài hơn một năm. Đề nghị cho biết lộ trình cụ thể."),
    ("thue-phi", "Hoàn thuế giá trị gia tăng chậm", "Hồ sơ hoàn thuế giá trị gia tăng của doanh nghiệp quá thời hạn quy định mà chưa có kết quả."),
    ("dau-tu", "Thủ tục điều chỉnh dự án {what}", "Đề nghị hướng dẫn thủ tục điều chỉnh tiến độ dự án {what} khi có thay đổi về vốn."),
    ("chinh-sach", "Tiếp cận chính sách hỗ trợ {what}", "Doanh nghiệp nhỏ chưa được biết về chính sách hỗ trợ {what}; đề nghị công khai điều kiện và hồ sơ."),
    ("can-bo", "Thái độ tiếp công dân tại bộ phận một cửa", "Cán bộ tiếp nhận hồ sơ chưa hướng dẫn tận tình, yêu cầu nộp lại nhiều lần."),
]
WHAT = ["cấp giấy phép xây dựng", "đăng ký kinh doanh", "du lịch sinh thái", "chế biến nông sản", "vận tải hàng hóa",
        "chuyển đổi số", "khuyến công", "cửa khẩu Trà Lĩnh", "thủy điện nhỏ", "nhà máy gạch không nung"]
ANSWERS = [
    "Đơn vị đã rà soát hồ sơ, hướng dẫn doanh nghiệp một lần đầy đủ và rút ngắn thời gian xử lý. Đầu mối liên hệ: bộ phận một cửa của đơn vị.",
    "Đơn vị đã phối hợp với các cơ quan liên quan và sẽ giải quyết dứt điểm trong tháng tới; kết quả được thông báo trên cổng thông tin của đơn vị.",
    "Nội dung phản ánh đúng một phần. Đơn vị đã chấn chỉnh cán bộ liên quan và công khai quy trình tại bộ phận một cửa.",
]


def _units(period: Period) -> list[Unit]:
    blocks = ["department", "district"] if period.end_date < datetime.date(2025, 7, 1) else ["department", "commune"]
    return list(Unit.objects.active_in(period).filter(block__code__in=blocks).order_by("code"))


def _answerer(unit: Unit, secretariat: User | None):
    return User.objects.filter(unit=unit, role=Role.UNIT_OFFICER, is_active=True).first() or secretariat


def _period_load(period: Period, secretariat: User | None, today: datetime.date) -> None:
    rng = random.Random(f"chiso-feedback-{period.code}")
    units = _units(period)
    types = {t.code: t for t in FeedbackType.objects.all()}
    if not units or not types:
        return
    last = min(period.end_date, today - datetime.timedelta(days=45))
    calendar = WorkCalendar(period.start_date, last + datetime.timedelta(days=200))
    days = [d for d in (period.start_date + datetime.timedelta(n) for n in range((last - period.start_date).days + 1)) if calendar.is_working_day(d)]
    if not days:
        return
    # A few units attract most feedback, as in life; each has its own habits of answering.
    weights = [rng.paretovariate(1.5) for _ in units]
    punctuality = {u.pk: rng.uniform(0.55, 0.98) for u in units}
    filed = []
    for n in range(PER_YEAR):
        unit = rng.choices(units, weights)[0]
        type_code, title, text = rng.choice(TOPICS)
        what = rng.choice(WHAT)
        day = rng.choice(days)
        anonymous = rng.random() < 0.4
        kind = rng.choices(list(Feedback.FilerKind.values), [0.7, 0.2, 0.1])[0]
        contact = None if anonymous else {
            "name": f"Người liên hệ {n + 1:03d} (demo)", "organisation": f"Công ty TNHH Mô phỏng {n + 1:03d}" if kind != "citizen" else "",
            "email": f"lienhe{n + 1:03d}@example.invalid", "phone": f"0206 3{n:06d}"[:13],
        }
        if kind == Feedback.FilerKind.ASSOCIATION and contact:
            contact["organisation"] = "Hiệp hội Doanh nghiệp tỉnh Cao Bằng (demo)"
        feedback, _code = feedback_file(
            type=types.get(type_code) or next(iter(types.values())), title=title.format(what=what)[:200],
            text=text.format(what=what), filer_kind=kind, anonymous=anonymous, consent_publish=rng.random() < 0.7,
            unit_suggested=unit if rng.random() < 0.6 else None, contact=contact, today=day,
            on_behalf_of="Các doanh nghiệp hội viên ngành vận tải (demo)" if kind == Feedback.FilerKind.ASSOCIATION else "",
        )
        filed.append((feedback, unit, day))
    # The first filing of the year concerned two units: it is split. The second repeats the third: merged.
    (first, unit_a, day_a), (second, _u, day_b), (third, _u3, _d3) = filed[0], filed[1], filed[2]
    other = next(u for u in units if u.pk != unit_a.pk)
    feedback_split(feedback=first, parts=[(unit_a, first.text), (other, first.text)], by=secretariat, today=calendar.add(day_a, 1))
    feedback_merge(feedback=second, into=third, by=secretariat, note="Cùng nội dung (demo)")
    for feedback, unit, day in filed[2:]:
        feedback = feedback_route(feedback=feedback, unit=unit, by=secretariat, today=calendar.add(day, rng.randint(0, 2)))
    for feedback in Feedback.objects.filter(state=Feedback.State.ASSIGNED, filed_on__gte=period.start_date, filed_on__lte=period.end_date).select_related("unit"):
        roll = rng.random()
        if roll < 0.04:
            continue  # never answered: overdue
        on_time = roll < punctuality[feedback.unit_id] if feedback.unit_id in punctuality else True
        spent = rng.randint(1, feedback.type.response_days) if on_time else feedback.type.response_days + rng.randint(1, 12)
        answered = calendar.add(feedback.assigned_on, spent)
        if answered >= today:
            continue
        by = _answerer(feedback.unit, secretariat)
        if by is None:
            continue
        feedback = feedback_answer(feedback=feedback, text=rng.choice(ANSWERS), by=by, today=answered)
        if rng.random() < 0.65:
            tracked = feedback.parent or feedback
            score = rng.choices([5, 4, 3, 2, 1], [5, 6, 2, 1, 0.5] if on_time else [0.5, 2, 3, 4, 2])[0]
            feedback_rate(tracked=tracked, answered=feedback, score=score, today=min(today, answered + datetime.timedelta(days=rng.randint(1, 20))))
        if feedback.consent_publish and rng.random() < 0.35 and secretariat is not None:
            feedback_publish(feedback=feedback, summary=feedback.text, by=secretariat)
    # Merged filers rate the answer they received too.
    for merged in Feedback.objects.filter(state=Feedback.State.MERGED, merged_into__state=Feedback.State.ANSWERED, filed_on__year=period.year):
        feedback_rate(tracked=merged, answered=merged.merged_into, score=4, today=min(today, merged.merged_into.answered_on + datetime.timedelta(days=3)))


def load() -> None:
    today = timezone.localdate()
    secretariat = User.objects.filter(role=Role.SECRETARIAT, is_active=True).order_by("pk").first()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        for period in Period.objects.order_by("start_date"):
            if Feedback.objects.filter(filed_on__gte=period.start_date, filed_on__lte=period.end_date).exists():
                continue  # a second demo load changes nothing
            _period_load(period, secretariat, today)
    # The public demo code follows the latest answered and rated-nowhere feedback of a department.
    if not Feedback.objects.filter(tracking_hash=tracking_hash(DEMO_CODE)).exists():
        answered = Feedback.objects.filter(state=Feedback.State.ANSWERED, parent__isnull=True, ratings__isnull=True,
                                           tracking_hash__isnull=False, unit__block__code="department").order_by("-filed_on")
        target = answered.filter(unit__code="S-TC").first() or answered.first()
        if target is not None:
            Feedback.objects.filter(pk=target.pk).update(tracking_hash=tracking_hash(DEMO_CODE))
