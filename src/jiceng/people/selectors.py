"""Reads of the people registry. Every function takes the acting user and starts from
``accessible_to(user)``: scope lives here, not in views or templates."""
from __future__ import annotations

from django.db import connection
from django.db.models import Case, Count, Exists, Min, OuterRef, Prefetch, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat

from jiceng.core.errors import NotFoundError

from .models import (
    Cadre, Household, PartnerUnit, PartyMember, Resident, ResidentNameKey, ResidentTag, Volunteer,
)
from .search import QUERY_ID, QUERY_NAME, QUERY_PINYIN, classify_query, reverse

SEARCH_LIMIT_DEFAULT = 20
MIN_SUFFIX_DIGITS = 4
# A pinyin search returns at most this many residents (three pages; the list then says "more than 60,
# narrow it"): initials find a person, they are not for browsing a street.
PINYIN_WINDOW = 60
# The rank of a pinyin match that is a prefix only (exact matches rank by ResidentNameKey.kind: 0-2).
NO_EXACT_MATCH = 3


def _pinyin_candidates(user, value: str, *, org_path: str = "", purpose: str = "view"):
    """Residents with a pinyin key equal to ``value`` (at most a window of them: a resident has one row
    per key) or starting with it (the first ``PINYIN_WINDOW`` in key order), as a condition on ``pk``.

    Both walk the key index in (key, resident) order, scoped, and stop: a resident has at most
    ``MAX_ROWS_PER_NAME`` keys, so that many times the window always holds the first window of residents.
    Without the bound, a one-letter search over a street walked 700,000 residents (4 s). The exact
    matches are fetched on their own because the prefix window may end before them ("shang..." keys
    sort before "shanzhi"), and they rank first.
    """
    from jiceng.accounts.scope import scope_for
    from jiceng.core.scope import _paths_q

    from .search import MAX_ROWS_PER_NAME

    keys = ResidentNameKey.objects.all()
    scope = scope_for(user, purpose=purpose)
    if not scope.everything:
        visible = _paths_q("org_path", list(scope.paths)) if scope.paths else Q(pk__in=[])
        if scope.resident_household_id:
            visible |= Q(resident__household_id=scope.resident_household_id)
        keys = keys.filter(visible)
    if org_path:
        keys = keys.filter(org_path__startswith=org_path)
    exact = keys.filter(key=value).order_by("key", "resident_id").values("resident_id")[: PINYIN_WINDOW + 1]
    prefix = (keys.filter(key__startswith=value).order_by("key", "resident_id")
              .values("resident_id")[: MAX_ROWS_PER_NAME * (PINYIN_WINDOW + 1)])
    # One IN over both lists: "pk IN (a) OR pk IN (b)" made PostgreSQL filter every resident in scope
    # against two hashed subplans (a sequential scan of the street, 0.5-0.9 s) instead of fetching the
    # few candidates by primary key.
    db = keys.db
    (sql_a, params_a), (sql_b, params_b) = (q.query.get_compiler(using=db).as_sql() for q in (exact, prefix))
    return Q(pk__in=RawSQL(f"SELECT a.resident_id FROM ({sql_a}) a UNION ALL SELECT b.resident_id FROM ({sql_b}) b",
                           (*params_a, *params_b)))


def _pinyin_rank(value: str):
    """How a resident matches pinyin ``value``: 0 the full name exactly, 1 the surname reading exactly,
    2 the initials exactly, 3 a prefix only; and the smallest matching spelling of the whole name."""
    from .search import KEY_SURNAME

    matching = Q(name_keys__key__startswith=value)
    return {
        "match_rank": Min(Case(When(name_keys__key=value, then="name_keys__kind"), default=Value(NO_EXACT_MATCH)),
                          filter=matching),
        "match_key": Min("name_keys__key", filter=matching & ~Q(name_keys__kind=KEY_SURNAME)),
    }


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFoundError() from None


