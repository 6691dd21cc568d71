"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2): the partner-system door.

Formats by path suffix (``.json`` / ``.xml``); POST bodies form-encoded; ``api_key`` required to
post; errors as a list of {code, description} with HTTP 404 (unknown service, request, token,
jurisdiction), 403 (missing or wrong api_key) or 400 (everything else). One server may carry several
sites (streets); ``jurisdiction_id`` is the site's division code, needed only when there is more
than one.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from jiceng.core.errors import JicengError
from jiceng.core.scope import scope_safe
from jiceng.orgs.models import OrgUnit

from . import services
from .privacy import mask_personal
from .models import OPEN_STATUSES, Channel, Report, ReportCategory, ReportStatus

PERSON = ("reporter", "reporter_household__head")   # only to mask their names in the text
CLOSED = {ReportStatus.RESOLVED, ReportStatus.CLOSED, ReportStatus.REJECTED}
MAX_SPAN = dt.timedelta(days=90)

# Open311 answers any client for the site's public requests (personal details are left out per field).
OPEN311 = "Open311: the site's public requests"


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        self.status = status
        self.description = description


def _iso(value) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _xml(root_name: str, item_name: str, rows) -> bytes:
    root = ET.Element(root_name)
    for row in rows:
        el = ET.SubElement(root, item_name)
        _fill(el, row)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8")


def _fill(el, row: dict):
    for key, value in row.items():
        child = ET.SubElement(el, key)
        if isinstance(value, list):
            singular = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format",
                        "notes": "note"}.get(key, "item")
            for v in value:
                sub = ET.SubElement(child, singular)
                if isinstance(v, dict):
                    _fill(sub, v)
                else:
                    sub.text = str(v)
        elif isinstance(value, dict):
            _fill(child, value)
        elif isinstance(value, bool):
            child.text = "true" if value else "false"
        elif value is not None:
            child.text = str(value)


def _json_number(value):
    """Coordinates are numbers in JSON (``25.2051``); XML writes them as text."""
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _respond(fmt: str, rows, root: str, item: str, status: int = 200, single: bool = False):
    if fmt == "json":
        body = json.dumps(rows[0] if single else rows, ensure_ascii=False, default=_json_number)
        return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")
    return HttpResponse(_xml(root, item, [rows[0]] if single else rows), status=status,
                        content_type="text/xml; charset=utf-8")


def _error(fmt: str, status: int, description: str):
    rows = [{"code": status, "description": description}]
    if fmt == "json":
        return HttpResponse(json.dumps(rows, ensure_ascii=False), status=status,
                            content_type="application/json; charset=utf-8")
    return HttpResponse(_xml("errors", "error", rows), status=status, content_type="text/xml; charset=utf-8")


def endpoint(view):
    """Format check, error mapping, scope-safety mark (these views read only public data)."""
    def wrapper(request, *args, fmt, **kwargs):
        if fmt not in ("json", "xml"):
            return _error("xml", 404, _("未知格式：请用 .xml 或 .json"))
        try:
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as exc:
            return _error(fmt, exc.status, exc.description)
        except JicengError as exc:
            return _error(fmt, 403 if exc.status == 403 else 404 if exc.status == 404 else 400, exc.message)
    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return scope_safe(csrf_exempt(wrapper))


