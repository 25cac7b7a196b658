"""The rule that sends an import to a background job, and how a refused job lists its problems."""

import io

from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import Workbook

from chiso.accounts.models import Role
from chiso.jobs.imports import import_in_background, import_weight
from chiso.jobs.models import Job
from chiso.jobs.services import job_run


def test_a_workbook_weighs_what_it_expands_to_and_the_threshold_is_a_setting(settings):
    book = Workbook()
    for n in range(3000):
        book.active.append([f"X-{n:05d}", "Xã thử", "commune"])
    buffer = io.BytesIO()
    book.save(buffer)
    content = buffer.getvalue()
    assert import_weight(content) > 5 * len(content)  # compressed, it would pass for small
    assert import_weight(b"code,name_vi\n") == 13 and import_weight(b"PK\x03\x04 broken") == 11
    settings.CHISO_IMPORT_BACKGROUND_BYTES = import_weight(content)
    assert not import_in_background([("a.xlsx", content)])
    assert import_in_background([("a.xlsx", content), ("b.csv", b"x")])


def test_a_refused_job_lists_every_problem_on_its_page(client, make_user, db):
    user = make_user("thuky", Role.SECRETARIAT)
    job = Job.objects.create(kind="x", title="Nhập", created_by=user)

    def work(progress):
        raise ValidationError(["Tệp a.csv, dòng 2: sai.", "Tệp a.csv, dòng 9: cũng sai."])

    job_run(job.pk, work)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.result == {"problems": ["Tệp a.csv, dòng 2: sai.", "Tệp a.csv, dòng 9: cũng sai."]}
    client.force_login(user)
    html = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "2 lỗi; chưa ghi gì vào hệ thống" in html and "<li>Tệp a.csv, dòng 9: cũng sai.</li>" in html