def resident_list(*, user, q: str = "", org_path: str = "", tag: str = "", status: str = "",
                  household_id: int | None = None, address: str = "", purpose: str = "view"):
    """Residents the user may see, filtered. Search ``q`` is a name (Simplified or Traditional),
    pinyin or initials, or the last digits of an ID number or phone.

    The result is ordered by the index that does the filtering (name, pinyin key, reversed ID), so
    the database can stop after the first page instead of sorting every match.
    """
    qs = Resident.objects.accessible_to(user, purpose=purpose)
    if org_path:
        qs = qs.filter(org_path__startswith=org_path)
    if status:
        qs = qs.filter(status=status)
    if household_id:
        qs = qs.filter(household_id=household_id)
    if tag:
        qs = qs.filter(Exists(ResidentTag.objects.filter(resident=OuterRef("pk"), tag=tag)))
    if address:
        qs = qs.filter(actual_address__contains=address) | qs.filter(household__address__contains=address)
    ordering = ["org_path", "household_id", "id"]
    if q:
        kind, value = classify_query(q)
        if kind == QUERY_ID:
            if len(value) < MIN_SUFFIX_DIGITS:
                return qs.none()
            rev = reverse(value)
            qs = qs.filter(Q(id_number_rev__startswith=rev) | Q(phone_rev__startswith=rev))
            # Matches of a 4+ digit suffix are few: collect them through both prefix ranges and sort them.
            # Ordering by an indexed column would invite the planner to walk that index while filtering
            # (the ORDER BY ... LIMIT trap: 0.7-0.9 s at 1,000,000 residents when it misjudges the count).
            ordering = [Concat("id_number_rev", Value("")), "id"]
        elif kind == QUERY_PINYIN:
            qs = qs.filter(_pinyin_candidates(user, value, org_path=org_path, purpose=purpose))
            qs = qs.annotate(**_pinyin_rank(value))
            ordering = ["match_rank", "match_key", "id"]
        elif kind == QUERY_NAME and value:
            qs = qs.filter(name_search__startswith=value)
            ordering = ["name_search", "id"]
    return qs.select_related("household", "org_unit").order_by(*ordering)


def _like_prefix(value: str) -> str:
    return connection.ops.prep_for_like_query(value) + "%"


_PAGE_SELECT: dict[str, tuple[str, list[str], list[str], list[str]]] = {}


def _page_select():
    """The page's column list (resident, household, unit) and each model's attribute names, once per vendor."""
    got = _PAGE_SELECT.get(connection.vendor)
    if got is None:
        from jiceng.orgs.models import OrgUnit

        parts = [(alias, model._meta.concrete_fields) for alias, model in (("r", Resident), ("h", Household),
                                                                           ("o", OrgUnit))]
        columns = ", ".join(f"{alias}.{connection.ops.quote_name(f.column)}" for alias, fields in parts for f in fields)
        got = _PAGE_SELECT[connection.vendor] = (columns, *([f.attname for f in fields] for _a, fields in parts))
    return got


