"""The one upload form of the import pages (core/_upload_form.html): the problems, then the form."""

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe


class _Form:
    def as_p(self):
        return mark_safe('<p><input type="file" name="file"></p>')


def _page(template: str, **context) -> str:
    with translation.override("vi"):
        return render_to_string(template, {"form": _Form(), **context})


def _button(html: str) -> str:
    return html.split('<button type="submit">', 1)[1].split("</button>", 1)[0]


def test_the_upload_form_lists_the_problems_and_says_nothing_was_imported():
    html = _page("core/_upload_form.html", problems=["units.csv, dòng 3, cột code: trống"])
    assert 'enctype="multipart/form-data"' in html and 'name="file"' in html
    assert "units.csv, dòng 3, cột code: trống" in html
    assert "Chưa nhập dữ liệu nào: có 1 lỗi cần khắc phục." in html
    assert html.index('role="alert"') < html.index("<form")
    assert _button(html) == "Nhập dữ liệu"


def test_a_page_names_its_own_button_and_headline():
    html = _page("surveys/questionnaire_upload.html", problems=["survey, dòng 2: thiếu name", "choices, dòng 4: trùng"])
    assert "Biểu mẫu chưa được lưu: có 2 lỗi cần sửa." in html
    assert "Chưa nhập dữ liệu nào" not in html
    assert html.count('enctype="multipart/form-data"') == 1
    with translation.override("vi"):
        assert _button(html) == translation.gettext("Check and save") != "Nhập dữ liệu"


def test_a_page_without_problems_shows_only_the_form():
    html = _page("units/import.html")
    assert 'role="alert"' not in html and 'enctype="multipart/form-data"' in html
    assert _button(html) == "Nhập dữ liệu"
