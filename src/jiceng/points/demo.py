"""The points programme of the demo district: a year of history, ratings, two shops, cards.

Bulk-written like the rest of the demo (no per-row services), but every ledger entry is numbered
and chained by the ledger primitive (``jiceng.core.ledger.chain_bulk``), so ``jiceng ledgers
verify`` passes on the result.
"""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from jiceng.accounts.models import Role
from jiceng.core.ledger import chain_bulk
from jiceng.people.models import Household, HouseholdStatus

from .models import (
    CardStatus, DeclarationSource, DeclarationStatus, EntryKind, ExchangeRule, PointsAccount, PointsCard,
    PointsCategory, PointsDeclaration, PointsEvent, PointsItem, PointsLedgerEntry, PointsProgramme, Product,
    PublicityObjection, Redemption, RedemptionLine, Shop, StockEntry, StockKind,
)
from .services.cards import card_number
from .services.programme import DEFAULT_CATEGORIES, DEFAULT_EXCHANGE_RULES
from .roles import SHOP_CLERK
from .services.ratings import period_bounds, ratings_evaluate

# (code, category, name, points, evidence, cap period, cap count, weight)
ITEMS = [
    ("HJ01", "环境卫生", "门前三包、庭院整洁", 2, False, "month", 4, 30),
    ("HJ02", "环境卫生", "参加环境整治义务劳动", 5, True, "month", 4, 20),
    ("HJ03", "环境卫生", "垃圾分类投放准确", 1, False, "month", 8, 25),
    ("JF01", "家风家教", "家庭成员获评“好媳妇”“好婆婆”", 10, True, "year", 2, 3),
    ("JF02", "家风家教", "子女考入高等院校", 10, True, "year", 1, 2),
    ("XL01", "孝老爱亲", "照顾孤寡、空巢老人", 5, True, "month", 4, 10),
    ("XL02", "孝老爱亲", "赡养老人获邻里好评", 3, False, "year", 4, 8),
    ("WM01", "文明新风", "婚事新办、丧事简办", 10, True, "year", 2, 2),
    ("WM02", "文明新风", "参加移风易俗宣传", 3, False, "month", 2, 8),
    ("ZY01", "志愿服务", "参加志愿服务（每次）", 3, True, "month", 6, 25),
    ("ZY02", "志愿服务", "报告安全隐患经核实", 5, False, "month", 4, 8),
    ("ZF01", "遵纪守法", "调解邻里纠纷成功", 5, False, "year", 6, 4),
    ("SZ01", "素质提升", "参加技能培训并结业", 5, True, "year", 4, 6),
    ("SZ02", "素质提升", "参加道德讲堂、夜校", 2, False, "month", 4, 10),
    ("KF01", "环境卫生", "乱堆乱放、乱扔垃圾", -3, False, "", None, 5),
    ("KF02", "遵纪守法", "违规燃放烟花爆竹", -5, False, "", None, 2),
    ("KF03", "文明新风", "大操大办、铺张浪费", -10, False, "", None, 1),
]
PRODUCTS = [
    ("食用油 1.8L", 30, "15.00", "桶", 40), ("大米 5kg", 50, "25.00", "袋", 30), ("洗衣粉 1kg", 16, "8.00", "袋", 60),
    ("香皂", 6, "3.00", "块", 120), ("牙膏", 8, "4.00", "支", 100), ("毛巾", 10, "5.00", "条", 80),
    ("酱油 500ml", 12, "6.00", "瓶", 60), ("作业本（10本）", 10, "5.00", "套", 50), ("保温杯", 40, "20.00", "个", 20),
]
SERVICES = [("理发一次", 10, "5.00"), ("家电义务维修一次", 20, "10.00")]
HOURS = [9, 10, 11, 14, 15, 16, 17]


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    naive = dt.datetime.combine(day, dt.time(rng.choice(HOURS), rng.randrange(60), rng.randrange(60)))
    return timezone.make_aware(naive)


