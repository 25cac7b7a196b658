"""Demo follow-up: Notice 511/TB-UBND of 13/03/2023 with its seven tasks quoted from the notice,
Plan 3387/KH-UBND, some progress, plans of three departments for their weakest DDCI 2022
indicators, the targets of task 1 with actual values, and the figures of the notice's section I.

The tasks, targets and figures of the notice are quoted from it. Who leads each task, the
deadlines not written in the notice, the progress, the plans and every index value for 2022 and
2023 are synthetic, and their sources say so.
"""

from __future__ import annotations

import datetime

from chiso.accounts.models import Role, User
from chiso.frameworks.models import Framework
from chiso.indices.models import IndexRun
from chiso.units.models import Period, Unit

from .models import Directive, ImprovementPlan, Statistic, StatisticValue, Target
from .queries import plan_proposals
from .services import (
    directive_create,
    plan_action_add,
    plan_action_done,
    plan_create,
    plan_submit,
    progress_report_create,
    statistic_create,
    statistic_value_set,
    target_create,
    task_completion_confirm,
    task_create,
)

SYNTHETIC = "Dữ liệu mô phỏng (demo) — synthetic"
NOTICE = "Thông báo số 511/TB-UBND ngày 13/3/2023 của UBND tỉnh Cao Bằng"
ISSUER = "UBND tỉnh Cao Bằng"

