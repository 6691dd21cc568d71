"""The collective-economy API (集体经济): the register, the confirmation chain, transactions, enterprises and
distributions, funded projects, income and community funds — scoped like the pages. Amounts travel as text in
yuan with two decimals (``"1234.50"``), never as a JSON number."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Query, Router, Schema  # noqa: F401
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import PlainSerializer

from jiceng.core.api import Day, Id, InputSchema, Text, error_responses
from jiceng.core.errors import JicengError, NotFoundError
from jiceng.core.idempotency import require_key
from jiceng.orgs.selectors import org_unit_get_for_user
from jiceng.people.models import Household

from . import selectors, services
from .models import (
    Bid, ConfirmationProject, Contract, DistributionRule, Enterprise, EnterpriseYear, FundedProject, Listing,
    Revitalisation,
)
from .services.common import site_of
from .services.money import from_fen, rate

router = Router(tags=["assets"])
VIEW, KEEP = "assets_view", "assets_keep"
class Page(LimitOffsetPagination):
    """``limit`` (1–500) and ``offset`` (up to 10⁹), so no request asks the database for an impossible slice."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=500)
        offset: int = Field(0, ge=0, le=10**9)


Money = Text  # yuan with at most two decimals, as text; the services read it (``money.yuan``)


def _yuan_text(v: Decimal) -> str:
    return f"{v:.2f}"


# An amount in a response: the Decimal as text with two decimals ("280000.50"), never a JSON number.
MoneyOut = Annotated[Decimal, PlainSerializer(_yuan_text, return_type=str)]


def _unit(user, pk, field: str = "org_unit_id", purpose: str = KEEP):
    try:
        return org_unit_get_for_user(user, pk, purpose=purpose)
    except NotFoundError:
        raise JicengError("找不到该单位，或不在您的管理范围内", field=field) from None


def _get(model, user, pk):
    row = model.objects.accessible_to(user, purpose=VIEW).filter(pk=pk).first()
    if row is None:
        raise NotFoundError()
    return row


def _money(v) -> str | None:
    return None if v is None else f"{Decimal(v):.2f}"


# --------------------------------------------------------------------------- register

class AssetsAssetOut(Schema):
    id: int
    org_unit_id: int
    org_unit_name: str = Field(..., alias="org_unit.name")
    code: str
    name: str
    category: str
    kind: str
    location: str
    area: MoneyOut | None
    area_unit: str
    original_value: MoneyOut
    current_value: MoneyOut
    yearly_output: MoneyOut
    status: str
    acquired_on: dt.date | None
    note: str






class AssetsAssetIn(InputSchema):
    org_unit_id: Id
    code: Text
    name: Text
    category: Text
    kind: Text
    location: Text = ""
    area: Money | None = None
    area_unit: Text = ""
    original_value: Money
    current_value: Money
    yearly_output: Money = "0"
    status: Text = "in_use"
    acquired_on: Day | None = None
    note: Text = ""


class AssetsAssetPatch(InputSchema):
    name: Text | None = None
    location: Text | None = None
    current_value: Money | None = None
    yearly_output: Money | None = None
    status: Text | None = None
    note: Text | None = None


@router.get("/register", response={200: list[AssetsAssetOut], **error_responses()}, summary="集体资产台账")
@paginate(Page)
def asset_list(request, status: str = "", kind: str = "", flagged: bool = False, q: str = ""):
    return selectors.asset_list(request.user, status=status, kind=kind, flagged=flagged, q=q[:50])


@router.post("/register", response={200: AssetsAssetOut, **error_responses(400, 403, 404)}, summary="登记集体资产")
def asset_create(request, payload: AssetsAssetIn):
    data = payload.model_dump()
    unit = _unit(request.user, data.pop("org_unit_id"))
    return services.asset_create(actor=request.user, org_unit=unit, **data)


@router.get("/register/{asset_id}", response={200: AssetsAssetOut, **error_responses(404)}, summary="集体资产")
def asset_detail(request, asset_id: Id):
    a = selectors.asset_get(request.user, asset_id)
    if a is None:
        raise NotFoundError()
    return a


