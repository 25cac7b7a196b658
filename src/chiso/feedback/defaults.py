"""The working-day calendar (Vietnamese public holidays 2022–2026) and the feedback types that a
fresh installation starts with. Both are data: the secretariat edits them in the admin.

Kept apart from the models so that the data migration and the tests share one list.
Days off follow the Labour Code 2019 (Art. 112: 1/1, Tết 5 days, Giỗ Tổ 10/3 lunar, 30/4, 1/5,
2/9 and one day beside it) and the yearly announcements of the Ministry of Labour / Home Affairs
for civil servants (weekend compensation, swapped days). The lunar holidays are a row per year.
"""

import datetime

D = datetime.date

# date, Vietnamese name, English name, day off (False: a weekend day worked in exchange, "làm bù")
HOLIDAYS = [
    # 2022 — Tết Nhâm Dần 01/02/2022; Giỗ Tổ 10/04 (Sunday, off on Monday 11/04)
    (D(2022, 1, 3), "Nghỉ bù Tết Dương lịch", "New Year (compensatory)", True),
    (D(2022, 1, 31), "Tết Nguyên đán (29 Tết)", "Lunar New Year", True),
    (D(2022, 2, 1), "Tết Nguyên đán (Mùng 1)", "Lunar New Year", True),
    (D(2022, 2, 2), "Tết Nguyên đán (Mùng 2)", "Lunar New Year", True),
    (D(2022, 2, 3), "Tết Nguyên đán (Mùng 3)", "Lunar New Year", True),
    (D(2022, 2, 4), "Tết Nguyên đán (Mùng 4)", "Lunar New Year", True),
    (D(2022, 4, 11), "Nghỉ bù Giỗ Tổ Hùng Vương", "Hùng Kings' Day (compensatory)", True),
    (D(2022, 5, 2), "Nghỉ bù Ngày Giải phóng miền Nam", "Reunification Day (compensatory)", True),
    (D(2022, 5, 3), "Nghỉ bù Ngày Quốc tế Lao động", "Labour Day (compensatory)", True),
    (D(2022, 9, 1), "Quốc khánh (ngày liền kề)", "National Day (adjacent day)", True),
    (D(2022, 9, 2), "Quốc khánh", "National Day", True),
    # 2023 — Tết Quý Mão 22/01/2023; Giỗ Tổ 29/04 (Saturday)
    (D(2023, 1, 2), "Nghỉ bù Tết Dương lịch", "New Year (compensatory)", True),
    (D(2023, 1, 20), "Tết Nguyên đán (29 Tết)", "Lunar New Year", True),
    (D(2023, 1, 23), "Tết Nguyên đán (Mùng 2)", "Lunar New Year", True),
    (D(2023, 1, 24), "Tết Nguyên đán (Mùng 3)", "Lunar New Year", True),
    (D(2023, 1, 25), "Tết Nguyên đán (Mùng 4)", "Lunar New Year", True),
    (D(2023, 1, 26), "Tết Nguyên đán (Mùng 5)", "Lunar New Year", True),
    (D(2023, 5, 1), "Ngày Quốc tế Lao động", "Labour Day", True),
    (D(2023, 5, 2), "Nghỉ bù Giỗ Tổ Hùng Vương", "Hùng Kings' Day (compensatory)", True),
    (D(2023, 5, 3), "Nghỉ bù Ngày Giải phóng miền Nam", "Reunification Day (compensatory)", True),
    (D(2023, 9, 1), "Quốc khánh (ngày liền kề)", "National Day (adjacent day)", True),
    (D(2023, 9, 4), "Nghỉ bù Quốc khánh", "National Day (compensatory)", True),
    # 2024 — Tết Giáp Thìn 10/02/2024; Giỗ Tổ 18/04; 29/04 swapped with Saturday 04/05
    (D(2024, 1, 1), "Tết Dương lịch", "New Year's Day", True),
    (D(2024, 2, 8), "Tết Nguyên đán (29 Tết)", "Lunar New Year", True),
    (D(2024, 2, 9), "Tết Nguyên đán (30 Tết)", "Lunar New Year", True),
    (D(2024, 2, 12), "Tết Nguyên đán (Mùng 3)", "Lunar New Year", True),
    (D(2024, 2, 13), "Tết Nguyên đán (Mùng 4)", "Lunar New Year", True),
    (D(2024, 2, 14), "Tết Nguyên đán (Mùng 5)", "Lunar New Year", True),
    (D(2024, 4, 18), "Giỗ Tổ Hùng Vương", "Hùng Kings' Day", True),
    (D(2024, 4, 29), "Nghỉ hoán đổi (làm bù thứ Bảy 04/05)", "Swapped day off (worked on Saturday 4 May)", True),
    (D(2024, 4, 30), "Ngày Giải phóng miền Nam", "Reunification Day", True),
    (D(2024, 5, 1), "Ngày Quốc tế Lao động", "Labour Day", True),
    (D(2024, 5, 4), "Làm bù cho ngày 29/04", "Working Saturday (for 29 April)", False),
    (D(2024, 9, 2), "Quốc khánh", "National Day", True),
    (D(2024, 9, 3), "Quốc khánh (ngày liền kề)", "National Day (adjacent day)", True),
    # 2025 — Tết Ất Tỵ 29/01/2025; Giỗ Tổ 07/04; 02/05 swapped with Saturday 26/04
    (D(2025, 1, 1), "Tết Dương lịch", "New Year's Day", True),
    (D(2025, 1, 27), "Tết Nguyên đán (28 Tết)", "Lunar New Year", True),
    (D(2025, 1, 28), "Tết Nguyên đán (29 Tết)", "Lunar New Year", True),
    (D(2025, 1, 29), "Tết Nguyên đán (Mùng 1)", "Lunar New Year", True),
    (D(2025, 1, 30), "Tết Nguyên đán (Mùng 2)", "Lunar New Year", True),
    (D(2025, 1, 31), "Tết Nguyên đán (Mùng 3)", "Lunar New Year", True),
    (D(2025, 4, 7), "Giỗ Tổ Hùng Vương", "Hùng Kings' Day", True),
    (D(2025, 4, 26), "Làm bù cho ngày 02/05", "Working Saturday (for 2 May)", False),
    (D(2025, 4, 30), "Ngày Giải phóng miền Nam", "Reunification Day", True),
    (D(2025, 5, 1), "Ngày Quốc tế Lao động", "Labour Day", True),
    (D(2025, 5, 2), "Nghỉ hoán đổi (làm bù thứ Bảy 26/04)", "Swapped day off (worked on Saturday 26 April)", True),
    (D(2025, 9, 1), "Quốc khánh (ngày liền kề)", "National Day (adjacent day)", True),
    (D(2025, 9, 2), "Quốc khánh", "National Day", True),
    # 2026 — Tết Bính Ngọ 17/02/2026; Giỗ Tổ 26/04 (Sunday, off on Monday 27/04); check against
    # the year's announcement and edit these rows if it differs.
    (D(2026, 1, 1), "Tết Dương lịch", "New Year's Day", True),
    (D(2026, 2, 16), "Tết Nguyên đán (29 Tết)", "Lunar New Year", True),
    (D(2026, 2, 17), "Tết Nguyên đán (Mùng 1)", "Lunar New Year", True),
    (D(2026, 2, 18), "Tết Nguyên đán (Mùng 2)", "Lunar New Year", True),
    (D(2026, 2, 19), "Tết Nguyên đán (Mùng 3)", "Lunar New Year", True),
    (D(2026, 2, 20), "Tết Nguyên đán (Mùng 4)", "Lunar New Year", True),
    (D(2026, 4, 27), "Nghỉ bù Giỗ Tổ Hùng Vương", "Hùng Kings' Day (compensatory)", True),
    (D(2026, 4, 30), "Ngày Giải phóng miền Nam", "Reunification Day", True),
    (D(2026, 5, 1), "Ngày Quốc tế Lao động", "Labour Day", True),
    (D(2026, 9, 1), "Quốc khánh (ngày liền kề)", "National Day (adjacent day)", True),
    (D(2026, 9, 2), "Quốc khánh", "National Day", True),
]

