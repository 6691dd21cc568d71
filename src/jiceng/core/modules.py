"""The module registry (模块注册): everything a module brings, declared in one place (ARCHITECTURE rule 20).

Each domain app has a ``module.py`` whose ``module`` is a :class:`Module`. At start-up the registry imports
the ``module.py`` of every installed app (in ``INSTALLED_APPS`` order), checks that no two modules claim the
same URL prefix, role, purpose, figure code, import kind, job, public notice or audit action, and the composition root
(``jiceng/composition.py`` and ``jiceng/urls.py``) assembles the API, the URLs, the menu, the demo order and
the scheduler from it. Core, accounts, people and web read the registry; they never name a module.

References to code are dotted strings (``"jiceng.points.api:router"``) resolved when first used, so that a
``module.py`` imports nothing heavy and cannot start an import cycle.
"""
from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
from dataclasses import dataclass, field
from typing import Any, Callable

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

Ref = str | Callable[..., Any]


def resolve(ref: Ref | None):
    """The object a dotted reference names (``"pkg.mod:attr"`` or ``"pkg.mod.attr"``), or ``ref`` itself."""
    if ref is None or not isinstance(ref, str):
        return ref
    return import_string(ref.replace(":", "."))


@dataclass(frozen=True)
class UrlMount:
    """Web URLs a module serves under ``prefix``: a URLconf (``urlconf``), or one view (``view`` and ``name``)
    for a page outside the module's own prefix, such as a public notice page."""

    prefix: str
    urlconf: str = ""
    view: Ref | None = None
    name: str = ""
    # Who may enter at all: ``allowed(request)``; a signed-in user refused here gets 403 on every page of the
    # mount whatever the page itself checks next (a user with no role sees no module's empty lists).
    allowed: Ref | None = None
    # Where a refused user is led instead of a 403 on a list page: ``refused(request) -> URL or None``
    # (a resident opening the registry's lists goes to their own household).
    refused: Ref | None = None


@dataclass(frozen=True)
class ApiMount:
    """An API router (django-ninja) mounted under ``/api/<prefix>``; ``allowed(request)`` as for URLs (an
    operation declared without auth stays open)."""

    prefix: str
    router: Ref
    allowed: Ref | None = None


@dataclass(frozen=True)
class MenuEntry:
    """A link in the top menu. ``visible(user)`` decides who sees it; ``group`` is ``main`` (the bar), ``more``
    (the 更多 drop-down) or ``resident`` (a resident's own menu)."""

    label: Any
    url_name: str
    visible: Ref
    group: str = "main"
    order: int = 100


@dataclass(frozen=True)
class RoleDef:
    """A role a module defines (角色). ``home`` is the page a user who holds only this role lands on; the
    demo builds a login ``demo_login`` over the unit ``demo_unit`` names (street, community, village, grid)."""

    code: str
    label: Any
    home: str = ""
    demo_login: str = ""
    demo_unit: str = "street"


@dataclass(frozen=True)
class Purpose:
    """What a role may do through a module (权限用途), e.g. ``points_review``: the roles that serve it, over
    their unit's subtree; ``own_rows`` lets a resident also see their own household's rows."""

    roles: frozenset[str]
    own_rows: bool = False


@dataclass(frozen=True)
class DemoStep:
    """How a module extends ``jiceng demo``: ``build(run)`` returns its figures (a dict, kept in
    ``run.stats[label]``), after the modules named in ``after``; ``summary(stats)`` is its line in the
    command's output; ``notes()`` any further lines (a key a partner system needs); ``exists()`` whether its
    demo is already in the database."""

    build: Ref
    after: tuple[str, ...] = ()
    summary: Ref | None = None
    notes: Ref | None = None
    exists: Ref | None = None


@dataclass(frozen=True)
class Job:
    """A scheduled job: ``run()`` on a Huey ``crontab`` schedule (a dict of crontab's arguments)."""

    code: str
    schedule: dict
    run: Ref
    label: Any = ""


@dataclass(frozen=True)
class ImportKind:
    """A spreadsheet kind the import engine reads (``jiceng import <code>`` and /imports/)."""

    code: str
    label: Any
    importer: Ref
    # Another module's kind: its ``Importer`` subclass (with its ``spec``), run by the import engine with the
    # engine's guarantees (all rows or none, row errors, the upload page, the template, the task queue).
    engine: Ref | None = None