@router.patch("/register/{asset_id}", response={200: AssetsAssetOut, **error_responses(400, 403, 404)},
              summary="修改集体资产")
def asset_update(request, asset_id: Id, payload: AssetsAssetPatch):
    a = selectors.asset_get(request.user, asset_id)
    if a is None:
        raise NotFoundError()
    values = {k: v for k, v in payload.model_dump().items() if v is not None}
    return services.asset_update(actor=request.user, asset=a, **values)


class AssetsRevitalisationIn(InputSchema):
    plan: Text
    expected_output: Money
    started_on: Day


class AssetsRevitalisationFinishIn(InputSchema):
    done: bool
    actual_output: Money | None = None
    done_on: Day


class AssetsRevitalisationOut(Schema):
    id: int
    asset_id: int
    plan: str
    expected_output: MoneyOut
    actual_output: MoneyOut | None
    started_on: dt.date
    done_on: dt.date | None
    status: str




@router.post("/register/{asset_id}/revitalisations", response={200: AssetsRevitalisationOut, **error_responses(400, 403, 404)},
             summary="启动闲置资产盘活")
def revitalisation_start(request, asset_id: Id, payload: AssetsRevitalisationIn):
    a = selectors.asset_get(request.user, asset_id)
    if a is None:
        raise NotFoundError()
    return services.revitalisation_start(actor=request.user, asset=a, **payload.model_dump())


@router.post("/revitalisations/{rev_id}/finish", response={200: AssetsRevitalisationOut, **error_responses(400, 403, 404)},
             summary="盘活完成或终止")
def revitalisation_finish(request, rev_id: Id, payload: AssetsRevitalisationFinishIn):
    r = _get(Revitalisation, request.user, rev_id)
    return services.revitalisation_finish(actor=request.user, revitalisation=r, **payload.model_dump())


# --------------------------------------------------------------------------- confirmation chain

class AssetsStepOut(Schema):
    seq: int
    stage: str
    decision: str
    actor_name: str
    role: str
    comment: str
    at: dt.datetime


class AssetsConfirmationOut(Schema):
    id: int
    org_unit_id: int
    asset_id: int | None
    title: str
    value: MoneyOut
    status: str
    approved_on: dt.date | None
    steps: list[AssetsStepOut]

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.all())


class AssetsConfirmationIn(InputSchema):
    org_unit_id: Id
    title: Text
    value: Money
    asset_id: Id | None = None


class AssetsStepIn(InputSchema):
    stage: Text
    decision: Text
    comment: Text = ""


@router.get("/confirmations", response={200: list[AssetsConfirmationOut], **error_responses()}, summary="确权项目")
@paginate(Page)
def confirmation_list(request, status: str = ""):
    return selectors.confirmation_list(request.user, status=status).prefetch_related("steps")


@router.post("/confirmations", response={200: AssetsConfirmationOut, **error_responses(400, 403, 404)},
             summary="建立确权档案")
def confirmation_create(request, payload: AssetsConfirmationIn):
    u = request.user
    unit = _unit(u, payload.org_unit_id)
    asset = None
    if payload.asset_id:
        asset = selectors.asset_get(u, payload.asset_id)
        if asset is None:
            raise JicengError("找不到该资产", field="asset_id")
    return services.confirmation_create(actor=u, org_unit=unit, title=payload.title, value=payload.value, asset=asset)


@router.get("/confirmations/{project_id}", response={200: AssetsConfirmationOut, **error_responses(404)},
            summary="确权档案")
def confirmation_detail(request, project_id: Id):
    return _get(ConfirmationProject, request.user, project_id)


@router.post("/confirmations/{project_id}/steps", response={200: AssetsConfirmationOut, **error_responses(400, 403, 404)},
             summary="办理确权环节（申报、审核、审批）")
def confirmation_step(request, project_id: Id, payload: AssetsStepIn):
    p = _get(ConfirmationProject, request.user, project_id)
    services.confirmation_step(actor=request.user, project=p, **payload.model_dump())
    p.refresh_from_db()
    return p


# --------------------------------------------------------------------------- transactions

class AssetsBidOut(Schema):
    id: int
    bidder: str
    amount: MoneyOut
    at: dt.datetime
    valid: bool
    invalid_reason: str