# code, Vietnamese name, English name, working days to answer, order
FEEDBACK_TYPES = [
    ("thu-tuc", "Thủ tục hành chính, hồ sơ", "Administrative procedures and dossiers", 10, 10),
    ("dat-dai", "Đất đai, xây dựng, môi trường", "Land, construction and environment", 15, 20),
    ("thue-phi", "Thuế, phí, lệ phí", "Taxes, fees and charges", 10, 30),
    ("dau-tu", "Đầu tư, đăng ký kinh doanh", "Investment and business registration", 15, 40),
    ("chinh-sach", "Chính sách hỗ trợ doanh nghiệp", "Support policies for businesses", 20, 50),
    ("can-bo", "Thái độ, trách nhiệm của cán bộ", "Conduct of officials", 10, 60),
    ("khac", "Khác", "Other", 10, 90),
]


def ensure_defaults(Holiday, FeedbackType) -> None:
    """Create the missing rows (rows already there are left as they are); the models may be a
    migration's historical ones. Two queries and two inserts, whatever the number of rows."""
    days = set(Holiday.objects.values_list("date", flat=True))
    Holiday.objects.bulk_create(
        Holiday(date=day, name_vi=name_vi, name_en=name_en, is_day_off=off)
        for day, name_vi, name_en, off in HOLIDAYS if day not in days
    )
    codes = set(FeedbackType.objects.values_list("code", flat=True))
    FeedbackType.objects.bulk_create(
        FeedbackType(code=code, name_vi=name_vi, name_en=name_en, response_days=days_, order=order)
        for code, name_vi, name_en, days_, order in FEEDBACK_TYPES if code not in codes
    )