# The seven tasks of section II, as the notice words them: (text, lead, cooperating, deadline).
TASKS_511 = [
    ("Hoàn thành Kế hoạch số 3387/KH-UBND ngày 21/12/2022 của UBND tỉnh về CCHC nhà nước tỉnh Cao Bằng năm 2023. "
     "Phần đầu: (1) Chỉ số CCHC của tỉnh (PAR INDEX) tăng và có sự chuyển biến so với năm 2022; (2) Chỉ số hiệu quả quản "
     "trị và hành chính công cấp tỉnh (PAPI) tăng từ 02 bậc trở lên; tiếp tục cải thiện tốt và đồng bộ ở cả 08 nội dung "
     "đánh giá; (3) Tiếp tục phần đầu cải thiện chỉ số năng lực cạnh tranh (PCI) của tỉnh, nâng cao vị trí xếp hạng năng "
     "lực cạnh tranh tỉnh trong năm 2023.",
     "S-NV", ["S-VPUBND", "S-KHDT", "S-TC"], "31/12/2023"),
    ("Thủ trưởng các cơ quan, đơn vị, địa phương nêu cao tinh thần trách nhiệm trong công tác lãnh đạo, chỉ đạo thực "
     "hiện nhiệm vụ chuyên môn gắn với công tác CCHC và cải thiện môi trường kinh doanh, nâng cao năng lực cạnh tranh. "
     "Tăng cường kiểm tra, siết chặt kỷ luật, kỷ cương hành chính, nâng cao năng lực, tinh thần trách nhiệm và thái độ "
     "phục vụ nhân dân của đội ngũ cán bộ, công chức, viên chức thuộc thẩm quyền quản lý. Phân công, phân việc đúng "
     "người, theo năng lực, nhất là công chức tham mưu thực hiện các nhiệm vụ CCHC. Kiên quyết xử lý nghiêm đối với "
     "những cán bộ, công chức, viên chức vi phạm pháp luật, gây khó khăn, phiền hà cho tổ chức, doanh nghiệp và công dân.",
     "S-NV", ["S-TTR"], "hằng quý"),
    ("Đẩy mạnh cung cấp, sử dụng dịch vụ công trực tuyến đáp ứng nhu cầu thực tế, phục vụ người dân và doanh nghiệp "
     "mọi lúc, mọi nơi, dựa trên nhiều phương tiện khác nhau; đào tạo, bồi dưỡng nguồn nhân lực chuyển đổi số, an toàn "
     "thông tin tại địa phương; tăng cường ứng dụng các dịch vụ đô thị thông minh phù hợp với điều kiện địa phương hướng "
     "tới người dân và doanh nghiệp.",
     "S-TTTT", ["S-VPUBND"], "hằng quý"),
    ("Các sở, ban, ngành, UBND các huyện, thành phố căn cứ Kế hoạch CCHC năm 2023 của tỉnh, cụ thể hóa, triển khai "
     "ngay Kế hoạch CCHC năm 2023 của cơ quan, đơn vị mình, đặc biệt là các nhiệm vụ, đề án cần hoàn thành trong quý "
     "I/2023. Cấp huyện chỉ đạo các xã, phường, thị trấn cần tập trung triển khai thực hiện đúng, đủ các quy định về "
     "quy chế dân chủ ở cơ sở, triển khai sáng tạo các giải pháp góp phần nâng cao sự hài lòng của người dân đối với sự "
     "phục vụ hành chính của chính quyền; đơn giản hóa TTHC trên các lĩnh vực quản lý nhà nước, gắn với thực hiện có "
     "hiệu quả giải quyết TTHC theo cơ chế một cửa, một cửa liên thông; Tạo điều kiện thuận lợi nhất cho người dân và "
     "doanh nghiệp nhất là các TTHC về đất đai, tài nguyên, môi trường,...",
     "S-NV", [], "Quý I/2023"),
    ("Các sở, ban, ngành, UBND các huyện, thành phố khẩn trương xây dựng kế hoạch triển khai thực hiện Bộ Chỉ số đánh "
     "giá năng lực cạnh tranh cấp Sở, ban, ngành, địa phương (DDCI) tỉnh Cao Bằng năm 2023, phát huy những chỉ số được "
     "đánh giá cao, đưa ra giải pháp cụ thể để cải thiện các chỉ số được doanh nghiệp đánh giá thấp.",
     "S-KHDT", ["S-NV"], "30/04/2023"),
    ("Tăng cường tương tác với doanh nghiệp, thường xuyên tiếp nhận ý kiến, nắm bắt tâm tư, nguyện vọng của doanh "
     "nghiệp thông qua Hiệp hội doanh nghiệp, các tổ chức hội. Các sở, ban, ngành, các huyện, thành phố chỉ đạo bộ "
     "phận chuyên môn nghiên cứu sâu các văn bản của Trung ương, của tỉnh, thường xuyên lắng nghe, vận dụng kịp thời để "
     "giải quyết, tháo gỡ khó khăn, vướng mắc của doanh nghiệp. Áp dụng nguyên tắc minh bạch gắn với trách nhiệm giải "
     "trình, đối thoại trong giải quyết khó khăn, vướng mắc của doanh nghiệp, kiến nghị của người dân.",
     "S-KHDT", ["S-CT"], "hằng quý"),
    ("Thực hiện phổ biến, tuyên truyền công tác CCHC phải kịp thời, đầy đủ, thường xuyên, liên tục, đa chiều, phù hợp "
     "với tính chất, đặc điểm và nhiệm vụ của từng nhóm đối tượng nhằm đẩy mạnh công tác CCHC và cải thiện môi trường "
     "kinh doanh, nâng cao năng lực cạnh tranh của tỉnh trong năm 2023 và các năm tới, góp phần thực hiện thắng lợi mục "
     "tiêu, nhiệm vụ phát triển kinh tế - xã hội của tỉnh.",
     "S-TTTT", ["S-NV"], "31/12/2023"),
]

