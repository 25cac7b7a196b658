"""Write the example DDCI questionnaires as XLSForm workbooks (what a secretariat makes in Excel).

    .venv/bin/python docs/examples/build_examples.py

writes docs/examples/ddci_departments.xlsx and ddci_communes.xlsx, and the same files into
src/chiso/surveys/data/ for the demo (a test checks that the two copies are identical).
Edit the rows below, or edit the workbooks in Excel or KoboToolbox and copy them back.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "src" / "chiso" / "surveys" / "data"
VI, EN = "Vietnamese (vi)", "English (en)"
SURVEY_COLUMNS = [
    "type", "name", f"label::{VI}", f"label::{EN}", f"hint::{VI}", f"hint::{EN}", "required", f"required_message::{VI}",
    "relevant", "constraint", f"constraint_message::{VI}", f"constraint_message::{EN}", "calculation", "choice_filter",
    "appearance", "repeat_count", "parameters",
]


def q(type_, name="", vi="", en="", **more):
    row = {"type": type_, "name": name, f"label::{VI}": vi, f"label::{EN}": en}
    for key, value in more.items():
        column = {
            "hint_vi": f"hint::{VI}", "hint_en": f"hint::{EN}", "msg_vi": f"constraint_message::{VI}",
            "msg_en": f"constraint_message::{EN}", "required_msg": f"required_message::{VI}",
        }.get(key, key)
        row[column] = value
    return row


AGREE = [
    ("1", "Hoàn toàn không đồng ý", "Strongly disagree"),
    ("2", "Không đồng ý", "Disagree"),
    ("3", "Trung lập", "Neutral"),
    ("4", "Đồng ý", "Agree"),
    ("5", "Hoàn toàn đồng ý", "Strongly agree"),
]
COMMON_CHOICES = {
    "loai_hinh": [
        ("dntn", "Doanh nghiệp tư nhân", "Sole proprietorship"),
        ("tnhh", "Công ty trách nhiệm hữu hạn", "Limited liability company"),
        ("co_phan", "Công ty cổ phần", "Joint-stock company"),
        ("htx", "Hợp tác xã", "Cooperative"),
        ("ho_kd", "Hộ kinh doanh", "Household business"),
    ],
    "nganh": [
        ("nong_lam", "Nông, lâm nghiệp, thủy sản", "Agriculture, forestry, fishery"),
        ("cong_nghiep", "Công nghiệp, xây dựng", "Industry, construction"),
        ("thuong_mai", "Thương mại, dịch vụ", "Trade, services"),
        ("du_lich", "Du lịch, lưu trú, ăn uống", "Tourism, hospitality"),
    ],
    "hinh_thuc": [
        ("truc_tiep", "Trực tiếp tại trụ sở hoặc Trung tâm Phục vụ hành chính công", "In person"),
        ("truc_tuyen", "Trực tuyến qua Cổng Dịch vụ công", "Online, through the public service portal"),
        ("buu_chinh", "Qua dịch vụ bưu chính công ích", "By public postal service"),
    ],
    "dong_y": AGREE,
    "co_khong": [
        ("co", "Có", "Yes"),
        ("khong", "Không", "No"),
        ("khong_tra_loi", "Không muốn trả lời", "Prefer not to say"),
    ],
    "linh_vuc": [
        ("thu_tuc", "Thủ tục hành chính", "Administrative procedures"),
        ("thai_do", "Thái độ phục vụ của cán bộ", "Officials' attitude"),
        ("thoi_gian", "Thời gian giải quyết", "Processing time"),
        ("chi_phi", "Chi phí không chính thức", "Informal charges"),
        ("thong_tin", "Tiếp cận thông tin", "Access to information"),
        ("khac", "Khác", "Other"),
    ],
}


def business_group(extra=()):
    return [
        q("note", "gioi_thieu",
          "Phiếu này thu thập đánh giá của doanh nghiệp về chất lượng điều hành kinh tế của tỉnh. Câu trả lời được giữ ẩn danh: không cơ quan nào biết doanh nghiệp nào đã trả lời gì.",
          "This questionnaire collects businesses' views on the province's economic governance. Answers are anonymous: no agency can tell which business said what."),
        q("begin_group", "doanh_nghiep", "Thông tin doanh nghiệp", "About your business"),
        q("select_one loai_hinh", "loai_hinh", "Loại hình doanh nghiệp", "Type of business", required="yes"),
        q("select_one nganh", "nganh_nghe", "Lĩnh vực hoạt động chính", "Main sector", required="yes"),
        *extra,
        q("integer", "so_lao_dong", "Số lao động hiện nay", "Number of employees", required="yes",
          constraint=". >= 0 and . <= 100000", msg_vi="Số lao động phải từ 0 đến 100.000.", msg_en="From 0 to 100,000."),
        q("integer", "nam_thanh_lap", "Năm thành lập", "Year founded",
          constraint=". >= 1945 and . <= int(substr(today(), 0, 4))", msg_vi="Năm thành lập từ 1945 đến năm nay.", msg_en="From 1945 to this year."),
        q("end_group"),
    ]


def rating_block(units_file, unit_word_vi, unit_word_en, max_units):
    return [
        q("begin_group", "lien_he", f"{unit_word_vi.capitalize()} đã liên hệ", f"{unit_word_en.capitalize()} you dealt with"),
        q(f"select_multiple_from_file {units_file}", "don_vi_lien_he",
          f"Trong 12 tháng qua, doanh nghiệp đã liên hệ giải quyết công việc với {unit_word_vi} nào?",
          f"In the last 12 months, which {unit_word_en} did your business deal with?",
          hint_vi=f"Chọn tối đa {max_units}; mỗi {unit_word_vi} được chọn sẽ có một trang đánh giá riêng.",
          hint_en=f"Choose up to {max_units}; each one gets its own page of questions.",
          required="yes", constraint=f"count-selected(.) <= {max_units}",
          msg_vi=f"Vui lòng chọn tối đa {max_units}.", msg_en=f"Please choose at most {max_units}."),
        q("select_one hinh_thuc", "hinh_thuc_lien_he", "Hình thức liên hệ chủ yếu", "Main way of contact", required="yes"),
        q("end_group"),
        q("begin_repeat", "danh_gia", "Đánh giá", "Rating", repeat_count="count-selected(${don_vi_lien_he})"),
        q("calculate", "ma_don_vi", calculation="selected-at(${don_vi_lien_he}, position(..) - 1)"),
        q("calculate", "ten_don_vi", calculation="jr:choice-name(${ma_don_vi}, '${don_vi_lien_he}')"),
        q("note", "tieu_de", "Đánh giá của doanh nghiệp về ${ten_don_vi}", "Your rating of ${ten_don_vi}"),
        q("select_one dong_y", "minh_bach", "Thông tin, quy định và thủ tục được công khai đầy đủ, dễ tiếp cận",
          "Information, rules and procedures are public and easy to find", required="yes", appearance="likert"),
        q("select_one dong_y", "nang_dong", "Cán bộ chủ động, linh hoạt trong giải quyết vướng mắc cho doanh nghiệp",
          "Officials are proactive and flexible in solving problems", required="yes", appearance="likert"),
        q("select_one dong_y", "canh_tranh", "Không có sự ưu ái cho doanh nghiệp thân quen", "No favouritism towards connected businesses",
          required="yes", appearance="likert"),
        q("integer", "so_lan_di_lai", "Số lần doanh nghiệp phải đi lại để hoàn thành một thủ tục", "Visits needed to complete one procedure",
          required="yes", constraint=". >= 0 and . <= 50", msg_vi="Từ 0 đến 50 lần.", msg_en="From 0 to 50."),
        q("select_one co_khong", "chi_phi_khong_chinh_thuc", "Doanh nghiệp có phải trả chi phí không chính thức không?",
          "Did your business pay informal charges?", required="yes"),
        q("decimal", "ty_le_chi_phi", "Chi phí không chính thức khoảng bao nhiêu phần trăm doanh thu?", "About what share of revenue (%)?",
          relevant="${chi_phi_khong_chinh_thuc} = 'co'", constraint=". >= 0 and . <= 100",
          msg_vi="Tỷ lệ phải từ 0 đến 100%.", msg_en="From 0 to 100%.", hint_vi="Ví dụ: 1,5", hint_en="For example 1.5"),
        q("range", "diem_chung", "Điểm đánh giá chung (1 = rất kém, 10 = rất tốt)", "Overall score (1 = very poor, 10 = very good)",
          required="yes", parameters="start=1 end=10 step=1"),
        q("end_repeat"),
    ]


def closing_group():
    return [
        q("begin_group", "y_kien_chung", "Ý kiến chung", "General views"),
        q("select_multiple linh_vuc", "can_cai_thien", "Những lĩnh vực cần cải thiện nhất", "What needs improving most",
          constraint="count-selected(.) <= 2", msg_vi="Chọn tối đa 2 lĩnh vực.", msg_en="Choose at most 2."),
        q("text", "can_cai_thien_khac", "Lĩnh vực khác (ghi rõ)", "Other (please specify)",
          relevant="selected(${can_cai_thien}, 'khac')", required="yes"),
        q("date", "ngay_gan_nhat", "Ngày gần nhất doanh nghiệp làm việc với cơ quan nhà nước", "Most recent date you dealt with an agency",
          constraint=". <= today()", msg_vi="Ngày không được sau hôm nay.", msg_en="Not after today."),
        q("text", "gop_y", "Góp ý khác cho chính quyền tỉnh", "Any other comments for the provincial government", appearance="multiline"),
        q("end_group"),
    ]


def workbook(rows, choices, form_id, title, version="2025.1"):
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(SURVEY_COLUMNS)
    for row in rows:
        sheet.append([row.get(column, "") for column in SURVEY_COLUMNS])
    extra = sorted({k for items in choices.values() for item in items for k in (item[3] if len(item) > 3 else {})})
    choice_sheet = book.create_sheet("choices")
    choice_sheet.append(["list_name", "name", f"label::{VI}", f"label::{EN}", *extra])
    for list_name, items in choices.items():
        for item in items:
            more = item[3] if len(item) > 3 else {}
            choice_sheet.append([list_name, item[0], item[1], item[2], *[more.get(k, "") for k in extra]])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append([title, form_id, version, VI])
    for ws in book.worksheets:
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
    return book


def departments():
    rows = business_group() + rating_block("units_department.csv", "sở, ban, ngành", "departments", 3) + closing_group()
    return workbook(rows, COMMON_CHOICES, "ddci_so_nganh", "Khảo sát DDCI 2025 – Đánh giá các sở, ban, ngành")


def communes():
    detail = q("select_one nganh_chi_tiet", "nganh_chi_tiet", "Ngành cụ thể", "Sub-sector", choice_filter="nhom = ${nganh_nghe}", required="yes")
    rows = business_group([detail]) + rating_block("units_commune.csv", "xã, phường", "communes and wards", 3) + closing_group()
    choices = dict(COMMON_CHOICES)
    choices["nganh_chi_tiet"] = [
        ("trong_trot", "Trồng trọt, chăn nuôi", "Crops, livestock", {"nhom": "nong_lam"}),
        ("lam_nghiep", "Lâm nghiệp", "Forestry", {"nhom": "nong_lam"}),
        ("che_bien", "Chế biến nông sản", "Food processing", {"nhom": "cong_nghiep"}),
        ("xay_dung", "Xây dựng", "Construction", {"nhom": "cong_nghiep"}),
        ("ban_le", "Bán lẻ", "Retail", {"nhom": "thuong_mai"}),
        ("van_tai", "Vận tải", "Transport", {"nhom": "thuong_mai"}),
        ("homestay", "Lưu trú, homestay", "Lodging, homestays", {"nhom": "du_lich"}),
        ("lu_hanh", "Lữ hành", "Tour operators", {"nhom": "du_lich"}),
    ]
    choices["loai_hinh"] = COMMON_CHOICES["loai_hinh"]
    return workbook(rows, choices, "ddci_xa_phuong", "Khảo sát DDCI 2025 – Đánh giá các xã, phường")


def main() -> int:
    DATA.mkdir(parents=True, exist_ok=True)
    for name, build in (("ddci_departments.xlsx", departments), ("ddci_communes.xlsx", communes)):
        target = HERE / name
        build().save(target)
        shutil.copyfile(target, DATA / name)
        print(f"wrote {target.relative_to(HERE.parent.parent)} and src/chiso/surveys/data/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