@dataclass(frozen=True)
class Panel:
    """A panel a module adds to a shared page: ``page`` is ``household``, ``person``, ``org_unit`` or
    ``home``. ``context(request, obj)`` returns the template's context, or None to show nothing."""

    page: str
    template: str
    context: Ref
    order: int = 100


@dataclass(frozen=True)
class PublicNotice:
    """What a module publishes on a village's or community's notice board (公开栏): a public page per unit,
    reached at ``reverse(url_name, args=[unit code])`` with no login."""

    code: str
    label: Any
    url_name: str


@dataclass(frozen=True)
class Check:
    """A rule one module holds over another module's action, named by the action: ``run(**facts)``
    raises ``JicengError`` to refuse it. The acting module calls ``checks_run(action, ...)`` and need
    not know which module (if any) holds a rule. Actions and their facts:

    ``push_down``  a task or a case handed to a unit: ``actor``, ``unit`` (the unit it goes to),
                   ``subject`` (the text that says what it is), ``source_type``, ``field`` (the form
                   field to name in a refusal), ``now``.
    """

    action: str
    run: Ref


@dataclass(frozen=True)
class Period:
    """A span of days, both ends included."""

    start: dt.date
    end: dt.date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))


@dataclass(frozen=True)
class Figure:
    """A named figure (指标): ``value(unit, period)`` is the number, ``records(unit, period)`` exactly the
    records counted (a queryset; for a count, ``value == records.count()``). ``values(units, period)``, when
    given, returns ``{unit pk: value}`` for many units in one go (a ranking of 400 villages); it must agree
    with ``value`` unit by unit."""

    code: str
    label: Any
    unit: Any
    value: Ref
    records: Ref
    values: Ref | None = None
    # A figure that adds up a column of its records instead of counting them ("amount"; "-amount" for the
    # size of deductions): ``value == figure_total(figure, records)``.
    sums: str = ""


def figure_total(figure: Figure, records) -> int:
    """What ``figure.value`` must equal for ``records``: their count, or the sum of the column it adds up."""
    if not figure.sums:
        return records.count()
    from django.db.models import Sum

    column = figure.sums.lstrip("-")
    total = records.aggregate(_t=Sum(column))["_t"] or 0
    return -total if figure.sums.startswith("-") else total


def figure_values(figure: Figure, units, period) -> dict:
    """``{unit pk: value}`` of one figure for many units: its ``values`` if it has one, else unit by unit."""
    units = list(units)
    if figure.values is not None:
        found = resolve(figure.values)(units, period)
        return {u.pk: found.get(u.pk, 0) for u in units}
    value = resolve(figure.value)
    return {u.pk: value(u, period) for u in units}


def count_by_unit(queryset, units, *, path_field: str = "org_path", sums: str = "") -> dict:
    """``{unit pk: rows of queryset under the unit}`` in one grouped query per path length: each row counts
    for the unit whose materialised path its own path starts with (units of one level do not nest). With
    ``sums`` (a column, "-column" negated) the rows' column is added up instead of counted."""
    from django.db.models import Count, Sum
    from django.db.models.functions import Substr

    column = sums.lstrip("-")
    sign = -1 if sums.startswith("-") else 1

    found: dict = {}
    by_length: dict[int, dict[str, int]] = {}
    for u in units:
        by_length.setdefault(len(u.path), {})[u.path] = u.pk
    for length, paths in by_length.items():
        # Rows under the units' common ancestor, grouped by their unit's path; groups of units not asked for
        # are dropped here (a list of 400 paths tested row by row would cost more than the count).
        common = _common_path(list(paths))
        rows = queryset.filter(**{f"{path_field}__startswith": common}) if common else queryset
        rows = (rows.annotate(_unit_path=Substr(path_field, 1, length)).order_by().values("_unit_path")
                .annotate(_n=Sum(column) if column else Count("pk")).values_list("_unit_path", "_n"))
        for path, n in rows:
            if path in paths:
                found[paths[path]] = sign * (n or 0)
    return found


def _common_path(paths: list[str]) -> str:
    """The longest materialised path every one of ``paths`` starts with (whole segments only)."""
    import os

    prefix = os.path.commonprefix(paths)
    return prefix[: prefix.rfind(".") + 1]