# Synthetic progress: (task number, date, percent, text, evidence link, ask for completion, confirm).
PROGRESS = [
    (4, datetime.date(2023, 3, 28), 100, "Đã ban hành Kế hoạch CCHC năm 2023 của Sở Nội vụ; các nhiệm vụ quý I/2023 đã hoàn thành.",
     "https://snv.caobang.gov.vn/demo/ke-hoach-cchc-2023", True, True),
    (1, datetime.date(2023, 6, 20), 45, "Đã triển khai 45% nhiệm vụ của Kế hoạch 3387/KH-UBND; báo cáo CCHC 6 tháng đầu năm đã gửi.", "", False, False),
    (1, datetime.date(2023, 12, 15), 85, "Hoàn thành 85% nhiệm vụ; còn chậm ở cải cách tài chính công và chính quyền số.", "", False, False),
    (3, datetime.date(2023, 3, 25), 30, "Tỷ lệ hồ sơ trực tuyến toàn trình quý I đạt mức thấp; đã tập huấn cho công chức một cửa cấp huyện.", "", False, False),
    (3, datetime.date(2023, 6, 26), 55, "Đồng bộ hồ sơ từ Hệ thống một cửa điện tử lên Cổng Dịch vụ công quốc gia; mở lớp bồi dưỡng chuyển đổi số.", "", False, False),
    (5, datetime.date(2023, 4, 20), 60, "Đã dự thảo kế hoạch DDCI 2023 của tỉnh; 12/22 sở, ngành đã gửi kế hoạch cải thiện.", "", False, False),
    (7, datetime.date(2023, 12, 20), 100, "Đã thực hiện chuyên mục CCHC trên Báo Cao Bằng và Đài PT-TH tỉnh cả năm; in 5.000 tờ rơi.",
     "https://stttt.caobang.gov.vn/demo/tuyen-truyen-cchc-2023", True, False),
]

# Plans for the two weakest DDCI 2022 indicators of three departments (synthetic actions).
PLAN_UNITS = ["S-TC", "S-TP", "S-CT"]
OWNERS = ["Văn phòng sở", "Phòng Kế hoạch - Tổng hợp", "Bộ phận một cửa của sở"]
ACTIONS = [
    "Rà soát, công khai đầy đủ quy trình, thủ tục và kết quả giải quyết trên Trang thông tin điện tử của sở; cập nhật hằng tháng",
    "Tổ chức đối thoại với doanh nghiệp mỗi quý; trả lời bằng văn bản mọi kiến nghị trong 10 ngày làm việc",
]