class AssetsListingOut(Schema):
    id: int
    asset_id: int
    org_unit_id: int
    title: str
    terms: str
    reserve_price: MoneyOut
    term_years: int
    notice_starts_on: dt.date
    closes_at: dt.datetime
    status: str
    awarded_bid_id: int | None
    award_basis: str
    contract_id: int | None

    @staticmethod
    def resolve_contract_id(obj):
        c = Contract.objects.within(obj.org_path).filter(listing=obj).values_list("pk", flat=True).first()
        return c


class AssetsListingIn(InputSchema):
    asset_id: Id
    title: Text
    reserve_price: Money
    term_years: int = Field(..., ge=1, le=70)
    notice_starts_on: Day
    closes_at: dt.datetime
    terms: Text = ""


class AssetsBidIn(InputSchema):
    bidder: Text
    amount: Money
    phone: Text = ""


class AssetsAwardIn(InputSchema):
    bid_id: Id | None = None
    basis: Text = ""


class AssetsDueIn(InputSchema):
    due_on: Day
    amount: Money


class AssetsShareIn(InputSchema):
    household_id: Id
    share: Money


class AssetsContractIn(InputSchema):
    number: Text
    signed_on: Day
    starts_on: Day
    schedule: list[AssetsDueIn]
    beneficiaries: list[AssetsShareIn]
    party: Text = ""
    yearly_rent: Money | None = None


class AssetsDueOut(Schema):
    due_on: dt.date
    amount: MoneyOut



class AssetsPaymentOut(Schema):
    id: int
    amount: MoneyOut
    received_on: dt.date
    receipt_no: str



class AssetsContractOut(Schema):
    id: int
    listing_id: int
    number: str
    party: str
    signed_on: dt.date
    starts_on: dt.date
    ends_on: dt.date
    yearly_rent: MoneyOut
    total: MoneyOut
    paid: str
    schedule: list[AssetsDueOut]
    payments: list[AssetsPaymentOut]
    households: int


    @staticmethod
    def resolve_paid(obj):
        return _money(services.paid_total(obj))

    @staticmethod
    def resolve_schedule(obj):
        return list(obj.schedule.all())

    @staticmethod
    def resolve_payments(obj):
        return list(obj.payments.all())

    @staticmethod
    def resolve_households(obj):
        return obj.beneficiaries.count()


class AssetsPaymentIn(InputSchema):
    amount: Money
    received_on: Day
    receipt_no: Text


@router.get("/listings", response={200: list[AssetsListingOut], **error_responses()}, summary="产权交易项目")
@paginate(Page)
def listing_list(request, status: str = ""):
    return selectors.listing_list(request.user, status=status)


@router.post("/listings", response={200: AssetsListingOut, **error_responses(400, 403, 404)}, summary="挂牌交易")
def listing_create(request, payload: AssetsListingIn):
    a = selectors.asset_get(request.user, payload.asset_id)
    if a is None:
        raise JicengError("找不到该资产", field="asset_id")
    data = payload.model_dump()
    data.pop("asset_id")
    return services.listing_create(actor=request.user, asset=a, **data)


@router.get("/listings/{listing_id}", response={200: AssetsListingOut, **error_responses(404)}, summary="交易项目")
def listing_detail(request, listing_id: Id):
    return _get(Listing, request.user, listing_id)


@router.get("/listings/{listing_id}/bids", response={200: list[AssetsBidOut], **error_responses(404)},
            summary="竞价报价")
def listing_bids(request, listing_id: Id):
    lst = _get(Listing, request.user, listing_id)
    return list(Bid.objects.within(lst.org_path).filter(listing=lst))


@router.post("/listings/{listing_id}/bids", response={200: AssetsBidOut, **error_responses(400, 403, 404)},
             summary="登记报价")
def bid_create(request, listing_id: Id, payload: AssetsBidIn):
    lst = _get(Listing, request.user, listing_id)
    return services.bid_record(actor=request.user, listing=lst, **payload.model_dump())


@router.post("/listings/{listing_id}/award", response={200: AssetsListingOut, **error_responses(400, 403, 404)},
             summary="确定成交（或流拍）")
