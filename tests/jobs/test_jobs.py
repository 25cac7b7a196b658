"""Background jobs: progress on a status row, output files for their owner only."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from chiso.accounts.models import Role
from chiso.jobs.models import Job
from chiso.jobs.services import job_run, job_start
from chiso.units.importing import units_import
from chiso.units.tasks import units_export_task

pytestmark = pytest.mark.usefixtures("blocks")

UNITS = "code,name_vi,block,valid_to\nH-A,Huyện A,district,30/06/2025\nX-A,Xã A,commune,\n"
LINEAGE = "predecessor_code,successor_code,date\nH-A,X-A,01/07/2025\n"


@pytest.fixture
def province_units(db):
    units_import(files=[("units.csv", UNITS.encode()), ("lineage.csv", LINEAGE.encode())], by=None)


def test_export_job_runs_and_the_workbook_imports_back_unchanged(client, make_user, province_units, django_capture_on_commit_callbacks):
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("units:export"))
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == Job.Status.DONE and job.percent == 100 and job.total == 3
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200
    content = b"".join(download.streaming_content)
    summary = units_import(files=[("units.xlsx", content)], by=None)
    assert not summary.changed and summary.units_unchanged == 2 and summary.lineage_unchanged == 1


def test_the_status_fragment_polls_until_finished(client, make_user, db):
    user = make_user("thuky", Role.SECRETARIAT)
    job = Job.objects.create(kind="x", title="Xuất dữ liệu", created_by=user, done=3, total=12, status=Job.Status.RUNNING)
    client.force_login(user)
    html = client.get(reverse("jobs:detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="25"' in html and "<html" not in html
    job.status = Job.Status.DONE
    job.save()
    html = client.get(reverse("jobs:detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in html


def test_someone_elses_job_is_refused(client, make_user, db):
    job = Job.objects.create(kind="x", title="t", created_by=make_user("a", Role.SECRETARIAT), output_file="exports/x.xlsx", status=Job.Status.DONE)
    client.force_login(make_user("b", Role.ANALYST))
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 403
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 403


def test_a_failing_job_records_a_message_not_a_traceback(db):
    job = Job.objects.create(kind="x", title="t")

    def work(progress):
        progress(1, 10)
        raise RuntimeError("secret internals")

    job_run(job.pk, work)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.done == 1
    assert "secret internals" not in job.message and str(job.pk) in job.message


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_a_queued_job(settings, province_units, make_user):
    """The production path: the task row waits in the database until db_worker takes it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = job_start(kind="units_export", title="t", by=make_user("thuky", Role.SECRETARIAT), task=units_export_task)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and DBTaskResult.objects.count() == 1
    call_command("db_worker", batch=True, no_startup_delay=True, interval=0.1)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.output_file.endswith(".xlsx")