# National positions for 2022–2023: not in the shipped datasets (PCI to 2016, PAPI to 2016), so typed
# as statistics standing for the index until its publication is imported — synthetic here.
PAPI_DIMENSIONS = [
    "Tham gia của người dân ở cấp cơ sở", "Công khai, minh bạch", "Trách nhiệm giải trình với người dân",
    "Kiểm soát tham nhũng trong khu vực công", "Thủ tục hành chính công", "Cung ứng dịch vụ công",
    "Quản trị môi trường", "Quản trị điện tử",
]
STANDING = [
    ("par-index-tinh", "Chỉ số CCHC (PAR INDEX) của tỉnh", "PAR Index of the province", "%", "PAR", "score", {2022: 83.12, 2023: 85.47}),
    ("par-thu-hang", "Thứ hạng Chỉ số CCHC của tỉnh", "PAR Index rank of the province", "hạng", "PAR", "rank", {2022: 45, 2023: 39}),
    ("papi-tinh", "Chỉ số PAPI của tỉnh", "PAPI of the province", "điểm", "PAPI", "score", {2022: 42.01, 2023: 42.87}),
    ("papi-thu-hang", "Thứ hạng PAPI của tỉnh", "PAPI rank of the province", "hạng", "PAPI", "rank", {2022: 38, 2023: 37}),
    ("pci-tinh", "Chỉ số PCI của tỉnh", "PCI of the province", "điểm", "PCI", "score", {2022: 61.58, 2023: 62.30}),
    ("pci-thu-hang", "Thứ hạng PCI của tỉnh", "PCI rank of the province", "hạng", "PCI", "rank", {2022: 54, 2023: 50}),
]
PAPI_COMPONENTS = {
    2022: [5.11, 5.02, 4.31, 6.48, 7.25, 6.93, 3.28, 3.63],
    2023: [5.19, 5.14, 4.40, 6.55, 7.31, 7.02, 3.21, 4.05],  # environmental governance slipped: not all eight
}
# Section I of the notice: figures quoted from it, with the year they belong to.
FIGURES = [
    ("doanh-nghiep-thanh-lap-moi", "Doanh nghiệp đăng ký thành lập mới", "New firms registered", "doanh nghiệp", {2021: 143, 2022: 171}),
    ("du-an-cap-moi", "Dự án được cấp mới chủ trương đầu tư, giấy chứng nhận đầu tư", "Projects newly licensed", "dự án", {2022: 17}),
    ("von-dang-ky", "Tổng vốn đăng ký của dự án cấp mới", "Registered capital of new projects", "tỷ đồng", {2022: 3600}),
    ("du-an-thu-hoi", "Dự án không triển khai, chậm triển khai bị chấm dứt, thu hồi chủ trương đầu tư",
     "Stalled projects terminated", "dự án", {2022: 62}),
]
TARGETS = [
    ("Chỉ số CCHC của tỉnh (PAR INDEX) tăng và có sự chuyển biến so với năm 2022",
     {"source": "national", "index_code": "PAR", "measure": "score", "rule": "increase"}),
    ("Chỉ số hiệu quả quản trị và hành chính công cấp tỉnh (PAPI) tăng từ 02 bậc trở lên",
     {"source": "national", "index_code": "PAPI", "measure": "rank", "rule": "change_by", "amount": 2}),
    ("PAPI: tiếp tục cải thiện tốt và đồng bộ ở cả 08 nội dung đánh giá",
     {"source": "national", "index_code": "PAPI", "measure": "score", "rule": "all_components_up"}),
    ("Tiếp tục phần đầu cải thiện chỉ số năng lực cạnh tranh (PCI) của tỉnh",
     {"source": "national", "index_code": "PCI", "measure": "score", "rule": "increase"}),
    ("Nâng cao vị trí xếp hạng năng lực cạnh tranh tỉnh trong năm 2023",
     {"source": "national", "index_code": "PCI", "measure": "rank", "rule": "increase"}),
]


def _unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def _directives(secretariat) -> Directive | None:
    if Directive.objects.filter(number="511/TB-UBND").exists():
        return None
    directive_create(number="3387/KH-UBND", date=datetime.date(2022, 12, 21), issuer=ISSUER,
                     summary="Kế hoạch cải cách hành chính nhà nước tỉnh Cao Bằng năm 2023", by=secretariat)
    notice = directive_create(
        number="511/TB-UBND", date=datetime.date(2023, 3, 13), issuer=ISSUER, by=secretariat,
        summary="Kết luận của Chủ tịch UBND tỉnh Hoàng Xuân Ánh tại Hội nghị Tổng kết công tác CCHC; công bố kết quả "
                "khảo sát, đánh giá bộ chỉ số năng lực cạnh tranh cấp sở, ngành, địa phương (DDCI) năm 2022 và triển khai "
                "thực hiện nhiệm vụ năm 2023",
    )
    tasks = {}
    for number, (text, lead, cooperating, deadline) in enumerate(TASKS_511, start=1):
        tasks[number] = task_create(directive=notice, number=str(number), text=text, lead_unit=_unit(lead),
                                    cooperating_units=[_unit(c) for c in cooperating], deadline=deadline, by=secretariat)
    for number, day, percent, text, link, ask, confirm in PROGRESS:
        report = progress_report_create(task=tasks[number], by=secretariat, text=text, percent=percent, evidence_link=link,
                                        ask_completion=ask, reported_on=day)
        if confirm:
            task_completion_confirm(report=report, by=secretariat, note="Đã kiểm tra kế hoạch và báo cáo.")
    return notice


