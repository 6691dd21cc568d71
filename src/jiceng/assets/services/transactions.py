"""Property-rights transactions (产权交易): listing → notice and bids → award → contract → payments.

A listing puts an asset under transaction and on the village's notice board. Bids are taken while the notice
runs, none below the reserve price or after the close. The award goes to the highest valid bid (the earliest
of equal ones), or to a bid a recorded decision names (a deliberation's resolution). The contract fixes the
term, the rent, the payment schedule (summing to the contract's total) and the households that share in the
proceeds (summing to 100%). Each payment received enters the village's collective income, in the same
transaction, and can never take the payments beyond the contract's total."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core.errors import ErrorCollector, JicengError

from .. import permissions
from ..models import (
    Asset, AssetStatus, Beneficiary, Bid, Contract, ContractPayment, IncomeKind, IncomeRecord, Listing, ListingStatus,
    PaymentDue,
)
from .common import day, locked, need, text
from .money import percent, yuan

PAYMENT_SOURCE = "assets.payment"


def _moment(value, field: str, errors, label: str):
    if value in (None, ""):
        errors.add(field, _("请填写%(n)s") % {"n": label})
        return None
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    try:
        v = dt.datetime.fromisoformat(str(value).strip())
    except ValueError:
        errors.add(field, _("%(n)s应为日期时间，如 2026-03-01 17:00") % {"n": label})
        return None
    return v if timezone.is_aware(v) else timezone.make_aware(v)


def listing_create(*, actor, asset: Asset, title: str, reserve_price, term_years, notice_starts_on, closes_at,
                   terms: str = "", now=None) -> Listing:
    """List an asset for transaction (挂牌): it is then under transaction and on the village's notice board."""
    need(permissions.can_keep, actor, asset.org_path)
    now = now or timezone.now()
    errors = ErrorCollector()
    title = text(title, "title", errors, _("项目名称"), max_length=100)
    reserve = yuan(reserve_price, "reserve_price", errors, label=_("底价"), zero=False)
    try:
        years = int(term_years)
        if not 1 <= years <= 70:
            errors.add("term_years", _("流转年限应在 1 到 70 年之间"))
    except (TypeError, ValueError):
        errors.add("term_years", _("流转年限请填写整数年"))
        years = None
    starts = day(notice_starts_on, "notice_starts_on", errors, _("公告开始日期"))
    closes = _moment(closes_at, "closes_at", errors, _("报名竞价截止时间"))
    if starts and closes and timezone.localdate(closes) < starts:
        errors.add("closes_at", _("截止时间不能早于公告开始日期"))
    errors.raise_if_any()
    with transaction.atomic():
        a = locked(Asset, asset.pk)
        if a.status not in (AssetStatus.IDLE, AssetStatus.IN_USE):
            raise JicengError(_("资产“%(a)s”当前为“%(s)s”，不能挂牌交易") % {"a": a.name, "s": AssetStatus(a.status).label},
                              field="asset")
        listing = Listing.objects.create(asset=a, org_unit_id=a.org_unit_id, org_path=a.org_path, title=title,
                                         terms=(terms or "").strip(), reserve_price=reserve, term_years=years,
                                         notice_starts_on=starts, closes_at=closes, created_by=actor)
        a.status = AssetStatus.UNDER_TRANSACTION
        a.save(update_fields=["status", "updated_at"])
        audit_log(actor=actor, action="assets.listing.created", obj=listing, object_repr=f"{a.name} · {title}",
                  after={"reserve_price": str(reserve), "term_years": years, "closes_at": closes.isoformat()})
    return listing


def bid_record(*, actor, listing: Listing, bidder: str, amount, phone: str = "", id_number: str = "",
               at=None) -> Bid:
    """Record a registered bidder's offer (报名竞价) while the notice runs: none below the reserve price, none
    after the close."""
    need(permissions.can_keep, actor, listing.org_path)
    at = at or timezone.now()
    errors = ErrorCollector()
    bidder = text(bidder, "bidder", errors, _("竞买人"), max_length=100)
    amount = yuan(amount, "amount", errors, label=_("报价"), zero=False)
    phone = (phone or "").strip()
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 11):
        errors.add("phone", _("联系电话应为 7 到 11 位数字"))
    errors.raise_if_any()
    with transaction.atomic():
        lst = locked(Listing, listing.pk)
        if lst.status != ListingStatus.NOTICE:
            raise JicengError(_("该项目已%(s)s，不再接受报价") % {"s": ListingStatus(lst.status).label}, field="listing")
        if at > lst.closes_at:
            raise JicengError(_("报价时间 %(t)s 已过截止时间 %(c)s") % {
                "t": timezone.localtime(at).strftime("%Y-%m-%d %H:%M"),
                "c": timezone.localtime(lst.closes_at).strftime("%Y-%m-%d %H:%M")}, field="at", code="closed")
        if timezone.localdate(at) < lst.notice_starts_on:
            raise JicengError(_("公告尚未开始，不能报价"), field="at")
        if amount < lst.reserve_price:
            raise JicengError(_("报价 %(a)s 元低于底价 %(r)s 元") % {"a": amount, "r": lst.reserve_price},
                              field="amount", code="below_reserve")
        b = Bid.objects.create(listing=lst, org_path=lst.org_path, bidder=bidder, amount=amount, phone=phone,
                               bidder_id_number=(id_number or "").strip()[:30], at=at, recorded_by=actor)
        audit_log(actor=actor, action="assets.bid.recorded", obj=b, object_repr=f"{lst.title} · {bidder}",
                  org_path=lst.org_path, after={"amount": str(amount)})
    return b


