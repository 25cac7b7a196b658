"""The blocks (khối) every Vietnamese province ranks separately; a province may add more.

Kept apart from the models so that the data migration and the services share one list.
"""

import datetime

# code, Vietnamese name, English name, order, valid from, valid to
STANDARD_BLOCKS = [
    ("department", "Sở, ban, ngành", "Departments and sectors", 10, None, None),
    ("central_agency", "Cơ quan Trung ương đóng trên địa bàn", "Central agencies in the province", 20, None, None),
    ("district", "Huyện, thành phố", "Districts and city", 30, None, datetime.date(2025, 6, 30)),
    # The communes, wards and townships before the reform: a province that assessed them keeps
    # their results apart from the new communes (different units, different sizes).
    (
        "commune_pre2025", "Xã, phường, thị trấn (trước 01/07/2025)", "Communes, wards and townships (before 1 July 2025)",
        35, None, datetime.date(2025, 6, 30),
    ),
    ("commune", "Xã, phường, đặc khu", "Communes, wards and special zones", 40, datetime.date(2025, 7, 1), None),
]


def ensure_standard_blocks(Block) -> None:
    """Create the standard blocks that are missing; `Block` may be a migration's historical model."""
    for code, name_vi, name_en, order, valid_from, valid_to in STANDARD_BLOCKS:
        Block.objects.get_or_create(
            code=code,
            defaults={"name_vi": name_vi, "name_en": name_en, "order": order, "valid_from": valid_from, "valid_to": valid_to},
        )