def _plans(directive: Directive | None) -> None:
    framework = Framework.objects.filter(code="DDCI-SO").first()
    period = Period.objects.filter(code="2022").first()
    run = IndexRun.objects.filter(version__framework=framework, period=period, status=IndexRun.Status.PUBLISHED).first()
    if run is None:
        return
    for number, code in enumerate(PLAN_UNITS):
        unit = Unit.objects.filter(code=code).first()
        if unit is None or ImprovementPlan.objects.filter(unit=unit, run=run).exists():
            continue
        weakest = [c for c in plan_proposals(run, unit) if c.weak][:2]
        if not weakest:
            continue
        targets = {}
        for choice in weakest:
            direction = choice.node.direction or 1
            if choice.value is not None:
                target = round(min(100.0, max(0.0, choice.value + 10 * direction)), 1)
                if (target - choice.value) * direction > 0:  # a value already at the end of the scale gets none
                    targets[choice.node.code] = target
        plan = plan_create(unit=unit, run=run, codes=[c.node.code for c in weakest], targets=targets, directive=directive,
                           title=f"Kế hoạch cải thiện chỉ số DDCI năm 2023 — {unit.name_vi}", by=None)
        for i, item in enumerate(plan.items.all()):
            for j, text in enumerate(ACTIONS):
                action = plan_action_add(item=item, text=text, owner=OWNERS[(i + j + number) % len(OWNERS)],
                                         deadline=datetime.date(2023, 6 + 3 * j, 30), by=None)
                if j == 0:
                    plan_action_done(action=action, day=datetime.date(2023, 6, 15), by=None)
        plan_submit(plan=plan, by=None)


def _figures(secretariat, directive: Directive | None) -> None:
    for code, name_vi, name_en, unit_of_measure, values in FIGURES:
        statistic = Statistic.objects.filter(code=code).first() or statistic_create(
            code=code, name_vi=name_vi, name_en=name_en, unit_of_measure=unit_of_measure, by=secretariat)
        for year, value in values.items():
            if not StatisticValue.objects.filter(statistic=statistic, year=year).exists():
                statistic_value_set(statistic=statistic, year=year, value=value, source=NOTICE, by=secretariat)
    for code, name_vi, name_en, unit_of_measure, index_code, measure, values in STANDING:
        statistic = Statistic.objects.filter(code=code).first() or statistic_create(
            code=code, name_vi=name_vi, name_en=name_en, unit_of_measure=unit_of_measure, index_code=index_code,
            measure=measure, higher_is_better=measure != "rank", by=secretariat)
        for year, value in values.items():
            if not StatisticValue.objects.filter(statistic=statistic, year=year).exists():
                components = dict(zip(PAPI_DIMENSIONS, PAPI_COMPONENTS[year])) if code == "papi-tinh" else None
                statistic_value_set(statistic=statistic, year=year, value=value, source=SYNTHETIC, components=components, by=secretariat)
    for title, fields in TARGETS:
        if not Target.objects.filter(title=title).exists():
            target_create(title=title, baseline_year=2022, target_year=2023, directive=directive, by=secretariat, **fields)
    title = "Chấm dứt hoạt động, thu hồi chủ trương đầu tư đối với các dự án không triển khai, chậm triển khai (yêu cầu đề ra: 49 dự án)"
    if not Target.objects.filter(title=title).exists():
        target_create(title=title, source="statistic", statistic=Statistic.objects.get(code="du-an-thu-hoi"), target_year=2022,
                      rule="at_least", amount=49, directive=directive, by=secretariat)


def load() -> None:
    if not Unit.objects.filter(code="S-NV").exists():
        return  # the demo's units are not loaded
    secretariat = User.objects.filter(role=Role.SECRETARIAT, is_active=True).order_by("pk").first()
    _directives(secretariat)
    _figures(secretariat, Directive.objects.filter(number="511/TB-UBND").first())
    _plans(Directive.objects.filter(number="511/TB-UBND").first())