def _site(request):
    code = (request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id") or "").strip()
    sites = OrgUnit.objects.filter(parent__isnull=True, report_categories__isnull=False).distinct()
    if code:
        site = sites.filter(code=code).first()
        if site is None:
            raise Open311Error(404, _("jurisdiction_id %(code)s 不存在") % {"code": code})
        return site
    sites = list(sites[:2])
    if len(sites) == 1:
        return sites[0]
    if not sites:
        raise Open311Error(404, _("没有提供服务的辖区"))
    raise Open311Error(400, _("本服务器有多个辖区，须提供 jurisdiction_id"))


def _service(cat: ReportCategory) -> dict:
    return {"service_code": cat.code, "service_name": cat.name, "description": cat.description or cat.name,
            "metadata": cat.attributes.exists(), "type": "realtime", "keywords": ",".join(cat.keyword_list()),
            "group": cat.parent.name if cat.parent_id else cat.name}


def _names(r: Report) -> list[str]:
    """The people a report is about, to mask wherever their names were typed into its text."""
    names = [r.reporter_name]
    if r.reporter_id:
        names += [r.reporter.display_name, r.reporter.get_full_name()]
    if r.reporter_household_id and r.reporter_household.head_id:
        names.append(r.reporter_household.head.name)
    return [n for n in names if n]


def _request_row(r: Report) -> dict:
    """One service request as GET shows it to anyone, with or without an api_key.

    Privacy choice: GeoReport v2 makes ``description`` public (GET requests needs no api_key; a city's
    311 board shows what was reported), and we follow it, because the public can then see a problem
    is known and being handled. What is never public is who reported it: the reporter's name, phone
    and e-mail (Open311 first_name/last_name/phone/email, our reporter_name/reporter_phone/
    reporter_email, the account and household) are not fields of this output at all. media_url is
    output as GeoReport v2 has it (the photo the reporting system gave). The free text that is output
    (description, address, status_notes) passes through ``privacy.mask_personal``, which masks phone
    numbers, e-mails, ID numbers, the reporter's own name and "surname + 先生/女士/…" forms that
    residents and handlers type into it. Staff read the unmasked text on the report's page and in the
    authenticated JSON API.
    """
    closed = r.status in CLOSED
    names = _names(r)
    notes = mask_personal(r.result or r.reject_reason or "", names=names)
    handler = r.handler_partner.name if r.handler_partner_id else (r.handler_unit.name if r.handler_unit_id else "")
    return {
        "service_request_id": str(r.pk), "status": "closed" if closed else "open", "status_notes": notes,
        "service_name": r.category.name, "service_code": r.category.code,
        "description": mask_personal(r.description, names=names),
        "agency_responsible": handler, "service_notice": "",
        "requested_datetime": _iso(r.created_at),
        "updated_datetime": _iso(r.closed_at or r.resolved_at or r.updated_at) if closed else _iso(r.updated_at),
        "expected_datetime": _iso(r.deadline), "address": mask_personal(r.address, names=names),
        "address_id": r.org_unit.code,
        "zipcode": "", "lat": r.lat, "long": r.long, "media_url": r.media_url,
    }


@endpoint
def discovery(request, fmt):
    base = request.build_absolute_uri("/open311/v2/")
    rows = [{"changeset": "2026-11-25T00:00:00+08:00", "contact": _("街道综治中心"), "key_service": _("向街道申请 api_key"),
             "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": base,
                            "changeset": "2026-11-25T00:00:00+08:00", "type": "production",
                            "formats": ["text/xml", "application/json"]}]}]
    return _respond(fmt, rows, "discovery", "discovery", single=True) if fmt == "json" else HttpResponse(
        b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(_discovery_xml(rows[0]), encoding="utf-8"),
        content_type="text/xml; charset=utf-8")


def _discovery_xml(row):
    root = ET.Element("discovery")
    _fill(root, row)
    return root


@endpoint
def service_list(request, fmt):
    site = _site(request)
    cats = ReportCategory.objects.filter(site=site, is_active=True).select_related("parent").prefetch_related("attributes")
    return _respond(fmt, [_service(c) for c in cats], "services", "service")


@endpoint
def service_definition(request, code, fmt):
    site = _site(request)
    cat = ReportCategory.objects.filter(site=site, code=code, is_active=True).first()
    if cat is None:
        raise Open311Error(404, _("service_code %(code)s 不存在") % {"code": code})
    attrs = [{"variable": True, "code": a.code, "datatype": a.datatype, "required": a.required,
              "datatype_description": a.datatype_description, "order": a.order, "description": a.description,
              "values": [{"key": v["key"], "name": v["name"]} for v in a.values]} for a in cat.attributes.all()]
    row = {"service_code": cat.code, "attributes": attrs}
    if fmt == "json":
        return HttpResponse(json.dumps(row, ensure_ascii=False), content_type="application/json; charset=utf-8")
    root = ET.Element("service_definition")
    _fill(root, row)
    return HttpResponse(b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8"),
                        content_type="text/xml; charset=utf-8")


def _decimal(value, name):
    try:
        d = Decimal(value)
    except (InvalidOperation, TypeError):
        raise Open311Error(400, _("%(name)s 不是数字") % {"name": name}) from None
    if not d.is_finite():
        raise Open311Error(400, _("%(name)s 不是数字") % {"name": name})
    return d


def _parse_dt(value, name):
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, _("%(name)s 不是 ISO 8601 日期时间") % {"name": name}) from None
    return parsed if parsed.tzinfo else timezone.make_aware(parsed)


def _attributes(request, cat) -> dict:
    values = {}
    for a in cat.attributes.all():
        many = request.POST.getlist(f"attribute[{a.code}][]")
        one = request.POST.get(f"attribute[{a.code}]", "").strip()
        value = many if a.datatype == "multivaluelist" else one
        if a.required and not value:
            raise Open311Error(400, _("attribute[%(code)s] 必填：%(description)s")
                               % {"code": a.code, "description": a.description})
        keys = {str(v["key"]) for v in a.values}
        if value and a.datatype in ("singlevaluelist", "multivaluelist"):
            bad = [v for v in (value if isinstance(value, list) else [value]) if v not in keys]
            if bad:
                raise Open311Error(400, _("attribute[%(code)s] 没有取值 %(value)s") % {"code": a.code, "value": bad[0]})
        if value and a.datatype == "number":
            _decimal(value, f"attribute[{a.code}]")
        if value:
            values[a.code] = value
    return values