def listing_award(request, listing_id: Id, payload: AssetsAwardIn):
    lst = _get(Listing, request.user, listing_id)
    bid = None
    if payload.bid_id:
        bid = Bid.objects.within(lst.org_path).filter(listing=lst, pk=payload.bid_id).first()
        if bid is None:
            raise JicengError("所选报价不是该项目的报价", field="bid_id")
    return services.listing_award(actor=request.user, listing=lst, bid=bid, basis=payload.basis)


@router.post("/listings/{listing_id}/contract", response={200: AssetsContractOut, **error_responses(400, 403, 404)},
             summary="签订交易合同")
def contract_create(request, listing_id: Id, payload: AssetsContractIn):
    u = request.user
    lst = _get(Listing, u, listing_id)
    homes = {h.pk: h for h in Household.objects.accessible_to(u, purpose=KEEP).filter(
        pk__in=[b.household_id for b in payload.beneficiaries])}
    for i, b in enumerate(payload.beneficiaries):
        if b.household_id not in homes:
            raise JicengError(f"第 {i + 1} 户：找不到该农户，或不在您的管理范围内", field=f"beneficiaries.{i}.household_id")
    return services.contract_sign(
        actor=u, listing=lst, number=payload.number, signed_on=payload.signed_on, starts_on=payload.starts_on,
        schedule=[(d.due_on, d.amount) for d in payload.schedule],
        beneficiaries=[(homes[b.household_id], b.share) for b in payload.beneficiaries], party=payload.party,
        yearly_rent=payload.yearly_rent)


@router.get("/contracts/{contract_id}", response={200: AssetsContractOut, **error_responses(404)}, summary="交易合同")
def contract_detail(request, contract_id: Id):
    return _get(Contract, request.user, contract_id)


@router.post("/contracts/{contract_id}/payments", response={200: AssetsPaymentOut, **error_responses(400, 403, 404)},
             summary="登记合同收款")
def payment_create(request, contract_id: Id, payload: AssetsPaymentIn):
    c = _get(Contract, request.user, contract_id)
    return services.payment_record(actor=request.user, contract=c, **payload.model_dump())


# --------------------------------------------------------------------------- enterprises and distributions

class AssetsEnterpriseOut(Schema):
    id: int
    org_unit_id: int
    kind: str
    name: str
    credit_code: str
    founded_on: dt.date | None


class AssetsEnterpriseIn(InputSchema):
    org_unit_id: Id
    kind: Text
    name: Text
    credit_code: Text = ""
    founded_on: Day | None = None
    village_ids: list[Id] = []


class AssetsHoldingIn(InputSchema):
    holder: Text
    share: Money


class AssetsHoldingOut(Schema):
    holder: str
    share: MoneyOut



class AssetsYearIn(InputSchema):
    year: int = Field(..., ge=2000, le=2100)
    revenue: Money
    profit: Money
    jobs: int = Field(0, ge=0, le=100000)
    wages: Money = "0"


class AssetsYearOut(Schema):
    id: int
    enterprise_id: int
    year: int
    revenue: MoneyOut
    profit: MoneyOut
    jobs: int
    wages: MoneyOut





class AssetsRuleShareIn(InputSchema):
    recipient: Text
    percent: Money


class AssetsRuleIn(InputSchema):
    name: Text
    shares: list[AssetsRuleShareIn]
    description: Text = ""


class AssetsRuleShareOut(Schema):
    position: int
    recipient: str
    percent: MoneyOut



class AssetsRuleOut(Schema):
    id: int
    name: str
    description: str
    shares: list[AssetsRuleShareOut]

    @staticmethod
    def resolve_shares(obj):
        return list(obj.shares.all())


class AssetsDistributionIn(InputSchema):
    rule_id: Id
    amount: Money


class AssetsLineOut(Schema):
    position: int
    recipient: str
    percent: MoneyOut
    amount: MoneyOut




class AssetsDistributionOut(Schema):
    id: int
    enterprise_year_id: int
    rule_name: str
    amount: MoneyOut
    published_at: dt.datetime
    lines: list[AssetsLineOut]

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())


