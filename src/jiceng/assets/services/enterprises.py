"""Companies, workshops and cooperatives (经营主体): shareholdings, years, and profit distributed by a site's
rule, to the fen (``money.split``: cut down to the fen, the fen left over to the largest remainders)."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core.errors import ErrorCollector, JicengError

from .. import permissions
from ..models import (
    Distribution, DistributionLine, DistributionRule, Enterprise, EnterpriseKind, EnterpriseYear, RuleShare,
    Shareholding,
)
from .common import day, economy_unit, locked, need, site_of, text
from .money import percent, split, yuan


def enterprise_create(*, actor, org_unit, kind: str, name: str, credit_code: str = "", founded_on=None,
                      villages=()) -> Enterprise:
    """Register a company, workshop or cooperative under a village or community (or the street, for a company
    that covers several villages)."""
    if org_unit is None:
        raise JicengError(_("请选择所属单位"), field="org_unit")
    need(permissions.can_keep, actor, org_unit.path)
    errors = ErrorCollector()
    if kind not in EnterpriseKind.values:
        errors.add("kind", _("请选择类型"))
    name = text(name, "name", errors, _("名称"), max_length=100)
    credit_code = (credit_code or "").strip().upper()
    if credit_code and len(credit_code) != 18:
        errors.add("credit_code", _("统一社会信用代码应为 18 位"))
    founded_on = day(founded_on, "founded_on", errors, _("成立日期"), required=False)
    for v in villages:
        if not v.path.startswith(org_unit.path) and not org_unit.path.startswith(v.path):
            errors.add("villages", _("“%(v)s”不在%(u)s范围内") % {"v": v.name, "u": org_unit.name})
    errors.raise_if_any()
    with transaction.atomic():
        if Enterprise.objects.within(org_unit.path).filter(org_unit=org_unit, name=name).exists():
            raise JicengError(_("“%(n)s”已登记") % {"n": name}, field="name")
        e = Enterprise.objects.create(org_unit=org_unit, org_path=org_unit.path, kind=kind, name=name,
                                      credit_code=credit_code, founded_on=founded_on, created_by=actor)
        if villages:
            e.villages.set(villages)
        audit_log(actor=actor, action="assets.enterprise.created", obj=e, after={"kind": kind, "villages": len(villages)})
    return e


def shareholdings_set(*, actor, enterprise: Enterprise, holdings: list) -> list[Shareholding]:
    """Replace the members and shareholdings (股权结构): ``[(holder, share %)]``, summing to 100."""
    need(permissions.can_keep, actor, enterprise.org_path)
    errors = ErrorCollector()
    clean = []
    seen = set()
    for i, (holder, share) in enumerate(holdings or []):
        h = text(holder, f"holdings.{i}.holder", errors, _("第 %(n)d 行股东") % {"n": i + 1}, max_length=100)
        p = percent(share, f"holdings.{i}.share", errors, label=_("第 %(n)d 行持股比例") % {"n": i + 1})
        if h in seen:
            errors.add(f"holdings.{i}.holder", _("股东“%(h)s”重复") % {"h": h})
        seen.add(h)
        clean.append((h, p))
    if not clean:
        errors.add("holdings", _("请至少填写一名股东"))
    elif all(p is not None for _h, p in clean) and sum(p for _h, p in clean) != 100:
        errors.add("holdings", _("持股比例合计为 %(s)s%%，应为 100%%") % {"s": sum(p for _h, p in clean)})
    errors.raise_if_any()
    with transaction.atomic():
        e = locked(Enterprise, enterprise.pk)
        before = {s.holder: str(s.share) for s in Shareholding.objects.within(e.org_path).filter(enterprise=e)}
        Shareholding.objects.within(e.org_path).filter(enterprise=e).delete()
        rows = Shareholding.objects.bulk_create([Shareholding(enterprise=e, org_path=e.org_path, holder=h, share=p)
                                                 for h, p in clean])
        audit_log(actor=actor, action="assets.shareholdings.set", obj=e, before=before,
                  after={h: str(p) for h, p in clean})
    return rows


def enterprise_year_record(*, actor, enterprise: Enterprise, year, revenue, profit, jobs=0, wages=0) -> EnterpriseYear:
    """Record (or correct) an enterprise's year: revenue, profit (a loss is negative), jobs and wages. A year
    whose profit has been distributed is closed."""
    need(permissions.can_keep, actor, enterprise.org_path)
    errors = ErrorCollector()
    clean = errors.integers({"year": year, "jobs": jobs}, ("year", "jobs"), low=0, high=100000)
    if "year" in clean and not 2000 <= clean["year"] <= 2100:
        errors.add("year", _("年度应在 2000 到 2100 之间"))
    revenue = yuan(revenue, "revenue", errors, label=_("营业收入"))
    profit = yuan(profit, "profit", errors, label=_("利润"), negative=True)
    wages = yuan(wages, "wages", errors, label=_("发放工资"))
    errors.raise_if_any()
    with transaction.atomic():
        e = locked(Enterprise, enterprise.pk)
        y = EnterpriseYear.objects.within(e.org_path).filter(enterprise=e, year=clean["year"]).first()
        if y is not None and Distribution.objects.within(e.org_path).filter(enterprise_year=y).exists():
            raise JicengError(_("%(y)d 年利润已分配公示，不能再修改") % {"y": clean["year"]}, field="year")
        values = {"revenue": revenue, "profit": profit, "jobs": clean["jobs"], "wages": wages}
        if y is None:
            y = EnterpriseYear.objects.create(enterprise=e, org_path=e.org_path, year=clean["year"], **values)
        else:
            for k, v in values.items():
                setattr(y, k, v)
            y.save()
        audit_log(actor=actor, action="assets.enterprise_year.recorded", obj=y, object_repr=f"{e.name} {y.year}",
                  org_path=e.org_path, after={k: str(v) for k, v in values.items()})
    return y


def rule_create(*, actor, site, name: str, shares: list, description: str = "") -> DistributionRule:
    """A site's profit-sharing rule (收益分配办法): ``[(recipient, percent)]`` summing to 100 — the "5221" rule
    is four recipients at 50, 20, 20 and 10, named by the site."""
    need(permissions.can_review, actor, site.path)
    errors = ErrorCollector()
    name = text(name, "name", errors, _("名称"), max_length=50)
    clean = []
    for i, (recipient, p) in enumerate(shares or []):
        r = text(recipient, f"shares.{i}.recipient", errors, _("第 %(n)d 项分配对象") % {"n": i + 1}, max_length=100)
        v = percent(p, f"shares.{i}.percent", errors, label=_("第 %(n)d 项比例") % {"n": i + 1})
        clean.append((r, v))
    if not clean:
        errors.add("shares", _("请至少填写一个分配对象"))
    elif all(v is not None for _r, v in clean) and sum(v for _r, v in clean) != 100:
        errors.add("shares", _("分配比例合计为 %(s)s%%，应为 100%%") % {"s": sum(v for _r, v in clean)})
    errors.raise_if_any()
    with transaction.atomic():
        if DistributionRule.objects.within(site.path).filter(site=site, name=name).exists():
            raise JicengError(_("分配办法“%(n)s”已存在") % {"n": name}, field="name")
        rule = DistributionRule.objects.create(site=site, org_path=site.path, name=name,
                                               description=(description or "").strip(), created_by=actor)
        RuleShare.objects.bulk_create([RuleShare(rule=rule, position=i + 1, recipient=r, percent=v)
                                       for i, (r, v) in enumerate(clean)])
        audit_log(actor=actor, action="assets.rule.created", obj=rule, org_path=site.path,
                  after={r: str(v) for r, v in clean})
    return rule


def distribution_publish(*, actor, enterprise_year: EnterpriseYear, rule: DistributionRule, amount,
                         now=None) -> Distribution:
    """Distribute part or all of a year's profit by a rule and publish it (收益分配公示). The lines are the
    rule's percentages of ``amount`` to the fen, summing exactly to it (``money.split``)."""
    need(permissions.can_review, actor, enterprise_year.org_path)
    now = now or timezone.now()
    errors = ErrorCollector()
    amount = yuan(amount, "amount", errors, label=_("分配总额"), zero=False)
    errors.raise_if_any()
    if site_of(enterprise_year.org_path).pk != rule.site_id:
        raise JicengError(_("分配办法不属于本街道（乡镇）"), field="rule")
    with transaction.atomic():
        y = locked(EnterpriseYear, enterprise_year.pk)
        if Distribution.objects.within(y.org_path).filter(enterprise_year=y).exists():
            raise JicengError(_("%(y)d 年利润已分配") % {"y": y.year}, field="enterprise_year")
        if amount > y.profit:
            raise JicengError(_("分配总额 %(a)s 元超过当年利润 %(p)s 元") % {"a": amount, "p": y.profit}, field="amount")
        shares = list(rule.shares.order_by("position"))
        amounts = split(amount, [s.percent for s in shares])
        d = Distribution.objects.create(enterprise_year=y, org_path=y.org_path, rule=rule, rule_name=rule.name,
                                        amount=amount, published_at=now, created_by=actor)
        DistributionLine.objects.bulk_create([
            DistributionLine(distribution=d, position=s.position, recipient=s.recipient, percent=s.percent, amount=a)
            for s, a in zip(shares, amounts)])
        audit_log(actor=actor, action="assets.distribution.published", obj=d,
                  object_repr=f"{y.enterprise.name} {y.year} · {rule.name}",
                  after={s.recipient: str(a) for s, a in zip(shares, amounts)})
    return d