@dataclass
class Module:
    """What one module brings. ``label`` is its app label."""

    label: str
    name: Any
    urls: list[UrlMount] = field(default_factory=list)
    api: list[ApiMount] = field(default_factory=list)
    menu: list[MenuEntry] = field(default_factory=list)
    roles: list[RoleDef] = field(default_factory=list)
    purposes: dict[str, Purpose] = field(default_factory=dict)
    demo: DemoStep | None = None
    jobs: list[Job] = field(default_factory=list)
    import_kinds: list[ImportKind] = field(default_factory=list)
    panels: list[Panel] = field(default_factory=list)
    notices: list[PublicNotice] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    # Adds to every page's template context (``context(request) -> dict``): a module's own sub-menu.
    context: Ref | None = None
    # Readable names of the audit actions it writes (``{"points.granted": _("业务奖励积分")}``), and for codes
    # built at run time (``reports.report.<action>``) a function ``code -> label or None``.
    audit_labels: dict[str, Any] = field(default_factory=dict)
    audit_label: Ref | None = None
    # Purposes another module registers that this module's roles also serve ({"reports_desk": {"village_cadre"}}):
    # the module that brings a role says where it works, the other module need not know the role exists.
    grants: dict[str, frozenset[str]] = field(default_factory=dict)
    # Rules it holds over other modules' actions (``Check``).
    checks: list[Check] = field(default_factory=list)