@router.get("/enterprises", response={200: list[AssetsEnterpriseOut], **error_responses()}, summary="经营主体")
@paginate(Page)
def enterprise_list(request):
    return selectors.enterprise_list(request.user)


@router.post("/enterprises", response={200: AssetsEnterpriseOut, **error_responses(400, 403, 404)}, summary="登记经营主体")
def enterprise_create(request, payload: AssetsEnterpriseIn):
    u = request.user
    unit = _unit(u, payload.org_unit_id)
    villages = [_unit(u, pk, f"village_ids.{i}") for i, pk in enumerate(payload.village_ids)]
    return services.enterprise_create(actor=u, org_unit=unit, kind=payload.kind, name=payload.name,
                                      credit_code=payload.credit_code, founded_on=payload.founded_on, villages=villages)


@router.get("/enterprises/{enterprise_id}/shareholdings", response={200: list[AssetsHoldingOut], **error_responses(404)},
            summary="股权结构")
def shareholdings(request, enterprise_id: Id):
    e = _get(Enterprise, request.user, enterprise_id)
    return list(e.shareholdings.all())


@router.put("/enterprises/{enterprise_id}/shareholdings", response={200: list[AssetsHoldingOut], **error_responses(400, 403, 404)},
            summary="登记股权结构（合计 100%）")
def shareholdings_set(request, enterprise_id: Id, payload: list[AssetsHoldingIn]):
    e = _get(Enterprise, request.user, enterprise_id)
    return services.shareholdings_set(actor=request.user, enterprise=e, holdings=[(h.holder, h.share) for h in payload])


@router.get("/enterprises/{enterprise_id}/years", response={200: list[AssetsYearOut], **error_responses(404)},
            summary="年度经营情况")
def enterprise_years(request, enterprise_id: Id):
    e = _get(Enterprise, request.user, enterprise_id)
    return list(e.years.all())


@router.post("/enterprises/{enterprise_id}/years", response={200: AssetsYearOut, **error_responses(400, 403, 404)},
             summary="登记年度经营情况")
def enterprise_year(request, enterprise_id: Id, payload: AssetsYearIn):
    e = _get(Enterprise, request.user, enterprise_id)
    return services.enterprise_year_record(actor=request.user, enterprise=e, **payload.model_dump())


@router.get("/rules", response={200: list[AssetsRuleOut], **error_responses()}, summary="收益分配办法")
def rule_list(request):
    return list(DistributionRule.objects.accessible_to(request.user, purpose=VIEW).prefetch_related("shares"))


@router.post("/rules", response={200: AssetsRuleOut, **error_responses(400, 403, 404)}, summary="制定收益分配办法")
def rule_create(request, payload: AssetsRuleIn, site_id: Id | None = None):
    u = request.user
    units = selectors.economy_units(u, purpose="assets_review")
    if site_id:
        site = _unit(u, site_id, "site_id", purpose="assets_review")
    else:
        first = units.first() or None
        if first is None:
            raise JicengError("您没有制定分配办法的权限", field="site_id")
        site = site_of(first.path)
    return services.rule_create(actor=u, site=site, name=payload.name, description=payload.description,
                                shares=[(s.recipient, s.percent) for s in payload.shares])


@router.post("/enterprise-years/{year_id}/distribution", response={200: AssetsDistributionOut, **error_responses(400, 403, 404)},
             summary="收益分配并公示")
def distribution_create(request, year_id: Id, payload: AssetsDistributionIn):
    u = request.user
    y = _get(EnterpriseYear, u, year_id)
    rule = DistributionRule.objects.accessible_to(u, purpose=VIEW).filter(pk=payload.rule_id).first()
    if rule is None:
        raise JicengError("找不到该分配办法", field="rule_id")
    return services.distribution_publish(actor=u, enterprise_year=y, rule=rule, amount=payload.amount)


@router.get("/enterprise-years/{year_id}/distribution", response={200: AssetsDistributionOut, **error_responses(404)},
            summary="收益分配")
def distribution_detail(request, year_id: Id):
    y = _get(EnterpriseYear, request.user, year_id)
    d = getattr(y, "distribution", None)
    if d is None:
        raise NotFoundError()
    return d


