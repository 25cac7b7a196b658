"""Writes danh_sach_thu_tuc.xlsx: a small XLSForm whose repeat has no repeat_count (the respondent lists
the procedures done, with a name, days, a time and a date-time for each), for the tests of
repeats the respondent adds entries to. Run: python tests/surveys/data/build_thu_tuc.py"""

from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent

SURVEY = [
    ("type", "name", "label", "hint", "required", "relevant", "constraint", "constraint_message", "calculation", "body::jr:noAddRemove"),
    ("select_one co_khong", "da_lam", "Trong năm qua, doanh nghiệp có làm thủ tục hành chính nào không?", "", "yes", "", "", "", "", ""),
    ("begin_repeat", "thu_tuc", "Thủ tục đã làm", "", "", "${da_lam} = 'co'", "", "", "", ""),
    ("calculate", "stt", "", "", "", "", "", "", "position(..)", ""),
    ("text", "ten", "Tên thủ tục thứ ${stt}", "", "yes", "", "position(..) <= 5", "Vui lòng liệt kê tối đa 5 thủ tục.", "", ""),
    ("integer", "so_ngay", "Số ngày giải quyết", "", "", "", ". >= 0 and . <= 365", "Số ngày từ 0 đến 365.", "", ""),
    ("time", "gio_nop", "Giờ nộp hồ sơ", "", "", "", "", "", "", ""),
    ("dateTime", "luc_nhan", "Thời điểm nhận kết quả", "", "", "", "", "", "", ""),
    ("end_repeat", "", "", "", "", "", "", "", "", ""),
    ("begin_repeat", "nguoi_tra_loi", "Người trả lời", "", "", "", "", "", "", "true()"),
    ("text", "chuc_vu", "Chức vụ của người trả lời", "", "", "", "", "", "", ""),
    ("end_repeat", "", "", "", "", "", "", "", "", ""),
    ("text", "gop_y", "Góp ý thêm", "", "", "", "", "", "", ""),
]
CHOICES = [("list_name", "name", "label"), ("co_khong", "co", "Có"), ("co_khong", "khong", "Không")]
SETTINGS = [("form_title", "form_id", "version", "default_language"), ("Thủ tục hành chính đã làm", "thu_tuc_test", "1", "Vietnamese (vi)")]


def build(path: Path = HERE / "danh_sach_thu_tuc.xlsx") -> Path:
    book = Workbook()
    for title, rows in (("survey", SURVEY), ("choices", CHOICES), ("settings", SETTINGS)):
        sheet = book.active if title == "survey" else book.create_sheet(title)
        sheet.title = title
        for row in rows:
            sheet.append(list(row))
    book.save(path)
    return path


if __name__ == "__main__":
    print(build())