def resident_page(*, user, q: str = "", org_path: str = "", tag: str = "", status: str = "",
                  household_id: int | None = None, address: str = "", purpose: str = "view",
                  limit: int = SEARCH_LIMIT_DEFAULT, offset: int = 0) -> list[Resident]:
    """One page of ``resident_list`` — the same rows in the same order, each with its household and
    unit — read by one hand-written statement. The list page and the API fetch their rows here:
    building and compiling the ORM query cost more than the database took for a search
    (``bench/registry_search.py``). Counting stays with ``resident_list``.
    ``tests/people/test_resident_page.py`` holds the two to the same rows for every scope and filter."""
    from jiceng.accounts.scope import scope_for
    from jiceng.orgs.models import OrgUnit

    from .search import KEY_SURNAME, MAX_ROWS_PER_NAME

    like = connection.operators["startswith"]          # "LIKE %s" (with ESCAPE on SQLite)
    contains = connection.operators["contains"]
    where: list[str] = []
    params: list = []
    scope = scope_for(user, purpose=purpose)
    if not scope.everything:
        visible = [f"r.org_path {like}" for _p in scope.paths]
        params += [_like_prefix(p) for p in scope.paths]
        if scope.resident_household_id:       # a resident sees their own household (as accessible_to)
            visible.append("r.household_id = %s")
            params.append(scope.resident_household_id)
        elif scope.resident_id:
            visible.append("r.id = %s")
            params.append(scope.resident_id)
        if not visible:
            return []
        where.append("(" + " OR ".join(visible) + ")")
    if org_path:
        where.append(f"r.org_path {like}")
        params.append(_like_prefix(org_path))
    if status:
        where.append("r.status = %s")
        params.append(status)
    if household_id:
        where.append("r.household_id = %s")
        params.append(household_id)
    if tag:
        where.append("EXISTS (SELECT 1 FROM people_residenttag t WHERE t.resident_id = r.id AND t.tag = %s)")
        params.append(tag)
    if address:
        where.append(f"(r.actual_address {contains} OR ha.address {contains})")
        pattern = "%" + connection.ops.prep_for_like_query(address) + "%"
        params += [pattern, pattern]
    select_extra, extra_params = "", []
    order = "r.org_path, r.household_id, r.id"
    if q:
        kind, value = classify_query(q)
        if kind == QUERY_ID:
            if len(value) < MIN_SUFFIX_DIGITS:
                return []
            where.append(f"(r.id_number_rev {like} OR r.phone_rev {like})")
            params += [_like_prefix(reverse(value))] * 2
            # Sort the few matches of both prefix ranges rather than walk an index (see resident_list).
            c = ' COLLATE "C"' if connection.vendor == "postgresql" else ""
            order = f"(COALESCE(r.id_number_rev, '') || ''){c}, r.id"
        elif kind == QUERY_PINYIN:
            keys_where = [f"k.key {like}"]
            keys_params: list = [_like_prefix(value)]
            if not scope.everything:
                visible = [f"k.org_path {like}" for _p in scope.paths]
                keys_params += [_like_prefix(p) for p in scope.paths]
                if scope.resident_household_id:
                    visible.append("k.resident_id IN (SELECT m.id FROM people_resident m WHERE m.household_id = %s)")
                    keys_params.append(scope.resident_household_id)
                keys_where.append("(" + " OR ".join(visible or ["1 = 0"]) + ")")
            if org_path:
                keys_where.append(f"k.org_path {like}")
                keys_params.append(_like_prefix(org_path))
            exact_where = ["k.key = %s"] + keys_where[1:]
            # Exact matches (one row per resident) and the prefix window, as in _pinyin_candidates.
            # One IN over both lists (see _pinyin_candidates: an OR of two INs scanned the whole scope).
            where.append("r.id IN (SELECT a.resident_id FROM (SELECT k.resident_id FROM people_residentnamekey k "
                         "WHERE " + " AND ".join(exact_where) + " ORDER BY k.key, k.resident_id LIMIT %s) a "
                         "UNION ALL SELECT b.resident_id FROM (SELECT k.resident_id FROM people_residentnamekey k "
                         "WHERE " + " AND ".join(keys_where) + " ORDER BY k.key, k.resident_id LIMIT %s) b)")
            params += ([value] + keys_params[1:] + [PINYIN_WINDOW + 1]
                       + keys_params + [MAX_ROWS_PER_NAME * (PINYIN_WINDOW + 1)])
            select_extra = (f", (SELECT MIN(CASE WHEN k2.key = %s THEN k2.kind ELSE {NO_EXACT_MATCH} END) "
                            f"FROM people_residentnamekey k2 WHERE k2.resident_id = r.id AND k2.key {like}) AS match_rank"
                            f", (SELECT MIN(k2.key) FROM people_residentnamekey k2 WHERE k2.resident_id = r.id "
                            f"AND k2.key {like} AND k2.kind <> {KEY_SURNAME}) AS match_key")
            extra_params = [value, _like_prefix(value), _like_prefix(value)]
            order = "match_rank, match_key, r.id"
        elif kind == QUERY_NAME and value:
            where.append(f"r.name_search {like}")
            params.append(_like_prefix(value))
            order = "r.name_search, r.id"
    columns, rnames, hnames, onames = _page_select()
    # The page's residents first (filtered, ordered, limited), then their households and units: the
    # joins touch 20 rows, and the planner is never tempted to hash-join a street's households.
    page = (f"SELECT r.*{select_extra} FROM people_resident r"
            + (" LEFT JOIN people_household ha ON ha.id = r.household_id" if address else "")
            + (" WHERE " + " AND ".join(where) if where else "")
            + f" ORDER BY {order} LIMIT %s OFFSET %s")
    sql = (f"SELECT {columns} FROM ({page}) r LEFT JOIN people_household h ON h.id = r.household_id "
           f"JOIN orgs_orgunit o ON o.id = r.org_unit_id ORDER BY {order}")
    a, b = len(rnames), len(rnames) + len(hnames)
    c_end = b + len(onames)
    db = connection.alias
    converters = _converters(connection)
    rows = []
    with connection.cursor() as cur:
        cur.execute(sql, extra_params + params + [max(0, limit), max(0, offset)])
        for row in cur.fetchall():
            row = converters(row)
            resident = Resident.from_db(db, rnames, row[:a])
            if row[a] is not None:
                resident._state.fields_cache["household"] = Household.from_db(db, hnames, row[a:b])
            else:
                resident._state.fields_cache["household"] = None
            resident._state.fields_cache["org_unit"] = OrgUnit.from_db(db, onames, row[b:c_end])
            rows.append(resident)
    return rows