# --------------------------------------------------------------------------- projects

class AssetsProjectOut(Schema):
    id: int
    org_unit_id: int
    name: str
    source: str
    year: int
    allocated: MoneyOut
    reimbursed: MoneyOut
    rate: str | None
    contractor: str
    contract_amount: MoneyOut | None
    progress: int
    status: str


    @staticmethod
    def resolve_rate(obj):
        return _money(rate(obj.reimbursed, obj.allocated))



class AssetsProjectIn(InputSchema):
    org_unit_id: Id
    name: Text
    source: Text
    year: int = Field(..., ge=2000, le=2100)
    allocated: Money
    contractor: Text = ""
    contract_amount: Money | None = None


class AssetsProgressIn(InputSchema):
    progress: int = Field(..., ge=0, le=100)
    status: Text


class AssetsReimbursementIn(InputSchema):
    amount: Money
    on: Day
    voucher: Text
    note: Text = ""


class AssetsReimbursementOut(Schema):
    id: int
    project_id: int
    amount: MoneyOut
    on: dt.date
    voucher: str



@router.get("/projects", response={200: list[AssetsProjectOut], **error_responses()}, summary="项目资金")
@paginate(Page)
def project_list(request, year: int | None = Query(None, ge=2000, le=2100)):
    return selectors.project_list(request.user, year=year)


@router.post("/projects", response={200: AssetsProjectOut, **error_responses(400, 403, 404)}, summary="登记项目资金")
def project_create(request, payload: AssetsProjectIn):
    data = payload.model_dump()
    unit = _unit(request.user, data.pop("org_unit_id"), purpose="assets_review")
    return services.project_create(actor=request.user, org_unit=unit, **data)


@router.post("/projects/{project_id}/progress", response={200: AssetsProjectOut, **error_responses(400, 403, 404)},
             summary="更新项目进度")
def project_progress(request, project_id: Id, payload: AssetsProgressIn):
    p = _get(FundedProject, request.user, project_id)
    return services.project_progress(actor=request.user, project=p, **payload.model_dump())


@router.post("/projects/{project_id}/reimbursements", response={200: AssetsReimbursementOut, **error_responses(400, 403, 404)},
             summary="项目报账")
def reimbursement_create(request, project_id: Id, payload: AssetsReimbursementIn):
    p = _get(FundedProject, request.user, project_id)
    return services.reimbursement_record(actor=request.user, project=p, **payload.model_dump())


# --------------------------------------------------------------------------- income

class AssetsIncomeRowOut(Schema):
    org_unit_id: int
    org_unit_name: str
    operating: str
    investment: str
    subsidy: str
    other: str
    total: MoneyOut
    below_total: bool
    below_operating: bool
    target_total: MoneyOut | None
    target_operating: MoneyOut | None
    letter_met: bool | None


class AssetsIncomeIn(InputSchema):
    org_unit_id: Id
    year: int = Field(..., ge=2000, le=2100)
    kind: Text
    amount: Money
    on: Day
    description: Text


class AssetsIncomeOut(Schema):
    id: int
    org_unit_id: int
    year: int
    kind: str
    amount: MoneyOut
    on: dt.date
    description: str



class AssetsLetterIn(InputSchema):
    org_unit_id: Id
    year: int = Field(..., ge=2000, le=2100)
    target_total: Money
    target_operating: Money
    signed_on: Day
    signed_by: Text
    measures: Text = ""


class AssetsLetterOut(Schema):
    id: int
    org_unit_id: int
    year: int
    target_total: MoneyOut
    target_operating: MoneyOut
    signed_on: dt.date
    signed_by: str




@router.get("/income", response={200: list[AssetsIncomeRowOut], **error_responses(400)}, summary="各村集体经济收入（含消薄）")
def income_summary(request, year: int = Query(..., ge=2000, le=2100)):
    out = []
    for r in selectors.income_by_unit(request.user, year):
        letter = r["letter"]
        out.append({"org_unit_id": r["unit"].pk, "org_unit_name": r["unit"].name,
                    **{k: _money(v) for k, v in r["by_kind"].items()}, "total": _money(r["total"]),
                    "below_total": r["below_total"], "below_operating": r["below_operating"],
                    "target_total": _money(letter.target_total) if letter else None,
                    "target_operating": _money(letter.target_operating) if letter else None,
                    "letter_met": r["letter_met"]})
    return out