class Registry:
    def __init__(self):
        self._modules: dict[str, Module] = {}
        self._loaded = False
        self._purposes: dict[str, Purpose] | None = None

    # ------------------------------------------------------------------ loading

    def load(self) -> None:
        """Import every installed app's ``module.py`` (once) and check what they claim."""
        if self._loaded:
            return
        found = []
        for config in apps.get_app_configs():
            if importlib.util.find_spec(f"{config.name}.module") is None:
                continue
            mod = importlib.import_module(f"{config.name}.module").module
            if mod.label != config.label:
                raise ImproperlyConfigured(f"{config.name}.module declares label {mod.label!r}, the app's is {config.label!r}")
            found.append(mod)
        self.install(found)

    def install(self, modules: list[Module]) -> None:
        self._modules = {}
        self._purposes = None
        for mod in modules:
            self._modules[mod.label] = mod
        self.check()
        self._loaded = True

    def check(self) -> None:
        """Two modules claiming one prefix, role, purpose, figure, import kind, job, notice or audit action: a clear error."""
        claims: dict[tuple[str, str], str] = {}

        def claim(kind: str, key: str, label: str) -> None:
            other = claims.get((kind, key))
            if other is not None and other != label:
                raise ImproperlyConfigured(f"模块 {other} 与模块 {label} 注册了同一个{kind}：{key}")
            if other == label:
                raise ImproperlyConfigured(f"模块 {label} 两次注册了同一个{kind}：{key}")
            claims[(kind, key)] = label

        for mod in self._modules.values():
            for m in mod.urls:
                claim("URL 前缀", m.prefix, mod.label)
            for m in mod.api:
                if m.prefix.strip("/"):
                    claim("接口前缀", m.prefix.strip("/"), mod.label)
            for r in mod.roles:
                claim("角色", r.code, mod.label)
            for p in mod.purposes:
                claim("权限用途", p, mod.label)
            for f in mod.figures:
                claim("指标代码", f.code, mod.label)
            for k in mod.import_kinds:
                claim("导入类型", k.code, mod.label)
            for j in mod.jobs:
                claim("定时任务", j.code, mod.label)
            for n in mod.notices:
                claim("公开栏栏目", n.code, mod.label)
            for code in mod.audit_labels:
                claim("审计操作", code, mod.label)
        registered = {p for mod in self._modules.values() for p in mod.purposes}
        own_roles = {mod.label: {r.code for r in mod.roles} for mod in self._modules.values()}
        for mod in self._modules.values():
            for purpose, roles in mod.grants.items():
                if purpose not in registered:
                    raise ImproperlyConfigured(f"模块 {mod.label} 授权了不存在的权限用途：{purpose}")
                foreign = set(roles) - own_roles[mod.label]
                if foreign:
                    raise ImproperlyConfigured(f"模块 {mod.label} 只能授权自己的角色，{'、'.join(sorted(foreign))} 不是")
        for mod in self._modules.values():
            if mod.demo:
                for need in mod.demo.after:
                    if need not in self._modules:
                        raise ImproperlyConfigured(f"模块 {mod.label} 的演示数据需要先建模块 {need}，但它没有安装")

    # ------------------------------------------------------------------ reading

    def modules(self) -> list[Module]:
        self.load()
        return list(self._modules.values())

    def get(self, label: str) -> Module | None:
        self.load()
        return self._modules.get(label)

    def roles(self) -> list[RoleDef]:
        return [r for m in self.modules() for r in m.roles]

    def purposes(self) -> dict[str, Purpose]:
        if self._purposes is None:
            found = {name: p for m in self.modules() for name, p in m.purposes.items()}
            for m in self.modules():
                for name, roles in m.grants.items():
                    p = found[name]
                    found[name] = Purpose(p.roles | frozenset(roles), own_rows=p.own_rows)
            self._purposes = found
        return self._purposes

    def menu(self, user, group: str) -> list[MenuEntry]:
        entries = [e for m in self.modules() for e in m.menu if e.group == group]
        entries.sort(key=lambda e: e.order)
        return [e for e in entries if resolve(e.visible)(user)]

    def menu_by_module(self, user, group: str) -> list[list[MenuEntry]]:
        """The visible entries of a group, one list per module (a drop-down draws a divider between them)."""
        found = []
        for m in self.modules():
            entries = sorted((e for e in m.menu if e.group == group), key=lambda e: e.order)
            entries = [e for e in entries if resolve(e.visible)(user)]
            if entries:
                found.append(entries)
        return found

    def template_context(self, request) -> dict:
        ctx: dict = {}
        for m in self.modules():
            if m.context is not None:
                ctx.update(resolve(m.context)(request))
        return ctx

    def panels(self, page: str) -> list[Panel]:
        found = [p for m in self.modules() for p in m.panels if p.page == page]
        return sorted(found, key=lambda p: p.order)

    def jobs(self) -> list[Job]:
        return [j for m in self.modules() for j in m.jobs]

    def import_kinds(self) -> dict[str, ImportKind]:
        return {k.code: k for m in self.modules() for k in m.import_kinds}

    def notices(self) -> list[PublicNotice]:
        return [n for m in self.modules() for n in m.notices]

    def checks(self, action: str) -> list[Check]:
        return [c for m in self.modules() for c in m.checks if c.action == action]

    def figures(self) -> dict[str, Figure]:
        return {f.code: f for m in self.modules() for f in m.figures}

    def audit_label(self, code: str) -> str:
        """The readable name of an audit action code, from the module that writes it (else the code)."""
        for m in self.modules():
            if code in m.audit_labels:
                return str(m.audit_labels[code])
        for m in self.modules():
            if m.audit_label is not None:
                label = resolve(m.audit_label)(code)
                if label:
                    return str(label)
        return code

    def demo_order(self) -> list[Module]:
        """Modules with a demo step, each after the ones it needs (then in INSTALLED_APPS order)."""
        pending = [m for m in self.modules() if m.demo]
        with_demo = {m.label for m in pending}
        done: list[Module] = []
        names: set[str] = set()
        while pending:
            ready = [m for m in pending if all(n in names or n not in with_demo for n in m.demo.after)]
            if not ready:
                raise ImproperlyConfigured("演示数据的先后关系有环：" + "、".join(m.label for m in pending))
            for m in ready:
                done.append(m)
                names.add(m.label)
                pending.remove(m)
        return done


registry = Registry()


def checks_run(action: str, **facts) -> None:
    """Run every registered rule over an action (``Check``); the first refusal raises."""
    for check in registry.checks(action):
        resolve(check.run)(**facts)


def panels_render(page: str, request, obj=None) -> list[str]:
    """The HTML of every module's panel on a shared page, in order (a panel may decline with None)."""
    from django.template.loader import render_to_string

    html = []
    for panel in registry.panels(page):
        ctx = resolve(panel.context)(request, obj)
        if ctx is not None:
            html.append(render_to_string(panel.template, ctx, request=request))
    return html
