"""Demo accounts, one per role (and both kinds of unit officer). The password is public: demo only."""

from chiso.units.models import Unit

from .models import AppraisalBody, Role, User
from .services import user_create

DEMO_PASSWORD = "chiso-demo-2025"

# username, full name (synthetic), role, unit code or block for an officer, appraisal body
DEMO_USERS = [
    ("thuky", "Nông Thị Thư (Sở Nội vụ)", Role.SECRETARIAT, None, ""),
    ("thamdinh", "Hoàng Văn Thẩm (Tổ chuyên viên)", Role.APPRAISER, None, AppraisalBody.EXPERT_TEAM),
    ("hoidong", "Lương Văn Hội (Hội đồng thẩm định)", Role.APPRAISER, None, AppraisalBody.COUNCIL),
    ("canbo.sotaichinh", "Đàm Thị Tài (Sở Tài chính)", Role.UNIT_OFFICER, "S-TC", ""),
    ("canbo.xa", "Bế Văn Xã (cán bộ cấp xã)", Role.UNIT_OFFICER, "commune", ""),
    # the officer who walks the improvement-plan journey of the follow-up demo
    ("canbo.soxaydung", "Nông Văn Xây (Sở Xây dựng)", Role.UNIT_OFFICER, "S-XD", ""),
    ("lanhdao", "Triệu Văn Lãnh (Lãnh đạo UBND tỉnh)", Role.LEADER, None, ""),
    ("phantich", "Lê Thị Phân (Viện nghiên cứu)", Role.ANALYST, None, ""),
    ("quantri", "Quản trị hệ thống", Role.ADMINISTRATOR, None, ""),
]


def _demo_unit(code_or_block: str) -> Unit:
    unit = Unit.objects.filter(code=code_or_block).first()
    if unit is None:
        # The first ward of the province stands for "a commune officer".
        unit = Unit.objects.filter(block__code=code_or_block, valid_to__isnull=True).order_by("code").first()
    if unit is None:
        raise LookupError(f"demo unit {code_or_block} is missing")
    return unit


def load() -> None:
    for username, full_name, role, unit_ref, body in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue  # a second run changes nothing, including a password the user changed
        user_create(
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            full_name=full_name,
            unit=_demo_unit(unit_ref) if unit_ref else None,
            appraisal_body=body,
            by=None,
        )


def logins() -> list[tuple[str, str, str, str]]:
    """(role, username, password, unit) for the demo accounts that exist."""
    rows = []
    for username, _full_name, role, _unit, _body in DEMO_USERS:
        user = User.objects.filter(username=username).select_related("unit").first()
        if user:
            label = str(Role(role).label)
            if user.appraisal_body:
                label += f" ({user.get_appraisal_body_display()})"
            rows.append((label, username, DEMO_PASSWORD, user.unit.name_vi if user.unit else ""))
    return rows