@router.post("/income", response={200: AssetsIncomeOut, **error_responses(400, 403, 404)}, summary="登记集体经济收入")
def income_create(request, payload: AssetsIncomeIn):
    data = payload.model_dump()
    unit = _unit(request.user, data.pop("org_unit_id"))
    return services.income_record(actor=request.user, org_unit=unit, **data)


@router.post("/letters", response={200: AssetsLetterOut, **error_responses(400, 403, 404)}, summary="签订发展责任书")
def letter_create(request, payload: AssetsLetterIn):
    data = payload.model_dump()
    unit = _unit(request.user, data.pop("org_unit_id"), purpose="assets_review")
    return services.letter_sign(actor=request.user, org_unit=unit, **data)


# --------------------------------------------------------------------------- community funds

class AssetsFundOut(Schema):
    id: int
    org_unit_id: int
    kind: str
    year: int
    balance: str

    @staticmethod
    def resolve_balance(obj):
        return _money(from_fen(obj.balance))


class AssetsFundIn(InputSchema):
    org_unit_id: Id
    kind: Text
    year: int = Field(..., ge=2000, le=2100)


class AssetsFundEntryOut(Schema):
    id: int
    seq: int
    kind: str
    amount: str
    balance_after: str
    purpose: str
    counterparty: str
    receipt_no: str
    created_at: dt.datetime

    @staticmethod
    def resolve_amount(obj):
        return _money(from_fen(obj.amount))

    @staticmethod
    def resolve_balance_after(obj):
        return _money(from_fen(obj.balance_after))


class AssetsReceiveIn(InputSchema):
    amount: Money
    purpose: Text
    counterparty: Text = ""


class AssetsSpendIn(InputSchema):
    amount: Money
    purpose: Text
    receipt_no: Text
    counterparty: Text = ""


@router.get("/funds", response={200: list[AssetsFundOut], **error_responses()}, summary="社区经费账户")
@paginate(Page)
def fund_list(request, year: int | None = Query(None, ge=2000, le=2100)):
    return selectors.fund_list(request.user, year=year)


@router.post("/funds", response={200: AssetsFundOut, **error_responses(400, 403, 404)}, summary="开设经费账户")
def fund_create(request, payload: AssetsFundIn):
    unit = _unit(request.user, payload.org_unit_id, purpose="assets_review")
    return services.fund_open(actor=request.user, org_unit=unit, kind=payload.kind, year=payload.year)


@router.get("/funds/{fund_id}/entries", response={200: list[AssetsFundEntryOut], **error_responses(404)},
            summary="经费流水")
@paginate(Page)
def fund_entries(request, fund_id: Id):
    f = selectors.fund_get(request.user, fund_id)
    if f is None:
        raise NotFoundError()
    return selectors.fund_entries(f)


@router.post("/funds/{fund_id}/receipts", response={200: AssetsFundEntryOut, **error_responses(400, 403, 404)},
             summary="经费拨付或共建支持（需 Idempotency-Key）")
def fund_receive(request, fund_id: Id, payload: AssetsReceiveIn):
    key = require_key(request)
    f = selectors.fund_get(request.user, fund_id)
    if f is None:
        raise NotFoundError()
    return services.fund_receive(actor=request.user, fund=f, idempotency_key=f"api:{request.user.pk}:{key}",
                                 **payload.model_dump())


@router.post("/funds/{fund_id}/spendings", response={200: AssetsFundEntryOut, **error_responses(400, 403, 404)},
             summary="经费支出（需 Idempotency-Key；不能超过余额）")
def fund_spend(request, fund_id: Id, payload: AssetsSpendIn):
    key = require_key(request)
    f = selectors.fund_get(request.user, fund_id)
    if f is None:
        raise NotFoundError()
    return services.fund_spend(actor=request.user, fund=f, idempotency_key=f"api:{request.user.pk}:{key}",
                               **payload.model_dump())
