"""Factories for the feedback tests: the calendar and types, staff, filed and routed feedback."""

import datetime

import pytest

from chiso.accounts.models import Role


@pytest.fixture(autouse=True)
def _fresh_cache_and_media(settings, tmp_path):
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()  # rate-limit counters
    yield
    cache.clear()


@pytest.fixture
def defaults(db):
    """Holidays 2022–2026 and the feedback types (a migration creates them; transactional tests flush them)."""
    from chiso.feedback.defaults import ensure_defaults
    from chiso.feedback.models import FeedbackType, Holiday

    ensure_defaults(Holiday, FeedbackType)
    return {t.code: t for t in FeedbackType.objects.all()}


@pytest.fixture
def units(make_unit):
    return {
        "tc": make_unit("S-TC", name_vi="Sở Tài chính", name_en="Department of Finance"),
        "xd": make_unit("S-XD", name_vi="Sở Xây dựng", name_en="Department of Construction"),
    }


@pytest.fixture
def staff(make_user, units):
    return {
        "secretariat": make_user("thuky", Role.SECRETARIAT, email="thuky@example.org"),
        "officer": make_user("canbo.tc", Role.UNIT_OFFICER, unit=units["tc"], email="canbo.tc@example.org"),
        "other_officer": make_user("canbo.xd", Role.UNIT_OFFICER, unit=units["xd"], email="canbo.xd@example.org"),
        "leader": make_user("lanhdao", Role.LEADER, email="lanhdao@example.org"),
        "analyst": make_user("phantich", Role.ANALYST),
        "admin": _superuser(make_user("quantri", Role.ADMINISTRATOR)),
        "appraiser": make_user("thamdinh", Role.APPRAISER),
    }


def _superuser(user):
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


CONTACT = {"name": "Nguyễn Văn Minh", "organisation": "Công ty TNHH Minh Khai", "tax_code": "4800123456",
           "email": "minh@minhkhai.example", "phone": "0912 345 678", "address": "Số 5 phố Hoàng Đình Giong"}


@pytest.fixture
def file_feedback(defaults):
    from chiso.feedback.services import feedback_file

    def make(anonymous=False, type="thu-tuc", today=datetime.date(2023, 3, 1), **fields):
        fields.setdefault("title", "Hồ sơ bị yêu cầu bổ sung nhiều lần")
        fields.setdefault("text", "Doanh nghiệp nộp hồ sơ ba lần.")
        fields.setdefault("filer_kind", "business")
        fields.setdefault("consent_publish", True)
        contact = None if anonymous else fields.pop("contact", CONTACT)
        return feedback_file(type=defaults[type], anonymous=anonymous, contact=contact, today=today, **fields)

    return make


@pytest.fixture
def qd766(db):
    """The shipped Decision 766 framework."""
    from pathlib import Path

    import chiso.frameworks
    from chiso.frameworks.services import framework_import

    path = Path(chiso.frameworks.__file__).parent / "data" / "qd766.yaml"
    return framework_import(file_name=path.name, content=path.read_bytes(), by=None).version
