"""Vietnamese order for names: letters first (ă after a, đ after d, ô ơ after o, ư after u), then
tones, then case; checked against ICU's `vi` collation where PyICU is installed."""

import random

import pytest

from chiso.formats.collation import vietnamese_key, vietnamese_sorted

# Cao Bằng's units as the demo lists them, and names that trip a code-point sort.
NAMES = [
    "Lũng Nặm", "Lỗi", "Lý Bôn", "Lý Quốc", "Đoài Dương", "Đàm Thủy", "Đình Phong", "Đông Khê", "Độc Lập",
    "Đức Long", "Dương", "Bạch Đằng", "Bảo Lạc", "Bảo Lâm", "Bế Văn Đàn", "Ca Thành", "Cần Yên", "Canh Tân",
    "Cô Ba", "Cốc Pàng", "Hà Quảng", "Hạ Lang", "Hạnh Phúc", "Hòa An", "Hưng Đạo", "Huy Giáp", "Kim Đồng",
    "Khánh Xuân", "Minh Khai", "Minh Tâm", "Nam Quang", "Nam Tuấn", "Nguyên Bình", "Nguyễn Huệ", "Phan Thanh",
    "Phục Hòa", "Quang Hán", "Quang Long", "Quang Trung", "Quảng Lâm", "Quảng Uyên", "Sơn Lộ", "Tam Kim",
    "Thạch An", "Thanh Long", "Thành Công", "Thông Nông", "Tĩnh Túc", "Tổng Cọt", "Trà Lĩnh", "Trùng Khánh",
    "Trường Hà", "Vinh Quý", "Xuân Trường", "Yên Thổ", "Sở Tài chính", "Sở Tư pháp", "Sở Xây dựng", "Sở Y tế",
    "Ủy ban", "Uông Bí", "ư", "u", "ơ", "ô", "o", "ê", "e", "â", "ă", "a", "an", "An", "ma", "mà", "mả", "mã", "má", "mạ",
]


def test_letters_come_in_the_vietnamese_alphabet():
    assert vietnamese_sorted(["ư", "u", "ơ", "ô", "o", "đ", "d", "ê", "e", "â", "ă", "a"]) == \
        ["a", "ă", "â", "d", "đ", "e", "ê", "o", "ô", "ơ", "u", "ư"]
    assert vietnamese_sorted(["Lũng Nặm", "Lỗi"]) == ["Lỗi", "Lũng Nặm"]  # ô before u
    assert vietnamese_sorted(["Xuân Trường", "Đông Khê", "Dương"]) == ["Dương", "Đông Khê", "Xuân Trường"]


def test_tones_only_part_names_equal_letter_for_letter():
    assert vietnamese_sorted(["mạ", "má", "mã", "mả", "mà", "ma"]) == ["ma", "mà", "mả", "mã", "má", "mạ"]
    assert vietnamese_sorted(["Bảo Lâm", "Bảo Lạc"]) == ["Bảo Lạc", "Bảo Lâm"]  # c before m, whatever the tones
    assert vietnamese_sorted(["Hạ Lang", "Hà Quảng"]) == ["Hạ Lang", "Hà Quảng"]
    assert vietnamese_sorted(["An", "an"]) == ["an", "An"]


def test_a_key_sorts_objects_within_their_groups():
    rows = [("commune", "Lũng Nặm"), ("department", "Sở Y tế"), ("commune", "Lỗi"), ("department", "Sở Tài chính")]
    assert vietnamese_sorted(rows, key=lambda r: r[1], before=lambda r: r[0]) == [
        ("commune", "Lỗi"), ("commune", "Lũng Nặm"), ("department", "Sở Tài chính"), ("department", "Sở Y tế")]
    assert vietnamese_key(None) == vietnamese_key("")


def test_the_key_agrees_with_icu():
    icu = pytest.importorskip("icu", reason="PyICU is optional: it builds from source against libicu")
    collator = icu.Collator.createInstance(icu.Locale("vi"))
    names = NAMES[:]
    random.Random(7).shuffle(names)
    assert vietnamese_sorted(names) == sorted(names, key=collator.getSortKey)
