"""Pages for frameworks: the list, one version's tree, the diff of two versions, import and export."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from chiso.accounts.permissions import MANAGING_ROLES, PROVINCIAL_ROLES, role_required
from chiso.core.tabular import ImportFailed, upload_read
from chiso.jobs.imports import import_in_background, import_job_start

from .documents import document_to_imeta_csv, document_to_xlsx, document_to_yaml
from .forms import FrameworkImportForm
from .models import Framework, FrameworkVersion
from .queries import version_document, version_tree, versions_diff
from .services import framework_import
from .tasks import framework_import_task, import_message

EXPORTS = {
    "yaml": (document_to_yaml, "application/yaml; charset=utf-8"),
    "xlsx": (document_to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": (document_to_imeta_csv, "text/csv; charset=utf-8"),
}


@role_required(*PROVINCIAL_ROLES)
def framework_list(request):
    frameworks = Framework.objects.prefetch_related("versions").order_by("code")
    return render(request, "frameworks/list.html", {"frameworks": frameworks, "can_manage": request.user.role in MANAGING_ROLES})


def _version(code: str, number: int) -> FrameworkVersion:
    return get_object_or_404(FrameworkVersion.objects.select_related("framework"), framework__code=code, number=number)


@role_required(*PROVINCIAL_ROLES)
def version_detail(request, framework_code: str, number: int):
    version = _version(framework_code, number)
    others = version.framework.versions.exclude(pk=version.pk).order_by("-number")
    return render(request, "frameworks/detail.html", {"version": version, "tree": version_tree(version), "others": others})


@role_required(*PROVINCIAL_ROLES)
def version_diff(request, framework_code: str):
    framework = get_object_or_404(Framework, code=framework_code)
    try:
        old = _version(framework_code, int(request.GET.get("a", 0)))
        new = _version(framework_code, int(request.GET.get("b", 0)))
    except ValueError:
        raise Http404 from None
    rows = versions_diff(old, new)
    counts = {status: sum(1 for r in rows if r.status == status) for status in ("added", "removed", "changed", "same")}
    return render(request, "frameworks/diff.html", {"framework": framework, "old": old, "new": new, "rows": rows, "counts": counts})


@role_required(*PROVINCIAL_ROLES)
def version_export(request, framework_code: str, number: int, fmt: str):
    version = _version(framework_code, number)
    if fmt not in EXPORTS:
        raise Http404
    writer, content_type = EXPORTS[fmt]
    response = HttpResponse(writer(version_document(version)), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{framework_code}-v{number}.{fmt}"'
    return response


@role_required(*MANAGING_ROLES)
def framework_import_view(request):
    form = FrameworkImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            content = upload_read(upload, kind="framework")
            if import_in_background([(upload.name, content)]):  # a large framework: read, checked and stored by a job
                job = import_job_start(kind="frameworks_import", title=_("Import of the framework file %(file)s") % {"file": upload.name},
                                       by=request.user, task=framework_import_task, files=[(upload.name, content)],
                                       framework_code=form.cleaned_data["code"] or None)
                return redirect("jobs:detail", pk=job.pk)
            outcome = framework_import(file_name=upload.name, content=content, by=request.user, framework_code=form.cleaned_data["code"] or None)
        except ImportFailed as failure:
            problems = failure.problems
        else:
            version = outcome.version
            (messages.success if outcome.created else messages.info)(request, import_message(outcome))
            for warning in outcome.warnings:
                messages.warning(request, warning)
            return redirect("frameworks:detail", framework_code=version.framework.code, number=version.number)
    return render(request, "frameworks/import.html", {"form": form, "problems": problems}, status=400 if problems else 200)
