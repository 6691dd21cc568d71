"""Ranking (排队抓尾), rectification plans (一村一策) and demonstration sites (示范点) pages."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.core.errors import JicengError, NotFoundError, PermissionDeniedError
from jiceng.core.modules import registry
from jiceng.core.scope import scope_safe
from jiceng.orgs.models import OrgUnit, OrgUnitKind
from jiceng.people.models import Cadre
from jiceng.web.actions import run_action
from jiceng.web.downloads import xlsx_response
from jiceng.web.forms import apply_error

from . import permissions, selectors, services
from .forms import PlanForm, SchemeForm, ShowcaseForm
from .models import RankingLevel, ShowcaseKind, ShowcaseOutcome
from .views import _export_audit, _manage_root, _need_view, _xlsx


def _scheme_form(data=None, initial=None):
    figures = [(code, str(f.label)) for code, f in sorted(registry.figures().items())]
    return SchemeForm(data, initial=initial, figures=figures, levels=RankingLevel.choices)


@scope_safe
@login_required
def ranking(request):
    """排队抓尾: the schemes and their runs."""
    user = request.user
    _need_view(user)
    return render(request, "cadre/ranking.html", {
        "schemes": selectors.scheme_list(user), "runs": selectors.run_list(user)[:40],
        "can_manage": permissions.can_manage_any(user), "year": timezone.localdate().year,
        "quarter": (timezone.localdate().month - 1) // 3 + 1,
    })


@scope_safe
@login_required
def scheme_edit(request, pk=None):
    user = request.user
    site = _manage_root(user)
    scheme = selectors.scheme_get_for_user(user, pk) if pk else None
    if scheme is not None and not permissions.can_manage(user, scheme.org_path):
        raise PermissionDeniedError()
    if scheme is not None:
        initial = {"name": scheme.name, "level": scheme.level, "advanced_count": scheme.advanced_count,
                   "lagging_count": scheme.lagging_count}
        rows = [{"label": i.label, "numerator": i.numerator, "denominator": i.denominator, "weight": i.weight,
                 "lower_is_better": i.lower_is_better} for i in scheme.indicators.all()]
    else:
        initial = {"name": _("%(y)d年村（社区）排队抓尾") % {"y": timezone.localdate().year}, "level": "village",
                   "advanced_count": 3, "lagging_count": 3}
        rows = services.DEFAULT_INDICATORS
    for i, row in enumerate(rows):
        initial.update({f"label_{i}": row["label"], f"numerator_{i}": row["numerator"],
                        f"denominator_{i}": row["denominator"], f"weight_{i}": row["weight"],
                        f"lower_{i}": row.get("lower_is_better", False)})
    form = _scheme_form(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            saved = services.scheme_save(actor=user, site=scheme.site if scheme else site, name=d["name"],
                                         level=d["level"], indicators=form.indicators(),
                                         advanced_count=d["advanced_count"], lagging_count=d["lagging_count"],
                                         scheme=scheme)
            messages.success(request, _("排名方案已保存"))
            return redirect("cadre:ranking")
        except JicengError as exc:
            apply_error(form, exc, {"indicators": None, "weight": None})
    return render(request, "cadre/scheme_edit.html", {"form": form, "scheme": scheme})


@require_POST
@scope_safe
@login_required
def scheme_run(request, pk):
    user = request.user
    scheme = selectors.scheme_get_for_user(user, pk)
    try:
        year = int(request.POST.get("year") or timezone.localdate().year)
        quarter = int(request.POST["quarter"]) if request.POST.get("quarter") else None
    except ValueError:
        year, quarter = timezone.localdate().year, None
    result = {}

    def go():
        result["run"] = services.ranking_run(actor=user, scheme=scheme, year=year, quarter=quarter)
        return _("排名已计算")

    response = run_action(request, go, then="cadre:ranking")
    return redirect("cadre:run", result["run"].pk) if "run" in result else response


@scope_safe
@login_required
def run_detail(request, pk):
    user = request.user
    run = selectors.run_get_for_user(user, pk)
    results = list(selectors.run_results(run))
    if request.GET.get("format") == "xlsx":
        labels = [i["label"] for i in run.indicators]
        rows = [[r.rank, r.org_unit.name, r.get_band_display(), float(r.score)]
                + [("—" if v["value"] is None else v["value"]) for v in r.values] for r in results]
        _export_audit(user, "cadre.ranking.exported", len(rows), {"run": run.pk})
        return xlsx_response(_xlsx("排名", ["名次", "单位", "等次", "得分"] + labels, rows),
                             f"{run.scheme.name}-{run.period_label}.xlsx")
    return render(request, "cadre/run.html", {"run": run, "results": results,
                                              "can_manage": permissions.can_manage(user, run.org_path)})


# --------------------------------------------------------------------------- plans

def _cadres_under(path):
    return Cadre.objects.within(path).select_related("org_unit").exclude(kind="grid_worker").order_by("org_path", "id")[:300]


@scope_safe
@login_required
def plans(request):
    user = request.user
    _need_view(user)
    plans_qs = selectors.plan_list(user, status=request.GET.get("status", ""))
    if request.GET.get("format") == "xlsx":
        rows = [[p.org_unit.name, p.result.run.period_label, p.result.rank, p.problems, p.owner.name,
                 p.deadline.isoformat(), p.get_status_display(),
                 f"{sum(1 for m in p.measures.all() if m.done_at)}/{len(p.measures.all())}"]
                for p in plans_qs.prefetch_related("measures")[:20000]]
        _export_audit(user, "cadre.plans.exported", len(rows), {})
        return xlsx_response(_xlsx("整改方案", ["单位", "排名期间", "名次", "存在问题", "责任人", "整改时限", "状态",
                                             "措施完成"], rows), "整改方案.xlsx")
    return render(request, "cadre/plans.html", {"plans": plans_qs})


@scope_safe
@login_required
def plan_new(request, result_id):
    user = request.user
    result = selectors.result_get_for_user(user, result_id)
    if not permissions.can_manage(user, result.run.org_path):
        raise PermissionDeniedError()
    cadres = list(_cadres_under(result.org_path))
    by_id = {c.pk: c for c in cadres}
    form = PlanForm(request.POST or None, cadres=cadres)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        measures = [{"text": d[f"m_text_{i}"], "owner": by_id.get(d[f"m_owner_{i}"]), "deadline": d[f"m_deadline_{i}"]}
                    for i in range(PlanForm.ROWS)]
        try:
            plan = services.plan_create(actor=user, result=result, problems=d["problems"], owner=by_id.get(d["owner"]),
                                        deadline=d["deadline"], measures=measures)
            messages.success(request, _("整改方案已建立"))
            return redirect("cadre:plan", plan.pk)
        except JicengError as exc:
            apply_error(form, exc, {"measures": None, "result": None})
    return render(request, "cadre/plan_new.html", {"form": form, "result": result})


@scope_safe
@login_required
def plan_detail(request, pk):
    user = request.user
    plan = selectors.plan_get_for_user(user, pk)
    from .models import Task

    measures = list(plan.measures.select_related("owner"))
    tasked = set(Task.objects.within(plan.org_path).filter(
        source_type="cadre.measure", source_id__in=[str(m.pk) for m in measures]).values_list("source_id", flat=True))
    for m in measures:
        m.task_made = str(m.pk) in tasked
    return render(request, "cadre/plan.html", {"plan": plan, "measures": measures,
                                               "follow_ups": plan.follow_ups.select_related("by"),
                                               "can_manage": permissions.can_manage(user, plan.org_path)})


@require_POST
@scope_safe
@login_required
def plan_action(request, pk, action):
    user = request.user
    plan = selectors.plan_get_for_user(user, pk)
    post = request.POST

    def complete():
        measure = plan.measures.filter(pk=post.get("measure")).first()
        if measure is None:
            raise NotFoundError()
        services.measure_complete(actor=user, measure=measure, evidence=post.get("evidence", ""),
                                  photo=request.FILES.get("photo"))
        return _("措施已标记完成")

    def to_task():
        measure = plan.measures.filter(pk=post.get("measure")).first()
        if measure is None:
            raise NotFoundError()
        task = services.measure_to_task(actor=user, measure=measure)
        return _("已转为任务，下发给%(n)s") % {"n": task.owner.name}

    handlers = {
        "complete": complete,
        "to_task": to_task,
        "follow_up": lambda: services.follow_up_add(actor=user, plan=plan, note=post.get("note", "")) and _("跟踪情况已记录"),
        "close": lambda: services.plan_close(actor=user, plan=plan) and _("整改方案已销号"),
    }
    return run_action(request, handlers.get(action), then=("cadre:plan", plan.pk))


# --------------------------------------------------------------------------- showcases

@scope_safe
@login_required
def showcases(request):
    user = request.user
    _need_view(user)
    form = None
    if permissions.can_manage_any(user):
        root = _manage_root(user)
        cadres = list(_cadres_under(root.path))
        units = list(OrgUnit.objects.accessible_to(user, purpose="cadre_manage").filter(
            kind__in=(OrgUnitKind.COMMUNITY, OrgUnitKind.VILLAGE, OrgUnitKind.GRID)).order_by("path")[:300])
        form = ShowcaseForm(request.POST or None, kinds=ShowcaseKind.choices, cadres=cadres, units=units)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            chosen = [u for u in units if u.pk in d["units"]]
            try:
                s = services.showcase_create(actor=user, org_unit=chosen[0] if d["kind"] == "point" and chosen else root,
                                             name=d["name"], kind=d["kind"], year=timezone.localdate().year,
                                             leader=next((c for c in cadres if c.pk == d["leader"]), None),
                                             template=d["template"], targets=d["targets"].splitlines(),
                                             units=chosen if d["kind"] == "belt" else [])
                messages.success(request, _("已建立，请签订责任书"))
                return redirect("cadre:showcase", s.pk)
            except JicengError as exc:
                apply_error(form, exc)
    if request.GET.get("format") == "xlsx":
        rows = [[s.name, s.get_kind_display(), s.year, s.org_unit.name, s.leader.name, s.letter_signed_by,
                 s.letter_signed_on.isoformat() if s.letter_signed_on else "",
                 f"{sum(1 for t in s.targets.all() if t.met)}/{len(s.targets.all())}", s.get_outcome_display(),
                 "" if s.assessment_score is None else s.assessment_score, s.reward, s.talk_record]
                for s in selectors.showcase_list(user)[:20000]]
        _export_audit(user, "cadre.showcases.exported", len(rows), {})
        return xlsx_response(_xlsx("示范点", ["名称", "类型", "年度", "单位", "责任人", "责任书签订人", "签订日期", "目标达成",
                                            "结果", "考核得分", "奖励", "约谈记录"], rows), "示范点.xlsx")
    return render(request, "cadre/showcases.html", {"showcases": selectors.showcase_list(user), "form": form})


@scope_safe
@login_required
def showcase_detail(request, pk):
    user = request.user
    s = selectors.showcase_get_for_user(user, pk)
    own = permissions.cadre_of(user)
    return render(request, "cadre/showcase.html", {
        "s": s, "targets": s.targets.all(), "progress": s.progress.select_related("by"), "units": s.units.all(),
        "can_manage": permissions.can_manage(user, s.org_path),
        "can_progress": permissions.can_manage(user, s.org_path) or (own is not None and own.pk == s.leader_id),
        "outcomes": [(v, label) for v, label in ShowcaseOutcome.choices if v != "pending"],
    })


@require_POST
@scope_safe
@login_required
def showcase_action(request, pk, action):
    import datetime as dt

    user = request.user
    s = selectors.showcase_get_for_user(user, pk)
    post = request.POST

    def day(name):
        try:
            return dt.date.fromisoformat(post.get(name, "")) if post.get(name) else None
        except ValueError:
            raise JicengError(_("日期格式应为 年-月-日"), field=name) from None

    handlers = {
        "letter": lambda: services.showcase_letter(actor=user, showcase=s, signed_by=post.get("signed_by", ""),
                                                   signed_on=day("signed_on")) and _("责任书已登记"),
        "progress": lambda: services.showcase_progress(actor=user, showcase=s, text=post.get("text", ""),
                                                       photo=request.FILES.get("photo"),
                                                       met_targets=post.getlist("met")) and _("进展已记录"),
        "assess": lambda: services.showcase_assess(actor=user, showcase=s, score=post.get("score"), note=post.get("note", ""),
                                                   outcome=post.get("outcome", ""), reward=post.get("reward", ""),
                                                   talk_on=day("talk_on"), talk_with=post.get("talk_with", ""),
                                                   talk_record=post.get("talk_record", "")) and _("考核结果已记录"),
    }
    return run_action(request, handlers.get(action), then=("cadre:showcase", s.pk))