def bid_invalidate(*, actor, bid: Bid, reason: str) -> Bid:
    """Mark a bid invalid (无效报价: a bidder who withdrew, a deposit not paid) before the award."""
    need(permissions.can_review, actor, bid.org_path)
    if not (reason or "").strip():
        raise JicengError(_("请填写无效原因"), field="reason")
    with transaction.atomic():
        lst = locked(Listing, bid.listing_id)
        if lst.status != ListingStatus.NOTICE:
            raise JicengError(_("项目已结束，报价不能再变更"), field="listing")
        b = locked(Bid, bid.pk)
        b.valid, b.invalid_reason = False, reason.strip()[:200]
        b.save(update_fields=["valid", "invalid_reason"])
        audit_log(actor=actor, action="assets.bid.invalidated", obj=b, org_path=b.org_path, after={"reason": b.invalid_reason})
    return b


def listing_award(*, actor, listing: Listing, bid: Bid | None = None, basis: str = "", now=None) -> Listing:
    """Close the notice and award (成交): to the highest valid bid (the earliest of equal ones), or to ``bid``
    when a recorded decision (``basis``: the deliberation's resolution) names it. No valid bid: 流拍, and the
    asset is idle again."""
    need(permissions.can_review, actor, listing.org_path)
    now = now or timezone.now()
    with transaction.atomic():
        lst = locked(Listing, listing.pk)
        if lst.status != ListingStatus.NOTICE:
            raise JicengError(_("该项目已%(s)s") % {"s": ListingStatus(lst.status).label}, field="listing")
        if now < lst.closes_at:
            raise JicengError(_("报名竞价 %(c)s 截止，截止前不能确定成交") % {
                "c": timezone.localtime(lst.closes_at).strftime("%Y-%m-%d %H:%M")}, field="listing", code="not_closed")
        valid = list(Bid.objects.within(lst.org_path).filter(listing=lst, valid=True).order_by("-amount", "at", "pk"))
        if bid is not None:
            if not (basis or "").strip():
                raise JicengError(_("不按最高价成交须注明依据（如村民代表会议决议）"), field="basis")
            chosen = next((b for b in valid if b.pk == bid.pk), None)
            if chosen is None:
                raise JicengError(_("所选报价不是该项目的有效报价"), field="bid")
        else:
            chosen = valid[0] if valid else None
        asset = locked(Asset, lst.asset_id)
        if chosen is None:
            lst.status = ListingStatus.FAILED
            asset.status = AssetStatus.IDLE
        else:
            lst.status, lst.awarded_bid, lst.awarded_at = ListingStatus.AWARDED, chosen, now
            lst.award_basis = (basis or "").strip()[:200] or _("最高有效报价")
        lst.save(update_fields=["status", "awarded_bid", "awarded_at", "award_basis"])
        asset.save(update_fields=["status", "updated_at"])
        audit_log(actor=actor, action="assets.listing.awarded", obj=lst, after={
            "status": lst.status, "bidder": chosen.bidder if chosen else None,
            "amount": str(chosen.amount) if chosen else None, "basis": lst.award_basis})
    return lst