_CONVERTERS: dict[str, object] = {}


def _converters(conn):
    """The per-value conversions the ORM applies to these columns (SQLite returns dates as text);
    worked out once per database vendor."""
    convert = _CONVERTERS.get(conn.vendor)
    if convert is None:
        from jiceng.orgs.models import OrgUnit

        fields = [*Resident._meta.concrete_fields, *Household._meta.concrete_fields,
                  *OrgUnit._meta.concrete_fields]
        convs = []
        for i, f in enumerate(fields):
            col = f.get_col("x")
            fns = conn.ops.get_db_converters(col) + f.get_db_converters(conn)
            if fns:
                convs.append((i, col, fns))

        def convert(row):
            if not convs:
                return row
            row = list(row)
            for i, col, fns in convs:
                for fn in fns:
                    row[i] = fn(row[i], col, conn)
            return row
        _CONVERTERS[conn.vendor] = convert
    return convert


def resident_get_for_user(user, resident_id, *, purpose: str = "view") -> Resident:
    try:
        return (Resident.objects.accessible_to(user, purpose=purpose)
                .select_related("household", "org_unit", "household__head")
                .prefetch_related("tags")
                .get(pk=_int(resident_id)))
    except Resident.DoesNotExist:
        raise NotFoundError() from None


def household_list(*, user, q: str = "", org_path: str = "", status: str = "", purpose: str = "view"):
    qs = Household.objects.accessible_to(user, purpose=purpose)
    if org_path:
        qs = qs.filter(org_path__startswith=org_path)
    if status:
        qs = qs.filter(status=status)
    if q:
        kind, value = classify_query(q)
        if kind == QUERY_ID:
            qs = qs.filter(number__endswith=value) | qs.filter(phone_rev__startswith=reverse(value))
        elif kind == QUERY_PINYIN:
            heads = ResidentNameKey.objects.filter(key__startswith=value).values("resident_id")
            qs = qs.filter(head_id__in=heads)
        else:
            qs = (qs.filter(address__contains=value) | qs.filter(head__name_search__startswith=value)
                  | qs.filter(number=q.strip()))
    return (qs.select_related("head", "org_unit")
            .annotate(member_count=Count("members")).order_by("org_path", "number"))


def household_get_for_user(user, household_id, *, purpose: str = "view", related: bool = True,
                           field: str | None = None) -> Household:
    """The household if the user may see it for ``purpose``, else one not-found error (rule 15). Other modules
    fetch households through here too (``related=False``: without its members and party members)."""
    qs = Household.objects.accessible_to(user, purpose=purpose).select_related("head", "org_unit")
    if related:
        qs = qs.prefetch_related(Prefetch("members", queryset=Resident.objects.order_by("relationship", "birth_date")),
                                 "linked_party_members__resident")
    try:
        return qs.get(pk=_int(household_id))
    except Household.DoesNotExist:
        raise NotFoundError(field=field) from None


