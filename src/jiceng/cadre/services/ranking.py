"""The organisation ranking (排队抓尾): schemes of weighted indicators over registered figures, runs computed
from the records for a period, advanced and lagging bands."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core.errors import ErrorCollector, JicengError, PermissionDeniedError
from jiceng.core.modules import Period, figure_values, registry
from jiceng.orgs.models import OrgUnit, OrgUnitKind, PartyOrgKind

from .. import permissions
from ..models import RankingBand, RankingIndicator, RankingLevel, RankingResult, RankingRun, RankingScheme

# A scheme to start from: the seeds' "task completion, report closure, overdue, deductions".
DEFAULT_INDICATORS = [
    {"label": "任务按时完成率", "numerator": "cadre.tasks_on_time", "denominator": "cadre.tasks_issued", "weight": 40},
    {"label": "诉求办结率", "numerator": "reports.done", "denominator": "reports.received", "weight": 30},
    {"label": "任务逾期未完成", "numerator": "cadre.tasks_overdue", "denominator": "", "weight": 15,
     "lower_is_better": True},
    {"label": "绩效扣分笔数", "numerator": "cadre.deductions", "denominator": "", "weight": 15, "lower_is_better": True},
]


def ranked_units(scheme) -> list[OrgUnit]:
    """The units a scheme ranks: the level's units under its site (never the site itself)."""
    qs = OrgUnit.objects.filter(path__startswith=scheme.org_path, is_active=True).exclude(path=scheme.org_path)
    if scheme.level == RankingLevel.TOWNSHIP:
        qs = qs.filter(kind__in=(OrgUnitKind.TOWNSHIP, OrgUnitKind.STREET))
    elif scheme.level == RankingLevel.VILLAGE:
        qs = qs.filter(kind__in=(OrgUnitKind.VILLAGE, OrgUnitKind.COMMUNITY))
    else:
        qs = qs.filter(party_org_kind=PartyOrgKind.BRANCH)
    return list(qs.order_by("path"))


def _clean_indicators(indicators, errors: ErrorCollector) -> list[dict]:
    figures = registry.figures()
    clean = []
    if not indicators:
        errors.add("indicators", _("至少需要一项指标"))
        return clean
    total = 0
    for i, ind in enumerate(indicators, start=1):
        label = (ind.get("label") or "").strip()
        num = (ind.get("numerator") or "").strip()
        den = (ind.get("denominator") or "").strip()
        if not label:
            errors.add("indicators", _("第 %(i)d 项指标：请填写名称") % {"i": i})
        if num not in figures:
            errors.add("indicators", _("第 %(i)d 项指标：没有名为“%(c)s”的统计指标") % {"i": i, "c": num})
        if den and den not in figures:
            errors.add("indicators", _("第 %(i)d 项指标：没有名为“%(c)s”的统计指标") % {"i": i, "c": den})
        try:
            weight = int(ind.get("weight"))
            if weight < 1 or weight > 100:
                raise ValueError
        except (TypeError, ValueError):
            errors.add("weight", _("第 %(i)d 项指标：权重应为 1 到 100 的整数") % {"i": i})
            weight = 0
        total += weight
        clean.append({"label": label[:50], "numerator": num, "denominator": den, "weight": weight,
                      "lower_is_better": bool(ind.get("lower_is_better"))})
    if total != 100 and "weight" not in errors.errors:
        errors.add("weight", _("各项指标权重合计应为 100，现为 %(t)d") % {"t": total})
    return clean


def scheme_save(*, actor, site: OrgUnit, name: str, level: str, indicators: list[dict], advanced_count=3,
                lagging_count=3, scheme: RankingScheme | None = None, now=None) -> RankingScheme:
    """Create or replace a scheme and its indicators (weights must sum to 100); nothing is written on an error."""
    if not permissions.can_manage(actor, site.path):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    name = (name or "").strip()
    if not name:
        errors.add("name", _("请填写方案名称"))
    if level not in RankingLevel.values:
        errors.add("level", _("请选择排名对象"))
    try:
        advanced_count, lagging_count = int(advanced_count), int(lagging_count)
        if advanced_count < 0 or lagging_count < 0:
            raise ValueError
    except (TypeError, ValueError):
        errors.add("lagging_count", _("先进、后进名额应为不小于 0 的整数"))
    clean = _clean_indicators(indicators, errors)
    errors.raise_if_any()
    now = now or timezone.now()
    with transaction.atomic():
        if scheme is None:
            scheme = RankingScheme.objects.create(site=site, org_path=site.path, name=name[:100], level=level,
                                                  advanced_count=advanced_count, lagging_count=lagging_count,
                                                  created_by=actor, created_at=now)
        else:
            scheme.name, scheme.level = name[:100], level
            scheme.advanced_count, scheme.lagging_count = advanced_count, lagging_count
            scheme.save(update_fields=["name", "level", "advanced_count", "lagging_count"])
            scheme.indicators.all().delete()
        RankingIndicator.objects.bulk_create([RankingIndicator(scheme=scheme, position=i, **ind)
                                              for i, ind in enumerate(clean)])
        audit_log(actor=actor, action="cadre.ranking_scheme.saved", obj=scheme, after={"indicators": clean})
    return scheme


