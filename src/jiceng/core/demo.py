"""``jiceng demo``: the demo district, built by every installed module in turn (module contract, rule 20).

Each module's ``DemoStep`` says what it builds and which modules must be built first; this file only orders
them and runs them. Deterministic for a seed.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

from django.conf import settings
from django.db import connection

from .modules import registry, resolve


class DemoRefused(Exception):
    pass


@dataclass
class DemoRun:
    """One build: its options, what each module built (``built[label]``) and each module's figures."""

    seed: int = 2026
    households: int = 2000
    progress: Callable | None = None
    built: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)


def demo_logins() -> list[tuple[str, str, str, str]]:
    """(user name, role, label, where) for every registered role that has a demo login."""
    return [(r.demo_login, r.code, str(r.label), r.demo_unit) for r in registry.roles() if r.demo_login]


def demo_order(*, only: tuple[str, ...] | None = None) -> list:
    modules = registry.demo_order()
    if only is not None:
        modules = [m for m in modules if m.label in only]
    return modules


def demo_build(*, households: int = 2000, seed: int = 2026, progress=None, only: tuple[str, ...] | None = None) -> DemoRun:
    """Build the demo district; ``only=("people",)`` builds just those modules (the registry benchmarks)."""
    if not (settings.DEBUG or getattr(settings, "TESTING", False) or getattr(settings, "JICENG_ALLOW_DEMO", False)):
        raise DemoRefused("生产模式下不能创建演示数据和演示账号（密码 jiceng-demo）。请设置 JICENG_DEBUG=1。")
    started = time.monotonic()
    run = DemoRun(seed=seed, households=households, progress=progress)
    for module in demo_order(only=only):
        built = resolve(module.demo.build)(run)
        run.built[module.label] = built
        run.stats[module.label] = getattr(built, "stats", built)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    run.stats["seconds"] = round(time.monotonic() - started, 1)
    return run


def demo_summary(run: DemoRun) -> list[str]:
    """A line per module that says what it built (``DemoStep.summary``)."""
    lines = []
    for module in demo_order():
        if module.label in run.built and module.demo.summary:
            lines.append(f"{module.name}：{resolve(module.demo.summary)(run.built[module.label])}")
    return lines


def demo_notes(base_url: str = "http://127.0.0.1:8000") -> list[str]:
    """What each module wants a demo user told (an address on the server at ``base_url``)."""
    base_url = base_url.rstrip("/")
    return [line for m in demo_order() if m.demo.notes for line in resolve(m.demo.notes)(base_url=base_url)]


def demo_exists() -> bool:
    """Whether a demo has been built (the first module's ``DemoStep`` answers through ``exists``)."""
    for module in demo_order():
        check = getattr(module.demo, "exists", None)
        if check:
            return bool(resolve(check)())
    return False


def demo_reset():
    """Remove every row the demo (or anything else) wrote: the demo database is disposable."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
