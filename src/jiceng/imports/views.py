"""Import pages: upload → check (nothing written) → confirm → done; templates and error workbooks."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jiceng.accounts import permissions
from jiceng.core.errors import JicengError, NotFoundError, PermissionDeniedError
from jiceng.core.scope import scope_safe
from jiceng.orgs.selectors import org_unit_choices
from jiceng.web.forms import BootstrapMixin, apply_error

from .engine import import_file
from .models import ImportJob, ImportStatus
from .readers import read_sheet
from .spec import SPECS
from .workbooks import error_workbook, template_xlsx

MAX_UPLOAD = 50 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("导入内容"), choices=[(k, s.label) for k, s in SPECS.items()])
    file = forms.FileField(label=gettext_lazy("文件（.xlsx 或 .csv）"))
    simplify = forms.BooleanField(label=gettext_lazy("把繁体字转换为简体"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["root"] = forms.ModelChoiceField(
            queryset=org_unit_choices(user=user).exclude(kind__in=["building", "unit_floor"]), required=False,
            label=gettext_lazy("只接受此单元下的数据（可选）"), empty_label=gettext_lazy("我的全部管辖范围"))
        self.order_fields(["kind", "file", "root", "simplify"])


def _job(request, pk) -> ImportJob:
    try:
        return ImportJob.objects.select_related("root").get(pk=pk, actor=request.user)
    except (ImportJob.DoesNotExist, ValueError, Exception):
        raise NotFoundError() from None


@scope_safe
@login_required
def upload(request):
    if not permissions.can_change_people(request.user):
        raise PermissionDeniedError(_("您的角色不能导入数据"))
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        if f.size > MAX_UPLOAD:
            form.add_error("file", _("文件超过 50 MB，请拆分后上传"))
        else:
            data = f.read()
            try:
                result = import_file(actor=request.user, kind=form.cleaned_data["kind"], filename=f.name, data=data,
                                     root=form.cleaned_data["root"], simplify=form.cleaned_data["simplify"],
                                     dry_run=True)
            except JicengError as exc:
                apply_error(form, exc, {"org": "root"})
            else:
                job = ImportJob.objects.create(
                    actor=request.user, kind=form.cleaned_data["kind"], filename=f.name[:255], data=data,
                    sha256=result.sha256, root=form.cleaned_data["root"], simplify=form.cleaned_data["simplify"],
                    status=ImportStatus.CHECKED if result.ok else ImportStatus.REJECTED, result=result.as_dict())
                return redirect("imports:job", pk=job.pk)
    return render(request, "imports/upload.html", {
        "form": form, "specs": SPECS.values(),
        "jobs": ImportJob.objects.filter(actor=request.user).select_related("root")[:10]})


@scope_safe
@login_required
def job_detail(request, pk):
    job = _job(request, pk)
    errors = job.result.get("errors", [])
    return render(request, "imports/job.html", {
        "job": job, "spec": SPECS[job.kind], "errors": errors[:1000], "error_count": len(errors),
        "warnings": job.result.get("warnings", [])[:200]})


@scope_safe
@login_required
@require_POST
def job_apply(request, pk):
    job = _job(request, pk)
    if job.status != ImportStatus.CHECKED:
        messages.error(request, _("这个文件不能导入：%(s)s") % {"s": job.get_status_display()})
        return redirect("imports:job", pk=job.pk)
    try:
        result = import_file(actor=request.user, kind=job.kind, filename=job.filename, data=bytes(job.data),
                             root=job.root, simplify=job.simplify, dry_run=False)
    except JicengError as exc:
        messages.error(request, exc.message)
        return redirect("imports:job", pk=job.pk)
    with transaction.atomic():
        job.status = ImportStatus.APPLIED if result.applied else ImportStatus.REJECTED
        job.result = result.as_dict()
        job.applied_at = timezone.now() if result.applied else None
        job.save(update_fields=["status", "result", "applied_at"])
    if result.applied:
        messages.success(request, _("导入完成：新增 %(c)d，更新 %(u)d，无变化 %(n)d") %
                         {"c": result.created, "u": result.updated, "n": result.unchanged})
    else:
        messages.error(request, _("数据在检查后发生了变化，文件被拒绝，请查看错误"))
    return redirect("imports:job", pk=job.pk)


@scope_safe
@login_required
@require_POST
def job_cancel(request, pk):
    job = _job(request, pk)
    if job.status == ImportStatus.CHECKED:
        job.status = ImportStatus.CANCELLED
        job.save(update_fields=["status"])
        messages.info(request, _("已取消，未写入任何数据"))
    return redirect("imports:upload")


@scope_safe
@login_required
def job_errors_xlsx(request, pk):
    job = _job(request, pk)
    from .engine import ImportResult, RowError

    result = ImportResult(kind=job.kind, dry_run=True,
                          errors=[RowError(**e) for e in job.result.get("errors", [])])
    data = error_workbook(read_sheet(job.filename, bytes(job.data)), result)
    response = HttpResponse(data, content_type=XLSX)
    stem = job.filename.rsplit(".", 1)[0]
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(stem)}-errors.xlsx"
    return response


@scope_safe
@login_required
def template(request, kind):
    if kind not in SPECS:
        raise NotFoundError()
    response = HttpResponse(template_xlsx(kind), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(SPECS[kind].label + '导入模板')}.xlsx"
    return response


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)