def _score(value, lo, hi, weight: int, lower_is_better: bool) -> Fraction:
    """Min–max scaled to the weight across the ranked units; equal values all get the full weight; no data
    (a rate over nothing) scores 0."""
    if value is None:
        return Fraction(0)
    if hi == lo:
        return Fraction(weight)
    share = (hi - value) / (hi - lo) if lower_is_better else (value - lo) / (hi - lo)
    return weight * share


def ranking_compute(scheme, period: Period, *, units=None) -> list[dict]:
    """Each unit's indicator values and scores, total, rank (ties share a rank) and band — computed from the
    registered figures, ordered by rank."""
    units = units if units is not None else ranked_units(scheme)
    figures = registry.figures()
    indicators = list(scheme.indicators.all())
    cache: dict[str, dict] = {}

    def vals(code):
        if code not in cache:
            cache[code] = figure_values(figures[code], units, period)
        return cache[code]

    rows = {u.pk: {"unit": u, "values": [], "total": Fraction(0)} for u in units}
    for ind in indicators:
        nums = vals(ind.numerator)
        dens = vals(ind.denominator) if ind.denominator else None
        raw = {}
        for u in units:
            n = nums.get(u.pk, 0)
            if dens is None:
                raw[u.pk] = (n, None, Fraction(n))
            else:
                d = dens.get(u.pk, 0)
                # Fraction(n) / Fraction(d), not Fraction(n, d): a figure in yuan is a Decimal, not a Rational
                raw[u.pk] = (n, d, Fraction(n) / Fraction(d) if d else None)
        present = [v for _n, _d, v in raw.values() if v is not None]
        lo, hi = (min(present), max(present)) if present else (0, 0)
        for u in units:
            n, d, v = raw[u.pk]
            s = _score(v, lo, hi, ind.weight, ind.lower_is_better)
            rows[u.pk]["total"] += s
            rows[u.pk]["values"].append({"label": ind.label, "numerator": n, "denominator": d,
                                         "value": None if v is None else round(float(v), 4),
                                         "score": float(_money(s))})
    ordered = sorted(rows.values(), key=lambda r: (-r["total"], r["unit"].path))
    n_units = len(ordered)
    for r in ordered:
        r["score"] = _money(r["total"])
        r["rank"] = 1 + sum(1 for o in ordered if o["total"] > r["total"])
        if scheme.advanced_count and r["rank"] <= scheme.advanced_count:
            r["band"] = RankingBand.ADVANCED
        elif scheme.lagging_count and r["rank"] > n_units - scheme.lagging_count:
            r["band"] = RankingBand.LAGGING
        else:
            r["band"] = RankingBand.MIDDLE
    return ordered


def _money(x: Fraction) -> Decimal:
    return (Decimal(x.numerator) / Decimal(x.denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def period_of(year: int, quarter: int | None) -> tuple[Period, str]:
    if quarter:
        start = dt.date(year, 3 * quarter - 2, 1)
        end = (dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)) - dt.timedelta(days=1)
        return Period(start, end), _("%(y)d年第%(q)d季度") % {"y": year, "q": quarter}
    return Period.year(year), _("%(y)d年度") % {"y": year}


def ranking_run(*, actor, scheme, year: int, quarter: int | None = None, now=None) -> RankingRun:
    """Compute and keep a ranking for a quarter or a year (a snapshot; a later run of the same period stands
    beside it)."""
    if not permissions.can_manage(actor, scheme.org_path):
        raise PermissionDeniedError()
    if quarter not in (None, 1, 2, 3, 4):
        raise JicengError(_("季度应为 1–4"), field="quarter")
    period, label = period_of(year, quarter)
    units = ranked_units(scheme)
    if not units:
        raise JicengError(_("该单位下没有可排名的%(l)s") % {"l": RankingLevel(scheme.level).label}, field="level")
    rows = ranking_compute(scheme, period, units=units)
    now = now or timezone.now()
    with transaction.atomic():
        run = RankingRun.objects.create(
            scheme=scheme, org_path=scheme.org_path, period_label=label, period_start=period.start,
            period_end=period.end, computed_by=actor if getattr(actor, "pk", None) else None, computed_at=now,
            indicators=[{"label": i.label, "numerator": i.numerator, "denominator": i.denominator, "weight": i.weight,
                         "lower_is_better": i.lower_is_better} for i in scheme.indicators.all()])
        RankingResult.objects.bulk_create([
            RankingResult(run=run, org_unit=r["unit"], org_path=r["unit"].path, score=r["score"], rank=r["rank"],
                          band=r["band"], values=r["values"]) for r in rows])
        audit_log(actor=actor, action="cadre.ranking.computed", obj=run, object_repr=f"{scheme.name} {label}",
                  after={"units": len(rows), "lagging": [r["unit"].name for r in rows if r["band"] == "lagging"]})
    return run