def contract_sign(*, actor, listing: Listing, number: str, signed_on, starts_on, schedule: list, beneficiaries: list,
                  party: str = "", yearly_rent=None) -> Contract:
    """Sign the awarded listing's contract: the term follows the listing, the rent the award (unless given);
    ``schedule`` is ``[(due_on, amount)]`` summing to the total; ``beneficiaries`` ``[(household, share %)]``
    summing to 100."""
    need(permissions.can_keep, actor, listing.org_path)
    errors = ErrorCollector()
    number = text(number, "number", errors, _("合同编号"), max_length=40)
    signed = day(signed_on, "signed_on", errors, _("签订日期"))
    starts = day(starts_on, "starts_on", errors, _("起始日期"))
    rent = yuan(yearly_rent, "yearly_rent", errors, label=_("年租金"), zero=False, required=False)
    dues = []
    for i, item in enumerate(schedule or []):
        due_on, amount = item
        d = day(due_on, f"schedule.{i}.due_on", errors, _("第 %(n)d 期应付日期") % {"n": i + 1})
        a = yuan(amount, f"schedule.{i}.amount", errors, label=_("第 %(n)d 期金额") % {"n": i + 1}, zero=False)
        dues.append((d, a))
    if not dues:
        errors.add("schedule", _("请填写付款计划"))
    shares = []
    seen = set()
    for i, item in enumerate(beneficiaries or []):
        household, share = item
        p = percent(share, f"beneficiaries.{i}.share", errors, label=_("第 %(n)d 户份额") % {"n": i + 1})
        if household is None:
            errors.add(f"beneficiaries.{i}.household", _("第 %(n)d 户：请选择农户") % {"n": i + 1})
        elif household.pk in seen:
            errors.add(f"beneficiaries.{i}.household", _("第 %(n)d 户重复") % {"n": i + 1})
        elif not household.org_path.startswith(listing.org_path):
            errors.add(f"beneficiaries.{i}.household", _("第 %(n)d 户不属于本村（社区）") % {"n": i + 1})
        else:
            seen.add(household.pk)
        shares.append((household, p))
    if shares and all(p is not None for _h, p in shares) and sum(p for _h, p in shares) != 100:
        errors.add("beneficiaries", _("受益农户份额合计为 %(s)s%%，应为 100%%") % {"s": sum(p for _h, p in shares)})
    errors.raise_if_any()
    with transaction.atomic():
        lst = locked(Listing, listing.pk)
        if lst.status != ListingStatus.AWARDED:
            raise JicengError(_("项目须先成交才能签订合同"), field="listing")
        bid = lst.awarded_bid
        rent = rent or bid.amount
        total = rent * lst.term_years
        try:
            ends = starts.replace(year=starts.year + lst.term_years) - dt.timedelta(days=1)
        except ValueError:  # 29 February
            ends = starts.replace(year=starts.year + lst.term_years, day=28)
        if sum(a for _d, a in dues) != total:
            raise JicengError(_("付款计划合计 %(s)s 元，应等于合同总额 %(t)s 元（年租金 %(r)s × %(y)d 年）") % {
                "s": sum(a for _d, a in dues), "t": total, "r": rent, "y": lst.term_years}, field="schedule")
        c = Contract.objects.create(listing=lst, org_path=lst.org_path, number=number, party=(party or bid.bidder)[:100],
                                    signed_on=signed, starts_on=starts, ends_on=ends, yearly_rent=rent, total=total,
                                    created_by=actor)
        PaymentDue.objects.bulk_create([PaymentDue(contract=c, org_path=c.org_path, due_on=d, amount=a)
                                        for d, a in sorted(dues)])
        Beneficiary.objects.bulk_create([Beneficiary(contract=c, org_path=c.org_path, household=h, share=p)
                                         for h, p in shares])
        lst.status = ListingStatus.CONTRACTED
        lst.save(update_fields=["status"])
        asset = locked(Asset, lst.asset_id)
        asset.status = AssetStatus.LEASED
        asset.yearly_output = rent
        asset.save(update_fields=["status", "yearly_output", "updated_at"])
        audit_log(actor=actor, action="assets.contract.signed", obj=c, object_repr=f"{lst.title} · {c.number}",
                  after={"party": c.party, "total": str(total), "ends_on": ends.isoformat(),
                         "households": len(shares)})
    return c


def paid_total(contract: Contract) -> Decimal:
    return (ContractPayment.objects.within(contract.org_path).filter(contract=contract)
            .aggregate(s=Sum("amount"))["s"] or Decimal("0.00"))