class PointsDemo:
    def __init__(self, builder, *, history_households: int = 2500):
        self.b = builder
        self.rng = random.Random(builder.seed + 41)
        self.history_households = history_households
        self.now = timezone.now().replace(microsecond=0)
        self.today = timezone.localdate()

    def build(self) -> dict:
        with transaction.atomic():
            self._programme()
            self._items()
            self._shops()
            self._history()
            self._cards()
        self._ratings()
        return self.stats

    # ---------------------------------------------------------------- set-up
    def _programme(self):
        street = self.b.street
        self.programme = PointsProgramme.objects.create(
            org_unit=street, org_path=street.path, name=f"{street.name}“党建+积分”", publicity_days=7,
            star_thresholds="10,20,35,50,70", card_prefix="JF")
        self.categories = {}
        for i, name in enumerate(DEFAULT_CATEGORIES):
            self.categories[name] = PointsCategory.objects.create(programme=self.programme, name=name, order=i)
        for code, label, points in DEFAULT_EXCHANGE_RULES:
            ExchangeRule.objects.create(programme=self.programme, event_code=code, label=label, points=points)

    def _items(self):
        street = self.b.street
        self.items = []
        self.weights = []
        start = self.today - dt.timedelta(days=400)
        for code, cat, name, points, evidence, cap_period, cap_count, weight in ITEMS:
            item = PointsItem.objects.create(
                programme=self.programme, org_unit=street, org_path=street.path, code=code, version=1,
                category=self.categories[cat], name=name, points=points, evidence_required=evidence,
                cap_period=cap_period, cap_count=cap_count, valid_from=start)
            self.items.append(item)
            self.weights.append(weight)
        # One item was re-weighted in spring (version 2); one community runs its own variant.
        old = self.items[1]
        PointsItem.objects.filter(pk=old.pk).update(retired_at=self.now - dt.timedelta(days=200))
        new = PointsItem.objects.create(
            programme=self.programme, org_unit=street, org_path=street.path, code=old.code, version=2,
            category=old.category, name=old.name, points=6, evidence_required=True, cap_period="month", cap_count=4,
            valid_from=start)
        self.item_history = {old.pk: new}
        comm = self.b.communities[0]
        PointsItem.objects.create(
            programme=self.programme, org_unit=comm, org_path=comm.path, code="XL01", version=1,
            category=self.categories["孝老爱亲"], name="照顾孤寡、空巢老人（本社区加倍）", points=10,
            evidence_required=True, cap_period="month", cap_count=4, valid_from=start)
        PointsItem.objects.create(
            programme=self.programme, org_unit=comm, org_path=comm.path, code="SZ03", version=1,
            category=self.categories["素质提升"], name="参加“四点半课堂”志愿辅导", points=4, evidence_required=True,
            cap_period="month", cap_count=4, valid_from=start)

    def _shops(self):
        self.shops = []
        for comm, name, addr in [(self.b.communities[0], "五星超市", "社区党群服务中心一楼"),
                                 (self.b.communities[-1], "积分超市", "阳光社区服务站")]:
            shop = Shop.objects.create(programme=self.programme, org_unit=comm, org_path=comm.path,
                                       name=f"{comm.name}{name}", address=addr, opening_hours="周二、周五 9:00–17:00")
            products = []
            for pname, price, value, unit, stock in PRODUCTS:
                products.append(Product.objects.create(shop=shop, name=pname, price_points=price,
                                                       value_yuan=Decimal(value), unit=unit, stock=0))
            for pname, price, value in SERVICES:
                products.append(Product.objects.create(shop=shop, name=pname, price_points=price,
                                                       value_yuan=Decimal(value), unit="次", is_service=True))
            stock0 = {p.pk: s for p, (_n, _pr, _v, _u, s) in zip(products, PRODUCTS)}
            self.shops.append({"shop": shop, "products": products, "stock": {}, "initial": stock0})

    # ---------------------------------------------------------------- a year of points
    def _history(self):
        rng = self.rng
        hh_rows = list(Household.objects.filter(org_path__startswith=self.b.street.path, status=HouseholdStatus.ACTIVE)
                       .order_by("pk").values_list("pk", "org_path", "org_unit_id"))
        self.households = hh_rows
        resident_hh = getattr(self.b, "resident_household_id", None)
        shop_paths = [s["shop"].org_path for s in self.shops]
        # Households in the shops' communities (and the demo resident's) always take part.
        chosen = [h for h in hh_rows if any(h[1].startswith(p) for p in shop_paths)]
        others = [h for h in hh_rows if not any(h[1].startswith(p) for p in shop_paths)]
        rng.shuffle(others)
        chosen = (chosen + others)[: self.history_households]
        if resident_hh and all(h[0] != resident_hh for h in chosen):
            chosen.append(next(h for h in hh_rows if h[0] == resident_hh))
        users = getattr(self.b, "login_users", {})
        worker = users.get(Role.GRID_WORKER)
        reviewer = users.get(Role.COMMUNITY_STAFF)
        comm0 = self.b.communities[0].path
        overrides = {i.code: i for i in PointsItem.objects.filter(org_path=comm0)}
        events = []   # (when, kind, payload)
        decls = []
        for pk, path, unit_id in chosen:
            active = rng.random() < 0.85
            n = rng.randint(4, 16) if active else rng.randint(0, 3)
            if pk == resident_hh:
                n = 14
            for _ in range(n):
                item = rng.choices(self.items, weights=self.weights)[0]
                if path.startswith(comm0) and item.code in overrides:
                    item = overrides[item.code]
                day = self.today - dt.timedelta(days=rng.randint(0, 360))
                if item.pk in self.item_history and day > self.today - dt.timedelta(days=200):
                    item = self.item_history[item.pk]
                source = rng.choices([DeclarationSource.RESIDENT, DeclarationSource.WORKER], [35, 65])[0]
                if item.points < 0:
                    source = DeclarationSource.WORKER
                submitted = _at(day, rng)
                age = (self.today - day).days
                if age <= 2:
                    status = DeclarationStatus.SUBMITTED
                elif age <= 9:
                    status = rng.choice([DeclarationStatus.PUBLICISING, DeclarationStatus.PUBLICISING,
                                         DeclarationStatus.SUBMITTED])
                else:
                    status = DeclarationStatus.REJECTED if rng.random() < 0.05 else DeclarationStatus.POSTED
                d = PointsDeclaration(
                    programme=self.programme, household_id=pk, org_path=path, item=item, quantity=1,
                    points=item.points, requested_points=item.points, occurred_on=day, source=source,
                    status=status, submitted_by=worker if source == DeclarationSource.WORKER else None,
                    submitted_at=submitted, description="")
                if status != DeclarationStatus.SUBMITTED:
                    d.reviewed_by = reviewer
                    d.reviewed_at = submitted + dt.timedelta(days=1)
                if status == DeclarationStatus.REJECTED:
                    d.review_note = rng.choice(["佐证照片不清楚，请补充", "本月该项目已达上限", "经核实情况不符"])
                if status in (DeclarationStatus.PUBLICISING, DeclarationStatus.POSTED):
                    d.publicity_starts_at = d.reviewed_at
                    d.publicity_ends_at = d.reviewed_at + dt.timedelta(days=7)
                if status == DeclarationStatus.POSTED:
                    d.posted_at = d.publicity_ends_at + dt.timedelta(minutes=1)
                    if d.posted_at > self.now:
                        d.status = DeclarationStatus.PUBLICISING
                        d.posted_at = None
                if d.status == DeclarationStatus.PUBLICISING and d.publicity_ends_at <= self.now:
                    d.publicity_ends_at = self.now + dt.timedelta(days=rng.randint(1, 6))
                decls.append(d)
        # One clean-up event with twenty households, last month.
        grid = self.b.grids[0]
        event_day = self.today - dt.timedelta(days=35)
        event = PointsEvent.objects.create(programme=self.programme, org_unit=grid, org_path=grid.path,
                                           name="“美丽家园”周六大扫除", held_on=event_day, item=self.items[1])
        for pk, path, _u in [h for h in chosen if h[1].startswith(grid.path)][:20]:
            decls.append(PointsDeclaration(
                programme=self.programme, household_id=pk, org_path=path, item=self.items[1], quantity=1,
                points=self.items[1].points, requested_points=self.items[1].points, occurred_on=event_day,
                source=DeclarationSource.EVENT, event=event, status=DeclarationStatus.POSTED, submitted_by=worker,
                submitted_at=_at(event_day, rng), reviewed_by=reviewer, reviewed_at=_at(event_day + dt.timedelta(days=1), rng),
                publicity_starts_at=_at(event_day + dt.timedelta(days=1), rng),
                publicity_ends_at=_at(event_day + dt.timedelta(days=8), rng),
                posted_at=_at(event_day + dt.timedelta(days=8), rng) + dt.timedelta(hours=1)))
        PointsDeclaration.objects.bulk_create(decls, batch_size=2000)
        objected = [d for d in decls if d.status == DeclarationStatus.SUBMITTED][:3]
        for d in objected:
            PublicityObjection.objects.create(declaration=d, reason="该户情况与公示内容不符，请核实", created_at=self.now
                                              - dt.timedelta(hours=5))
        for d in decls:
            if d.status == DeclarationStatus.POSTED:
                events.append((d.posted_at, 0, d))
        # Redemptions: households served by a shop spend now and then.
        for s in self.shops:
            for p in s["products"]:
                if p.is_service:
                    continue
                events.append((timezone.make_aware(dt.datetime.combine(self.today - dt.timedelta(days=365), dt.time(8)))
                               , -1, ("receipt", s, p, s["initial"][p.pk])))
                for k in range(1, 4):
                    when = _at(self.today - dt.timedelta(days=365 - 90 * k), rng).replace(hour=8)
                    events.append((when, -1, ("receipt", s, p, max(5, s["initial"][p.pk] // 2))))
            members = [h for h in chosen if h[1].startswith(s["shop"].org_path)]
            for _ in range(len(members) * 2):
                pk, path, _u = rng.choice(members)
                day = self.today - dt.timedelta(days=rng.randint(0, 330))
                if day.weekday() not in (1, 4):
                    day -= dt.timedelta(days=(day.weekday() - 1) % 7)
                events.append((_at(day, rng), 1, ("redeem", s, pk, path)))
        events.sort(key=lambda e: (e[0], e[1]))
        self._replay(events, clerk=users.get(SHOP_CLERK))
        self.stats = {"declarations": len(decls), "items": len(self.items)}

    def _replay(self, events, clerk):
        rng = self.rng
        seq = 0
        balances: dict[int, int] = {}
        accounts: dict[int, PointsAccount] = {}
        stock: dict[int, int] = {}
        entries, stock_entries = [], []
        redemptions = []
        posted_links = []

        def account(pk, path):
            if pk not in accounts:
                accounts[pk] = PointsAccount(programme=self.programme, household_id=pk, org_path=path)
            return accounts[pk]

        pending = []
        for when, _order, payload in events:
            if isinstance(payload, PointsDeclaration):
                d = payload
                bal = balances.get(d.household_id, 0)
                amount = d.points if d.points > 0 else -min(-d.points, bal)
                if amount == 0:
                    continue
                kind = EntryKind.GRANT if amount > 0 else EntryKind.DEDUCTION
                pending.append(("entry", d.household_id, d.org_path, kind, amount, f"declaration:{d.pk}",
                                "points.declaration", str(d.pk), d.item.name, when, d))
                balances[d.household_id] = bal + amount
            elif payload[0] == "receipt":
                _k, s, p, q = payload
                stock[p.pk] = stock.get(p.pk, 0) + q
                stock_entries.append(StockEntry(product=p, kind=StockKind.RECEIPT, quantity=q, stock_after=stock[p.pk],
                                                note="采购入库", created_at=when,
                                                idempotency_key=f"stock-move:demo-{len(stock_entries) + 1}"))
            else:
                _k, s, pk, path = payload
                bal = balances.get(pk, 0)
                affordable = [p for p in s["products"] if p.price_points <= bal and (p.is_service or stock.get(p.pk, 0) > 0)]
                if not affordable:
                    continue
                picks = {}
                budget = bal
                for p in rng.sample(affordable, k=min(len(affordable), rng.randint(1, 3))):
                    if p.price_points <= budget and (p.is_service or stock.get(p.pk, 0) - picks.get(p.pk, 0) > 0):
                        picks[p.pk] = picks.get(p.pk, 0) + 1
                        budget -= p.price_points
                if not picks:
                    continue
                by_pk = {p.pk: p for p in s["products"]}
                total = sum(by_pk[k].price_points * q for k, q in picks.items())
                balances[pk] = bal - total
                key = f"demo-{len(redemptions) + 1}"
                pending.append(("entry", pk, path, EntryKind.REDEMPTION, -total, f"redemption:{s['shop'].pk}:{key}",
                                "points.redemption", key, f"{s['shop'].name} 兑换", when, None))
                lines = []
                for k, q in picks.items():
                    p = by_pk[k]
                    if not p.is_service:
                        stock[k] = stock.get(k, 0) - q
                    lines.append((p, q, stock.get(k, 0)))
                redemptions.append((len(pending) - 1, s["shop"], pk, path, key, total, bal, when, lines))
        # Ledger entries in time order, hash-chained.
        for rec in pending:
            _t, pk, path, kind, amount, key, stype, sid, memo, when, decl = rec
            acc = account(pk, path)
            seq += 1
            running = getattr(acc, "_running", 0) + amount
            acc._running = running
            e = PointsLedgerEntry(programme=self.programme, seq=seq, account=acc, kind=kind, amount=amount,
                                  balance_after=running, idempotency_key=key, source_type=stype, source_id=sid,
                                  memo=memo[:255], actor_id=None, actor_name="system", created_at=when, prev_hash="")
            entries.append((e, decl))
        for acc in accounts.values():
            acc.balance = acc._running
        PointsAccount.objects.bulk_create(list(accounts.values()), batch_size=2000)
        for e, _d in entries:
            e.account_id = e.account.pk
        heads, _balances = chain_bulk([e for e, _d in entries])
        PointsLedgerEntry.objects.bulk_create([e for e, _d in entries], batch_size=2000)
        if heads:
            chain_seq, chain_hash = heads[self.programme.pk]
            PointsProgramme.objects.filter(pk=self.programme.pk).update(chain_seq=chain_seq, chain_hash=chain_hash)
        for e, d in entries:
            if d is not None:
                posted_links.append(PointsDeclaration(pk=d.pk, ledger_entry_id=e.pk))
        PointsDeclaration.objects.bulk_update(posted_links, ["ledger_entry"], batch_size=2000)
        # Redemptions, their lines and stock issues.
        for idx, shop, pk, path, key, total, before, when, lines in redemptions:
            e = entries[idx][0]
            r = Redemption.objects.create(shop=shop, household_id=pk, org_path=path, clerk=clerk, idempotency_key=key,
                                          total_points=total, balance_before=before, balance_after=e.balance_after,
                                          ledger_entry=e, created_at=when)
            for p, q, after in lines:
                line = RedemptionLine.objects.create(redemption=r, product=p, quantity=q, unit_points=p.price_points,
                                                     points=p.price_points * q)
                if not p.is_service:
                    stock_entries.append(StockEntry(product=p, kind=StockKind.REDEMPTION, quantity=-q, stock_after=0,
                                                    redemption_line=line, created_at=when, note=f"兑换单 {r.pk}",
                                                    idempotency_key=f"redemption-line:{line.pk}",
                                                    source_type="points.redemption", source_id=str(r.pk)))
        # Stock entries in time order per product, numbered, chained and with their stock after.
        stock_entries.sort(key=lambda s: (s.created_at, 0 if s.kind == StockKind.RECEIPT else 1))
        heads, level = chain_bulk(stock_entries)
        StockEntry.objects.bulk_create(stock_entries, batch_size=2000)
        for pid, n in level.items():
            chain_seq, chain_hash = heads[pid]
            Product.objects.filter(pk=pid).update(stock=n, chain_seq=chain_seq, chain_hash=chain_hash)
        self.redemption_count = len(redemptions)

    def _cards(self):
        rng = self.rng
        seq = 0
        cards = []
        issued = self.now - dt.timedelta(days=330)
        for pk, _path, _u in self.households[:20000]:
            seq += 1
            cards.append(PointsCard(programme=self.programme, household_id=pk, issued_at=issued, printed_at=issued,
                                    number=card_number(self.programme.card_prefix, self.programme.pk, seq)))
        # A few cards were lost and reissued.
        lost = rng.sample(range(len(cards)), k=min(12, len(cards) // 50))
        for i in lost:
            cards[i].status = CardStatus.REPLACED
            cards[i].replaced_at = self.now - dt.timedelta(days=rng.randint(10, 200))
            cards[i].replaced_reason = "遗失"
            seq += 1
            cards.append(PointsCard(programme=self.programme, household_id=cards[i].household_id,
                                    issued_at=cards[i].replaced_at, printed_at=cards[i].replaced_at,
                                    number=card_number(self.programme.card_prefix, self.programme.pk, seq)))
        PointsCard.objects.bulk_create(cards, batch_size=5000)
        PointsProgramme.objects.filter(pk=self.programme.pk).update(card_seq=seq)
        self.stats_cards = len(cards)

    def _ratings(self):
        q_now = (self.today.month - 1) // 3 + 1
        year = self.today.year
        done = 0
        for back in range(4, 0, -1):
            q = q_now - back
            y = year
            while q < 1:
                q += 4
                y -= 1
            start, end, label = period_bounds("quarter", y, q)
            ratings_evaluate(actor=None, programme=self.programme, start=start, end=end, label=label, now=self.now)
            done += 1
        self.stats.update(cards=self.stats_cards, redemptions=self.redemption_count, shops=len(self.shops),
                          rated_periods=done, ledger_entries=PointsLedgerEntry.objects.filter(programme=self.programme).count())


def build_points_demo(builder, **kw) -> dict:
    return PointsDemo(builder, **kw).build()


def demo_step(run) -> dict:
    return build_points_demo(run.built["people"])


def demo_summary(p: dict) -> str:
    return (f"{p['items']} 个积分项目，{p['declarations']} 条积分记录，{p['ledger_entries']} 条积分流水，"
            f"{p['cards']} 张积分卡，{p['shops']} 个积分超市（{p['redemptions']} 笔兑换），{p['rated_periods']} 个季度的星级评定。")
