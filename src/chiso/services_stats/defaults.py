"""The standard column mapping and the targets a fresh installation starts with (edited in the admin)."""

from .fields import STANDARD_MAPPING

STANDARD_FORMAT = ("chuan", "Mẫu chuẩn chiso (tiêu đề tiếng Việt)")
# measure, minimum, strictly above, source
TARGETS = [
    ("on_time_rate", 98.0, True, "Kế hoạch 2163/KH-UBND (2025) tỉnh Cao Bằng: tỷ lệ hồ sơ đúng hạn > 98%"),
]


def ensure_defaults(SourceFormat, RateTarget) -> None:
    code, name = STANDARD_FORMAT
    SourceFormat.objects.get_or_create(code=code, defaults={"name": name, "mapping": STANDARD_MAPPING})
    for measure, minimum, strict, source in TARGETS:
        if not RateTarget.objects.filter(measure=measure, period__isnull=True, block__isnull=True).exists():
            RateTarget.objects.create(measure=measure, minimum=minimum, strict=strict, source=source)
