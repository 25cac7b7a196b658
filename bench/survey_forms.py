"""Speed of a survey form page whose choice lists are long (10,000 communes, 10,000 VSIC sectors).

    .venv/bin/python bench/survey_forms.py [--items 10000] [--rounds 5]

Builds an XLSForm with a select_one of N communes (Vietnamese names), a select_multiple of N
sectors and a few short questions, imports it into a throw-away SQLite database in a temporary
folder, then times the page as the secretariat's "try the form" serves it (the same pages,
evaluation and template as the respondent's form): a GET of the page through Django's test
client, and its parts (evaluation, widgets, template). Prints the median and the slowest of
the rounds and the page's size. Target: the page in under a second. Asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

SYLLABLES = ["Thục", "Phán", "Hòa", "An", "Bình", "Đông", "Tây", "Nam", "Bắc", "Quảng", "Hà", "Thạch", "Lạng", "Cao", "Phú", "Long",
             "Xuân", "Thượng", "Trà", "Lĩnh", "Hưng", "Minh", "Khánh", "Sơn", "Đức", "Quang", "Vĩnh", "Tân", "Thành", "Lộc"]


def _setup_django(folder: Path) -> None:
    os.environ.setdefault("CHISO_DEBUG", "1")
    os.environ["CHISO_VAR_DIR"] = str(folder)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chiso.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def workbook(items: int) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label::Vietnamese (vi)", "label::English (en)"])
    survey.append(["begin_group", "doanh_nghiep", "Doanh nghiệp", "Business"])
    survey.append(["select_one xa", "xa_phuong", "Xã, phường nơi doanh nghiệp đặt trụ sở", "Commune"])
    survey.append(["select_multiple nganh", "nganh_vsic", "Ngành nghề kinh doanh (VSIC)", "Sectors"])
    survey.append(["integer", "so_lao_dong", "Số lao động", "Employees"])
    survey.append(["text", "ghi_chu", "Ghi chú", "Notes"])
    survey.append(["end_group"])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::Vietnamese (vi)", "label::English (en)"])
    n = len(SYLLABLES)
    for i in range(items):
        name = f"{SYLLABLES[i % n]} {SYLLABLES[(i // n) % n]} {SYLLABLES[(i // (n * n)) % n]}"
        choices.append(["xa", f"x{i:05d}", f"Xã {name}", f"{name} commune"])
    for i in range(items):
        choices.append(["nganh", f"v{i:05d}", f"Ngành {i:05d}: {SYLLABLES[i % n]} {SYLLABLES[(i * 7) % n]}", f"Sector {i:05d}"])
    settings = book.create_sheet("settings")
    settings.append(["form_id", "version", "form_title", "default_language"])
    settings.append(["bench_long_lists", "1", "Danh sách dài", "Vietnamese (vi)"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def timed(function, rounds: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        _setup_django(Path(folder))
        from django.template.loader import render_to_string
        from django.test import Client

        from chiso.accounts.models import Role, User
        from chiso.surveys.collection.evaluation import Evaluation
        from chiso.surveys.collection.pages import pages_relevant, widgets
        from chiso.surveys.services import questionnaire_import
        from chiso.units.models import Period

        content = workbook(args.items)
        start = time.perf_counter()
        version = questionnaire_import(file_name="danh_sach_dai.xlsx", content=content).version
        print(f"import of the form ({args.items:,} + {args.items:,} choices, {len(content) / 1e6:.1f} MB): {time.perf_counter() - start:.2f} s")
        import datetime

        Period.objects.get_or_create(code="2025", defaults={"name_vi": "2025", "year": 2025, "start_date": datetime.date(2025, 1, 1), "end_date": datetime.date(2025, 12, 31)})
        user = User.objects.create_user(username="thuky", password="x", role=Role.SECRETARIAT)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        first = client.get(f"/surveys/questionnaires/{version.pk}/try/", follow=True)
        url = first.redirect_chain[-1][0]
        assert first.status_code == 200, first.status_code

        form = version.form
        print(f"{'step':<44} {'median':>8} {'slowest':>8}")
        median, slowest, evaluation = timed(lambda: Evaluation(form, {}), args.rounds)
        print(f"{'evaluation of the answers':<44} {median * 1000:7.0f}ms {slowest * 1000:7.0f}ms")
        page = pages_relevant(evaluation)[0]
        median, slowest, items = timed(lambda: widgets(page, evaluation), args.rounds)
        print(f"{'widgets (labels of 2 x N choices)':<44} {median * 1000:7.0f}ms {slowest * 1000:7.0f}ms")
        context = {"widgets": items, "shown": [], "hidden": {}}
        median, slowest, html = timed(lambda: render_to_string("surveys/_page_fields.html", context), args.rounds)
        print(f"{'template of the questions':<44} {median * 1000:7.0f}ms {slowest * 1000:7.0f}ms")
        median, slowest, response = timed(lambda: client.get(url), args.rounds)
        size = len(response.content)
        print(f"{'the whole page (GET, as the browser asks)':<44} {median * 1000:7.0f}ms {slowest * 1000:7.0f}ms   {size / 1e6:.1f} MB, "
              f"{'under' if slowest < 1 else 'OVER'} a second")
        posted = {"_shown": ["xa_phuong", "nganh_vsic", "so_lao_dong", "ghi_chu"], "xa_phuong": "x09999", "nganh_vsic": ["v00001", "v09998"],
                  "so_lao_dong": "1.000", "ghi_chu": "", "action": "next"}
        median, slowest, response = timed(lambda: client.post(url, posted), args.rounds)
        print(f"{'the page posted and checked (POST)':<44} {median * 1000:7.0f}ms {slowest * 1000:7.0f}ms")


if __name__ == "__main__":
    main()
