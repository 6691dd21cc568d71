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


def _respond(fmt: str, rows, root: str, item: str, status: int = 200, single: bool = False):
    if fmt == "json":
        body = json.dumps(rows[0] if single else rows, ensure_ascii=False)
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
            return _error("xml", 404, "Unknown format: use .xml or .json")
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
            raise Open311Error(404, f"jurisdiction_id {code} not found")
        return site
    sites = list(sites[:2])
    if len(sites) == 1:
        return sites[0]
    if not sites:
        raise Open311Error(404, "no jurisdiction offers services")
    raise Open311Error(400, "jurisdiction_id is required on this server")


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
    and e-mail (Open311 first_name/last_name/phone/email, our reporter_name/reporter_phone, the
    account and household) are not fields of this output at all, and the free text that is output
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
        "zipcode": "", "lat": str(r.lat) if r.lat is not None else "", "long": str(r.long) if r.long is not None else "",
        "media_url": "",
    }


@endpoint
def discovery(request, fmt):
    base = request.build_absolute_uri("/open311/v2/")
    rows = [{"changeset": "2026-11-25T00:00:00+08:00", "contact": "街道综治中心", "key_service": "向街道申请 api_key",
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
        raise Open311Error(404, f"service_code {code} not found")
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
        raise Open311Error(400, f"{name} is not a number") from None
    if not d.is_finite():
        raise Open311Error(400, f"{name} is not a number")
    return d


def _parse_dt(value, name):
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name} is not an ISO 8601 date-time") from None
    return parsed if parsed.tzinfo else timezone.make_aware(parsed)


def _attributes(request, cat) -> dict:
    values = {}
    for a in cat.attributes.all():
        many = request.POST.getlist(f"attribute[{a.code}][]")
        one = request.POST.get(f"attribute[{a.code}]", "").strip()
        value = many if a.datatype == "multivaluelist" else one
        if a.required and not value:
            raise Open311Error(400, f"attribute[{a.code}] is required: {a.description}")
        keys = {str(v["key"]) for v in a.values}
        if value and a.datatype in ("singlevaluelist", "multivaluelist"):
            bad = [v for v in (value if isinstance(value, list) else [value]) if v not in keys]
            if bad:
                raise Open311Error(400, f"attribute[{a.code}] has no value {bad[0]}")
        if value and a.datatype == "number":
            _decimal(value, f"attribute[{a.code}]")
        if value:
            values[a.code] = value
    return values


def _post_request(request, fmt):
    client = services.open311_client_for_key(request.POST.get("api_key", ""))
    if client is None:
        raise Open311Error(403, "Invalid api_key received -- can't proceed with create_request.")
    site = client.site
    code = request.POST.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code is required")
    cat = ReportCategory.objects.filter(site=site, code=code, is_active=True).first()
    if cat is None:
        raise Open311Error(404, f"service_code {code} not found")
    lat, lng = request.POST.get("lat", "").strip(), request.POST.get("long", "").strip()
    address, address_id = request.POST.get("address_string", "").strip(), request.POST.get("address_id", "").strip()
    if not ((lat and lng) or address or address_id):
        raise Open311Error(400, "a location is required: lat and long, address_string or address_id")
    unit = None
    if address_id:
        unit = OrgUnit.objects.filter(code=address_id, path__startswith=site.path).first()
        if unit is None:
            raise Open311Error(400, f"address_id {address_id} is not a place in this jurisdiction")
    description = request.POST.get("description", "").strip()
    if len(description) > 4000:
        raise Open311Error(400, "description is longer than 4000 characters")
    attributes = _attributes(request, cat)
    name = (request.POST.get("last_name", "") + request.POST.get("first_name", "")).strip()
    report = services.report_submit(
        actor=None, channel=Channel.OPEN311, category_id=cat.pk, description=description or cat.name, org_unit=unit,
        site=site, address=address, lat=_decimal(lat, "lat") if lat else None,
        long=_decimal(lng, "long") if lng else None, anonymous=not name, reporter_name=name,
        reporter_phone=request.POST.get("phone", ""), attributes={**attributes, "_client": client.name,
                                                                  "device_id": request.POST.get("device_id", "")})
    row = {"service_request_id": str(report.pk), "service_notice": f"将于受理后 {cat.sla_hours} 小时内办结",
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
            raise Open311Error(400, "service_request_id must be a comma-separated list of ids")
        qs = qs.filter(pk__in=wanted[:1000])
    else:
        codes = [c for c in request.GET.get("service_code", "").split(",") if c.strip()]
        if codes:
            qs = qs.filter(category__code__in=codes)
        end = _parse_dt(request.GET["end_date"], "end_date") if request.GET.get("end_date") else timezone.now()
        start = _parse_dt(request.GET["start_date"], "start_date") if request.GET.get("start_date") else end - MAX_SPAN
        if end - start > MAX_SPAN:
            raise Open311Error(400, "start_date and end_date may be at most 90 days apart")
        qs = qs.filter(created_at__gte=start, created_at__lte=end)
        statuses = {s.strip() for s in request.GET.get("status", "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, "status must be open or closed")
        if statuses == {"open"}:
            qs = qs.filter(status__in=OPEN_STATUSES).exclude(status=ReportStatus.RESOLVED)
        elif statuses == {"closed"}:
            qs = qs.filter(status__in=CLOSED)
    try:
        page_size = min(max(int(request.GET.get("page_size") or 1000), 1), 1000)
        page = max(int(request.GET.get("page") or 1), 1)
    except ValueError:
        raise Open311Error(400, "page and page_size must be integers") from None
    rows = [_request_row(r) for r in qs.order_by("-created_at", "-id")[(page - 1) * page_size: page * page_size]]
    return _respond(fmt, rows, "service_requests", "request")


@endpoint
def request_detail(request, request_id, fmt):
    site = _site(request)
    r = Report.objects.unscoped(OPEN311).filter(site=site, pk=request_id if str(request_id).isdigit() else 0).select_related(
        "category", "handler_unit", "handler_partner", "org_unit", *PERSON).first()
    if r is None:
        raise Open311Error(404, f"service_request_id {request_id} not found")
    return _respond(fmt, [_request_row(r)], "service_requests", "request")


@endpoint
def token_detail(request, token, fmt):
    r = Report.objects.unscoped(OPEN311).filter(token=token).first()
    if r is None:
        raise Open311Error(404, f"token {token} not found")
    return _respond(fmt, [{"service_request_id": str(r.pk), "token": token}], "service_requests", "request")
