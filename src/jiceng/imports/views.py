"""Import pages: upload → check (nothing written) → confirm → done; templates and error workbooks."""
from __future__ import annotations

import tempfile

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jiceng.core.errors import JicengError, NotFoundError, PermissionDeniedError
from jiceng.core.scope import scope_safe
from jiceng.web.downloads import CSV, XLSX, xlsx_response
from jiceng.web.forms import BootstrapMixin, apply_error

from . import services
from .engine import import_root_choices, importable_kinds, may_import_kind
from .models import ImportJob
from .readers import ACCEPTED_SUFFIXES, read_sheet, unsupported_file
from .spec import spec_for
from .workbooks import error_csv_lines, template_xlsx, write_error_workbook

MAX_UPLOAD = settings.IMPORT_MAX_UPLOAD  # a street's whole roll (~1,000,000 residents) is ~210 MB of CSV


class UploadForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("导入内容"), choices=[], initial="residents")
    file = forms.FileField(label=gettext_lazy("文件（.xlsx、.xls、.ods 或 .csv）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_SUFFIXES)}))
    simplify = forms.BooleanField(label=gettext_lazy("把繁体字转换为简体"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, s.label) for k, s in importable_kinds(user).items()]
        self.fields["root"] = forms.ModelChoiceField(
            queryset=import_root_choices(user).exclude(kind__in=["building", "unit_floor"]).order_by("path"),
            required=False,
            label=gettext_lazy("只接受此单元下的数据（可选）"), empty_label=gettext_lazy("我的全部管辖范围"))
        self.order_fields(["kind", "file", "root", "simplify"])

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not (f.name or "").lower().endswith(ACCEPTED_SUFFIXES):
            raise forms.ValidationError(unsupported_file().message)
        return f


def _job(request, pk) -> ImportJob:
    try:
        return ImportJob.objects.select_related("root").get(pk=pk, actor=request.user)
    except (ImportJob.DoesNotExist, ValueError, Exception):
        raise NotFoundError() from None


@scope_safe
@login_required
def upload(request):
    if not importable_kinds(request.user):
        raise PermissionDeniedError(_("您的角色不能导入数据"))
    # A module's page links here with its kind and unit chosen (?kind=team_members&root=<unit>).
    initial = {k: request.GET[k] for k in ("kind", "root") if request.GET.get(k)}
    kind = request.POST.get("kind")
    if request.method == "POST" and spec_for(kind or "") is not None and not may_import_kind(request.user, kind):
        raise PermissionDeniedError(_("您的角色不能导入“%(k)s”") % {"k": spec_for(kind).label})
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        if f.size > MAX_UPLOAD:
            form.add_error("file", _("文件超过 %(n)d MB，请拆分后上传") % {"n": MAX_UPLOAD // (1024 * 1024)})
        else:
            try:
                job = services.import_job_create(actor=request.user, kind=form.cleaned_data["kind"], filename=f.name,
                                                 upload=f, root=form.cleaned_data["root"],
                                                 simplify=form.cleaned_data["simplify"])
            except JicengError as exc:
                apply_error(form, exc)
            else:
                return redirect("imports:job", pk=job.pk)
    return render(request, "imports/upload.html", {
        "form": form, "specs": importable_kinds(request.user).values(),
        "jobs": ImportJob.objects.filter(actor=request.user).select_related("root")[:10]})


@scope_safe
@login_required
def job_detail(request, pk):
    job = _job(request, pk)
    errors = job.result.get("errors", [])
    return render(request, "imports/job.html", {
        "job": job, "spec": spec_for(job.kind), "errors": errors[:1000], "error_count": len(errors),
        "warnings": job.result.get("warnings", [])[:200], "progress": services.import_job_progress(job)})


@scope_safe
@login_required
def job_progress(request, pk):
    """Polled by the job page while the task runs; asks the page to reload when it is done."""
    job = _job(request, pk)
    response = render(request, "imports/_progress.html", {"job": job, "progress": services.import_job_progress(job)})
    if not job.is_running:
        response["HX-Refresh"] = "true"
    return response


@scope_safe
@login_required
@require_POST
def job_apply(request, pk):
    job = _job(request, pk)
    try:
        services.import_job_apply(actor=request.user, job=job)
    except JicengError as exc:
        messages.error(request, exc.message)
    return redirect("imports:job", pk=job.pk)


@scope_safe
@login_required
@require_POST
def job_cancel(request, pk):
    job = _job(request, pk)
    services.import_job_cancel(actor=request.user, job=job)
    messages.info(request, _("已请求取消：导入会整体撤销，不会留下半个文件"))
    return redirect("imports:job", pk=job.pk)


def _errors_of(job: ImportJob):
    """The job's stored file, as a sheet, and its errors (for the file with an error column)."""
    from .engine import ImportResult, RowError

    result = ImportResult(kind=job.kind, dry_run=True,
                          errors=[RowError(**e) for e in job.result.get("errors", [])])
    return read_sheet(job.filename, job.read_data()), result


@scope_safe
@login_required
def job_errors_xlsx(request, pk):
    """The file with an error column as .xlsx, written to a temporary file and sent from it."""
    job = _job(request, pk)
    sheet, result = _errors_of(job)
    out = tempfile.TemporaryFile()  # removed when the response closes it
    try:
        write_error_workbook(sheet, result, out)
    except JicengError as exc:
        out.close()
        messages.error(request, exc.message)
        return redirect("imports:job", pk=job.pk)
    out.seek(0)
    stem = job.filename.rsplit(".", 1)[0]
    return FileResponse(out, as_attachment=True, filename=f"{stem}-errors.xlsx", content_type=XLSX)


@scope_safe
@login_required
def job_errors_csv(request, pk):
    """The file with an error column as .csv, streamed a line at a time (any number of rows)."""
    job = _job(request, pk)
    sheet, result = _errors_of(job)
    response = StreamingHttpResponse((line.encode("utf-8") for line in error_csv_lines(sheet, result)),
                                     content_type=CSV)
    stem = job.filename.rsplit(".", 1)[0]
    response["Content-Disposition"] = content_disposition_header(True, f"{stem}-errors.csv")
    return response


@scope_safe
@login_required
def template(request, kind):
    spec = spec_for(kind)
    if spec is None:
        raise NotFoundError()
    return xlsx_response(template_xlsx(kind), _("%(k)s导入模板") % {"k": spec.label} + ".xlsx")