def _post_request(request, fmt):
    client = services.open311_client_for_key(request.POST.get("api_key", ""))
    if client is None:
        raise Open311Error(403, _("api_key 无效，不能提交诉求"))
    site = client.site
    jurisdiction = (request.POST.get("jurisdiction_id") or request.GET.get("jurisdiction_id") or "").strip()
    if jurisdiction and jurisdiction != site.code:
        # The key is one site's; another site's code, or none at all, names no jurisdiction it may post to.
        raise Open311Error(404, _("jurisdiction_id %(code)s 不存在") % {"code": jurisdiction})
    code = request.POST.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, _("缺少 service_code"))
    cat = ReportCategory.objects.filter(site=site, code=code, is_active=True).first()
    if cat is None:
        raise Open311Error(404, _("service_code %(code)s 不存在") % {"code": code})
    lat, lng = request.POST.get("lat", "").strip(), request.POST.get("long", "").strip()
    address, address_id = request.POST.get("address_string", "").strip(), request.POST.get("address_id", "").strip()
    if not ((lat and lng) or address or address_id):
        raise Open311Error(400, _("须提供位置：lat 和 long、address_string 或 address_id 之一"))
    unit = None
    if address_id:
        unit = OrgUnit.objects.filter(code=address_id, path__startswith=site.path).first()
        if unit is None:
            raise Open311Error(400, _("address_id %(id)s 不是本辖区内的地点") % {"id": address_id})
    description = request.POST.get("description", "").strip()
    if len(description) > 4000:
        raise Open311Error(400, _("description 不能超过 4000 字"))
    attributes = _attributes(request, cat)
    name = (request.POST.get("last_name", "") + request.POST.get("first_name", "")).strip()
    phone, email = request.POST.get("phone", "").strip(), request.POST.get("email", "").strip()
    if len(name) > 50 or len(phone) > 20:
        raise Open311Error(400, _("first_name、last_name 合计不能超过 50 字，phone 不能超过 20 字"))
    report = services.report_submit(
        actor=None, channel=Channel.OPEN311, category_id=cat.pk, description=description or cat.name, org_unit=unit,
        site=site, address=address, lat=_decimal(lat, "lat") if lat else None,
        long=_decimal(lng, "long") if lng else None, anonymous=not (name or phone or email), reporter_name=name,
        reporter_phone=phone, reporter_email=email, media_url=request.POST.get("media_url", ""),
        attributes={**attributes, "_client": client.name, "device_id": request.POST.get("device_id", "")})
    row = {"service_request_id": str(report.pk),
           "service_notice": _("将于受理后 %(hours)s 小时内办结") % {"hours": cat.sla_hours},
           "account_id": request.POST.get("account_id", "")}
    return _respond(fmt, [row], "service_requests", "request")


@endpoint
def requests_view(request, fmt):
    if request.method == "POST":
        return _post_request(request, fmt)
    site = _site(request)
    qs = Report.objects.unscoped(OPEN311).filter(site=site, merged_into__isnull=True).select_related(
        "category", "handler_unit", "handler_partner", "org_unit", *PERSON)
    ids = request.GET.get("service_request_id", "").strip()
    if ids:
        wanted = [i.strip() for i in ids.split(",") if i.strip()]
        if not all(i.isdigit() for i in wanted):
            raise Open311Error(400, _("service_request_id 须为以逗号分隔的编号"))
        qs = qs.filter(pk__in=wanted[:1000])
    else:
        codes = [c for c in request.GET.get("service_code", "").split(",") if c.strip()]
        if codes:
            qs = qs.filter(category__code__in=codes)
        end = _parse_dt(request.GET["end_date"], "end_date") if request.GET.get("end_date") else timezone.now()
        start = _parse_dt(request.GET["start_date"], "start_date") if request.GET.get("start_date") else end - MAX_SPAN
        if end - start > MAX_SPAN:
            raise Open311Error(400, _("start_date 与 end_date 相隔不能超过 90 天"))
        qs = qs.filter(created_at__gte=start, created_at__lte=end)
        statuses = {s.strip() for s in request.GET.get("status", "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, _("status 须为 open 或 closed"))
        if statuses == {"open"}:
            qs = qs.filter(status__in=OPEN_STATUSES).exclude(status=ReportStatus.RESOLVED)
        elif statuses == {"closed"}:
            qs = qs.filter(status__in=CLOSED)
    try:
        page_size = min(max(int(request.GET.get("page_size") or 1000), 1), 1000)
        page = max(int(request.GET.get("page") or 1), 1)
    except ValueError:
        raise Open311Error(400, _("page 和 page_size 须为整数")) from None
    rows = [_request_row(r) for r in qs.order_by("-created_at", "-id")[(page - 1) * page_size: page * page_size]]
    return _respond(fmt, rows, "service_requests", "request")


@endpoint
def request_detail(request, request_id, fmt):
    site = _site(request)
    r = Report.objects.unscoped(OPEN311).filter(site=site, pk=request_id if str(request_id).isdigit() else 0).select_related(
        "category", "handler_unit", "handler_partner", "org_unit", *PERSON).first()
    if r is None:
        raise Open311Error(404, _("service_request_id %(id)s 不存在") % {"id": request_id})
    return _respond(fmt, [_request_row(r)], "service_requests", "request")


@endpoint
def token_detail(request, token, fmt):
    r = Report.objects.unscoped(OPEN311).filter(token=token).first()
    if r is None:
        raise Open311Error(404, _("token %(token)s 不存在") % {"token": token})
    return _respond(fmt, [{"service_request_id": str(r.pk), "token": token}], "service_requests", "request")