def party_member_list(*, user, q: str = "", org_path: str = "", status: str = "", purpose: str = "view"):
    qs = PartyMember.objects.accessible_to(user, purpose=purpose)
    if org_path:
        qs = qs.filter(org_path__startswith=org_path)
    if status:
        qs = qs.filter(status=status)
    if q:
        kind, value = classify_query(q)
        if kind == QUERY_PINYIN:
            qs = qs.filter(resident_id__in=ResidentNameKey.objects.filter(key__startswith=value).values("resident_id"))
        elif kind == QUERY_ID:
            qs = qs.filter(resident__id_number_rev__startswith=reverse(value))
        else:
            qs = qs.filter(resident__name_search__startswith=value)
    return (qs.select_related("resident", "branch", "resident__household")
            .annotate(linked_count=Count("linked_households")).order_by("org_path", "resident__name_search"))


def party_member_get_for_user(user, member_id) -> PartyMember:
    try:
        return (PartyMember.objects.accessible_to(user).select_related("resident", "branch")
                .prefetch_related("linked_households__head").get(pk=_int(member_id)))
    except PartyMember.DoesNotExist:
        raise NotFoundError() from None


def cadre_list(*, user, org_path: str = ""):
    qs = Cadre.objects.accessible_to(user)
    if org_path:
        qs = qs.filter(org_path__startswith=org_path)
    return qs.select_related("org_unit").order_by("org_path", "name")


def volunteer_list(*, user, org_path: str = ""):
    qs = Volunteer.objects.accessible_to(user)
    if org_path:
        qs = qs.filter(org_path__startswith=org_path)
    return qs.select_related("resident", "org_unit").order_by("org_path", "resident__name_search")


def partner_unit_list(*, user, q: str = ""):
    qs = PartnerUnit.objects.accessible_to(user)
    if q:
        qs = qs.filter(name__contains=q)
    return qs.prefetch_related("pairings__org_unit").order_by("name")


def partner_unit_get_for_user(user, partner_id) -> PartnerUnit:
    try:
        return partner_unit_list(user=user).get(pk=_int(partner_id))
    except PartnerUnit.DoesNotExist:
        raise NotFoundError() from None


def people_counts(*, user, org_path: str = "") -> dict:
    residents = Resident.objects.accessible_to(user)
    households = Household.objects.accessible_to(user)
    members = PartyMember.objects.accessible_to(user)
    if org_path:
        residents = residents.filter(org_path__startswith=org_path)
        households = households.filter(org_path__startswith=org_path)
        members = members.filter(org_path__startswith=org_path)
    tags = (ResidentTag.objects.filter(resident__in=residents.values("pk"))
            .values("tag").annotate(n=Count("id")).order_by("tag"))
    return {
        "households": households.count(),
        "residents": residents.filter(status="living").count(),
        "party_members": members.count(),
        "tags": {row["tag"]: row["n"] for row in tags},
    }


def unit_breakdown(*, user, unit) -> list[dict]:
    """Households and living residents under each child of ``unit`` (two grouped queries)."""
    from django.db.models.functions import Substr

    from jiceng.orgs.models import SEGMENT_WIDTH, OrgUnit

    children = list(OrgUnit.objects.accessible_to(user).filter(parent=unit).order_by("sort_order", "path"))
    if not children:
        return []
    width = len(unit.path) + SEGMENT_WIDTH + 1

    def grouped(qs):
        rows = (qs.filter(org_path__startswith=unit.path).annotate(prefix=Substr("org_path", 1, width))
                .values("prefix").annotate(n=Count("id")).order_by())
        return {r["prefix"]: r["n"] for r in rows}

    households = grouped(Household.objects.accessible_to(user))
    residents = grouped(Resident.objects.accessible_to(user).filter(status="living"))
    members = grouped(PartyMember.objects.accessible_to(user))
    rows = [{"unit": c, "households": households.get(c.path, 0), "residents": residents.get(c.path, 0),
             "party_members": members.get(c.path, 0)} for c in children]
    # Records held by the unit itself (party members of a grid's own branch): a row of their own, so the
    # rows add up to the unit's totals.
    own = {"unit": unit, "own": True, "households": households.get(unit.path, 0),
           "residents": residents.get(unit.path, 0), "party_members": members.get(unit.path, 0)}
    if own["households"] or own["residents"] or own["party_members"]:
        rows.insert(0, own)
    return rows