def payment_record(*, actor, contract: Contract, amount, received_on, receipt_no: str) -> ContractPayment:
    """Record a payment received under a contract (收款); it enters the village's collective income as operating
    income of its year. Payments never go beyond the contract's total."""
    need(permissions.can_keep, actor, contract.org_path)
    errors = ErrorCollector()
    amount = yuan(amount, "amount", errors, label=_("收款金额"), zero=False)
    received_on = day(received_on, "received_on", errors, _("收款日期"))
    receipt_no = text(receipt_no, "receipt_no", errors, _("收据号"), max_length=40)
    errors.raise_if_any()
    with transaction.atomic():
        c = locked(Contract, contract.pk)  # payments to one contract one at a time: the total is read under the lock
        paid = paid_total(c)
        if paid + amount > c.total:
            raise JicengError(_("已收 %(p)s 元，再收 %(a)s 元将超过合同总额 %(t)s 元（最多还可收 %(r)s 元）") % {
                "p": paid, "a": amount, "t": c.total, "r": c.total - paid}, field="amount", code="beyond_contract")
        pay = ContractPayment.objects.create(contract=c, org_path=c.org_path, amount=amount, received_on=received_on,
                                             receipt_no=receipt_no, recorded_by=actor)
        lst = c.listing
        IncomeRecord.objects.create(org_unit_id=lst.org_unit_id, org_path=c.org_path, year=received_on.year,
                                    kind=IncomeKind.OPERATING, amount=amount, on=received_on,
                                    description=_("%(t)s 租金（合同 %(n)s）") % {"t": lst.title, "n": c.number},
                                    source_type=PAYMENT_SOURCE, source_id=str(pay.pk), recorded_by=actor)
        audit_log(actor=actor, action="assets.payment.recorded", obj=pay, object_repr=f"{c.number} · {amount}",
                  org_path=c.org_path, after={"amount": str(amount), "receipt_no": receipt_no,
                                              "paid": str(paid + amount), "total": str(c.total)})
    return pay


def contract_alerts_send(*, today=None) -> dict:
    """The scheduler's daily round (每日提醒): contracts ending within the site's notice days, and instalments
    past due and not covered by the payments, each told once to the unit's keepers."""
    from jiceng.accounts.models import RoleAssignment
    from jiceng.notices.services import Subject, notification_send

    from ..models import EconomySettings
    from ..roles import ASSETS_KEEP_ROLES
    from .common import site_of

    today = today or timezone.localdate()
    sent = {"expiring": 0, "overdue": 0}
    keepers_cache: dict[str, list[int]] = {}

    def keepers(path: str) -> list[int]:
        if path not in keepers_cache:
            prefixes = [path[: i + 1] for i, ch in enumerate(path) if ch == "."]
            keepers_cache[path] = sorted(set(RoleAssignment.objects.filter(
                role__in=ASSETS_KEEP_ROLES, org_unit__path__in=prefixes).values_list("user_id", flat=True)))
        return keepers_cache[path]

    days_by_site: dict[str, int] = {}
    reason = "the scheduler's daily round over every site's contracts"
    for c in Contract.objects.unscoped(reason).filter(expiry_alerted_on__isnull=True, ends_on__gte=today) \
            .select_related("listing"):
        site = c.org_path.split(".")[0] + "."
        if site not in days_by_site:
            s = EconomySettings.objects.filter(site=site_of(c.org_path)).first()
            days_by_site[site] = s.expiry_alert_days if s else 60
        if c.ends_on > today + dt.timedelta(days=days_by_site[site]):
            continue
        with transaction.atomic():
            if Contract.objects.unscoped(reason).filter(pk=c.pk, expiry_alerted_on__isnull=True).update(
                    expiry_alerted_on=today):
                notification_send(user_ids=keepers(c.org_path),
                                  message=_("合同 %(n)s（%(t)s）将于 %(d)s 到期，请及时办理续约或重新交易") % {
                                      "n": c.number, "t": c.listing.title, "d": c.ends_on},
                                  subject=Subject("assets.contract", c.pk, f"/assets/contracts/{c.pk}/"))
                sent["expiring"] += 1
    for due in PaymentDue.objects.unscoped(reason).filter(due_on__lt=today, overdue_alerted_on__isnull=True) \
            .select_related("contract"):
        c = due.contract
        owed = (PaymentDue.objects.unscoped(reason).filter(contract=c, due_on__lte=due.due_on)
                .aggregate(s=Sum("amount"))["s"] or 0)
        paid = ContractPayment.objects.unscoped(reason).filter(contract=c).aggregate(s=Sum("amount"))["s"] or 0
        if paid >= owed:
            continue
        with transaction.atomic():
            if PaymentDue.objects.unscoped(reason).filter(pk=due.pk, overdue_alerted_on__isnull=True).update(
                    overdue_alerted_on=today):
                notification_send(user_ids=keepers(c.org_path),
                                  message=_("合同 %(n)s 应于 %(d)s 付款 %(a)s 元，尚欠 %(o)s 元，已逾期") % {
                                      "n": c.number, "d": due.due_on, "a": due.amount, "o": owed - paid},
                                  subject=Subject("assets.contract", c.pk, f"/assets/contracts/{c.pk}/"))
                sent["overdue"] += 1
    return sent
